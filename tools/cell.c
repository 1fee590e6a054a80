// SPDX-License-Identifier: GPL-2.0
/* bulkhead cell: create, load, start, shut down, destroy, list cells and show their VM exits. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define CELL_FORMAT	"'ID NAME STATE CPUS'"

/* One line of sysfs "cells": ID NAME STATE CPUS, CPUS in Linux list format. */
struct cell_line {
	unsigned int id;
	char name[BULKHEAD_CELL_NAME_SIZE];
	char state[32];
	char cpus[CPU_LIST_SIZE];
	struct cpu_set cpu_set;
};

static bool copy_field(char *to, size_t size, const char *from)
{
	size_t length = strlen(from);

	if (!length || length >= size)
		return false;
	memcpy(to, from, length + 1);
	return true;
}

/* Cuts @text before its last space-separated field and returns that field, or NULL. */
static char *cut_last_field(char *text)
{
	char *field = strrchr(text, ' '), *cut = field;

	if (!field || !field[1])
		return NULL;
	while (cut > text && cut[-1] == ' ')
		cut--;
	*cut = '\0';
	return field + 1;
}

/*
 * Fills @cell from one line of "cells"; false when the line is malformed.
 * A name may hold spaces (printable ASCII, hypervisor/config.c), so the name
 * is whatever lies between the ID and the last two fields.
 */
static bool parse_cell(char *text, struct cell_line *cell)
{
	char *cpus, *state, *name;
	uint64_t id;

	text[strcspn(text, "\r\n")] = '\0';
	cpus = cut_last_field(text);
	state = cpus ? cut_last_field(text) : NULL;
	if (!state)
		return false;
	name = text + strcspn(text, " ");
	if (*name)
		*name++ = '\0';
	name += strspn(name, " ");
	if (!parse_number(text, &id) || id > UINT_MAX)
		return false;
	cell->id = (unsigned int)id;
	return copy_field(cell->name, sizeof(cell->name), name) &&
	       copy_field(cell->state, sizeof(cell->state), state) &&
	       copy_field(cell->cpus, sizeof(cell->cpus), cpus) &&
	       parse_cpu_list(cell->cpus, &cell->cpu_set);
}

/*
 * Calls @visit for each cell in sysfs "cells" until it returns nonzero, and
 * returns that; -1 once it has printed why the file cannot be read, or which
 * line is malformed.
 */
static int for_each_cell(int (*visit)(const struct cell_line *cell, void *context), void *context)
{
	char path[SYSFS_PATH_SIZE], *text = NULL;
	FILE *file = open_sysfs("cells", path, sizeof(path));
	struct cell_line cell;
	unsigned int number = 0;
	size_t capacity = 0;
	int stop = 0;

	if (!file)
		return -1;
	while (!stop && getline(&text, &capacity, file) >= 0) {
		number++;
		if (text[strspn(text, " \t\r\n")] == '\0')
			continue;
		if (parse_cell(text, &cell))
			stop = visit(&cell, context);
		else
			stop = fail(-1, "%s:%u: malformed line; expected " CELL_FORMAT
				    ", CPUS a list like 1-2 or 1,3", path, number);
	}
	if (!stop && ferror(file))
		stop = fail(-1, "cannot read %s: %s", path, strerror(errno));
	free(text);
	fclose(file);
	return stop;
}

struct lookup {
	const char *key;
	struct cell_line cell;
};

static int match(const struct cell_line *cell, void *context)
{
	struct lookup *lookup = context;
	char number[16];

	snprintf(number, sizeof(number), "%u", cell->id);
	if (strcmp(lookup->key, cell->name) && strcmp(lookup->key, number))
		return 0;
	lookup->cell = *cell;
	return 1;
}

/* A cell by name or ID, as 'cell list' shows them. */
static int lookup_cell(const char *key, struct cell_line *cell)
{
	struct lookup lookup = { .key = key };
	int found = for_each_cell(match, &lookup);

	if (found > 0) {
		*cell = lookup.cell;
		return 0;
	}
	if (!found)
		fail(EXIT_FAILURE, "no cell is named or numbered '%s'; see '%s cell list'", key,
		     program);
	return EXIT_FAILURE;
}

static int find_cell(const char *key, unsigned int *id)
{
	struct cell_line cell;
	int err = lookup_cell(key, &cell);

	if (!err)
		*id = cell.id;
	return err;
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
	uint64_t address = 0;
	void *image = NULL;
	size_t size = 0;
	int i = 1, err;

	if (i + 1 < argc && !strcmp(argv[i], "-a")) {
		err = parse_address(argv[i + 1], &address);
		if (err)
			return err;
		i += 2;
	}
	for (; i < argc; i += 4)
		if (strcmp(argv[i], "-s") || i + 3 >= argc || strcmp(argv[i + 2], "-a"))
			return cell_usage();
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
	else if (!err)
		printf("Cell %s approved the shutdown and is stopped\n", argv[1]);
	return err;
}

/* 'cell stats NAME|ID [--json]': 'stats' for the cell's CPUs only. */
static int cell_stats(int argc, char **argv)
{
	bool json = argc == 3 && !strcmp(argv[2], "--json");
	struct cell_line cell;
	int err;

	if (argc != 2 && !json)
		return cell_usage();
	err = check_enabled();
	if (!err)
		err = lookup_cell(argv[1], &cell);
	return err ? err : show_stats(&cell.cpu_set, json);
}

static int print_line(const struct cell_line *line, void *context)
{
	(void)context;
	printf("%-4u %-24s %-16s %s\n", line->id, line->name, line->state, line->cpus);
	return 0;
}

static int cell_list(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return cell_usage();
	printf("%-4s %-24s %-16s %s\n", "ID", "NAME", "STATE", "CPUS");
	return for_each_cell(print_line, NULL) < 0 ? EXIT_FAILURE : 0;
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
