// SPDX-License-Identifier: GPL-2.0
/* Moving CPUs between the root cell, waiting, and a cell's inmate: work bits, hypervisor NMIs, bounded waits. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <asm/cache-type.h>
#include <asm/apic-emul.h>
#include <asm/apic.h>
#include <asm/guest-memory.h>
#include <asm/msr.h>
#include <asm/vmcs.h>
#include <asm/vmx-cpu.h>

/*
 * How long CPUs may take to answer: part of each operation's deadline
 * (cell.c).  One hypercall spins at most CALL_SPIN_US for them; then it
 * returns -EAGAIN and the driver sleeps before it calls again
 * (Documentation/hypercalls.md, "Operations in steps").
 */
#define CALL_SPIN_US		200
/*
 * A hold of the other root CPUs: how long the changing CPU waits for them
 * to arrive, and how long one waits held before it goes on regardless (the
 * changing CPU holds them for bounded work only: EPT and bitmap changes of
 * one config).
 */
#define HOLD_ARRIVE_US		200
#define HOLD_MAX_US		2000
/* Without a calibrated rate, times assume a TSC this fast (VT-x machines count faster). */
#define ASSUMED_TSC_KHZ		1000000ULL

/* ACPI PM timer: 3.579545 MHz, 24 bits at least (ACPI 6.4, 4.8.3.3). */
#define PM_TIMER_HZ		3579545ULL
#define PM_TIMER_MASK		0xffffffULL
#define CALIBRATION_PM_TICKS	(PM_TIMER_HZ / 100)	/* 10 ms */
/* A PM timer that has not moved 10 ms after this many reads is stuck: no calibration. */
#define CALIBRATION_MAX_READS	(1U << 22)

static uint32_t tsc_khz, apic_khz;

struct per_cpu *per_cpu_of(unsigned int cpu)
{
	return memory_at(image_header.percpu_offset + (uint64_t)cpu * PERCPU_SIZE);
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t value;

	asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

/*
 * Counts TSC cycles and APIC timer ticks over 10 ms of the PM timer; never
 * trusts CPUID for the rates.  Runs on the CPU that enables, which has
 * interrupts off for it anyway, and gives Linux its APIC timer back.
 */
static void calibrate_timers(uint16_t pm_timer)
{
	struct apic_timer_saved saved;
	uint64_t start_tsc, pm_start, elapsed = 0;
	uint32_t reads, apic_ticks;

	if (!pm_timer)
		return;
	apic_timer_count_start(&saved);
	pm_start = inl(pm_timer) & PM_TIMER_MASK;
	start_tsc = read_tsc();
	for (reads = 0; elapsed < CALIBRATION_PM_TICKS; reads++) {
		if (reads == CALIBRATION_MAX_READS) {
			apic_timer_count_stop(&saved);
			printk("PM timer at port 0x%x does not count; TSC and APIC timer rates unknown\n",
			       pm_timer);
			return;
		}
		elapsed = ((inl(pm_timer) & PM_TIMER_MASK) - pm_start) & PM_TIMER_MASK;
	}
	tsc_khz = (uint32_t)((read_tsc() - start_tsc) * PM_TIMER_HZ / elapsed / 1000);
	apic_ticks = apic_timer_count_stop(&saved);
	apic_khz = (uint32_t)((uint64_t)apic_ticks * PM_TIMER_HZ / elapsed / 1000);
}

uint32_t arch_tsc_khz(void)
{
	return tsc_khz;
}

uint32_t arch_apic_timer_khz(void)
{
	return apic_khz;
}

int arch_init_control(void)
{
	int err;

	err = apic_init();
	if (err)
		return err;
	calibrate_timers(root_cell.config.system->pm_timer_address);
	public_header()->tsc_khz = tsc_khz;
	return guest_memory_init();
}

/* ---- Asking other CPUs ---- */

/*
 * What a request voids that is still pending from before it: an INIT or a
 * start resets the CPU, and a startup IPI acts only on a CPU that waits
 * for one after its INIT (SDM Vol. 3A, 8.4), so one sent earlier is gone;
 * an inmate's INIT to a sibling not yet started leaves it waiting for SIPI.
 */
static uint32_t voided_by(uint32_t bits)
{
	uint32_t voided = 0;

	if (bits & PENDING_ROOT_INIT)
		voided |= PENDING_ROOT_SIPI;
	if (bits & (PENDING_CELL_INIT | PENDING_START))
		voided |= PENDING_CELL_SIPI;
	if (bits & PENDING_CELL_INIT)
		voided |= PENDING_START;
	return voided;
}

/*
 * Sets @bits in @target's pending word, in the same atomic step as it clears
 * what they void.  A failed exchange means another CPU changed the word, so
 * some CPU always progresses, and each posts a few bits per request.
 */
static void add_work(struct per_cpu *target, uint32_t bits)
{
	uint32_t voided = voided_by(bits), old;

	if (!voided) {
		__atomic_or_fetch(&target->arch.pending, bits, __ATOMIC_SEQ_CST);
		return;
	}
	old = __atomic_load_n(&target->arch.pending, __ATOMIC_SEQ_CST);
	while (!__atomic_compare_exchange_n(&target->arch.pending, &old, (old & ~voided) | bits,
					    false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
}

/*
 * Leaves @bits in @cpu's pending word and makes it look: a hypervisor NMI,
 * unless one is on its way already (that one's handler runs after these
 * bits are set, and the work is done after the handler).  At most one
 * hypervisor NMI is in flight per CPU, so the target can tell it from an
 * NMI of the guest's own sources: it takes nmi_in_flight back when an NMI
 * arrives (control_nmi_arrived()).
 */
void post_work(unsigned int cpu, uint32_t bits)
{
	struct per_cpu *target = per_cpu_of(cpu);

	add_work(target, bits);
	if (target == this_cpu())
		return;
	if (!__atomic_exchange_n(&target->arch.nmi_in_flight, 1, __ATOMIC_SEQ_CST))
		apic_send(public_cpu_page(cpu)->record.apic_id, APIC_ICR_NMI | APIC_ICR_ASSERT,
			  this_cpu()->arch.xapic_icr_high);
}

/* True when the NMI that just arrived was the hypervisor's (then it is no guest's NMI). */
bool control_nmi_arrived(struct per_cpu *cpu)
{
	bool hypervisors = __atomic_exchange_n(&cpu->arch.nmi_in_flight, 0, __ATOMIC_SEQ_CST);

	cpu->arch.nmis++;
	control_step(cpu, hypervisors ? STEP_NMI_HYPERVISOR : STEP_NMI_GUEST);
	if (hypervisors)
		cpu->page->events[BULKHEAD_EVENT_NMI_HYPERVISOR]++;
	return hypervisors;
}

/* TSC cycles in @us microseconds, by the calibrated rate or the assumed one. */
static uint64_t cycles_of_us(uint64_t us)
{
	uint64_t khz = tsc_khz ? tsc_khz : ASSUMED_TSC_KHZ;

	return khz * us / 1000;
}

uint64_t arch_deadline_after_ms(uint32_t ms)
{
	return read_tsc() + cycles_of_us((uint64_t)ms * 1000);
}

/* The TSC now, as a wait loop looks at it once a round. */
static uint64_t deadline_now(void)
{
	return read_tsc();
}

bool arch_deadline_passed(uint64_t deadline)
{
	return deadline_now() > deadline;
}

static uint32_t phase_of(const struct per_cpu *target)
{
	return __atomic_load_n(&target->arch.phase, __ATOMIC_SEQ_CST);
}

typedef bool (*cpu_done)(const struct per_cpu *target, const struct cell *cell);

static void log_late_cpu(unsigned int cpu, const char *what)
{
	const struct per_cpu *late = per_cpu_of(cpu);

	printk("CPU %u did not %s by the deadline (phase %u, cell %u, pending 0x%x, hypervisor NMI %s, %lu exits, steps 0x%x)\n",
	       cpu, what, phase_of(late), late->cell->id, late->arch.pending,
	       late->arch.nmi_in_flight ? "in flight" : "taken", late->public->exits,
	       late->arch.steps);
}

/* The CPUs of @cpus that are not @done yet. */
static uint64_t late_cpus(uint64_t cpus, cpu_done done, const struct cell *cell)
{
	uint64_t late = 0;
	unsigned int cpu;

	for (cpu = 0; cpu < 64; cpu++)
		if ((cpus >> cpu) & 1 && !done(per_cpu_of(cpu), cell))
			late |= 1ULL << cpu;
	return late;
}

/*
 * One call's share of a wait until every CPU of @cpus is @done: 0 when they
 * are; -EAGAIN after CALL_SPIN_US while @deadline (TSC) is ahead, for the
 * hypercall to return and be made again; -ETIMEDOUT (each late CPU logged)
 * once it passed.  So no call spins longer than CALL_SPIN_US, and the whole
 * operation no longer than its deadline.
 */
static int wait_for_cpus(uint64_t cpus, cpu_done done, const struct cell *cell, const char *what,
			 uint64_t deadline)
{
	uint64_t slice_end = read_tsc() + cycles_of_us(CALL_SPIN_US), late, now;
	unsigned int cpu;

	while ((late = late_cpus(cpus, done, cell))) {
		now = deadline_now();
		/* Late is what they are after the deadline: each may have answered just before it. */
		if (now > deadline) {
			late = late_cpus(cpus, done, cell);
			break;
		}
		if (now > slice_end)
			return -EAGAIN;
		asm volatile("pause" ::: "memory");
	}
	for (cpu = 0; cpu < 64; cpu++)
		if ((late >> cpu) & 1)
			log_late_cpu(cpu, what);
	return late ? trace_error(-ETIMEDOUT) : 0;
}

static bool waits_in_cell(const struct per_cpu *target, const struct cell *cell)
{
	return target->cell == cell && phase_of(target) == PHASE_WAITING;
}

/* Stopped for @cell: waiting, or back with the root cell already (a destroy tried before). */
static bool stopped_for(const struct per_cpu *target, const struct cell *cell)
{
	return target->cell == &root_cell || waits_in_cell(target, cell);
}

static bool back_with_root(const struct per_cpu *target, const struct cell *cell)
{
	(void)cell;
	return target->cell == &root_cell;
}

static void post_to_cell(const struct cell *cell, uint32_t bits)
{
	unsigned int cpu;

	for (cpu = 0; cpu < 64; cpu++)
		if ((cell->cpus >> cpu) & 1)
			post_work(cpu, bits);
}

/* The cell's CPUs must not run the inmate: sticky, until the next start. */
static void hold_cell(struct cell *cell)
{
	__atomic_store_n(&cell->arch.held, true, __ATOMIC_SEQ_CST);
}

bool control_cell_held(const struct cell *cell)
{
	return cell != &root_cell && __atomic_load_n(&cell->arch.held, __ATOMIC_SEQ_CST);
}

/*
 * Takes back the take from each CPU of @cell that did not act on it: its
 * next_cell goes to NULL, and whichever side exchanges the cell out of it
 * owns the move (take_next_cell()).  Returns the CPUs that took it first:
 * they joined the cell or are about to.
 */
static uint64_t withdraw_take(const struct cell *cell)
{
	uint64_t joined = 0;
	unsigned int cpu;

	for (cpu = 0; cpu < 64; cpu++)
		if ((cell->cpus >> cpu) & 1 &&
		    !__atomic_exchange_n(&per_cpu_of(cpu)->arch.next_cell, NULL, __ATOMIC_SEQ_CST))
			joined |= 1ULL << cpu;
	return joined;
}

/* Asks the cell's CPUs to leave the root cell for it; arch_cell_cpus_taken() waits. */
void arch_cell_take_cpus(struct cell *cell)
{
	unsigned int cpu;

	hold_cell(cell);
	for (cpu = 0; cpu < 64; cpu++)
		if ((cell->cpus >> cpu) & 1)
			__atomic_store_n(&per_cpu_of(cpu)->arch.next_cell, cell, __ATOMIC_SEQ_CST);
	post_to_cell(cell, PENDING_TAKE);
}

/*
 * A CPU late for the take stays with Linux for good once the take is
 * withdrawn, so a destroy that follows cannot miss it joining the cell.
 * One that took it first is on its way: from its exchange of next_cell to
 * waiting in the cell it runs only take_for_cell() in the hypervisor, so
 * one more CALL_SPIN_US is its bound, in the same call.
 */
int arch_cell_cpus_taken(struct cell *cell, uint64_t deadline)
{
	int err = wait_for_cpus(cell->cpus, waits_in_cell, cell, "leave the root cell", deadline);
	uint64_t joined;

	if (err != -ETIMEDOUT)
		return err;
	joined = withdraw_take(cell);
	err = wait_for_cpus(joined, waits_in_cell, cell, "reach the cell it took",
			    read_tsc() + cycles_of_us(CALL_SPIN_US));
	return !err && joined == cell->cpus ? 0 : trace_error(-ETIMEDOUT);
}

/*
 * Every CPU of the cell starts in real mode at the reset address, as the
 * cell's inmate interface promises (Documentation/inmate-interface.md):
 * the inmate elects its boot CPU there, and may still send the others
 * INIT and startup IPIs (SDM Vol. 3A, 8.4), which void a start not yet
 * taken (voided_by()).
 */
void arch_cell_start_cpus(struct cell *cell)
{
	unsigned int cpu;

	for (cpu = 0; cpu < 64; cpu++)
		if ((cell->cpus >> cpu) & 1)
			per_cpu_of(cpu)->arch.start_address = cell->config.cell->reset_address;
	__atomic_store_n(&cell->arch.held, false, __ATOMIC_SEQ_CST);
	for (cpu = 0; cpu < 64; cpu++)
		if ((cell->cpus >> cpu) & 1)
			post_work(cpu, PENDING_START);
}

/*
 * The hold is set before any CPU is asked, and every CPU looks at it before
 * it runs the inmate again (drain before each VM entry, and the wait loop
 * before a start): an inmate's startup IPI to a sibling counted stopped
 * cannot start it again.
 */
void arch_cell_stop_cpus(struct cell *cell)
{
	hold_cell(cell);
	post_to_cell(cell, PENDING_KICK);
}

int arch_cell_cpus_stopped(struct cell *cell, uint64_t deadline)
{
	return wait_for_cpus(cell->cpus, stopped_for, cell, "stop", deadline);
}

/* Stopped CPUs go back to the root cell, where they wait for Linux's INIT and startup IPI. */
void arch_cell_release_cpus(struct cell *cell)
{
	unsigned int cpu;

	for (cpu = 0; cpu < 64; cpu++)
		if ((cell->cpus >> cpu) & 1 && per_cpu_of(cpu)->cell == cell)
			post_work(cpu, PENDING_RELEASE);
}

int arch_cell_cpus_released(struct cell *cell, uint64_t deadline)
{
	return wait_for_cpus(cell->cpus, back_with_root, cell, "go back to the root cell",
			     deadline);
}

/*
 * Whether @other may use translations of the root cell's EPT: it runs Linux
 * as its guest.  A parked CPU never enters a guest again.
 */
static bool runs_root_ept(const struct per_cpu *other)
{
	return phase_of(other) == PHASE_ROOT &&
	       __atomic_load_n(&other->arch.launched, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&other->arch.parked, __ATOMIC_ACQUIRE);
}

/*
 * Other root CPUs drop stale translations of the root cell's EPT before they
 * run Linux again.  The INVEPT here is serializing: the caller's stores to
 * the EPT are visible before it reads whether another CPU runs the guest.
 * A CPU that is not running Linux now runs INVEPT when it launches it.
 */
void arch_flush_root_ept(unsigned int caller_cpu)
{
	unsigned int cpu;

	vmx_invept(root_cell.arch.ept_pointer);
	for (cpu = 0; cpu < image_header.max_cpus && cpu < 64; cpu++)
		if (cpu != caller_cpu && runs_root_ept(per_cpu_of(cpu)))
			post_work(cpu, PENDING_FLUSH_EPT);
}

/*
 * A CPU has taken the flush request once its pending work no longer holds
 * it: it took the bit in the hypervisor, after the NMI's VM exit, and runs
 * INVEPT before its next VM entry.  EPT translations are used, and the
 * paging-structure caches read, only in VMX non-root operation (SDM Vol.
 * 3C, 28.3.2).
 */
static bool flush_taken(const struct per_cpu *other, const struct cell *cell)
{
	(void)cell;
	return !runs_root_ept(other) ||
	       !(__atomic_load_n(&other->arch.pending, __ATOMIC_ACQUIRE) & PENDING_FLUSH_EPT);
}

/*
 * Waits, CALL_SPIN_US at most, until every other root CPU took the last
 * arch_flush_root_ept(): only then may pages of tables it unlinked be used
 * for anything else.
 */
bool arch_root_ept_flushed(unsigned int caller_cpu)
{
	uint64_t others = 0;
	unsigned int cpu;

	for (cpu = 0; cpu < image_header.max_cpus && cpu < 64; cpu++)
		if (cpu != caller_cpu)
			others |= 1ULL << cpu;
	return !wait_for_cpus(others, flush_taken, NULL, "take the root cell's EPT flush",
			      read_tsc() + cycles_of_us(CALL_SPIN_US));
}

static bool bare(const struct per_cpu *target, const struct cell *cell)
{
	(void)cell;
	return phase_of(target) == PHASE_BARE;
}

/*
 * Disable, for a root CPU Linux has offline: it leaves VMX and halts bare
 * for Linux's INIT, which on Bochs 2.7 is what puts an APIC that stayed in
 * x2APIC mode back into xAPIC mode.
 */
int arch_cpu_hand_back(unsigned int cpu)
{
	struct per_cpu *target = per_cpu_of(cpu);
	int err;

	if (phase_of(target) == PHASE_BARE)
		return 0;
	/* The first call asks and sets the deadline; the calls that follow wait for it. */
	if (!target->arch.hand_back_by) {
		target->arch.hand_back_by = arch_deadline_after_ms(ARCH_ANSWER_MS);
		post_work(cpu, PENDING_HAND_BACK);
	}
	err = wait_for_cpus(1ULL << cpu, bare, NULL, "leave VMX for disable",
			    target->arch.hand_back_by);
	if (err == -ETIMEDOUT)
		target->arch.hand_back_by = 0;	/* a later call asks again */
	return err;
}

/* ---- Holding the other root CPUs while the root cell's tables change ---- */

/* Odd while a hold is on; each hold has its own value, so an old request cannot join a new one. */
static uint32_t root_hold;

static bool held(const struct per_cpu *target, const struct cell *cell)
{
	(void)cell;
	return __atomic_load_n(&target->arch.held_in, __ATOMIC_SEQ_CST) ==
	       __atomic_load_n(&root_hold, __ATOMIC_SEQ_CST);
}

/*
 * Holds every other root CPU that runs Linux in the hypervisor, so that the
 * root cell's EPT and I/O bitmap change while no CPU can use them, and the
 * INVEPT each does before it runs Linux again comes after the change (SDM
 * Vol. 3C, 28.3.3: invalidate after the change; a page whose size changes
 * under a running CPU is the erratum case).  Waits HOLD_ARRIVE_US at most
 * for them to arrive: one that comes later still takes the flush request
 * of the change before it runs Linux again, so the change stays correct.
 */
void arch_hold_root_cpus(unsigned int caller_cpu)
{
	uint64_t others = 0;
	unsigned int cpu;

	__atomic_add_fetch(&root_hold, 1, __ATOMIC_SEQ_CST);
	for (cpu = 0; cpu < image_header.max_cpus && cpu < 64; cpu++)
		if (cpu != caller_cpu && runs_root_ept(per_cpu_of(cpu)))
			others |= 1ULL << cpu;
	for (cpu = 0; cpu < 64; cpu++)
		if ((others >> cpu) & 1)
			post_work(cpu, PENDING_HOLD);
	wait_for_cpus(others, held, NULL, "stop for a change of the root cell",
		      read_tsc() + cycles_of_us(HOLD_ARRIVE_US));
}

void arch_release_root_cpus(void)
{
	__atomic_add_fetch(&root_hold, 1, __ATOMIC_SEQ_CST);
}

/*
 * Held until the release, HOLD_MAX_US at most; the time is kept in the
 * CPU's public page.  A request that arrives after its release holds
 * nothing.
 */
static void hold_for_root_change(struct per_cpu *cpu)
{
	uint32_t hold = __atomic_load_n(&root_hold, __ATOMIC_SEQ_CST);
	uint64_t start = read_tsc(), cycles;

	if (!(hold & 1))
		return;
	__atomic_store_n(&cpu->arch.held_in, hold, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&root_hold, __ATOMIC_SEQ_CST) == hold &&
	       deadline_now() - start <= cycles_of_us(HOLD_MAX_US))
		asm volatile("pause" ::: "memory");
	__atomic_store_n(&cpu->arch.held_in, 0, __ATOMIC_SEQ_CST);
	cycles = read_tsc() - start;
	if (cycles > cpu->page->longest_hold_cycles)
		cpu->page->longest_hold_cycles = cycles;
}

/* ---- What a CPU does when asked ---- */

/* The bits of @bits that are set in this CPU's pending word, taken out of it. */
static uint32_t take_work(struct per_cpu *cpu, uint32_t bits)
{
	return __atomic_fetch_and(&cpu->arch.pending, ~bits, __ATOMIC_SEQ_CST) & bits;
}

static void publish_waiting(struct per_cpu *cpu)
{
	cpu->public->cell_id = cpu->cell->id;
	__atomic_store_n(&cpu->arch.phase, PHASE_WAITING, __ATOMIC_SEQ_CST);
}

/*
 * Leaves the guest this CPU runs for the wait loop.  Linux's APIC base is
 * kept when the CPU leaves the root cell, for release to put back.
 */
static void __attribute__((noreturn)) leave_guest(struct per_cpu *cpu, bool wait_for_sipi)
{
	control_step(cpu, STEP_LEAVE);
	if (cpu->cell == &root_cell)
		cpu->arch.linux_apic_base = apic_emulate_base_read(cpu);
	vmx_clear_current(cpu);
	cpu->arch.wait_for_sipi = wait_for_sipi;
	arch_cpu_wait(cpu);
}

/* The cell a take moves this CPU to, or NULL when the take was withdrawn (withdraw_take()). */
static struct cell *take_next_cell(struct per_cpu *cpu)
{
	return __atomic_exchange_n(&cpu->arch.next_cell, NULL, __ATOMIC_SEQ_CST);
}

static void take_for_cell(struct per_cpu *cpu, struct cell *next)
{
	cpu->cell = next;
	cache_type_power_up(cpu);
	/* Until the cell starts (arch_cell_start_cpus()), as after INIT. */
	cpu->arch.wait_for_sipi = true;
	printk("CPU %u: now waiting for cell %u \"%s\"\n", cpu->cpu_id, cpu->cell->id,
	       cpu->cell->config.cell->name);
}

static void __attribute__((noreturn)) leave_root_for_cell(struct per_cpu *cpu,
							   struct cell *next)
{
	cpu->arch.linux_apic_base = apic_emulate_base_read(cpu);
	vmx_clear_current(cpu);
	take_for_cell(cpu, next);
	arch_cpu_wait(cpu);
}

/*
 * Back to the root cell from a stopped cell: the inmate's APIC is quieted
 * (apic.c) and the CPU waits for Linux's INIT and startup IPI.  The APIC
 * stays in x2APIC mode: if Linux drives it in xAPIC mode, Linux gets an
 * emulated xAPIC on this CPU (apic-emul.c), since leaving x2APIC mode
 * takes a global disable (SDM Vol. 3A, 10.12.5.1, figure 10-27) that
 * needs INIT to undo on Bochs 2.7.
 */
static void back_to_root(struct per_cpu *cpu)
{
	/* A cell that never started left the APIC as Linux had it. */
	if (apic_in_x2apic_mode()) {
		apic_quiesce_x2apic();
		if (!(cpu->arch.linux_apic_base & APIC_BASE_X2APIC))
			apic_emulate_xapic_on_x2apic(cpu);
	}
	take_work(cpu, PENDING_CELL_INIT | PENDING_CELL_SIPI | PENDING_START);
	cpu->cell = &root_cell;
	cpu->arch.wait_for_sipi = true;
	printk("CPU %u: back with the root cell, waiting for Linux's startup IPI\n", cpu->cpu_id);
	publish_waiting(cpu);
}

static void __attribute__((noreturn)) halt_bare(struct per_cpu *cpu)
{
	vmx_off(cpu);
	write_cr4(cpu->arch.linux_cr4 & ~CR4_VMXE);
	cpu->public->state = BULKHEAD_CPU_STATE_OFF;
	cpu->public->flags &= ~BULKHEAD_CPU_VMX_OK;
	printk("CPU %u: handed back bare for Linux's INIT\n", cpu->cpu_id);
	__atomic_store_n(&cpu->arch.phase, PHASE_BARE, __ATOMIC_SEQ_CST);
	for (;;)
		asm volatile("cli\n\thlt" ::: "memory");
}

/*
 * Claims the right to run @cpu's cell: the phase says "cell" before the
 * hold is read, and a stop sets the hold before it reads phases, so one of
 * the two sees the other (both sequentially consistent).
 */
static bool may_run_cell(struct per_cpu *cpu)
{
	__atomic_store_n(&cpu->arch.phase, PHASE_CELL, __ATOMIC_SEQ_CST);
	control_step(cpu, STEP_CLAIM);
	if (!control_cell_held(cpu->cell))
		return true;
	control_step(cpu, STEP_HELD_BACK);
	publish_waiting(cpu);
	return false;
}

/* Out of wait-for-SIPI, as a CPU that took its startup IPI: a failed launch needs INIT again. */
static void __attribute__((noreturn)) launch(struct per_cpu *cpu, bool by_sipi, uint64_t address)
{
	int err;

	cpu->arch.wait_for_sipi = false;
	err = vmx_launch_in_real_mode(cpu, by_sipi, address);

	if (cpu->cell == &root_cell)
		vmx_park(cpu, "cannot start Linux at its startup IPI");
	printk("CPU %u: cannot start cell %u (error %d)\n", cpu->cpu_id, cpu->cell->id, err);
	cpu->cell->phase = CELL_FAILED;
	cpu->public->state = BULKHEAD_CPU_STATE_FAILED;
	arch_cpu_wait(cpu);
}

/* A startup IPI for this waiting CPU, from its own cell (or Linux for the root cell's CPUs). */
static void take_startup(struct per_cpu *cpu, uint32_t sipi)
{
	bool root = cpu->cell == &root_cell;
	uint8_t vector = cpu->arch.sipi_vector;

	if (!cpu->arch.wait_for_sipi || !(sipi & (root ? PENDING_ROOT_SIPI : PENDING_CELL_SIPI)))
		return;
	if (root) {
		__atomic_store_n(&cpu->arch.phase, PHASE_ROOT, __ATOMIC_SEQ_CST);
		launch(cpu, true, vector);
	}
	if (may_run_cell(cpu))
		launch(cpu, true, vector);
}

/* One look at the pending word while waiting; does not return when the CPU starts a guest. */
static void wait_step(struct per_cpu *cpu)
{
	bool root = cpu->cell == &root_cell;
	struct cell *next;

	/* Nothing to flush or deliver without a guest; the launch flushes. */
	take_work(cpu, PENDING_GUEST_NMI | PENDING_FLUSH_EPT | PENDING_KICK | PENDING_HOLD);
	if (take_work(cpu, PENDING_TAKE) && root && (next = take_next_cell(cpu)))
		return take_for_cell(cpu, next);
	if (take_work(cpu, PENDING_RELEASE) && !root)
		return back_to_root(cpu);
	if (take_work(cpu, PENDING_HAND_BACK) && root)
		halt_bare(cpu);
	/* An INIT from the other side was posted before this CPU changed cells: stale. */
	if (take_work(cpu, PENDING_ROOT_INIT | PENDING_CELL_INIT) &
	    (root ? PENDING_ROOT_INIT : PENDING_CELL_INIT))
		cpu->arch.wait_for_sipi = true;
	take_startup(cpu, take_work(cpu, PENDING_ROOT_SIPI | PENDING_CELL_SIPI));
	if (take_work(cpu, PENDING_START) && !root && may_run_cell(cpu))
		launch(cpu, false, cpu->arch.start_address);
}

/*
 * In the hypervisor with no current VMCS: waits in HLT, which an NMI ends
 * (interrupts stay off; SDM Vol. 3A, HLT).  Every request comes with a
 * hypervisor NMI, and the halt is skipped when work is pending (see
 * arch_halt_unless_pending() in entry.S for the race with the NMI).
 */
void arch_cpu_wait(struct per_cpu *cpu)
{
	publish_waiting(cpu);
	for (;;) {
		control_step(cpu, STEP_WAIT);
		wait_step(cpu);
		arch_halt_unless_pending(&cpu->arch.pending, PENDING_WAIT_WORK);
		control_step(cpu, STEP_WOKE);
		cpu->page->events[BULKHEAD_EVENT_WAIT_WAKEUPS]++;
	}
}

/*
 * A running CPU ignores startup IPIs, as a bare one does, but one that
 * follows an INIT not yet taken must stay for the wait loop: dropped only
 * while no INIT is pending, in one compare-and-swap.
 */
static void drop_stale_work(struct per_cpu *cpu, uint32_t init)
{
	uint32_t stale = PENDING_KICK | PENDING_HOLD | PENDING_ROOT_SIPI | PENDING_CELL_SIPI | PENDING_START |
			 PENDING_RELEASE | ((PENDING_ROOT_INIT | PENDING_CELL_INIT) & ~init);
	uint32_t old = __atomic_load_n(&cpu->arch.pending, __ATOMIC_SEQ_CST);

	while (!(old & init) && (old & stale) &&
	       !__atomic_compare_exchange_n(&cpu->arch.pending, &old, old & ~stale, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
}

/*
 * Called before every VM entry.  A held cell's CPU goes to wait; the root
 * cell's CPU leaves for a cell or takes Linux's INIT; an inmate's INIT from
 * its own cell puts the CPU back to waiting for a startup IPI.
 */
void vmx_handle_requests(struct per_cpu *cpu)
{
	bool root = cpu->cell == &root_cell;
	uint32_t init = root ? PENDING_ROOT_INIT : PENDING_CELL_INIT;
	struct cell *next;

	if (control_cell_held(cpu->cell))
		leave_guest(cpu, false);
	if (take_work(cpu, PENDING_TAKE) && root && (next = take_next_cell(cpu)))
		leave_root_for_cell(cpu, next);
	if (take_work(cpu, PENDING_HAND_BACK) && root) {
		vmx_clear_current(cpu);
		halt_bare(cpu);
	}
	if (take_work(cpu, PENDING_HOLD) && root)
		hold_for_root_change(cpu);
	if (take_work(cpu, init))
		leave_guest(cpu, true);
	drop_stale_work(cpu, init);
}
