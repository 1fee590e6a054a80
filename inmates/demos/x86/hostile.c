// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hostile: makes one attack on the hypervisor and the rest of the machine,
 * chosen by "attack=N" (Documentation/hostile-inmates.md lists them), and
 * prints what it saw as "hostile: attack N: WHAT" lines.
 */
#include <inmate.h>

#include "hostile.h"

/* The timer that wakes the wait for the shutdown request, every 5 ms. */
#define VECTOR_WAIT_TICK	0x20
#define WAIT_TICK_NS		5000000ULL

static unsigned int attack_number;

void say(const char *format, ...)
{
	char line[200];
	va_list args;

	va_start(args, format);
	format_vsnprintf(line, sizeof(line), format, args);
	va_end(args);
	printk("hostile: attack %u: %s\n", attack_number, line);
}

const char *fault_name(void)
{
	return exception_fixup_vector == VECTOR_UD ? "#UD" : "#GP";
}

/* ---- memory outside the cell: the access itself ends the cell ---- */

void touch_read(uint64_t address)
{
	uint32_t value = mmio_read32(address);

	say("read %#x at %#lx", value, address);
}

void touch_write(uint64_t address)
{
	mmio_write32(address, 0xdeadbeef);
	say("wrote %#lx", address);
}

/* ---- ports: reads see a missing device, writes do nothing ---- */

/*
 * Reads @port, writes @value (never 0xff, so that a write that got through
 * shows when it reads back) and reads again; says "PORT: all ones" when
 * nothing of the device shows.
 */
void port_probe(uint16_t port, uint8_t value)
{
	uint8_t before = inb(port), after;

	outb(port, value);
	after = inb(port);
	if (before == 0xff && after == 0xff)
		say("port %#x: all ones", port);
	else if (after == value)
		say("port %#x: wrote %#x and read it back", port, value);
	else
		say("port %#x: read %#x, then %#x", port, before, after);
}

void port_probe32(uint16_t port, uint32_t value)
{
	uint32_t read;

	__asm__ __volatile__("outl %0, %1" : : "a"(value), "Nd"(port));
	read = inl(port);
	if (read == 0xffffffff)
		say("port %#x: all ones", port);
	else
		say("port %#x: read %#x", port, read);
}

/* ---- MSRs ---- */

void msr_read(uint32_t msr)
{
	uint64_t value;

	if (rdmsr_safe(msr, &value))
		say("rdmsr %#x: %#lx", msr, value);
	else
		say("rdmsr %#x: #GP", msr);
}

void msr_write(uint32_t msr, uint64_t value)
{
	if (wrmsr_safe(msr, value))
		say("wrmsr %#x: accepted", msr);
	else
		say("wrmsr %#x: #GP", msr);
}

/* Writes the value the MSR reads back with @bits set; says what happened. */
void msr_write_bits(uint32_t msr, uint64_t bits)
{
	uint64_t value = 0;

	if (!rdmsr_safe(msr, &value)) {
		say("rdmsr %#x: #GP", msr);
		return;
	}
	if (wrmsr_safe(msr, value | bits)) {
		say("wrmsr %#x: accepted", msr);
		wrmsr_safe(msr, value);
	} else {
		say("wrmsr %#x: #GP", msr);
	}
}

/* ---- after the attack ---- */

static void wait_tick(unsigned int vector)
{
	(void)vector;
}

/*
 * Waits for the shutdown request in HLT, woken every WAIT_TICK_NS by the
 * TSC-deadline timer, so that a cell that survived its attack leaves its
 * CPU idle while the root cell checks the outcome; without that timer it
 * polls.
 */
static void answer_shutdown(void)
{
	enum shutdown_policy policy = shutdown_policy_from_cmdline();
	bool halt = irq_register(VECTOR_WAIT_TICK, wait_tick) == 0 &&
		    apic_timer_setup(APIC_TIMER_TSC_DEADLINE, VECTOR_WAIT_TICK) == 0;

	for (;;) {
		comm_answer_shutdown(NAME, policy);
		if (!halt) {
			cpu_relax();
			continue;
		}
		apic_timer_deadline(tsc_read() + ns_to_tsc(WAIT_TICK_NS));
		cpu_wait_for_interrupt();
	}
}

void inmate_main(void)
{
	const struct attack *attack;

	attack_number = (unsigned int)cmdline_parse_int("attack", 0);
	attack = attack_find(attack_number);
	if (!attack) {
		printk(NAME ": no attack %u: pass attack=N, 1 to %u\n", attack_number,
		       attack_count());
		answer_shutdown();
	}
	printk(NAME ": attack %u %s: begin\n", attack_number, attack->name);
	attack->run();
	printk(NAME ": attack %u done\n", attack_number);
	answer_shutdown();
}
