# SPDX-License-Identifier: GPL-2.0
# make bench (ci/vm-run --bench): figures, not assertions.  The round trip
# of a CPUID exit and of a hypercall from the root cell (from user space, so
# the hypervisor refuses it with -EPERM after the full exit, dispatch and
# privilege check), median and max TSC cycles, on each CPU; and how long
# enable and disable took, as the driver measured them; how long cell
# create and destroy took, and the intervals tiny-demo measures between
# ticks of its APIC timer (10 ms asked for); the longest hypercall and
# hold per CPU (bulkhead stats); the latency of the latency inmate's timer
# interrupts in a cell, idle, with the root cell loaded, and with cache
# pollution, with per exit reason the exits and longest handling of the
# cell's and the root's CPUs and the longest hold of a root CPU; beside
# each run, Linux's own cyclictest (Debian's rt-tests) on root CPU 0,
# measuring the same way from a SCHED_FIFO thread.  In Bochs the TSC
# counts emulated instructions: compare runs with each other, not with
# hardware.
# vm-run: program cyclictest

# shellcheck disable=SC2034 # read by step in lib.sh
VM_SHOW_OUTPUT=1
# The latency reports are longer than the usual tail.
VM_TAIL_LINES=40
ITERATIONS=20000

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "bare machine, CPU 0 (no hypervisor: CPUID does not exit, VMCALL is not run)" \
	sh -c 'taskset -c 0 probe bench-cpuid '"$ITERATIONS"
step "bulkhead enable" bulkhead enable /etc/bulkhead/bochs-system.cell
step "exit round trips on CPU 0" taskset -c 0 probe bench "$ITERATIONS"
step "exit round trips on CPU 1" taskset -c 1 probe bench "$ITERATIONS"
step "exit statistics after the runs" bulkhead stats
# The tick intervals tiny-demo printed: count, min, median and max in us.
tick_figures() {
	bulkhead console | sed -n 's/.*tiny-demo: tick [0-9]*, \([0-9]*\) us since the last/\1/p' |
		sort -n >/tmp/ticks
	set -- $(wc -l </tmp/ticks) $(head -n 1 /tmp/ticks) \
		$(sed -n "$(( ($(wc -l </tmp/ticks) + 1) / 2 ))p" /tmp/ticks) $(tail -n 1 /tmp/ticks)
	echo "$1 ticks: min $2 us, median $3 us, max $4 us"
	[ "$1" -gt 0 ]
}

step "cell create tiny-demo" bulkhead cell create /etc/bulkhead/tiny-demo.cell
step "cell load tiny-demo, timer mode, a tick every 10 ms" \
	bulkhead cell load tiny-demo /usr/share/bulkhead/inmates/tiny-demo.bin \
	-s "timer tick-ms=10 hv-console" -a 0x1000
step "cell start tiny-demo" bulkhead cell start tiny-demo
wait_for "100 ticks" 300 hv_console_has "tiny-demo: tick 100,"
step "tiny-demo's tick intervals" tick_figures
step "cell destroy tiny-demo" bulkhead cell destroy tiny-demo
# The latency inmate in a cell on CPU 1 (bulkhead latency): how late its
# TSC-deadline timer interrupts come, idle and with Linux busy on CPU 0, and
# the cell's VM exits meanwhile.
LATENCY_RUN="bulkhead latency /etc/bulkhead/latency.cell /usr/share/bulkhead/inmates/latency.bin \
	--samples 10000 --period-us 500 --bucket-ns 100"
LOAD='ipi-load 600 & while :; do :; done &'
# cyclictest on CPU 0 at the same period, SCHED_FIFO 99, memory locked: 8,000
# loops (4 s), so that it ends, and prints its summary, before the load is
# stopped with the cell's 10,000 samples (5 s).
CYCLICTEST="cyclictest -q -m -a 0 -p 99 -i 500 -l 8000"
cyclictest_figures() {
	echo "cyclictest on CPU 0 beside the cell (us):"
	grep -E '^T: ?0 ' "$1" || { echo "no summary in $1:"; cat "$1"; return 1; }
}
step "latency in a cell, root idle but for cyclictest" \
	$LATENCY_RUN --load "$CYCLICTEST >/tmp/cyclictest-idle.txt 2>&1" --json /tmp/latency-idle.json
step "cyclictest on root CPU 0 in the same run, root idle" cyclictest_figures /tmp/cyclictest-idle.txt
step "latency in a cell, root loaded (shell loop and ipi-load on CPU 0)" \
	$LATENCY_RUN --load "$LOAD $CYCLICTEST >/tmp/cyclictest-loaded.txt 2>&1" \
	--json /tmp/latency-loaded.json
step "cyclictest on root CPU 0 in the same run, root loaded" \
	cyclictest_figures /tmp/cyclictest-loaded.txt
step "latency in a cell, 64 KiB of cache pollution between samples, root loaded" \
	$LATENCY_RUN --pollute-kib 64 --load "$LOAD $CYCLICTEST >/tmp/cyclictest-polluted.txt 2>&1" \
	--json /tmp/latency-polluted.json
step "cyclictest on root CPU 0 in the same run, root loaded, cell polluting" \
	cyclictest_figures /tmp/cyclictest-polluted.txt
# For ci/vm-bare --compare (make bench), which boots the same binary bare.
host_capture latency-idle.json /tmp/latency-idle.json
host_capture latency-loaded.json /tmp/latency-loaded.json
host_capture latency-polluted.json /tmp/latency-polluted.json
step "longest hypercall and hold per CPU, in us" \
	sh -c "bulkhead stats | sed -n '/^Longest hypercall/,/^\$/p'"
step "bulkhead disable" bulkhead disable
step "enable and disable, as timed by the driver" \
	sh -c "dmesg | grep -oE 'bulkhead: (enabled|disabled) in [0-9]+ us'"
step "cell create and destroy, as timed by the driver" \
	sh -c "dmesg | grep -oE 'bulkhead: cell 1 \"tiny-demo\" (created|destroyed) in [0-9]+ us'"
step "rmmod bulkhead" rmmod bulkhead
