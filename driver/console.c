// SPDX-License-Identifier: GPL-2.0
/* Reading the hypervisor's public area: its log, statistics and hypercalls for facts. */
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <bulkhead/hypercall.h>
#include <bulkhead/config.h>
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

/* Sleeps between steps: short at first, as CPUs answer in microseconds, longer for an inmate's reply. */
#define STEP_SLEEP_MIN_US	50
#define STEP_SLEEP_MAX_US	5000
/*
 * The hypervisor ends every operation by its deadline: the longest shutdown
 * timeout and the CPUs' answer time.  Past twice that, it no longer answers
 * as documented, and the driver stops asking.
 */
#define STEPS_MAX_NS		(2ULL * (BULKHEAD_MAX_SHUTDOWN_TIMEOUT_MS + 1000) * NSEC_PER_MSEC)

void bulkhead_steps_begin(struct bulkhead_steps *steps)
{
	steps->start_ns = ktime_get_ns();
	steps->sleep_us = STEP_SLEEP_MIN_US;
}

/*
 * Not interruptible: an operation left half way holds the cell's CPUs
 * between two owners, and the hypervisor ends it within its bound anyway.
 */
bool bulkhead_steps_sleep(struct bulkhead_steps *steps)
{
	if (ktime_get_ns() - steps->start_ns > STEPS_MAX_NS) {
		pr_err("bulkhead: the hypervisor still answers 'again' after %llu ms; giving up\n",
		       (ktime_get_ns() - steps->start_ns) / NSEC_PER_MSEC);
		return false;
	}
	usleep_range(steps->sleep_us, steps->sleep_us * 2);
	steps->sleep_us = min(steps->sleep_us * 2, STEP_SLEEP_MAX_US);
	return true;
}

long bulkhead_hypercall_steps(unsigned long code, unsigned long arg1, unsigned long arg2)
{
	struct bulkhead_steps steps;
	long result;

	bulkhead_steps_begin(&steps);
	while ((result = bulkhead_hypercall(code, arg1, arg2)) == -EAGAIN)
		if (!bulkhead_steps_sleep(&steps))
			return -ETIMEDOUT;
	return result;
}
