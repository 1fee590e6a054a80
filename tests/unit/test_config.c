// SPDX-License-Identifier: GPL-2.0
/* Host tests of the config checks the hypervisor and the driver share (common/config.c). */
#include <stdlib.h>
#include <string.h>

#include <bulkhead-hv/config.h>

#include "unit.h"

#define PAGE		0x1000ULL
#define RW		(BULKHEAD_MEM_READ | BULKHEAD_MEM_WRITE)
#define RWX		(RW | BULKHEAD_MEM_EXECUTE)

/* A valid system config: two memory regions, one pio region, one IOAPIC. */
struct test_system_config {
	struct bulkhead_config_header header;
	struct bulkhead_system system;
	struct bulkhead_cell cell;
	uint64_t cpu_set[1];
	struct bulkhead_memory_region memory[2];
	struct bulkhead_pio_region pio[1];
	struct bulkhead_irqchip irqchip[1];
} __attribute__((packed, aligned(8)));

/* A valid cell config: RAM, comm region, an MMIO window; a port range, two IOAPICs, two PCI devices. */
struct test_cell_config {
	struct bulkhead_config_header header;
	struct bulkhead_cell cell;
	uint64_t cpu_set[1];
	struct bulkhead_memory_region memory[3];
	struct bulkhead_pio_region pio[1];
	struct bulkhead_irqchip irqchip[2];
	struct bulkhead_pci_device pci[2];
} __attribute__((packed, aligned(8)));

static const char *problem;
static struct config_view view;

static void fill_header(struct bulkhead_config_header *header, unsigned int kind, size_t size)
{
	memcpy(header->magic, BULKHEAD_CONFIG_MAGIC, BULKHEAD_CONFIG_MAGIC_SIZE);
	header->revision = BULKHEAD_CONFIG_REVISION;
	header->kind = kind;
	header->size = size;
}

static void seal(void *config, size_t size)
{
	struct bulkhead_config_header *header = config;

	header->checksum = 0;
	header->checksum = config_crc32(config, size);
}

static struct test_system_config valid_config(void)
{
	struct test_system_config config;

	memset(&config, 0, sizeof(config));
	fill_header(&config.header, BULKHEAD_CONFIG_KIND_SYSTEM, sizeof(config));
	config.system.hypervisor_memory.phys_start = 0x1c000000;
	config.system.hypervisor_memory.size = 0x600000;
	config.system.acpi_tables_start = 0x1fff0000;
	config.system.acpi_tables_size = 0x10000;
	strcpy(config.cell.name, "root");
	config.cell.cpu_set_words = 1;
	config.cell.num_memory_regions = 2;
	config.cell.num_pio_regions = 1;
	config.cell.num_irqchips = 1;
	config.cpu_set[0] = 0x3;
	config.memory[0] = (struct bulkhead_memory_region){ 0, 0, 0x9f000, BULKHEAD_MEM_READ };
	config.memory[1] = (struct bulkhead_memory_region){ 0x100000, 0x100000, 0x1000000, RW };
	config.pio[0] = (struct bulkhead_pio_region){ 0, 0x10000 };
	config.irqchip[0].address = 0xfec00000;
	config.irqchip[0].pin_bitmap[0] = 0xffffff;
	seal(&config, sizeof(config));
	return config;
}

static struct test_cell_config valid_cell_config(void)
{
	struct test_cell_config config;

	memset(&config, 0, sizeof(config));
	fill_header(&config.header, BULKHEAD_CONFIG_KIND_CELL, sizeof(config));
	strcpy(config.cell.name, "inmate");
	config.cell.cpu_set_words = 1;
	config.cell.num_memory_regions = 3;
	config.cell.num_pio_regions = 1;
	config.cell.num_irqchips = 2;
	config.cell.num_pci_devices = 2;
	config.cell.reset_address = 0xfff0;
	config.cell.shutdown_timeout_ms = 1000;
	config.cell.console = (struct bulkhead_console){ .address = 0x2f8, .size = 8,
		.type = BULKHEAD_CONSOLE_UART_8250, .divider = 1 };
	config.cpu_set[0] = 0x2;
	config.memory[0] = (struct bulkhead_memory_region){ 0x1c600000, 0, 0x100000,
							    RWX | BULKHEAD_MEM_LOADABLE };
	config.memory[1] = (struct bulkhead_memory_region){ 0, 0x100000, PAGE,
							    RW | BULKHEAD_MEM_COMM_REGION };
	config.memory[2] = (struct bulkhead_memory_region){ 0xfebf0000, 0xfebf0000, 0x10000,
							    RW | BULKHEAD_MEM_IO };
	config.pio[0] = (struct bulkhead_pio_region){ 0x2f8, 8 };
	config.irqchip[0].address = 0xfec00000;
	config.irqchip[0].pin_bitmap[0] = 1 << 4;
	config.irqchip[1].address = 0xfec01000;
	config.irqchip[1].pin_bitmap[3] = 1ULL << 63;
	config.pci[0].bdf = 0x0018;
	config.pci[0].bars[0] = (struct bulkhead_pci_bar){ 0xfebf0000, 0x1000 };
	config.pci[0].bars[2] = (struct bulkhead_pci_bar){ 0xfebf1000, 0x100 };
	config.pci[1].bdf = 0x0020;
	seal(&config, sizeof(config));
	return config;
}

static int parse(struct test_system_config *config)
{
	problem = NULL;
	return config_parse(config, sizeof(*config), BULKHEAD_CONFIG_KIND_SYSTEM, &view, &problem);
}

static int parse_sealed(struct test_system_config *config)
{
	seal(config, sizeof(*config));
	return parse(config);
}

static int parse_cell(struct test_cell_config *config)
{
	seal(config, sizeof(*config));
	problem = NULL;
	return config_parse(config, sizeof(*config), BULKHEAD_CONFIG_KIND_CELL, &view, &problem);
}

/* Parsing fails with a problem that contains @words. */
static bool rejected(int result, const char *words)
{
	return result == -EINVAL && problem && strstr(problem, words);
}

static void crc32_matches_the_standard_check_value(void)
{
	CHECK(config_crc32("123456789", 9) == 0xcbf43926);
}

static void valid_config_parses_into_a_view(void)
{
	struct test_system_config config = valid_config();

	CHECK(parse(&config) == 0);
	CHECK(view.system->hypervisor_memory.phys_start == 0x1c000000);
	CHECK(strcmp(view.cell->name, "root") == 0);
	CHECK(view.memory_regions[1].size == 0x1000000);
	CHECK(view.pio_regions[0].length == 0x10000);
	CHECK(view.irqchips[0].address == 0xfec00000);
	CHECK(config_cpu_in_set(&view, 0) && config_cpu_in_set(&view, 1));
	CHECK(!config_cpu_in_set(&view, 2) && !config_cpu_in_set(&view, 64));
	CHECK(config_highest_cpu(&view) == 1);
}

static void truncated_file_is_rejected(void)
{
	struct test_system_config config = valid_config();

	CHECK(config_parse(&config, 10, BULKHEAD_CONFIG_KIND_SYSTEM, &view, &problem) == -EINVAL);
	CHECK(strstr(problem, "truncated"));
	CHECK(config_parse(&config, sizeof(config) - 8, BULKHEAD_CONFIG_KIND_SYSTEM, &view,
			   &problem) == -EINVAL);
	CHECK(strstr(problem, "truncated"));
}

static void header_fields_are_checked(void)
{
	struct test_system_config config = valid_config();

	config.header.magic[0] = 'X';
	CHECK(rejected(parse_sealed(&config), "magic"));
	config = valid_config();
	config.header.revision = 1;
	CHECK(rejected(parse_sealed(&config), "revision is not the one this release reads (3)"));
	config = valid_config();
	config.header.kind = BULKHEAD_CONFIG_KIND_CELL;
	CHECK(rejected(parse_sealed(&config), "not a system config"));
	config = valid_config();
	config.header.reserved = 1;
	CHECK(rejected(parse_sealed(&config), "reserved"));
}

static void bad_checksum_is_rejected(void)
{
	struct test_system_config config = valid_config();

	config.memory[0].size ^= 0x1000;
	CHECK(rejected(parse(&config), "checksum"));
}

static void trailing_bytes_are_rejected(void)
{
	struct test_system_config config = valid_config();

	config.header.size -= 8;
	CHECK(rejected(parse_sealed(&config), "trailing"));
}

static void names_must_be_printable_terminated_and_non_empty(void)
{
	struct test_system_config config = valid_config();

	memset(config.cell.name, 'a', sizeof(config.cell.name));
	CHECK(rejected(parse_sealed(&config), "name"));
	config.cell.name[0] = '\0';
	CHECK(rejected(parse_sealed(&config), "name"));
	config = valid_config();
	config.cell.name[1] = '\t';
	CHECK(rejected(parse_sealed(&config), "printable"));
	config = valid_config();
	config.cell.name[10] = 'x';
	CHECK(rejected(parse_sealed(&config), "padded with NULs"));
}

static void region_counts_must_match_the_size(void)
{
	struct test_system_config config = valid_config();

	config.cell.num_memory_regions = 3;
	CHECK(rejected(parse_sealed(&config), "counts"));
	config = valid_config();
	config.cell.num_pio_regions = 0x80000000;
	CHECK(rejected(parse_sealed(&config), "too many"));
	config = valid_config();
	config.cell.num_irqchips = BULKHEAD_MAX_IRQCHIPS + 1;
	CHECK(rejected(parse_sealed(&config), "too many"));
	config = valid_config();
	config.cell.num_irqchips = 0;
	CHECK(rejected(parse_sealed(&config), "counts"));
}

static void cpu_sets_follow_the_cell_kind(void)
{
	struct test_system_config config = valid_config();
	struct test_cell_config cell = valid_cell_config();

	config.cell.cpu_set_words = 0;
	CHECK(rejected(parse_sealed(&config), "CPU set"));
	config = valid_config();
	config.cpu_set[0] = 0;
	CHECK(rejected(parse_sealed(&config), "no CPU"));
	config.cpu_set[0] = 0x2;
	CHECK(rejected(parse_sealed(&config), "does not hold CPU 0"));
	cell.cpu_set[0] = 0x3;
	CHECK(rejected(parse_cell(&cell), "CPU 0 cannot leave the root cell"));
}

static void memory_regions_must_be_sane(void)
{
	struct test_system_config config = valid_config();

	config.memory[1].phys_start = 0x100800;
	config.memory[1].virt_start = 0x100800;
	CHECK(rejected(parse_sealed(&config), "page aligned"));
	config = valid_config();
	config.memory[1].size = 0;
	CHECK(rejected(parse_sealed(&config), "empty"));
	config = valid_config();
	config.memory[1].phys_start = config.memory[1].virt_start = 0xfffffffffffff000ULL;
	CHECK(rejected(parse_sealed(&config), "wraps"));
	config = valid_config();
	config.memory[1].flags |= 1ULL << 40;
	CHECK(rejected(parse_sealed(&config), "unknown flags"));
	config = valid_config();
	config.memory[1].flags = 0;
	CHECK(rejected(parse_sealed(&config), "no flags"));
}

static void a_region_may_end_at_the_top_of_the_address_space(void)
{
	struct test_system_config config = valid_config();

	config.memory[1].phys_start = config.memory[1].virt_start = 0xffffffffff000000ULL;
	CHECK(parse_sealed(&config) == 0);
}

static void root_cell_memory_stays_where_linux_runs(void)
{
	struct test_system_config config = valid_config();

	config.memory[1].virt_start = 0x2000000;
	CHECK(rejected(parse_sealed(&config), "keeps its physical addresses"));
	config = valid_config();
	config.memory[1].flags |= BULKHEAD_MEM_ROOT_SHARED;
	CHECK(rejected(parse_sealed(&config), "for non-root cells"));
	config = valid_config();
	config.memory[1].phys_start = config.memory[1].virt_start = 0x9e000;
	CHECK(rejected(parse_sealed(&config), "overlap in guest-physical"));
}

static void pio_regions_stay_below_64k_and_apart(void)
{
	struct test_system_config config = valid_config();

	config.pio[0] = (struct bulkhead_pio_region){ 0xfff0, 0x20 };
	CHECK(rejected(parse_sealed(&config), "I/O port"));
	config.pio[0] = (struct bulkhead_pio_region){ 0x3f8, 0 };
	CHECK(rejected(parse_sealed(&config), "I/O port"));
}

static void hypervisor_memory_is_a_page_aligned_mib_outside_the_root(void)
{
	struct test_system_config config = valid_config();

	config.system.hypervisor_memory.size = 0x80000;
	CHECK(rejected(parse_sealed(&config), "hypervisor memory"));
	config = valid_config();
	config.system.hypervisor_memory.phys_start = 0x1c000800;
	CHECK(rejected(parse_sealed(&config), "hypervisor memory"));
	config = valid_config();
	config.system.hypervisor_memory.flags = BULKHEAD_MEM_READ;
	CHECK(rejected(parse_sealed(&config), "flags set"));
	config = valid_config();
	config.system.hypervisor_memory.phys_start = 0x800000;
	CHECK(rejected(parse_sealed(&config), "includes hypervisor memory"));
}

static void platform_windows_are_checked(void)
{
	struct test_system_config config = valid_config();

	config.system.pci_mmconfig_base = 0xe0000000;
	config.system.pci_mmconfig_end_bus = 0xff;
	CHECK(parse_sealed(&config) == 0);
	config.system.pci_mmconfig_base = 0xe0080000;
	CHECK(rejected(parse_sealed(&config), "pci-mmconfig-base"));
	config.system.pci_mmconfig_base = 0;
	CHECK(rejected(parse_sealed(&config), "end bus"));
	config = valid_config();
	config.system.acpi_tables_size = 0x10800;
	CHECK(rejected(parse_sealed(&config), "ACPI tables"));
	config.system.acpi_tables_size = 0;
	CHECK(rejected(parse_sealed(&config), "ACPI tables"));
	config = valid_config();
	config.system.reserved8 = 1;
	CHECK(rejected(parse_sealed(&config), "reserved"));
	config = valid_config();
	config.system.smi_command_port = 0xb2;
	config.system.pm1a_control_port = 0xb004;
	config.system.pm1b_control_port = 0xb104;
	CHECK(parse_sealed(&config) == 0);
	config.system.reserved16 = 1;
	CHECK(rejected(parse_sealed(&config), "reserved"));
}

static void consoles_are_checked(void)
{
	struct test_system_config config = valid_config();
	struct bulkhead_console *console = &config.system.debug_console;

	*console = (struct bulkhead_console){ .address = 0x3f8, .size = 8,
		.type = BULKHEAD_CONSOLE_UART_8250, .divider = 1 };
	CHECK(parse_sealed(&config) == 0);
	console->flags = BULKHEAD_CONSOLE_FLAG_REGDIST_4;
	CHECK(rejected(parse_sealed(&config), "regdist-4 without mmio"));
	console->flags = 0;
	console->address = 0xfffc;
	CHECK(rejected(parse_sealed(&config), "past port 0xffff"));
	console->address = 0x3f8;
	console->divider = 0;
	CHECK(rejected(parse_sealed(&config), "divider"));
	console->divider = 1;
	console->type = 7;
	CHECK(rejected(parse_sealed(&config), "unknown type"));
	*console = (struct bulkhead_console){ .address = 0x3f8 };
	CHECK(rejected(parse_sealed(&config), "type none has fields set"));
}

static void valid_cell_config_parses_into_a_view(void)
{
	struct test_cell_config config = valid_cell_config();

	CHECK(parse_cell(&config) == 0);
	CHECK(view.system == NULL);
	CHECK(view.memory_regions[1].flags & BULKHEAD_MEM_COMM_REGION);
	CHECK(view.irqchips[1].address == 0xfec01000);
	CHECK(view.pci_devices[0].bars[2].size == 0x100);
	CHECK(view.pci_devices[1].bdf == 0x0020);
	CHECK(config_highest_cpu(&view) == 1);
}

/* console-putc and no-pm-timer are the cell flags, and only for non-root cells. */
static void cell_flags_are_checked(void)
{
	struct test_cell_config config = valid_cell_config();
	struct test_system_config system = valid_config();

	config.cell.flags = BULKHEAD_CELL_FLAG_CONSOLE_PUTC;
	CHECK(parse_cell(&config) == 0 && view.cell->flags == BULKHEAD_CELL_FLAG_CONSOLE_PUTC);
	config.cell.flags = BULKHEAD_CELL_VALID_FLAGS;
	CHECK(parse_cell(&config) == 0 && view.cell->flags == BULKHEAD_CELL_VALID_FLAGS);
	config.cell.flags = 1U << 3;
	CHECK(rejected(parse_cell(&config), "cell flags or a reserved field are set"));
	system.cell.flags = BULKHEAD_CELL_FLAG_CONSOLE_PUTC;
	CHECK(rejected(parse_sealed(&system), "the root cell has flags"));
	system.cell.flags = BULKHEAD_CELL_FLAG_NO_PM_TIMER;
	CHECK(rejected(parse_sealed(&system), "the root cell has flags"));
}

static void a_cell_needs_exactly_one_comm_region(void)
{
	struct test_cell_config config = valid_cell_config();

	config.memory[1].flags &= ~BULKHEAD_MEM_COMM_REGION;
	CHECK(rejected(parse_cell(&config), "no comm region"));
	config = valid_cell_config();
	config.memory[2].flags |= BULKHEAD_MEM_COMM_REGION;
	CHECK(rejected(parse_cell(&config), "comm region"));
	config = valid_cell_config();
	config.memory[1].size = 2 * PAGE;
	CHECK(rejected(parse_cell(&config), "one page"));
	config = valid_cell_config();
	config.memory[1].phys_start = 0x1c700000;
	CHECK(rejected(parse_cell(&config), "one page without phys-start"));
}

static void cell_memory_must_not_overlap_itself(void)
{
	struct test_cell_config config = valid_cell_config();

	config.memory[2].virt_start = 0xff000;
	CHECK(rejected(parse_cell(&config), "overlap in guest-physical"));
	config = valid_cell_config();
	config.memory[2].phys_start = 0x1c6f0000;
	CHECK(rejected(parse_cell(&config), "overlap in host-physical"));
	config = valid_cell_config();
	config.pio[0].length = 0;
	CHECK(rejected(parse_cell(&config), "I/O port region is empty"));
}

static void reset_address_is_executable_memory_below_4g(void)
{
	struct test_cell_config config = valid_cell_config();

	config.cell.reset_address = 0x100000;
	CHECK(rejected(parse_cell(&config), "not in an executable memory region"));
	config.cell.reset_address = 0x100000000ULL;
	CHECK(rejected(parse_cell(&config), "above 4 GiB"));
}

static void ioapics_are_checked(void)
{
	struct test_cell_config config = valid_cell_config();

	config.irqchip[1].address = 0xfec00000;
	CHECK(rejected(parse_cell(&config), "same IOAPIC"));
	config = valid_cell_config();
	config.irqchip[1].address = 0xfec00400;
	CHECK(rejected(parse_cell(&config), "IOAPIC address"));
	config.irqchip[1].address = 0x1fec00000ULL;
	CHECK(rejected(parse_cell(&config), "IOAPIC address"));
	config = valid_cell_config();
	config.irqchip[1].pin_bitmap[3] = 0;
	CHECK(rejected(parse_cell(&config), "no pins"));
}

static void pci_devices_are_checked(void)
{
	struct test_cell_config config = valid_cell_config();

	config.pci[1].bdf = config.pci[0].bdf;
	CHECK(rejected(parse_cell(&config), "listed twice"));
	config = valid_cell_config();
	config.pci[0].bars[0].size = 0x1800;
	CHECK(rejected(parse_cell(&config), "power of two"));
	config = valid_cell_config();
	config.pci[0].bars[2].address = 0xfebf1080;
	CHECK(rejected(parse_cell(&config), "aligned to its size"));
	config = valid_cell_config();
	config.pci[0].bars[0].address = 0xfeb00000;
	CHECK(rejected(parse_cell(&config), "outside the cell's io memory"));
	config = valid_cell_config();
	config.pci[1].bars[5].address = 0xfebf2000;
	CHECK(rejected(parse_cell(&config), "size 0"));
	config = valid_cell_config();
	config.pci[1].reserved = 1;
	CHECK(rejected(parse_cell(&config), "reserved"));
}

/* The files bulkhead-config (Python) built pass the C checks unchanged. */
static int built_count;
static char **built_paths;

static int parse_file(const char *path, unsigned int kind)
{
	static uint64_t buffer[BULKHEAD_CONFIG_MAX_SIZE / 8];
	FILE *file = fopen(path, "rb");
	size_t size;

	if (!file)
		return -ENOENT;
	size = fread(buffer, 1, sizeof(buffer), file);
	fclose(file);
	return config_parse(buffer, size, kind, &view, &problem);
}

static void python_built_configs_pass(void)
{
	int i;

	CHECK(parse_file(built_paths[0], BULKHEAD_CONFIG_KIND_SYSTEM) == 0);
	CHECK(view.system && view.system->hypervisor_memory.size >= 0x100000);
	CHECK(config_cpu_in_set(&view, 0));
	for (i = 1; i < built_count; i++)
		CHECK(parse_file(built_paths[i], BULKHEAD_CONFIG_KIND_CELL) == 0);
}

int main(int argc, char **argv)
{
	RUN(crc32_matches_the_standard_check_value);
	RUN(valid_config_parses_into_a_view);
	RUN(truncated_file_is_rejected);
	RUN(header_fields_are_checked);
	RUN(bad_checksum_is_rejected);
	RUN(trailing_bytes_are_rejected);
	RUN(names_must_be_printable_terminated_and_non_empty);
	RUN(region_counts_must_match_the_size);
	RUN(cpu_sets_follow_the_cell_kind);
	RUN(memory_regions_must_be_sane);
	RUN(a_region_may_end_at_the_top_of_the_address_space);
	RUN(root_cell_memory_stays_where_linux_runs);
	RUN(pio_regions_stay_below_64k_and_apart);
	RUN(hypervisor_memory_is_a_page_aligned_mib_outside_the_root);
	RUN(platform_windows_are_checked);
	RUN(consoles_are_checked);
	RUN(valid_cell_config_parses_into_a_view);
	RUN(cell_flags_are_checked);
	RUN(a_cell_needs_exactly_one_comm_region);
	RUN(cell_memory_must_not_overlap_itself);
	RUN(reset_address_is_executable_memory_below_4g);
	RUN(ioapics_are_checked);
	RUN(pci_devices_are_checked);
	/* Arguments: a built system config, then built cell configs. */
	if (argc > 1) {
		built_count = argc - 1;
		built_paths = argv + 1;
		RUN(python_built_configs_pass);
	}
	return unit_report("unit config");
}
