// SPDX-License-Identifier: GPL-2.0
/* The console ring: a byte stream of which the last console_size bytes are kept. */
#include <bulkhead-hv/console-ring.h>

/* Orders the data stores before the position that publishes them (x86: a compiler barrier). */
#define publish_barrier()	asm volatile("" ::: "memory")

void console_ring_write(struct bulkhead_public *header, char *data,
			const char *text, size_t length)
{
	uint64_t position = header->console_written;
	size_t i;

	for (i = 0; i < length; i++)
		data[(position + i) % header->console_size] = text[i];
	publish_barrier();
	header->console_written = position + length;
}

static uint64_t oldest_kept(uint64_t written, uint32_t size)
{
	return written > size ? written - size : 0;
}

size_t console_ring_read(const volatile struct bulkhead_public *header,
			 const volatile char *data, uint64_t *position,
			 char *out, size_t size)
{
	uint32_t ring_size = header->console_size;
	uint64_t written = header->console_written;
	uint64_t start = *position;
	size_t count, i;

	if (ring_size == 0)
		return 0;
	if (start < oldest_kept(written, ring_size))
		start = oldest_kept(written, ring_size);
	if (start >= written)
		return 0;
	count = written - start < size ? (size_t)(written - start) : size;
	for (i = 0; i < count; i++)
		out[i] = data[(start + i) % ring_size];
	publish_barrier();
	/* Bytes the writer overwrote while we copied are dropped from the front. */
	written = header->console_written;
	if (start < oldest_kept(written, ring_size)) {
		uint64_t lost = oldest_kept(written, ring_size) - start;

		if (lost >= count)
			lost = count;
		for (i = 0; i + lost < count; i++)
			out[i] = out[i + lost];
		count -= (size_t)lost;
		start += lost;
	}
	*position = start + count;
	return count;
}
