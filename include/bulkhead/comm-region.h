/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The comm region: one page the hypervisor shares with an inmate, laid out as Jailhouse's on x86. */
#ifndef BULKHEAD_COMM_REGION_H
#define BULKHEAD_COMM_REGION_H

#include <bulkhead/types.h>

#define BULKHEAD_COMM_SIGNATURE		"JHCOMM"
#define BULKHEAD_COMM_SIGNATURE_SIZE	6
#define BULKHEAD_COMM_REVISION		2
/* Where the inmate finds it by convention (the config's comm-region memory region). */
#define BULKHEAD_COMM_REGION_ADDRESS	0x100000
/* The command line an inmate is loaded with (cell load -s STRING -a 0x1000). */
#define BULKHEAD_CMDLINE_ADDRESS	0x1000
#define BULKHEAD_CMDLINE_SIZE		0x1000

/* cell_state */
#define BULKHEAD_CELL_RUNNING		0
#define BULKHEAD_CELL_RUNNING_LOCKED	1
#define BULKHEAD_CELL_SHUT_DOWN		2
#define BULKHEAD_CELL_FAILED		3
#define BULKHEAD_CELL_FAILED_COMM_REV	4

/* msg_to_cell */
#define BULKHEAD_MSG_NONE		0
#define BULKHEAD_MSG_SHUTDOWN_REQUEST	1
#define BULKHEAD_MSG_RECONFIG_COMPLETED	2

/* reply_from_cell */
#define BULKHEAD_MSG_UNKNOWN		1
#define BULKHEAD_MSG_REQUEST_DENIED	2
#define BULKHEAD_MSG_REQUEST_APPROVED	3
#define BULKHEAD_MSG_RECEIVED		4

/* flags */
#define BULKHEAD_COMM_FLAG_CONSOLE_PUTC	(1U << 0)	/* debug console putc permitted */
#define BULKHEAD_COMM_FLAG_ACTIVE	(1U << 1)

/* console.type and console.flags, as in the config (bulkhead/config.h). */
#define BULKHEAD_COMM_CONSOLE_NONE	0
#define BULKHEAD_COMM_CONSOLE_8250	2
#define BULKHEAD_COMM_CONSOLE_MMIO	(1U << 0)
#define BULKHEAD_COMM_CONSOLE_REGDIST_4	(1U << 1)

struct bulkhead_comm_console {
	uint64_t address;
	uint32_t size;
	uint16_t type;
	uint16_t flags;
	uint32_t divider;
	uint32_t gate_nr;
	uint64_t clock_reg;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_comm_console) == 32, "comm console size");

/* Packed little-endian; offsets are fixed by DESIGN decision 7. */
struct bulkhead_comm_region {
	char signature[BULKHEAD_COMM_SIGNATURE_SIZE];	/* 0 */
	uint16_t revision;				/* 6 */
	volatile uint32_t cell_state;			/* 8 */
	volatile uint32_t msg_to_cell;			/* 12 */
	volatile uint32_t reply_from_cell;		/* 16 */
	volatile uint32_t flags;			/* 20 */
	struct bulkhead_comm_console console;		/* 24 */
	uint64_t pci_mmconfig_base;			/* 56 */
	uint16_t pm_timer_address;			/* 64 */
	uint16_t num_cpus;				/* 66 */
	uint32_t tsc_khz;				/* 68: calibrated at enable */
	uint32_t apic_khz;				/* 72: APIC timer at divide-by-1 */
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_comm_region) == 76, "comm region size");

#endif
