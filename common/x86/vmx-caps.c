// SPDX-License-Identifier: GPL-2.0
/* The VMX features Bulkhead needs, and VM-execution control adjustment. */
#include <asm/vmx-caps.h>

#if defined(__KERNEL__)
#include <linux/errno.h>
#elif defined(BULKHEAD_HYPERVISOR)
#include <bulkhead-hv/errno.h>
#else
#include <errno.h>
#endif

#define CPUID1_ECX_VMX			(1U << 5)
#define VMX_BASIC_TRUE_CONTROLS		55
#define VMX_BASIC_MEMORY_TYPE_SHIFT	50
#define VMX_MEMORY_TYPE_WB		6ULL
/* A control's allowed-1 setting is bit 32 + n of its capability MSR; SDM Vol. 3D, A.3. */
#define ALLOWED1(n)			(32 + (n))

static bool has_vmx(const struct vmx_cpu_facts *facts, unsigned int arg)
{
	(void)arg;
	return facts->cpuid1_ecx & CPUID1_ECX_VMX;
}

/* Locked with VMX off cannot change until reset; unlocked, Bulkhead may enable it.  SDM Vol. 3C, 24.7. */
static bool vmx_not_locked_off(const struct vmx_cpu_facts *facts, unsigned int arg)
{
	(void)arg;
	return !(facts->feature_control & FEATURE_CONTROL_LOCKED) ||
	       (facts->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX);
}

static bool vmx_not_in_use(const struct vmx_cpu_facts *facts, unsigned int arg)
{
	(void)arg;
	return !facts->cr4_vmxe;
}

static bool write_back_vmcs(const struct vmx_cpu_facts *facts, unsigned int arg)
{
	(void)arg;
	return ((facts->msr[VMX_BASIC] >> VMX_BASIC_MEMORY_TYPE_SHIFT) & 0xf) ==
	       VMX_MEMORY_TYPE_WB;
}

/* @arg packs the capability MSR (offset from IA32_VMX_BASIC) above the bit number. */
#define MSR_BIT(msr, bit)	(((msr) << 8) | (bit))

static bool msr_bit(const struct vmx_cpu_facts *facts, unsigned int arg)
{
	return (facts->msr[arg >> 8] >> (arg & 0xff)) & 1;
}

#define NEED_BIT(label, msr, bit) { label, NULL, msr_bit, MSR_BIT(msr, bit) }

const struct vmx_requirement vmx_requirements[] = {
	{ "VMX (CPUID.1:ECX.VMX)", "this CPU has no VT-x", has_vmx, 0 },
	{ "VMX enabled in IA32_FEATURE_CONTROL",
	  "VMX is disabled and locked by the firmware; enable VT-x (Intel Virtualization Technology) in the firmware setup",
	  vmx_not_locked_off, 0 },
	{ "VMX free (CR4.VMXE clear)",
	  "another hypervisor holds VMX (CR4.VMXE is set); stop its VMs and unload it (rmmod kvm_intel)",
	  vmx_not_in_use, 0 },
	NEED_BIT("true VMX controls", VMX_BASIC, VMX_BASIC_TRUE_CONTROLS),
	{ "write-back VMCS memory type", NULL, write_back_vmcs, 0 },
	NEED_BIT("INS/OUTS exit information", VMX_BASIC, 54),
	NEED_BIT("NMI exiting", VMX_PINBASED_CTLS, ALLOWED1(3)),
	NEED_BIT("virtual NMIs", VMX_PINBASED_CTLS, ALLOWED1(5)),
	NEED_BIT("VMX preemption timer", VMX_PINBASED_CTLS, ALLOWED1(6)),
	NEED_BIT("I/O bitmaps", VMX_PROCBASED_CTLS, ALLOWED1(25)),
	NEED_BIT("MSR bitmaps", VMX_PROCBASED_CTLS, ALLOWED1(28)),
	NEED_BIT("secondary controls", VMX_PROCBASED_CTLS, ALLOWED1(31)),
	NEED_BIT("EPT", VMX_PROCBASED_CTLS2, ALLOWED1(1)),
	NEED_BIT("unrestricted guest", VMX_PROCBASED_CTLS2, ALLOWED1(7)),
	NEED_BIT("host address-space size exit", VMX_EXIT_CTLS, ALLOWED1(9)),
	NEED_BIT("save/load IA32_PAT on exit", VMX_EXIT_CTLS, ALLOWED1(19)),
	NEED_BIT("save/load IA32_EFER on exit", VMX_EXIT_CTLS, ALLOWED1(21)),
	NEED_BIT("IA-32e mode guest entry", VMX_ENTRY_CTLS, ALLOWED1(9)),
	NEED_BIT("load IA32_PAT on entry", VMX_ENTRY_CTLS, ALLOWED1(14)),
	NEED_BIT("load IA32_EFER on entry", VMX_ENTRY_CTLS, ALLOWED1(15)),
	NEED_BIT("activity state HLT", VMX_MISC, 6),
	NEED_BIT("activity state wait-for-SIPI", VMX_MISC, 8),
	NEED_BIT("EPT 4-level page walk", VMX_EPT_VPID_CAP, 6),
	NEED_BIT("EPT write-back memory type", VMX_EPT_VPID_CAP, 14),
	NEED_BIT("EPT 2 MiB pages", VMX_EPT_VPID_CAP, 16),
	NEED_BIT("INVEPT", VMX_EPT_VPID_CAP, 20),
	NEED_BIT("INVEPT single-context", VMX_EPT_VPID_CAP, 25),
	NEED_BIT("INVEPT all-context", VMX_EPT_VPID_CAP, 26),
};

const unsigned int vmx_requirement_count =
	sizeof(vmx_requirements) / sizeof(vmx_requirements[0]);

/* Without VMX (the first requirement) nothing else is there to use. */
bool vmx_requirement_met(const struct vmx_cpu_facts *facts, unsigned int index)
{
	const struct vmx_requirement *requirement = &vmx_requirements[index];

	if (index > 0 && !has_vmx(facts, 0))
		return false;
	return requirement->present(facts, requirement->arg);
}

unsigned int vmx_first_missing(const struct vmx_cpu_facts *facts)
{
	unsigned int index;

	for (index = 0; index < vmx_requirement_count; index++)
		if (!vmx_requirement_met(facts, index))
			break;
	return index;
}

/*
 * The TRUE_* capability MSR of a control field when the CPU has them, else
 * the plain one; SDM Vol. 3D, A.2.
 */
enum vmx_capability vmx_control_capability_msr(const struct vmx_cpu_facts *facts,
					       enum vmx_capability plain)
{
	bool true_controls = (facts->msr[VMX_BASIC] >> VMX_BASIC_TRUE_CONTROLS) & 1;

	if (!true_controls)
		return plain;
	switch (plain) {
	case VMX_PINBASED_CTLS:
		return VMX_TRUE_PINBASED_CTLS;
	case VMX_PROCBASED_CTLS:
		return VMX_TRUE_PROCBASED_CTLS;
	case VMX_EXIT_CTLS:
		return VMX_TRUE_EXIT_CTLS;
	case VMX_ENTRY_CTLS:
		return VMX_TRUE_ENTRY_CTLS;
	default:
		return plain;
	}
}

/*
 * A control value from what Bulkhead wants: bits the CPU requires to be 1
 * (allowed-0 settings, low half of the capability MSR) are set, and wanted
 * bits the CPU cannot set (allowed-1, high half) make the adjustment fail
 * with -EINVAL and are reported in @refused.  SDM Vol. 3D, A.3 to A.5.
 */
int vmx_adjust_controls(uint64_t capability, uint32_t wanted, uint32_t *value,
			uint32_t *refused)
{
	uint32_t must_be_one = (uint32_t)capability;
	uint32_t may_be_one = (uint32_t)(capability >> 32);

	*refused = wanted & ~may_be_one;
	*value = (wanted | must_be_one) & may_be_one;
	return *refused ? -EINVAL : 0;
}

/*
 * The CR4 the hypervisor runs with in VMX root operation (and loads on
 * every VM exit), from Linux's:
 * - CET off: the image is built without ENDBR and has indirect branches,
 *   which would take #CP with IBT on (SDM Vol. 1, 17.3);
 * - PKS off: the hypervisor's page tables carry no protection keys, and
 *   Linux's IA32_PKRS could deny key 0 (SDM Vol. 3A, 4.6.2);
 * - LASS off: the hypervisor makes no lower-half access and gains nothing
 *   from it; off, it runs alike under every Linux;
 * - VMXE on, and the result must honour IA32_VMX_CR4_FIXED0/FIXED1
 *   (SDM Vol. 3D, A.8), else -EINVAL.
 * SMEP, SMAP and UMIP stay as Linux has them: the hypervisor's page tables
 * hold no user pages and it runs at CPL 0 only.  Linux's own bits come
 * back for the guest, which is given Linux's CR4.
 */
int vmx_host_cr4(const struct vmx_cpu_facts *facts, uint64_t linux_cr4, uint64_t *host_cr4)
{
	uint64_t fixed0 = facts->msr[VMX_CR4_FIXED0];
	uint64_t fixed1 = facts->msr[VMX_CR4_FIXED1];
	uint64_t cr4 = (linux_cr4 & ~VMX_HOST_CR4_CLEARED) | CR4_VMXE;

	*host_cr4 = cr4;
	return (cr4 & fixed0) == fixed0 && !(cr4 & ~fixed1) ? 0 : -EINVAL;
}
