// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tiny-demo: hello with its CPU number, a tick every 100 ms by the TSC, and an answer to the shutdown request. */
#include <inmate.h>

#define NAME		"tiny-demo"
#define TIMER_VECTOR	0x20

/*
 * Command line (inmates/README.md): tick-ms=N (100), timer (wait in HLT
 * for the APIC timer instead of polling the TSC), deny-shutdown, no-reply.
 */
static enum shutdown_policy policy;
static bool use_timer;
/* Set up once: asking CPUID on every tick would exit to the hypervisor each time. */
static bool deadline_mode;

static void timer_fired(unsigned int vector)
{
	(void)vector;
}

/*
 * Sets up the TSC-deadline timer, or the one-shot timer where the CPU has
 * no TSC deadline; polling the TSC when neither can be had.
 */
static void timer_setup(void)
{
	uint32_t measured = apic_timer_khz(), told = comm_region_valid() ? comm_region->apic_khz : 0;
	uint32_t difference = measured > told ? measured - told : told - measured;

	/* The hypervisor's rate, as a Jailhouse inmate would take it, against the library's. */
	printk(NAME ": APIC timer %u kHz, the comm region says %u kHz (%s)\n", measured, told,
	       told && difference * 50 <= measured ? "agree within 2%" : "differ");
	irq_register(TIMER_VECTOR, timer_fired);
	if (apic_timer_setup(APIC_TIMER_TSC_DEADLINE, TIMER_VECTOR) == 0) {
		deadline_mode = true;
		printk(NAME ": waiting in HLT for the TSC-deadline timer\n");
	} else if (apic_timer_setup(APIC_TIMER_ONESHOT, TIMER_VECTOR) == 0) {
		printk(NAME ": waiting in HLT for the one-shot APIC timer (%u kHz)\n",
		       apic_timer_khz());
	} else {
		printk(NAME ": no APIC timer, polling the TSC\n");
		use_timer = false;
	}
}

static void arm_timer(uint64_t deadline)
{
	uint64_t now = tsc_read();

	if (deadline_mode)
		apic_timer_deadline(deadline);
	else
		apic_timer_oneshot_ns(deadline > now ? tsc_to_ns(deadline - now) : 0);
}

/*
 * Until the TSC reaches DEADLINE, answering the hypervisor meanwhile.  The
 * timer is armed again before each HLT: a one-shot timer measured against
 * a slightly different rate may fire a little early.
 */
static void wait_until(uint64_t deadline)
{
	while ((int64_t)(tsc_read() - deadline) < 0) {
		comm_answer_shutdown(NAME, policy);
		if (use_timer) {
			arm_timer(deadline);
			cpu_wait_for_interrupt();
		} else {
			cpu_relax();
		}
	}
	comm_answer_shutdown(NAME, policy);
}

void inmate_main(void)
{
	long long tick_ms = cmdline_parse_int("tick-ms", 100);
	uint64_t period, next, last, now, tick;

	policy = shutdown_policy_from_cmdline();
	use_timer = cmdline_parse_bool("timer", false);
	if (tick_ms < 1 || tick_ms > 60000)
		tick_ms = 100;

	printk(NAME ": hello from CPU %u\n", cpu_id());
	printk(NAME ": TSC %u kHz (%s)\n", tsc_khz, tsc_rate_source_name());
	if (use_timer)
		timer_setup();

	period = ns_to_tsc((uint64_t)tick_ms * 1000000);
	last = tsc_read();
	next = last + period;
	for (tick = 1;; tick++) {
		wait_until(next);
		now = tsc_read();
		printk(NAME ": tick %lu, %lu us since the last\n", tick, tsc_to_ns(now - last) / 1000);
		last = now;
		next += period;
	}
}
