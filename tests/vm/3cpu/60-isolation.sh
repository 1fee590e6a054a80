# SPDX-License-Identifier: GPL-2.0
# Runs in a 3-CPU machine: the isolation inmate (inmates/tests/x86) takes
# CPU 2 and attacks the walls of its cell: IPIs in every destination form
# and delivery mode, IA32_APIC_BASE, the LVTs, WBINVD and INVD, hypercalls
# about other CPUs, CR0.CD/NW.  Linux keeps CPUs 0 and 1, so it uses
# broadcast IPIs; while the inmate idles counting every interrupt, Linux
# runs a load that sends IPIs and TLB shootdowns, and tries to bring CPU 2
# online.  The inmate writes one result line per check on COM2 (checked by
# the host) and a count of every interrupt it did not ask for; Linux must
# log no NMI or interrupt it did not send itself.  Destroy gives CPU 2 back.

SYSTEM=/etc/bulkhead/bochs-system-3cpu.cell
ISOLATION=/etc/bulkhead/isolation.cell
ISOLATION_IMAGE=/usr/share/bulkhead/inmates/isolation.bin
# Seconds of guest time the IPI load runs while the inmate counts.
LOAD_SECONDS=3

# Every check the inmate makes (inmates/tests/x86/isolation*.c), by name.
IPI_FORMS="logical-broadcast logical-cluster0 logical-foreign logical-own-number
	physical-broadcast physical-foreign all-including-self all-excluding-self"
CHECKS="ipi-smi-foreign ipi-reserved-3-foreign ipi-reserved-7-foreign
	ipi-lowest-priority-foreign ipi-smi-all-excluding-self
	apic-base-same-value apic-base-clear-x2apic apic-base-disable apic-base-move
	lvt-cmci lvt-timer lvt-thermal lvt-perf lvt-lint0 lvt-lint1 lvt-error
	wbinvd invd cpu-info-foreign cpu-info-own cr0-cache-disable"
for form in $IPI_FORMS; do
	CHECKS="ipi-fixed-$form ipi-nmi-$form $CHECKS"
done

# Cell $1 runs and none of its CPUs failed (cell list: ID NAME STATE CPUS FAILED).
cell_runs() {
	bulkhead cell list | tee /tmp/isolation.cells
	awk -v name="$1" '$2 == name && $3 == "running" && $5 == "-" { ok = 1 } END { exit !ok }' \
		/tmp/isolation.cells
}

# IPIs Linux sent so far: TLB shootdowns and function calls, all CPUs.
ipis_sent() {
	awk '/^ *(TLB|CAL):/ { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i }
		END { print s + 0 }' /proc/interrupts
}

# ipi-load on Linux's CPUs; it must have made Linux send IPIs.
load_with_ipis() {
	local before after
	before=$(ipis_sent)
	ipi-load "$LOAD_SECONDS" || return
	after=$(ipis_sent)
	echo "TLB shootdown and function-call IPIs: $before before, $after after"
	[ "$after" -gt "$before" ]
}

# Lines the idling inmate printed so far; it prints one every report-ms.
heartbeats() {
	bulkhead console | grep -c "isolation: idle, "
}

# Linux's CPU hotplug sends INIT and startup IPIs to a CPU it brings up:
# for a cell's CPU that must fail and leave it offline and the cell running.
online_refused() {
	if echo 1 >/sys/devices/system/cpu/cpu2/online; then
		echo "CPU 2 came online while the cell holds it"
		return 1
	fi
	echo "cpu2/online: $(cat /sys/devices/system/cpu/cpu2/online)"
	heartbeats >/tmp/isolation.heartbeats
	[ "$(cat /sys/devices/system/cpu/cpu2/online)" = 0 ] && cell_runs isolation
}

# The inmate idles on, unharmed: it printed another line since.
inmate_alive() {
	[ "$(heartbeats)" -gt "$(cat /tmp/isolation.heartbeats)" ]
}

# Kernel messages about NMIs and interrupt vectors Linux did not send or expect.
linux_saw_no_strays() {
	! vm_dmesg_new | grep -iE 'NMI received for unknown reason|Dazed and confused|spurious|unexpected IRQ|No irq handler'
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable with the 3-CPU system config" bulkhead enable "$SYSTEM"
step "cell create isolation (CPU 2)" bulkhead cell create "$ISOLATION"
step "Linux keeps CPUs 0 and 1" sh -c '[ "$(cat /sys/devices/system/cpu/online)" = 0-1 ]'
step "cell load isolation" bulkhead cell load isolation "$ISOLATION_IMAGE" \
	-s "hv-console own-cpu=2 foreign-cpu=0 foreign-apic=0 report-ms=500" -a 0x1000
step "cell start isolation" bulkhead cell start isolation
wait_for "the inmate made its attacks and idles" 300 hv_console_has "isolation: attacks done"
step "Linux sends IPIs and TLB shootdowns for $LOAD_SECONDS s (ipi-load)" load_with_ipis
step "onlining CPU 2 from Linux fails and the cell keeps running" online_refused
wait_for "the inmate still idles and counts" 50 inmate_alive
step "Linux logged no NMI or interrupt it did not send" linux_saw_no_strays
step "cell shutdown isolation (the inmate prints its summary first)" \
	bulkhead cell shutdown isolation
step "cell destroy isolation" bulkhead cell destroy isolation
step "CPU 2 is back with Linux and works" cpus_back_with_linux 0-2 2
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean

for check in $CHECKS; do
	host_expects "COM2: isolation check $check" serial2.log "^isolation: $check: ok\$"
done
host_expects "COM2: isolation: every check passed" serial2.log \
	'^isolation: [0-9]+ checks, 0 failed$'
host_expects "COM2: isolation: no interrupt it did not ask for" serial2.log \
	'^isolation: done, 0 unexpected interrupts$'
