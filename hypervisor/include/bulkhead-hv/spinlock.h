/* SPDX-License-Identifier: GPL-2.0 */
/* A test-and-set spinlock; the hypervisor never holds one across a VM entry. */
#ifndef BULKHEAD_HV_SPINLOCK_H
#define BULKHEAD_HV_SPINLOCK_H

#include <bulkhead-hv/types.h>

/*
 * No deadline here: every lock is held only for bounded work, which each
 * user states where it takes it (cells_lock in cell.c, console_lock in
 * console.c, a cell console's lock in cell-console.c, init_lock in
 * setup.c), so a spin ends within that bound for each CPU ahead of it.
 */
static inline void spin_lock(volatile uint32_t *lock)
{
	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		asm volatile("pause" ::: "memory");
}

static inline void spin_unlock(volatile uint32_t *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

#endif
