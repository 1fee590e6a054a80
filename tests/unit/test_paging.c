// SPDX-License-Identifier: GPL-2.0
/* Host tests of the page-table builder (common/x86/paging.c) against a fake pool. */
#include <errno.h>
#include <stdlib.h>

#include <asm/paging.h>

#include "unit.h"

#define POOL_PAGES	16
#define POOL_PHYS	0x1c000000ULL
#define BASE		0xfffffffff0000000ULL

static struct page_pool pool;

static uint64_t *fresh_pool(size_t pages)
{
	static uint8_t memory[POOL_PAGES * 4096] __attribute__((aligned(4096)));

	pool = (struct page_pool){ .virt = memory, .phys = POOL_PHYS, .pages = pages };
	return paging_alloc_table(&pool);
}

static void maps_every_page_of_a_range(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);
	uint64_t phys, flags, offset;

	CHECK(paging_map(&pool, root, BASE, 0x20000000, 0x400000, PAGING_WRITABLE) == 0);
	for (offset = 0; offset < 0x400000; offset += 0x1000) {
		CHECK(paging_translate(&pool, root, BASE + offset + 0x123, &phys, &flags));
		CHECK(phys == 0x20000000 + offset + 0x123);
		CHECK(flags == (PAGING_WRITABLE | PAGING_PRESENT));
	}
	CHECK(!paging_translate(&pool, root, BASE + 0x400000, &phys, &flags));
	CHECK(!paging_translate(&pool, root, BASE - 0x1000, &phys, &flags));
	/* Root, one PDPT, one PD and two page tables for 4 MiB. */
	CHECK(pool.used == 5);
}

static void tables_are_linked_by_physical_address(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);

	CHECK(paging_table_phys(&pool, root) == POOL_PHYS);
	CHECK(paging_map(&pool, root, BASE, 0x1000, 0x1000, 0) == 0);
	CHECK((root[511] & PAGING_ADDRESS_MASK) == POOL_PHYS + 0x1000);
	CHECK((root[511] & 0xfff) == (PAGING_PRESENT | PAGING_WRITABLE));
}

static void leaf_flags_are_kept(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);
	uint64_t phys, flags;

	CHECK(paging_map(&pool, root, 0x400000, 0x400000, 0x1000,
			 PAGING_WRITABLE | PAGING_NO_EXECUTE) == 0);
	CHECK(paging_translate(&pool, root, 0x400000, &phys, &flags));
	CHECK(flags == (PAGING_PRESENT | PAGING_WRITABLE | PAGING_NO_EXECUTE));
}

/* A window the hypervisor remaps at run time: its entry exists, empty, and writing it maps the page. */
static void leaf_entries_are_made_for_run_time_mappings(void)
{
	uint64_t *root = fresh_pool(4), *entry, phys, flags;

	entry = paging_leaf_entry(&pool, root, BASE + 0x5000);
	CHECK(entry && *entry == 0 && pool.used == 4);
	CHECK(!paging_translate(&pool, root, BASE + 0x5000, &phys, &flags));
	*entry = 0x30000000 | PAGING_PRESENT;
	CHECK(paging_translate(&pool, root, BASE + 0x5010, &phys, &flags) && phys == 0x30000010);
	CHECK(paging_leaf_entry(&pool, root, BASE + 0x5fff) == entry);
	CHECK(paging_leaf_entry(&pool, root, BASE + 0x6000) == entry + 1);
	CHECK(paging_leaf_entry(&pool, root, BASE + 0x200000) == NULL);
}

static void bad_arguments_are_rejected(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);

	CHECK(paging_map(&pool, root, BASE + 1, 0, 0x1000, 0) == -EINVAL);
	CHECK(paging_map(&pool, root, BASE, 0x800, 0x1000, 0) == -EINVAL);
	CHECK(paging_map(&pool, root, BASE, 0, 0, 0) == -EINVAL);
	CHECK(paging_map(&pool, root, BASE, 0xfffffffffffff000ULL, 0x2000, 0) == -EINVAL);
	CHECK(pool.used == 1);
}

static void double_mapping_is_refused(void)
{
	uint64_t *root = fresh_pool(POOL_PAGES);

	CHECK(paging_map(&pool, root, BASE, 0, 0x2000, 0) == 0);
	CHECK(paging_map(&pool, root, BASE + 0x1000, 0x5000, 0x1000, 0) == -EEXIST);
}

static void running_out_of_pool_pages_fails_cleanly(void)
{
	uint64_t *root = fresh_pool(3);

	CHECK(paging_map(&pool, root, BASE, 0, 0x1000, 0) == -ENOMEM);
	CHECK(pool.used == 3);
	CHECK(paging_alloc_table(&pool) == NULL);
}

static void retired_pages_are_taken_again_only_once_freed(void)
{
	uint64_t *root = fresh_pool(4);
	uint64_t *a = paging_alloc_table(&pool), *b = paging_alloc_table(&pool);
	uint64_t *c, *first, *second;

	a[0] = b[0] = 0x1234;
	CHECK(paging_retire_table(&pool, a) && paging_retire_table(&pool, b));
	/* Retired pages stay in use, untouched. */
	CHECK(pool.used == 3 && a[0] == 0x1234 && b[0] == 0x1234);
	c = paging_alloc_table(&pool);
	CHECK(c && c != a && c != b && paging_alloc_table(&pool) == NULL);
	CHECK(paging_free_retired(&pool) == 2);
	CHECK(pool.used == 2 && pool.retired_count == 0 && paging_free_retired(&pool) == 0);
	first = paging_alloc_table(&pool);
	second = paging_alloc_table(&pool);
	CHECK((first == a && second == b) || (first == b && second == a));
	CHECK(first[0] == 0 && second[0] == 0);
	CHECK(pool.used == 4 && paging_pages_handed_out(&pool) == 4);
	CHECK(paging_alloc_table(&pool) == NULL);
	CHECK(root == (uint64_t *)pool.virt);
}

static void at_most_paging_retired_max_wait(void)
{
	uint64_t *page = fresh_pool(POOL_PAGES), *last = page;
	unsigned int i;

	for (i = 0; i < PAGING_RETIRED_MAX && page; i++, page = paging_alloc_table(&pool)) {
		CHECK(paging_retire_table(&pool, page));
		last = page;
	}
	CHECK(i == PAGING_RETIRED_MAX && !paging_retire_table(&pool, last));
	CHECK(paging_free_retired(&pool) == PAGING_RETIRED_MAX && pool.used == 0);
}

int main(void)
{
	RUN(maps_every_page_of_a_range);
	RUN(tables_are_linked_by_physical_address);
	RUN(leaf_flags_are_kept);
	RUN(leaf_entries_are_made_for_run_time_mappings);
	RUN(bad_arguments_are_rejected);
	RUN(double_mapping_is_refused);
	RUN(running_out_of_pool_pages_fails_cleanly);
	RUN(retired_pages_are_taken_again_only_once_freed);
	RUN(at_most_paging_retired_max_wait);
	return unit_report("unit paging");
}
