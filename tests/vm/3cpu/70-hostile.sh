# SPDX-License-Identifier: GPL-2.0
# vm-run: seconds 900
# Runs in a 3-CPU machine: the hostile inmate makes every attack of the
# table in Documentation/hostile-inmates.md, each in a fresh cell on CPU 1,
# while the isolation inmate (its own attacks off) holds CPU 2 and COM2 and
# counts every interrupt that reaches it.  After each attack: the inmate's
# lines and the cell's state are as the table says, destroy gives CPU 1
# back, the pool is back, Linux's CPU 0 and the hypervisor answer and the
# kernel log is clean.  Then Linux attacks the isolation cell: its ports,
# and fixed, NMI, INIT and startup IPIs to CPU 2 (tests/vm/module).  The
# isolation cell must run to the end having seen no foreign interrupt.

SYSTEM=/etc/bulkhead/bochs-system-3cpu.cell
HOSTILE=/etc/bulkhead/hostile.cell
HOSTILE_IMAGE=/usr/share/bulkhead/inmates/hostile.bin
ISOLATION=/etc/bulkhead/isolation.cell
ISOLATION_IMAGE=/usr/share/bulkhead/inmates/isolation.bin
TABLE=/usr/share/bulkhead/hostile-inmates.md
ATTACK_MODULE=/lib/modules/bulkhead-attack.ko
SYSFS=/sys/devices/bulkhead
WORK=/tmp/hostile
# Longest gap (us of guest time) Linux may see on CPU 0 during the VMCALL flood.
GAP_LIMIT_US=50000

mkdir -p "$WORK"

# The table's rows as "N<TAB>NAME<TAB>CELL<TAB>HYPERVISOR", and WORK/N.says:
# the strings in backticks of the "inmate says" column, one per line.
table_rows() {
	awk -F'|' -v work="$WORK" '
		function trim(s) { gsub(/^ +| +$/, "", s); return s }
		/^\| [0-9]+ \|/ {
			n = trim($2)
			file = work "/" n ".says"
			printf "" >file
			count = split($5, parts, "`")
			for (i = 2; i <= count; i += 2)
				print parts[i] >file
			close(file)
			print n "\t" trim($3) "\t" trim($6) "\t" trim($7)
		}' "$TABLE"
}

# Count of event $2 on CPU $1 in sysfs events (0 if none yet).
event_count() {
	awk -v cpu="$1" -v name="$2" '$1 == cpu && $2 == name { n = $3 } END { print n + 0 }' \
		"$SYSFS/events"
}

# The hypervisor console from the begin line of attack $1 on.
console_since() {
	bulkhead console | awk -v tag="hostile: attack $1 " '
		index($0, tag) && / begin$/ { text = ""; on = 1 }
		on { text = text $0 "\n" }
		END { printf "%s", text }'
}

console_since_has() {
	console_since "$1" | grep -qF -- "$2"
}

# Every string of WORK/N.says appears as "hostile: attack N: STRING".
inmate_says() {
	local n=$1 text missing=0
	console_since "$n" >"$WORK/console"
	sed 's/^/    console: /' "$WORK/console"
	while read -r text; do
		grep -qF -- "hostile: attack $n: $text" "$WORK/console" ||
			{ echo "missing: hostile: attack $n: $text"; missing=1; }
	done <"$WORK/$n.says"
	return "$missing"
}


# cell_state NAME STATE [FAILED]: cell list shows it so (FAILED: its failed CPUs, default -).
cell_state() {
	bulkhead cell list | tee "$WORK/cells"
	awk -v name="$1" -v state="$2" -v failed="${3:--}" \
		'$2 == name && $3 == state && $5 == failed { ok = 1 } END { exit !ok }' "$WORK/cells"
}

hostile_failed() {
	bulkhead cell list | tee "$WORK/cells"
	awk '$2 == "hostile" && $3 == "failed" { ok = 1 } END { exit !ok }' "$WORK/cells"
}

attack_start() {
	bulkhead cell create "$HOSTILE" &&
		bulkhead cell load hostile "$HOSTILE_IMAGE" -s "attack=$1 hv-console console=none" \
			-a 0x1000 &&
		bulkhead cell start hostile
}

shutdown_says() {
	bulkhead cell shutdown hostile | tee "$WORK/shutdown"
	grep -q "$1" "$WORK/shutdown"
}

# The hypervisor column: "failed: WHY", "event NAME" (CPU 1's count grew) or "-".
hypervisor_saw() {
	local n=$1 expected=$2 before=$3
	case "$expected" in
	-) return 0 ;;
	"failed: "*) grep -qF -- "$expected" "$WORK/console" ;;
	"event "*)
		echo "CPU 1 ${expected#event }: $before before, $(event_count 1 "${expected#event }") now"
		[ "$(event_count 1 "${expected#event }")" -gt "$before" ] ;;
	*) echo "unknown hypervisor column '$expected' in $TABLE"; return 1 ;;
	esac
}

# Linux stays responsive on CPU 0: its worst gap reading the clock for 2 s.
linux_responsive() {
	local gap
	gap=$(taskset -c 0 probe gap 2000) || return
	# The figure goes to the console even when the step passes.
	echo "CPU 0: longest gap between clock reads over 2 s: $gap us (limit $GAP_LIMIT_US)" |
		tee /dev/console
	[ "$gap" -lt "$GAP_LIMIT_US" ]
}

# Attack $1 named $2 as in the table, its lines, and the hypervisor's view $3 (count $4 before).
outcome() {
	inmate_says "$1" && grep -qF -- "hostile: attack $1 $2: begin" "$WORK/console" &&
		hypervisor_saw "$1" "$3" "$4"
}

# Everything as before the attack, the isolation cell still running.
all_back() {
	cpus_back_with_linux 0-2 1 &&
		pool_is "$WORK/pool" &&
		cell_state isolation running &&
		[ "$(grep -c '' "$WORK/cells")" -eq 2 ] &&
		taskset -c 0 true &&
		vm_dmesg_check
}

run_attack() {
	local n=$1 name=$2 cell=$3 hv=$4 label="attack $1 $2" before
	before=0
	case "$hv" in "event "*) before=$(event_count 1 "${hv#event }") ;; esac
	step "$label: create, load, start" attack_start "$n" || return
	case "$cell" in
	running) wait_for "$label: the inmate survives it" 100 \
		console_since_has "$n" "hostile: attack $n done" ;;
	failed) wait_for "$label: the cell fails" 100 hostile_failed ;;
	deaf) wait_for "$label: the inmate goes deaf" 100 \
		console_since_has "$n" "hostile: attack $n: $(head -n 1 "$WORK/$n.says")" ;;
	*) step "$label: cell column '$cell' is running, failed or deaf" false ;;
	esac
	step "$label: the inmate says what the table says; the hypervisor: $hv" \
		outcome "$n" "$name" "$hv" "$before"
	[ "$name" != vmcall-flood ] || step "$label: Linux stays responsive on CPU 0" linux_responsive
	case "$cell" in
	running) step "$label: the cell runs and approves shutdown" \
		sh -c 'bulkhead cell list | grep -qE "^[0-9]+ +hostile +running" &&
			bulkhead cell shutdown hostile | grep -q approved' ;;
	deaf) step "$label: shutdown stops the deaf cell after its timeout" \
		shutdown_says "did not answer the shutdown request in time" ;;
	esac
	step "$label: destroy" bulkhead cell destroy hostile
	step "$label: CPU 1, pool, Linux, hypervisor, kernel log as before" all_back
}

# ---- root-side attacks on the isolation cell ----

com2_refused() {
	probe outb 0x2ff 0x5a && probe outb 0x2fb 0x80 && probe outb 0x2f8 0x30 &&
		probe outb 0x2fb 0x03 || return
	echo "scratch $(probe inb 0x2ff), line status $(probe inb 0x2fd)"
	[ "$(probe inb 0x2ff)" = ff ] && [ "$(probe inb 0x2fd)" = ff ]
}

# IPI $1 from Linux's CPU 0 to CPU 2 (APIC ID 2): refused or dropped on CPU 0.
root_ipi() {
	local before after
	before=$(($(event_count 0 ipi-refused) + $(event_count 0 ipi-dropped)))
	taskset -c 0 insmod "$ATTACK_MODULE" attack="$1" apic=2 && rmmod bulkhead-attack || return
	after=$(($(event_count 0 ipi-refused) + $(event_count 0 ipi-dropped)))
	echo "CPU 0 IPIs refused or dropped: $before before, $after after"
	[ "$after" -gt "$before" ] && cell_state isolation running
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable with the 3-CPU system config" bulkhead enable "$SYSTEM"
# At least 30 attacks, numbered 1, 2, ... in order.
attack_table() {
	table_rows >"$WORK/table"
	cat "$WORK/table"
	[ "$(grep -c '' "$WORK/table")" -ge 30 ] &&
		awk -F'\t' '$1 != NR { exit 1 }' "$WORK/table"
}

step "the attack table of $TABLE" attack_table
step "cell create isolation (CPU 2)" bulkhead cell create "$ISOLATION"
step "cell load isolation, its attacks off" bulkhead cell load isolation "$ISOLATION_IMAGE" \
	-s "all=0 hv-console own-cpu=2 report-ms=2000" -a 0x1000
step "cell start isolation" bulkhead cell start isolation
wait_for "the isolation inmate idles" 300 hv_console_has "isolation: attacks done"
step "pool with the isolation cell" pool_save "$WORK/pool"

while IFS='	' read -r n name cell hv; do
	run_attack "$n" "$name" "$cell" "$hv"
done <"$WORK/table"

step "Linux reads COM2 of the isolation cell as missing, its writes dropped" com2_refused
for attack in ipi-fixed ipi-nmi ipi-init-sipi; do
	step "Linux sends $attack to CPU 2 (isolation): dropped" root_ipi "$attack"
done
step "the isolation cell still runs" cell_state isolation running
step "cell shutdown isolation: approved" sh -c 'bulkhead cell shutdown isolation | grep -q approved'
wait_for "isolation saw no interrupt it did not send" 50 \
	hv_console_has "isolation: done, 0 unexpected interrupts"
step "cell destroy isolation" bulkhead cell destroy isolation
step "CPU 2 is back with Linux and works" cpus_back_with_linux 0-2 2
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
host_expects "COM2: isolation saw no interrupt it did not send" serial2.log \
	'^isolation: done, 0 unexpected interrupts$'
