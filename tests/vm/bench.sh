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
# pollution, and the cell's exits meanwhile.  In Bochs the TSC
# counts emulated instructions: compare runs with each other, not with
# hardware.

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
step "latency in a cell, root idle" $LATENCY_RUN --json /tmp/latency-idle.json
step "latency in a cell, root loaded (shell loop and ipi-load on CPU 0)" \
	$LATENCY_RUN --load 'ipi-load 600 & while :; do :; done' --json /tmp/latency-loaded.json
# For ci/vm-bare --compare (make bench), which boots the same binary bare.
host_capture latency-idle.json /tmp/latency-idle.json
host_capture latency-loaded.json /tmp/latency-loaded.json
step "latency in a cell, 64 KiB of cache pollution between samples, root loaded" \
	$LATENCY_RUN --pollute-kib 64 --load 'ipi-load 600 & while :; do :; done'
step "longest hypercall and hold per CPU, in us" \
	sh -c "bulkhead stats | sed -n '/^Longest hypercall/,/^\$/p'"
step "bulkhead disable" bulkhead disable
step "enable and disable, as timed by the driver" \
	sh -c "dmesg | grep -oE 'bulkhead: (enabled|disabled) in [0-9]+ us'"
step "cell create and destroy, as timed by the driver" \
	sh -c "dmesg | grep -oE 'bulkhead: cell 1 \"tiny-demo\" (created|destroyed) in [0-9]+ us'"
step "rmmod bulkhead" rmmod bulkhead
