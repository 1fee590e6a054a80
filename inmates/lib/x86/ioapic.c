// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The IOAPIC at 0xfec00000, programmed through its index and data registers as the hypervisor emulates them for a cell. */
#include "lib.h"

/* Register layout: Documentation/design.md, "The IOAPIC, emulated for every cell". */
#define IOAPIC_BASE		0xfec00000ULL
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10
#define IOAPIC_REDIRECTION(pin)	(0x10 + 2 * (pin))

uint32_t ioapic_read(uint32_t index)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_IOREGSEL, index);
	return mmio_read32(IOAPIC_BASE + IOAPIC_IOWIN);
}

void ioapic_write(uint32_t index, uint32_t value)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_IOREGSEL, index);
	mmio_write32(IOAPIC_BASE + IOAPIC_IOWIN, value);
}

/*
 * The destination (an APIC ID, physical mode) goes in first, then the low
 * half, which unmasks the pin unless @low says masked: the pin never
 * points at an old destination with a new vector.
 */
void ioapic_pin_set(unsigned int pin, uint32_t apic_id, uint32_t low)
{
	ioapic_write(IOAPIC_REDIRECTION(pin) + 1, apic_id << 24);
	ioapic_write(IOAPIC_REDIRECTION(pin), low);
}

uint32_t ioapic_pin_low(unsigned int pin)
{
	return ioapic_read(IOAPIC_REDIRECTION(pin));
}
