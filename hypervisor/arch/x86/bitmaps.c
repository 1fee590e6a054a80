// SPDX-License-Identifier: GPL-2.0
/* I/O and MSR bitmaps: everything exits except what a cell's config lets through. */
#include <asm/bitmaps.h>

#if defined(__KERNEL__)
#include <linux/errno.h>
#include <linux/string.h>
#define trace_error(code) (code)
#elif defined(BULKHEAD_HYPERVISOR)
#include <bulkhead-hv/errno.h>
void *memset(void *destination, int value, size_t size);
#else
#include <errno.h>
#include <string.h>
/* Only the hypervisor records where an error was raised. */
#define trace_error(code) (code)
#endif

/* Byte offsets of the four 1 KiB quarters of the MSR bitmap; SDM Vol. 3C, 24.6.9. */
#define MSR_BITMAP_READ_LOW	0U
#define MSR_BITMAP_READ_HIGH	1024U
#define MSR_BITMAP_WRITE_LOW	2048U
#define MSR_BITMAP_WRITE_HIGH	3072U
#define MSR_BITMAP_RANGE_SIZE	0x2000U

static void clear_bit(uint8_t *bitmap, uint32_t bit)
{
	bitmap[bit / 8] &= (uint8_t)~(1U << (bit % 8));
}

static bool test_bit(const uint8_t *bitmap, uint32_t bit)
{
	return (bitmap[bit / 8] >> (bit % 8)) & 1;
}

void io_bitmap_trap_all(uint8_t *bitmap)
{
	memset(bitmap, 0xff, IO_BITMAP_SIZE);
}

static bool io_range_ok(uint32_t base, uint32_t length)
{
	return length != 0 && (uint64_t)base + length <= IO_BITMAP_PORTS;
}

/* Lets ports [base, base + length) through; -EINVAL if empty or past 0xffff. */
int io_bitmap_allow(uint8_t *bitmap, uint32_t base, uint32_t length)
{
	uint32_t port;

	if (!io_range_ok(base, length))
		return trace_error(-EINVAL);
	for (port = base; port < base + length; port++)
		clear_bit(bitmap, port);
	return 0;
}

/* Makes ports [base, base + length) exit again; -EINVAL if empty or past 0xffff. */
int io_bitmap_trap(uint8_t *bitmap, uint32_t base, uint32_t length)
{
	uint32_t port;

	if (!io_range_ok(base, length))
		return trace_error(-EINVAL);
	for (port = base; port < base + length; port++)
		bitmap[port / 8] |= (uint8_t)(1U << (port % 8));
	return 0;
}

/*
 * Every port exits except the cell's pio regions.  All regions are checked
 * before the bitmap is touched: -EINVAL leaves it as it was.
 */
int io_bitmap_build(uint8_t *bitmap, const struct config_view *view, uint16_t pm_timer)
{
	const struct bulkhead_pio_region *regions = view->pio_regions;
	uint32_t count = view->cell->num_pio_regions;
	uint32_t i;

	for (i = 0; i < count; i++)
		if (!io_range_ok(regions[i].base, regions[i].length))
			return trace_error(-EINVAL);
	io_bitmap_trap_all(bitmap);
	for (i = 0; i < count; i++)
		io_bitmap_allow(bitmap, regions[i].base, regions[i].length);
	if (pm_timer)
		io_bitmap_allow(bitmap, pm_timer, BULKHEAD_PM_TIMER_PORTS);
	return 0;
}

/* Ports beyond 0xffff do not exist; they count as trapping. */
bool io_bitmap_traps(const uint8_t *bitmap, uint32_t port)
{
	return port >= IO_BITMAP_PORTS || test_bit(bitmap, port);
}

void msr_bitmap_trap_all(uint8_t *bitmap)
{
	memset(bitmap, 0xff, MSR_BITMAP_SIZE);
}

/* Whether the bitmap has a bit for @msr at all. */
static bool msr_covered(uint32_t msr)
{
	return msr <= MSR_BITMAP_LOW_LAST ||
	       (msr >= MSR_BITMAP_HIGH_FIRST && msr <= MSR_BITMAP_HIGH_LAST);
}

/* Bit number of a covered @msr for reads or writes. */
static uint32_t msr_bit(uint32_t msr, bool write)
{
	if (msr <= MSR_BITMAP_LOW_LAST)
		return (write ? MSR_BITMAP_WRITE_LOW : MSR_BITMAP_READ_LOW) * 8 + msr;
	return (write ? MSR_BITMAP_WRITE_HIGH : MSR_BITMAP_READ_HIGH) * 8 +
	       (msr - MSR_BITMAP_HIGH_FIRST);
}

/*
 * Lets reads and/or writes of @msr through; a false argument leaves that
 * direction as it was.  -EINVAL for an MSR the bitmap does not cover.
 */
int msr_bitmap_allow(uint8_t *bitmap, uint32_t msr, bool read, bool write)
{
	if (!msr_covered(msr))
		return trace_error(-EINVAL);
	if (read)
		clear_bit(bitmap, msr_bit(msr, false));
	if (write)
		clear_bit(bitmap, msr_bit(msr, true));
	return 0;
}

/* As msr_bitmap_allow() for [first, last], which must lie within one covered range. */
int msr_bitmap_allow_range(uint8_t *bitmap, uint32_t first, uint32_t last,
			   bool read, bool write)
{
	uint32_t msr;

	if (first > last || !msr_covered(first) || !msr_covered(last) ||
	    last - first >= MSR_BITMAP_RANGE_SIZE)
		return trace_error(-EINVAL);
	for (msr = first; msr <= last; msr++)
		msr_bitmap_allow(bitmap, msr, read, write);
	return 0;
}

/* MSRs the bitmap does not cover always exit. */
bool msr_bitmap_traps(const uint8_t *bitmap, uint32_t msr, bool write)
{
	return !msr_covered(msr) || test_bit(bitmap, msr_bit(msr, write));
}
