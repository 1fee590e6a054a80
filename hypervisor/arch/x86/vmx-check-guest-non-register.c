// SPDX-License-Identifier: GPL-2.0
/* VM-entry checks on guest non-register state and PDPTEs; SDM Vol. 3C, 26.3.1.5 and 26.3.1.6. */
#include <asm/vmx-check-internal.h>

/* Guest non-register state beyond vmx-defs.h; SDM Vol. 3C, 24.4.2. */
#define INTERRUPTIBILITY_RESERVED	0xffffffe0ULL
#define PENDING_DEBUG_BS		(1ULL << 14)
#define PENDING_DEBUG_RESERVED		(0xff0ULL | (1ULL << 13) | (1ULL << 15) | ~0x1ffffULL)

/* Capability MSR bits; SDM Vol. 3D, A.6. */
#define MISC_ACTIVITY_STATE(state)	(1ULL << (5 + (state)))

/* ---- Guest non-register state; SDM Vol. 3C, 26.3.1.5 ---- */

static uint64_t activity(const struct vmcs_view *view)
{
	return field(view, VMCS_GUEST_ACTIVITY_STATE);
}

static uint64_t interruptibility(const struct vmcs_view *view)
{
	return field(view, VMCS_GUEST_INTERRUPTIBILITY);
}

static bool activity_supported(const struct vmcs_view *view, UNUSED_ARG)
{
	uint64_t state = activity(view);

	return state == ACTIVITY_ACTIVE ||
	       (state <= ACTIVITY_WAIT_FOR_SIPI && (msr(view, VMX_MISC) & MISC_ACTIVITY_STATE(state)));
}

static bool hlt_at_dpl0(const struct vmcs_view *view, UNUSED_ARG)
{
	return activity(view) != ACTIVITY_HLT ||
	       SEG_AR_DPL((uint32_t)field(view, VMCS_GUEST_SS_ACCESS_RIGHTS)) == 0;
}

static bool active_when_blocking(const struct vmcs_view *view, UNUSED_ARG)
{
	return activity(view) == ACTIVITY_ACTIVE ||
	       !(interruptibility(view) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

/* HLT takes interrupts, NMIs, #DB, #MC, pending MTF; shutdown NMIs and #MC; wait-for-SIPI none. */
static bool injection_fits_activity(const struct vmcs_view *view, UNUSED_ARG)
{
	uint32_t info = injection(view);
	unsigned int type = INTERRUPTION_TYPE(info), vector = INTERRUPTION_VECTOR(info);
	bool machine_check = type == INTERRUPTION_TYPE_HARDWARE && vector == 18;

	if (!(info & INTERRUPTION_VALID) || activity(view) == ACTIVITY_ACTIVE)
		return true;
	if (activity(view) == ACTIVITY_HLT)
		return type == INTERRUPTION_TYPE_EXTERNAL || type == INTERRUPTION_TYPE_NMI ||
		       machine_check || (type == INTERRUPTION_TYPE_HARDWARE && vector == 1) ||
		       (type == INTERRUPTION_TYPE_OTHER && vector == 0);
	if (activity(view) == ACTIVITY_SHUTDOWN)
		return type == INTERRUPTION_TYPE_NMI || machine_check;
	return false;
}

static bool interruptibility_reserved_clear(const struct vmcs_view *view, UNUSED_ARG)
{
	return !(interruptibility(view) & INTERRUPTIBILITY_RESERVED);
}

static bool not_sti_and_mov_ss(const struct vmcs_view *view, UNUSED_ARG)
{
	uint64_t both = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS;

	return (interruptibility(view) & both) != both;
}

static bool sti_blocking_has_if(const struct vmcs_view *view, UNUSED_ARG)
{
	return !(interruptibility(view) & INTERRUPTIBILITY_STI) ||
	       (field(view, VMCS_GUEST_RFLAGS) & RFLAGS_IF);
}

static bool interrupt_injection_unblocked(const struct vmcs_view *view, UNUSED_ARG)
{
	return !injecting(view, INTERRUPTION_TYPE_EXTERNAL) ||
	       !(interruptibility(view) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

static bool nmi_injection_not_after_mov_ss(const struct vmcs_view *view, UNUSED_ARG)
{
	return !injecting(view, INTERRUPTION_TYPE_NMI) ||
	       !(interruptibility(view) & INTERRUPTIBILITY_MOV_SS);
}

static bool no_smi_blocking(const struct vmcs_view *view, UNUSED_ARG)
{
	return !(interruptibility(view) & INTERRUPTIBILITY_SMI);
}

static bool virtual_nmi_injection_unblocked(const struct vmcs_view *view, UNUSED_ARG)
{
	return !pin(view, PIN_VIRTUAL_NMIS) || !injecting(view, INTERRUPTION_TYPE_NMI) ||
	       !(interruptibility(view) & INTERRUPTIBILITY_NMI);
}

static bool pending_debug_reserved_clear(const struct vmcs_view *view, UNUSED_ARG)
{
	return !(field(view, VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS) & PENDING_DEBUG_RESERVED);
}

/* While STI/MOV-SS blocked or halted, BS records a pending single step: set iff TF and not BTF. */
static bool pending_single_step_consistent(const struct vmcs_view *view, UNUSED_ARG)
{
	bool single_step = (field(view, VMCS_GUEST_RFLAGS) & RFLAGS_TF) &&
			   !(field(view, VMCS_GUEST_DEBUGCTL) & DEBUGCTL_BTF);
	bool bs = field(view, VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS) & PENDING_DEBUG_BS;

	if (!(interruptibility(view) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) &&
	    activity(view) != ACTIVITY_HLT)
		return true;
	return bs == single_step;
}

/* Bulkhead uses no VMCS shadowing, so the link pointer stays all ones. */
static bool link_pointer_unused(const struct vmcs_view *view, UNUSED_ARG)
{
	return field(view, VMCS_LINK_POINTER) == ~0ULL;
}

/* ---- PAE paging with EPT takes the PDPTEs from the VMCS; SDM Vol. 3C, 26.3.1.6 ---- */

static bool pdptes_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	static const uint32_t pdpte_fields[] = {
		VMCS_GUEST_PDPTE0, VMCS_GUEST_PDPTE1, VMCS_GUEST_PDPTE2, VMCS_GUEST_PDPTE3,
	};
	unsigned int i;
	uint64_t pdpte;

	if (!guest_cr0(view, CR0_PG) || !(field(view, VMCS_GUEST_CR4) & CR4_PAE) ||
	    ia32e_guest(view) || !proc2(view, PROC2_ENABLE_EPT))
		return true;
	for (i = 0; i < 4; i++) {
		pdpte = field(view, pdpte_fields[i]);
		if ((pdpte & PDPTE_PRESENT) &&
		    ((pdpte & PDPTE_RESERVED) || !within_physical_width(view, pdpte)))
			return false;
	}
	return true;
}

/* ---- The table, in the SDM's order ---- */

static const struct vmx_entry_check guest_non_register_checks[] = {
	/* Guest non-register state, 26.3.1.5 */
	{ "guest activity state: not one IA32_VMX_MISC bits 8:6 support" SDM("26.3.1.5"),
	  activity_supported, 0 },
	{ "guest activity state: HLT with SS DPL not 0" SDM("26.3.1.5"), hlt_at_dpl0, 0 },
	{ "guest activity state: not active with blocking by STI or MOV SS" SDM("26.3.1.5"),
	  active_when_blocking, 0 },
	{ "VM-entry interruption information: event blocked in the guest's activity state"
	  SDM("26.3.1.5"), injection_fits_activity, 0 },
	{ "guest interruptibility state: reserved bits 31:5 set" SDM("26.3.1.5"),
	  interruptibility_reserved_clear, 0 },
	{ "guest interruptibility state: blocking by STI and by MOV SS" SDM("26.3.1.5"),
	  not_sti_and_mov_ss, 0 },
	{ "guest interruptibility state: blocking by STI with RFLAGS.IF clear" SDM("26.3.1.5"),
	  sti_blocking_has_if, 0 },
	{ "guest interruptibility state: blocking by STI or MOV SS while injecting an external "
	  "interrupt" SDM("26.3.1.5"), interrupt_injection_unblocked, 0 },
	{ "guest interruptibility state: blocking by MOV SS while injecting an NMI" SDM("26.3.1.5"),
	  nmi_injection_not_after_mov_ss, 0 },
	{ "guest interruptibility state: blocking by SMI outside SMM" SDM("26.3.1.5"),
	  no_smi_blocking, 0 },
	{ "guest interruptibility state: blocking by NMI while injecting an NMI with virtual NMIs"
	  SDM("26.3.1.5"), virtual_nmi_injection_unblocked, 0 },
	{ "guest pending debug exceptions: reserved bits set" SDM("26.3.1.5"),
	  pending_debug_reserved_clear, 0 },
	{ "guest pending debug exceptions: BS disagrees with RFLAGS.TF and IA32_DEBUGCTL.BTF"
	  SDM("26.3.1.5"), pending_single_step_consistent, 0 },
	{ "VMCS link pointer: not all ones (Bulkhead uses no VMCS shadowing)" SDM("26.3.1.5"),
	  link_pointer_unused, 0 },

	/* Guest PDPTEs, 26.3.1.6 */
	{ "guest PDPTEs: reserved bits set in a present entry" SDM("26.3.1.6"), pdptes_ok, 0 },
};

const struct vmx_check_table vmx_guest_non_register_checks =
	VMX_CHECK_TABLE(guest_non_register_checks);
