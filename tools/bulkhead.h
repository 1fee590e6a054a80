/* SPDX-License-Identifier: GPL-2.0 */
/* Shared pieces of the bulkhead command-line tool. */
#ifndef BULKHEAD_TOOL_H
#define BULKHEAD_TOOL_H

#define EXIT_USAGE 2

extern const char *program;

int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int command_hardware(int argc, char **argv);

#endif
