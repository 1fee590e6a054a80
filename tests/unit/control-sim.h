/* SPDX-License-Identifier: GPL-2.0 */
/* control.c and apic-emul.c on simulated CPUs: at each atomic access another CPU may move first. */
#ifndef BULKHEAD_TEST_CONTROL_SIM_H
#define BULKHEAD_TEST_CONTROL_SIM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/memory.h>
#include <asm/processor.h>
#include <asm/vmx-cpu.h>

static void sim_yield_at(const volatile void *address, const char *op);
static uint64_t sim_read_tsc(const char *caller);
static uint64_t sim_read_msr(uint32_t msr);

/*
 * Each atomic access of the two files first hands the CPU back to the
 * scheduler, which may run any other CPU before it happens: the orders a
 * test can choose are every sequentially consistent interleaving of those
 * accesses.  The TSC is the scheduler's clock, so a wait times out only
 * when the test lets time pass; the APIC base is read from the fake.
 */
#define __atomic_load_n(p, order)	(sim_yield_at(p, "load"), __atomic_load_n(p, order))
#define __atomic_store_n(p, v, order)	(sim_yield_at(p, "store"), __atomic_store_n(p, v, order))
#define __atomic_exchange_n(p, v, order) \
	(sim_yield_at(p, "exchange"), __atomic_exchange_n(p, v, order))
#define __atomic_or_fetch(p, v, order)	(sim_yield_at(p, "or"), __atomic_or_fetch(p, v, order))
#define __atomic_and_fetch(p, v, order)	(sim_yield_at(p, "and"), __atomic_and_fetch(p, v, order))
#define __atomic_fetch_and(p, v, order)	(sim_yield_at(p, "and"), __atomic_fetch_and(p, v, order))
#define __atomic_compare_exchange_n(p, e, d, weak, s, f) \
	(sim_yield_at(p, "cas"), __atomic_compare_exchange_n(p, e, d, weak, s, f))
#define read_tsc()			sim_read_tsc(__func__)
#define read_msr(msr)			sim_read_msr(msr)

#include "../../hypervisor/arch/x86/control.c"
#include "../../hypervisor/arch/x86/apic-emul.c"
#include "../../hypervisor/arch/x86/cache-type.c"

#undef __atomic_load_n
#undef __atomic_store_n
#undef __atomic_exchange_n
#undef __atomic_or_fetch
#undef __atomic_and_fetch
#undef __atomic_fetch_and
#undef __atomic_compare_exchange_n
#undef read_tsc
#undef read_msr

#define SIM_CPUS		4
/* One cell: "x" (sim_cells[0], ID 1). */
#define SIM_CELLS		1
#define SIM_ALL_CPUS		((1ULL << SIM_CPUS) - 1)
/* APIC IDs differ from CPU numbers, so that a mix-up of the two shows. */
#define SIM_APIC_ID(cpu)	(0x10U + (cpu))
/* TSC kHz: ANSWER_MS is then 200 ticks of the scheduler's clock. */
#define SIM_TSC_KHZ		1
#define SIM_QUEUE		16
#define SIM_LAUNCHES		64
#define SIM_LOG_SIZE		4096
/* Yields of one run before it counts as a CPU that never settles. */
#define SIM_MAX_YIELDS		20000
#define SIM_MAX_DECISIONS	4096

/* Why a CPU handed control back, and so when it may go on. */
enum sim_wait {
	SIM_RUNNING,
	SIM_READY,	/* before an atomic access: may go on at once */
	SIM_SPIN,	/* a wait loop looks at the clock: goes on once another CPU moved */
	SIM_HALTED,	/* HLT in the wait loop: only an NMI ends it */
	SIM_GUEST,	/* runs its guest: exits for an NMI, the armed timer or an action */
	SIM_IDLE,	/* the managing CPU between actions */
	SIM_PARKED,	/* never again */
};

/* How a CPU goes on: as it stopped, or taking its latched NMI first. */
enum sim_how { SIM_PLAIN, SIM_NMI };

enum sim_life { SIM_LIFE_GUEST, SIM_LIFE_WAIT, SIM_LIFE_MANAGE, SIM_LIFE_PARKED };

/* What a guest does (an exit) or the managing CPU is asked (a hypercall's arch part). */
enum sim_act {
	ACT_ICR,		/* writes the x2APIC ICR: value */
	ACT_POST,		/* post_work(cpu, bits) as another part of the hypervisor would */
	ACT_TAKE, ACT_START, ACT_STOP, ACT_RELEASE,
	ACT_DESTROY,		/* stop, release, and on success the cell is gone (cell.c) */
};

struct sim_action {
	enum sim_act act;
	struct cell *cell;
	uint64_t value;
	unsigned int cpu;
};

struct sim_launch {
	unsigned int cpu, cell;
	bool by_sipi;
	uint64_t address;
};

struct sim_cpu {
	void *sp;
	jmp_buf base;
	enum sim_life life;
	enum sim_wait wait;
	enum sim_how how;
	bool frozen, in_nmi;
	unsigned int nmis_latched, hv_nmis_sent, guest_nmis, launch_failures;
	uint64_t steps, spin_seen;
	/* The access it stopped before. */
	const volatile void *address;
	const char *op;
	struct sim_action queue[SIM_QUEUE];
	unsigned int head, tail;
	/* Seen waiting while its cell was held: must not run it until the next start. */
	const struct cell *stopped_for;
	/* The run of its cell in which it was last sent a startup IPI. */
	unsigned int sipi_run;
	/* Every bit seen in its pending word after a step. */
	uint32_t seen_pending;
};

/* One way the scheduler may go on: a CPU, and whether it takes its latched NMI first. */
struct sim_option {
	unsigned int cpu;
	enum sim_how how;
};

struct sim_choice {
	uint16_t taken, count;
};

static struct {
	struct sim_cpu cpu[SIM_CPUS];
	void *scheduler_sp;
	unsigned int current;
	uint64_t steps, clock;
	bool external_nmis;
	struct sim_launch launches[SIM_LAUNCHES];
	unsigned int launch_count;
	int results[SIM_QUEUE];
	unsigned int result_count;
	unsigned int run[SIM_CELLS];	/* starts of each cell so far */
	bool gone[SIM_CELLS];		/* destroyed: no CPU may join it again */
	bool held_seen[SIM_CELLS];
	char violation[256];
	char log[SIM_LOG_SIZE];
	size_t log_length;
	/* Exploration: decisions so far, how many replay sim_walk, how many may leave the default. */
	unsigned int decisions, replay, delays_left;
	bool exploring, overflow;
	unsigned int force_at;
	struct sim_option force;
} sim;

static struct per_cpu sim_area[SIM_CPUS] __attribute__((aligned(PERCPU_SIZE)));
static uint8_t sim_public[BULKHEAD_PUBLIC_SIZE(SIM_CPUS)] __attribute__((aligned(4096)));
static struct cell sim_cells[SIM_CELLS];
static struct bulkhead_cell sim_cell_desc[SIM_CELLS];
static uint64_t sim_cell_cpus[SIM_CELLS];

/* What control.c and apic-emul.c use from the rest of the hypervisor. */
struct bulkhead_image_header image_header;
struct cell root_cell;
uint8_t *public_area;

/* Records the first broken rule of a run, for the test to report. */
static void __attribute__((format(printf, 1, 2))) sim_violation(const char *format, ...)
{
	va_list args;

	if (sim.violation[0])
		return;
	va_start(args, format);
	vsnprintf(sim.violation, sizeof(sim.violation), format, args);
	va_end(args);
}

void printk(const char *format, ...)
{
	va_list args;
	int length;

	if (sim.log_length >= SIM_LOG_SIZE - 1)
		return;
	va_start(args, format);
	length = vsnprintf(sim.log + sim.log_length, SIM_LOG_SIZE - sim.log_length, format, args);
	va_end(args);
	if (length > 0)
		sim.log_length += (size_t)length;
	if (sim.log_length >= SIM_LOG_SIZE)
		sim.log_length = SIM_LOG_SIZE - 1;
}

int trace_error_at(int code, const char *file, unsigned int line)
{
	(void)file;
	(void)line;
	return code;
}

static bool sim_logged(const char *text)
{
	return strstr(sim.log, text) != NULL;
}

static struct sim_cpu *sim_of(const struct per_cpu *cpu)
{
	return &sim.cpu[cpu->cpu_id];
}

static unsigned int sim_cell_index(const struct cell *cell)
{
	return (unsigned int)(cell - sim_cells);
}

/* ---- Coroutines: each CPU runs on the stack of its own per-CPU area ---- */

/* Saves the callee-saved registers and the stack pointer in *from, continues on @to. */
void sim_switch(void **from, void *to);
asm(".text\n"
    ".type sim_switch, @function\n"
    "sim_switch:\n"
    "	push %rbp\n	push %rbx\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
    "	mov %rsp, (%rdi)\n"
    "	mov %rsi, %rsp\n"
    "	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbx\n	pop %rbp\n"
    "	ret\n"
    ".size sim_switch, . - sim_switch\n");

/* Hands control to the scheduler; returns how the scheduler lets this CPU go on. */
static enum sim_how sim_block(enum sim_wait why)
{
	struct sim_cpu *self = &sim.cpu[sim.current];

	self->wait = why;
	self->steps++;
	sim.steps++;
	if (why == SIM_SPIN)
		self->spin_seen = sim.steps - self->steps;
	sim_switch(&self->sp, sim.scheduler_sp);
	self->wait = SIM_RUNNING;
	return self->how;
}

/* vmx_nmi_in_hypervisor() (vmx.c): the NMI arrived while this CPU ran the hypervisor. */
static void sim_nmi_in_hypervisor(struct per_cpu *cpu)
{
	struct sim_cpu *self = sim_of(cpu);
	bool hypervisors;

	self->in_nmi = true;
	self->nmis_latched--;
	hypervisors = control_nmi_arrived(cpu);
	if (cpu->arch.launched) {
		if (!hypervisors)
			__atomic_or_fetch(&cpu->arch.pending, PENDING_GUEST_NMI, __ATOMIC_SEQ_CST);
		cpu->arch.timer_armed = true;
	}
	self->in_nmi = false;
}

/* Before an atomic access (@op at @address): any CPU may move first, and an NMI may arrive here. */
static void sim_yield_at(const volatile void *address, const char *op)
{
	struct sim_cpu *self = &sim.cpu[sim.current];

	self->address = address;
	self->op = op;
	if (sim_block(SIM_READY) == SIM_NMI)
		sim_nmi_in_hypervisor(this_cpu());
}

/* The managing CPU's wait loops look at the clock once a round: a spin. */
static uint64_t sim_read_tsc(const char *caller)
{
	if (!strcmp(caller, "deadline_passed"))
		sim_block(SIM_SPIN);
	return sim.clock;
}

/* IA32_APIC_BASE as Linux left it: enabled, x2APIC mode. */
static uint64_t sim_read_msr(uint32_t msr)
{
	return msr == MSR_APIC_BASE ? APIC_DEFAULT_PHYS | APIC_BASE_ENABLE | APIC_BASE_X2APIC : 0;
}

/* ---- The rest of the hypervisor, as far as the request protocol sees it ---- */

int apic_init(void)
{
	return 0;
}

int guest_memory_init(void)
{
	return 0;
}

bool apic_in_x2apic_mode(void)
{
	return true;
}

/* Enable's calibration is not simulated: no PM timer in the simulated system config. */
void apic_timer_count_start(struct apic_timer_saved *saved)
{
	(void)saved;
}

uint32_t apic_timer_count_stop(const struct apic_timer_saved *saved)
{
	(void)saved;
	return 0;
}

void apic_quiesce_x2apic(void)
{
}

uint32_t apic_xapic_read(unsigned int offset)
{
	(void)offset;
	return 0;
}

void apic_xapic_write(unsigned int offset, uint32_t value)
{
	(void)offset;
	(void)value;
}

bool msr_read_safe(uint32_t msr, uint64_t *value)
{
	*value = sim_read_msr(msr);
	return true;
}

bool msr_write_safe(uint32_t msr, uint64_t value)
{
	(void)msr;
	(void)value;
	return true;
}

void vmx_invept(uint64_t ept_pointer)
{
	(void)ept_pointer;
}

/* Only cache-type.c writes the VMCS here (a cell CPU's PAT), never read back. */
void vmcs_write(uint32_t field, uint64_t value)
{
	(void)field;
	(void)value;
}

/* Only NMIs are expected: they stay latched in the target's APIC until it takes them. */
void apic_send(uint32_t destination, uint32_t low, uint32_t icr_high_after)
{
	unsigned int cpu = 0;

	(void)icr_high_after;
	while (cpu < SIM_CPUS && SIM_APIC_ID(cpu) != destination)
		cpu++;
	if (cpu == SIM_CPUS || (low & (7U << 8)) != APIC_ICR_NMI) {
		sim_violation("IPI 0x%x to APIC ID 0x%x: not an NMI to a CPU", low, destination);
		return;
	}
	if (sim.cpu[cpu].nmis_latched && !sim.external_nmis)
		sim_violation("a second hypervisor NMI to CPU %u before the first arrived", cpu);
	sim.cpu[cpu].nmis_latched++;
	sim.cpu[cpu].hv_nmis_sent++;
}

void vmx_clear_current(struct per_cpu *cpu)
{
	sim_yield_at(&cpu->arch.launched, "store");
	__atomic_store_n(&cpu->arch.launched, false, __ATOMIC_SEQ_CST);
}

void vmx_park(struct per_cpu *cpu, const char *why)
{
	printk("CPU %u: parked: %s\n", cpu->cpu_id, why);
	sim_of(cpu)->life = SIM_LIFE_PARKED;
	longjmp(sim_of(cpu)->base, 1);
}

/* Only disable hands CPUs back bare; no test asks for it. */
void vmx_off(struct per_cpu *cpu)
{
	sim_violation("CPU %u left VMX", cpu->cpu_id);
	vmx_park(cpu, "left VMX");
}

/* The wait loop's HLT (entry.S): look and HLT are one step, as the NMI handler makes them. */
void arch_halt_unless_pending(volatile uint32_t *pending, uint32_t mask)
{
	if (*pending & mask)
		return;
	if (sim_block(SIM_HALTED) != SIM_NMI)
		sim_violation("CPU %u left HLT without an NMI", sim.current);
	sim_nmi_in_hypervisor(this_cpu());
}

/* Whether @cpu may run its cell's inmate now; the launch is recorded either way. */
static void sim_check_launch(const struct per_cpu *cpu, bool by_sipi, uint64_t address)
{
	const struct sim_cpu *self = sim_of(cpu);
	unsigned int cell = cpu->cell->id;

	if (sim.launch_count < SIM_LAUNCHES)
		sim.launches[sim.launch_count++] = (struct sim_launch){ cpu->cpu_id, cell, by_sipi,
									address };
	if (!cell)
		return;
	if (self->stopped_for == cpu->cell)
		sim_violation("CPU %u runs cell %u's inmate after it was stopped", cpu->cpu_id, cell);
	if (sim.gone[cell - 1])
		sim_violation("CPU %u runs cell %u's inmate after its destroy", cpu->cpu_id, cell);
	if (by_sipi && self->sipi_run != sim.run[cell - 1])
		sim_violation("CPU %u started by a startup IPI sent before cell %u's last start",
			      cpu->cpu_id, cell);
}

/*
 * vmx_launch_in_real_mode() as far as other CPUs can see it: the guest's
 * leftover NMI and flush are dropped, `launched` set, and the preemption
 * timer armed if work is pending; then the CPU runs the guest.
 */
int vmx_launch_in_real_mode(struct per_cpu *cpu, bool by_sipi, uint64_t address)
{
	struct sim_cpu *self = sim_of(cpu);

	sim_check_launch(cpu, by_sipi, address);
	if (self->launch_failures) {
		self->launch_failures--;
		return -EIO;
	}
	sim_yield_at(&cpu->arch.pending, "and");
	__atomic_and_fetch(&cpu->arch.pending, ~(PENDING_GUEST_NMI | PENDING_FLUSH_EPT),
			   __ATOMIC_SEQ_CST);
	sim_yield_at(&cpu->arch.launched, "store");
	__atomic_store_n(&cpu->arch.launched, true, __ATOMIC_SEQ_CST);
	sim_yield_at(&cpu->arch.pending, "load");
	if (__atomic_load_n(&cpu->arch.pending, __ATOMIC_SEQ_CST))
		cpu->arch.timer_armed = true;
	self->life = SIM_LIFE_GUEST;
	longjmp(self->base, 1);
}

/* ---- What each CPU does between the hypervisor's entry points ---- */

static const struct sim_action *sim_pop(struct sim_cpu *self)
{
	return &self->queue[self->head++ % SIM_QUEUE];
}

static void sim_result(int result)
{
	if (sim.result_count < SIM_QUEUE)
		sim.results[sim.result_count++] = result;
}

/* The target of an x2APIC physical destination, or SIM_CPUS. */
static unsigned int sim_cpu_of_icr(uint64_t icr)
{
	unsigned int cpu = 0;

	while (cpu < SIM_CPUS && SIM_APIC_ID(cpu) != (uint32_t)(icr >> 32))
		cpu++;
	return cpu;
}

/* A startup IPI from an inmate belongs to the run of its cell it was sent in. */
static void sim_note_sipi(const struct per_cpu *cpu, uint64_t icr)
{
	unsigned int target = sim_cpu_of_icr(icr);

	if (((icr >> 8) & 7) == ICR_DELIVERY_STARTUP && cpu->cell != &root_cell &&
	    target < SIM_CPUS)
		sim.cpu[target].sipi_run = sim.run[sim_cell_index(cpu->cell)];
}

/* What a successful call promised: checked as it returns, before any other CPU moves. */
static void sim_check_cpus(const struct cell *cell, const char *call, bool taken, bool released)
{
	unsigned int cpu;

	for (cpu = 0; cpu < SIM_CPUS; cpu++) {
		const struct per_cpu *target = per_cpu_of(cpu);
		bool waits = target->arch.phase == PHASE_WAITING && !target->arch.launched;

		if (!((cell->cpus >> cpu) & 1))
			continue;
		if (released ? target->cell != &root_cell :
		    taken ? target->cell != cell || !waits :
		    target->cell != &root_cell && !waits)
			sim_violation("%s succeeded but CPU %u is not where it said", call, cpu);
	}
}

static int sim_stop(struct cell *cell)
{
	int err = arch_cell_stop_cpus(cell);

	if (!err)
		sim_check_cpus(cell, "stop", false, false);
	return err;
}

static int sim_release(struct cell *cell)
{
	int err = arch_cell_release_cpus(cell);

	if (!err)
		sim_check_cpus(cell, "release", false, true);
	return err;
}

/* destroy_locked() (cell.c): nothing is given back unless both succeed. */
static int sim_destroy(struct cell *cell)
{
	int err = sim_stop(cell);

	if (!err)
		err = sim_release(cell);
	if (!err)
		sim.gone[sim_cell_index(cell)] = true;
	return err;
}

static void sim_act(struct per_cpu *cpu, const struct sim_action *action)
{
	int err;

	switch (action->act) {
	case ACT_ICR:
		sim_note_sipi(cpu, action->value);
		apic_emulate_icr(cpu, action->value, true);
		return;
	case ACT_POST:
		post_work(action->cpu, (uint32_t)action->value);
		return;
	case ACT_TAKE:
		err = arch_cell_take_cpus(action->cell);
		if (!err)
			sim_check_cpus(action->cell, "take", true, false);
		return sim_result(err);
	case ACT_START:
		arch_cell_start_cpus(action->cell);
		return sim_result(0);
	case ACT_STOP:
		return sim_result(sim_stop(action->cell));
	case ACT_RELEASE:
		return sim_result(sim_release(action->cell));
	case ACT_DESTROY:
		return sim_result(sim_destroy(action->cell));
	}
}

/* drain_pending_work() (exits.c): requests first, then the guest's NMI and flushes. */
static void sim_drain(struct per_cpu *cpu)
{
	uint32_t work;

	cpu->arch.timer_armed = false;
	vmx_handle_requests(cpu);
	sim_yield_at(&cpu->arch.pending, "and");
	work = __atomic_fetch_and(&cpu->arch.pending, ~(PENDING_GUEST_NMI | PENDING_FLUSH_EPT),
				  __ATOMIC_SEQ_CST);
	if (work & PENDING_GUEST_NMI)
		sim_of(cpu)->guest_nmis++;
}

/*
 * One VM exit: an NMI (handle_exception_or_nmi() in exits.c: not the
 * hypervisor's, so the guest's), the preemption timer, or the guest's own
 * action; then the drain before the next entry.
 */
static void sim_exit(struct per_cpu *cpu, enum sim_how how)
{
	struct sim_cpu *self = sim_of(cpu);

	if (how == SIM_NMI) {
		self->nmis_latched--;
		if (!control_nmi_arrived(cpu))
			__atomic_or_fetch(&cpu->arch.pending, PENDING_GUEST_NMI, __ATOMIC_SEQ_CST);
	} else if (!cpu->arch.timer_armed) {
		sim_act(cpu, sim_pop(self));
	}
	sim_drain(cpu);
}

static void __attribute__((noreturn)) sim_guest(struct per_cpu *cpu)
{
	for (;;)
		sim_exit(cpu, sim_block(SIM_GUEST));
}

static void __attribute__((noreturn)) sim_manage(struct per_cpu *cpu)
{
	for (;;) {
		sim_block(SIM_IDLE);
		sim_act(cpu, sim_pop(sim_of(cpu)));
	}
}

static void __attribute__((noreturn)) sim_life(void)
{
	struct per_cpu *cpu = this_cpu();

	switch (sim_of(cpu)->life) {
	case SIM_LIFE_GUEST:
		sim_guest(cpu);
	case SIM_LIFE_WAIT:
		arch_cpu_wait(cpu);
	case SIM_LIFE_MANAGE:
		sim_manage(cpu);
	case SIM_LIFE_PARKED:
		break;
	}
	for (;;)
		sim_block(SIM_PARKED);
}

/* Every CPU begins here; a launch comes back here to run its guest on a fresh stack. */
static void __attribute__((noreturn)) sim_cpu_main(void)
{
	setjmp(sim.cpu[sim.current].base);
	sim_life();
}

#endif
