/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Fixed-width types for the shared ABI, in the kernel, the hypervisor and user space. */
#ifndef BULKHEAD_TYPES_H
#define BULKHEAD_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define BULKHEAD_PACKED __attribute__((packed))

#endif
