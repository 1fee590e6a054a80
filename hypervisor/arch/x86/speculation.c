// SPDX-License-Identifier: GPL-2.0
/* Which speculative-execution mitigations the hypervisor applies between guests; the choice is pure logic. */
#include <asm/speculation.h>

/*
 * From what the CPU reports (SDM Vol. 2A, CPUID leaf 7 EDX; Vol. 4,
 * IA32_ARCH_CAPABILITIES):
 * - VERW clears the CPU's buffers before a VM entry where the CPU is
 *   affected by MDS (no MDS_NO) and offers MD_CLEAR, unless the L1D flush
 *   runs before the entry anyway, which on such CPUs clears them too.
 * - IBPB, when a CPU goes from one cell's guest to another's, where the
 *   CPU offers it: one cell's branch predictions must not steer another's.
 * - The return stack buffer is filled after every VM exit, on every CPU:
 *   the guest's calls must not steer the hypervisor's returns.
 * - Retpolines: the image is built without indirect branches.
 */
uint32_t spec_choose(const struct spec_facts *facts)
{
	uint32_t chosen = SPEC_RSB_FILL;

	if ((facts->cpuid7_edx & CPUID7_EDX_MD_CLEAR) &&
	    !(facts->arch_capabilities & ARCH_CAPABILITIES_MDS_NO) && !facts->l1d_flush)
		chosen |= SPEC_VERW;
	if (facts->cpuid7_edx & CPUID7_EDX_IBPB)
		chosen |= SPEC_IBPB;
	if (facts->retpolines)
		chosen |= SPEC_RETPOLINES;
	return chosen;
}
