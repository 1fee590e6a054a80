/* SPDX-License-Identifier: GPL-2.0 */
/* The cell rules as a user reads them in config-format.md, checked from outside cell.c after every call. */
#ifndef BULKHEAD_FUZZ_CELLS_H
#define BULKHEAD_FUZZ_CELLS_H

#include "../unit/cell-stubs.h"
#include "fuzz.h"

/* Overlap and containment without wrap-around: 128-bit ends, independent of config.h's helpers. */
static inline int fuzz_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return (unsigned __int128)a < (unsigned __int128)b + b_size &&
	       (unsigned __int128)b < (unsigned __int128)a + a_size;
}

static inline int fuzz_inside(uint64_t inner, uint64_t inner_size, uint64_t outer,
			      uint64_t outer_size)
{
	return inner >= outer &&
	       (unsigned __int128)inner + inner_size <= (unsigned __int128)outer + outer_size;
}

static inline int fuzz_in_buffer(const void *pointer, size_t size, const void *buffer,
				 size_t buffer_size)
{
	const uint8_t *p = pointer, *b = buffer;

	return p >= b && p + size <= b + buffer_size;
}

/* Everything a refused call must leave as it was. */
struct fuzz_cells_state {
	uint64_t pool_used, hv_pool_used, cpus[MAX_CELLS];
	enum cell_phase phase[MAX_CELLS];
	unsigned int count, arch_calls;
	struct cell root;
};

static inline void fuzz_cells_snapshot(struct fuzz_cells_state *state)
{
	unsigned int i;

	memset(state, 0, sizeof(*state));
	state->pool_used = public_header()->pool_used;
	state->hv_pool_used = hv_pool.used;
	state->count = cells_count();
	state->arch_calls = arch_calls;
	state->root = root_cell;
	for (i = 0; i < MAX_CELLS; i++) {
		state->phase[i] = cells[i].phase;
		state->cpus[i] = cells[i].phase == CELL_UNUSED ? 0 : cells[i].cpus;
	}
}

static inline int fuzz_cells_unchanged(const struct fuzz_cells_state *before)
{
	struct fuzz_cells_state now;

	fuzz_cells_snapshot(&now);
	return memcmp(&now, before, sizeof(now)) == 0;
}

/* The window pages no cell may map (config-format.md, "Checking configs together"). */
static inline int fuzz_touches_window(uint64_t start, uint64_t size)
{
	const struct config_view *root = &root_cell.config;
	const struct bulkhead_system *system = root->system;
	uint32_t i;

	if (fuzz_overlap(start, size, BULKHEAD_LAPIC_BASE, BULKHEAD_PLATFORM_WINDOW_SIZE) ||
	    fuzz_overlap(start, size, BULKHEAD_IOAPIC_BASE, BULKHEAD_PLATFORM_WINDOW_SIZE))
		return 1;
	for (i = 0; i < root->cell->num_irqchips; i++)
		if (fuzz_overlap(start, size, root->irqchips[i].address,
				 BULKHEAD_PLATFORM_WINDOW_SIZE))
			return 1;
	return system->pci_mmconfig_base &&
	       fuzz_overlap(start, size, system->pci_mmconfig_base,
			    (system->pci_mmconfig_end_bus + 1ULL) * BULKHEAD_MMCONFIG_BUS_SIZE);
}

static inline int fuzz_in_root_memory(const struct bulkhead_memory_region *region)
{
	const struct config_view *root = &root_cell.config;
	uint32_t i;

	for (i = 0; i < root->cell->num_memory_regions; i++)
		if (fuzz_inside(region->phys_start, region->size, root->memory_regions[i].phys_start,
				root->memory_regions[i].size))
			return 1;
	return 0;
}

/* Memory of @cell: its own, in the root cell's RAM, clear of the hypervisor, windows and others. */
static inline void fuzz_check_cell_memory(const struct cell *cell)
{
	const struct bulkhead_system *system = root_cell.config.system;
	const struct config_view *view = &cell->config;
	const struct cell *other;
	uint32_t i, j;

	for (i = 0; i < view->cell->num_memory_regions; i++) {
		const struct bulkhead_memory_region *r = &view->memory_regions[i];

		FUZZ_ASSERT(!fuzz_touches_window(r->virt_start, r->size));
		if (r->flags & BULKHEAD_MEM_COMM_REGION)
			continue;
		FUZZ_ASSERT(!fuzz_touches_window(r->phys_start, r->size));
		FUZZ_ASSERT(fuzz_in_root_memory(r));
		FUZZ_ASSERT(!fuzz_overlap(r->phys_start, r->size,
					  system->hypervisor_memory.phys_start,
					  system->hypervisor_memory.size));
		FUZZ_ASSERT(!system->acpi_tables_size ||
			    !fuzz_overlap(r->phys_start, r->size, system->acpi_tables_start,
					  system->acpi_tables_size));
		for (other = cells; other < cells + MAX_CELLS; other++) {
			if (other == cell || other->phase == CELL_UNUSED)
				continue;
			for (j = 0; j < other->config.cell->num_memory_regions; j++) {
				const struct bulkhead_memory_region *o = &other->config.memory_regions[j];

				FUZZ_ASSERT((o->flags & BULKHEAD_MEM_COMM_REGION) ||
					    (r->flags & o->flags & BULKHEAD_MEM_ROOT_SHARED) ||
					    !fuzz_overlap(r->phys_start, r->size, o->phys_start,
							  o->size));
			}
		}
	}
}

static inline int fuzz_ports_in_root(const struct bulkhead_pio_region *pio)
{
	const struct config_view *root = &root_cell.config;
	uint32_t i;

	for (i = 0; i < root->cell->num_pio_regions; i++)
		if (fuzz_inside(pio->base, pio->length, root->pio_regions[i].base,
				root->pio_regions[i].length))
			return 1;
	return 0;
}

static inline void fuzz_check_cell_ports(const struct cell *cell)
{
	const struct config_view *view = &cell->config;
	const struct cell *other;
	uint32_t i, j;

	for (i = 0; i < view->cell->num_pio_regions; i++) {
		const struct bulkhead_pio_region *pio = &view->pio_regions[i];

		FUZZ_ASSERT(fuzz_ports_in_root(pio));
		for (other = cells; other < cells + MAX_CELLS; other++) {
			if (other == cell || other->phase == CELL_UNUSED)
				continue;
			for (j = 0; j < other->config.cell->num_pio_regions; j++)
				FUZZ_ASSERT(!fuzz_overlap(pio->base, pio->length,
							  other->config.pio_regions[j].base,
							  other->config.pio_regions[j].length));
		}
	}
}

/*
 * What holds whenever no call runs: the pool count agrees with the cells,
 * every cell has CPUs of the root cell's config but not CPU 0, no two
 * cells share a CPU, memory or ports, and a cell's config copy lies in its
 * own pool pages (the root cell cannot change it after the checks).
 */
static inline void fuzz_check_cells(void)
{
	uint64_t seen = 0, root_cpus = 0;
	const struct cell *cell;
	unsigned int cpu;

	FUZZ_ASSERT(public_header()->pool_used == hv_pool.used + cells_count() * CELL_POOL_PAGES);
	for (cpu = 0; cpu < 64; cpu++)
		if (config_cpu_in_set(&root_cell.config, cpu))
			root_cpus |= 1ULL << cpu;
	for (cell = cells; cell < cells + MAX_CELLS; cell++) {
		if (cell->phase == CELL_UNUSED)
			continue;
		FUZZ_ASSERT(cell->cpus && !(cell->cpus & 1) && !(cell->cpus & ~root_cpus));
		FUZZ_ASSERT(!(cell->cpus & seen));
		seen |= cell->cpus;
		FUZZ_ASSERT(fuzz_in_buffer(cell->config.header, cell->config.header->size,
					   cell->pool.virt, cell->pool.pages * PAGE_SIZE));
		FUZZ_ASSERT(cell->pool.used <= cell->pool.pages);
		fuzz_check_cell_memory(cell);
		fuzz_check_cell_ports(cell);
	}
}

/*
 * A started cell's inmate never answers here: a shutdown request waits
 * its config's whole shutdown-timeout-ms on the fake clock.  Above this
 * bound the harness lets the inmate report itself shut down first, so a
 * run does not stall (the unbounded wait is Documentation/testing.md's
 * known limit of the harness).
 */
#define FUZZ_SHUTDOWN_WAIT_MAX_MS	64

static inline void fuzz_bound_shutdown(uint64_t id)
{
	struct cell *cell = cell_by_id(id);

	if (cell && cell->phase == CELL_STARTED && cell->comm_region &&
	    cell->config.cell->shutdown_timeout_ms > FUZZ_SHUTDOWN_WAIT_MAX_MS &&
	    cell->comm_region->cell_state == BULKHEAD_CELL_RUNNING)
		cell->comm_region->cell_state = BULKHEAD_CELL_SHUT_DOWN;
	/* A locked inmate blocks the other cells' destroy until it unlocks (inmate-interface.md). */
	if (cell && cell->phase == CELL_STARTED && cell->comm_region &&
	    cell->comm_region->cell_state == BULKHEAD_CELL_RUNNING_LOCKED)
		cell->comm_region->cell_state = BULKHEAD_CELL_RUNNING;
}

/* Destroy, called again while it reports progress (-EAGAIN), a bounded number of times. */
static inline int64_t fuzz_destroy(uint64_t id)
{
	int64_t result = test_destroy(id);
#ifdef EAGAIN
	unsigned int tries;

	for (tries = 0; result == -EAGAIN && tries < 1000; tries++)
		result = test_destroy(id);
#endif
	return result;
}

/* Ends the operation in progress, if any, by making its call again as the driver does. */
static inline void fuzz_finish_operation(void)
{
	unsigned int tries;

	for (tries = 0; cell_busy && tries < 100000; tries++) {
		const struct cell_operation *op = &cell_busy->operation;

		if (op->code == BULKHEAD_HC_CELL_CREATE) {
			test_caller_cpu = 0;
			test_size = op->arg1;
			test_flags = op->arg2;
			on_test_cpu(call_create);
		} else if (op->code == BULKHEAD_HC_CELL_SET_LOADABLE) {
			test_set_loadable(op->arg1);
		} else {
			test_destroy(op->arg1);
		}
	}
	FUZZ_ASSERT(!cell_busy);
}

/* Destroys every cell; afterwards the pool must be back at @pool_used. */
static inline void fuzz_destroy_all(uint64_t pool_used)
{
	unsigned int id;
	int64_t result;

	for (id = 1; id <= MAX_CELLS; id++)
		fuzz_bound_shutdown(id);
	fuzz_finish_operation();
	for (id = 1; id <= MAX_CELLS; id++) {
		if (!cell_by_id(id))
			continue;
		result = fuzz_destroy(id);
		FUZZ_ASSERT(result == 0);
		FUZZ_ASSERT(!cell_by_id(id));
	}
	FUZZ_ASSERT(cells_count() == 0);
	FUZZ_ASSERT(public_header()->pool_used == pool_used);
}

#endif
