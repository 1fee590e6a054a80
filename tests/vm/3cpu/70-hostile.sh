# SPDX-License-Identifier: GPL-2.0
# Runs in a 3-CPU machine: the hostile inmate makes the attacks of the
# table in Documentation/hostile-inmates.md, each in a fresh cell on CPU 1,
# while the isolation inmate (its own attacks off) holds CPU 2 and COM2 and
# counts every interrupt that reaches it.  `make check` runs the rows marked
# `smoke`; with /tmp/hostile-every-attack present (tests/vm/hostile/
# every-attack.sh, run first by `make hostile`) it runs every row.  One step
# per attack: the inmate's lines and the cell's state are as the table
# says, destroy gives CPU 1 back, the pool is back, the cell list shows the
# isolation cell alone; every FULL_EVERY attacks and after the last, also
# Linux runs a task on CPUs 0 and 1 (on 1 as the root cell's guest) and
# the kernel log is clean.  Then Linux attacks the isolation cell: its ports, and fixed,
# NMI, INIT and startup IPIs to CPU 2 (tests/vm/module).  The isolation
# cell must run to the end having seen no foreign interrupt.

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
# Every this many attacks (and after the last) the checks that cost most.
FULL_EVERY=8
# Tries, 20 ms of guest time apart, for an attack's outcome to show.
OUTCOME_TRIES=250
mkdir -p "$WORK"

# The table's rows as "N<TAB>NAME<TAB>CELL<TAB>HYPERVISOR", the smoke rows
# only unless $1 is "every", and WORK/N.says: the strings in backticks of
# the "inmate says" column, one per line.
table_rows() {
	awk -F'|' -v work="$WORK" -v every="$1" '
		function trim(s) { gsub(/^ +| +$/, "", s); return s }
		/^\| [0-9]+ \|/ {
			n = trim($2)
			file = work "/" n ".says"
			printf "" >file
			count = split($5, parts, "`")
			for (i = 2; i <= count; i += 2)
				print parts[i] >file
			close(file)
			if (every == "every" || trim($8) == "smoke")
				print n "\t" trim($3) "\t" trim($6) "\t" trim($7)
		}' "$TABLE"
}

# Count of event $2 on CPU $1 in sysfs events (0 if none yet).
event_count() {
	awk -v cpu="$1" -v name="$2" '$1 == cpu && $2 == name { n = $3 } END { print n + 0 }' \
		"$SYSFS/events"
}

# WORK/console: the hypervisor console from the begin line of attack $1 on.
console_read() {
	bulkhead console | awk -v tag="hostile: attack $1 " '
		index($0, tag) && / begin$/ { text = ""; on = 1 }
		on { text = text $0 "\n" }
		END { printf "%s", text }' >"$WORK/console"
}

# cell_state NAME STATE: sysfs, which `bulkhead cell list` shows, has a
# cell NAME in STATE.  Shell builtins alone: the attacks' polls fork little.
cell_state() {
	local dir name state
	for dir in "$SYSFS"/cells/*/; do
		if { read -r name <"${dir}name" && read -r state <"${dir}state"; } 2>/dev/null &&
			[ "$name" = "$1" ] && [ "$state" = "$2" ]; then
			return 0
		fi
	done
	echo "no cell $1 in state $2:"
	bulkhead cell list
	return 1
}

# The only cell is the isolation cell, running.
isolation_alone() {
	set -- "$SYSFS"/cells/*/
	[ "$#" -eq 1 ] || { echo "$# cells:"; bulkhead cell list; return 1; }
	cell_state isolation running
}

# The outcome of attack $1 shows, for cell column $2: running (the inmate
# said done), failed (the cell list says so) or deaf (the inmate's first
# line is there).  Leaves the console of the attack in WORK/console.
outcome_shows() {
	case "$2" in
	running) console_read "$1" && grep -qF "hostile: attack $1 done" "$WORK/console" ;;
	failed) cell_state hostile failed >/dev/null && console_read "$1" ;;
	deaf) console_read "$1" &&
		grep -qF -- "hostile: attack $1: $(head -n 1 "$WORK/$1.says")" "$WORK/console" ;;
	*) echo "cell column '$2' is not running, failed or deaf"; return 2 ;;
	esac
}

outcome_wait() {
	# shellcheck disable=SC2034 # vm_poll's interval, for this wait only
	local VM_POLL_INTERVAL=0.02
	vm_poll "$OUTCOME_TRIES" outcome_shows "$@"
}

# The begin line of attack $1 names $2 and every string of WORK/$1.says
# appears as "hostile: attack $1: STRING"; names those missing.
inmate_says() {
	awk -v n="$1" -v name="$2" '
		FILENAME == ARGV[1] { want[FNR] = "hostile: attack " n ": " $0; wanted = FNR; next }
		index($0, "hostile: attack " n " " name ": begin") { begun = 1 }
		{ for (i = 1; i <= wanted; i++) if (index($0, want[i])) seen[i] = 1 }
		END {
			if (!begun) { print "missing: hostile: attack " n " " name ": begin"; bad = 1 }
			for (i = 1; i <= wanted; i++)
				if (!seen[i]) { print "missing: " want[i]; bad = 1 }
			exit bad
		}' "$WORK/$1.says" "$WORK/console"
}

# The hypervisor column $1: "failed: WHY", "event NAME" (CPU 1's count grew
# from $2) or "-".
hypervisor_saw() {
	local now
	case "$1" in
	-) return 0 ;;
	"failed: "*) grep -qF -- "$1" "$WORK/console" ;;
	"event "*)
		now=$(event_count 1 "${1#event }")
		echo "CPU 1 ${1#event }: $2 before, $now now"
		[ "$now" -gt "$2" ] ;;
	*) echo "unknown hypervisor column '$1' in $TABLE"; return 1 ;;
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

attack_start() {
	bulkhead cell create "$HOSTILE" &&
		bulkhead cell load hostile "$HOSTILE_IMAGE" -s "attack=$1 hv-console console=none" \
			-a 0x1000 &&
		bulkhead cell start hostile
}

# Cell column $1: a running cell is listed running and approves shutdown;
# a deaf one is stopped anyway after its shutdown-timeout-ms.
shutdown_as() {
	case "$1" in
	running) cell_state hostile running &&
		bulkhead cell shutdown hostile >"$WORK/shutdown" &&
		grep -q approved "$WORK/shutdown" ;;
	deaf) bulkhead cell shutdown hostile >"$WORK/shutdown"
		grep -q "did not answer the shutdown request in time" "$WORK/shutdown" ;;
	esac || { cat "$WORK/shutdown" 2>/dev/null; return 1; }
}

# Reads sysfs with the shell alone: each attack's checks fork little.
file_reads() {
	local value
	read -r value <"$1"
	[ "$value" = "$2" ] || { echo "$1 reads '$value', expected '$2'"; return 1; }
}

# After destroy: CPU 1 online with Linux again, every CPU entered, the pool
# as before, the isolation cell alone and running.
cheap_back() {
	local pool
	read -r pool <"$WORK/pool"
	file_reads /sys/devices/system/cpu/cpu1/online 1 &&
		file_reads "$SYSFS/cpus_entered" 0-2 &&
		file_reads "$SYSFS/memory_pool" "$pool" &&
		isolation_alone
}

# Linux runs a task on CPUs 0 and 1, on 1 as the root cell's guest (CPU 0
# cannot go offline); the kernel log is clean.
full_back() {
	cpus_back_with_linux 0-2 1 && taskset -c 0 true && vm_dmesg_check
}

# check WHAT CMD...: runs CMD; if it fails, says which check that was.
check() {
	local what="$1"
	shift
	"$@" || { echo "check failed: $what"; return 1; }
}

# Guest uptime after each phase of an attack, for the step's output.
stamp() {
	local up
	read -r up _ </proc/uptime
	stamps="$stamps $1 $up"
}

# Attack $1 named $2, cell column $3, hypervisor column $4; $5 "full"
# for the costly checks too.
attack_checks() {
	local n="$1" name="$2" cell="$3" hv="$4" before=0 stamps=
	case "$hv" in "event "*) before=$(event_count 1 "${hv#event }") ;; esac
	stamp begin
	check "create, load, start" attack_start "$n" || return
	stamp started
	check "the cell is $cell" outcome_wait "$n" "$cell" || { cat "$WORK/console"; return 1; }
	stamp outcome
	check "the inmate says what the table says" inmate_says "$n" "$name" ||
		{ sed 's/^/console: /' "$WORK/console"; return 1; }
	check "the hypervisor: $hv" hypervisor_saw "$hv" "$before" || return
	if [ "$name" = vmcall-flood ]; then
		check "Linux stays responsive on CPU 0" linux_responsive || return
	fi
	stamp checked
	check "the cell answers shutdown as a $cell cell" shutdown_as "$cell" || return
	stamp shutdown
	check "destroy" bulkhead cell destroy hostile || return
	stamp destroyed
	check "CPU 1, pool and cell list as before" cheap_back || return
	if [ "$5" = full ]; then
		check "Linux runs tasks on CPUs 0 and 1, kernel log clean" full_back ||
			return
	fi
	stamp back
	echo "guest uptime:$stamps"
}

# A failed attack's cell goes, so that the next attack starts as usual.
attack_or_destroy() {
	attack_checks "$@" && return
	bulkhead cell destroy hostile >/dev/null 2>&1
	return 1
}

run_attack() {
	local what="contained as the table says"
	[ "$5" != full ] || what="$what; Linux on CPUs 0 and 1, kernel log clean"
	step "attack $1 $2: $what" attack_or_destroy "$@"
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

# Linux programs pin 3 of the IOAPIC, the isolation cell's, from a module
# on CPU 0: the write is dropped and counted there, the pin reads masked,
# and the cell runs on.
root_ioapic_pin() {
	local before after
	before=$(event_count 0 ioapic-dropped)
	taskset -c 0 insmod "$ATTACK_MODULE" attack=ioapic-pin pin=3 apic=0 && rmmod bulkhead-attack ||
		return
	after=$(event_count 0 ioapic-dropped)
	echo "CPU 0 IOAPIC writes dropped: $before before, $after after"
	dmesg | grep 'bulkhead-attack: IOAPIC pin 3 reads' | tail -1 | tee /tmp/ioapic-pin.out
	[ "$after" -gt "$before" ] && grep -q 'reads 0x10000 after' /tmp/ioapic-pin.out &&
		cell_state isolation running
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable with the 3-CPU system config" bulkhead enable "$SYSTEM"
# The rows to run in WORK/table: every row or the smoke rows, at least 30
# either way; the table's rows numbered 1, 2, ... in order.
attack_table() {
	table_rows every >"$WORK/every"
	table_rows "$ROWS" >"$WORK/table"
	cat "$WORK/table"
	[ "$(grep -c '' "$WORK/table")" -ge 30 ] &&
		awk -F'\t' '$1 != NR { exit 1 }' "$WORK/every"
}

ROWS=smoke
[ ! -e /tmp/hostile-every-attack ] || ROWS=every
step "the attack table of $TABLE, $ROWS rows" attack_table
step "cell create isolation (CPU 2)" bulkhead cell create "$ISOLATION"
step "cell load isolation, its attacks off" bulkhead cell load isolation "$ISOLATION_IMAGE" \
	-s "all=0 hv-console own-cpu=2 report-ms=2000" -a 0x1000
step "cell start isolation" bulkhead cell start isolation
wait_for "the isolation inmate idles" 300 hv_console_has "isolation: attacks done"
step "pool with the isolation cell" pool_save "$WORK/pool"

total=$(grep -c '' "$WORK/table")
done_count=0
while IFS='	' read -r n name cell hv; do
	done_count=$((done_count + 1))
	full=
	[ $((done_count % FULL_EVERY)) -ne 0 ] && [ "$done_count" -ne "$total" ] || full=full
	run_attack "$n" "$name" "$cell" "$hv" "$full"
done <"$WORK/table"

step "Linux reads COM2 of the isolation cell as missing, its writes dropped" com2_refused
for attack in ipi-fixed ipi-nmi ipi-init-sipi; do
	step "Linux sends $attack to CPU 2 (isolation): dropped" root_ipi "$attack"
done
step "Linux programs the isolation cell's IOAPIC pin 3: dropped, reads masked" root_ioapic_pin
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
