// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Measuring a counter's rate against the ACPI PM timer; pure code, also built into the host unit tests. */
#include <stdbool.h>

#include "timecalc.h"

static uint32_t read_pm(const struct calibration_source *source)
{
	return source->read_pm_timer(source->context) & PM_TIMER_MASK;
}

/* Waits for the PM timer to move away from *VALUE; false if it never does. */
static bool wait_for_pm_change(const struct calibration_source *source, uint32_t *value)
{
	uint32_t reads, now;

	for (reads = 0; reads < CALIBRATION_STUCK_READS; reads++) {
		now = read_pm(source);
		if (now != *value) {
			*value = now;
			return true;
		}
	}
	return false;
}

uint32_t calibrate_khz(const struct calibration_source *source, uint32_t pm_ticks)
{
	uint32_t start, now, elapsed = 0;
	uint64_t counter_start, counter_end;

	if (pm_ticks == 0 || pm_ticks > (1U << 22))
		return 0;
	start = source->read_pm_timer(source->context);
	if (start == UINT32_MAX)
		return 0;
	start &= PM_TIMER_MASK;
	if (!wait_for_pm_change(source, &start))
		return 0;
	counter_start = source->read_counter(source->context);
	now = start;
	while (elapsed < pm_ticks) {
		if (!wait_for_pm_change(source, &now))
			return 0;
		elapsed = pm_timer_delta(start, now);
	}
	counter_end = source->read_counter(source->context);
	return khz_from_pm_ticks(counter_end - counter_start, elapsed);
}
