// SPDX-License-Identifier: GPL-2.0
/* Host tests of a cell's hypervisor console (hypervisor/cell-console.c): permission, marking, rate limit. */
#include <string.h>

#include "../../hypervisor/cell-console.c"
#include "../../hypervisor/printk.c"

#include "unit.h"

/* What cell-console.c uses from the rest of the hypervisor. */
struct bulkhead_image_header image_header;
uint8_t *public_area;
static uint64_t clock_now = 1;
static char printed[8192];

int trace_error_at(int code, const char *file, unsigned int line)
{
	(void)file;
	(void)line;
	return code;
}

uint64_t arch_read_timestamp(void)
{
	return clock_now;
}

/* 1 MHz: one tick a microsecond. */
uint32_t arch_tsc_khz(void)
{
	return 1000;
}

void console_write(const char *text, size_t length)
{
	strncat(printed, text, length < sizeof(printed) - strlen(printed) - 1 ?
		length : sizeof(printed) - strlen(printed) - 1);
}

void printk(const char *format, ...)
{
	char line[256];
	va_list args;
	size_t length;

	va_start(args, format);
	length = format_string(line, sizeof(line), format, args);
	va_end(args);
	console_write(line, length);
}

static struct bulkhead_cell config = { .name = "rt" };
static struct cell cell;
static struct bulkhead_cpu_page page;
static struct per_cpu cpu;

static void setup(uint32_t flags)
{
	memset(&cell, 0, sizeof(cell));
	memset(&page, 0, sizeof(page));
	config.flags = flags;
	cell.config.cell = &config;
	cpu.page = &page;
	printed[0] = '\0';
	clock_now = 1;
}

static int64_t write_text(const char *text)
{
	int64_t result = 0;

	while (*text && !result)
		result = cell_console_putc(&cell, &cpu, *text++);
	return result;
}

static void refused_without_console_putc(void)
{
	setup(0);
	CHECK(write_text("hello\n") == -EPERM && printed[0] == '\0');
}

/* A line goes out whole, marked with the cell, once its newline comes. */
static void lines_are_marked_with_the_cell(void)
{
	setup(BULKHEAD_CELL_FLAG_CONSOLE_PUTC);
	CHECK(write_text("CPU 0: panic") == 0 && printed[0] == '\0');
	CHECK(write_text("\n") == 0);
	CHECK(strcmp(printed, "[rt] CPU 0: panic\n") == 0);
}

/* A carriage return or escape cannot make the line look like the hypervisor's. */
static void control_characters_are_replaced(void)
{
	setup(BULKHEAD_CELL_FLAG_CONSOLE_PUTC);
	CHECK(write_text("x\rCPU 1: parked\x1b[2K\n") == 0);
	CHECK(strcmp(printed, "[rt] x.CPU 1: parked.[2K\n") == 0);
}

static void a_long_line_is_cut_into_marked_pieces(void)
{
	char line[CELL_CONSOLE_LINE + 11];

	setup(BULKHEAD_CELL_FLAG_CONSOLE_PUTC);
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	CHECK(write_text(line) == 0 && write_text("\n") == 0);
	CHECK(strncmp(printed, "[rt] aaaa", 9) == 0);
	CHECK(strstr(printed, "\n[rt] aaaaaaaaaa\n") != NULL);
}

/* Over the burst, lines are dropped and counted; a second later the count is told. */
static void output_over_the_rate_is_dropped_and_counted(void)
{
	unsigned int i;

	setup(BULKHEAD_CELL_FLAG_CONSOLE_PUTC);
	for (i = 0; i < 100; i++)
		CHECK(write_text("0123456789012345678901234567890123456789012345678901234567890123\n") == 0);
	CHECK(page.events[BULKHEAD_EVENT_CONSOLE_DROPPED] == 100 * 64 - CELL_CONSOLE_BURST);
	printed[0] = '\0';
	clock_now += 1000000;	/* a second */
	CHECK(write_text("back\n") == 0);
	CHECK(strcmp(printed, "[rt] (2304 bytes dropped: over 2048 bytes per second)\n"
			      "[rt] back\n") == 0);
}

int main(void)
{
	RUN(refused_without_console_putc);
	RUN(lines_are_marked_with_the_cell);
	RUN(control_characters_are_replaced);
	RUN(a_long_line_is_cut_into_marked_pieces);
	RUN(output_over_the_rate_is_dropped_and_counted);
	return unit_report("C unit: cell console");
}
