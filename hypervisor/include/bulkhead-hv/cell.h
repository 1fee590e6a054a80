/* SPDX-License-Identifier: GPL-2.0 */
/* Cells: a config and the arch state (EPT, bitmaps) that enforces it. */
#ifndef BULKHEAD_HV_CELL_H
#define BULKHEAD_HV_CELL_H

#include <bulkhead-hv/config.h>
#include <asm/cell.h>

struct cell {
	unsigned int id;
	struct config_view config;
	struct arch_cell arch;
};

/* Linux: every CPU of the system config, every resource no other cell holds. */
extern struct cell root_cell;

#endif
