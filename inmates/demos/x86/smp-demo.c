// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* smp-demo: every cell CPU reports in, each sends an IPI to every other, then the boot CPU idles answering shutdown. */
#include <inmate.h>

#define NAME		"smp-demo"
#define IPI_VECTOR	0x40
/* How long the exchange may take before the demo reports it incomplete. */
#define EXCHANGE_TIMEOUT_MS	2000

/*
 * Phases: each started CPU registers its handler, enables interrupts and
 * counts itself ready; the boot CPU then opens the exchange, and every CPU
 * sends one IPI to each other CPU and counts itself done once it has
 * received one from each.
 */
static volatile unsigned int ready_cpus;
static volatile bool exchange_open;
static volatile unsigned int done_cpus;
static volatile unsigned int received[INMATE_MAX_CPUS];

static void ipi_received(unsigned int vector)
{
	(void)vector;
	__atomic_fetch_add(&received[smp_cpu_index()], 1, __ATOMIC_RELAXED);
}

static bool before(uint64_t deadline)
{
	return (int64_t)(tsc_read() - deadline) < 0;
}

/* Sends to every other CPU and waits, bounded, for one IPI from each. */
static void exchange_ipis(unsigned int index, unsigned int cpus)
{
	uint64_t deadline = tsc_read() + ns_to_tsc(EXCHANGE_TIMEOUT_MS * 1000000ULL);
	unsigned int other;

	for (other = 0; other < cpus; other++)
		if (other != index)
			apic_send_ipi(smp_cpu_apic_id(other), IPI_VECTOR);
	while (received[index] < cpus - 1 && before(deadline))
		cpu_relax();
	if (received[index] == cpus - 1)
		__atomic_fetch_add(&done_cpus, 1, __ATOMIC_RELEASE);
}

static void report_in(unsigned int index)
{
	printk(NAME ": CPU %u of %u online (APIC ID %u)\n", index + 1, smp_expected_cpus(),
	       cpu_id());
}

static void secondary_main(unsigned int index)
{
	report_in(index);
	irq_enable();
	__atomic_fetch_add(&ready_cpus, 1, __ATOMIC_RELEASE);
	while (!exchange_open)
		cpu_relax();
	exchange_ipis(index, smp_online_cpus());
	for (;;)
		cpu_wait_for_interrupt();
}

static bool wait_for_exchange(unsigned int cpus)
{
	uint64_t deadline = tsc_read() + ns_to_tsc(EXCHANGE_TIMEOUT_MS * 1000000ULL);

	while (done_cpus < cpus && before(deadline))
		cpu_relax();
	return done_cpus == cpus;
}

/* One line, so other CPUs' output cannot split it. */
static void report_incomplete(unsigned int cpus)
{
	char line[200];
	size_t length = 0;
	unsigned int index;

	length += (size_t)format_snprintf(line, sizeof(line), NAME ": IPI exchange incomplete:");
	for (index = 0; index < cpus && length < sizeof(line); index++)
		length += (size_t)format_snprintf(line + length, sizeof(line) - length,
						  " CPU %u got %u of %u", index + 1,
						  received[index], cpus - 1);
	printk("%s\n", line);
}

void inmate_main(void)
{
	enum shutdown_policy policy = shutdown_policy_from_cmdline();
	unsigned int expected = smp_expected_cpus(), cpus;
	uint64_t deadline;

	irq_register(IPI_VECTOR, ipi_received);
	report_in(0);
	cpus = smp_start_cpus(secondary_main);
	if (cpus < expected)
		printk(NAME ": only %u of %u CPUs came online\n", cpus, expected);
	deadline = tsc_read() + ns_to_tsc(EXCHANGE_TIMEOUT_MS * 1000000ULL);
	while (ready_cpus < cpus - 1 && before(deadline))
		cpu_relax();

	irq_enable();
	exchange_open = true;
	exchange_ipis(0, cpus);
	if (wait_for_exchange(cpus) && cpus == expected) {
		printk(NAME ": all %u CPUs exchanged IPIs\n", cpus);
	} else {
		report_incomplete(cpus);
	}
	irq_disable();

	for (;;) {
		comm_answer_shutdown(NAME, policy);
		cpu_relax();
	}
}
