# SPDX-License-Identifier: GPL-2.0
# The demo (make demo, ci/vm-run --demo): load the driver, enable the
# hypervisor with the test machine's system config, look around, disable it
# and unload the driver, showing each command and what it printed.

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
step "bulkhead disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
show 'dmesg | grep bulkhead | tail -n 5'
