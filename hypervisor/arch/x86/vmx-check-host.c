// SPDX-License-Identifier: GPL-2.0
/* VM-entry checks on the host-state area; SDM Vol. 3C, 26.2.2 to 26.2.4. */
#include <asm/vmx-check-internal.h>

static bool host_canonical(const struct vmcs_view *view, unsigned int encoding)
{
	return vmx_check_canonical(field(view, encoding), field(view, VMCS_HOST_CR4));
}

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
	return !exit_control(view, EXIT_LOAD_PAT) ||
	       vmx_check_pat_valid(field(view, VMCS_HOST_PAT));
}

static bool host_efer_reserved_clear(const struct vmcs_view *view, UNUSED_ARG)
{
	return !exit_control(view, EXIT_LOAD_EFER) ||
	       vmx_check_efer_valid(field(view, VMCS_HOST_EFER));
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

/* ---- The table, in the SDM's order ---- */

static const struct vmx_entry_check host_checks[] = {
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
};

const struct vmx_check_table vmx_host_checks = VMX_CHECK_TABLE(host_checks);
