// SPDX-License-Identifier: GPL-2.0
/* bulkhead stats and cell stats: VM exits per CPU and exit reason, the hypervisor's events, and the memory pool. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulkhead.h"

/* A statistics line: CPU REASON_NUMBER REASON_NAME COUNT TOTAL_CYCLES MAX_CYCLES. */
#define STAT_FIELDS	6
#define STAT_FORMAT	"'CPU REASON NAME COUNT TOTAL_CYCLES MAX_CYCLES'"
/* The basic exit reason is bits 15:0 of the exit-reason field; SDM Vol. 3C, 24.9.1. */
#define REASON_MAX	0xffff
#define NAME_SIZE	STAT_NAME_SIZE
/* Room for "NAME-REASON", the key of a name two reasons share on one CPU. */
#define KEY_SIZE	(NAME_SIZE + 8)
#define PAGE_KIB	4

/* sysfs longest: the longest hypercall and hold of each CPU, in microseconds. */
#define MAX_LONGEST	256
struct longest {
	unsigned int cpu;
	uint64_t hypercall_us, hold_us;
};

/* sysfs events: what the hypervisor refused, dropped or confined on a CPU, and where its NMIs went. */
#define EVENT_FORMAT	"'CPU NAME COUNT', CPUs in order, each name once per CPU"
struct event {
	unsigned int cpu;
	char name[NAME_SIZE];
	uint64_t count;
};

struct stats {
	struct exit_stat *exits;
	size_t count;
	size_t capacity;
	struct event *events;
	size_t event_count;
	size_t event_capacity;
	bool with_pool;
	uint64_t pool_used;
	uint64_t pool_total;
	struct longest longest[MAX_LONGEST];
	size_t longest_count;
};

/* Sums over one CPU's exits; check_exits() has made sure they fit. */
struct cpu_total {
	uint64_t count;
	uint64_t total_cycles;
	uint64_t max_cycles;
};

/* Names go into JSON unescaped, so only these characters are allowed. */
static bool valid_name(const char *name)
{
	size_t length = strlen(name);

	return length > 0 && length < NAME_SIZE &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
		       length;
}

/* Fills @entry from one statistics line; false when the line is malformed. */
bool parse_exit_line(char *line, struct exit_stat *entry)
{
	char *fields[STAT_FIELDS + 1];
	uint64_t cpu, reason;

	if (split_fields(line, fields, STAT_FIELDS + 1) != STAT_FIELDS)
		return false;
	if (!parse_number(fields[0], &cpu) || cpu > UINT_MAX ||
	    !parse_number(fields[1], &reason) || reason > REASON_MAX || !valid_name(fields[2]) ||
	    !parse_number(fields[3], &entry->count) ||
	    !parse_number(fields[4], &entry->total_cycles) ||
	    !parse_number(fields[5], &entry->max_cycles))
		return false;
	entry->cpu = (unsigned int)cpu;
	entry->reason = (unsigned int)reason;
	strcpy(entry->name, fields[2]);
	return true;
}

/* Room for one more element of *@array (@count used of *@capacity); false when out of memory. */
static bool grow(void **array, size_t *capacity, size_t count, size_t size)
{
	size_t wanted = *capacity ? 2 * *capacity : 128;
	void *bigger;

	if (count < *capacity)
		return true;
	bigger = realloc(*array, wanted * size);
	if (!bigger)
		return false;
	*array = bigger;
	*capacity = wanted;
	return true;
}

static struct exit_stat *new_exit(struct stats *stats)
{
	if (!grow((void **)&stats->exits, &stats->capacity, stats->count, sizeof(*stats->exits)))
		return NULL;
	return &stats->exits[stats->count++];
}

static int add_exit_line(struct stats *stats, char *line, const char *path, unsigned int number)
{
	struct exit_stat *entry;

	if (line[strspn(line, " \t\r\n")] == '\0')
		return 0;
	entry = new_exit(stats);
	if (!entry)
		return fail(EXIT_FAILURE, "out of memory reading %s", path);
	if (!parse_exit_line(line, entry))
		return fail(EXIT_FAILURE, "%s:%u: malformed line; expected " STAT_FORMAT, path,
			    number);
	entry->line = number;
	return 0;
}

/* Hands every line of @file to @add (with its number); stops at the first error. */
static int read_lines(struct stats *stats, FILE *file, const char *path,
		      int (*add)(struct stats *, char *, const char *, unsigned int))
{
	unsigned int number = 0;
	char *line = NULL;
	size_t capacity = 0;
	int err = 0;

	while (!err && getline(&line, &capacity, file) >= 0)
		err = add(stats, line, path, ++number);
	if (!err && ferror(file))
		err = fail(EXIT_FAILURE, "cannot read %s: %s", path, strerror(errno));
	free(line);
	return err;
}

static int compare_exits(const void *a, const void *b)
{
	const struct exit_stat *x = a, *y = b;

	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	if (x->reason != y->reason)
		return x->reason < y->reason ? -1 : 1;
	return 0;
}

/* Index of the first exit after @start that belongs to another CPU. */
static size_t cpu_end(const struct stats *stats, size_t start)
{
	size_t end = start;

	while (end < stats->count && stats->exits[end].cpu == stats->exits[start].cpu)
		end++;
	return end;
}

static bool add_exit(struct cpu_total *total, const struct exit_stat *entry)
{
	if (entry->max_cycles > total->max_cycles)
		total->max_cycles = entry->max_cycles;
	return !__builtin_add_overflow(total->count, entry->count, &total->count) &&
	       !__builtin_add_overflow(total->total_cycles, entry->total_cycles,
				       &total->total_cycles);
}

/* qsort() is not stable: either of the two may come first. */
static int fail_repeated(const char *path, const struct exit_stat *a, const struct exit_stat *b)
{
	unsigned int first = a->line < b->line ? a->line : b->line;
	unsigned int again = a->line < b->line ? b->line : a->line;

	return fail(EXIT_FAILURE, "%s:%u: CPU %u exit reason %u repeats line %u", path, again,
		    a->cpu, a->reason, first);
}

/* Sorted exits: no reason twice on one CPU, and every CPU's sums fit in 64 bits. */
static int check_exits(const struct stats *stats, const char *path)
{
	struct cpu_total total = { 0 };
	size_t i;

	for (i = 0; i < stats->count; i++) {
		const struct exit_stat *entry = &stats->exits[i];

		if (i == 0 || entry->cpu != entry[-1].cpu)
			memset(&total, 0, sizeof(total));
		else if (entry->reason == entry[-1].reason)
			return fail_repeated(path, entry, &entry[-1]);
		if (!add_exit(&total, entry))
			return fail(EXIT_FAILURE, "%s: CPU %u's totals overflow 64 bits", path,
				    entry->cpu);
	}
	return 0;
}

static int read_pool(struct stats *stats)
{
	char path[SYSFS_PATH_SIZE], line[128] = "", *fields[3];
	FILE *file = open_sysfs("memory_pool", path, sizeof(path));
	bool ok;

	if (!file)
		return EXIT_FAILURE;
	if (!fgets(line, sizeof(line), file) && ferror(file)) {
		fclose(file);
		return fail(EXIT_FAILURE, "cannot read %s: %s", path, strerror(errno));
	}
	fclose(file);
	ok = split_fields(line, fields, 3) == 2 && parse_number(fields[0], &stats->pool_used) &&
	     parse_number(fields[1], &stats->pool_total) &&
	     stats->pool_used <= stats->pool_total && stats->pool_total <= UINT64_MAX / PAGE_KIB;
	if (!ok)
		return fail(EXIT_FAILURE, "%s: expected 'USED TOTAL' in pages, USED <= TOTAL", path);
	return 0;
}

bool parse_longest_line(char *line, unsigned int *cpu, uint64_t *hypercall_us, uint64_t *hold_us)
{
	char *fields[4];
	uint64_t number;

	if (split_fields(line, fields, 4) != 3 || !parse_number(fields[0], &number) ||
	    number > UINT_MAX || !parse_number(fields[1], hypercall_us) ||
	    !parse_number(fields[2], hold_us))
		return false;
	*cpu = (unsigned int)number;
	return true;
}

/* One line of sysfs longest into @stats; CPUs in increasing order. */
static bool parse_longest(char *line, struct stats *stats)
{
	struct longest *entry = &stats->longest[stats->longest_count];

	if (stats->longest_count == MAX_LONGEST ||
	    !parse_longest_line(line, &entry->cpu, &entry->hypercall_us, &entry->hold_us) ||
	    (stats->longest_count && entry->cpu <= stats->longest[stats->longest_count - 1].cpu))
		return false;
	stats->longest_count++;
	return true;
}

static int read_longest(struct stats *stats)
{
	char path[SYSFS_PATH_SIZE], line[128];
	FILE *file = open_sysfs("longest", path, sizeof(path));
	unsigned int number = 0;

	if (!file)
		return EXIT_FAILURE;
	while (fgets(line, sizeof(line), file)) {
		number++;
		if (!parse_longest(line, stats)) {
			fclose(file);
			return fail(EXIT_FAILURE, "%s line %u: expected 'CPU HYPERCALL_US HOLD_US', CPUs increasing",
				    path, number);
		}
	}
	fclose(file);
	return 0;
}

/* True when @entry, read after @count events, keeps their CPUs in order and names unique per CPU. */
static bool event_in_order(const struct event *events, size_t count, const struct event *entry)
{
	if (count && events[count - 1].cpu > entry->cpu)
		return false;
	for (; count && events[count - 1].cpu == entry->cpu; count--)
		if (!strcmp(events[count - 1].name, entry->name))
			return false;
	return true;
}

/* Fills @entry from one events line; false when the line is malformed. */
static bool parse_event(char *line, struct event *entry)
{
	char *fields[4];
	uint64_t cpu;

	if (split_fields(line, fields, 4) != 3 || !parse_number(fields[0], &cpu) ||
	    cpu > UINT_MAX || !valid_name(fields[1]) || !parse_number(fields[2], &entry->count))
		return false;
	entry->cpu = (unsigned int)cpu;
	strcpy(entry->name, fields[1]);
	return true;
}

static int add_event_line(struct stats *stats, char *line, const char *path, unsigned int number)
{
	struct event *entry;

	if (line[strspn(line, " \t\r\n")] == '\0')
		return 0;
	if (!grow((void **)&stats->events, &stats->event_capacity, stats->event_count,
		  sizeof(*stats->events)))
		return fail(EXIT_FAILURE, "out of memory reading %s", path);
	entry = &stats->events[stats->event_count];
	if (!parse_event(line, entry) || !event_in_order(stats->events, stats->event_count, entry))
		return fail(EXIT_FAILURE, "%s:%u: malformed line; expected " EVENT_FORMAT, path,
			    number);
	stats->event_count++;
	return 0;
}

/* Reads and checks everything before anything is printed: a damaged file never passes. */
static int read_stats(struct stats *stats, const struct stats_files *files)
{
	int err;

	err = read_lines(stats, files->statistics, files->statistics_path, add_exit_line);
	if (!err)
		err = read_lines(stats, files->events, files->events_path, add_event_line);
	if (err)
		return err;
	if (stats->count)
		qsort(stats->exits, stats->count, sizeof(*stats->exits), compare_exits);
	err = check_exits(stats, files->statistics_path);
	if (err)
		return err;
	if (!stats->with_pool)
		return 0;
	err = read_longest(stats);
	return err ? err : read_pool(stats);
}

/* Rounded to the nearest cycle, halves up; 0 for no exits. */
static uint64_t mean(uint64_t total, uint64_t count)
{
	uint64_t remainder;

	if (!count)
		return 0;
	remainder = total % count;
	return total / count + (remainder >= count - remainder);
}

/*
 * The name an exit goes by: its reason name, or "NAME-REASON" when another
 * reason on the same CPU has that name too (say two reasons unknown to the
 * hypervisor), so JSON keys stay unique.
 */
static const char *exit_key(const struct exit_stat *cpu_exits, size_t count,
			    const struct exit_stat *entry, char key[KEY_SIZE])
{
	size_t i;

	for (i = 0; i < count; i++)
		if (&cpu_exits[i] != entry && !strcmp(cpu_exits[i].name, entry->name)) {
			snprintf(key, KEY_SIZE, "%s-%u", entry->name, entry->reason);
			return key;
		}
	return entry->name;
}

static int name_width(const struct stats *stats)
{
	size_t start, end, i, width = strlen("exit reason");
	char key[KEY_SIZE];

	for (start = 0; start < stats->count; start = end) {
		end = cpu_end(stats, start);
		for (i = start; i < end; i++) {
			size_t length = strlen(exit_key(&stats->exits[start], end - start,
							&stats->exits[i], key));

			width = length > width ? length : width;
		}
	}
	return (int)width;
}

static void print_row(int width, const char *name, uint64_t count, uint64_t total,
		      uint64_t max)
{
	printf("  %-*s %12" PRIu64 " %16" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n", width, name,
	       count, total, mean(total, count), max);
}

static void print_cpu_table(const struct exit_stat *exits, size_t count, int width)
{
	struct cpu_total total = { 0 };
	char key[KEY_SIZE];
	size_t i;

	printf("CPU %u\n  %-*s %12s %16s %12s %12s\n", exits[0].cpu, width, "exit reason",
	       "count", "total cycles", "mean cycles", "max cycles");
	for (i = 0; i < count; i++) {
		print_row(width, exit_key(exits, count, &exits[i], key), exits[i].count,
			  exits[i].total_cycles, exits[i].max_cycles);
		add_exit(&total, &exits[i]);
	}
	print_row(width, "total", total.count, total.total_cycles, total.max_cycles);
}

static void print_events(const struct stats *stats)
{
	size_t i;

	if (stats->event_count)
		printf("\nEvents: what the hypervisor refused, dropped or confined, and where its NMIs went\n"
		       "  %-5s %-*s %12s\n", "CPU", NAME_SIZE, "event", "count");
	for (i = 0; i < stats->event_count; i++)
		printf("  %-5u %-*s %12" PRIu64 "\n", stats->events[i].cpu, NAME_SIZE,
		       stats->events[i].name, stats->events[i].count);
}

static void print_events_json(const struct stats *stats)
{
	size_t i;

	printf(", \"events\": {");
	for (i = 0; i < stats->event_count; i++) {
		const struct event *event = &stats->events[i];
		bool first_of_cpu = !i || event[-1].cpu != event->cpu;

		if (first_of_cpu)
			printf("%s\"%u\": {", i ? "}, " : "", event->cpu);
		printf("%s\"%s\": %" PRIu64, first_of_cpu ? "" : ", ", event->name, event->count);
	}
	printf("%s}", stats->event_count ? "}" : "");
}

static void print_table(const struct stats *stats)
{
	int width = name_width(stats);
	size_t start, end;

	if (!stats->count)
		printf("No VM exits counted yet.\n");
	for (start = 0; start < stats->count; start = end) {
		end = cpu_end(stats, start);
		printf("%s", start ? "\n" : "");
		print_cpu_table(&stats->exits[start], end - start, width);
	}
	print_events(stats);
	if (stats->longest_count)
		printf("\nLongest hypercall and time held for a change of the root cell, in us\n"
		       "  %-5s %12s %12s\n", "CPU", "hypercall", "held");
	for (start = 0; start < stats->longest_count; start++)
		printf("  %-5u %12" PRIu64 " %12" PRIu64 "\n", stats->longest[start].cpu,
		       stats->longest[start].hypercall_us, stats->longest[start].hold_us);
	if (stats->with_pool)
		printf("\nMemory pool: %" PRIu64 " of %" PRIu64 " pages used (%" PRIu64 " of %" PRIu64
		       " KiB)\n", stats->pool_used, stats->pool_total, stats->pool_used * PAGE_KIB,
		       stats->pool_total * PAGE_KIB);
}

static void print_cpu_json(const struct exit_stat *exits, size_t count)
{
	uint64_t total = 0;
	char key[KEY_SIZE];
	size_t i;

	printf("\"%u\": {\"exits\": {", exits[0].cpu);
	for (i = 0; i < count; i++) {
		printf("%s\"%s\": {\"reason\": %u, \"count\": %" PRIu64 ", \"total_cycles\": %" PRIu64
		       ", \"max_cycles\": %" PRIu64 "}", i ? ", " : "",
		       exit_key(exits, count, &exits[i], key), exits[i].reason, exits[i].count,
		       exits[i].total_cycles, exits[i].max_cycles);
		total += exits[i].count;
	}
	printf("}, \"total_exits\": %" PRIu64 "}", total);
}

/* One line of JSON; names need no escaping, valid_name() saw to that. */
static void print_json(const struct stats *stats)
{
	size_t start, end;

	printf("{\"cpus\": {");
	for (start = 0; start < stats->count; start = end) {
		end = cpu_end(stats, start);
		printf("%s", start ? ", " : "");
		print_cpu_json(&stats->exits[start], end - start);
	}
	printf("}");
	print_events_json(stats);
	if (stats->with_pool) {
		printf(", \"longest_us\": {");
		for (start = 0; start < stats->longest_count; start++)
			printf("%s\"%u\": {\"hypercall\": %" PRIu64 ", \"held\": %" PRIu64 "}",
			       start ? ", " : "", stats->longest[start].cpu,
			       stats->longest[start].hypercall_us, stats->longest[start].hold_us);
		printf("}");
	}
	if (stats->with_pool)
		printf(", \"memory_pool\": {\"used_pages\": %" PRIu64 ", \"total_pages\": %" PRIu64 "}",
		       stats->pool_used, stats->pool_total);
	printf("}\n");
}

/*
 * A cell's statistics come without the memory pool, which belongs to the
 * hypervisor, not to a cell.  The caller has checked that Bulkhead is
 * enabled, and closes @file.
 */
int show_stats(const struct stats_files *files, bool with_pool, bool json)
{
	struct stats stats = { .with_pool = with_pool };
	int err = read_stats(&stats, files);

	if (!err && json)
		print_json(&stats);
	else if (!err)
		print_table(&stats);
	free(stats.exits);
	free(stats.events);
	return err;
}

int command_stats(int argc, char **argv)
{
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	char path[SYSFS_PATH_SIZE], events_path[SYSFS_PATH_SIZE];
	struct stats_files files = { .statistics_path = path, .events_path = events_path };
	int err;

	if (argc > 2 || (argc == 2 && !json))
		return fail_usage("stats");
	err = check_enabled();
	if (err)
		return err;
	files.statistics = open_sysfs("statistics", path, sizeof(path));
	if (files.statistics)
		files.events = open_sysfs("events", events_path, sizeof(events_path));
	err = files.events ? show_stats(&files, true, json) : EXIT_FAILURE;
	if (files.statistics)
		fclose(files.statistics);
	if (files.events)
		fclose(files.events);
	return err;
}
