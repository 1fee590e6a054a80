/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where an inmate's pieces live in guest-physical memory; shared by the boot assembly, the linker script and C. */
#ifndef INMATE_LAYOUT_H
#define INMATE_LAYOUT_H

/*
 * Memory map of an inmate (inmates/README.md explains it):
 *
 *   0x000000  real-mode reset entry (the cell's reset address is 0), GDT,
 *             the 32-bit boot code
 *   0x001000  command-line buffer, 4 KiB (cell load -s STRING -a 0x1000)
 *   0x002000  real-mode entry of the other CPUs (SIPI vector 0x02)
 *   ...       text, rodata, data, then bss (page tables, boot stack, IDT)
 *   ...       heap up to INMATE_RAM_SIZE (AP stacks come from here)
 *   0x100000  comm region page (hypervisor's)
 */
#define INMATE_RESET_ADDRESS		0x0
#define INMATE_CMDLINE_ADDRESS		0x1000
#define INMATE_CMDLINE_SIZE		0x1000
#define INMATE_AP_ENTRY_ADDRESS		0x2000
#define INMATE_AP_SIPI_VECTOR		(INMATE_AP_ENTRY_ADDRESS >> 12)
#define INMATE_COMM_REGION_ADDRESS	0x100000

/* Each CPU's stack; aligned to its size, so the stack base names the CPU. */
#define INMATE_STACK_SIZE		0x4000
/* CPUs one cell may have, as BULKHEAD_MAX_CPUS. */
#define INMATE_MAX_CPUS			64

/*
 * The boot page tables map the low 4 GiB 1:1 with 2 MiB pages: the cell's
 * RAM, its comm region, shared memory and MMIO wherever the config puts
 * them.  The top GiB (0xc0000000-0xffffffff, where MMIO windows such as
 * the local APIC and IOAPIC live) is mapped uncached.
 */
#define INMATE_MAPPED_GIB		4
#define INMATE_UNCACHED_FROM_GIB	3

/* Boot GDT selectors. */
#define INMATE_CS32			0x08
#define INMATE_DS			0x10
#define INMATE_CS64			0x18

#endif
