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

/* Unlinked tables that may wait for their flush at one time; see paging_retire_table(). */
#define PAGING_RETIRED_MAX	16

/*
 * Pages for tables come from one physically contiguous run, known both by
 * the address the builder writes through and by its physical address.
 * Pages [0, used + free_count) have been handed out: freed ones are on the
 * free list (each holds the address of the next) and are taken again
 * first, so consecutive pages are contiguous only while nothing was freed.
 */
struct page_pool {
	uint8_t *virt;
	uint64_t phys;
	size_t pages;
	size_t used;		/* handed out and not freed; retired tables included */
	uint64_t *free_list;
	size_t free_count;
	/* Unlinked tables left intact: a CPU may still walk them until its flush. */
	uint64_t *retired[PAGING_RETIRED_MAX];
	size_t retired_count;
};

/* Every table lies in the first pages handed out, freed ones included. */
static inline size_t paging_pages_handed_out(const struct page_pool *pool)
{
	return pool->used + pool->free_count;
}

uint64_t *paging_alloc_table(struct page_pool *pool);
uint64_t paging_table_phys(const struct page_pool *pool, const uint64_t *table);
/* The table @entry points to, or NULL when its address is not one of @pool's tables. */
uint64_t *paging_table_of_entry(const struct page_pool *pool, uint64_t entry);
bool paging_retire_table(struct page_pool *pool, uint64_t *table);
size_t paging_free_retired(struct page_pool *pool);
int paging_map(struct page_pool *pool, uint64_t *root, uint64_t virt,
	       uint64_t phys, uint64_t size, uint64_t flags);
uint64_t *paging_leaf_entry(struct page_pool *pool, uint64_t *root, uint64_t virt);
bool paging_translate(const struct page_pool *pool, const uint64_t *root,
		      uint64_t virt, uint64_t *phys, uint64_t *flags);

#endif
