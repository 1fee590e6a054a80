// SPDX-License-Identifier: GPL-2.0
/* Taking a CPU onto the hypervisor's descriptor tables and handing it back. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <asm/apic.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/vmx-cpu.h>

void *memcpy(void *destination, const void *source, size_t size);

/* Flat 64-bit code and data segments; SDM Vol. 3A, 3.4.5 and 5.2.1. */
#define GDT_CODE64	0x00af9b000000ffffULL
#define GDT_DATA	0x00cf93000000ffffULL
#define IDT_INTERRUPT_GATE	0x8e

#define VECTOR_NMI		2
#define VECTOR_BREAKPOINT	3

/* Entry stubs of entry.S, one per exception vector. */
extern const uint64_t exception_stubs[IDT_EXCEPTION_VECTORS];
/* Vectors 32 to 255, one 16-byte stub each. */
extern const uint8_t interrupt_stubs[];
#define INTERRUPT_STUB_SIZE	16

struct exception_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

int arch_handle_exception(struct exception_frame *frame);

static void build_gdt(struct arch_cpu *arch)
{
	arch->gdt[0] = 0;
	arch->gdt[1] = 0;
	arch->gdt[GDT_SELECTOR_CODE / 8] = GDT_CODE64;
	arch->gdt[GDT_SELECTOR_DATA / 8] = GDT_DATA;
}

struct idt_gate arch_idt[IDT_VECTORS] __attribute__((aligned(16)));

/* Every CPU writes the same gates: harmless while another CPU uses the table. */
static void build_idt(void)
{
	unsigned int vector;

	for (vector = 0; vector < IDT_VECTORS; vector++) {
		uint64_t handler = vector < IDT_EXCEPTION_VECTORS ? exception_stubs[vector] :
				   (uint64_t)interrupt_stubs +
				   (vector - IDT_EXCEPTION_VECTORS) * INTERRUPT_STUB_SIZE;
		struct idt_gate *gate = &arch_idt[vector];

		gate->offset_low = (uint16_t)handler;
		gate->selector = GDT_SELECTOR_CODE;
		gate->ist = 0;
		gate->type_attributes = IDT_INTERRUPT_GATE;
		gate->offset_mid = (uint16_t)(handler >> 16);
		gate->offset_high = (uint32_t)(handler >> 32);
		gate->reserved = 0;
	}
}

/* x2APIC ID from CPUID leaf 0xb where it exists, else the xAPIC ID of leaf 1. */
static uint32_t read_apic_id(void)
{
	if (cpuid(0, 0).eax >= 0xb && cpuid(0xb, 0).ebx != 0)
		return cpuid(0xb, 0).edx;
	return cpuid(1, 0).ebx >> 24;
}

static uint32_t descriptor_flags(const struct arch_cpu *arch)
{
	struct descriptor_table gdtr = read_gdtr();
	struct descriptor_table idtr = read_idtr();
	uint32_t flags = 0;

	if (gdtr.base == (uint64_t)arch->gdt)
		flags |= BULKHEAD_CPU_OWN_GDT;
	if (idtr.base == (uint64_t)arch_idt)
		flags |= BULKHEAD_CPU_OWN_IDT;
	return flags;
}

/* [base, base + size] is mapped in the page tables the driver built; both ends suffice (a page or two). */
static bool range_mapped(uint64_t base, uint64_t size)
{
	struct page_pool tables = {
		.virt = memory_at(image_header.page_pool_offset),
		.phys = image_header.memory_phys + image_header.page_pool_offset,
		.used = image_header.page_pool_used,
	};
	uint64_t phys, flags;

	return paging_translate(&tables, (const uint64_t *)tables.virt, base, &phys, &flags) &&
	       paging_translate(&tables, (const uint64_t *)tables.virt, base + size, &phys, &flags);
}

/*
 * An NMI or machine check between the trampoline's CR3 switch and the
 * loading of this hypervisor's IDT is delivered through the IDT and GDT
 * the CPU came with: they must be mapped here as well as in Linux (the
 * driver's bridge, Documentation/design.md).  Recorded for tests.
 */
static uint32_t entry_tables_flag(const struct arch_cpu *arch)
{
	if (range_mapped(arch->linux_idtr.base, arch->linux_idtr.limit) &&
	    range_mapped(arch->linux_gdtr.base, arch->linux_gdtr.limit))
		return BULKHEAD_CPU_ENTRY_TABLES_MAPPED;
	return 0;
}

void arch_cpu_enter(struct per_cpu *cpu, uint64_t own_page_table_root)
{
	struct arch_cpu *arch = &cpu->arch;
	struct descriptor_table gdtr = {
		.limit = sizeof(arch->gdt) - 1, .base = (uint64_t)arch->gdt,
	};
	struct descriptor_table idtr = {
		.limit = sizeof(arch_idt) - 1, .base = (uint64_t)arch_idt,
	};

	arch->pending = 0;
	arch->nmi_in_flight = 0;
	arch->phase = PHASE_ROOT;
	arch->linux_gdtr = read_gdtr();
	arch->linux_idtr = read_idtr();
	arch->linux_cr4 = read_cr4();
	cpu->public->flags |= entry_tables_flag(arch);
	/* The trampoline cleared them already; vmx_host_cr4() says why. */
	write_cr4(arch->linux_cr4 & ~VMX_HOST_CR4_CLEARED);

	build_gdt(arch);
	build_idt();
	load_idtr(&idtr);
	load_gdtr(&gdtr);
	load_code_and_stack_segments(GDT_SELECTOR_CODE, GDT_SELECTOR_DATA);

	cpu->public->apic_id = read_apic_id();
	cpu->public->flags |= descriptor_flags(arch);
	/* CR3 bits 11:0 may hold a PCID; SDM Vol. 3A, 4.5. */
	if ((read_cr3() & ~0xfffULL) == own_page_table_root)
		cpu->public->flags |= BULKHEAD_CPU_OWN_PAGE_TABLES;
}

int arch_cpu_test_exception(struct per_cpu *cpu)
{
	cpu->arch.expect_breakpoint = true;
	asm volatile("int3" ::: "memory");
	if (cpu->arch.expect_breakpoint)
		return trace_error(-EIO);
	cpu->public->flags |= BULKHEAD_CPU_EXCEPTION_OK;
	return 0;
}

/*
 * Linux's GDT is not mapped here, so CS and SS keep the hypervisor's
 * selectors until the driver's trampoline, back on Linux's page tables,
 * reloads them; until then the descriptor caches hold flat 64-bit segments
 * (SDM Vol. 3A, 3.4.3), which is all the code on the way back needs.
 */
void arch_cpu_leave(struct per_cpu *cpu)
{
	vmx_off(cpu);
	write_cr4(cpu->arch.linux_cr4);
	load_gdtr(&cpu->arch.linux_gdtr);
	load_idtr(&cpu->arch.linux_idtr);
}

uint64_t arch_read_timestamp(void)
{
	return read_tsc();
}

/* Instruction addresses with a fixup, and where to continue; see FIXUP(). */
struct fixup {
	uint64_t instruction;
	uint64_t continuation;
};
extern const struct fixup __fixup_start[], __fixup_end[];

static bool apply_fixup(struct per_cpu *cpu, struct exception_frame *frame)
{
	const struct fixup *fixup;

	for (fixup = __fixup_start; fixup < __fixup_end; fixup++)
		if (fixup->instruction == frame->rip) {
			frame->rip = fixup->continuation;
			cpu->arch.fixup_faulted = true;
			return true;
		}
	return false;
}

bool msr_read_safe(uint32_t msr, uint64_t *value)
{
	struct per_cpu *cpu = this_cpu();
	uint32_t low = 0, high = 0;

	cpu->arch.fixup_faulted = false;
	asm volatile("1: rdmsr\n2:\n\t" FIXUP("1b", "2b")
		     : "+a"(low), "+d"(high) : "c"(msr) : "memory");
	*value = ((uint64_t)high << 32) | low;
	return !cpu->arch.fixup_faulted;
}

bool msr_write_safe(uint32_t msr, uint64_t value)
{
	struct per_cpu *cpu = this_cpu();

	cpu->arch.fixup_faulted = false;
	asm volatile("1: wrmsr\n2:\n\t" FIXUP("1b", "2b")
		     : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
		     : "memory");
	return !cpu->arch.fixup_faulted;
}

bool xsetbv_safe(uint32_t index, uint64_t value)
{
	struct per_cpu *cpu = this_cpu();

	cpu->arch.fixup_faulted = false;
	asm volatile("1: xsetbv\n2:\n\t" FIXUP("1b", "2b")
		     : : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
		     : "memory");
	return !cpu->arch.fixup_faulted;
}

/*
 * Called by entry.S for every exception taken in the hypervisor.  Returns 0
 * to resume where it happened.  Before Linux runs as a guest, anything
 * unexpected returns non-zero after putting Linux's tables back, so that
 * entry.S unwinds to the entry frame and returns -EFAULT to Linux; once it
 * does, the fault is logged and this CPU parked.  A fault in the hypervisor
 * never becomes a double fault.
 */
int arch_handle_exception(struct exception_frame *frame)
{
	struct per_cpu *cpu = this_cpu();

	if (frame->vector == VECTOR_NMI) {
		vmx_nmi_in_hypervisor(cpu);
		/* The NMI may have come between the wait loop's look and its HLT: skip the HLT. */
		if (frame->rip >= (uint64_t)arch_halt_window_start &&
		    frame->rip < (uint64_t)arch_halt_window_end)
			frame->rip = (uint64_t)arch_halt_window_end;
		return 0;
	}
	/* Only taken while an APIC is drained between guests (apic.c). */
	if (frame->vector >= IDT_EXCEPTION_VECTORS) {
		cpu->arch.interrupts_drained++;
		apic_end_interrupt();
		return 0;
	}
	if (frame->vector == VECTOR_BREAKPOINT && cpu->arch.expect_breakpoint) {
		cpu->arch.expect_breakpoint = false;
		return 0;
	}
	if (apply_fixup(cpu, frame))
		return 0;
	cpu->public->fault_vector = (uint32_t)frame->vector;
	cpu->public->fault_rip = frame->rip;
	if (cpu->arch.in_service) {
		printk("CPU %u: hypervisor fault: vector %lu, error code 0x%lx at RIP 0x%lx, RSP 0x%lx\n",
		       cpu->cpu_id, frame->vector, frame->error_code, frame->rip, frame->rsp);
		arch_cpu_park(cpu);
	}
	arch_cpu_leave(cpu);
	return 1;
}
