// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TSC rate from the ACPI PM timer (never from CPUID), TSC and PM-timer time, busy delays. */
#include "lib.h"

/* 20 ms of PM timer: the TSC rate to within about 30 ppm plus read jitter. */
#define TSC_CALIBRATION_PM_TICKS	(PM_TIMER_HZ / 50)
/* Assumed when nothing better is known; printed as a guess. */
#define TSC_GUESS_KHZ			1000000

/* Set by timing_init; bss, so a restart without a new load begins afresh. */
uint32_t tsc_khz;
static enum tsc_source source;
static uint16_t pm_port;

static struct spinlock pm_lock;
static uint32_t pm_last;
static uint64_t pm_ticks;

static uint32_t read_pm_port(void *context)
{
	(void)context;
	return inl(pm_port);
}

static uint64_t read_tsc(void *context)
{
	(void)context;
	return rdtsc();
}

/*
 * Prefers a measurement against the PM timer; when the cell cannot read
 * the PM timer (no port, or reads that never change) falls back to what
 * the hypervisor measured and put in the comm region.
 */
void timing_init(void)
{
	const struct calibration_source pm_source = {
		.read_pm_timer = read_pm_port,
		.read_counter = read_tsc,
	};
	uint32_t khz = 0;

	tsc_khz = TSC_GUESS_KHZ;
	source = TSC_SOURCE_GUESS;
	if (comm_region_valid())
		pm_port = comm_region->pm_timer_address;
	pm_port = (uint16_t)cmdline_parse_int("pm-timer", pm_port);
	if (pm_port)
		khz = calibrate_khz(&pm_source, TSC_CALIBRATION_PM_TICKS);
	if (khz) {
		tsc_khz = khz;
		source = TSC_SOURCE_PM_TIMER;
		pm_last = inl(pm_port) & PM_TIMER_MASK;
		return;
	}
	pm_port = 0;
	if (comm_region_valid() && comm_region->tsc_khz) {
		tsc_khz = comm_region->tsc_khz;
		source = TSC_SOURCE_COMM_REGION;
	}
}

enum tsc_source tsc_rate_source(void)
{
	return source;
}

const char *tsc_rate_source_name(void)
{
	switch (source) {
	case TSC_SOURCE_PM_TIMER: return "calibrated against the PM timer";
	case TSC_SOURCE_COMM_REGION: return "from the comm region, PM timer unusable";
	case TSC_SOURCE_GUESS: break;
	}
	return "guessed, no PM timer and no rate in the comm region";
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	return ticks_to_ns(ticks, tsc_khz);
}

uint64_t ns_to_tsc(uint64_t ns)
{
	return ns_to_ticks(ns, tsc_khz);
}

void delay_us(uint64_t microseconds)
{
	uint64_t end = rdtsc() + ns_to_tsc(microseconds * 1000);

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}

uint16_t pm_timer_port(void)
{
	return pm_port;
}

uint64_t pm_timer_read(void)
{
	uint32_t now;
	uint64_t ticks;

	if (!pm_port)
		return 0;
	spin_lock(&pm_lock);
	now = inl(pm_port) & PM_TIMER_MASK;
	pm_ticks += pm_timer_delta(pm_last, now);
	pm_last = now;
	ticks = pm_ticks;
	spin_unlock(&pm_lock);
	return ticks;
}

uint64_t pm_timer_ns(void)
{
	return scale_u64(pm_timer_read(), 1000000000, PM_TIMER_HZ);
}
