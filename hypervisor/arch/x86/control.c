// SPDX-License-Identifier: GPL-2.0
/* Moving CPUs between the root cell, waiting, a cell's inmate and bare: requests, NMIs, bounded waits. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <asm/msr.h>
#include <asm/vmcs.h>
#include <asm/vmx-cpu.h>

/* xAPIC registers (SDM Vol. 3A, 10.6.1) and the x2APIC ICR MSR (10.12.9). */
#define APIC_ICR_LOW		0x300
#define APIC_ICR_HIGH		0x310
#define APIC_ICR_NMI		(4U << 8)
#define APIC_ICR_ASSERT		(1U << 14)
#define APIC_ICR_BUSY		(1U << 12)
#define APIC_BASE_X2APIC	(1ULL << 10)
#define APIC_BASE_ENABLE	(1ULL << 11)

/* How long a CPU may take to answer; TSC cycles when the rate is known. */
#define ANSWER_MS		200
#define ANSWER_SPINS_UNKNOWN_RATE	50000000ULL

/* ACPI PM timer: 3.579545 MHz, 24 bits at least (ACPI 6.4, 4.8.3.3). */
#define PM_TIMER_HZ		3579545ULL
#define PM_TIMER_MASK		0xffffffULL
#define CALIBRATION_PM_TICKS	(PM_TIMER_HZ / 100)	/* 10 ms */

static volatile uint32_t *xapic;
static uint32_t tsc_khz;

static struct per_cpu *per_cpu_of(unsigned int cpu)
{
	return memory_at(image_header.percpu_offset + (uint64_t)cpu * PERCPU_SIZE);
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t value;

	asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

/* Counts TSC cycles over 10 ms of the PM timer; never trusts CPUID for the rate. */
static void calibrate_tsc(uint16_t pm_timer)
{
	uint64_t start_tsc, pm_start, elapsed = 0;

	if (!pm_timer)
		return;
	pm_start = inl(pm_timer) & PM_TIMER_MASK;
	start_tsc = read_tsc();
	while (elapsed < CALIBRATION_PM_TICKS)
		elapsed = ((inl(pm_timer) & PM_TIMER_MASK) - pm_start) & PM_TIMER_MASK;
	tsc_khz = (uint32_t)((read_tsc() - start_tsc) * PM_TIMER_HZ / elapsed / 1000);
}

uint32_t arch_tsc_khz(void)
{
	return tsc_khz;
}

/* The local APIC page, uncached, in the hypervisor's address space: for NMIs to other CPUs. */
int arch_init_control(void)
{
	uint64_t *root = (uint64_t *)memory_at(image_header.page_pool_offset);
	uint64_t apic_virt = BULKHEAD_BASE + image_header.memory_size;
	int err;

	calibrate_tsc(root_cell.config.system->pm_timer_address);
	err = paging_map(&hv_pool, root, apic_virt, 0xfee00000ULL, PAGE_SIZE,
			 PAGING_WRITABLE | PAGING_NO_EXECUTE | PAGING_CACHE_DISABLE);
	if (err)
		return trace_error(err);
	xapic = (volatile uint32_t *)apic_virt;
	return 0;
}

static void send_nmi(unsigned int cpu)
{
	uint32_t apic_id = public_cpu_page(cpu)->record.apic_id;
	unsigned int spins;

	if (read_msr(MSR_APIC_BASE) & APIC_BASE_X2APIC) {
		write_msr(MSR_X2APIC_ICR, ((uint64_t)apic_id << 32) | APIC_ICR_NMI | APIC_ICR_ASSERT);
		return;
	}
	xapic[APIC_ICR_HIGH / 4] = apic_id << 24;
	xapic[APIC_ICR_LOW / 4] = APIC_ICR_NMI | APIC_ICR_ASSERT;
	for (spins = 0; spins < 100000 && (xapic[APIC_ICR_LOW / 4] & APIC_ICR_BUSY); spins++)
		asm volatile("pause");
}

/* Whether ANSWER_MS passed since @start (TSC), or as many spins when the rate is unknown. */
static bool answer_late(uint64_t start, uint64_t *spins)
{
	uint64_t limit = tsc_khz ? (uint64_t)tsc_khz * ANSWER_MS : ANSWER_SPINS_UNKNOWN_RATE;

	return (tsc_khz ? read_tsc() - start : (*spins)++) > limit;
}

static bool wait_for_phase(unsigned int cpu, uint32_t phase)
{
	struct per_cpu *target = per_cpu_of(cpu);
	uint64_t start = read_tsc(), spins = 0;

	while (target->arch.phase != phase) {
		if (answer_late(start, &spins))
			return false;
		asm volatile("pause" ::: "memory");
	}
	return true;
}

static void request(unsigned int cpu, struct cell *cell, enum cpu_request what, bool nmi)
{
	struct per_cpu *target = per_cpu_of(cpu);

	target->cell = cell;
	__atomic_store_n(&target->arch.request, what, __ATOMIC_RELEASE);
	if (nmi)
		send_nmi(cpu);
}

/* Asks every CPU of @cell and waits for each; a CPU that does not answer fails the cell. */
static int move_cpus(struct cell *cell, enum cpu_request what, uint32_t phase, bool nmi)
{
	unsigned int cpu;
	int err = 0;

	for (cpu = 0; cpu < 64; cpu++)
		if ((cell->cpus >> cpu) & 1)
			request(cpu, cell, what, nmi);
	for (cpu = 0; cpu < 64; cpu++) {
		if (!((cell->cpus >> cpu) & 1) || wait_for_phase(cpu, phase))
			continue;
		printk("CPU %u did not answer request %u in %u ms\n", cpu, what, ANSWER_MS);
		err = trace_error(-ETIMEDOUT);
	}
	return err;
}

int arch_cell_take_cpus(struct cell *cell)
{
	return move_cpus(cell, REQUEST_TAKE, PHASE_WAITING, true);
}

static unsigned int first_cpu(const struct cell *cell)
{
	unsigned int cpu = 0;

	while (cpu < 63 && !((cell->cpus >> cpu) & 1))
		cpu++;
	return cpu;
}

/*
 * Only the cell's first CPU starts at the reset address; the others wait
 * until the inmate sends them a startup IPI, as CPUs after a reset do
 * (SDM Vol. 3A, 8.4).
 */
void arch_cell_start_cpus(struct cell *cell)
{
	unsigned int cpu = first_cpu(cell);

	per_cpu_of(cpu)->arch.start_address = cell->config.cell->reset_address;
	request(cpu, cell, REQUEST_START, false);
	if (!wait_for_phase(cpu, PHASE_CELL))
		printk("CPU %u did not start cell %u\n", cpu, cell->id);
}

/* An inmate's startup IPI to a CPU of its cell that waits: it starts at vector * 4 KiB. */
void arch_cell_startup_ipi(struct cell *cell, uint32_t apic_id, uint8_t vector)
{
	unsigned int cpu;

	for (cpu = 0; cpu < 64; cpu++) {
		struct per_cpu *target = per_cpu_of(cpu);

		if (!((cell->cpus >> cpu) & 1) ||
		    public_cpu_page(cpu)->record.apic_id != apic_id ||
		    target->arch.phase != PHASE_WAITING)
			continue;
		target->arch.start_address = (uint64_t)vector << 12;
		request(cpu, cell, REQUEST_START, false);
	}
}

int arch_cell_stop_cpus(struct cell *cell)
{
	return move_cpus(cell, REQUEST_STOP, PHASE_WAITING, true);
}

void arch_cell_release_cpus(struct cell *cell)
{
	move_cpus(cell, REQUEST_RELEASE, PHASE_BARE, false);
}

/*
 * Whether @other may use translations of the root cell's EPT: it runs Linux
 * as its guest.  A parked CPU never enters a guest again.
 */
static bool runs_root_ept(const struct per_cpu *other)
{
	return __atomic_load_n(&other->arch.phase, __ATOMIC_ACQUIRE) == PHASE_ROOT &&
	       __atomic_load_n(&other->arch.launched, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&other->arch.parked, __ATOMIC_ACQUIRE);
}

/*
 * Other root CPUs drop stale translations of the root cell's EPT before they
 * run Linux again.  The INVEPT here is serializing: the caller's stores to
 * the EPT are visible before it reads whether another CPU runs the guest.
 */
void arch_flush_root_ept(unsigned int caller_cpu)
{
	unsigned int cpu;

	vmx_invept(root_cell.arch.ept_pointer);
	for (cpu = 0; cpu < image_header.max_cpus && cpu < 64; cpu++) {
		struct per_cpu *other = per_cpu_of(cpu);

		if (cpu == caller_cpu || !runs_root_ept(other))
			continue;
		__atomic_or_fetch(&other->arch.pending, PENDING_FLUSH_EPT, __ATOMIC_RELEASE);
		send_nmi(cpu);
	}
}

/*
 * A CPU has taken the flush request once its pending work no longer holds
 * it: it took the bit in the hypervisor, after the NMI's VM exit, and runs
 * INVEPT before its next VM entry.  EPT translations are used, and the
 * paging-structure caches read, only in VMX non-root operation (SDM Vol.
 * 3C, 28.3.2).  A CPU that does not run the root cell's guest is not asked,
 * as in arch_flush_root_ept(), and not waited for.
 */
static bool flush_taken(const struct per_cpu *other)
{
	return !runs_root_ept(other) ||
	       !(__atomic_load_n(&other->arch.pending, __ATOMIC_ACQUIRE) & PENDING_FLUSH_EPT);
}

/* Waits for @cpu until ANSWER_MS after @start, a deadline all CPUs share. */
static bool wait_for_flush(unsigned int cpu, uint64_t start, uint64_t *spins)
{
	struct per_cpu *target = per_cpu_of(cpu);

	while (!flush_taken(target)) {
		if (answer_late(start, spins))
			return false;
		asm volatile("pause" ::: "memory");
	}
	return true;
}

/*
 * Waits until every other root CPU took the last arch_flush_root_ept():
 * only then may pages of tables it unlinked be used for anything else.
 * False if one did not within ANSWER_MS (it may spin in the hypervisor
 * for the lock the caller holds).
 */
bool arch_root_ept_flushed(unsigned int caller_cpu)
{
	uint64_t start = read_tsc(), spins = 0;
	unsigned int cpu;
	bool flushed = true;

	for (cpu = 0; cpu < image_header.max_cpus && cpu < 64; cpu++) {
		if (cpu == caller_cpu || wait_for_flush(cpu, start, &spins))
			continue;
		printk("CPU %u did not take the root cell's EPT flush in %u ms\n", cpu, ANSWER_MS);
		flushed = false;
	}
	return flushed;
}

/*
 * An inmate may have switched its local APIC to x2APIC mode, which INIT does
 * not undo; Linux brings CPUs up in xAPIC mode.  Back through disabled, as
 * the mode transitions require (SDM Vol. 3A, 10.12.5.1).
 */
static void restore_xapic_mode(void)
{
	uint64_t base = read_msr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_X2APIC))
		return;
	write_msr(MSR_APIC_BASE, base & ~(APIC_BASE_X2APIC | APIC_BASE_ENABLE));
	write_msr(MSR_APIC_BASE, (base & ~APIC_BASE_X2APIC) | APIC_BASE_ENABLE);
}

/* Left VMX: halt until Linux's INIT resets the CPU (NMIs end up back here). */
static void __attribute__((noreturn)) halt_bare(struct per_cpu *cpu)
{
	restore_xapic_mode();
	vmx_off(cpu);
	write_cr4(cpu->arch.linux_cr4 & ~CR4_VMXE);
	cpu->public->state = BULKHEAD_CPU_STATE_OFF;
	cpu->public->cell_id = 0;
	__atomic_store_n(&cpu->arch.phase, PHASE_BARE, __ATOMIC_RELEASE);
	for (;;)
		asm volatile("cli\n\thlt" ::: "memory");
}

static void __attribute__((noreturn)) launch_cell(struct per_cpu *cpu)
{
	int err = vmx_launch_cell(cpu, cpu->cell);

	printk("CPU %u: cannot start cell %u (error %d)\n", cpu->cpu_id, cpu->cell->id, err);
	cpu->cell->phase = CELL_FAILED;
	cpu->public->state = BULKHEAD_CPU_STATE_FAILED;
	arch_cpu_wait(cpu);
}

/* In the hypervisor, no current VMCS: serves START and RELEASE; polls, so no NMI is needed. */
void arch_cpu_wait(struct per_cpu *cpu)
{
	__atomic_store_n(&cpu->arch.phase, PHASE_WAITING, __ATOMIC_RELEASE);
	for (;;) {
		uint32_t what = __atomic_exchange_n(&cpu->arch.request, REQUEST_NONE,
						    __ATOMIC_ACQUIRE);

		if (what == REQUEST_START)
			launch_cell(cpu);
		if (what == REQUEST_RELEASE)
			halt_bare(cpu);
		asm volatile("pause" ::: "memory");
	}
}

/* Called before every VM entry when another CPU asked something of this one. */
void vmx_handle_request(struct per_cpu *cpu)
{
	uint32_t what = __atomic_exchange_n(&cpu->arch.request, REQUEST_NONE, __ATOMIC_ACQUIRE);

	if (what != REQUEST_TAKE && what != REQUEST_STOP)
		return;
	vmx_clear_current(cpu);
	cpu->public->cell_id = cpu->cell->id;
	printk("CPU %u: now waiting for cell %u \"%s\"\n", cpu->cpu_id, cpu->cell->id,
	       cpu->cell->config.cell->name);
	arch_cpu_wait(cpu);
}
