/* SPDX-License-Identifier: GPL-2.0 */
/* The test machine's CPU (Bochs 2.7, corei7_haswell_4770) as recorded in tests/data/msrs/bochs-haswell.txt. */
#ifndef BULKHEAD_TEST_BOCHS_HASWELL_H
#define BULKHEAD_TEST_BOCHS_HASWELL_H

#include <string.h>

#include <asm/vmx-caps.h>

static const uint64_t bochs_haswell_msrs[VMX_CAPABILITY_MSRS] = {
	[VMX_BASIC] = 0x00d810000000002bULL,
	[VMX_PINBASED_CTLS] = 0x0000007f00000016ULL,
	[VMX_PROCBASED_CTLS] = 0xf7f9fffe0401e172ULL,
	[VMX_EXIT_CTLS] = 0x007fffff00036dffULL,
	[VMX_ENTRY_CTLS] = 0x0000ffff000011ffULL,
	[VMX_MISC] = 0x00000000200401e0ULL,
	[VMX_CR0_FIXED0] = 0x0000000080000021ULL,
	[VMX_CR0_FIXED1] = 0x00000000ffffffffULL,
	[VMX_CR4_FIXED0] = 0x0000000000002000ULL,
	[VMX_CR4_FIXED1] = 0x00000000003727ffULL,
	[VMX_VMCS_ENUM] = 0x0000000000000034ULL,
	[VMX_PROCBASED_CTLS2] = 0x00047fff00000000ULL,
	[VMX_EPT_VPID_CAP] = 0x00000f0106334141ULL,
	[VMX_TRUE_PINBASED_CTLS] = 0x0000007f00000016ULL,
	[VMX_TRUE_PROCBASED_CTLS] = 0xf7f9fffe04006172ULL,
	[VMX_TRUE_EXIT_CTLS] = 0x007fffff00036dfbULL,
	[VMX_TRUE_ENTRY_CTLS] = 0x0000ffff000011fbULL,
	[VMX_VMFUNC] = 0x0000000000000001ULL,
};

static inline struct vmx_cpu_facts bochs_haswell(void)
{
	struct vmx_cpu_facts facts = { .cpuid1_ecx = 0x7ffafbbf, .feature_control = 0x5 };

	memcpy(facts.msr, bochs_haswell_msrs, sizeof(facts.msr));
	return facts;
}

#endif
