/* SPDX-License-Identifier: GPL-2.0 */
/* A test-and-set spinlock; the hypervisor never holds one across a VM entry. */
#ifndef BULKHEAD_HV_SPINLOCK_H
#define BULKHEAD_HV_SPINLOCK_H

#include <bulkhead-hv/types.h>

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
