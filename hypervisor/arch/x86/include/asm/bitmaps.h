/* SPDX-License-Identifier: GPL-2.0 */
/* I/O and MSR bitmaps that choose which accesses of a cell exit; pure logic, tested on the host. */
#ifndef BULKHEAD_ASM_BITMAPS_H
#define BULKHEAD_ASM_BITMAPS_H

#include <bulkhead-hv/config.h>

/*
 * I/O bitmaps A (ports 0-0x7fff) and B (0x8000-0xffff) back to back, one
 * bit per port, set = exit; SDM Vol. 3C, 24.6.4.  An access of several bytes
 * exits if any of its ports does, or if it wraps past 0xffff (25.1.3).
 */
#define IO_BITMAP_SIZE		8192
#define IO_BITMAP_PORTS		0x10000

/*
 * MSR bitmap: read-low at byte 0, read-high at 1024, write-low at 2048,
 * write-high at 3072, one bit per MSR, set = exit; SDM Vol. 3C, 24.6.9.
 * MSRs outside the two ranges below always exit (25.1.3).
 */
#define MSR_BITMAP_SIZE		4096
#define MSR_BITMAP_LOW_FIRST	0x00000000U
#define MSR_BITMAP_LOW_LAST	0x00001fffU
#define MSR_BITMAP_HIGH_FIRST	0xc0000000U
#define MSR_BITMAP_HIGH_LAST	0xc0001fffU

void io_bitmap_trap_all(uint8_t *bitmap);
int io_bitmap_allow(uint8_t *bitmap, uint32_t base, uint32_t length);
int io_bitmap_trap(uint8_t *bitmap, uint32_t base, uint32_t length);
/*
 * A cell's I/O bitmap: its ports, and the PM timer's @pm_timer (0: none),
 * which passes through since the register is read-only (a write does
 * nothing, ACPI 6.5, 4.8.3.3) and every cell may read it.
 */
int io_bitmap_build(uint8_t *bitmap, const struct config_view *view, uint16_t pm_timer);
bool io_bitmap_traps(const uint8_t *bitmap, uint32_t port);

void msr_bitmap_trap_all(uint8_t *bitmap);
int msr_bitmap_allow(uint8_t *bitmap, uint32_t msr, bool read, bool write);
int msr_bitmap_allow_range(uint8_t *bitmap, uint32_t first, uint32_t last,
			   bool read, bool write);
bool msr_bitmap_traps(const uint8_t *bitmap, uint32_t msr, bool write);

#endif
