// SPDX-License-Identifier: GPL-2.0
/* bulkhead: the command-line front end of the Bulkhead hypervisor. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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

static int open_device(int *fd)
{
	*fd = open(BULKHEAD_DEVICE, O_RDWR | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	if (errno == ENOENT)
		return fail(EXIT_FAILURE,
			    "%s not found: load the driver first (modprobe bulkhead, or insmod bulkhead.ko)",
			    BULKHEAD_DEVICE);
	return fail(EXIT_FAILURE, "cannot open %s: %s%s", BULKHEAD_DEVICE, strerror(errno),
		    errno == EACCES ? " (run as root)" : "");
}

/* Runs @request; on failure prints the driver's reason, or strerror if it gave none. */
static int run_ioctl(unsigned long request, void *args, const char *reason, const char *what)
{
	int fd, err;

	err = open_device(&fd);
	if (err)
		return err;
	err = ioctl(fd, request, args);
	if (err) {
		err = errno;
		close(fd);
		if (reason[0])
			return fail(EXIT_FAILURE, "%s", reason);
		return fail(EXIT_FAILURE, "%s failed: %s", what, strerror(err));
	}
	close(fd);
	return 0;
}

static int read_file(const char *path, void **data, size_t *size)
{
	struct stat st;
	FILE *file = fopen(path, "rb");

	if (!file)
		return fail(EXIT_FAILURE, "cannot read '%s': %s", path, strerror(errno));
	if (fstat(fileno(file), &st) || !S_ISREG(st.st_mode)) {
		fclose(file);
		return fail(EXIT_FAILURE, "'%s' is not a regular file; pass a .cell file", path);
	}
	if (st.st_size > BULKHEAD_CONFIG_MAX_SIZE) {
		fclose(file);
		return fail(EXIT_FAILURE, "'%s' is larger than 1 MiB; pass a .cell file", path);
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

static void print_cpus_entered(void)
{
	char line[256] = "";
	FILE *file = fopen("/sys/devices/bulkhead/cpus_entered", "r");

	if (file && fgets(line, sizeof(line), file))
		printf("Bulkhead enabled: CPUs %s entered the hypervisor and returned to Linux\n",
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
		return fail(EXIT_USAGE, "usage: %s enable SYSCONFIG.cell", program);
	err = read_file(argv[1], &config, &size);
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
		return fail(EXIT_USAGE, "usage: %s disable", program);
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
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: %s COMMAND [ARGUMENTS]\n"
		     "       %s --help | --version\n\n"
		     "Controls the Bulkhead partitioning hypervisor through %s.\n\n"
		     "Commands:\n", program, program, BULKHEAD_DEVICE);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %-22s %s\n", commands[i].name, commands[i].arguments,
			commands[i].summary);
	fprintf(out, "\nExit status: 0 on success, 1 when a command fails, 2 on a usage error.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return fail(EXIT_USAGE, "no command given; see '%s --help'", program);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(stdout), EXIT_SUCCESS;
	if (!strcmp(argv[1], "--version"))
		return printf("bulkhead %s\n", VERSION), EXIT_SUCCESS;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	return fail(EXIT_USAGE, "unknown command '%s'; see '%s --help'", argv[1], program);
}
