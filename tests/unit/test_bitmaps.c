// SPDX-License-Identifier: GPL-2.0
/* Host tests of the I/O and MSR bitmap builders (hypervisor/arch/x86/bitmaps.c). */
#include <errno.h>
#include <string.h>

#include <asm/bitmaps.h>

#include "unit.h"

static uint8_t io[IO_BITMAP_SIZE];
static uint8_t msr[MSR_BITMAP_SIZE];
static uint8_t saved[IO_BITMAP_SIZE];

static int all_bytes_are(const uint8_t *bitmap, size_t size, uint8_t value)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (bitmap[i] != value)
			return 0;
	return 1;
}

static void io_trap_all_traps_every_port(void)
{
	memset(io, 0, sizeof(io));
	io_bitmap_trap_all(io);
	CHECK(all_bytes_are(io, sizeof(io), 0xff));
	CHECK(io_bitmap_traps(io, 0));
	CHECK(io_bitmap_traps(io, 0x7fff));
	CHECK(io_bitmap_traps(io, 0x8000));
	CHECK(io_bitmap_traps(io, 0xffff));
	CHECK(io_bitmap_traps(io, 0x10000));
}

static void io_ports_at_the_edges_of_bitmaps_a_and_b(void)
{
	io_bitmap_trap_all(io);
	CHECK(io_bitmap_allow(io, 0, 1) == 0);
	CHECK(io_bitmap_allow(io, 0x7fff, 1) == 0);
	CHECK(io_bitmap_allow(io, 0x8000, 1) == 0);
	CHECK(io_bitmap_allow(io, 0xffff, 1) == 0);
	CHECK(!io_bitmap_traps(io, 0));
	CHECK(!io_bitmap_traps(io, 0x7fff));
	CHECK(!io_bitmap_traps(io, 0x8000));
	CHECK(!io_bitmap_traps(io, 0xffff));
	CHECK(io_bitmap_traps(io, 1));
	CHECK(io_bitmap_traps(io, 0x7ffe));
	CHECK(io_bitmap_traps(io, 0x8001));
	CHECK(io_bitmap_traps(io, 0xfffe));
	/* Bit n of the 8 KiB is port n: A ends at byte 4095, B starts at 4096. */
	CHECK(io[0] == 0xfe);
	CHECK(io[4095] == 0x7f);
	CHECK(io[4096] == 0xfe);
	CHECK(io[8191] == 0x7f);
}

static void io_range_crossing_from_a_into_b(void)
{
	io_bitmap_trap_all(io);
	CHECK(io_bitmap_allow(io, 0x7ff8, 0x10) == 0);
	CHECK(io_bitmap_traps(io, 0x7ff7));
	CHECK(!io_bitmap_traps(io, 0x7ff8));
	CHECK(!io_bitmap_traps(io, 0x7fff));
	CHECK(!io_bitmap_traps(io, 0x8000));
	CHECK(!io_bitmap_traps(io, 0x8007));
	CHECK(io_bitmap_traps(io, 0x8008));
	CHECK(io[4095] == 0x00 && io[4096] == 0x00);
	CHECK(io[4094] == 0xff && io[4097] == 0xff);
}

/* What a cell takes from the root cell traps again there; the rest stays let through. */
static void io_trap_takes_ports_back(void)
{
	io_bitmap_trap_all(io);
	CHECK(io_bitmap_allow(io, 0, 0x10000) == 0);
	CHECK(io_bitmap_trap(io, 0x2f8, 8) == 0);
	CHECK(io_bitmap_traps(io, 0x2f8));
	CHECK(io_bitmap_traps(io, 0x2ff));
	CHECK(!io_bitmap_traps(io, 0x2f7));
	CHECK(!io_bitmap_traps(io, 0x300));
	CHECK(io_bitmap_trap(io, 0xffff, 2) == -EINVAL);
	CHECK(!io_bitmap_traps(io, 0xffff));
	CHECK(io_bitmap_trap(io, 0x3f8, 0) == -EINVAL);
	CHECK(!io_bitmap_traps(io, 0x3f8));
}

static void io_regions_past_0xffff_are_refused(void)
{
	io_bitmap_trap_all(io);
	CHECK(io_bitmap_allow(io, 0xfff0, 0x11) == -EINVAL);
	CHECK(io_bitmap_allow(io, 0x10000, 1) == -EINVAL);
	CHECK(io_bitmap_allow(io, 0xffffffff, 2) == -EINVAL);
	CHECK(io_bitmap_allow(io, 0x3f8, 0) == -EINVAL);
	CHECK(all_bytes_are(io, sizeof(io), 0xff));
	/* The whole port space, as the Bochs root cell has it, is fine. */
	CHECK(io_bitmap_allow(io, 0, 0x10000) == 0);
	CHECK(all_bytes_are(io, sizeof(io), 0x00));
}

static void io_bitmap_of_a_cell_view(void)
{
	struct bulkhead_pio_region regions[] = { { 0x3f8, 8 }, { 0x7ffc, 8 } };
	struct bulkhead_cell cell = { .num_pio_regions = 2 };
	struct config_view view = { .cell = &cell, .pio_regions = regions };

	memset(io, 0, sizeof(io));
	CHECK(io_bitmap_build(io, &view, 0) == 0);
	CHECK(io_bitmap_traps(io, 0x3f7));
	CHECK(!io_bitmap_traps(io, 0x3f8));
	CHECK(!io_bitmap_traps(io, 0x3ff));
	CHECK(io_bitmap_traps(io, 0x400));
	CHECK(!io_bitmap_traps(io, 0x8003));
	CHECK(io_bitmap_traps(io, 0x8004));
	CHECK(io_bitmap_traps(io, 0x60));

	/* A bad region is found before anything changes. */
	regions[1] = (struct bulkhead_pio_region){ 0xfffc, 8 };
	memset(io, 0x5a, sizeof(io));
	memcpy(saved, io, sizeof(io));
	CHECK(io_bitmap_build(io, &view, 0xb008) == -EINVAL);
	CHECK(memcmp(saved, io, sizeof(io)) == 0);
}

/* Every cell reads the PM timer's four ports, and only those, unless it opted out (0). */
static void io_bitmap_of_a_cell_passes_the_pm_timer(void)
{
	struct bulkhead_pio_region regions[] = { { 0x3f8, 8 } };
	struct bulkhead_cell cell = { .num_pio_regions = 1 };
	struct config_view view = { .cell = &cell, .pio_regions = regions };
	uint32_t port;

	CHECK(io_bitmap_build(io, &view, 0xb008) == 0);
	for (port = 0xb008; port < 0xb00c; port++)
		CHECK(!io_bitmap_traps(io, port));
	CHECK(io_bitmap_traps(io, 0xb004) && io_bitmap_traps(io, 0xb007));
	CHECK(io_bitmap_traps(io, 0xb00c));
	CHECK(io_bitmap_build(io, &view, 0) == 0);
	CHECK(io_bitmap_traps(io, 0xb008) && io_bitmap_traps(io, 0xb00b));
}

static void msr_trap_all_traps_reads_and_writes(void)
{
	memset(msr, 0, sizeof(msr));
	msr_bitmap_trap_all(msr);
	CHECK(all_bytes_are(msr, sizeof(msr), 0xff));
	CHECK(msr_bitmap_traps(msr, 0x10, false));
	CHECK(msr_bitmap_traps(msr, 0x10, true));
	CHECK(msr_bitmap_traps(msr, 0xc0000080, false));
	CHECK(msr_bitmap_traps(msr, 0xc0000080, true));
}

static void msr_reads_and_writes_are_independent(void)
{
	msr_bitmap_trap_all(msr);
	/* IA32_TIME_STAMP_COUNTER: reads only. */
	CHECK(msr_bitmap_allow(msr, 0x10, true, false) == 0);
	CHECK(!msr_bitmap_traps(msr, 0x10, false));
	CHECK(msr_bitmap_traps(msr, 0x10, true));
	CHECK(msr[0x10 / 8] == 0xfe);
	CHECK(msr[2048 + 0x10 / 8] == 0xff);
	/* IA32_EFER: writes only. */
	CHECK(msr_bitmap_allow(msr, 0xc0000080, false, true) == 0);
	CHECK(msr_bitmap_traps(msr, 0xc0000080, false));
	CHECK(!msr_bitmap_traps(msr, 0xc0000080, true));
	CHECK(msr[1024 + 0x80 / 8] == 0xff);
	CHECK(msr[3072 + 0x80 / 8] == 0xfe);
	/* Allowing the other direction later keeps the first. */
	CHECK(msr_bitmap_allow(msr, 0x10, false, true) == 0);
	CHECK(!msr_bitmap_traps(msr, 0x10, false));
	CHECK(!msr_bitmap_traps(msr, 0x10, true));
	/* Neither: nothing changes. */
	CHECK(msr_bitmap_allow(msr, 0x11, false, false) == 0);
	CHECK(msr_bitmap_traps(msr, 0x11, false));
	CHECK(msr_bitmap_traps(msr, 0x11, true));
}

static void msr_edges_of_the_low_and_high_ranges(void)
{
	msr_bitmap_trap_all(msr);
	CHECK(msr_bitmap_allow(msr, 0, true, true) == 0);
	CHECK(msr_bitmap_allow(msr, 0x1fff, true, true) == 0);
	CHECK(msr_bitmap_allow(msr, 0xc0000000, true, true) == 0);
	CHECK(msr_bitmap_allow(msr, 0xc0001fff, true, true) == 0);
	CHECK(msr[0] == 0xfe && msr[1023] == 0x7f);
	CHECK(msr[1024] == 0xfe && msr[2047] == 0x7f);
	CHECK(msr[2048] == 0xfe && msr[3071] == 0x7f);
	CHECK(msr[3072] == 0xfe && msr[4095] == 0x7f);
	CHECK(!msr_bitmap_traps(msr, 0x1fff, true));
	CHECK(!msr_bitmap_traps(msr, 0xc0001fff, false));
}

static void msrs_outside_both_ranges_always_trap(void)
{
	static const uint32_t outside[] = {
		0x2000, 0x40000000, 0xbfffffff, 0xc0002000, 0xc0010000, 0xffffffff,
	};
	unsigned int i;

	memset(msr, 0, sizeof(msr));
	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		CHECK(msr_bitmap_allow(msr, outside[i], true, true) == -EINVAL);
		CHECK(msr_bitmap_traps(msr, outside[i], false));
		CHECK(msr_bitmap_traps(msr, outside[i], true));
	}
	CHECK(all_bytes_are(msr, sizeof(msr), 0x00));
}

static void msr_ranges(void)
{
	msr_bitmap_trap_all(msr);
	CHECK(msr_bitmap_allow_range(msr, 0xc0000100, 0xc0000102, true, false) == 0);
	CHECK(msr_bitmap_traps(msr, 0xc00000ff, false));
	CHECK(!msr_bitmap_traps(msr, 0xc0000100, false));
	CHECK(!msr_bitmap_traps(msr, 0xc0000102, false));
	CHECK(msr_bitmap_traps(msr, 0xc0000103, false));
	CHECK(msr_bitmap_traps(msr, 0xc0000101, true));
	CHECK(msr_bitmap_allow_range(msr, 0x200, 0x20f, false, true) == 0);
	CHECK(msr_bitmap_traps(msr, 0x200, false));
	CHECK(!msr_bitmap_traps(msr, 0x20f, true));
	CHECK(msr_bitmap_traps(msr, 0x210, true));
	CHECK(msr_bitmap_allow_range(msr, 0, 0x1fff, true, true) == 0);
	CHECK(all_bytes_are(msr, 1024, 0x00));
	CHECK(all_bytes_are(msr + 2048, 1024, 0x00));
}

static void msr_ranges_leaving_a_covered_range_change_nothing(void)
{
	msr_bitmap_trap_all(msr);
	CHECK(msr_bitmap_allow_range(msr, 0x1ff0, 0x2000, true, true) == -EINVAL);
	CHECK(msr_bitmap_allow_range(msr, 0x1000, 0xc0000010, true, true) == -EINVAL);
	CHECK(msr_bitmap_allow_range(msr, 0xbffffff0, 0xc0000010, true, true) == -EINVAL);
	CHECK(msr_bitmap_allow_range(msr, 0xc0001ff0, 0xc0002000, true, true) == -EINVAL);
	CHECK(msr_bitmap_allow_range(msr, 0x20, 0x10, true, true) == -EINVAL);
	CHECK(all_bytes_are(msr, sizeof(msr), 0xff));
	CHECK(msr_bitmap_allow_range(msr, 0xc0001fff, 0xc0001fff, true, true) == 0);
	CHECK(!msr_bitmap_traps(msr, 0xc0001fff, true));
}

int main(void)
{
	RUN(io_trap_all_traps_every_port);
	RUN(io_ports_at_the_edges_of_bitmaps_a_and_b);
	RUN(io_range_crossing_from_a_into_b);
	RUN(io_trap_takes_ports_back);
	RUN(io_regions_past_0xffff_are_refused);
	RUN(io_bitmap_of_a_cell_view);
	RUN(io_bitmap_of_a_cell_passes_the_pm_timer);
	RUN(msr_trap_all_traps_reads_and_writes);
	RUN(msr_reads_and_writes_are_independent);
	RUN(msr_edges_of_the_low_and_high_ranges);
	RUN(msrs_outside_both_ranges_always_trap);
	RUN(msr_ranges);
	RUN(msr_ranges_leaving_a_covered_range_change_nothing);
	return unit_report("unit bitmaps");
}
