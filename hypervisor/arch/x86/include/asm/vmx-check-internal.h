/* SPDX-License-Identifier: GPL-2.0 */
/* What the VM-entry check files vmx-check*.c share: register bits, the VMCS view, accessors. */
#ifndef BULKHEAD_ASM_VMX_CHECK_INTERNAL_H
#define BULKHEAD_ASM_VMX_CHECK_INTERNAL_H

#include <asm/vmx-check.h>

/*
 * Architectural register bits the checks test (SDM Vol. 3A, 2.5, 2.2.1,
 * 17.4.1 and Vol. 1, 3.4.3).  Kept here rather than taken from processor.h,
 * whose instruction wrappers these pure-logic files have no use for.
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

/* One file's checks, in the SDM's order. */
struct vmx_check_table {
	const struct vmx_entry_check *checks;
	unsigned int count;
};

#define VMX_CHECK_TABLE(entries)	{ entries, sizeof(entries) / sizeof((entries)[0]) }

/* vmx_check_vmcs() runs these one after another, which keeps the SDM's order. */
extern const struct vmx_check_table vmx_control_checks;		/* 26.2.1 */
extern const struct vmx_check_table vmx_host_checks;		/* 26.2.2 to 26.2.4 */
extern const struct vmx_check_table vmx_guest_register_checks;	/* 26.3.1.1 to 26.3.1.4 */
extern const struct vmx_check_table vmx_guest_non_register_checks; /* 26.3.1.5 and 26.3.1.6 */

/* Shared checks of architectural values, in vmx-check.c. */
bool vmx_check_canonical(uint64_t address, uint64_t cr4);

/* ---- Accessors of the VMCS under check, shared by every file ---- */

static inline uint64_t field(const struct vmcs_view *view, uint32_t encoding)
{
	return view->vmcs->read(view->vmcs->context, encoding);
}

static inline uint64_t msr(const struct vmcs_view *view, enum vmx_capability capability)
{
	return view->facts->msr[capability];
}

static inline bool pin(const struct vmcs_view *view, uint32_t control)
{
	return field(view, VMCS_PIN_CONTROLS) & control;
}

static inline bool proc(const struct vmcs_view *view, uint32_t control)
{
	return field(view, VMCS_PROC_CONTROLS) & control;
}

/* Without "activate secondary controls" all secondary controls count as 0; SDM Vol. 3C, 24.6.2. */
static inline bool proc2(const struct vmcs_view *view, uint32_t control)
{
	return proc(view, PROC_SECONDARY_CONTROLS) && (field(view, VMCS_PROC_CONTROLS2) & control);
}

static inline bool exit_control(const struct vmcs_view *view, uint32_t control)
{
	return field(view, VMCS_EXIT_CONTROLS) & control;
}

static inline bool entry_control(const struct vmcs_view *view, uint32_t control)
{
	return field(view, VMCS_ENTRY_CONTROLS) & control;
}

static inline bool ia32e_guest(const struct vmcs_view *view)
{
	return entry_control(view, ENTRY_IA32E_MODE_GUEST);
}

static inline bool unrestricted_guest(const struct vmcs_view *view)
{
	return proc2(view, PROC2_UNRESTRICTED_GUEST);
}

static inline bool guest_cr0(const struct vmcs_view *view, uint64_t bit)
{
	return field(view, VMCS_GUEST_CR0) & bit;
}

static inline bool within_physical_width(const struct vmcs_view *view, uint64_t address)
{
	return !(address >> view->physical_bits);
}

static inline bool fixed_bits_ok(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
	return (value & fixed0) == fixed0 && !(value & ~fixed1);
}

/* VM-entry event injection, read by control and guest-state checks; SDM Vol. 3C, 26.2.1.3. */
static inline uint32_t injection(const struct vmcs_view *view)
{
	return (uint32_t)field(view, VMCS_ENTRY_INTERRUPTION_INFO);
}

static inline bool injecting(const struct vmcs_view *view, uint32_t type)
{
	uint32_t info = injection(view);

	return (info & INTERRUPTION_VALID) && INTERRUPTION_TYPE(info) == type;
}

#endif
