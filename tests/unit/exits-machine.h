/* SPDX-License-Identifier: GPL-2.0 */
/* The exit tests' machine: Linux and an inmate as the hypervisor sets them up; exits; checks. */
#ifndef BULKHEAD_TEST_EXITS_MACHINE_H
#define BULKHEAD_TEST_EXITS_MACHINE_H

#include "exits-stubs.h"
#include "bochs-haswell.h"
#include "sanitize.h"

#include "unit.h"

#define VECTOR_DB	1
#define VECTOR_UD	6
#define VECTOR_GP	13
#define VECTOR_PF	14
#define VECTOR_AC	17
#define NO_ERROR_CODE	(-1)

#define ROOT_CPU	0
#define CELL_CPU	2

/* CR0 of a CPU after INIT, and the inmate's CR0 after it set PE (SDM Vol. 3A, 9.1.1, table 9-1). */
#define CR0_RESET	(CR0_CD | CR0_NW | CR0_ET)
#define CR0_INMATE_PE	(CR0_RESET | CR0_PE)

/* ---- The machine before each test, and the guests as the hypervisor sets them up ---- */

static uint64_t test_check_read(void *context, uint32_t field)
{
	(void)context;
	return vmcs_read(field);
}

/* The first VM-entry check the fake VMCS fails (vmx-check.c), or NULL: the next entry works. */
static inline const char *test_entry_problem(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();
	struct vmcs_source source = { test_check_read, NULL };
	const char *problem = vmx_check_vmcs(&source, &facts);

	if (problem)
		fprintf(stderr, "  next VM entry fails: %s\n", problem);
	return problem;
}

static inline void test_linux_segment(struct bulkhead_segment *segment, uint16_t selector,
				      uint32_t access_rights, uint64_t base, uint32_t limit)
{
	*segment = (struct bulkhead_segment){ .selector = selector, .access_rights = access_rights,
					      .base = base, .limit = limit };
}

/* What the driver records of Linux's segments before the entry call (a 64-bit kernel). */
static inline void test_record_linux_state(struct per_cpu *cpu)
{
	struct bulkhead_linux_state *state = &cpu->page->linux_state;

	test_linux_segment(&state->cs, 0x10, 0xa09b, 0, 0xffffffff);
	test_linux_segment(&state->ss, 0x18, 0xc093, 0, 0xffffffff);
	test_linux_segment(&state->ds, 0, SEG_AR_UNUSABLE, 0, 0);
	test_linux_segment(&state->es, 0, SEG_AR_UNUSABLE, 0, 0);
	test_linux_segment(&state->fs, 0, SEG_AR_UNUSABLE, 0, 0);
	test_linux_segment(&state->gs, 0, SEG_AR_UNUSABLE, 0, 0);
	test_linux_segment(&state->tr, 0x40, 0x8b, 0xfffffe0000003000ULL, 0x4087);
	test_linux_segment(&state->ldtr, 0, SEG_AR_UNUSABLE, 0, 0);
	cpu->arch.linux_gdtr = test_linux_gdtr;
	cpu->arch.linux_idtr = test_linux_idtr;
	cpu->arch.linux_cr4 = TEST_LINUX_CR4;
}

/* The machine as after enable, and a cell created and started on CPUs 2 and 3. */
static inline void test_reset(void)
{
	unsigned int cpu;

	unit_unpoison(test_cpus, sizeof(test_cpus));
	memset(test_cpus, 0, sizeof(test_cpus));
	memset(test_public, 0, sizeof(test_public));
	memset(test_vmcs, 0, sizeof(test_vmcs));
	public_area = test_public;
	test_vmcs_bad_writes = test_raw_msr_faults = 0;
	test_msr_count = test_msr_write_count = 0;
	test_ipi_count = test_post_count = test_xapic_write_count = 0;
	test_wbinvd_runs = test_invd_runs = test_dr6_writes = test_hypercalls = 0;
	test_dr6 = 0xffff0ff0;	/* DR6 after reset (SDM Vol. 3A, 17.2.3) */
	test_requests_handled = test_nmis_unblocked = test_l1d_flushes = 0;
	test_vmclears = test_invepts = 0;
	test_instruction_length = 0;
	test_log[0] = '\0';
	test_park_reason[0] = '\0';
	memset(test_xapic, 0, sizeof(test_xapic));

	test_root_desc = (struct bulkhead_cell){ .name = "bochs-system", .cpu_set_words = 1 };
	root_cell = (struct cell){ .id = 0, .phase = CELL_STARTED, .cpus = TEST_ROOT_CPUS };
	root_cell.config.cell = &test_root_desc;
	root_cell.config.cpu_set = &test_root_set;
	root_cell.arch = (struct arch_cell){ .ept_pointer = 0x01003000 | EPTP_MEMORY_TYPE_WB |
							    EPTP_WALK_LENGTH_4,
					     .io_bitmap_a = test_bitmaps[0],
					     .io_bitmap_b = test_bitmaps[1],
					     .msr_bitmap = test_bitmaps[2] };
	test_cell_desc = (struct bulkhead_cell){ .name = "rt-inmate", .cpu_set_words = 1,
						 .reset_address = TEST_CELL_RESET };
	test_comm = (struct bulkhead_comm_region){ .cell_state = BULKHEAD_CELL_RUNNING };
	test_cell = (struct cell){ .id = 1, .phase = CELL_STARTED, .cpus = TEST_CELL_CPUS,
				   .comm_region = &test_comm };
	test_cell.config.cell = &test_cell_desc;
	test_cell.config.cpu_set = &test_cell_set;
	test_cell.arch = (struct arch_cell){ .ept_pointer = 0x01103000 | EPTP_MEMORY_TYPE_WB |
							    EPTP_WALK_LENGTH_4,
					     .io_bitmap_a = test_bitmaps[3],
					     .io_bitmap_b = test_bitmaps[4],
					     .msr_bitmap = test_bitmaps[5] };

	for (cpu = 0; cpu < TEST_CPUS; cpu++) {
		struct per_cpu *this = &test_cpus[cpu];

		this->cpu_id = cpu;
		this->page = public_cpu_page(cpu);
		this->public = &this->page->record;
		this->public->cpu_id = cpu;
		this->public->apic_id = test_apic_ids[cpu];
		this->cell = (TEST_CELL_CPUS >> cpu) & 1 ? &test_cell : &root_cell;
		this->arch.recovery_rsp =
			(uint64_t)(uintptr_t)(this->stack + PERCPU_STACK_SIZE - 64);
		/* Linux's flat xAPIC model: logical ID 1 << CPU (SDM Vol. 3A, 10.6.2.2). */
		this->arch.xapic_ldr = (1U << cpu) << 24;
		this->arch.xapic_dfr = 0xffffffff;
		test_record_linux_state(this);
	}
	test_trap_privileged_instructions();
}

/* The x2APIC registers of the exiting CPU as MSRs (SDM Vol. 3A, 10.12.1.2, table 10-6). */
static inline void test_x2apic_msrs(unsigned int cpu)
{
	static const uint32_t lvts[] = { 0x82f, 0x832, 0x833, 0x834, 0x835, 0x836, 0x837 };
	struct test_msr *eoi;
	unsigned int i;

	test_msr_add(0x802, test_apic_ids[cpu])->read_only = true;		/* ID */
	test_msr_add(0x803, 0x01060015)->read_only = true;			/* version */
	test_msr_add(0x808, 0)->reserved = ~0xffULL;				/* TPR */
	eoi = test_msr_add(0x80b, 0);					/* EOI: write 0 */
	eoi->write_only = true;
	eoi->reserved = ~0ULL;
	test_msr_add(0x80d, apic_x2apic_ldr(test_apic_ids[cpu]))->read_only = true; /* LDR */
	test_msr_add(0x80f, 0x1ff);						/* SVR */
	test_msr_add(0x828, 0)->reserved = ~0ULL;				/* ESR: only 0 */
	test_msr_add(MSR_X2APIC_ICR, 0);
	/* LVTs take any value, as on Bochs (testing.md), so refusals are the hypervisor's. */
	for (i = 0; i < sizeof(lvts) / sizeof(lvts[0]); i++)
		test_msr_add(lvts[i], 0x10000);
}

/* MSRs every CPU has, as Linux left them; @apic_base says the local APIC's mode. */
static inline void test_cpu_msrs(unsigned int cpu, uint64_t apic_base)
{
	unsigned int i;

	test_msr_count = 0;
	for (i = 0; i < VMX_CAPABILITY_MSRS; i++)
		test_msr_add(VMX_MSR_FIRST + i, bochs_haswell_msrs[i])->read_only = true;
	test_msr_add(MSR_FEATURE_CONTROL, 0x5)->read_only = true;
	test_msr_add(MSR_MISC_ENABLE, 0x850089);
	test_msr_add(MSR_APIC_BASE, apic_base | (cpu == 0 ? APIC_BASE_BSP : 0));
	test_msr_add(MSR_EFER, TEST_LINUX_EFER);
	test_msr_add(MSR_PAT, TEST_LINUX_PAT);
	test_msr_add(MSR_DEBUGCTL, 0);
	test_msr_add(MSR_SYSENTER_CS, 0x10);
	test_msr_add(MSR_SYSENTER_ESP, 0xfffffe0000003000ULL);
	test_msr_add(MSR_SYSENTER_EIP, 0xffffffff81a01700ULL);
	test_msr_add(MSR_FS_BASE, 0x00007f3a1c2b4740ULL);
	test_msr_add(MSR_GS_BASE, 0xffff88807fc00000ULL);
	if (apic_base & APIC_BASE_X2APIC)
		test_x2apic_msrs(cpu);
}

static int test_setup_result;

static void test_setup_linux(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();

	test_setup_result = vmx_setup_vmcs(this_cpu(), &facts, 0x01a0c000, TEST_LINUX_RIP,
					   0xffffc90000003f00ULL);
}

static void test_setup_inmate(void)
{
	struct vmx_cpu_facts facts = bochs_haswell();

	test_setup_result = vmx_setup_real_mode_vmcs(this_cpu(), &facts, false, TEST_CELL_RESET);
}

static inline void test_running(struct per_cpu *cpu)
{
	cpu->arch.launched = true;
	cpu->arch.guest_ran = true;
	memset(test_vmcs_written, 0, sizeof(test_vmcs_written));
}

/*
 * Root CPU @cpu runs 64-bit Linux as the hypervisor took it over: the VMCS
 * from vmx_setup_vmcs() with Linux's recorded registers, its local APIC at
 * @apic_base (xAPIC or x2APIC mode).  Returns the setup's result.
 */
static inline int test_boot_linux(unsigned int cpu, uint64_t apic_base)
{
	struct per_cpu *this = per_cpu_of(cpu);

	memset(test_vmcs, 0, sizeof(test_vmcs));
	test_cpu_msrs(cpu, apic_base);
	test_xapic[0x20 / 4] = test_apic_ids[cpu] << 24;
	test_xapic[0x30 / 4] = 0x01060015;
	test_xapic[0xd0 / 4] = this->arch.xapic_ldr;
	test_xapic[0xe0 / 4] = this->arch.xapic_dfr;
	test_on_cpu(cpu, test_setup_linux);
	apic_record_xapic_state(this);
	test_running(this);
	return test_setup_result;
}

/* Cell CPU @cpu at its first instruction: real mode at the reset address, x2APIC on. */
static inline int test_boot_inmate(unsigned int cpu)
{
	memset(test_vmcs, 0, sizeof(test_vmcs));
	test_cpu_msrs(cpu, TEST_BASE_X2APIC);
	test_on_cpu(cpu, test_setup_inmate);
	test_running(per_cpu_of(cpu));
	return test_setup_result;
}

/* ---- One VM exit, as the CPU reports it ---- */

struct test_exit {
	uint32_t reason;
	uint64_t qualification;
	uint32_t length;		/* VM-exit instruction length */
	uint32_t interruption;		/* VM-exit interruption information */
	uint32_t interruption_error;
	uint32_t vectoring;		/* IDT-vectoring information */
	uint32_t vectoring_error;
	uint64_t guest_physical;
};

static struct guest_registers test_regs;

static void test_handle_exit(void)
{
	vmx_handle_exit(&test_regs);
}

/*
 * Makes CPU @cpu exit as @exit says, with the guest's general registers
 * in test_regs, and runs vmx_handle_exit() on its stack.  The VMCS before
 * the exit is kept in test_vmcs_before.
 */
static inline enum test_outcome test_exit(unsigned int cpu, struct test_exit exit)
{
	test_vmcs[VMCS_EXIT_REASON] = exit.reason;
	test_vmcs[VMCS_EXIT_QUALIFICATION] = exit.qualification;
	test_vmcs[VMCS_EXIT_INSTRUCTION_LENGTH] = exit.length;
	test_vmcs[VMCS_EXIT_INTERRUPTION_INFO] = exit.interruption;
	test_vmcs[VMCS_EXIT_INTERRUPTION_ERROR_CODE] = exit.interruption_error;
	test_vmcs[VMCS_IDT_VECTORING_INFO] = exit.vectoring;
	test_vmcs[VMCS_IDT_VECTORING_ERROR_CODE] = exit.vectoring_error;
	test_vmcs[VMCS_GUEST_PHYSICAL_ADDRESS] = exit.guest_physical;
	/* Every exit clears the valid bit of entry interruption info (SDM Vol. 3C, 24.8.3). */
	test_vmcs[VMCS_ENTRY_INTERRUPTION_INFO] &= ~(uint64_t)INTERRUPTION_VALID;
	memcpy(test_vmcs_before, test_vmcs, sizeof(test_vmcs));
	memset(test_vmcs_written, 0, sizeof(test_vmcs_written));
	test_msr_write_count = test_ipi_count = test_post_count = test_xapic_write_count = 0;
	test_dr6_writes = 0;
	return test_on_cpu(cpu, test_handle_exit);
}

/* ---- What the next VM entry does ---- */

static inline uint32_t entry_info(void)
{
	return (uint32_t)test_vmcs[VMCS_ENTRY_INTERRUPTION_INFO];
}

/*
 * The next entry injects @vector as @type, with @error_code or without
 * one (NO_ERROR_CODE), and with no reserved bit set (SDM Vol. 3C, 24.8.3).
 */
static inline bool injects(unsigned int type, unsigned int vector, int64_t error_code)
{
	uint32_t info = entry_info();
	bool ok = (info & INTERRUPTION_VALID) && INTERRUPTION_TYPE(info) == type &&
		  INTERRUPTION_VECTOR(info) == vector && !(info & 0x7ffff000);

	if (error_code == NO_ERROR_CODE)
		ok = ok && !(info & INTERRUPTION_ERROR_CODE);
	else
		ok = ok && (info & INTERRUPTION_ERROR_CODE) &&
		     test_vmcs[VMCS_ENTRY_EXCEPTION_ERROR_CODE] == (uint64_t)error_code;
	if (!ok)
		fprintf(stderr, "  entry injects 0x%x, error code 0x%lx\n", info,
			test_vmcs[VMCS_ENTRY_EXCEPTION_ERROR_CODE]);
	return ok;
}

static inline bool injects_nothing(void)
{
	if (entry_info() & INTERRUPTION_VALID)
		fprintf(stderr, "  entry injects 0x%x\n", entry_info());
	return !(entry_info() & INTERRUPTION_VALID);
}

static inline uint64_t rip_moved(void)
{
	return test_vmcs[VMCS_GUEST_RIP] - test_vmcs_before[VMCS_GUEST_RIP];
}

static inline bool unchanged(uint32_t field)
{
	return test_vmcs[field] == test_vmcs_before[field];
}

/* A refused instruction: #GP as the guest's mode has it, nothing else changed, RIP still on it. */
static inline bool refused(int64_t error_code)
{
	return injects(INTERRUPTION_TYPE_HARDWARE, VECTOR_GP, error_code) && rip_moved() == 0 &&
	       unchanged(VMCS_GUEST_CR0) && unchanged(VMCS_CR0_READ_SHADOW) &&
	       unchanged(VMCS_GUEST_CR4) && unchanged(VMCS_GUEST_EFER) &&
	       unchanged(VMCS_GUEST_PAT) && unchanged(VMCS_GUEST_DEBUGCTL) &&
	       unchanged(VMCS_ENTRY_CONTROLS) && !test_entry_problem();
}

/* Done: RIP past the instruction (@length bytes), nothing injected, the entry checks pass. */
static inline bool completed(uint64_t length)
{
	return rip_moved() == length && injects_nothing() && !test_entry_problem();
}

/* ---- Exits ---- */

static inline enum test_outcome rdmsr(unsigned int cpu, uint32_t msr)
{
	test_regs.rcx = msr;
	test_regs.rax = test_regs.rdx = 0xdeadbeef;
	return test_exit(cpu, (struct test_exit){ .reason = EXIT_RDMSR, .length = 2 });
}

static inline enum test_outcome wrmsr(unsigned int cpu, uint32_t msr, uint64_t value)
{
	test_regs.rcx = msr;
	test_regs.rax = (uint32_t)value;
	test_regs.rdx = value >> 32;
	return test_exit(cpu, (struct test_exit){ .reason = EXIT_WRMSR, .length = 2 });
}

/* MOV CR@cr, RAX (0f 22 /r): qualification of SDM Vol. 3C, table 27-3. */
static inline enum test_outcome mov_to_cr(unsigned int cpu, unsigned int cr, uint64_t value)
{
	test_regs.rax = value;
	return test_exit(cpu, (struct test_exit){ .reason = EXIT_CR_ACCESS, .qualification = cr,
						  .length = 3 });
}

static inline enum test_outcome lmsw(unsigned int cpu, uint16_t source)
{
	return test_exit(cpu, (struct test_exit){ .reason = EXIT_CR_ACCESS,
						  .qualification = (3U << 4) |
								   ((uint64_t)source << 16),
						  .length = 3 });
}

/* An exit whose handler injects nothing itself: what goes in is the interrupted event. */
static inline enum test_outcome exit_during_delivery(unsigned int cpu, uint32_t vectoring,
						     uint32_t error_code, uint32_t length)
{
	return test_exit(cpu, (struct test_exit){ .reason = EXIT_PREEMPTION_TIMER, .length = length,
						  .vectoring = vectoring,
						  .vectoring_error = error_code });
}

static inline uint32_t event(unsigned int type, unsigned int vector)
{
	return INTERRUPTION_VALID | (type << INTERRUPTION_TYPE_SHIFT) | vector;
}

static inline void set_segment(enum segment_index index, uint16_t selector, uint32_t access_rights)
{
	write_segment(index, selector, 0, 0xffffffff, access_rights);
}

/*
 * The inmate after its 32-bit boot code: a MOV to CR0 that sets PE
 * (exits, since PE is the hypervisor's), then a far jump to flat 32-bit
 * segments of its own GDT (no exit).
 */
static inline void boot_protected_inmate(void)
{
	static const enum segment_index data[] = { SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };
	unsigned int i;

	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(mov_to_cr(CELL_CPU, 0, CR0_INMATE_PE) == TEST_RESUMED && completed(3));
	set_segment(SEG_CS, 0x08, 0xc09b);
	for (i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		set_segment(data[i], 0x10, 0xc093);
	vmcs_write_natural(VMCS_GUEST_GDTR_BASE, 0x1000);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0x17);
	CHECK(!test_entry_problem());
}

static inline void boot_linux(uint64_t apic_base)
{
	CHECK(test_boot_linux(ROOT_CPU, apic_base) == 0);
}

#define XAPIC_FIXMAP	0xffffffffff5fd000ULL

static inline enum test_outcome xapic_access(unsigned int cpu, unsigned int offset,
					     const uint8_t *bytes, unsigned int length)
{
	if (length)
		memcpy(test_instruction, bytes, length);
	test_instruction_length = length;
	return test_exit(cpu, (struct test_exit){ .reason = EXIT_EPT_VIOLATION,
						  .qualification = 0x181,
						  .guest_physical = APIC_DEFAULT_PHYS + offset });
}

#define XAPIC_ACCESS(cpu, offset, ...) \
	xapic_access(cpu, offset, (const uint8_t[]){ __VA_ARGS__ }, \
		     sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* Linux's xAPIC accessors: mov %edx, and mov into %eax, at the fixmap address of @offset. */
static inline enum test_outcome xapic_write(unsigned int cpu, unsigned int offset, uint32_t value)
{
	test_regs.rdx = value;
	return XAPIC_ACCESS(cpu, offset, 0x89, 0x14, 0x25, offset & 0xff, 0xd0 | (offset >> 8),
			    0x5f, 0xff);
}

static inline uint64_t xapic_read(unsigned int cpu, unsigned int offset)
{
	test_regs.rax = ~0ULL;
	if (XAPIC_ACCESS(cpu, offset, 0x8b, 0x04, 0x25, offset & 0xff, 0xd0 | (offset >> 8),
			 0x5f, 0xff) != TEST_RESUMED)
		return ~0ULL;
	return test_regs.rax;
}

/*
 * A test of what the SDM requires and today's code does not do.  It runs
 * and shows its failures without failing the suite; once it passes it
 * does fail it, until KNOWN_BUG() becomes RUN().
 */
#define KNOWN_BUG(test) known_bug_run(#test, test)

static inline void known_bug_run(const char *name, void (*test)(void))
{
	unit_current_failed = 0;
	test();
	if (unit_current_failed) {
		fprintf(stderr, "KNOWN BUG %s: fails, as expected until it is fixed\n", name);
		return;
	}
	unit_failed++;
	fprintf(stderr, "FAIL %s: passes now; run it with RUN()\n", name);
}

#endif
