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

# IRQ 3's interrupts so far, all CPUs together (0 while nobody has it).
irq3_count() {
	awk '$1 == "3:" { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n }' \
		/proc/interrupts | grep . || echo 0
}

# A task keeps ttyS1 (COM2) open, so that Linux has IRQ 3 and its entry
# for pin 3 unmasked before the cell takes the pin, and does not program
# it again after: only the hypervisor's restore at destroy brings it back.
hold_ttys1() {
	sleep 100000 >/dev/ttyS1 &
	echo $! >/tmp/ttys1.pid
	vm_poll 20 grep -qE '^ *3:' /proc/interrupts && grep -E '^ *3:' /proc/interrupts
}

irq3_grew() {
	[ "$(irq3_count)" -gt "$(cat /tmp/irq3.before)" ]
}

# Linux writes a line to COM2; IRQ 3's count grows (transmit interrupts on pin 3).
linux_takes_irq3() {
	irq3_count >/tmp/irq3.before
	echo "linux: COM2 by interrupt after uart-irq" >/dev/ttyS1 || return
	vm_poll 20 irq3_grew
	echo "IRQ 3 interrupts: $(cat /tmp/irq3.before) before, $(irq3_count) after"
	irq3_grew
}

release_ttys1() {
	kill "$(cat /tmp/ttys1.pid)"
}

step "insmod bulkhead.ko" insmod /lib/modules/bulkhead.ko
step "enable" bulkhead enable "$SYSTEM"
step "Linux holds COM2 open, IRQ 3 on pin 3" hold_ttys1
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
step "Linux takes COM2's interrupts on pin 3 again, as it left it" linux_takes_irq3
host_expects "COM2: Linux writes by interrupt after the cell" serial2.log \
	'^linux: COM2 by interrupt after uart-irq'
step "Linux's IOAPIC writes were all accepted" no_ioapic_refusals
step "Linux closes COM2" release_ttys1
step "disable" bulkhead disable
step "rmmod bulkhead" rmmod bulkhead
dmesg_clean
