// SPDX-License-Identifier: GPL-2.0
/* bulkhead latency: what the cell and the root cell paid during a run, from the exit statistics and the longest holds. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulkhead.h"
#include "latency.h"

/* Where each CPU is at the time of a snapshot. */
enum place { ROOT, THIS_CELL, OTHER_CELL };

struct places {
	unsigned char cpu[LATENCY_MAX_CPUS];
};

static struct latency_exit *exit_entry(struct latency_exits *exits, unsigned int reason,
				       const char *name)
{
	size_t i;

	for (i = 0; i < exits->count; i++)
		if (exits->reasons[i].reason == reason)
			return &exits->reasons[i];
	if (exits->count == LATENCY_EXIT_REASONS)
		return NULL;
	memset(&exits->reasons[exits->count], 0, sizeof(exits->reasons[0]));
	exits->reasons[exits->count].reason = reason;
	snprintf(exits->reasons[exits->count].name, LATENCY_EXIT_NAME, "%s", name);
	return &exits->reasons[exits->count++];
}

/* Adds one statistics line to the cell's or the root's sums; other cells' CPUs are left out. */
static bool add_exit_line(struct latency_costs *costs, const struct places *places, char *line)
{
	struct exit_stat stat;
	struct latency_exit *entry;

	if (line[strspn(line, " \t\r\n")] == '\0')
		return true;
	if (!parse_exit_line(line, &stat) || stat.cpu >= LATENCY_MAX_CPUS)
		return false;
	if (places->cpu[stat.cpu] == OTHER_CELL)
		return true;
	entry = exit_entry(places->cpu[stat.cpu] == THIS_CELL ? &costs->cell : &costs->root,
			   stat.reason, stat.name);
	if (!entry)
		return false;
	entry->count += stat.count;
	if (stat.max_cycles > entry->max_cycles)
		entry->max_cycles = stat.max_cycles;
	return true;
}

/* The whole of sysfs @file, which may be longer than a page; NULL after printing why. */
static char *read_text(const char *file)
{
	char path[SYSFS_PATH_SIZE], *text = NULL;
	FILE *stream = open_sysfs(file, path, sizeof(path));
	size_t capacity = 0;

	if (!stream)
		return NULL;
	if (getdelim(&text, &capacity, '\0', stream) < 0) {
		free(text);
		text = ferror(stream) ? NULL : strdup("");
	}
	if (!text)
		fail(EXIT_FAILURE, "cannot read %s: %s", path, strerror(errno ? errno : ENOMEM));
	fclose(stream);
	return text;
}

static bool add_hold_line(struct latency_costs *costs, const struct places *places, char *line)
{
	uint64_t hypercall, hold;
	unsigned int cpu;

	if (!parse_longest_line(line, &cpu, &hypercall, &hold) || cpu >= LATENCY_MAX_CPUS)
		return false;
	if (places->cpu[cpu] == ROOT && (!costs->has_hold || hold > costs->hold_us)) {
		costs->hold_us = hold;
		costs->hold_cpu = cpu;
		costs->has_hold = true;
	}
	return true;
}

typedef bool (*line_parser)(struct latency_costs *costs, const struct places *places,
			    char *line);

/* Hands each line of @text to @parse; "sysfs NAME line N: malformed ..." when one does not parse. */
static int parse_lines(struct latency_costs *costs, const struct places *places,
		       const char *text, const char *name, const char *format, line_parser parse)
{
	char *copy = strdup(text), *line, *save = NULL;
	unsigned int number = 0;
	int err = 0;

	if (!copy)
		return fail(EXIT_FAILURE, "out of memory");
	for (line = strtok_r(copy, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save))
		if (number++, !parse(costs, places, line))
			err = fail(EXIT_FAILURE, "sysfs %s line %u: malformed; expected '%s'", name,
				   number, format);
	free(copy);
	return err;
}

/* Sums the texts of @costs up by @places: the cell's exits, the root's, the longest root hold. */
static int tally(struct latency_costs *costs, const struct places *places)
{
	int err;

	costs->cell.count = costs->root.count = 0;
	costs->hold_us = 0;
	costs->has_hold = false;
	err = parse_lines(costs, places, costs->statistics, "statistics",
			  "CPU REASON NAME COUNT TOTAL_CYCLES MAX_CYCLES", add_exit_line);
	if (!err)
		err = parse_lines(costs, places, costs->longest, "longest",
				  "CPU HYPERCALL_US HOLD_US", add_hold_line);
	return err;
}

/* Marks the CPUs of cell @name (a directory in <sysfs>/cells) as @place. */
static int mark_cell(struct places *places, const char *name, unsigned char place)
{
	static struct cpu_set set;
	char relative[300], path[SYSFS_PATH_SIZE], list[CPU_LIST_SIZE] = "";
	unsigned int cpu;
	size_t i;
	FILE *file;

	snprintf(relative, sizeof(relative), "cells/%s/cpus_assigned_list", name);
	file = open_sysfs(relative, path, sizeof(path));
	if (!file)
		return EXIT_FAILURE;
	if (!fgets(list, sizeof(list), file))
		list[0] = '\0';
	fclose(file);
	list[strcspn(list, "\n")] = '\0';
	if (!parse_cpu_list(list, &set))
		return fail(EXIT_FAILURE, "%s: '%s' is no CPU list", path, list);
	for (i = 0; i < set.count; i++)
		for (cpu = set.ranges[i].first; cpu <= set.ranges[i].last; cpu++)
			if (cpu < LATENCY_MAX_CPUS)
				places->cpu[cpu] = place;
	return 0;
}

/* Every cell's CPUs: the root cell's CPUs are the others. */
static int read_places(struct places *places, unsigned int id)
{
	char path[SYSFS_PATH_SIZE], own[16];
	struct dirent *entry;
	DIR *cells;
	int err = 0;

	memset(places, ROOT, sizeof(*places));
	snprintf(own, sizeof(own), "%u", id);
	if (sysfs_path(path, sizeof(path), "cells"))
		return EXIT_FAILURE;
	cells = opendir(path);
	if (!cells)
		return fail_sysfs(path, errno);
	while (!err && (entry = readdir(cells)))
		if (entry->d_name[0] != '.')
			err = mark_cell(places, entry->d_name,
					strcmp(entry->d_name, own) ? OTHER_CELL : THIS_CELL);
	closedir(cells);
	return err;
}

/*
 * The exits of the cell's CPUs and of the root cell's (the CPUs in no cell
 * now) per reason, and the longest hold of a root CPU: all since enable.
 * With @before, taken earlier, that is summed up again by the CPUs' places
 * now, so that a CPU that joined or left a cell meanwhile is on the same
 * side in both.
 */
int latency_read_costs(unsigned int id, struct latency_costs *costs,
		       struct latency_costs *before)
{
	static struct places places;
	int err = read_places(&places, id);

	latency_free_costs(costs);
	if (!err) {
		costs->statistics = read_text("statistics");
		costs->longest = read_text("longest");
		err = costs->statistics && costs->longest ? 0 : EXIT_FAILURE;
	}
	if (!err)
		err = tally(costs, &places);
	if (!err && before)
		err = tally(before, &places);
	return err;
}

void latency_free_costs(struct latency_costs *costs)
{
	free(costs->statistics);
	free(costs->longest);
	memset(costs, 0, sizeof(*costs));
}

static const struct latency_exit *find_exit(const struct latency_exits *exits,
					    unsigned int reason)
{
	size_t i;

	for (i = 0; i < exits->count; i++)
		if (exits->reasons[i].reason == reason)
			return &exits->reasons[i];
	return NULL;
}

/* Exits of one reason during the run: the count, and whether its longest grew meanwhile. */
static void exit_during(const struct latency_exits *before, const struct latency_exit *after,
			uint64_t *count, bool *longest_now)
{
	const struct latency_exit *then = find_exit(before, after->reason);

	*count = after->count - (then ? then->count : 0);
	*longest_now = !then || after->max_cycles > then->max_cycles;
}

/* How many exits the cell's CPUs made between go and the last sample. */
uint64_t latency_exits_during(const struct latency_run *run)
{
	uint64_t total = 0, count;
	bool longest_now;
	size_t i;

	for (i = 0; i < run->after.cell.count; i++) {
		exit_during(&run->before.cell, &run->after.cell.reasons[i], &count, &longest_now);
		total += count;
	}
	return total;
}

uint64_t latency_exits_before(const struct latency_run *run)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < run->before.cell.count; i++)
		total += run->before.cell.reasons[i].count;
	return total;
}

/* Microseconds at the TSC rate the inmate measured. */
static double cycles_us(const struct latency_run *run, uint64_t cycles)
{
	return run->page.tsc_khz ? (double)cycles * 1000.0 / (double)run->page.tsc_khz : 0;
}

/*
 * "12.34 us", or "<= 12.34 us" when that longest was recorded before the
 * run: the statistics keep the longest since enable, so one that did not
 * grow during the run bounds the run's longest from above.
 */
static void print_longest(const struct latency_run *run, const struct latency_exit *entry,
			  bool longest_now, uint64_t count)
{
	char text[40];

	if (!entry)
		snprintf(text, sizeof(text), "-");
	else
		snprintf(text, sizeof(text), "%s%.2f", longest_now && count ? "" : "<= ",
			 cycles_us(run, entry->max_cycles));
	printf(" %10" PRIu64 " %14s", count, text);
}

static void print_reason(const struct latency_run *run, unsigned int reason, const char *name)
{
	const struct latency_exit *cell = find_exit(&run->after.cell, reason);
	const struct latency_exit *root = find_exit(&run->after.root, reason);
	uint64_t count = 0;
	bool longest_now = false;

	printf("  %-20s", name);
	if (cell)
		exit_during(&run->before.cell, cell, &count, &longest_now);
	print_longest(run, cell, longest_now, count);
	count = 0;
	if (root)
		exit_during(&run->before.root, root, &count, &longest_now);
	print_longest(run, root, longest_now, count);
	printf("\n");
}

/* Reasons of the cell first, then the root's that the cell never had. */
static void print_reasons(const struct latency_run *run)
{
	size_t i;

	for (i = 0; i < run->after.cell.count; i++)
		print_reason(run, run->after.cell.reasons[i].reason, run->after.cell.reasons[i].name);
	for (i = 0; i < run->after.root.count; i++)
		if (!find_exit(&run->after.cell, run->after.root.reasons[i].reason))
			print_reason(run, run->after.root.reasons[i].reason,
				     run->after.root.reasons[i].name);
}

static void print_hold(const struct latency_run *run)
{
	if (!run->after.has_hold) {
		printf("Longest hold of a root CPU by management: no root CPU\n");
		return;
	}
	/* With one root CPU, management runs on it: nothing is left to hold. */
	if (!run->after.hold_us) {
		printf("Longest hold of a root CPU by management: 0 us (none held since enable)\n");
		return;
	}
	printf("Longest hold of a root CPU by management: %s%" PRIu64 " us (CPU %u)%s\n",
	       run->after.hold_us > run->before.hold_us ? "" : "<= ", run->after.hold_us,
	       run->after.hold_cpu,
	       run->after.hold_us > run->before.hold_us ? ", during the run" : ", before the run");
}

void latency_report_costs(const struct latency_run *run)
{
	printf("VM exits of the cell's CPUs during the run: %" PRIu64 "\n",
	       latency_exits_during(run));
	printf("Exits during the run and the longest handling per reason (us; \"<=\": that "
	       "longest came before the run):\n");
	printf("  %-20s %10s %14s %10s %14s\n", "reason", "cell exits", "cell longest",
	       "root exits", "root longest");
	print_reasons(run);
	print_hold(run);
}

static void json_side(FILE *out, const char *side, const struct latency_exits *before,
		      const struct latency_exit *entry)
{
	uint64_t count = 0;
	bool longest_now = false;

	if (entry)
		exit_during(before, entry, &count, &longest_now);
	fprintf(out, "\"%s\": {\"count\": %" PRIu64 ", \"max_cycles_since_enable\": %" PRIu64
		", \"max_during_run\": %s}", side, count, entry ? entry->max_cycles : 0,
		longest_now && count ? "true" : "false");
}

static void json_reason(FILE *out, const struct latency_run *run, unsigned int reason,
			const char *name, bool first)
{
	fprintf(out, "%s\"%s\": {\"reason\": %u, ", first ? "" : ",\n   ", name, reason);
	json_side(out, "cell", &run->before.cell, find_exit(&run->after.cell, reason));
	fprintf(out, ", ");
	json_side(out, "root", &run->before.root, find_exit(&run->after.root, reason));
	fprintf(out, "}");
}

/*
 * "exit_costs": per reason, the exits of the cell's and the root's CPUs
 * during the run and the longest handling since enable, with whether that
 * longest came during the run; "root_hold": the longest hold of a root CPU.
 */
void latency_json_costs(FILE *out, const struct latency_run *run)
{
	size_t i, n = 0;

	fprintf(out, "\"exit_costs\": {");
	for (i = 0; i < run->after.cell.count; i++, n++)
		json_reason(out, run, run->after.cell.reasons[i].reason,
			    run->after.cell.reasons[i].name, !n);
	for (i = 0; i < run->after.root.count; i++)
		if (!find_exit(&run->after.cell, run->after.root.reasons[i].reason))
			json_reason(out, run, run->after.root.reasons[i].reason,
				    run->after.root.reasons[i].name, !n++);
	fprintf(out, "},\n \"root_hold\": {\"longest_us\": %" PRIu64 ", \"cpu\": %d, "
		"\"during_run\": %s}", run->after.hold_us,
		run->after.has_hold ? (int)run->after.hold_cpu : -1,
		run->after.hold_us > run->before.hold_us ? "true" : "false");
}
