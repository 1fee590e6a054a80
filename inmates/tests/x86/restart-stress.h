/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where restart-stress keeps its counters, shared by its C code, its real-mode stub and the scenario that reads them from Linux. */
#ifndef RESTART_STRESS_H
#define RESTART_STRESS_H

/*
 * The last page of the cell's megabyte of RAM, above the library's RAM
 * (RAM_SIZE_restart-stress in inmates/Makefile is 0xf0000): nothing else
 * writes it, and once the cell is destroyed Linux can read it (devmem) to
 * see that nothing runs any more.  Little-endian u32 counters:
 */
#define RESTART_COUNTER_PAGE		0xff000
#define RESTART_LOOPS_OFFSET		0	/* [2]: rounds of each CPU's C loop */
#define RESTART_STUB_STARTS_OFFSET	8	/* starts of the real-mode stub */

#endif
