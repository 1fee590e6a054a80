// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The local APIC in x2APIC mode, through MSRs only: IDs, EOI, IPIs, one-shot and TSC-deadline timers. */
#include "lib.h"

#define APIC_BASE_EXTD		(1ULL << 10)	/* x2APIC mode */

/* x2APIC MSRs (SDM Vol. 3A, 10.12.1.2, table 10-6). */
#define X2APIC_ID		0x802
#define X2APIC_TPR		0x808
#define X2APIC_EOI		0x80b
#define X2APIC_SVR		0x80f
#define X2APIC_ICR		0x830
#define X2APIC_LVT_TIMER	0x832
#define X2APIC_TIMER_INITIAL	0x838
#define X2APIC_TIMER_CURRENT	0x839
#define X2APIC_TIMER_DIVIDE	0x83e

#define APIC_SVR_ENABLE		(1U << 8)
#define APIC_LVT_MASKED		(1U << 16)
#define APIC_LVT_TIMER_MODE	(3U << 17)
#define APIC_LVT_TIMER_ONESHOT	(0U << 17)
#define APIC_LVT_TIMER_TSC_DEADLINE (2U << 17)
#define APIC_TIMER_DIVIDE_BY_1	0xb

#define APIC_ICR_FIXED		(0U << 8)
#define APIC_ICR_INIT		(5U << 8)
#define APIC_ICR_STARTUP	(6U << 8)
#define APIC_ICR_LEVEL_ASSERT	(1U << 14)

/* Measure the APIC timer over 20 ms of PM timer, as the TSC. */
#define APIC_CALIBRATION_PM_TICKS	(PM_TIMER_HZ / 50)
#define APIC_CALIBRATION_TSC_NS		20000000ULL

static uint32_t timer_khz;

/*
 * Sets up the local APIC, which the hypervisor hands over in x2APIC mode
 * (Documentation/design.md, "The local APIC between cells"), as Jailhouse
 * does: spurious vector 0xff, all priorities, timer masked.  False when
 * the APIC is not in x2APIC mode, which the library does not change.
 */
bool apic_cpu_init(void)
{
	if (!(rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD))
		return false;
	wrmsr(X2APIC_SVR, APIC_SVR_ENABLE | IRQ_VECTOR_SPURIOUS);
	wrmsr(X2APIC_TPR, 0);
	wrmsr(X2APIC_LVT_TIMER, APIC_LVT_MASKED);
	return true;
}

uint32_t cpu_id(void)
{
	return (uint32_t)rdmsr(X2APIC_ID);
}

void apic_eoi(void)
{
	wrmsr(X2APIC_EOI, 0);
}

/* ICR in x2APIC mode: one 64-bit write, destination in bits 63:32 (SDM Vol. 3A, 10.12.9). */
static void apic_write_icr(uint32_t destination, uint32_t command)
{
	wrmsr(X2APIC_ICR, ((uint64_t)destination << 32) | command);
}

/*
 * Physical destination mode only: Bochs 2.7 computes the x2APIC logical
 * destination before the mode switch, so logical addressing goes wrong
 * there (DESIGN.md, the emulated test machine).
 */
void apic_send_ipi(uint32_t destination, unsigned int vector)
{
	apic_write_icr(destination, APIC_ICR_FIXED | APIC_ICR_LEVEL_ASSERT | (vector & 0xff));
}

void apic_send_init(uint32_t destination)
{
	apic_write_icr(destination, APIC_ICR_INIT | APIC_ICR_LEVEL_ASSERT);
}

void apic_send_sipi(uint32_t destination, unsigned int vector)
{
	apic_write_icr(destination, APIC_ICR_STARTUP | APIC_ICR_LEVEL_ASSERT | (vector & 0xff));
}

bool apic_has_tsc_deadline(void)
{
	return (cpuid(1, 0).ecx & CPUID_1_ECX_TSC_DEADLINE) != 0;
}

int apic_timer_setup(enum apic_timer_mode mode, unsigned int vector)
{
	if (vector < IRQ_VECTOR_FIRST || vector >= IRQ_VECTOR_SPURIOUS)
		return -1;
	if (mode == APIC_TIMER_TSC_DEADLINE) {
		if (!apic_has_tsc_deadline())
			return -1;
		wrmsr(X2APIC_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | vector);
		/*
		 * WRMSR to x2APIC registers is not serializing; the LVT must
		 * be in TSC-deadline mode before the deadline is written
		 * (SDM Vol. 3A, 10.5.4.1).
		 */
		__asm__ __volatile__("mfence" : : : "memory");
		return 0;
	}
	wrmsr(X2APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_BY_1);
	wrmsr(X2APIC_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | vector);
	return 0;
}

static uint64_t read_apic_elapsed(void *context)
{
	(void)context;
	return 0xffffffffULL - rdmsr(X2APIC_TIMER_CURRENT);
}

static uint32_t read_pm_port(void *context)
{
	(void)context;
	return inl(pm_timer_port());
}

/*
 * Counts the timer down from its maximum, masked, at divide-by-1: against
 * the PM timer when there is one, else against the calibrated TSC.
 */
static uint32_t apic_timer_calibrate(void)
{
	const struct calibration_source pm_source = {
		.read_pm_timer = read_pm_port,
		.read_counter = read_apic_elapsed,
	};
	uint64_t lvt = rdmsr(X2APIC_LVT_TIMER), tsc_start, elapsed;
	uint32_t khz = 0;

	wrmsr(X2APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_BY_1);
	wrmsr(X2APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_LVT_TIMER_ONESHOT);
	wrmsr(X2APIC_TIMER_INITIAL, 0xffffffff);
	if (pm_timer_port())
		khz = calibrate_khz(&pm_source, APIC_CALIBRATION_PM_TICKS);
	if (!khz) {
		tsc_start = rdtsc();
		elapsed = read_apic_elapsed(NULL);
		delay_us(APIC_CALIBRATION_TSC_NS / 1000);
		elapsed = read_apic_elapsed(NULL) - elapsed;
		khz = (uint32_t)scale_u64(elapsed, 1000000, tsc_to_ns(rdtsc() - tsc_start));
	}
	wrmsr(X2APIC_TIMER_INITIAL, 0);
	wrmsr(X2APIC_LVT_TIMER, lvt);
	return khz ? khz : 1;
}

uint32_t apic_timer_khz(void)
{
	if (!timer_khz)
		timer_khz = apic_timer_calibrate();
	return timer_khz;
}

void apic_timer_oneshot_ns(uint64_t ns)
{
	uint64_t count = ns_to_ticks(ns, apic_timer_khz());

	if (count == 0)
		count = 1;
	if (count > 0xffffffff)
		count = 0xffffffff;
	wrmsr(X2APIC_TIMER_INITIAL, count);
}

void apic_timer_deadline(uint64_t tsc)
{
	wrmsr(MSR_TSC_DEADLINE, tsc ? tsc : 1);
}

void apic_timer_stop(void)
{
	if ((rdmsr(X2APIC_LVT_TIMER) & APIC_LVT_TIMER_MODE) == APIC_LVT_TIMER_TSC_DEADLINE)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		wrmsr(X2APIC_TIMER_INITIAL, 0);
}
