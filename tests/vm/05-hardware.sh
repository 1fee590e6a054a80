# SPDX-License-Identifier: GPL-2.0
# The emulated CPU has every VMX feature Bulkhead needs, and enable refuses
# a CPU whose firmware locked VMX off (through the driver's test hook).

hardware_check_passes() {
	bulkhead hardware check | tee /tmp/hardware.out || return 1
	! grep -q missing /tmp/hardware.out && grep -q 'requirements met$' /tmp/hardware.out
}

step "load the msr module" insmod /lib/modules/msr.ko
step "bulkhead hardware check: all ok" hardware_check_passes
step "load the driver pretending VMX is locked off" \
	insmod /lib/modules/bulkhead.ko test_vmx_locked_off=1
step_fails "enable refuses VMX locked off" \
	'CPU 0: VMX is disabled and locked by the firmware; enable VT-x .* in the firmware setup' \
	bulkhead enable /etc/bulkhead/bochs-system.cell
step "nothing enabled" grep -qx 0 /sys/devices/bulkhead/enabled
step "memory not claimed" sh -c '! grep -q "Bulkhead hypervisor" /proc/iomem'
step "unload the driver" rmmod bulkhead
dmesg_clean
