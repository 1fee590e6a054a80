/* SPDX-License-Identifier: GPL-2.0 */
/* The operation in steps that cell.c (create) and cell-steps.c (the rest) share. */
#ifndef BULKHEAD_HV_CELL_STEPS_H
#define BULKHEAD_HV_CELL_STEPS_H

#include <bulkhead-hv/cell.h>

/* Held for one management call at a time; each call's work is bounded. */
extern uint32_t cells_lock;
/* The cell whose operation is in progress, or NULL: one at a time. */
extern struct cell *cell_busy;

void cell_begin_operation(struct cell *cell, uint64_t code, uint64_t arg1, uint64_t arg2,
			  enum cell_stage stage, uint32_t ms);
int64_t cell_end_operation(struct cell *cell, int64_t result);
bool cell_repeats_operation(const struct cell *cell, uint64_t code, uint64_t arg1,
			    uint64_t arg2);
/*
 * A started cell other than @except whose inmate holds the lock
 * (running-locked in its comm region), or NULL.  Such a cell blocks the
 * creation, start, shutdown and destruction of every other cell, as on
 * Jailhouse; it is still asked itself (Documentation/inmate-interface.md).
 */
const struct cell *cell_locked_other_than(const struct cell *except);

#endif
