# SPDX-License-Identifier: GPL-2.0
# bulkhead-config in the machine: collect gathers what a system config is made
# from into an archive, which goes to the host as build/vm/captured/machine.tar.gz
# (make vm-test-config makes a config of it and boots with that), and create
# writes the config from the live machine, sent as live-system.dts.
# vm-run: python

ARCHIVE=/tmp/machine.tar.gz
LIVE=/tmp/live-system.dts

msr_loaded() {
	grep -q '^msr ' /proc/modules || insmod /lib/modules/msr.ko
}

archive_complete() {
	tar tzf "$ARCHIVE" >/tmp/archive.list || return
	for member in proc/iomem proc/ioports proc/cpuinfo proc/cmdline \
		proc/sys/kernel/osrelease sys/firmware/acpi/tables/APIC \
		sys/firmware/acpi/tables/FACP sys/firmware/acpi/tables/HPET \
		sys/bus/pci/devices/0000:00:01.3/config kernel-log msr/cpu0 msr/cpu1 \
		collect.json; do
		grep -qx "bulkhead-machine/$member" /tmp/archive.list ||
			{ echo "no $member in the archive"; return 1; }
	done
}

live_create() {
	bulkhead-config create -o "$LIVE" --name bochs-linux >/tmp/create.out 2>&1
	local status=$?
	cat /tmp/create.out
	[ "$status" = 0 ] &&
		grep -qxF 'memmap=64M$0x1c000000 (already on the kernel command line)' /tmp/create.out
}

step "load the msr module" msr_loaded
step "collect" bulkhead-config collect -o "$ARCHIVE"
step "the archive holds the files, tables and MSRs" archive_complete
step "create from the live machine names the reservation it boots with" live_create
step "send the archive to the host" host_capture machine.tar.gz "$ARCHIVE"
step "send the live config to the host" host_capture live-system.dts "$LIVE"
rm -f "$ARCHIVE" "$LIVE"
dmesg_clean
