/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where printk's output goes: an 8250 UART and/or the hypervisor's debug console. */
#ifndef INMATE_CONSOLE_H
#define INMATE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bulkhead/comm-region.h>

enum uart_access {
	UART_NONE,
	UART_PIO,		/* I/O ports, registers one port apart */
	UART_MMIO8,		/* MMIO, byte registers one byte apart */
	UART_MMIO32,		/* MMIO, 32-bit registers 4 bytes apart */
};

struct uart_config {
	enum uart_access access;
	uint64_t address;	/* I/O port or guest-physical MMIO address */
	uint32_t divider;	/* baud rate divider; 0: keep what is programmed */
};

/* The divider when "console=PORT" gives none: 115200 baud from the usual 1.8432 MHz clock. */
#define UART_DEFAULT_DIVIDER	1

/*
 * Parses the value of "console=": "none", "PORT[,DIVIDER]",
 * "mmio,ADDRESS[,DIVIDER]" or "mmio32,ADDRESS[,DIVIDER]" (numbers as on
 * the command line).  False for anything else; CONFIG is then untouched.
 */
bool console_parse_option(const char *value, size_t length, struct uart_config *config);

/* The UART the comm region's console describes; false when it describes none or nothing usable. */
bool console_from_comm(const struct bulkhead_comm_console *console, struct uart_config *config);

/*
 * Whether printk also goes through the debug-console hypercall: only if
 * the comm region permits it; then as the command line's "hv-console" says,
 * by default when the comm region marks that console active.
 */
bool console_use_hypercall(uint32_t comm_flags, bool comm_valid, int cmdline_choice);

/*
 * Picks the sinks from the command line and the comm region and sets up
 * the UART; false when "console=" is given but not understood (no UART).
 */
bool console_init(void);
/* Writes LENGTH bytes to every sink, as one piece; "\n" becomes "\r\n" on the UART. */
void console_write(const char *text, size_t length);

void uart_init(const struct uart_config *config);
void uart_putc(const struct uart_config *config, char c);

#endif
