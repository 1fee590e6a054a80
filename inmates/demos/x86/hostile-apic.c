// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The hostile inmate's attacks through the ICR, VMX instructions, hypercalls, and the ones that never come back. */
#include "hostile.h"

#define X2APIC_ICR		0x830
#define ICR_MODE(mode)		((uint64_t)(mode) << 8)
#define ICR_LOGICAL		(1ULL << 11)
#define ICR_ASSERT		(1ULL << 14)
#define ICR_ALL_INCLUDING_SELF	(2ULL << 18)
#define ICR_ALL_EXCLUDING_SELF	(3ULL << 18)
#define ICR_DESTINATION(id)	((uint64_t)(id) << 32)
#define VECTOR_FOREIGN		0x41
/* How long interrupts stay on after the IPIs, for whatever comes back. */
#define SETTLE_US		2000

/* Destination forms (SDM Vol. 3A, 10.12.9 and 10.6.2): the cell's one CPU is APIC ID 1. */
struct icr_form {
	const char *name;
	uint64_t bits;
	bool includes_self;
};

static const struct icr_form icr_forms[] = {
	{ "physical APIC 0 (Linux)", ICR_DESTINATION(0), false },
	{ "physical APIC 2 (other cell)", ICR_DESTINATION(2), false },
	{ "logical APICs 0 and 2", ICR_LOGICAL | ICR_DESTINATION(0x5), false },
	{ "all excluding self", ICR_ALL_EXCLUDING_SELF, false },
	{ "physical broadcast", ICR_DESTINATION(0xffffffffU), true },
	{ "logical broadcast", ICR_LOGICAL | ICR_DESTINATION(0xffffffffU), true },
	{ "all including self", ICR_ALL_INCLUDING_SELF, true },
};

/* Writes the ICR in every form (only those leaving this CPU out unless @with_self); says how many raised #GP. */
static void icr_all_forms(const char *mode_name, uint64_t mode_bits, bool with_self)
{
	unsigned int i, writes = 0, faults = 0;

	irq_count_all(true);
	for (i = 0; i < sizeof(icr_forms) / sizeof(icr_forms[0]); i++) {
		if (icr_forms[i].includes_self && !with_self)
			continue;
		writes++;
		if (!wrmsr_safe(X2APIC_ICR, icr_forms[i].bits | mode_bits | ICR_ASSERT)) {
			faults++;
			say("%s %s: #GP", mode_name, icr_forms[i].name);
		}
	}
	irq_enable();
	delay_us(SETTLE_US);
	irq_disable();
	say("%s: %u ICR writes, %u raised #GP", mode_name, writes, faults);
}

void attack_icr_fixed(void)
{
	icr_all_forms("fixed", ICR_MODE(0) | VECTOR_FOREIGN, true);
}

void attack_icr_nmi(void)
{
	icr_all_forms("NMI", ICR_MODE(4), true);
}

void attack_icr_init(void)
{
	icr_all_forms("INIT", ICR_MODE(5), false);
}

void attack_icr_sipi(void)
{
	icr_all_forms("SIPI", ICR_MODE(6) | 0x02, false);
}

void attack_icr_smi(void)
{
	icr_all_forms("SMI", ICR_MODE(2), false);
}

void attack_icr_lowest(void)
{
	icr_all_forms("lowest priority", ICR_MODE(1) | VECTOR_FOREIGN, false);
}

void attack_icr_reserved(void)
{
	icr_all_forms("mode 3", ICR_MODE(3) | VECTOR_FOREIGN, false);
	icr_all_forms("mode 7", ICR_MODE(7) | VECTOR_FOREIGN, false);
}

/* ---- VMX instructions: no nested virtualization ---- */

/* A VMXON region, VMCS or INVEPT descriptor: any 4 KiB-aligned page of the cell's. */
static uint8_t vmx_page[4096] __attribute__((aligned(4096)));

#define VMX_TRY(function, instruction)						\
static bool function(void)							\
{										\
	uint64_t rax = 0, rbx = 0;						\
	void *page = vmx_page;							\
	bool ok = false;							\
										\
	__asm__ __volatile__("1: " instruction "\n\tmovb $1, %b0\n2:\n\t"	\
			     EXCEPTION_FIXUP(1b, 2b)				\
			     : "+r"(ok), "+a"(rax), "+b"(rbx), "+D"(page)	\
			     : : "memory", "cc");				\
	return ok;								\
}

VMX_TRY(try_vmxon, "vmxon (%%rdi)")
VMX_TRY(try_vmxoff, "vmxoff")
VMX_TRY(try_vmclear, "vmclear (%%rdi)")
VMX_TRY(try_vmptrld, "vmptrld (%%rdi)")
VMX_TRY(try_vmptrst, "vmptrst (%%rdi)")
VMX_TRY(try_vmread, "vmread %%rax, %%rbx")
VMX_TRY(try_vmwrite, "vmwrite %%rbx, %%rax")
VMX_TRY(try_vmlaunch, "vmlaunch")
VMX_TRY(try_vmresume, "vmresume")
VMX_TRY(try_invept, "invept (%%rdi), %%rax")
VMX_TRY(try_invvpid, "invvpid (%%rdi), %%rax")
VMX_TRY(try_vmfunc, ".byte 0x0f, 0x01, 0xd4")
VMX_TRY(try_getsec, ".byte 0x0f, 0x37")

static void vmx_result(const char *name, bool ok)
{
	if (ok)
		say("%s: completed", name);
	else
		say("%s: %s", name, fault_name());
}

void attack_vmxon(void)
{
	uint64_t cr4;
	bool ok = false;

	__asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
	__asm__ __volatile__("1: mov %1, %%cr4\n\tmovb $1, %b0\n2:\n\t" EXCEPTION_FIXUP(1b, 2b)
			     : "+r"(ok) : "r"(cr4 | (1ULL << 13)) : "memory");
	vmx_result("CR4.VMXE", ok);
	msr_read(0x480);
	*(uint32_t *)vmx_page = (uint32_t)cpuid(1, 0).eax;	/* any revision */
	vmx_result("VMXON", try_vmxon());
}

void attack_vmx_instructions(void)
{
	vmx_result("VMXOFF", try_vmxoff());
	vmx_result("VMCLEAR", try_vmclear());
	vmx_result("VMPTRLD", try_vmptrld());
	vmx_result("VMPTRST", try_vmptrst());
	vmx_result("VMREAD", try_vmread());
	vmx_result("VMWRITE", try_vmwrite());
	vmx_result("VMLAUNCH", try_vmlaunch());
	vmx_result("VMRESUME", try_vmresume());
	vmx_result("INVEPT", try_invept());
	vmx_result("INVVPID", try_invvpid());
	vmx_result("VMFUNC", try_vmfunc());
	vmx_result("GETSEC", try_getsec());
}

/* ---- hypercalls with garbage arguments ---- */

static void hypercall_result(const char *what, unsigned long code, unsigned long arg1,
			     unsigned long arg2)
{
	say("%s: %ld", what, hypercall2(code, arg1, arg2));
}

void attack_hypercall_management(void)
{
	hypercall_result("disable", BULKHEAD_HC_DISABLE, ~0UL, ~0UL);
	hypercall_result("cell create", BULKHEAD_HC_CELL_CREATE, 0xdeadbeef000UL, 0x1000);
	hypercall_result("cell start", BULKHEAD_HC_CELL_START, 1, 0);
	hypercall_result("cell set loadable", BULKHEAD_HC_CELL_SET_LOADABLE, 0, 0);
	hypercall_result("cell destroy of the root cell", BULKHEAD_HC_CELL_DESTROY, 0, 0);
	hypercall_result("cell get state", BULKHEAD_HC_CELL_GET_STATE, ~0UL, 0);
	hypercall_result("CPU hand back", BULKHEAD_HC_CPU_HAND_BACK, 0, 0);
}

void attack_hypercall_info(void)
{
	hypercall_result("get info of type ~0", BULKHEAD_HC_HYPERVISOR_GET_INFO, ~0UL, ~0UL);
	hypercall_result("CPU 0 info", BULKHEAD_HC_CPU_GET_INFO, 0, 0);
	hypercall_result("CPU 2 info", BULKHEAD_HC_CPU_GET_INFO, 2, 0);
	hypercall_result("CPU 64 info", BULKHEAD_HC_CPU_GET_INFO, 64, 0);
	hypercall_result("CPU ~0 info", BULKHEAD_HC_CPU_GET_INFO, ~0UL, 0);
	hypercall_result("CPU 1 info of type ~0", BULKHEAD_HC_CPU_GET_INFO, 1, ~0UL);
	hypercall_result("putc of an escape", BULKHEAD_HC_DEBUG_CONSOLE_PUTC, 0x1b, ~0UL);
}

void attack_hypercall_unknown(void)
{
	static const unsigned long codes[] = { 9, 15, 17, 0xffffffffUL, 1UL << 63, ~0UL };
	unsigned int i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		say("code %#lx: %ld", codes[i], hypercall2(codes[i], ~0UL, ~0UL));
}

/* ---- attacks that never come back ---- */

void attack_triple_fault(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	say("empty IDT, then ud2");
	__asm__ __volatile__("lidt %0\n\tud2" : : "m"(empty));
}

void attack_cli_hlt(void)
{
	say("cli; hlt for good");
	for (;;)
		__asm__ __volatile__("cli\n\thlt");
}

void attack_spin_irqs_off(void)
{
	say("spinning with interrupts off, deaf to shutdown");
	irq_disable();
	for (;;)
		cpu_relax();
}

/* As many hypercalls as the CPU can make, interrupts off, deaf to shutdown; the putcs hit the rate limit. */
void attack_vmcall_flood(void)
{
	say("VMCALL flood with interrupts off");
	irq_disable();
	for (;;) {
		hypercall1(BULKHEAD_HC_HYPERVISOR_GET_INFO, 0);
		hypercall_debug_putc('x');
	}
}
