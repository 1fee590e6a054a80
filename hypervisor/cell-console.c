// SPDX-License-Identifier: GPL-2.0
/* A cell's output on the hypervisor console: its lines marked with its name, printable only, rate limited. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/printk.h>
#include <bulkhead-hv/spinlock.h>

/*
 * A cell may write this many bytes at once, and this many per second after
 * that: at the 115200 baud of a typical debug UART a second's worth holds
 * the console for about 180 ms of each second at most, and one line (up to
 * CELL_CONSOLE_LINE bytes) for about 11 ms.
 */
#define CELL_CONSOLE_BURST	4096ULL
#define CELL_CONSOLE_RATE	2048ULL
/* With no calibrated TSC, a 1 GHz TSC is assumed for the rate. */
#define ASSUMED_TSC_KHZ		1000000ULL

static void refill(struct cell_console *console)
{
	uint64_t now = arch_read_timestamp(), khz = arch_tsc_khz() ?: ASSUMED_TSC_KHZ;
	uint64_t earned = (now - console->refilled) / khz * CELL_CONSOLE_RATE / 1000;

	if (!console->refilled || earned) {
		console->budget = console->refilled ? console->budget + earned : CELL_CONSOLE_BURST;
		if (console->budget > CELL_CONSOLE_BURST)
			console->budget = CELL_CONSOLE_BURST;
		console->refilled = now;
	}
}

/* Bytes that could make a line look like someone else's on a terminal become '.'. */
static char printable(char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' ? c : '.';
}

static void flush(struct cell *cell, struct per_cpu *cpu)
{
	struct cell_console *console = &cell->console;

	refill(console);
	if (console->budget < console->length) {
		console->dropped += console->length;
		cpu->page->events[BULKHEAD_EVENT_CONSOLE_DROPPED] += console->length;
	} else {
		console->budget -= console->length;
		if (console->dropped)
			printk("[%s] (%lu bytes dropped: over %lu bytes per second)\n",
			       cell->config.cell->name, console->dropped, (uint64_t)CELL_CONSOLE_RATE);
		console->dropped = 0;
		console->line[console->length] = '\0';
		printk("[%s] %s\n", cell->config.cell->name, console->line);
	}
	console->length = 0;
}

/*
 * Debug console putc from a cell's inmate: only with the config's
 * console-putc flag.  Characters are collected per cell until a newline
 * (or a full line), so that each line goes out whole and marked.
 */
int64_t cell_console_putc(struct cell *cell, struct per_cpu *cpu, char c)
{
	struct cell_console *console = &cell->console;

	if (!(cell->config.cell->flags & BULKHEAD_CELL_FLAG_CONSOLE_PUTC))
		return trace_error(-EPERM);
	/* Held for one character and at most one line to the console (console_write()). */
	spin_lock(&console->lock);
	if (c != '\n')
		console->line[console->length++] = printable(c);
	if (c == '\n' || console->length == CELL_CONSOLE_LINE)
		flush(cell, cpu);
	spin_unlock(&console->lock);
	return 0;
}
