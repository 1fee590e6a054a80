/* SPDX-License-Identifier: GPL-2.0 */
/* Speculative-execution mitigations between guests (arch/x86/speculation.c); the choice is pure logic. */
#ifndef BULKHEAD_ASM_SPECULATION_H
#define BULKHEAD_ASM_SPECULATION_H

#include <bulkhead/image.h>
#include <bulkhead-hv/types.h>

/* CPUID.(EAX=7,ECX=0):EDX (SDM Vol. 2A, CPUID). */
#define CPUID7_EDX_MD_CLEAR		(1U << 10)
#define CPUID7_EDX_IBPB			(1U << 26)
/* IA32_ARCH_CAPABILITIES (SDM Vol. 4, MSR 10AH). */
#define ARCH_CAPABILITIES_MDS_NO	(1ULL << 5)

/* The mitigations, as the public area reports them to sysfs. */
#define SPEC_VERW			BULKHEAD_MITIGATION_VERW
#define SPEC_IBPB			BULKHEAD_MITIGATION_IBPB
#define SPEC_RSB_FILL			BULKHEAD_MITIGATION_RSB_FILL
#define SPEC_RETPOLINES			BULKHEAD_MITIGATION_RETPOLINES

/* hypervisor/Makefile builds the image with retpolines and checks it has no indirect branch. */
#ifdef BULKHEAD_RETPOLINES
#define SPEC_BUILT_WITH_RETPOLINES	true
#else
#define SPEC_BUILT_WITH_RETPOLINES	false
#endif

struct spec_facts {
	uint32_t cpuid7_edx;
	uint64_t arch_capabilities;
	bool l1d_flush;		/* the L1D flush runs before every VM entry */
	bool retpolines;	/* the image was built with them */
};

uint32_t spec_choose(const struct spec_facts *facts);

#endif
