// SPDX-License-Identifier: GPL-2.0
/* Host tests of the inmate library's time arithmetic and its calibration against a simulated ACPI PM timer. */
#include <string.h>

#include "../../inmates/lib/x86/calibrate.c"

#include "unit.h"

/*
 * A simulated machine: every PM timer read costs READ_NS of time; the PM
 * timer and the measured counter follow that time at their rates.
 */
struct machine {
	uint64_t now_ns;
	uint64_t read_ns;
	uint64_t counter_khz;
	uint32_t pm_offset;	/* PM timer value at time 0 */
	uint32_t pm_width_mask;	/* 0xffffff or 0xffffffff */
	bool stuck;		/* the port reads STUCK_VALUE */
	uint32_t stuck_value;
	unsigned int pm_reads;
};

static uint32_t machine_read_pm(void *context)
{
	struct machine *machine = context;

	machine->now_ns += machine->read_ns;
	machine->pm_reads++;
	if (machine->stuck)
		return machine->stuck_value;
	return (uint32_t)(machine->pm_offset +
			  (uint64_t)((unsigned __int128)machine->now_ns * PM_TIMER_HZ / 1000000000)) &
	       machine->pm_width_mask;
}

static uint64_t machine_read_counter(void *context)
{
	struct machine *machine = context;

	return (uint64_t)((unsigned __int128)machine->now_ns * machine->counter_khz / 1000000);
}

static uint32_t calibrate(struct machine *machine, uint32_t pm_ticks)
{
	const struct calibration_source source = {
		.read_pm_timer = machine_read_pm,
		.read_counter = machine_read_counter,
		.context = machine,
	};

	return calibrate_khz(&source, pm_ticks);
}

/* Within PPM parts per million of the truth. */
static bool close_to(uint32_t measured, uint64_t truth, uint64_t ppm)
{
	uint64_t difference = measured > truth ? measured - truth : truth - measured;

	return difference * 1000000 <= truth * ppm;
}

static void test_calibrates_rates(void)
{
	static const uint64_t rates[] = { 50000, 1000000, 2112345, 3500000, 5000000 };
	size_t n;

	for (n = 0; n < sizeof(rates) / sizeof(rates[0]); n++) {
		struct machine machine = {
			.read_ns = 700, .counter_khz = rates[n], .pm_width_mask = 0xffffff,
		};
		uint32_t khz = calibrate(&machine, PM_TIMER_HZ / 50);

		CHECK(close_to(khz, rates[n], 100));
		if (!close_to(khz, rates[n], 100))
			fprintf(stderr, "    %lu kHz measured as %u\n", (unsigned long)rates[n], khz);
	}
}

/* The 24-bit counter wraps during the measurement; a 32-bit one carries on. */
static void test_wraps(void)
{
	struct machine narrow = {
		.read_ns = 300, .counter_khz = 2000000, .pm_offset = 0xfff000,
		.pm_width_mask = 0xffffff,
	};
	struct machine wide = {
		.read_ns = 300, .counter_khz = 2000000, .pm_offset = 0xfffff000,
		.pm_width_mask = 0xffffffff,
	};

	CHECK(close_to(calibrate(&narrow, PM_TIMER_HZ / 50), 2000000, 100));
	CHECK(close_to(calibrate(&wide, PM_TIMER_HZ / 50), 2000000, 100));
}

/* Slow reads (an emulator, a trapped port) still measure right; many reads per tick too. */
static void test_read_speeds(void)
{
	struct machine slow = { .read_ns = 25000, .counter_khz = 1500000, .pm_width_mask = 0xffffff };
	struct machine fast = { .read_ns = 20, .counter_khz = 1500000, .pm_width_mask = 0xffffff };

	CHECK(close_to(calibrate(&slow, PM_TIMER_HZ / 50), 1500000, 1500));
	CHECK(close_to(calibrate(&fast, PM_TIMER_HZ / 50), 1500000, 100));
}

/* A timer that never moves is given up after a bounded number of reads. */
static void test_stuck_timer(void)
{
	struct machine machine = {
		.read_ns = 500, .counter_khz = 2000000, .pm_width_mask = 0xffffff, .stuck = true,
		.stuck_value = 0x123456,
	};

	CHECK(calibrate(&machine, PM_TIMER_HZ / 50) == 0);
	CHECK(machine.pm_reads == CALIBRATION_STUCK_READS + 1);
}

/* All ones at the first read: a port the cell may not read; one read, no more. */
static void test_unreadable_port(void)
{
	struct machine machine = {
		.read_ns = 500, .counter_khz = 2000000, .pm_width_mask = 0xffffff, .stuck = true,
		.stuck_value = 0xffffffff,
	};

	CHECK(calibrate(&machine, PM_TIMER_HZ / 50) == 0);
	CHECK(machine.pm_reads == 1);
}

static void test_bad_request(void)
{
	struct machine machine = { .read_ns = 500, .counter_khz = 1, .pm_width_mask = 0xffffff };

	CHECK(calibrate(&machine, 0) == 0);
	CHECK(calibrate(&machine, (1U << 22) + 1) == 0);
	CHECK(machine.pm_reads == 0);
}

static uint64_t reference_scale(uint64_t value, uint64_t multiplier, uint64_t divisor)
{
	return (uint64_t)((unsigned __int128)value * multiplier / divisor);
}

static void test_conversions(void)
{
	static const uint64_t values[] = {
		0, 1, 999, 1000000, 123456789, 3500000000ULL, 1ULL << 40, 86400ULL * 1000000000,
	};
	static const uint32_t rates[] = { 1, 50000, 2112345, 3500000, 0xffffffff };
	size_t v, r;

	for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
			CHECK(ticks_to_ns(values[v], rates[r]) ==
			      reference_scale(values[v], 1000000, rates[r]));
			if (values[v] <= 86400ULL * 1000000000 / 4)
				CHECK(ns_to_ticks(values[v], rates[r]) ==
				      reference_scale(values[v], rates[r], 1000000));
		}
	}
	CHECK(ticks_to_ns(3500000000ULL, 3500000) == 1000000000);
	CHECK(ns_to_ticks(100000000, 50000) == 5000000);
	CHECK(pm_timer_delta(0xfffffe, 0x000001) == 3);
	CHECK(pm_timer_delta(0x12fffffe, 0x13000001) == 3);
	/* 20 ms of a 2 GHz counter against 71590 ticks (19.99981 ms): 2000025 kHz. */
	CHECK(khz_from_pm_ticks(2000000ULL * 20, PM_TIMER_HZ / 50) == 2000025);
	CHECK(khz_from_pm_ticks(UINT64_MAX, 1) == UINT32_MAX);
	CHECK(khz_from_pm_ticks(UINT64_MAX, 1U << 22) == UINT32_MAX);
	CHECK(khz_from_pm_ticks(0, 1) == 0);
}

int main(void)
{
	RUN(test_calibrates_rates);
	RUN(test_wraps);
	RUN(test_read_speeds);
	RUN(test_stuck_timer);
	RUN(test_unreadable_port);
	RUN(test_bad_request);
	RUN(test_conversions);
	return unit_report("inmate time");
}
