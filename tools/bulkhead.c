// SPDX-License-Identifier: GPL-2.0
/* bulkhead: the command-line front end of the Bulkhead hypervisor. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bulkhead/config.h>
#include <bulkhead/ioctl.h>

#include "bulkhead.h"

#define VERSION "0.1"

struct command {
	const char *name;
	const char *arguments;
	const char *summary;
	int (*run)(int argc, char **argv);
};

const char *program = "bulkhead";

/* Prints one line on stderr, "bulkhead: ...", and returns @code for exit. */
int fail(int code, const char *fmt, ...)
{
	va_list args;

	fprintf(stderr, "%s: ", program);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	return code;
}

/*
 * The driver's paths: @fallback, or environment variable @variable when set.
 * Tests point the tool at a fake sysfs directory and device file this way.
 */
static const char *driver_path(const char *variable, const char *fallback)
{
	const char *path = getenv(variable);

	return path && path[0] ? path : fallback;
}

const char *device_path(void)
{
	return driver_path("BULKHEAD_DEVICE", BULKHEAD_DEVICE);
}

/* Writes "<sysfs directory>/@file" to @path; fails when it does not fit. */
int sysfs_path(char *path, size_t size, const char *file)
{
	const char *directory = driver_path("BULKHEAD_SYSFS", BULKHEAD_SYSFS);
	int length = snprintf(path, size, "%s/%s", directory, file);

	if (length < 0 || (size_t)length >= size)
		return fail(EXIT_FAILURE, "sysfs path '%s/%s' is too long", directory, file);
	return 0;
}

static int fail_no_driver(const char *path)
{
	return fail(EXIT_FAILURE,
		    "%s not found: load the driver first (modprobe bulkhead, or insmod bulkhead.ko)",
		    path);
}

int open_device(int *fd, int flags)
{
	const char *path = device_path();

	*fd = open(path, flags | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	if (errno == ENOENT)
		return fail_no_driver(path);
	return fail(EXIT_FAILURE, "cannot open %s: %s%s", path, strerror(errno),
		    errno == EACCES ? " (run as root)" : "");
}

/*
 * Prints why sysfs file or directory @path did not open with error @err:
 * no driver, a driver without it (ENOTDIR: a file where this tool expects a
 * directory), or the error itself.  Returns EXIT_FAILURE.
 */
int fail_sysfs(const char *path, int err)
{
	char directory[SYSFS_PATH_SIZE];
	struct stat st;

	if (err != ENOENT && err != ENOTDIR)
		return fail(EXIT_FAILURE, "cannot read %s: %s%s", path, strerror(err),
			    err == EACCES ? " (run as root)" : "");
	if (sysfs_path(directory, sizeof(directory), ""))
		return EXIT_FAILURE;
	if (stat(directory, &st))
		return fail_no_driver(path);
	return fail(EXIT_FAILURE, "%s not found: the loaded driver is older than this tool", path);
}

/* Opens sysfs file @file, its path left in @path; on failure prints why and returns NULL. */
FILE *open_sysfs(const char *file, char *path, size_t size)
{
	FILE *stream;

	if (sysfs_path(path, size, file))
		return NULL;
	stream = fopen(path, "r");
	if (!stream)
		fail_sysfs(path, errno);
	return stream;
}

/* Runs @request; on failure prints the driver's reason, or strerror if it gave none.  *result gets what the ioctl returned. */
int run_ioctl_result(unsigned long request, void *args, const char *reason, const char *what,
		     int *result)
{
	int fd, err;

	err = open_device(&fd, O_RDWR);
	if (err)
		return err;
	*result = ioctl(fd, request, args);
	if (*result < 0) {
		err = errno;
		close(fd);
		if (reason[0])
			return fail(EXIT_FAILURE, "%s", reason);
		return fail(EXIT_FAILURE, "%s failed: %s", what, strerror(err));
	}
	close(fd);
	return 0;
}

static int run_ioctl(unsigned long request, void *args, const char *reason, const char *what)
{
	int result;

	return run_ioctl_result(request, args, reason, what, &result);
}

/* Reads a whole regular file of at most @max bytes; @kind names what was expected, for errors. */
int read_input(const char *path, void **data, size_t *size, size_t max, const char *kind)
{
	struct stat st;
	FILE *file = fopen(path, "rb");

	if (!file)
		return fail(EXIT_FAILURE, "cannot read '%s': %s", path, strerror(errno));
	if (fstat(fileno(file), &st) || !S_ISREG(st.st_mode)) {
		fclose(file);
		return fail(EXIT_FAILURE, "'%s' is not a regular file; pass %s", path, kind);
	}
	if ((size_t)st.st_size > max) {
		fclose(file);
		return fail(EXIT_FAILURE, "'%s' is larger than %zu KiB; pass %s", path, max >> 10, kind);
	}
	*size = (size_t)st.st_size;
	*data = malloc(*size ? *size : 1);
	if (!*data || fread(*data, 1, *size, file) != *size) {
		free(*data);
		fclose(file);
		return fail(EXIT_FAILURE, "cannot read '%s': %s", path, strerror(errno ? errno : EIO));
	}
	fclose(file);
	return 0;
}

/* "1" or "0" in <sysfs>/enabled; anything else is an error. */
int check_enabled(void)
{
	char path[SYSFS_PATH_SIZE], line[16] = "";
	FILE *file = open_sysfs("enabled", path, sizeof(path));

	if (!file)
		return EXIT_FAILURE;
	if (!fgets(line, sizeof(line), file))
		line[0] = '\0';
	fclose(file);
	line[strcspn(line, "\n")] = '\0';
	if (!strcmp(line, "1"))
		return 0;
	if (!strcmp(line, "0"))
		return fail(EXIT_FAILURE,
			    "Bulkhead is not enabled; run 'bulkhead enable SYSCONFIG.cell' first");
	return fail(EXIT_FAILURE, "%s: expected 1 or 0, found '%s'", path, line);
}

/* A decimal number: digits only, no sign, no overflow. */
bool parse_number(const char *text, uint64_t *value)
{
	uint64_t result = 0;

	if (!*text)
		return false;
	for (; *text; text++) {
		if (*text < '0' || *text > '9')
			return false;
		if (__builtin_mul_overflow(result, 10, &result) ||
		    __builtin_add_overflow(result, (uint64_t)(*text - '0'), &result))
			return false;
	}
	*value = result;
	return true;
}

/* Splits @line at blanks into at most @max fields; returns how many it found. */
size_t split_fields(char *line, char **fields, size_t max)
{
	char *save = NULL, *field;
	size_t count = 0;

	for (field = strtok_r(line, " \t\r\n", &save); field && count < max;
	     field = strtok_r(NULL, " \t\r\n", &save))
		fields[count++] = field;
	return count;
}

/* Reads the CPU number at *@text, digits only and at most UINT_MAX, and moves past it. */
static bool read_cpu(const char **text, unsigned int *cpu)
{
	const char *digit = *text;
	uint64_t value = 0;

	if (*digit < '0' || *digit > '9')
		return false;
	for (; *digit >= '0' && *digit <= '9'; digit++) {
		value = value * 10 + (uint64_t)(*digit - '0');
		if (value > UINT_MAX)
			return false;
	}
	*cpu = (unsigned int)value;
	*text = digit;
	return true;
}

/* "N" or "N-M" with N <= M at *@text, moved past it. */
static bool read_cpu_range(const char **text, struct cpu_range *range)
{
	if (!read_cpu(text, &range->first))
		return false;
	range->last = range->first;
	if (**text != '-')
		return true;
	(*text)++;
	return read_cpu(text, &range->last) && range->last >= range->first;
}

/* Ranges separated by commas, nothing else; false when @text is no such list. */
bool parse_cpu_list(const char *text, struct cpu_set *set)
{
	set->count = 0;
	for (;;) {
		if (set->count == CPU_RANGES_MAX || !read_cpu_range(&text, &set->ranges[set->count]))
			return false;
		set->count++;
		if (*text == '\0')
			return true;
		if (*text++ != ',')
			return false;
	}
}

static void print_cpus_entered(void)
{
	char path[SYSFS_PATH_SIZE], line[256] = "";
	FILE *file = NULL;

	/* Enable has already succeeded: without the file, a shorter message will do. */
	if (!sysfs_path(path, sizeof(path), "cpus_entered"))
		file = fopen(path, "r");
	if (file && fgets(line, sizeof(line), file))
		printf("Bulkhead enabled: Linux runs as the root cell on CPUs %s\n",
		       strtok(line, "\n"));
	else
		printf("Bulkhead enabled\n");
	if (file)
		fclose(file);
}

static int command_enable(int argc, char **argv)
{
	char reason[BULKHEAD_ERROR_SIZE] = "";
	struct bulkhead_enable_args args = {
		.error = { .address = (uintptr_t)reason, .size = sizeof(reason) },
	};
	size_t size = 0;
	void *config = NULL;
	int err;

	if (argc != 2)
		return fail_usage("enable");
	err = read_input(argv[1], &config, &size, BULKHEAD_CONFIG_MAX_SIZE, "a .cell file");
	if (err)
		return err;
	args.config_address = (uintptr_t)config;
	args.config_size = (uint32_t)size;
	err = run_ioctl(BULKHEAD_ENABLE, &args, reason, "enable");
	free(config);
	if (!err)
		print_cpus_entered();
	return err;
}

static int command_disable(int argc, char **argv)
{
	char reason[BULKHEAD_ERROR_SIZE] = "";
	struct bulkhead_disable_args args = {
		.error = { .address = (uintptr_t)reason, .size = sizeof(reason) },
	};
	int err;

	(void)argv;
	if (argc != 1)
		return fail_usage("disable");
	err = run_ioctl(BULKHEAD_DISABLE, &args, reason, "disable");
	if (!err)
		printf("Bulkhead disabled\n");
	return err;
}

static const struct command commands[] = {
	{ "enable", "SYSCONFIG.cell", "load the hypervisor with a system config", command_enable },
	{ "disable", "", "give the machine back to Linux alone", command_disable },
	{ "hardware", "check [--msr-file F]", "list the VMX features Bulkhead needs as ok or missing",
	  command_hardware },
	{ "stats", "[--json]", "show VM exits per CPU and reason, events, longest hypercall and hold, memory pool use",
	  command_stats },
	{ "console", "[--follow]", "print the hypervisor's log", command_console },
	{ "cell", "create|load|start|shutdown|destroy|list|stats ...",
	  "manage cells: create CELL.cell, load NAME|ID IMAGE [-a ADDRESS] [-s STRING -a ADDRESS]..., start, shutdown, destroy, list, stats NAME|ID [--json]",
	  command_cell },
	{ "latency",
	  "CELL.cell IMAGE [--samples N | --duration SECONDS] [--period-us N] [--pollute-kib N] [--bucket-ns N] [--load CMD] [--json FILE] [--plot FILE.png]",
	  "run the latency inmate in a new cell, report how late its timer interrupts came, the VM exits of the cell and the root cell meanwhile with each reason's longest handling, and the longest hold of a root CPU, and destroy the cell (also on Ctrl-C)",
	  command_latency },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < COMMAND_COUNT; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/* Prints "usage: bulkhead COMMAND ARGUMENTS" from the command table; returns EXIT_USAGE. */
int fail_usage(const char *command)
{
	const struct command *found = find_command(command);
	const char *arguments = found ? found->arguments : "";

	return fail(EXIT_USAGE, "usage: %s %s%s%s", program, command, arguments[0] ? " " : "",
		    arguments);
}

/* Any "--help" or "-h" after the command name asks for that command's usage. */
static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

static int command_usage(const struct command *command)
{
	const char *summary = command->summary;

	printf("Usage: %s %s%s%s\n\n%c%s.\n", program, command->name,
	       command->arguments[0] ? " " : "", command->arguments,
	       toupper((unsigned char)summary[0]), summary + 1);
	return EXIT_SUCCESS;
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: %s COMMAND [ARGUMENTS]\n"
		     "       %s --help | --version\n\n"
		     "Controls the Bulkhead partitioning hypervisor through %s.\n\n"
		     "Commands:\n", program, program, BULKHEAD_DEVICE);
	for (i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-8s %-22s %s\n", commands[i].name, commands[i].arguments,
			commands[i].summary);
	fprintf(out, "\nExit status: 0 on success, 1 when a command fails, 2 on a usage error.\n");
}

int main(int argc, char **argv)
{
	const struct command *command;

	if (argc < 2)
		return fail(EXIT_USAGE, "no command given; see '%s --help'", program);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(stdout), EXIT_SUCCESS;
	if (!strcmp(argv[1], "--version"))
		return printf("bulkhead %s\n", VERSION), EXIT_SUCCESS;
	command = find_command(argv[1]);
	if (!command)
		return fail(EXIT_USAGE, "unknown command '%s'; see '%s --help'", argv[1], program);
	if (wants_help(argc - 1, argv + 1))
		return command_usage(command);
	return command->run(argc - 1, argv + 1);
}
