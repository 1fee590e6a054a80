# SPDX-License-Identifier: GPL-2.0
# Enable runs the hypervisor image on every CPU and comes back; bad input is
# refused with one line and changes nothing; disable and rmmod release all.

SYSTEM=/etc/bulkhead/bochs-system.cell
FIXTURES=/etc/bulkhead/fixtures
FIRMWARE=/lib/firmware/bulkhead-intel.bin

# Nothing of a refused request may remain: not enabled, memory not claimed.
unchanged() {
	sysfs_is enabled 0 && ! memory_claimed
}

every_cpu_reported() {
	local cpu
	for cpu in 0 1; do
		dmesg | grep -q "bulkhead: CPU $cpu (APIC ID [0-9]*) now runs Linux as the root cell's guest" || {
			echo "no report from CPU $cpu"
			return 1
		}
	done
}

enable_reports_every_cpu() {
	bulkhead enable "$SYSTEM" | tee /tmp/enable.out
	grep -q '^Bulkhead enabled: Linux runs as the root cell on CPUs 0-1$' /tmp/enable.out
}

# Linux keeps working on every CPU after it came back from the hypervisor.
work_on_every_cpu() {
	local cpu
	for cpu in 0 1; do
		taskset -c "$cpu" sh -c 'i=0; while [ $i -lt 2000 ]; do i=$((i + 1)); done' ||
			return 1
	done
	cat /proc/interrupts /proc/meminfo >/dev/null
}

without_firmware() {
	mv "$FIRMWARE" "$FIRMWARE.away"
	bulkhead enable "$SYSTEM"
	local status=$?
	mv "$FIRMWARE.away" "$FIRMWARE"
	return "$status"
}

with_firmware() {
	cp "$FIRMWARE" /tmp/image.good
	cp "$1" "$FIRMWARE"
	bulkhead enable "$SYSTEM"
	local status=$?
	cp /tmp/image.good "$FIRMWARE"
	return "$status"
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "not enabled after load" sysfs_is enabled 0

# Bad input: one line naming the problem, non-zero exit, nothing changed.
step_fails "missing config file" "cannot read '/nonexistent.cell': No such file" \
	bulkhead enable /nonexistent.cell
step_fails "truncated config" "truncated" bulkhead enable "$FIXTURES/truncated.cell"
step_fails "wrong magic" "not a Bulkhead config \(bad magic\)" \
	bulkhead enable "$FIXTURES/bad-magic.cell"
step_fails "wrong revision" "revision" bulkhead enable "$FIXTURES/bad-revision.cell"
step_fails "bad checksum" "checksum mismatch" bulkhead enable "$FIXTURES/bad-checksum.cell"
step_fails "hypervisor memory not reserved" \
	'is not reserved; add memmap=0x600000\$0x40000000 to the kernel command line' \
	bulkhead enable "$FIXTURES/not-reserved.cell"
step_fails "hypervisor memory in kernel RAM" \
	'overlaps kernel RAM; reserve it with memmap=0x600000\$0x1000000' \
	bulkhead enable "$FIXTURES/kernel-ram.cell"
step_fails "online CPU left out of the config" \
	"CPU 1 is online but not in the system config's root cell; add it to cpus" \
	bulkhead enable "$FIXTURES/cpu1-missing.cell"
step_fails "config names a CPU the machine lacks" \
	"names CPU 5, which this machine does not have; remove it from cpus" \
	bulkhead enable "$FIXTURES/cpu5-extra.cell"
step_fails "image missing from /lib/firmware" \
	'bulkhead-intel.bin not found in /lib/firmware' without_firmware
step "truncated image prepared" dd if="$FIRMWARE" of=/tmp/image.short bs=64 count=1
step_fails "truncated image" 'bulkhead-intel.bin is truncated \(64 bytes\); reinstall it' \
	with_firmware /tmp/image.short
step_fails "not an image" 'not a Bulkhead hypervisor image' with_firmware "$SYSTEM"
# A core size just below 2^64: the per-CPU areas' offsets would wrap around.
step "image with an overflowing core size prepared" sh -c \
	"cp $FIRMWARE /tmp/image.huge && printf '\\0\\360\\377\\377\\377\\377\\377\\377' |
	dd of=/tmp/image.huge bs=1 seek=32 conv=notrunc"
step_fails "image sizes that overflow" \
	'too small for /lib/firmware/bulkhead-intel.bin and this system; enlarge' \
	with_firmware /tmp/image.huge
step_fails "missing argument" "usage: bulkhead enable SYSCONFIG.cell" bulkhead enable
step_fails "disable when not enabled" "not enabled" bulkhead disable
step "nothing changed by refused requests" unchanged

# The real thing, repeated.
step "enable: Linux runs as the root cell on every CPU" enable_reports_every_cpu
step "dmesg reports each CPU" every_cpu_reported
step "sysfs: enabled" sysfs_is enabled 1
step "sysfs: CPUs entered" sysfs_is cpus_entered 0-1
step "sysfs: hypervisor memory" sysfs_is hypervisor_memory "0x1c000000 0x600000"
step "hypervisor memory claimed" memory_claimed
step "Linux keeps running on every CPU" work_on_every_cpu
step_fails "enable twice" "already enabled; run 'bulkhead disable' first" \
	bulkhead enable "$SYSTEM"
step "hypervisor log: the root cell lists every IOAPIC pin" \
	sh -c "bulkhead console | grep -q 'IOAPIC at 0xfec00000: version 0x11, 24 pins' &&
		! bulkhead console | grep -q 'writes to the others are dropped'"
step "disable" bulkhead disable
step "disable released everything" unchanged
step "enable with a system config missing IOAPIC pin 23" \
	bulkhead enable "$FIXTURES/fewer-pins.cell"
step "hypervisor log: names the pins Linux cannot program" \
	sh -c "bulkhead console | grep -q 'IOAPIC at 0xfec00000: the root cell lists 23 of its 24 pins (first missing: 23)'"
step "disable after the config missing a pin" bulkhead disable
step "enable again" bulkhead enable "$SYSTEM"
step "disable again" bulkhead disable
step "enable once more" bulkhead enable "$SYSTEM"
# The hypervisor maps the module's trampoline: the module stays while enabled.
# kmod says "Module bulkhead is in use", busybox names EAGAIN.
step_fails "rmmod while enabled" "in use|Resource temporarily unavailable" rmmod bulkhead
step "still enabled after the refused rmmod" sh -c 'grep -qx 1 /sys/devices/bulkhead/enabled'
step "disable, then rmmod" sh -c 'bulkhead disable && rmmod bulkhead'
step "rmmod released the memory" sh -c '! grep -q "Bulkhead hypervisor" /proc/iomem'
step "insmod after rmmod" insmod /lib/modules/bulkhead.ko
step "enable after reload" bulkhead enable "$SYSTEM"
step "disable and rmmod after reload" sh -c 'bulkhead disable && rmmod bulkhead' 
dmesg_clean
