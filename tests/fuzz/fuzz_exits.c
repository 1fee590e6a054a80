// SPDX-License-Identifier: GPL-2.0
/* Fuzzes the MSR, control-register and xAPIC exits (hypervisor/arch/x86/exits.c) of Linux and of an inmate. */
#include "../unit/exits-machine.h"
#include "fuzz.h"

/*
 * Input: setup [u8]: 0 Linux with an xAPIC, 1 Linux with an x2APIC, 2 an
 * inmate in real mode, 3 an inmate in protected mode (exits-machine.h's
 * guests, CPUs 0 and 2).  Then exits until the input ends or the CPU
 * leaves its guest, each [u8] kind:
 *   kind % 4 = 0  RDMSR of [u32], or with kind bit 2 of MSRS[u8]
 *   kind % 4 = 1  WRMSR of [u32] (or MSRS[u8]) with [u64]
 *   kind % 4 = 2  control-register access, qualification [u64], every
 *                 general register holding [u64] (with VMXE for a MOV
 *                 to CR4, the only kind of CR4 write that exits)
 *   kind % 4 = 3  an access to the xAPIC page at offset [u16] by the
 *                 instruction [u8] % 16 bytes long, registers [u64]
 */
static const uint32_t msrs[] = {
	MSR_TSC, MSR_APIC_BASE, MSR_FEATURE_CONTROL, MSR_SPEC_CTRL, MSR_PRED_CMD,
	MSR_ARCH_CAPABILITIES, MSR_FLUSH_CMD, MSR_SYSENTER_CS, MSR_SYSENTER_ESP,
	MSR_SYSENTER_EIP, MSR_MISC_ENABLE, MSR_DEBUGCTL, MSR_PAT, MSR_VMX_FIRST, 0x48b,
	MSR_VMX_LAST, MSR_TSC_DEADLINE, 0x802, 0x808, 0x80b, 0x80d, 0x80f, 0x828, MSR_X2APIC_ICR,
	MSR_X2APIC_LVT_CMCI, MSR_X2APIC_LVT_TIMER, 0x835, MSR_X2APIC_LVT_ERROR, 0x83f, MSR_XSS,
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	0x200, 0x2ff, 0xfe, 0x1a2, 0x9b, 0x8b, 0x79,
};
#define NUM_MSRS	(sizeof(msrs) / sizeof(msrs[0]))

static unsigned int exit_cpu;

static uint32_t next_msr(struct fuzz_input *in, uint8_t kind)
{
	return kind & 4 ? msrs[fuzz_u8(in) % NUM_MSRS] : fuzz_u32(in);
}

static void set_all_registers(uint64_t value)
{
	uint64_t *reg = (uint64_t *)&test_regs;
	size_t i;

	for (i = 0; i < sizeof(test_regs) / sizeof(uint64_t); i++)
		reg[i] = value;
}

/* The writes that reached real MSRs: a cell's only its own x2APIC's, nobody VMX's or the lock. */
static void check_msr_writes(bool in_cell)
{
	unsigned int i;

	for (i = 0; i < test_msr_write_count && i < TEST_MSR_WRITES; i++) {
		uint32_t msr = test_msr_writes[i].msr;

		FUZZ_ASSERT(msr != MSR_FEATURE_CONTROL && (msr < MSR_VMX_FIRST || msr > MSR_VMX_LAST));
		FUZZ_ASSERT(!in_cell || (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST));
	}
}

/* IPIs and posted work reach only CPUs of the sender's cell. */
static void check_ipis_stay_inside(const struct per_cpu *sender)
{
	uint64_t own = sender->cell->cpus;
	unsigned int i, cpu;

	for (i = 0; i < test_ipi_count && i < TEST_LOG_SIZE; i++) {
		bool inside = false;

		for (cpu = 0; cpu < TEST_CPUS; cpu++)
			if (((own >> cpu) & 1) && test_apic_ids[cpu] == test_ipis[i].destination)
				inside = true;
		FUZZ_ASSERT(inside);
	}
	for (i = 0; i < test_post_count && i < TEST_LOG_SIZE; i++)
		FUZZ_ASSERT((own >> test_posts[i].cpu) & 1);
}

/* An ICR write (x2APIC MSR or xAPIC page) may send the CPU an NMI of its own. */
#define NMI_TO_SELF	(INTERRUPTION_VALID | VECTOR_NMI | \
			 (INTERRUPTION_TYPE_NMI << INTERRUPTION_TYPE_SHIFT))

/*
 * After a handled exit: the guest either went past the instruction with
 * nothing injected but its own NMI, or got #GP with RIP still on it; no
 * VMWRITE or MSR access of the hypervisor faulted, and the next VM entry
 * passes every check of vmx-check.c.
 */
static void check_resumed(uint64_t length)
{
	uint32_t info = entry_info();

	FUZZ_ASSERT(test_vmcs_bad_writes == 0 && test_raw_msr_faults == 0);
	if (info == NMI_TO_SELF)
		FUZZ_ASSERT(rip_moved() == length);
	else if (info & INTERRUPTION_VALID)
		FUZZ_ASSERT(INTERRUPTION_VECTOR(info) == VECTOR_GP && rip_moved() == 0);
	else
		FUZZ_ASSERT(rip_moved() == length);
	FUZZ_ASSERT(test_entry_problem() == NULL);
}

/* MOV to CR0 or CR4 and LMSW are the accesses the hypervisor asks exits for (table 27-3). */
static bool expected_cr_access(uint64_t qualification)
{
	unsigned int cr = qualification & 0xf, access = (qualification >> 4) & 3;

	return (access == 0 && (cr == 0 || cr == 4)) || access == 3;
}

/* One exit; false when the CPU left its guest (parked, or its cell failed). */
static bool one_exit(struct fuzz_input *in)
{
	uint8_t kind = fuzz_u8(in);
	struct per_cpu *cpu = per_cpu_of(exit_cpu);
	bool in_cell = cpu->cell != &root_cell;
	enum test_outcome outcome;
	uint64_t qualification = 0, length = 2;
	uint32_t msr;

	if (kind % 4 == 0) {
		msr = next_msr(in, kind);
		outcome = rdmsr(exit_cpu, msr);
	} else if (kind % 4 == 1) {
		msr = next_msr(in, kind);
		outcome = wrmsr(exit_cpu, msr, fuzz_u64(in));
	} else if (kind % 4 == 2) {
		uint64_t value;

		qualification = fuzz_u64(in);
		value = fuzz_u64(in);
		/* A MOV to CR4 exits only when it sets VMXE, the one bit of the mask (25.1.3). */
		if ((qualification & 0x3f) == 4)
			value |= CR4_VMXE;
		set_all_registers(value);
		length = 3;
		outcome = test_exit(exit_cpu, (struct test_exit){ .reason = EXIT_CR_ACCESS,
								  .qualification = qualification,
								  .length = 3 });
	} else {
		unsigned int offset = fuzz_u16(in) & 0xfff;
		size_t got;
		const uint8_t *bytes = fuzz_take(in, fuzz_u8(in) % 16, &got);

		memset(test_instruction, 0, sizeof(test_instruction));
		set_all_registers(fuzz_u64(in));
		outcome = xapic_access(exit_cpu, offset, bytes, (unsigned int)got);
		FUZZ_TRACE("xAPIC access at 0x%x (%zu bytes): outcome %d\n", offset, got, outcome);
		FUZZ_ASSERT(outcome == TEST_RESUMED || (outcome == TEST_PARKED && !in_cell) ||
			    (outcome == TEST_WAITING && in_cell));
		if (outcome == TEST_RESUMED) {
			/* An ICR write may send Linux an NMI of its own; nothing else goes in. */
			FUZZ_ASSERT(!in_cell && test_vmcs_bad_writes == 0);
			FUZZ_ASSERT(!(entry_info() & INTERRUPTION_VALID) || entry_info() == NMI_TO_SELF);
			FUZZ_ASSERT(rip_moved() >= 1 && rip_moved() <= MMIO_MAX_INSTRUCTION);
			FUZZ_ASSERT(test_entry_problem() == NULL);
		}
		check_ipis_stay_inside(cpu);
		return outcome == TEST_RESUMED;
	}
	FUZZ_TRACE("exit kind %u qualification 0x%lx: outcome %d, entry info 0x%x\n", kind,
		   (unsigned long)qualification, outcome, entry_info());
	if (kind % 4 == 2 && !expected_cr_access(qualification))
		FUZZ_ASSERT(outcome == (in_cell ? TEST_WAITING : TEST_PARKED));
	else
		FUZZ_ASSERT(outcome == TEST_RESUMED);
	check_msr_writes(in_cell);
	check_ipis_stay_inside(cpu);
	if (outcome != TEST_RESUMED)
		return false;
	check_resumed(length);
	return true;
}

static void boot(uint8_t setup)
{
	test_reset();
	switch (setup % 4) {
	case 0:
	case 1:
		exit_cpu = ROOT_CPU;
		FUZZ_ASSERT(test_boot_linux(ROOT_CPU, setup % 4 ? TEST_BASE_X2APIC : TEST_BASE_XAPIC) == 0);
		break;
	case 2:
		exit_cpu = CELL_CPU;
		FUZZ_ASSERT(test_boot_inmate(CELL_CPU) == 0);
		break;
	default:
		exit_cpu = CELL_CPU;
		boot_protected_inmate();
		break;
	}
	FUZZ_ASSERT(test_entry_problem() == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size, 0 };

	boot(fuzz_u8(&in));
	while (fuzz_left(&in) > 0 && one_exit(&in))
		;
	return 0;
}
