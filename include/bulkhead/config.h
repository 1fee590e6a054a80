/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Binary format of system and cell configs (.cell files). */
#ifndef BULKHEAD_CONFIG_H
#define BULKHEAD_CONFIG_H

#include <bulkhead/types.h>

/*
 * A .cell file is little-endian and laid out as:
 *
 *   struct bulkhead_config_header
 *   struct bulkhead_system           (kind SYSTEM only)
 *   struct bulkhead_cell             (the root cell, or the cell itself)
 *   uint64_t cpu_set[cpu_set_words]  (bit n = CPU n)
 *   struct bulkhead_memory_region memory_regions[num_memory_regions]
 *   struct bulkhead_pio_region pio_regions[num_pio_regions]
 *
 * The checksum is CRC-32 (IEEE 802.3, as zlib computes it) over the whole
 * file with the checksum field taken as zero.  Documentation/config-format.md
 * explains every field.
 */

#define BULKHEAD_CONFIG_MAGIC		"BHCONFIG"
#define BULKHEAD_CONFIG_MAGIC_SIZE	8
#define BULKHEAD_CONFIG_REVISION	1
#define BULKHEAD_CONFIG_MAX_SIZE	(1024 * 1024)

#define BULKHEAD_CONFIG_KIND_SYSTEM	1
#define BULKHEAD_CONFIG_KIND_CELL	2

#define BULKHEAD_CELL_NAME_SIZE		32
#define BULKHEAD_MAX_CPUS		64
#define BULKHEAD_CPU_SET_MAX_WORDS	(BULKHEAD_MAX_CPUS / 64)

#define BULKHEAD_MEM_READ		(1ULL << 0)
#define BULKHEAD_MEM_WRITE		(1ULL << 1)
#define BULKHEAD_MEM_EXECUTE		(1ULL << 2)
#define BULKHEAD_MEM_DMA		(1ULL << 3)
#define BULKHEAD_MEM_IO			(1ULL << 4)
#define BULKHEAD_MEM_COMM_REGION	(1ULL << 5)
#define BULKHEAD_MEM_LOADABLE		(1ULL << 6)
#define BULKHEAD_MEM_ROOT_SHARED	(1ULL << 7)
#define BULKHEAD_MEM_VALID_FLAGS	0xffULL

#define BULKHEAD_CONSOLE_NONE		0
#define BULKHEAD_CONSOLE_UART_8250	2
#define BULKHEAD_CONSOLE_FLAG_MMIO	(1U << 0)
#define BULKHEAD_CONSOLE_FLAG_REGDIST_4	(1U << 1)

struct bulkhead_config_header {
	char magic[BULKHEAD_CONFIG_MAGIC_SIZE];
	uint16_t revision;
	uint16_t kind;
	uint32_t size;
	uint32_t checksum;
	uint32_t reserved;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_config_header) == 24, "config header size");

struct bulkhead_memory_region {
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t size;
	uint64_t flags;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_memory_region) == 32, "memory region size");

/* An I/O port range [base, base + length) the cell may access directly. */
struct bulkhead_pio_region {
	uint32_t base;
	uint32_t length;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_pio_region) == 8, "pio region size");

struct bulkhead_console {
	uint64_t address;
	uint32_t size;
	uint16_t type;
	uint16_t flags;
	uint32_t divider;
	uint32_t reserved;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_console) == 24, "console size");

struct bulkhead_cell {
	char name[BULKHEAD_CELL_NAME_SIZE];
	uint32_t flags;
	uint32_t cpu_set_words;
	uint32_t num_memory_regions;
	uint32_t num_pio_regions;
	uint64_t reset_address;
	uint32_t shutdown_timeout_ms;
	uint32_t reserved;
	struct bulkhead_console console;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_cell) == 88, "cell size");

struct bulkhead_system {
	/* Where the hypervisor lives; the kernel must reserve it (memmap=). */
	struct bulkhead_memory_region hypervisor_memory;
	struct bulkhead_console debug_console;
	uint64_t pci_mmconfig_base;
	uint16_t pm_timer_address;
	uint16_t reserved16;
	uint32_t flags;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_system) == 72, "system size");

#endif
