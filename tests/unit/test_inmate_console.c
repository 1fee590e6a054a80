// SPDX-License-Identifier: GPL-2.0
/* Host tests of how an inmate picks its console: "console=" values, the comm region's console, the hypercall console. */
#include <string.h>

#include "../../inmates/lib/x86/cmdline.c"
#include "../../inmates/lib/x86/console-config.c"

#include "unit.h"

static bool parse(const char *value, struct uart_config *config)
{
	return console_parse_option(value, strlen(value), config);
}

static void test_port_and_divider(void)
{
	struct uart_config config;

	CHECK(parse("0x2f8,1", &config));
	CHECK(config.access == UART_PIO && config.address == 0x2f8 && config.divider == 1);
	CHECK(parse("0x3f8,12", &config));
	CHECK(config.address == 0x3f8 && config.divider == 12);
	CHECK(parse("0x3e8", &config));
	CHECK(config.address == 0x3e8 && config.divider == UART_DEFAULT_DIVIDER);
	CHECK(parse("760,0", &config));
	CHECK(config.address == 760 && config.divider == 0);
}

static void test_mmio(void)
{
	struct uart_config config;

	CHECK(parse("mmio,0xfe030000", &config));
	CHECK(config.access == UART_MMIO8 && config.address == 0xfe030000 && config.divider == 1);
	CHECK(parse("mmio32,0xfe031000,0", &config));
	CHECK(config.access == UART_MMIO32 && config.address == 0xfe031000 && config.divider == 0);
}

static void test_none(void)
{
	struct uart_config config = { .access = UART_PIO, .address = 0x3f8 };

	CHECK(parse("none", &config) && config.access == UART_NONE);
}

/* A value that does not parse leaves the config as it was. */
static void test_rejected_values(void)
{
	static const char *const bad[] = {
		"", "0x2f8,", ",1", "0x2f8,1,2", "com2", "0", "-0x2f8", "0x10000", "0xfff9",
		"0x2f8,0x10000", "0x2f8,-1", "mmio", "mmio,", "mmio,0", "mmio16,0x1000",
		"nonee", "none,1",
	};
	struct uart_config config = { .access = UART_PIO, .address = 0x1234, .divider = 7 };
	size_t n;

	for (n = 0; n < sizeof(bad) / sizeof(bad[0]); n++) {
		CHECK(!parse(bad[n], &config));
		if (parse(bad[n], &config))
			fprintf(stderr, "    accepted \"%s\"\n", bad[n]);
	}
	CHECK(config.access == UART_PIO && config.address == 0x1234 && config.divider == 7);
	CHECK(parse("0xfff8", &config) && config.address == 0xfff8);
}

static void test_from_comm_region(void)
{
	struct bulkhead_comm_console console = {
		.address = 0x2f8, .size = 8, .type = BULKHEAD_COMM_CONSOLE_8250, .divider = 1,
	};
	struct uart_config config = { .access = UART_NONE };

	CHECK(console_from_comm(&console, &config));
	CHECK(config.access == UART_PIO && config.address == 0x2f8 && config.divider == 1);

	console.flags = BULKHEAD_COMM_CONSOLE_MMIO;
	console.address = 0xfe030000;
	CHECK(console_from_comm(&console, &config) && config.access == UART_MMIO8);
	console.flags |= BULKHEAD_COMM_CONSOLE_REGDIST_4;
	CHECK(console_from_comm(&console, &config) && config.access == UART_MMIO32);

	config = (struct uart_config){ .access = UART_NONE };
	console.type = BULKHEAD_COMM_CONSOLE_NONE;
	CHECK(!console_from_comm(&console, &config) && config.access == UART_NONE);
	console = (struct bulkhead_comm_console){ .type = BULKHEAD_COMM_CONSOLE_8250 };
	CHECK(!console_from_comm(&console, &config));
	console.address = 0x10000;
	CHECK(!console_from_comm(&console, &config));
}

static void test_hypercall_console(void)
{
	const uint32_t permitted = BULKHEAD_COMM_FLAG_CONSOLE_PUTC;
	const uint32_t active = BULKHEAD_COMM_FLAG_ACTIVE;

	/* Never without permission or without a comm region, whatever the command line says. */
	CHECK(!console_use_hypercall(0, true, 1));
	CHECK(!console_use_hypercall(active, true, 1));
	CHECK(!console_use_hypercall(permitted | active, false, 1));
	/* By default when active; the command line decides otherwise. */
	CHECK(console_use_hypercall(permitted | active, true, -1));
	CHECK(!console_use_hypercall(permitted, true, -1));
	CHECK(console_use_hypercall(permitted, true, 1));
	CHECK(!console_use_hypercall(permitted | active, true, 0));
}

int main(void)
{
	RUN(test_port_and_divider);
	RUN(test_mmio);
	RUN(test_none);
	RUN(test_rejected_values);
	RUN(test_from_comm_region);
	RUN(test_hypercall_console);
	return unit_report("inmate console");
}
