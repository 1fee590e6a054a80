// SPDX-License-Identifier: GPL-2.0
/* Host tests of hypervisor/cell.c: what cells take and give back; a refusal changes nothing. */
#include "cell-stubs.h"

#include "unit.h"

#define PAGE		0x1000ULL
#define RW		(BULKHEAD_MEM_READ | BULKHEAD_MEM_WRITE)
#define RWX		(RW | BULKHEAD_MEM_EXECUTE)
#define CHECK_ONLY	BULKHEAD_CELL_CREATE_CHECK_ONLY
#define MAX_REGIONS	8
/* CPUs 0-5 exist; the root cell holds 0-4. */
#define SYSTEM_CPUS	6

/* A config before it is encoded: the parts cell.c looks at. */
struct test_config {
	unsigned int kind;
	char name[BULKHEAD_CELL_NAME_SIZE];
	uint64_t cpus;
	uint32_t flags;			/* the cell's, BULKHEAD_CELL_FLAG_* */
	uint32_t shutdown_timeout_ms;
	struct bulkhead_system system;
	uint32_t num_memory, num_pio, num_irqchips;
	struct bulkhead_memory_region memory[MAX_REGIONS];
	struct bulkhead_pio_region pio[MAX_REGIONS];
	struct bulkhead_irqchip irqchips[MAX_REGIONS];
};

static uint64_t encoded[BULKHEAD_EXCHANGE_SIZE / 8];

static size_t put_bytes(size_t offset, const void *data, size_t size)
{
	memcpy((uint8_t *)encoded + offset, data, size);
	return offset + size;
}

/* Lays @config out in encoded[] as a sealed .cell file (bulkhead/config.h); returns its size. */
static size_t encode(const struct test_config *config)
{
	struct bulkhead_config_header header = { .revision = BULKHEAD_CONFIG_REVISION };
	struct bulkhead_cell cell = { .cpu_set_words = 1 };
	size_t size = sizeof(header);

	memset(encoded, 0, sizeof(encoded));
	memcpy(cell.name, config->name, sizeof(cell.name));
	cell.num_memory_regions = config->num_memory;
	cell.num_pio_regions = config->num_pio;
	cell.num_irqchips = config->num_irqchips;
	cell.flags = config->flags;
	cell.shutdown_timeout_ms = config->shutdown_timeout_ms;
	if (config->kind == BULKHEAD_CONFIG_KIND_SYSTEM)
		size = put_bytes(size, &config->system, sizeof(config->system));
	else
		cell.reset_address = 0xfff0;
	size = put_bytes(size, &cell, sizeof(cell));
	size = put_bytes(size, &config->cpus, sizeof(config->cpus));
	size = put_bytes(size, config->memory, config->num_memory * sizeof(config->memory[0]));
	size = put_bytes(size, config->pio, config->num_pio * sizeof(config->pio[0]));
	size = put_bytes(size, config->irqchips, config->num_irqchips * sizeof(config->irqchips[0]));
	memcpy(header.magic, BULKHEAD_CONFIG_MAGIC, BULKHEAD_CONFIG_MAGIC_SIZE);
	header.kind = (uint16_t)config->kind;
	header.size = (uint32_t)size;
	put_bytes(0, &header, sizeof(header));
	header.checksum = config_crc32(encoded, size);
	put_bytes(0, &header, sizeof(header));
	return size;
}

static void set_name(struct test_config *config, const char *name)
{
	memset(config->name, 0, sizeof(config->name));
	memcpy(config->name, name, strlen(name));
}

/* Pins 0-63 of the IOAPIC at @address, as bit n of @pins; returns the node for higher pins. */
static struct bulkhead_irqchip *add_ioapic(struct test_config *config, uint64_t address,
					   uint64_t pins)
{
	struct bulkhead_irqchip *chip = &config->irqchips[config->num_irqchips++];

	*chip = (struct bulkhead_irqchip){ .address = address, .pin_bitmap = { pins } };
	return chip;
}

/* The system of tests/python/test_check.py (IOAPIC pins 0-23), with CPU 4 added to the root cell. */
static struct test_config system_config(void)
{
	struct test_config config = { .kind = BULKHEAD_CONFIG_KIND_SYSTEM, .cpus = 0x1f,
				      .num_memory = 3, .num_pio = 2 };

	set_name(&config, "root");
	config.system.hypervisor_memory.phys_start = 0x1c000000;
	config.system.hypervisor_memory.size = 0x600000;
	config.system.debug_console = (struct bulkhead_console){ .address = 0x2f8, .size = 8,
		.type = BULKHEAD_CONSOLE_UART_8250, .divider = 1 };
	config.system.pci_mmconfig_base = 0xe0000000;
	config.system.pci_mmconfig_end_bus = 0xff;
	config.system.pm_timer_address = 0xb008;
	config.system.acpi_tables_start = 0x1fff0000;
	config.system.acpi_tables_size = 0x10000;
	config.memory[0] = (struct bulkhead_memory_region){ 0, 0, 0x1c000000,
							    RWX | BULKHEAD_MEM_DMA };
	config.memory[1] = (struct bulkhead_memory_region){ 0x1c600000, 0x1c600000, 0x3a00000, RW };
	config.memory[2] = (struct bulkhead_memory_region){ 0xfe000000, 0xfe000000, 0x2000000,
							    RW | BULKHEAD_MEM_IO };
	config.pio[0] = (struct bulkhead_pio_region){ 0, 0x2f8 };
	config.pio[1] = (struct bulkhead_pio_region){ 0x300, 0xcd00 };
	add_ioapic(&config, BULKHEAD_IOAPIC_BASE, 0xffffff);
	return config;
}

/* The cell of test_check.py: 1 MiB of RAM at @ram, mapped at guest 0, a comm region, COM1. */
static struct test_config cell_config(const char *name, uint64_t cpus, uint64_t ram)
{
	struct test_config config = { .kind = BULKHEAD_CONFIG_KIND_CELL, .cpus = cpus,
				      .num_memory = 2, .num_pio = 1 };

	set_name(&config, name);
	config.memory[0] = (struct bulkhead_memory_region){ ram, 0, 0x100000,
							    RWX | BULKHEAD_MEM_LOADABLE };
	config.memory[1] = (struct bulkhead_memory_region){ 0, 0x100000, PAGE,
							    RW | BULKHEAD_MEM_COMM_REGION };
	config.pio[0] = (struct bulkhead_pio_region){ 0x3f8, 8 };
	return config;
}

/* Another cell that shares nothing with cell_config("a", 0x2, 0x1c600000). */
static struct test_config other_cell(const char *name)
{
	struct test_config config = cell_config(name, 0x4, 0x1c700000);

	config.pio[0].base = 0x3e8;
	return config;
}

static void add_memory(struct test_config *config, uint64_t phys, uint64_t virt, uint64_t size,
		       uint64_t flags)
{
	struct bulkhead_memory_region region = { phys, virt, size, flags };

	config->memory[config->num_memory++] = region;
}

static void reset_with(const struct test_config *system)
{
	const char *problem = NULL;
	size_t size = encode(system);

	image_header.max_cpus = SYSTEM_CPUS;
	CHECK(test_reset(encoded, size, &problem) == 0);
	if (problem)
		fprintf(stderr, "  root cell refused: %s\n", problem);
}

static void reset(void)
{
	struct test_config system = system_config();

	reset_with(&system);
}

static int64_t create(const struct test_config *config)
{
	return test_create(encoded, encode(config), 0);
}

/* Everything a create could change, but the failure line it answers with. */
static struct {
	struct cell cells[MAX_CELLS];
	uint8_t pools[MAX_CELLS * CELL_POOL_PAGES * PAGE_SIZE];
	struct cell root;
	uint64_t root_config[sizeof(test_root_config) / 8];
	struct page_pool pool;
	uint8_t public[sizeof(test_public)];
	unsigned int arch_calls;
} before;

static uint8_t *pool_of(unsigned int index)
{
	return cell_pools + (uint64_t)index * CELL_POOL_PAGES * PAGE_SIZE;
}

static void snapshot(void)
{
	memcpy(before.cells, cells, sizeof(cells));
	if (cell_pools)
		memcpy(before.pools, cell_pools, sizeof(before.pools));
	before.root = root_cell;
	memcpy(before.root_config, test_root_config, sizeof(test_root_config));
	before.pool = hv_pool;
	memcpy(before.public, test_public, sizeof(test_public));
	before.arch_calls = arch_calls;
}

static bool same(bool equal, const char *what)
{
	if (!equal)
		fprintf(stderr, "  changed: %s\n", what);
	return equal;
}

/* Cells in use and their pages, root cell, pool, public area and arch log are as before. */
static bool unchanged(void)
{
	size_t public_size = BULKHEAD_PUBLIC_EXCHANGE_OFFSET(image_header.max_cpus);
	size_t failure = (size_t)((uint8_t *)test_cpu.page->failure - test_public);
	bool equal = true;
	unsigned int c;

	memcpy(before.public + failure, test_failure(), BULKHEAD_CPU_FAILURE_SIZE);
	equal &= same(memcmp(&before.root, &root_cell, sizeof(root_cell)) == 0, "root cell");
	equal &= same(memcmp(before.root_config, test_root_config, sizeof(test_root_config)) == 0,
		      "root cell config");
	equal &= same(memcmp(&before.pool, &hv_pool, sizeof(hv_pool)) == 0, "page pool");
	equal &= same(memcmp(before.public, test_public, public_size) == 0, "public area");
	equal &= same(before.arch_calls == arch_calls, "arch hooks called");
	for (c = 0; c < MAX_CELLS; c++) {
		equal &= same(before.cells[c].phase == cells[c].phase, "a cell's phase");
		if (cells[c].phase == CELL_UNUSED)
			continue;
		equal &= same(memcmp(&before.cells[c], &cells[c], sizeof(cells[c])) == 0, "a cell");
		equal &= same(memcmp(before.pools + (pool_of(c) - cell_pools), pool_of(c),
				     CELL_POOL_PAGES * PAGE_SIZE) == 0, "a cell's pages");
	}
	return equal;
}

/* Creating @size bytes of encoded[] from @caller is refused (@err, @words), changing nothing. */
static bool refused_from(unsigned int caller, uint64_t size, uint64_t flags, int err,
			 const char *words)
{
	int64_t result;

	snapshot();
	result = test_create_as(caller, encoded, sizeof(encoded), size, flags);
	if (result == err && strstr(test_failure(), words) && unchanged())
		return true;
	fprintf(stderr, "  create returned %lld, failure \"%s\"\n", (long long)result,
		test_failure());
	return false;
}

/* @config is refused so, both by create and by a check only. */
static bool refused(const struct test_config *config, int err, const char *words)
{
	size_t size = encode(config);

	return refused_from(0, size, CHECK_ONLY, err, words) &&
	       refused_from(0, size, 0, err, words);
}

static bool logged(unsigned int index, enum arch_hook hook, unsigned int cell, uint64_t cpus)
{
	return index < arch_calls && arch_log[index].hook == hook && arch_log[index].cell == cell &&
	       arch_log[index].cpus == cpus;
}

static uint64_t pool_used(void)
{
	return public_header()->pool_used;
}

static void a_good_cell_is_created_and_holds_its_resources(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	CHECK(create(&a) == 1);
	CHECK(test_failure()[0] == '\0');
	CHECK(cells_count() == 1 && cell_by_id(1) && cell_by_id(1)->phase == CELL_STOPPED);
	CHECK(cell_by_id(1)->cpus == 0x2);
	CHECK(strcmp(cell_by_id(1)->config.cell->name, "a") == 0);
	CHECK(arch_calls == 2 && logged(0, ARCH_CREATE, 1, 0x2) && logged(1, ARCH_TAKE, 1, 0x2));
	CHECK(pool_used() == TEST_POOL_USED + CELL_POOL_PAGES);
	CHECK(cells_pool_used() == pool_used());
}

static void what_a_cell_holds_no_other_cell_gets(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000), b = other_cell("b");

	reset();
	CHECK(create(&a) == 1);
	b.cpus = 0x6;
	CHECK(refused(&b, -EBUSY, "CPU 1 belongs to cell \"a\""));
	b = other_cell("b");
	b.memory[0].phys_start = 0x1c680000;
	CHECK(refused(&b, -EBUSY, "memory 0x1c680000-0x1c77ffff belongs to cell \"a\""));
	b = other_cell("b");
	b.pio[0] = (struct bulkhead_pio_region){ 0x3fc, 8 };
	CHECK(refused(&b, -EBUSY, "ports 0x3fc-0x403 belong to cell \"a\""));
	b = other_cell("b");
	CHECK(create(&b) == 2);
	CHECK(cell_by_id(2)->cpus == 0x4 && cells_count() == 2);
	CHECK(pool_used() == TEST_POOL_USED + 2 * CELL_POOL_PAGES);
}

static void cpu_0_and_the_caller_stay(void)
{
	struct test_config a = cell_config("a", 0x3, 0x1c600000);
	size_t size;

	reset();
	CHECK(refused(&a, -EINVAL, "CPU 0 cannot leave the root cell"));
	a.cpus = 0x2;
	size = encode(&a);
	CHECK(refused_from(1, size, 0, -EINVAL,
			   "CPU 1 makes this call and stays with the root cell"));
	/* A check runs before the driver takes the CPUs from Linux: the caller may be one. */
	CHECK(test_create_as(1, encoded, size, size, CHECK_ONLY) == 0);
	CHECK(cells_count() == 0);
}

static void cpus_must_be_the_root_cells(void)
{
	struct test_config a = cell_config("a", 1ULL << 5, 0x1c600000);

	reset();
	CHECK(refused(&a, -EINVAL, "CPU 5 is not the root cell's; give the cell CPUs the root cell has"));
	a.cpus = 0x2 | 1ULL << 6;
	CHECK(refused(&a, -EINVAL, "CPU 6 is not in the system"));
	a.cpus = 1ULL << 63;
	CHECK(refused(&a, -EINVAL, "CPU 63 is not in the system"));
	a.cpus = 0;
	CHECK(refused(&a, -EINVAL, "no CPU"));
}

static void memory_must_be_the_root_cells(void)
{
	struct test_config a = cell_config("a", 0x2, 0x20000000);

	reset();
	CHECK(refused(&a, -EINVAL, "memory 0x20000000-0x200fffff is not inside one memory region "
		      "of the root cell"));
	a = cell_config("a", 0x2, 0x1c600000);
	add_memory(&a, 0xfdf00000, 0x200000, 0x200000, RW | BULKHEAD_MEM_IO);
	CHECK(refused(&a, -EINVAL, "memory 0xfdf00000-0xfe0fffff is not inside one memory region"));
	a = cell_config("a", 0x2, 0x1c100000);
	CHECK(refused(&a, -EINVAL, "memory 0x1c100000-0x1c1fffff overlaps hypervisor memory"));
	a = cell_config("a", 0x2, 0x1bf80000);
	CHECK(refused(&a, -EINVAL, "memory 0x1bf80000-0x1c07ffff overlaps hypervisor memory"));
}

static void memory_of_another_cell_is_refused(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000), b = other_cell("b");

	reset();
	CHECK(create(&a) == 1);
	b.memory[0].phys_start = 0x1c500000;
	CHECK(refused(&b, -EINVAL, "overlaps hypervisor memory"));
	b.memory[0].phys_start = 0x1c600000;
	CHECK(refused(&b, -EBUSY, "memory 0x1c600000-0x1c6fffff belongs to cell \"a\""));
	b = other_cell("b");
	add_memory(&b, 0x1c6ff000, 0x200000, PAGE, RW);
	CHECK(refused(&b, -EBUSY, "memory 0x1c6ff000-0x1c6fffff belongs to cell \"a\""));
}

/* config-format.md, "Sharing memory": both cells flag a region root-shared, or it is one cell's. */
static void root_shared_memory_is_shared_only_if_both_say_so(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000), b = other_cell("b");
	struct test_config c = cell_config("c", 0x8, 0x1c800000);

	reset();
	add_memory(&a, 0x1ca00000, 0x200000, PAGE, RW | BULKHEAD_MEM_ROOT_SHARED);
	add_memory(&b, 0x1ca00000, 0x200000, PAGE, RW | BULKHEAD_MEM_ROOT_SHARED);
	add_memory(&c, 0x1ca00000, 0x200000, PAGE, RW);
	c.pio[0].base = 0x3d8;
	CHECK(create(&a) == 1);
	CHECK(create(&b) == 2);
	CHECK(refused(&c, -EBUSY, "memory 0x1ca00000-0x1ca00fff belongs to cell \"a\""));
	CHECK(test_destroy(1) == 0 && test_destroy(2) == 0);
	CHECK(create(&c) == 1);
	CHECK(refused(&a, -EBUSY, "memory 0x1ca00000-0x1ca00fff belongs to cell \"c\""));
}

/* Ranges are compared by their last bytes: a region may end at 2^64 (config.c allows it). */
static void memory_at_the_top_of_the_address_space_is_one_cells(void)
{
	struct test_config system = system_config(), a = cell_config("a", 0x2, 0x1c600000);
	struct test_config b = other_cell("b");

	add_memory(&system, 0xffffffffff000000ULL, 0xffffffffff000000ULL, 0x1000000,
		   RW | BULKHEAD_MEM_IO);
	reset_with(&system);
	add_memory(&a, 0xfffffffffff00000ULL, 0x200000, 0x100000, RW | BULKHEAD_MEM_IO);
	add_memory(&b, 0xfffffffffff00000ULL, 0x200000, 0x100000, RW | BULKHEAD_MEM_IO);
	CHECK(create(&a) == 1);
	CHECK(refused(&b, -EBUSY, "belongs to cell \"a\""));
}

static void a_cell_has_one_comm_region_of_its_own(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000), b = other_cell("b");

	reset();
	a.num_memory = 1;
	CHECK(refused(&a, -EINVAL, "the cell has no comm region"));
	a = cell_config("a", 0x2, 0x1c600000);
	add_memory(&a, 0, 0x101000, PAGE, RW | BULKHEAD_MEM_COMM_REGION);
	CHECK(refused(&a, -EINVAL, "more than one comm region"));
	a = cell_config("a", 0x2, 0x1c600000);
	a.memory[1].size = 2 * PAGE;
	CHECK(refused(&a, -EINVAL, "the comm region is not one page"));
	/* Comm regions never conflict: each is a page of the cell's own pool. */
	a = cell_config("a", 0x2, 0x1c600000);
	CHECK(create(&a) == 1 && create(&b) == 2);
}

static void ports_must_be_the_root_cells(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	a.pio[0] = (struct bulkhead_pio_region){ 0xcff8, 0x10 };
	CHECK(refused(&a, -EINVAL, "ports 0xcff8-0xd007 are not the root cell's"));
	/* The debug console's ports: the root cell of this system does not have them either. */
	a.pio[0] = (struct bulkhead_pio_region){ 0x2f8, 8 };
	CHECK(refused(&a, -EINVAL, "ports 0x2f8-0x2ff are not the root cell's"));
	a.pio[0] = (struct bulkhead_pio_region){ 0x2f0, 0x10 };
	CHECK(refused(&a, -EINVAL, "ports 0x2f0-0x2ff are not the root cell's"));
}

/* A port range @base, @length the cell asks for, and words of the refusal (NULL: created). */
struct port_case {
	uint32_t base, length;
	const char *words;
};

static bool ports_refused_so(const struct port_case *c)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	a.pio[0] = (struct bulkhead_pio_region){ c->base, c->length };
	if (c->words)
		return refused(&a, -EINVAL, c->words);
	if (create(&a) == 1 && test_destroy(1) == 0)
		return true;
	fprintf(stderr, "  ports 0x%x+%u were refused: %s\n", c->base, c->length, test_failure());
	return false;
}

/*
 * config-format.md, platform-ports: what controls the whole machine stays
 * with the root cell, which has all of these ports; the system config adds
 * its ACPI ports.  The PM timer (0xb008) may go to a cell.
 */
static void platform_ports_are_no_cells(void)
{
	static const struct port_case cases[] = {
		{ 0xcf8, 8, "ports 0xcf8-0xcff overlap the PCI configuration and reset ports "
			    "0xcf8-0xcff; platform control stays with the root cell" },
		{ 0xcf9, 1, "ports 0xcf9-0xcf9 overlap the PCI configuration and reset ports" },
		{ 0xcfc, 4, "ports 0xcfc-0xcff overlap the PCI configuration and reset ports" },
		{ 0x60, 1, "ports 0x60-0x60 overlap the keyboard controller port 0x60-0x60" },
		{ 0x64, 1, "ports 0x64-0x64 overlap the keyboard controller port 0x64-0x64" },
		{ 0x10, 0x20, "ports 0x10-0x2f overlap the interrupt controller (PIC) ports 0x20-0x21" },
		{ 0xa1, 1, "ports 0xa1-0xa1 overlap the interrupt controller (PIC) ports 0xa0-0xa1" },
		{ 0x4d1, 1, "overlap the PIC edge/level control ports 0x4d0-0x4d1" },
		{ 0x43, 1, "ports 0x43-0x43 overlap the timer (PIT) ports 0x40-0x43" },
		{ 0x61, 1, "overlap the NMI status and control port 0x61-0x61" },
		{ 0x70, 2, "ports 0x70-0x71 overlap the RTC/CMOS and NMI mask ports 0x70-0x71" },
		{ 0x92, 1, "overlap the fast A20 and reset port 0x92-0x92" },
		{ 0xb2, 1, "ports 0xb2-0xb2 overlap the ACPI SMI command port 0xb2-0xb2" },
		{ 0xb000, 8, "ports 0xb000-0xb007 overlap the ACPI PM1a control ports 0xb004-0xb005" },
		{ 0xb107, 1, "ports 0xb107-0xb107 overlap the ACPI PM1b control ports 0xb106-0xb107" },
		/* Every cell reads the PM timer already: taking it would take it from Linux. */
		{ 0xb008, 4, "ports 0xb008-0xb00b overlap the ACPI PM timer 0xb008-0xb00b, which "
			     "every cell reads already and Linux needs; leave them out" },
		{ 0xb00b, 8, "ports 0xb00b-0xb012 overlap the ACPI PM timer 0xb008-0xb00b" },
		/* Their neighbours, and the PM timer, are no platform control. */
		{ 0x62, 2, NULL }, { 0x65, 0xb, NULL }, { 0x72, 0x20, NULL }, { 0xcf0, 8, NULL },
		{ 0xd00, 0x100, NULL }, { 0xb006, 2, NULL }, { 0xb00c, 4, NULL },
		{ 0xb104, 2, NULL }, { 0xb3, 1, NULL },
	};
	static const struct port_case without_acpi = { 0xb0, 0x10, NULL };
	struct test_config system = system_config();
	unsigned int i;

	system.system.smi_command_port = 0xb2;
	system.system.pm1a_control_port = 0xb004;
	system.system.pm1b_control_port = 0xb106;
	reset_with(&system);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(ports_refused_so(&cases[i]));
	/* Without them in the system config, the ACPI ports are the root cell's to give. */
	reset();
	CHECK(ports_refused_so(&without_acpi));
}

/* config-format.md, platform-window: what the hypervisor keeps, in host- and guest-physical addresses. */
static void platform_windows_are_no_cells(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	add_memory(&a, BULKHEAD_LAPIC_BASE, 0x200000, PAGE, RW | BULKHEAD_MEM_IO);
	CHECK(refused(&a, -EINVAL, "memory 0xfee00000-0xfee00fff overlaps the local APIC page "
		      "0xfee00000-0xfee00fff; leave the window out"));
	a.memory[2].phys_start = 0xfebff000;
	a.memory[2].size = 2 * PAGE;
	CHECK(refused(&a, -EINVAL, "memory 0xfebff000-0xfec00fff overlaps the IOAPIC page "
		      "0xfec00000-0xfec00fff"));
	a.memory[2] = (struct bulkhead_memory_region){ 0x1c700000, BULKHEAD_LAPIC_BASE, PAGE, RW };
	CHECK(refused(&a, -EINVAL, "guest memory 0xfee00000-0xfee00fff overlaps the local APIC "
		      "page 0xfee00000-0xfee00fff; move virt-start off it"));
	a = cell_config("a", 0x2, 0x1c600000);
	a.memory[1].virt_start = BULKHEAD_IOAPIC_BASE;
	CHECK(refused(&a, -EINVAL, "guest memory 0xfec00000-0xfec00fff overlaps the IOAPIC page"));
	/* The window is 256 MiB (end bus 0xff): its last page is in it, the next is not. */
	a = cell_config("a", 0x2, 0x1c600000);
	add_memory(&a, 0xe0100000, 0x200000, PAGE, RW | BULKHEAD_MEM_IO);
	CHECK(refused(&a, -EINVAL, "memory 0xe0100000-0xe0100fff overlaps the PCI MMCONFIG window "
		      "0xe0000000-0xefffffff"));
	a.num_memory--;
	add_memory(&a, 0x1c700000, 0xeffff000, PAGE, RW);
	CHECK(refused(&a, -EINVAL, "guest memory 0xeffff000-0xefffffff overlaps the PCI MMCONFIG "
		      "window 0xe0000000-0xefffffff"));
	a.memory[2].virt_start = 0xf0000000;
	add_memory(&a, 0xfedff000, 0xfedff000, PAGE, RW | BULKHEAD_MEM_IO);
	CHECK(create(&a) == 1);
}

/* Another IOAPIC of the root cell, and an MMCONFIG window at the top of the address space. */
static void the_root_cells_platform_decides_the_windows(void)
{
	struct test_config system = system_config(), a = cell_config("a", 0x2, 0x1c600000);

	system.system.pci_mmconfig_base = 0xfffffff000000000ULL;
	add_ioapic(&system, 0xfec01000, 0xff);
	reset_with(&system);
	add_memory(&a, 0xfec01000, 0x200000, PAGE, RW | BULKHEAD_MEM_IO);
	CHECK(refused(&a, -EINVAL, "memory 0xfec01000-0xfec01fff overlaps the IOAPIC page "
		      "0xfec01000-0xfec01fff"));
	/* The longest line a window gives still fits the failure line, fix and all. */
	a.memory[2] = (struct bulkhead_memory_region){ 0x1c700000, 0xfffffff00ffff000ULL, PAGE,
						       RW };
	CHECK(refused(&a, -EINVAL, "guest memory 0xfffffff00ffff000-0xfffffff00fffffff overlaps "
		      "the PCI MMCONFIG window 0xfffffff000000000-0xfffffff00fffffff; move "
		      "virt-start off it"));
	a.memory[2].virt_start = 0xe0000000;
	CHECK(create(&a) == 1);
}

static void acpi_tables_stay_the_root_cells(void)
{
	struct test_config system = system_config(), a = cell_config("a", 0x2, 0x1c600000);

	reset();
	add_memory(&a, 0x1ffe0000, 0x200000, 0x20000, RW);
	CHECK(refused(&a, -EINVAL, "memory 0x1ffe0000-0x1fffffff overlaps the ACPI tables "
		      "0x1fff0000-0x1fffffff; leave them out: the root cell reads them"));
	a.memory[2].size = 0x10000;
	CHECK(create(&a) == 1);
	/* Without acpi-tables in the system config, the same memory is the root cell's to give. */
	system.system.acpi_tables_start = 0;
	system.system.acpi_tables_size = 0;
	reset_with(&system);
	a.memory[2].size = 0x20000;
	CHECK(create(&a) == 1);
}

static void ioapic_pins_must_be_the_root_cells(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);
	struct bulkhead_irqchip *chip;

	reset();
	add_ioapic(&a, BULKHEAD_IOAPIC_BASE, 1ULL << 4 | 1ULL << 30);
	CHECK(refused(&a, -EINVAL, "IOAPIC 0xfec00000 pin 30 is not the root cell's; use pins an "
		      "ioapic node of the root cell lists"));
	chip = &a.irqchips[0];
	chip->pin_bitmap[0] = 1ULL << 4;
	chip->pin_bitmap[3] = 1ULL << 8;
	CHECK(refused(&a, -EINVAL, "IOAPIC 0xfec00000 pin 200 is not the root cell's"));
	a = cell_config("a", 0x2, 0x1c600000);
	add_ioapic(&a, 0xfec01000, 0x2);
	CHECK(refused(&a, -EINVAL, "IOAPIC 0xfec01000 pin 1 is not the root cell's"));
	a = cell_config("a", 0x2, 0x1c600000);
	add_ioapic(&a, BULKHEAD_IOAPIC_BASE, 0xffffff);
	CHECK(create(&a) == 1);
}

/* A pin is one cell's until it is destroyed; the same pin of another IOAPIC is another pin. */
static void ioapic_pins_are_one_cells(void)
{
	struct test_config system = system_config(), a = cell_config("a", 0x2, 0x1c600000);
	struct test_config b = other_cell("b");

	add_ioapic(&system, 0xfec01000, 0xff);
	reset_with(&system);
	add_ioapic(&a, BULKHEAD_IOAPIC_BASE, 1ULL << 4 | 1ULL << 5);
	CHECK(create(&a) == 1);
	add_ioapic(&b, 0xfec01000, 1ULL << 5);
	add_ioapic(&b, BULKHEAD_IOAPIC_BASE, 1ULL << 3 | 1ULL << 5 | 1ULL << 6);
	CHECK(refused(&b, -EBUSY, "IOAPIC 0xfec00000 pin 5 belongs to cell \"a\"; give each cell "
		      "its own pins"));
	b.irqchips[1].pin_bitmap[0] = 1ULL << 3 | 1ULL << 6;
	CHECK(create(&b) == 2);
	CHECK(test_destroy(1) == 0);
	a = cell_config("c", 0x2, 0x1c600000);
	add_ioapic(&a, BULKHEAD_IOAPIC_BASE, 1ULL << 5 | 1ULL << 6);
	CHECK(refused(&a, -EBUSY, "IOAPIC 0xfec00000 pin 6 belongs to cell \"b\""));
	a.irqchips[0].pin_bitmap[0] = 1ULL << 4 | 1ULL << 5;
	CHECK(create(&a) == 1);
}

static void names_are_unique_and_well_formed(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000), b = other_cell("a");

	reset();
	CHECK(create(&a) == 1);
	CHECK(refused(&b, -EEXIST, "a cell named \"a\" exists"));
	set_name(&b, "ab");
	CHECK(create(&b) == 2);
	a = cell_config("", 0x8, 0x1c800000);
	a.pio[0].base = 0x3d8;
	memset(a.name, 'x', sizeof(a.name));
	CHECK(refused(&a, -EINVAL, "cell name is empty or longer than 31 bytes"));
	set_name(&a, "c");
	a.name[5] = 'x';
	CHECK(refused(&a, -EINVAL, "not printable ASCII padded with NULs"));
	/* The root cell's name is not a cell's: the CLI finds only non-root cells by name. */
	set_name(&a, "root");
	CHECK(create(&a) == 3);
}

static void damaged_configs_are_refused(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000), system = system_config();
	size_t size;

	reset();
	size = encode(&a);
	CHECK(refused_from(0, 0, 0, -EINVAL,
			   "the config size 0 is not between the header and 65536 bytes"));
	CHECK(refused_from(0, 23, 0, -EINVAL, "the config size 23 is not between"));
	CHECK(refused_from(0, BULKHEAD_EXCHANGE_SIZE + 1, 0, -EINVAL, "config size 65537 is not"));
	CHECK(refused_from(0, 1ULL << 63, CHECK_ONLY, -EINVAL, "is not between the header"));
	CHECK(refused_from(0, size - 8, 0, -EINVAL, "file is truncated"));
	CHECK(refused_from(0, size + 8, 0, -EINVAL, "trailing bytes"));
	((uint8_t *)encoded)[size - 1] ^= 1;
	CHECK(refused_from(0, size, 0, -EINVAL, "checksum mismatch"));
	encoded[0] = 0;
	CHECK(refused_from(0, size, 0, -EINVAL, "bad magic"));
	CHECK(refused_from(0, encode(&system), 0, -EINVAL, "a system config, not a cell config"));
}

static void unknown_flags_are_refused(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	CHECK(refused_from(0, encode(&a), 0x2, -EINVAL, "unknown flags 0x2"));
	CHECK(refused_from(0, encode(&a), CHECK_ONLY | 0x4, -EINVAL, "unknown flags 0x5"));
}

static void at_most_max_cells(void)
{
	struct test_config a;
	unsigned int i;

	reset();
	for (i = 0; i < MAX_CELLS; i++) {
		char name[] = { (char)('a' + i), '\0' };

		a = cell_config(name, 2ULL << i, 0x1c600000 + i * 0x100000ULL);
		a.pio[0].base = 0x3f8 - 0x10 * i;
		CHECK(create(&a) == i + 1);
	}
	a = cell_config("e", 0x2, 0x1cf00000);
	a.pio[0].base = 0x2e8;
	CHECK(refused(&a, -ENOSPC, "4 cells exist already"));
	CHECK(pool_used() == TEST_POOL_USED + MAX_CELLS * CELL_POOL_PAGES);
}

static void a_pool_too_small_for_cells_refuses_them(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	hv_pool = (struct page_pool){ .virt = test_pool, .pages = MAX_CELLS * CELL_POOL_PAGES,
				      .used = TEST_POOL_USED };
	cell_pools = NULL;
	cells_init();
	CHECK(cell_pools == NULL && hv_pool.pages == MAX_CELLS * CELL_POOL_PAGES);
	CHECK(refused(&a, -ENOMEM, "hypervisor memory too small for cells"));
}

static void a_check_only_takes_nothing(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	snapshot();
	CHECK(test_create(encoded, encode(&a), CHECK_ONLY) == 0);
	CHECK(unchanged() && arch_calls == 0 && cells_count() == 0);
	CHECK(test_failure()[0] == '\0');
	CHECK(test_create(encoded, encode(&a), CHECK_ONLY) == 0);
	CHECK(create(&a) == 1);
	CHECK(refused(&a, -EEXIST, "a cell named \"a\" exists"));
}

static void destroy_gives_everything_back(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);
	struct test_config b = cell_config("b", 0x2, 0x1c600000);

	reset();
	CHECK(create(&a) == 1);
	CHECK(test_destroy(1) == 0);
	CHECK(arch_calls == 5 && logged(2, ARCH_STOP, 1, 0x2) &&
	      logged(3, ARCH_RELEASE, 1, 0x2) && logged(4, ARCH_DESTROY, 1, 0x2));
	CHECK(cells_count() == 0 && cell_by_id(1) == NULL);
	CHECK(pool_used() == TEST_POOL_USED);
	CHECK(create(&a) == 1);
	CHECK(test_destroy(1) == 0);
	CHECK(create(&b) == 1);
	CHECK(strcmp(cell_by_id(1)->config.cell->name, "b") == 0);
	snapshot();
	CHECK(test_destroy(2) == -ENOENT && test_destroy(0) == -ENOENT && unchanged());
}

/* Its loadable regions are mapped in the root cell already: destroy maps the rest back. */
static void destroy_of_a_loadable_cell_does_not_unmap_it_first(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	CHECK(create(&a) == 1);
	CHECK(test_set_loadable(1) == 0 && cell_by_id(1)->phase == CELL_LOADABLE);
	CHECK(test_destroy(1) == 0);
	CHECK(arch_calls == 6 && logged(2, ARCH_LOADABLE, 1, 0x2) && logged(3, ARCH_STOP, 1, 0x2) &&
	      logged(4, ARCH_RELEASE, 1, 0x2) && logged(5, ARCH_DESTROY, 1, 0x2));
}

/* What a started inmate finds in its comm region, as Jailhouse fills it. */
static void a_started_cell_gets_the_timer_rates(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);
	const struct bulkhead_comm_region *comm;

	reset();
	CHECK(create(&a) == 1 && test_start(1) == 0);
	comm = cell_by_id(1)->comm_region;
	CHECK(comm->cell_state == BULKHEAD_CELL_RUNNING);
	CHECK(comm->apic_khz == TEST_APIC_TIMER_KHZ && comm->tsc_khz == 1);
	CHECK(comm->pm_timer_address == 0xb008);
}

/* A cell that opted out of the PM timer is told there is none. */
static void a_cell_without_the_pm_timer_is_told_so(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	a.flags = BULKHEAD_CELL_FLAG_NO_PM_TIMER;
	CHECK(create(&a) == 1 && test_start(1) == 0);
	CHECK(cell_by_id(1)->comm_region->pm_timer_address == 0);
	CHECK(cell_pm_timer_port(cell_by_id(1)) == 0 && cell_pm_timer_port(&root_cell) == 0);
}

/* Nothing is given back while a CPU may still run the inmate. */
static void a_cell_whose_cpus_do_not_stop_keeps_everything(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000), b = other_cell("b");

	reset();
	b.cpus = 0x2;
	CHECK(create(&a) == 1 && test_start(1) == 0);
	CHECK(cell_by_id(1)->comm_region->cell_state == BULKHEAD_CELL_RUNNING);
	arch_fail[ARCH_STOP] = -ETIMEDOUT;
	CHECK(test_destroy(1) == -ETIMEDOUT);
	CHECK(cell_by_id(1)->phase == CELL_FAILED && cell_get_state(1) == BULKHEAD_CELL_FAILED);
	CHECK(pool_used() == TEST_POOL_USED + CELL_POOL_PAGES);
	CHECK(refused(&b, -EBUSY, "CPU 1 belongs to cell \"a\""));
	CHECK(test_destroy(1) == 0);
	CHECK(logged(arch_calls - 3, ARCH_STOP, 1, 0x2) &&
	      logged(arch_calls - 2, ARCH_RELEASE, 1, 0x2) &&
	      logged(arch_calls - 1, ARCH_DESTROY, 1, 0x2));
	CHECK(create(&b) == 1 && pool_used() == TEST_POOL_USED + CELL_POOL_PAGES);
}

/* A CPU not confirmed back with the root cell may still run the inmate: nothing is freed. */
static void a_cell_whose_cpus_do_not_come_back_keeps_everything(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000), b = other_cell("b");

	reset();
	b.cpus = 0x2;
	CHECK(create(&a) == 1 && test_start(1) == 0);
	arch_fail[ARCH_RELEASE] = -ETIMEDOUT;
	CHECK(test_destroy(1) == -ETIMEDOUT);
	CHECK(logged(arch_calls - 2, ARCH_STOP, 1, 0x2) &&
	      logged(arch_calls - 1, ARCH_RELEASE, 1, 0x2));
	CHECK(cell_by_id(1)->phase == CELL_FAILED && cell_get_state(1) == BULKHEAD_CELL_FAILED);
	CHECK(pool_used() == TEST_POOL_USED + CELL_POOL_PAGES);
	CHECK(refused(&b, -EBUSY, "CPU 1 belongs to cell \"a\""));
	CHECK(test_destroy(1) == 0 && logged(arch_calls - 1, ARCH_DESTROY, 1, 0x2));
	CHECK(cells_count() == 0 && pool_used() == TEST_POOL_USED);
}

/* The driver took the CPUs offline already: a cell that cannot be built releases them bare. */
static void a_cell_that_cannot_be_built_releases_its_cpus(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	arch_fail[ARCH_CREATE] = -ENOMEM;
	CHECK(create(&a) == -ENOMEM);
	CHECK(strstr(test_failure(), "no room for the cell's tables (error -12)"));
	CHECK(arch_calls == 3 && logged(0, ARCH_CREATE, 1, 0x2) && logged(1, ARCH_TAKE, 1, 0x2) &&
	      logged(2, ARCH_RELEASE, 1, 0x2));
	CHECK(cells_count() == 0 && pool_used() == TEST_POOL_USED);
	CHECK(create(&a) == 1);
}

static void a_cell_whose_cpus_do_not_come_is_failed(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	arch_fail[ARCH_TAKE] = -ETIMEDOUT;
	CHECK(create(&a) == 1);
	CHECK(cell_get_state(1) == BULKHEAD_CELL_FAILED && test_start(1) == -EIO);
	CHECK(test_set_loadable(1) == -EIO && test_set_loadable(2) == -ENOENT &&
	      test_start(2) == -ENOENT);
	CHECK(test_destroy(1) == 0);
	CHECK(arch_calls == 5 && logged(2, ARCH_STOP, 1, 0x2) && logged(3, ARCH_RELEASE, 1, 0x2) &&
	      logged(4, ARCH_DESTROY, 1, 0x2));
	CHECK(cells_count() == 0 && pool_used() == TEST_POOL_USED);
}

/* A started cell "a" on CPU 1 whose inmate has @timeout_ms to answer a shutdown request. */
static void started_cell(uint32_t timeout_ms)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	a.shutdown_timeout_ms = timeout_ms;
	CHECK(create(&a) == 1 && test_start(1) == 0);
	arch_calls = 0;
}

/* Calls @call until it answers other than -EAGAIN; returns that, the calls made in *@calls. */
static int64_t until_done(int64_t (*call)(uint64_t id), uint64_t id, unsigned int *calls)
{
	int64_t result;

	*calls = 0;
	do {
		result = call(id);
		++*calls;
	} while (result == -EAGAIN && *calls < 100000);
	return result;
}

/*
 * The reply window is waited out across calls, not in one: each call looks
 * at the clock a bounded number of times, and the operation ends after the
 * timeout with the cell stopped anyway.
 */
static void destroy_waits_for_the_reply_in_steps(void)
{
	unsigned int calls;
	uint64_t reads;

	started_cell(50);
	reads = test_clock;
	CHECK(test_destroy(1) == -EAGAIN);
	CHECK(test_clock - reads <= 3);
	CHECK(cell_by_id(1)->comm_region->msg_to_cell == BULKHEAD_MSG_SHUTDOWN_REQUEST);
	CHECK(arch_calls == 0);
	CHECK(until_done(test_destroy, 1, &calls) == 0 && calls >= 10);
	CHECK(strstr(test_log, "destroyed") && cells_count() == 0);
	CHECK(arch_calls == 3 && logged(0, ARCH_STOP, 1, 0x2) && logged(1, ARCH_RELEASE, 1, 0x2) &&
	      logged(2, ARCH_DESTROY, 1, 0x2));
}

/* Stop and release wait in steps too, all by the one deadline set when the call started. */
static void one_deadline_for_the_whole_operation(void)
{
	unsigned int calls;
	uint64_t start;

	started_cell(30);
	arch_again[ARCH_STOP] = 3;
	arch_again[ARCH_RELEASE] = 4;
	start = test_clock;
	CHECK(until_done(test_destroy, 1, &calls) == 0);
	CHECK(arch_again[ARCH_STOP] == 0 && arch_again[ARCH_RELEASE] == 0);
	CHECK(arch_deadline[ARCH_STOP] == arch_deadline[ARCH_RELEASE]);
	/* The inmate's 30 ms and the CPUs' answer time, from the first call. */
	CHECK(arch_deadline[ARCH_STOP] >= start + 30 + ARCH_ANSWER_MS &&
	      arch_deadline[ARCH_STOP] <= start + 30 + ARCH_ANSWER_MS + 2);
}

/* An approved shutdown ends the wait at once; the call's answer is 0, a timeout's 1. */
static void shutdown_answers_in_steps(void)
{
	unsigned int calls;

	started_cell(1000);
	CHECK(test_set_loadable(1) == -EAGAIN && test_set_loadable(1) == -EAGAIN);
	cell_by_id(1)->comm_region->reply_from_cell = BULKHEAD_MSG_REQUEST_APPROVED;
	CHECK(test_set_loadable(1) == 0 && cell_by_id(1)->phase == CELL_LOADABLE);
	CHECK(cell_by_id(1)->comm_region->msg_to_cell == BULKHEAD_MSG_NONE);
	CHECK(test_start(1) == 0);
	CHECK(until_done(test_set_loadable, 1, &calls) == 1 && calls > 1);
	CHECK(cell_by_id(1)->phase == CELL_LOADABLE);
}

/* A denial ends the operation: the cell runs on, and the next call starts afresh. */
static void a_denied_shutdown_ends_the_operation(void)
{
	started_cell(1000);
	CHECK(test_set_loadable(1) == -EAGAIN);
	cell_by_id(1)->comm_region->reply_from_cell = BULKHEAD_MSG_REQUEST_DENIED;
	CHECK(test_set_loadable(1) == -EPERM && cell_by_id(1)->phase == CELL_STARTED);
	CHECK(arch_calls == 0);
	CHECK(test_destroy(1) == -EAGAIN);
	cell_by_id(1)->comm_region->reply_from_cell = BULKHEAD_MSG_REQUEST_DENIED;
	CHECK(test_destroy(1) == 0 && cells_count() == 0);
}

/* Any reply but approved refuses the shutdown, as on Jailhouse: unknown and received too. */
static void any_reply_but_approved_denies(void)
{
	uint32_t replies[] = { BULKHEAD_MSG_UNKNOWN, BULKHEAD_MSG_RECEIVED, 77 };
	unsigned int n;

	for (n = 0; n < sizeof(replies) / sizeof(replies[0]); n++) {
		started_cell(1000);
		CHECK(test_set_loadable(1) == -EAGAIN);
		cell_by_id(1)->comm_region->reply_from_cell = replies[n];
		CHECK(test_set_loadable(1) == -EPERM && cell_by_id(1)->phase == CELL_STARTED);
		CHECK(!strstr(test_log, "did not answer"));
	}
}

/* A timeout of 0 stops the cell without asking (config-format.md), like a passive one. */
static void a_zero_timeout_stops_without_asking(void)
{
	started_cell(0);
	CHECK(test_set_loadable(1) == 0 && cell_by_id(1)->phase == CELL_LOADABLE);
	CHECK(cell_by_id(1)->comm_region->msg_to_cell == BULKHEAD_MSG_NONE);
	CHECK(!strstr(test_log, "did not answer"));
}

/* A locked inmate is still asked, and decides (Documentation/inmate-interface.md). */
static void a_locked_cell_is_asked_and_decides(void)
{
	started_cell(1000);
	cell_by_id(1)->comm_region->cell_state = BULKHEAD_CELL_RUNNING_LOCKED;
	CHECK(test_set_loadable(1) == -EAGAIN);
	CHECK(cell_by_id(1)->comm_region->msg_to_cell == BULKHEAD_MSG_SHUTDOWN_REQUEST);
	cell_by_id(1)->comm_region->reply_from_cell = BULKHEAD_MSG_REQUEST_DENIED;
	CHECK(test_set_loadable(1) == -EPERM && cell_by_id(1)->phase == CELL_STARTED);
	CHECK(test_set_loadable(1) == -EAGAIN);
	cell_by_id(1)->comm_region->reply_from_cell = BULKHEAD_MSG_REQUEST_APPROVED;
	CHECK(test_set_loadable(1) == 0 && cell_by_id(1)->phase == CELL_LOADABLE);
}

/* Setting the state to shut down, with no reply, approves, as on Jailhouse. */
static void an_inmate_that_shuts_itself_down_approves(void)
{
	started_cell(1000);
	CHECK(test_set_loadable(1) == -EAGAIN);
	cell_by_id(1)->comm_region->cell_state = BULKHEAD_CELL_SHUT_DOWN;
	CHECK(test_set_loadable(1) == 0 && cell_by_id(1)->phase == CELL_LOADABLE);
	CHECK(!strstr(test_log, "did not answer"));
}

/* A passive cell is never asked: it is stopped at once, whatever its timeout. */
static void a_passive_cell_is_stopped_without_asking(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	a.shutdown_timeout_ms = 5000;
	a.flags = BULKHEAD_CELL_FLAG_PASSIVE_COMM;
	CHECK(create(&a) == 1 && test_start(1) == 0);
	CHECK(test_set_loadable(1) == 2 && cell_by_id(1)->phase == CELL_LOADABLE);
	CHECK(cell_by_id(1)->comm_region->msg_to_cell == BULKHEAD_MSG_NONE);
}

/* While one cell is running-locked, no other cell is created, started, shut down or destroyed. */
static void a_locked_cell_blocks_the_others(void)
{
	struct test_config b = other_cell("b"), c;

	started_cell(1000);
	b.cpus = 0x4;
	CHECK(create(&b) == 2);
	cell_by_id(1)->comm_region->cell_state = BULKHEAD_CELL_RUNNING_LOCKED;
	CHECK(test_start(2) == -EACCES && cell_by_id(2)->phase != CELL_STARTED);
	CHECK(test_set_loadable(2) == -EACCES && test_destroy(2) == -EACCES);
	c = cell_config("c", 0x8, 0x1c800000);
	c.pio[0].base = 0x2e8;
	CHECK(refused(&c, -EACCES, "cell \"a\" is running-locked; no cell is created until its inmate unlocks"));
	CHECK(cells_count() == 2);
	cell_by_id(1)->comm_region->cell_state = BULKHEAD_CELL_RUNNING;
	CHECK(test_destroy(2) == 0 && cells_count() == 1);
}

/* While an operation goes on, every other management call is refused with -EBUSY. */
static void other_calls_wait_for_the_operation_in_progress(void)
{
	struct test_config b = other_cell("b");

	started_cell(1000);
	CHECK(test_destroy(1) == -EAGAIN);
	snapshot();
	CHECK(test_start(1) == -EBUSY && test_set_loadable(1) == -EBUSY);
	CHECK(test_create(encoded, encode(&b), 0) == -EBUSY);
	CHECK(strstr(test_failure(), "cell \"a\" is in the middle of another call"));
	CHECK(test_create(encoded, encode(&b), CHECK_ONLY) == -EBUSY);
	CHECK(unchanged());
	CHECK(cell_get_state(1) == BULKHEAD_CELL_RUNNING);
	CHECK(test_destroy(2) == -ENOENT);
	cell_by_id(1)->comm_region->reply_from_cell = BULKHEAD_MSG_REQUEST_APPROVED;
	CHECK(test_destroy(1) == 0);
	CHECK(create(&b) == 1);
}

/* Create waits for the CPUs in steps; only the same call, with the same arguments, goes on. */
static void create_takes_the_cpus_in_steps(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000), b = other_cell("b");
	size_t size;

	reset();
	size = encode(&a);
	arch_again[ARCH_TAKE] = 2;
	CHECK(test_create(encoded, size, 0) == -EAGAIN);
	CHECK(test_create(encoded, size + 8, 0) == -EBUSY);
	CHECK(test_create(encoded, size, CHECK_ONLY) == -EBUSY);
	CHECK(test_destroy(1) == -EBUSY);
	CHECK(test_create(encoded, size, 0) == -EAGAIN);
	CHECK(test_create(encoded, size, 0) == 1);
	CHECK(arch_calls == 2 && logged(1, ARCH_TAKE, 1, 0x2) && cell_get_state(1) ==
	      BULKHEAD_CELL_SHUT_DOWN);
	CHECK(create(&b) == 2);
}

/* A cell that cannot be built says so in the last call, the one the driver reads it after. */
static void a_cell_not_built_says_why_at_the_end(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);
	size_t size;

	reset();
	size = encode(&a);
	arch_fail[ARCH_CREATE] = -ENOMEM;
	arch_again[ARCH_RELEASE] = 1;
	CHECK(test_create(encoded, size, 0) == -EAGAIN && test_failure()[0] == '\0');
	CHECK(test_create(encoded, size, 0) == -ENOMEM);
	CHECK(strstr(test_failure(), "no room for the cell's tables (error -12)"));
	CHECK(cells_count() == 0 && create(&a) == 1);
}

/* shutdown-timeout-ms has a maximum, so that destroy and shutdown stay bounded. */
static void a_shutdown_timeout_over_the_maximum_is_refused(void)
{
	struct test_config a = cell_config("a", 0x2, 0x1c600000);

	reset();
	a.shutdown_timeout_ms = BULKHEAD_MAX_SHUTDOWN_TIMEOUT_MS + 1;
	CHECK(refused(&a, -EINVAL, "the shutdown timeout is more than 10000 ms"));
	a.shutdown_timeout_ms = BULKHEAD_MAX_SHUTDOWN_TIMEOUT_MS;
	CHECK(create(&a) == 1);
}

int main(void)
{
	RUN(a_good_cell_is_created_and_holds_its_resources);
	RUN(what_a_cell_holds_no_other_cell_gets);
	RUN(cpu_0_and_the_caller_stay);
	RUN(cpus_must_be_the_root_cells);
	RUN(memory_must_be_the_root_cells);
	RUN(memory_of_another_cell_is_refused);
	RUN(root_shared_memory_is_shared_only_if_both_say_so);
	RUN(memory_at_the_top_of_the_address_space_is_one_cells);
	RUN(a_cell_has_one_comm_region_of_its_own);
	RUN(ports_must_be_the_root_cells);
	RUN(platform_ports_are_no_cells);
	RUN(platform_windows_are_no_cells);
	RUN(the_root_cells_platform_decides_the_windows);
	RUN(acpi_tables_stay_the_root_cells);
	RUN(ioapic_pins_must_be_the_root_cells);
	RUN(ioapic_pins_are_one_cells);
	RUN(names_are_unique_and_well_formed);
	RUN(damaged_configs_are_refused);
	RUN(unknown_flags_are_refused);
	RUN(at_most_max_cells);
	RUN(a_pool_too_small_for_cells_refuses_them);
	RUN(a_check_only_takes_nothing);
	RUN(destroy_gives_everything_back);
	RUN(destroy_of_a_loadable_cell_does_not_unmap_it_first);
	RUN(a_started_cell_gets_the_timer_rates);
	RUN(any_reply_but_approved_denies);
	RUN(a_zero_timeout_stops_without_asking);
	RUN(a_locked_cell_is_asked_and_decides);
	RUN(an_inmate_that_shuts_itself_down_approves);
	RUN(a_passive_cell_is_stopped_without_asking);
	RUN(a_locked_cell_blocks_the_others);
	RUN(a_cell_without_the_pm_timer_is_told_so);
	RUN(a_cell_whose_cpus_do_not_stop_keeps_everything);
	RUN(a_cell_whose_cpus_do_not_come_back_keeps_everything);
	RUN(a_cell_that_cannot_be_built_releases_its_cpus);
	RUN(a_cell_whose_cpus_do_not_come_is_failed);
	RUN(destroy_waits_for_the_reply_in_steps);
	RUN(one_deadline_for_the_whole_operation);
	RUN(shutdown_answers_in_steps);
	RUN(a_denied_shutdown_ends_the_operation);
	RUN(other_calls_wait_for_the_operation_in_progress);
	RUN(create_takes_the_cpus_in_steps);
	RUN(a_cell_not_built_says_why_at_the_end);
	RUN(a_shutdown_timeout_over_the_maximum_is_refused);
	return unit_report("C unit: cells");
}
