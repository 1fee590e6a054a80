// SPDX-License-Identifier: GPL-2.0
/* The VM-entry checks of SDM Vol. 3C, 26.2 and 26.3, replayed to name a bad VMCS field. */
#include <asm/vmx-check-internal.h>

/*
 * Canonical for the linear-address width the CR4 value implies.  The CPU
 * checks against its own width (57 bits on 5-level capable parts); a 48-bit
 * address check while CR4.LA57 is clear is stricter but flags only values
 * that would fault anyway.
 */
bool vmx_check_canonical(uint64_t address, uint64_t cr4)
{
	unsigned int bits = cr4 & CR4_LA57 ? 57 : 48;
	uint64_t upper = address >> (bits - 1);

	return upper == 0 || upper == ~0ULL >> (bits - 1);
}

/* Each byte one of UC, WC, WT, WP, WB, UC-; SDM Vol. 3A, 11.12.2. */
bool vmx_check_pat_valid(uint64_t pat)
{
	unsigned int i, type;

	for (i = 0; i < 8; i++) {
		type = (pat >> (8 * i)) & 0xff;
		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

/* No reserved bit of IA32_EFER set (SDM Vol. 3C, 26.3.1.1; Vol. 4, IA32_EFER). */
bool vmx_check_efer_valid(uint64_t efer)
{
	return !(efer & ~EFER_DEFINED);
}

/* No reserved bit of IA32_DEBUGCTL set (SDM Vol. 3C, 26.3.1.1; Vol. 3B, 17.4.1). */
bool vmx_check_debugctl_valid(uint64_t debugctl)
{
	return !(debugctl & ~DEBUGCTL_DEFINED);
}

/* ---- The tables, in the SDM's order: controls, host state, guest state ---- */

static const struct vmx_check_table *const vmx_check_tables[] = {
	&vmx_control_checks,			/* vmx-check-controls.c */
	&vmx_host_checks,			/* vmx-check-host.c */
	&vmx_guest_register_checks,		/* vmx-check-guest.c */
	&vmx_guest_non_register_checks,		/* vmx-check-guest-non-register.c */
};

static const char *first_failure(const struct vmcs_view *view, const struct vmx_check_table *table)
{
	unsigned int i;

	for (i = 0; i < table->count; i++)
		if (!table->checks[i].passes(view, table->checks[i].arg))
			return table->checks[i].failure;
	return NULL;
}

const char *vmx_check_vmcs(const struct vmcs_source *vmcs, const struct vmx_cpu_facts *facts)
{
	const struct vmcs_view view = { vmcs, facts, VMX_CHECK_PHYSICAL_ADDRESS_BITS };
	const char *failure = NULL;
	unsigned int i;

	for (i = 0; !failure && i < sizeof(vmx_check_tables) / sizeof(vmx_check_tables[0]); i++)
		failure = first_failure(&view, vmx_check_tables[i]);
	return failure;
}
