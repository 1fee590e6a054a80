/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Hypercalls: VMCALL with the code in RAX, arguments in RDI and RSI, result in RAX. */
#ifndef BULKHEAD_HYPERCALL_H
#define BULKHEAD_HYPERCALL_H

/* Codes; the same numbers as Jailhouse on x86, so its inmates run unchanged. */
#define BULKHEAD_HC_DISABLE			0
#define BULKHEAD_HC_CELL_CREATE			1
#define BULKHEAD_HC_CELL_START			2
#define BULKHEAD_HC_CELL_SET_LOADABLE		3
#define BULKHEAD_HC_CELL_DESTROY		4
#define BULKHEAD_HC_HYPERVISOR_GET_INFO		5
#define BULKHEAD_HC_CELL_GET_STATE		6
#define BULKHEAD_HC_CPU_GET_INFO		7
#define BULKHEAD_HC_DEBUG_CONSOLE_PUTC		8
/*
 * Bulkhead's own, for the root cell only: hand back the root CPU in RDI,
 * which Linux has offline, bare (out of VMX, halted until Linux sends it
 * INIT).  Part of disable, with no cell left: the CPU is no longer under
 * the hypervisor afterwards.
 */
#define BULKHEAD_HC_CPU_HAND_BACK		16

/* Cell create: RDI the config's size in the exchange area, RSI flags. */
#define BULKHEAD_CELL_CREATE_CHECK_ONLY		(1ULL << 0)	/* check, change nothing */

/* Hypervisor get info (RDI): what to report. */
#define BULKHEAD_INFO_MEM_POOL_SIZE		0
#define BULKHEAD_INFO_MEM_POOL_USED		1
#define BULKHEAD_INFO_REMAP_POOL_SIZE		2
#define BULKHEAD_INFO_REMAP_POOL_USED		3
#define BULKHEAD_INFO_NUM_CELLS			4

/*
 * CPU get info: RDI is the CPU number, RSI what to report: its state
 * (BULKHEAD_CPU_STATE_* of image.h), or BULKHEAD_CPU_INFO_STAT_BASE + n for
 * the number of VM exits with basic reason n.
 */
#define BULKHEAD_CPU_INFO_STATE			0
#define BULKHEAD_CPU_INFO_STAT_BASE		1000

/*
 * Errors are negative errno values with Linux's numbers: -EPERM for a call
 * from CPL > 0 or from a cell that may not make it, -EINVAL for bad
 * arguments, -ENOSYS for an unknown code.  A failed call changes nothing.
 */

#endif
