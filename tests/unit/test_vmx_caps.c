// SPDX-License-Identifier: GPL-2.0
/* Host tests of the VMX capability check and control adjustment (common/x86/vmx-caps.c). */
#include <errno.h>
#include <string.h>

#include <asm/vmx-caps.h>

#include "unit.h"

#define CPUID1_ECX_VMX (1U << 5)

/* Read inside Bochs 2.7, model corei7_skylake_x (shared/examples/vmx-msrs-bochs.txt). */
static struct vmx_cpu_facts bochs_skylake_x(void)
{
	struct vmx_cpu_facts facts = {
		.cpuid1_ecx = CPUID1_ECX_VMX,
		.feature_control = 0x5,
		.msr = {
			[VMX_BASIC] = 0x00d810000000002bULL,
			[VMX_PINBASED_CTLS] = 0x0000007f00000016ULL,
			[VMX_PROCBASED_CTLS] = 0xf7f9fffe0401e172ULL,
			[VMX_EXIT_CTLS] = 0x007fffff00036dffULL,
			[VMX_ENTRY_CTLS] = 0x0000ffff000011ffULL,
			[VMX_MISC] = 0x00000000600401e0ULL,
			[VMX_CR0_FIXED0] = 0x80000021ULL,
			[VMX_CR0_FIXED1] = 0xffffffffULL,
			[VMX_CR4_FIXED0] = 0x2000ULL,
			[VMX_CR4_FIXED1] = 0x003727ffULL,
			[VMX_VMCS_ENUM] = 0x34ULL,
			[VMX_PROCBASED_CTLS2] = 0x02177fff00000000ULL,
			[VMX_EPT_VPID_CAP] = 0x00000f0106334141ULL,
			[VMX_TRUE_PINBASED_CTLS] = 0x0000007f00000016ULL,
			[VMX_TRUE_PROCBASED_CTLS] = 0xf7f9fffe04006172ULL,
			[VMX_TRUE_EXIT_CTLS] = 0x007fffff00036dfbULL,
			[VMX_TRUE_ENTRY_CTLS] = 0x0000ffff000011fbULL,
			[VMX_VMFUNC] = 0x1ULL,
		},
	};
	return facts;
}

/* Bochs 2.7, model corei7_haswell_4770, the test machine's CPU: differs in two MSRs. */
static struct vmx_cpu_facts bochs_haswell(void)
{
	struct vmx_cpu_facts facts = bochs_skylake_x();

	facts.msr[VMX_PROCBASED_CTLS2] = 0x00047fff00000000ULL;
	facts.msr[VMX_MISC] = 0x00000000200401e0ULL;
	return facts;
}

/*
 * A Skylake client part (Core i7-6700 class) as vmxcap reports it: VMCS
 * revision 4, true controls, more secondary controls than Bochs.
 */
static struct vmx_cpu_facts skylake_client(void)
{
	struct vmx_cpu_facts facts = {
		.cpuid1_ecx = CPUID1_ECX_VMX,
		.feature_control = 0x5,
		.msr = {
			[VMX_BASIC] = 0x00da040000000004ULL,
			[VMX_PINBASED_CTLS] = 0x0000007f00000016ULL,
			[VMX_PROCBASED_CTLS] = 0xfff9fffe0401e172ULL,
			[VMX_EXIT_CTLS] = 0x01ffffff00036dffULL,
			[VMX_ENTRY_CTLS] = 0x0003ffff000011ffULL,
			[VMX_MISC] = 0x000000007004c1e7ULL,
			[VMX_CR0_FIXED0] = 0x80000021ULL,
			[VMX_CR0_FIXED1] = 0xffffffffULL,
			[VMX_CR4_FIXED0] = 0x2000ULL,
			[VMX_CR4_FIXED1] = 0x003767ffULL,
			[VMX_VMCS_ENUM] = 0x2eULL,
			[VMX_PROCBASED_CTLS2] = 0x0153efff00000000ULL,
			[VMX_EPT_VPID_CAP] = 0x00000f0106734141ULL,
			[VMX_TRUE_PINBASED_CTLS] = 0x0000007f00000016ULL,
			[VMX_TRUE_PROCBASED_CTLS] = 0xfff9fffe04006172ULL,
			[VMX_TRUE_EXIT_CTLS] = 0x01ffffff00036dfbULL,
			[VMX_TRUE_ENTRY_CTLS] = 0x0003ffff000011fbULL,
			[VMX_VMFUNC] = 0x1ULL,
		},
	};
	return facts;
}

static const char *first_missing_name(const struct vmx_cpu_facts *facts)
{
	unsigned int index = vmx_first_missing(facts);

	return index < vmx_requirement_count ? vmx_requirements[index].name : "";
}

static void bochs_and_skylake_have_everything(void)
{
	struct vmx_cpu_facts facts[] = { bochs_skylake_x(), bochs_haswell(), skylake_client() };
	unsigned int i;

	for (i = 0; i < 3; i++)
		CHECK(vmx_first_missing(&facts[i]) == vmx_requirement_count);
}

static void no_vmx_fails_first_and_hides_the_rest(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	unsigned int index;

	facts.cpuid1_ecx = 0;
	CHECK(strcmp(first_missing_name(&facts), "VMX (CPUID.1:ECX.VMX)") == 0);
	for (index = 3; index < vmx_requirement_count; index++)
		CHECK(!vmx_requirement_met(&facts, index));
}

static void vmx_locked_off_names_the_firmware_fix(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	unsigned int index;

	facts.feature_control = 0x1;
	index = vmx_first_missing(&facts);
	CHECK(strcmp(first_missing_name(&facts), "VMX enabled in IA32_FEATURE_CONTROL") == 0);
	CHECK(index < vmx_requirement_count && strstr(vmx_requirements[index].fix, "firmware setup"));
	facts.feature_control = 0x0;
	CHECK(vmx_first_missing(&facts) == vmx_requirement_count);
}

static void vmx_held_by_another_hypervisor_is_refused(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	unsigned int index;

	facts.cr4_vmxe = true;
	index = vmx_first_missing(&facts);
	CHECK(strcmp(first_missing_name(&facts), "VMX free (CR4.VMXE clear)") == 0);
	CHECK(index < vmx_requirement_count && strstr(vmx_requirements[index].fix, "kvm_intel"));
}

static void missing_controls_are_named(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();

	facts.msr[VMX_PROCBASED_CTLS2] &= ~(1ULL << (32 + 7));
	CHECK(strcmp(first_missing_name(&facts), "unrestricted guest") == 0);
	facts = bochs_haswell();
	facts.msr[VMX_PINBASED_CTLS] &= ~(1ULL << (32 + 6));
	CHECK(strcmp(first_missing_name(&facts), "VMX preemption timer") == 0);
	facts = bochs_haswell();
	facts.msr[VMX_EPT_VPID_CAP] &= ~(1ULL << 14);
	CHECK(strcmp(first_missing_name(&facts), "EPT write-back memory type") == 0);
	facts = bochs_haswell();
	facts.msr[VMX_BASIC] &= ~(0xfULL << 50);
	CHECK(strcmp(first_missing_name(&facts), "write-back VMCS memory type") == 0);
}

static void adjustment_adds_required_ones(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	uint32_t wanted = (1U << 3) | (1U << 5) | (1U << 6);
	uint32_t value, refused;
	enum vmx_capability msr = vmx_control_capability_msr(&facts, VMX_PINBASED_CTLS);

	CHECK(msr == VMX_TRUE_PINBASED_CTLS);
	CHECK(vmx_adjust_controls(facts.msr[msr], wanted, &value, &refused) == 0);
	CHECK(value == (wanted | 0x16) && refused == 0);
}

static void true_controls_allow_cr3_exiting_off(void)
{
	struct vmx_cpu_facts facts = bochs_skylake_x();
	uint32_t wanted = (1U << 25) | (1U << 28) | (1U << 31);
	uint32_t value, refused;

	CHECK(vmx_adjust_controls(facts.msr[vmx_control_capability_msr(&facts, VMX_PROCBASED_CTLS)],
				  wanted, &value, &refused) == 0);
	CHECK(value == (wanted | 0x04006172));
	CHECK(!(value & ((1U << 15) | (1U << 16))));
	/* Without true controls the default1 bits 15 and 16 (CR3 exiting) stay set. */
	facts.msr[VMX_BASIC] &= ~(1ULL << 55);
	CHECK(vmx_control_capability_msr(&facts, VMX_PROCBASED_CTLS) == VMX_PROCBASED_CTLS);
	CHECK(vmx_adjust_controls(facts.msr[VMX_PROCBASED_CTLS], wanted, &value, &refused) == 0);
	CHECK((value & ((1U << 15) | (1U << 16))) == ((1U << 15) | (1U << 16)));
}

static void unsupported_controls_are_refused(void)
{
	struct vmx_cpu_facts facts = bochs_skylake_x();
	uint32_t monitor_trap_flag = 1U << 27;
	uint32_t value, refused;

	CHECK(vmx_adjust_controls(facts.msr[VMX_TRUE_PROCBASED_CTLS], monitor_trap_flag | (1U << 25),
				  &value, &refused) == -EINVAL);
	CHECK(refused == monitor_trap_flag);
	CHECK(!(value & monitor_trap_flag));
}

/* CR4 bits by number (SDM Vol. 3A, 2.5). */
#define CR4_PAE (1ULL << 5)
#define CR4_PGE (1ULL << 7)
#define CR4_UMIP (1ULL << 11)
#define CR4_FSGSBASE (1ULL << 16)
#define CR4_PCIDE (1ULL << 17)
#define CR4_OSXSAVE (1ULL << 18)
#define CR4_SMEP (1ULL << 20)
#define CR4_SMAP (1ULL << 21)
#define CR4_PKE (1ULL << 22)

/* A CPU with CET, PKS and LASS: its IA32_VMX_CR4_FIXED1 allows them (bits 23, 24, 27). */
static struct vmx_cpu_facts cet_cpu(void)
{
	struct vmx_cpu_facts facts = skylake_client();

	facts.msr[VMX_CR4_FIXED0] = CR4_VMXE;
	facts.msr[VMX_CR4_FIXED1] = 0x0000000009ff7fffULL;
	return facts;
}

/* What a CONFIG_X86_KERNEL_IBT kernel on such a CPU runs with (PGE cleared by the trampoline). */
static const uint64_t linux_cr4_ibt = CR4_PAE | CR4_UMIP | CR4_FSGSBASE | CR4_PCIDE |
				      CR4_OSXSAVE | CR4_SMEP | CR4_SMAP | CR4_PKE |
				      CR4_CET | CR4_PKS | CR4_LASS | 0x650;

static void host_cr4_drops_cet_pks_lass(void)
{
	struct vmx_cpu_facts facts = cet_cpu();
	uint64_t cr4 = 0;

	CHECK(vmx_host_cr4(&facts, linux_cr4_ibt, &cr4) == 0);
	CHECK(!(cr4 & CR4_CET) && !(cr4 & CR4_PKS) && !(cr4 & CR4_LASS));
	CHECK(cr4 & CR4_VMXE);
	CHECK(cr4 == ((linux_cr4_ibt & ~(CR4_CET | CR4_PKS | CR4_LASS)) | CR4_VMXE));
}

/* SMEP, SMAP, UMIP, PKE, FSGSBASE, PCIDE, OSXSAVE: Linux's choice is kept. */
static void host_cr4_keeps_the_rest(void)
{
	struct vmx_cpu_facts facts = cet_cpu();
	uint64_t linux_cr4 = CR4_PAE | CR4_UMIP | CR4_FSGSBASE | CR4_PCIDE | CR4_OSXSAVE |
			     CR4_SMEP | CR4_SMAP | CR4_PKE | 0x650;
	uint64_t cr4 = 0;

	CHECK(vmx_host_cr4(&facts, linux_cr4, &cr4) == 0);
	CHECK(cr4 == (linux_cr4 | CR4_VMXE));
	CHECK(vmx_host_cr4(&facts, linux_cr4 | CR4_PGE, &cr4) == 0 && (cr4 & CR4_PGE));
}

/* IA32_VMX_CR4_FIXED0 and FIXED1 (SDM Vol. 3D, A.8): a value outside them is refused. */
static void host_cr4_honours_fixed_bits(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	uint64_t cr4 = 0;

	/* The test machine's FIXED1 (0x3727ff) has no bit 11: UMIP is not allowed in VMX operation. */
	CHECK(vmx_host_cr4(&facts, CR4_PAE | CR4_UMIP, &cr4) == -EINVAL);
	facts.msr[VMX_CR4_FIXED0] = CR4_VMXE | CR4_PAE;
	CHECK(vmx_host_cr4(&facts, CR4_OSXSAVE, &cr4) == -EINVAL);
	CHECK(vmx_host_cr4(&facts, CR4_OSXSAVE | CR4_PAE, &cr4) == 0);
}

int main(void)
{
	RUN(bochs_and_skylake_have_everything);
	RUN(no_vmx_fails_first_and_hides_the_rest);
	RUN(vmx_locked_off_names_the_firmware_fix);
	RUN(vmx_held_by_another_hypervisor_is_refused);
	RUN(missing_controls_are_named);
	RUN(adjustment_adds_required_ones);
	RUN(true_controls_allow_cr3_exiting_off);
	RUN(unsupported_controls_are_refused);
	RUN(host_cr4_drops_cet_pks_lass);
	RUN(host_cr4_keeps_the_rest);
	RUN(host_cr4_honours_fixed_bits);
	return unit_report("unit vmx-caps");
}
