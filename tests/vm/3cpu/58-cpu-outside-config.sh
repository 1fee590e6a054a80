# SPDX-License-Identifier: GPL-2.0
# Runs in a 3-CPU machine: Bulkhead enabled with the 2-CPU system config
# (CPUs 0 and 1) while CPU 2 is offline.  The hypervisor does not run CPU 2,
# so Linux may not bring it up while enabled: the driver's prepare callback
# refuses, with a line in the kernel log, before the CPU starts.

SYSTEM_2CPU=/etc/bulkhead/bochs-system.cell
CPU2=/sys/devices/system/cpu/cpu2/online

online_refused() {
	! echo 1 >"$CPU2" 2>/dev/null && grep -qx 0 "$CPU2" &&
		vm_dmesg_new | grep -q 'bulkhead: CPU 2 is not in the system config, so it would run outside the hypervisor'
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "CPU 2 offline" sh -c "echo 0 >$CPU2"
step "enable with the 2-CPU system config" bulkhead enable "$SYSTEM_2CPU"
step "onlining CPU 2, which the config lacks, is refused" online_refused
step "Linux keeps working on CPUs 0 and 1" sh -c '[ "$(cat /sys/devices/system/cpu/online)" = 0-1 ] && grep -qx 1 /sys/devices/bulkhead/enabled'
step "disable" bulkhead disable
step "CPU 2 comes online on the bare machine" sh -c "echo 1 >$CPU2 && grep -qx 1 $CPU2"
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
