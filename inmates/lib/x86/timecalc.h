/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Arithmetic of time: counter rates, conversions without overflow, calibration against the ACPI PM timer. */
#ifndef INMATE_TIMECALC_H
#define INMATE_TIMECALC_H

#include <stdint.h>

/* The ACPI PM timer runs at 3.579545 MHz (ACPI 6.4, 4.8.3.3). */
#define PM_TIMER_HZ		3579545U
/* It is 24 bits wide, or 32 (TMR_VAL_EXT); the low 24 bits serve either way. */
#define PM_TIMER_MASK		0xffffffU

/*
 * VALUE * MULTIPLIER / DIVISOR without a 128-bit product, for MULTIPLIER
 * and DIVISOR below 2^32 and a result below 2^64 (which bounds the first
 * product; the second is below 2^64 by the first condition).
 */
static inline uint64_t scale_u64(uint64_t value, uint64_t multiplier, uint64_t divisor)
{
	return value / divisor * multiplier + value % divisor * multiplier / divisor;
}

static inline uint32_t pm_timer_delta(uint32_t from, uint32_t to)
{
	return (to - from) & PM_TIMER_MASK;
}

/* A counter's rate in kHz from COUNTS it advanced while the PM timer advanced PM_TICKS (< 2^22). */
static inline uint32_t khz_from_pm_ticks(uint64_t counts, uint32_t pm_ticks)
{
	uint64_t khz;

	/* At this many counts per tick the rate is above 2^32 kHz already. */
	if (counts / pm_ticks >= UINT32_MAX / (PM_TIMER_HZ / 1000))
		return UINT32_MAX;
	khz = scale_u64(counts, PM_TIMER_HZ, (uint64_t)pm_ticks * 1000);
	return khz > UINT32_MAX ? UINT32_MAX : (uint32_t)khz;
}

static inline uint64_t ticks_to_ns(uint64_t ticks, uint32_t khz)
{
	return scale_u64(ticks, 1000000, khz);
}

static inline uint64_t ns_to_ticks(uint64_t ns, uint32_t khz)
{
	return scale_u64(ns, khz, 1000000);
}

/*
 * What calibration reads: the PM timer (raw, any width) and the counter to
 * measure, which must count up (an APIC timer's current count is turned
 * around by its reader).
 */
struct calibration_source {
	uint32_t (*read_pm_timer)(void *context);
	uint64_t (*read_counter)(void *context);
	void *context;
};

/*
 * Reads without a change after which the PM timer counts as stuck.  At
 * 3.58 MHz it changes between any two reads on hardware; Bochs advances it
 * once per microsecond of emulated time, a few reads apart.
 */
#define CALIBRATION_STUCK_READS	100000U

/*
 * The counter's rate in kHz measured over PM_TICKS ticks of the PM timer
 * (at most 2^22), starting at a tick edge.  0 when the PM timer is stuck,
 * or reads all ones at first: a port the cell may not read, which would
 * otherwise cost a VM exit per read until the timer counts as stuck (a
 * 24-bit timer never reads so; a 32-bit one once in 20 minutes).
 */
uint32_t calibrate_khz(const struct calibration_source *source, uint32_t pm_ticks);

#endif
