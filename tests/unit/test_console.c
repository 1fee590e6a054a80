// SPDX-License-Identifier: GPL-2.0
/* Host tests of the console ring shared by hypervisor and driver. */
#include <string.h>

#include <bulkhead-hv/console-ring.h>

#include "unit.h"

#define RING 16

static struct bulkhead_public header;
static char data[RING];

static void reset(void)
{
	memset(&header, 0, sizeof(header));
	memset(data, 0, sizeof(data));
	header.console_size = RING;
}

static size_t read_all(uint64_t *position, char *out, size_t size)
{
	size_t total = 0, n;

	while ((n = console_ring_read(&header, data, position, out + total, size - total)) > 0)
		total += n;
	out[total] = '\0';
	return total;
}

static void empty_ring_reads_nothing(void)
{
	uint64_t position = 0;
	char out[32];

	reset();
	CHECK(read_all(&position, out, sizeof(out) - 1) == 0);
	CHECK(position == 0);
}

static void reads_what_was_written(void)
{
	uint64_t position = 0;
	char out[32];

	reset();
	console_ring_write(&header, data, "hello\n", 6);
	CHECK(read_all(&position, out, sizeof(out) - 1) == 6);
	CHECK(strcmp(out, "hello\n") == 0);
	CHECK(position == 6);
	console_ring_write(&header, data, "more", 4);
	CHECK(read_all(&position, out, sizeof(out) - 1) == 4);
	CHECK(strcmp(out, "more") == 0);
}

static void wraps_and_keeps_the_newest(void)
{
	uint64_t position = 0;
	char out[64];

	reset();
	console_ring_write(&header, data, "0123456789", 10);
	console_ring_write(&header, data, "abcdefghij", 10);
	/* 20 bytes written, 16 kept: the reader skips to the oldest kept byte. */
	CHECK(read_all(&position, out, sizeof(out) - 1) == RING);
	CHECK(strcmp(out, "456789abcdefghij") == 0);
	CHECK(position == 20);
}

static void small_reads_advance(void)
{
	uint64_t position = 0;
	char out[4];

	reset();
	console_ring_write(&header, data, "abcdef", 6);
	CHECK(console_ring_read(&header, data, &position, out, 4) == 4);
	CHECK(memcmp(out, "abcd", 4) == 0);
	CHECK(console_ring_read(&header, data, &position, out, 4) == 2);
	CHECK(memcmp(out, "ef", 2) == 0);
	CHECK(console_ring_read(&header, data, &position, out, 4) == 0);
}

static void reader_position_ahead_of_stream_reads_nothing(void)
{
	uint64_t position = 100;
	char out[8];

	reset();
	console_ring_write(&header, data, "abc", 3);
	CHECK(console_ring_read(&header, data, &position, out, sizeof(out)) == 0);
}

int main(void)
{
	RUN(empty_ring_reads_nothing);
	RUN(reads_what_was_written);
	RUN(wraps_and_keeps_the_newest);
	RUN(small_reads_advance);
	RUN(reader_position_ahead_of_stream_reads_nothing);
	return unit_report("C unit: console ring");
}
