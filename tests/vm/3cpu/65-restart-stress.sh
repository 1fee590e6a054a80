# SPDX-License-Identifier: GPL-2.0
# Runs in a 3-CPU machine: restart-stress (inmates/tests/x86) on CPUs 1 and
# 2, whose CPUs restart each other with INIT and startup IPIs without end,
# is created, started and destroyed RUNS times in a row.  Each time both
# CPUs must come back to Linux and nothing of the inmate may run on: its
# counters (in the last page of its RAM, which Linux can read once the cell
# is gone) stay as they are.  Every other run the inmate leaves the shutdown
# request unanswered, so destroy stops it after the config's timeout.

SYSTEM=/etc/bulkhead/bochs-system-3cpu.cell
STRESS=/etc/bulkhead/restart-stress.cell
STRESS_IMAGE=/usr/share/bulkhead/inmates/restart-stress.bin
RUNS=20
# configs/x86/restart-stress.dts: RAM at 0x1cc00000; restart-stress.h:
# counters in its page 0xff000 (C loop rounds of both CPUs, stub starts).
COUNTERS=$((0x1cc00000 + 0xff000))

counters() {
	echo "$(devmem $COUNTERS 32) $(devmem $((COUNTERS + 4)) 32) $(devmem $((COUNTERS + 8)) 32)"
}

# After destroy: the counters are not all zero (the inmate ran) and do not
# move over 0.3 s of guest time.  The interval is the measurement.
nothing_runs() {
	local before after
	before=$(counters)
	# shellcheck disable=SC3045 # busybox ash has read -t
	read -r -t 0.3 _ <>"$VM_STATE/tick"
	after=$(counters)
	echo "counters (boot CPU rounds, other CPU rounds, stub starts): $before, then $after"
	[ "$before" != "0x00000000 0x00000000 0x00000000" ] && [ "$before" = "$after" ]
}

cpus_back() {
	cpus_back_with_linux 0-2 1 2 && [ -z "$(ls /sys/devices/bulkhead/cells)" ]
}

# One run, every part of it said as it goes, so a failure shows where.
one_run() {
	local run=$1 policy=
	[ $((run % 2)) = 0 ] && policy=no-reply
	echo "run $run: create" && bulkhead cell create "$STRESS" &&
		echo "run $run: load (${policy:-approves shutdown})" &&
		bulkhead cell load restart-stress "$STRESS_IMAGE" -s "hv-console run=$run $policy" \
			-a 0x1000 &&
		echo "run $run: start" && bulkhead cell start restart-stress &&
		echo "run $run: wait until both CPUs restart each other" &&
		vm_poll 100 hv_console_has "restart-stress: run $run: CPUs" &&
		echo "run $run: destroy" && bulkhead cell destroy restart-stress &&
		echo "run $run: CPUs 1 and 2 back with Linux?" && cpus_back &&
		echo "run $run: nothing runs?" && nothing_runs
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable with the 3-CPU system config" bulkhead enable "$SYSTEM"
run=1
while [ "$run" -le "$RUNS" ]; do
	# A run that failed leaves the machine in a state the next cannot use.
	step "run $run of $RUNS: create, start, CPUs restart each other, destroy, all back" \
		one_run "$run" || break
	run=$((run + 1))
done
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
