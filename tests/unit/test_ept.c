// SPDX-License-Identifier: GPL-2.0
/* Host tests of the EPT builder (hypervisor/arch/x86/ept.c) against a fake pool. */
#include <errno.h>
#include <string.h>

#include <asm/ept.h>

#include "unit.h"

#define POOL_PAGES	32
#define POOL_PHYS	0x1c000000ULL
#define MiB		0x100000ULL
#define RWX		(EPT_READ | EPT_WRITE | EPT_EXECUTE)
#define HV_START	0x1c000000ULL
#define HV_SIZE		0x600000ULL
#define MEM_RW		(BULKHEAD_MEM_READ | BULKHEAD_MEM_WRITE)
#define MEM_RWX		(MEM_RW | BULKHEAD_MEM_EXECUTE)
#define MEM_RW_IO	(MEM_RW | BULKHEAD_MEM_IO)

static uint8_t memory[POOL_PAGES * 4096] __attribute__((aligned(4096)));
static uint8_t saved[sizeof(memory)];
static struct page_pool pool;

static uint64_t *fresh_pool(size_t pages)
{
	memset(memory, 0, sizeof(memory));
	pool = (struct page_pool){ .virt = memory, .phys = POOL_PHYS, .pages = pages };
	return paging_alloc_table(&pool);
}

static void save_pool(void)
{
	memcpy(saved, memory, sizeof(memory));
}

static int pool_unchanged(void)
{
	return memcmp(saved, memory, sizeof(memory)) == 0;
}

/* The entry the walk for @guest_phys reads at @level (4 = PML4), or 0 if the walk stops earlier. */
static uint64_t entry_at(const uint64_t *root, uint64_t guest_phys, unsigned int level)
{
	const uint64_t *table = root;
	unsigned int at;

	for (at = 4; at > level; at--) {
		uint64_t entry = table[(guest_phys >> (12 + 9 * (at - 1))) & 511];

		if (!(entry & RWX) || (entry & EPT_LARGE_PAGE))
			return 0;
		table = (const uint64_t *)(memory + ((entry & PAGING_ADDRESS_MASK) - POOL_PHYS));
	}
	return table[(guest_phys >> (12 + 9 * (level - 1))) & 511];
}

static int maps_to(const uint64_t *root, uint64_t guest_phys, uint64_t expected_host,
		   uint64_t expected_flags)
{
	uint64_t host, flags;

	return ept_translate(&pool, root, guest_phys, &host, &flags) &&
	       host == expected_host && flags == expected_flags;
}

static int unmapped(const uint64_t *root, uint64_t guest_phys)
{
	uint64_t host, flags;

	return !ept_translate(&pool, root, guest_phys, &host, &flags);
}

static const struct bulkhead_memory_region bochs_regions[] = {
	{ 0, 0, 0xa0000, MEM_RWX },
	{ 0xa0000, 0xa0000, 0x60000, MEM_RW_IO },
	{ 0x100000, 0x100000, 0x1ff00000, MEM_RWX | BULKHEAD_MEM_DMA },
};

static uint64_t *bochs_root_cell(uint64_t hole_start, uint64_t hole_size)
{
	uint64_t *root = fresh_pool(POOL_PAGES);
	unsigned int i;

	for (i = 0; i < 3; i++)
		CHECK(ept_map_region(&pool, root, &bochs_regions[i], hole_start, hole_size) == 0);
	return root;
}

static void maps_a_bochs_root_cell_around_the_hypervisor(void)
{
	uint64_t *root = bochs_root_cell(HV_START, HV_SIZE);

	CHECK(maps_to(root, 0, 0, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(maps_to(root, 0x9ffff, 0x9ffff, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(maps_to(root, 0xa0000, 0xa0000, EPT_READ | EPT_WRITE | EPT_MEMORY_TYPE_UC));
	CHECK(maps_to(root, 0xfffff, 0xfffff, EPT_READ | EPT_WRITE | EPT_MEMORY_TYPE_UC));
	CHECK(maps_to(root, 0x100000, 0x100000, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(maps_to(root, 0x12345678, 0x12345678, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(maps_to(root, HV_START - 1, HV_START - 1, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(unmapped(root, HV_START));
	CHECK(unmapped(root, HV_START + 0x234567));
	CHECK(unmapped(root, HV_START + HV_SIZE - 1));
	CHECK(maps_to(root, HV_START + HV_SIZE, HV_START + HV_SIZE, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(maps_to(root, 0x1fffffff, 0x1fffffff, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(unmapped(root, 0x20000000));
	/* Root, PDPT, PD and one page table for the first 2 MiB; 2 MiB leaves for the rest. */
	CHECK(pool.used == 4);
	CHECK(entry_at(root, 0x200000, 2) & EPT_LARGE_PAGE);
	CHECK(entry_at(root, HV_START - MiB, 2) & EPT_LARGE_PAGE);
	CHECK(entry_at(root, HV_START, 2) == 0);
	CHECK(entry_at(root, HV_START + HV_SIZE, 2) & EPT_LARGE_PAGE);
	CHECK(!(entry_at(root, 0, 2) & EPT_LARGE_PAGE));
}

/* The root cell of configs/x86/bochs-system.dts, whose regions already leave the hypervisor out. */
static void maps_the_regions_of_bochs_system_dts(void)
{
	static const struct bulkhead_memory_region regions[] = {
		{ 0, 0, 0xa0000, MEM_RWX | BULKHEAD_MEM_DMA },
		{ 0xa0000, 0xa0000, 0x60000, MEM_RW_IO },
		{ 0x100000, 0x100000, 0x1bf00000, MEM_RWX | BULKHEAD_MEM_DMA },
		{ 0x1c600000, 0x1c600000, 0x3a00000, MEM_RW },
		{ 0xfec00000, 0xfec00000, 0x1000, MEM_RW_IO },
		{ 0xfed00000, 0xfed00000, 0x1000, MEM_RW_IO },
		{ 0xfffc0000, 0xfffc0000, 0x40000, BULKHEAD_MEM_READ | BULKHEAD_MEM_EXECUTE },
	};
	uint64_t *root = fresh_pool(POOL_PAGES);
	unsigned int i;

	for (i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		CHECK(ept_map_region(&pool, root, &regions[i], HV_START, HV_SIZE) == 0);
	CHECK(maps_to(root, HV_START - 1, HV_START - 1, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(unmapped(root, HV_START));
	CHECK(maps_to(root, 0x1fffffff, 0x1fffffff, EPT_READ | EPT_WRITE | EPT_MEMORY_TYPE_WB));
	CHECK(maps_to(root, 0xfec00010, 0xfec00010, EPT_READ | EPT_WRITE | EPT_MEMORY_TYPE_UC));
	CHECK(unmapped(root, 0xfee00000));
	CHECK(maps_to(root, 0xfffffff0, 0xfffffff0, EPT_READ | EPT_EXECUTE | EPT_MEMORY_TYPE_WB));
	/* Root, PDPT, PDs of the first and fourth GiB, tables at 0, 0xfec00000, 0xfffc0000. */
	CHECK(pool.used == 7);
}

static void a_hole_with_page_edges_takes_page_tables(void)
{
	uint64_t *root = bochs_root_cell(HV_START + 0x1000, HV_SIZE - 0x2000);

	CHECK(maps_to(root, HV_START, HV_START, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(unmapped(root, HV_START + 0x1000));
	CHECK(unmapped(root, HV_START + HV_SIZE - 0x1001));
	CHECK(maps_to(root, HV_START + HV_SIZE - 0x1000, HV_START + HV_SIZE - 0x1000,
		      RWX | EPT_MEMORY_TYPE_WB));
	/* One page table more at each edge of the hole. */
	CHECK(pool.used == 6);
	CHECK(entry_at(root, HV_START + 2 * MiB, 2) == 0);
}

static void large_leaves_only_where_both_sides_are_aligned(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);

	CHECK(ept_map(&pool, root, 0x1ff000, 0x801ff000, 0x202000, RWX) == 0);
	CHECK(maps_to(root, 0x1ff000, 0x801ff000, RWX));
	CHECK(maps_to(root, 0x3fffff, 0x803fffff, RWX));
	CHECK(maps_to(root, 0x400fff, 0x80400fff, RWX));
	CHECK(unmapped(root, 0x401000));
	CHECK(unmapped(root, 0x1fe000));
	CHECK(entry_at(root, 0x200000, 2) == (0x80200000 | RWX | EPT_LARGE_PAGE));
	/* Root, PDPT, PD and page tables for the 4 KiB edges at 0x1ff000 and 0x400000. */
	CHECK(pool.used == 5);

	/* Host side 4 KiB off: 2 MiB leaves cannot fit anywhere. */
	root = fresh_pool(POOL_PAGES);
	CHECK(ept_map(&pool, root, 0x200000, 0x201000, 0x400000, RWX) == 0);
	CHECK(maps_to(root, 0x5fffff, 0x600fff, RWX));
	CHECK(pool.used == 5);
}

static void translate_keeps_the_offset_inside_a_large_leaf(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);

	CHECK(ept_map(&pool, root, 0x40000000, 0x80000000, 2 * MiB,
		      EPT_READ | EPT_MEMORY_TYPE_WB) == 0);
	CHECK(maps_to(root, 0x40012345, 0x80012345, EPT_READ | EPT_MEMORY_TYPE_WB));
	CHECK(maps_to(root, 0x401fffff, 0x801fffff, EPT_READ | EPT_MEMORY_TYPE_WB));
	CHECK(unmapped(root, 0x40200000));
	CHECK(unmapped(root, 1ULL << 48));
}

static void tables_allow_everything_and_leaves_decide(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);

	CHECK(ept_map(&pool, root, 0x1000, 0x1000, 0x1000, EPT_READ | EPT_MEMORY_TYPE_UC) == 0);
	CHECK(root[0] == ((POOL_PHYS + 0x1000) | RWX));
	CHECK(entry_at(root, 0x1000, 3) == ((POOL_PHYS + 0x2000) | RWX));
	CHECK(entry_at(root, 0x1000, 2) == ((POOL_PHYS + 0x3000) | RWX));
	/* The leaf has "ignore PAT" (bit 6) clear. */
	CHECK(entry_at(root, 0x1000, 1) == (0x1000 | EPT_READ | EPT_MEMORY_TYPE_UC));
}

static void overlap_is_refused_and_changes_nothing(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);
	size_t used;

	CHECK(ept_map(&pool, root, 0x5000, 0x5000, 0x1000, RWX) == 0);
	CHECK(ept_map(&pool, root, 0x400000, 0x400000, 2 * MiB, RWX) == 0);
	used = pool.used;
	save_pool();
	/* The clash comes after pages that would have been mapped first. */
	CHECK(ept_map(&pool, root, 0, 0x10000000, 0x10000, RWX) == -EEXIST);
	CHECK(ept_map(&pool, root, 0x300000, 0x300000, 2 * MiB, RWX) == -EEXIST);
	CHECK(ept_map(&pool, root, 0x5ff000, 0x5ff000, 0x2000, RWX) == -EEXIST);
	CHECK(pool.used == used);
	CHECK(pool_unchanged());
	CHECK(unmapped(root, 0));
	CHECK(unmapped(root, 0x300000));
	/* Right beside the existing pages is fine. */
	CHECK(ept_map(&pool, root, 0x6000, 0x6000, 0x1000, RWX) == 0);
	CHECK(ept_map(&pool, root, 0x600000, 0x600000, 0x1000, RWX) == 0);
}

static void a_small_pool_gives_enomem_and_changes_nothing(void)
{
	uint64_t *root = fresh_pool(3);

	save_pool();
	CHECK(ept_map(&pool, root, 0x1000, 0x1000, 0x1000, RWX) == -ENOMEM);
	CHECK(pool.used == 1);
	CHECK(pool_unchanged());

	root = fresh_pool(4);
	CHECK(ept_map(&pool, root, 0x1000, 0x1000, 0x1000, RWX) == 0);
	CHECK(pool.used == 4);
	/* A second page table would be needed. */
	CHECK(ept_map(&pool, root, 0x200000, 0x200000, 0x1000, RWX) == -ENOMEM);
	/* A 2 MiB leaf needs none. */
	CHECK(ept_map(&pool, root, 0x200000, 0x200000, 2 * MiB, RWX) == 0);
}

static void bad_arguments_are_rejected(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);
	uint64_t limit = 1ULL << 46;

	CHECK(ept_map(&pool, root, 0x800, 0, 0x1000, RWX) == -EINVAL);
	CHECK(ept_map(&pool, root, 0, 0x800, 0x1000, RWX) == -EINVAL);
	CHECK(ept_map(&pool, root, 0, 0, 0x800, RWX) == -EINVAL);
	CHECK(ept_map(&pool, root, 0, 0, 0, RWX) == -EINVAL);
	CHECK(ept_map(&pool, root, 0xfffffffffffff000ULL, 0, 0x2000, RWX) == -EINVAL);
	CHECK(ept_map(&pool, root, limit - 0x1000, 0, 0x2000, RWX) == -EINVAL);
	CHECK(ept_map(&pool, root, 0, limit - 0x1000, 0x2000, RWX) == -EINVAL);
	CHECK(ept_map(&pool, root, limit, 0, 0x1000, RWX) == -EINVAL);
	/* Not present, write without read, reserved memory type, unknown bit. */
	CHECK(ept_map(&pool, root, 0, 0, 0x1000, 0) == -EINVAL);
	CHECK(ept_map(&pool, root, 0, 0, 0x1000, EPT_WRITE | EPT_EXECUTE) == -EINVAL);
	CHECK(ept_map(&pool, root, 0, 0, 0x1000, EPT_READ | (2ULL << 3)) == -EINVAL);
	CHECK(ept_map(&pool, root, 0, 0, 0x1000, EPT_READ | EPT_LARGE_PAGE) == -EINVAL);
	CHECK(ept_unmap(&pool, root, 0x800, 0x1000) == -EINVAL);
	CHECK(ept_unmap(&pool, root, 0, 0) == -EINVAL);
	CHECK(pool.used == 1);
	/* Up to the limit itself is fine. */
	CHECK(ept_map(&pool, root, limit - 0x1000, limit - 0x1000, 0x1000, RWX) == 0);
}

static void unmap_splits_a_straddling_large_leaf(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);
	size_t used;

	CHECK(ept_map(&pool, root, 0x200000, 0x10200000, 4 * MiB, RWX | EPT_MEMORY_TYPE_WB) == 0);
	used = pool.used;
	CHECK(ept_unmap(&pool, root, 0x201000, 0x2000) == 0);
	CHECK(pool.used == used + 1);
	CHECK(maps_to(root, 0x200fff, 0x10200fff, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(unmapped(root, 0x201000));
	CHECK(unmapped(root, 0x202fff));
	CHECK(maps_to(root, 0x203000, 0x10203000, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(maps_to(root, 0x3fffff, 0x103fffff, RWX | EPT_MEMORY_TYPE_WB));
	CHECK(!(entry_at(root, 0x200000, 2) & EPT_LARGE_PAGE));
	/* The split-off 4 KiB leaves keep flags and type, without bit 7. */
	CHECK(entry_at(root, 0x3ff000, 1) == (0x103ff000 | RWX | EPT_MEMORY_TYPE_WB));
	CHECK(entry_at(root, 0x400000, 2) & EPT_LARGE_PAGE);

	/* Whole leaves go without splitting; an unmapped tail is fine. */
	CHECK(ept_unmap(&pool, root, 0x400000, 4 * MiB) == 0);
	CHECK(pool.used == used + 1);
	CHECK(unmapped(root, 0x400000));
	CHECK(maps_to(root, 0x3ff000, 0x103ff000, RWX | EPT_MEMORY_TYPE_WB));
}

/*
 * The root cell's case: a 2 MiB leaf at guest 0x200000 (host 0x10200000)
 * between two others, split by unmapping the 1 MiB a cell takes.
 */
#define SPLIT_AT	0x300000ULL
#define WB_RWX		(RWX | EPT_MEMORY_TYPE_WB)
#define LEAF_AT_2M	(0x10200000ULL | WB_RWX | EPT_LARGE_PAGE)

static uint64_t *root_with_a_split_leaf(size_t *used_before)
{
	uint64_t *root = fresh_pool(POOL_PAGES);

	CHECK(ept_map(&pool, root, 0, 0x10000000, 6 * MiB, WB_RWX) == 0);
	CHECK(entry_at(root, 0x200000, 2) == LEAF_AT_2M);
	*used_before = pool.used;
	CHECK(ept_unmap(&pool, root, SPLIT_AT, MiB) == 0);
	CHECK(pool.used == *used_before + 1);
	CHECK(!(entry_at(root, 0x200000, 2) & EPT_LARGE_PAGE));
	return root;
}

/* The table page below the PDE of @guest_phys, as the builder writes it. */
static const uint64_t *table_below(const uint64_t *root, uint64_t guest_phys)
{
	return (const uint64_t *)(memory + ((entry_at(root, guest_phys, 2) & PAGING_ADDRESS_MASK) -
					    POOL_PHYS));
}

/* The table kept, unchanged in use, and nothing waits to be freed. */
static int still_split(const uint64_t *root, size_t used)
{
	return !(entry_at(root, 0x200000, 2) & EPT_LARGE_PAGE) && pool.used == used &&
	       pool.retired_count == 0 && paging_free_retired(&pool) == 0;
}

static void mapping_back_a_split_makes_the_large_leaf_again(void)
{
	size_t used;
	uint64_t *root = root_with_a_split_leaf(&used);
	const uint64_t *table = table_below(root, 0x200000);

	CHECK(ept_map(&pool, root, SPLIT_AT, 0x10000000 + SPLIT_AT, MiB, WB_RWX) == 0);
	CHECK(entry_at(root, 0x200000, 2) == LEAF_AT_2M);
	CHECK(maps_to(root, SPLIT_AT + 0x123, 0x10000000 + SPLIT_AT + 0x123, WB_RWX));
	CHECK(maps_to(root, 0x3fffff, 0x103fffff, WB_RWX));
	/* Retired intact, for CPUs that still walk it until the caller's INVEPT. */
	CHECK(pool.used == used + 1 && pool.retired_count == 1);
	CHECK(table[0] == (0x10200000 | WB_RWX) && table[511] == (0x103ff000 | WB_RWX));
	CHECK(paging_free_retired(&pool) == 1);
	CHECK(pool.used == used);
	/* The page is taken again first, zeroed. */
	CHECK(paging_alloc_table(&pool) == table && table[0] == 0);
}

static void a_partial_give_back_keeps_the_table(void)
{
	size_t used;
	uint64_t *root = root_with_a_split_leaf(&used);

	CHECK(ept_map(&pool, root, SPLIT_AT, 0x10000000 + SPLIT_AT, MiB / 2, WB_RWX) == 0);
	CHECK(still_split(root, used + 1));
	CHECK(unmapped(root, SPLIT_AT + MiB / 2));
	/* The other half makes it whole. */
	CHECK(ept_map(&pool, root, SPLIT_AT + MiB / 2, 0x10000000 + SPLIT_AT + MiB / 2, MiB / 2,
		      WB_RWX) == 0);
	CHECK(entry_at(root, 0x200000, 2) == LEAF_AT_2M);
}

static void different_flags_keep_the_table(void)
{
	size_t used;
	uint64_t *root = root_with_a_split_leaf(&used);

	/* All but one page as before; that one uncached. */
	CHECK(ept_map(&pool, root, SPLIT_AT, 0x10000000 + SPLIT_AT, MiB - 0x1000, WB_RWX) == 0);
	CHECK(ept_map(&pool, root, SPLIT_AT + MiB - 0x1000, 0x10000000 + SPLIT_AT + MiB - 0x1000,
		      0x1000, RWX | EPT_MEMORY_TYPE_UC) == 0);
	CHECK(still_split(root, used + 1));
	CHECK(maps_to(root, 0x3ff000, 0x103ff000, RWX | EPT_MEMORY_TYPE_UC));

	/* Access rights count as much as the memory type. */
	root = root_with_a_split_leaf(&used);
	CHECK(ept_map(&pool, root, SPLIT_AT, 0x10000000 + SPLIT_AT, MiB,
		      EPT_READ | EPT_WRITE | EPT_MEMORY_TYPE_WB) == 0);
	CHECK(still_split(root, used + 1));
}

static void a_range_that_is_not_contiguous_keeps_the_table(void)
{
	size_t used;
	uint64_t *root = root_with_a_split_leaf(&used);

	/* Every page present with the same flags, but one points elsewhere. */
	CHECK(ept_map(&pool, root, SPLIT_AT, 0x10000000 + SPLIT_AT, MiB - 0x1000, WB_RWX) == 0);
	CHECK(ept_map(&pool, root, SPLIT_AT + MiB - 0x1000, 0x20000000, 0x1000, WB_RWX) == 0);
	CHECK(still_split(root, used + 1));
	CHECK(maps_to(root, 0x3ff000, 0x20000000, WB_RWX));

	/* Contiguous and alike, but the host run starts 4 KiB past a 2 MiB boundary. */
	root = fresh_pool(POOL_PAGES);
	CHECK(ept_map(&pool, root, 0x200000, 0x80001000, MiB, WB_RWX) == 0);
	used = pool.used;
	CHECK(ept_map(&pool, root, 0x300000, 0x80101000, MiB, WB_RWX) == 0);
	CHECK(still_split(root, used));
	CHECK(maps_to(root, 0x3fffff, 0x80200fff, WB_RWX));
}

static void ten_rounds_of_unmap_and_map_keep_the_pool(void)
{
	size_t used;
	uint64_t *root = root_with_a_split_leaf(&used);
	unsigned int round;

	CHECK(ept_map(&pool, root, SPLIT_AT, 0x10000000 + SPLIT_AT, MiB, WB_RWX) == 0);
	CHECK(paging_free_retired(&pool) == 1);
	for (round = 0; round < 10; round++) {
		CHECK(ept_unmap(&pool, root, SPLIT_AT, MiB) == 0);
		CHECK(pool.used == used + 1);
		CHECK(unmapped(root, SPLIT_AT) && maps_to(root, SPLIT_AT - 1, 0x102fffff, WB_RWX));
		CHECK(ept_map(&pool, root, SPLIT_AT, 0x10000000 + SPLIT_AT, MiB, WB_RWX) == 0);
		CHECK(paging_free_retired(&pool) == 1);
		CHECK(pool.used == used && entry_at(root, 0x200000, 2) == LEAF_AT_2M);
	}
	/* Only the first split took an untouched page; every later one the freed one. */
	CHECK(paging_pages_handed_out(&pool) == used + 1);
}

/*
 * A range that covers a whole 1 GiB entry empties its tables and leaves
 * them linked: mapping it back reuses them, and the pool does not grow.
 */
static void a_whole_gib_given_back_reuses_its_tables(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES), directory;
	size_t used;
	unsigned int round;

	CHECK(ept_map(&pool, root, 0, 0, 2048 * MiB, WB_RWX) == 0);
	used = pool.used;
	directory = entry_at(root, 1024 * MiB, 3);
	for (round = 0; round < 5; round++) {
		CHECK(ept_unmap(&pool, root, 1024 * MiB, 1024 * MiB) == 0);
		CHECK(unmapped(root, 1024 * MiB) && unmapped(root, 2047 * MiB));
		CHECK(maps_to(root, 1023 * MiB, 1023 * MiB, WB_RWX));
		CHECK(entry_at(root, 1024 * MiB, 3) == directory);
		CHECK(ept_map(&pool, root, 1024 * MiB, 1024 * MiB, 1024 * MiB, WB_RWX) == 0);
		CHECK(maps_to(root, 1536 * MiB, 1536 * MiB, WB_RWX));
		CHECK(pool.used == used && paging_free_retired(&pool) == 0);
	}
}

/* With PAGING_RETIRED_MAX tables waiting for a flush, further ones stay linked. */
static void a_full_retired_list_keeps_tables(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);
	uint64_t guest;

	CHECK(ept_map(&pool, root, 0, 0x40000000, (PAGING_RETIRED_MAX + 1) * 2 * MiB, RWX) == 0);
	for (guest = 0; guest <= PAGING_RETIRED_MAX * 2 * MiB; guest += 2 * MiB)
		CHECK(ept_unmap(&pool, root, guest, 0x1000) == 0);
	for (guest = 0; guest <= PAGING_RETIRED_MAX * 2 * MiB; guest += 2 * MiB)
		CHECK(ept_map(&pool, root, guest, 0x40000000 + guest, 0x1000, RWX) == 0);
	CHECK(pool.retired_count == PAGING_RETIRED_MAX);
	CHECK(entry_at(root, (PAGING_RETIRED_MAX - 1) * 2 * MiB, 2) & EPT_LARGE_PAGE);
	CHECK(!(entry_at(root, PAGING_RETIRED_MAX * 2 * MiB, 2) & EPT_LARGE_PAGE));
	CHECK(maps_to(root, PAGING_RETIRED_MAX * 2 * MiB, 0x40000000 + PAGING_RETIRED_MAX * 2 * MiB,
		      RWX));
	CHECK(paging_free_retired(&pool) == PAGING_RETIRED_MAX);
}

/* Bulkhead maps no 1 GiB leaves: a full table of alike 2 MiB leaves stays a table. */
static void no_one_gib_leaves(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);

	CHECK(ept_map(&pool, root, 0x40000000, 0x80000000, 0x40000000, RWX) == 0);
	CHECK(entry_at(root, 0x40000000, 3) == ((POOL_PHYS + 0x2000) | RWX));
	CHECK(entry_at(root, 0x7fe00000, 2) == (0xbfe00000 | RWX | EPT_LARGE_PAGE));
	CHECK(pool.used == 3 && pool.retired_count == 0);
}

static void unmap_without_pool_pages_changes_nothing(void)
{
	uint64_t *root = fresh_pool(3);

	/* Two 2 MiB leaves; the pool is then full. */
	CHECK(ept_map(&pool, root, 0x200000, 0x200000, 4 * MiB, RWX) == 0);
	CHECK(pool.used == 3);
	save_pool();
	/* Straddles both leaves: two splits, no pages. */
	CHECK(ept_unmap(&pool, root, 0x3ff000, 0x2000) == -ENOMEM);
	CHECK(pool_unchanged());
	CHECK(maps_to(root, 0x3ff000, 0x3ff000, RWX));
	CHECK(ept_unmap(&pool, root, 0x200000, 2 * MiB) == 0);
	CHECK(unmapped(root, 0x200000));
	CHECK(maps_to(root, 0x400000, 0x400000, RWX));
}

static void unmap_takes_out_a_range_of_the_root_cell(void)
{
	uint64_t *root = bochs_root_cell(HV_START, HV_SIZE);

	CHECK(ept_unmap(&pool, root, 0, 1ULL << 40) == 0);
	CHECK(pool.used == 4);
	CHECK(unmapped(root, 0));
	CHECK(unmapped(root, 0x1fffffff));
	root = bochs_root_cell(HV_START, HV_SIZE);
	CHECK(ept_unmap(&pool, root, 0xc0000, 0x1ff40000) == 0);
	CHECK(maps_to(root, 0xbffff, 0xbffff, EPT_READ | EPT_WRITE | EPT_MEMORY_TYPE_UC));
	CHECK(unmapped(root, 0xc0000));
	CHECK(unmapped(root, 0x1fffffff));
}

static void region_flags_follow_the_config(void)
{
	struct bulkhead_memory_region region = { 0, 0, 0x1000, BULKHEAD_MEM_READ };

	CHECK(ept_flags_of_region(&region) == (EPT_READ | EPT_MEMORY_TYPE_WB));
	region.flags = BULKHEAD_MEM_READ | BULKHEAD_MEM_WRITE | BULKHEAD_MEM_IO;
	CHECK(ept_flags_of_region(&region) == (EPT_READ | EPT_WRITE | EPT_MEMORY_TYPE_UC));
	region.flags = BULKHEAD_MEM_EXECUTE | BULKHEAD_MEM_READ | BULKHEAD_MEM_LOADABLE |
		       BULKHEAD_MEM_COMM_REGION | BULKHEAD_MEM_ROOT_SHARED | BULKHEAD_MEM_DMA;
	CHECK(ept_flags_of_region(&region) == (EPT_READ | EPT_EXECUTE | EPT_MEMORY_TYPE_WB));
	region.flags = BULKHEAD_MEM_DMA;
	CHECK(ept_flags_of_region(&region) == EPT_MEMORY_TYPE_WB);
}

static void regions_map_at_their_guest_address_minus_the_host_hole(void)
{
	struct bulkhead_memory_region region = {
		0x40000000, 0x0, 4 * MiB, BULKHEAD_MEM_READ | BULKHEAD_MEM_WRITE,
	};
	uint64_t *root = fresh_pool(POOL_PAGES);

	/* The hole is host-physical: it covers guest 0x100000. */
	CHECK(ept_map_region(&pool, root, &region, 0x40100000, 0x1000) == 0);
	CHECK(maps_to(root, 0xff000, 0x400ff000, EPT_READ | EPT_WRITE | EPT_MEMORY_TYPE_WB));
	CHECK(unmapped(root, 0x100000));
	CHECK(maps_to(root, 0x101000, 0x40101000, EPT_READ | EPT_WRITE | EPT_MEMORY_TYPE_WB));
	CHECK(entry_at(root, 0x200000, 2) & EPT_LARGE_PAGE);
	CHECK(ept_map_region(&pool, root, &region, 0, 0) == -EEXIST);
}

static void odd_regions_and_holes(void)
{
	struct bulkhead_memory_region region = { HV_START, HV_START, 2 * MiB, BULKHEAD_MEM_READ };
	uint64_t *root = fresh_pool(POOL_PAGES);

	/* Entirely inside the hole: nothing to map. */
	CHECK(ept_map_region(&pool, root, &region, HV_START, HV_SIZE) == 0);
	CHECK(unmapped(root, HV_START));
	/* No access at all: nothing to map. */
	region.flags = BULKHEAD_MEM_DMA;
	CHECK(ept_map_region(&pool, root, &region, 0, 0) == 0);
	CHECK(pool.used == 1);
	/* Write without read would be an EPT misconfiguration. */
	region.flags = BULKHEAD_MEM_WRITE;
	CHECK(ept_map_region(&pool, root, &region, 0, 0) == -EINVAL);
	region.flags = BULKHEAD_MEM_READ;
	CHECK(ept_map_region(&pool, root, &region, HV_START + 0x800, 0x1000) == -EINVAL);
	CHECK(ept_map_region(&pool, root, &region, ~0xfffULL, 0x2000) == -EINVAL);
	/* An empty hole inside the region leaves the 2 MiB leaf possible. */
	CHECK(ept_map_region(&pool, root, &region, HV_START + 0x1000, 0) == 0);
	CHECK(entry_at(root, HV_START, 2) == (HV_START | EPT_READ | EPT_MEMORY_TYPE_WB |
					      EPT_LARGE_PAGE));
}

static void eptp_is_write_back_with_a_4_level_walk(void)
{
	uint64_t eptp = ept_pointer(POOL_PHYS);

	CHECK((eptp & 7) == 6);
	CHECK(((eptp >> 3) & 7) == 3);
	CHECK(!(eptp & (1ULL << 6)));
	CHECK((eptp & PAGING_ADDRESS_MASK) == POOL_PHYS);
	CHECK(eptp == 0x1c00001eULL);
}

int main(void)
{
	RUN(maps_a_bochs_root_cell_around_the_hypervisor);
	RUN(maps_the_regions_of_bochs_system_dts);
	RUN(a_hole_with_page_edges_takes_page_tables);
	RUN(large_leaves_only_where_both_sides_are_aligned);
	RUN(translate_keeps_the_offset_inside_a_large_leaf);
	RUN(tables_allow_everything_and_leaves_decide);
	RUN(overlap_is_refused_and_changes_nothing);
	RUN(a_small_pool_gives_enomem_and_changes_nothing);
	RUN(bad_arguments_are_rejected);
	RUN(unmap_splits_a_straddling_large_leaf);
	RUN(mapping_back_a_split_makes_the_large_leaf_again);
	RUN(a_partial_give_back_keeps_the_table);
	RUN(different_flags_keep_the_table);
	RUN(a_range_that_is_not_contiguous_keeps_the_table);
	RUN(ten_rounds_of_unmap_and_map_keep_the_pool);
	RUN(a_whole_gib_given_back_reuses_its_tables);
	RUN(a_full_retired_list_keeps_tables);
	RUN(no_one_gib_leaves);
	RUN(unmap_without_pool_pages_changes_nothing);
	RUN(unmap_takes_out_a_range_of_the_root_cell);
	RUN(region_flags_follow_the_config);
	RUN(regions_map_at_their_guest_address_minus_the_host_hole);
	RUN(odd_regions_and_holes);
	RUN(eptp_is_write_back_with_a_4_level_walk);
	return unit_report("unit ept");
}
