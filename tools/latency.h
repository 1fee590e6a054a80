/* SPDX-License-Identifier: GPL-2.0 */
/* bulkhead latency: what the run (latency.c) hands to the report (latency-report.c). */
#ifndef BULKHEAD_TOOL_LATENCY_H
#define BULKHEAD_TOOL_LATENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <bulkhead/latency.h>

/* Distinct exit reasons one cell's statistics may list; more is an error. */
#define LATENCY_EXIT_REASONS	128
#define LATENCY_EXIT_NAME	32

/* One exit reason, summed over the cell's CPUs. */
struct latency_exit {
	unsigned int reason;
	char name[LATENCY_EXIT_NAME];
	uint64_t count;
	uint64_t max_cycles;
};

struct latency_exits {
	size_t count;
	struct latency_exit reasons[LATENCY_EXIT_REASONS];
};

/* CPUs beyond this many are refused in the statistics (latency-costs.c). */
#define LATENCY_MAX_CPUS	4096

/*
 * What the cell and the root cell paid, as sysfs shows it at one moment:
 * per reason, the exits of the cell's CPUs and of the CPUs in no cell, and
 * the longest hold of a CPU in no cell.  Counts and longest times are
 * since enable; the run compares a copy from before with one from after.
 */
struct latency_costs {
	struct latency_exits cell;
	struct latency_exits root;
	uint64_t hold_us;
	unsigned int hold_cpu;
	bool has_hold;
	/* The texts of sysfs statistics and longest they were summed up from. */
	char *statistics;
	char *longest;
};

struct latency_run {
	const char *config;
	const char *image;
	const char *cell_name;
	uint64_t period_us;
	uint64_t samples_wanted;
	uint64_t pollute_kib;
	uint64_t bucket_ns;
	const char *load;
	const char *json;
	const char *plot;
	/* Filled in by the run. */
	struct bulkhead_latency page;	/* the last consistent copy */
	uint32_t *samples;		/* every sample the tool saw, in order */
	size_t sample_count;
	size_t sample_capacity;
	uint64_t samples_missed;	/* overwritten in the ring before the tool read them */
	struct latency_costs before, after;
	double seconds;
	bool completed;
};

void latency_report(const struct latency_run *run);
int latency_write_json(const struct latency_run *run, const char *path);
int latency_plot(const struct latency_run *run);

/* latency-costs.c */
int latency_read_costs(unsigned int id, struct latency_costs *costs,
		       struct latency_costs *before);
void latency_free_costs(struct latency_costs *costs);
uint64_t latency_exits_during(const struct latency_run *run);
uint64_t latency_exits_before(const struct latency_run *run);
void latency_report_costs(const struct latency_run *run);
void latency_json_costs(FILE *out, const struct latency_run *run);

#endif
