/* SPDX-License-Identifier: GPL-2.0 */
/* A software replay of the VM-entry checks on a VMCS (SDM Vol. 3C, 26.2 and 26.3); pure logic. */
#ifndef BULKHEAD_ASM_VMX_CHECK_H
#define BULKHEAD_ASM_VMX_CHECK_H

#include <asm/vmx-caps.h>
#include <asm/vmx-defs.h>

/*
 * The physical-address width the address checks assume.  The SDM checks
 * against the CPU's own width (CPUID.80000008H:EAX[7:0]); 46 bits covers
 * every machine Bulkhead targets, so an address above it is a bug even where
 * the CPU would accept it.
 */
#define VMX_CHECK_PHYSICAL_ADDRESS_BITS	46

/* Reads one VMCS field by its encoding; the hypervisor passes a VMREAD wrapper, tests an array. */
struct vmcs_source {
	uint64_t (*read)(void *context, uint32_t field);
	void *context;
};

/*
 * Checks the current VMCS against the VM-entry checks that can fail.  Returns
 * NULL when all pass, else a one-line description of the first failure that
 * names the field(s) and cites the SDM section, e.g.
 * "guest CR0: PG set without PE (SDM Vol. 3C, 26.3.1.1)".
 */
const char *vmx_check_vmcs(const struct vmcs_source *vmcs, const struct vmx_cpu_facts *facts);

/*
 * Values of the MSRs the VMCS loads on entry, as the entry checks accept
 * them; a guest's WRMSR of a value outside these gets #GP instead of a
 * failed entry.
 */
bool vmx_check_pat_valid(uint64_t pat);
bool vmx_check_efer_valid(uint64_t efer);
bool vmx_check_debugctl_valid(uint64_t debugctl);
/* An address in the guest's linear-address width (CR4.LA57: 57 bits, else 48). */
bool vmx_check_canonical(uint64_t address, uint64_t cr4);

#endif
