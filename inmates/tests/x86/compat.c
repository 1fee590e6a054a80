// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * compat: uses the inmate interface as a Jailhouse x86 inmate does (MTRRs
 * from 32-bit code, x2APIC MSRs without enabling x2APIC, the PM timer,
 * apic_khz, every CPU at the reset address, the shutdown handshake) and
 * prints one line per check, "NAME: CHECK: PASS detail" or
 * "NAME: CHECK: FAIL detail", for the host to read.
 */
#include <inmate.h>

#define MSR_MTRRCAP		0xfe
#define MSR_MTRR_DEF_TYPE	0x2ff
/* Enabled (bit 11), default type write-back (6): what the start code sets (SDM Vol. 3A, 11.11.2.1). */
#define MTRR_ENABLED_WB		0x806

/* x2APIC registers as MSRs (SDM Vol. 3A, 10.12.1.2, table 10-6). */
#define X2APIC_ID		0x802
#define X2APIC_VERSION		0x803
#define X2APIC_SVR		0x80f
#define X2APIC_LVT_TIMER	0x832
#define X2APIC_TIMER_INITIAL	0x838
#define X2APIC_TIMER_DIVIDE	0x83e
#define APIC_TIMER_DIVIDE_BY_1	0xb
#define APIC_LVT_MASKED		(1U << 16)
#define APIC_BASE_EXTD		(1ULL << 10)
#define APIC_BASE_ENABLE	(1ULL << 11)
/* SDM Vol. 2A, CPUID, feature information in ECX. */
#define CPUID_1_ECX_X2APIC	(1U << 21)

#define VECTOR_TIMER		0x30
/* The one-shot timer's period, and how far off the PM timer may find it. */
#define TIMER_MS		10
#define TIMER_SLACK_PERCENT	20
/* How long the other CPUs get to reach the reset address, and a timer to fire. */
#define ARRIVAL_WAIT_MS		200
#define TIMER_WAIT_MS		(10 * TIMER_MS)
#define PM_TIMER_WAIT_US	1000

static char name[32] = "compat";
static unsigned int checks_run, checks_failed;
static volatile unsigned int started_cpus_done;
static volatile uint32_t timer_arrivals, timer_fired_at;

/* ---- results ---- */

static void __attribute__((format(printf, 3, 4)))
result(bool pass, const char *check, const char *format, ...)
{
	char detail[160];
	va_list args;

	va_start(args, format);
	format_vsnprintf(detail, sizeof(detail), format, args);
	va_end(args);
	__atomic_add_fetch(&checks_run, 1, __ATOMIC_SEQ_CST);
	if (!pass)
		__atomic_add_fetch(&checks_failed, 1, __ATOMIC_SEQ_CST);
	printk("%s: %s: %s %s\n", name, check, pass ? "PASS" : "FAIL", detail);
}

/* "cpuN-CHECK", N the CPU's index (0 the boot CPU). */
static const char *cpu_check(char *buffer, size_t size, unsigned int index, const char *check)
{
	format_snprintf(buffer, size, "cpu%u-%s", index, check);
	return buffer;
}

/* ---- the PM timer, read as Jailhouse inmates do: a port from the comm region ---- */

static uint32_t pm_read(uint16_t port)
{
	return inl(port) & PM_TIMER_MASK;
}

static uint32_t pm_ticks_to_us(uint32_t ticks)
{
	return (uint32_t)scale_u64(ticks, 1000000, PM_TIMER_HZ);
}

/* Waits until US microseconds of PM timer passed since START or DONE() says so. */
static bool pm_wait(uint16_t port, uint32_t start, uint32_t us, bool (*done)(void))
{
	while (pm_ticks_to_us(pm_timer_delta(start, pm_read(port))) < us)
		if (done && done())
			return true;
		else
			cpu_relax();
	return done && done();
}

static void check_pm_timer(uint16_t port)
{
	uint32_t first, second, raw;

	if (!port) {
		result(false, "pm-timer", "the comm region's pm_timer_address is 0");
		return;
	}
	raw = inl(port);
	first = raw & PM_TIMER_MASK;
	delay_us(PM_TIMER_WAIT_US);
	second = pm_read(port);
	result(raw != UINT32_MAX && second != first, "pm-timer",
	       "port %#x read %#x then %#x, %u us apart by the TSC (%u us by the PM timer)",
	       port, first, second, PM_TIMER_WAIT_US, pm_ticks_to_us(pm_timer_delta(first, second)));
}

/* ---- MTRRs: the start code's 32-bit read and write (boot.S), seen from here ---- */

static void check_mtrr_at_start(void)
{
	result(inmate_boot_mtrr_def_type == 0, "cpu0-mtrr-def-type-at-start",
	       "32-bit start code, before paging, read %#x (off, as after power-up) and wrote %#x",
	       inmate_boot_mtrr_def_type, inmate_boot_mtrr_def_type | MTRR_ENABLED_WB);
	result(rdmsr(MSR_MTRRCAP) == 0, "mtrrcap", "reads %#llx (no variable or fixed ranges)",
	       (unsigned long long)rdmsr(MSR_MTRRCAP));
}

static void check_mtrr_now(unsigned int index)
{
	uint64_t value = rdmsr(MSR_MTRR_DEF_TYPE);
	char check[32];

	result(value == MTRR_ENABLED_WB, cpu_check(check, sizeof(check), index, "mtrr-def-type"),
	       "reads %#llx in 64-bit mode (enabled, write-back)", (unsigned long long)value);
}

/* ---- x2APIC: used without ever writing IA32_APIC_BASE ---- */

static void check_x2apic(unsigned int index)
{
	bool cpuid_says = cpuid(1, 0).ecx & CPUID_1_ECX_X2APIC;
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t id = (uint32_t)rdmsr(X2APIC_ID), leaf_b_id = cpuid(0xb, 0).edx;
	uint32_t version = (uint32_t)rdmsr(X2APIC_VERSION), svr = (uint32_t)rdmsr(X2APIC_SVR);
	char check[32];

	result(cpuid_says && (base & (APIC_BASE_EXTD | APIC_BASE_ENABLE)) ==
	       (APIC_BASE_EXTD | APIC_BASE_ENABLE),
	       cpu_check(check, sizeof(check), index, "x2apic-mode"),
	       "CPUID.1:ECX.x2APIC %u, IA32_APIC_BASE %#llx (never written)", cpuid_says,
	       (unsigned long long)base);
	result(id == leaf_b_id && version != 0 && svr == (0x100 | IRQ_VECTOR_SPURIOUS),
	       cpu_check(check, sizeof(check), index, "x2apic-msrs"),
	       "MSR 0x802 ID %u (CPUID 0xb: %u), 0x803 version %#x, 0x80f SVR %#x", id,
	       leaf_b_id, version, svr);
}

/* ---- apic_khz: a one-shot APIC timer programmed from it alone ---- */

static uint16_t timer_port;

static void timer_interrupt(unsigned int vector)
{
	(void)vector;
	timer_fired_at = pm_read(timer_port);
	timer_arrivals++;
}

static bool timer_arrived(void)
{
	return timer_arrivals != 0;
}

static void check_apic_timer(uint16_t port)
{
	uint32_t khz = comm_region->apic_khz, start, us;
	uint32_t low = TIMER_MS * (100 - TIMER_SLACK_PERCENT) * 10;
	uint32_t high = TIMER_MS * (100 + TIMER_SLACK_PERCENT) * 10;

	if (!khz || !port) {
		result(false, "apic-timer-oneshot", "apic_khz %u, PM timer port %#x: cannot try", khz,
		       port);
		return;
	}
	timer_port = port;
	irq_register(VECTOR_TIMER, timer_interrupt);
	wrmsr(X2APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_BY_1);
	wrmsr(X2APIC_LVT_TIMER, VECTOR_TIMER);
	start = pm_read(port);
	wrmsr(X2APIC_TIMER_INITIAL, (uint64_t)khz * TIMER_MS);
	irq_enable();
	pm_wait(port, start, TIMER_WAIT_MS * 1000, timer_arrived);
	irq_disable();
	wrmsr(X2APIC_LVT_TIMER, APIC_LVT_MASKED);
	us = timer_arrivals ? pm_ticks_to_us(pm_timer_delta(start, timer_fired_at)) : 0;
	result(timer_arrivals == 1 && us >= low && us <= high, "apic-timer-oneshot",
	       "apic_khz %u, count %u at divide-by-1: %u interrupt(s), after %u us by the PM timer (%u-%u expected)",
	       khz, khz * TIMER_MS, timer_arrivals, us, low, high);
}

/* ---- comm region fields ---- */

static void check_comm_region(void)
{
	const struct bulkhead_comm_region *comm = comm_region;

	result(comm_region_valid() && comm->num_cpus > 0 && comm->tsc_khz > 0 &&
	       comm->cell_state == BULKHEAD_CELL_RUNNING, "comm-region",
	       "revision %u, state %u, flags %#x, num_cpus %u, tsc_khz %u, apic_khz %u, pm_timer_address %#x",
	       comm->revision, comm->cell_state, comm->flags, comm->num_cpus, comm->tsc_khz,
	       comm->apic_khz, comm->pm_timer_address);
}

/* ---- every CPU at the reset address ---- */

static bool all_arrived(void)
{
	return smp_reset_arrivals(NULL, 0) >= smp_expected_cpus();
}

static void check_cpus_at_reset(uint16_t port)
{
	uint32_t ids[INMATE_MAX_CPUS] = { 0 };
	unsigned int wanted = smp_expected_cpus(), arrived, n;
	char others[96] = "none";
	size_t used = 0;

	if (port)
		pm_wait(port, pm_read(port), ARRIVAL_WAIT_MS * 1000, all_arrived);
	/* An arrival counts itself before it writes its APIC ID. */
	delay_us(PM_TIMER_WAIT_US);
	arrived = smp_reset_arrivals(ids, INMATE_MAX_CPUS);
	for (n = 1; n < arrived && used < sizeof(others); n++)
		used += (size_t)format_snprintf(others + used, sizeof(others) - used, "%s%u",
						n > 1 ? "," : "", ids[n]);
	result(arrived == wanted, "cpus-at-reset",
	       "%u of %u CPUs arrived at the reset address; boot CPU APIC ID %u, others %s",
	       arrived, wanted, ids[0], others);
}

/* A CPU started by INIT and SIPI from the boot CPU (smp_start_cpus). */
static void started_cpu_main(unsigned int index)
{
	check_mtrr_now(index);
	check_x2apic(index);
	__atomic_add_fetch(&started_cpus_done, 1, __ATOMIC_SEQ_CST);
}

static void start_other_cpus(void)
{
	unsigned int wanted = smp_expected_cpus(), online = smp_start_cpus(started_cpu_main);
	uint64_t deadline = tsc_read() + ns_to_tsc(ARRIVAL_WAIT_MS * 1000000ULL);

	while (started_cpus_done + 1 < online && (int64_t)(tsc_read() - deadline) < 0)
		cpu_relax();
	result(online == wanted && started_cpus_done + 1 == online, "startup-ipi",
	       "%u of %u CPUs online after INIT and SIPI from the boot CPU", online, wanted);
}

/* ---- the shutdown handshake, as Jailhouse inmates answer it ---- */

static void answer_other_message(uint32_t message)
{
	uint32_t reply = message == BULKHEAD_MSG_RECONFIG_COMPLETED ? BULKHEAD_MSG_RECEIVED
								    : BULKHEAD_MSG_UNKNOWN;

	printk("%s: message %u: replied %u\n", name, message, reply);
	comm_region->msg_to_cell = BULKHEAD_MSG_NONE;
	comm_region->reply_from_cell = reply;
}

/*
 * The first shutdown request is denied by a reply, the second approved by
 * the state alone; with "no-reply" every request is left unanswered (the
 * hypervisor withdraws it when it gives up, which ends the wait below).
 */
static void __noreturn serve_messages(bool ignore)
{
	unsigned int requests = 0;
	uint32_t message;

	for (;;) {
		message = comm_region->msg_to_cell;
		if (message == BULKHEAD_MSG_NONE) {
			cpu_relax();
			continue;
		}
		if (message != BULKHEAD_MSG_SHUTDOWN_REQUEST) {
			answer_other_message(message);
			continue;
		}
		requests++;
		if (ignore) {
			printk("%s: shutdown request %u: left unanswered\n", name, requests);
			while (comm_region->msg_to_cell == BULKHEAD_MSG_SHUTDOWN_REQUEST)
				cpu_relax();
		} else if (requests == 1) {
			printk("%s: shutdown request 1: replied denied\n", name);
			comm_shutdown_deny();
		} else {
			printk("%s: shutdown request %u: approved by cell_state alone, no reply\n",
			       name, requests);
			comm_shutdown_approve_by_state();
		}
	}
}

void inmate_main(void)
{
	uint16_t port = comm_region_valid() ? comm_region->pm_timer_address : 0;
	bool ignore = cmdline_parse_bool("no-reply", false);

	cmdline_parse_str("name", name, sizeof(name));
	printk("%s: boot CPU APIC ID %u, %s\n", name, cpu_id(),
	       ignore ? "leaves shutdown requests unanswered" : "denies the first shutdown request");
	check_comm_region();
	check_mtrr_at_start();
	check_mtrr_now(0);
	check_x2apic(0);
	check_pm_timer(port);
	check_apic_timer(port);
	check_cpus_at_reset(port);
	start_other_cpus();
	printk("%s: checks done: %u run, %u failed\n", name, checks_run, checks_failed);
	serve_messages(ignore);
}
