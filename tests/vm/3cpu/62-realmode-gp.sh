# SPDX-License-Identifier: GPL-2.0
# Runs in a 3-CPU machine: the realmode-gp inmate (inmates/tests/x86) stays
# in real mode on CPU 2 and reads an MSR the hypervisor refuses.  The #GP
# must reach it through its real-mode IVT, without an error code (none can
# be delivered in real mode), so it prints its line on COM2 and halts; the
# cell must not fail, and destroy and disable must still work.

SYSTEM=/etc/bulkhead/bochs-system-3cpu.cell
REALMODE=/etc/bulkhead/realmode-gp.cell
REALMODE_IMAGE=/usr/share/bulkhead/inmates/realmode-gp.bin
# Guest seconds, in tries of 0.1 s, the cell must stay running after the #GP.
STAYS_RUNNING_TRIES=20

# Cell $1 runs and none of its CPUs failed (cell list: ID NAME STATE CPUS FAILED).
cell_healthy() {
	bulkhead cell list | awk -v name="$1" '$2 == name && $3 == "running" && $5 == "-" { ok = 1 }
		END { exit !ok }'
}

# RDMSR exits of CPU 2 so far (sysfs statistics: CPU REASON NAME COUNT ...).
cpu2_rdmsr_exits() {
	awk '$1 == 2 && $3 == "rdmsr" { print $4; found = 1 } END { if (!found) print 0 }' \
		/sys/devices/bulkhead/statistics
}

save_rdmsr_exits() {
	cpu2_rdmsr_exits | tee /tmp/realmode-gp.rdmsr
}

rdmsr_exited() {
	[ "$(cpu2_rdmsr_exits)" -gt "$(cat /tmp/realmode-gp.rdmsr)" ]
}

# The cell stays running, with no failed CPU, after its RDMSR exited: watched for a while, as a
# failed VM entry after the injection may take a moment to show.  The
# interval is the measurement, so this waits a fixed time, idling.
stays_running() {
	local i=0
	while [ "$i" -lt "$STAYS_RUNNING_TRIES" ]; do
		cell_healthy realmode-gp || { bulkhead cell list; cat /sys/devices/bulkhead/cpu_states; return 1; }
		i=$((i + 1))
		# shellcheck disable=SC3045 # busybox ash has read -t
		read -r -t "$VM_POLL_INTERVAL" _ <>"$VM_STATE/tick"
	done
	bulkhead cell list
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable with the 3-CPU system config" bulkhead enable "$SYSTEM"
step "cell create realmode-gp (CPU 2)" bulkhead cell create "$REALMODE"
step "cell load realmode-gp" bulkhead cell load realmode-gp "$REALMODE_IMAGE"
step "count CPU 2's RDMSR exits before the start" save_rdmsr_exits
step "cell start realmode-gp" bulkhead cell start realmode-gp
wait_for "the inmate's RDMSR reached the hypervisor" 100 rdmsr_exited
step "the #GP went in and realmode-gp keeps running" stays_running
host_expects "COM2: realmode-gp took the #GP in real mode" serial2.log \
	'^realmode-gp: #GP handled in real mode$'
step "cell destroy realmode-gp" bulkhead cell destroy realmode-gp
step "CPU 2 is back with Linux and works" cpus_back_with_linux 0-2 2
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
