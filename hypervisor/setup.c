// SPDX-License-Identifier: GPL-2.0
/* What every CPU does when Linux calls into the hypervisor image. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/config.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/image.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <bulkhead-hv/spinlock.h>

int bulkhead_entry(unsigned int cpu_id, uint64_t linux_cr3);

struct cell root_cell;

/* The first CPU to arrive sets up what all share; the others wait for its result. */
static uint32_t init_lock;
static bool init_done;
static int init_result;

/* The hypervisor checks the config itself: what the driver checked is not trusted. */
static int parse_system_config(struct config_view *view)
{
	const struct bulkhead_config_header *config = memory_at(image_header.config_offset);
	const char *problem;

	if (image_header.config_offset + sizeof(*config) > image_header.memory_size ||
	    config->size > image_header.memory_size - image_header.config_offset)
		return trace_error(-EINVAL);
	if (config_parse(config, config->size, BULKHEAD_CONFIG_KIND_SYSTEM, view, &problem))
		return trace_error(-EINVAL);
	return 0;
}

static int init_shared_state(void)
{
	int err;

	err = parse_system_config(&root_cell.config);
	if (err)
		return err;
	memory_init();
	public_header()->pool_pages = hv_pool.pages;
	public_header()->pool_used = hv_pool.used;
	console_init();
	printk("Bulkhead hypervisor, ABI revision %u, %u KiB of memory at 0x%lx\n",
	       BULKHEAD_ABI_REVISION, (unsigned int)(image_header.memory_size >> 10),
	       image_header.memory_phys);
	cells_init();
	err = arch_cell_init(&root_cell);
	if (!err)
		err = arch_init_control();
	if (!err)
		printk("root cell \"%s\": page pool %lu of %lu pages used, %u kept for cells\n",
		       root_cell.config.cell->name, cells_pool_used(),
		       public_header()->pool_pages, MAX_CELLS * CELL_POOL_PAGES);
	return err;
}

static int init_once(void)
{
	int err;

	/* Held by the first CPU of enable for the setup of shared state (once), a lookup for the others. */
	spin_lock(&init_lock);
	if (!init_done) {
		init_result = init_shared_state();
		init_done = true;
	}
	err = init_result;
	spin_unlock(&init_lock);
	return err;
}

static void start_record(struct per_cpu *cpu, unsigned int cpu_id)
{
	memory_init_public();
	cpu->cpu_id = cpu_id;
	cpu->page = public_cpu_page(cpu_id);
	cpu->public = &cpu->page->record;
	cpu->public->cpu_id = cpu_id;
	cpu->public->flags = BULKHEAD_CPU_ARRIVED;
	cpu->public->state = BULKHEAD_CPU_STATE_OFF;
	cpu->public->arrival_tsc = arch_read_timestamp();
	cpu->public->entries++;
	cpu->public->cell_id = 0;
	cpu->cell = &root_cell;
}

/*
 * On success this returns 0 to Linux as the root cell's guest (through
 * arch_cpu_activate()); on failure it returns an error with the CPU as
 * Linux left it.
 */
int bulkhead_entry(unsigned int cpu_id, uint64_t linux_cr3)
{
	struct per_cpu *cpu = this_cpu();
	uint64_t page_table_root = image_header.memory_phys + image_header.page_pool_offset;
	int err = -EINVAL;

	if (cpu_id >= image_header.max_cpus)
		return trace_error(-EINVAL);
	start_record(cpu, cpu_id);
	arch_cpu_enter(cpu, page_table_root);
	err = arch_cpu_test_exception(cpu);
	if (!err)
		err = init_once();
	if (!err && !config_cpu_in_set(&root_cell.config, cpu_id))
		err = trace_error(-EINVAL);
	if (!err)
		err = arch_cpu_activate(cpu, linux_cr3);
	arch_cpu_leave(cpu);
	printk("CPU %u: not taken over (error %d)\n", cpu_id, err);
	cpu->public->result = err;
	cpu->public->flags |= BULKHEAD_CPU_RETURNED;
	return err;
}
