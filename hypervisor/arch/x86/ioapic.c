// SPDX-License-Identifier: GPL-2.0
/* Every cell's IOAPIC accesses, emulated: each cell programs only its own pins, with entries that stay in the cell. */
#include <bulkhead-hv/cell.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <bulkhead-hv/spinlock.h>
#include <asm/apic-emul.h>
#include <asm/ioapic.h>
#include <asm/paging.h>

/* IOAPIC pages lie one page above the local APIC's in the hypervisor's address space (apic.c). */
#define IOAPIC_VIRT_OFFSET	PAGE_SIZE

/* Refused and dropped writes are counted always, and logged until a CPU has this many. */
#define LOGGED_REFUSALS		8

/* Per pin: what Linux last programmed, and what the cell that holds the pin did. */
struct ioapic_pin {
	uint64_t root_entry;
	uint64_t cell_entry;
};

/*
 * One IOAPIC of the root cell.  @lock serialises the hardware's index and
 * data registers and the pin records across CPUs; a holder does at most a
 * few register accesses per pin of one cell (create and destroy: every pin
 * of the cell, at most 256), so a spin ends within that for each CPU ahead.
 */
struct ioapic {
	uint64_t address;
	volatile uint32_t *registers;
	uint32_t lock;
	unsigned int pins;
	unsigned int version;
	struct ioapic_pin *pin;			/* one page: BULKHEAD_IOAPIC_MAX_PINS records */
	const struct cell **owner;		/* one page; NULL: the root cell */
};

static struct ioapic ioapics[BULKHEAD_MAX_IRQCHIPS];
static unsigned int ioapic_count;

_Static_assert(BULKHEAD_IOAPIC_MAX_PINS * sizeof(struct ioapic_pin) <= PAGE_SIZE, "pin records");
_Static_assert(BULKHEAD_IOAPIC_MAX_PINS * sizeof(void *) <= PAGE_SIZE, "pin owners");

/* ---- The hardware, with the lock held ---- */

static uint32_t hw_read(struct ioapic *io, uint32_t index)
{
	io->registers[IOAPIC_IOREGSEL / 4] = index;
	return io->registers[IOAPIC_IOWIN / 4];
}

static void hw_write(struct ioapic *io, uint32_t index, uint32_t value)
{
	io->registers[IOAPIC_IOREGSEL / 4] = index;
	io->registers[IOAPIC_IOWIN / 4] = value;
}

static uint64_t hw_read_entry(struct ioapic *io, unsigned int pin)
{
	uint32_t low = hw_read(io, IOAPIC_REG_REDIRECTION + 2 * pin);

	return ((uint64_t)hw_read(io, IOAPIC_REG_REDIRECTION + 2 * pin + 1) << 32) | low;
}

/* @pin masked in the hardware, the rest of its low half @entry's: one write. */
static void hw_mask_entry(struct ioapic *io, unsigned int pin, uint64_t entry)
{
	hw_write(io, IOAPIC_REG_REDIRECTION + 2 * pin, (uint32_t)(entry | IOAPIC_ENTRY_MASKED));
}

/*
 * The entry goes in masked first, then its destination, then the low half
 * that unmasks it: no moment has a new destination with an old delivery
 * mode, or the reverse, unmasked.
 */
static void hw_write_entry(struct ioapic *io, unsigned int pin, uint64_t entry)
{
	hw_mask_entry(io, pin, entry);
	hw_write(io, IOAPIC_REG_REDIRECTION + 2 * pin + 1, (uint32_t)(entry >> 32));
	hw_write(io, IOAPIC_REG_REDIRECTION + 2 * pin, (uint32_t)entry);
}

/* ---- Set-up at enable ---- */

/*
 * Linux's writes to a pin its config does not list are dropped: say so at
 * enable, once, so that a device that stops interrupting on a real machine
 * points at the config (bulkhead-config create lists every pin).
 */
static void warn_unlisted_pins(const struct ioapic *io, const struct bulkhead_irqchip *chip)
{
	unsigned int pin, first = io->pins, count = 0;

	for (pin = 0; pin < io->pins; pin++)
		if (!irqchip_has_pin(chip, pin)) {
			first = first < pin ? first : pin;
			count++;
		}
	if (count)
		printk("IOAPIC at 0x%lx: the root cell lists %u of its %u pins (first missing: %u); Linux's writes to the others are dropped: list every pin in the system config\n",
		       io->address, io->pins - count, io->pins, first);
}

/* Maps IOAPIC @i uncached for the hypervisor and records Linux's entries as the root cell's. */
static int ioapic_setup(struct ioapic *io, unsigned int i, uint64_t address)
{
	uint64_t *root = (uint64_t *)memory_at(image_header.page_pool_offset);
	uint64_t virt = BULKHEAD_BASE + image_header.memory_size + IOAPIC_VIRT_OFFSET +
			(uint64_t)i * PAGE_SIZE;
	unsigned int pin;
	int err;

	err = paging_map(&hv_pool, root, virt, address, PAGE_SIZE,
			 PAGING_WRITABLE | PAGING_NO_EXECUTE | PAGING_CACHE_DISABLE);
	io->pin = page_alloc();
	io->owner = page_alloc();
	if (err || !io->pin || !io->owner)
		return trace_error(err ? err : -ENOMEM);
	io->address = address;
	io->registers = (volatile uint32_t *)virt;
	io->version = IOAPIC_VERSION_OF(hw_read(io, IOAPIC_REG_VERSION));
	io->pins = IOAPIC_PINS_OF(hw_read(io, IOAPIC_REG_VERSION));
	for (pin = 0; pin < io->pins; pin++)
		io->pin[pin].root_entry = hw_read_entry(io, pin) & ~IOAPIC_ENTRY_READ_ONLY;
	printk("IOAPIC at 0x%lx: version 0x%x, %u pins, emulated for every cell\n", address,
	       io->version, io->pins);
	warn_unlisted_pins(io, &root_cell.config.irqchips[i]);
	return 0;
}

/* Every IOAPIC the root cell's config lists, before any CPU runs Linux as a guest. */
int ioapic_init(void)
{
	const struct config_view *config = &root_cell.config;
	unsigned int i;
	int err;

	for (i = 0; i < config->cell->num_irqchips && i < BULKHEAD_MAX_IRQCHIPS; i++) {
		err = ioapic_setup(&ioapics[i], i, config->irqchips[i].address);
		if (err)
			return err;
		ioapic_count = i + 1;
	}
	return 0;
}

static struct ioapic *ioapic_at(uint64_t page)
{
	unsigned int i;

	for (i = 0; i < ioapic_count; i++)
		if (ioapics[i].address == page)
			return &ioapics[i];
	return NULL;
}

/* An IOAPIC page @cell may program: one its config lists (the root cell: every one it lists). */
bool ioapic_page_of_cell(const struct cell *cell, uint64_t guest_phys)
{
	uint64_t page = guest_phys & ~(PAGE_SIZE - 1);

	return ioapic_at(page) &&
	       irqchip_find(cell->config.irqchips, cell->config.cell->num_irqchips, page);
}

/* ---- Emulated accesses ---- */

/* The CPUs an entry of @cell may name, as the ICR decoder sees them. */
static void cpus_of(const struct cell *cell, struct apic_cpu *cpus, struct ioapic_cpus *out)
{
	out->cpus = cpus;
	out->present = apic_describe_cpus(cpus);
	out->own = apic_cell_cpus(cell);
	out->logical_allowed = cell == &root_cell;
}

static bool owns_pin(const struct cell *cell, const struct ioapic *io, unsigned int pin)
{
	const struct config_view *config = &cell->config;
	const struct bulkhead_irqchip *chip;

	if (cell != &root_cell)
		return io->owner[pin] == cell;
	chip = irqchip_find(config->irqchips, config->cell->num_irqchips, io->address);
	return !io->owner[pin] && chip && irqchip_has_pin(chip, pin);
}

static uint64_t *view_of(const struct cell *cell, struct ioapic *io, unsigned int pin)
{
	return cell == &root_cell ? &io->pin[pin].root_entry : &io->pin[pin].cell_entry;
}

static void count(struct per_cpu *cpu, enum bulkhead_event event, uint32_t index, uint32_t value,
		  const char *why)
{
	cpu->page->events[event]++;
	if (cpu->page->events[event] <= LOGGED_REFUSALS)
		printk("CPU %u: cell %u: IOAPIC register 0x%x <- 0x%x %s: %s\n", cpu->cpu_id,
		       cpu->cell->id, index, value,
		       event == BULKHEAD_EVENT_IOAPIC_DROPPED ? "dropped" : "left masked", why);
}

/*
 * A pin's entry as its owner sees it: what it wrote, masked if the check
 * refused it (so that software sees what the hardware does), with the
 * status bits the hardware keeps.  Another cell's pin reads as masked and
 * empty.
 */
static uint32_t read_pin(const struct cell *cell, struct ioapic *io, uint32_t index)
{
	struct apic_cpu cpus[ICR_MAX_CPUS] = { { 0, 0, 0 } };
	struct ioapic_cpus allowed;
	unsigned int pin;
	bool high;
	uint64_t entry;

	if (!ioapic_index_pin(index, io->pins, &pin, &high))
		return 0;
	if (!owns_pin(cell, io, pin))
		return high ? 0 : (uint32_t)IOAPIC_ENTRY_MASKED;
	cpus_of(cell, cpus, &allowed);
	entry = ioapic_entry_for_hardware(*view_of(cell, io, pin), &allowed);
	if (!high)
		entry |= hw_read(io, index) & IOAPIC_ENTRY_READ_ONLY;
	return high ? (uint32_t)(entry >> 32) : (uint32_t)entry;
}

/*
 * A write of half an entry: the owner's view takes it, and the hardware
 * the whole entry if the check passes, else the entry masked (counted).
 * Other registers: the root cell may set the IOAPIC's ID and arbitration
 * ID as Linux does at boot; a cell may not.
 */
static void write_register(struct per_cpu *cpu, struct ioapic *io, uint32_t index, uint32_t value)
{
	struct apic_cpu cpus[ICR_MAX_CPUS] = { { 0, 0, 0 } };
	struct ioapic_cpus allowed;
	const char *refusal;
	unsigned int pin;
	uint64_t *view;
	bool high;

	if (!ioapic_index_pin(index, io->pins, &pin, &high)) {
		if (cpu->cell == &root_cell && index <= IOAPIC_REG_ARBITRATION)
			hw_write(io, index, value);
		else
			count(cpu, BULKHEAD_EVENT_IOAPIC_DROPPED, index, value, "not a pin's register");
		return;
	}
	if (!owns_pin(cpu->cell, io, pin)) {
		count(cpu, BULKHEAD_EVENT_IOAPIC_DROPPED, index, value, "pin of another cell");
		return;
	}
	view = view_of(cpu->cell, io, pin);
	*view = ioapic_entry_merge(*view, high, value) & ~IOAPIC_ENTRY_READ_ONLY;
	cpus_of(cpu->cell, cpus, &allowed);
	refusal = ioapic_entry_refusal(*view, &allowed);
	hw_write_entry(io, pin, refusal ? *view | IOAPIC_ENTRY_MASKED : *view);
	if (refusal)
		count(cpu, BULKHEAD_EVENT_IOAPIC_REFUSED, index, value, refusal);
}

/*
 * The EOI register of version 0x20 parts clears the remote IRR of the
 * level-triggered pins with that vector (Linux uses it with directed
 * EOI): passed on when one of the writer's own pins uses the vector.
 */
static void write_eoi(const struct cell *cell, struct ioapic *io, uint32_t value)
{
	unsigned int pin;

	if (io->version < IOAPIC_VERSION_EOI)
		return;
	for (pin = 0; pin < io->pins; pin++)
		if (owns_pin(cell, io, pin) &&
		    IOAPIC_ENTRY_VECTOR(*view_of(cell, io, pin)) == (value & 0xff)) {
			io->registers[IOAPIC_EOI / 4] = value & 0xff;
			return;
		}
}

/*
 * One access of @cpu's guest to an IOAPIC page its cell may program
 * (ioapic_page_of_cell()): IOREGSEL is the cell's own, the data window
 * goes through the pin checks above.  Only 32-bit accesses (and 8-bit
 * ones of IOREGSEL) are emulated, as the registers are defined
 * (Documentation/design.md, "The IOAPIC"); false for any other, which the caller refuses.
 */
bool ioapic_emulate(struct per_cpu *cpu, uint64_t guest_phys, unsigned int size, bool write,
		    uint64_t *value)
{
	struct ioapic *io = ioapic_at(guest_phys & ~(PAGE_SIZE - 1));
	unsigned int offset = (unsigned int)(guest_phys & (PAGE_SIZE - 1));
	uint32_t *select;

	if (!io || (size != 4 && !(size == 1 && offset == IOAPIC_IOREGSEL)))
		return false;
	select = &cpu->cell->arch.ioapic_select[io - ioapics];
	if (offset == IOAPIC_IOREGSEL) {
		if (write)
			*select = (uint32_t)*value & 0xff;
		else
			*value = *select;
		return true;
	}
	spin_lock(&io->lock);
	if (offset == IOAPIC_IOWIN && write)
		write_register(cpu, io, *select, (uint32_t)*value);
	else if (offset == IOAPIC_IOWIN)
		*value = *select <= IOAPIC_REG_ARBITRATION ? hw_read(io, *select) :
			 read_pin(cpu->cell, io, *select);
	else if (offset == IOAPIC_EOI && write)
		write_eoi(cpu->cell, io, (uint32_t)*value);
	else if (!write)
		*value = 0;
	spin_unlock(&io->lock);
	return true;
}

/* ---- Pins changing hands ---- */

/*
 * Disable: Linux programs every IOAPIC directly again, so the hardware
 * gets each entry as Linux last wrote it, refused ones too (no cell is
 * left for them to reach).  Pins that are right already are not touched,
 * so that no edge of a working pin is lost.
 */
void ioapic_release_to_linux(void)
{
	unsigned int i, pin;
	struct ioapic *io;

	for (i = 0; i < ioapic_count; i++) {
		io = &ioapics[i];
		spin_lock(&io->lock);
		for (pin = 0; pin < io->pins; pin++)
			if ((hw_read_entry(io, pin) & ~IOAPIC_ENTRY_READ_ONLY) != io->pin[pin].root_entry)
				hw_write_entry(io, pin, io->pin[pin].root_entry);
		spin_unlock(&io->lock);
	}
}

/*
 * Linux's entries checked again against the CPUs the root cell keeps
 * (@root_cpus): one that names a CPU leaving for a cell is masked in the
 * hardware (counted on this CPU), one masked so earlier that passes now
 * goes in again as Linux wrote it.  Others are not touched, so that no
 * edge of a working pin is lost.  Linux moves its interrupts off a CPU
 * before it gives it up, so normally nothing changes.
 */
static void recheck_root_pins(struct ioapic *io, uint64_t root_cpus)
{
	struct apic_cpu cpus[ICR_MAX_CPUS] = { { 0, 0, 0 } };
	struct ioapic_cpus allowed;
	unsigned int pin;
	uint64_t entry;
	bool refused, masked;

	cpus_of(&root_cell, cpus, &allowed);
	allowed.own = root_cpus;
	for (pin = 0; pin < io->pins; pin++) {
		entry = io->pin[pin].root_entry;
		if (!owns_pin(&root_cell, io, pin) || (entry & IOAPIC_ENTRY_MASKED))
			continue;
		refused = ioapic_entry_refusal(entry, &allowed) != NULL;
		masked = hw_read(io, IOAPIC_REG_REDIRECTION + 2 * pin) & IOAPIC_ENTRY_MASKED;
		if (refused && !masked) {
			hw_mask_entry(io, pin, entry);
			count(this_cpu(), BULKHEAD_EVENT_IOAPIC_REFUSED,
			      IOAPIC_REG_REDIRECTION + 2 * pin, (uint32_t)entry,
			      "Linux's entry names a CPU of a new cell");
		} else if (!refused && masked) {
			hw_write_entry(io, pin, entry);
		}
	}
}

/*
 * A new cell's pins: masked in the hardware and taken from the root cell,
 * whose entries stay recorded for destroy.  The cell starts with every pin
 * masked, as after reset (Documentation/design.md, "The IOAPIC").
 */
void ioapic_cell_create(struct cell *cell)
{
	const struct config_view *config = &cell->config;
	unsigned int i, pin;
	struct ioapic *io;

	for (i = 0; i < BULKHEAD_MAX_IRQCHIPS; i++)
		cell->arch.ioapic_select[i] = 0;
	for (i = 0; i < config->cell->num_irqchips; i++) {
		io = ioapic_at(config->irqchips[i].address);
		if (!io)
			continue;
		spin_lock(&io->lock);
		for (pin = 0; pin < io->pins; pin++) {
			if (!irqchip_has_pin(&config->irqchips[i], pin))
				continue;
			io->owner[pin] = cell;
			io->pin[pin].cell_entry = IOAPIC_ENTRY_MASKED;
			hw_mask_entry(io, pin, io->pin[pin].root_entry);
		}
		recheck_root_pins(io, apic_cell_cpus(&root_cell) & ~cell->cpus);
		spin_unlock(&io->lock);
	}
}

/*
 * A destroyed cell's pins go back to the root cell as Linux left them,
 * checked again against the root cell's CPUs now (an entry naming a CPU
 * that is not Linux's stays masked).
 */
void ioapic_cell_destroy(struct cell *cell)
{
	struct apic_cpu cpus[ICR_MAX_CPUS] = { { 0, 0, 0 } };
	struct ioapic_cpus allowed;
	unsigned int i, pin;
	struct ioapic *io;

	cpus_of(&root_cell, cpus, &allowed);
	for (i = 0; i < ioapic_count; i++) {
		io = &ioapics[i];
		spin_lock(&io->lock);
		for (pin = 0; pin < io->pins; pin++) {
			if (io->owner[pin] != cell)
				continue;
			hw_mask_entry(io, pin, io->pin[pin].cell_entry);
			io->owner[pin] = NULL;
			hw_write_entry(io, pin, ioapic_entry_for_hardware(io->pin[pin].root_entry,
									 &allowed));
		}
		/* Entries masked at create for the cell's CPUs may pass again. */
		recheck_root_pins(io, allowed.own);
		spin_unlock(&io->lock);
	}
}
