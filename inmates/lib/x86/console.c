// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* printk: formats a message and writes it whole to the UART and the debug-console hypercall. */
#include "lib.h"

/* Longer messages are cut; printk is for lines. */
#define PRINTK_BUFFER_SIZE	256

static struct uart_config uart;
static bool use_hypercall;

/*
 * One message at a time across CPUs.  The owner is the base of the
 * printing CPU's stack, so an exception taken while that CPU prints can
 * still report without waiting for itself.
 */
static struct spinlock console_lock;
static volatile uint64_t console_owner;

bool console_init(void)
{
	const char *value;
	size_t length;
	int choice = -1;
	bool understood = true;

	uart = (struct uart_config){ .access = UART_NONE };
	if (cmdline_find("console", &value, &length)) {
		understood = value && console_parse_option(value, length, &uart);
	} else if (comm_region_valid()) {
		console_from_comm(&comm_region->console, &uart);
	}
	uart_init(&uart);

	if (cmdline_find("hv-console", NULL, NULL))
		choice = cmdline_parse_bool("hv-console", false);
	use_hypercall = console_use_hypercall(comm_region_valid() ? comm_region->flags : 0,
					      comm_region_valid(), choice);
	return understood;
}

static uint64_t stack_base(void)
{
	return read_rsp() & ~(uint64_t)(INMATE_STACK_SIZE - 1);
}

void console_write(const char *text, size_t length)
{
	uint64_t self = stack_base();
	bool nested = console_owner == self;
	size_t n;

	if (!nested) {
		spin_lock(&console_lock);
		console_owner = self;
	}
	for (n = 0; n < length; n++) {
		if (text[n] == '\n')
			uart_putc(&uart, '\r');
		uart_putc(&uart, text[n]);
		if (use_hypercall)
			hypercall_debug_putc(text[n]);
	}
	if (!nested) {
		console_owner = 0;
		spin_unlock(&console_lock);
	}
}

void vprintk(const char *format, va_list args)
{
	char buffer[PRINTK_BUFFER_SIZE];
	int length = format_vsnprintf(buffer, sizeof(buffer), format, args);

	if (length >= (int)sizeof(buffer)) {
		length = sizeof(buffer) - 1;
		buffer[length - 1] = '\n';
	}
	console_write(buffer, (size_t)length);
}

void printk(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vprintk(format, args);
	va_end(args);
}
