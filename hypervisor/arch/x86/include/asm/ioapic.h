/* SPDX-License-Identifier: GPL-2.0 */
/* The IOAPIC as cells program it: register layout, the entry check (pure logic) and the emulation (ioapic.c). */
#ifndef BULKHEAD_ASM_IOAPIC_H
#define BULKHEAD_ASM_IOAPIC_H

#include <bulkhead/config.h>
#include <bulkhead-hv/types.h>
#include <asm/apic-icr.h>

/*
 * Memory-mapped registers of an IOAPIC (Documentation/design.md, "The IOAPIC"): the index
 * register IOREGSEL, the data window IOWIN and, on version 0x20 parts, the
 * EOI register.  Everything else is reached through the index.
 */
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10
#define IOAPIC_EOI		0x40

/* Indirect registers (Documentation/design.md, "The IOAPIC"). */
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARBITRATION	0x02
#define IOAPIC_REG_REDIRECTION	0x10	/* pin n: 0x10 + 2n low dword, 0x11 + 2n high dword */
/* Version register: bits 7:0 version, bits 23:16 highest redirection entry. */
#define IOAPIC_VERSION_OF(reg)	((reg) & 0xffU)
#define IOAPIC_PINS_OF(reg)	((((reg) >> 16) & 0xffU) + 1)
#define IOAPIC_VERSION_EOI	0x20	/* from this version on the EOI register exists */

/* Redirection entry fields (Documentation/design.md, "The IOAPIC"). */
#define IOAPIC_ENTRY_VECTOR(e)	((uint8_t)((e) & 0xff))
#define IOAPIC_ENTRY_DELIVERY(e) ((unsigned int)(((e) >> 8) & 7))
#define IOAPIC_ENTRY_LOGICAL	(1ULL << 11)
#define IOAPIC_ENTRY_PENDING	(1ULL << 12)	/* delivery status, read-only */
#define IOAPIC_ENTRY_REMOTE_IRR	(1ULL << 14)	/* read-only */
#define IOAPIC_ENTRY_LEVEL	(1ULL << 15)
#define IOAPIC_ENTRY_MASKED	(1ULL << 16)
#define IOAPIC_ENTRY_DEST_SHIFT	56
#define IOAPIC_ENTRY_READ_ONLY	(IOAPIC_ENTRY_PENDING | IOAPIC_ENTRY_REMOTE_IRR)

/* Delivery modes of an entry, the ICR's encodings (Documentation/design.md, "The IOAPIC"). */
#define IOAPIC_DELIVERY_FIXED		0
#define IOAPIC_DELIVERY_LOWEST_PRIORITY	1
#define IOAPIC_DELIVERY_SMI		2
#define IOAPIC_DELIVERY_NMI		4
#define IOAPIC_DELIVERY_INIT		5
#define IOAPIC_DELIVERY_EXTINT		7

/* The CPUs an entry may name: all of the system (as the ICR decoder sees them) and the writer's own. */
struct ioapic_cpus {
	const struct apic_cpu *cpus;	/* indexed by CPU number */
	uint64_t present;		/* CPUs described in cpus */
	uint64_t own;			/* CPUs of the writing cell */
	bool logical_allowed;		/* the root cell: Linux uses logical flat destinations */
};

bool ioapic_index_pin(uint32_t index, unsigned int pins, unsigned int *pin, bool *high);
uint64_t ioapic_entry_merge(uint64_t entry, bool high, uint32_t value);
const char *ioapic_entry_refusal(uint64_t entry, const struct ioapic_cpus *cpus);
uint64_t ioapic_entry_for_hardware(uint64_t entry, const struct ioapic_cpus *cpus);
bool irqchip_has_pin(const struct bulkhead_irqchip *chip, unsigned int pin);
const struct bulkhead_irqchip *irqchip_find(const struct bulkhead_irqchip *chips,
					    unsigned int count, uint64_t address);

/* The emulation (ioapic.c); none of it is pure. */
struct per_cpu;
struct cell;
int ioapic_init(void);
bool ioapic_page_of_cell(const struct cell *cell, uint64_t guest_phys);
bool ioapic_emulate(struct per_cpu *cpu, uint64_t guest_phys, unsigned int size, bool write,
		    uint64_t *value);
void ioapic_cell_create(struct cell *cell);
void ioapic_cell_destroy(struct cell *cell);
void ioapic_release_to_linux(void);

#endif
