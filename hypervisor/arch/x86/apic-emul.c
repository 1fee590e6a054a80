// SPDX-License-Identifier: GPL-2.0
/* The guests' local APIC writes that exit: IPIs kept inside the sender's cell, APIC base and LVTs checked. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <asm/apic-emul.h>
#include <asm/apic-icr.h>
#include <asm/apic.h>
#include <asm/msr.h>
#include <asm/vmx-cpu.h>

/* xAPIC register offsets the emulation keeps shadows of (SDM Vol. 3A, 10.4.1, table 10-1). */
#define XAPIC_LDR		0x0d0
#define XAPIC_DFR		0x0e0
#define XAPIC_ICR_LOW		0x300
#define XAPIC_ICR_HIGH		0x310

/* LVT registers as x2APIC MSRs (SDM Vol. 3A, 10.12.1.2, table 10-6). */
#define X2APIC_LVT_CMCI		0x82f
#define X2APIC_LVT_TIMER	0x832
#define X2APIC_LVT_THERMAL	0x833
#define X2APIC_LVT_PERF		0x834
#define X2APIC_LVT_LINT0	0x835
#define X2APIC_LVT_LINT1	0x836
#define X2APIC_LVT_ERROR	0x837
#define LVT_DELIVERY(value)	(((value) >> 8) & 7)
#define LVT_DELIVERY_FIXED	0
#define LVT_DELIVERY_NMI	4

static void count(struct per_cpu *cpu, enum bulkhead_event event, uint64_t how_many)
{
	cpu->page->events[event] += how_many;
}

static unsigned int popcount(uint64_t mask)
{
	unsigned int bits = 0;

	for (; mask; mask &= mask - 1)
		bits++;
	return bits;
}

/* The CPUs of @cell: a cell's fixed set, or those the root cell holds now. */
uint64_t apic_cell_cpus(const struct cell *cell)
{
	uint64_t cpus = 0;
	unsigned int other;

	if (cell != &root_cell)
		return cell->cpus;
	for (other = 0; other < image_header.max_cpus && other < ICR_MAX_CPUS; other++)
		if (per_cpu_of(other)->cell == &root_cell)
			cpus |= 1ULL << other;
	return cpus;
}

/* Every CPU of the system as the ICR decoder sees it; returns the CPUs present. */
uint64_t apic_describe_cpus(struct apic_cpu *cpus)
{
	uint64_t present = 0;
	unsigned int cpu;

	for (cpu = 0; cpu < image_header.max_cpus && cpu < ICR_MAX_CPUS; cpu++) {
		const struct per_cpu *other = per_cpu_of(cpu);

		if (!config_cpu_in_set(&root_cell.config, cpu))
			continue;
		cpus[cpu].apic_id = public_cpu_page(cpu)->record.apic_id;
		cpus[cpu].ldr = other->arch.xapic_ldr;
		cpus[cpu].dfr = other->arch.xapic_dfr;
		present |= 1ULL << cpu;
	}
	return present;
}

/* Fixed IPIs go out on the hardware, physical destination, one per target (SDM Vol. 3A, 10.6.1). */
static void send_fixed(struct per_cpu *cpu, uint64_t targets, uint8_t vector)
{
	unsigned int target;

	for (target = 0; target < ICR_MAX_CPUS; target++)
		if ((targets >> target) & 1)
			apic_send(public_cpu_page(target)->record.apic_id,
				  APIC_ICR_FIXED | APIC_ICR_ASSERT | vector, cpu->arch.xapic_icr_high);
}

/*
 * NMIs, INITs and startup IPIs travel as work for the target, carried by a
 * hypervisor NMI: the target then knows the NMI for its guest from the
 * hypervisor's own (control.c), and INIT and startup stay virtual.
 */
static void post_to_each(uint64_t targets, uint32_t bits, int sipi_vector)
{
	unsigned int target;

	for (target = 0; target < ICR_MAX_CPUS; target++) {
		if (!((targets >> target) & 1))
			continue;
		if (sipi_vector >= 0)
			per_cpu_of(target)->arch.sipi_vector = (uint8_t)sipi_vector;
		post_work(target, bits);
	}
}

static void act(struct per_cpu *cpu, const struct icr_verdict *verdict)
{
	bool root = cpu->cell == &root_cell;

	switch (verdict->action) {
	case ICR_SEND:
		if (verdict->delivery == ICR_DELIVERY_NMI)
			post_to_each(verdict->targets, PENDING_GUEST_NMI, -1);
		else
			send_fixed(cpu, verdict->targets, verdict->vector);
		break;
	case ICR_INIT:
		post_to_each(verdict->targets, root ? PENDING_ROOT_INIT : PENDING_CELL_INIT, -1);
		break;
	case ICR_STARTUP:
		/* Only a started cell's inmate starts its siblings; control.c checks the hold again. */
		if (root || !control_cell_held(cpu->cell))
			post_to_each(verdict->targets,
				     root ? PENDING_ROOT_SIPI : PENDING_CELL_SIPI, verdict->vector);
		break;
	case ICR_IGNORE:
	case ICR_REFUSE:
		break;
	}
}

/* Refusals are counted always, and logged until a CPU has refused this many. */
#define LOGGED_REFUSALS		8

static void report(struct per_cpu *cpu, uint64_t icr, const struct icr_verdict *verdict)
{
	if (verdict->dropped)
		count(cpu, BULKHEAD_EVENT_IPI_DROPPED, popcount(verdict->dropped));
	if (verdict->action != ICR_REFUSE)
		return;
	count(cpu, BULKHEAD_EVENT_IPI_REFUSED, 1);
	if (cpu->page->events[BULKHEAD_EVENT_IPI_REFUSED] <= LOGGED_REFUSALS)
		printk("CPU %u: cell %u: IPI 0x%lx refused: %s\n", cpu->cpu_id, cpu->cell->id,
		       icr, verdict->reason);
}

/*
 * A guest's ICR write, in full (x2APIC: the 64-bit MSR value; xAPIC: ICR
 * high and low as one).  Every field is decoded; destinations are expanded
 * to CPUs and kept to the sender's own cell; what leaves the cell is
 * dropped and counted (apic-icr.c has the rules).
 */
void apic_emulate_icr(struct per_cpu *cpu, uint64_t icr, bool x2apic)
{
	struct apic_cpu cpus[ICR_MAX_CPUS] = { { 0, 0, 0 } };
	uint64_t present = apic_describe_cpus(cpus);
	struct icr_verdict verdict;
	struct icr decoded;
	uint64_t named;

	icr_decode(icr, x2apic, &decoded);
	named = icr_destinations(&decoded, x2apic, cpus, present, cpu->cpu_id);
	icr_filter(&decoded, named, apic_cell_cpus(cpu->cell), cpu->cpu_id, &verdict);
	report(cpu, icr, &verdict);
	act(cpu, &verdict);
}

/* xAPIC registers by offset that have no x2APIC MSR of the same number (SDM Vol. 3A, table 10-6). */
#define XAPIC_ID		0x020
#define XAPIC_APR		0x090
#define XAPIC_EOI		0x0b0
#define XAPIC_RRD		0x0c0
#define XAPIC_ESR		0x280
#define XAPIC_LAST		0x3f0
#define X2APIC_ID		0x802
#define X2APIC_EOI		0x80b
#define X2APIC_ESR		0x828

/* The x2APIC MSR of an xAPIC register: 0x800 + offset / 16 (SDM Vol. 3A, 10.12.1.2). */
static uint32_t x2apic_msr_of(unsigned int offset)
{
	return 0x800 + (offset >> 4);
}

/*
 * From now on this root CPU's APIC is in x2APIC mode while Linux drives it
 * as an xAPIC: its accesses to the xAPIC page, which the root cell's EPT
 * does not map, are done through the x2APIC MSRs.  The registers x2APIC
 * mode lacks or makes read-only are kept here, as after INIT.
 */
void apic_emulate_xapic_on_x2apic(struct per_cpu *cpu)
{
	cpu->arch.xapic_virtual = true;
	cpu->arch.xapic_ldr = 0;
	cpu->arch.xapic_dfr = 0xffffffff;
	cpu->arch.xapic_icr_high = 0;
	cpu->arch.xapic_icr_low = 0;
	cpu->public->flags |= BULKHEAD_CPU_XAPIC_EMULATED;
}

static uint32_t virtual_xapic_read(struct per_cpu *cpu, unsigned int offset)
{
	uint64_t value = 0;

	switch (offset) {
	case XAPIC_ID:
		return (uint32_t)read_msr(X2APIC_ID) << 24;
	case XAPIC_LDR:
		return cpu->arch.xapic_ldr;
	case XAPIC_DFR:
		return cpu->arch.xapic_dfr;
	case XAPIC_ICR_LOW:
		return cpu->arch.xapic_icr_low;	/* delivery status: idle */
	case XAPIC_ICR_HIGH:
		return cpu->arch.xapic_icr_high;
	case XAPIC_APR:
	case XAPIC_EOI:
	case XAPIC_RRD:
		return 0;
	}
	if (offset > XAPIC_LAST || !msr_read_safe(x2apic_msr_of(offset), &value))
		return 0;
	return (uint32_t)value;
}

static void virtual_xapic_write(unsigned int offset, uint32_t value)
{
	switch (offset) {
	case XAPIC_EOI:
		write_msr(X2APIC_EOI, 0);
		return;
	case XAPIC_ESR:
		write_msr(X2APIC_ESR, 0);
		return;
	}
	/* Read-only and missing registers drop the write, as on an xAPIC. */
	if (offset <= XAPIC_LAST)
		msr_write_safe(x2apic_msr_of(offset), value);
}

/* A read of the root cell's xAPIC page: the hardware's register, or the emulated one. */
uint32_t apic_emulate_xapic_read(struct per_cpu *cpu, unsigned int offset)
{
	if (cpu->arch.xapic_virtual)
		return virtual_xapic_read(cpu, offset);
	if (offset == XAPIC_ICR_HIGH)
		return cpu->arch.xapic_icr_high;
	return apic_xapic_read(offset);
}

/*
 * A write to the root cell's xAPIC page, which its EPT does not map.  The
 * ICR is emulated; ICR_HIGH and the logical addressing registers are kept
 * for the emulation; everything else goes to the hardware as written, or
 * through the x2APIC MSRs where the hardware stayed in x2APIC mode.
 */
void apic_emulate_xapic_write(struct per_cpu *cpu, unsigned int offset, uint32_t value)
{
	switch (offset) {
	case XAPIC_ICR_LOW:
		cpu->arch.xapic_icr_low = value & ~(1U << 12);
		apic_emulate_icr(cpu, ((uint64_t)cpu->arch.xapic_icr_high << 32) | value, false);
		return;
	case XAPIC_ICR_HIGH:
		cpu->arch.xapic_icr_high = value;
		break;
	case XAPIC_LDR:
		cpu->arch.xapic_ldr = value;
		break;
	case XAPIC_DFR:
		cpu->arch.xapic_dfr = value;
		break;
	}
	if (cpu->arch.xapic_virtual) {
		if (offset != XAPIC_ICR_HIGH && offset != XAPIC_LDR && offset != XAPIC_DFR)
			virtual_xapic_write(offset, value);
		return;
	}
	apic_xapic_write(offset, value);
}

/* What the xAPIC registers hold when a CPU starts running Linux as a guest. */
void apic_record_xapic_state(struct per_cpu *cpu)
{
	if (apic_in_x2apic_mode())
		return;
	cpu->arch.xapic_ldr = apic_xapic_read(XAPIC_LDR);
	cpu->arch.xapic_dfr = apic_xapic_read(XAPIC_DFR);
	cpu->arch.xapic_icr_high = apic_xapic_read(XAPIC_ICR_HIGH);
}

/*
 * IA32_APIC_BASE as the guest sees it: Linux in xAPIC mode where its xAPIC
 * is emulated; a cell always in x2APIC mode, whatever Linux did on the CPU
 * before.
 */
uint64_t apic_emulate_base_read(const struct per_cpu *cpu)
{
	uint64_t base = read_msr(MSR_APIC_BASE);

	return cpu->arch.xapic_virtual && cpu->cell == &root_cell ? base & ~APIC_BASE_X2APIC : base;
}

/*
 * IA32_APIC_BASE: a cell's CPU is in x2APIC mode from its first
 * instruction and must stay there, where the ICR is filtered: only writing
 * back the value it holds is allowed.  The root cell may change modes
 * (Linux turns x2APIC on) but never moves the APIC page, which would take
 * its writes past the emulation; where its xAPIC is emulated it may only
 * write back what it reads, or turn x2APIC on, which the hardware is in
 * already.  Anything else is #GP, as for an invalid transition (SDM Vol.
 * 3A, 10.12.5.1).
 */
static bool base_write_allowed(struct per_cpu *cpu, uint64_t value)
{
	uint64_t seen = apic_emulate_base_read(cpu);

	if (cpu->cell != &root_cell)
		return value == seen;
	if ((value ^ seen) & APIC_BASE_ADDRESS_MASK)
		return false;
	if (!cpu->arch.xapic_virtual)
		return msr_write_safe(MSR_APIC_BASE, value);
	if (value == (seen | APIC_BASE_X2APIC))
		cpu->arch.xapic_virtual = false;
	return value == seen || !cpu->arch.xapic_virtual;
}

bool apic_emulate_base_write(struct per_cpu *cpu, uint64_t value)
{
	if (base_write_allowed(cpu, value))
		return true;
	count(cpu, BULKHEAD_EVENT_APIC_REFUSED, 1);
	return false;
}

static bool lvt_allows_nmi(uint32_t msr)
{
	return msr == X2APIC_LVT_LINT0 || msr == X2APIC_LVT_LINT1;
}

/*
 * A cell's LVT write: fixed delivery, or NMI on LINT0 and LINT1.  SMI would
 * stop the whole platform in firmware, INIT and ExtINT reach past the
 * cell's own interrupt flow: #GP (SDM Vol. 3A, 10.5.1).
 */
bool apic_emulate_lvt_write(struct per_cpu *cpu, uint32_t msr, uint64_t value)
{
	unsigned int delivery = LVT_DELIVERY(value);

	if ((delivery == LVT_DELIVERY_FIXED ||
	     (delivery == LVT_DELIVERY_NMI && lvt_allows_nmi(msr))) &&
	    msr_write_safe(msr, value))
		return true;
	count(cpu, BULKHEAD_EVENT_APIC_REFUSED, 1);
	return false;
}

bool apic_is_lvt(uint32_t msr)
{
	return msr == X2APIC_LVT_CMCI || (msr >= X2APIC_LVT_TIMER && msr <= X2APIC_LVT_ERROR);
}
