# SPDX-License-Identifier: GPL-2.0
# The demo (make demo, ci/vm-run --demo): load the driver, enable the
# hypervisor with the test machine's system config, look around (Linux at
# work as a guest, CPU hotplug, VMX hidden, a refused user-space hypercall,
# a port owned by the hypervisor, exit statistics), run tiny-demo in a cell
# on CPU 1 and shut it down, read the hypervisor's log, disable it and
# unload the driver, showing each command and its output.

# shellcheck disable=SC2034 # read by step in lib.sh
VM_SHOW_OUTPUT=1

# Shows a command line and its output, like a shell session; never fails.
show() {
	echo "\$ $1"
	sh -c "$1" 2>&1
	echo
}

step "insmod /lib/modules/bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "bulkhead enable /etc/bulkhead/bochs-system.cell" \
	bulkhead enable /etc/bulkhead/bochs-system.cell
show 'dmesg | grep bulkhead'
show 'grep -H . /sys/devices/bulkhead/* 2>/dev/null'
show 'taskset -c 1 sh -c "i=0; while [ \$i -lt 2000 ]; do i=\$((i + 1)); done"; echo "work on CPU 1 done"'
show 'echo 0 > /sys/devices/system/cpu/cpu1/online; cat /sys/devices/bulkhead/cpus_entered'
show 'echo 1 > /sys/devices/system/cpu/cpu1/online; cat /sys/devices/bulkhead/cpus_entered'
show 'probe cpuid-vmx; probe hypercall; probe inb 0x3ed'
show 'bulkhead stats'
step "bulkhead cell create /etc/bulkhead/tiny-demo.cell" \
	bulkhead cell create /etc/bulkhead/tiny-demo.cell
step "bulkhead cell load tiny-demo tiny-demo.bin -s hv-console -a 0x1000" \
	bulkhead cell load tiny-demo /usr/share/bulkhead/inmates/tiny-demo.bin -s hv-console -a 0x1000
step "bulkhead cell start tiny-demo" bulkhead cell start tiny-demo
wait_for "tiny-demo ticks" 100 hv_console_has "tiny-demo: tick 3"
show 'bulkhead cell list; cat /sys/devices/system/cpu/online'
show 'bulkhead cell stats tiny-demo'
step "bulkhead cell shutdown tiny-demo" bulkhead cell shutdown tiny-demo
step "bulkhead cell destroy tiny-demo" bulkhead cell destroy tiny-demo
show 'bulkhead cell list; cat /sys/devices/system/cpu/online'
show 'bulkhead console'
step "bulkhead disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
show 'dmesg | grep bulkhead | tail -n 5'
