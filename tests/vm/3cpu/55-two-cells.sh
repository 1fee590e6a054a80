# SPDX-License-Identifier: GPL-2.0
# Runs in a 3-CPU machine: two cells side by side.  tiny-demo takes CPU 1
# and COM2 and waits in HLT for its APIC timer between ticks, printing only
# to COM2, so its CPU takes no VM exits while it ticks.  Cells that want
# what tiny-demo holds (its CPU, its memory, its ports) are refused and
# change nothing; "second" (tests/vm/make-fixtures) fits on CPU 2 and runs
# beside it.  Both go and CPUs 1 and 2 come back to Linux.

SYSTEM=/etc/bulkhead/bochs-system-3cpu.cell
TINY=/etc/bulkhead/tiny-demo.cell
TINY_IMAGE=/usr/share/bulkhead/inmates/tiny-demo.bin
FIXTURES=/etc/bulkhead/fixtures
CELLS=/sys/devices/bulkhead/cells

pool() {
	cat /sys/devices/bulkhead/memory_pool
}

# What a refused create must leave alone: the cells, the CPUs Linux has, the pool.
snapshot() {
	bulkhead cell list && cat /sys/devices/system/cpu/online && pool
}

remember() {
	snapshot >/tmp/two-cells.before
}

unchanged() {
	snapshot >/tmp/two-cells.now && diff /tmp/two-cells.before /tmp/two-cells.now
}

create_refused() {
	local fixture=$1 regex=$2
	step_fails "refused: $fixture" "$regex" bulkhead cell create "$FIXTURES/$fixture"
	step "nothing changed by $fixture" unchanged
}

# The exits of CPU 1 (tiny-demo's only CPU) as its cell's statistics file shows them.
cpu1_exits() {
	sed -n 's/^1 [0-9]* \([^ ]*\) \([0-9]*\) .*/\1 \2/p' "$CELLS/1/statistics"
}

# tiny-demo ticks for half a second of guest time (10 ticks) with its
# CPU's exit counts unchanged.  The interval is the measurement here, so
# this waits a fixed time, idling as vm_poll does.
steady_state() {
	cpu1_exits >/tmp/exits.before
	# shellcheck disable=SC3045 # busybox ash has read -t
	read -r -t 0.5 _ <>"$VM_STATE/tick"
	cpu1_exits >/tmp/exits.after
	cat /tmp/exits.before
	# CPU 1 took exits while it ran Linux and while it was taken: never empty.
	[ -s /tmp/exits.before ] && [ "$(cat "$CELLS/1/state")" = running ] &&
		diff /tmp/exits.before /tmp/exits.after
}

both_listed() {
	bulkhead cell list | tee /tmp/cells.out
	grep -qE '^1 +tiny-demo +running +1 +-$' /tmp/cells.out &&
		grep -qE '^2 +second +running +2 +-$' /tmp/cells.out
}

cpus_back() {
	cpus_back_with_linux 0-2 1 2 && [ -z "$(ls "$CELLS")" ]
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable with the 3-CPU system config" bulkhead enable "$SYSTEM"
step "pool before any cell" pool_save /tmp/pool.start

step "cell create tiny-demo (CPU 1, COM2)" bulkhead cell create "$TINY"
step "cell load tiny-demo in timer mode" \
	bulkhead cell load tiny-demo "$TINY_IMAGE" -s "timer tick-ms=50" -a 0x1000
step "cell start tiny-demo" bulkhead cell start tiny-demo
wait_for "tiny-demo runs" 50 sh -c "[ \"\$(cat $CELLS/1/state)\" = running ]"
step "tiny-demo's CPU takes no VM exits while it ticks" steady_state
host_expects "COM2: tiny-demo waits in HLT for its APIC timer" serial2.log \
	'tiny-demo: waiting in HLT for the (TSC-deadline|one-shot APIC) timer'
host_expects "COM2: tiny-demo ticks" serial2.log 'tiny-demo: tick 10\b'
host_expects "COM2: the comm region's APIC timer rate is the one tiny-demo measures" serial2.log \
	'tiny-demo: APIC timer [0-9]+ kHz, the comm region says [1-9][0-9]* kHz \(agree within 2%\)'

step "record the state" remember
create_refused second-cpu1.cell \
	'^bulkhead: CPU 1 belongs to cell "tiny-demo"; give each cell its own CPUs, or destroy that cell first$'
create_refused second-memory.cell \
	'^bulkhead: the hypervisor refused the cell: memory 0x1c600000-0x1c6fffff belongs to cell "tiny-demo"; give each cell its own memory, or mark both regions root-shared; run .bulkhead-config check. on it$'
create_refused second-ports.cell \
	'^bulkhead: the hypervisor refused the cell: ports 0x2f8-0x2ff belong to cell "tiny-demo"; give each cell its own ports; run .bulkhead-config check. on it$'

step "cell create second (CPU 2)" bulkhead cell create "$FIXTURES/second.cell"
step "cell load second" bulkhead cell load second "$TINY_IMAGE" -s "hv-console" -a 0x1000
step "cell start second" bulkhead cell start second
wait_for "second says hello through the hypervisor's console" 100 \
	hv_console_has "tiny-demo: hello from CPU 2"
step "cell list shows both running" both_listed
step "only Linux is left on CPU 0" sh -c '[ "$(cat /sys/devices/system/cpu/online)" = 0 ]'

step "cell shutdown second" bulkhead cell shutdown second
step "cell destroy second" bulkhead cell destroy second
step "tiny-demo runs on" sh -c "[ \"\$(cat $CELLS/1/state)\" = running ]"
step "cell destroy tiny-demo while it runs" bulkhead cell destroy tiny-demo
step "CPUs 1 and 2 are back with Linux and work" cpus_back
step "pool back at its start value" pool_is /tmp/pool.start
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
