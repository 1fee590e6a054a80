/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ioctl interface of /dev/bulkhead. */
#ifndef BULKHEAD_IOCTL_H
#define BULKHEAD_IOCTL_H

#include <bulkhead/types.h>
#ifdef __KERNEL__
#include <linux/ioctl.h>
#else
#include <sys/ioctl.h>
#endif

#define BULKHEAD_DEVICE		"/dev/bulkhead"
#define BULKHEAD_ERROR_SIZE	256

/*
 * Every request carries a buffer for a one-line, human-readable reason,
 * written (NUL-terminated) when the ioctl fails.
 */
struct bulkhead_error_buffer {
	uint64_t address;
	uint32_t size;
	uint32_t reserved;
} BULKHEAD_PACKED;

struct bulkhead_enable_args {
	struct bulkhead_error_buffer error;
	uint64_t config_address;
	uint32_t config_size;
	uint32_t reserved;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_enable_args) == 32, "enable args size");

struct bulkhead_disable_args {
	struct bulkhead_error_buffer error;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_disable_args) == 16, "disable args size");

#define BULKHEAD_IOCTL_MAGIC	0xb4
#define BULKHEAD_ENABLE		_IOW(BULKHEAD_IOCTL_MAGIC, 0, struct bulkhead_enable_args)
#define BULKHEAD_DISABLE	_IOW(BULKHEAD_IOCTL_MAGIC, 1, struct bulkhead_disable_args)

#endif
