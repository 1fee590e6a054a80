// SPDX-License-Identifier: GPL-2.0
/* Complete checks of a .cell config before anything uses it. */
#include <bulkhead-hv/config.h>

#define CONFIG_PAGE_SIZE	4096ULL

static uint32_t crc32_byte(uint32_t crc, uint8_t byte)
{
	unsigned int bit;

	crc ^= byte;
	for (bit = 0; bit < 8; bit++)
		crc = (crc >> 1) ^ (0xedb88320 & (0 - (crc & 1)));
	return crc;
}

/* CRC-32 as IEEE 802.3 and zlib define it. */
uint32_t config_crc32(const void *data, size_t size)
{
	const uint8_t *byte = data;
	uint32_t crc = 0xffffffff;

	while (size--)
		crc = crc32_byte(crc, *byte++);
	return ~crc;
}

/* CRC-32 of the file as if its checksum field were zero. */
static uint32_t config_checksum(const uint8_t *data, size_t size)
{
	size_t field = offsetof(struct bulkhead_config_header, checksum);
	uint32_t crc = 0xffffffff;
	size_t i;

	for (i = 0; i < size; i++)
		crc = crc32_byte(crc, i >= field && i < field + 4 ? 0 : data[i]);
	return ~crc;
}

static bool magic_matches(const char *magic)
{
	static const char expected[] = BULKHEAD_CONFIG_MAGIC;
	unsigned int i;

	for (i = 0; i < BULKHEAD_CONFIG_MAGIC_SIZE; i++)
		if (magic[i] != expected[i])
			return false;
	return true;
}

static int check_header(const uint8_t *data, size_t size, unsigned int kind,
			const char **problem)
{
	const struct bulkhead_config_header *header = (const void *)data;

	if (size < sizeof(*header)) {
		*problem = "file is truncated: shorter than a config header; rebuild it with bulkhead-config build";
		return -EINVAL;
	}
	if (!magic_matches(header->magic)) {
		*problem = "not a Bulkhead config (bad magic); build one with bulkhead-config build";
		return -EINVAL;
	}
	if (header->revision != BULKHEAD_CONFIG_REVISION) {
		*problem = "config revision is not the one this release reads (1); rebuild it with this release's bulkhead-config";
		return -EINVAL;
	}
	if (header->kind != kind) {
		*problem = kind == BULKHEAD_CONFIG_KIND_SYSTEM ?
			"this is a cell config, not a system config; pass the system config" :
			"this is a system config, not a cell config; pass a cell config";
		return -EINVAL;
	}
	if (header->size != size) {
		*problem = header->size > size ?
			"file is truncated: the header's size is larger than the file; rebuild it with bulkhead-config build" :
			"file has trailing bytes beyond the header's size; rebuild it with bulkhead-config build";
		return -EINVAL;
	}
	if (size > BULKHEAD_CONFIG_MAX_SIZE) {
		*problem = "config is larger than 1 MiB; split it or drop unused regions";
		return -EINVAL;
	}
	if (config_checksum(data, size) != header->checksum) {
		*problem = "checksum mismatch: the file is corrupt; rebuild it with bulkhead-config build";
		return -EINVAL;
	}
	return 0;
}

/* Number of bytes the arrays after the cell header take; sizes are bounded, so no overflow. */
static uint64_t cell_arrays_size(const struct bulkhead_cell *cell)
{
	return (uint64_t)cell->cpu_set_words * sizeof(uint64_t) +
	       (uint64_t)cell->num_memory_regions * sizeof(struct bulkhead_memory_region) +
	       (uint64_t)cell->num_pio_regions * sizeof(struct bulkhead_pio_region);
}

static bool name_terminated(const char *name)
{
	unsigned int i;

	for (i = 1; i < BULKHEAD_CELL_NAME_SIZE; i++)
		if (name[i] == '\0')
			return name[0] != '\0';
	return false;
}

static bool region_ok(const struct bulkhead_memory_region *region)
{
	return region->size != 0 &&
	       region->phys_start % CONFIG_PAGE_SIZE == 0 &&
	       region->virt_start % CONFIG_PAGE_SIZE == 0 &&
	       region->size % CONFIG_PAGE_SIZE == 0 &&
	       region->phys_start + region->size > region->phys_start &&
	       region->virt_start + region->size > region->virt_start &&
	       (region->flags & ~BULKHEAD_MEM_VALID_FLAGS) == 0;
}

static int check_cell(const struct config_view *view, size_t left, const char **problem)
{
	const struct bulkhead_cell *cell = view->cell;
	unsigned int i;

	if (!name_terminated(cell->name)) {
		*problem = "cell name is empty or longer than 31 bytes; shorten it";
		return -EINVAL;
	}
	if (cell->cpu_set_words == 0 || cell->cpu_set_words > BULKHEAD_CPU_SET_MAX_WORDS) {
		*problem = "CPU set size is out of range (1 to 64 CPUs); fix the cpus property";
		return -EINVAL;
	}
	if (cell->num_memory_regions > BULKHEAD_CONFIG_MAX_SIZE ||
	    cell->num_pio_regions > BULKHEAD_CONFIG_MAX_SIZE ||
	    cell_arrays_size(cell) != left) {
		*problem = "region counts do not match the file size; rebuild it with bulkhead-config build";
		return -EINVAL;
	}
	for (i = 0; i < cell->num_memory_regions; i++)
		if (!region_ok(&view->memory_regions[i])) {
			*problem = "a memory region is empty, not page aligned, wraps around or has unknown flags; fix it in the .dts";
			return -EINVAL;
		}
	for (i = 0; i < cell->num_pio_regions; i++)
		if (view->pio_regions[i].length == 0 ||
		    view->pio_regions[i].base + (uint64_t)view->pio_regions[i].length > 0x10000) {
			*problem = "an I/O port region is empty or goes past port 0xffff; fix pio-regions in the .dts";
			return -EINVAL;
		}
	return 0;
}

static int check_system(const struct bulkhead_system *system, const char **problem)
{
	const struct bulkhead_memory_region *memory = &system->hypervisor_memory;

	if (memory->size < 1024 * 1024 || !region_ok(memory)) {
		*problem = "hypervisor memory must be page aligned and at least 1 MiB; fix the hypervisor node";
		return -EINVAL;
	}
	return 0;
}

/*
 * Checks everything in a config and fills @view on success.  On failure
 * returns -EINVAL and points @problem at one line that names the problem and
 * the fix.  @data must be suitably aligned for 8-byte fields.
 */
int config_parse(const void *data, size_t size, unsigned int kind,
		 struct config_view *view, const char **problem)
{
	const uint8_t *bytes = data;
	size_t offset = sizeof(struct bulkhead_config_header);
	size_t fixed;
	int err;

	err = check_header(bytes, size, kind, problem);
	if (err)
		return err;

	fixed = offset + sizeof(struct bulkhead_cell) +
		(kind == BULKHEAD_CONFIG_KIND_SYSTEM ? sizeof(struct bulkhead_system) : 0);
	if (size < fixed) {
		*problem = "file is too short for its kind; rebuild it with bulkhead-config build";
		return -EINVAL;
	}

	view->header = data;
	view->system = NULL;
	if (kind == BULKHEAD_CONFIG_KIND_SYSTEM) {
		view->system = (const void *)(bytes + offset);
		offset += sizeof(struct bulkhead_system);
	}
	view->cell = (const void *)(bytes + offset);
	offset += sizeof(struct bulkhead_cell);
	view->cpu_set = (const void *)(bytes + offset);
	offset += view->cell->cpu_set_words * sizeof(uint64_t);
	view->memory_regions = (const void *)(bytes + offset);
	offset += view->cell->num_memory_regions * sizeof(struct bulkhead_memory_region);
	view->pio_regions = (const void *)(bytes + offset);

	if (view->system) {
		err = check_system(view->system, problem);
		if (err)
			return err;
	}
	return check_cell(view, size - fixed, problem);
}

bool config_cpu_in_set(const struct config_view *view, unsigned int cpu)
{
	if (cpu >= view->cell->cpu_set_words * 64)
		return false;
	return (view->cpu_set[cpu / 64] >> (cpu % 64)) & 1;
}

/* Highest CPU number in the set, or -1U for an empty set. */
unsigned int config_highest_cpu(const struct config_view *view)
{
	unsigned int cpu = view->cell->cpu_set_words * 64;

	while (cpu-- > 0)
		if (config_cpu_in_set(view, cpu))
			return cpu;
	return -1U;
}
