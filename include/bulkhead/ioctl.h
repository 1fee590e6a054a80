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

/* Creates a cell from a .cell config; returns its ID (> 0). */
struct bulkhead_cell_create_args {
	struct bulkhead_error_buffer error;
	uint64_t config_address;
	uint32_t config_size;
	uint32_t reserved;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_cell_create_args) == 32, "cell create args size");

/* Copies bytes into a stopped cell's loadable memory at a guest physical address. */
struct bulkhead_cell_load_args {
	struct bulkhead_error_buffer error;
	uint32_t id;
	uint32_t reserved;
	uint64_t address;		/* guest physical */
	uint64_t data_address;
	uint64_t data_size;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_cell_load_args) == 48, "cell load args size");

/* Start and destroy name the cell by ID. */
struct bulkhead_cell_args {
	struct bulkhead_error_buffer error;
	uint32_t id;
	uint32_t reserved;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_cell_args) == 24, "cell args size");

#define BULKHEAD_IOCTL_MAGIC	0xb4
#define BULKHEAD_ENABLE		_IOW(BULKHEAD_IOCTL_MAGIC, 0, struct bulkhead_enable_args)
#define BULKHEAD_DISABLE	_IOW(BULKHEAD_IOCTL_MAGIC, 1, struct bulkhead_disable_args)
#define BULKHEAD_CELL_CREATE	_IOW(BULKHEAD_IOCTL_MAGIC, 2, struct bulkhead_cell_create_args)
#define BULKHEAD_CELL_LOAD	_IOW(BULKHEAD_IOCTL_MAGIC, 3, struct bulkhead_cell_load_args)
#define BULKHEAD_CELL_START	_IOW(BULKHEAD_IOCTL_MAGIC, 4, struct bulkhead_cell_args)
#define BULKHEAD_CELL_DESTROY	_IOW(BULKHEAD_IOCTL_MAGIC, 5, struct bulkhead_cell_args)
/* Returns 0 when the cell approved, 1 when it did not answer in time and was stopped anyway. */
#define BULKHEAD_CELL_SHUTDOWN	_IOW(BULKHEAD_IOCTL_MAGIC, 6, struct bulkhead_cell_args)

#endif
