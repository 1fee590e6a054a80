/* SPDX-License-Identifier: GPL-2.0 */
/* The core's hypercall dispatcher; the arch code has checked the caller's privilege. */
#ifndef BULKHEAD_HV_HYPERCALL_H
#define BULKHEAD_HV_HYPERCALL_H

#include <bulkhead-hv/percpu.h>

/* Returns the result for RAX; disable does not return. */
int64_t hypercall(struct per_cpu *cpu, uint64_t code, uint64_t arg1, uint64_t arg2);

#endif
