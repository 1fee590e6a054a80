// SPDX-License-Identifier: GPL-2.0
/* Which IOAPIC register an index names, and whether a cell may program a redirection entry; pure logic. */
#include <asm/ioapic.h>

/* Vectors 0-15 are illegal in an interrupt message (SDM Vol. 3A, 10.5.3). */
#define IOAPIC_FIRST_LEGAL_VECTOR	16

/* The pin (and which half of its entry) index names, on an IOAPIC with @pins pins. */
bool ioapic_index_pin(uint32_t index, unsigned int pins, unsigned int *pin, bool *high)
{
	if (index < IOAPIC_REG_REDIRECTION || index >= IOAPIC_REG_REDIRECTION + 2 * pins)
		return false;
	*pin = (index - IOAPIC_REG_REDIRECTION) / 2;
	*high = (index - IOAPIC_REG_REDIRECTION) & 1;
	return true;
}

/* @entry with one of its dwords replaced by a 32-bit write of the data window. */
uint64_t ioapic_entry_merge(uint64_t entry, bool high, uint32_t value)
{
	if (high)
		return (entry & 0xffffffffULL) | ((uint64_t)value << 32);
	return (entry & ~0xffffffffULL) | value;
}

static const char *delivery_refusal(unsigned int delivery)
{
	switch (delivery) {
	case IOAPIC_DELIVERY_FIXED:
	case IOAPIC_DELIVERY_LOWEST_PRIORITY:
		return NULL;
	case IOAPIC_DELIVERY_SMI:
		return "SMI delivery";
	case IOAPIC_DELIVERY_NMI:
		return "NMI delivery";
	case IOAPIC_DELIVERY_INIT:
		return "INIT delivery";
	case IOAPIC_DELIVERY_EXTINT:
		return "ExtINT delivery";
	default:
		return "reserved delivery mode";
	}
}

/*
 * Why a cell may not have @entry in the hardware, or NULL.  A masked entry
 * delivers nothing and is always allowed.  An unmasked one must be a fixed
 * or lowest-priority interrupt with a legal vector, every CPU it names one
 * of the writer's own, and at least one named: NMI, SMI, INIT and ExtINT
 * would reach past the inmate into the CPU, and a foreign or broadcast
 * destination into another cell.  The message goes out as an interrupt
 * message with the ICR's destination rules (SDM Vol. 3A, 10.6.2), so the
 * ICR decoder names the CPUs; lowest priority then picks among own CPUs
 * only.  Logical destinations are left to the root cell, whose Linux uses
 * them (flat model, LDRs as it programmed them); a cell uses physical
 * destinations, its local APICs being in x2APIC mode, where an IOAPIC's
 * 8-bit logical destination has no defined meaning without interrupt
 * remapping.
 */
const char *ioapic_entry_refusal(uint64_t entry, const struct ioapic_cpus *cpus)
{
	const char *reason = delivery_refusal(IOAPIC_ENTRY_DELIVERY(entry));
	struct icr message = {
		.vector = IOAPIC_ENTRY_VECTOR(entry),
		.delivery = (enum icr_delivery)IOAPIC_ENTRY_DELIVERY(entry),
		.logical = (entry & IOAPIC_ENTRY_LOGICAL) != 0,
		.shorthand = ICR_SHORTHAND_NONE,
		.destination = (uint32_t)(entry >> IOAPIC_ENTRY_DEST_SHIFT),
	};
	uint64_t named;

	if (entry & IOAPIC_ENTRY_MASKED)
		return NULL;
	if (reason)
		return reason;
	if (message.vector < IOAPIC_FIRST_LEGAL_VECTOR)
		return "illegal vector";
	if (message.logical && !cpus->logical_allowed)
		return "logical destination";
	named = icr_destinations(&message, false, cpus->cpus, cpus->present, 0);
	if (!named)
		return "destination names no CPU";
	if (named & ~cpus->own)
		return "destination outside the cell";
	return NULL;
}

/* What the hardware gets for @entry: the entry itself, or masked when refused. */
uint64_t ioapic_entry_for_hardware(uint64_t entry, const struct ioapic_cpus *cpus)
{
	entry &= ~IOAPIC_ENTRY_READ_ONLY;
	return ioapic_entry_refusal(entry, cpus) ? entry | IOAPIC_ENTRY_MASKED : entry;
}

bool irqchip_has_pin(const struct bulkhead_irqchip *chip, unsigned int pin)
{
	return pin < BULKHEAD_IOAPIC_MAX_PINS && ((chip->pin_bitmap[pin / 64] >> (pin % 64)) & 1);
}

/* The node of @chips for the IOAPIC at @address, or NULL. */
const struct bulkhead_irqchip *irqchip_find(const struct bulkhead_irqchip *chips,
					    unsigned int count, uint64_t address)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		if (chips[i].address == address)
			return &chips[i];
	return NULL;
}
