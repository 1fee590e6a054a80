// SPDX-License-Identifier: GPL-2.0
/* bulkhead latency: the report as text and JSON (the costs of the run: latency-costs.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulkhead.h"
#include "latency.h"

#define BAR_WIDTH	40

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The @per_mille percentile in ns: exact from the samples when the tool saw
 * every one, else the upper edge of the histogram bucket that holds it.
 */
static uint64_t percentile(const struct latency_run *run, const uint32_t *sorted,
			   unsigned int per_mille)
{
	const struct bulkhead_latency *page = &run->page;
	uint64_t rank = (page->samples * per_mille + 999) / 1000, seen = 0, edge;
	unsigned int bucket;

	if (!rank)
		rank = 1;
	if (sorted && run->sample_count == page->samples)
		return sorted[rank - 1];
	for (bucket = 0; bucket < BULKHEAD_LATENCY_BUCKETS; bucket++) {
		seen += page->histogram[bucket];
		if (seen >= rank)
			break;
	}
	edge = (uint64_t)(bucket + 1) * page->bucket_ns;
	return edge < page->max_ns ? edge : page->max_ns;
}

struct figures {
	uint64_t min, avg, p99, p999, max;
};

static void compute(const struct latency_run *run, struct figures *figures)
{
	const struct bulkhead_latency *page = &run->page;
	uint32_t *sorted = NULL;

	if (run->sample_count == page->samples && page->samples) {
		sorted = malloc(run->sample_count * sizeof(*sorted));
		if (sorted) {
			memcpy(sorted, run->samples, run->sample_count * sizeof(*sorted));
			qsort(sorted, run->sample_count, sizeof(*sorted), compare_u32);
		}
	}
	figures->min = page->samples ? page->min_ns : 0;
	figures->avg = page->samples ? page->sum_ns / page->samples : 0;
	figures->p99 = percentile(run, sorted, 990);
	figures->p999 = percentile(run, sorted, 999);
	figures->max = page->max_ns;
	free(sorted);
}

/* Bits needed for @value: the bar length of a count on a log scale. */
static unsigned int bits(uint64_t value)
{
	return value ? 64 - (unsigned int)__builtin_clzll(value) : 0;
}

/*
 * With many buckets used, histogram rows of doubling width, counted in
 * buckets: 0-1, 1-2, 2-4 ... 512-1023; row N holds the buckets N bits long.
 * The last bucket (everything longer) has a row of its own.
 */
#define ROWS	11
_Static_assert(BULKHEAD_LATENCY_BUCKETS == 1 << (ROWS - 1), "histogram rows cover the buckets");

static unsigned int row_of(unsigned int bucket)
{
	unsigned int row = bits(bucket);

	return row < ROWS ? row : ROWS - 1;
}

static void print_row(uint64_t low, uint64_t high, bool last, uint64_t count, uint64_t most)
{
	char range[48];
	unsigned int length = most ? BAR_WIDTH * bits(count) / bits(most) : 0;

	if (last)
		snprintf(range, sizeof(range), ">= %.2f us", (double)low / 1000);
	else
		snprintf(range, sizeof(range), "%.2f-%.2f us", (double)low / 1000,
			 (double)high / 1000);
	printf("  %-18s %10" PRIu64 " %.*s\n", range, count, (int)length,
	       "########################################");
}

/* Few buckets used: one row each, as the inmate keeps them. */
#define FINE_ROWS	16

static unsigned int buckets_used(const struct bulkhead_latency *page, uint64_t *most)
{
	unsigned int bucket, used = 0;

	*most = 0;
	for (bucket = 0; bucket < BULKHEAD_LATENCY_BUCKETS; bucket++) {
		used += page->histogram[bucket] != 0;
		*most = page->histogram[bucket] > *most ? page->histogram[bucket] : *most;
	}
	return used;
}

static void print_fine_histogram(const struct bulkhead_latency *page, uint64_t most)
{
	unsigned int bucket;

	for (bucket = 0; bucket + 1 < BULKHEAD_LATENCY_BUCKETS; bucket++)
		if (page->histogram[bucket])
			print_row((uint64_t)bucket * page->bucket_ns,
				  (uint64_t)(bucket + 1) * page->bucket_ns, false,
				  page->histogram[bucket], most);
}

static void print_coarse_histogram(const struct bulkhead_latency *page)
{
	uint64_t rows[ROWS] = { 0 }, most = 0;
	unsigned int bucket, row;

	for (bucket = 0; bucket + 1 < BULKHEAD_LATENCY_BUCKETS; bucket++)
		rows[row_of(bucket)] += page->histogram[bucket];
	for (row = 0; row < ROWS; row++)
		most = rows[row] > most ? rows[row] : most;
	if (page->histogram[BULKHEAD_LATENCY_BUCKETS - 1] > most)
		most = page->histogram[BULKHEAD_LATENCY_BUCKETS - 1];
	for (row = 0; row < ROWS; row++) {
		uint64_t low = row ? (1ULL << (row - 1)) : 0;
		uint64_t high = row + 1 < ROWS ? 1ULL << row : BULKHEAD_LATENCY_BUCKETS - 1;

		if (rows[row])
			print_row(low * page->bucket_ns, high * page->bucket_ns, false, rows[row],
				  most);
	}
}

static void print_histogram(const struct bulkhead_latency *page)
{
	const uint32_t longer = page->histogram[BULKHEAD_LATENCY_BUCKETS - 1];
	uint64_t most;

	printf("Histogram (bars on a log scale):\n");
	if (buckets_used(page, &most) <= FINE_ROWS)
		print_fine_histogram(page, most);
	else
		print_coarse_histogram(page);
	if (longer)
		print_row((uint64_t)(BULKHEAD_LATENCY_BUCKETS - 1) * page->bucket_ns, 0, true,
			  longer, most);
}

void latency_report(const struct latency_run *run)
{
	const struct bulkhead_latency *page = &run->page;
	struct figures figures;

	compute(run, &figures);
	printf("Latency of cell \"%s\" on CPU %u: %" PRIu64 " samples, one every %" PRIu64
	       " us, in %.1f s\n", run->cell_name, page->apic_id, page->samples,
	       page->period_ns / 1000, run->seconds);
	printf("  min %.2f us, avg %.2f us, p99 %.2f us, p99.9 %.2f us, max %.2f us "
	       "(sample %" PRIu64 ")\n", (double)figures.min / 1000, (double)figures.avg / 1000,
	       (double)figures.p99 / 1000, (double)figures.p999 / 1000,
	       (double)figures.max / 1000, page->max_sample);
	if (page->skipped)
		printf("  %" PRIu64 " deadlines skipped: they had passed when their turn came "
		       "(pollution, or a sample, took longer than the period)\n", page->skipped);
	if (run->sample_count != page->samples)
		printf("  (percentiles from the histogram: %" PRIu64 " samples passed unseen)\n",
		       run->samples_missed);
	print_histogram(page);
	latency_report_costs(run);
}

static void json_exits(FILE *out, const struct latency_run *run)
{
	size_t i;

	fprintf(out, "\"exits_before_run\": %" PRIu64 ", \"exits_during_run\": %" PRIu64
		", \"exits\": {", latency_exits_before(run), latency_exits_during(run));
	for (i = 0; i < run->after.cell.count; i++) {
		const struct latency_exit *entry = &run->after.cell.reasons[i];
		uint64_t before = 0;
		size_t j;

		for (j = 0; j < run->before.cell.count; j++)
			if (run->before.cell.reasons[j].reason == entry->reason)
				before = run->before.cell.reasons[j].count;
		fprintf(out, "%s\"%s\": {\"reason\": %u, \"count\": %" PRIu64
			", \"max_cycles_since_enable\": %" PRIu64 "}", i ? ", " : "", entry->name,
			entry->reason, entry->count - before, entry->max_cycles);
	}
	fprintf(out, "},\n ");
	latency_json_costs(out, run);
}

static void json_array(FILE *out, const char *name, const uint32_t *values, size_t count)
{
	size_t i;

	fprintf(out, "\"%s\": [", name);
	for (i = 0; i < count; i++)
		fprintf(out, "%s%u", i ? (i % 16 ? ", " : ",\n  ") : "", values[i]);
	fprintf(out, "]");
}

static void json_figures(FILE *out, const struct latency_run *run)
{
	const struct bulkhead_latency *page = &run->page;
	struct figures figures;

	compute(run, &figures);
	fprintf(out, "{\"cell\": \"%s\", \"cpu\": %u, \"timer\": \"%s\", \"period_ns\": %" PRIu64
		", \"samples\": %" PRIu64 ", \"pollute_kib\": %" PRIu64 ", \"seconds\": %.3f,\n",
		run->cell_name, page->apic_id,
		page->timer_mode == BULKHEAD_LATENCY_TSC_DEADLINE ? "tsc-deadline" : "one-shot",
		page->period_ns, page->samples, page->pollute_kib, run->seconds);
	fprintf(out, " \"min_ns\": %" PRIu64 ", \"avg_ns\": %" PRIu64 ", \"p99_ns\": %" PRIu64
		", \"p999_ns\": %" PRIu64 ", \"max_ns\": %" PRIu64 ", \"max_sample\": %" PRIu64
		", \"bucket_ns\": %u, \"samples_unseen\": %" PRIu64 ", \"deadlines_skipped\": %"
		PRIu64 ",\n ", figures.min, figures.avg, figures.p99, figures.p999, figures.max,
		page->max_sample, page->bucket_ns, run->samples_missed, page->skipped);
	json_exits(out, run);
	fprintf(out, ",\n ");
	json_array(out, "histogram", page->histogram, BULKHEAD_LATENCY_BUCKETS);
	fprintf(out, ",\n ");
	json_array(out, "latency_ns", run->samples, run->sample_count);
	fprintf(out, "}\n");
}

/*
 * The figures, the histogram and every sample seen, in order, as JSON.  The
 * cell name is printable ASCII (common/config.c) with quotes and
 * backslashes replaced (latency.c), so it needs no escaping.
 */
int latency_write_json(const struct latency_run *run, const char *path)
{
	FILE *out = fopen(path, "w");
	int err;

	if (!out)
		return fail(EXIT_FAILURE, "cannot write '%s': %s", path, strerror(errno));
	json_figures(out, run);
	err = ferror(out);
	if (fclose(out) || err)
		return fail(EXIT_FAILURE, "cannot write '%s': %s", path, strerror(errno ? errno : EIO));
	printf("Results written to %s\n", path);
	return 0;
}
