// SPDX-License-Identifier: GPL-2.0
/* Hypercalls from the root cell: check everything first, then act. */
#include <bulkhead/hypercall.h>
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/cell.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/hypercall.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>

static int64_t hypervisor_get_info(uint64_t type)
{
	switch (type) {
	case BULKHEAD_INFO_MEM_POOL_SIZE:
		return (int64_t)public_header()->pool_pages;
	case BULKHEAD_INFO_MEM_POOL_USED:
		return (int64_t)cells_pool_used();
	case BULKHEAD_INFO_REMAP_POOL_SIZE:
	case BULKHEAD_INFO_REMAP_POOL_USED:
		return 0;	/* no remapping pool: the hypervisor maps its memory once */
	case BULKHEAD_INFO_NUM_CELLS:
		return 1 + cells_count();
	default:
		return trace_error(-EINVAL);
	}
}

static int64_t cpu_get_info(uint64_t cpu_id, uint64_t type)
{
	const struct bulkhead_cpu_page *page;

	if (cpu_id >= image_header.max_cpus || !config_cpu_in_set(&root_cell.config, (unsigned int)cpu_id))
		return trace_error(-EINVAL);
	page = public_cpu_page((unsigned int)cpu_id);
	if (type == BULKHEAD_CPU_INFO_STATE)
		return page->record.state;
	if (type >= BULKHEAD_CPU_INFO_STAT_BASE &&
	    type < BULKHEAD_CPU_INFO_STAT_BASE + BULKHEAD_EXIT_STATS)
		return (int64_t)page->exits[type - BULKHEAD_CPU_INFO_STAT_BASE].count;
	return trace_error(-EINVAL);
}

static void __attribute__((noreturn)) disable(struct per_cpu *cpu)
{
	printk("CPU %u: handed back to Linux after %lu VM exits\n",
	       cpu->cpu_id, cpu->public->exits);
	cpu->public->state = BULKHEAD_CPU_STATE_OFF;
	arch_cpu_deactivate(cpu);
}

/* Only part of disable: no cell, a root CPU other than the caller's. */
static int64_t hand_back(const struct per_cpu *cpu, uint64_t cpu_id)
{
	if (cells_count())
		return trace_error(-EBUSY);
	if (cpu_id >= image_header.max_cpus || cpu_id == cpu->cpu_id ||
	    !config_cpu_in_set(&root_cell.config, (unsigned int)cpu_id))
		return trace_error(-EINVAL);
	return arch_cpu_hand_back((unsigned int)cpu_id);
}

/*
 * An inmate may read facts about the hypervisor and its own CPUs and, if
 * its config permits it, write to the hypervisor console; nothing else:
 * other cells' CPUs are not its business.
 */
static int64_t cell_hypercall(struct per_cpu *cpu, uint64_t code, uint64_t arg1,
			      uint64_t arg2)
{
	switch (code) {
	case BULKHEAD_HC_HYPERVISOR_GET_INFO:
		return hypervisor_get_info(arg1);
	case BULKHEAD_HC_CPU_GET_INFO:
		if (arg1 >= 64 || !((cpu->cell->cpus >> arg1) & 1))
			return trace_error(-EPERM);
		return cpu_get_info(arg1, arg2);
	case BULKHEAD_HC_DEBUG_CONSOLE_PUTC:
		return cell_console_putc(cpu->cell, cpu, (char)arg1);
	case BULKHEAD_HC_DISABLE:
	case BULKHEAD_HC_CELL_CREATE:
	case BULKHEAD_HC_CELL_START:
	case BULKHEAD_HC_CELL_SET_LOADABLE:
	case BULKHEAD_HC_CELL_DESTROY:
	case BULKHEAD_HC_CELL_GET_STATE:
	case BULKHEAD_HC_CPU_HAND_BACK:
		return trace_error(-EPERM);
	default:
		return trace_error(-ENOSYS);
	}
}

static int64_t root_hypercall(struct per_cpu *cpu, uint64_t code, uint64_t arg1, uint64_t arg2)
{
	switch (code) {
	case BULKHEAD_HC_DISABLE:
		if (cells_count())
			return trace_error(-EBUSY);
		disable(cpu);
	case BULKHEAD_HC_HYPERVISOR_GET_INFO:
		return hypervisor_get_info(arg1);
	case BULKHEAD_HC_CPU_GET_INFO:
		return cpu_get_info(arg1, arg2);
	case BULKHEAD_HC_CELL_CREATE:
		return cell_create(cpu->cpu_id, arg1, arg2);
	case BULKHEAD_HC_CELL_START:
		return cell_start(arg1);
	case BULKHEAD_HC_CELL_SET_LOADABLE:
		return cell_set_loadable(arg1);
	case BULKHEAD_HC_CELL_DESTROY:
		return cell_destroy(arg1);
	case BULKHEAD_HC_CELL_GET_STATE:
		return cell_get_state(arg1);
	case BULKHEAD_HC_CPU_HAND_BACK:
		return hand_back(cpu, arg1);
	case BULKHEAD_HC_DEBUG_CONSOLE_PUTC:
	default:
		return trace_error(-ENOSYS);
	}
}

/* The longest call on each CPU is kept in its public page: each must end within its bound. */
int64_t hypercall(struct per_cpu *cpu, uint64_t code, uint64_t arg1, uint64_t arg2)
{
	uint64_t start = arch_read_timestamp(), cycles;
	int64_t result = cpu->cell == &root_cell ? root_hypercall(cpu, code, arg1, arg2) :
			 cell_hypercall(cpu, code, arg1, arg2);

	cycles = arch_read_timestamp() - start;
	if (cycles > cpu->page->longest_hypercall_cycles)
		cpu->page->longest_hypercall_cycles = cycles;
	return result;
}
