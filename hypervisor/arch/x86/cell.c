// SPDX-License-Identifier: GPL-2.0
/* What isolates a cell on x86: its EPT, I/O bitmap and MSR bitmap. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <asm/bitmaps.h>
#include <asm/ept.h>
#include <asm/msr.h>

/*
 * MSRs the root cell reads and writes without an exit: per-task and
 * syscall state the hypervisor never uses, speculation controls, and the
 * local APIC, which the root cell owns.  Everything else exits and is
 * emulated, hidden (VMX, feature control) or done on the guest's behalf.
 */
static const struct msr_pass {
	uint32_t first, last;
	bool read, write;
} root_msr_pass[] = {
	{ MSR_TSC, MSR_TSC, true, false },
	{ MSR_APIC_BASE, MSR_APIC_BASE, true, false },
	{ MSR_SPEC_CTRL, MSR_SPEC_CTRL, true, true },
	{ MSR_PRED_CMD, MSR_PRED_CMD, false, true },
	{ MSR_MPERF, MSR_APERF, true, false },
	{ MSR_FLUSH_CMD, MSR_FLUSH_CMD, false, true },
	{ MSR_MISC_ENABLE, MSR_MISC_ENABLE, true, false },
	{ MSR_TSC_DEADLINE, MSR_TSC_DEADLINE, true, true },
	{ MSR_X2APIC_FIRST, MSR_X2APIC_LAST, true, true },
	{ MSR_XSS, MSR_XSS, true, true },
	{ MSR_STAR, MSR_SFMASK, true, true },
	{ MSR_FS_BASE, MSR_TSC_AUX, true, true },
};

static int build_msr_bitmap(struct cell *cell)
{
	unsigned int i;
	int err = 0;

	cell->arch.msr_bitmap = page_alloc();
	if (!cell->arch.msr_bitmap)
		return trace_error(-ENOMEM);
	msr_bitmap_trap_all(cell->arch.msr_bitmap);
	for (i = 0; !err && i < sizeof(root_msr_pass) / sizeof(root_msr_pass[0]); i++)
		err = msr_bitmap_allow_range(cell->arch.msr_bitmap, root_msr_pass[i].first,
					     root_msr_pass[i].last, root_msr_pass[i].read,
					     root_msr_pass[i].write);
	return err ? trace_error(err) : 0;
}

/* Bitmaps A and B are one 8 KiB run: two consecutive pages of the pool. */
static int build_io_bitmap(struct cell *cell)
{
	const struct config_view *config = &cell->config;
	uint32_t i;
	int err = 0;

	cell->arch.io_bitmap_a = page_alloc();
	cell->arch.io_bitmap_b = page_alloc();
	if (!cell->arch.io_bitmap_a || !cell->arch.io_bitmap_b ||
	    cell->arch.io_bitmap_b != cell->arch.io_bitmap_a + PAGE_SIZE)
		return trace_error(-ENOMEM);
	io_bitmap_trap_all(cell->arch.io_bitmap_a);
	for (i = 0; !err && i < config->cell->num_pio_regions; i++)
		err = io_bitmap_allow(cell->arch.io_bitmap_a, config->pio_regions[i].base,
				      config->pio_regions[i].length);
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
			      BULKHEAD_PUBLIC_SIZE(image_header.max_cpus),
			      EPT_READ | EPT_MEMORY_TYPE_WB);
	if (err) {
		printk("cannot build the EPT of cell \"%s\" (error %d)\n", config->cell->name, err);
		return trace_error(err);
	}
	cell->arch.ept_pointer = ept_pointer(virt_to_phys(cell->arch.ept_root));
	return 0;
}

int arch_cell_init(struct cell *cell)
{
	int err = build_ept(cell);

	if (!err)
		err = build_io_bitmap(cell);
	if (!err)
		err = build_msr_bitmap(cell);
	return err;
}
