// SPDX-License-Identifier: GPL-2.0
/* Complete checks of a .cell config before anything uses it. */
#include <bulkhead-hv/config.h>

/*
 * Every check returns NULL when the config passes it, or one line that names
 * the problem and the fix.  Ranges are compared as first and last byte, so a
 * region that ends exactly at the top of the 64-bit space needs no overflow.
 * Documentation/config-format.md lists the rules; tools/bulkhead_config
 * applies the same ones with friendlier messages.
 */

#define CONFIG_PAGE_SIZE	4096ULL
#define CONFIG_PORT_SPACE	0x10000ULL
#define CONFIG_4_GIB		0x100000000ULL
#define CONFIG_MIN_HV_SIZE	0x100000ULL
#define CONFIG_MIN_BAR_SIZE	16ULL
#define BH_STRINGIFY_(x)	#x
#define BH_STRINGIFY(x)		BH_STRINGIFY_(x)

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

/* [start, start + size) is not empty and does not pass the end of the 64-bit space. */
static bool range_valid(uint64_t start, uint64_t size)
{
	return size != 0 && start + (size - 1) >= start;
}

static const char *check_identity(const struct bulkhead_config_header *header, unsigned int kind)
{
	if (!magic_matches(header->magic))
		return "not a Bulkhead config (bad magic); build one with bulkhead-config build";
	if (header->revision != BULKHEAD_CONFIG_REVISION)
		return "config revision is not the one this release reads ("
		       BH_STRINGIFY(BULKHEAD_CONFIG_REVISION)
		       "); rebuild it with this release's bulkhead-config";
	if (header->kind != kind)
		return kind == BULKHEAD_CONFIG_KIND_SYSTEM ?
			"this is a cell config, not a system config; pass the system config" :
			"this is a system config, not a cell config; pass a cell config";
	return NULL;
}

static const char *check_header(const uint8_t *data, size_t size, unsigned int kind)
{
	const struct bulkhead_config_header *header = (const void *)data;
	const char *problem;

	if (size < sizeof(*header))
		return "file is truncated: shorter than a config header; rebuild it with bulkhead-config build";
	problem = check_identity(header, kind);
	if (problem)
		return problem;
	if (header->size != size)
		return header->size > size ?
			"file is truncated: the header's size is larger than the file; rebuild it with bulkhead-config build" :
			"file has trailing bytes beyond the header's size; rebuild it with bulkhead-config build";
	if (size > BULKHEAD_CONFIG_MAX_SIZE)
		return "config is larger than 1 MiB; split it or drop unused regions";
	if (config_checksum(data, size) != header->checksum)
		return "checksum mismatch: the file is corrupt; rebuild it with bulkhead-config build";
	if (header->reserved)
		return "the header's reserved field is not zero; rebuild it with bulkhead-config build";
	return NULL;
}

/* Number of bytes the arrays after the cell header take; counts are bounded, so no overflow. */
static uint64_t cell_arrays_size(const struct bulkhead_cell *cell)
{
	return (uint64_t)cell->cpu_set_words * sizeof(uint64_t) +
	       (uint64_t)cell->num_memory_regions * sizeof(struct bulkhead_memory_region) +
	       (uint64_t)cell->num_pio_regions * sizeof(struct bulkhead_pio_region) +
	       (uint64_t)cell->num_irqchips * sizeof(struct bulkhead_irqchip) +
	       (uint64_t)cell->num_pci_devices * sizeof(struct bulkhead_pci_device);
}

static const char *check_counts(const struct bulkhead_cell *cell, size_t left)
{
	if (cell->cpu_set_words == 0 || cell->cpu_set_words > BULKHEAD_CPU_SET_MAX_WORDS)
		return "CPU set size is out of range (1 to 64 CPUs); fix the cpus property";
	if (cell->num_memory_regions > BULKHEAD_MAX_MEMORY_REGIONS ||
	    cell->num_pio_regions > BULKHEAD_MAX_PIO_REGIONS ||
	    cell->num_irqchips > BULKHEAD_MAX_IRQCHIPS ||
	    cell->num_pci_devices > BULKHEAD_MAX_PCI_DEVICES)
		return "too many regions, IOAPICs or PCI devices in one cell (limits in include/bulkhead/config.h); merge or drop some";
	if (cell_arrays_size(cell) != left)
		return "region counts do not match the file size; rebuild it with bulkhead-config build";
	return NULL;
}

/* 1 to 31 printable ASCII bytes, then NULs up to the end of the field. */
static const char *check_name(const char *name)
{
	unsigned int i = 0;

	while (i < BULKHEAD_CELL_NAME_SIZE && name[i] >= ' ' && name[i] <= '~')
		i++;
	if (i == 0 || i == BULKHEAD_CELL_NAME_SIZE)
		return "cell name is empty or longer than 31 bytes; shorten it";
	for (; i < BULKHEAD_CELL_NAME_SIZE; i++)
		if (name[i] != '\0')
			return "cell name is not printable ASCII padded with NULs; use letters, digits and punctuation";
	return NULL;
}

static const char *check_cpus(const struct config_view *view, bool is_root)
{
	uint64_t any = 0;
	uint32_t i;

	for (i = 0; i < view->cell->cpu_set_words; i++)
		any |= view->cpu_set[i];
	if (!any)
		return "the cell has no CPU; give it at least one in cpus";
	if (is_root && !config_cpu_in_set(view, 0))
		return "the root cell does not hold CPU 0; add CPU 0 to its cpus";
	if (!is_root && config_cpu_in_set(view, 0))
		return "CPU 0 cannot leave the root cell; remove it from the cell's cpus";
	return NULL;
}

static bool is_comm_region(const struct bulkhead_memory_region *region)
{
	return region->flags & BULKHEAD_MEM_COMM_REGION;
}

static const char *check_region_shape(const struct bulkhead_memory_region *region)
{
	if (!range_valid(region->phys_start, region->size) ||
	    !range_valid(region->virt_start, region->size))
		return "a memory region is empty or wraps around the end of the address space; fix its size";
	if ((region->phys_start | region->virt_start | region->size) % CONFIG_PAGE_SIZE)
		return "a memory region is not page aligned; align phys-start, virt-start and size to 0x1000";
	if (region->flags & ~BULKHEAD_MEM_VALID_FLAGS)
		return "a memory region has unknown flags; use only the flags config.h defines";
	if (!region->flags)
		return "a memory region has no flags; give it at least one";
	return NULL;
}

static const char *check_region(const struct bulkhead_memory_region *region, bool is_root)
{
	const char *problem = check_region_shape(region);

	if (problem)
		return problem;
	if (is_root && (region->flags & BULKHEAD_MEM_NON_ROOT_FLAGS))
		return "a root cell memory region is flagged comm-region, loadable or root-shared; those flags are for non-root cells";
	/* Linux already runs at these addresses when it becomes the root cell. */
	if (is_root && region->virt_start != region->phys_start)
		return "a root cell memory region has virt-start other than phys-start; the root cell keeps its physical addresses";
	if (is_comm_region(region) && (region->size != CONFIG_PAGE_SIZE || region->phys_start))
		return "the comm region is not one page without phys-start; set size 0x1000 and drop phys-start";
	return NULL;
}

static const char *check_region_pair(const struct bulkhead_memory_region *a,
				     const struct bulkhead_memory_region *b)
{
	if (ranges_overlap(a->virt_start, a->size, b->virt_start, b->size))
		return "two memory regions of a cell overlap in guest-physical addresses; make them disjoint";
	if (!is_comm_region(a) && !is_comm_region(b) &&
	    ranges_overlap(a->phys_start, a->size, b->phys_start, b->size))
		return "two memory regions of a cell overlap in host-physical addresses; make them disjoint";
	return NULL;
}

static const char *check_memory_regions(const struct config_view *view, bool is_root)
{
	const struct bulkhead_memory_region *regions = view->memory_regions;
	uint32_t count = view->cell->num_memory_regions, comm_regions = 0, i, j;
	const char *problem;

	for (i = 0; i < count; i++) {
		problem = check_region(&regions[i], is_root);
		for (j = 0; !problem && j < i; j++)
			problem = check_region_pair(&regions[j], &regions[i]);
		if (problem)
			return problem;
		comm_regions += is_comm_region(&regions[i]);
	}
	if (comm_regions > 1)
		return "a cell has more than one comm region; keep one region with flag comm-region";
	if (!is_root && comm_regions == 0)
		return "the cell has no comm region; add a one-page region with flag comm-region at virt-start 0x100000";
	return NULL;
}

static const char *check_pio_regions(const struct config_view *view)
{
	const struct bulkhead_pio_region *pio = view->pio_regions;
	uint32_t i, j;

	for (i = 0; i < view->cell->num_pio_regions; i++) {
		if (pio[i].length == 0 || pio[i].base + (uint64_t)pio[i].length > CONFIG_PORT_SPACE)
			return "an I/O port region is empty or goes past port 0xffff; fix pio-regions in the .dts";
		for (j = 0; j < i; j++)
			if (ranges_overlap(pio[i].base, pio[i].length, pio[j].base, pio[j].length))
				return "two I/O port regions of a cell overlap; make them disjoint";
	}
	return NULL;
}

static const char *check_console_window(const struct bulkhead_console *console)
{
	if (!console->size || !console->divider)
		return "a console has size or divider 0; set its register window size and baud divisor";
	if (console->flags & BULKHEAD_CONSOLE_FLAG_MMIO)
		return range_valid(console->address, console->size) ? NULL :
			"an MMIO console wraps around the end of the address space; fix its address";
	if (console->address >= CONFIG_PORT_SPACE ||
	    console->address + console->size > CONFIG_PORT_SPACE)
		return "a port-mapped console goes past port 0xffff; use an I/O port address or flag mmio";
	return NULL;
}

static const char *check_console(const struct bulkhead_console *console)
{
	if (console->reserved)
		return "a console's reserved field is not zero; rebuild it with bulkhead-config build";
	if (console->type == BULKHEAD_CONSOLE_NONE)
		return console->address || console->size || console->flags || console->divider ?
			"a console of type none has fields set; zero them or give it a type" : NULL;
	if (console->type != BULKHEAD_CONSOLE_UART_8250)
		return "a console has an unknown type; use 8250";
	if (console->flags & ~BULKHEAD_CONSOLE_VALID_FLAGS)
		return "a console has unknown flags; use mmio and regdist-4 only";
	if ((console->flags & BULKHEAD_CONSOLE_FLAG_REGDIST_4) &&
	    !(console->flags & BULKHEAD_CONSOLE_FLAG_MMIO))
		return "console flag regdist-4 without mmio; remove it: port-mapped UART registers are 1 byte apart";
	return check_console_window(console);
}

static bool pins_empty(const struct bulkhead_irqchip *chip)
{
	unsigned int i;

	for (i = 0; i < BULKHEAD_IOAPIC_MAX_PINS / 64; i++)
		if (chip->pin_bitmap[i])
			return false;
	return true;
}

static const char *check_irqchips(const struct config_view *view)
{
	const struct bulkhead_irqchip *chips = view->irqchips;
	uint32_t i, j;

	for (i = 0; i < view->cell->num_irqchips; i++) {
		/* The MADT gives IOAPIC addresses in 32 bits. */
		if (!chips[i].address || chips[i].address % CONFIG_PAGE_SIZE ||
		    chips[i].address >= CONFIG_4_GIB)
			return "an IOAPIC address is 0, not page aligned or above 4 GiB; use the address from the ACPI MADT";
		if (pins_empty(&chips[i]))
			return "an IOAPIC node lists no pins; list at least one or drop the node";
		for (j = 0; j < i; j++)
			if (chips[j].address == chips[i].address)
				return "two ioapic nodes name the same IOAPIC; merge their pins into one node";
	}
	return NULL;
}

static bool inside_io_region(const struct config_view *view, const struct bulkhead_pci_bar *bar)
{
	const struct bulkhead_memory_region *region = view->memory_regions;
	uint32_t i;

	for (i = 0; i < view->cell->num_memory_regions; i++, region++)
		if ((region->flags & BULKHEAD_MEM_IO) && !is_comm_region(region) &&
		    range_inside(bar->address, bar->size, region->phys_start, region->size))
			return true;
	return false;
}

/* PCI BARs decode a power-of-two size at an address aligned to it (PCI Local Bus 3.0, 6.2.5.1). */
static const char *check_pci_bar(const struct config_view *view, const struct bulkhead_pci_bar *bar)
{
	if (!bar->size)
		return bar->address ? "a PCI BAR has an address but size 0; give its size" : NULL;
	if (bar->size < CONFIG_MIN_BAR_SIZE || (bar->size & (bar->size - 1)))
		return "a PCI BAR size is not a power of two of at least 16 bytes; use the size the device decodes";
	if (bar->address & (bar->size - 1))
		return "a PCI BAR is not aligned to its size; use the address the device decodes";
	if (!inside_io_region(view, bar))
		return "a PCI BAR lies outside the cell's io memory regions; add a region with flag io that covers it";
	return NULL;
}

static const char *check_pci_device(const struct config_view *view, uint32_t index)
{
	const struct bulkhead_pci_device *device = &view->pci_devices[index];
	const char *problem = NULL;
	uint32_t i;

	if (device->reserved)
		return "a PCI device's reserved field is not zero; rebuild it with bulkhead-config build";
	for (i = 0; !problem && i < BULKHEAD_PCI_NUM_BARS; i++)
		problem = check_pci_bar(view, &device->bars[i]);
	for (i = 0; !problem && i < index; i++)
		if (view->pci_devices[i].domain == device->domain &&
		    view->pci_devices[i].bdf == device->bdf)
			problem = "a PCI device is listed twice; list each bus/device/function once";
	return problem;
}

static const char *check_pci_devices(const struct config_view *view)
{
	const char *problem = NULL;
	uint32_t i;

	for (i = 0; !problem && i < view->cell->num_pci_devices; i++)
		problem = check_pci_device(view, i);
	return problem;
}

/*
 * A cell's CPUs start in real mode with CS base reset_address & ~0xffff;
 * with unrestricted guest, bits 63:32 of that base must be 0 (SDM Vol. 3C,
 * 26.3.1.2).  The address must be guest memory the cell may execute.
 */
static const char *check_reset_address(const struct config_view *view)
{
	const struct bulkhead_memory_region *region = view->memory_regions;
	uint64_t address = view->cell->reset_address;
	uint32_t i;

	if (address >= CONFIG_4_GIB)
		return "reset-address is above 4 GiB, out of real mode's reach; use an address below 4 GiB";
	for (i = 0; i < view->cell->num_memory_regions; i++, region++)
		if ((region->flags & BULKHEAD_MEM_EXECUTE) &&
		    range_inside(address, 1, region->virt_start, region->size))
			return NULL;
	return "reset-address is not in an executable memory region of the cell; point it into the loadable RAM";
}

_Static_assert(BULKHEAD_MAX_SHUTDOWN_TIMEOUT_MS == 10000, "check_cell_fields() names the maximum");

static const char *check_cell_fields(const struct config_view *view, bool is_root)
{
	const char *problem = check_name(view->cell->name);

	if (!problem && ((view->cell->flags & ~BULKHEAD_CELL_VALID_FLAGS) || view->cell->reserved))
		problem = "cell flags or a reserved field are set; rebuild it with bulkhead-config build";
	if (!problem && is_root && view->cell->flags)
		problem = "the root cell has flags; cell flags are for non-root cells";
	if (!problem && view->cell->shutdown_timeout_ms > BULKHEAD_MAX_SHUTDOWN_TIMEOUT_MS)
		problem = "the shutdown timeout is more than 10000 ms; set shutdown-timeout-ms to 10000 or less";
	if (!problem)
		problem = check_cpus(view, is_root);
	if (!problem)
		problem = check_console(&view->cell->console);
	return problem;
}

/* The counts were checked before @view was made. */
static const char *check_cell(const struct config_view *view)
{
	bool is_root = view->system != NULL;
	const char *problem = check_cell_fields(view, is_root);

	if (!problem)
		problem = check_memory_regions(view, is_root);
	if (!problem)
		problem = check_pio_regions(view);
	if (!problem)
		problem = check_irqchips(view);
	if (!problem)
		problem = check_pci_devices(view);
	if (!problem && !is_root)
		problem = check_reset_address(view);
	return problem;
}

static const char *check_hypervisor_memory(const struct bulkhead_memory_region *memory)
{
	if (memory->size < CONFIG_MIN_HV_SIZE || !range_valid(memory->phys_start, memory->size) ||
	    (memory->phys_start | memory->size) % CONFIG_PAGE_SIZE)
		return "hypervisor memory must be page aligned and at least 1 MiB; fix the hypervisor node";
	if (memory->virt_start || memory->flags)
		return "hypervisor memory has virt_start or flags set; rebuild it with bulkhead-config build";
	return NULL;
}

/* ECAM: 1 MiB of configuration space per bus (PCI Express Base 4.0, 7.2.2). */
static bool mmconfig_ok(const struct bulkhead_system *system)
{
	uint64_t size = (system->pci_mmconfig_end_bus + 1ULL) * BULKHEAD_MMCONFIG_BUS_SIZE;

	if (system->pci_mmconfig_base == 0)
		return system->pci_mmconfig_end_bus == 0;
	return system->pci_mmconfig_base % BULKHEAD_MMCONFIG_BUS_SIZE == 0 &&
	       range_valid(system->pci_mmconfig_base, size);
}

static bool acpi_tables_ok(const struct bulkhead_system *system)
{
	if (system->acpi_tables_size == 0)
		return system->acpi_tables_start == 0;
	return range_valid(system->acpi_tables_start, system->acpi_tables_size) &&
	       (system->acpi_tables_start | system->acpi_tables_size) % CONFIG_PAGE_SIZE == 0;
}

static const char *check_platform(const struct bulkhead_system *system)
{
	if (!mmconfig_ok(system))
		return "pci-mmconfig-base is not 1 MiB aligned, its window wraps, or an end bus is set without a base; use the values of the ACPI MCFG table";
	if (!acpi_tables_ok(system))
		return "the ACPI tables range is not page aligned or wraps; round it out to whole pages";
	if (system->flags || system->reserved8 || system->reserved16)
		return "system flags or a reserved field are set; rebuild it with bulkhead-config build";
	return NULL;
}

static const char *check_system(const struct bulkhead_system *system)
{
	const char *problem = check_hypervisor_memory(&system->hypervisor_memory);

	if (!problem)
		problem = check_platform(system);
	if (!problem)
		problem = check_console(&system->debug_console);
	return problem;
}

/* Linux loses access to the hypervisor's memory when the hypervisor is enabled. */
static const char *check_hypervisor_outside_root(const struct config_view *view)
{
	const struct bulkhead_memory_region *memory = &view->system->hypervisor_memory;
	const struct bulkhead_memory_region *region = view->memory_regions;
	uint32_t i;

	for (i = 0; i < view->cell->num_memory_regions; i++, region++)
		if (ranges_overlap(region->phys_start, region->size, memory->phys_start, memory->size))
			return "the root cell's memory includes hypervisor memory; leave it out of the root cell";
	return NULL;
}

/* Points @view into @data; the header and fixed part are known to fit. */
static void make_view(const uint8_t *data, unsigned int kind, struct config_view *view)
{
	size_t offset = sizeof(struct bulkhead_config_header);

	view->header = (const void *)data;
	view->system = NULL;
	if (kind == BULKHEAD_CONFIG_KIND_SYSTEM) {
		view->system = (const void *)(data + offset);
		offset += sizeof(struct bulkhead_system);
	}
	view->cell = (const void *)(data + offset);
	offset += sizeof(struct bulkhead_cell);
	view->cpu_set = (const void *)(data + offset);
	offset += view->cell->cpu_set_words * sizeof(uint64_t);
	view->memory_regions = (const void *)(data + offset);
	offset += view->cell->num_memory_regions * sizeof(struct bulkhead_memory_region);
	view->pio_regions = (const void *)(data + offset);
	offset += view->cell->num_pio_regions * sizeof(struct bulkhead_pio_region);
	view->irqchips = (const void *)(data + offset);
	offset += view->cell->num_irqchips * sizeof(struct bulkhead_irqchip);
	view->pci_devices = (const void *)(data + offset);
}

static const char *check_config(const uint8_t *data, size_t size, unsigned int kind,
				struct config_view *view)
{
	size_t fixed = sizeof(struct bulkhead_config_header) + sizeof(struct bulkhead_cell) +
		       (kind == BULKHEAD_CONFIG_KIND_SYSTEM ? sizeof(struct bulkhead_system) : 0);
	const char *problem = check_header(data, size, kind);

	if (problem)
		return problem;
	if (size < fixed)
		return "file is too short for its kind; rebuild it with bulkhead-config build";
	/* The counts must fit the file before any pointer into the arrays is made. */
	problem = check_counts((const void *)(data + fixed - sizeof(struct bulkhead_cell)),
			       size - fixed);
	if (problem)
		return problem;
	make_view(data, kind, view);
	if (view->system)
		problem = check_system(view->system);
	if (!problem)
		problem = check_cell(view);
	if (!problem && view->system)
		problem = check_hypervisor_outside_root(view);
	return problem;
}

/*
 * Checks everything in a config and fills @view on success.  On failure
 * returns -EINVAL and points @problem at one line that names the problem and
 * the fix.  @data must be suitably aligned for 8-byte fields.
 */
int config_parse(const void *data, size_t size, unsigned int kind,
		 struct config_view *view, const char **problem)
{
	*problem = check_config(data, size, kind, view);
	return *problem ? -EINVAL : 0;
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
