/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The inmate library for x86: what an inmate includes to print, time, take interrupts, start CPUs and talk to the hypervisor. */
#ifndef INMATE_H
#define INMATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bulkhead/comm-region.h>
#include <bulkhead/hypercall.h>

#include "cmdline.h"
#include "console.h"
#include "cpu.h"
#include "fixup.h"
#include "format.h"
#include "layout.h"
#include "timecalc.h"
#include "vmcall.h"

#define __noreturn	__attribute__((noreturn))

/*
 * The inmate's own entry, called on the boot CPU in 64-bit mode once the
 * library has set up the console, the IDT, the local APIC (x2APIC) and the
 * TSC rate.  Interrupts are off.  Returning halts the CPU.
 */
void inmate_main(void);

/* Output, one whole message at a time (see console.h for where it goes). */
void printk(const char *format, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *format, va_list args);

/* Stops this CPU for good: interrupts off, HLT in a loop. */
void inmate_halt(void) __noreturn;

/* Memory between the end of bss and INMATE_RAM_SIZE; never freed.  NULL when it runs out. */
void *mem_alloc(size_t size, size_t align);

void *memset(void *destination, int value, size_t size);
void *memcpy(void *destination, const void *source, size_t size);
void *memmove(void *destination, const void *source, size_t size);
int memcmp(const void *a, const void *b, size_t size);
size_t strlen(const char *text);

/* ---- comm region (DESIGN decision 7) ---- */

#define comm_region	((struct bulkhead_comm_region *)INMATE_COMM_REGION_ADDRESS)

/* Signature "JHCOMM" and revision 2 found at 0x100000. */
bool comm_region_valid(void);

enum shutdown_policy {
	SHUTDOWN_APPROVE,	/* default */
	SHUTDOWN_DENY,		/* command line "deny-shutdown" */
	SHUTDOWN_IGNORE,	/* command line "no-reply": never answer */
	/*
	 * Command line "locked": running-locked from the start, which blocks
	 * every other cell's management; denies the first request and
	 * unlocks, approves the next by setting its state alone, as a
	 * Jailhouse inmate may (Documentation/inmate-interface.md).
	 */
	SHUTDOWN_LOCKED,
};

enum shutdown_policy shutdown_policy_from_cmdline(void);

/*
 * Looks at the message from the hypervisor: answers those that need no
 * decision (reconfiguration completed: received; unknown ones: unknown)
 * and says whether a shutdown request waits for an answer.
 */
bool comm_shutdown_requested(void);
/* Replies approved, marks the cell shut down, and halts this CPU. */
void comm_shutdown_approve(void) __noreturn;
void comm_shutdown_deny(void);
/*
 * Approves by the state alone, as a Jailhouse inmate may: sets cell_state
 * to shut down without writing a reply, and halts this CPU.
 */
void comm_shutdown_approve_by_state(void) __noreturn;
/*
 * The usual answer to a pending request, by POLICY: prints
 * "NAME: shutdown approved" and stops, prints "NAME: shutdown denied" and
 * denies, or prints once that it leaves the request unanswered.  Does
 * nothing when no request is pending.
 */
void comm_answer_shutdown(const char *name, enum shutdown_policy policy);

/* ---- time ---- */

enum tsc_source {
	TSC_SOURCE_PM_TIMER,	/* calibrated against the ACPI PM timer */
	TSC_SOURCE_COMM_REGION,	/* the hypervisor's tsc_khz (PM timer absent or stuck) */
	TSC_SOURCE_GUESS,	/* neither: 1 GHz assumed, times are wrong */
};

/* The TSC rate, set before inmate_main runs. */
extern uint32_t tsc_khz;
enum tsc_source tsc_rate_source(void);
const char *tsc_rate_source_name(void);

static inline uint64_t tsc_read(void)
{
	return rdtsc();
}

uint64_t tsc_to_ns(uint64_t ticks);
uint64_t ns_to_tsc(uint64_t ns);
void delay_us(uint64_t microseconds);

/* The PM timer's port from the comm region (or "pm-timer=PORT"); 0 if none or stuck. */
uint16_t pm_timer_port(void);
/* PM timer ticks since start-up, extended to 64 bits (call it at least every 4.6 s); 0 without a PM timer. */
uint64_t pm_timer_read(void);
uint64_t pm_timer_ns(void);

/* ---- interrupts ---- */

#define IRQ_VECTOR_NMI		2
#define IRQ_VECTOR_FIRST	32
#define IRQ_VECTOR_SPURIOUS	0xff

/* Runs with interrupts off; the library sends the EOI after it returns. */
typedef void (*irq_handler_t)(unsigned int vector);

/*
 * For vectors IRQ_VECTOR_FIRST to 0xfe, shared by all CPUs; -1 for a bad
 * vector.  A vector with a handler counts as expected (irq_expect), one
 * registered with NULL again as not.
 */
int irq_register(unsigned int vector, irq_handler_t handler);

/*
 * Counting every interrupt, for inmates that check what reaches them.
 * While on, every vector from IRQ_VECTOR_FIRST to 0xff and every NMI
 * (IRQ_VECTOR_NMI) that reaches any CPU of the cell is counted, all CPUs
 * together; a vector without a handler is acknowledged silently and an
 * NMI resumed silently.  An arrival counts as unexpected unless its vector
 * was expected at that moment: registered with a handler, or named by
 * irq_expect(vector, true).  Off by default: the library then prints
 * unhandled vectors and NMIs as before.
 */
void irq_count_all(bool enable);
void irq_expect(unsigned int vector, bool expected);
uint32_t irq_count(unsigned int vector);
uint32_t irq_unexpected(unsigned int vector);
uint64_t irq_unexpected_total(void);
/* Clears the counts; the expectations stay. */
void irq_count_reset(void);
/*
 * Prints "NAME: unexpected interrupts: vector 0xfb: 12, NMI: 1" (one line,
 * nothing when there were none) and returns the total.
 */
uint64_t irq_report_unexpected(const char *name);

/* ---- local APIC, x2APIC mode ---- */

/* This CPU's x2APIC ID (an MSR read, no exit). */
uint32_t cpu_id(void);
void apic_eoi(void);
/* A fixed IPI in physical destination mode. */
void apic_send_ipi(uint32_t destination, unsigned int vector);

enum apic_timer_mode {
	APIC_TIMER_ONESHOT,
	APIC_TIMER_TSC_DEADLINE,
};

bool apic_has_tsc_deadline(void);
/* Programs this CPU's LVT timer; -1 if the mode is not available. */
int apic_timer_setup(enum apic_timer_mode mode, unsigned int vector);
/* One-shot mode: fire once NS from now (calibrates the APIC timer on first use). */
void apic_timer_oneshot_ns(uint64_t ns);
/* TSC-deadline mode: fire when the TSC reaches TSC. */
void apic_timer_deadline(uint64_t tsc);
void apic_timer_stop(void);
/* The APIC timer's rate at divide-by-1, measured against the TSC. */
uint32_t apic_timer_khz(void);

/* ---- IOAPIC (0xfec00000; the pins the cell config's ioapic node gives) ---- */

/* Bits of a redirection entry's low half (Documentation/design.md, "The IOAPIC"). */
#define IOAPIC_MASKED		(1U << 16)
#define IOAPIC_LEVEL		(1U << 15)
#define IOAPIC_LOGICAL		(1U << 11)
#define IOAPIC_DELIVERY(mode)	((uint32_t)(mode) << 8)

uint32_t ioapic_read(uint32_t index);
void ioapic_write(uint32_t index, uint32_t value);
/* Pin @pin to the CPU with x2APIC ID @apic_id, low half @low (vector and flags above). */
void ioapic_pin_set(unsigned int pin, uint32_t apic_id, uint32_t low);
uint32_t ioapic_pin_low(unsigned int pin);

/* ---- SMP ---- */

/* Called on each started CPU with its index (1..), interrupts off; returning halts it. */
typedef void (*ap_main_t)(unsigned int index);

/*
 * Starts the cell's other CPUs by INIT, SIPI, SIPI (x2APIC ICR, physical
 * destination mode), one after the other, each into MAIN on its own stack.
 * Returns the number of CPUs online, this one included.
 */
unsigned int smp_start_cpus(ap_main_t main);
/* CPUs the cell has (the comm region's num_cpus; 1 without it). */
unsigned int smp_expected_cpus(void);
unsigned int smp_online_cpus(void);
/* This CPU's index: 0 for the boot CPU, then in start order. */
unsigned int smp_cpu_index(void);
uint32_t smp_cpu_apic_id(unsigned int index);
/*
 * How many CPUs the hypervisor started at the reset address this start,
 * the boot CPU (the first to arrive) included; fills up to MAX of their
 * APIC IDs, the boot CPU's first.  Later CPUs may still be arriving.
 */
unsigned int smp_reset_arrivals(uint32_t *apic_ids, unsigned int max);

/* ---- what the start code saw ---- */

/*
 * The low half of IA32_MTRR_DEF_TYPE as the boot CPU's 32-bit start code
 * read it, before paging, just before it set the enable bit and the
 * write-back default type (boot.S).
 */
extern volatile uint32_t inmate_boot_mtrr_def_type;

#endif
