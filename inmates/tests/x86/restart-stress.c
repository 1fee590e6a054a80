// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * restart-stress: the cell's two CPUs restart each other with INIT and
 * startup IPIs (x2APIC ICR, physical destination) for as long as they run,
 * a stress for stopping and destroying the cell.
 *
 * Each CPU loops sending INIT, then a startup IPI, to the other.  A CPU
 * restarted that way lands in a real-mode stub (restart-stub.S) that does
 * the same once to the other CPU and halts, so the two keep restarting
 * each other.  The boot CPU reports before the sibling begins, since the
 * sibling's first INIT resets it.  Every
 * round is counted in the page restart-stress.h names, which the scenario
 * reads from Linux after destroy: it must not change any more.
 *
 * Command line: run=N (a number for the output, 0), delay-us=N (0: the
 * pause after each INIT and each startup IPI; without one the CPUs spend
 * most of their time in the hypervisor's ICR exits, where the races are),
 * and the library's shutdown policy (deny-shutdown, no-reply).  Output,
 * on the boot CPU:
 *   restart-stress: run N: CPUs A and B restart each other
 */
#include <inmate.h>

#include "restart-stress.h"

#define NAME			"restart-stress"
#define X2APIC_ICR		0x830
#define ICR_INIT_ASSERT		0x4500U
#define ICR_STARTUP_ASSERT	0x4600U
/* How long the sibling may take to begin its loop. */
#define SIBLING_TIMEOUT_MS	2000

extern const char restart_stub_start[], restart_stub_end[];
extern const char restart_stub_apic_a[], restart_stub_apic_b[], restart_stub_sipi[];

static volatile uint32_t *const counters = (volatile uint32_t *)RESTART_COUNTER_PAGE;
static uint32_t sipi_command;
static char *stub_page;
static uint64_t delay_after_ipi_us;
/* Set once the stub knows both APIC IDs: only then may the sibling begin. */
static volatile bool go;

/* One round: INIT, then a startup IPI into the stub page. */
static void restart(uint32_t apic_id)
{
	wrmsr(X2APIC_ICR, ((uint64_t)apic_id << 32) | ICR_INIT_ASSERT);
	if (delay_after_ipi_us)
		delay_us(delay_after_ipi_us);
	wrmsr(X2APIC_ICR, ((uint64_t)apic_id << 32) | sipi_command);
	if (delay_after_ipi_us)
		delay_us(delay_after_ipi_us);
}

static void count_round(unsigned int index)
{
	__atomic_fetch_add(&counters[RESTART_LOOPS_OFFSET / 4 + index], 1, __ATOMIC_RELAXED);
}

static void sibling_main(unsigned int index)
{
	uint32_t other = smp_cpu_apic_id(0);

	while (!go)
		cpu_relax();
	for (;;) {
		restart(other);
		count_round(index);
	}
}

/* The stub in a page of its own below 1 MiB, with this CPU's APIC ID and the startup IPI filled in. */
static bool stub_install(uint32_t apic_a)
{
	size_t size = (size_t)(restart_stub_end - restart_stub_start);

	stub_page = mem_alloc(4096, 4096);
	if (!stub_page || (uintptr_t)stub_page >= 0x100000) {
		printk(NAME ": no page below 1 MiB for the real-mode stub\n");
		return false;
	}
	memcpy(stub_page, restart_stub_start, size);
	sipi_command = ICR_STARTUP_ASSERT | (uint32_t)((uintptr_t)stub_page >> 12);
	memcpy(stub_page + (restart_stub_apic_a - restart_stub_start), &apic_a, 4);
	memcpy(stub_page + (restart_stub_sipi - restart_stub_start), &sipi_command, 4);
	return true;
}

static void stub_set_sibling(uint32_t apic_b)
{
	memcpy(stub_page + (restart_stub_apic_b - restart_stub_start), &apic_b, 4);
}

static bool sibling_loops(void)
{
	uint64_t deadline = tsc_read() + ns_to_tsc(SIBLING_TIMEOUT_MS * 1000000ULL);

	while (!counters[RESTART_LOOPS_OFFSET / 4 + 1])
		if ((int64_t)(tsc_read() - deadline) >= 0)
			return false;
	return true;
}

void inmate_main(void)
{
	enum shutdown_policy policy = shutdown_policy_from_cmdline();
	long long run = cmdline_parse_int("run", 0);
	long long delay = cmdline_parse_int("delay-us", 0);
	uint32_t self = cpu_id(), other;

	delay_after_ipi_us = delay > 0 && delay < 1000000 ? (uint64_t)delay : 0;
	memset((void *)counters, 0, 4096);
	if (!stub_install(self))
		return;
	if (smp_start_cpus(sibling_main) != 2) {
		printk(NAME ": run %lld: the second CPU did not start\n", run);
		return;
	}
	other = smp_cpu_apic_id(1);
	stub_set_sibling(other);
	/*
	 * Said before the sibling begins: its first INIT resets this CPU
	 * (SDM Vol. 3A, 10.4.7.3), which from then on only runs the stub.
	 */
	printk(NAME ": run %lld: CPUs %u and %u restart each other\n", run, self, other);
	barrier();
	go = true;
	if (!sibling_loops()) {
		printk(NAME ": run %lld: CPU %u started but does not loop\n", run, other);
		return;
	}
	for (;;) {
		comm_answer_shutdown(NAME, policy);
		restart(other);
		count_round(0);
	}
}
