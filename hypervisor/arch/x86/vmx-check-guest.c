// SPDX-License-Identifier: GPL-2.0
/* VM-entry checks on guest registers, MSRs, RIP and RFLAGS; SDM Vol. 3C, 26.3.1.1 to 26.3.1.4. */
#include <asm/vmx-check-internal.h>

static bool guest_canonical(const struct vmcs_view *view, unsigned int encoding)
{
	return vmx_check_canonical(field(view, encoding), field(view, VMCS_GUEST_CR4));
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
	       vmx_check_debugctl_valid(field(view, VMCS_GUEST_DEBUGCTL));
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
	return !entry_control(view, ENTRY_LOAD_PAT) ||
	       vmx_check_pat_valid(field(view, VMCS_GUEST_PAT));
}

static bool guest_efer_reserved_clear(const struct vmcs_view *view, UNUSED_ARG)
{
	return !entry_control(view, ENTRY_LOAD_EFER) ||
	       vmx_check_efer_valid(field(view, VMCS_GUEST_EFER));
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

/* ---- The table, in the SDM's order ---- */

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

static const struct vmx_entry_check guest_register_checks[] = {
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
};

const struct vmx_check_table vmx_guest_register_checks = VMX_CHECK_TABLE(guest_register_checks);
