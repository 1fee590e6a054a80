/* SPDX-License-Identifier: GPL-2.0 */
/* Extended page tables that confine a cell to its memory; pure logic, tested on the host. */
#ifndef BULKHEAD_ASM_EPT_H
#define BULKHEAD_ASM_EPT_H

#include <asm/paging.h>
#include <bulkhead/config.h>

/* Leaf and table entry bits; SDM Vol. 3C, 28.2.2, tables 28-1 to 28-6. */
#define EPT_READ		(1ULL << 0)
#define EPT_WRITE		(1ULL << 1)
#define EPT_EXECUTE		(1ULL << 2)
#define EPT_ACCESS_MASK		(EPT_READ | EPT_WRITE | EPT_EXECUTE)
/* Memory type of a leaf, bits 5:3; SDM Vol. 3C, 28.2.6.  2, 3 and 7 are reserved. */
#define EPT_MEMORY_TYPE_SHIFT	3
#define EPT_MEMORY_TYPE_MASK	(7ULL << EPT_MEMORY_TYPE_SHIFT)
#define EPT_MEMORY_TYPE_UC	(0ULL << EPT_MEMORY_TYPE_SHIFT)
#define EPT_MEMORY_TYPE_WC	(1ULL << EPT_MEMORY_TYPE_SHIFT)
#define EPT_MEMORY_TYPE_WT	(4ULL << EPT_MEMORY_TYPE_SHIFT)
#define EPT_MEMORY_TYPE_WP	(5ULL << EPT_MEMORY_TYPE_SHIFT)
#define EPT_MEMORY_TYPE_WB	(6ULL << EPT_MEMORY_TYPE_SHIFT)
/* Set, the leaf's type wins over the guest's PAT; Bulkhead leaves it clear. */
#define EPT_IGNORE_PAT		(1ULL << 6)
/* In a PDE (or PDPTE), the entry maps a 2 MiB (1 GiB) page instead of a table. */
#define EPT_LARGE_PAGE		(1ULL << 7)
/* The bits ept_map() takes and ept_translate() reports. */
#define EPT_LEAF_FLAGS		(EPT_ACCESS_MASK | EPT_MEMORY_TYPE_MASK | EPT_IGNORE_PAT)

#define EPT_PAGE_SIZE		0x1000ULL
#define EPT_LARGE_PAGE_SIZE	0x200000ULL
/* Highest guest- and host-physical address (exclusive) Bulkhead maps. */
#define EPT_ADDRESS_LIMIT	(1ULL << 46)

/* EPTP; SDM Vol. 3C, 24.6.11, table 24-8. */
#define EPTP_MEMORY_TYPE_WB	6ULL
#define EPTP_WALK_LENGTH_4	(3ULL << 3)

int ept_map(struct page_pool *pool, uint64_t *root, uint64_t guest_phys,
	    uint64_t host_phys, uint64_t size, uint64_t flags);
int ept_unmap(struct page_pool *pool, uint64_t *root, uint64_t guest_phys,
	      uint64_t size);
bool ept_translate(const struct page_pool *pool, const uint64_t *root,
		   uint64_t guest_phys, uint64_t *host_phys, uint64_t *flags);
uint64_t ept_flags_of_region(const struct bulkhead_memory_region *region);
int ept_map_region(struct page_pool *pool, uint64_t *root,
		   const struct bulkhead_memory_region *region,
		   uint64_t hole_start, uint64_t hole_size);
uint64_t ept_pointer(uint64_t root_phys);

#endif
