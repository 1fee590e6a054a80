// SPDX-License-Identifier: GPL-2.0
/* Extended page tables (4-level, 2 MiB and 4 KiB leaves) built from the page pool. */
#include <asm/ept.h>

#if defined(__KERNEL__)
#include <linux/errno.h>
#define trace_error(code) (code)
#elif defined(BULKHEAD_HYPERVISOR)
#include <bulkhead-hv/errno.h>
#else
#include <errno.h>
/* Only the hypervisor records where an error was raised. */
#define trace_error(code) (code)
#endif

#define EPT_LEVELS		4
#define EPT_INDEX_BITS		9
#define EPT_TABLE_ENTRIES	512
/* A 4-level walk translates bits 47:0 of a guest-physical address. */
#define EPT_WALK_LIMIT		(1ULL << 48)
/* Tables allow everything so that leaves alone decide; SDM Vol. 3C, 28.2.2. */
#define EPT_TABLE_FLAGS		EPT_ACCESS_MASK

/* What one mapping places: [guest_start, guest_end) minus [hole_start, hole_end). */
struct ept_mapping {
	uint64_t guest_start;
	uint64_t guest_end;
	uint64_t host_start;
	uint64_t hole_start;
	uint64_t hole_end;
	uint64_t flags;
};

/*
 * Validate first, then act: every change runs as two passes over the same
 * range.  The first (@apply false) only checks and counts the tables it would
 * add; an entry pointer of NULL then stands for an entry of a table that does
 * not exist yet.  The second runs only when the first succeeded and the pool
 * has that many pages left, so it cannot fail half way.
 */
struct ept_walk {
	struct page_pool *pool;
	int (*visit)(struct ept_walk *walk, uint64_t *entry, unsigned int level,
		     uint64_t start, uint64_t end);
	const struct ept_mapping *mapping;	/* mapping passes only */
	bool apply;
	size_t new_tables;
};

static uint64_t level_size(unsigned int level)
{
	return EPT_PAGE_SIZE << (EPT_INDEX_BITS * (level - 1));
}

static unsigned int table_index(uint64_t guest_phys, unsigned int level)
{
	return (guest_phys / level_size(level)) % EPT_TABLE_ENTRIES;
}

/* An entry with none of R, W and X is not present; SDM Vol. 3C, 28.2.2. */
static bool entry_present(uint64_t entry)
{
	return (entry & EPT_ACCESS_MASK) != 0;
}

/* PTEs are always leaves; PDEs and PDPTEs are when bit 7 is set. */
static bool entry_is_leaf(uint64_t entry, unsigned int level)
{
	return level == 1 || (entry & EPT_LARGE_PAGE);
}

/* Page aligned, not empty, and ends at or below EPT_ADDRESS_LIMIT without wrapping. */
static bool range_ok(uint64_t start, uint64_t size)
{
	return (start | size) % EPT_PAGE_SIZE == 0 && size != 0 &&
	       start < EPT_ADDRESS_LIMIT && size <= EPT_ADDRESS_LIMIT - start;
}

/*
 * Leaf flags the CPU accepts (SDM Vol. 3C, 28.2.3.1): some access, or the
 * entry is not present; no write without read; no reserved memory type (2,
 * 3, 7).  Execute-only needs IA32_VMX_EPT_VPID_CAP bit 0, which the caller
 * checks.
 */
static bool flags_ok(uint64_t flags)
{
	uint64_t type = (flags & EPT_MEMORY_TYPE_MASK) >> EPT_MEMORY_TYPE_SHIFT;

	return (flags & ~EPT_LEAF_FLAGS) == 0 && entry_present(flags) &&
	       !((flags & EPT_WRITE) && !(flags & EPT_READ)) &&
	       type != 2 && type != 3 && type != 7;
}

/* Calls walk->visit for each entry of @table at @level that [start, end) touches. */
static int walk_table(struct ept_walk *walk, uint64_t *table, unsigned int level,
		      uint64_t start, uint64_t end)
{
	int err = 0;

	while (start < end && !err) {
		uint64_t next = (start | (level_size(level) - 1)) + 1;

		if (next > end)
			next = end;
		err = walk->visit(walk, table ? &table[table_index(start, level)] : NULL,
				  level, start, next);
		start = next;
	}
	return err;
}

static int check_then_apply(struct ept_walk *walk, uint64_t *root,
			    uint64_t start, uint64_t end)
{
	int err = walk_table(walk, root, EPT_LEVELS, start, end);

	if (err)
		return err;
	if (walk->new_tables > walk->pool->pages - walk->pool->used)
		return trace_error(-ENOMEM);
	walk->apply = true;
	return walk_table(walk, root, EPT_LEVELS, start, end);
}

static bool inside_hole(const struct ept_mapping *mapping, uint64_t start, uint64_t end)
{
	return start >= mapping->hole_start && end <= mapping->hole_end;
}

static uint64_t host_of(const struct ept_mapping *mapping, uint64_t guest_phys)
{
	return mapping->host_start + (guest_phys - mapping->guest_start);
}

/* A 2 MiB leaf fits where the PDE's whole range is mapped, hole-free, to an aligned host range. */
static bool large_leaf_fits(const struct ept_mapping *mapping, unsigned int level,
			    uint64_t start, uint64_t end)
{
	return level == 2 && end - start == EPT_LARGE_PAGE_SIZE &&
	       host_of(mapping, start) % EPT_LARGE_PAGE_SIZE == 0 &&
	       (end <= mapping->hole_start || start >= mapping->hole_end);
}

static uint64_t leaf_entry(const struct ept_mapping *mapping, unsigned int level, uint64_t start)
{
	return host_of(mapping, start) | mapping->flags | (level > 1 ? EPT_LARGE_PAGE : 0);
}

/*
 * The 2 MiB leaf that maps exactly what the 4 KiB leaves of @table map: all
 * 512 present, one 2 MiB-aligned host run in order, the same flags and no
 * other bits.  0 if there is none.
 */
static uint64_t same_as_large_leaf(const uint64_t *table)
{
	uint64_t first = table[0];
	unsigned int i;

	if (!entry_present(first) || (first & ~PAGING_ADDRESS_MASK & ~EPT_LEAF_FLAGS) ||
	    (first & PAGING_ADDRESS_MASK) % EPT_LARGE_PAGE_SIZE != 0)
		return 0;
	for (i = 1; i < EPT_TABLE_ENTRIES; i++)
		if (table[i] != first + i * EPT_PAGE_SIZE)
			return 0;
	return first | EPT_LARGE_PAGE;
}

/*
 * Undoes split_leaf() once mapping has made the page table below the PDE
 * @entry a 2 MiB leaf in all but form.  One 8-byte store swaps them, so a
 * walk meets the table or the leaf, which map the same; the table is
 * retired, intact, for the caller to free after its INVEPT.  No 1 GiB
 * leaves: Bulkhead maps none, and they would need IA32_VMX_EPT_VPID_CAP
 * bit 17 (SDM Vol. 3D, A.10).
 */
static void merge_table(struct page_pool *pool, uint64_t *entry, unsigned int level,
			uint64_t *table)
{
	uint64_t leaf;

	if (level != 2)
		return;
	leaf = same_as_large_leaf(table);
	if (leaf && paging_retire_table(pool, table))
		__atomic_store_n(entry, leaf, __ATOMIC_RELEASE);
}

/*
 * Goes down to the table below @entry, linking a new one in the second pass
 * if there is none, and folding it into a large leaf afterwards if it can.
 */
static int map_below(struct ept_walk *walk, uint64_t *entry, unsigned int level,
		     uint64_t start, uint64_t end)
{
	uint64_t *table = NULL;
	int err;

	if (entry && entry_present(*entry)) {
		table = paging_table_of_entry(walk->pool, *entry);
		if (!table)
			return trace_error(-EINVAL);
	} else if (walk->apply) {
		table = paging_alloc_table(walk->pool);
		if (!table)
			return trace_error(-ENOMEM);
		*entry = paging_table_phys(walk->pool, table) | EPT_TABLE_FLAGS;
	} else {
		walk->new_tables++;
	}
	err = walk_table(walk, table, level - 1, start, end);
	if (!err && walk->apply)
		merge_table(walk->pool, entry, level, table);
	return err;
}

static int map_entry(struct ept_walk *walk, uint64_t *entry, unsigned int level,
		     uint64_t start, uint64_t end)
{
	const struct ept_mapping *mapping = walk->mapping;
	uint64_t value = entry ? *entry : 0;

	if (inside_hole(mapping, start, end))
		return 0;
	if (entry_present(value) && entry_is_leaf(value, level))
		return trace_error(-EEXIST);
	if (!entry_present(value) && (level == 1 || large_leaf_fits(mapping, level, start, end))) {
		if (walk->apply)
			*entry = leaf_entry(mapping, level, start);
		return 0;
	}
	return map_below(walk, entry, level, start, end);
}

static int map_checked(struct page_pool *pool, uint64_t *root,
		       const struct ept_mapping *mapping)
{
	struct ept_walk walk = { .pool = pool, .visit = map_entry, .mapping = mapping };

	return check_then_apply(&walk, root, mapping->guest_start, mapping->guest_end);
}

/*
 * Maps [guest_phys, guest_phys + size) to [host_phys, host_phys + size) with
 * @flags (EPT_LEAF_FLAGS) on every leaf: 2 MiB leaves where a whole aligned
 * 2 MiB of guest space maps to an aligned 2 MiB of host space, 4 KiB leaves
 * elsewhere.  2 MiB leaves need IA32_VMX_EPT_VPID_CAP bit 16.  A page table
 * the mapping completes into one 2 MiB leaf (mapping back what ept_unmap()
 * split) becomes that leaf; the table is retired, and the caller frees it
 * with paging_free_retired() after flushing cached translations with INVEPT
 * (SDM Vol. 3C, 28.3.3).  Returns -EINVAL for bad arguments, -EEXIST if any
 * page is already mapped, -ENOMEM if the pool is too small; on any error
 * nothing has changed.
 */
int ept_map(struct page_pool *pool, uint64_t *root, uint64_t guest_phys,
	    uint64_t host_phys, uint64_t size, uint64_t flags)
{
	struct ept_mapping mapping = {
		.guest_start = guest_phys,
		.guest_end = guest_phys + size,
		.host_start = host_phys,
		.flags = flags,
	};

	if (!range_ok(guest_phys, size) || !range_ok(host_phys, size) || !flags_ok(flags))
		return trace_error(-EINVAL);
	return map_checked(pool, root, &mapping);
}

/* Replaces a large leaf by a table of 512 leaves one level down that map the same. */
static uint64_t *split_leaf(struct page_pool *pool, uint64_t *entry, unsigned int level)
{
	uint64_t *table = paging_alloc_table(pool);
	uint64_t base = *entry & PAGING_ADDRESS_MASK;
	uint64_t flags = (*entry & EPT_LEAF_FLAGS) | (level > 2 ? EPT_LARGE_PAGE : 0);
	unsigned int i;

	if (!table)
		return NULL;
	for (i = 0; i < EPT_TABLE_ENTRIES; i++)
		table[i] = (base + i * level_size(level - 1)) | flags;
	/* Filled before it is linked, so a walk never meets a half-built table. */
	*entry = paging_table_phys(pool, table) | EPT_TABLE_FLAGS;
	return table;
}

/* Goes down to the table below @entry, splitting a large leaf into one in the second pass. */
static int unmap_below(struct ept_walk *walk, uint64_t *entry, unsigned int level,
		       uint64_t start, uint64_t end)
{
	uint64_t *table = NULL;

	if (entry && !entry_is_leaf(*entry, level)) {
		table = paging_table_of_entry(walk->pool, *entry);
		if (!table)
			return trace_error(-EINVAL);
	} else if (walk->apply) {
		table = split_leaf(walk->pool, entry, level);
		if (!table)
			return trace_error(-ENOMEM);
	} else {
		walk->new_tables++;
	}
	return walk_table(walk, table, level - 1, start, end);
}

/* In the first pass a NULL @entry lies inside a leaf being split, so it is present. */
static int unmap_entry(struct ept_walk *walk, uint64_t *entry, unsigned int level,
		       uint64_t start, uint64_t end)
{
	if (entry && !entry_present(*entry))
		return 0;
	/* A whole leaf goes; a whole table stays linked, emptied, for mapping back. */
	if (end - start == level_size(level) && (!entry || entry_is_leaf(*entry, level))) {
		if (walk->apply)
			*entry = 0;
		return 0;
	}
	return unmap_below(walk, entry, level, start, end);
}

/*
 * Removes every translation in [guest_phys, guest_phys + size); parts that
 * are not mapped are fine.  A large leaf that straddles an end is split
 * first, which takes a pool page: -ENOMEM if the pool lacks them, and then
 * nothing has changed.  Tables left empty stay linked.  The caller flushes
 * cached translations with INVEPT (SDM Vol. 3C, 28.3.3).
 */
int ept_unmap(struct page_pool *pool, uint64_t *root, uint64_t guest_phys, uint64_t size)
{
	struct ept_walk walk = { .pool = pool, .visit = unmap_entry };

	if (!range_ok(guest_phys, size))
		return trace_error(-EINVAL);
	return check_then_apply(&walk, root, guest_phys, guest_phys + size);
}

static void leaf_translation(uint64_t entry, unsigned int level, uint64_t guest_phys,
			     uint64_t access, uint64_t *host_phys, uint64_t *flags)
{
	uint64_t offset_mask = level_size(level) - 1;

	*host_phys = (entry & PAGING_ADDRESS_MASK & ~offset_mask) | (guest_phys & offset_mask);
	*flags = (entry & EPT_LEAF_FLAGS & ~EPT_ACCESS_MASK) | access;
}

/*
 * Walks the tables like the CPU (SDM Vol. 3C, 28.2.2): the access rights
 * reported are those every level allows, the memory type is the leaf's.
 */
bool ept_translate(const struct page_pool *pool, const uint64_t *root,
		   uint64_t guest_phys, uint64_t *host_phys, uint64_t *flags)
{
	const uint64_t *table = root;
	uint64_t access = EPT_ACCESS_MASK;
	unsigned int level;

	if (guest_phys >= EPT_WALK_LIMIT)
		return false;
	for (level = EPT_LEVELS; table; level--) {
		uint64_t entry = table[table_index(guest_phys, level)];

		if (!entry_present(entry))
			return false;
		access &= entry;
		if (entry_is_leaf(entry, level)) {
			leaf_translation(entry, level, guest_phys, access, host_phys, flags);
			return true;
		}
		table = paging_table_of_entry(pool, entry);
	}
	return false;
}

/*
 * Device memory (IO) is uncached, everything else write-back.  The leaf
 * leaves "ignore PAT" clear, so the guest's PAT still combines with this
 * type (SDM Vol. 3C, 28.2.6.2); UC wins over any PAT type.
 */
uint64_t ept_flags_of_region(const struct bulkhead_memory_region *region)
{
	uint64_t flags = region->flags & BULKHEAD_MEM_IO ? EPT_MEMORY_TYPE_UC : EPT_MEMORY_TYPE_WB;

	if (region->flags & BULKHEAD_MEM_READ)
		flags |= EPT_READ;
	if (region->flags & BULKHEAD_MEM_WRITE)
		flags |= EPT_WRITE;
	if (region->flags & BULKHEAD_MEM_EXECUTE)
		flags |= EPT_EXECUTE;
	return flags;
}

static uint64_t guest_of_host(const struct bulkhead_memory_region *region, uint64_t host_phys)
{
	return region->virt_start + (host_phys - region->phys_start);
}

/* The part of host range [hole_start, hole_end) inside the region, in guest addresses. */
static void clip_hole(struct ept_mapping *mapping, const struct bulkhead_memory_region *region,
		      uint64_t hole_start, uint64_t hole_end)
{
	uint64_t phys_end = region->phys_start + region->size;

	if (hole_start >= hole_end || hole_start >= phys_end || hole_end <= region->phys_start)
		return;
	if (hole_start < region->phys_start)
		hole_start = region->phys_start;
	if (hole_end > phys_end)
		hole_end = phys_end;
	mapping->hole_start = guest_of_host(region, hole_start);
	mapping->hole_end = guest_of_host(region, hole_end);
}

/*
 * Maps a config region at guest virt_start to host phys_start, leaving out
 * the host-physical range [hole_start, hole_start + hole_size) (the
 * hypervisor's memory) where the region overlaps it.  A region without read,
 * write or execute maps nothing.  Errors as for ept_map(); on any error
 * nothing has changed.
 */
int ept_map_region(struct page_pool *pool, uint64_t *root,
		   const struct bulkhead_memory_region *region,
		   uint64_t hole_start, uint64_t hole_size)
{
	struct ept_mapping mapping = {
		.guest_start = region->virt_start,
		.guest_end = region->virt_start + region->size,
		.host_start = region->phys_start,
		.flags = ept_flags_of_region(region),
	};

	if (!range_ok(region->virt_start, region->size) ||
	    !range_ok(region->phys_start, region->size) ||
	    (hole_start | hole_size) % EPT_PAGE_SIZE != 0 || hole_start + hole_size < hole_start)
		return trace_error(-EINVAL);
	if (!entry_present(mapping.flags))
		return 0;
	if (!flags_ok(mapping.flags))
		return trace_error(-EINVAL);
	clip_hole(&mapping, region, hole_start, hole_start + hole_size);
	return map_checked(pool, root, &mapping);
}

/* Write-back accesses to the tables, 4-level walk, no accessed/dirty flags. */
uint64_t ept_pointer(uint64_t root_phys)
{
	return root_phys | EPTP_WALK_LENGTH_4 | EPTP_MEMORY_TYPE_WB;
}
