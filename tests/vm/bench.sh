# SPDX-License-Identifier: GPL-2.0
# make bench (ci/vm-run --bench): figures, not assertions.  The round trip
# of a CPUID exit and of a hypercall from the root cell (from user space, so
# the hypervisor refuses it with -EPERM after the full exit, dispatch and
# privilege check), median and max TSC cycles, on each CPU; and how long
# enable and disable took, as the driver measured them.  In Bochs the TSC
# counts emulated instructions: compare runs with each other, not with
# hardware.

# shellcheck disable=SC2034 # read by step in lib.sh
VM_SHOW_OUTPUT=1
ITERATIONS=20000

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "bare machine, CPU 0 (no hypervisor: CPUID does not exit, VMCALL is not run)" \
	sh -c 'taskset -c 0 probe bench-cpuid '"$ITERATIONS"
step "bulkhead enable" bulkhead enable /etc/bulkhead/bochs-system.cell
step "exit round trips on CPU 0" taskset -c 0 probe bench "$ITERATIONS"
step "exit round trips on CPU 1" taskset -c 1 probe bench "$ITERATIONS"
step "exit statistics after the runs" bulkhead stats
step "bulkhead disable" bulkhead disable
step "enable and disable, as timed by the driver" \
	sh -c "dmesg | grep -oE 'bulkhead: (enabled|disabled) in [0-9]+ us'"
step "rmmod bulkhead" rmmod bulkhead
