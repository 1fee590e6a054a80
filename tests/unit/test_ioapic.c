// SPDX-License-Identifier: GPL-2.0
/* Host tests of the IOAPIC rules: register indexes, entry halves, the entry check and pin ownership (ioapic-entry.c). */
#include <string.h>

#include <asm/ioapic.h>

#include "unit.h"

/* Redirection entries as software writes them (Documentation/design.md, "The IOAPIC"). */
#define VECTOR(v)		((uint64_t)(v))
#define DELIVERY(d)		((uint64_t)(d) << 8)
#define LOGICAL			IOAPIC_ENTRY_LOGICAL
#define LEVEL			IOAPIC_ENTRY_LEVEL
#define MASKED			IOAPIC_ENTRY_MASKED
#define DEST(d)			((uint64_t)(d) << 56)
#define DFR_FLAT		0xffffffffU

/* Three CPUs whose APIC IDs differ from their numbers, in Linux's flat logical model (LDR 1 << cpu). */
static const struct apic_cpu machine[3] = {
	{ .apic_id = 0, .ldr = 0x01U << 24, .dfr = DFR_FLAT },
	{ .apic_id = 2, .ldr = 0x02U << 24, .dfr = DFR_FLAT },
	{ .apic_id = 4, .ldr = 0x04U << 24, .dfr = DFR_FLAT },
};

/* The root cell holds CPUs 0 and 1; a cell holds CPU 2 (APIC ID 4). */
static const struct ioapic_cpus root = { machine, 0x7, 0x3, true };
static const struct ioapic_cpus cell = { machine, 0x7, 0x4, false };

static bool refused_for(uint64_t entry, const struct ioapic_cpus *cpus, const char *reason)
{
	const char *got = ioapic_entry_refusal(entry, cpus);

	return got && strcmp(got, reason) == 0;
}

static void indexes_name_pins_and_halves(void)
{
	unsigned int pin = 99;
	bool high = true;

	CHECK(ioapic_index_pin(0x10, 24, &pin, &high) && pin == 0 && !high);
	CHECK(ioapic_index_pin(0x17, 24, &pin, &high) && pin == 3 && high);
	CHECK(ioapic_index_pin(0x3f, 24, &pin, &high) && pin == 23 && high);
	CHECK(!ioapic_index_pin(0x40, 24, &pin, &high));
	CHECK(!ioapic_index_pin(0x00, 24, &pin, &high));
	CHECK(!ioapic_index_pin(0x01, 24, &pin, &high));
	CHECK(!ioapic_index_pin(0x0f, 24, &pin, &high));
	CHECK(!ioapic_index_pin(0xff, 119, &pin, &high));
	CHECK(ioapic_index_pin(0xff, 120, &pin, &high) && pin == 119 && high);
}

static void writes_replace_one_half(void)
{
	uint64_t entry = DEST(4) | MASKED | VECTOR(0x30);

	CHECK(ioapic_entry_merge(entry, false, 0x41) == (DEST(4) | 0x41));
	CHECK(ioapic_entry_merge(entry, true, 0x02000000) == (DEST(2) | MASKED | VECTOR(0x30)));
}

static void a_cell_programs_fixed_interrupts_to_its_own_cpus(void)
{
	CHECK(!ioapic_entry_refusal(DEST(4) | VECTOR(0x30), &cell));
	CHECK(!ioapic_entry_refusal(DEST(4) | LEVEL | VECTOR(0x31), &cell));
	CHECK(!ioapic_entry_refusal(DEST(4) | DELIVERY(1) | VECTOR(0x31), &cell));
	/* By APIC ID, not CPU number: APIC ID 2 is CPU 1, the root cell's. */
	CHECK(refused_for(DEST(2) | VECTOR(0x30), &cell, "destination outside the cell"));
	CHECK(refused_for(DEST(0) | VECTOR(0x30), &cell, "destination outside the cell"));
	CHECK(refused_for(DEST(0xff) | VECTOR(0x30), &cell, "destination outside the cell"));
	CHECK(refused_for(DEST(7) | VECTOR(0x30), &cell, "destination names no CPU"));
	CHECK(refused_for(DEST(4) | LOGICAL | VECTOR(0x30), &cell, "logical destination"));
	CHECK(refused_for(DEST(4) | VECTOR(0x0f), &cell, "illegal vector"));
}

static void delivery_modes_that_leave_the_inmate_are_refused(void)
{
	CHECK(refused_for(DEST(4) | DELIVERY(2), &cell, "SMI delivery"));
	CHECK(refused_for(DEST(4) | DELIVERY(4) | VECTOR(2), &cell, "NMI delivery"));
	CHECK(refused_for(DEST(4) | DELIVERY(5), &cell, "INIT delivery"));
	CHECK(refused_for(DEST(4) | DELIVERY(7), &cell, "ExtINT delivery"));
	CHECK(refused_for(DEST(4) | DELIVERY(3) | VECTOR(0x30), &cell, "reserved delivery mode"));
	CHECK(refused_for(DEST(4) | DELIVERY(6) | VECTOR(0x30), &cell, "reserved delivery mode"));
	/* The root cell gets no more: Linux's NMI watchdog through the IOAPIC would reach cells. */
	CHECK(refused_for(DEST(0) | DELIVERY(4), &root, "NMI delivery"));
	CHECK(refused_for(DEST(0) | DELIVERY(7), &root, "ExtINT delivery"));
}

static void masked_entries_are_always_allowed(void)
{
	CHECK(!ioapic_entry_refusal(MASKED, &cell));
	CHECK(!ioapic_entry_refusal(MASKED | DEST(0) | DELIVERY(4), &cell));
	CHECK(!ioapic_entry_refusal(MASKED | DEST(0xff) | LOGICAL | DELIVERY(7), &cell));
}

static void linux_uses_flat_logical_destinations_of_its_own_cpus(void)
{
	CHECK(!ioapic_entry_refusal(DEST(0x01) | LOGICAL | VECTOR(0x30), &root));
	CHECK(!ioapic_entry_refusal(DEST(0x03) | LOGICAL | VECTOR(0x30), &root));
	CHECK(!ioapic_entry_refusal(DEST(2) | VECTOR(0x30), &root));
	/* CPU 2 (logical ID 0x04, APIC ID 4) is the cell's. */
	CHECK(refused_for(DEST(0x04) | LOGICAL | VECTOR(0x30), &root, "destination outside the cell"));
	CHECK(refused_for(DEST(0x07) | LOGICAL | VECTOR(0x30), &root, "destination outside the cell"));
	CHECK(refused_for(DEST(4) | VECTOR(0x30), &root, "destination outside the cell"));
	CHECK(refused_for(DEST(0xff) | LOGICAL | VECTOR(0x30), &root, "destination outside the cell"));
}

static void refused_entries_reach_the_hardware_masked(void)
{
	/* Linux's entry saved at create goes back as it was, status bits left to the hardware. */
	CHECK(ioapic_entry_for_hardware(DEST(1) | LOGICAL | VECTOR(0x33) | IOAPIC_ENTRY_REMOTE_IRR,
					&root) == (DEST(1) | LOGICAL | VECTOR(0x33)));
	CHECK(ioapic_entry_for_hardware(DEST(4) | VECTOR(0x33), &root) ==
	      (DEST(4) | VECTOR(0x33) | MASKED));
	CHECK(ioapic_entry_for_hardware(DEST(4) | DELIVERY(4), &cell) ==
	      (DEST(4) | DELIVERY(4) | MASKED));
	CHECK(ioapic_entry_for_hardware(MASKED, &cell) == MASKED);
}

static void pins_are_found_by_ioapic_and_bit(void)
{
	struct bulkhead_irqchip chips[2] = {
		{ .address = 0xfec00000, .pin_bitmap = { 1ULL << 3 } },
		{ .address = 0xfec01000, .pin_bitmap = { 0, 0, 0, 1ULL << 63 } },
	};

	CHECK(irqchip_find(chips, 2, 0xfec00000) == &chips[0]);
	CHECK(irqchip_find(chips, 2, 0xfec01000) == &chips[1]);
	CHECK(!irqchip_find(chips, 2, 0xfec02000));
	CHECK(!irqchip_find(chips, 1, 0xfec01000));
	CHECK(irqchip_has_pin(&chips[0], 3));
	CHECK(!irqchip_has_pin(&chips[0], 4) && !irqchip_has_pin(&chips[0], 67));
	CHECK(irqchip_has_pin(&chips[1], 255) && !irqchip_has_pin(&chips[1], 256));
}

int main(void)
{
	RUN(indexes_name_pins_and_halves);
	RUN(writes_replace_one_half);
	RUN(a_cell_programs_fixed_interrupts_to_its_own_cpus);
	RUN(delivery_modes_that_leave_the_inmate_are_refused);
	RUN(masked_entries_are_always_allowed);
	RUN(linux_uses_flat_logical_destinations_of_its_own_cpus);
	RUN(refused_entries_reach_the_hardware_masked);
	RUN(pins_are_found_by_ioapic_and_bit);
	return unit_report("IOAPIC rules");
}
