# SPDX-License-Identifier: GPL-2.0
# Runs in a 4-CPU machine (ci/vm-run --cpus 4): the isolation inmate takes
# CPU 3 and only idles, counting every interrupt that reaches it, while
# Linux on CPUs 0 to 2 runs a load of function-call IPIs and TLB
# shootdowns.  With two or more other CPUs to reach Linux sends those with
# the "all excluding self" shorthand, which must not reach the cell.  The
# inmate's count is checked on COM2 by the host; Linux must log no stray
# NMI or interrupt either.

SYSTEM=/etc/bulkhead/bochs-system-4cpu.cell
ISOLATION=/etc/bulkhead/isolation-cpu3.cell
ISOLATION_IMAGE=/usr/share/bulkhead/inmates/isolation.bin
LOAD_SECONDS=3

# IPIs Linux sent so far: TLB shootdowns and function calls, all CPUs.
ipis_sent() {
	awk '/^ *(TLB|CAL):/ { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i }
		END { print s + 0 }' /proc/interrupts
}

load_with_ipis() {
	local before after
	before=$(ipis_sent)
	ipi-load "$LOAD_SECONDS" || return
	after=$(ipis_sent)
	echo "TLB shootdown and function-call IPIs: $before before, $after after"
	[ "$after" -gt "$before" ]
}

linux_saw_no_strays() {
	! vm_dmesg_new | grep -iE 'NMI received for unknown reason|Dazed and confused|spurious|unexpected IRQ|No irq handler'
}

step "4 CPUs online" sh -c '[ "$(cat /sys/devices/system/cpu/online)" = 0-3 ]'
step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable with the 4-CPU system config" bulkhead enable "$SYSTEM"
step "cell create isolation (CPU 3)" bulkhead cell create "$ISOLATION"
step "Linux keeps CPUs 0 to 2" sh -c '[ "$(cat /sys/devices/system/cpu/online)" = 0-2 ]'
step "cell load isolation, no attacks, only the count" bulkhead cell load isolation \
	"$ISOLATION_IMAGE" -s "hv-console all=0 own-cpu=3 report-ms=500" -a 0x1000
step "cell start isolation" bulkhead cell start isolation
wait_for "the inmate idles" 300 hv_console_has "isolation: attacks done"
step "Linux sends IPIs and TLB shootdowns for $LOAD_SECONDS s on 3 CPUs (ipi-load)" load_with_ipis
step "Linux logged no NMI or interrupt it did not send" linux_saw_no_strays
step "cell shutdown isolation (the inmate prints its count first)" \
	bulkhead cell shutdown isolation
step "cell destroy isolation" bulkhead cell destroy isolation
step "CPU 3 is back with Linux and works" cpus_back_with_linux 0-3 3
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
host_expects "COM2: isolation: no interrupt it did not ask for, with Linux on 3 CPUs" serial2.log \
	'^isolation: done, 0 unexpected interrupts$'
