// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * isolation: attacks the walls of its own cell from inside and counts every
 * interrupt that reaches it; one result line per check, then a summary.
 */
#include "isolation.h"

/* How long a self-sent interrupt may take to arrive; generous for an emulator. */
#define SETTLE_US		2000
/* While idling: how often the inmate wakes to look for a shutdown request. */
#define IDLE_TICK_NS		10000000ULL
#define CR0_NW			(1ULL << 29)
#define CR0_CD			(1ULL << 30)

static unsigned int checks_run, checks_failed;
static enum shutdown_policy policy;

/* ---- results ---- */

void check_begin(struct check *check, const char *name)
{
	check->name = name;
	check->why[0] = '\0';
	check->length = 0;
	check->failed = false;
}

void check_fail(struct check *check, const char *format, ...)
{
	size_t used = check->length < sizeof(check->why) ? check->length : sizeof(check->why);
	va_list args;

	if (check->failed && used < sizeof(check->why))
		check->length += (size_t)format_snprintf(check->why + used,
							 sizeof(check->why) - used, "; ");
	used = check->length < sizeof(check->why) ? check->length : sizeof(check->why);
	va_start(args, format);
	check->length += (size_t)format_vsnprintf(check->why + used, sizeof(check->why) - used,
						  format, args);
	va_end(args);
	check->failed = true;
}

bool check_end(struct check *check)
{
	checks_run++;
	if (!check->failed) {
		printk(NAME ": %s: ok\n", check->name);
		return true;
	}
	checks_failed++;
	printk(NAME ": %s: FAILED %s%s\n", check->name, check->why,
	       check->length >= sizeof(check->why) ? "..." : "");
	return false;
}

/* ---- helpers the attacks share ---- */

void settle(void)
{
	irq_enable();
	delay_us(SETTLE_US);
	irq_disable();
}

uint64_t arrivals_total(void)
{
	uint64_t total = 0;
	unsigned int vector;

	for (vector = 0; vector <= IRQ_VECTOR_SPURIOUS; vector++)
		total += irq_count(vector);
	return total;
}

void expect_apic_works(struct check *check, uint32_t own_apic)
{
	uint32_t before = irq_count(VECTOR_APIC_WORKS), got;

	irq_expect(VECTOR_APIC_WORKS, true);
	if (!wrmsr_safe(X2APIC_ICR, ICR_DESTINATION(own_apic) | ICR_ASSERT |
			ICR_DELIVERY_MODE(ICR_MODE_FIXED) | VECTOR_APIC_WORKS))
		check_fail(check, "afterwards, an IPI to itself raised #GP");
	settle();
	irq_expect(VECTOR_APIC_WORKS, false);
	got = irq_count(VECTOR_APIC_WORKS) - before;
	if (got != 1)
		check_fail(check, "afterwards, an IPI to itself arrived %u times, not once", got);
}

/* ---- caches, hypercalls, CR0 ---- */

/* Whether the instruction completed; false when it raised #GP. */
static bool wbinvd_safe(void)
{
	bool ok = false;

	__asm__ __volatile__("1: wbinvd\n\tmovb $1, %b0\n2:\n\t" EXCEPTION_FIXUP(1b, 2b)
			     : "+r"(ok) : : "memory");
	return ok;
}

static bool invd_safe(void)
{
	bool ok = false;

	__asm__ __volatile__("1: invd\n\tmovb $1, %b0\n2:\n\t" EXCEPTION_FIXUP(1b, 2b)
			     : "+r"(ok) : : "memory");
	return ok;
}

/*
 * WBINVD and INVD act on caches other cells share; the hypervisor confines
 * them (INVD, which would drop other cells' dirty lines, is never done as
 * such).  The inmate only has to survive them.
 */
static void attack_caches(void)
{
	struct check check;

	check_begin(&check, "wbinvd");
	if (!wbinvd_safe())
		check_fail(&check, "WBINVD raised #GP");
	check_end(&check);
	check_begin(&check, "invd");
	if (!invd_safe())
		check_fail(&check, "INVD raised #GP");
	check_end(&check);
}

/* A cell may read facts about its own CPUs only (Documentation/hypercalls.md). */
static void attack_hypercalls(const struct isolation_target *target)
{
	long state, exits;
	struct check check;

	check_begin(&check, "cpu-info-foreign");
	state = hypercall2(BULKHEAD_HC_CPU_GET_INFO, target->foreign_cpu, BULKHEAD_CPU_INFO_STATE);
	exits = hypercall2(BULKHEAD_HC_CPU_GET_INFO, target->foreign_cpu,
			   BULKHEAD_CPU_INFO_STAT_BASE);
	if (state >= 0 || exits >= 0)
		check_fail(&check, "CPU %u: state %ld, exit count %ld; expected errors",
			   target->foreign_cpu, state, exits);
	check_end(&check);

	check_begin(&check, "cpu-info-own");
	state = hypercall2(BULKHEAD_HC_CPU_GET_INFO, target->own_cpu, BULKHEAD_CPU_INFO_STATE);
	if (state < 0)
		check_fail(&check, "CPU %u: error %ld for its own state", target->own_cpu, state);
	check_end(&check);
}

/*
 * The guest sees its own CR0.CD and CR0.NW, whatever the hypervisor keeps
 * in the real register (SDM Vol. 3C, 25.3: reads of bits the host owns
 * come from the read shadow).
 */
static void attack_cr0(void)
{
	uint64_t original = read_cr0(), wanted = original | CR0_CD | CR0_NW, seen;
	struct check check;

	check_begin(&check, "cr0-cache-disable");
	if (!write_cr0_safe(wanted))
		check_fail(&check, "setting CD and NW raised #GP");
	seen = read_cr0();
	if (!write_cr0_safe(original))
		check_fail(&check, "restoring CR0 %#lx raised #GP", original);
	wbinvd_safe();
	if (seen != wanted)
		check_fail(&check, "wrote CR0 %#lx, read back %#lx", wanted, seen);
	if (read_cr0() != original)
		check_fail(&check, "restored CR0 %#lx, read back %#lx", original, read_cr0());
	check_end(&check);
}

/* ---- idling ---- */

static void timer_tick(unsigned int vector)
{
	(void)vector;
}

static bool deadline_timer;

static void idle_timer_setup(void)
{
	irq_register(VECTOR_TIMER, timer_tick);
	deadline_timer = apic_timer_setup(APIC_TIMER_TSC_DEADLINE, VECTOR_TIMER) == 0;
	if (!deadline_timer)
		apic_timer_setup(APIC_TIMER_ONESHOT, VECTOR_TIMER);
}

static void idle_timer_arm(void)
{
	if (deadline_timer)
		apic_timer_deadline(tsc_read() + ns_to_tsc(IDLE_TICK_NS));
	else
		apic_timer_oneshot_ns(IDLE_TICK_NS);
}

/*
 * Every REPORT_TICKS: a line that shows the inmate is alive (the scenario
 * counts them) with the unexpected interrupts so far, and which they were
 * whenever their number changed.
 */
static void idle_report(uint64_t *next_report, uint64_t report_ticks, uint64_t *reported)
{
	uint64_t total = irq_unexpected_total();

	if ((int64_t)(tsc_read() - *next_report) < 0)
		return;
	*next_report = tsc_read() + report_ticks;
	printk(NAME ": idle, %lu unexpected interrupts so far\n", total);
	if (total != *reported)
		irq_report_unexpected(NAME);
	*reported = total;
}

/*
 * In HLT with interrupts on, for IDLE_MS (0: until a shutdown request),
 * woken only by its own timer; anything else that arrives is counted as
 * unexpected.
 */
static void idle(long long idle_ms, long long report_ms)
{
	uint64_t end, report_ticks, next_report, reported = irq_unexpected_total();

	if (idle_ms < 0)
		idle_ms = 0;
	if (report_ms < 1)
		report_ms = 1;
	end = tsc_read() + ns_to_tsc((uint64_t)idle_ms * 1000000ULL);
	report_ticks = ns_to_tsc((uint64_t)report_ms * 1000000ULL);
	next_report = tsc_read() + report_ticks;
	idle_timer_setup();
	printk(NAME ": attacks done, idling in HLT %s (IA32_APIC_BASE attacks follow)\n",
	       idle_ms ? "for a while" : "until the shutdown request");
	while (!comm_shutdown_requested() && (!idle_ms || (int64_t)(tsc_read() - end) < 0)) {
		idle_timer_arm();
		cpu_wait_for_interrupt();
		idle_report(&next_report, report_ticks, &reported);
	}
	apic_timer_stop();
}

/* ---- main ---- */

static void summary(void)
{
	uint64_t unexpected;

	printk(NAME ": %u checks, %u failed\n", checks_run, checks_failed);
	unexpected = irq_report_unexpected(NAME);
	printk(NAME ": done, %lu unexpected interrupts\n", unexpected);
}

static struct isolation_target target_from_cmdline(void)
{
	struct isolation_target target = { .own_apic = cpu_id() };

	target.foreign_apic = (uint32_t)cmdline_parse_int("foreign-apic", 0);
	target.own_cpu = (uint32_t)cmdline_parse_int("own-cpu", target.own_apic);
	target.foreign_cpu = (uint32_t)cmdline_parse_int("foreign-cpu", 0);
	return target;
}

/*
 * Command line (inmates/README.md): attack groups ipi, lvt, cache,
 * hypercall, cr0, apic-base, each on by default ("all=0" turns the
 * default off); foreign-apic=, own-cpu=, foreign-cpu=; idle-ms=N (0:
 * until the shutdown request), report-ms=N; deny-shutdown, no-reply.
 *
 * The IA32_APIC_BASE attacks come after the idle count, just before the
 * summary: where disabling the APIC goes through, it may stay off, and
 * neither the timer nor any other interrupt would reach the inmate.
 */
void inmate_main(void)
{
	bool all = cmdline_parse_bool("all", true);
	struct isolation_target target = target_from_cmdline();

	irq_count_all(true);
	policy = shutdown_policy_from_cmdline();
	printk(NAME ": CPU %u (APIC ID %u), attacking APIC ID %u and CPU %u\n", target.own_cpu,
	       target.own_apic, target.foreign_apic, target.foreign_cpu);
	if (cmdline_parse_bool("ipi", all))
		attack_ipis(&target);
	if (cmdline_parse_bool("lvt", all))
		attack_lvts();
	if (cmdline_parse_bool("cache", all))
		attack_caches();
	if (cmdline_parse_bool("hypercall", all))
		attack_hypercalls(&target);
	if (cmdline_parse_bool("cr0", all))
		attack_cr0();
	idle(cmdline_parse_int("idle-ms", 0), cmdline_parse_int("report-ms", 1000));
	if (cmdline_parse_bool("apic-base", all))
		attack_apic_base(&target);
	summary();
	for (;;) {
		comm_answer_shutdown(NAME, policy);
		cpu_relax();
	}
}
