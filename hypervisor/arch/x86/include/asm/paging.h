/* SPDX-License-Identifier: GPL-2.0 */
/* 4-level x86-64 page tables built from a pool of pages; pure logic, tested on the host. */
#ifndef BULKHEAD_ASM_PAGING_H
#define BULKHEAD_ASM_PAGING_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#define PAGING_PAGE_SIZE	4096ULL
/* Entry bits; SDM Vol. 3A, 4.5, tables 4-15 to 4-20. */
#define PAGING_PRESENT		(1ULL << 0)
#define PAGING_WRITABLE		(1ULL << 1)
#define PAGING_CACHE_DISABLE	(1ULL << 4)	/* PCD: uncached, for device registers */
#define PAGING_NO_EXECUTE	(1ULL << 63)
#define PAGING_ADDRESS_MASK	0x000ffffffffff000ULL

/*
 * Pages for tables come from one physically contiguous run, known both by
 * the address the builder writes through and by its physical address.
 */
struct page_pool {
	uint8_t *virt;
	uint64_t phys;
	size_t pages;
	size_t used;
};

uint64_t *paging_alloc_table(struct page_pool *pool);
uint64_t paging_table_phys(const struct page_pool *pool, const uint64_t *table);
int paging_map(struct page_pool *pool, uint64_t *root, uint64_t virt,
	       uint64_t phys, uint64_t size, uint64_t flags);
bool paging_translate(const struct page_pool *pool, const uint64_t *root,
		      uint64_t virt, uint64_t *phys, uint64_t *flags);

#endif
