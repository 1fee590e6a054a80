# SPDX-License-Identifier: GPL-2.0
# A failed enable hands back exactly the CPUs that entered and releases the
# hypervisor memory; a CPU that cannot leave keeps the memory claimed, the
# module pinned and enable refused until a disable hands it back.  The
# driver's test-only parameters test_enter_fail_cpu and test_leave_refuse_cpu
# bring the failures about.

SYSTEM=/etc/bulkhead/bochs-system.cell
PARAMETERS=/sys/module/bulkhead/parameters

# Linux runs a task on each CPU, and CPUID shows VMX again: no CPU is a guest.
cpus_bare() {
	local cpu
	for cpu in 0 1; do
		[ "$(taskset -c "$cpu" probe cpuid-vmx)" = vmx ] || {
			echo "CPU $cpu: no task ran there, or CPUID still hides VMX"
			return 1
		}
	done
}

# The suspend refusal is one line in the kernel log.
suspend_refused() {
	! echo mem >/sys/power/state 2>/dev/null &&
		vm_dmesg_new | grep -q "bulkhead: suspend refused while CPUs stayed in the hypervisor after a failed enable; run 'bulkhead disable' first"
}

released() {
	sysfs_is state disabled && sysfs_is cpus_entered "" && ! memory_claimed && cpus_bare
}

# The CR4 the hypervisor runs with: VMXE and PAE on; PGE off (the trampoline
# clears it); CET, PKS and LASS off whatever Linux runs with.
host_cr4_sound() {
	local cr4
	cr4=$(cat /sys/devices/bulkhead/host_cr4) || return 1
	echo "host CR4: $cr4"
	[ $((cr4 & (1 << 13))) -ne 0 ] && [ $((cr4 & (1 << 5))) -ne 0 ] &&
		[ $((cr4 & (1 << 7))) -eq 0 ] &&
		[ $((cr4 & ((1 << 23) | (1 << 24) | (1 << 27)))) -eq 0 ]
}

set_parameter() {
	echo "$2" >"$PARAMETERS/$1"
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "state disabled after load" sysfs_is state disabled

# CPU 1 fails while CPU 0 entered: CPU 0 leaves again, nothing stays.
step "make CPU 1 fail its entry" set_parameter test_enter_fail_cpu 1
step_fails "enable with CPU 1 failing" \
	"CPU 1 could not run Linux as a guest: made to fail by test_enter_fail_cpu" \
	bulkhead enable "$SYSTEM"
step "the unwind handed CPU 0 back and released the memory" released
step "CPU 1 works again" set_parameter test_enter_fail_cpu -1
step "enable after the unwind" bulkhead enable "$SYSTEM"
step "enabled" sysfs_is state enabled
# An NMI between the trampoline's CR3 switch and the hypervisor's IDT finds
# tables mapped in both address spaces (the hypervisor looks at entry).
step "every CPU entered with tables mapped on both sides" \
	sh -c '! dmesg | grep "entered with an IDT or GDT the hypervisor does not map"'
step "the hypervisor runs with VMXE on and CET, PKS, LASS, PGE off" host_cr4_sound
step "disable after the unwind" bulkhead disable
step "disable released everything" released

# CPU 1 fails and CPU 0 cannot leave: CPU 0 still runs on hypervisor memory.
step "make CPU 1 fail again" set_parameter test_enter_fail_cpu 1
step "make CPU 0 refuse to leave" set_parameter test_leave_refuse_cpu 0
step_fails "enable failing with a CPU that cannot leave" \
	"enable failed and CPUs 0 could not leave the hypervisor \(error -16\); run 'bulkhead disable' to retry, else reboot" \
	bulkhead enable "$SYSTEM"
step "sysfs: state stranded" sysfs_is state stranded
step "sysfs: CPU 0 still entered" sysfs_is cpus_entered 0
step "the hypervisor memory stays claimed" memory_claimed
step "CPU 1 works again" set_parameter test_enter_fail_cpu -1
step_fails "enable while stranded" \
	"a failed enable left CPUs 0 in the hypervisor; run 'bulkhead disable' to hand them back, else reboot" \
	bulkhead enable "$SYSTEM"
step_fails "rmmod while stranded" "in use|Resource temporarily unavailable" rmmod bulkhead
step "suspend refused while stranded" suspend_refused
# The refused suspend made the firmware loader cache every image for 10 s
# (it uncaches them after PM_POST_SUSPEND with that delay); later scenarios
# take the image away from /lib/firmware and must not find a cached copy.
step "the firmware cache is dropped again" sleep 11
step_fails "disable while CPU 0 still refuses" \
	"CPUs 0 still cannot leave the hypervisor \(error -16\); reboot" bulkhead disable
step "sysfs: still stranded" sysfs_is state stranded
step "CPU 0 may leave" set_parameter test_leave_refuse_cpu -1
step "disable hands CPU 0 back" bulkhead disable
step "disable released everything" released
step "enable after the stranded CPU came back" bulkhead enable "$SYSTEM"
step "disable, then rmmod" sh -c 'bulkhead disable && rmmod bulkhead'
step "rmmod released the memory" sh -c '! grep -q "Bulkhead hypervisor" /proc/iomem'
dmesg_clean
