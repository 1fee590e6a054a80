/* SPDX-License-Identifier: GPL-2.0 */
/* Hypervisor memory: the page pool, address translation and the public area. */
#ifndef BULKHEAD_HV_MEMORY_H
#define BULKHEAD_HV_MEMORY_H

#include <bulkhead-hv/image.h>
#include <bulkhead-hv/types.h>
#include <asm/paging.h>

extern struct page_pool hv_pool;
/* Start of the public area (memory_init() sets it; host tests point it at a buffer). */
extern uint8_t *public_area;

void memory_init_public(void);
/* Takes over the pool after the pages the driver used for page tables. */
void memory_init(void);
/* One zeroed page, or NULL when the pool is empty. */
void *page_alloc(void);
uint64_t virt_to_phys(const void *address);

static inline void *memory_at(uint64_t offset)
{
	return (void *)(BULKHEAD_BASE + offset);
}

static inline struct bulkhead_public *public_header(void)
{
	return (struct bulkhead_public *)public_area;
}

static inline char *public_console(void)
{
	return (char *)public_area + BULKHEAD_PUBLIC_CONSOLE_OFFSET;
}

static inline struct bulkhead_cpu_page *public_cpu_page(unsigned int cpu)
{
	return (struct bulkhead_cpu_page *)(public_area + BULKHEAD_PUBLIC_CPU_OFFSET(cpu));
}

#endif
