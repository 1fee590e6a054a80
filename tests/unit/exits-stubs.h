/* SPDX-License-Identifier: GPL-2.0 */
/* exits.c, vmcs-setup.c and apic-emul.c on the host: a fake VMCS, fake MSRs, recorded CPUs. */
#ifndef BULKHEAD_TEST_EXITS_STUBS_H
#define BULKHEAD_TEST_EXITS_STUBS_H

/* The instruction wrappers of asm/processor.h become the functions below. */
#define BULKHEAD_HOST_TEST 1
#define _GNU_SOURCE 1

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include "../../hypervisor/arch/x86/exits.c"
#include "../../hypervisor/arch/x86/vmcs-setup.c"
#include "../../hypervisor/arch/x86/apic-emul.c"
#include "../../hypervisor/arch/x86/cache-type.c"
#include "../../hypervisor/printk.c"

/*
 * The machine: CPUs 0 and 1 run Linux (the root cell), CPUs 2 and 3 a
 * cell's inmate.  The APIC IDs are sparse so that x2APIC logical IDs
 * (SDM Vol. 3A, 10.12.10.2: cluster = ID bits 31:4, one bit for ID bits
 * 3:0) put CPUs 0-2 in cluster 0 and CPU 3 alone in cluster 1.
 */
#define TEST_CPUS		4
#define TEST_ROOT_CPUS		0x3ULL
#define TEST_CELL_CPUS		0xcULL
static const uint32_t test_apic_ids[TEST_CPUS] = { 0x00, 0x01, 0x02, 0x10 };

/* Linux's PAT (WB, WC, UC-, UC, WB, WP, UC-, WT) and EFER (SCE, LME, LMA, NXE). */
#define TEST_LINUX_PAT		0x0407050600070106ULL
#define TEST_LINUX_EFER		0xd01ULL
#define TEST_LINUX_CR0		0x80050033ULL	/* PG AM WP NE ET MP PE */
#define TEST_LINUX_CR4		0x3606f0ULL
#define TEST_HOST_CR4		(TEST_LINUX_CR4 | CR4_VMXE)
#define TEST_LINUX_RIP		0xffffffffc0a01234ULL
#define TEST_CELL_RESET		0xfff0ULL

/* IA32_APIC_BASE values (SDM Vol. 3A, 10.12.1): enabled, xAPIC or x2APIC, BSP or not. */
#define TEST_BASE_XAPIC		(APIC_DEFAULT_PHYS | APIC_BASE_ENABLE)
#define TEST_BASE_X2APIC	(TEST_BASE_XAPIC | APIC_BASE_X2APIC)

/* ---- What the files use from the rest of the hypervisor ---- */

struct bulkhead_image_header image_header = { .max_cpus = TEST_CPUS };
struct cell root_cell;
uint8_t *public_area;
struct idt_gate arch_idt[IDT_VECTORS];

static struct per_cpu test_cpus[TEST_CPUS] __attribute__((aligned(PERCPU_SIZE)));
static uint8_t test_public[BULKHEAD_PUBLIC_SIZE(TEST_CPUS)] __attribute__((aligned(4096)));
static struct cell test_cell;
static struct bulkhead_cell test_root_desc, test_cell_desc;
static uint64_t test_root_set = TEST_ROOT_CPUS | TEST_CELL_CPUS, test_cell_set = TEST_CELL_CPUS;
static struct bulkhead_comm_region test_comm;
static uint8_t test_bitmaps[6][4096] __attribute__((aligned(4096)));

/* Everything printk() formatted since the last reset, line after line. */
static char test_log[8192];

void printk(const char *format, ...)
{
	size_t used = strlen(test_log);
	va_list args;

	va_start(args, format);
	format_string(test_log + used, sizeof(test_log) - used, format, args);
	va_end(args);
}

int trace_error_at(int code, const char *file, unsigned int line)
{
	(void)file;
	(void)line;
	return code;
}

/* Physical addresses inside the 46 bits the VM-entry checks allow, page offsets kept. */
uint64_t virt_to_phys(const void *address)
{
	return (uint64_t)(uintptr_t)address & 0xfffffffffULL;
}

struct per_cpu *per_cpu_of(unsigned int cpu)
{
	return &test_cpus[cpu];
}

void vmx_exit_entry(void)
{
}

/* ---- The fake VMCS: one value per field encoding ---- */

#define TEST_VMCS_FIELDS	0x7000

static uint64_t test_vmcs[TEST_VMCS_FIELDS], test_vmcs_before[TEST_VMCS_FIELDS];
static bool test_vmcs_written[TEST_VMCS_FIELDS];
/* VMWRITEs the CPU would fail: unknown or read-only fields (SDM Vol. 3C, 30.3, VMWRITE). */
static unsigned int test_vmcs_bad_writes;

void vmcs_write(uint32_t field, uint64_t value)
{
	if (field >= TEST_VMCS_FIELDS || VMCS_FIELD_READ_ONLY(field)) {
		test_vmcs_bad_writes++;
		return;
	}
	if (VMCS_FIELD_WIDTH(field) == VMCS_WIDTH_16)
		value &= 0xffff;
	else if (VMCS_FIELD_WIDTH(field) == VMCS_WIDTH_32)
		value &= 0xffffffff;
	test_vmcs[field] = value;
	test_vmcs_written[field] = true;
}

uint64_t vmcs_read(uint32_t field)
{
	return field < TEST_VMCS_FIELDS ? test_vmcs[field] : 0;
}

/* ---- Fake MSRs of the CPU that exits ---- */

struct test_msr {
	uint32_t msr;
	uint64_t value;
	uint64_t reserved;	/* a write with one of these bits set raises #GP */
	bool read_only, write_only;
};

struct test_msr_write {
	uint32_t msr;
	uint64_t value;
	bool safe;		/* msr_write_safe(), else write_msr() */
	bool faulted;
};

#define TEST_MSRS		64
#define TEST_MSR_WRITES		64

static struct test_msr test_msrs[TEST_MSRS];
static unsigned int test_msr_count;
static struct test_msr_write test_msr_writes[TEST_MSR_WRITES];
static unsigned int test_msr_write_count;
/* RDMSR or WRMSR without a fixup that would raise #GP: a crash of the hypervisor. */
static unsigned int test_raw_msr_faults;

static struct test_msr *test_msr_find(uint32_t msr)
{
	unsigned int i;

	for (i = 0; i < test_msr_count; i++)
		if (test_msrs[i].msr == msr)
			return &test_msrs[i];
	return NULL;
}

static inline struct test_msr *test_msr_add(uint32_t msr, uint64_t value)
{
	struct test_msr *entry = test_msr_find(msr);

	if (!entry && test_msr_count < TEST_MSRS) {
		entry = &test_msrs[test_msr_count++];
		*entry = (struct test_msr){ .msr = msr };
	}
	if (entry)
		entry->value = value;
	return entry;
}

static inline uint64_t test_msr_value(uint32_t msr)
{
	struct test_msr *entry = test_msr_find(msr);

	return entry ? entry->value : 0;
}

static bool test_msr_read(uint32_t msr, uint64_t *value)
{
	struct test_msr *entry = test_msr_find(msr);

	if (!entry || entry->write_only)
		return false;
	*value = entry->value;
	return true;
}

static bool test_msr_write(uint32_t msr, uint64_t value, bool safe)
{
	struct test_msr *entry = test_msr_find(msr);
	bool ok = entry && !entry->read_only && !(value & entry->reserved);

	if (test_msr_write_count < TEST_MSR_WRITES)
		test_msr_writes[test_msr_write_count++] =
			(struct test_msr_write){ msr, value, safe, !ok };
	if (ok)
		entry->value = value;
	return ok;
}

bool msr_read_safe(uint32_t msr, uint64_t *value)
{
	return test_msr_read(msr, value);
}

bool msr_write_safe(uint32_t msr, uint64_t value)
{
	return test_msr_write(msr, value, true);
}

uint64_t read_msr(uint32_t msr)
{
	uint64_t value = 0;

	if (!test_msr_read(msr, &value))
		test_raw_msr_faults++;
	return value;
}

void write_msr(uint32_t msr, uint64_t value)
{
	if (!test_msr_write(msr, value, false))
		test_raw_msr_faults++;
}

/* How many writes reached @msr (faulted ones too), and the last value written. */
static inline unsigned int test_msr_writes_to(uint32_t msr, uint64_t *last)
{
	unsigned int i, writes = 0;

	for (i = 0; i < test_msr_write_count; i++)
		if (test_msr_writes[i].msr == msr) {
			writes++;
			if (last)
				*last = test_msr_writes[i].value;
		}
	return writes;
}

static uint64_t test_xcr0 = 1;

bool xsetbv_safe(uint32_t index, uint64_t value)
{
	/* XCR0 only, x87 always on; SDM Vol. 2C, XSETBV. */
	if (index != 0 || !(value & 1))
		return false;
	test_xcr0 = value;
	return true;
}

/* ---- Registers and instructions of the CPU (asm/processor.h under BULKHEAD_HOST_TEST) ---- */

static unsigned int test_dr6_writes;
static uint64_t test_dr6;

struct cpuid_result cpuid(uint32_t leaf, uint32_t subleaf)
{
	(void)subleaf;
	if (leaf == 1)	/* Haswell, as the test machine's CPU model reports it */
		return (struct cpuid_result){ 0x000306c3, 0x00010800, 0x7ffafbbf, 0xbfebfbff };
	if (leaf == 0)
		return (struct cpuid_result){ 0xd, 0x756e6547, 0x6c65746e, 0x49656e69 };
	return (struct cpuid_result){ 0, 0, 0, 0 };
}

static uint64_t test_tsc;

uint64_t read_tsc(void)
{
	return test_tsc += 100;
}

uint64_t arch_read_timestamp(void)
{
	return read_tsc();
}

uint64_t read_cr0(void)
{
	return TEST_LINUX_CR0;
}

void write_cr0(uint64_t value)
{
	(void)value;
}

uint64_t read_cr3(void)
{
	return 0x01004000;
}

uint64_t read_cr4(void)
{
	return TEST_HOST_CR4;
}

void write_cr4(uint64_t value)
{
	(void)value;
}

static const struct descriptor_table test_linux_gdtr = { 0x7f, 0xfffffe0000001000ULL };
static const struct descriptor_table test_linux_idtr = { 0xfff, 0xfffffe0000000000ULL };

struct descriptor_table read_gdtr(void)
{
	return test_linux_gdtr;
}

struct descriptor_table read_idtr(void)
{
	return test_linux_idtr;
}

void load_gdtr(const struct descriptor_table *table)
{
	(void)table;
}

void load_idtr(const struct descriptor_table *table)
{
	(void)table;
}

void load_code_and_stack_segments(uint16_t cs, uint16_t ss)
{
	(void)cs;
	(void)ss;
}

uint64_t read_dr7(void)
{
	return 0x400;
}

void write_dr7(uint64_t value)
{
	(void)value;
}

uint64_t read_dr6(void)
{
	return test_dr6;
}

void write_dr6(uint64_t value)
{
	test_dr6 = value;
	test_dr6_writes++;
}

uint64_t read_rflags(void)
{
	return 0x46;	/* ZF PF, interrupts off: Linux at the entry call */
}

/*
 * exits.c runs WBINVD itself for the root cell.  In user mode the
 * instruction raises #GP, which arrives here: counted and stepped over,
 * so the test sees that the real instruction ran.  Anything else that
 * faults ends the test as a crash.
 */
static unsigned int test_wbinvd_runs, test_invd_runs;

static void test_privileged_instruction(int signal, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;
	const uint8_t *rip = (const uint8_t *)uc->uc_mcontext.gregs[REG_RIP];

	(void)info;
	if (rip[0] == 0x0f && (rip[1] == 0x09 || rip[1] == 0x08)) {
		if (rip[1] == 0x09)
			test_wbinvd_runs++;
		else
			test_invd_runs++;
		uc->uc_mcontext.gregs[REG_RIP] += 2;
		return;
	}
	sigaction(signal, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
}

static inline void test_trap_privileged_instructions(void)
{
	static uint8_t alternate[65536];
	struct sigaction action = { .sa_sigaction = test_privileged_instruction,
				    .sa_flags = SA_SIGINFO | SA_ONSTACK };
	stack_t stack = { .ss_sp = alternate, .ss_size = sizeof(alternate) };

	sigaltstack(&stack, NULL);
	sigaction(SIGSEGV, &action, NULL);
}

/* ---- The local APIC and the other CPUs, recorded ---- */

struct test_ipi {
	uint32_t destination, low, icr_high_after;
};

struct test_post {
	unsigned int cpu;
	uint32_t bits;
};

#define TEST_LOG_SIZE	16

static struct test_ipi test_ipis[TEST_LOG_SIZE];
static unsigned int test_ipi_count;
static struct test_post test_posts[TEST_LOG_SIZE];
static unsigned int test_post_count;
/* The hardware xAPIC page of the exiting CPU, and the writes that reached it. */
static uint32_t test_xapic[1024];
static struct { unsigned int offset; uint32_t value; } test_xapic_writes[TEST_LOG_SIZE];
static unsigned int test_xapic_write_count;

void apic_send(uint32_t destination, uint32_t low, uint32_t icr_high_after)
{
	if (test_ipi_count < TEST_LOG_SIZE)
		test_ipis[test_ipi_count] = (struct test_ipi){ destination, low, icr_high_after };
	test_ipi_count++;
}

bool apic_in_x2apic_mode(void)
{
	return read_msr(MSR_APIC_BASE) & APIC_BASE_X2APIC;
}

uint32_t apic_xapic_read(unsigned int offset)
{
	return test_xapic[offset / 4];
}

void apic_xapic_write(unsigned int offset, uint32_t value)
{
	if (test_xapic_write_count < TEST_LOG_SIZE) {
		test_xapic_writes[test_xapic_write_count].offset = offset;
		test_xapic_writes[test_xapic_write_count].value = value;
	}
	test_xapic_write_count++;
	test_xapic[offset / 4] = value;
}

/* As control.c's, without the NMI that carries the work (the target is not running here). */
void post_work(unsigned int cpu, uint32_t bits)
{
	if (test_post_count < TEST_LOG_SIZE)
		test_posts[test_post_count] = (struct test_post){ cpu, bits };
	test_post_count++;
	__atomic_or_fetch(&per_cpu_of(cpu)->arch.pending, bits, __ATOMIC_SEQ_CST);
}

bool control_nmi_arrived(struct per_cpu *cpu)
{
	cpu->arch.nmis++;
	return __atomic_exchange_n(&cpu->arch.nmi_in_flight, 0, __ATOMIC_SEQ_CST);
}

bool control_cell_held(const struct cell *cell)
{
	return cell != &root_cell && cell->arch.held;
}

static unsigned int test_requests_handled, test_nmis_unblocked, test_l1d_flushes;
static unsigned int test_vmclears, test_invepts;

void vmx_handle_requests(struct per_cpu *cpu)
{
	(void)cpu;
	test_requests_handled++;
}

void arch_unblock_nmis(void)
{
	test_nmis_unblocked++;
}

void vmx_flush_l1d_if_needed(const struct per_cpu *cpu)
{
	(void)cpu;
	test_l1d_flushes++;
}

void vmx_invept(uint64_t ept_pointer)
{
	(void)ept_pointer;
	test_invepts++;
}

void vmx_clear_current(struct per_cpu *cpu)
{
	(void)cpu;
	test_vmclears++;
}

void vmx_dump_guest_state(const struct per_cpu *cpu)
{
	(void)cpu;
}

/* No IOAPIC here: its emulation (ioapic.c) has its own tests (test_ioapic.c covers its rules). */
bool ioapic_page_of_cell(const struct cell *cell, uint64_t guest_phys)
{
	(void)cell;
	(void)guest_phys;
	return false;
}

bool ioapic_emulate(struct per_cpu *cpu, uint64_t guest_phys, unsigned int size, bool write,
		    uint64_t *value)
{
	(void)cpu;
	(void)guest_phys;
	(void)size;
	(void)write;
	(void)value;
	return false;
}

/* The instruction bytes at the guest's RIP, as guest-memory.c would fetch them. */
static uint8_t test_instruction[MMIO_MAX_INSTRUCTION];
static unsigned int test_instruction_length;

unsigned int guest_fetch_instruction(struct per_cpu *cpu, uint8_t *bytes, unsigned int size)
{
	unsigned int length = test_instruction_length < size ? test_instruction_length : size;

	(void)cpu;
	memcpy(bytes, test_instruction, length);
	return length;
}

/* Guest RAM for the few reads that are not instructions: one page at test_guest_page_phys. */
static uint8_t test_guest_page[4096];
static uint64_t test_guest_page_phys = 0x2000;

bool guest_read_phys(struct per_cpu *cpu, uint64_t guest_phys, void *buffer, size_t size)
{
	(void)cpu;
	if (guest_phys < test_guest_page_phys ||
	    guest_phys + size > test_guest_page_phys + sizeof(test_guest_page))
		return false;
	memcpy(buffer, test_guest_page + (guest_phys - test_guest_page_phys), size);
	return true;
}

static unsigned int test_hypercalls;

int64_t hypercall(struct per_cpu *cpu, uint64_t code, uint64_t arg1, uint64_t arg2)
{
	(void)cpu;
	(void)arg1;
	(void)arg2;
	test_hypercalls++;
	return (int64_t)code + 100;
}

/* ---- Running on a CPU: its own stack, so that this_cpu() finds it ---- */

/* How the exit ended: back into the guest, or one of the ways that do not return. */
enum test_outcome {
	TEST_RESUMED,
	TEST_PARKED,		/* vmx_park(): a root CPU stopped for good */
	TEST_WAITING,		/* arch_cpu_wait(): out of the guest, answering requests */
	TEST_FIRST_ENTRY_ABORTED,
};

static jmp_buf test_jump;
static enum test_outcome test_outcome;
static char test_park_reason[128];
static ucontext_t test_caller_context, test_cpu_context;
static void (*test_call)(void);

static void __attribute__((noreturn)) test_leave(enum test_outcome outcome)
{
	test_outcome = outcome;
	longjmp(test_jump, 1);
}

void vmx_park(struct per_cpu *cpu, const char *why)
{
	cpu->arch.parked = true;
	snprintf(test_park_reason, sizeof(test_park_reason), "%s", why);
	test_leave(TEST_PARKED);
}

void arch_cpu_wait(struct per_cpu *cpu)
{
	(void)cpu;
	test_leave(TEST_WAITING);
}

void vmx_abort_first_entry(struct per_cpu *cpu, uint32_t reason, uint64_t qualification)
{
	(void)cpu;
	(void)reason;
	(void)qualification;
	test_leave(TEST_FIRST_ENTRY_ABORTED);
}

static void test_cpu_entry(void)
{
	if (!setjmp(test_jump)) {
		test_call();
		test_outcome = TEST_RESUMED;
	}
}

static inline enum test_outcome test_on_cpu(unsigned int cpu, void (*call)(void))
{
	test_call = call;
	getcontext(&test_cpu_context);
	test_cpu_context.uc_stack.ss_sp = test_cpus[cpu].stack;
	test_cpu_context.uc_stack.ss_size = sizeof(test_cpus[cpu].stack);
	test_cpu_context.uc_link = &test_caller_context;
	makecontext(&test_cpu_context, test_cpu_entry, 0);
	swapcontext(&test_caller_context, &test_cpu_context);
	return test_outcome;
}

#endif
