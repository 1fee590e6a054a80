/* SPDX-License-Identifier: GPL-2.0 */
/* Shared pieces of the bulkhead command-line tool. */
#ifndef BULKHEAD_TOOL_H
#define BULKHEAD_TOOL_H

#include <stddef.h>
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
FILE *open_sysfs(const char *file, char *path, size_t size);

int run_ioctl_result(unsigned long request, void *args, const char *reason, const char *what,
		     int *result);
int read_input(const char *path, void **data, size_t *size, size_t max, const char *kind);

int command_hardware(int argc, char **argv);
int command_cell(int argc, char **argv);
int command_stats(int argc, char **argv);
int command_console(int argc, char **argv);

#endif
