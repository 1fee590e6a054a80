// SPDX-License-Identifier: GPL-2.0
/* The local APIC as the hypervisor uses it: sending IPIs in either mode, and quieting it between guests. */
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <asm/apic.h>
#include <asm/msr.h>
#include <asm/processor.h>

/* xAPIC registers (SDM Vol. 3A, 10.4.1, table 10-1). */
#define XAPIC_ICR_LOW		0x300
#define XAPIC_ICR_HIGH		0x310
#define XAPIC_ICR_BUSY		(1U << 12)
/* How often a send polls the xAPIC's delivery status before it goes on. */
#define XAPIC_IDLE_SPINS	100000

static volatile uint32_t *xapic;

/*
 * The timer's registers by xAPIC offset; in x2APIC mode MSR 0x800 plus the
 * offset / 16 (SDM Vol. 3A, 10.5.4 and 10.12.1.2, table 10-6).
 */
#define APIC_LVT_TIMER		0x320
#define APIC_TIMER_INITIAL	0x380
#define APIC_TIMER_CURRENT	0x390
#define APIC_TIMER_DIVIDE	0x3e0
#define LVT_TIMER_MODE		(3U << 17)
#define LVT_TIMER_PERIODIC	(1U << 17)
#define LVT_TIMER_TSC_DEADLINE	(2U << 17)
#define LVT_MASKED		(1U << 16)
#define TIMER_DIVIDE_BY_1	0xb

/* The local APIC page, uncached, in the hypervisor's address space, for CPUs in xAPIC mode. */
int apic_init(void)
{
	uint64_t *root = (uint64_t *)memory_at(image_header.page_pool_offset);
	uint64_t apic_virt = BULKHEAD_BASE + image_header.memory_size;
	int err;

	err = paging_map(&hv_pool, root, apic_virt, APIC_DEFAULT_PHYS, PAGE_SIZE,
			 PAGING_WRITABLE | PAGING_NO_EXECUTE | PAGING_CACHE_DISABLE);
	if (err)
		return trace_error(err);
	xapic = (volatile uint32_t *)apic_virt;
	return 0;
}

bool apic_in_x2apic_mode(void)
{
	return read_msr(MSR_APIC_BASE) & APIC_BASE_X2APIC;
}

uint32_t apic_xapic_read(unsigned int offset)
{
	return xapic[offset / 4];
}

void apic_xapic_write(unsigned int offset, uint32_t value)
{
	xapic[offset / 4] = value;
}

static uint32_t timer_read(unsigned int offset)
{
	return apic_in_x2apic_mode() ? (uint32_t)read_msr(0x800 + offset / 16) : xapic[offset / 4];
}

static void timer_write(unsigned int offset, uint32_t value)
{
	if (apic_in_x2apic_mode())
		write_msr(0x800 + offset / 16, value);
	else
		xapic[offset / 4] = value;
}

/*
 * Counts this CPU's APIC timer down from its maximum, masked, one-shot at
 * divide-by-1, for apic_timer_count_stop() to read; Linux's timer, in
 * whichever mode, is saved first.
 */
void apic_timer_count_start(struct apic_timer_saved *saved)
{
	saved->lvt = timer_read(APIC_LVT_TIMER);
	saved->divide = timer_read(APIC_TIMER_DIVIDE);
	saved->initial = timer_read(APIC_TIMER_INITIAL);
	saved->current = timer_read(APIC_TIMER_CURRENT);
	saved->deadline = 0;
	if ((saved->lvt & LVT_TIMER_MODE) == LVT_TIMER_TSC_DEADLINE)
		saved->deadline = read_msr(MSR_TSC_DEADLINE);
	timer_write(APIC_LVT_TIMER, LVT_MASKED);
	timer_write(APIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_1);
	timer_write(APIC_TIMER_INITIAL, 0xffffffff);
}

/*
 * The timer ticks since apic_timer_count_start(), then Linux's timer as it
 * was: a one-shot count goes on from where it stood, a periodic one starts
 * a new period, a TSC deadline is armed again (changing the timer mode
 * disarmed it, SDM Vol. 3A, 10.5.4.1).  Linux's interrupt comes late by
 * the time counted, which it spent with interrupts off anyway.
 */
uint32_t apic_timer_count_stop(const struct apic_timer_saved *saved)
{
	uint32_t counted = 0xffffffff - timer_read(APIC_TIMER_CURRENT);
	uint32_t mode = saved->lvt & LVT_TIMER_MODE;

	timer_write(APIC_TIMER_INITIAL, 0);
	timer_write(APIC_TIMER_DIVIDE, saved->divide);
	timer_write(APIC_LVT_TIMER, saved->lvt);
	if (mode == LVT_TIMER_TSC_DEADLINE && saved->deadline)
		write_msr(MSR_TSC_DEADLINE, saved->deadline);
	else if (mode == LVT_TIMER_PERIODIC)
		timer_write(APIC_TIMER_INITIAL, saved->initial);
	else if (mode != LVT_TIMER_TSC_DEADLINE && saved->current)
		timer_write(APIC_TIMER_INITIAL, saved->current);
	return counted;
}

static void xapic_wait_idle(void)
{
	unsigned int spins;

	for (spins = 0; spins < XAPIC_IDLE_SPINS && (xapic[XAPIC_ICR_LOW / 4] & XAPIC_ICR_BUSY);
	     spins++)
		asm volatile("pause" ::: "memory");
}

/*
 * Sends @low (vector, delivery mode, level; physical destination, no
 * shorthand) to the APIC ID @destination, in the mode this CPU's APIC is
 * in (SDM Vol. 3A, 10.6.1 and 10.12.9).  In xAPIC mode ICR_HIGH is left
 * holding @icr_high_after, the value the guest last wrote there, so that
 * the guest reads back what it wrote.
 */
void apic_send(uint32_t destination, uint32_t low, uint32_t icr_high_after)
{
	if (apic_in_x2apic_mode()) {
		write_msr(MSR_X2APIC_ICR, ((uint64_t)destination << 32) | low);
		return;
	}
	xapic_wait_idle();
	xapic[XAPIC_ICR_HIGH / 4] = destination << 24;
	xapic[XAPIC_ICR_LOW / 4] = low;
	xapic_wait_idle();
	xapic[XAPIC_ICR_HIGH / 4] = icr_high_after;
}

/* x2APIC registers as MSRs (SDM Vol. 3A, 10.12.1.2, table 10-6). */
#define X2APIC_TPR		0x808
#define X2APIC_EOI		0x80b
#define X2APIC_SVR		0x80f
#define X2APIC_ISR		0x810
#define X2APIC_IRR		0x820
#define X2APIC_LVT_CMCI		0x82f
#define X2APIC_LVT_FIRST	0x832	/* timer, thermal, performance, LINT0, LINT1, error */
#define X2APIC_LVT_LAST		0x837
#define X2APIC_TIMER_INITIAL	0x838
#define APIC_LVT_MASKED		(1U << 16)
#define APIC_SVR_ENABLE		(1U << 8)
#define APIC_VECTOR_WORDS	8
/* Interrupt windows opened to take what the IRR holds; each takes one interrupt at least. */
#define APIC_DRAIN_WINDOWS	256

static bool x2apic_any(uint32_t first_msr)
{
	unsigned int i;

	for (i = 0; i < APIC_VECTOR_WORDS; i++)
		if (read_msr(first_msr + i))
			return true;
	return false;
}

/*
 * Interrupts the APIC accepted for the CPU's last guest and never
 * delivered are taken here (arch_handle_interrupt() ends each), so that
 * the next guest gets none of them.  Needs the IDT's interrupt gates.
 */
static void x2apic_drain(void)
{
	unsigned int window;

	write_msr(X2APIC_SVR, APIC_SVR_ENABLE | 0xff);
	write_msr(X2APIC_TPR, 0);
	for (window = 0; window < APIC_DRAIN_WINDOWS && x2apic_any(X2APIC_IRR); window++)
		asm volatile("sti\n\tnop\n\tcli" ::: "memory");
	for (window = 0; window < APIC_DRAIN_WINDOWS && x2apic_any(X2APIC_ISR); window++)
		write_msr(X2APIC_EOI, 0);
}

/*
 * Quiets this CPU's APIC (x2APIC mode) between two guests: timers stopped,
 * LVTs masked, what is pending taken and ended, then software-disabled
 * (SDM Vol. 3A, 10.4.7.2), which is the state after INIT as far as a
 * guest can tell.  The APIC is never globally disabled: the SDM lets an
 * APIC lose its state then (10.4.3), and Bochs 2.7 does not enable one
 * again before INIT (Documentation/design.md, "The local APIC between
 * cells").
 */
void apic_quiesce_x2apic(void)
{
	unsigned int msr;

	write_msr(MSR_TSC_DEADLINE, 0);
	write_msr(X2APIC_TIMER_INITIAL, 0);
	write_msr(X2APIC_LVT_CMCI, APIC_LVT_MASKED);
	for (msr = X2APIC_LVT_FIRST; msr <= X2APIC_LVT_LAST; msr++)
		write_msr(msr, APIC_LVT_MASKED);
	x2apic_drain();
	write_msr(X2APIC_SVR, 0xff);
}

/* x2APIC mode for a cell's inmate: from xAPIC mode directly, as the SDM allows (10.12.5.1). */
void apic_enter_x2apic(void)
{
	uint64_t base = read_msr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_X2APIC))
		write_msr(MSR_APIC_BASE, base | APIC_BASE_X2APIC);
	apic_quiesce_x2apic();
}

/* An interrupt the hypervisor took while draining: ended, in the APIC's mode. */
void apic_end_interrupt(void)
{
	if (apic_in_x2apic_mode())
		write_msr(X2APIC_EOI, 0);
	else
		xapic[0xb0 / 4] = 0;
}
