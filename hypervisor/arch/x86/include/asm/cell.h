/* SPDX-License-Identifier: GPL-2.0 */
/* What isolates a cell on x86: its EPT and its I/O and MSR bitmaps. */
#ifndef BULKHEAD_ASM_CELL_H
#define BULKHEAD_ASM_CELL_H

#include <bulkhead/config.h>
#include <bulkhead-hv/types.h>

struct arch_cell {
	uint64_t *ept_root;
	uint64_t ept_pointer;
	uint8_t *io_bitmap_a;
	uint8_t *io_bitmap_b;
	uint8_t *msr_bitmap;
	/* The cell's CPUs must not run its inmate (taken, stopped): set before they are asked. */
	volatile bool held;
	/* The cell's own IOREGSEL of each IOAPIC (ioapic.c), by the IOAPIC's place in the root cell's config. */
	uint32_t ioapic_select[BULKHEAD_MAX_IRQCHIPS];
};

#endif
