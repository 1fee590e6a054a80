/* SPDX-License-Identifier: GPL-2.0 */
/* What Bulkhead needs of VMX, checked against a CPU's capability MSRs; pure logic. */
#ifndef BULKHEAD_ASM_VMX_CAPS_H
#define BULKHEAD_ASM_VMX_CAPS_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#define VMX_MSR_FEATURE_CONTROL	0x3a
#define VMX_MSR_FIRST		0x480	/* IA32_VMX_BASIC */
#define VMX_MSR_LAST		0x491	/* IA32_VMX_VMFUNC */
#define VMX_CAPABILITY_MSRS		(VMX_MSR_LAST - VMX_MSR_FIRST + 1)

/* IA32_FEATURE_CONTROL bits; SDM Vol. 3C, 24.7. */
#define FEATURE_CONTROL_LOCKED		(1ULL << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX	(1ULL << 2)
#define CR4_VMXE			(1ULL << 13)
/* Control-flow enforcement, supervisor protection keys, linear-address-space separation. */
#define CR4_CET				(1ULL << 23)
#define CR4_PKS				(1ULL << 24)
#define CR4_LASS			(1ULL << 27)
/*
 * Linux's CR4 bits the hypervisor runs without (vmx_host_cr4()); the
 * driver's trampoline clears them before it calls the entry as well.
 */
#define VMX_HOST_CR4_CLEARED		(CR4_CET | CR4_PKS | CR4_LASS)

/* Capability MSRs by their offset from IA32_VMX_BASIC; SDM Vol. 3D, appendix A. */
enum vmx_capability {
	VMX_BASIC = 0x0,
	VMX_PINBASED_CTLS = 0x1,
	VMX_PROCBASED_CTLS = 0x2,
	VMX_EXIT_CTLS = 0x3,
	VMX_ENTRY_CTLS = 0x4,
	VMX_MISC = 0x5,
	VMX_CR0_FIXED0 = 0x6,
	VMX_CR0_FIXED1 = 0x7,
	VMX_CR4_FIXED0 = 0x8,
	VMX_CR4_FIXED1 = 0x9,
	VMX_VMCS_ENUM = 0xa,
	VMX_PROCBASED_CTLS2 = 0xb,
	VMX_EPT_VPID_CAP = 0xc,
	VMX_TRUE_PINBASED_CTLS = 0xd,
	VMX_TRUE_PROCBASED_CTLS = 0xe,
	VMX_TRUE_EXIT_CTLS = 0xf,
	VMX_TRUE_ENTRY_CTLS = 0x10,
	VMX_VMFUNC = 0x11,
};

/* Everything the check looks at, read on one CPU (or from a recording). */
struct vmx_cpu_facts {
	uint32_t cpuid1_ecx;
	bool cr4_vmxe;
	uint64_t feature_control;
	uint64_t msr[VMX_CAPABILITY_MSRS];
};

struct vmx_requirement {
	const char *name;
	/* Why it is missing and what to do, for the few that have a fix. */
	const char *fix;
	bool (*present)(const struct vmx_cpu_facts *facts, unsigned int arg);
	unsigned int arg;
};

extern const struct vmx_requirement vmx_requirements[];
extern const unsigned int vmx_requirement_count;

bool vmx_requirement_met(const struct vmx_cpu_facts *facts, unsigned int index);
/* Index of the first requirement not met, or vmx_requirement_count. */
unsigned int vmx_first_missing(const struct vmx_cpu_facts *facts);
int vmx_adjust_controls(uint64_t capability, uint32_t wanted, uint32_t *value,
			uint32_t *refused);
enum vmx_capability vmx_control_capability_msr(const struct vmx_cpu_facts *facts,
					       enum vmx_capability plain);
int vmx_host_cr4(const struct vmx_cpu_facts *facts, uint64_t linux_cr4, uint64_t *host_cr4);

#endif
