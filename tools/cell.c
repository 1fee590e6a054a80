// SPDX-License-Identifier: GPL-2.0
/* bulkhead cell: create, load, start, shut down, destroy, list cells and show their VM exits. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bulkhead/comm-region.h>
#include <bulkhead/config.h>
#include <bulkhead/ioctl.h>

#include "bulkhead.h"

#define CELL_USAGE \
	"usage: %s cell create CELL.cell | load NAME|ID IMAGE [-a ADDRESS] [-s STRING -a ADDRESS]... | " \
	"start NAME|ID | shutdown NAME|ID | destroy NAME|ID | list | stats NAME|ID [--json]"
#define IMAGE_MAX_SIZE	(256UL * 1024 * 1024)

#define ERROR_BUFFER(reason) { .address = (uintptr_t)(reason), .size = sizeof(reason) }

static int cell_usage(void)
{
	return fail(EXIT_USAGE, CELL_USAGE, program);
}

/*
 * A cell as sysfs cells/<ID>/ shows it: name, state, and CPUs assigned and
 * failed in Linux list format ("1-2", "1,3"; no failed CPUs: empty).
 */
struct cell_info {
	unsigned int id;
	char name[BULKHEAD_CELL_NAME_SIZE];
	char state[32];
	char cpus[CPU_LIST_SIZE];
	char failed[CPU_LIST_SIZE];
};

/* A name may hold spaces (printable ASCII, common/config.c). */
static bool valid_name(const char *text)
{
	for (; *text; text++)
		if (*text < ' ' || *text > '~')
			return false;
	return true;
}

/* A word like running, shut-down or failed/comm-revision. */
static bool valid_state(const char *text)
{
	return strspn(text, "abcdefghijklmnopqrstuvwxyz/-") == strlen(text);
}

static bool valid_cpus(const char *text)
{
	static struct cpu_set set;

	return parse_cpu_list(text, &set);
}

static bool valid_failed_cpus(const char *text)
{
	return !*text || valid_cpus(text);
}

/* The files of a cell's directory, each one line; 'cell list' reads all, a lookup the name. */
struct cell_file {
	const char *name;
	size_t offset;
	size_t size;
	bool may_be_empty;
	bool (*valid)(const char *text);
	const char *expected;
};

#define CELL_FILE(file, field, empty, check, what) \
	{ file, offsetof(struct cell_info, field), sizeof(((struct cell_info *)0)->field), \
	  empty, check, what }

static const struct cell_file cell_files[] = {
	CELL_FILE("name", name, false, valid_name,
		  "the cell's name, 1 to 31 printable characters"),
	CELL_FILE("state", state, false, valid_state, "a state like running or shut-down"),
	CELL_FILE("cpus_assigned_list", cpus, false, valid_cpus,
		  "a CPU list like 1-2 or 1,3"),
	CELL_FILE("cpus_failed_list", failed, true, valid_failed_cpus,
		  "a CPU list like 1-2 or 1,3, or nothing"),
};

#define CELL_FILES_ALL	(sizeof(cell_files) / sizeof(cell_files[0]))
/* A lookup by name reads the first file only: "name" must stay first. */
#define CELL_FILES_NAME	1

/* Returned while reading a cell whose directory went away: destroyed meanwhile. */
#define CELL_GONE	1

static bool cell_gone(unsigned int id)
{
	char relative[32], directory[SYSFS_PATH_SIZE];
	struct stat st;

	snprintf(relative, sizeof(relative), "cells/%u", id);
	return !sysfs_path(directory, sizeof(directory), relative) && stat(directory, &st) &&
	       errno == ENOENT;
}

/*
 * Opens <sysfs>/cells/@id/@file, its path left in @path (SYSFS_PATH_SIZE).
 * NULL with *@gone set when the cell has gone; NULL after printing why else.
 */
static FILE *open_cell_file(unsigned int id, const char *file, char *path, bool *gone)
{
	char relative[64];
	FILE *stream;
	int err;

	*gone = false;
	snprintf(relative, sizeof(relative), "cells/%u/%s", id, file);
	if (sysfs_path(path, SYSFS_PATH_SIZE, relative))
		return NULL;
	stream = fopen(path, "r");
	if (stream)
		return stream;
	err = errno;
	*gone = err == ENOENT && cell_gone(id);
	if (!*gone)
		fail_sysfs(path, err);
	return NULL;
}

/*
 * Reads all of @stream into @text (@size bytes, at most CPU_LIST_SIZE)
 * without its final newline: 0, or -1 when it holds a NUL or does not fit,
 * or errno when reading failed.
 */
static int read_line(FILE *stream, char *text, size_t size)
{
	char line[CPU_LIST_SIZE + 2];
	size_t length = fread(line, 1, sizeof(line), stream);

	if (ferror(stream))
		return errno ? errno : EIO;
	if (length && line[length - 1] == '\n')
		length--;
	if (length >= size || memchr(line, '\0', length))
		return -1;
	memcpy(text, line, length);
	text[length] = '\0';
	return 0;
}

/* Fills @cell's field of @file; 0, CELL_GONE, or -1 after printing why. */
static int read_cell_file(struct cell_info *cell, const struct cell_file *file)
{
	char path[SYSFS_PATH_SIZE], *text = (char *)cell + file->offset;
	bool gone;
	FILE *stream = open_cell_file(cell->id, file->name, path, &gone);
	int err;

	if (!stream)
		return gone ? CELL_GONE : -1;
	err = read_line(stream, text, file->size);
	fclose(stream);
	if (err == ENODEV)
		return CELL_GONE;	/* sysfs: a file of a directory removed meanwhile */
	if (err > 0)
		return fail(-1, "cannot read %s: %s", path, strerror(err));
	if (err || (!*text && !file->may_be_empty) || !file->valid(text))
		return fail(-1, "%s: malformed; expected %s", path, file->expected);
	return 0;
}

static int compare_ids(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* Adds the ID a directory entry of "cells" names; -1 after printing why when it names none. */
static int add_cell_id(const char *path, const char *entry, unsigned int **ids, size_t *count)
{
	unsigned int *more;
	uint64_t id;

	if (!parse_number(entry, &id) || id > UINT_MAX)
		return fail(-1, "%s/%s: unexpected; expected a directory per cell, named by its ID",
			    path, entry);
	more = realloc(*ids, (*count + 1) * sizeof(**ids));
	if (!more)
		return fail(-1, "out of memory reading %s", path);
	*ids = more;
	(*ids)[(*count)++] = (unsigned int)id;
	return 0;
}

/* The IDs of the cells, one directory each in <sysfs>/cells, ascending; -1 after printing why. */
static int read_cell_ids(unsigned int **ids, size_t *count)
{
	char path[SYSFS_PATH_SIZE];
	struct dirent *entry;
	int err = 0;
	DIR *cells;

	*ids = NULL;
	*count = 0;
	if (sysfs_path(path, sizeof(path), "cells"))
		return -1;
	cells = opendir(path);
	if (!cells) {
		fail_sysfs(path, errno);
		return -1;
	}
	while (!err && (errno = 0, entry = readdir(cells)))
		if (entry->d_name[0] != '.')
			err = add_cell_id(path, entry->d_name, ids, count);
	if (!err && errno)
		err = fail(-1, "cannot read %s: %s", path, strerror(errno));
	closedir(cells);
	if (!err && *count)
		qsort(*ids, *count, sizeof(**ids), compare_ids);
	return err;
}

/* Reads the first @files of cell_files for cell @id; 0, CELL_GONE, or -1 after printing why. */
static int read_cell(unsigned int id, size_t files, struct cell_info *cell)
{
	size_t i;
	int err = 0;

	cell->id = id;
	cell->failed[0] = '\0';
	for (i = 0; i < files && !err; i++)
		err = read_cell_file(cell, &cell_files[i]);
	return err;
}

/*
 * Calls @visit for each cell in ID order until it returns nonzero, and
 * returns that; -1 once it has printed why a cell cannot be read.  Only the
 * first @files of cell_files are read.  A cell destroyed meanwhile is left out.
 */
static int for_each_cell(size_t files, int (*visit)(const struct cell_info *cell, void *context),
			 void *context)
{
	static struct cell_info cell;
	unsigned int *ids;
	size_t count, i;
	int stop = read_cell_ids(&ids, &count);

	for (i = 0; !stop && i < count; i++) {
		stop = read_cell(ids[i], files, &cell);
		if (stop == CELL_GONE)
			stop = 0;
		else if (!stop)
			stop = visit(&cell, context);
	}
	free(ids);
	return stop;
}

struct lookup {
	const char *key;
	unsigned int id;
};

static int match(const struct cell_info *cell, void *context)
{
	struct lookup *lookup = context;
	char number[16];

	snprintf(number, sizeof(number), "%u", cell->id);
	if (strcmp(lookup->key, cell->name) && strcmp(lookup->key, number))
		return 0;
	lookup->id = cell->id;
	return 1;
}

/* A cell by name or ID, as 'cell list' shows them; only the names are read. */
static int find_cell(const char *key, unsigned int *id)
{
	struct lookup lookup = { .key = key };
	int found = for_each_cell(CELL_FILES_NAME, match, &lookup);

	if (found > 0) {
		*id = lookup.id;
		return 0;
	}
	if (!found)
		fail(EXIT_FAILURE, "no cell is named or numbered '%s'; see '%s cell list'", key,
		     program);
	return EXIT_FAILURE;
}

static int cell_create(int argc, char **argv)
{
	char reason[BULKHEAD_ERROR_SIZE] = "";
	struct bulkhead_cell_create_args args = { .error = ERROR_BUFFER(reason) };
	void *config = NULL;
	size_t size = 0;
	int err, id = 0;

	if (argc != 2)
		return cell_usage();
	err = read_input(argv[1], &config, &size, BULKHEAD_CONFIG_MAX_SIZE, "a .cell file");
	if (err)
		return err;
	args.config_address = (uintptr_t)config;
	args.config_size = (uint32_t)size;
	err = run_ioctl_result(BULKHEAD_CELL_CREATE, &args, reason, "cell create", &id);
	free(config);
	if (!err)
		printf("Cell %d created from %s\n", id, argv[1]);
	return err;
}

static int parse_address(const char *text, uint64_t *address)
{
	char *end;

	errno = 0;
	*address = strtoull(text, &end, 0);
	if (errno || !*text || *end)
		return fail(EXIT_USAGE, "'%s' is not an address; write it like 0x1000", text);
	return 0;
}

static int load_one(unsigned int id, const void *data, size_t size, uint64_t address,
		    const char *what)
{
	char reason[BULKHEAD_ERROR_SIZE] = "";
	struct bulkhead_cell_load_args args = {
		.error = ERROR_BUFFER(reason), .id = id, .address = address,
		.data_address = (uintptr_t)data, .data_size = size,
	};
	int err = run_ioctl_result(BULKHEAD_CELL_LOAD, &args, reason, "cell load", &(int){ 0 });

	if (!err)
		printf("Loaded %s (%zu bytes) at 0x%llx\n", what, size, (unsigned long long)address);
	return err;
}

/* IMAGE [-a ADDRESS] then any number of -s STRING -a ADDRESS; strings go with their NUL. */
static int load_items(unsigned int id, int argc, char **argv)
{
	uint64_t address = 0, string_address;
	void *image = NULL;
	size_t size = 0;
	int i = 1, err;

	if (i + 1 < argc && !strcmp(argv[i], "-a")) {
		err = parse_address(argv[i + 1], &address);
		if (err)
			return err;
		i += 2;
	}
	/* Every address is checked before anything is loaded: a refused load changes nothing. */
	for (; i < argc; i += 4) {
		if (strcmp(argv[i], "-s") || i + 3 >= argc || strcmp(argv[i + 2], "-a"))
			return cell_usage();
		err = parse_address(argv[i + 3], &string_address);
		if (err)
			return err;
	}
	err = read_input(argv[0], &image, &size, IMAGE_MAX_SIZE, "an inmate image");
	if (!err)
		err = load_one(id, image, size, address, argv[0]);
	free(image);
	for (i = 1; !err && i < argc; i++) {
		if (strcmp(argv[i], "-s"))
			continue;
		err = parse_address(argv[i + 3], &address);
		if (!err)
			err = load_one(id, argv[i + 1], strlen(argv[i + 1]) + 1, address, "string");
		i += 3;
	}
	return err;
}

static int cell_load(int argc, char **argv)
{
	unsigned int id;
	int err;

	if (argc < 3)
		return cell_usage();
	err = find_cell(argv[1], &id);
	return err ? err : load_items(id, argc - 2, argv + 2);
}

static int cell_simple_result(int argc, char **argv, unsigned long request, const char *verb,
			      int *result)
{
	char reason[BULKHEAD_ERROR_SIZE] = "";
	struct bulkhead_cell_args args = { .error = ERROR_BUFFER(reason) };
	unsigned int id;
	int err;

	if (argc != 2)
		return cell_usage();
	err = find_cell(argv[1], &id);
	if (err)
		return err;
	args.id = id;
	return run_ioctl_result(request, &args, reason, verb, result);
}

static int cell_simple(int argc, char **argv, unsigned long request, const char *verb,
		       const char *done)
{
	int result, err = cell_simple_result(argc, argv, request, verb, &result);

	if (!err)
		printf("Cell %s %s\n", argv[1], done);
	return err;
}

static int cell_shutdown(int argc, char **argv)
{
	int result, err = cell_simple_result(argc, argv, BULKHEAD_CELL_SHUTDOWN, "cell shutdown",
					     &result);

	if (!err && result == 1)
		printf("Cell %s did not answer the shutdown request in time; stopped anyway\n", argv[1]);
	else if (!err && result == 2)
		printf("Cell %s is passive (its inmate is never asked) and is stopped\n", argv[1]);
	else if (!err)
		printf("Cell %s approved the shutdown and is stopped\n", argv[1]);
	return err;
}

/* 'cell stats NAME|ID [--json]': 'stats' for the cell's CPUs only, from cells/<ID>/statistics and events. */
static int cell_stats(int argc, char **argv)
{
	bool json = argc == 3 && !strcmp(argv[2], "--json");
	char path[SYSFS_PATH_SIZE], events_path[SYSFS_PATH_SIZE];
	struct stats_files files = { .statistics_path = path, .events_path = events_path };
	unsigned int id;
	bool gone = false;
	int err;

	if (argc != 2 && !json)
		return cell_usage();
	err = check_enabled();
	if (!err)
		err = find_cell(argv[1], &id);
	if (err)
		return err;
	files.statistics = open_cell_file(id, "statistics", path, &gone);
	if (files.statistics)
		files.events = open_cell_file(id, "events", events_path, &gone);
	if (files.events)
		err = show_stats(&files, false, json);
	else if (gone)
		err = fail(EXIT_FAILURE, "cell '%s' is gone; see '%s cell list'", argv[1], program);
	else
		err = EXIT_FAILURE;
	if (files.statistics)
		fclose(files.statistics);
	if (files.events)
		fclose(files.events);
	return err;
}

struct cell_table {
	struct cell_info *cells;
	size_t count;
};

static int keep_cell(const struct cell_info *cell, void *context)
{
	struct cell_table *table = context;
	struct cell_info *more = realloc(table->cells, (table->count + 1) * sizeof(*more));

	if (!more)
		return fail(-1, "out of memory listing cells");
	table->cells = more;
	table->cells[table->count++] = *cell;
	return 0;
}

#define LIST_FORMAT	"%-4s %-24s %-16s %-12s %s\n"

static void print_cell(const struct cell_info *cell)
{
	char id[16];

	snprintf(id, sizeof(id), "%u", cell->id);
	printf(LIST_FORMAT, id, cell->name, cell->state, cell->cpus,
	       cell->failed[0] ? cell->failed : "-");
}

/* Every cell is read and checked before anything is printed. */
static int cell_list(int argc, char **argv)
{
	struct cell_table table = { NULL, 0 };
	size_t i;
	int err;

	(void)argv;
	if (argc != 1)
		return cell_usage();
	err = for_each_cell(CELL_FILES_ALL, keep_cell, &table);
	if (!err) {
		printf(LIST_FORMAT, "ID", "NAME", "STATE", "CPUS", "FAILED CPUS");
		for (i = 0; i < table.count; i++)
			print_cell(&table.cells[i]);
	}
	free(table.cells);
	return err ? EXIT_FAILURE : 0;
}

int command_cell(int argc, char **argv)
{
	if (argc < 2)
		return cell_usage();
	if (!strcmp(argv[1], "create"))
		return cell_create(argc - 1, argv + 1);
	if (!strcmp(argv[1], "load"))
		return cell_load(argc - 1, argv + 1);
	if (!strcmp(argv[1], "start"))
		return cell_simple(argc - 1, argv + 1, BULKHEAD_CELL_START, "cell start", "started");
	if (!strcmp(argv[1], "shutdown"))
		return cell_shutdown(argc - 1, argv + 1);
	if (!strcmp(argv[1], "destroy"))
		return cell_simple(argc - 1, argv + 1, BULKHEAD_CELL_DESTROY, "cell destroy",
				   "destroyed; its CPUs are back with Linux");
	if (!strcmp(argv[1], "list"))
		return cell_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stats"))
		return cell_stats(argc - 1, argv + 1);
	return fail(EXIT_USAGE, "unknown cell command '%s'; see '%s cell --help'", argv[1], program);
}
