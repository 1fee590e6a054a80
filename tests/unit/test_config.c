// SPDX-License-Identifier: GPL-2.0
/* Host tests of the config checks the hypervisor and the driver share (hypervisor/config.c). */
#include <stdlib.h>
#include <string.h>

#include <bulkhead-hv/config.h>

#include "unit.h"

/* A valid system config: header, system, cell, one CPU word, two memory regions, one pio region. */
struct test_system_config {
	struct bulkhead_config_header header;
	struct bulkhead_system system;
	struct bulkhead_cell cell;
	uint64_t cpu_set[1];
	struct bulkhead_memory_region memory[2];
	struct bulkhead_pio_region pio[1];
} __attribute__((packed, aligned(8)));

static const char *problem;
static struct config_view view;

static void seal(struct test_system_config *config)
{
	config->header.checksum = 0;
	config->header.checksum = config_crc32(config, sizeof(*config));
}

static struct test_system_config valid_config(void)
{
	struct test_system_config config;

	memset(&config, 0, sizeof(config));
	memcpy(config.header.magic, BULKHEAD_CONFIG_MAGIC, BULKHEAD_CONFIG_MAGIC_SIZE);
	config.header.revision = BULKHEAD_CONFIG_REVISION;
	config.header.kind = BULKHEAD_CONFIG_KIND_SYSTEM;
	config.header.size = sizeof(config);
	config.system.hypervisor_memory.phys_start = 0x1c000000;
	config.system.hypervisor_memory.size = 0x600000;
	config.system.hypervisor_memory.flags = BULKHEAD_MEM_READ | BULKHEAD_MEM_WRITE;
	strcpy(config.cell.name, "root");
	config.cell.cpu_set_words = 1;
	config.cell.num_memory_regions = 2;
	config.cell.num_pio_regions = 1;
	config.cpu_set[0] = 0x3;
	config.memory[0] = (struct bulkhead_memory_region){ 0, 0, 0x9f000, BULKHEAD_MEM_READ };
	config.memory[1] = (struct bulkhead_memory_region){ 0x100000, 0x100000, 0x1000000,
							    BULKHEAD_MEM_READ | BULKHEAD_MEM_WRITE };
	config.pio[0] = (struct bulkhead_pio_region){ 0, 0x10000 };
	seal(&config);
	return config;
}

static int parse(struct test_system_config *config)
{
	problem = NULL;
	return config_parse(config, sizeof(*config), BULKHEAD_CONFIG_KIND_SYSTEM, &view, &problem);
}

static int parse_sealed(struct test_system_config *config)
{
	seal(config);
	return parse(config);
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

static void bad_magic_is_rejected(void)
{
	struct test_system_config config = valid_config();

	config.header.magic[0] = 'X';
	CHECK(parse_sealed(&config) == -EINVAL);
	CHECK(strstr(problem, "magic"));
}

static void other_revision_is_rejected(void)
{
	struct test_system_config config = valid_config();

	config.header.revision = 99;
	CHECK(parse_sealed(&config) == -EINVAL);
	CHECK(strstr(problem, "revision"));
}

static void cell_config_is_not_a_system_config(void)
{
	struct test_system_config config = valid_config();

	config.header.kind = BULKHEAD_CONFIG_KIND_CELL;
	CHECK(parse_sealed(&config) == -EINVAL);
	CHECK(strstr(problem, "not a system config"));
}

static void bad_checksum_is_rejected(void)
{
	struct test_system_config config = valid_config();

	config.memory[0].size ^= 0x1000;
	CHECK(parse(&config) == -EINVAL);
	CHECK(strstr(problem, "checksum"));
}

static void trailing_bytes_are_rejected(void)
{
	struct test_system_config config = valid_config();

	config.header.size -= 8;
	CHECK(parse_sealed(&config) == -EINVAL);
	CHECK(strstr(problem, "trailing"));
}

static void names_must_be_terminated_and_non_empty(void)
{
	struct test_system_config config = valid_config();

	memset(config.cell.name, 'a', sizeof(config.cell.name));
	CHECK(parse_sealed(&config) == -EINVAL);
	CHECK(strstr(problem, "name"));
	config.cell.name[0] = '\0';
	CHECK(parse_sealed(&config) == -EINVAL);
}

static void region_counts_must_match_the_size(void)
{
	struct test_system_config config = valid_config();

	config.cell.num_memory_regions = 3;
	CHECK(parse_sealed(&config) == -EINVAL);
	CHECK(strstr(problem, "counts"));
	config = valid_config();
	config.cell.num_pio_regions = 0x80000000;
	CHECK(parse_sealed(&config) == -EINVAL);
}

static void cpu_set_size_must_be_in_range(void)
{
	struct test_system_config config = valid_config();

	config.cell.cpu_set_words = 0;
	CHECK(parse_sealed(&config) == -EINVAL);
	CHECK(strstr(problem, "CPU set"));
}

static void memory_regions_must_be_sane(void)
{
	struct test_system_config config = valid_config();

	config.memory[1].phys_start = 0x100800;
	CHECK(parse_sealed(&config) == -EINVAL);
	config = valid_config();
	config.memory[1].size = 0;
	CHECK(parse_sealed(&config) == -EINVAL);
	config = valid_config();
	config.memory[1].phys_start = 0xfffffffffffff000ULL;
	CHECK(parse_sealed(&config) == -EINVAL);
	config = valid_config();
	config.memory[1].flags |= 1ULL << 40;
	CHECK(parse_sealed(&config) == -EINVAL);
	CHECK(strstr(problem, "memory region"));
}

static void pio_regions_must_stay_below_64k(void)
{
	struct test_system_config config = valid_config();

	config.pio[0] = (struct bulkhead_pio_region){ 0xfff0, 0x20 };
	CHECK(parse_sealed(&config) == -EINVAL);
	CHECK(strstr(problem, "I/O port"));
	config.pio[0] = (struct bulkhead_pio_region){ 0x3f8, 0 };
	CHECK(parse_sealed(&config) == -EINVAL);
}

static void hypervisor_memory_must_be_a_page_aligned_mib(void)
{
	struct test_system_config config = valid_config();

	config.system.hypervisor_memory.size = 0x80000;
	CHECK(parse_sealed(&config) == -EINVAL);
	CHECK(strstr(problem, "hypervisor memory"));
	config = valid_config();
	config.system.hypervisor_memory.phys_start = 0x1c000800;
	CHECK(parse_sealed(&config) == -EINVAL);
}

/* The file bulkhead-config (Python) built passes the C checks unchanged. */
static const char *built_path;

static void python_built_config_passes(void)
{
	FILE *file = fopen(built_path, "rb");
	static uint64_t buffer[BULKHEAD_CONFIG_MAX_SIZE / 8];
	size_t size;

	CHECK(file != NULL);
	if (!file)
		return;
	size = fread(buffer, 1, sizeof(buffer), file);
	fclose(file);
	CHECK(config_parse(buffer, size, BULKHEAD_CONFIG_KIND_SYSTEM, &view, &problem) == 0);
	CHECK(view.system && view.system->hypervisor_memory.size >= 0x100000);
	CHECK(config_cpu_in_set(&view, 0));
}

int main(int argc, char **argv)
{
	RUN(crc32_matches_the_standard_check_value);
	RUN(valid_config_parses_into_a_view);
	RUN(truncated_file_is_rejected);
	RUN(bad_magic_is_rejected);
	RUN(other_revision_is_rejected);
	RUN(cell_config_is_not_a_system_config);
	RUN(bad_checksum_is_rejected);
	RUN(trailing_bytes_are_rejected);
	RUN(names_must_be_terminated_and_non_empty);
	RUN(region_counts_must_match_the_size);
	RUN(cpu_set_size_must_be_in_range);
	RUN(memory_regions_must_be_sane);
	RUN(pio_regions_must_stay_below_64k);
	RUN(hypervisor_memory_must_be_a_page_aligned_mib);
	if (argc > 1) {
		built_path = argv[1];
		RUN(python_built_config_passes);
	}
	return unit_report("unit config");
}
