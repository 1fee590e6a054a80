/* SPDX-License-Identifier: GPL-2.0 */
/* Shared pieces of the bulkhead command-line tool. */
#ifndef BULKHEAD_TOOL_H
#define BULKHEAD_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_USAGE 2

/* The driver's sysfs directory; BULKHEAD_SYSFS in the environment overrides it. */
#define BULKHEAD_SYSFS "/sys/devices/bulkhead"
#define SYSFS_PATH_SIZE 4096

extern const char *program;

int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fail_usage(const char *command);

const char *device_path(void);
int sysfs_path(char *path, size_t size, const char *file);
int open_device(int *fd, int flags);
int fail_sysfs(const char *path, int err);
FILE *open_sysfs(const char *file, char *path, size_t size);

int run_ioctl_result(unsigned long request, void *args, const char *reason, const char *what,
		     int *result);
int read_input(const char *path, void **data, size_t *size, size_t max, const char *kind);
int check_enabled(void);

bool parse_number(const char *text, uint64_t *value);
size_t split_fields(char *line, char **fields, size_t max);

/*
 * CPU numbers in Linux list format, as the kernel prints a cpumask: "1",
 * "1-2", "1,3". A sysfs file holds at most a 4 KiB page and a range takes two
 * characters at least ("1,"), so this many ranges hold any list sysfs shows.
 */
#define CPU_LIST_SIZE	4096
#define CPU_RANGES_MAX	(CPU_LIST_SIZE / 2)

struct cpu_range {
	unsigned int first;
	unsigned int last;
};

struct cpu_set {
	size_t count;
	struct cpu_range ranges[CPU_RANGES_MAX];
};

bool parse_cpu_list(const char *text, struct cpu_set *set);

/* One line of sysfs statistics: CPU REASON NAME COUNT TOTAL_CYCLES MAX_CYCLES (stats.c). */
#define STAT_NAME_SIZE	32
struct exit_stat {
	unsigned int cpu;
	unsigned int reason;
	char name[STAT_NAME_SIZE];
	uint64_t count;
	uint64_t total_cycles;
	uint64_t max_cycles;
	unsigned int line;
};
bool parse_exit_line(char *line, struct exit_stat *entry);
/* One line of sysfs longest: CPU HYPERCALL_US HOLD_US. */
bool parse_longest_line(char *line, unsigned int *cpu, uint64_t *hypercall_us, uint64_t *hold_us);

/*
 * VM exits and events per CPU from the files of 'stats' or 'cell stats',
 * already open (their paths for messages): sysfs statistics with the
 * longest hypercalls and the memory pool, or a cell's without.
 */
struct stats_files {
	FILE *statistics, *events;
	const char *statistics_path, *events_path;
};
int show_stats(const struct stats_files *files, bool with_pool, bool json);

int command_hardware(int argc, char **argv);
int command_cell(int argc, char **argv);
int command_stats(int argc, char **argv);
int command_console(int argc, char **argv);
int command_latency(int argc, char **argv);

#endif
