// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Choosing the console from the command line and the comm region; pure code, also built into the host unit tests. */
#include "cmdline.h"
#include "console.h"

/* The highest base at which all 8 registers of a port-mapped 8250 fit below 0x10000. */
#define UART_PIO_MAX_BASE	0xfff8

static bool starts_with(const char *text, size_t length, const char *word, size_t *word_length)
{
	size_t n;

	for (n = 0; word[n]; n++)
		if (n >= length || text[n] != word[n])
			return false;
	*word_length = n;
	return true;
}

/* Splits "A[,B]" and parses A into *ADDRESS and B (or the default) into *DIVIDER. */
static bool parse_address_divider(const char *text, size_t length, long long *address,
				  long long *divider)
{
	size_t comma = 0;

	while (comma < length && text[comma] != ',')
		comma++;
	if (!cmdline_parse_number(text, comma, address))
		return false;
	*divider = UART_DEFAULT_DIVIDER;
	if (comma == length)
		return true;
	return cmdline_parse_number(text + comma + 1, length - comma - 1, divider);
}

bool console_parse_option(const char *value, size_t length, struct uart_config *config)
{
	enum uart_access access = UART_PIO;
	long long address, divider;
	size_t skip = 0;

	if (length == 4 && starts_with(value, length, "none", &skip)) {
		*config = (struct uart_config){ .access = UART_NONE };
		return true;
	}
	if (starts_with(value, length, "mmio32,", &skip))
		access = UART_MMIO32;
	else if (starts_with(value, length, "mmio,", &skip))
		access = UART_MMIO8;
	if (!parse_address_divider(value + skip, length - skip, &address, &divider))
		return false;
	if (address <= 0 || divider < 0 || divider > 0xffff)
		return false;
	if (access == UART_PIO && address > UART_PIO_MAX_BASE)
		return false;
	*config = (struct uart_config){
		.access = access,
		.address = (uint64_t)address,
		.divider = (uint32_t)divider,
	};
	return true;
}

bool console_from_comm(const struct bulkhead_comm_console *console, struct uart_config *config)
{
	enum uart_access access = UART_PIO;

	if (console->type != BULKHEAD_COMM_CONSOLE_8250 || console->address == 0 ||
	    console->divider > 0xffff)
		return false;
	if (console->flags & BULKHEAD_COMM_CONSOLE_MMIO)
		access = console->flags & BULKHEAD_COMM_CONSOLE_REGDIST_4 ? UART_MMIO32 : UART_MMIO8;
	else if (console->address > UART_PIO_MAX_BASE)
		return false;
	*config = (struct uart_config){
		.access = access,
		.address = console->address,
		.divider = console->divider,
	};
	return true;
}

bool console_use_hypercall(uint32_t comm_flags, bool comm_valid, int cmdline_choice)
{
	if (!comm_valid || !(comm_flags & BULKHEAD_COMM_FLAG_CONSOLE_PUTC))
		return false;
	if (cmdline_choice >= 0)
		return cmdline_choice != 0;
	return (comm_flags & BULKHEAD_COMM_FLAG_ACTIVE) != 0;
}
