// SPDX-License-Identifier: GPL-2.0
/* What isolates a cell on x86: its EPT, I/O bitmap and MSR bitmap. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <asm/apic.h>
#include <asm/bitmaps.h>
#include <asm/ept.h>
#include <asm/ioapic.h>
#include <asm/msr.h>
#include <asm/vmx-cpu.h>

struct msr_pass {
	uint32_t first, last;
	bool read, write;
};

/*
 * MSRs the root cell reads and writes without an exit: per-task and
 * syscall state the hypervisor never uses, speculation controls, and the
 * local APIC, which the root cell owns, except ICR writes (IPIs stay out
 * of cells) and the APIC base (it must not move, and reads in xAPIC mode
 * where Linux's xAPIC is emulated).  Everything else
 * exits and is emulated, hidden (VMX, feature control) or done on the
 * guest's behalf.
 */
static const struct msr_pass root_msr_pass[] = {
	{ MSR_TSC, MSR_TSC, true, false },
	{ MSR_SPEC_CTRL, MSR_SPEC_CTRL, true, true },
	{ MSR_PRED_CMD, MSR_PRED_CMD, false, true },
	{ MSR_MPERF, MSR_APERF, true, false },
	{ MSR_FLUSH_CMD, MSR_FLUSH_CMD, false, true },
	{ MSR_MISC_ENABLE, MSR_MISC_ENABLE, true, false },
	{ MSR_TSC_DEADLINE, MSR_TSC_DEADLINE, true, true },
	{ MSR_X2APIC_FIRST, MSR_X2APIC_ICR - 1, true, true },
	{ MSR_X2APIC_ICR, MSR_X2APIC_ICR, true, false },
	{ MSR_X2APIC_ICR + 1, MSR_X2APIC_LAST, true, true },
	{ MSR_XSS, MSR_XSS, true, true },
	{ MSR_STAR, MSR_SFMASK, true, true },
	{ MSR_FS_BASE, MSR_TSC_AUX, true, true },
};

/*
 * An inmate owns its CPU's local APIC through the x2APIC MSRs, except
 * what reaches beyond the cell: ICR writes (IPIs stay inside the cell), the
 * LVTs (no SMI, INIT or ExtINT delivery) and the APIC base (x2APIC mode
 * stays on).  Nothing else is done on an inmate's behalf.
 */
static const struct msr_pass cell_msr_pass[] = {
	{ MSR_TSC, MSR_TSC, true, false },
	{ MSR_APIC_BASE, MSR_APIC_BASE, true, false },
	{ MSR_TSC_DEADLINE, MSR_TSC_DEADLINE, true, true },
	{ MSR_X2APIC_FIRST, MSR_X2APIC_LVT_CMCI - 1, true, true },
	{ MSR_X2APIC_LVT_CMCI, MSR_X2APIC_ICR, true, false },
	{ MSR_X2APIC_ICR + 1, MSR_X2APIC_LVT_TIMER - 1, true, true },
	{ MSR_X2APIC_LVT_TIMER, MSR_X2APIC_LVT_ERROR, true, false },
	{ MSR_X2APIC_LVT_ERROR + 1, MSR_X2APIC_LAST, true, true },
	{ MSR_STAR, MSR_SFMASK, true, true },
	{ MSR_FS_BASE, MSR_TSC_AUX, true, true },
};

/* One zeroed page for the cell's tables: the root cell's from the pool, a cell's from its slice. */
static void *table_page(struct cell *cell)
{
	return cell == &root_cell ? page_alloc() : paging_alloc_table(&cell->pool);
}

/* The MSR bitmap, and I/O bitmaps A and B as one 8 KiB run (two consecutive pages). */
static int build_bitmaps(struct cell *cell)
{
	const struct msr_pass *passes = cell == &root_cell ? root_msr_pass : cell_msr_pass;
	unsigned int count = cell == &root_cell ?
			     sizeof(root_msr_pass) / sizeof(root_msr_pass[0]) :
			     sizeof(cell_msr_pass) / sizeof(cell_msr_pass[0]);
	unsigned int i;
	int err;

	cell->arch.msr_bitmap = table_page(cell);
	cell->arch.io_bitmap_a = table_page(cell);
	cell->arch.io_bitmap_b = table_page(cell);
	if (!cell->arch.msr_bitmap || !cell->arch.io_bitmap_a ||
	    cell->arch.io_bitmap_b != cell->arch.io_bitmap_a + PAGE_SIZE)
		return trace_error(-ENOMEM);
	err = io_bitmap_build(cell->arch.io_bitmap_a, &cell->config, cell_pm_timer_port(cell));
	msr_bitmap_trap_all(cell->arch.msr_bitmap);
	for (i = 0; !err && i < count; i++)
		err = msr_bitmap_allow_range(cell->arch.msr_bitmap, passes[i].first,
					     passes[i].last, passes[i].read, passes[i].write);
	return err ? trace_error(err) : 0;
}

/* Memory regions of the config, minus hypervisor memory; the public area read-only. */
static int build_ept(struct cell *cell)
{
	const struct config_view *config = &cell->config;
	const struct bulkhead_memory_region *hypervisor = &config->system->hypervisor_memory;
	uint64_t public_phys = image_header.memory_phys + image_header.public_offset;
	uint32_t i;
	int err = 0;

	cell->arch.ept_root = page_alloc();
	if (!cell->arch.ept_root)
		return trace_error(-ENOMEM);
	for (i = 0; !err && i < config->cell->num_memory_regions; i++)
		err = ept_map_region(&hv_pool, cell->arch.ept_root, &config->memory_regions[i],
				     hypervisor->phys_start, hypervisor->size);
	if (!err)
		err = ept_map(&hv_pool, cell->arch.ept_root, public_phys, public_phys,
			      BULKHEAD_PUBLIC_EXCHANGE_OFFSET(image_header.max_cpus),
			      EPT_READ | EPT_MEMORY_TYPE_WB);
	if (!err)
		err = ept_map(&hv_pool, cell->arch.ept_root,
			      public_phys + BULKHEAD_PUBLIC_EXCHANGE_OFFSET(image_header.max_cpus),
			      public_phys + BULKHEAD_PUBLIC_EXCHANGE_OFFSET(image_header.max_cpus),
			      BULKHEAD_EXCHANGE_SIZE, EPT_READ | EPT_WRITE | EPT_MEMORY_TYPE_WB);
	if (err) {
		printk("cannot build the EPT of cell \"%s\" (error %d)\n", config->cell->name, err);
		return trace_error(err);
	}
	/* No CPU uses this EPT yet: tables adjacent regions folded away are free at once. */
	paging_free_retired(&hv_pool);
	cell->arch.ept_pointer = ept_pointer(virt_to_phys(cell->arch.ept_root));
	return 0;
}

/*
 * The root cell's xAPIC page is not mapped: Linux's accesses there exit
 * and are emulated (apic-emul.c), so that its IPIs stay out of cells, and
 * so that a CPU whose APIC stays in x2APIC mode after a cell still looks
 * like an xAPIC to it.  Linux in x2APIC mode never touches the page.
 */
static int unmap_xapic_page(struct cell *cell)
{
	uint64_t host_phys, flags;
	int err;

	if (!ept_translate(&hv_pool, cell->arch.ept_root, APIC_DEFAULT_PHYS, &host_phys, &flags))
		return 0;
	err = ept_unmap(&hv_pool, cell->arch.ept_root, APIC_DEFAULT_PHYS, PAGE_SIZE);
	return err ? trace_error(err) : 0;
}

/*
 * Nor are the pages of the IOAPICs the root cell lists: Linux's accesses
 * exit and are emulated (ioapic.c), so that it programs only its own pins.
 */
static int unmap_ioapic_pages(struct cell *cell)
{
	const struct config_view *config = &cell->config;
	uint64_t host_phys, flags;
	uint32_t i;
	int err;

	for (i = 0; i < config->cell->num_irqchips; i++) {
		if (!ept_translate(&hv_pool, cell->arch.ept_root, config->irqchips[i].address,
				   &host_phys, &flags))
			continue;
		err = ept_unmap(&hv_pool, cell->arch.ept_root, config->irqchips[i].address, PAGE_SIZE);
		if (err)
			return trace_error(err);
	}
	return 0;
}

int arch_cell_init(struct cell *cell)
{
	int err = build_ept(cell);

	if (!err)
		err = unmap_xapic_page(cell);
	if (!err)
		err = ioapic_init();
	if (!err)
		err = unmap_ioapic_pages(cell);
	return err ? err : build_bitmaps(cell);
}

/* Regions the root cell gives up to a cell: all but the comm region and root-shared ones. */
static bool taken_from_root(const struct bulkhead_memory_region *region)
{
	return !(region->flags & (BULKHEAD_MEM_COMM_REGION | BULKHEAD_MEM_ROOT_SHARED));
}

static int build_cell_ept(struct cell *cell)
{
	const struct config_view *config = &cell->config;
	uint32_t i;
	int err = 0;

	cell->arch.ept_root = paging_alloc_table(&cell->pool);
	if (!cell->arch.ept_root)
		return trace_error(-ENOMEM);
	for (i = 0; !err && i < config->cell->num_memory_regions; i++) {
		const struct bulkhead_memory_region *region = &config->memory_regions[i];

		if (region->flags & BULKHEAD_MEM_COMM_REGION) {
			cell->comm_region = table_page(cell);
			if (!cell->comm_region)
				return trace_error(-ENOMEM);
			err = ept_map(&cell->pool, cell->arch.ept_root, region->virt_start,
				      virt_to_phys(cell->comm_region), PAGE_SIZE,
				      EPT_READ | EPT_WRITE | EPT_MEMORY_TYPE_WB);
		} else {
			err = ept_map(&cell->pool, cell->arch.ept_root, region->virt_start,
				      region->phys_start, region->size, ept_flags_of_region(region));
		}
	}
	/* As for the root cell's at enable: no CPU uses this EPT yet. */
	paging_free_retired(&cell->pool);
	cell->arch.ept_pointer = ept_pointer(virt_to_phys(cell->arch.ept_root));
	return err ? trace_error(err) : 0;
}

/* Enough free pages in the root pool for splitting large EPT leaves at every region's edges. */
static bool root_pool_has_room(const struct cell *cell)
{
	return hv_pool.pages - hv_pool.used >= 4ULL * cell->config.cell->num_memory_regions + 4;
}

/* Begins every change to the root cell's EPT and I/O bitmap: the other root CPUs are held. */
static void begin_root_change(void)
{
	arch_hold_root_cpus(this_cpu()->cpu_id);
}

/*
 * Ends every change: INVEPT here, a flush request to the other root CPUs,
 * which they take before they run Linux again, then their release.  Tables
 * the change folded into 2 MiB leaves go back to the pool only once those
 * CPUs took the request, as until then they may still walk them through
 * their paging-structure caches (SDM Vol. 3C, 28.3.1); if one does not
 * answer, the tables wait for a later flush.
 */
static void end_root_change(void)
{
	unsigned int cpu = this_cpu()->cpu_id;

	arch_flush_root_ept(cpu);
	arch_release_root_cpus();
	if (hv_pool.retired_count && arch_root_ept_flushed(cpu))
		paging_free_retired(&hv_pool);
}

static void give_to_cell(struct cell *cell)
{
	const struct config_view *config = &cell->config;
	uint32_t i;

	begin_root_change();
	for (i = 0; i < config->cell->num_memory_regions; i++) {
		const struct bulkhead_memory_region *region = &config->memory_regions[i];

		if (taken_from_root(region))
			ept_unmap(&hv_pool, root_cell.arch.ept_root, region->phys_start, region->size);
	}
	for (i = 0; i < config->cell->num_pio_regions; i++)
		io_bitmap_trap(root_cell.arch.io_bitmap_a, config->pio_regions[i].base,
			       config->pio_regions[i].length);
	end_root_change();
}

/* Builds the cell's maps from its own pool; only then takes memory and ports from the root cell. */
int arch_cell_create(struct cell *cell)
{
	int err = build_cell_ept(cell);

	if (!err)
		err = build_bitmaps(cell);
	if (!err && !root_pool_has_room(cell))
		err = trace_error(-ENOMEM);
	if (err)
		return err;
	give_to_cell(cell);
	ioapic_cell_create(cell);
	return 0;
}

static void map_for_root(const struct bulkhead_memory_region *region)
{
	const struct bulkhead_memory_region *holder = root_region_holding(region->phys_start,
									   region->size);

	int err;

	if (!holder)
		return;
	err = ept_map(&hv_pool, root_cell.arch.ept_root, region->phys_start, region->phys_start,
		      region->size, ept_flags_of_region(holder));
	if (err && err != -EEXIST)
		printk("root cell: cannot map 0x%lx-0x%lx back (error %d); it stays unmapped\n",
		       region->phys_start, region->phys_start + region->size - 1, err);
}

void arch_cell_destroy(struct cell *cell)
{
	const struct config_view *config = &cell->config;
	uint32_t i;

	begin_root_change();
	for (i = 0; i < config->cell->num_memory_regions; i++)
		if (taken_from_root(&config->memory_regions[i]))
			map_for_root(&config->memory_regions[i]);
	for (i = 0; i < config->cell->num_pio_regions; i++)
		io_bitmap_allow(root_cell.arch.io_bitmap_a, config->pio_regions[i].base,
				config->pio_regions[i].length);
	end_root_change();
	ioapic_cell_destroy(cell);
}

/*
 * While loadable, the root cell sees the cell's loadable regions to copy
 * images in.  Mapping them may fold the tables of their edges back into
 * 2 MiB leaves, so taking them away again may need pool pages to split
 * those: checked first, and without them the cell stays loadable.
 */
int arch_cell_set_loadable(struct cell *cell, bool loadable)
{
	const struct config_view *config = &cell->config;
	uint32_t i;
	int err = 0;

	if (!loadable && !root_pool_has_room(cell))
		return trace_error(-ENOMEM);
	begin_root_change();
	for (i = 0; !err && i < config->cell->num_memory_regions; i++) {
		const struct bulkhead_memory_region *region = &config->memory_regions[i];

		if (!(region->flags & BULKHEAD_MEM_LOADABLE) || !taken_from_root(region))
			continue;
		if (loadable)
			map_for_root(region);
		else
			err = ept_unmap(&hv_pool, root_cell.arch.ept_root, region->phys_start,
					region->size);
	}
	end_root_change();
	return err ? trace_error(err) : 0;
}
