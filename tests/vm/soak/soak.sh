# SPDX-License-Identifier: GPL-2.0
# Soak: enable/disable cycles and tiny-demo create/load/start/destroy cycles
# while a busy loop keeps Linux's CPUs working; random hypercalls from the
# root cell at CPL 0 (build/vm/hcfuzz.ko) and CPL 3 (probe hcfuzz), without
# a cell and beside a running one; garbage arguments to the bulkhead CLI.
# Each cycle is checked cheaply (pool, cells, cpus_entered, CPU 1 back,
# memory within a loose bound), the end fully (memory within its tolerance,
# kernel log clean).  make check runs this short pass in a boot of its own;
# make soak prepends its own counts (Documentation/testing.md, "Soak").
# shellcheck disable=SC3028 # busybox ash has $RANDOM

: "${SOAK_ENABLE_CYCLES:=5}"
: "${SOAK_CELL_CYCLES:=5}"
: "${SOAK_HYPERCALLS:=5000}"
: "${SOAK_USER_HYPERCALLS:=5000}"
: "${SOAK_CLI_CALLS:=30}"
# Memory tolerances in kB, caches dropped: over the second half of each
# loop (a leak grows with the cycles, the kernel's warm-up does not), twice
# these since the first cell cycle, four times since the first cycle.
# Documentation/testing.md explains the figures.
SOAK_MEMFREE_KB=2048
SOAK_KERNEL_KB=128
# A cycle stops the loop after this many failed cycles: one hang is enough.
SOAK_MAX_FAILURES=3

SYSTEM=/etc/bulkhead/bochs-system.cell
TINY=/etc/bulkhead/tiny-demo.cell
TINY_IMAGE=/usr/share/bulkhead/inmates/tiny-demo.bin
FIXTURES=/etc/bulkhead/fixtures
HCFUZZ=/lib/modules/hcfuzz.ko
SYSFS=/sys/devices/bulkhead
CPU1=/sys/devices/system/cpu/cpu1/online
SOAK=/tmp/soak
mkdir -p "$SOAK"

# Guest milliseconds since boot.
uptime_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# "MemFree SUnreclaim VmallocUsed Percpu" in kB.
memory_now() {
	awk '$1 ~ /^(MemFree|SUnreclaim|VmallocUsed|Percpu):$/ { v[$1] = $2 }
		END { print v["MemFree:"], v["SUnreclaim:"], v["VmallocUsed:"], v["Percpu:"] }' /proc/meminfo
}

# memory_save FILE: the values with reclaimable caches dropped first.
memory_save() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	memory_now >"$1"
}

# memory_delta FILE: "MemFree -X kB, SUnreclaim +Y kB, ..." against FILE.
memory_delta() {
	# shellcheck disable=SC2046 # the four numbers as words
	set -- $(cat "$1") $(memory_now)
	printf 'MemFree %+d kB, SUnreclaim %+d kB, VmallocUsed %+d kB, Percpu %+d kB\n' \
		$(($5 - $1)) $(($6 - $2)) $(($7 - $3)) $(($8 - $4))
}

# memory_within FILE FACTOR: no more than FACTOR times the tolerances lost
# since FILE (FACTOR 1 at the end, caches dropped; larger after each cycle).
memory_within() {
	local file=$1 factor=$2
	# shellcheck disable=SC2046 # the four numbers as words
	set -- $(cat "$file") $(memory_now)
	if [ $(($1 - $5)) -gt $((SOAK_MEMFREE_KB * factor)) ] ||
		[ $(($6 - $2 + $7 - $3 + $8 - $4)) -gt $((SOAK_KERNEL_KB * factor)) ]; then
		echo "memory lost: $(memory_delta "$file")"
		return 1
	fi
}

# memory_settled FILE FACTOR [FIGURES]: memory_within with caches dropped
# first; the delta also goes to FIGURES.
memory_settled() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	memory_delta "$1" | tee "${3:-/dev/null}"
	memory_within "$1" "$2"
}

# expect WHAT VALUE WANTED
expect() {
	[ "$2" = "$3" ] || { echo "$1 is '$2', expected '$3'"; return 1; }
}

cpu1_works() {
	grep -qx 1 "$CPU1" && taskset -c 1 true
}

no_cells() {
	expect "cells/" "$(ls "$SYSFS/cells")" "" &&
		expect "cell list" "$(bulkhead cell list | grep -c '')" 1
}

# A nice'd busy loop: Linux's CPUs are never idle, and the scenario still runs.
busy_start() {
	sh -c 'while :; do :; done' &
	echo $! >"$SOAK/busy.pid"
	renice -n 19 -p "$(cat "$SOAK/busy.pid")" >/dev/null
}

busy_stop() {
	kill "$(cat "$SOAK/busy.pid")"
}

busy_running() {
	kill -0 "$(cat "$SOAK/busy.pid")"
}

# cycles NAME COUNT FUNCTION MEMORY-FILE: runs FUNCTION 1..COUNT, checking
# memory after each and the kernel log every tenth; keeps memory at half
# time in MEMORY-FILE.half; writes its figures to $SOAK/figures.NAME and
# progress to the console.
cycles() {
	local name=$1 count=$2 function=$3 base=$4 i=0 failures=0 start took
	start=$(uptime_ms)
	while [ "$i" -lt "$count" ] && [ "$failures" -lt "$SOAK_MAX_FAILURES" ]; do
		i=$((i + 1))
		if ! "$function" "$i" || ! memory_within "$base" 4 ||
			{ [ $((i % 10)) -eq 0 ] && ! vm_dmesg_check; }; then
			failures=$((failures + 1))
			echo "$name cycle $i FAILED"
		fi
		[ "$i" -ne $(((count + 1) / 2)) ] || memory_save "$base.half"
		[ $((i % 10)) -ne 0 ] ||
			echo "soak: $name: $i of $count cycles, $failures failed, $(memory_delta "$base")" >/dev/console
	done
	took=$(($(uptime_ms) - start))
	echo "$name: $i cycles of $count, $failures failed, $((took / (i > 0 ? i : 1))) ms per cycle (guest time)" |
		tee "$SOAK/figures.$name"
	[ "$failures" -eq 0 ] && [ "$i" -eq "$count" ]
}

# --- enable/disable --------------------------------------------------------

enabled_state() {
	expect enabled "$(cat $SYSFS/enabled)" 1 &&
		expect cpus_entered "$(cat $SYSFS/cpus_entered)" 0-1 &&
		expect memory_pool "$(cat $SYSFS/memory_pool)" "$(cat "$SOAK/pool.enabled")" && no_cells
}

disabled_state() {
	expect enabled "$(cat $SYSFS/enabled)" 0 && expect cpus_entered "$(cat $SYSFS/cpus_entered)" "" &&
		expect memory_pool "$(cat $SYSFS/memory_pool)" "0 0" && cpu1_works
}

enable_cycle() {
	bulkhead enable "$SYSTEM" >/dev/null || { echo "cycle $1: enable failed"; return 1; }
	enabled_state || { echo "cycle $1: after enable"; bulkhead disable; return 1; }
	bulkhead disable >/dev/null || { echo "cycle $1: disable failed"; return 1; }
	disabled_state || { echo "cycle $1: after disable"; return 1; }
}

# The warm-up: the first enable loads the firmware and builds sysfs once.
first_enable_cycle() {
	bulkhead enable "$SYSTEM" >/dev/null && pool_save "$SOAK/pool.enabled" &&
		bulkhead disable >/dev/null && disabled_state
}

# --- cells -----------------------------------------------------------------

# tiny-demo printed its hello since the last cell was created.
said_hello() {
	bulkhead console | awk '/cell [0-9]+ "tiny-demo" created/ { seen = 0 }
		/tiny-demo: hello from CPU 1/ { seen = 1 } END { exit !seen }'
}

tiny_demo_up() {
	bulkhead cell create "$TINY" >/dev/null &&
		bulkhead cell load tiny-demo "$TINY_IMAGE" -s "hv-console tick-ms=1000" -a 0x1000 >/dev/null &&
		bulkhead cell start tiny-demo >/dev/null && vm_poll 100 said_hello
}

cells_back() {
	no_cells && expect cpus_entered "$(cat $SYSFS/cpus_entered)" 0-1 &&
		expect memory_pool "$(cat $SYSFS/memory_pool)" "$(cat "$SOAK/pool.cells")" && cpu1_works
}

cell_cycle() {
	tiny_demo_up || echo "cycle $1: tiny-demo did not come up"
	bulkhead cell destroy tiny-demo >/dev/null || { echo "cycle $1: destroy failed"; return 1; }
	cells_back || { echo "cycle $1: after destroy"; return 1; }
	# A cycle whose inmate never said hello fails, once the cell is gone.
	said_hello
}

# --- random hypercalls and garbage arguments -------------------------------

# hcfuzz CPU COUNT: the module on CPU, its counts shown from the kernel log.
hcfuzz() {
	local status start
	[ -r "$HCFUZZ" ] || { echo "no $HCFUZZ: make fixtures builds build/vm/hcfuzz.ko"; return 1; }
	dmesg >"$SOAK/dmesg.before"
	start=$(uptime_ms)
	taskset -c "$1" insmod "$HCFUZZ" count="$2"
	status=$?
	echo "CPL 0 on CPU $1: $2 hypercalls in $(($(uptime_ms) - start)) ms (guest time)" |
		tee -a "$SOAK/figures.hypercalls"
	dmesg | tail -n "+$(($(grep -c '' "$SOAK/dmesg.before") + 1))" | grep 'hcfuzz: ' |
		tee -a "$SOAK/hcfuzz.log"
	[ "$status" -eq 0 ] && rmmod hcfuzz
}

# user_hypercalls COUNT: probe's calls from CPL 3, its exit status kept.
user_hypercalls() {
	local status
	probe hcfuzz "$1" >"$SOAK/figures.user-hypercalls"
	status=$?
	cat "$SOAK/figures.user-hypercalls"
	return "$status"
}

# pick WORD...: one of the words, at random, in $PICKED (no subshell: fast).
pick() {
	shift $((RANDOM % $#))
	PICKED=$1
}

# Names and numbers no cell has while tiny-demo (ID 1) runs.
bad_cell() {
	pick nosuch 0 2 3 4 5 99 -1 4294967297 18446744073709551617 "" tiny tiny-demo2 TINY-DEMO \
		1x "z$RANDOM$RANDOM"
}

bad_config() {
	# shellcheck disable=SC2086 # each fixture a word
	pick /nonexistent /dev/null /etc "$SYSTEM" "$TINY" "$SOAK/random.bin" "$SOAK/empty" \
		"$TINY_IMAGE" $BAD_FIXTURES
}

# Addresses that do not fit tiny-demo's loadable region, or are no addresses.
bad_address() {
	pick 0x100000 0x200000 0xfffff 0xffffffffffffffff -1 0x10000000000000000 nonsense "" 0x 0x1g
}

# A string's address that fits no region is refused only after the image
# before it was loaded (one request each): garbage for strings is unparsable.
unparsable_address() {
	pick 0x10000000000000000 nonsense "" 0x 0x1g
}

# One garbage invocation in $COMMAND, as words for the shell to split.
garbage_command() {
	case $((RANDOM % 14)) in
	0) bad_config; COMMAND="cell create $PICKED" ;;
	1) bad_cell; COMMAND="cell load $PICKED $TINY_IMAGE" ;;
	2) pick /nonexistent /etc /dev/null "$SOAK/big.bin"; COMMAND="cell load tiny-demo $PICKED" ;;
	3) bad_address; COMMAND="cell load tiny-demo $TINY_IMAGE -a $PICKED" ;;
	4) unparsable_address; COMMAND="cell load tiny-demo $TINY_IMAGE -s hv-console -a $PICKED" ;;
	5) pick start destroy shutdown stats; COMMAND="cell $PICKED"; bad_cell
	   COMMAND="$COMMAND $PICKED" ;;
	6) COMMAND="cell start tiny-demo" ;;
	7) pick start destroy shutdown create; COMMAND="cell $PICKED tiny-demo z$RANDOM" ;;
	8) COMMAND="cell z$RANDOM" ;;
	9) pick "$SYSTEM" "$TINY" /nonexistent; COMMAND="enable $PICKED" ;;
	10) COMMAND="disable" ;;
	11) COMMAND="z$RANDOM $RANDOM" ;;
	12) pick create load start destroy shutdown stats; COMMAND="cell $PICKED" ;;
	*) COMMAND="cell list z$RANDOM" ;;
	esac
}

# The state garbage must not change, in $STATE: the pool, the CPUs, the
# cells and tiny-demo's state (builtins only: fast).
cell_state() {
	local pool entered state online
	read -r pool <"$SYSFS/memory_pool"
	read -r entered <"$SYSFS/cpus_entered"
	read -r state <"$SYSFS/cells/1/state"
	read -r online <"$CPU1"
	set -- "$SYSFS"/cells/*
	STATE="pool $pool, CPUs $entered, cell 1 $state, CPU 1 online $online, cells $*"
}

# Lines in file $1, in $LINES (builtins only).
count_lines() {
	local line
	LINES=0
	while read -r line || [ -n "$line" ]; do
		LINES=$((LINES + 1))
	done <"$1"
}

# Each garbage invocation fails with exactly one line on stderr and changes nothing.
cli_garbage() {
	local i=0 before bad=0 status start
	BAD_FIXTURES=$(ls "$FIXTURES"/cell-*.cell "$FIXTURES"/bad-*.cell "$FIXTURES"/truncated.cell)
	cell_state
	before=$STATE
	start=$(uptime_ms)
	while [ "$i" -lt "$1" ]; do
		i=$((i + 1))
		garbage_command
		# shellcheck disable=SC2086 # the command's words
		bulkhead $COMMAND >/dev/null 2>"$SOAK/err"
		status=$?
		count_lines "$SOAK/err"
		cell_state
		if [ "$status" -eq 0 ] || [ "$LINES" -ne 1 ] || [ "$STATE" != "$before" ]; then
			bad=$((bad + 1))
			echo "bulkhead $COMMAND: exit $status, $LINES lines on stderr, $STATE"
			sed 's/^/  stderr: /' "$SOAK/err"
		fi
	done
	echo "CLI: $i garbage invocations in $(($(uptime_ms) - start)) ms (guest time), $bad accepted, not one line or changing state" |
		tee "$SOAK/figures.cli"
	[ "$bad" -eq 0 ]
}

garbage_files() {
	head -c 4096 /dev/urandom >"$SOAK/random.bin" && : >"$SOAK/empty" &&
		dd if=/dev/zero of="$SOAK/big.bin" bs=1024 count=2048 2>/dev/null
}

garbage_files_gone() {
	rm -f "$SOAK/random.bin" "$SOAK/empty" "$SOAK/big.bin"
}

last_tick() {
	bulkhead console | sed -n 's/.*tiny-demo: tick \([0-9]*\),.*/\1/p' | tail -n 1
}

tick_moved() {
	[ "$(last_tick)" != "$(cat "$SOAK/tick")" ]
}

note_tick() {
	last_tick | tee "$SOAK/tick"
}

tiny_demo_ticks() {
	expect "cell 1" "$(cat $SYSFS/cells/1/state)" running && vm_poll 50 tick_moved
}

# --- the end ---------------------------------------------------------------

figures() {
	echo "soak figures:"
	cat "$SOAK"/figures.* 2>/dev/null | sed 's/^/  /'
	echo "  hypercalls at CPL 0: $(sed -n 's/.*hcfuzz: \([0-9]*\) hypercalls, .*/\1/p' "$SOAK/hcfuzz.log" |
		awk '{ s += $1 } END { print s + 0 }') made, $(grep -c 'not what the hypervisor documents\|state changed' "$SOAK/hcfuzz.log") unexpected"
	echo "  CPL 0 results per code (each run):"
	sed -n 's/.*hcfuzz: \(code .*\)/    \1/p' "$SOAK/hcfuzz.log"
	echo "  pool (used total pages): at the first enable '$(cat "$SOAK/pool.enabled")'," \
		"after all cycles and calls '$(cat "$SOAK/pool.end")'"
	echo "  memory over the second half of the enable/disable cycles: $(cat "$SOAK/memory.enable.end")"
	echo "  memory over the second half of the cell cycles, hypercalls and CLI: $(memory_delta "$SOAK/memory.cells.half")"
	echo "  memory since the first cell cycle: $(memory_delta "$SOAK/memory.cells")"
	echo "  memory since the first enable/disable cycle: $(memory_delta "$SOAK/memory.enable")"
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "a busy loop keeps Linux's CPUs working" busy_start
step "warm-up: enable, pool kept, disable" first_enable_cycle
step "memory after the warm-up" memory_save "$SOAK/memory.enable"
step "$SOAK_ENABLE_CYCLES enable/disable cycles" cycles enable "$SOAK_ENABLE_CYCLES" enable_cycle \
	"$SOAK/memory.enable"
step "memory: no growth over the second half of the enable/disable cycles" \
	memory_settled "$SOAK/memory.enable.half" 1 "$SOAK/memory.enable.end"

step "enable for the cells" bulkhead enable "$SYSTEM"
step "pool without cells" pool_save "$SOAK/pool.cells"
step "warm-up: a cell cycle" cell_cycle 0
step "memory after the first cell cycle" memory_save "$SOAK/memory.cells"
step "$SOAK_CELL_CYCLES create/load/start/destroy cycles" cycles cells "$SOAK_CELL_CYCLES" cell_cycle \
	"$SOAK/memory.cells"

step "random hypercalls at CPL 0 on CPU 1, no cell" hcfuzz 1 $((SOAK_HYPERCALLS / 2))
step "nothing changed: no cell, the pool, CPU 1" cells_back
step "tiny-demo running for the hypercalls beside it" tiny_demo_up
step "tiny-demo's last tick noted" note_tick
step "random hypercalls at CPL 0 on CPU 0 beside tiny-demo" hcfuzz 0 \
	$((SOAK_HYPERCALLS - SOAK_HYPERCALLS / 2))
step "random hypercalls at CPL 3: each refused" user_hypercalls "$SOAK_USER_HYPERCALLS"
step "files for the garbage" garbage_files
step_fails "a string's address that is no address refuses the whole load" \
	"^bulkhead: 'nonsense' is not an address; write it like 0x1000\$" \
	bulkhead cell load tiny-demo "$TINY_IMAGE" -s hv-console -a nonsense
step "tiny-demo still running after the refused load" \
	sh -c 'grep -qx running /sys/devices/bulkhead/cells/1/state'
step "$SOAK_CLI_CALLS garbage CLI invocations beside tiny-demo" cli_garbage "$SOAK_CLI_CALLS"
step "tiny-demo still running and ticked since" tiny_demo_ticks
step "destroy tiny-demo" bulkhead cell destroy tiny-demo
step "after everything: no cell, the pool, cpus_entered, CPU 1" cells_back
step "pool at the end" pool_save "$SOAK/pool.end"
step "remove the files for the garbage" garbage_files_gone
step "memory: no growth over the second half of the cell cycles, hypercalls and CLI" \
	memory_settled "$SOAK/memory.cells.half" 1
step "memory back within twice the tolerances since the first cell cycle" \
	memory_settled "$SOAK/memory.cells" 2
step "disable" bulkhead disable
step "disabled: pool, cpus_entered, CPU 1" disabled_state
step "memory back within four times the tolerances since the first enable/disable cycle" \
	memory_settled "$SOAK/memory.enable" 4
step "the busy loop ran throughout" busy_running
step "stop the busy loop" busy_stop
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
# shellcheck disable=SC2034 # read by step in lib.sh
VM_SHOW_OUTPUT=1
step "figures" figures
