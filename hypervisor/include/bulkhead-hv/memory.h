/* SPDX-License-Identifier: GPL-2.0 */
/* Hypervisor memory: the page pool, address translation and the public area. */
#ifndef BULKHEAD_HV_MEMORY_H
#define BULKHEAD_HV_MEMORY_H

#include <bulkhead-hv/image.h>
#include <bulkhead-hv/types.h>
#include <asm/paging.h>

extern struct page_pool hv_pool;

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
	return memory_at(image_header.public_offset);
}

static inline char *public_console(void)
{
	return memory_at(image_header.public_offset + BULKHEAD_PUBLIC_CONSOLE_OFFSET);
}

static inline struct bulkhead_cpu_page *public_cpu_page(unsigned int cpu)
{
	return memory_at(image_header.public_offset + BULKHEAD_PUBLIC_CPU_OFFSET(cpu));
}

#endif
