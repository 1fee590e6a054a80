# SPDX-License-Identifier: GPL-2.0
# A device interrupt in a cell: uart-irq programs IOAPIC pin 3 itself and
# drives COM2 by its interrupts with no VM exit between the first and the
# last; at destroy the pin goes back to Linux, which then takes COM2's
# interrupts on it again.

SYSTEM=/etc/bulkhead/bochs-system.cell
UART_IRQ=/etc/bulkhead/uart-irq.cell
UART_IRQ_IMAGE=/usr/share/bulkhead/inmates/uart-irq.bin
EVENTS=/sys/devices/bulkhead/events

# The demo's summary on the hypervisor console: interrupts, and 0 exits among them.
counted_without_exits() {
	bulkhead console | grep 'uart-irq: [0-9]* interrupts' | tee /tmp/uart-irq.out
	grep -qE 'uart-irq: [1-9][0-9]+ interrupts \([1-9][0-9]* transmit, 0 receive\), 0 VM exits between the first and the last' \
		/tmp/uart-irq.out
}

# No IOAPIC write was dropped or refused, on any CPU.
no_ioapic_refusals() {
	cat "$EVENTS"
	! grep -q ' ioapic-' "$EVENTS"
}

# The same in the cell's own events: readable, and no IOAPIC line.
cell_events_clean() {
	cat /sys/devices/bulkhead/cells/1/events || return
	! grep -q ' ioapic-' /sys/devices/bulkhead/cells/1/events
}

# Linux opens ttyS1 (COM2, IRQ 3), writes a line and counts IRQ 3's interrupts.
linux_takes_irq3() {
	local count
	exec 3>/dev/ttyS1 || return 1
	echo "linux: COM2 by interrupt after uart-irq" >&3
	sleep 1
	grep -E '^ *3:' /proc/interrupts | tee /tmp/irq3.out
	exec 3>&-
	count=$(awk '{ n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n }' /tmp/irq3.out)
	echo "IRQ 3 interrupts: $count"
	[ "${count:-0}" -gt 0 ]
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable" bulkhead enable "$SYSTEM"
step "cell create uart-irq" bulkhead cell create "$UART_IRQ"
step "cell load uart-irq" bulkhead cell load uart-irq "$UART_IRQ_IMAGE" -s "hv-console lines=20" -a 0x1000
step "cell start uart-irq" bulkhead cell start uart-irq
wait_for "uart-irq counts COM2's interrupts with 0 VM exits between the first and the last" 200 \
	counted_without_exits
host_expects "COM2: uart-irq writes its lines by interrupt" serial2.log \
	'^uart-irq: line 20 by interrupt, [1-9][0-9]* interrupts so far'
step "its IOAPIC writes were all accepted" no_ioapic_refusals
step "sysfs: cells/1/events has no IOAPIC refusal" cell_events_clean
step "cell destroy uart-irq" bulkhead cell destroy uart-irq
step "Linux takes COM2's interrupts on pin 3 again" linux_takes_irq3
host_expects "COM2: Linux writes by interrupt after the cell" serial2.log \
	'^linux: COM2 by interrupt after uart-irq'
step "Linux's IOAPIC writes were all accepted" no_ioapic_refusals
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
