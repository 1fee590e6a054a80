// SPDX-License-Identifier: GPL-2.0
/* Cells from Linux's side: CPUs offlined and onlined, configs handed over, images copied in. */
#include <linux/cpu.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <bulkhead/hypercall.h>
#include <bulkhead/image.h>
#include <bulkhead-hv/config.h>

#include "bulkhead.h"

struct cell_entry bulkhead_cells[BULKHEAD_MAX_CELLS];

struct cell_entry *bulkhead_cell_of(u32 id)
{
	if (id < 1 || id > BULKHEAD_MAX_CELLS || !bulkhead_cells[id - 1].id)
		return NULL;
	return &bulkhead_cells[id - 1];
}

static int cell_not_found(struct bulkhead_error *error, u32 id)
{
	return bulkhead_fail(error, -ENOENT,
		"there is no cell with ID %u; see 'bulkhead cell list'", id);
}

/* The cell that holds @cpu, or NULL. */
static const struct cell_entry *cell_holding(unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < BULKHEAD_MAX_CELLS; i++)
		if (bulkhead_cells[i].id && cpumask_test_cpu(cpu, &bulkhead_cells[i].cpus))
			return &bulkhead_cells[i];
	return NULL;
}

static int check_cell_cpus(struct cell_entry *cell, const struct config_view *view,
			   struct bulkhead_error *error)
{
	const struct cell_entry *holder;
	unsigned int cpu;

	cpumask_clear(&cell->cpus);
	for (cpu = 0; cpu <= config_highest_cpu(view); cpu++) {
		if (!config_cpu_in_set(view, cpu))
			continue;
		holder = cpu < nr_cpu_ids ? cell_holding(cpu) : NULL;
		if (holder)
			return bulkhead_fail(error, -EBUSY,
				"CPU %u belongs to cell \"%s\"; give each cell its own CPUs, or destroy that cell first",
				cpu, holder->view.cell->name);
		if (cpu >= nr_cpu_ids || !cpumask_test_cpu(cpu, &bulkhead.cpus_entered))
			return bulkhead_fail(error, -EINVAL,
				"CPU %u of the cell is not a CPU of the root cell; change the cell's cpus",
				cpu);
		if (cpu == 0)
			return bulkhead_fail(error, -EINVAL,
				"the cell asks for CPU 0, which stays with Linux; give it other CPUs");
		cpumask_set_cpu(cpu, &cell->cpus);
	}
	if (cpumask_empty(&cell->cpus))
		return bulkhead_fail(error, -EINVAL, "the cell has no CPUs; list some in cpus");
	return 0;
}

/*
 * The CPUs stay under the hypervisor while offline (hotplug.c), which takes
 * them from Linux's offline loop.  One that is offline already is taken
 * as it is; remove_cpu() returns 1 when someone else offlined it meanwhile,
 * which is no error here.
 */
static int offline_cpus(struct cell_entry *cell, struct bulkhead_error *error)
{
	unsigned int cpu;
	int err;

	cpumask_or(&bulkhead.cell_cpus, &bulkhead.cell_cpus, &cell->cpus);
	for_each_cpu(cpu, &cell->cpus) {
		if (!cpu_online(cpu))
			continue;
		err = remove_cpu(cpu);
		if (err < 0)
			return bulkhead_fail(error, err,
				"cannot take CPU %u offline for the cell (error %d); stop what pins it and retry",
				cpu, err);
	}
	return 0;
}

/* After the hypervisor released them, Linux starts them as any offline CPU. */
static void online_cpus(struct cell_entry *cell)
{
	unsigned int cpu;

	cpumask_andnot(&bulkhead.cell_cpus, &bulkhead.cell_cpus, &cell->cpus);
	for_each_cpu(cpu, &cell->cpus)
		if (!cpu_online(cpu) && add_cpu(cpu))
			pr_err("bulkhead: CPU %u did not come back online after its cell\n", cpu);
}

/* Cell create from this CPU; a refusal's reason is in this CPU's public page. */
static long create_hypercall(u32 size, u64 flags, struct bulkhead_error *error)
{
	long result;

	preempt_disable();
	result = bulkhead_hypercall(BULKHEAD_HC_CELL_CREATE, size, flags);
	if (result < 0)
		bulkhead_fail(error, (int)result,
			"the hypervisor refused the cell: %.160s; run 'bulkhead-config check' on it",
			bulkhead_cpu_page(smp_processor_id())->failure);
	preempt_enable();
	return result;
}

/* The config goes to the exchange area, where the hypervisor checks a copy. */
static int check_with_hypervisor(const void *config, u32 size, struct bulkhead_error *error)
{
	const struct bulkhead_image_header *layout = &bulkhead.layout;
	long result;

	if (size > BULKHEAD_EXCHANGE_SIZE)
		return bulkhead_fail(error, -E2BIG,
			"the cell config is %u bytes, more than the %u the hypervisor takes; split its regions",
			size, BULKHEAD_EXCHANGE_SIZE);
	memcpy(bulkhead.public_area + BULKHEAD_PUBLIC_EXCHANGE_OFFSET(layout->max_cpus),
	       config, size);
	result = create_hypercall(size, BULKHEAD_CELL_CREATE_CHECK_ONLY, error);
	return result < 0 ? (int)result : 0;
}

/* The hypervisor answers with the new cell's ID: one of the driver's free slots, or a bug. */
static int hand_over(struct cell_entry *cell, u32 size, struct bulkhead_error *error)
{
	long result = create_hypercall(size, 0, error);

	if (result < 0)
		return (int)result;
	if (result < 1 || result > BULKHEAD_MAX_CELLS || bulkhead_cells[result - 1].id) {
		pr_err("bulkhead: the hypervisor answered cell create with ID %ld, which is not a free slot\n",
		       result);
		return bulkhead_fail(error, -EPROTO,
			"the hypervisor gave the cell an ID the driver cannot use (%ld); see 'bulkhead console'",
			result);
	}
	cell->id = (u32)result;
	return 0;
}

static int create_checked(struct cell_entry *cell, const void *config, u32 size,
			  struct bulkhead_error *error)
{
	const char *problem;
	int err;

	if (config_parse(config, size, BULKHEAD_CONFIG_KIND_CELL, &cell->view, &problem))
		return bulkhead_fail(error, -EINVAL, "%s", problem);
	/* Checked completely before a CPU goes offline: a refusal changes nothing. */
	err = check_cell_cpus(cell, &cell->view, error);
	if (!err)
		err = bulkhead_memory_check_cell(&cell->view, error);
	if (!err)
		err = check_with_hypervisor(config, size, error);
	if (err)
		return err;
	err = offline_cpus(cell, error);
	if (!err)
		err = hand_over(cell, size, error);
	if (err)
		online_cpus(cell);
	return err;
}

/* 0 while enabled; else the one-line error every cell command gives. */
int bulkhead_cells_possible(struct bulkhead_error *error)
{
	return bulkhead.enabled ? 0 : bulkhead_fail(error, -EINVAL,
		"Bulkhead is not enabled; run 'bulkhead enable SYSCONFIG.cell' first");
}

int bulkhead_cell_create(const void __user *config, u32 size, struct bulkhead_error *error)
{
	struct cell_entry scratch = {}, *cell;
	u64 start = ktime_get_ns();
	void *copy;
	int err;

	err = bulkhead_cells_possible(error);
	if (err)
		return err;
	if (size > BULKHEAD_CONFIG_MAX_SIZE)
		return bulkhead_fail(error, -EINVAL, "the cell config is larger than 1 MiB; is this a .cell file?");
	copy = kvmalloc(max_t(u32, size, 1), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	if (copy_from_user(copy, config, size)) {
		kvfree(copy);
		return -EFAULT;
	}
	scratch.config = copy;
	err = create_checked(&scratch, copy, size, error);
	if (err) {
		kvfree(copy);
		return err;
	}
	cell = &bulkhead_cells[scratch.id - 1];
	*cell = scratch;
	pr_info("bulkhead: cell %u \"%s\" created in %llu us on CPUs %*pbl\n", cell->id,
		cell->view.cell->name, (ktime_get_ns() - start) / 1000,
		cpumask_pr_args(&cell->cpus));
	return cell->id;
}

/* The loadable region holding [address, address + size) of guest physical memory, as host physical. */
static int loadable_phys(const struct cell_entry *cell, u64 address, u64 size, u64 *phys)
{
	u32 i;

	for (i = 0; i < cell->view.cell->num_memory_regions; i++) {
		const struct bulkhead_memory_region *r = &cell->view.memory_regions[i];

		if (!(r->flags & BULKHEAD_MEM_LOADABLE) || address < r->virt_start ||
		    address - r->virt_start >= r->size || size > r->size - (address - r->virt_start))
			continue;
		*phys = r->phys_start + (address - r->virt_start);
		return 0;
	}
	return -ERANGE;
}

int bulkhead_cell_load(u32 id, u64 address, const void __user *data, u64 size,
		       struct bulkhead_error *error)
{
	struct cell_entry *cell = bulkhead_cell_of(id);
	void *target;
	long result;
	u64 phys;

	if (!cell)
		return cell_not_found(error, id);
	if (size == 0 || loadable_phys(cell, address, size, &phys))
		return bulkhead_fail(error, -ERANGE,
			"%llu bytes at 0x%llx do not fit a loadable region of cell \"%s\"; load less or at another address",
			size, address, cell->view.cell->name);
	result = bulkhead_hypercall(BULKHEAD_HC_CELL_SET_LOADABLE, id, 0);
	if (result)
		return bulkhead_fail(error, (int)result,
			"cell \"%s\" cannot be made loadable (error %ld); see 'bulkhead console'",
			cell->view.cell->name, result);
	target = memremap(phys, size, MEMREMAP_WB);
	if (!target)
		return bulkhead_fail(error, -ENOMEM,
			"cannot map %llu bytes of cell \"%s\" memory at 0x%llx; load the image in smaller pieces",
			size, cell->view.cell->name, phys);
	result = copy_from_user(target, data, size);
	memunmap(target);
	/* A partial copy is no image: start keeps refusing until a load succeeded. */
	if (result)
		return bulkhead_fail(error, -EFAULT,
			"cannot read the image for cell \"%s\" from the caller's memory; nothing was loaded",
			cell->view.cell->name);
	cell->loaded = true;
	return 0;
}

int bulkhead_cell_start(u32 id, struct bulkhead_error *error)
{
	struct cell_entry *cell = bulkhead_cell_of(id);
	long result;

	if (!cell)
		return cell_not_found(error, id);
	if (!cell->loaded)
		return bulkhead_fail(error, -EINVAL,
			"cell \"%s\" has no image; run 'bulkhead cell load' first", cell->view.cell->name);
	result = bulkhead_hypercall(BULKHEAD_HC_CELL_START, id, 0);
	if (result)
		return bulkhead_fail(error, (int)result,
			"cell \"%s\" did not start (error %ld); see 'bulkhead console'",
			cell->view.cell->name, result);
	return 0;
}

int bulkhead_cell_shutdown(u32 id, struct bulkhead_error *error)
{
	struct cell_entry *cell = bulkhead_cell_of(id);
	long result;

	if (!cell)
		return cell_not_found(error, id);
	result = bulkhead_hypercall(BULKHEAD_HC_CELL_SET_LOADABLE, id, 0);
	if (result == -EPERM)
		return bulkhead_fail(error, -EPERM,
			"cell \"%s\" denied the shutdown request and keeps running; 'bulkhead cell destroy' stops it regardless",
			cell->view.cell->name);
	if (result < 0)
		return bulkhead_fail(error, (int)result,
			"cell \"%s\" could not be shut down (error %ld); see 'bulkhead console'",
			cell->view.cell->name, result);
	return (int)result;
}

static void forget(struct cell_entry *cell)
{
	kvfree(cell->config);
	memset(cell, 0, sizeof(*cell));
}

int bulkhead_cell_destroy(u32 id, struct bulkhead_error *error)
{
	struct cell_entry *cell = bulkhead_cell_of(id);
	u64 start = ktime_get_ns();
	long result;

	if (!cell)
		return cell_not_found(error, id);
	result = bulkhead_hypercall(BULKHEAD_HC_CELL_DESTROY, id, 0);
	if (result)
		return bulkhead_fail(error, (int)result,
			"the hypervisor could not destroy cell \"%s\" (error %ld); see 'bulkhead console'",
			cell->view.cell->name, result);
	online_cpus(cell);
	pr_info("bulkhead: cell %u \"%s\" destroyed in %llu us, CPUs %*pbl back with Linux\n",
		id, cell->view.cell->name, (ktime_get_ns() - start) / 1000,
		cpumask_pr_args(&cell->cpus));
	forget(cell);
	return 0;
}

void bulkhead_destroy_all_cells(void)
{
	struct bulkhead_error error;
	unsigned int i;

	for (i = 0; i < BULKHEAD_MAX_CELLS; i++)
		if (bulkhead_cells[i].id)
			bulkhead_cell_destroy(bulkhead_cells[i].id, &error);
}

bool bulkhead_any_cell(void)
{
	unsigned int i;

	for (i = 0; i < BULKHEAD_MAX_CELLS; i++)
		if (bulkhead_cells[i].id)
			return true;
	return false;
}

const char *bulkhead_cell_state_name(long state)
{
	static const char *const states[] = {
		[BULKHEAD_CELL_RUNNING] = "running", [BULKHEAD_CELL_RUNNING_LOCKED] = "running/locked",
		[BULKHEAD_CELL_SHUT_DOWN] = "shut-down", [BULKHEAD_CELL_FAILED] = "failed",
		[BULKHEAD_CELL_FAILED_COMM_REV] = "failed/comm-revision",
	};

	if (state < 0 || state >= ARRAY_SIZE(states) || !states[state])
		return "unknown";
	return states[state];
}
