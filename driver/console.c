// SPDX-License-Identifier: GPL-2.0
/* Reading the hypervisor's public area: its log, statistics and hypercalls for facts. */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <bulkhead/hypercall.h>
#include <bulkhead/image.h>
#include <bulkhead-hv/console-ring.h>

#include "bulkhead.h"

struct bulkhead_public *bulkhead_public_header(void)
{
	return bulkhead.public_area;
}

static char *public_console(void)
{
	return (char *)bulkhead_public_header() + BULKHEAD_PUBLIC_CONSOLE_OFFSET;
}

/* The saved copy is a header followed by the ring's bytes, readable like the live one. */
void bulkhead_console_save(void)
{
	size_t size = sizeof(struct bulkhead_public) + BULKHEAD_CONSOLE_SIZE;
	struct bulkhead_public *copy = bulkhead.console_copy;

	if (!copy)
		copy = kvmalloc(size, GFP_KERNEL);
	bulkhead.console_copy = copy;
	if (!copy)
		return;
	memcpy(copy, bulkhead_public_header(), sizeof(*copy));
	memcpy(copy + 1, public_console(), BULKHEAD_CONSOLE_SIZE);
}

/*
 * Called with bulkhead.lock held.  A new run starts a new stream: a reader
 * from an older generation starts at its beginning.
 */
ssize_t bulkhead_console_read(char __user *buffer, size_t size, u64 *position, u32 *generation)
{
	const struct bulkhead_public *header;
	const char *data;
	char chunk[256];
	size_t count;

	if (bulkhead.enabled) {
		header = bulkhead_public_header();
		data = public_console();
	} else if (bulkhead.console_copy) {
		header = bulkhead.console_copy;
		data = (const char *)(header + 1);
	} else {
		return -ENODATA;
	}
	if (*generation != bulkhead.console_generation) {
		*generation = bulkhead.console_generation;
		*position = 0;
	}
	count = console_ring_read(header, data, position, chunk, min(size, sizeof(chunk)));
	if (count && copy_to_user(buffer, chunk, count))
		return -EFAULT;
	return count;
}

long bulkhead_hypercall(unsigned long code, unsigned long arg1, unsigned long arg2)
{
	long result;

	asm volatile("vmcall" : "=a"(result) : "a"(code), "D"(arg1), "S"(arg2) : "memory");
	return result;
}
