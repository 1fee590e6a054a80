// SPDX-License-Identifier: GPL-2.0
/* Prints bulkhead latency's report of a made-up run from two sysfs snapshots, for test_cli_latency.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/bulkhead.h"
#include "../../tools/latency.h"

static const uint32_t samples[] = { 700, 720, 700, 780 };

/* Four samples of 0.70 to 0.78 us on a 50 MHz TSC, one every 500 us. */
static void made_up_page(struct latency_run *run)
{
	struct bulkhead_latency *page = &run->page;
	size_t i;

	page->apic_id = 1;
	page->tsc_khz = 50000;
	page->period_ns = 500000;
	page->bucket_ns = 100;
	page->timer_mode = BULKHEAD_LATENCY_TSC_DEADLINE;
	page->samples = page->samples_wanted = 4;
	page->min_ns = 700;
	page->max_ns = 780;
	page->max_sample = 3;
	for (i = 0; i < 4; i++) {
		page->sum_ns += samples[i];
		page->histogram[samples[i] / 100]++;
	}
	run->samples = (uint32_t *)samples;
	run->sample_count = 4;
	run->seconds = 0.002;
	run->cell_name = "latency";
}

static int snapshot(const char *sysfs, unsigned int id, struct latency_costs *costs,
		    struct latency_costs *before)
{
	setenv("BULKHEAD_SYSFS", sysfs, 1);
	return latency_read_costs(id, costs, before);
}

/* BEFORE_SYSFS AFTER_SYSFS CELL_ID JSON_FILE */
int main(int argc, char **argv)
{
	static struct latency_run run;
	unsigned int id;

	if (argc != 5) {
		fprintf(stderr, "usage: %s BEFORE_SYSFS AFTER_SYSFS CELL_ID JSON_FILE\n", argv[0]);
		return 2;
	}
	id = (unsigned int)strtoul(argv[3], NULL, 10);
	made_up_page(&run);
	if (snapshot(argv[1], id, &run.before, NULL) ||
	    snapshot(argv[2], id, &run.after, &run.before))
		return 1;
	latency_report(&run);
	return latency_write_json(&run, argv[4]);
}
