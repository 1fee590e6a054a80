/* SPDX-License-Identifier: GPL-2.0 */
/* Cells: a config and the arch state (EPT, bitmaps) that enforces it. */
#ifndef BULKHEAD_HV_CELL_H
#define BULKHEAD_HV_CELL_H

#include <bulkhead/comm-region.h>
#include <bulkhead-hv/config.h>
#include <asm/cell.h>
#include <asm/paging.h>

/* Non-root cells at the same time, and the pages each may use for its tables. */
#define MAX_CELLS		4
#define CELL_POOL_PAGES		128

/* Where a non-root cell is in its life; the root cell is always running. */
enum cell_phase {
	CELL_UNUSED,
	CELL_STOPPED,		/* created, or stopped; CPUs wait in the hypervisor */
	CELL_LOADABLE,		/* stopped, loadable regions mapped for the root cell */
	CELL_STARTED,		/* CPUs run the inmate */
	CELL_FAILED,		/* a CPU failed; stopped */
};

/* What a cell wrote to the hypervisor console and is not out yet (cell-console.c). */
#define CELL_CONSOLE_LINE	120
struct cell_console {
	uint32_t lock;
	unsigned int length;
	char line[CELL_CONSOLE_LINE + 1];
	uint64_t budget, refilled, dropped;
};

struct cell {
	unsigned int id;
	enum cell_phase phase;
	struct config_view config;
	struct arch_cell arch;
	/* Pages for the cell's config copy, tables and comm region (non-root). */
	struct page_pool pool;
	struct bulkhead_comm_region *comm_region;
	uint64_t cpus;			/* bit n: CPU n belongs to the cell */
	struct cell_console console;
};

/* Linux: every CPU of the system config, every resource no other cell holds. */
extern struct cell root_cell;

void cells_init(void);
struct cell *cell_by_id(uint64_t id);
unsigned int cells_count(void);
int64_t cell_create(unsigned int caller_cpu, uint64_t config_size, uint64_t flags);
int64_t cell_set_loadable(uint64_t id);
int64_t cell_start(uint64_t id);
int64_t cell_destroy(uint64_t id);
int64_t cell_get_state(uint64_t id);
const struct bulkhead_memory_region *root_region_holding(uint64_t phys, uint64_t size);
struct per_cpu;
int64_t cell_console_putc(struct cell *cell, struct per_cpu *cpu, char c);
/* Pages of the pool in use, cells' pools included. */
uint64_t cells_pool_used(void);
/* The PM timer port @cell may read (Documentation/config-format.md, no-pm-timer); 0 none. */
uint16_t cell_pm_timer_port(const struct cell *cell);

#endif
