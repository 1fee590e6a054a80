/* SPDX-License-Identifier: GPL-2.0 */
/* The hypervisor's log: formatted lines into the console ring, mirrored to a UART if configured. */
#ifndef BULKHEAD_HV_PRINTK_H
#define BULKHEAD_HV_PRINTK_H

#include <stdarg.h>
#include <bulkhead-hv/types.h>

/*
 * Formats %s %c %d %u %x %p with optional '0', width and 'l'/'ll'
 * (all integers are taken as 64-bit when 'l' is given).  Always
 * NUL-terminates; returns the length written.
 */
size_t format_string(char *buffer, size_t size, const char *format, va_list args);
void printk(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Sets up the public console ring and the UART mirror from the system config. */
void console_init(void);
void console_write(const char *text, size_t length);

#endif
