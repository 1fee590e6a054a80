// SPDX-License-Identifier: GPL-2.0
/* bulkhead cell: create, load, start, destroy and list cells. */
#include <errno.h>
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
	"start NAME|ID | shutdown NAME|ID | destroy NAME|ID | list"
#define IMAGE_MAX_SIZE	(256UL * 1024 * 1024)

#define ERROR_BUFFER(reason) { .address = (uintptr_t)(reason), .size = sizeof(reason) }

static int cell_usage(void)
{
	return fail(EXIT_USAGE, CELL_USAGE, program);
}

/* One line of sysfs "cells": ID NAME STATE CPUS. */
struct cell_line {
	unsigned int id;
	char name[BULKHEAD_CELL_NAME_SIZE + 1];
	char state[32];
	char cpus[128];
};

static int for_each_cell(int (*visit)(const struct cell_line *line, void *context), void *context)
{
	char path[SYSFS_PATH_SIZE], text[512];
	struct cell_line line;
	FILE *file = open_sysfs("cells", path, sizeof(path));
	int stop = 0;

	if (!file)
		return -1;
	while (!stop && fgets(text, sizeof(text), file))
		if (sscanf(text, "%u %32s %31s %127s", &line.id, line.name, line.state,
			   line.cpus) == 4)
			stop = visit(&line, context);
	fclose(file);
	return stop;
}

struct lookup {
	const char *key;
	unsigned int id;
};

static int match(const struct cell_line *line, void *context)
{
	struct lookup *lookup = context;
	char number[16];

	snprintf(number, sizeof(number), "%u", line->id);
	if (strcmp(lookup->key, line->name) && strcmp(lookup->key, number))
		return 0;
	lookup->id = line->id;
	return 1;
}

/* A cell by name or ID, as 'cell list' shows them. */
static int find_cell(const char *key, unsigned int *id)
{
	struct lookup lookup = { key, 0 };
	int found = for_each_cell(match, &lookup);

	if (found < 0)
		return EXIT_FAILURE;
	if (!found)
		return fail(EXIT_FAILURE, "no cell is named or numbered '%s'; see '%s cell list'",
			    key, program);
	*id = lookup.id;
	return 0;
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
	return fail(EXIT_USAGE, "unknown cell command '%s'; see '%s cell --help'", argv[1], program);
}
