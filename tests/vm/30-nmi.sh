# SPDX-License-Identifier: GPL-2.0
# NMIs meant for Linux reach it while it runs as the root cell's guest: an
# NMI backtrace request (sysrq l, NMI IPIs to the other CPUs) is answered by
# every CPU, and the hypervisor counts the NMI exits it handed on.

# The NMI made CPU 1's guest exit (exception-nmi), or arrived while CPU 1 was
# in the hypervisor, which then armed the preemption timer to hand it on.
nmi_exits_on_cpu1() {
	cat /sys/devices/bulkhead/statistics
	grep -qE '^1 (0 exception-nmi|52 preemption-timer) [1-9]' /sys/devices/bulkhead/statistics
}

backtrace_from_cpu1() {
	dmesg | grep -q 'NMI backtrace for cpu 1'
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable" bulkhead enable /etc/bulkhead/bochs-system.cell
dmesg_clean "kernel log clean before the backtrace request"
# From CPU 0, so that CPU 1 can only answer through an NMI.
step "ask every CPU for a backtrace from CPU 0 (sysrq l)" \
	taskset -c 0 sh -c 'echo l > /proc/sysrq-trigger'
wait_for "CPU 1 answered the NMI" 50 backtrace_from_cpu1
step "the hypervisor handed the NMI on" nmi_exits_on_cpu1
step "both CPUs still run as guests" \
	sh -c '[ "$(tr "\n" " " </sys/devices/bulkhead/cpu_states)" = "0 running 1 running " ]'
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
# The backtrace put a call trace in the log on purpose: no clean check after it.
