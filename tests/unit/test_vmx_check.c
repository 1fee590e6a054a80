// SPDX-License-Identifier: GPL-2.0
/* Host tests of the software VM-entry checks (hypervisor/arch/x86/vmx-check.c) on a fake VMCS. */
#include <string.h>

#include <asm/vmx-check.h>

#include "bochs-haswell.h"
#include "unit.h"

/* ---- A fake VMCS: (field, value) pairs; unset fields read 0 and are counted ---- */

struct fake_field {
	uint32_t field;
	uint64_t value;
};

struct fake_vmcs {
	struct fake_field fields[160];
	unsigned int count;
	unsigned int unset_reads;
};

static struct fake_field *find(struct fake_vmcs *vmcs, uint32_t field)
{
	unsigned int i;

	for (i = 0; i < vmcs->count; i++)
		if (vmcs->fields[i].field == field)
			return &vmcs->fields[i];
	return NULL;
}

static uint64_t fake_read(void *context, uint32_t field)
{
	struct fake_vmcs *vmcs = context;
	struct fake_field *entry = find(vmcs, field);

	if (entry)
		return entry->value;
	vmcs->unset_reads++;
	return 0;
}

static void set(struct fake_vmcs *vmcs, uint32_t field, uint64_t value)
{
	struct fake_field *entry = find(vmcs, field);

	if (!entry && vmcs->count < sizeof(vmcs->fields) / sizeof(vmcs->fields[0])) {
		entry = &vmcs->fields[vmcs->count++];
		entry->field = field;
	}
	if (entry)
		entry->value = value;
}

static void set_all(struct fake_vmcs *vmcs, const struct fake_field *fields, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		set(vmcs, fields[i].field, fields[i].value);
}

#define SET_ALL(vmcs, table) set_all(vmcs, table, sizeof(table) / sizeof(table[0]))

/* ---- Baselines: what the hypervisor writes ---- */

#define PIN_BASELINE	(0x16 | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS)
#define PROC_BASELINE	(0x04006172 | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | \
			 PROC_SECONDARY_CONTROLS)
#define PROC2_BASELINE	(PROC2_ENABLE_EPT | PROC2_ENABLE_RDTSCP | PROC2_ENABLE_VPID | \
			 PROC2_UNRESTRICTED_GUEST | PROC2_ENABLE_INVPCID)
#define EXIT_BASELINE	(0x36dfb | EXIT_SAVE_DEBUG_CONTROLS | EXIT_HOST_ADDRESS_SPACE_SIZE | \
			 EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER)
#define ENTRY_32BIT	(0x11fb | ENTRY_LOAD_DEBUG_CONTROLS | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER)
#define ENTRY_BASELINE	(ENTRY_32BIT | ENTRY_IA32E_MODE_GUEST)
#define EPTP_BASELINE	(0x01003000 | EPTP_MEMORY_TYPE_WB | EPTP_WALK_LENGTH_4)
#define PAT_DEFAULT	0x0007040600070406ULL
#define UNUSABLE	0x10000

/* Execution, exit and entry controls plus host state, shared by every guest. */
static const struct fake_field controls_and_host[] = {
	{ VMCS_PIN_CONTROLS, PIN_BASELINE },
	{ VMCS_PROC_CONTROLS, PROC_BASELINE },
	{ VMCS_PROC_CONTROLS2, PROC2_BASELINE },
	{ VMCS_EXIT_CONTROLS, EXIT_BASELINE },
	{ VMCS_ENTRY_CONTROLS, ENTRY_BASELINE },
	{ VMCS_EXCEPTION_BITMAP, 0 },
	{ VMCS_CR3_TARGET_COUNT, 0 },
	{ VMCS_IO_BITMAP_A, 0x01000000 },
	{ VMCS_IO_BITMAP_B, 0x01001000 },
	{ VMCS_MSR_BITMAP, 0x01002000 },
	{ VMCS_EPT_POINTER, EPTP_BASELINE },
	{ VMCS_VPID, 1 },
	{ VMCS_EXIT_MSR_STORE_COUNT, 0 },
	{ VMCS_EXIT_MSR_LOAD_COUNT, 0 },
	{ VMCS_ENTRY_MSR_LOAD_COUNT, 0 },
	{ VMCS_ENTRY_INTERRUPTION_INFO, 0 },
	{ VMCS_ENTRY_EXCEPTION_ERROR_CODE, 0 },
	{ VMCS_ENTRY_INSTRUCTION_LENGTH, 0 },
	{ VMCS_LINK_POINTER, ~0ULL },
	{ VMCS_HOST_CR0, 0x80050033 },
	{ VMCS_HOST_CR3, 0x01004000 },
	{ VMCS_HOST_CR4, 0x26a0 },		/* PAE PGE OSFXSR OSXMMEXCPT VMXE */
	{ VMCS_HOST_ES_SELECTOR, 0 },
	{ VMCS_HOST_CS_SELECTOR, 0x08 },
	{ VMCS_HOST_SS_SELECTOR, 0x10 },
	{ VMCS_HOST_DS_SELECTOR, 0 },
	{ VMCS_HOST_FS_SELECTOR, 0 },
	{ VMCS_HOST_GS_SELECTOR, 0 },
	{ VMCS_HOST_TR_SELECTOR, 0x40 },
	{ VMCS_HOST_FS_BASE, 0 },
	{ VMCS_HOST_GS_BASE, 0xffffffffc0210000ULL },
	{ VMCS_HOST_TR_BASE, 0xffffffffc0208000ULL },
	{ VMCS_HOST_GDTR_BASE, 0xffffffffc0207000ULL },
	{ VMCS_HOST_IDTR_BASE, 0xffffffffc0206000ULL },
	{ VMCS_HOST_SYSENTER_CS, 0 },
	{ VMCS_HOST_SYSENTER_ESP, 0 },
	{ VMCS_HOST_SYSENTER_EIP, 0 },
	{ VMCS_HOST_RSP, 0xffffffffc0220000ULL },
	{ VMCS_HOST_RIP, 0xffffffffc0001000ULL },
	{ VMCS_HOST_PAT, PAT_DEFAULT },
	{ VMCS_HOST_EFER, 0xd01 },
};

/* A 64-bit Linux kernel as the hypervisor takes it over. */
static const struct fake_field linux_64bit_guest[] = {
	{ VMCS_GUEST_CR0, 0x80050033 },
	{ VMCS_GUEST_CR3, 0x01a0c000 },
	{ VMCS_GUEST_CR4, 0x3626f0 },	/* Linux's 0x3606f0 plus VMXE */
	{ VMCS_GUEST_DR7, 0x400 },
	{ VMCS_GUEST_DEBUGCTL, 0 },
	{ VMCS_GUEST_PAT, PAT_DEFAULT },
	{ VMCS_GUEST_EFER, 0xd01 },
	{ VMCS_GUEST_CS_SELECTOR, 0x10 },
	{ VMCS_GUEST_CS_BASE, 0 },
	{ VMCS_GUEST_CS_LIMIT, 0xffffffff },
	{ VMCS_GUEST_CS_ACCESS_RIGHTS, 0xa09b },
	{ VMCS_GUEST_SS_SELECTOR, 0x18 },
	{ VMCS_GUEST_SS_BASE, 0 },
	{ VMCS_GUEST_SS_LIMIT, 0xffffffff },
	{ VMCS_GUEST_SS_ACCESS_RIGHTS, 0xc093 },
	{ VMCS_GUEST_DS_SELECTOR, 0 },
	{ VMCS_GUEST_DS_BASE, 0 },
	{ VMCS_GUEST_DS_LIMIT, 0 },
	{ VMCS_GUEST_DS_ACCESS_RIGHTS, UNUSABLE },
	{ VMCS_GUEST_ES_SELECTOR, 0 },
	{ VMCS_GUEST_ES_BASE, 0 },
	{ VMCS_GUEST_ES_LIMIT, 0 },
	{ VMCS_GUEST_ES_ACCESS_RIGHTS, UNUSABLE },
	{ VMCS_GUEST_FS_SELECTOR, 0 },
	{ VMCS_GUEST_FS_BASE, 0x00007f3a1c2b4740ULL },
	{ VMCS_GUEST_FS_LIMIT, 0 },
	{ VMCS_GUEST_FS_ACCESS_RIGHTS, UNUSABLE },
	{ VMCS_GUEST_GS_SELECTOR, 0 },
	{ VMCS_GUEST_GS_BASE, 0xffff88807fc00000ULL },
	{ VMCS_GUEST_GS_LIMIT, 0 },
	{ VMCS_GUEST_GS_ACCESS_RIGHTS, UNUSABLE },
	{ VMCS_GUEST_LDTR_SELECTOR, 0 },
	{ VMCS_GUEST_LDTR_BASE, 0 },
	{ VMCS_GUEST_LDTR_LIMIT, 0 },
	{ VMCS_GUEST_LDTR_ACCESS_RIGHTS, UNUSABLE },
	{ VMCS_GUEST_TR_SELECTOR, 0x40 },
	{ VMCS_GUEST_TR_BASE, 0xfffffe0000003000ULL },
	{ VMCS_GUEST_TR_LIMIT, 0x4087 },
	{ VMCS_GUEST_TR_ACCESS_RIGHTS, 0x8b },
	{ VMCS_GUEST_GDTR_BASE, 0xfffffe0000001000ULL },
	{ VMCS_GUEST_GDTR_LIMIT, 0x7f },
	{ VMCS_GUEST_IDTR_BASE, 0xfffffe0000000000ULL },
	{ VMCS_GUEST_IDTR_LIMIT, 0xfff },
	{ VMCS_GUEST_RSP, 0xffffc90000003f00ULL },
	{ VMCS_GUEST_RIP, 0xffffffff81000000ULL },
	{ VMCS_GUEST_RFLAGS, 0x2 },
	{ VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, 0 },
	{ VMCS_GUEST_SYSENTER_CS, 0x10 },
	{ VMCS_GUEST_SYSENTER_ESP, 0xfffffe0000003000ULL },
	{ VMCS_GUEST_SYSENTER_EIP, 0xffffffff81a01700ULL },
	{ VMCS_GUEST_INTERRUPTIBILITY, 0 },
	{ VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE },
};

/* An application processor after SIPI: real mode through unrestricted guest, vector 0x9a. */
static const struct fake_field real_mode_guest[] = {
	{ VMCS_ENTRY_CONTROLS, ENTRY_32BIT },
	{ VMCS_GUEST_CR0, 0x30 },	/* ET NE */
	{ VMCS_GUEST_CR3, 0 },
	{ VMCS_GUEST_CR4, 0x2000 },	/* VMXE */
	{ VMCS_GUEST_DR7, 0x400 },
	{ VMCS_GUEST_DEBUGCTL, 0 },
	{ VMCS_GUEST_PAT, PAT_DEFAULT },
	{ VMCS_GUEST_EFER, 0 },
	{ VMCS_GUEST_CS_SELECTOR, 0x9a00 },
	{ VMCS_GUEST_CS_BASE, 0x9a000 },
	{ VMCS_GUEST_CS_LIMIT, 0xffff },
	{ VMCS_GUEST_CS_ACCESS_RIGHTS, 0x9b },
	{ VMCS_GUEST_SS_SELECTOR, 0 },
	{ VMCS_GUEST_SS_BASE, 0 },
	{ VMCS_GUEST_SS_LIMIT, 0xffff },
	{ VMCS_GUEST_SS_ACCESS_RIGHTS, 0x93 },
	{ VMCS_GUEST_DS_SELECTOR, 0 },
	{ VMCS_GUEST_DS_BASE, 0 },
	{ VMCS_GUEST_DS_LIMIT, 0xffff },
	{ VMCS_GUEST_DS_ACCESS_RIGHTS, 0x93 },
	{ VMCS_GUEST_ES_SELECTOR, 0 },
	{ VMCS_GUEST_ES_BASE, 0 },
	{ VMCS_GUEST_ES_LIMIT, 0xffff },
	{ VMCS_GUEST_ES_ACCESS_RIGHTS, 0x93 },
	{ VMCS_GUEST_FS_SELECTOR, 0 },
	{ VMCS_GUEST_FS_BASE, 0 },
	{ VMCS_GUEST_FS_LIMIT, 0xffff },
	{ VMCS_GUEST_FS_ACCESS_RIGHTS, 0x93 },
	{ VMCS_GUEST_GS_SELECTOR, 0 },
	{ VMCS_GUEST_GS_BASE, 0 },
	{ VMCS_GUEST_GS_LIMIT, 0xffff },
	{ VMCS_GUEST_GS_ACCESS_RIGHTS, 0x93 },
	{ VMCS_GUEST_LDTR_SELECTOR, 0 },
	{ VMCS_GUEST_LDTR_BASE, 0 },
	{ VMCS_GUEST_LDTR_LIMIT, 0 },
	{ VMCS_GUEST_LDTR_ACCESS_RIGHTS, UNUSABLE },
	{ VMCS_GUEST_TR_SELECTOR, 0 },
	{ VMCS_GUEST_TR_BASE, 0 },
	{ VMCS_GUEST_TR_LIMIT, 0xffff },
	{ VMCS_GUEST_TR_ACCESS_RIGHTS, 0x8b },
	{ VMCS_GUEST_GDTR_BASE, 0 },
	{ VMCS_GUEST_GDTR_LIMIT, 0xffff },
	{ VMCS_GUEST_IDTR_BASE, 0 },
	{ VMCS_GUEST_IDTR_LIMIT, 0xffff },
	{ VMCS_GUEST_RSP, 0 },
	{ VMCS_GUEST_RIP, 0 },
	{ VMCS_GUEST_RFLAGS, 0x2 },
	{ VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, 0 },
	{ VMCS_GUEST_SYSENTER_CS, 0 },
	{ VMCS_GUEST_SYSENTER_ESP, 0 },
	{ VMCS_GUEST_SYSENTER_EIP, 0 },
	{ VMCS_GUEST_INTERRUPTIBILITY, 0 },
	{ VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE },
};

enum baseline {
	LINUX,		/* 64-bit Linux, unrestricted guest on */
	RESTRICTED,	/* the same without unrestricted guest, so the DPL/RPL rules apply */
	REAL_MODE,	/* an AP after SIPI */
};

static struct fake_vmcs baseline(enum baseline which)
{
	struct fake_vmcs vmcs = { .count = 0 };

	SET_ALL(&vmcs, controls_and_host);
	if (which == REAL_MODE) {
		SET_ALL(&vmcs, real_mode_guest);
		return vmcs;
	}
	SET_ALL(&vmcs, linux_64bit_guest);
	if (which == RESTRICTED)
		set(&vmcs, VMCS_PROC_CONTROLS2, PROC2_BASELINE & ~PROC2_UNRESTRICTED_GUEST);
	return vmcs;
}

static const char *check(struct fake_vmcs *vmcs, const struct vmx_cpu_facts *facts)
{
	struct vmcs_source source = { fake_read, vmcs };

	return vmx_check_vmcs(&source, facts);
}

/* Prints what came back when it is not what the test expected (NULL: all checks pass). */
static int result_is(struct fake_vmcs *vmcs, const struct vmx_cpu_facts *facts,
		     const char *expected)
{
	const char *got = check(vmcs, facts);

	if ((!got && !expected) || (got && expected && strcmp(got, expected) == 0))
		return 1;
	fprintf(stderr, "  expected: %s\n  got:      %s\n", expected ? expected : "(pass)",
		got ? got : "(pass)");
	return 0;
}

#define PASSES(vmcs, facts)		CHECK(result_is(&(vmcs), &(facts), NULL))
#define FAILS(vmcs, facts, expected)	CHECK(result_is(&(vmcs), &(facts), expected))

/* ---- Baselines pass ---- */

static void linux_guest_passes_and_reads_only_set_fields(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	PASSES(vmcs, facts);
	CHECK(vmcs.unset_reads == 0);
	vmcs = baseline(RESTRICTED);
	PASSES(vmcs, facts);
}

static void linux_guest_with_null_ss_passes(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	set(&vmcs, VMCS_GUEST_SS_SELECTOR, 0);
	set(&vmcs, VMCS_GUEST_SS_LIMIT, 0);
	set(&vmcs, VMCS_GUEST_SS_ACCESS_RIGHTS, UNUSABLE);
	PASSES(vmcs, facts);
}

static void real_mode_guest_passes(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(REAL_MODE);

	PASSES(vmcs, facts);
	CHECK(vmcs.unset_reads == 0);
	/* A real-mode CS may also be a data segment (type 3) with unrestricted guest. */
	set(&vmcs, VMCS_GUEST_CS_ACCESS_RIGHTS, 0x93);
	PASSES(vmcs, facts);
}

static void waiting_for_sipi_passes(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(REAL_MODE);

	set(&vmcs, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_WAIT_FOR_SIPI);
	PASSES(vmcs, facts);
	facts.msr[VMX_MISC] &= ~(1ULL << 8);
	FAILS(vmcs, facts, "guest activity state: not one IA32_VMX_MISC bits 8:6 support "
			   "(SDM Vol. 3C, 26.3.1.5)");
}

/* What vmx_start_at_vector() writes: a usable null LDT and CR0 with CD, NW, ET and NE. */
static void startup_state_with_usable_ldt_passes(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(REAL_MODE);

	set(&vmcs, VMCS_GUEST_CR0, 0x60000030);
	set(&vmcs, VMCS_GUEST_LDTR_LIMIT, 0xffff);
	set(&vmcs, VMCS_GUEST_LDTR_ACCESS_RIGHTS, 0x82);
	PASSES(vmcs, facts);
	set(&vmcs, VMCS_GUEST_CS_SELECTOR, 0);
	set(&vmcs, VMCS_GUEST_CS_BASE, 0);
	set(&vmcs, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_WAIT_FOR_SIPI);
	PASSES(vmcs, facts);
}

static void pae_guest_with_ept_checks_pdptes(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(REAL_MODE);

	set(&vmcs, VMCS_GUEST_CR0, 0x80000031);
	set(&vmcs, VMCS_GUEST_CR4, 0x2020);
	set(&vmcs, VMCS_GUEST_PDPTE0, 0x01a0d001);
	set(&vmcs, VMCS_GUEST_PDPTE1, 0);
	set(&vmcs, VMCS_GUEST_PDPTE2, 0);
	set(&vmcs, VMCS_GUEST_PDPTE3, 0x1006);	/* not present: reserved bits do not count */
	PASSES(vmcs, facts);
	set(&vmcs, VMCS_GUEST_PDPTE1, 0x01a0e003);
	FAILS(vmcs, facts, "guest PDPTEs: reserved bits set in a present entry "
			   "(SDM Vol. 3C, 26.3.1.6)");
}

static void valid_injections_pass(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	set(&vmcs, VMCS_GUEST_RFLAGS, 0x202);
	set(&vmcs, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x30);
	PASSES(vmcs, facts);
	set(&vmcs, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x202);
	PASSES(vmcs, facts);
	set(&vmcs, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | INTERRUPTION_ERROR_CODE | 0x30e);
	set(&vmcs, VMCS_ENTRY_EXCEPTION_ERROR_CODE, 0x2);
	PASSES(vmcs, facts);
	set(&vmcs, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x603);	/* INT3 */
	set(&vmcs, VMCS_ENTRY_INSTRUCTION_LENGTH, 1);
	PASSES(vmcs, facts);
}

static void host_null_ss_passes_in_64bit_host(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	set(&vmcs, VMCS_HOST_SS_SELECTOR, 0);
	PASSES(vmcs, facts);
}

static void secondary_controls_ignored_unless_activated(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(RESTRICTED);

	set(&vmcs, VMCS_PROC_CONTROLS, PROC_BASELINE & ~PROC_SECONDARY_CONTROLS);
	set(&vmcs, VMCS_PROC_CONTROLS2, PROC2_BASELINE | PROC2_ENABLE_XSAVES);
	PASSES(vmcs, facts);
}

static void virtual_8086_guest_checks_its_segments(void)
{
	static const uint32_t access_rights[] = {
		VMCS_GUEST_CS_ACCESS_RIGHTS, VMCS_GUEST_SS_ACCESS_RIGHTS, VMCS_GUEST_DS_ACCESS_RIGHTS,
		VMCS_GUEST_ES_ACCESS_RIGHTS, VMCS_GUEST_FS_ACCESS_RIGHTS, VMCS_GUEST_GS_ACCESS_RIGHTS,
	};
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(REAL_MODE);
	unsigned int i;

	set(&vmcs, VMCS_GUEST_CR0, 0x31);
	set(&vmcs, VMCS_GUEST_RFLAGS, 0x20002);
	for (i = 0; i < sizeof(access_rights) / sizeof(access_rights[0]); i++)
		set(&vmcs, access_rights[i], 0xf3);
	PASSES(vmcs, facts);
	set(&vmcs, VMCS_GUEST_DS_BASE, 0x10);
	FAILS(vmcs, facts, "guest DS: virtual-8086 mode needs base = selector * 16, limit 0xffff, "
			   "access rights 0xf3 (SDM Vol. 3C, 26.3.1.2)");
	set(&vmcs, VMCS_GUEST_DS_BASE, 0);
	set(&vmcs, VMCS_GUEST_CR0, 0x30);
	FAILS(vmcs, facts, "guest RFLAGS: VM set in IA-32e mode or with CR0.PE clear "
			   "(SDM Vol. 3C, 26.3.1.4)");
}

static void apic_virtualization_rules(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	set(&vmcs, VMCS_PROC_CONTROLS, PROC_BASELINE | PROC_TPR_SHADOW);
	set(&vmcs, VMCS_VIRTUAL_APIC_ADDRESS, 0x01005000);
	set(&vmcs, VMCS_TPR_THRESHOLD, 0x10);
	FAILS(vmcs, facts, "TPR threshold: bits 31:4 set without virtual-interrupt delivery "
			   "(SDM Vol. 3C, 26.2.1.1)");
	set(&vmcs, VMCS_TPR_THRESHOLD, 0x2);
	set(&vmcs, VMCS_APIC_ACCESS_ADDRESS, 0x01006000);
	set(&vmcs, VMCS_PROC_CONTROLS2,
	    PROC2_BASELINE | PROC2_VIRTUALIZE_X2APIC | PROC2_VIRTUALIZE_APIC_ACCESSES);
	FAILS(vmcs, facts, "secondary processor-based controls: virtualize x2APIC mode with "
			   "virtualize APIC accesses (SDM Vol. 3C, 26.2.1.1)");
	set(&vmcs, VMCS_PROC_CONTROLS2,
	    PROC2_BASELINE | PROC2_VIRTUALIZE_X2APIC | PROC2_VIRTUAL_INTERRUPT_DELIVERY);
	FAILS(vmcs, facts, "pin-based controls: virtual-interrupt delivery without external-interrupt "
			   "exiting (SDM Vol. 3C, 26.2.1.1)");
	set(&vmcs, VMCS_PIN_CONTROLS, PIN_BASELINE | PIN_EXTERNAL_INTERRUPT_EXITING);
	PASSES(vmcs, facts);
}

static void injection_depends_on_activity_state(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);
	const char *blocked = "VM-entry interruption information: event blocked in the guest's "
			      "activity state (SDM Vol. 3C, 26.3.1.5)";

	set(&vmcs, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
	set(&vmcs, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x301);	/* #DB */
	PASSES(vmcs, facts);
	set(&vmcs, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_SHUTDOWN);
	FAILS(vmcs, facts, blocked);
	set(&vmcs, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x312);	/* #MC */
	PASSES(vmcs, facts);
	vmcs = baseline(REAL_MODE);
	set(&vmcs, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_WAIT_FOR_SIPI);
	set(&vmcs, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x202);
	FAILS(vmcs, facts, blocked);
}

static void pending_single_step_follows_tf(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	set(&vmcs, VMCS_GUEST_RFLAGS, 0x302);	/* TF IF */
	set(&vmcs, VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_STI);
	FAILS(vmcs, facts, "guest pending debug exceptions: BS disagrees with RFLAGS.TF and "
			   "IA32_DEBUGCTL.BTF (SDM Vol. 3C, 26.3.1.5)");
	set(&vmcs, VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, 1U << 14);
	PASSES(vmcs, facts);
	/* With BTF, TF means single-step on branches: nothing pending. */
	set(&vmcs, VMCS_GUEST_DEBUGCTL, 1U << 1);
	FAILS(vmcs, facts, "guest pending debug exceptions: BS disagrees with RFLAGS.TF and "
			   "IA32_DEBUGCTL.BTF (SDM Vol. 3C, 26.3.1.5)");
}

/* ---- The per-register checks, swept over every register they cover ---- */

struct named_field {
	const char *name;
	uint32_t field;
};

static int failure_is(struct fake_vmcs *vmcs, const char *format, const char *name,
		      const char *section)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	char expected[256];

	snprintf(expected, sizeof(expected), format, name, section);
	return result_is(vmcs, &facts, expected);
}

static int passes(struct fake_vmcs *vmcs)
{
	struct vmx_cpu_facts facts = bochs_haswell();

	return result_is(vmcs, &facts, NULL);
}

static void host_selectors_need_rpl_and_ti_clear(void)
{
	static const struct named_field selectors[] = {
		{ "ES", VMCS_HOST_ES_SELECTOR }, { "CS", VMCS_HOST_CS_SELECTOR },
		{ "SS", VMCS_HOST_SS_SELECTOR }, { "DS", VMCS_HOST_DS_SELECTOR },
		{ "FS", VMCS_HOST_FS_SELECTOR }, { "GS", VMCS_HOST_GS_SELECTOR },
		{ "TR", VMCS_HOST_TR_SELECTOR },
	};
	struct fake_vmcs vmcs;
	unsigned int i;

	for (i = 0; i < sizeof(selectors) / sizeof(selectors[0]); i++) {
		vmcs = baseline(LINUX);
		set(&vmcs, selectors[i].field, 0x18 | 1);
		CHECK(failure_is(&vmcs, "host %s selector: RPL or TI set (SDM Vol. 3C, %s)",
				 selectors[i].name, "26.2.3"));
		set(&vmcs, selectors[i].field, 0x18 | 4);
		CHECK(failure_is(&vmcs, "host %s selector: RPL or TI set (SDM Vol. 3C, %s)",
				 selectors[i].name, "26.2.3"));
	}
}

static void addresses_must_be_canonical(void)
{
	static const struct named_field addresses[] = {
		{ "host IA32_SYSENTER_ESP", VMCS_HOST_SYSENTER_ESP },
		{ "host IA32_SYSENTER_EIP", VMCS_HOST_SYSENTER_EIP },
		{ "host FS base", VMCS_HOST_FS_BASE }, { "host GS base", VMCS_HOST_GS_BASE },
		{ "host GDTR base", VMCS_HOST_GDTR_BASE }, { "host IDTR base", VMCS_HOST_IDTR_BASE },
		{ "host TR base", VMCS_HOST_TR_BASE }, { "host RIP", VMCS_HOST_RIP },
		{ "guest IA32_SYSENTER_ESP", VMCS_GUEST_SYSENTER_ESP },
		{ "guest IA32_SYSENTER_EIP", VMCS_GUEST_SYSENTER_EIP },
		{ "guest TR base", VMCS_GUEST_TR_BASE }, { "guest FS base", VMCS_GUEST_FS_BASE },
		{ "guest GS base", VMCS_GUEST_GS_BASE }, { "guest LDTR base", VMCS_GUEST_LDTR_BASE },
		{ "guest GDTR base", VMCS_GUEST_GDTR_BASE }, { "guest IDTR base", VMCS_GUEST_IDTR_BASE },
	};
	static const char *const sections[] = {
		"26.2.2", "26.2.2", "26.2.3", "26.2.3", "26.2.3", "26.2.3", "26.2.3", "26.2.4",
		"26.3.1.1", "26.3.1.1", "26.3.1.2", "26.3.1.2", "26.3.1.2", "26.3.1.2",
		"26.3.1.3", "26.3.1.3",
	};
	struct fake_vmcs vmcs;
	unsigned int i;

	for (i = 0; i < sizeof(addresses) / sizeof(addresses[0]); i++) {
		vmcs = baseline(LINUX);
		set(&vmcs, VMCS_GUEST_LDTR_ACCESS_RIGHTS, 0x82);	/* usable: only then is its base checked */
		set(&vmcs, addresses[i].field, 0xffff7fff00000000ULL);
		CHECK(failure_is(&vmcs, "%s: not canonical (SDM Vol. 3C, %s)", addresses[i].name,
				 sections[i]));
	}
}

/* With CR4.LA57 (on a CPU that allows it) addresses are canonical at 57 bits. */
static void five_level_paging_widens_canonical(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	facts.msr[VMX_CR4_FIXED1] |= 1ULL << 12;
	set(&vmcs, VMCS_GUEST_GS_BASE, 0xff00ffff00000000ULL);
	FAILS(vmcs, facts, "guest GS base: not canonical (SDM Vol. 3C, 26.3.1.2)");
	set(&vmcs, VMCS_GUEST_CR4, 0x3626f0 | (1ULL << 12));
	PASSES(vmcs, facts);
	set(&vmcs, VMCS_GUEST_GS_BASE, 0xfe00ffff00000000ULL);
	FAILS(vmcs, facts, "guest GS base: not canonical (SDM Vol. 3C, 26.3.1.2)");
}

static const struct data_segment {
	const char *name;
	uint32_t selector, limit, access_rights;
} data_segments[] = {
	{ "DS", VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_ACCESS_RIGHTS },
	{ "ES", VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_ACCESS_RIGHTS },
	{ "FS", VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_ACCESS_RIGHTS },
	{ "GS", VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_ACCESS_RIGHTS },
	{ "SS", VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_ACCESS_RIGHTS },
};

/* Usable real-mode data segments (access rights 0x93, limit 0xffff), one broken at a time. */
static void usable_segments_check_access_rights(void)
{
	static const char *const granularity = "guest %s limit: disagrees with G (limit bits 11:0 "
		"not all ones need G=0, bits 31:20 set need G=1) (SDM Vol. 3C, %s)";
	static const struct {
		uint32_t access_rights, limit;
		const char *format;
		bool data_only;
	} cases[] = {
		{ 0x92, 0xffff, "guest %s access rights: type not accessed (bit 0 clear) "
				"(SDM Vol. 3C, %s)", true },
		{ 0x99, 0xffff, "guest %s access rights: code segment not readable (SDM Vol. 3C, %s)",
		  true },
		{ 0x83, 0xffff, "guest %s access rights: S clear (system descriptor) (SDM Vol. 3C, %s)",
		  false },
		{ 0x13, 0xffff, "guest %s access rights: P (present) clear (SDM Vol. 3C, %s)", false },
		{ 0x493, 0xffff, "guest %s access rights: reserved bits 11:8 or 31:17 set "
				 "(SDM Vol. 3C, %s)", false },
		{ 0x80093, 0xffff, "guest %s access rights: reserved bits 11:8 or 31:17 set "
				   "(SDM Vol. 3C, %s)", false },
		{ 0x8093, 0xfffe, granularity, false },
		{ 0x0093, 0x100fff, granularity, false },
	};
	struct fake_vmcs vmcs;
	unsigned int i, j;

	for (i = 0; i < sizeof(data_segments) / sizeof(data_segments[0]); i++) {
		for (j = 0; j < sizeof(cases) / sizeof(cases[0]); j++) {
			if (cases[j].data_only && data_segments[i].access_rights == VMCS_GUEST_SS_ACCESS_RIGHTS)
				continue;
			vmcs = baseline(REAL_MODE);
			set(&vmcs, data_segments[i].access_rights, cases[j].access_rights);
			set(&vmcs, data_segments[i].limit, cases[j].limit);
			CHECK(failure_is(&vmcs, cases[j].format, data_segments[i].name, "26.3.1.2"));
		}
		/* The same access rights on an unusable register are ignored. */
		vmcs = baseline(REAL_MODE);
		set(&vmcs, data_segments[i].access_rights, UNUSABLE | 0x80f00);
		CHECK(passes(&vmcs));
	}
}

static void data_segment_dpl_at_least_rpl(void)
{
	struct fake_vmcs vmcs;
	unsigned int i;

	for (i = 0; i < 4; i++) {	/* DS, ES, FS, GS */
		vmcs = baseline(RESTRICTED);
		set(&vmcs, data_segments[i].access_rights, 0x4093);
		set(&vmcs, data_segments[i].selector, 0x2);
		CHECK(failure_is(&vmcs, "guest %s access rights: DPL below the selector's RPL "
				 "(SDM Vol. 3C, %s)", data_segments[i].name, "26.3.1.2"));
		/* Conforming code may have any DPL. */
		set(&vmcs, data_segments[i].access_rights, 0x409f);
		CHECK(passes(&vmcs));
	}
}
static void virtual_8086_segments_swept(void)
{
	static const struct {
		const char *name;
		uint32_t selector, base, limit, access_rights;
	} segments[] = {
		{ "CS", VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT,
		  VMCS_GUEST_CS_ACCESS_RIGHTS },
		{ "SS", VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT,
		  VMCS_GUEST_SS_ACCESS_RIGHTS },
		{ "DS", VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT,
		  VMCS_GUEST_DS_ACCESS_RIGHTS },
		{ "ES", VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT,
		  VMCS_GUEST_ES_ACCESS_RIGHTS },
		{ "FS", VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT,
		  VMCS_GUEST_FS_ACCESS_RIGHTS },
		{ "GS", VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT,
		  VMCS_GUEST_GS_ACCESS_RIGHTS },
	};
	const char *format = "guest %s: virtual-8086 mode needs base = selector * 16, limit 0xffff, "
			     "access rights 0xf3 (SDM Vol. 3C, %s)";
	struct fake_vmcs vmcs, v86 = baseline(REAL_MODE);
	unsigned int i;

	set(&v86, VMCS_GUEST_CR0, 0x31);
	set(&v86, VMCS_GUEST_RFLAGS, 0x20002);
	for (i = 0; i < sizeof(segments) / sizeof(segments[0]); i++) {
		set(&v86, segments[i].selector, 0x1000 + i);
		set(&v86, segments[i].base, (0x1000 + i) << 4);
		set(&v86, segments[i].access_rights, 0xf3);
	}
	CHECK(passes(&v86));
	for (i = 0; i < sizeof(segments) / sizeof(segments[0]); i++) {
		vmcs = v86;
		set(&vmcs, segments[i].base, 0x80000);
		CHECK(failure_is(&vmcs, format, segments[i].name, "26.3.1.2"));
		vmcs = v86;
		set(&vmcs, segments[i].limit, 0xfffff);
		CHECK(failure_is(&vmcs, format, segments[i].name, "26.3.1.2"));
		vmcs = v86;
		set(&vmcs, segments[i].access_rights, 0xf2);
		CHECK(failure_is(&vmcs, format, segments[i].name, "26.3.1.2"));
	}
}

static void segment_bases_need_upper_half_clear(void)
{
	static const struct named_field bases[] = {
		{ "CS", VMCS_GUEST_CS_BASE }, { "SS", VMCS_GUEST_SS_BASE },
		{ "DS", VMCS_GUEST_DS_BASE }, { "ES", VMCS_GUEST_ES_BASE },
	};
	struct fake_vmcs vmcs;
	unsigned int i;

	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		vmcs = baseline(REAL_MODE);
		set(&vmcs, bases[i].field, 0x100000000ULL);
		CHECK(failure_is(&vmcs, "guest %s base: bits 63:32 set (SDM Vol. 3C, %s)",
				 bases[i].name, "26.3.1.2"));
	}
	/* Unusable in the 64-bit baseline: the base does not matter. */
	vmcs = baseline(LINUX);
	set(&vmcs, VMCS_GUEST_ES_BASE, 0x100000000ULL);
	CHECK(passes(&vmcs));
}

/* ---- Checks that depend on the capability MSRs ---- */

static void pending_mtf_needs_monitor_trap_flag(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	facts.msr[VMX_TRUE_PROCBASED_CTLS] |= 1ULL << (32 + 27);
	set(&vmcs, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x700);
	PASSES(vmcs, facts);
	set(&vmcs, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x701);
	FAILS(vmcs, facts, "VM-entry interruption information: vector does not fit the type (NMI 2, "
			   "hardware exception 0-31, other event 0) (SDM Vol. 3C, 26.2.1.3)");
}

static void plain_controls_require_cr3_exiting(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	facts.msr[VMX_BASIC] &= ~(1ULL << 55);
	FAILS(vmcs, facts, "primary processor-based controls: a bit the capability MSR requires "
			   "is clear (SDM Vol. 3C, 26.2.1.1)");
	set(&vmcs, VMCS_PROC_CONTROLS, PROC_BASELINE | PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING);
	PASSES(vmcs, facts);
	/* The plain exit MSR also insists on "save debug controls", which TRUE_EXIT_CTLS frees. */
	set(&vmcs, VMCS_EXIT_CONTROLS, EXIT_BASELINE & ~EXIT_SAVE_DEBUG_CONTROLS);
	FAILS(vmcs, facts, "VM-exit controls: a bit the capability MSR requires is clear "
			   "(SDM Vol. 3C, 26.2.1.2)");
	facts.msr[VMX_BASIC] |= 1ULL << 55;
	PASSES(vmcs, facts);
}

static void cr3_target_count_limited_by_misc(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	set(&vmcs, VMCS_CR3_TARGET_COUNT, 4);
	PASSES(vmcs, facts);
	facts.msr[VMX_MISC] = (facts.msr[VMX_MISC] & ~(0x1ffULL << 16)) | (2ULL << 16);
	FAILS(vmcs, facts, "CR3-target count: above IA32_VMX_MISC bits 24:16 (SDM Vol. 3C, 26.2.1.1)");
}

static void ept_write_back_needs_support(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	facts.msr[VMX_EPT_VPID_CAP] &= ~(1ULL << 14);
	FAILS(vmcs, facts, "EPT pointer: memory type not UC (EPT_VPID_CAP bit 8) or WB (bit 14) "
			   "(SDM Vol. 3C, 26.2.1.1)");
	set(&vmcs, VMCS_EPT_POINTER, EPTP_BASELINE & ~7ULL);	/* UC */
	PASSES(vmcs, facts);
}

static void ept_accessed_dirty_needs_support(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	set(&vmcs, VMCS_EPT_POINTER, EPTP_BASELINE | EPTP_ACCESSED_DIRTY);
	PASSES(vmcs, facts);
	facts.msr[VMX_EPT_VPID_CAP] &= ~(1ULL << 21);
	FAILS(vmcs, facts, "EPT pointer: accessed and dirty flags without support "
			   "(EPT_VPID_CAP bit 21) (SDM Vol. 3C, 26.2.1.1)");
}

static void error_code_on_any_vector_with_basic_bit_56(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	set(&vmcs, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | INTERRUPTION_ERROR_CODE | 0x306);
	FAILS(vmcs, facts, "VM-entry interruption information: deliver-error-code set for an event "
			   "without one or with CR0.PE clear (SDM Vol. 3C, 26.2.1.3)");
	facts.msr[VMX_BASIC] |= 1ULL << 56;
	PASSES(vmcs, facts);
}

static void zero_length_injection_with_misc_bit_30(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(LINUX);

	set(&vmcs, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x480);
	FAILS(vmcs, facts, "VM-entry instruction length: not 1-15 for a software interrupt or "
			   "exception (SDM Vol. 3C, 26.2.1.3)");
	facts.msr[VMX_MISC] |= 1ULL << 30;
	PASSES(vmcs, facts);
}

/* ---- One broken field (or a broken combination) per check ---- */

struct breakage {
	const char *name;
	enum baseline base;
	unsigned int count;
	struct fake_field changes[3];
	const char *expected;
};

#define BREAK(name, base, f, v, expected) { name, base, 1, { { f, v } }, expected }
#define BREAK2(name, base, f1, v1, f2, v2, expected) \
	{ name, base, 2, { { f1, v1 }, { f2, v2 } }, expected }
#define BREAK3(name, base, f1, v1, f2, v2, f3, v3, expected) \
	{ name, base, 3, { { f1, v1 }, { f2, v2 }, { f3, v3 } }, expected }

static const struct breakage breakages[] = {
	/* VM-execution controls */
	BREAK("pin_required_bit_clear", LINUX, VMCS_PIN_CONTROLS, PIN_NMI_EXITING | PIN_VIRTUAL_NMIS,
	      "pin-based controls: a bit the capability MSR requires is clear (SDM Vol. 3C, 26.2.1.1)"),
	BREAK("pin_posted_interrupts_unsupported", LINUX, VMCS_PIN_CONTROLS, PIN_BASELINE | (1U << 7),
	      "pin-based controls: a bit the capability MSR does not allow is set "
	      "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("proc_required_bit_clear", LINUX, VMCS_PROC_CONTROLS, PROC_BASELINE & ~(1U << 26),
	      "primary processor-based controls: a bit the capability MSR requires is clear "
	      "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("proc_monitor_trap_flag_unsupported", LINUX, VMCS_PROC_CONTROLS,
	      PROC_BASELINE | PROC_MONITOR_TRAP_FLAG,
	      "primary processor-based controls: a bit the capability MSR does not allow is set "
	      "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("proc2_xsaves_unsupported", LINUX, VMCS_PROC_CONTROLS2,
	      PROC2_BASELINE | PROC2_ENABLE_XSAVES,
	      "secondary processor-based controls: a bit IA32_VMX_PROCBASED_CTLS2 does not allow is set "
	      "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("cr3_target_count_5", LINUX, VMCS_CR3_TARGET_COUNT, 5,
	      "CR3-target count: above 4 (SDM Vol. 3C, 26.2.1.1)"),
	BREAK("io_bitmap_a_unaligned", LINUX, VMCS_IO_BITMAP_A, 0x01000800,
	      "I/O bitmap A address: not 4-KByte aligned or beyond the physical-address width "
	      "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("io_bitmap_b_too_high", LINUX, VMCS_IO_BITMAP_B, 1ULL << 46,
	      "I/O bitmap B address: not 4-KByte aligned or beyond the physical-address width "
	      "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("msr_bitmap_unaligned", LINUX, VMCS_MSR_BITMAP, 0x01002010,
	      "MSR bitmap address: not 4-KByte aligned or beyond the physical-address width "
	      "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK2("virtual_apic_page_unaligned", LINUX, VMCS_PROC_CONTROLS, PROC_BASELINE | PROC_TPR_SHADOW,
	       VMCS_VIRTUAL_APIC_ADDRESS, 0x01005008,
	       "virtual-APIC address: not 4-KByte aligned or beyond the physical-address width "
	       "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("x2apic_without_tpr_shadow", LINUX, VMCS_PROC_CONTROLS2,
	      PROC2_BASELINE | PROC2_VIRTUALIZE_X2APIC,
	      "secondary processor-based controls: x2APIC, APIC-register or interrupt virtualization "
	      "without use TPR shadow (SDM Vol. 3C, 26.2.1.1)"),
	BREAK("virtual_nmis_without_nmi_exiting", LINUX, VMCS_PIN_CONTROLS, 0x16 | PIN_VIRTUAL_NMIS,
	      "pin-based controls: virtual NMIs without NMI exiting (SDM Vol. 3C, 26.2.1.1)"),
	BREAK2("nmi_window_without_virtual_nmis", LINUX, VMCS_PIN_CONTROLS, 0x16 | PIN_NMI_EXITING,
	       VMCS_PROC_CONTROLS, PROC_BASELINE | PROC_NMI_WINDOW_EXITING,
	       "primary processor-based controls: NMI-window exiting without virtual NMIs "
	       "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK2("apic_access_page_too_high", LINUX, VMCS_PROC_CONTROLS2,
	       PROC2_BASELINE | PROC2_VIRTUALIZE_APIC_ACCESSES, VMCS_APIC_ACCESS_ADDRESS, 1ULL << 50,
	       "APIC-access address: not 4-KByte aligned or beyond the physical-address width "
	       "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("vpid_zero", LINUX, VMCS_VPID, 0, "VPID: 0 with enable VPID (SDM Vol. 3C, 26.2.1.1)"),
	BREAK("ept_memory_type_wp", LINUX, VMCS_EPT_POINTER, (EPTP_BASELINE & ~7ULL) | 5,
	      "EPT pointer: memory type not UC (EPT_VPID_CAP bit 8) or WB (bit 14) "
	      "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("ept_five_levels_unsupported", LINUX, VMCS_EPT_POINTER,
	      0x01003000 | EPTP_MEMORY_TYPE_WB | (4ULL << 3),
	      "EPT pointer: page-walk length not supported (bits 5:3 must be 3 for 4 levels) "
	      "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("ept_reserved_bit_7", LINUX, VMCS_EPT_POINTER, EPTP_BASELINE | (1ULL << 7),
	      "EPT pointer: reserved bits 11:7 or bits beyond the physical-address width set "
	      "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("ept_too_high", LINUX, VMCS_EPT_POINTER, EPTP_BASELINE | (1ULL << 47),
	      "EPT pointer: reserved bits 11:7 or bits beyond the physical-address width set "
	      "(SDM Vol. 3C, 26.2.1.1)"),
	BREAK("unrestricted_guest_without_ept", LINUX, VMCS_PROC_CONTROLS2,
	      PROC2_BASELINE & ~PROC2_ENABLE_EPT,
	      "secondary processor-based controls: unrestricted guest without enable EPT "
	      "(SDM Vol. 3C, 26.2.1.1)"),

	/* VM-exit controls */
	BREAK("exit_required_bit_clear", LINUX, VMCS_EXIT_CONTROLS, EXIT_BASELINE & ~1U,
	      "VM-exit controls: a bit the capability MSR requires is clear (SDM Vol. 3C, 26.2.1.2)"),
	BREAK("exit_unsupported_bit", LINUX, VMCS_EXIT_CONTROLS, EXIT_BASELINE | (1U << 23),
	      "VM-exit controls: a bit the capability MSR does not allow is set (SDM Vol. 3C, 26.2.1.2)"),
	BREAK("save_preemption_timer_without_timer", LINUX, VMCS_EXIT_CONTROLS,
	      EXIT_BASELINE | EXIT_SAVE_PREEMPTION_TIMER,
	      "VM-exit controls: save VMX-preemption-timer value without activate VMX-preemption timer "
	      "(SDM Vol. 3C, 26.2.1.2)"),
	BREAK2("exit_msr_store_unaligned", LINUX, VMCS_EXIT_MSR_STORE_COUNT, 1,
	       VMCS_EXIT_MSR_STORE_ADDRESS, 0x01005008,
	       "VM-exit MSR-store address: not 16-byte aligned or the list goes beyond the "
	       "physical-address width (SDM Vol. 3C, 26.2.1.2)"),
	BREAK2("exit_msr_load_runs_off_the_top", LINUX, VMCS_EXIT_MSR_LOAD_COUNT, 2,
	       VMCS_EXIT_MSR_LOAD_ADDRESS, (1ULL << 46) - 16,
	       "VM-exit MSR-load address: not 16-byte aligned or the list goes beyond the "
	       "physical-address width (SDM Vol. 3C, 26.2.1.2)"),

	BREAK2("exit_msr_store_count_above_512", LINUX, VMCS_EXIT_MSR_STORE_COUNT, 513,
	       VMCS_EXIT_MSR_STORE_ADDRESS, 0x01010000,
	       "VM-exit MSR-store count: above the maximum of IA32_VMX_MISC bits 27:25 "
	       "(SDM Vol. 3D, A.6)"),
	BREAK2("exit_msr_load_count_above_512", LINUX, VMCS_EXIT_MSR_LOAD_COUNT, 600,
	       VMCS_EXIT_MSR_LOAD_ADDRESS, 0x01010000,
	       "VM-exit MSR-load count: above the maximum of IA32_VMX_MISC bits 27:25 "
	       "(SDM Vol. 3D, A.6)"),
	BREAK2("entry_msr_load_unaligned", LINUX, VMCS_ENTRY_MSR_LOAD_COUNT, 1,
	       VMCS_ENTRY_MSR_LOAD_ADDRESS, 0x01010004,
	       "VM-entry MSR-load address: not 16-byte aligned or the list goes beyond the "
	       "physical-address width (SDM Vol. 3C, 26.2.1.2)"),

	/* VM-entry controls and event injection */
	BREAK("entry_required_bit_clear", LINUX, VMCS_ENTRY_CONTROLS, ENTRY_BASELINE & ~1U,
	      "VM-entry controls: a bit the capability MSR requires is clear (SDM Vol. 3C, 26.2.1.3)"),
	BREAK("entry_unsupported_bit", LINUX, VMCS_ENTRY_CONTROLS, ENTRY_BASELINE | (1U << 16),
	      "VM-entry controls: a bit the capability MSR does not allow is set (SDM Vol. 3C, 26.2.1.3)"),
	BREAK("inject_reserved_type_1", LINUX, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x100,
	      "VM-entry interruption information: reserved type (1, or 7 without monitor trap flag) "
	      "(SDM Vol. 3C, 26.2.1.3)"),
	BREAK("inject_other_event_without_mtf", LINUX, VMCS_ENTRY_INTERRUPTION_INFO,
	      INTERRUPTION_VALID | 0x700,
	      "VM-entry interruption information: reserved type (1, or 7 without monitor trap flag) "
	      "(SDM Vol. 3C, 26.2.1.3)"),
	BREAK("inject_nmi_vector_3", LINUX, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x203,
	      "VM-entry interruption information: vector does not fit the type (NMI 2, hardware "
	      "exception 0-31, other event 0) (SDM Vol. 3C, 26.2.1.3)"),
	BREAK("inject_hardware_exception_32", LINUX, VMCS_ENTRY_INTERRUPTION_INFO,
	      INTERRUPTION_VALID | 0x320,
	      "VM-entry interruption information: vector does not fit the type (NMI 2, hardware "
	      "exception 0-31, other event 0) (SDM Vol. 3C, 26.2.1.3)"),
	BREAK("inject_gp_without_error_code", LINUX, VMCS_ENTRY_INTERRUPTION_INFO,
	      INTERRUPTION_VALID | 0x30d,
	      "VM-entry interruption information: deliver-error-code clear for an exception that has "
	      "one (SDM Vol. 3C, 26.2.1.3)"),
	BREAK("inject_gp_with_error_code_in_real_mode", REAL_MODE, VMCS_ENTRY_INTERRUPTION_INFO,
	      INTERRUPTION_VALID | INTERRUPTION_ERROR_CODE | 0x30d,
	      "VM-entry interruption information: deliver-error-code set for an event without one or "
	      "with CR0.PE clear (SDM Vol. 3C, 26.2.1.3)"),
	BREAK("inject_reserved_bit_12", LINUX, VMCS_ENTRY_INTERRUPTION_INFO,
	      INTERRUPTION_VALID | (1U << 12) | 0x30,
	      "VM-entry interruption information: reserved bits 30:12 set (SDM Vol. 3C, 26.2.1.3)"),
	BREAK2("inject_error_code_too_wide", LINUX, VMCS_ENTRY_INTERRUPTION_INFO,
	       INTERRUPTION_VALID | INTERRUPTION_ERROR_CODE | 0x30d,
	       VMCS_ENTRY_EXCEPTION_ERROR_CODE, 0x10000,
	       "VM-entry exception error code: bits 31:16 set (SDM Vol. 3C, 26.2.1.3)"),
	BREAK2("inject_software_interrupt_length_16", LINUX, VMCS_ENTRY_INTERRUPTION_INFO,
	       INTERRUPTION_VALID | 0x480, VMCS_ENTRY_INSTRUCTION_LENGTH, 16,
	       "VM-entry instruction length: not 1-15 for a software interrupt or exception "
	       "(SDM Vol. 3C, 26.2.1.3)"),
	BREAK2("entry_msr_load_count_above_512", LINUX, VMCS_ENTRY_MSR_LOAD_COUNT, 513,
	       VMCS_ENTRY_MSR_LOAD_ADDRESS, 0x01010000,
	       "VM-entry MSR-load count: above the maximum of IA32_VMX_MISC bits 27:25 "
	       "(SDM Vol. 3D, A.6)"),
	BREAK("entry_to_smm", LINUX, VMCS_ENTRY_CONTROLS, ENTRY_BASELINE | ENTRY_TO_SMM,
	      "VM-entry controls: entry to SMM or deactivate dual-monitor treatment outside SMM "
	      "(SDM Vol. 3C, 26.2.1.3)"),

	/* Host state */
	BREAK("host_cr0_without_ne", LINUX, VMCS_HOST_CR0, 0x80050013,
	      "host CR0: a bit outside IA32_VMX_CR0_FIXED0/FIXED1 (SDM Vol. 3C, 26.2.2)"),
	BREAK("host_cr4_without_vmxe", LINUX, VMCS_HOST_CR4, 0x06a0,
	      "host CR4: a bit outside IA32_VMX_CR4_FIXED0/FIXED1 (SDM Vol. 3C, 26.2.2)"),
	BREAK("host_cr4_with_la57_unsupported", LINUX, VMCS_HOST_CR4, 0x36a0,
	      "host CR4: a bit outside IA32_VMX_CR4_FIXED0/FIXED1 (SDM Vol. 3C, 26.2.2)"),
	BREAK("host_cr3_too_high", LINUX, VMCS_HOST_CR3, 0x01004000 | (1ULL << 46),
	      "host CR3: bits beyond the physical-address width set (SDM Vol. 3C, 26.2.2)"),
	BREAK("host_sysenter_eip_not_canonical", LINUX, VMCS_HOST_SYSENTER_EIP, 1ULL << 47,
	      "host IA32_SYSENTER_EIP: not canonical (SDM Vol. 3C, 26.2.2)"),
	BREAK("host_pat_type_2", LINUX, VMCS_HOST_PAT, 0x0007040600070402ULL,
	      "host IA32_PAT: a byte is not a memory type (0, 1, 4, 5, 6, 7) (SDM Vol. 3C, 26.2.2)"),
	BREAK("host_efer_reserved_bit", LINUX, VMCS_HOST_EFER, 0xd03,
	      "host IA32_EFER: reserved bits set (SDM Vol. 3C, 26.2.2)"),
	BREAK("host_efer_without_lma", LINUX, VMCS_HOST_EFER, 0x901,
	      "host IA32_EFER: LMA or LME differs from host address-space size (SDM Vol. 3C, 26.2.2)"),
	BREAK("host_cs_rpl", LINUX, VMCS_HOST_CS_SELECTOR, 0x0b,
	      "host CS selector: RPL or TI set (SDM Vol. 3C, 26.2.3)"),
	BREAK("host_tr_ti", LINUX, VMCS_HOST_TR_SELECTOR, 0x44,
	      "host TR selector: RPL or TI set (SDM Vol. 3C, 26.2.3)"),
	BREAK("host_cs_null", LINUX, VMCS_HOST_CS_SELECTOR, 0,
	      "host CS selector: 0 (SDM Vol. 3C, 26.2.3)"),
	BREAK("host_tr_null", LINUX, VMCS_HOST_TR_SELECTOR, 0,
	      "host TR selector: 0 (SDM Vol. 3C, 26.2.3)"),
	BREAK3("host_ss_null_for_32bit_host", LINUX, VMCS_EXIT_CONTROLS,
	       EXIT_BASELINE & ~(EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_LOAD_EFER),
	       VMCS_HOST_SS_SELECTOR, 0, VMCS_HOST_CR4, 0x26a0,
	       "host SS selector: 0 without host address-space size (SDM Vol. 3C, 26.2.3)"),
	BREAK("host_gs_base_not_canonical", LINUX, VMCS_HOST_GS_BASE, 0xfff0000000000000ULL,
	      "host GS base: not canonical (SDM Vol. 3C, 26.2.3)"),
	BREAK("host_idtr_base_not_canonical", LINUX, VMCS_HOST_IDTR_BASE, 0x0000800000000000ULL,
	      "host IDTR base: not canonical (SDM Vol. 3C, 26.2.3)"),
	BREAK("host_32bit_with_efer_loading", LINUX, VMCS_EXIT_CONTROLS,
	      EXIT_BASELINE & ~EXIT_HOST_ADDRESS_SPACE_SIZE,
	      "host IA32_EFER: LMA or LME differs from host address-space size (SDM Vol. 3C, 26.2.2)"),
	BREAK("host_32bit", LINUX, VMCS_EXIT_CONTROLS,
	      EXIT_BASELINE & ~(EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_LOAD_EFER),
	      "VM-exit controls: host address-space size clear for a 64-bit hypervisor "
	      "(SDM Vol. 3C, 26.2.4)"),
	BREAK("host_cr4_without_pae", LINUX, VMCS_HOST_CR4, 0x2680,
	      "host CR4: PAE clear with host address-space size (SDM Vol. 3C, 26.2.4)"),
	BREAK("host_rip_not_canonical", LINUX, VMCS_HOST_RIP, 0x0000fffff0001000ULL,
	      "host RIP: not canonical (SDM Vol. 3C, 26.2.4)"),

	/* Guest control registers and MSRs */
	BREAK("guest_cr0_without_ne", LINUX, VMCS_GUEST_CR0, 0x80050013,
	      "guest CR0: a bit outside IA32_VMX_CR0_FIXED0/FIXED1 (PE and PG free with unrestricted "
	      "guest) (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_cr0_pe_clear_without_unrestricted_guest", RESTRICTED, VMCS_GUEST_CR0, 0x00050032,
	      "guest CR0: a bit outside IA32_VMX_CR0_FIXED0/FIXED1 (PE and PG free with unrestricted "
	      "guest) (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_cr0_pg_without_pe", LINUX, VMCS_GUEST_CR0, 0x80050032,
	      "guest CR0: PG set without PE (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_cr4_without_vmxe", LINUX, VMCS_GUEST_CR4, 0x3606f0,
	      "guest CR4: a bit outside IA32_VMX_CR4_FIXED0/FIXED1 (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_debugctl_reserved_bit", LINUX, VMCS_GUEST_DEBUGCTL, 1U << 2,
	      "guest IA32_DEBUGCTL: reserved bits set (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_ia32e_without_pae", LINUX, VMCS_GUEST_CR4, 0x3626d0,
	      "guest CR0/CR4: IA-32e mode guest without CR0.PG and CR4.PAE (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_pcide_in_real_mode", REAL_MODE, VMCS_GUEST_CR4, 0x22000,
	      "guest CR4: PCIDE set without IA-32e mode guest (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_cr3_too_high", LINUX, VMCS_GUEST_CR3, 0x01a0c000 | (1ULL << 52),
	      "guest CR3: bits beyond the physical-address width set (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_dr7_high_bits", LINUX, VMCS_GUEST_DR7, 0x100000400ULL,
	      "guest DR7: bits 63:32 set (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_sysenter_esp_not_canonical", LINUX, VMCS_GUEST_SYSENTER_ESP,
	      0xfffe7e0000003000ULL,
	      "guest IA32_SYSENTER_ESP: not canonical (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_pat_type_8", LINUX, VMCS_GUEST_PAT, 0x0807040600070406ULL,
	      "guest IA32_PAT: a byte is not a memory type (0, 1, 4, 5, 6, 7) (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_efer_reserved_bit", LINUX, VMCS_GUEST_EFER, 0xd01 | (1U << 12),
	      "guest IA32_EFER: reserved bits set (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_efer_lma_clear_in_ia32e_mode", LINUX, VMCS_GUEST_EFER, 0x901,
	      "guest IA32_EFER: LMA differs from IA-32e mode guest (SDM Vol. 3C, 26.3.1.1)"),
	BREAK("guest_efer_lme_clear_with_paging", LINUX, VMCS_GUEST_EFER, 0xc01,
	      "guest IA32_EFER: LME differs from LMA with CR0.PG set (SDM Vol. 3C, 26.3.1.1)"),

	/* Guest segment registers */
	BREAK("guest_virtual_8086_in_ia32e_mode", LINUX, VMCS_GUEST_RFLAGS, 0x20002,
	      "guest RFLAGS: VM set in IA-32e mode or with CR0.PE clear (SDM Vol. 3C, 26.3.1.4)"),
	BREAK("guest_tr_ti", LINUX, VMCS_GUEST_TR_SELECTOR, 0x44,
	      "guest TR selector: TI set (SDM Vol. 3C, 26.3.1.2)"),
	BREAK2("guest_ldtr_ti", LINUX, VMCS_GUEST_LDTR_ACCESS_RIGHTS, 0x82,
	       VMCS_GUEST_LDTR_SELECTOR, 0x0c,
	       "guest LDTR selector: TI set in a usable LDTR (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_ss_rpl_differs_from_cs", RESTRICTED, VMCS_GUEST_SS_SELECTOR, 0x1b,
	      "guest SS selector: RPL differs from CS RPL (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_tr_base_not_canonical", LINUX, VMCS_GUEST_TR_BASE, 0x0000fe0000003000ULL,
	      "guest TR base: not canonical (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_unusable_fs_base_not_canonical", LINUX, VMCS_GUEST_FS_BASE, 1ULL << 63,
	      "guest FS base: not canonical (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_cs_base_high_bits", LINUX, VMCS_GUEST_CS_BASE, 1ULL << 32,
	      "guest CS base: bits 63:32 set (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_ss_base_high_bits", LINUX, VMCS_GUEST_SS_BASE, 1ULL << 32,
	      "guest SS base: bits 63:32 set (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_real_mode_ds_base_high_bits", REAL_MODE, VMCS_GUEST_DS_BASE, 1ULL << 40,
	      "guest DS base: bits 63:32 set (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_cs_type_3_without_unrestricted_guest", RESTRICTED,
	      VMCS_GUEST_CS_ACCESS_RIGHTS, 0xa093,
	      "guest CS access rights: type not 9, 11, 13, 15 (or 3 with unrestricted guest) "
	      "(SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_cs_system_descriptor", LINUX, VMCS_GUEST_CS_ACCESS_RIGHTS, 0xa08b,
	      "guest CS access rights: S clear (system descriptor) (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_cs_dpl_differs_from_ss", LINUX, VMCS_GUEST_CS_ACCESS_RIGHTS, 0xa0bb,
	      "guest CS access rights: DPL wrong for its type (type 3: 0, 9/11: SS DPL, 13/15: <= SS "
	      "DPL) (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_cs_not_present", LINUX, VMCS_GUEST_CS_ACCESS_RIGHTS, 0xa01b,
	      "guest CS access rights: P (present) clear (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_cs_reserved_bit_8", LINUX, VMCS_GUEST_CS_ACCESS_RIGHTS, 0xa19b,
	      "guest CS access rights: reserved bits 11:8 or 31:17 set (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_cs_page_granular_limit_not_all_ones", LINUX, VMCS_GUEST_CS_LIMIT, 0xfffff000,
	      "guest CS limit: disagrees with G (limit bits 11:0 not all ones need G=0, bits 31:20 "
	      "set need G=1) (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_cs_long_and_default_32", LINUX, VMCS_GUEST_CS_ACCESS_RIGHTS, 0xe09b,
	      "guest CS access rights: L and D/B both set in IA-32e mode (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_ss_code_type", LINUX, VMCS_GUEST_SS_ACCESS_RIGHTS, 0xc09b,
	      "guest SS access rights: type not 3 or 7 (SDM Vol. 3C, 26.3.1.2)"),
	BREAK2("guest_ss_dpl_differs_from_rpl", RESTRICTED, VMCS_GUEST_CS_ACCESS_RIGHTS, 0xa0fb,
	       VMCS_GUEST_SS_ACCESS_RIGHTS, 0xc0f3,
	       "guest SS access rights: DPL differs from the selector's RPL (SDM Vol. 3C, 26.3.1.2)"),
	BREAK2("guest_real_mode_ss_dpl_3", REAL_MODE, VMCS_GUEST_CS_ACCESS_RIGHTS, 0x93,
	       VMCS_GUEST_SS_ACCESS_RIGHTS, 0xf3,
	       "guest SS access rights: DPL not 0 with CR0.PE clear or CS type 3 "
	       "(SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_ss_byte_granular_limit_above_1m", LINUX, VMCS_GUEST_SS_ACCESS_RIGHTS, 0x4093,
	      "guest SS limit: disagrees with G (limit bits 11:0 not all ones need G=0, bits 31:20 "
	      "set need G=1) (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_ds_not_accessed", REAL_MODE, VMCS_GUEST_DS_ACCESS_RIGHTS, 0x92,
	      "guest DS access rights: type not accessed (bit 0 clear) (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_es_execute_only_code", REAL_MODE, VMCS_GUEST_ES_ACCESS_RIGHTS, 0x99,
	      "guest ES access rights: code segment not readable (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_fs_system_descriptor", REAL_MODE, VMCS_GUEST_FS_ACCESS_RIGHTS, 0x83,
	      "guest FS access rights: S clear (system descriptor) (SDM Vol. 3C, 26.3.1.2)"),
	BREAK2("guest_gs_dpl_below_rpl", RESTRICTED, VMCS_GUEST_GS_SELECTOR, 0x3,
	       VMCS_GUEST_GS_ACCESS_RIGHTS, 0x4093,
	       "guest GS access rights: DPL below the selector's RPL (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_ds_not_present", REAL_MODE, VMCS_GUEST_DS_ACCESS_RIGHTS, 0x13,
	      "guest DS access rights: P (present) clear (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_tr_16bit_tss_in_ia32e_mode", LINUX, VMCS_GUEST_TR_ACCESS_RIGHTS, 0x83,
	      "guest TR access rights: type not 11 (busy TSS), or 3 outside IA-32e mode "
	      "(SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_tr_code_descriptor", LINUX, VMCS_GUEST_TR_ACCESS_RIGHTS, 0x9b,
	      "guest TR access rights: S set (not a system descriptor) (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_tr_page_granular", LINUX, VMCS_GUEST_TR_ACCESS_RIGHTS, 0x808b,
	      "guest TR limit: disagrees with G (limit bits 11:0 not all ones need G=0, bits 31:20 "
	      "set need G=1) (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_tr_unusable", LINUX, VMCS_GUEST_TR_ACCESS_RIGHTS, UNUSABLE | 0x8b,
	      "guest TR access rights: unusable (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_tr_not_present", LINUX, VMCS_GUEST_TR_ACCESS_RIGHTS, 0x0b,
	      "guest TR access rights: P (present) clear (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_tr_reserved_bit_17", LINUX, VMCS_GUEST_TR_ACCESS_RIGHTS, 0x2008b,
	      "guest TR access rights: reserved bits 11:8 or 31:17 set (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_ldtr_tss_type", LINUX, VMCS_GUEST_LDTR_ACCESS_RIGHTS, 0x8b,
	      "guest LDTR access rights: type not 2 (LDT) (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_ldtr_not_present", LINUX, VMCS_GUEST_LDTR_ACCESS_RIGHTS, 0x02,
	      "guest LDTR access rights: P (present) clear (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_ldtr_code_descriptor", LINUX, VMCS_GUEST_LDTR_ACCESS_RIGHTS, 0x92,
	      "guest LDTR access rights: S set (not a system descriptor) (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_ldtr_reserved_bit_11", LINUX, VMCS_GUEST_LDTR_ACCESS_RIGHTS, 0x882,
	      "guest LDTR access rights: reserved bits 11:8 or 31:17 set (SDM Vol. 3C, 26.3.1.2)"),
	BREAK("guest_ldtr_page_granular", LINUX, VMCS_GUEST_LDTR_ACCESS_RIGHTS, 0x8082,
	      "guest LDTR limit: disagrees with G (limit bits 11:0 not all ones need G=0, bits 31:20 "
	      "set need G=1) (SDM Vol. 3C, 26.3.1.2)"),

	/* Guest descriptor tables, RIP and RFLAGS */
	BREAK("guest_idtr_base_not_canonical", LINUX, VMCS_GUEST_IDTR_BASE, 0x0000fe0000000000ULL,
	      "guest IDTR base: not canonical (SDM Vol. 3C, 26.3.1.3)"),
	BREAK("guest_idtr_limit_above_64k", LINUX, VMCS_GUEST_IDTR_LIMIT, 0x1ffff,
	      "guest IDTR limit: above 0xffff (SDM Vol. 3C, 26.3.1.3)"),
	BREAK("guest_gdtr_limit_above_64k", LINUX, VMCS_GUEST_GDTR_LIMIT, 0x10000,
	      "guest GDTR limit: above 0xffff (SDM Vol. 3C, 26.3.1.3)"),
	BREAK("guest_real_mode_rip_high_bits", REAL_MODE, VMCS_GUEST_RIP, 1ULL << 32,
	      "guest RIP: bits 63:32 set outside 64-bit mode (IA-32e mode guest and CS.L) "
	      "(SDM Vol. 3C, 26.3.1.4)"),
	BREAK("guest_rip_not_canonical", LINUX, VMCS_GUEST_RIP, 0x0000800000000000ULL,
	      "guest RIP: not canonical in 64-bit mode (SDM Vol. 3C, 26.3.1.4)"),
	BREAK("guest_rflags_bit_1_clear", LINUX, VMCS_GUEST_RFLAGS, 0,
	      "guest RFLAGS: reserved bits 63:22, 15, 5 or 3 set, or bit 1 clear "
	      "(SDM Vol. 3C, 26.3.1.4)"),
	BREAK("guest_rflags_reserved_bit_22", LINUX, VMCS_GUEST_RFLAGS, 0x400002,
	      "guest RFLAGS: reserved bits 63:22, 15, 5 or 3 set, or bit 1 clear "
	      "(SDM Vol. 3C, 26.3.1.4)"),
	BREAK("guest_external_interrupt_with_if_clear", LINUX, VMCS_ENTRY_INTERRUPTION_INFO,
	      INTERRUPTION_VALID | 0x30,
	      "guest RFLAGS: IF clear while injecting an external interrupt (SDM Vol. 3C, 26.3.1.4)"),

	/* Guest non-register state */
	BREAK("guest_activity_state_4", LINUX, VMCS_GUEST_ACTIVITY_STATE, 4,
	      "guest activity state: not one IA32_VMX_MISC bits 8:6 support (SDM Vol. 3C, 26.3.1.5)"),
	BREAK3("guest_hlt_at_dpl_3", LINUX, VMCS_GUEST_CS_ACCESS_RIGHTS, 0xa09f,
	       VMCS_GUEST_SS_ACCESS_RIGHTS, 0xc0f3, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT,
	       "guest activity state: HLT with SS DPL not 0 (SDM Vol. 3C, 26.3.1.5)"),
	BREAK2("guest_hlt_in_mov_ss_shadow", LINUX, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT,
	       VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_MOV_SS,
	       "guest activity state: not active with blocking by STI or MOV SS "
	       "(SDM Vol. 3C, 26.3.1.5)"),
	BREAK2("guest_hlt_with_injected_ud", LINUX, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT,
	       VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x306,
	       "VM-entry interruption information: event blocked in the guest's activity state "
	       "(SDM Vol. 3C, 26.3.1.5)"),
	BREAK("guest_interruptibility_reserved_bit", LINUX, VMCS_GUEST_INTERRUPTIBILITY, 1U << 5,
	      "guest interruptibility state: reserved bits 31:5 set (SDM Vol. 3C, 26.3.1.5)"),
	BREAK("guest_sti_and_mov_ss", LINUX, VMCS_GUEST_INTERRUPTIBILITY,
	      INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS,
	      "guest interruptibility state: blocking by STI and by MOV SS (SDM Vol. 3C, 26.3.1.5)"),
	BREAK("guest_sti_with_if_clear", LINUX, VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_STI,
	      "guest interruptibility state: blocking by STI with RFLAGS.IF clear "
	      "(SDM Vol. 3C, 26.3.1.5)"),
	BREAK3("guest_interrupt_in_mov_ss_shadow", LINUX, VMCS_GUEST_RFLAGS, 0x202,
	       VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_MOV_SS,
	       VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x30,
	       "guest interruptibility state: blocking by STI or MOV SS while injecting an external "
	       "interrupt (SDM Vol. 3C, 26.3.1.5)"),
	BREAK2("guest_nmi_in_mov_ss_shadow", LINUX, VMCS_GUEST_INTERRUPTIBILITY,
	       INTERRUPTIBILITY_MOV_SS, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x202,
	       "guest interruptibility state: blocking by MOV SS while injecting an NMI "
	       "(SDM Vol. 3C, 26.3.1.5)"),
	BREAK("guest_smi_blocking", LINUX, VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_SMI,
	      "guest interruptibility state: blocking by SMI outside SMM (SDM Vol. 3C, 26.3.1.5)"),
	BREAK2("guest_virtual_nmi_while_nmi_blocked", LINUX, VMCS_GUEST_INTERRUPTIBILITY,
	       INTERRUPTIBILITY_NMI, VMCS_ENTRY_INTERRUPTION_INFO, INTERRUPTION_VALID | 0x202,
	       "guest interruptibility state: blocking by NMI while injecting an NMI with virtual "
	       "NMIs (SDM Vol. 3C, 26.3.1.5)"),
	BREAK("guest_pending_debug_reserved_bit", LINUX, VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, 1U << 4,
	      "guest pending debug exceptions: reserved bits set (SDM Vol. 3C, 26.3.1.5)"),
	BREAK2("guest_halted_single_step_without_tf", LINUX, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT,
	       VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, 1U << 14,
	       "guest pending debug exceptions: BS disagrees with RFLAGS.TF and IA32_DEBUGCTL.BTF "
	       "(SDM Vol. 3C, 26.3.1.5)"),
	BREAK("vmcs_link_pointer_zero", LINUX, VMCS_LINK_POINTER, 0,
	      "VMCS link pointer: not all ones (Bulkhead uses no VMCS shadowing) "
	      "(SDM Vol. 3C, 26.3.1.5)"),
};

#define BREAKAGE_COUNT (sizeof(breakages) / sizeof(breakages[0]))

static const struct breakage *current_breakage;

static void run_breakage(void)
{
	const struct breakage *breakage = current_breakage;
	struct vmx_cpu_facts facts = bochs_haswell();
	struct fake_vmcs vmcs = baseline(breakage->base);
	unsigned int i;

	for (i = 0; i < breakage->count; i++)
		set(&vmcs, breakage->changes[i].field, breakage->changes[i].value);
	FAILS(vmcs, facts, breakage->expected);
}

int main(void)
{
	unsigned int i;

	RUN(linux_guest_passes_and_reads_only_set_fields);
	RUN(linux_guest_with_null_ss_passes);
	RUN(real_mode_guest_passes);
	RUN(waiting_for_sipi_passes);
	RUN(startup_state_with_usable_ldt_passes);
	RUN(pae_guest_with_ept_checks_pdptes);
	RUN(valid_injections_pass);
	RUN(host_null_ss_passes_in_64bit_host);
	RUN(secondary_controls_ignored_unless_activated);
	RUN(virtual_8086_guest_checks_its_segments);
	RUN(apic_virtualization_rules);
	RUN(injection_depends_on_activity_state);
	RUN(pending_single_step_follows_tf);
	RUN(pending_mtf_needs_monitor_trap_flag);
	RUN(host_selectors_need_rpl_and_ti_clear);
	RUN(addresses_must_be_canonical);
	RUN(five_level_paging_widens_canonical);
	RUN(usable_segments_check_access_rights);
	RUN(data_segment_dpl_at_least_rpl);
	RUN(virtual_8086_segments_swept);
	RUN(segment_bases_need_upper_half_clear);
	RUN(plain_controls_require_cr3_exiting);
	RUN(cr3_target_count_limited_by_misc);
	RUN(ept_write_back_needs_support);
	RUN(ept_accessed_dirty_needs_support);
	RUN(error_code_on_any_vector_with_basic_bit_56);
	RUN(zero_length_injection_with_misc_bit_30);
	for (i = 0; i < BREAKAGE_COUNT; i++) {
		current_breakage = &breakages[i];
		unit_run(breakages[i].name, run_breakage);
	}
	return unit_report("vmx-check");
}
