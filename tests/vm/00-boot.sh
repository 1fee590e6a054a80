# SPDX-License-Identifier: GPL-2.0
# The test machine itself: CPUs, the memory reservation, the installed files,
# and that the driver loads and unloads cleanly.

cpus_online() {
	local online
	online=$(cat /sys/devices/system/cpu/online)
	echo "online CPUs: $online"
	[ "$online" = 0-1 ]
}

# memmap=64M$0x1c000000 (ci/vm-run) turns RAM up to the BIOS's ACPI tables,
# which fill the last 64 KiB, into reserved memory.
memory_reserved() {
	grep -E '^1[cdef]' /proc/iomem
	grep -q '^1c000000-1ffeffff : Reserved$' /proc/iomem &&
		grep -q '^1fff0000-1fffffff : ACPI Tables$' /proc/iomem
}

step "2 CPUs online" cpus_online
step "CPUs offer VMX" grep -qw vmx /proc/cpuinfo
step "memory reserved at 1c000000-1ffeffff, ACPI tables above" memory_reserved
step "system config installed" test -s /etc/bulkhead/bochs-system.cell
step "hypervisor image installed" test -s /lib/firmware/bulkhead-intel.bin
step "bulkhead tool installed" test -x /usr/sbin/bulkhead
step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "/dev/bulkhead exists" test -c /dev/bulkhead
step "/sys/devices/bulkhead exists" test -d /sys/devices/bulkhead
step "rmmod bulkhead" rmmod bulkhead
step "/dev/bulkhead gone after rmmod" test ! -e /dev/bulkhead
dmesg_clean
