/* SPDX-License-Identifier: GPL-2.0 */
/* The hypervisor's log ring in the public area; written by the hypervisor, read by the driver. */
#ifndef BULKHEAD_HV_CONSOLE_RING_H
#define BULKHEAD_HV_CONSOLE_RING_H

#include <bulkhead/image.h>

#if !defined(__KERNEL__)
#include <stddef.h>
#endif

/*
 * Bytes are numbered by their position in the stream since the hypervisor
 * started; the ring keeps the last console_size of them, byte p at
 * data[p % console_size].  The writer stores the bytes before it publishes
 * the new console_written; a reader copies, then checks that the writer
 * has not lapped what it copied.
 */
void console_ring_write(struct bulkhead_public *header, char *data,
			const char *text, size_t length);
/*
 * Copies up to @size bytes from stream position *@position (moved up to the
 * oldest byte still kept if it is older) into @out and advances *@position.
 * Returns the number of bytes copied, 0 at the end of the stream.
 */
size_t console_ring_read(const volatile struct bulkhead_public *header,
			 const volatile char *data, uint64_t *position,
			 char *out, size_t size);

#endif
