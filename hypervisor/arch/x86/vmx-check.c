// SPDX-License-Identifier: GPL-2.0
/* The VM-entry checks of SDM Vol. 3C, 26.2 and 26.3, replayed to name a bad VMCS field. */
#include <asm/vmx-check.h>

/*
 * Architectural register bits the checks test (SDM Vol. 3A, 2.5, 2.2.1,
 * 17.4.1 and Vol. 1, 3.4.3).  Kept here rather than taken from processor.h,
 * whose instruction wrappers this pure-logic file has no use for.
 */
#define CR0_PE				(1ULL << 0)
#define CR0_PG				(1ULL << 31)
#define CR4_PAE				(1ULL << 5)
#define CR4_LA57			(1ULL << 12)
#define CR4_PCIDE			(1ULL << 17)
#define EFER_LME			(1ULL << 8)
#define EFER_LMA			(1ULL << 10)
#define EFER_DEFINED			0xd01ULL	/* SCE, LME, LMA, NXE */
#define DEBUGCTL_BTF			(1ULL << 1)
#define DEBUGCTL_DEFINED		0xffc3ULL	/* bits 1:0 and 15:6 */
#define RFLAGS_FIXED1			(1ULL << 1)
#define RFLAGS_TF			(1ULL << 8)
#define RFLAGS_IF			(1ULL << 9)
#define RFLAGS_VM			(1ULL << 17)
#define RFLAGS_RESERVED			(~0x3fffffULL | (1ULL << 15) | (1ULL << 5) | (1ULL << 3))
#define SELECTOR_RPL(selector)		((selector) & 3)
#define SELECTOR_TI			(1U << 2)
#define PDPTE_PRESENT			(1ULL << 0)
#define PDPTE_RESERVED			0x1e6ULL	/* bits 2:1 and 8:5 */

/* Guest non-register state beyond vmx.h; SDM Vol. 3C, 24.4.2. */
#define INTERRUPTIBILITY_RESERVED	0xffffffe0ULL
#define PENDING_DEBUG_BS		(1ULL << 14)
#define PENDING_DEBUG_RESERVED		(0xff0ULL | (1ULL << 13) | (1ULL << 15) | ~0x1ffffULL)
#define INTERRUPTION_INFO_RESERVED	0x7ffff000U
#define INTERRUPTION_TYPE_RESERVED	1

/* Exceptions that do and do not push an error code; SDM Vol. 3A, table 6-1. */
#define ERROR_CODE_VECTORS		((1U << 8) | (0x1fU << 10) | (1U << 17))
#define NO_ERROR_CODE_VECTORS		(0xfbU | (1U << 16) | (0x1dU << 16))

/* Capability MSR bits; SDM Vol. 3D, A.1, A.6 and A.10. */
#define BASIC_ERROR_CODE_ANY_VECTOR	(1ULL << 56)
#define MISC_ACTIVITY_STATE(state)	(1ULL << (5 + (state)))
#define MISC_CR3_TARGETS(misc)		(((misc) >> 16) & 0x1ff)
#define MISC_MSR_LIST_MAX(misc)		(512 * ((((misc) >> 25) & 7) + 1))
#define MISC_ZERO_LENGTH_INJECTION	(1ULL << 30)
#define EPT_CAP_WALK_4			(1ULL << 6)
#define EPT_CAP_WALK_5			(1ULL << 7)
#define EPT_CAP_UC			(1ULL << 8)
#define EPT_CAP_WB			(1ULL << 14)
#define EPT_CAP_ACCESSED_DIRTY		(1ULL << 21)
#define EPTP_MEMORY_TYPE(eptp)		((eptp) & 7)
#define EPTP_WALK_LENGTH(eptp)		(((eptp) >> 3) & 7)
#define EPTP_RESERVED			0xf80ULL	/* bits 11:7 */
#define PROC_MONITOR_TRAP_FLAG_ALLOWED	(1ULL << (32 + 27))

#define SDM(section)			" (SDM Vol. 3C, " section ")"
/* Most checks need no argument from their table entry. */
#define UNUSED_ARG			unsigned int arg __attribute__((unused))

struct vmcs_view {
	const struct vmcs_source *vmcs;
	const struct vmx_cpu_facts *facts;
	unsigned int physical_bits;
};

/* One VM-entry check: @passes gets @arg (a field, segment or list index), says if it holds. */
struct vmx_entry_check {
	const char *failure;
	bool (*passes)(const struct vmcs_view *view, unsigned int arg);
	unsigned int arg;
};

static uint64_t field(const struct vmcs_view *view, uint32_t encoding)
{
	return view->vmcs->read(view->vmcs->context, encoding);
}

static uint64_t msr(const struct vmcs_view *view, enum vmx_capability capability)
{
	return view->facts->msr[capability];
}

static bool pin(const struct vmcs_view *view, uint32_t control)
{
	return field(view, VMCS_PIN_CONTROLS) & control;
}

static bool proc(const struct vmcs_view *view, uint32_t control)
{
	return field(view, VMCS_PROC_CONTROLS) & control;
}

/* Without "activate secondary controls" all secondary controls count as 0; SDM Vol. 3C, 24.6.2. */
static bool proc2(const struct vmcs_view *view, uint32_t control)
{
	return proc(view, PROC_SECONDARY_CONTROLS) && (field(view, VMCS_PROC_CONTROLS2) & control);
}

static bool exit_control(const struct vmcs_view *view, uint32_t control)
{
	return field(view, VMCS_EXIT_CONTROLS) & control;
}

static bool entry_control(const struct vmcs_view *view, uint32_t control)
{
	return field(view, VMCS_ENTRY_CONTROLS) & control;
}

static bool ia32e_guest(const struct vmcs_view *view)
{
	return entry_control(view, ENTRY_IA32E_MODE_GUEST);
}

static bool unrestricted_guest(const struct vmcs_view *view)
{
	return proc2(view, PROC2_UNRESTRICTED_GUEST);
}

static bool guest_cr0(const struct vmcs_view *view, uint64_t bit)
{
	return field(view, VMCS_GUEST_CR0) & bit;
}

static bool within_physical_width(const struct vmcs_view *view, uint64_t address)
{
	return !(address >> view->physical_bits);
}

static bool page_address_ok(const struct vmcs_view *view, uint32_t encoding)
{
	uint64_t address = field(view, encoding);

	return !(address & 0xfff) && within_physical_width(view, address);
}

/*
 * Canonical for the linear-address width the CR4 value implies.  The CPU
 * checks against its own width (57 bits on 5-level capable parts); a 48-bit
 * address check while CR4.LA57 is clear is stricter but flags only values
 * that would fault anyway.
 */
static bool canonical(uint64_t address, uint64_t cr4)
{
	unsigned int bits = cr4 & CR4_LA57 ? 57 : 48;
	uint64_t upper = address >> (bits - 1);

	return upper == 0 || upper == ~0ULL >> (bits - 1);
}

static bool guest_canonical(const struct vmcs_view *view, unsigned int encoding)
{
	return canonical(field(view, encoding), field(view, VMCS_GUEST_CR4));
}

static bool host_canonical(const struct vmcs_view *view, unsigned int encoding)
{
	return canonical(field(view, encoding), field(view, VMCS_HOST_CR4));
}

/* Each byte one of UC, WC, WT, WP, WB, UC-; SDM Vol. 3A, 11.12.2. */
static bool pat_valid(uint64_t pat)
{
	unsigned int i, type;

	for (i = 0; i < 8; i++) {
		type = (pat >> (8 * i)) & 0xff;
		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

static bool fixed_bits_ok(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
	return (value & fixed0) == fixed0 && !(value & ~fixed1);
}

/* ---- VM-execution, VM-exit and VM-entry control fields; SDM Vol. 3C, 26.2.1 ---- */

enum control_index { CONTROLS_PIN, CONTROLS_PROC, CONTROLS_PROC2, CONTROLS_EXIT, CONTROLS_ENTRY };

static const struct control_field {
	uint32_t encoding;
	enum vmx_capability capability;
} control_fields[] = {
	[CONTROLS_PIN] = { VMCS_PIN_CONTROLS, VMX_PINBASED_CTLS },
	[CONTROLS_PROC] = { VMCS_PROC_CONTROLS, VMX_PROCBASED_CTLS },
	[CONTROLS_PROC2] = { VMCS_PROC_CONTROLS2, VMX_PROCBASED_CTLS2 },
	[CONTROLS_EXIT] = { VMCS_EXIT_CONTROLS, VMX_EXIT_CTLS },
	[CONTROLS_ENTRY] = { VMCS_ENTRY_CONTROLS, VMX_ENTRY_CTLS },
};

/* The capability MSR of a control field, TRUE_* when IA32_VMX_BASIC[55]; SDM Vol. 3D, A.2. */
static uint64_t control_capability(const struct vmcs_view *view, unsigned int index)
{
	return msr(view, vmx_control_capability_msr(view->facts, control_fields[index].capability));
}

/* Allowed-0 settings (low half): bits that must be 1; SDM Vol. 3D, A.3 to A.5. */
static bool control_required_ones_set(const struct vmcs_view *view, unsigned int index)
{
	uint32_t must_be_one = (uint32_t)control_capability(view, index);

	return (field(view, control_fields[index].encoding) & must_be_one) == must_be_one;
}

/* Allowed-1 settings (high half); secondary controls only count when activated. */
static bool control_only_allowed_ones(const struct vmcs_view *view, unsigned int index)
{
	uint32_t may_be_one = (uint32_t)(control_capability(view, index) >> 32);

	if (index == CONTROLS_PROC2 && !proc(view, PROC_SECONDARY_CONTROLS))
		return true;
	return !(field(view, control_fields[index].encoding) & ~(uint64_t)may_be_one);
}

static bool cr3_target_count_at_most_4(const struct vmcs_view *view, UNUSED_ARG)
{
	return field(view, VMCS_CR3_TARGET_COUNT) <= 4;
}

static bool cr3_target_count_supported(const struct vmcs_view *view, UNUSED_ARG)
{
	return field(view, VMCS_CR3_TARGET_COUNT) <= MISC_CR3_TARGETS(msr(view, VMX_MISC));
}

static bool io_bitmap_ok(const struct vmcs_view *view, unsigned int encoding)
{
	return !proc(view, PROC_USE_IO_BITMAPS) || page_address_ok(view, encoding);
}

static bool msr_bitmap_ok(const struct vmcs_view *view, unsigned int encoding)
{
	return !proc(view, PROC_USE_MSR_BITMAPS) || page_address_ok(view, encoding);
}

static bool virtual_apic_address_ok(const struct vmcs_view *view, unsigned int encoding)
{
	return !proc(view, PROC_TPR_SHADOW) || page_address_ok(view, encoding);
}

static bool tpr_threshold_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	if (!proc(view, PROC_TPR_SHADOW) || proc2(view, PROC2_VIRTUAL_INTERRUPT_DELIVERY))
		return true;
	return !(field(view, VMCS_TPR_THRESHOLD) & ~0xfULL);
}

static bool apic_virtualization_has_tpr_shadow(const struct vmcs_view *view, UNUSED_ARG)
{
	return proc(view, PROC_TPR_SHADOW) ||
	       !proc2(view, PROC2_VIRTUALIZE_X2APIC | PROC2_APIC_REGISTER_VIRTUALIZATION |
			    PROC2_VIRTUAL_INTERRUPT_DELIVERY);
}

static bool virtual_nmis_have_nmi_exiting(const struct vmcs_view *view, UNUSED_ARG)
{
	return !pin(view, PIN_VIRTUAL_NMIS) || pin(view, PIN_NMI_EXITING);
}

static bool nmi_window_has_virtual_nmis(const struct vmcs_view *view, UNUSED_ARG)
{
	return !proc(view, PROC_NMI_WINDOW_EXITING) || pin(view, PIN_VIRTUAL_NMIS);
}

static bool apic_access_address_ok(const struct vmcs_view *view, unsigned int encoding)
{
	return !proc2(view, PROC2_VIRTUALIZE_APIC_ACCESSES) || page_address_ok(view, encoding);
}

static bool x2apic_excludes_apic_accesses(const struct vmcs_view *view, UNUSED_ARG)
{
	return !proc2(view, PROC2_VIRTUALIZE_X2APIC) ||
	       !proc2(view, PROC2_VIRTUALIZE_APIC_ACCESSES);
}

static bool interrupt_delivery_has_interrupt_exiting(const struct vmcs_view *view, UNUSED_ARG)
{
	return !proc2(view, PROC2_VIRTUAL_INTERRUPT_DELIVERY) ||
	       pin(view, PIN_EXTERNAL_INTERRUPT_EXITING);
}

static bool vpid_nonzero(const struct vmcs_view *view, UNUSED_ARG)
{
	return !proc2(view, PROC2_ENABLE_VPID) || field(view, VMCS_VPID) != 0;
}

static bool ept_memory_type_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	uint64_t type = EPTP_MEMORY_TYPE(field(view, VMCS_EPT_POINTER));
	uint64_t capability = msr(view, VMX_EPT_VPID_CAP);

	if (!proc2(view, PROC2_ENABLE_EPT))
		return true;
	return (type == EPTP_MEMORY_TYPE_UC && (capability & EPT_CAP_UC)) ||
	       (type == EPTP_MEMORY_TYPE_WB && (capability & EPT_CAP_WB));
}

/* Bits 5:3 hold the walk length minus one: 3 for 4 levels, 4 for 5 levels. */
static bool ept_walk_length_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	uint64_t length = EPTP_WALK_LENGTH(field(view, VMCS_EPT_POINTER));
	uint64_t capability = msr(view, VMX_EPT_VPID_CAP);

	if (!proc2(view, PROC2_ENABLE_EPT))
		return true;
	return (length == 3 && (capability & EPT_CAP_WALK_4)) ||
	       (length == 4 && (capability & EPT_CAP_WALK_5));
}

static bool ept_accessed_dirty_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return !proc2(view, PROC2_ENABLE_EPT) ||
	       !(field(view, VMCS_EPT_POINTER) & EPTP_ACCESSED_DIRTY) ||
	       (msr(view, VMX_EPT_VPID_CAP) & EPT_CAP_ACCESSED_DIRTY);
}

static bool ept_reserved_clear(const struct vmcs_view *view, UNUSED_ARG)
{
	uint64_t eptp = field(view, VMCS_EPT_POINTER);

	return !proc2(view, PROC2_ENABLE_EPT) ||
	       (!(eptp & EPTP_RESERVED) && within_physical_width(view, eptp));
}

static bool unrestricted_guest_has_ept(const struct vmcs_view *view, UNUSED_ARG)
{
	return !unrestricted_guest(view) || proc2(view, PROC2_ENABLE_EPT);
}

static bool preemption_timer_save_has_timer(const struct vmcs_view *view, UNUSED_ARG)
{
	return !exit_control(view, EXIT_SAVE_PREEMPTION_TIMER) || pin(view, PIN_PREEMPTION_TIMER);
}

enum msr_list_index { MSR_LIST_EXIT_STORE, MSR_LIST_EXIT_LOAD, MSR_LIST_ENTRY_LOAD };

static const struct msr_list {
	uint32_t count, address;
} msr_lists[] = {
	[MSR_LIST_EXIT_STORE] = { VMCS_EXIT_MSR_STORE_COUNT, VMCS_EXIT_MSR_STORE_ADDRESS },
	[MSR_LIST_EXIT_LOAD] = { VMCS_EXIT_MSR_LOAD_COUNT, VMCS_EXIT_MSR_LOAD_ADDRESS },
	[MSR_LIST_ENTRY_LOAD] = { VMCS_ENTRY_MSR_LOAD_COUNT, VMCS_ENTRY_MSR_LOAD_ADDRESS },
};

/* 16-byte entries, first and last byte within the physical-address width. */
static bool msr_list_address_ok(const struct vmcs_view *view, unsigned int index)
{
	uint64_t count = field(view, msr_lists[index].count), address;

	if (!count)
		return true;
	address = field(view, msr_lists[index].address);
	return !(address & 0xf) && within_physical_width(view, address) &&
	       within_physical_width(view, address + count * 16 - 1);
}

/* Above the recommended maximum the CPU may machine-check; SDM Vol. 3D, A.6. */
static bool msr_list_count_ok(const struct vmcs_view *view, unsigned int index)
{
	return field(view, msr_lists[index].count) <= MISC_MSR_LIST_MAX(msr(view, VMX_MISC));
}

/* ---- VM-entry event injection; SDM Vol. 3C, 26.2.1.3 ---- */

static uint32_t injection(const struct vmcs_view *view)
{
	return (uint32_t)field(view, VMCS_ENTRY_INTERRUPTION_INFO);
}

static bool injecting(const struct vmcs_view *view, uint32_t type)
{
	uint32_t info = injection(view);

	return (info & INTERRUPTION_VALID) && INTERRUPTION_TYPE(info) == type;
}

static bool injection_type_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	uint64_t proc_capability = control_capability(view, CONTROLS_PROC);

	if (injecting(view, INTERRUPTION_TYPE_RESERVED))
		return false;
	return !injecting(view, INTERRUPTION_TYPE_OTHER) ||
	       (proc_capability & PROC_MONITOR_TRAP_FLAG_ALLOWED);
}

static bool injection_vector_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	uint32_t vector = INTERRUPTION_VECTOR(injection(view));

	if (injecting(view, INTERRUPTION_TYPE_NMI))
		return vector == 2;
	if (injecting(view, INTERRUPTION_TYPE_HARDWARE))
		return vector <= 31;
	if (injecting(view, INTERRUPTION_TYPE_OTHER))
		return vector == 0;
	return true;
}

/* The vectors a protected-mode hardware exception must or must not push an error code with. */
static bool error_code_vector(const struct vmcs_view *view, uint32_t vectors)
{
	uint32_t vector = INTERRUPTION_VECTOR(injection(view));

	return !(msr(view, VMX_BASIC) & BASIC_ERROR_CODE_ANY_VECTOR) && vector < 32 &&
	       ((1U << vector) & vectors);
}

static bool injection_error_code_when_needed(const struct vmcs_view *view, UNUSED_ARG)
{
	if (!injecting(view, INTERRUPTION_TYPE_HARDWARE) || !guest_cr0(view, CR0_PE) ||
	    !error_code_vector(view, ERROR_CODE_VECTORS))
		return true;
	return injection(view) & INTERRUPTION_ERROR_CODE;
}

static bool injection_no_error_code_when_none(const struct vmcs_view *view, UNUSED_ARG)
{
	bool forbidden = !injecting(view, INTERRUPTION_TYPE_HARDWARE) || !guest_cr0(view, CR0_PE) ||
			 error_code_vector(view, NO_ERROR_CODE_VECTORS);

	if (!(injection(view) & INTERRUPTION_VALID) || !forbidden)
		return true;
	return !(injection(view) & INTERRUPTION_ERROR_CODE);
}

static bool injection_reserved_clear(const struct vmcs_view *view, UNUSED_ARG)
{
	uint32_t info = injection(view);

	return !(info & INTERRUPTION_VALID) || !(info & INTERRUPTION_INFO_RESERVED);
}

static bool injection_error_code_fits(const struct vmcs_view *view, UNUSED_ARG)
{
	uint32_t info = injection(view);

	if (!(info & INTERRUPTION_VALID) || !(info & INTERRUPTION_ERROR_CODE))
		return true;
	return !(field(view, VMCS_ENTRY_EXCEPTION_ERROR_CODE) & ~0xffffULL);
}

/* Software interrupts and exceptions need the instruction length; 0 only if IA32_VMX_MISC[30]. */
static bool injection_length_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	uint64_t length = field(view, VMCS_ENTRY_INSTRUCTION_LENGTH);

	if (!injecting(view, INTERRUPTION_TYPE_SOFTWARE_INT) &&
	    !injecting(view, INTERRUPTION_TYPE_PRIVILEGED) &&
	    !injecting(view, INTERRUPTION_TYPE_SOFTWARE_EXC))
		return true;
	return length <= 15 && (length != 0 || (msr(view, VMX_MISC) & MISC_ZERO_LENGTH_INJECTION));
}

/* Bulkhead never runs in SMM, so both SMM controls must stay clear. */
static bool no_smm_entry(const struct vmcs_view *view, UNUSED_ARG)
{
	return !entry_control(view, ENTRY_TO_SMM | ENTRY_DEACTIVATE_DUAL_MONITOR);
}

/* ---- Host state; SDM Vol. 3C, 26.2.2 to 26.2.4 ---- */

static bool host_cr0_fixed_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return fixed_bits_ok(field(view, VMCS_HOST_CR0), msr(view, VMX_CR0_FIXED0),
			     msr(view, VMX_CR0_FIXED1));
}

static bool host_cr4_fixed_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return fixed_bits_ok(field(view, VMCS_HOST_CR4), msr(view, VMX_CR4_FIXED0),
			     msr(view, VMX_CR4_FIXED1));
}

static bool host_cr3_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return within_physical_width(view, field(view, VMCS_HOST_CR3));
}

static bool host_pat_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return !exit_control(view, EXIT_LOAD_PAT) || pat_valid(field(view, VMCS_HOST_PAT));
}

static bool host_efer_reserved_clear(const struct vmcs_view *view, UNUSED_ARG)
{
	return !exit_control(view, EXIT_LOAD_EFER) ||
	       !(field(view, VMCS_HOST_EFER) & ~EFER_DEFINED);
}

static bool host_efer_matches_address_size(const struct vmcs_view *view, UNUSED_ARG)
{
	uint64_t efer = field(view, VMCS_HOST_EFER);
	bool host64 = exit_control(view, EXIT_HOST_ADDRESS_SPACE_SIZE);

	return !exit_control(view, EXIT_LOAD_EFER) ||
	       (!!(efer & EFER_LMA) == host64 && !!(efer & EFER_LME) == host64);
}

static bool host_selector_rpl_ti_clear(const struct vmcs_view *view, unsigned int encoding)
{
	return !(field(view, encoding) & (SELECTOR_TI | 3));
}

static bool host_selector_nonzero(const struct vmcs_view *view, unsigned int encoding)
{
	return field(view, encoding) != 0;
}

static bool host_ss_nonzero_unless_64bit(const struct vmcs_view *view, UNUSED_ARG)
{
	return exit_control(view, EXIT_HOST_ADDRESS_SPACE_SIZE) ||
	       field(view, VMCS_HOST_SS_SELECTOR) != 0;
}

/* Bulkhead's hypervisor runs in IA-32e mode, so it must return to a 64-bit host. */
static bool host_is_64bit(const struct vmcs_view *view, UNUSED_ARG)
{
	return exit_control(view, EXIT_HOST_ADDRESS_SPACE_SIZE);
}

static bool host_cr4_pae_set(const struct vmcs_view *view, UNUSED_ARG)
{
	return !exit_control(view, EXIT_HOST_ADDRESS_SPACE_SIZE) ||
	       (field(view, VMCS_HOST_CR4) & CR4_PAE);
}

/* ---- Guest control registers, debug registers and MSRs; SDM Vol. 3C, 26.3.1.1 ---- */

static bool guest_cr0_fixed_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	uint64_t fixed0 = msr(view, VMX_CR0_FIXED0);

	if (unrestricted_guest(view))
		fixed0 &= ~(CR0_PE | CR0_PG);
	return fixed_bits_ok(field(view, VMCS_GUEST_CR0), fixed0, msr(view, VMX_CR0_FIXED1));
}

static bool guest_paging_has_protection(const struct vmcs_view *view, UNUSED_ARG)
{
	return !guest_cr0(view, CR0_PG) || guest_cr0(view, CR0_PE);
}

static bool guest_cr4_fixed_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return fixed_bits_ok(field(view, VMCS_GUEST_CR4), msr(view, VMX_CR4_FIXED0),
			     msr(view, VMX_CR4_FIXED1));
}

static bool guest_debugctl_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return !entry_control(view, ENTRY_LOAD_DEBUG_CONTROLS) ||
	       !(field(view, VMCS_GUEST_DEBUGCTL) & ~DEBUGCTL_DEFINED);
}

static bool guest_ia32e_has_paging(const struct vmcs_view *view, UNUSED_ARG)
{
	return !ia32e_guest(view) ||
	       (guest_cr0(view, CR0_PG) && (field(view, VMCS_GUEST_CR4) & CR4_PAE));
}

static bool guest_pcide_needs_ia32e(const struct vmcs_view *view, UNUSED_ARG)
{
	return ia32e_guest(view) || !(field(view, VMCS_GUEST_CR4) & CR4_PCIDE);
}

static bool guest_cr3_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return within_physical_width(view, field(view, VMCS_GUEST_CR3));
}

static bool guest_dr7_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return !entry_control(view, ENTRY_LOAD_DEBUG_CONTROLS) ||
	       !(field(view, VMCS_GUEST_DR7) >> 32);
}

static bool guest_pat_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return !entry_control(view, ENTRY_LOAD_PAT) || pat_valid(field(view, VMCS_GUEST_PAT));
}

static bool guest_efer_reserved_clear(const struct vmcs_view *view, UNUSED_ARG)
{
	return !entry_control(view, ENTRY_LOAD_EFER) ||
	       !(field(view, VMCS_GUEST_EFER) & ~EFER_DEFINED);
}

static bool guest_efer_lma_matches_mode(const struct vmcs_view *view, UNUSED_ARG)
{
	return !entry_control(view, ENTRY_LOAD_EFER) ||
	       !!(field(view, VMCS_GUEST_EFER) & EFER_LMA) == ia32e_guest(view);
}

static bool guest_efer_lme_matches_lma(const struct vmcs_view *view, UNUSED_ARG)
{
	uint64_t efer = field(view, VMCS_GUEST_EFER);

	return !entry_control(view, ENTRY_LOAD_EFER) || !guest_cr0(view, CR0_PG) ||
	       !!(efer & EFER_LMA) == !!(efer & EFER_LME);
}

/* ---- Guest segment registers; SDM Vol. 3C, 26.3.1.2 ---- */

enum segment_index { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

static const struct segment_fields {
	uint32_t selector, base, limit, access_rights;
} segments[] = {
	[SEG_ES] = { VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT,
		     VMCS_GUEST_ES_ACCESS_RIGHTS },
	[SEG_CS] = { VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT,
		     VMCS_GUEST_CS_ACCESS_RIGHTS },
	[SEG_SS] = { VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT,
		     VMCS_GUEST_SS_ACCESS_RIGHTS },
	[SEG_DS] = { VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT,
		     VMCS_GUEST_DS_ACCESS_RIGHTS },
	[SEG_FS] = { VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT,
		     VMCS_GUEST_FS_ACCESS_RIGHTS },
	[SEG_GS] = { VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT,
		     VMCS_GUEST_GS_ACCESS_RIGHTS },
	[SEG_LDTR] = { VMCS_GUEST_LDTR_SELECTOR, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_LDTR_LIMIT,
		       VMCS_GUEST_LDTR_ACCESS_RIGHTS },
	[SEG_TR] = { VMCS_GUEST_TR_SELECTOR, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT,
		     VMCS_GUEST_TR_ACCESS_RIGHTS },
};

static uint32_t selector(const struct vmcs_view *view, unsigned int segment)
{
	return (uint32_t)field(view, segments[segment].selector);
}

static uint32_t access_rights(const struct vmcs_view *view, unsigned int segment)
{
	return (uint32_t)field(view, segments[segment].access_rights);
}

static bool usable(const struct vmcs_view *view, unsigned int segment)
{
	return !(access_rights(view, segment) & SEG_AR_UNUSABLE);
}

static bool virtual_8086(const struct vmcs_view *view)
{
	return field(view, VMCS_GUEST_RFLAGS) & RFLAGS_VM;
}

/*
 * Whether the access-rights checks apply: TR always, LDTR when usable, CS
 * and usable SS/DS/ES/FS/GS outside virtual-8086 mode (which has its own).
 */
static bool ar_checked(const struct vmcs_view *view, unsigned int segment)
{
	if (segment == SEG_TR)
		return true;
	if (segment != SEG_LDTR && virtual_8086(view))
		return false;
	return segment == SEG_CS || usable(view, segment);
}

static unsigned int segment_type(const struct vmcs_view *view, unsigned int segment)
{
	return SEG_AR_TYPE(access_rights(view, segment));
}

static unsigned int dpl(const struct vmcs_view *view, unsigned int segment)
{
	return SEG_AR_DPL(access_rights(view, segment));
}

static bool tr_ti_clear(const struct vmcs_view *view, UNUSED_ARG)
{
	return !(selector(view, SEG_TR) & SELECTOR_TI);
}

static bool ldtr_ti_clear(const struct vmcs_view *view, UNUSED_ARG)
{
	return !usable(view, SEG_LDTR) || !(selector(view, SEG_LDTR) & SELECTOR_TI);
}

static bool ss_rpl_matches_cs(const struct vmcs_view *view, UNUSED_ARG)
{
	return virtual_8086(view) || unrestricted_guest(view) ||
	       SELECTOR_RPL(selector(view, SEG_SS)) == SELECTOR_RPL(selector(view, SEG_CS));
}

/* FS, GS and TR always; LDTR only when usable. */
static bool segment_base_canonical(const struct vmcs_view *view, unsigned int segment)
{
	return (segment == SEG_LDTR && !usable(view, segment)) ||
	       guest_canonical(view, segments[segment].base);
}

/* CS always; SS, DS and ES only when usable. */
static bool segment_base_32bit(const struct vmcs_view *view, unsigned int segment)
{
	return (segment != SEG_CS && !usable(view, segment)) ||
	       !(field(view, segments[segment].base) >> 32);
}

static bool virtual_8086_segment_ok(const struct vmcs_view *view, unsigned int segment)
{
	if (!virtual_8086(view))
		return true;
	return field(view, segments[segment].base) == (uint64_t)selector(view, segment) << 4 &&
	       field(view, segments[segment].limit) == 0xffff &&
	       access_rights(view, segment) == 0xf3;
}

static bool cs_type_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	unsigned int type = segment_type(view, SEG_CS);

	if (!ar_checked(view, SEG_CS))
		return true;
	return type == 9 || type == 11 || type == 13 || type == 15 ||
	       (type == 3 && unrestricted_guest(view));
}

/* Type 3 only as real-mode CS (DPL 0); non-conforming DPL = SS.DPL; conforming DPL <= SS.DPL. */
static bool cs_dpl_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	unsigned int type = segment_type(view, SEG_CS);

	if (!ar_checked(view, SEG_CS))
		return true;
	if (type == 3)
		return dpl(view, SEG_CS) == 0;
	if (type == 9 || type == 11)
		return dpl(view, SEG_CS) == dpl(view, SEG_SS);
	return dpl(view, SEG_CS) <= dpl(view, SEG_SS);
}

static bool cs_not_long_and_default32(const struct vmcs_view *view, UNUSED_ARG)
{
	uint32_t ar = access_rights(view, SEG_CS);

	return !ia32e_guest(view) || !(ar & SEG_AR_L) || !(ar & SEG_AR_DB);
}

static bool ss_type_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return !ar_checked(view, SEG_SS) || segment_type(view, SEG_SS) == 3 ||
	       segment_type(view, SEG_SS) == 7;
}

/* Checked whether or not SS is usable: the CPU takes CPL from SS.DPL. */
static bool ss_dpl_matches_rpl(const struct vmcs_view *view, UNUSED_ARG)
{
	return virtual_8086(view) || unrestricted_guest(view) ||
	       dpl(view, SEG_SS) == SELECTOR_RPL(selector(view, SEG_SS));
}

static bool ss_dpl_zero_in_real_mode(const struct vmcs_view *view, UNUSED_ARG)
{
	if (virtual_8086(view) || (guest_cr0(view, CR0_PE) && segment_type(view, SEG_CS) != 3))
		return true;
	return dpl(view, SEG_SS) == 0;
}

static bool data_segment_accessed(const struct vmcs_view *view, unsigned int segment)
{
	return !ar_checked(view, segment) || (segment_type(view, segment) & 1);
}

/* A code segment loaded into DS, ES, FS or GS must be readable (type bit 1). */
static bool data_segment_readable(const struct vmcs_view *view, unsigned int segment)
{
	unsigned int type = segment_type(view, segment);

	return !ar_checked(view, segment) || !(type & 8) || (type & 2);
}

static bool data_segment_dpl_ok(const struct vmcs_view *view, unsigned int segment)
{
	if (!ar_checked(view, segment) || unrestricted_guest(view) || segment_type(view, segment) > 11)
		return true;
	return dpl(view, segment) >= SELECTOR_RPL(selector(view, segment));
}

/* S is 1 for code and data segments, 0 for the system segments LDTR and TR. */
static bool segment_s_flag_ok(const struct vmcs_view *view, unsigned int segment)
{
	bool system = segment == SEG_LDTR || segment == SEG_TR;

	return !ar_checked(view, segment) || !(access_rights(view, segment) & SEG_AR_S) == system;
}

static bool segment_present(const struct vmcs_view *view, unsigned int segment)
{
	return !ar_checked(view, segment) || (access_rights(view, segment) & SEG_AR_PRESENT);
}

static bool segment_reserved_clear(const struct vmcs_view *view, unsigned int segment)
{
	return !ar_checked(view, segment) || !(access_rights(view, segment) & SEG_AR_RESERVED_MASK);
}

/* Limit bits 11:0 not all ones need G = 0; any of bits 31:20 set needs G = 1. */
static bool segment_granularity_ok(const struct vmcs_view *view, unsigned int segment)
{
	uint64_t limit = field(view, segments[segment].limit);
	bool granular = access_rights(view, segment) & SEG_AR_G;

	if (!ar_checked(view, segment))
		return true;
	if ((limit & 0xfff) != 0xfff && granular)
		return false;
	return !(limit & 0xfff00000) || granular;
}

/* A busy TSS: 32/64-bit (11) in IA-32e mode, also 16-bit (3) outside it. */
static bool tr_type_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	unsigned int type = segment_type(view, SEG_TR);

	return type == 11 || (type == 3 && !ia32e_guest(view));
}

static bool tr_usable(const struct vmcs_view *view, UNUSED_ARG)
{
	return usable(view, SEG_TR);
}

static bool ldtr_type_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	return !usable(view, SEG_LDTR) || segment_type(view, SEG_LDTR) == 2;
}

/* ---- Descriptor tables, RIP and RFLAGS; SDM Vol. 3C, 26.3.1.3 and 26.3.1.4 ---- */

static bool table_limit_16bit(const struct vmcs_view *view, unsigned int encoding)
{
	return field(view, encoding) <= 0xffff;
}

static bool in_64bit_mode(const struct vmcs_view *view)
{
	return ia32e_guest(view) && (access_rights(view, SEG_CS) & SEG_AR_L);
}

static bool rip_32bit_outside_64bit_mode(const struct vmcs_view *view, UNUSED_ARG)
{
	return in_64bit_mode(view) || !(field(view, VMCS_GUEST_RIP) >> 32);
}

static bool rip_canonical_in_64bit_mode(const struct vmcs_view *view, UNUSED_ARG)
{
	return !in_64bit_mode(view) || guest_canonical(view, VMCS_GUEST_RIP);
}

static bool rflags_reserved_ok(const struct vmcs_view *view, UNUSED_ARG)
{
	uint64_t rflags = field(view, VMCS_GUEST_RFLAGS);

	return !(rflags & RFLAGS_RESERVED) && (rflags & RFLAGS_FIXED1);
}

static bool rflags_vm_allowed(const struct vmcs_view *view, UNUSED_ARG)
{
	return !virtual_8086(view) || (!ia32e_guest(view) && guest_cr0(view, CR0_PE));
}

static bool rflags_if_for_interrupt(const struct vmcs_view *view, UNUSED_ARG)
{
	return !injecting(view, INTERRUPTION_TYPE_EXTERNAL) ||
	       (field(view, VMCS_GUEST_RFLAGS) & RFLAGS_IF);
}

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
	return activity(view) != ACTIVITY_HLT || dpl(view, SEG_SS) == 0;
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

/* ---- The table, in the SDM's order: controls, host state, guest state ---- */

#define CONTROL_FIELD_CHECKS(name, index, section)						\
	{ name ": a bit the capability MSR requires is clear" SDM(section),			\
	  control_required_ones_set, index },							\
	{ name ": a bit the capability MSR does not allow is set" SDM(section),		\
	  control_only_allowed_ones, index }

#define MSR_LIST_CHECKS(name, index)								\
	{ name " address: not 16-byte aligned or the list goes beyond the physical-address width" \
	  SDM("26.2.1.2"), msr_list_address_ok, index },					\
	{ name " count: above the maximum of IA32_VMX_MISC bits 27:25 (SDM Vol. 3D, A.6)",	\
	  msr_list_count_ok, index }

#define GUEST_SEGMENT(name)	"guest " name " access rights: "

/* P, reserved bits and limit/G, common to every segment register. */
#define SEGMENT_COMMON_CHECKS(name, segment)							\
	{ GUEST_SEGMENT(name) "P (present) clear" SDM("26.3.1.2"), segment_present, segment },	\
	{ GUEST_SEGMENT(name) "reserved bits 11:8 or 31:17 set" SDM("26.3.1.2"),		\
	  segment_reserved_clear, segment },							\
	{ "guest " name " limit: disagrees with G (limit bits 11:0 not all ones need G=0, "	\
	  "bits 31:20 set need G=1)" SDM("26.3.1.2"), segment_granularity_ok, segment }

#define DATA_SEGMENT_CHECKS(name, segment)							\
	{ GUEST_SEGMENT(name) "type not accessed (bit 0 clear)" SDM("26.3.1.2"),		\
	  data_segment_accessed, segment },							\
	{ GUEST_SEGMENT(name) "code segment not readable" SDM("26.3.1.2"),			\
	  data_segment_readable, segment },							\
	{ GUEST_SEGMENT(name) "S clear (system descriptor)" SDM("26.3.1.2"),			\
	  segment_s_flag_ok, segment },								\
	{ GUEST_SEGMENT(name) "DPL below the selector's RPL" SDM("26.3.1.2"),			\
	  data_segment_dpl_ok, segment },							\
	SEGMENT_COMMON_CHECKS(name, segment)

#define VIRTUAL_8086_CHECK(name, segment)							\
	{ "guest " name ": virtual-8086 mode needs base = selector * 16, limit 0xffff, "	\
	  "access rights 0xf3" SDM("26.3.1.2"), virtual_8086_segment_ok, segment }

static const struct vmx_entry_check vmx_entry_checks[] = {
	/* VM-execution controls, 26.2.1.1 */
	CONTROL_FIELD_CHECKS("pin-based controls", CONTROLS_PIN, "26.2.1.1"),
	CONTROL_FIELD_CHECKS("primary processor-based controls", CONTROLS_PROC, "26.2.1.1"),
	{ "secondary processor-based controls: a bit IA32_VMX_PROCBASED_CTLS2 does not allow is set"
	  SDM("26.2.1.1"), control_only_allowed_ones, CONTROLS_PROC2 },
	{ "CR3-target count: above 4" SDM("26.2.1.1"), cr3_target_count_at_most_4, 0 },
	{ "CR3-target count: above IA32_VMX_MISC bits 24:16" SDM("26.2.1.1"),
	  cr3_target_count_supported, 0 },
	{ "I/O bitmap A address: not 4-KByte aligned or beyond the physical-address width"
	  SDM("26.2.1.1"), io_bitmap_ok, VMCS_IO_BITMAP_A },
	{ "I/O bitmap B address: not 4-KByte aligned or beyond the physical-address width"
	  SDM("26.2.1.1"), io_bitmap_ok, VMCS_IO_BITMAP_B },
	{ "MSR bitmap address: not 4-KByte aligned or beyond the physical-address width"
	  SDM("26.2.1.1"), msr_bitmap_ok, VMCS_MSR_BITMAP },
	{ "virtual-APIC address: not 4-KByte aligned or beyond the physical-address width"
	  SDM("26.2.1.1"), virtual_apic_address_ok, VMCS_VIRTUAL_APIC_ADDRESS },
	{ "TPR threshold: bits 31:4 set without virtual-interrupt delivery" SDM("26.2.1.1"),
	  tpr_threshold_ok, 0 },
	{ "secondary processor-based controls: x2APIC, APIC-register or interrupt virtualization "
	  "without use TPR shadow" SDM("26.2.1.1"), apic_virtualization_has_tpr_shadow, 0 },
	{ "pin-based controls: virtual NMIs without NMI exiting" SDM("26.2.1.1"),
	  virtual_nmis_have_nmi_exiting, 0 },
	{ "primary processor-based controls: NMI-window exiting without virtual NMIs"
	  SDM("26.2.1.1"), nmi_window_has_virtual_nmis, 0 },
	{ "APIC-access address: not 4-KByte aligned or beyond the physical-address width"
	  SDM("26.2.1.1"), apic_access_address_ok, VMCS_APIC_ACCESS_ADDRESS },
	{ "secondary processor-based controls: virtualize x2APIC mode with virtualize APIC accesses"
	  SDM("26.2.1.1"), x2apic_excludes_apic_accesses, 0 },
	{ "pin-based controls: virtual-interrupt delivery without external-interrupt exiting"
	  SDM("26.2.1.1"), interrupt_delivery_has_interrupt_exiting, 0 },
	{ "VPID: 0 with enable VPID" SDM("26.2.1.1"), vpid_nonzero, 0 },
	{ "EPT pointer: memory type not UC (EPT_VPID_CAP bit 8) or WB (bit 14)" SDM("26.2.1.1"),
	  ept_memory_type_ok, 0 },
	{ "EPT pointer: page-walk length not supported (bits 5:3 must be 3 for 4 levels)"
	  SDM("26.2.1.1"), ept_walk_length_ok, 0 },
	{ "EPT pointer: accessed and dirty flags without support (EPT_VPID_CAP bit 21)"
	  SDM("26.2.1.1"), ept_accessed_dirty_ok, 0 },
	{ "EPT pointer: reserved bits 11:7 or bits beyond the physical-address width set"
	  SDM("26.2.1.1"), ept_reserved_clear, 0 },
	{ "secondary processor-based controls: unrestricted guest without enable EPT"
	  SDM("26.2.1.1"), unrestricted_guest_has_ept, 0 },

	/* VM-exit controls, 26.2.1.2 */
	CONTROL_FIELD_CHECKS("VM-exit controls", CONTROLS_EXIT, "26.2.1.2"),
	{ "VM-exit controls: save VMX-preemption-timer value without activate VMX-preemption timer"
	  SDM("26.2.1.2"), preemption_timer_save_has_timer, 0 },
	MSR_LIST_CHECKS("VM-exit MSR-store", MSR_LIST_EXIT_STORE),
	MSR_LIST_CHECKS("VM-exit MSR-load", MSR_LIST_EXIT_LOAD),

	/* VM-entry controls, 26.2.1.3 */
	CONTROL_FIELD_CHECKS("VM-entry controls", CONTROLS_ENTRY, "26.2.1.3"),
	{ "VM-entry interruption information: reserved type (1, or 7 without monitor trap flag)"
	  SDM("26.2.1.3"), injection_type_ok, 0 },
	{ "VM-entry interruption information: vector does not fit the type (NMI 2, hardware "
	  "exception 0-31, other event 0)" SDM("26.2.1.3"), injection_vector_ok, 0 },
	{ "VM-entry interruption information: deliver-error-code clear for an exception that has one"
	  SDM("26.2.1.3"), injection_error_code_when_needed, 0 },
	{ "VM-entry interruption information: deliver-error-code set for an event without one "
	  "or with CR0.PE clear" SDM("26.2.1.3"), injection_no_error_code_when_none, 0 },
	{ "VM-entry interruption information: reserved bits 30:12 set" SDM("26.2.1.3"),
	  injection_reserved_clear, 0 },
	{ "VM-entry exception error code: bits 31:16 set" SDM("26.2.1.3"),
	  injection_error_code_fits, 0 },
	{ "VM-entry instruction length: not 1-15 for a software interrupt or exception"
	  SDM("26.2.1.3"), injection_length_ok, 0 },
	MSR_LIST_CHECKS("VM-entry MSR-load", MSR_LIST_ENTRY_LOAD),
	{ "VM-entry controls: entry to SMM or deactivate dual-monitor treatment outside SMM"
	  SDM("26.2.1.3"), no_smm_entry, 0 },

	/* Host control registers and MSRs, 26.2.2 */
	{ "host CR0: a bit outside IA32_VMX_CR0_FIXED0/FIXED1" SDM("26.2.2"), host_cr0_fixed_ok, 0 },
	{ "host CR4: a bit outside IA32_VMX_CR4_FIXED0/FIXED1" SDM("26.2.2"), host_cr4_fixed_ok, 0 },
	{ "host CR3: bits beyond the physical-address width set" SDM("26.2.2"), host_cr3_ok, 0 },
	{ "host IA32_SYSENTER_ESP: not canonical" SDM("26.2.2"), host_canonical,
	  VMCS_HOST_SYSENTER_ESP },
	{ "host IA32_SYSENTER_EIP: not canonical" SDM("26.2.2"), host_canonical,
	  VMCS_HOST_SYSENTER_EIP },
	{ "host IA32_PAT: a byte is not a memory type (0, 1, 4, 5, 6, 7)" SDM("26.2.2"),
	  host_pat_ok, 0 },
	{ "host IA32_EFER: reserved bits set" SDM("26.2.2"), host_efer_reserved_clear, 0 },
	{ "host IA32_EFER: LMA or LME differs from host address-space size" SDM("26.2.2"),
	  host_efer_matches_address_size, 0 },

	/* Host segment and descriptor-table registers, 26.2.3 */
	{ "host ES selector: RPL or TI set" SDM("26.2.3"), host_selector_rpl_ti_clear,
	  VMCS_HOST_ES_SELECTOR },
	{ "host CS selector: RPL or TI set" SDM("26.2.3"), host_selector_rpl_ti_clear,
	  VMCS_HOST_CS_SELECTOR },
	{ "host SS selector: RPL or TI set" SDM("26.2.3"), host_selector_rpl_ti_clear,
	  VMCS_HOST_SS_SELECTOR },
	{ "host DS selector: RPL or TI set" SDM("26.2.3"), host_selector_rpl_ti_clear,
	  VMCS_HOST_DS_SELECTOR },
	{ "host FS selector: RPL or TI set" SDM("26.2.3"), host_selector_rpl_ti_clear,
	  VMCS_HOST_FS_SELECTOR },
	{ "host GS selector: RPL or TI set" SDM("26.2.3"), host_selector_rpl_ti_clear,
	  VMCS_HOST_GS_SELECTOR },
	{ "host TR selector: RPL or TI set" SDM("26.2.3"), host_selector_rpl_ti_clear,
	  VMCS_HOST_TR_SELECTOR },
	{ "host CS selector: 0" SDM("26.2.3"), host_selector_nonzero, VMCS_HOST_CS_SELECTOR },
	{ "host TR selector: 0" SDM("26.2.3"), host_selector_nonzero, VMCS_HOST_TR_SELECTOR },
	{ "host SS selector: 0 without host address-space size" SDM("26.2.3"),
	  host_ss_nonzero_unless_64bit, 0 },
	{ "host FS base: not canonical" SDM("26.2.3"), host_canonical, VMCS_HOST_FS_BASE },
	{ "host GS base: not canonical" SDM("26.2.3"), host_canonical, VMCS_HOST_GS_BASE },
	{ "host GDTR base: not canonical" SDM("26.2.3"), host_canonical, VMCS_HOST_GDTR_BASE },
	{ "host IDTR base: not canonical" SDM("26.2.3"), host_canonical, VMCS_HOST_IDTR_BASE },
	{ "host TR base: not canonical" SDM("26.2.3"), host_canonical, VMCS_HOST_TR_BASE },

	/* Address-space size, 26.2.4 */
	{ "VM-exit controls: host address-space size clear for a 64-bit hypervisor" SDM("26.2.4"),
	  host_is_64bit, 0 },
	{ "host CR4: PAE clear with host address-space size" SDM("26.2.4"), host_cr4_pae_set, 0 },
	{ "host RIP: not canonical" SDM("26.2.4"), host_canonical, VMCS_HOST_RIP },

	/* Guest control registers, debug registers and MSRs, 26.3.1.1 */
	{ "guest CR0: a bit outside IA32_VMX_CR0_FIXED0/FIXED1 (PE and PG free with unrestricted "
	  "guest)" SDM("26.3.1.1"), guest_cr0_fixed_ok, 0 },
	{ "guest CR0: PG set without PE" SDM("26.3.1.1"), guest_paging_has_protection, 0 },
	{ "guest CR4: a bit outside IA32_VMX_CR4_FIXED0/FIXED1" SDM("26.3.1.1"),
	  guest_cr4_fixed_ok, 0 },
	{ "guest IA32_DEBUGCTL: reserved bits set" SDM("26.3.1.1"), guest_debugctl_ok, 0 },
	{ "guest CR0/CR4: IA-32e mode guest without CR0.PG and CR4.PAE" SDM("26.3.1.1"),
	  guest_ia32e_has_paging, 0 },
	{ "guest CR4: PCIDE set without IA-32e mode guest" SDM("26.3.1.1"),
	  guest_pcide_needs_ia32e, 0 },
	{ "guest CR3: bits beyond the physical-address width set" SDM("26.3.1.1"), guest_cr3_ok, 0 },
	{ "guest DR7: bits 63:32 set" SDM("26.3.1.1"), guest_dr7_ok, 0 },
	{ "guest IA32_SYSENTER_ESP: not canonical" SDM("26.3.1.1"), guest_canonical,
	  VMCS_GUEST_SYSENTER_ESP },
	{ "guest IA32_SYSENTER_EIP: not canonical" SDM("26.3.1.1"), guest_canonical,
	  VMCS_GUEST_SYSENTER_EIP },
	{ "guest IA32_PAT: a byte is not a memory type (0, 1, 4, 5, 6, 7)" SDM("26.3.1.1"),
	  guest_pat_ok, 0 },
	{ "guest IA32_EFER: reserved bits set" SDM("26.3.1.1"), guest_efer_reserved_clear, 0 },
	{ "guest IA32_EFER: LMA differs from IA-32e mode guest" SDM("26.3.1.1"),
	  guest_efer_lma_matches_mode, 0 },
	{ "guest IA32_EFER: LME differs from LMA with CR0.PG set" SDM("26.3.1.1"),
	  guest_efer_lme_matches_lma, 0 },

	/*
	 * Guest RFLAGS.VM, 26.3.1.4, checked ahead of the segments because it
	 * decides whether their virtual-8086 or protected-mode rules apply.
	 */
	{ "guest RFLAGS: VM set in IA-32e mode or with CR0.PE clear" SDM("26.3.1.4"),
	  rflags_vm_allowed, 0 },

	/* Guest segment registers, 26.3.1.2: selectors, bases, virtual-8086 mode */
	{ "guest TR selector: TI set" SDM("26.3.1.2"), tr_ti_clear, 0 },
	{ "guest LDTR selector: TI set in a usable LDTR" SDM("26.3.1.2"), ldtr_ti_clear, 0 },
	{ "guest SS selector: RPL differs from CS RPL" SDM("26.3.1.2"), ss_rpl_matches_cs, 0 },
	{ "guest TR base: not canonical" SDM("26.3.1.2"), segment_base_canonical, SEG_TR },
	{ "guest FS base: not canonical" SDM("26.3.1.2"), segment_base_canonical, SEG_FS },
	{ "guest GS base: not canonical" SDM("26.3.1.2"), segment_base_canonical, SEG_GS },
	{ "guest LDTR base: not canonical" SDM("26.3.1.2"), segment_base_canonical, SEG_LDTR },
	{ "guest CS base: bits 63:32 set" SDM("26.3.1.2"), segment_base_32bit, SEG_CS },
	{ "guest SS base: bits 63:32 set" SDM("26.3.1.2"), segment_base_32bit, SEG_SS },
	{ "guest DS base: bits 63:32 set" SDM("26.3.1.2"), segment_base_32bit, SEG_DS },
	{ "guest ES base: bits 63:32 set" SDM("26.3.1.2"), segment_base_32bit, SEG_ES },
	VIRTUAL_8086_CHECK("CS", SEG_CS),
	VIRTUAL_8086_CHECK("SS", SEG_SS),
	VIRTUAL_8086_CHECK("DS", SEG_DS),
	VIRTUAL_8086_CHECK("ES", SEG_ES),
	VIRTUAL_8086_CHECK("FS", SEG_FS),
	VIRTUAL_8086_CHECK("GS", SEG_GS),

	/* Guest segment access rights, 26.3.1.2 */
	{ GUEST_SEGMENT("CS") "type not 9, 11, 13, 15 (or 3 with unrestricted guest)"
	  SDM("26.3.1.2"), cs_type_ok, 0 },
	{ GUEST_SEGMENT("CS") "S clear (system descriptor)" SDM("26.3.1.2"), segment_s_flag_ok,
	  SEG_CS },
	{ GUEST_SEGMENT("CS") "DPL wrong for its type (type 3: 0, 9/11: SS DPL, 13/15: <= SS DPL)"
	  SDM("26.3.1.2"), cs_dpl_ok, 0 },
	SEGMENT_COMMON_CHECKS("CS", SEG_CS),
	{ GUEST_SEGMENT("CS") "L and D/B both set in IA-32e mode" SDM("26.3.1.2"),
	  cs_not_long_and_default32, 0 },
	{ GUEST_SEGMENT("SS") "type not 3 or 7" SDM("26.3.1.2"), ss_type_ok, 0 },
	{ GUEST_SEGMENT("SS") "S clear (system descriptor)" SDM("26.3.1.2"), segment_s_flag_ok,
	  SEG_SS },
	{ GUEST_SEGMENT("SS") "DPL differs from the selector's RPL" SDM("26.3.1.2"),
	  ss_dpl_matches_rpl, 0 },
	{ GUEST_SEGMENT("SS") "DPL not 0 with CR0.PE clear or CS type 3" SDM("26.3.1.2"),
	  ss_dpl_zero_in_real_mode, 0 },
	SEGMENT_COMMON_CHECKS("SS", SEG_SS),
	DATA_SEGMENT_CHECKS("DS", SEG_DS),
	DATA_SEGMENT_CHECKS("ES", SEG_ES),
	DATA_SEGMENT_CHECKS("FS", SEG_FS),
	DATA_SEGMENT_CHECKS("GS", SEG_GS),
	{ GUEST_SEGMENT("TR") "type not 11 (busy TSS), or 3 outside IA-32e mode" SDM("26.3.1.2"),
	  tr_type_ok, 0 },
	{ GUEST_SEGMENT("TR") "S set (not a system descriptor)" SDM("26.3.1.2"), segment_s_flag_ok,
	  SEG_TR },
	SEGMENT_COMMON_CHECKS("TR", SEG_TR),
	{ GUEST_SEGMENT("TR") "unusable" SDM("26.3.1.2"), tr_usable, 0 },
	{ GUEST_SEGMENT("LDTR") "type not 2 (LDT)" SDM("26.3.1.2"), ldtr_type_ok, 0 },
	{ GUEST_SEGMENT("LDTR") "S set (not a system descriptor)" SDM("26.3.1.2"),
	  segment_s_flag_ok, SEG_LDTR },
	SEGMENT_COMMON_CHECKS("LDTR", SEG_LDTR),

	/* Guest descriptor-table registers, 26.3.1.3 */
	{ "guest GDTR base: not canonical" SDM("26.3.1.3"), guest_canonical,
	  VMCS_GUEST_GDTR_BASE },
	{ "guest IDTR base: not canonical" SDM("26.3.1.3"), guest_canonical,
	  VMCS_GUEST_IDTR_BASE },
	{ "guest GDTR limit: above 0xffff" SDM("26.3.1.3"), table_limit_16bit, VMCS_GUEST_GDTR_LIMIT },
	{ "guest IDTR limit: above 0xffff" SDM("26.3.1.3"), table_limit_16bit, VMCS_GUEST_IDTR_LIMIT },

	/* Guest RIP and RFLAGS, 26.3.1.4 */
	{ "guest RIP: bits 63:32 set outside 64-bit mode (IA-32e mode guest and CS.L)"
	  SDM("26.3.1.4"), rip_32bit_outside_64bit_mode, 0 },
	{ "guest RIP: not canonical in 64-bit mode" SDM("26.3.1.4"), rip_canonical_in_64bit_mode, 0 },
	{ "guest RFLAGS: reserved bits 63:22, 15, 5 or 3 set, or bit 1 clear" SDM("26.3.1.4"),
	  rflags_reserved_ok, 0 },
	{ "guest RFLAGS: IF clear while injecting an external interrupt" SDM("26.3.1.4"),
	  rflags_if_for_interrupt, 0 },

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

const char *vmx_check_vmcs(const struct vmcs_source *vmcs, const struct vmx_cpu_facts *facts)
{
	const struct vmcs_view view = { vmcs, facts, VMX_CHECK_PHYSICAL_ADDRESS_BITS };
	unsigned int i;

	for (i = 0; i < sizeof(vmx_entry_checks) / sizeof(vmx_entry_checks[0]); i++)
		if (!vmx_entry_checks[i].passes(&view, vmx_entry_checks[i].arg))
			return vmx_entry_checks[i].failure;
	return NULL;
}
