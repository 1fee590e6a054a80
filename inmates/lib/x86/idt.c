// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The IDT: exceptions print and halt the CPU (a #GP with a fixup resumes), interrupts go to registered handlers and may all be counted. */
#include "irq-tally.h"
#include "lib.h"

#define IDT_ENTRIES		256
#define NUM_EXCEPTIONS		32
#define VECTOR_NMI		2
#define VECTOR_INVALID_OPCODE	6
#define VECTOR_GENERAL_PROTECTION 13
#define VECTOR_PAGE_FAULT	14
/* Present, DPL 0, 64-bit interrupt gate: IF is cleared on entry (SDM Vol. 3A, 6.14.1). */
#define IDT_INTERRUPT_GATE	0x8e

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_middle;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate size");

struct idt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));
static irq_handler_t irq_handlers[IDT_ENTRIES];
/* Shared by all CPUs, as the handlers are. */
static struct irq_tally tally;
static volatile bool counting;

static const char *const exception_names[NUM_EXCEPTIONS] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization",
	"#CP control protection", "reserved 22", "reserved 23", "reserved 24",
	"reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

void idt_init(void)
{
	unsigned int vector;
	uint64_t stub;

	for (vector = 0; vector < IDT_ENTRIES; vector++) {
		stub = interrupt_stub_table[vector];
		idt[vector] = (struct idt_gate){
			.offset_low = (uint16_t)stub,
			.selector = INMATE_CS64,
			.type = IDT_INTERRUPT_GATE,
			.offset_middle = (uint16_t)(stub >> 16),
			.offset_high = (uint32_t)(stub >> 32),
		};
	}
}

void idt_load(void)
{
	struct idt_pointer pointer = { .limit = sizeof(idt) - 1, .base = (uint64_t)idt };

	__asm__ __volatile__("lidt %0" : : "m"(pointer));
}

int irq_register(unsigned int vector, irq_handler_t handler)
{
	if (vector < IRQ_VECTOR_FIRST || vector >= IRQ_VECTOR_SPURIOUS)
		return -1;
	irq_handlers[vector] = handler;
	irq_tally_expect(&tally, vector, handler != NULL);
	return 0;
}

void irq_count_all(bool enable)
{
	counting = enable;
}

void irq_expect(unsigned int vector, bool expected)
{
	irq_tally_expect(&tally, vector, expected);
}

uint32_t irq_count(unsigned int vector)
{
	return vector < IDT_ENTRIES ? __atomic_load_n(&tally.count[vector], __ATOMIC_RELAXED) : 0;
}

uint32_t irq_unexpected(unsigned int vector)
{
	return vector < IDT_ENTRIES ?
	       __atomic_load_n(&tally.unexpected[vector], __ATOMIC_RELAXED) : 0;
}

uint64_t irq_unexpected_total(void)
{
	return irq_tally_unexpected_total(&tally);
}

void irq_count_reset(void)
{
	irq_tally_reset(&tally);
}

uint64_t irq_report_unexpected(const char *name)
{
	uint64_t total = irq_tally_unexpected_total(&tally);
	char text[200];

	if (total) {
		irq_tally_format_unexpected(&tally, text, sizeof(text));
		printk("%s: unexpected interrupts: %s\n", name, text);
	}
	return total;
}

/* By CPUID, which works before x2APIC mode is on (the x2APIC ID MSR would fault). */
static uint32_t apic_id_by_cpuid(void)
{
	if (cpuid(0, 0).eax >= 0xb)
		return cpuid(0xb, 0).edx;
	return cpuid(1, 0).ebx >> 24;
}

static void report_exception(const struct interrupt_frame *frame)
{
	printk("inmate: exception %s (vector %lu, error code %#lx) on CPU %u at RIP %#lx, "
	       "RSP %#lx, RFLAGS %#lx\n", exception_names[frame->vector], frame->vector,
	       frame->error_code, apic_id_by_cpuid(), frame->rip, frame->rsp, frame->rflags);
	if (frame->vector == VECTOR_PAGE_FAULT)
		printk("inmate: page fault address %#lx\n", read_cr2());
	printk("inmate: RAX %#lx RCX %#lx RDX %#lx RSI %#lx RDI %#lx\n", frame->rax,
	       frame->rcx, frame->rdx, frame->rsi, frame->rdi);
}

volatile unsigned int exception_fixup_vector;

/*
 * A #GP or #UD of an instruction with an entry in the fixup table
 * (rdmsr_safe and the like) resumes at its fixup; both are faults, so RIP
 * names the instruction itself (SDM Vol. 3A, 6.5 and 6.15).
 */
static bool exception_fixed(struct interrupt_frame *frame)
{
	uintptr_t fixup;

	if (frame->vector != VECTOR_GENERAL_PROTECTION && frame->vector != VECTOR_INVALID_OPCODE)
		return false;
	fixup = exception_fixup_find(__start_inmate_fixups, __stop_inmate_fixups, frame->rip);
	if (!fixup)
		return false;
	exception_fixup_vector = (unsigned int)frame->vector;
	frame->rip = fixup;
	return true;
}

/*
 * Exceptions are bugs in the inmate: report and stop this CPU (an NMI is
 * reported and resumed; counted silently instead while irq_count_all is
 * on, as printing from an NMI could wait for a lock its own CPU holds).
 */
static void exception_dispatch(struct interrupt_frame *frame, unsigned int vector)
{
	if (exception_fixed(frame))
		return;
	if (vector == VECTOR_NMI && counting) {
		irq_tally_record(&tally, vector);
		return;
	}
	report_exception(frame);
	if (vector != VECTOR_NMI)
		inmate_halt();
}

/*
 * Interrupts run their handler, then EOI; the spurious vector needs none
 * (SDM Vol. 3A, 10.9).  While counting, a vector without a handler is
 * counted and acknowledged without a message.
 */
void interrupt_dispatch(struct interrupt_frame *frame)
{
	unsigned int vector = (unsigned int)frame->vector;

	if (vector < NUM_EXCEPTIONS)
		return exception_dispatch(frame, vector);
	if (counting)
		irq_tally_record(&tally, vector);
	if (vector == IRQ_VECTOR_SPURIOUS)
		return;
	if (irq_handlers[vector])
		irq_handlers[vector](vector);
	else if (!counting)
		printk("inmate: interrupt vector %u on CPU %u has no handler\n", vector, cpu_id());
	apic_eoi();
}
