/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Header at the start of the hypervisor image bulkhead-intel.bin. */
#ifndef BULKHEAD_IMAGE_H
#define BULKHEAD_IMAGE_H

#include <bulkhead/types.h>

#define BULKHEAD_IMAGE_MAGIC		"BHIMAGE1"
#define BULKHEAD_IMAGE_MAGIC_SIZE	8
/* Bumped whenever the image header or the entry contract changes. */
#define BULKHEAD_ABI_REVISION		1
#define BULKHEAD_IMAGE_FIRMWARE		"bulkhead-intel.bin"

/*
 * The image is linked to run at BULKHEAD_BASE in the hypervisor's own address
 * space.  Hypervisor memory (the region the system config names) is laid out
 * from its start as:
 *
 *   [0, core_size)            the image: text, then data and bss
 *   [percpu_offset, +n*size)  one per-CPU area for each CPU of the system
 *   [config_offset, ...)      the system config, copied by the driver
 *   [page_pool_offset, end)   free pages: the driver's page tables come first
 *
 * The driver fills in the fields marked "driver" before calling the entry.
 */
#define BULKHEAD_BASE			0xfffffffff0000000ULL

/*
 * Entry contract: called on each CPU with interrupts disabled, through the
 * driver's trampoline, which has switched CR3 to the hypervisor's page
 * tables and RSP to the top of this CPU's per-CPU area:
 *
 *   int entry(unsigned int cpu_id);     returns 0 or a negative errno
 */
struct bulkhead_image_header {
	char magic[BULKHEAD_IMAGE_MAGIC_SIZE];
	uint32_t abi_revision;
	uint32_t header_size;
	uint64_t text_size;		/* page aligned, mapped read/execute */
	uint64_t image_size;		/* bytes in the file */
	uint64_t core_size;		/* image plus bss, page aligned */
	uint64_t percpu_size;		/* one per-CPU area, a power of two */
	uint64_t percpu_public_offset;	/* struct bulkhead_cpu_public within it */
	uint64_t entry_offset;
	/* driver */
	uint64_t memory_phys;
	uint64_t memory_size;
	uint64_t percpu_offset;
	uint64_t config_offset;
	uint64_t page_pool_offset;
	uint32_t max_cpus;
	uint32_t reserved;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_image_header) == 112, "image header size");

/* What the entry found on a CPU: the part of a per-CPU area Linux may read. */
#define BULKHEAD_CPU_ARRIVED		(1U << 0)
#define BULKHEAD_CPU_OWN_PAGE_TABLES	(1U << 1)
#define BULKHEAD_CPU_OWN_GDT		(1U << 2)
#define BULKHEAD_CPU_OWN_IDT		(1U << 3)
#define BULKHEAD_CPU_EXCEPTION_OK	(1U << 4)
#define BULKHEAD_CPU_RETURNED		(1U << 5)
#define BULKHEAD_CPU_VMX_OK		(1U << 6)	/* entered and left VMX root operation */

struct bulkhead_cpu_public {
	uint32_t cpu_id;
	uint32_t apic_id;
	uint32_t flags;
	int32_t result;
	uint64_t entries;
	uint64_t arrival_tsc;
	uint32_t fault_vector;
	uint32_t error_line;		/* source line of the last error (debug builds) */
	uint64_t fault_rip;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_cpu_public) == 48, "cpu public size");

#endif
