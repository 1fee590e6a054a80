// SPDX-License-Identifier: GPL-2.0
/* Host tests of the choice of speculative-execution mitigations (hypervisor/arch/x86/speculation.c). */
#include <asm/speculation.h>

#include "unit.h"

static uint32_t choose(uint32_t edx, uint64_t capabilities, bool l1d_flush, bool retpolines)
{
	struct spec_facts facts = { edx, capabilities, l1d_flush, retpolines };

	return spec_choose(&facts);
}

/* The return stack is filled on every CPU; retpolines as built. */
static void rsb_fill_always_retpolines_as_built(void)
{
	CHECK(choose(0, 0, false, false) == SPEC_RSB_FILL);
	CHECK(choose(0, 0, false, true) == (SPEC_RSB_FILL | SPEC_RETPOLINES));
}

/* VERW where the CPU offers MD_CLEAR and is not MDS_NO, and the L1D flush does not run. */
static void verw_only_where_the_cpu_needs_it(void)
{
	CHECK(choose(CPUID7_EDX_MD_CLEAR, 0, false, false) & SPEC_VERW);
	CHECK(!(choose(CPUID7_EDX_MD_CLEAR, ARCH_CAPABILITIES_MDS_NO, false, false) & SPEC_VERW));
	CHECK(!(choose(CPUID7_EDX_MD_CLEAR, 0, true, false) & SPEC_VERW));
	CHECK(!(choose(0, 0, false, false) & SPEC_VERW));
}

static void ibpb_where_the_cpu_offers_it(void)
{
	CHECK(choose(CPUID7_EDX_IBPB, 0, false, false) & SPEC_IBPB);
	CHECK(!(choose(CPUID7_EDX_MD_CLEAR, 0, false, false) & SPEC_IBPB));
}

/* The public ABI's bits are the ones sysfs mitigations reads. */
static void bits_are_the_public_abis(void)
{
	CHECK(SPEC_VERW == BULKHEAD_MITIGATION_VERW && SPEC_IBPB == BULKHEAD_MITIGATION_IBPB);
	CHECK(SPEC_RSB_FILL == BULKHEAD_MITIGATION_RSB_FILL &&
	      SPEC_RETPOLINES == BULKHEAD_MITIGATION_RETPOLINES);
}

int main(void)
{
	RUN(rsb_fill_always_retpolines_as_built);
	RUN(verw_only_where_the_cpu_needs_it);
	RUN(ibpb_where_the_cpu_offers_it);
	RUN(bits_are_the_public_abis);
	return unit_report("unit speculation");
}
