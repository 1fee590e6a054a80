# SPDX-License-Identifier: GPL-2.0
# Runs in a 3-CPU machine (ci/vm-run --cpus 3): smp-demo on CPUs 1 and 2,
# every cell CPU starts, reports in and exchanges IPIs with the others, and
# destroy gives both CPUs back to Linux.

SYSTEM=/etc/bulkhead/bochs-system-3cpu.cell
SMP=/etc/bulkhead/smp-demo.cell
SMP_IMAGE=/usr/share/bulkhead/inmates/smp-demo.bin

step "3 CPUs online" sh -c '[ "$(cat /sys/devices/system/cpu/online)" = 0-2 ]'
step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable with the 3-CPU system config" bulkhead enable "$SYSTEM"
step "cell create smp-demo (CPUs 1-2)" bulkhead cell create "$SMP"
step "CPUs 1 and 2 went to the cell" \
	sh -c '[ "$(cat /sys/devices/bulkhead/cpus_entered)" = 0-2 ] && bulkhead cell list | grep -qE "smp-demo +shut-down +1-2 +-$"'
step "cell load smp-demo" bulkhead cell load smp-demo "$SMP_IMAGE" -s "hv-console" -a 0x1000
step "cell start smp-demo" bulkhead cell start smp-demo
wait_for "CPU 1 of 2 reported in" 100 hv_console_has "smp-demo: CPU 1 of 2 online"
wait_for "CPU 2 of 2 reported in" 100 hv_console_has "smp-demo: CPU 2 of 2 online"
wait_for "every cell CPU exchanged IPIs" 100 hv_console_has "smp-demo: all 2 CPUs exchanged IPIs"
step "exits of the cell's CPUs are counted" \
	sh -c 'grep -qE "^(1|2) [0-9]+ " /sys/devices/bulkhead/statistics'
step "cell destroy smp-demo" bulkhead cell destroy smp-demo
step "CPUs 1 and 2 are back with Linux and work" cpus_back_with_linux 0-2 1 2
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
