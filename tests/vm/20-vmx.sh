# SPDX-License-Identifier: GPL-2.0
# Linux as the root cell's guest: it keeps working (CPU hotplug, work on
# every CPU, /proc and sysfs), sees VMX hidden and COM3 gone, cannot make
# hypercalls from user space; statistics and the console report what
# happened; twenty enable/disable cycles leave nothing behind; bad requests
# are refused with one line and change nothing.

SYSTEM=/etc/bulkhead/bochs-system.cell
CPU1=/sys/devices/system/cpu/cpu1/online

sysfs() {
	cat "/sys/devices/bulkhead/$1"
}

# COM3's line status register, as a Linux program reads it (ioperm, inb).
com3_status() {
	probe inb 0x3ed
}

# A present 8250 reports its transmitter state; 0xff is a missing device.
com3_answers() {
	local status
	status=$(com3_status)
	echo "COM3 line status: $status"
	echo "$status" | grep -qx '[0-9a-f][0-9a-f]' && [ "$status" != ff ]
}

com3_reads_as_missing() {
	local status
	status=$(com3_status)
	echo "COM3 line status: $status"
	[ "$status" = ff ]
}

probe_says() {
	local answer
	answer=$(probe "$1")
	echo "probe $1: $answer"
	[ "$answer" = "$2" ]
}

enable_with_cpu1_offline() {
	echo 0 >"$CPU1" || return 1
	bulkhead enable "$SYSTEM"
	local status=$?
	echo 1 >"$CPU1"
	return "$status"
}

work_on_every_cpu() {
	local cpu
	for cpu in 0 1; do
		taskset -c "$cpu" sh -c 'i=0; while [ $i -lt 3000 ]; do i=$((i + 1)); done' ||
			return 1
	done
	cat /proc/cpuinfo /proc/interrupts /proc/meminfo /proc/stat >/dev/null &&
		ls /sys/devices/system/cpu >/dev/null
}

# An offline CPU leaves the hypervisor; it comes back under it when it is online again.
# Offline, CPU 1 stays under the hypervisor: Linux's offline loop runs there as a guest.
cpu1_offline() {
	echo 0 >"$CPU1" && grep -qx 0 "$CPU1" && ! grep -q '^processor.*: 1$' /proc/cpuinfo &&
		[ "$(sysfs cpus_entered)" = 0-1 ] && [ "$(sysfs cpu_states | tr '\n' ' ')" = "0 running 1 running " ]
}

cpu1_online_and_working() {
	echo 1 >"$CPU1" && grep -qx 1 "$CPU1" && [ "$(sysfs cpus_entered)" = 0-1 ] &&
		taskset -c 1 sh -c 'i=0; while [ $i -lt 1000 ]; do i=$((i + 1)); done'
}

# sysfs mitigations: the return stack filled and no indirect branch always;
# IBPB and VERW as the CPU offers them (CPUID, which /proc/cpuinfo shows).
mitigations_reported() {
	local ibpb=off
	sysfs mitigations | tee /tmp/mitigations
	grep -qw ibpb /proc/cpuinfo && ibpb=on
	grep -qx 'rsb-fill on' /tmp/mitigations && grep -qx 'retpolines on' /tmp/mitigations &&
		grep -qx "ibpb $ibpb" /tmp/mitigations && grep -qxE 'l1d-flush (on|off)' /tmp/mitigations &&
		{ grep -qw md_clear /proc/cpuinfo || grep -qx 'verw off' /tmp/mitigations; }
}

# Suspend and hibernation would sleep with CPUs in VMX non-root operation:
# refused before anything is frozen, with one line in the kernel log.
sleep_refused() {
	local state=$1 what=$2
	! echo "$state" >/sys/power/state 2>/dev/null &&
		vm_dmesg_new | grep -q "bulkhead: $what refused while Bulkhead is enabled; run 'bulkhead disable' first" &&
		grep -qx 1 /sys/devices/bulkhead/enabled
}

both_cpus_running() {
	sysfs cpu_states
	[ "$(sysfs cpu_states | tr '\n' ' ')" = "0 running 1 running " ]
}

stats_show_exits() {
	bulkhead stats | tee /tmp/stats.out || return 1
	grep -q '^ *cpuid ' /tmp/stats.out && grep -q '^ *rdmsr ' /tmp/stats.out &&
		grep -q '^ *io-instruction ' /tmp/stats.out &&
		grep -q 'CPU 0' /tmp/stats.out && grep -q 'CPU 1' /tmp/stats.out
}

stats_json() {
	bulkhead stats --json | tee /tmp/stats.json || return 1
	grep -q '"cpus": *{"0": *{"exits": *{' /tmp/stats.json &&
		grep -q '"cpuid": *{"reason": *10, "count": *[1-9]' /tmp/stats.json &&
		grep -q '"memory_pool": *{"used_pages": *[1-9][0-9]*, "total_pages": *[1-9]' /tmp/stats.json
}

console_has_the_log() {
	bulkhead console | tee /tmp/console.out || return 1
	grep -q '^Bulkhead hypervisor, ABI revision' /tmp/console.out &&
		grep -q "^CPU 0: launching Linux as the root cell's guest" /tmp/console.out &&
		grep -q "^CPU 1: launching Linux as the root cell's guest" /tmp/console.out
}

# CPU 1 was offline at disable: it left VMX bare, for Linux's INIT.
console_has_the_handover() {
	bulkhead console | tee /tmp/console.out || return 1
	grep -q '^CPU 0: handed back to Linux after [0-9]* VM exits' /tmp/console.out &&
		grep -q "^CPU 1: handed back bare for Linux's INIT" /tmp/console.out
}

# VMXON in the root cell exits to the hypervisor, which raises #UD (SIGILL, status 132).
vmxon_raises_ud() {
	probe vmxon
	local status=$?
	echo "probe vmxon: exit status $status"
	[ "$status" -eq 132 ] && grep -q '^[01] 27 vmxon [1-9]' /sys/devices/bulkhead/statistics
}

hardware_check_sees_vmx_hidden() {
	bulkhead hardware check >/tmp/hardware.out
	cat /tmp/hardware.out
	grep -q 'missing *VMX (CPUID.1:ECX.VMX)' /tmp/hardware.out
}

# CPU 1 left the hypervisor when it went offline; disable hands back CPU 0
# and CPU 1 comes online bare.
disable_with_cpu1_offline() {
	echo 0 >"$CPU1" || return 1
	bulkhead disable || return 1
	grep -qx 0 /sys/devices/bulkhead/enabled && echo 1 >"$CPU1" &&
		taskset -c 1 sh -c 'i=0; while [ $i -lt 1000 ]; do i=$((i + 1)); done'
}

# Twenty enable/disable cycles; the pool is back at its first value each time.
cycles() {
	local i pool first=
	for i in $(seq 20); do
		bulkhead enable "$SYSTEM" >/dev/null || { echo "enable $i failed"; return 1; }
		pool=$(sysfs memory_pool)
		[ -n "$first" ] || first=$pool
		[ "$pool" = "$first" ] || { echo "cycle $i: pool $pool, first $first"; return 1; }
		taskset -c 1 true && taskset -c 0 true || return 1
		bulkhead disable >/dev/null || { echo "disable $i failed"; return 1; }
	done
	echo "20 cycles, memory pool at '$first' (used total) in each"
}

nothing_enabled() {
	grep -qx 0 /sys/devices/bulkhead/enabled && ! grep -q 'Bulkhead hypervisor' /proc/iomem
}

step "CPU 1 offline and online on the bare machine" sh -c "echo 0 >$CPU1 && echo 1 >$CPU1"
step "load the msr module" sh -c 'grep -q "^msr " /proc/modules || insmod /lib/modules/msr.ko'
step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step_fails "console before the hypervisor ever ran" \
	"the hypervisor has not run since the driver was loaded; run 'bulkhead enable SYSCONFIG.cell' first" \
	bulkhead console
step_fails "stats when not enabled" "Bulkhead is not enabled; run 'bulkhead enable SYSCONFIG.cell' first" \
	bulkhead stats
step_fails "enable with a CPU offline" \
	'CPU 1 is offline; bring it online first \(echo 1 > /sys/devices/system/cpu/cpu1/online\)' \
	enable_with_cpu1_offline
step "nothing changed by the refused enable" nothing_enabled
step "CPUID shows VMX on the bare machine" probe_says cpuid-vmx vmx
step "COM3 answers on the bare machine" com3_answers

step "enable" bulkhead enable "$SYSTEM"
step "both CPUs run Linux as a guest" both_cpus_running
step "sysfs mitigations: return stack filled, retpolines, IBPB and VERW as the CPU needs" \
	mitigations_reported
step "an ioctl without CAP_SYS_ADMIN is refused, with the reason" \
	sh -c 'probe ioctl-unprivileged | tee /dev/stderr | grep -qx "1 changing Bulkhead needs CAP_SYS_ADMIN; run the command as root"'
step "an ioctl with a reserved field set is refused, with the reason" \
	sh -c 'probe ioctl-reserved | tee /dev/stderr | grep -qx "22 the request has reserved fields set; use the bulkhead tool built with this driver"'
step "both refusals changed nothing" sh -c 'grep -qx 1 /sys/devices/bulkhead/enabled && [ -z "$(ls /sys/devices/bulkhead/cells)" ]'
step "suspend refused while enabled" sleep_refused freeze suspend
step "hibernation refused while enabled" sleep_refused disk hibernation
step "Linux works on every CPU as a guest" work_on_every_cpu
step "CPUID hides VMX from the root cell" probe_says cpuid-vmx no-vmx
step "hardware check sees VMX hidden" hardware_check_sees_vmx_hidden
step "VMXON in the root cell raises #UD through the hypervisor" vmxon_raises_ud
step "hypercall from user space gets -EPERM" probe_says hypercall -1
step "COM3 belongs to the hypervisor: Linux reads 0xff" com3_reads_as_missing
step "CPU 1 goes offline under the hypervisor" cpu1_offline
step "CPU 1 comes back online, under the hypervisor, and works" cpu1_online_and_working
step "both CPUs still run as guests" both_cpus_running
step "bulkhead stats shows exits by reason" stats_show_exits
step "bulkhead stats --json" stats_json
step "bulkhead console shows the hypervisor log" console_has_the_log
step "disable with CPU 1 offline, then CPU 1 online bare" disable_with_cpu1_offline
step "COM3 answers again after disable" com3_answers
step "CPUID shows VMX again after disable" probe_says cpuid-vmx vmx
step "the log survives disable" console_has_the_handover
step "twenty enable/disable cycles" cycles
step "nothing left enabled after the cycles" nothing_enabled
step "Linux works on every CPU after the cycles" work_on_every_cpu

step "reload the driver with a broken VMCS field" \
	sh -c 'rmmod bulkhead && insmod /lib/modules/bulkhead.ko test_broken_vmcs=1'
step_fails "the broken field is named before VMLAUNCH" \
	'CPU [01] could not run Linux as a guest: the VMCS fails a VM-entry check: guest RFLAGS: reserved bits .* or bit 1 clear \(SDM Vol. 3C, 26.3.1.4\)' \
	bulkhead enable "$SYSTEM"
step "nothing changed by the broken VMCS" nothing_enabled
step "Linux works on every CPU after the refused VMCS" work_on_every_cpu
step "reload the driver without test hooks" \
	sh -c 'rmmod bulkhead && insmod /lib/modules/bulkhead.ko'
step "enable after the refused VMCS" bulkhead enable "$SYSTEM"
step "disable" bulkhead disable
step "unload the driver" rmmod bulkhead
dmesg_clean
