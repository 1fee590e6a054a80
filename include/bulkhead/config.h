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
 *   struct bulkhead_irqchip irqchips[num_irqchips]
 *   struct bulkhead_pci_device pci_devices[num_pci_devices]
 *
 * The checksum is CRC-32 (IEEE 802.3, as zlib computes it) over the whole
 * file with the checksum field taken as zero.  Documentation/config-format.md
 * explains every field.
 */

#define BULKHEAD_CONFIG_MAGIC		"BHCONFIG"
#define BULKHEAD_CONFIG_MAGIC_SIZE	8
#define BULKHEAD_CONFIG_REVISION	3
#define BULKHEAD_CONFIG_MAX_SIZE	(1024 * 1024)

#define BULKHEAD_CONFIG_KIND_SYSTEM	1
#define BULKHEAD_CONFIG_KIND_CELL	2

#define BULKHEAD_CELL_NAME_SIZE		32
#define BULKHEAD_MAX_CPUS		64
#define BULKHEAD_CPU_SET_MAX_WORDS	(BULKHEAD_MAX_CPUS / 64)

/* Upper bounds on the arrays of one cell, so checks stay quick in the hypervisor. */
#define BULKHEAD_MAX_MEMORY_REGIONS	1024
#define BULKHEAD_MAX_PIO_REGIONS	1024
#define BULKHEAD_MAX_IRQCHIPS		16
#define BULKHEAD_MAX_PCI_DEVICES	256

/* Fixed-address windows of the platform that no non-root cell may take. */
#define BULKHEAD_LAPIC_BASE		0xfee00000ULL
#define BULKHEAD_IOAPIC_BASE		0xfec00000ULL
#define BULKHEAD_PLATFORM_WINDOW_SIZE	0x1000ULL
/* PCI Express extended configuration space: 1 MiB per bus. */
#define BULKHEAD_MMCONFIG_BUS_SIZE	0x100000ULL
/* A PM1 control register is 16 bits, two ports (ACPI 6.5, table 4.13). */
#define BULKHEAD_PM1_CONTROL_PORTS	2

#define BULKHEAD_MEM_READ		(1ULL << 0)
#define BULKHEAD_MEM_WRITE		(1ULL << 1)
#define BULKHEAD_MEM_EXECUTE		(1ULL << 2)
#define BULKHEAD_MEM_DMA		(1ULL << 3)
#define BULKHEAD_MEM_IO			(1ULL << 4)
#define BULKHEAD_MEM_COMM_REGION	(1ULL << 5)
#define BULKHEAD_MEM_LOADABLE		(1ULL << 6)
#define BULKHEAD_MEM_ROOT_SHARED	(1ULL << 7)
#define BULKHEAD_MEM_VALID_FLAGS	0xffULL
/* Flags only non-root cells may use. */
#define BULKHEAD_MEM_NON_ROOT_FLAGS	(BULKHEAD_MEM_COMM_REGION | BULKHEAD_MEM_LOADABLE | \
					 BULKHEAD_MEM_ROOT_SHARED)

#define BULKHEAD_CONSOLE_NONE		0
#define BULKHEAD_CONSOLE_UART_8250	2
#define BULKHEAD_CONSOLE_FLAG_MMIO	(1U << 0)
#define BULKHEAD_CONSOLE_FLAG_REGDIST_4	(1U << 1)
#define BULKHEAD_CONSOLE_VALID_FLAGS	(BULKHEAD_CONSOLE_FLAG_MMIO | BULKHEAD_CONSOLE_FLAG_REGDIST_4)

/* An IOAPIC has at most 256 redirection entries (8-bit maximum redirection entry). */
#define BULKHEAD_IOAPIC_MAX_PINS	256
#define BULKHEAD_PCI_NUM_BARS		6

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

/* Pins of one IOAPIC the cell owns: bit n of the bitmap is pin n. */
struct bulkhead_irqchip {
	uint64_t address;
	uint64_t pin_bitmap[BULKHEAD_IOAPIC_MAX_PINS / 64];
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_irqchip) == 40, "irqchip size");

/* Memory a BAR decodes; size 0 means the BAR is not given to the cell. */
struct bulkhead_pci_bar {
	uint64_t address;
	uint64_t size;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_pci_bar) == 16, "PCI BAR size");

/* A PCI function assigned to the cell, by segment and bus/device/function. */
struct bulkhead_pci_device {
	uint16_t domain;
	uint16_t bdf;		/* bus << 8 | device << 3 | function */
	uint32_t reserved;
	struct bulkhead_pci_bar bars[BULKHEAD_PCI_NUM_BARS];
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_pci_device) == 104, "PCI device size");

struct bulkhead_console {
	uint64_t address;
	uint32_t size;
	uint16_t type;
	uint16_t flags;
	uint32_t divider;
	uint32_t reserved;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_console) == 24, "console size");

/*
 * Cell flags.  CONSOLE_PUTC: the cell's inmate may write to the hypervisor
 * console (hypercall 8), each line marked with the cell's name and rate
 * limited; without it the call is refused.  NO_PM_TIMER: the cell does not
 * get the system's ACPI PM timer, which every other cell reads (its comm
 * region then says there is none).  Non-root cells only.
 */
#define BULKHEAD_CELL_FLAG_CONSOLE_PUTC	(1U << 0)
#define BULKHEAD_CELL_FLAG_NO_PM_TIMER	(1U << 1)
#define BULKHEAD_CELL_VALID_FLAGS	(BULKHEAD_CELL_FLAG_CONSOLE_PUTC | BULKHEAD_CELL_FLAG_NO_PM_TIMER)
/* The ACPI PM timer: one 32-bit read-only register (ACPI 6.5, 4.8.3.3). */
#define BULKHEAD_PM_TIMER_PORTS		4

struct bulkhead_cell {
	char name[BULKHEAD_CELL_NAME_SIZE];
	uint32_t flags;
	uint32_t cpu_set_words;
	uint32_t num_memory_regions;
	uint32_t num_pio_regions;
	uint32_t num_irqchips;
	uint32_t num_pci_devices;
	/* Real mode start: CS base reset_address & ~0xffff, IP reset_address & 0xffff. */
	uint64_t reset_address;
	/* How long a shutdown request waits for the cell's reply; 0: stop at once. */
	uint32_t shutdown_timeout_ms;
	uint32_t reserved;
	struct bulkhead_console console;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_cell) == 96, "cell size");

struct bulkhead_system {
	/* Where the hypervisor lives; the kernel must reserve it (memmap=). */
	struct bulkhead_memory_region hypervisor_memory;
	struct bulkhead_console debug_console;
	uint64_t pci_mmconfig_base;	/* 0: no extended configuration space */
	uint16_t pm_timer_address;
	uint8_t pci_mmconfig_end_bus;	/* window: (end_bus + 1) MiB from the base */
	uint8_t reserved8;
	uint32_t flags;
	/* Firmware tables the root cell keeps reading; no cell may take them.  Size 0: none. */
	uint64_t acpi_tables_start;
	uint64_t acpi_tables_size;
	/*
	 * ACPI ports that control the whole platform (FADT SMI_CMD,
	 * PM1a_CNT_BLK, PM1b_CNT_BLK); no non-root cell may take them.  0: none.
	 */
	uint16_t smi_command_port;
	uint16_t pm1a_control_port;
	uint16_t pm1b_control_port;
	uint16_t reserved16;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_system) == 96, "system size");

#endif
