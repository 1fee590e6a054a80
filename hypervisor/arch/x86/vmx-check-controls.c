// SPDX-License-Identifier: GPL-2.0
/* VM-entry checks on the VM-execution, VM-exit and VM-entry controls; SDM Vol. 3C, 26.2.1. */
#include <asm/vmx-check-internal.h>

/* VM-entry interruption-information bits beyond vmx-defs.h; SDM Vol. 3C, 24.8.3. */
#define INTERRUPTION_INFO_RESERVED	0x7ffff000U
#define INTERRUPTION_TYPE_RESERVED	1

/* Exceptions that do and do not push an error code; SDM Vol. 3A, table 6-1. */
#define ERROR_CODE_VECTORS		((1U << 8) | (0x1fU << 10) | (1U << 17))
#define NO_ERROR_CODE_VECTORS		(0xfbU | (1U << 16) | (0x1dU << 16))

/* Capability MSR bits; SDM Vol. 3D, A.1, A.6 and A.10. */
#define BASIC_ERROR_CODE_ANY_VECTOR	(1ULL << 56)
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

static bool page_address_ok(const struct vmcs_view *view, uint32_t encoding)
{
	uint64_t address = field(view, encoding);

	return !(address & 0xfff) && within_physical_width(view, address);
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

/* ---- The table, in the SDM's order ---- */

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

static const struct vmx_entry_check control_checks[] = {
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
};

const struct vmx_check_table vmx_control_checks = VMX_CHECK_TABLE(control_checks);
