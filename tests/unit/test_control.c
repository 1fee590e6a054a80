// SPDX-License-Identifier: GPL-2.0
/* Host tests of control.c: CPUs moved between Linux, waiting and an inmate, in many orders. */
#include "control-sched.h"

#include "unit.h"

#define VECTOR		0x9a
#define OTHER_VECTOR	0x9b
/* Cell "x" holds CPUs 1-3; all start at the reset address, CPU 1 wins the inmate's election. */
#define X_CPUS		0xeULL
#define RESET_ADDRESS	0xfff0
/* sim.results[]: take and start come first, then what a test asks. */
#define FIRST_RESULT	2
/* sim.launches[]: the three starts at the reset address come first. */
#define FIRST_SIPI_LAUNCH	3

/* Cell "x" created and started, every CPU at the reset address. */
static void started_x(void)
{
	sim_reset(X_CPUS, 0);
	sim_do(0, ACT_TAKE, sim_x(), 0);
	sim_do(0, ACT_START, sim_x(), 0);
	sim_go();
}

/*
 * Cell "x" started; its inmate on CPU 1, the boot CPU, sends INIT to the
 * others, as the inmate library does, and a startup IPI to each of @started.
 */
static void running_x(uint64_t started)
{
	unsigned int cpu;

	started_x();
	for (cpu = 2; cpu < SIM_CPUS; cpu++) {
		sim_do(1, ACT_ICR, NULL, ICR_INIT_TO(cpu));
		if ((started >> cpu) & 1)
			sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(cpu, VECTOR));
	}
	sim_go();
}

/* How often @cpu started in cell "x" at a startup IPI, not counting its start at reset. */
static unsigned int sipi_launches(unsigned int cpu)
{
	unsigned int i, count = 0;

	for (i = 0; i < sim.launch_count; i++)
		count += sim.launches[i].cpu == cpu && sim.launches[i].cell == 1 &&
			 sim.launches[i].by_sipi;
	return count;
}

/* No rule broke, and no work or NMI is left behind. */
static bool clean(void)
{
	if (!sim.violation[0])
		sim_check_quiet();
	if (sim.violation[0])
		fprintf(stderr, "  %s\n", sim.violation);
	return !sim.violation[0];
}

static bool result_is(unsigned int index, int expected)
{
	return index < sim.result_count && sim.results[index] == expected;
}

static bool all_wait_in(const struct cell *cell)
{
	return sim_waits(1, cell) && sim_waits(2, cell) && sim_waits(3, cell);
}

static bool launch_is(unsigned int index, unsigned int cpu, bool by_sipi, uint64_t address)
{
	const struct sim_launch *launch = &sim.launches[index];

	return index < sim.launch_count && launch->cpu == cpu && launch->cell == 1 &&
	       launch->by_sipi == by_sipi && launch->address == address;
}

/* ---- Take and start ---- */

static void take_and_start_run_every_cpu_at_reset(void)
{
	started_x();
	CHECK(result_is(0, 0) && result_is(1, 0));
	CHECK(sim.launch_count == 3 && launch_is(0, 1, false, RESET_ADDRESS) &&
	      launch_is(1, 2, false, RESET_ADDRESS) && launch_is(2, 3, false, RESET_ADDRESS));
	CHECK(sim_runs(1, sim_x()) && sim_runs(2, sim_x()) && sim_runs(3, sim_x()));
	CHECK(clean());
}

static void the_inmates_init_and_startup_ipis_restart_cpus_started_at_reset(void)
{
	running_x(0);
	CHECK(sim.launch_count == FIRST_SIPI_LAUNCH);
	CHECK(sim_runs(1, sim_x()) && sim_waits(2, sim_x()) && sim_waits(3, sim_x()));
	CHECK(sim.cpu[2].wait == SIM_HALTED && sim.cpu[3].wait == SIM_HALTED);
	CHECK(clean());

	running_x(0xc);
	CHECK(sim.launch_count == FIRST_SIPI_LAUNCH + 2 &&
	      launch_is(FIRST_SIPI_LAUNCH, 2, true, VECTOR) &&
	      launch_is(FIRST_SIPI_LAUNCH + 1, 3, true, VECTOR));
	CHECK(sim_runs(2, sim_x()) && sim_runs(3, sim_x()));
	CHECK(clean());
}

/*
 * An INIT the inmate sends a sibling before that sibling took its start
 * voids the start: the sibling waits for a startup IPI, as a CPU after
 * INIT does (SDM Vol. 3A, 8.4), and is not launched at the reset address.
 */
static void an_init_before_the_start_is_taken_voids_the_start(void)
{
	sim_reset(X_CPUS, 0);
	sim_do(0, ACT_TAKE, sim_x(), 0);
	sim_go();
	sim.cpu[3].frozen = true;
	sim_do(0, ACT_START, sim_x(), 0);
	sim_go();
	sim_do(1, ACT_ICR, NULL, ICR_INIT_TO(3));
	sim_go();
	sim.cpu[3].frozen = false;
	sim_go();
	CHECK(sim_launches(3, 1) == 0 && sim_waits(3, sim_x()) && sim_area[3].arch.wait_for_sipi);
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, VECTOR));
	sim_go();
	CHECK(sipi_launches(3) == 1 && sim_runs(3, sim_x()));
	CHECK(clean());
}

/* ---- A startup IPI against a stop ---- */

/*
 * The inmate on CPU 2 sends CPU 3 (waiting for it) a startup IPI at every
 * point of a stop: before the hold, between the kicks, while the stop
 * waits for each CPU; CPU 3 looks at it at once, or when the default order
 * gets to it.  CPU 3 ran before the hold (and is stopped like the others),
 * or refused the startup IPI, or its sender dropped it: the stop succeeds
 * each time, and each of the three happens.
 */
static void a_startup_ipi_at_any_point_of_a_stop_starts_no_stopped_cpu(void)
{
	unsigned int at, at_once, ran = 0, refused = 0, dropped = 0;

	for (at_once = 0; at_once < 2; at_once++) {
		for (at = 0; at < 400; at++) {
			running_x(0x4);
			sim_do(0, ACT_STOP, sim_x(), 0);
			sim_do(2, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
			sim_go_for(at);
			if (!sim_step_as(2, SIM_PLAIN))
				break;
			sim_run(2);
			if (at_once)
				sim_run(3);
			sim_go();
			CHECK(result_is(FIRST_RESULT, 0) && all_wait_in(sim_x()));
			CHECK(clean());
			if (sipi_launches(3))
				ran++;
			else if (sim.cpu[3].seen_pending & PENDING_CELL_SIPI)
				refused++;
			else
				dropped++;
		}
		CHECK(at > 10);
	}
	CHECK(ran && refused && dropped);
}

/*
 * What the stop walks past stays stopped: CPU 3's inmate checked the hold
 * for its startup IPI to CPU 2 before the stop set it, and posts it once
 * the stop counted CPU 2 as stopped and waits for CPU 3.
 */
static void a_cpu_counted_stopped_is_not_started_again_by_a_higher_one(void)
{
	running_x(0xc);
	sim_do(3, ACT_ICR, NULL, ICR_INIT_TO(2));
	CHECK(sim_step_as(3, SIM_PLAIN));
	sim_run(3);
	sim_run(2);
	CHECK(sim_waits(2, sim_x()) && sim_area[2].arch.wait_for_sipi);
	sim.cpu[2].seen_pending = 0;
	sim_do(3, ACT_ICR, NULL, ICR_SIPI_TO(2, OTHER_VECTOR));
	CHECK(sim_step_as(3, SIM_PLAIN));
	CHECK(sim_until(3, &sim_area[2].arch.pending, NULL));
	sim.cpu[3].frozen = true;
	sim_do(0, ACT_STOP, sim_x(), 0);
	sim_settle(true);
	/* The stop looks at CPU 3 now: CPUs 1 and 2 are behind it. */
	CHECK(sim.cpu[0].address == &sim_area[3].arch.phase);
	CHECK(sim.cpu[2].stopped_for == sim_x() && sim.cpu[2].wait == SIM_HALTED);
	sim.cpu[3].frozen = false;
	sim_go();
	/* The startup IPI reached CPU 2, which refused it. */
	CHECK(sim.cpu[2].seen_pending & PENDING_CELL_SIPI);
	CHECK(result_is(FIRST_RESULT, 0) && all_wait_in(sim_x()));
	CHECK(sipi_launches(2) == 1);
	CHECK(clean());
}

/*
 * A stopped CPU that refuses a startup IPI says "cell" for a moment
 * (may_run_cell()).  The stop, which saw it waiting, must not count it as
 * a CPU that did not stop when it looks again in that moment: no time
 * passed, and the CPU never ran.
 */
static void a_stopped_cpu_refusing_a_startup_ipi_does_not_fail_the_stop(void)
{
	const volatile uint32_t *phase = &sim_area[3].arch.phase;

	running_x(0x4);
	sim.cpu[3].frozen = true;
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
	sim_go();
	sim_do(0, ACT_STOP, sim_x(), 0);
	CHECK(sim_until(0, &sim_area[1].arch.phase, "load"));
	sim_run(1);
	sim_run(2);
	/* The stop looks at CPU 3 and finds it waiting. */
	CHECK(sim_until(0, phase, "load"));
	sim_steps(0, 1);
	sim.cpu[3].frozen = false;
	CHECK(sim_step_as(3, SIM_NMI));
	CHECK(sim_until(3, phase, "store") && sim_until(3, phase, "store"));
	CHECK(*phase == PHASE_CELL && !sim_area[3].arch.launched);
	sim_run(0);
	sim_go();
	CHECK(result_is(FIRST_RESULT, 0) && !sim_logged("did not stop"));
	CHECK(sim.clock == 0 && all_wait_in(sim_x()) && sipi_launches(3) == 0);
	CHECK(clean());
}

/* The same with the hold seen: the startup IPI never reaches CPU 2. */
static void a_startup_ipi_from_a_held_cell_is_dropped_by_its_sender(void)
{
	running_x(0xc);
	sim.cpu[2].frozen = true;
	sim_do(0, ACT_STOP, sim_x(), 0);
	sim_do(3, ACT_ICR, NULL, ICR_SIPI_TO(2, OTHER_VECTOR));
	CHECK(sim_until(0, &sim_area[1].arch.pending, NULL));
	CHECK(sim_x()->arch.held);
	CHECK(sim_step_as(3, SIM_PLAIN));
	CHECK(sim_until(3, &sim_area[3].arch.pending, "and"));
	CHECK(!(sim_area[2].arch.pending & PENDING_CELL_SIPI));
	sim.cpu[2].frozen = false;
	sim_go();
	CHECK(result_is(FIRST_RESULT, 0) && all_wait_in(sim_x()));
	CHECK(sipi_launches(2) == 1);
	CHECK(clean());
}

/* ---- INIT and startup IPIs between the CPUs of a running cell ---- */

/* INIT and a startup IPI pending together: the target starts once, at the startup IPI. */
static void init_and_startup_ipi_pending_together_start_the_cpu_once(void)
{
	uint64_t started;

	for (started = 0x4; started <= 0xc; started += 0x8) {
		running_x(started);
		sim.cpu[3].frozen = true;
		sim_do(1, ACT_ICR, NULL, ICR_INIT_TO(3));
		sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
		sim_go();
		CHECK((sim_area[3].arch.pending & (PENDING_CELL_INIT | PENDING_CELL_SIPI)) ==
		      (PENDING_CELL_INIT | PENDING_CELL_SIPI));
		sim.cpu[3].frozen = false;
		sim_go();
		CHECK(sipi_launches(3) == (started == 0xc ? 2U : 1U));
		CHECK(launch_is(sim.launch_count - 1, 3, true, OTHER_VECTOR));
		CHECK(sim_runs(3, sim_x()));
		CHECK(clean());
	}
}

/*
 * INIT and a startup IPI land while the running target drops a stale kick
 * (drop_stale_work()'s compare-and-swap fails): neither is dropped, and
 * the target starts again at the startup IPI.
 */
static void init_and_startup_ipi_landing_while_stale_work_is_dropped_restart_the_cpu(void)
{
	running_x(0xc);
	sim_post(0, 3, PENDING_KICK);
	sim_run(0);
	CHECK(sim_step_as(3, SIM_NMI));
	CHECK(sim_until(3, &sim_area[3].arch.pending, "cas"));
	sim_do(1, ACT_ICR, NULL, ICR_INIT_TO(3));
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
	sim_run(1);
	sim_go();
	CHECK(sipi_launches(3) == 2 && launch_is(sim.launch_count - 1, 3, true, OTHER_VECTOR));
	CHECK(sim_runs(3, sim_x()));
	CHECK(clean());
}

/* INIT, startup, startup: one start, whether the second comes before or after it. */
static void two_startup_ipis_start_the_cpu_once(void)
{
	unsigned int frozen;

	for (frozen = 0; frozen < 2; frozen++) {
		running_x(0x4);
		sim.cpu[3].frozen = frozen;
		sim_do(1, ACT_ICR, NULL, ICR_INIT_TO(3));
		sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
		sim_go();
		sim.cpu[3].frozen = false;
		sim_run(3);
		sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
		sim_go();
		CHECK(sipi_launches(3) == 1 && launch_is(sim.launch_count - 1, 3, true, OTHER_VECTOR));
		CHECK(sim_runs(3, sim_x()));
		CHECK(clean());
	}
}

/* After INIT the target waits for a startup IPI, and the next one starts it. */
static void check_waits_then_starts(unsigned int cpu, unsigned int launches)
{
	CHECK(sipi_launches(cpu) == launches);
	CHECK(sim_waits(cpu, sim_x()) && sim_area[cpu].arch.wait_for_sipi);
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(cpu, OTHER_VECTOR));
	sim_go();
	CHECK(sipi_launches(cpu) == launches + 1);
	CHECK(launch_is(sim.launch_count - 1, cpu, true, OTHER_VECTOR));
	CHECK(clean());
}

/*
 * A startup IPI reaches a running CPU, which ignores it; an INIT follows
 * (SDM Vol. 3A, 8.4.4.1 and 10.6.1: a startup IPI acts only on a CPU
 * waiting for one, an INIT puts it there).  Whenever the target looks at
 * them, the startup IPI is dropped, the INIT kept, and the CPU waits: the
 * target looks between the two; the INIT lands while drop_stale_work()
 * drops the startup IPI (its compare-and-swap fails); both are pending
 * before it looks.
 */
static void a_startup_ipi_to_a_running_cpu_is_dropped_and_an_init_after_it_kept(void)
{
	running_x(0xc);
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
	sim_go();
	CHECK(sim_runs(3, sim_x()) && sipi_launches(3) == 1);
	sim_do(1, ACT_ICR, NULL, ICR_INIT_TO(3));
	sim_go();
	check_waits_then_starts(3, 1);

	running_x(0xc);
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
	sim_run(1);
	CHECK(sim_step_as(3, SIM_NMI));
	CHECK(sim_until(3, &sim_area[3].arch.pending, "cas"));
	sim_do(1, ACT_ICR, NULL, ICR_INIT_TO(3));
	sim_run(1);
	sim_go();
	check_waits_then_starts(3, 1);

	running_x(0xc);
	sim.cpu[3].frozen = true;
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
	sim_do(1, ACT_ICR, NULL, ICR_INIT_TO(3));
	sim_go();
	sim.cpu[3].frozen = false;
	sim_go();
	check_waits_then_starts(3, 1);
}

/* ---- A startup IPI the stop left pending ---- */

/*
 * The inmate's startup IPI reaches CPU @target (waiting for one) just
 * before a stop, and the CPU looks at it only after the cell was started
 * again: it must not start then, before this run's inmate asks for it.
 */
static void stale_startup_ipi_across_a_restart(unsigned int target, unsigned int sender)
{
	running_x(0x4 | 1ULL << target);
	sim_do(sender, ACT_ICR, NULL, ICR_INIT_TO(target));
	sim_go();
	sim.cpu[target].frozen = true;
	sim_do(sender, ACT_ICR, NULL, ICR_SIPI_TO(target, OTHER_VECTOR));
	sim_go();
	sim_do(0, ACT_STOP, sim_x(), 0);
	sim_go();
	CHECK(result_is(FIRST_RESULT, 0) && all_wait_in(sim_x()));
	sim_do(0, ACT_START, sim_x(), 0);
	sim_go();
	sim.cpu[target].frozen = false;
	sim_go();
	CHECK(!sim.violation[0]);
	/* Both starts at reset, and the stale startup IPI never acted. */
	CHECK(sipi_launches(target) == (target == 1 ? 0U : 1U));
	CHECK(sim_launches(target, 1) == sipi_launches(target) + 2);
	CHECK(clean());
}

static void a_startup_ipi_pending_at_a_stop_does_not_act_after_the_next_start(void)
{
	stale_startup_ipi_across_a_restart(3, 1);
	stale_startup_ipi_across_a_restart(1, 2);
}

/*
 * A CPU whose launch fails fails its cell and waits, so that destroy still
 * gets it back; only an INIT would make it wait for a startup IPI again.
 */
static void a_failed_launch_fails_the_cell_and_destroy_still_works(void)
{
	running_x(0x4);
	sim.cpu[3].launch_failures = 1;
	sim_do(1, ACT_ICR, NULL, ICR_INIT_TO(3));
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
	sim_go();
	CHECK(sim_logged("CPU 3: cannot start cell 1 (error -5)"));
	CHECK(sim_x()->phase == CELL_FAILED && sim_waits(3, sim_x()));
	CHECK(sim_area[3].public->state == BULKHEAD_CPU_STATE_FAILED);
	/* It took its startup IPI: another one without an INIT before it starts nothing. */
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
	sim_go();
	CHECK(sipi_launches(3) == 1 && sim_waits(3, sim_x()));
	sim_do(0, ACT_DESTROY, sim_x(), 0);
	sim_go();
	CHECK(result_is(FIRST_RESULT, 0) && sim_waits(3, &root_cell));
	CHECK(clean());
}

/* ---- Timeouts: a CPU that does not answer ---- */

static void a_cpu_that_does_not_answer_fails_the_release_until_it_does(void)
{
	running_x(0xc);
	sim_do(0, ACT_STOP, sim_x(), 0);
	sim_go();
	sim.cpu[3].frozen = true;
	sim_do(0, ACT_RELEASE, sim_x(), 0);
	sim_go();
	CHECK(result_is(FIRST_RESULT + 1, -ETIMEDOUT));
	CHECK(sim_logged("CPU 3 did not go back to the root cell by the deadline"));
	CHECK(sim_waits(1, &root_cell) && sim_waits(2, &root_cell) && sim_waits(3, sim_x()));
	sim.cpu[3].frozen = false;
	sim_go();
	CHECK(sim_waits(3, &root_cell));
	sim_do(0, ACT_RELEASE, sim_x(), 0);
	sim_go();
	CHECK(result_is(FIRST_RESULT + 2, 0));
	CHECK(clean());

	/* destroy_locked(): a failed release gives nothing back; a later destroy does. */
	running_x(0xc);
	sim.cpu[2].frozen = true;
	sim_do(0, ACT_DESTROY, sim_x(), 0);
	sim_go();
	CHECK(result_is(FIRST_RESULT, -ETIMEDOUT) && !sim.gone[0]);
	CHECK(sim_logged("CPU 2 did not stop by the deadline"));
	sim.cpu[2].frozen = false;
	sim_do(0, ACT_DESTROY, sim_x(), 0);
	sim_go();
	CHECK(result_is(FIRST_RESULT + 1, 0) && sim.gone[0]);
	CHECK(sipi_launches(2) == 1);
	CHECK(clean());
}

/* A CPU that stays in its inmate fails the stop; the hold keeps it out once it exits. */
static void a_cpu_that_does_not_stop_fails_the_stop_and_stays_held(void)
{
	running_x(0xc);
	sim.cpu[3].frozen = true;
	sim_do(0, ACT_STOP, sim_x(), 0);
	sim_go();
	CHECK(result_is(FIRST_RESULT, -ETIMEDOUT));
	CHECK(sim_logged("CPU 3 did not stop by the deadline"));
	CHECK(sim_runs(3, sim_x()) && sim_x()->arch.held);
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
	sim.cpu[3].frozen = false;
	sim_go();
	CHECK(sim_waits(3, sim_x()) && sipi_launches(3) == 1);
	sim_do(0, ACT_STOP, sim_x(), 0);
	sim_go();
	CHECK(result_is(FIRST_RESULT + 1, 0) && all_wait_in(sim_x()));
	CHECK(clean());
}

/*
 * The wait for a CPU that does not answer goes on across calls: each call
 * returns -EAGAIN once time moved (the hypercall's own bound), and the
 * operation fails only after its deadline.
 */
static void a_wait_that_times_out_spans_calls(void)
{
	running_x(0xc);
	sim.cpu[3].frozen = true;
	sim_do(0, ACT_STOP, sim_x(), 0);
	sim_go();
	CHECK(result_is(FIRST_RESULT, -ETIMEDOUT));
	CHECK(sim.agains >= 1 && sim.clock > (uint64_t)SIM_TSC_KHZ * ARCH_ANSWER_MS);
	/* No call waited through more than one passing of time. */
	CHECK(sim.longest_call <= (uint64_t)SIM_TSC_KHZ * ARCH_ANSWER_MS * 3 / 5);
	CHECK(sim_logged("CPU 3 did not stop by the deadline"));
	sim.cpu[3].frozen = false;
	sim_go();
	CHECK(sim_waits(3, sim_x()));
	CHECK(clean());
}

/* A CPU that answers with the clock at the deadline, in a later call, is in time. */
static void a_cpu_answering_at_the_deadline_is_in_time(void)
{
	uint64_t deadline = (uint64_t)SIM_TSC_KHZ * ARCH_ANSWER_MS;

	running_x(0xc);
	sim.cpu[3].frozen = true;
	sim_do(0, ACT_STOP, sim_x(), 0);
	sim_settle(true);
	CHECK(sim.cpu[0].wait == SIM_SPIN);
	sim.clock = deadline;
	sim.steps++;
	sim_settle(true);
	CHECK(sim.agains >= 1 && sim.result_count == FIRST_RESULT);
	sim.cpu[3].frozen = false;
	sim_go();
	CHECK(result_is(FIRST_RESULT, 0) && !sim_logged("did not stop"));
	CHECK(all_wait_in(sim_x()) && clean());
}

/* One that answers after the deadline passed, before the wait's last look, is in time too. */
static void a_cpu_answering_before_the_last_look_is_in_time(void)
{
	running_x(0xc);
	sim.cpu[3].frozen = true;
	sim_do(0, ACT_STOP, sim_x(), 0);
	sim_settle(true);
	sim.clock = (uint64_t)SIM_TSC_KHZ * ARCH_ANSWER_MS + 1;
	sim.steps++;
	CHECK(sim_until(0, &sim_area[3].arch.phase, "load"));
	sim.cpu[3].frozen = false;
	sim_run(3);
	CHECK(sim_waits(3, sim_x()));
	sim_go();
	CHECK(result_is(FIRST_RESULT, 0) && !sim_logged("did not stop"));
	CHECK(clean());
}

/* ---- Holding the root CPUs while the root cell's EPT changes ---- */

/* Every other root CPU that runs Linux is held at the change and flushes before it runs again. */
static void a_root_change_holds_the_other_root_cpus(void)
{
	unsigned int cpu;

	sim_reset(X_CPUS, 0);
	sim_do(0, ACT_ROOT_CHANGE, NULL, 0);
	sim_go();
	CHECK(result_is(0, 0) && sim.held_at_change == X_CPUS && sim.flushed);
	for (cpu = 1; cpu < SIM_CPUS; cpu++)
		CHECK(sim.cpu[cpu].seen_pending & PENDING_HOLD && sim_runs(cpu, &root_cell));
	CHECK(sim.clock == 0 && clean());
}

/* One that does not come is not waited for past the bound; it takes the flush when it comes. */
static void a_root_cpu_late_for_the_hold_does_not_stop_the_change(void)
{
	sim_reset(X_CPUS, 0);
	sim.cpu[3].frozen = true;
	sim_do(0, ACT_ROOT_CHANGE, NULL, 0);
	sim_go();
	CHECK(result_is(0, 0) && sim.held_at_change == 0x6 && !sim.flushed);
	CHECK(sim_logged("CPU 3 did not stop for a change of the root cell by the deadline"));
	CHECK(sim_area[3].arch.pending & PENDING_FLUSH_EPT);
	sim.cpu[3].frozen = false;
	sim_go();
	CHECK(!(sim_area[3].arch.pending & (PENDING_FLUSH_EPT | PENDING_HOLD)));
	CHECK(sim_runs(3, &root_cell) && clean());
}

/*
 * A root CPU that answers a take only after the take timed out and the
 * cell was destroyed stays Linux's: it neither joins the freed cell nor
 * ignores Linux's INIT and startup IPI from then on.
 */
static void a_cpu_late_for_its_take_stays_with_linux_after_the_destroy(void)
{
	sim_reset(X_CPUS, 0);
	sim.cpu[3].frozen = true;
	sim_do(0, ACT_TAKE, sim_x(), 0);
	sim_do(0, ACT_DESTROY, sim_x(), 0);
	sim_go();
	CHECK(result_is(0, -ETIMEDOUT) && result_is(1, 0) && sim.gone[0]);
	CHECK(sim_logged("CPU 3 did not leave the root cell by the deadline"));
	sim.cpu[3].frozen = false;
	sim_go();
	CHECK(!sim.violation[0] && sim_area[3].cell == &root_cell);
	sim_do(0, ACT_ICR, NULL, ICR_INIT_TO(3));
	sim_do(0, ACT_ICR, NULL, ICR_SIPI_TO(3, VECTOR));
	sim_go();
	CHECK(sim_launches(3, 0) == 1);
	CHECK(clean());
}

/* ---- Requests of the other side, left over ---- */

/* Linux's INIT and startup IPI reach CPU 3 just before a take: the CPU does not start Linux. */
static void linux_requests_on_a_cell_cpu_are_dropped_and_it_halts(void)
{
	sim_reset(X_CPUS, 0x8);
	sim_go();
	sim.cpu[3].frozen = true;
	sim_do(0, ACT_ICR, NULL, ICR_INIT_TO(3));
	sim_do(0, ACT_ICR, NULL, ICR_SIPI_TO(3, VECTOR));
	sim_do(0, ACT_TAKE, sim_x(), 0);
	sim_settle(true);
	CHECK((sim_area[3].arch.pending & (PENDING_ROOT_INIT | PENDING_ROOT_SIPI | PENDING_TAKE)) ==
	      (PENDING_ROOT_INIT | PENDING_ROOT_SIPI | PENDING_TAKE));
	sim.cpu[3].frozen = false;
	sim_go();
	CHECK(result_is(0, 0) && all_wait_in(sim_x()));
	CHECK(sim.cpu[3].wait == SIM_HALTED && sim.launch_count == 0);
	CHECK(clean());

	/* A running cell CPU drops them before its next entry. */
	running_x(0xc);
	sim_post(0, 3, PENDING_ROOT_INIT | PENDING_ROOT_SIPI);
	sim_go();
	CHECK(sim_runs(3, sim_x()) && sipi_launches(3) == 1 && sim_launches(3, 0) == 0);
	CHECK(clean());
}

/* The cell's requests reaching a CPU back with Linux are dropped; Linux's own start it. */
static void cell_requests_on_a_released_cpu_are_dropped_and_it_halts(void)
{
	running_x(0xc);
	sim_do(0, ACT_DESTROY, sim_x(), 0);
	sim_go();
	CHECK(result_is(FIRST_RESULT, 0));
	sim_post(0, 3, PENDING_CELL_INIT | PENDING_CELL_SIPI | PENDING_START | PENDING_KICK |
		 PENDING_RELEASE);
	sim_go();
	CHECK(sim_waits(3, &root_cell) && sim.cpu[3].wait == SIM_HALTED);
	CHECK(sipi_launches(3) == 1 && sim_launches(3, 0) == 0);
	sim_do(0, ACT_ICR, NULL, ICR_INIT_TO(3));
	sim_do(0, ACT_ICR, NULL, ICR_SIPI_TO(3, VECTOR));
	sim_go();
	CHECK(sim_launches(3, 0) == 1 && sim_last_launch()->by_sipi &&
	      sim_last_launch()->address == VECTOR);
	CHECK(clean());
}

/* ---- Hypervisor NMIs ---- */

/* Work posted while an NMI is on its way rides on it; the next post after it arrived sends one. */
static void one_hypervisor_nmi_in_flight_carries_all_work(void)
{
	unsigned int sent, delivered;

	running_x(0xc);
	sent = sim.cpu[2].hv_nmis_sent;
	delivered = sim.cpu[2].guest_nmis;
	sim.cpu[2].frozen = true;
	sim_do(1, ACT_ICR, NULL, ICR_NMI_TO(2));
	sim_do(1, ACT_ICR, NULL, ICR_NMI_TO(2));
	sim_do(3, ACT_ICR, NULL, ICR_NMI_TO(2));
	sim_go();
	CHECK(sim.cpu[2].hv_nmis_sent == sent + 1 && sim_area[2].arch.nmi_in_flight);
	sim.cpu[2].frozen = false;
	sim_go();
	/* The hypervisor's NMI is not the guest's: one NMI for the three that were coalesced. */
	CHECK(sim.cpu[2].guest_nmis == delivered + 1);
	sim_do(1, ACT_ICR, NULL, ICR_NMI_TO(2));
	sim_go();
	CHECK(sim.cpu[2].hv_nmis_sent == sent + 2 && sim.cpu[2].guest_nmis == delivered + 2);
	CHECK(clean());
}

/*
 * The hypervisor's NMI that carries other work (a root EPT flush, a stale
 * kick) is no NMI of the guest's, whether it makes the guest exit or
 * arrives while the CPU is in the hypervisor.
 */
static void a_hypervisor_nmi_for_other_work_reaches_no_guest(void)
{
	running_x(0xc);
	sim_post(0, 2, PENDING_FLUSH_EPT);
	sim_post(0, 3, PENDING_KICK);
	sim_go();
	CHECK(sim.cpu[2].guest_nmis == 0 && sim.cpu[3].guest_nmis == 0);
	CHECK(sim.cpu[2].hv_nmis_sent && sim.cpu[3].hv_nmis_sent);
	CHECK(clean());

	/* The NMI arrives in the hypervisor, between an exit for an ICR write and the entry. */
	running_x(0xc);
	sim_do(2, ACT_ICR, NULL, ICR_INIT_DEASSERT_TO(3));
	CHECK(sim_step_as(2, SIM_PLAIN));
	sim_post(0, 2, PENDING_FLUSH_EPT);
	sim_run(0);
	CHECK(sim_step_as(2, SIM_NMI));
	sim_go();
	CHECK(sim.cpu[2].guest_nmis == 0 && sim_runs(2, sim_x()));
	CHECK(clean());
}

/* An NMI with none of the hypervisor's in flight is the guest's; a waiting CPU has no guest. */
static void an_nmi_with_none_in_flight_is_the_guests(void)
{
	running_x(0x4);
	sim_external_nmi(2);
	sim_external_nmi(3);
	sim_go();
	CHECK(sim.cpu[2].guest_nmis == 1 && sim.cpu[3].guest_nmis == 0);
	CHECK(sim.cpu[3].wait == SIM_HALTED && sipi_launches(3) == 0);
	CHECK(clean());

	/* Behind a hypervisor NMI: the two are told apart by count, and both are accounted for. */
	running_x(0xc);
	sim.cpu[2].frozen = true;
	sim_do(1, ACT_ICR, NULL, ICR_NMI_TO(2));
	sim_go();
	sim_external_nmi(2);
	sim.cpu[2].frozen = false;
	sim_go();
	CHECK(sim.cpu[2].guest_nmis == 2);
	CHECK(clean());
}

/* ---- Every order within a bound ---- */

/* How often each order may leave the default one: every order with two such choices is run. */
#define DELAYS		2

static unsigned long orders;

/* CPU 2's and CPU 1's inmates start CPU 3 while the cell is stopped. */
static void stop_against_startup_ipis(void)
{
	running_x(0x4);
	sim_do(0, ACT_STOP, sim_x(), 0);
	sim_do(2, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, VECTOR));
}

static void check_stopped(void)
{
	if (!result_is(FIRST_RESULT, 0) || !all_wait_in(sim_x()))
		sim_violation("the stop did not stop every CPU");
}

static void every_order_of_a_stop_against_startup_ipis_keeps_stopped_cpus_stopped(void)
{
	unsigned long runs = sim_explore(stop_against_startup_ipis, check_stopped, DELAYS);

	orders += runs;
	CHECK(!sim.violation[0] && runs > 1000);
}

/* The same with CPU 1's startup IPI to CPU 3 already pending when the stop begins. */
static void stop_against_a_pending_startup_ipi(void)
{
	running_x(0x4);
	sim.cpu[3].frozen = true;
	sim_do(1, ACT_ICR, NULL, ICR_SIPI_TO(3, VECTOR));
	sim_go();
	sim.cpu[3].frozen = false;
	sim_do(0, ACT_STOP, sim_x(), 0);
	sim_do(2, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
}

static void every_order_of_a_stop_against_a_pending_startup_ipi_stops_the_cell(void)
{
	unsigned long runs = sim_explore(stop_against_a_pending_startup_ipi, check_stopped, DELAYS);

	orders += runs;
	CHECK(!sim.violation[0] && runs > 1000);
}

/* CPUs 2 and 3 restart each other (INIT, startup IPI) while the cell is destroyed. */
static void destroy_against_a_restart_loop(void)
{
	running_x(0xc);
	sim_do(0, ACT_DESTROY, sim_x(), 0);
	sim_do(2, ACT_ICR, NULL, ICR_INIT_TO(3));
	sim_do(2, ACT_ICR, NULL, ICR_SIPI_TO(3, OTHER_VECTOR));
	sim_do(3, ACT_ICR, NULL, ICR_INIT_TO(2));
	sim_do(3, ACT_ICR, NULL, ICR_SIPI_TO(2, OTHER_VECTOR));
}

static void check_destroyed(void)
{
	unsigned int cpu;

	for (cpu = 1; cpu < SIM_CPUS; cpu++)
		if (!sim_waits(cpu, &root_cell))
			sim_violation("CPU %u is not back with the root cell", cpu);
	if (!result_is(FIRST_RESULT, 0) || !sim.gone[0])
		sim_violation("the destroy failed");
}

static void every_order_of_a_destroy_against_a_restart_loop_gives_every_cpu_back(void)
{
	unsigned long runs = sim_explore(destroy_against_a_restart_loop, check_destroyed, DELAYS);

	orders += runs;
	CHECK(!sim.violation[0] && runs > 1000);
}

/* CPUs 1 and 3 send CPU 2 an NMI each while CPU 3 is also told to flush. */
static unsigned int nmis_before;

static void nmis_against_each_other(void)
{
	running_x(0xc);
	nmis_before = sim.cpu[2].guest_nmis;
	sim_do(1, ACT_ICR, NULL, ICR_NMI_TO(2));
	sim_do(3, ACT_ICR, NULL, ICR_NMI_TO(2));
	sim_post(0, 3, PENDING_FLUSH_EPT);
}

/* Two NMIs for the guest: one delivery if they met in the pending word, else two. */
static void check_nmis(void)
{
	unsigned int delivered = sim.cpu[2].guest_nmis - nmis_before;

	if (delivered < 1 || delivered > 2)
		sim_violation("%u NMIs reached the guest of CPU 2", delivered);
}

static void every_order_of_nmis_and_posts_loses_no_work(void)
{
	unsigned long runs = sim_explore(nmis_against_each_other, check_nmis, DELAYS);

	orders += runs;
	CHECK(!sim.violation[0] && runs > 100);
}

int main(void)
{
	RUN(take_and_start_run_every_cpu_at_reset);
	RUN(the_inmates_init_and_startup_ipis_restart_cpus_started_at_reset);
	RUN(an_init_before_the_start_is_taken_voids_the_start);
	RUN(a_startup_ipi_at_any_point_of_a_stop_starts_no_stopped_cpu);
	RUN(a_cpu_counted_stopped_is_not_started_again_by_a_higher_one);
	RUN(a_stopped_cpu_refusing_a_startup_ipi_does_not_fail_the_stop);
	RUN(a_startup_ipi_from_a_held_cell_is_dropped_by_its_sender);
	RUN(init_and_startup_ipi_pending_together_start_the_cpu_once);
	RUN(init_and_startup_ipi_landing_while_stale_work_is_dropped_restart_the_cpu);
	RUN(two_startup_ipis_start_the_cpu_once);
	RUN(a_startup_ipi_to_a_running_cpu_is_dropped_and_an_init_after_it_kept);
	RUN(a_startup_ipi_pending_at_a_stop_does_not_act_after_the_next_start);
	RUN(a_failed_launch_fails_the_cell_and_destroy_still_works);
	RUN(a_cpu_that_does_not_answer_fails_the_release_until_it_does);
	RUN(a_cpu_that_does_not_stop_fails_the_stop_and_stays_held);
	RUN(a_cpu_late_for_its_take_stays_with_linux_after_the_destroy);
	RUN(a_root_change_holds_the_other_root_cpus);
	RUN(a_root_cpu_late_for_the_hold_does_not_stop_the_change);
	RUN(a_wait_that_times_out_spans_calls);
	RUN(a_cpu_answering_at_the_deadline_is_in_time);
	RUN(a_cpu_answering_before_the_last_look_is_in_time);
	RUN(linux_requests_on_a_cell_cpu_are_dropped_and_it_halts);
	RUN(cell_requests_on_a_released_cpu_are_dropped_and_it_halts);
	RUN(one_hypervisor_nmi_in_flight_carries_all_work);
	RUN(a_hypervisor_nmi_for_other_work_reaches_no_guest);
	RUN(an_nmi_with_none_in_flight_is_the_guests);
	RUN(every_order_of_a_stop_against_startup_ipis_keeps_stopped_cpus_stopped);
	RUN(every_order_of_a_stop_against_a_pending_startup_ipi_stops_the_cell);
	RUN(every_order_of_a_destroy_against_a_restart_loop_gives_every_cpu_back);
	RUN(every_order_of_nmis_and_posts_loses_no_work);
	printf("control: %lu orders explored\n", orders);
	return unit_report("control");
}
