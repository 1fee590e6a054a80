// SPDX-License-Identifier: GPL-2.0
/* 4-level page tables with 4 KiB leaves, built from a page pool. */
#include <asm/paging.h>

#if defined(__KERNEL__)
#include <linux/errno.h>
#include <linux/string.h>
#elif defined(BULKHEAD_HYPERVISOR)
#include <bulkhead-hv/errno.h>
void *memset(void *destination, int value, size_t size);
#else
#include <errno.h>
#include <string.h>
#endif

#define PAGING_LEVELS		4
#define PAGING_INDEX_BITS	9
#define PAGING_TABLE_ENTRIES	512
/* Intermediate entries allow everything; leaves decide.  SDM Vol. 3A, 4.6. */
#define PAGING_TABLE_FLAGS	(PAGING_PRESENT | PAGING_WRITABLE)

/* A freed page if there is one, else the next untouched page; zeroed. */
uint64_t *paging_alloc_table(struct page_pool *pool)
{
	uint8_t *page;

	if (pool->free_list) {
		page = (uint8_t *)pool->free_list;
		pool->free_list = (uint64_t *)(uintptr_t)pool->free_list[0];
		pool->free_count--;
	} else if (paging_pages_handed_out(pool) < pool->pages) {
		page = pool->virt + paging_pages_handed_out(pool) * PAGING_PAGE_SIZE;
	} else {
		return NULL;
	}
	pool->used++;
	memset(page, 0, PAGING_PAGE_SIZE);
	return (uint64_t *)page;
}

/*
 * @table was unlinked from tables a CPU may use.  Its page stays in use,
 * untouched, until paging_free_retired(): until the caller has flushed
 * every CPU that may walk it, such a CPU may still read it through its
 * paging-structure caches (SDM Vol. 3A, 4.10.3; Vol. 3C, 28.3.1).  False
 * when PAGING_RETIRED_MAX tables wait already: then keep it linked.
 */
bool paging_retire_table(struct page_pool *pool, uint64_t *table)
{
	if (pool->retired_count >= PAGING_RETIRED_MAX)
		return false;
	pool->retired[pool->retired_count++] = table;
	return true;
}

/* Once no CPU can reach them any more, retired tables go on the free list; returns how many. */
size_t paging_free_retired(struct page_pool *pool)
{
	size_t count = pool->retired_count;

	while (pool->retired_count) {
		uint64_t *page = pool->retired[--pool->retired_count];

		page[0] = (uint64_t)(uintptr_t)pool->free_list;
		pool->free_list = page;
		pool->free_count++;
		pool->used--;
	}
	return count;
}

uint64_t paging_table_phys(const struct page_pool *pool, const uint64_t *table)
{
	return pool->phys + (uint64_t)((const uint8_t *)table - pool->virt);
}

uint64_t *paging_table_of_entry(const struct page_pool *pool, uint64_t entry)
{
	uint64_t phys = entry & PAGING_ADDRESS_MASK;

	if (phys < pool->phys ||
	    phys >= pool->phys + paging_pages_handed_out(pool) * PAGING_PAGE_SIZE)
		return NULL;
	return (uint64_t *)(pool->virt + (phys - pool->phys));
}

static unsigned int table_index(uint64_t virt, unsigned int level)
{
	unsigned int shift = 12 + PAGING_INDEX_BITS * (level - 1);

	return (virt >> shift) & (PAGING_TABLE_ENTRIES - 1);
}

/* The leaf table (level 1) for @virt, creating tables on the way as needed. */
static uint64_t *leaf_table(struct page_pool *pool, uint64_t *root, uint64_t virt)
{
	uint64_t *table = root;
	unsigned int level;

	for (level = PAGING_LEVELS; level > 1; level--) {
		uint64_t *entry = &table[table_index(virt, level)];

		if (!(*entry & PAGING_PRESENT)) {
			uint64_t *next = paging_alloc_table(pool);

			if (!next)
				return NULL;
			*entry = paging_table_phys(pool, next) | PAGING_TABLE_FLAGS;
		}
		table = paging_table_of_entry(pool, *entry);
		if (!table)
			return NULL;
	}
	return table;
}

/*
 * Maps [virt, virt + size) to [phys, phys + size) with 4 KiB pages and the
 * given leaf flags.  All three must be page aligned.  Returns -ENOMEM when
 * the pool runs out, -EINVAL for bad arguments, -EEXIST when a page is
 * already mapped.
 */
int paging_map(struct page_pool *pool, uint64_t *root, uint64_t virt,
	       uint64_t phys, uint64_t size, uint64_t flags)
{
	uint64_t offset;

	if ((virt | phys | size) & (PAGING_PAGE_SIZE - 1) || size == 0 ||
	    phys + size < phys || (phys + size - 1) & ~PAGING_ADDRESS_MASK & ~0xfffULL)
		return -EINVAL;
	for (offset = 0; offset < size; offset += PAGING_PAGE_SIZE) {
		uint64_t *table = leaf_table(pool, root, virt + offset);
		uint64_t *entry;

		if (!table)
			return -ENOMEM;
		entry = &table[table_index(virt + offset, 1)];
		if (*entry & PAGING_PRESENT)
			return -EEXIST;
		*entry = (phys + offset) | flags | PAGING_PRESENT;
	}
	return 0;
}

/*
 * The level-1 entry for @virt, creating the tables above it as needed; NULL
 * when the pool runs out.  For mappings that change at run time: the
 * caller writes the entry and invalidates the TLB entry itself.
 */
uint64_t *paging_leaf_entry(struct page_pool *pool, uint64_t *root, uint64_t virt)
{
	uint64_t *table = leaf_table(pool, root, virt);

	return table ? &table[table_index(virt, 1)] : NULL;
}

/* Walks the tables like the CPU would; for tests and sanity checks. */
bool paging_translate(const struct page_pool *pool, const uint64_t *root,
		      uint64_t virt, uint64_t *phys, uint64_t *flags)
{
	const uint64_t *table = root;
	unsigned int level;
	uint64_t entry = 0;

	for (level = PAGING_LEVELS; level >= 1; level--) {
		entry = table[table_index(virt, level)];
		if (!(entry & PAGING_PRESENT))
			return false;
		if (level > 1) {
			table = paging_table_of_entry(pool, entry);
			if (!table)
				return false;
		}
	}
	*phys = (entry & PAGING_ADDRESS_MASK) | (virt & 0xfff);
	*flags = entry & ~PAGING_ADDRESS_MASK;
	return true;
}
