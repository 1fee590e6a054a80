// SPDX-License-Identifier: GPL-2.0
/* Non-root cells: checked completely, then carved out of the root cell (destroy: cell-steps.c). */
#include <bulkhead/hypercall.h>
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/cell-steps.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <bulkhead-hv/spinlock.h>

void *memcpy(void *destination, const void *source, size_t size);

static struct cell cells[MAX_CELLS];
static uint8_t *cell_pools;
/* Held for one management call: a bounded amount of work (cell-steps.c). */
uint32_t cells_lock;

/* The last pages of the pool are the cells' pools, one fixed slice each, so destroy gives all back. */
void cells_init(void)
{
	uint64_t slice = (uint64_t)MAX_CELLS * CELL_POOL_PAGES;

	if (hv_pool.pages < hv_pool.used + slice)
		return;		/* too small for cells: create refuses with -ENOMEM */
	hv_pool.pages -= slice;
	cell_pools = hv_pool.virt + hv_pool.pages * PAGE_SIZE;
}

/* The cell in use after @cell (NULL: from the first), or NULL after the last. */
static struct cell *next_cell(struct cell *cell)
{
	for (cell = cell ? cell + 1 : cells; cell < cells + MAX_CELLS; cell++)
		if (cell->phase != CELL_UNUSED)
			return cell;
	return NULL;
}

#define for_each_cell(cell) for ((cell) = next_cell(NULL); (cell); (cell) = next_cell(cell))

unsigned int cells_count(void)
{
	struct cell *cell;
	unsigned int count = 0;

	for_each_cell(cell)
		count++;
	return count;
}

const struct cell *cell_locked_other_than(const struct cell *except)
{
	struct cell *cell;

	for_each_cell(cell)
		if (cell != except && cell->phase == CELL_STARTED &&
		    cell->comm_region->cell_state == BULKHEAD_CELL_RUNNING_LOCKED)
			return cell;
	return NULL;
}

uint64_t cells_pool_used(void)
{
	return hv_pool.used + (uint64_t)cells_count() * CELL_POOL_PAGES;
}

struct cell *cell_by_id(uint64_t id)
{
	if (id < 1 || id > MAX_CELLS || cells[id - 1].phase == CELL_UNUSED)
		return NULL;
	return &cells[id - 1];
}

/*
 * Why a cell was refused, one line in the calling CPU's public page, where
 * the driver picks it up for its error message; also logged.
 */
static int refuse(int err, const char *format, ...) __attribute__((format(printf, 2, 3)));
static int refuse(int err, const char *format, ...)
{
	struct per_cpu *cpu = this_cpu();
	va_list args;

	va_start(args, format);
	format_string(cpu->page->failure, BULKHEAD_CPU_FAILURE_SIZE, format, args);
	va_end(args);
	printk("cell refused: %s\n", cpu->page->failure);
	return trace_error(err);
}

/* The root cell's memory region that holds [phys, phys + size), or NULL. */
const struct bulkhead_memory_region *root_region_holding(uint64_t phys, uint64_t size)
{
	const struct config_view *root = &root_cell.config;
	uint32_t i;

	for (i = 0; i < root->cell->num_memory_regions; i++) {
		const struct bulkhead_memory_region *r = &root->memory_regions[i];

		if (range_inside(phys, size, r->phys_start, r->size))
			return r;
	}
	return NULL;
}

static bool both_root_shared(const struct bulkhead_memory_region *a,
			     const struct bulkhead_memory_region *b)
{
	return a->flags & b->flags & BULKHEAD_MEM_ROOT_SHARED;
}

/*
 * Memory another cell holds.  Regions both cells flag root-shared stay the
 * root cell's and are shared by all three (config-format.md, "Sharing
 * memory"); comm regions are pages of each cell's own pool.
 */
static const struct cell *cell_holding_region(const struct bulkhead_memory_region *region)
{
	struct cell *cell;
	uint32_t i;

	for_each_cell(cell) {
		const struct config_view *other = &cell->config;

		for (i = 0; i < other->cell->num_memory_regions; i++) {
			const struct bulkhead_memory_region *r = &other->memory_regions[i];

			if (!(r->flags & BULKHEAD_MEM_COMM_REGION) && !both_root_shared(region, r) &&
			    ranges_overlap(region->phys_start, region->size, r->phys_start, r->size))
				return cell;
		}
	}
	return NULL;
}

/*
 * Pages the hypervisor keeps from every non-root cell, in host- and
 * guest-physical addresses: the interrupt controllers and PCI configuration
 * space (config-format.md, "Checking configs together", platform-window).
 * The root cell may map them: Linux drives the interrupt controllers for now.
 */
struct platform_window {
	const char *name;
	uint64_t start, size;
};

#define MAX_PLATFORM_WINDOWS	(3 + BULKHEAD_MAX_IRQCHIPS)

/* Fills @windows from the system config; returns how many there are. */
static unsigned int platform_windows(struct platform_window *windows)
{
	const struct config_view *root = &root_cell.config;
	const struct bulkhead_system *system = root->system;
	unsigned int count = 0;
	uint32_t i;

	windows[count++] = (struct platform_window){ "local APIC page", BULKHEAD_LAPIC_BASE,
						     BULKHEAD_PLATFORM_WINDOW_SIZE };
	windows[count++] = (struct platform_window){ "IOAPIC page", BULKHEAD_IOAPIC_BASE,
						     BULKHEAD_PLATFORM_WINDOW_SIZE };
	for (i = 0; i < root->cell->num_irqchips; i++)
		windows[count++] = (struct platform_window){ "IOAPIC page", root->irqchips[i].address,
							     BULKHEAD_PLATFORM_WINDOW_SIZE };
	/* config.c checked that the window does not wrap. */
	if (system->pci_mmconfig_base)
		windows[count++] = (struct platform_window){ "PCI MMCONFIG window",
			system->pci_mmconfig_base,
			(system->pci_mmconfig_end_bus + 1ULL) * BULKHEAD_MMCONFIG_BUS_SIZE };
	return count;
}

static const struct platform_window *window_touched(const struct platform_window *windows,
						    unsigned int count, uint64_t start, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		if (ranges_overlap(start, size, windows[i].start, windows[i].size))
			return &windows[i];
	return NULL;
}

/* A comm region has no host-physical address of its own: only its guest address counts. */
static int check_windows(const struct bulkhead_memory_region *region,
			 const struct platform_window *windows, unsigned int count)
{
	const struct platform_window *hit = NULL;
	uint64_t last = region->size - 1;

	if (!(region->flags & BULKHEAD_MEM_COMM_REGION))
		hit = window_touched(windows, count, region->phys_start, region->size);
	if (hit)
		return refuse(-EINVAL, "memory 0x%lx-0x%lx overlaps the %s 0x%lx-0x%lx; leave the window out",
			      region->phys_start, region->phys_start + last, hit->name, hit->start,
			      hit->start + hit->size - 1);
	hit = window_touched(windows, count, region->virt_start, region->size);
	if (hit)
		return refuse(-EINVAL, "guest memory 0x%lx-0x%lx overlaps the %s 0x%lx-0x%lx; move virt-start off it",
			      region->virt_start, region->virt_start + last, hit->name, hit->start,
			      hit->start + hit->size - 1);
	return 0;
}

static bool touches_acpi_tables(const struct bulkhead_memory_region *region)
{
	const struct bulkhead_system *system = root_cell.config.system;

	return system->acpi_tables_size &&
	       ranges_overlap(region->phys_start, region->size, system->acpi_tables_start,
			      system->acpi_tables_size);
}

/* Memory of the cell's own (not its comm region): the root cell's, and nobody else's. */
static int check_placement(const struct bulkhead_memory_region *region)
{
	const struct bulkhead_system *system = root_cell.config.system;
	const struct bulkhead_memory_region *hypervisor = &system->hypervisor_memory;
	uint64_t start = region->phys_start, last = start + region->size - 1;
	const struct cell *holder;

	if (ranges_overlap(start, region->size, hypervisor->phys_start, hypervisor->size))
		return refuse(-EINVAL, "memory 0x%lx-0x%lx overlaps hypervisor memory", start, last);
	/* Linux keeps reading the firmware's tables, even when they lie in its RAM. */
	if (touches_acpi_tables(region))
		return refuse(-EINVAL, "memory 0x%lx-0x%lx overlaps the ACPI tables 0x%lx-0x%lx; leave them out: the root cell reads them",
			      start, last, system->acpi_tables_start,
			      system->acpi_tables_start + system->acpi_tables_size - 1);
	if (!root_region_holding(start, region->size))
		return refuse(-EINVAL, "memory 0x%lx-0x%lx is not inside one memory region of the root cell",
			      start, last);
	holder = cell_holding_region(region);
	if (holder)
		return refuse(-EBUSY, "memory 0x%lx-0x%lx belongs to cell \"%s\"; give each cell its own memory, or mark both regions root-shared",
			      start, last, holder->config.cell->name);
	return 0;
}

static int check_comm_region(const struct bulkhead_memory_region *region)
{
	return region->size == PAGE_SIZE ? 0 : refuse(-EINVAL, "the comm region is not one page");
}

static int check_memory(const struct config_view *config)
{
	struct platform_window windows[MAX_PLATFORM_WINDOWS];
	unsigned int count = platform_windows(windows), comm_regions = 0;
	uint32_t i;
	int err;

	for (i = 0; i < config->cell->num_memory_regions; i++) {
		const struct bulkhead_memory_region *region = &config->memory_regions[i];
		bool is_comm = region->flags & BULKHEAD_MEM_COMM_REGION;

		err = check_windows(region, windows, count);
		if (!err)
			err = is_comm ? check_comm_region(region) : check_placement(region);
		if (err)
			return err;
		comm_regions += is_comm;
	}
	return comm_regions == 1 ? 0 : refuse(-EINVAL, "the cell needs exactly one comm region");
}

static bool ports_inside_root(const struct bulkhead_pio_region *pio)
{
	const struct config_view *root = &root_cell.config;
	uint32_t i;

	for (i = 0; i < root->cell->num_pio_regions; i++)
		if (range_inside(pio->base, pio->length, root->pio_regions[i].base,
				 root->pio_regions[i].length))
			return true;
	return false;
}

static const struct cell *cell_holding_ports(const struct bulkhead_pio_region *pio)
{
	struct cell *cell;
	uint32_t i;

	for_each_cell(cell) {
		const struct config_view *other = &cell->config;

		for (i = 0; i < other->cell->num_pio_regions; i++)
			if (ranges_overlap(pio->base, pio->length, other->pio_regions[i].base,
					   other->pio_regions[i].length))
				return cell;
	}
	return NULL;
}

/*
 * I/O ports that control the whole machine, kept from every non-root cell
 * (config-format.md, platform-ports): with them a cell could reconfigure or
 * reset any device, reprogram Linux's interrupt controllers and timer, mask
 * NMIs or call into SMM.  The root cell keeps them: Linux drives the
 * platform.  The PM timer is only read and is not among them.
 */
static const struct platform_window fixed_platform_ports[] = {
	{ "interrupt controller (PIC) ports", 0x20, 2 },
	{ "timer (PIT) ports", 0x40, 4 },
	{ "keyboard controller port", 0x60, 1 },
	{ "NMI status and control port", 0x61, 1 },
	{ "keyboard controller port", 0x64, 1 },
	{ "RTC/CMOS and NMI mask ports", 0x70, 2 },
	{ "fast A20 and reset port", 0x92, 1 },
	{ "interrupt controller (PIC) ports", 0xa0, 2 },
	{ "PIC edge/level control ports", 0x4d0, 2 },
	/* Configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2); 0xcf9 is the reset port. */
	{ "PCI configuration and reset ports", 0xcf8, 8 },
};

#define NUM_FIXED_PLATFORM_PORTS	(sizeof(fixed_platform_ports) / sizeof(fixed_platform_ports[0]))
#define MAX_PLATFORM_PORTS		(NUM_FIXED_PLATFORM_PORTS + 3)

/* Fills @ports with the fixed ones and the system config's ACPI ports; returns how many. */
static unsigned int platform_ports(struct platform_window *ports)
{
	const struct bulkhead_system *system = root_cell.config.system;
	unsigned int count;

	for (count = 0; count < NUM_FIXED_PLATFORM_PORTS; count++)
		ports[count] = fixed_platform_ports[count];
	if (system->smi_command_port)
		ports[count++] = (struct platform_window){ "ACPI SMI command port",
							   system->smi_command_port, 1 };
	if (system->pm1a_control_port)
		ports[count++] = (struct platform_window){ "ACPI PM1a control ports",
			system->pm1a_control_port, BULKHEAD_PM1_CONTROL_PORTS };
	if (system->pm1b_control_port)
		ports[count++] = (struct platform_window){ "ACPI PM1b control ports",
			system->pm1b_control_port, BULKHEAD_PM1_CONTROL_PORTS };
	return count;
}

static int check_platform_ports(const struct bulkhead_pio_region *pio)
{
	struct platform_window ports[MAX_PLATFORM_PORTS];
	const struct platform_window *hit;

	hit = window_touched(ports, platform_ports(ports), pio->base, pio->length);
	if (!hit)
		return 0;
	return refuse(-EINVAL, "ports 0x%x-0x%x overlap the %s 0x%lx-0x%lx; platform control stays with the root cell",
		      pio->base, pio->base + pio->length - 1, hit->name, hit->start,
		      hit->start + hit->size - 1);
}

/* Every cell reads the PM timer already; taking it would take it from Linux (config-format.md). */
static int check_pm_timer(const struct bulkhead_pio_region *pio)
{
	uint32_t port = root_cell.config.system->pm_timer_address;

	if (!port || !ranges_overlap(pio->base, pio->length, port, BULKHEAD_PM_TIMER_PORTS))
		return 0;
	return refuse(-EINVAL, "ports 0x%x-0x%x overlap the ACPI PM timer 0x%x-0x%x, which every cell reads already and Linux needs; leave them out",
		      pio->base, pio->base + pio->length - 1, port, port + BULKHEAD_PM_TIMER_PORTS - 1);
}

static int check_ports(const struct config_view *config)
{
	const struct cell *holder;
	uint32_t i;
	int err;

	for (i = 0; i < config->cell->num_pio_regions; i++) {
		const struct bulkhead_pio_region *pio = &config->pio_regions[i];

		err = check_platform_ports(pio);
		if (err)
			return err;
		err = check_pm_timer(pio);
		if (err)
			return err;
		if (!ports_inside_root(pio))
			return refuse(-EINVAL, "ports 0x%x-0x%x are not the root cell's",
				      pio->base, pio->base + pio->length - 1);
		holder = cell_holding_ports(pio);
		if (holder)
			return refuse(-EBUSY, "ports 0x%x-0x%x belong to cell \"%s\"; give each cell its own ports",
				      pio->base, pio->base + pio->length - 1, holder->config.cell->name);
	}
	return 0;
}

static bool pin_set(const struct bulkhead_irqchip *chip, unsigned int pin)
{
	return chip && (chip->pin_bitmap[pin / 64] >> (pin % 64)) & 1;
}

/* The lowest pin of @chip that @other has (@in_other) or lacks; BULKHEAD_IOAPIC_MAX_PINS: none. */
static unsigned int first_pin(const struct bulkhead_irqchip *chip,
			      const struct bulkhead_irqchip *other, bool in_other)
{
	unsigned int pin;

	for (pin = 0; pin < BULKHEAD_IOAPIC_MAX_PINS; pin++)
		if (pin_set(chip, pin) && pin_set(other, pin) == in_other)
			return pin;
	return BULKHEAD_IOAPIC_MAX_PINS;
}

/* The root cell's node of the IOAPIC at @address, or NULL. */
static const struct bulkhead_irqchip *root_irqchip(uint64_t address)
{
	const struct config_view *root = &root_cell.config;
	uint32_t i;

	for (i = 0; i < root->cell->num_irqchips; i++)
		if (root->irqchips[i].address == address)
			return &root->irqchips[i];
	return NULL;
}

/* The cell that holds a pin of @chip too, with the lowest such pin in *@pin; or NULL. */
static struct cell *pins_taken_by_other_cell(const struct bulkhead_irqchip *chip,
					     unsigned int *pin)
{
	struct cell *cell;
	uint32_t i;

	for_each_cell(cell) {
		const struct config_view *other = &cell->config;

		for (i = 0; i < other->cell->num_irqchips; i++) {
			if (other->irqchips[i].address != chip->address)
				continue;
			*pin = first_pin(chip, &other->irqchips[i], true);
			if (*pin < BULKHEAD_IOAPIC_MAX_PINS)
				return cell;
		}
	}
	return NULL;
}

/*
 * Pins the root cell lists for the same IOAPIC, in no other cell.  They are
 * only checked and stored: the root cell keeps its IOAPIC access until the
 * hypervisor emulates the IOAPIC (config-format.md, "IOAPIC nodes").
 */
static int check_pins(const struct config_view *config)
{
	struct cell *other;
	unsigned int pin;
	uint32_t i;

	for (i = 0; i < config->cell->num_irqchips; i++) {
		const struct bulkhead_irqchip *chip = &config->irqchips[i];

		pin = first_pin(chip, root_irqchip(chip->address), false);
		if (pin < BULKHEAD_IOAPIC_MAX_PINS)
			return refuse(-EINVAL, "IOAPIC 0x%lx pin %u is not the root cell's; use pins an ioapic node of the root cell lists",
				      chip->address, pin);
		other = pins_taken_by_other_cell(chip, &pin);
		if (other)
			return refuse(-EBUSY, "IOAPIC 0x%lx pin %u belongs to cell \"%s\"; give each cell its own pins",
				      chip->address, pin, other->config.cell->name);
	}
	return 0;
}

/* CPUs of the system, not CPU 0, not the caller's, in no other cell. */
static int check_cpus(const struct config_view *config, unsigned int caller_cpu, uint64_t *cpus)
{
	struct cell *other;
	unsigned int cpu;

	*cpus = 0;
	for (cpu = 0; cpu < image_header.max_cpus && cpu < 64; cpu++) {
		if (!config_cpu_in_set(config, cpu))
			continue;
		if (cpu == 0)
			return refuse(-EINVAL, "CPU 0 stays with the root cell; give the cell other CPUs");
		if (cpu == caller_cpu)
			return refuse(-EINVAL, "CPU %u makes this call and stays with the root cell",
				      cpu);
		if (!config_cpu_in_set(&root_cell.config, cpu))
			return refuse(-EINVAL, "CPU %u is not the root cell's; give the cell CPUs the root cell has",
				      cpu);
		for_each_cell(other)
			if ((other->cpus >> cpu) & 1)
				return refuse(-EBUSY, "CPU %u belongs to cell \"%s\"; give each cell its own CPUs",
					      cpu, other->config.cell->name);
		*cpus |= 1ULL << cpu;
	}
	if (config_highest_cpu(config) >= image_header.max_cpus)
		return refuse(-EINVAL, "CPU %u is not in the system", config_highest_cpu(config));
	return *cpus ? 0 : refuse(-EINVAL, "the cell has no CPUs");
}

static bool name_in_use(const char *name)
{
	struct cell *cell;
	unsigned int i;

	for_each_cell(cell) {
		const char *other = cell->config.cell->name;

		for (i = 0; i < BULKHEAD_CELL_NAME_SIZE && name[i] == other[i] && name[i]; i++)
			;
		if (i == BULKHEAD_CELL_NAME_SIZE || name[i] == other[i])
			return true;
	}
	return false;
}

/* The config is copied into the cell's own pages first: the root cell cannot change what was checked. */
static int copy_config(struct cell *cell, uint64_t size)
{
	const uint8_t *exchange = public_area + BULKHEAD_PUBLIC_EXCHANGE_OFFSET(image_header.max_cpus);
	uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE, i;
	uint8_t *copy = NULL;
	const char *problem;

	if (size < sizeof(struct bulkhead_config_header) || size > BULKHEAD_EXCHANGE_SIZE)
		return refuse(-EINVAL, "the config size %lu is not between the header and %u bytes",
			      size, BULKHEAD_EXCHANGE_SIZE);
	for (i = 0; i < pages; i++) {
		uint8_t *page = (uint8_t *)paging_alloc_table(&cell->pool);

		if (!page)
			return trace_error(-ENOMEM);
		copy = copy ? copy : page;
	}
	memcpy(copy, exchange, size);
	if (config_parse(copy, size, BULKHEAD_CONFIG_KIND_CELL, &cell->config, &problem))
		return refuse(-EINVAL, "%s", problem);
	return 0;
}

static struct cell *free_cell(void)
{
	unsigned int c;

	for (c = 0; c < MAX_CELLS; c++)
		if (cells[c].phase == CELL_UNUSED)
			return &cells[c];
	return NULL;
}

static void reset_cell(struct cell *cell, unsigned int index)
{
	struct cell empty = { .id = index + 1 };

	*cell = empty;
	cell->pool.virt = cell_pools + (uint64_t)index * CELL_POOL_PAGES * PAGE_SIZE;
	cell->pool.phys = virt_to_phys(cell->pool.virt);
	cell->pool.pages = CELL_POOL_PAGES;
}

static int check_new_cell(struct cell *cell, unsigned int caller_cpu, uint64_t size)
{
	int err = copy_config(cell, size);

	if (!err && name_in_use(cell->config.cell->name))
		err = refuse(-EEXIST, "a cell named \"%s\" exists", cell->config.cell->name);
	if (!err)
		err = check_cpus(&cell->config, caller_cpu, &cell->cpus);
	if (!err)
		err = check_memory(&cell->config);
	if (!err)
		err = check_ports(&cell->config);
	if (!err)
		err = check_pins(&cell->config);
	return err;
}

static int64_t created(struct cell *cell, int err)
{
	if (err)
		cell->phase = CELL_FAILED;
	printk("cell %u \"%s\" created: CPUs 0x%lx, pool %lu of %u pages\n", cell->id,
	       cell->config.cell->name, cell->cpus, cell->pool.used, CELL_POOL_PAGES);
	public_header()->pool_used = cells_pool_used();
	return cell_end_operation(cell, cell->id);
}

/* A cell that could not be built: its CPUs were taken and released (or not: logged). */
static int64_t not_built(struct cell *cell, int err)
{
	int error = cell->operation.error;

	if (err)
		printk("cell \"%s\": its CPUs did not all come back; they stay in the hypervisor\n",
		       cell->config.cell->name);
	cell->phase = CELL_UNUSED;
	cell_end_operation(cell, 0);
	/* Said in the last call of the operation: the driver reads it from that call's CPU. */
	return refuse(error, "no room for the cell's tables (error %d)", error);
}

static int64_t advance_create(struct cell *cell)
{
	struct cell_operation *op = &cell->operation;
	int err;

	if (op->stage == STAGE_TAKE) {
		err = arch_cell_cpus_taken(cell, op->deadline);
		if (err == -EAGAIN)
			return err;
		if (!op->error)
			return created(cell, err);
		if (err)
			return not_built(cell, err);
		op->stage = STAGE_RELEASE;
		arch_cell_release_cpus(cell);
	}
	err = arch_cell_cpus_released(cell, op->deadline);
	return err == -EAGAIN ? err : not_built(cell, err);
}

/*
 * The driver took the CPUs offline for the cell: if the cell cannot be
 * built after all, they are taken and released all the same (the
 * operation's error says so), so that Linux can bring them back as from
 * any cell.
 */
static int64_t create_locked(unsigned int caller_cpu, uint64_t size, uint64_t flags)
{
	const struct cell *locked = cell_locked_other_than(NULL);
	struct cell *cell = free_cell();
	int err;

	if (flags & ~BULKHEAD_CELL_CREATE_CHECK_ONLY)
		return refuse(-EINVAL, "unknown flags 0x%lx", flags);
	if (!cell_pools)
		return refuse(-ENOMEM, "hypervisor memory too small for cells");
	if (!cell)
		return refuse(-ENOSPC, "%u cells exist already", MAX_CELLS);
	if (locked)
		return refuse(-EACCES, "cell \"%s\" is running-locked; no cell is created until its inmate unlocks",
			      locked->config.cell->name);
	reset_cell(cell, (unsigned int)(cell - cells));
	/* A check runs while the CPUs are still Linux's: the caller may be one of them. */
	if (flags & BULKHEAD_CELL_CREATE_CHECK_ONLY)
		caller_cpu = ~0U;
	err = check_new_cell(cell, caller_cpu, size);
	if (err || (flags & BULKHEAD_CELL_CREATE_CHECK_ONLY)) {
		cell->phase = CELL_UNUSED;
		return err;
	}
	cell->phase = CELL_STOPPED;
	cell_begin_operation(cell, BULKHEAD_HC_CELL_CREATE, size, flags, STAGE_TAKE, ARCH_ANSWER_MS);
	cell->operation.error = arch_cell_create(cell);
	arch_cell_take_cpus(cell);
	return advance_create(cell);
}

int64_t cell_create(unsigned int caller_cpu, uint64_t config_size, uint64_t flags)
{
	int64_t result;

	spin_lock(&cells_lock);
	this_cpu()->page->failure[0] = '\0';
	if (!cell_busy)
		result = create_locked(caller_cpu, config_size, flags);
	else if (cell_repeats_operation(cell_busy, BULKHEAD_HC_CELL_CREATE, config_size, flags))
		result = advance_create(cell_busy);
	else
		result = refuse(-EBUSY, "cell \"%s\" is in the middle of another call; repeat that call until it ends",
				cell_busy->config.cell->name);
	spin_unlock(&cells_lock);
	return result;
}

uint16_t cell_pm_timer_port(const struct cell *cell)
{
	if (cell == &root_cell || (cell->config.cell->flags & BULKHEAD_CELL_FLAG_NO_PM_TIMER))
		return 0;
	return root_cell.config.system->pm_timer_address;
}
