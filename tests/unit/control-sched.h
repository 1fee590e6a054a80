/* SPDX-License-Identifier: GPL-2.0 */
/* How the CPUs of control-sim.h take turns: by script, in a default order, or in every order. */
#ifndef BULKHEAD_TEST_CONTROL_SCHED_H
#define BULKHEAD_TEST_CONTROL_SCHED_H

#include "control-sim.h"
#include "sanitize.h"

/* ICR values an x2APIC guest writes (SDM Vol. 3A, 10.6.1 and 10.12.9): physical destination. */
#define ICR_TO(cpu)		((uint64_t)SIM_APIC_ID(cpu) << 32)
#define ICR_ASSERT_BIT		(1ULL << 14)
#define ICR_INIT_TO(cpu)	(ICR_TO(cpu) | ICR_ASSERT_BIT | (5ULL << 8))
#define ICR_SIPI_TO(cpu, vector) (ICR_TO(cpu) | ICR_ASSERT_BIT | (6ULL << 8) | (vector))
#define ICR_NMI_TO(cpu)		(ICR_TO(cpu) | ICR_ASSERT_BIT | (4ULL << 8))
/* INIT level de-assert: an exit that sends nothing. */
#define ICR_INIT_DEASSERT_TO(cpu) (ICR_TO(cpu) | (1ULL << 15) | (5ULL << 8))

/* The choices of the run being explored; kept across the resets between runs. */
static struct {
	struct sim_choice choice[SIM_MAX_DECISIONS];
	struct sim_option picked[SIM_MAX_DECISIONS];
	unsigned int length;
} sim_walk;

static struct bulkhead_cell sim_root_desc = { .name = "root", .cpu_set_words = 1 };
static const uint64_t sim_root_cpus = SIM_ALL_CPUS;

/* A fresh stack at the top of @cpu's area whose first switch enters sim_cpu_main(). */
static inline void sim_new_stack(unsigned int cpu)
{
	uint64_t *sp = (uint64_t *)((uint8_t *)&sim_area[cpu] + PERCPU_SIZE);

	*--sp = 0;
	*--sp = (uint64_t)(uintptr_t)sim_cpu_main;
	sp -= 6;
	memset(sp, 0, 6 * sizeof(*sp));
	sim.cpu[cpu].sp = sp;
	sim.cpu[cpu].wait = SIM_READY;
}

static inline void sim_reset_cpu(unsigned int id, enum sim_life life)
{
	struct per_cpu *cpu = &sim_area[id];

	cpu->cpu_id = id;
	cpu->page = public_cpu_page(id);
	memset(cpu->page, 0, sizeof(*cpu->page));
	cpu->public = &cpu->page->record;
	cpu->public->apic_id = SIM_APIC_ID(id);
	cpu->cell = &root_cell;
	cpu->arch.phase = life == SIM_LIFE_WAIT ? PHASE_WAITING : PHASE_ROOT;
	cpu->arch.launched = life != SIM_LIFE_WAIT;
	cpu->arch.wait_for_sipi = life == SIM_LIFE_WAIT;
	sim.cpu[id].life = life;
	sim_new_stack(id);
}

static inline void sim_reset_cell(unsigned int index, const char *name, uint64_t cpus)
{
	struct cell *cell = &sim_cells[index];

	memset(cell, 0, sizeof(*cell));
	memset(&sim_cell_desc[index], 0, sizeof(sim_cell_desc[index]));
	strcpy(sim_cell_desc[index].name, name);
	sim_cell_desc[index].cpu_set_words = 1;
	sim_cell_desc[index].reset_address = 0xfff0;
	sim_cell_cpus[index] = cpus;
	cell->id = index + 1;
	cell->cpus = cpus;
	cell->config.cell = &sim_cell_desc[index];
	cell->config.cpu_set = &sim_cell_cpus[index];
}

/*
 * Everything as after enable: CPU 0 runs Linux and makes the hypercalls,
 * CPUs @waiting wait in the hypervisor for Linux's startup IPI (released
 * before), the others run Linux's offline loop; cell 1 "x" will hold
 * @cell_cpus.
 */
static inline void sim_reset(uint64_t cell_cpus, uint64_t waiting)
{
	unsigned int cpu;

	unit_unpoison(sim_area, sizeof(sim_area));
	memset(sim_area, 0, sizeof(sim_area));
	memset(&sim, 0, sizeof(sim));
	sim.force_at = ~0U;
	image_header.max_cpus = SIM_CPUS;
	image_header.percpu_offset = (uint64_t)(uintptr_t)sim_area - BULKHEAD_BASE;
	public_area = sim_public;
	memset(&root_cell, 0, sizeof(root_cell));
	root_cell.cpus = SIM_ALL_CPUS;
	root_cell.config.cell = &sim_root_desc;
	root_cell.config.cpu_set = &sim_root_cpus;
	tsc_khz = SIM_TSC_KHZ;
	sim_reset_cell(0, "x", cell_cpus);
	for (cpu = 0; cpu < SIM_CPUS; cpu++)
		sim_reset_cpu(cpu, !cpu ? SIM_LIFE_MANAGE :
				   (waiting >> cpu) & 1 ? SIM_LIFE_WAIT : SIM_LIFE_GUEST);
}

static inline struct cell *sim_x(void)
{
	return &sim_cells[0];
}

/* Queues what CPU @cpu does next: a guest's exit, or the managing CPU's call. */
static inline void sim_do(unsigned int cpu, enum sim_act act, struct cell *cell, uint64_t value)
{
	struct sim_cpu *target = &sim.cpu[cpu];

	target->queue[target->tail++ % SIM_QUEUE] = (struct sim_action){ act, cell, value, 0 };
}

static inline void sim_post(unsigned int from, unsigned int to, uint32_t bits)
{
	sim_do(from, ACT_POST, NULL, bits);
	sim.cpu[from].queue[(sim.cpu[from].tail - 1) % SIM_QUEUE].cpu = to;
}

/* An NMI from a source of the guest's own (perf counter, LINT1): latched like any other. */
static inline void sim_external_nmi(unsigned int cpu)
{
	sim.external_nmis = true;
	sim.cpu[cpu].nmis_latched++;
}

/* ---- Choosing who moves ---- */

/* What each run's rules say after every step, for all CPUs. */
static inline void sim_watch(void)
{
	unsigned int cpu, index;

	for (index = 0; index < SIM_CELLS; index++) {
		bool held = sim_cells[index].arch.held;

		if (sim.held_seen[index] && !held)
			sim.run[index]++;
		sim.held_seen[index] = held;
	}
	for (cpu = 0; cpu < SIM_CPUS; cpu++) {
		const struct per_cpu *target = &sim_area[cpu];
		const struct cell *cell = target->cell;

		sim.cpu[cpu].seen_pending |= target->arch.pending;
		if (cell == &root_cell)
			continue;
		if (sim.gone[sim_cell_index(cell)])
			sim_violation("CPU %u joined cell %u after its destroy", cpu, cell->id);
		if (!cell->arch.held)
			sim.cpu[cpu].stopped_for = NULL;
		else if (target->arch.phase == PHASE_WAITING)
			sim.cpu[cpu].stopped_for = cell;
	}
}

static inline bool sim_eligible(unsigned int id)
{
	const struct sim_cpu *cpu = &sim.cpu[id];

	if (cpu->frozen)
		return false;
	switch (cpu->wait) {
	case SIM_READY:
		return true;
	case SIM_SPIN:
		return sim.steps - cpu->steps != cpu->spin_seen;
	case SIM_HALTED:
		return cpu->nmis_latched;
	case SIM_GUEST:
		return cpu->nmis_latched || sim_area[id].arch.timer_armed || cpu->head != cpu->tail;
	case SIM_IDLE:
		return cpu->head != cpu->tail;
	default:
		return false;
	}
}

/* The ways @id may go on, the default first; none when it is not eligible. */
static inline unsigned int sim_ways(unsigned int id, struct sim_option *options)
{
	const struct sim_cpu *cpu = &sim.cpu[id];
	unsigned int count = 0;
	bool nmi = cpu->nmis_latched && !cpu->in_nmi;

	if (!sim_eligible(id))
		return 0;
	if (nmi && cpu->wait != SIM_SPIN && cpu->wait != SIM_IDLE)
		options[count++] = (struct sim_option){ id, SIM_NMI };
	if (cpu->wait == SIM_READY || cpu->wait == SIM_SPIN || cpu->wait == SIM_IDLE ||
	    (cpu->wait == SIM_GUEST && (sim_area[id].arch.timer_armed || cpu->head != cpu->tail)))
		options[count++] = (struct sim_option){ id, SIM_PLAIN };
	/* Within the hypervisor the NMI is an interruption: by default the CPU goes on. */
	if (cpu->wait == SIM_READY && count == 2) {
		options[0].how = SIM_PLAIN;
		options[1].how = SIM_NMI;
	}
	return count;
}

/*
 * Every way to go on, the default first: the CPU that ran last goes on
 * while it can, else the lowest-numbered CPU that can.
 */
static inline unsigned int sim_options(struct sim_option *options)
{
	unsigned int last = sim.current, count = 0, cpu;
	bool goes_on = sim.cpu[last].wait == SIM_READY && sim_eligible(last);

	if (goes_on)
		count = sim_ways(last, options);
	for (cpu = 0; cpu < SIM_CPUS; cpu++)
		if (!goes_on || cpu != last)
			count += sim_ways(cpu, options + count);
	return count;
}

/*
 * Time passes only when nothing else can happen, 60% of the deadline at a
 * time: a wait first sees more than half its deadline gone (anything done
 * half way, such as a second NMI to a CPU that did not answer, is then
 * done while the CPUs can still move), and times out at the next step.
 */
static inline bool sim_let_time_pass(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < SIM_CPUS; cpu++) {
		if (sim.cpu[cpu].wait == SIM_SPIN && !sim.cpu[cpu].frozen) {
			sim.clock += (uint64_t)SIM_TSC_KHZ * ANSWER_MS * 3 / 5;
			sim.steps++;
			return true;
		}
	}
	return false;
}

static inline void sim_resume(struct sim_option option)
{
	struct sim_cpu *cpu = &sim.cpu[option.cpu];

	sim.current = option.cpu;
	cpu->how = option.how;
	sim_switch(&sim.scheduler_sp, cpu->sp);
	sim_watch();
	if (sim.steps > SIM_MAX_YIELDS) {
		sim.overflow = true;
		sim_violation("CPUs still busy after %u steps", SIM_MAX_YIELDS);
	}
}

/* In the default order, the one decision a test moved to another CPU (sim_go_switching()). */
static inline unsigned int sim_forced(const struct sim_option *options, unsigned int count,
			       unsigned int at)
{
	unsigned int i;

	for (i = 0; at == sim.force_at && i < count; i++)
		if (options[i].cpu == sim.force.cpu && options[i].how == sim.force.how)
			return i;
	return 0;
}

/* Which option this decision takes: the recorded one while replaying, else the default. */
static inline unsigned int sim_decide(const struct sim_option *options, unsigned int count)
{
	unsigned int at = sim.decisions++, pick = 0;

	if (!sim.exploring)
		return sim_forced(options, count, at);
	if (at >= SIM_MAX_DECISIONS) {
		sim_violation("more than %u decisions", SIM_MAX_DECISIONS);
		return 0;
	}
	if (!sim.delays_left)
		count = 1;
	if (at < sim.replay)
		pick = sim_walk.choice[at].taken;
	if (pick >= count) {
		sim_violation("replay diverged at decision %u", at);
		pick = 0;
	}
	sim_walk.choice[at] = (struct sim_choice){ (uint16_t)pick, (uint16_t)count };
	sim_walk.picked[at] = options[pick];
	sim_walk.length = at + 1;
	if (pick)
		sim.delays_left--;
	return pick;
}

/*
 * Runs the CPUs in the default order or the explored one until none can
 * move (or a rule broke); a wait still running then times out, unless
 * @time_stands.
 */
static inline void sim_settle(bool time_stands)
{
	struct sim_option options[2 * SIM_CPUS];
	unsigned int count;

	while (!sim.violation[0]) {
		count = sim_options(options);
		if (!count) {
			if (!time_stands && sim_let_time_pass())
				continue;
			return;
		}
		sim_resume(options[sim_decide(options, count)]);
	}
}

static inline void sim_go(void)
{
	sim_settle(false);
}

/* The default order for @steps steps at most. */
static inline void sim_go_for(unsigned int steps)
{
	struct sim_option options[2 * SIM_CPUS];

	while (steps-- && !sim.violation[0] && sim_options(options))
		sim_resume(options[0]);
}

/*
 * The default order, except that decision @at (counted from now) goes to
 * CPU @cpu the way @how says, if it can go on that way then.
 */
static inline void sim_go_switching(unsigned int at, unsigned int cpu, enum sim_how how)
{
	sim.decisions = 0;
	sim.force_at = at;
	sim.force = (struct sim_option){ cpu, how };
	sim_go();
	sim.force_at = ~0U;
}

/* Moves CPU @cpu alone for @steps steps (fewer if it has to wait for something). */
static inline void sim_steps(unsigned int cpu, unsigned int steps)
{
	struct sim_option options[2];

	while (steps-- && !sim.violation[0] && sim_ways(cpu, options))
		sim_resume(options[0]);
}

/* Moves CPU @cpu alone until it waits for something. */
static inline void sim_run(unsigned int cpu)
{
	sim_steps(cpu, SIM_MAX_YIELDS);
}

/* Moves CPU @cpu one step the way @how says (its guest's action or its NMI); false if it can't. */
static inline bool sim_step_as(unsigned int cpu, enum sim_how how)
{
	struct sim_option options[2];
	unsigned int count = sim_ways(cpu, options), i;

	for (i = 0; i < count && !sim.violation[0]; i++) {
		if (options[i].how == how) {
			sim_resume(options[i]);
			return true;
		}
	}
	return false;
}

/* Moves CPU @cpu alone until it is about to do @op (NULL: any) at @address; false if it waits. */
static inline bool sim_until(unsigned int cpu, const volatile void *address, const char *op)
{
	struct sim_option options[2];
	const struct sim_cpu *self = &sim.cpu[cpu];

	while (!sim.violation[0] && sim_ways(cpu, options)) {
		sim_resume(options[0]);
		if (self->wait == SIM_READY && self->address == address &&
		    (!op || !strcmp(self->op, op)))
			return true;
	}
	return false;
}

/*
 * Nothing is left undone when no CPU can move: no work posted, no NMI on
 * its way.  A halted CPU may keep what only matters to a guest (a kick,
 * the guest's NMI, a flush): it drops them when it wakes, and a launch
 * drops or does them.
 */
static inline void sim_check_quiet(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < SIM_CPUS; cpu++) {
		const struct per_cpu *target = &sim_area[cpu];
		uint32_t undone = target->arch.pending;

		if (sim.cpu[cpu].frozen)
			continue;
		if (sim.cpu[cpu].wait == SIM_HALTED)
			undone &= PENDING_WAIT_WORK;
		if (undone)
			sim_violation("CPU %u left work 0x%x untaken", cpu, undone);
		if (target->arch.nmi_in_flight || sim.cpu[cpu].nmis_latched)
			sim_violation("CPU %u: NMI in flight %u, latched %u", cpu,
				      target->arch.nmi_in_flight, sim.cpu[cpu].nmis_latched);
	}
}

/* Where CPU @cpu is: in which cell, running its guest or waiting. */
static inline bool sim_runs(unsigned int cpu, const struct cell *cell)
{
	return sim_area[cpu].cell == cell && sim_area[cpu].arch.launched;
}

static inline bool sim_waits(unsigned int cpu, const struct cell *cell)
{
	return sim_area[cpu].cell == cell && sim_area[cpu].arch.phase == PHASE_WAITING &&
	       !sim_area[cpu].arch.launched;
}

/* Launches of @cpu into @cell_id (0 the root cell) so far. */
static inline unsigned int sim_launches(unsigned int cpu, unsigned int cell_id)
{
	unsigned int i, count = 0;

	for (i = 0; i < sim.launch_count; i++)
		count += sim.launches[i].cpu == cpu && sim.launches[i].cell == cell_id;
	return count;
}

static inline const struct sim_launch *sim_last_launch(void)
{
	return sim.launch_count ? &sim.launches[sim.launch_count - 1] : NULL;
}

/* ---- Every order ---- */

/* The next order to try: the last decision that has an untried option takes it. */
static inline bool sim_backtrack(void)
{
	unsigned int at = sim_walk.length;

	while (at--) {
		if (sim_walk.choice[at].taken + 1 < sim_walk.choice[at].count) {
			sim_walk.choice[at].taken++;
			sim.replay = at + 1;
			return true;
		}
	}
	return false;
}

static inline void sim_print_order(void)
{
	unsigned int at;

	fprintf(stderr, "  order (decisions that left the default):");
	for (at = 0; at < sim_walk.length; at++)
		if (sim_walk.choice[at].taken)
			fprintf(stderr, " %u:CPU%u%s", at, sim_walk.picked[at].cpu,
				sim_walk.picked[at].how == SIM_NMI ? "+NMI" : "");
	fprintf(stderr, "\n  %s\n", sim.violation);
}

/*
 * Runs @setup (which builds a state in the default order and queues what
 * races), then every order of the race that leaves the default order at
 * most @delays times, and @check on each outcome.  Returns the number of
 * orders run; the first that breaks a rule stops it, sim.violation says
 * which, and the order is printed.
 */
static inline unsigned long sim_explore(void (*setup)(void), void (*check)(void),
					unsigned int delays)
{
	unsigned long runs = 0;
	unsigned int replay = 0;

	sim_walk.length = 0;
	for (;;) {
		setup();
		sim.decisions = 0;
		sim.replay = replay;
		sim.exploring = true;
		sim.delays_left = delays;
		sim_go();
		sim.exploring = false;
		if (!sim.violation[0]) {
			check();
			sim_check_quiet();
		}
		runs++;
		if (sim.violation[0]) {
			sim_print_order();
			return runs;
		}
		if (!sim_backtrack())
			return runs;
		replay = sim.replay;
	}
}

#endif
