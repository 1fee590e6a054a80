// SPDX-License-Identifier: GPL-2.0
/* Taking a CPU onto the hypervisor's descriptor tables and handing it back. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/errno.h>
#include <asm/processor.h>
#include <asm/vmx-caps.h>

void *memcpy(void *destination, const void *source, size_t size);

/* Flat 64-bit code and data segments; SDM Vol. 3A, 3.4.5 and 5.2.1. */
#define GDT_CODE64	0x00af9b000000ffffULL
#define GDT_DATA	0x00cf93000000ffffULL
#define IDT_INTERRUPT_GATE	0x8e

#define VECTOR_NMI		2
#define VECTOR_BREAKPOINT	3

/* Entry stubs of entry.S, one per exception vector. */
extern const uint64_t exception_stubs[IDT_EXCEPTION_VECTORS];

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
	arch->gdt[GDT_SELECTOR_CODE / 8] = GDT_CODE64;
	arch->gdt[GDT_SELECTOR_DATA / 8] = GDT_DATA;
	arch->gdt[3] = 0;
}

static void build_idt(struct arch_cpu *arch)
{
	unsigned int vector;

	for (vector = 0; vector < IDT_EXCEPTION_VECTORS; vector++) {
		uint64_t handler = exception_stubs[vector];
		struct idt_gate *gate = &arch->idt[vector];

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
	if (idtr.base == (uint64_t)arch->idt)
		flags |= BULKHEAD_CPU_OWN_IDT;
	return flags;
}

void arch_cpu_enter(struct per_cpu *cpu, uint64_t own_page_table_root)
{
	struct arch_cpu *arch = &cpu->arch;
	struct descriptor_table gdtr = {
		.limit = sizeof(arch->gdt) - 1, .base = (uint64_t)arch->gdt,
	};
	struct descriptor_table idtr = {
		.limit = sizeof(arch->idt) - 1, .base = (uint64_t)arch->idt,
	};

	arch->linux_gdtr = read_gdtr();
	arch->linux_idtr = read_idtr();
	arch->linux_cr4 = read_cr4();

	build_gdt(arch);
	build_idt(arch);
	load_idtr(&idtr);
	load_gdtr(&gdtr);
	load_code_and_stack_segments(GDT_SELECTOR_CODE, GDT_SELECTOR_DATA);

	cpu->public.apic_id = read_apic_id();
	cpu->public.flags |= descriptor_flags(arch);
	/* CR3 bits 11:0 may hold a PCID; SDM Vol. 3A, 4.5. */
	if ((read_cr3() & ~0xfffULL) == own_page_table_root)
		cpu->public.flags |= BULKHEAD_CPU_OWN_PAGE_TABLES;
}

int arch_cpu_test_exception(struct per_cpu *cpu)
{
	cpu->arch.expect_breakpoint = true;
	asm volatile("int3" ::: "memory");
	if (cpu->arch.expect_breakpoint)
		return trace_error(-EIO);
	cpu->public.flags |= BULKHEAD_CPU_EXCEPTION_OK;
	return 0;
}

static uint64_t read_cr0(void)
{
	uint64_t value;

	asm volatile("mov %%cr0, %0" : "=r"(value));
	return value;
}

/* A control register value honours the VMX fixed bits; SDM Vol. 3D, A.7 and A.8. */
static bool fits_fixed_bits(uint64_t value, uint32_t fixed0_msr)
{
	uint64_t fixed0 = read_msr(fixed0_msr);
	uint64_t fixed1 = read_msr(fixed0_msr + 1);

	return (value & fixed0) == fixed0 && (value & ~fixed1) == 0;
}

/* VMXON needs IA32_FEATURE_CONTROL locked with VMX on; lock it if the firmware did not.  SDM Vol. 3C, 24.7. */
static int enable_feature_control(void)
{
	uint64_t value = read_msr(VMX_MSR_FEATURE_CONTROL);

	if (!(value & FEATURE_CONTROL_LOCKED)) {
		write_msr(VMX_MSR_FEATURE_CONTROL, value | FEATURE_CONTROL_LOCKED |
			  FEATURE_CONTROL_VMX_OUTSIDE_SMX);
		return 0;
	}
	return value & FEATURE_CONTROL_VMX_OUTSIDE_SMX ? 0 : trace_error(-ENODEV);
}

static int vmxon(uint64_t region_phys)
{
	bool failed;

	asm volatile("vmxon %1\n\tsetna %0"
		     : "=qm"(failed) : "m"(region_phys) : "cc", "memory");
	return failed ? trace_error(-EIO) : 0;
}

static void vmxoff(void)
{
	asm volatile("vmxoff" ::: "cc", "memory");
}

/*
 * Enters VMX root operation and leaves it: the first step of taking the CPU
 * over.  CR0 and CR4 must honour the VMX fixed bits, CR4.VMXE must be set,
 * and the VMXON region starts with the VMCS revision; SDM Vol. 3C, 24.7 and
 * 25.11.5.
 */
int arch_cpu_test_vmx(struct per_cpu *cpu, uint64_t virt_to_phys_offset)
{
	struct arch_cpu *arch = &cpu->arch;
	uint64_t cr4 = arch->linux_cr4 | CR4_VMXE;
	uint32_t revision = (uint32_t)read_msr(VMX_MSR_FIRST + VMX_BASIC) & 0x7fffffff;
	int err;

	if (arch->linux_cr4 & CR4_VMXE)
		return trace_error(-EBUSY);
	err = enable_feature_control();
	if (err)
		return err;
	if (!fits_fixed_bits(read_cr0(), VMX_MSR_FIRST + VMX_CR0_FIXED0) ||
	    !fits_fixed_bits(cr4, VMX_MSR_FIRST + VMX_CR4_FIXED0))
		return trace_error(-EINVAL);
	memcpy(arch->vmxon_region, &revision, sizeof(revision));
	write_cr4(cr4);
	err = vmxon((uint64_t)arch->vmxon_region + virt_to_phys_offset);
	if (err)
		return err;
	arch->vmx_on = true;
	vmxoff();
	arch->vmx_on = false;
	write_cr4(arch->linux_cr4);
	cpu->public.flags |= BULKHEAD_CPU_VMX_OK;
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
	if (cpu->arch.vmx_on) {
		vmxoff();
		cpu->arch.vmx_on = false;
	}
	write_cr4(cpu->arch.linux_cr4);
	load_gdtr(&cpu->arch.linux_gdtr);
	load_idtr(&cpu->arch.linux_idtr);
}

uint64_t arch_read_timestamp(void)
{
	return read_tsc();
}

/*
 * Called by entry.S for every exception taken in the hypervisor.  Returns 0
 * to resume where it happened, or non-zero after putting Linux's tables back,
 * so that entry.S unwinds to the entry frame and returns -EFAULT to Linux:
 * a fault in the hypervisor never becomes a double fault.
 */
int arch_handle_exception(struct exception_frame *frame)
{
	struct per_cpu *cpu = this_cpu();

	if (frame->vector == VECTOR_NMI) {
		cpu->arch.nmis++;
		return 0;
	}
	if (frame->vector == VECTOR_BREAKPOINT && cpu->arch.expect_breakpoint) {
		cpu->arch.expect_breakpoint = false;
		return 0;
	}
	cpu->public.fault_vector = (uint32_t)frame->vector;
	cpu->public.fault_rip = frame->rip;
	arch_cpu_leave(cpu);
	return 1;
}
