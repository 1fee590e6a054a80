// SPDX-License-Identifier: GPL-2.0
/* Host tests of the real VM-exit handlers (exits.c, vmcs-setup.c) against the SDM's rules. */
#include "exits-machine.h"

/* ---- The recorded guests themselves pass the VM-entry checks ---- */

static void the_recorded_guests_are_valid(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(!test_entry_problem() && test_vmcs_bad_writes == 0 && test_raw_msr_faults == 0);
	CHECK(test_vmcs[VMCS_GUEST_EFER] == TEST_LINUX_EFER &&
	      test_vmcs[VMCS_GUEST_CR0] == TEST_LINUX_CR0 &&
	      (test_vmcs[VMCS_ENTRY_CONTROLS] & ENTRY_IA32E_MODE_GUEST));
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(!test_entry_problem() && test_vmcs_bad_writes == 0 && test_raw_msr_faults == 0);
	CHECK(test_vmcs[VMCS_GUEST_CS_BASE] == (TEST_CELL_RESET & ~0xffffULL) &&
	      test_vmcs[VMCS_GUEST_RIP] == (TEST_CELL_RESET & 0xffff));
	boot_protected_inmate();
	CHECK(test_vmcs_bad_writes == 0 && test_raw_msr_faults == 0);
}

/* ---- Events follow the guest's mode (SDM Vol. 3C, 26.2.1.3) ---- */

static void refused_msrs_in_real_mode_get_gp_without_error_code(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(rdmsr(CELL_CPU, MSR_MISC_ENABLE) == TEST_RESUMED && refused(NO_ERROR_CODE));
	CHECK(test_regs.rax == 0xdeadbeef && test_regs.rdx == 0xdeadbeef);
	CHECK(wrmsr(CELL_CPU, MSR_MISC_ENABLE, 1) == TEST_RESUMED && refused(NO_ERROR_CODE));
	CHECK(wrmsr(CELL_CPU, MSR_FEATURE_CONTROL, 5) == TEST_RESUMED && refused(NO_ERROR_CODE));
	CHECK(test_msr_writes_to(MSR_MISC_ENABLE, NULL) == 0);
	/* A refused MOV to CR0 as well. */
	CHECK(mov_to_cr(CELL_CPU, 0, CR0_NW | CR0_ET) == TEST_RESUMED && refused(NO_ERROR_CODE));
}

static void refused_msrs_in_protected_mode_get_gp_with_error_code_0(void)
{
	test_reset();
	boot_protected_inmate();
	CHECK(rdmsr(CELL_CPU, MSR_MISC_ENABLE) == TEST_RESUMED && refused(0));
	CHECK(wrmsr(CELL_CPU, MSR_MISC_ENABLE, 1) == TEST_RESUMED && refused(0));
	boot_linux(TEST_BASE_XAPIC);
	CHECK(wrmsr(ROOT_CPU, MSR_FEATURE_CONTROL, 5) == TEST_RESUMED && refused(0));
	CHECK(rdmsr(ROOT_CPU, MSR_VMX_FIRST) == TEST_RESUMED && refused(0));
	/* The root cell's other MSRs are done on its behalf. */
	CHECK(rdmsr(ROOT_CPU, MSR_MISC_ENABLE) == TEST_RESUMED && completed(2));
	CHECK(test_regs.rax == 0x850089 && test_regs.rdx == 0);
}

static void vmx_instructions_get_ud_without_error_code(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(test_exit(CELL_CPU, (struct test_exit){ .reason = EXIT_VMXON, .length = 4 }) ==
	      TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_HARDWARE, VECTOR_UD, NO_ERROR_CODE) && rip_moved() == 0);
	CHECK(!test_entry_problem());
	boot_linux(TEST_BASE_XAPIC);
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_VMREAD, .length = 3 }) ==
	      TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_HARDWARE, VECTOR_UD, NO_ERROR_CODE) && rip_moved() == 0);
	CHECK(!test_entry_problem());
}

/* ICEBP (INT1, f1) exits as a privileged software exception (SDM Vol. 3C, 24.9.2, 27.2.2). */
static void icebp_goes_back_after_the_instruction(void)
{
	struct test_exit icebp = { .reason = EXIT_EXCEPTION_NMI, .length = 1,
				   .interruption = event(INTERRUPTION_TYPE_PRIVILEGED, VECTOR_DB) };

	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(test_exit(CELL_CPU, icebp) == TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_PRIVILEGED, VECTOR_DB, NO_ERROR_CODE));
	CHECK(test_vmcs[VMCS_ENTRY_INSTRUCTION_LENGTH] == 1 && rip_moved() == 0);
	CHECK(test_dr6_writes == 1 && test_dr6 == 0xffff0ff0);
	CHECK(!test_entry_problem());
	boot_linux(TEST_BASE_XAPIC);
	CHECK(test_exit(ROOT_CPU, icebp) == TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_PRIVILEGED, VECTOR_DB, NO_ERROR_CODE));
	CHECK(test_vmcs[VMCS_ENTRY_INSTRUCTION_LENGTH] == 1 && !test_entry_problem());
}

/* #DB of single-step or a breakpoint is a hardware exception; DR6 gets its cause (27.2.1). */
static void debug_traps_go_back_with_dr6(void)
{
	struct test_exit step = { .reason = EXIT_EXCEPTION_NMI, .qualification = 1U << 14,
				  .interruption = event(INTERRUPTION_TYPE_HARDWARE, VECTOR_DB) };

	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(test_exit(ROOT_CPU, step) == TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_HARDWARE, VECTOR_DB, NO_ERROR_CODE) && rip_moved() == 0);
	CHECK(test_dr6 == 0xffff4ff0 && !test_entry_problem());
	/* B0-B3 are this exception's; BD, BS and BT stay until the guest clears them (17.2.3). */
	step.qualification = 0x2;	/* B1 */
	CHECK(test_exit(ROOT_CPU, step) == TEST_RESUMED && test_dr6 == 0xffff4ff2);
	test_dr6 = 0xffff0ff1;
	CHECK(test_exit(ROOT_CPU, step) == TEST_RESUMED && test_dr6 == 0xffff0ff2);
}

static void alignment_checks_go_back_with_their_error_code(void)
{
	struct test_exit ac = { .reason = EXIT_EXCEPTION_NMI,
				.interruption = event(INTERRUPTION_TYPE_HARDWARE, VECTOR_AC) |
						INTERRUPTION_ERROR_CODE };

	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(test_exit(ROOT_CPU, ac) == TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_HARDWARE, VECTOR_AC, 0) && !test_entry_problem());
}

/* SDM Vol. 3C, 27.2.4 and 29.2.3: an exit during event delivery; the event goes in again. */
static void interrupted_events_go_back_by_the_same_rules(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	/* Real mode: #GP has no error code; INT 10h (cd 10) comes back with its length. */
	CHECK(exit_during_delivery(CELL_CPU, event(INTERRUPTION_TYPE_HARDWARE, VECTOR_GP), 0, 0) ==
	      TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_HARDWARE, VECTOR_GP, NO_ERROR_CODE));
	CHECK(!test_entry_problem());
	CHECK(exit_during_delivery(CELL_CPU, event(INTERRUPTION_TYPE_SOFTWARE_INT, 0x10), 0, 2) ==
	      TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_SOFTWARE_INT, 0x10, NO_ERROR_CODE));
	CHECK(test_vmcs[VMCS_ENTRY_INSTRUCTION_LENGTH] == 2 && !test_entry_problem());
	/* Protected mode: #PF keeps its error code. */
	boot_protected_inmate();
	CHECK(exit_during_delivery(CELL_CPU, event(INTERRUPTION_TYPE_HARDWARE, VECTOR_PF) |
					     INTERRUPTION_ERROR_CODE, 0x2, 0) == TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_HARDWARE, VECTOR_PF, 0x2) && !test_entry_problem());
	/* Linux, interrupts on: an external interrupt and an NMI, without error code or length. */
	boot_linux(TEST_BASE_XAPIC);
	vmcs_write_natural(VMCS_GUEST_RFLAGS, 0x246);
	CHECK(exit_during_delivery(ROOT_CPU, event(INTERRUPTION_TYPE_EXTERNAL, 0xec), 0, 0) ==
	      TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_EXTERNAL, 0xec, NO_ERROR_CODE) && !test_entry_problem());
	CHECK(exit_during_delivery(ROOT_CPU, event(INTERRUPTION_TYPE_NMI, 2), 0, 0) ==
	      TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_NMI, 2, NO_ERROR_CODE) && !test_entry_problem());
}

/* Linux's own NMI goes in, the hypervisor's does not; a busy entry waits for the NMI window. */
static void nmis_reach_the_guest_only_when_they_are_its_own(void)
{
	struct test_exit nmi = { .reason = EXIT_EXCEPTION_NMI,
				 .interruption = event(INTERRUPTION_TYPE_NMI, 2) };
	struct per_cpu *cpu = per_cpu_of(ROOT_CPU);

	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	cpu->arch.nmi_in_flight = 1;
	CHECK(test_exit(ROOT_CPU, nmi) == TEST_RESUMED && injects_nothing());
	CHECK(cpu->arch.nmi_in_flight == 0 && test_nmis_unblocked == 1);
	CHECK(test_exit(ROOT_CPU, nmi) == TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_NMI, 2, NO_ERROR_CODE) && !test_entry_problem());
	CHECK(!(cpu->arch.pending & PENDING_GUEST_NMI));
	/* An interrupted event goes first; the NMI waits for its window. */
	nmi.vectoring = event(INTERRUPTION_TYPE_EXTERNAL, 0x30);
	CHECK(test_exit(ROOT_CPU, nmi) == TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_EXTERNAL, 0x30, NO_ERROR_CODE));
	CHECK((cpu->arch.pending & PENDING_GUEST_NMI) &&
	      (test_vmcs[VMCS_PROC_CONTROLS] & PROC_NMI_WINDOW_EXITING));
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_NMI_WINDOW }) == TEST_RESUMED);
	CHECK(injects(INTERRUPTION_TYPE_NMI, 2, NO_ERROR_CODE));
	CHECK(!(test_vmcs[VMCS_PROC_CONTROLS] & PROC_NMI_WINDOW_EXITING) && !test_entry_problem());
}

/* ---- CR0 and CR4 (SDM Vol. 2A, MOV to control registers; Vol. 3A, 2.5 and 9.8.5) ---- */

/*
 * Only bits of the CR0 guest/host mask exit (SDM Vol. 3C, 25.1.3): PE,
 * PG, NE, CD, NW.  CD and NW never reach the CPU; the guest reads its own.
 */
static void the_cells_cd_and_nw_stay_in_the_read_shadow(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(test_vmcs[VMCS_CR0_READ_SHADOW] == CR0_RESET);
	CHECK(test_vmcs[VMCS_GUEST_CR0] == (CR0_ET | CR0_NE));
	CHECK((test_vmcs[VMCS_CR0_GUEST_HOST_MASK] & (CR0_CD | CR0_NW)) == (CR0_CD | CR0_NW));
	CHECK(mov_to_cr(CELL_CPU, 0, CR0_INMATE_PE) == TEST_RESUMED && completed(3));
	CHECK(test_vmcs[VMCS_CR0_READ_SHADOW] == CR0_INMATE_PE);
	CHECK(test_vmcs[VMCS_GUEST_CR0] == (CR0_PE | CR0_ET | CR0_NE));
	CHECK(mov_to_cr(CELL_CPU, 0, CR0_PE | CR0_ET) == TEST_RESUMED && completed(3));
	CHECK(test_vmcs[VMCS_CR0_READ_SHADOW] == (CR0_PE | CR0_ET) &&
	      test_vmcs[VMCS_GUEST_CR0] == (CR0_PE | CR0_ET | CR0_NE));
	/* LMSW into protected mode (PE and TS) leaves CD and NW as they are: in the shadow. */
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(lmsw(CELL_CPU, 0x9) == TEST_RESUMED && completed(3));
	CHECK(test_vmcs[VMCS_CR0_READ_SHADOW] == (CR0_INMATE_PE | 0x8));
	CHECK(test_vmcs[VMCS_GUEST_CR0] == (CR0_PE | 0x8 | CR0_ET | CR0_NE));
}

static void linux_disabling_caches_leaves_the_cpu_cached(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(mov_to_cr(ROOT_CPU, 0, TEST_LINUX_CR0 | CR0_CD) == TEST_RESUMED && completed(3));
	CHECK(test_vmcs[VMCS_CR0_READ_SHADOW] == (TEST_LINUX_CR0 | CR0_CD));
	CHECK(test_vmcs[VMCS_GUEST_CR0] == TEST_LINUX_CR0);
}

static void impossible_cr0_values_get_gp(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(mov_to_cr(CELL_CPU, 0, CR0_PG | CR0_ET) == TEST_RESUMED && refused(NO_ERROR_CODE));
	CHECK(mov_to_cr(CELL_CPU, 0, CR0_NW | CR0_PE | CR0_ET) == TEST_RESUMED &&
	      refused(NO_ERROR_CODE));
	boot_protected_inmate();
	CHECK(mov_to_cr(CELL_CPU, 0, CR0_NW | CR0_PE | CR0_ET) == TEST_RESUMED && refused(0));
	/* CR4 exits only for VMXE, the one bit of its mask (SDM Vol. 3C, 25.1.3). */
	CHECK(mov_to_cr(CELL_CPU, 4, CR4_VMXE) == TEST_RESUMED && refused(0));
	/* Bits 63:32, which only 64-bit code can write. */
	boot_linux(TEST_BASE_XAPIC);
	CHECK(mov_to_cr(ROOT_CPU, 0, (1ULL << 32) | TEST_LINUX_CR0 | CR0_CD) == TEST_RESUMED &&
	      refused(0));
}

static void linux_cannot_leave_paging_in_64bit_code(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(mov_to_cr(ROOT_CPU, 0, TEST_LINUX_CR0 & ~CR0_PG) == TEST_RESUMED && refused(0));
	CHECK(test_vmcs[VMCS_GUEST_EFER] == TEST_LINUX_EFER);
}

/*
 * An inmate's way into IA-32e mode and out (SDM Vol. 3A, 9.8.5 and
 * 9.8.5.4): EFER.LME, then paging with PAE; out again only from
 * compatibility mode.
 */
static void an_inmate_enters_and_leaves_ia32e_mode(void)
{
	uint64_t paging = CR0_INMATE_PE | CR0_PG;

	test_reset();
	boot_protected_inmate();
	CHECK(wrmsr(CELL_CPU, MSR_EFER, EFER_LME) == TEST_RESUMED && completed(2));
	CHECK(test_vmcs[VMCS_GUEST_EFER] == EFER_LME &&
	      !(test_vmcs[VMCS_ENTRY_CONTROLS] & ENTRY_IA32E_MODE_GUEST));
	CHECK(mov_to_cr(CELL_CPU, 0, paging) == TEST_RESUMED && refused(0));	/* no PAE */
	/* MOV to CR4 of PAE: no exit, the CPU takes it (VMXE is the mask's only bit). */
	vmcs_write_natural(VMCS_GUEST_CR4, CR4_PAE | CR4_VMXE);
	CHECK(mov_to_cr(CELL_CPU, 0, paging) == TEST_RESUMED && completed(3));
	CHECK(test_vmcs[VMCS_GUEST_EFER] == (EFER_LME | EFER_LMA) &&
	      (test_vmcs[VMCS_ENTRY_CONTROLS] & ENTRY_IA32E_MODE_GUEST));
	CHECK(test_vmcs[VMCS_GUEST_CR0] == (CR0_PG | CR0_PE | CR0_ET | CR0_NE));
	CHECK(wrmsr(CELL_CPU, MSR_EFER, 0) == TEST_RESUMED && refused(0));
	/* 64-bit code may not clear PG; compatibility mode may. */
	set_segment(SEG_CS, 0x18, 0xa09b);
	CHECK(mov_to_cr(CELL_CPU, 0, CR0_INMATE_PE) == TEST_RESUMED && refused(0));
	set_segment(SEG_CS, 0x08, 0xc09b);
	CHECK(mov_to_cr(CELL_CPU, 0, CR0_INMATE_PE) == TEST_RESUMED && completed(3));
	CHECK(test_vmcs[VMCS_GUEST_EFER] == EFER_LME &&
	      !(test_vmcs[VMCS_ENTRY_CONTROLS] & ENTRY_IA32E_MODE_GUEST));
}

/* ---- MSRs the VM entry loads: checked at WRMSR (SDM Vol. 3C, 26.3.1.1) ---- */

static void pat_with_a_reserved_memory_type_gets_gp(void)
{
	uint64_t good = 0x0007010600070106ULL;

	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(wrmsr(ROOT_CPU, MSR_PAT, 0x0007040600070402ULL) == TEST_RESUMED && refused(0));
	CHECK(wrmsr(ROOT_CPU, MSR_PAT, 0x0807040600070406ULL) == TEST_RESUMED && refused(0));
	CHECK(test_vmcs[VMCS_GUEST_PAT] == TEST_LINUX_PAT);
	CHECK(test_msr_writes_to(MSR_PAT, NULL) == 0);
	CHECK(wrmsr(ROOT_CPU, MSR_PAT, good) == TEST_RESUMED && completed(2));
	CHECK(test_vmcs[VMCS_GUEST_PAT] == good && test_msr_writes_to(MSR_PAT, NULL) == 0);
	CHECK(rdmsr(ROOT_CPU, MSR_PAT) == TEST_RESUMED && completed(2));
	CHECK(test_regs.rax == (uint32_t)good && test_regs.rdx == good >> 32);
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(wrmsr(CELL_CPU, MSR_PAT, 0x3) == TEST_RESUMED && refused(NO_ERROR_CODE));
}

/* ---- A cell's MTRRs: the default type register only, its effect through the PAT ---- */

static uint64_t msr_read_back(unsigned int cpu, uint32_t msr)
{
	CHECK(rdmsr(cpu, msr) == TEST_RESUMED && completed(2));
	return (test_regs.rdx << 32) | (uint32_t)test_regs.rax;
}

static void a_cells_mtrrs_start_off_and_make_memory_uncached(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(msr_read_back(CELL_CPU, MSR_MTRR_CAP) == 0);
	CHECK(msr_read_back(CELL_CPU, MSR_MTRR_DEF_TYPE) == 0);
	CHECK(msr_read_back(CELL_CPU, MSR_PAT) == PAT_POWER_ON);
	CHECK(test_vmcs[VMCS_GUEST_PAT] == 0);
	/* What a Jailhouse inmate writes before long mode: enabled, write-back. */
	CHECK(wrmsr(CELL_CPU, MSR_MTRR_DEF_TYPE, 0x806) == TEST_RESUMED && completed(2));
	CHECK(msr_read_back(CELL_CPU, MSR_MTRR_DEF_TYPE) == 0x806);
	CHECK(test_vmcs[VMCS_GUEST_PAT] == PAT_POWER_ON);
	CHECK(test_msr_writes_to(MSR_MTRR_DEF_TYPE, NULL) == 0);
}

static void a_cells_pat_applies_only_while_its_mtrrs_are_on(void)
{
	uint64_t pat = 0x0007010600070106ULL;

	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(wrmsr(CELL_CPU, MSR_PAT, pat) == TEST_RESUMED && completed(2));
	CHECK(msr_read_back(CELL_CPU, MSR_PAT) == pat && test_vmcs[VMCS_GUEST_PAT] == 0);
	CHECK(wrmsr(CELL_CPU, MSR_MTRR_DEF_TYPE, 0x800) == TEST_RESUMED && completed(2));
	CHECK(test_vmcs[VMCS_GUEST_PAT] == pat);
	CHECK(wrmsr(CELL_CPU, MSR_MTRR_DEF_TYPE, 0x6) == TEST_RESUMED && completed(2));
	CHECK(test_vmcs[VMCS_GUEST_PAT] == 0 && msr_read_back(CELL_CPU, MSR_PAT) == pat);
	CHECK(test_msr_writes_to(MSR_PAT, NULL) == 0);
}

static void bad_mtrr_writes_get_gp_and_change_nothing(void)
{
	static const uint64_t bad[] = {
		0x802,			/* memory type 2 is reserved */
		0x807,			/* and 7 */
		0xc06,			/* fixed ranges: MTRRcap has none */
		0x1806,			/* bit 12 reserved */
		0x8000000000000806ULL,
		0x906,			/* bit 8 reserved */
	};
	unsigned int i;

	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(wrmsr(CELL_CPU, MSR_MTRR_DEF_TYPE, 0x806) == TEST_RESUMED && completed(2));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(wrmsr(CELL_CPU, MSR_MTRR_DEF_TYPE, bad[i]) == TEST_RESUMED &&
		      refused(NO_ERROR_CODE));
	CHECK(wrmsr(CELL_CPU, MSR_MTRR_CAP, 0) == TEST_RESUMED && refused(NO_ERROR_CODE));
	/* No variable or fixed range exists to read. */
	CHECK(rdmsr(CELL_CPU, 0x200) == TEST_RESUMED && refused(NO_ERROR_CODE));
	CHECK(rdmsr(CELL_CPU, 0x250) == TEST_RESUMED && refused(NO_ERROR_CODE));
	CHECK(msr_read_back(CELL_CPU, MSR_MTRR_DEF_TYPE) == 0x806);
	CHECK(test_vmcs[VMCS_GUEST_PAT] == PAT_POWER_ON);
}

static void efer_with_reserved_bits_or_a_new_lme_under_paging_gets_gp(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(wrmsr(ROOT_CPU, MSR_EFER, TEST_LINUX_EFER | 0x2) == TEST_RESUMED && refused(0));
	CHECK(wrmsr(ROOT_CPU, MSR_EFER, TEST_LINUX_EFER | (1ULL << 14)) == TEST_RESUMED &&
	      refused(0));
	CHECK(wrmsr(ROOT_CPU, MSR_EFER, TEST_LINUX_EFER & ~EFER_LME) == TEST_RESUMED && refused(0));
	/* NXE off, LME kept: LMA stays, as paging is on. */
	CHECK(wrmsr(ROOT_CPU, MSR_EFER, 0x101) == TEST_RESUMED && completed(2));
	CHECK(test_vmcs[VMCS_GUEST_EFER] == 0x501 && test_msr_writes_to(MSR_EFER, NULL) == 0);
	CHECK(test_vmcs[VMCS_ENTRY_CONTROLS] & ENTRY_IA32E_MODE_GUEST);
	boot_protected_inmate();
	CHECK(wrmsr(CELL_CPU, MSR_EFER, 0x2) == TEST_RESUMED && refused(0));
}

/* A bare CPU refuses non-canonical SYSENTER addresses at WRMSR (SDM Vol. 2B, WRMSR). */
static void non_canonical_sysenter_addresses_get_gp(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(wrmsr(ROOT_CPU, MSR_SYSENTER_ESP, 0x0000800000000000ULL) == TEST_RESUMED &&
	      refused(0) && unchanged(VMCS_GUEST_SYSENTER_ESP));
	CHECK(wrmsr(ROOT_CPU, MSR_SYSENTER_EIP, 0x7fff000000001000ULL) == TEST_RESUMED &&
	      refused(0) && unchanged(VMCS_GUEST_SYSENTER_EIP));
	CHECK(wrmsr(ROOT_CPU, MSR_SYSENTER_EIP, 0xffff800000001000ULL) == TEST_RESUMED &&
	      completed(2) && test_vmcs[VMCS_GUEST_SYSENTER_EIP] == 0xffff800000001000ULL);
	boot_protected_inmate();
	CHECK(wrmsr(CELL_CPU, MSR_SYSENTER_ESP, 0x8000000000000000ULL) == TEST_RESUMED &&
	      refused(0));
	CHECK(wrmsr(CELL_CPU, MSR_SYSENTER_ESP, 0x00007ffffffff000ULL) == TEST_RESUMED &&
	      completed(2));
}

static void debugctl_with_reserved_bits_gets_gp(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(wrmsr(ROOT_CPU, MSR_DEBUGCTL, 0x4) == TEST_RESUMED && refused(0));
	CHECK(wrmsr(ROOT_CPU, MSR_DEBUGCTL, 1ULL << 16) == TEST_RESUMED && refused(0));
	CHECK(wrmsr(ROOT_CPU, MSR_DEBUGCTL, 0x1) == TEST_RESUMED && completed(2));
	CHECK(test_vmcs[VMCS_GUEST_DEBUGCTL] == 0x1 && test_msr_writes_to(MSR_DEBUGCTL, NULL) == 0);
}

/* ---- WBINVD and INVD (SDM Vol. 2A) ---- */

static uint64_t events(unsigned int cpu, enum bulkhead_event event)
{
	return per_cpu_of(cpu)->page->events[event];
}

static void a_cells_cache_flushes_are_confined(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(test_vmcs[VMCS_PROC_CONTROLS2] & PROC2_WBINVD_EXITING);
	CHECK(test_exit(CELL_CPU, (struct test_exit){ .reason = EXIT_WBINVD, .length = 2 }) ==
	      TEST_RESUMED && completed(2));
	CHECK(events(CELL_CPU, BULKHEAD_EVENT_CACHE_CONFINED) == 1);
	CHECK(test_wbinvd_runs == 0 && test_invd_runs == 0);
	CHECK(test_exit(CELL_CPU, (struct test_exit){ .reason = EXIT_INVD, .length = 2 }) ==
	      TEST_RESUMED && completed(2));
	CHECK(events(CELL_CPU, BULKHEAD_EVENT_CACHE_CONFINED) == 2);
	CHECK(test_wbinvd_runs == 0 && test_invd_runs == 0);
}

static void the_root_cells_invd_becomes_wbinvd(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(!(test_vmcs[VMCS_PROC_CONTROLS2] & PROC2_WBINVD_EXITING));
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_INVD, .length = 2 }) ==
	      TEST_RESUMED && completed(2));
	CHECK(test_wbinvd_runs == 1 && test_invd_runs == 0);
	CHECK(events(ROOT_CPU, BULKHEAD_EVENT_CACHE_CONFINED) == 0);
}

/* ---- Linux's accesses to its xAPIC page (EPT violations, SDM Vol. 3C, 27.2.1) ---- */

static void linux_xapic_accesses_are_emulated(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	/* mov %edx, 0xffffffffff5fd0b0: EOI */
	test_regs.rdx = 0x12345678;
	CHECK(XAPIC_ACCESS(ROOT_CPU, 0xb0, 0x89, 0x14, 0x25, 0xb0, 0xd0, 0x5f, 0xff) ==
	      TEST_RESUMED && completed(7));
	CHECK(test_xapic_write_count == 1 && test_xapic_writes[0].offset == 0xb0 &&
	      test_xapic_writes[0].value == 0x12345678);
	/* mov 0xffffffffff5fd030, %eax: version, upper half cleared */
	test_regs.rax = ~0ULL;
	CHECK(XAPIC_ACCESS(ROOT_CPU, 0x30, 0x8b, 0x04, 0x25, 0x30, 0xd0, 0x5f, 0xff) ==
	      TEST_RESUMED && completed(7));
	CHECK(test_regs.rax == 0x01060015 && test_xapic_write_count == 0);
	/* mov 0xffffffffff5fd020, %r8d: ID */
	test_regs.r8 = ~0ULL;
	CHECK(XAPIC_ACCESS(ROOT_CPU, 0x20, 0x44, 0x8b, 0x04, 0x25, 0x20, 0xd0, 0x5f, 0xff) ==
	      TEST_RESUMED && completed(8));
	CHECK(test_regs.r8 == (uint64_t)test_apic_ids[ROOT_CPU] << 24);
	/* movl $0x0, 0xffffffffff5fd0b0 */
	CHECK(XAPIC_ACCESS(ROOT_CPU, 0xb0, 0xc7, 0x04, 0x25, 0xb0, 0xd0, 0x5f, 0xff, 0, 0, 0, 0) ==
	      TEST_RESUMED && completed(11));
	CHECK(test_xapic_write_count == 1 && test_xapic_writes[0].value == 0);
	CHECK(test_vmcs_bad_writes == 0 && test_raw_msr_faults == 0);
}

static bool linux_parked(void)
{
	return test_outcome == TEST_PARKED && rip_moved() == 0 && test_xapic_write_count == 0 &&
	       per_cpu_of(ROOT_CPU)->arch.parked;
}

static void other_xapic_accesses_park_linux(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	/* incl 0xffffffffff5fd0b0: not a MOV */
	CHECK(XAPIC_ACCESS(ROOT_CPU, 0xb0, 0xff, 0x04, 0x25, 0xb0, 0xd0, 0x5f, 0xff) ==
	      TEST_PARKED);
	CHECK(linux_parked() && strstr(test_park_reason, "access outside the cell's memory"));
	CHECK(strstr(test_log, "EPT violation at guest physical 0xfee000b0"));
	/* mov %dx, ...: 16 bits, where APIC registers take 32 (SDM Vol. 3A, 10.4.1) */
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(XAPIC_ACCESS(ROOT_CPU, 0xb0, 0x66, 0x89, 0x14, 0x25, 0xb0, 0xd0, 0x5f, 0xff) ==
	      TEST_PARKED && linux_parked());
	/* Not on a register boundary */
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(XAPIC_ACCESS(ROOT_CPU, 0xb4, 0x89, 0x14, 0x25, 0xb4, 0xd0, 0x5f, 0xff) ==
	      TEST_PARKED && linux_parked());
	/* An instruction that cannot be fetched */
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(xapic_access(ROOT_CPU, 0xb0, NULL, 0) == TEST_PARKED && linux_parked());
}

/* ---- Other exits Linux and inmates make ---- */

/* CPUID leaf 1 hides VMX (ECX bit 5); completing CPUID ends STI blocking (SDM Vol. 3C, 24.4.2). */
static void cpuid_hides_vmx_and_ends_sti_blocking(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	vmcs_write_natural(VMCS_GUEST_RFLAGS, 0x246);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_STI);
	test_regs.rax = 1;
	test_regs.rcx = 0;
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_CPUID, .length = 2 }) ==
	      TEST_RESUMED && completed(2));
	CHECK(test_regs.rax == 0x000306c3 && test_regs.rcx == (0x7ffafbbf & ~(1U << 5)));
	CHECK(test_vmcs[VMCS_GUEST_INTERRUPTIBILITY] == 0);
}

/* I/O qualification: size - 1 in bits 2:0, IN bit 3, string 4, REP 5 (SDM Vol. 3C, table 27-5). */
static void ports_the_guest_does_not_own_read_as_missing(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	test_regs.rax = 0x1122334455667700ULL;
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_IO, .length = 1,
						      .qualification = 0x8 | (0x3f8ULL << 16) }) ==
	      TEST_RESUMED && completed(1));
	CHECK(test_regs.rax == 0x11223344556677ffULL);
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_IO, .length = 1,
						      .qualification = 0x9 }) == TEST_RESUMED);
	CHECK(test_regs.rax == 0x112233445566ffffULL && completed(1));
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_IO, .length = 1,
						      .qualification = 0xb }) == TEST_RESUMED);
	CHECK(test_regs.rax == 0xffffffffULL && completed(1));
	/* OUT is dropped; REP INSB moves nothing and ends. */
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_IO, .length = 1 }) ==
	      TEST_RESUMED && test_regs.rax == 0xffffffffULL && completed(1));
	test_regs.rcx = 16;
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_IO, .length = 2,
						      .qualification = 0x38 }) ==
	      TEST_RESUMED && test_regs.rcx == 0 && completed(2));
}

static void hypercalls_need_cpl_0(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	test_regs.rax = 5;
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_VMCALL, .length = 3 }) ==
	      TEST_RESUMED && completed(3));
	CHECK(test_hypercalls == 1 && test_regs.rax == 105);
	/* A user process (SS.DPL 3) gets -EPERM, as on Jailhouse. */
	vmcs_write32(VMCS_GUEST_SS_ACCESS_RIGHTS, 0xc0f3);
	test_regs.rax = 5;
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_VMCALL, .length = 3 }) ==
	      TEST_RESUMED && rip_moved() == 3 && injects_nothing());
	CHECK(test_hypercalls == 1 && test_regs.rax == (uint64_t)-EPERM);
}

/* ---- Known bugs: what the SDM requires and today's handlers do not do ---- */

/*
 * PAE paging outside IA-32e mode takes its four PDPTEs from the VMCS when
 * EPT is on (SDM Vol. 3C, 26.3.2.4).  On a bare CPU the MOV to CR0 that
 * turns paging on loads them from the table at CR3 (Vol. 3A, 4.4.1); here
 * that MOV exits (PG is the hypervisor's), so the hypervisor must load
 * them.  It writes none, and the inmate runs on whatever the fields held.
 */
static void pae_paging_gets_its_pdptes(void)
{
	static const uint64_t pdptes[4] = { 0x3001, 0x4001, 0, 0x5001 };

	test_reset();
	boot_protected_inmate();
	memcpy(test_guest_page, pdptes, sizeof(pdptes));
	vmcs_write_natural(VMCS_GUEST_CR4, CR4_PAE | CR4_VMXE);	/* no exit */
	vmcs_write_natural(VMCS_GUEST_CR3, 0x2000);		/* no exit */
	CHECK(mov_to_cr(CELL_CPU, 0, CR0_INMATE_PE | CR0_PG) == TEST_RESUMED && completed(3));
	CHECK(test_vmcs[VMCS_GUEST_EFER] == 0);
	CHECK(test_vmcs[VMCS_GUEST_PDPTE0] == 0x3001 && test_vmcs[VMCS_GUEST_PDPTE1] == 0x4001 &&
	      test_vmcs_written[VMCS_GUEST_PDPTE2] && test_vmcs[VMCS_GUEST_PDPTE3] == 0x5001);
}

/* A present PDPTE with reserved bits makes the MOV to CR0 raise #GP; paging stays off. */
static void reserved_pdpte_bits_are_gp(void)
{
	static const uint64_t pdptes[4] = { 0x3001 | (1ULL << 5), 0, 0, 0 };

	test_reset();
	boot_protected_inmate();
	memcpy(test_guest_page, pdptes, sizeof(pdptes));
	vmcs_write_natural(VMCS_GUEST_CR4, CR4_PAE | CR4_VMXE);
	vmcs_write_natural(VMCS_GUEST_CR3, 0x2000);
	CHECK(mov_to_cr(CELL_CPU, 0, CR0_INMATE_PE | CR0_PG) == TEST_RESUMED);
	CHECK(refused(0));
	CHECK(!(test_vmcs[VMCS_GUEST_CR0] & CR0_PG) && !(test_vmcs[VMCS_CR0_READ_SHADOW] & CR0_PG));
}

/*
 * An emulated instruction completes, which ends blocking by STI and MOV SS
 * (SDM Vol. 3C, 24.4.2), as skip_instruction() does for the other exits.
 * The xAPIC emulation moves RIP itself and leaves the blocking on, so an
 * interrupt waits one instruction longer than on a bare CPU.
 */
static void an_emulated_xapic_access_ends_sti_blocking(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	vmcs_write_natural(VMCS_GUEST_RFLAGS, 0x246);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_STI);
	CHECK(xapic_write(ROOT_CPU, 0xb0, 0) == TEST_RESUMED && completed(7));
	CHECK(test_vmcs[VMCS_GUEST_INTERRUPTIBILITY] == 0);
}

/* ---- Failures of a cell's CPU fail the cell; the CPU keeps answering ---- */

static bool cell_failed(void)
{
	struct per_cpu *cpu = per_cpu_of(CELL_CPU);

	return test_outcome == TEST_WAITING && test_cell.phase == CELL_FAILED &&
	       test_comm.cell_state == BULKHEAD_CELL_FAILED &&
	       cpu->public->state == BULKHEAD_CPU_STATE_FAILED && !cpu->arch.parked &&
	       test_vmclears == 1 && strstr(test_log, "cell 1 \"rt-inmate\" failed");
}

static void a_cells_faults_fail_the_cell_not_the_cpu(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(test_exit(CELL_CPU, (struct test_exit){ .reason = EXIT_EPT_VIOLATION,
						      .guest_physical = APIC_DEFAULT_PHYS }) ==
	      TEST_WAITING && cell_failed());
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(test_exit(CELL_CPU, (struct test_exit){ .reason = EXIT_INVALID_GUEST_STATE |
								EXIT_REASON_ENTRY_FAILED }) ==
	      TEST_WAITING && cell_failed());
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(test_exit(CELL_CPU, (struct test_exit){ .reason = EXIT_TRIPLE_FAULT }) ==
	      TEST_WAITING && cell_failed());
	/* The IOAPIC, which Jailhouse inmates program, is named. */
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(test_exit(CELL_CPU, (struct test_exit){ .reason = EXIT_EPT_VIOLATION,
						      .guest_physical = 0xfec00010 }) ==
	      TEST_WAITING && cell_failed());
	CHECK(strstr(test_log, "failed: access to the IOAPIC at 0xfec00000, whose pins the cell's config does not give it"));
}

static void linux_faults_park_its_cpu(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_INVALID_GUEST_STATE |
								EXIT_REASON_ENTRY_FAILED }) ==
	      TEST_PARKED);
	/* Before Linux ever ran as a guest, the entry call fails cleanly instead. */
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	per_cpu_of(ROOT_CPU)->arch.guest_ran = false;
	CHECK(test_exit(ROOT_CPU, (struct test_exit){ .reason = EXIT_INVALID_GUEST_STATE |
								EXIT_REASON_ENTRY_FAILED }) ==
	      TEST_FIRST_ENTRY_ABORTED);
}

int main(void)
{
	RUN(the_recorded_guests_are_valid);
	RUN(refused_msrs_in_real_mode_get_gp_without_error_code);
	RUN(refused_msrs_in_protected_mode_get_gp_with_error_code_0);
	RUN(vmx_instructions_get_ud_without_error_code);
	RUN(icebp_goes_back_after_the_instruction);
	RUN(debug_traps_go_back_with_dr6);
	RUN(alignment_checks_go_back_with_their_error_code);
	RUN(interrupted_events_go_back_by_the_same_rules);
	RUN(nmis_reach_the_guest_only_when_they_are_its_own);
	RUN(the_cells_cd_and_nw_stay_in_the_read_shadow);
	RUN(linux_disabling_caches_leaves_the_cpu_cached);
	RUN(impossible_cr0_values_get_gp);
	RUN(linux_cannot_leave_paging_in_64bit_code);
	RUN(an_inmate_enters_and_leaves_ia32e_mode);
	RUN(pat_with_a_reserved_memory_type_gets_gp);
	RUN(a_cells_mtrrs_start_off_and_make_memory_uncached);
	RUN(a_cells_pat_applies_only_while_its_mtrrs_are_on);
	RUN(bad_mtrr_writes_get_gp_and_change_nothing);
	RUN(efer_with_reserved_bits_or_a_new_lme_under_paging_gets_gp);
	RUN(non_canonical_sysenter_addresses_get_gp);
	RUN(debugctl_with_reserved_bits_gets_gp);
	RUN(a_cells_cache_flushes_are_confined);
	RUN(the_root_cells_invd_becomes_wbinvd);
	RUN(linux_xapic_accesses_are_emulated);
	RUN(other_xapic_accesses_park_linux);
	RUN(cpuid_hides_vmx_and_ends_sti_blocking);
	RUN(ports_the_guest_does_not_own_read_as_missing);
	RUN(hypercalls_need_cpl_0);
	RUN(a_cells_faults_fail_the_cell_not_the_cpu);
	RUN(linux_faults_park_its_cpu);
	RUN(pae_paging_gets_its_pdptes);
	RUN(reserved_pdpte_bits_are_gp);
	RUN(an_emulated_xapic_access_ends_sti_blocking);
	return unit_report("C unit: VM exits");
}
