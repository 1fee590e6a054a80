// SPDX-License-Identifier: GPL-2.0
/* Host tests of the real APIC exits (apic-emul.c through exits.c): IPIs, LVTs, APIC base. */
#include "exits-machine.h"

#define OTHER_ROOT_CPU	1
#define SIBLING_CPU	3	/* the cell's other CPU, APIC ID 0x10: x2APIC cluster 1 */

/* ICR fields (SDM Vol. 3A, 10.6.1, figure 10-12; 10.12.9 for x2APIC). */
#define FIXED(vector)	(0x4000U | (vector))	/* edge, assert */
#define ICR_LOWEST(vector) (0x4100U | (vector))
#define ICR_SMI		0x4200U
#define ICR_RESERVED_3	0x4300U
#define ICR_NMI		0x4400U
#define ICR_INIT	0x4500U
#define ICR_INIT_DEASSERT 0x8500U		/* level, de-assert */
#define ICR_SIPI(vector) (0x4600U | (vector))
#define LOGICAL		(1U << 11)
#define TO_SELF		(1U << 18)
#define TO_ALL		(2U << 18)
#define TO_OTHERS	(3U << 18)
#define X2APIC_TO(destination)	((uint64_t)(destination) << 32)

/* x2APIC LVT MSRs (SDM Vol. 3A, 10.12.1.2, table 10-6) and delivery modes (10.5.1). */
#define LVT_CMCI	0x82f
#define LVT_TIMER	0x832
#define LVT_LINT0	0x835
#define LVT_LINT1	0x836
#define LVT_ERROR	0x837
#define LVT_SMI		(2U << 8)
#define LVT_NMI		(4U << 8)
#define LVT_INIT	(5U << 8)
#define LVT_EXTINT	(7U << 8)

static uint64_t events(unsigned int cpu, enum bulkhead_event event)
{
	return per_cpu_of(cpu)->page->events[event];
}

/* The IPIs that went out on the hardware, in order: APIC ID and ICR low. */
static bool sent(unsigned int count, const uint32_t *destinations, uint32_t low)
{
	unsigned int i;
	bool ok = test_ipi_count == count;

	for (i = 0; ok && i < count; i++)
		ok = test_ipis[i].destination == destinations[i] && test_ipis[i].low == low;
	if (!ok)
		for (i = 0; i < test_ipi_count && i < TEST_LOG_SIZE; i++)
			fprintf(stderr, "  IPI to 0x%x: 0x%x\n", test_ipis[i].destination,
				test_ipis[i].low);
	return ok;
}

#define SENT(low, ...) \
	sent(sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t), \
	     (const uint32_t[]){ __VA_ARGS__ }, low)

static bool sent_nothing(void)
{
	return test_ipi_count == 0 && test_post_count == 0;
}

/* Work posted for other CPUs (NMI, INIT, startup), in order: CPU and bits. */
static bool posted(unsigned int count, const unsigned int *cpus, uint32_t bits)
{
	unsigned int i;
	bool ok = test_post_count == count && test_ipi_count == 0;

	for (i = 0; ok && i < count; i++)
		ok = test_posts[i].cpu == cpus[i] && test_posts[i].bits == bits;
	if (!ok)
		for (i = 0; i < test_post_count && i < TEST_LOG_SIZE; i++)
			fprintf(stderr, "  work for CPU %u: 0x%x\n", test_posts[i].cpu,
				test_posts[i].bits);
	return ok;
}

#define POSTED(bits, ...) \
	posted(sizeof((const unsigned int[]){ __VA_ARGS__ }) / sizeof(unsigned int), \
	       (const unsigned int[]){ __VA_ARGS__ }, bits)

/* An x2APIC ICR write, which exits (WRMSR 0x830): never #GP, RIP past it. */
static bool icr(unsigned int cpu, uint64_t value)
{
	return wrmsr(cpu, MSR_X2APIC_ICR, value) == TEST_RESUMED && rip_moved() == 2 &&
	       test_msr_writes_to(MSR_X2APIC_ICR, NULL) == 0;
}

static bool counted(unsigned int cpu, uint64_t dropped, uint64_t refusals)
{
	bool ok = events(cpu, BULKHEAD_EVENT_IPI_DROPPED) == dropped &&
		  events(cpu, BULKHEAD_EVENT_IPI_REFUSED) == refusals;

	if (!ok)
		fprintf(stderr, "  CPU %u: %lu dropped, %lu refused\n", cpu,
			events(cpu, BULKHEAD_EVENT_IPI_DROPPED),
			events(cpu, BULKHEAD_EVENT_IPI_REFUSED));
	return ok;
}

/* ---- x2APIC: a cell's CPU ---- */

static void a_cells_fixed_ipis_reach_only_its_own_cpus(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(icr(CELL_CPU, X2APIC_TO(0x10) | FIXED(0x40)) && SENT(FIXED(0x40), 0x10));
	CHECK(injects_nothing() && counted(CELL_CPU, 0, 0));
	CHECK(icr(CELL_CPU, X2APIC_TO(0) | FIXED(0x40)) && sent_nothing());
	CHECK(counted(CELL_CPU, 1, 1) && injects_nothing());
	CHECK(strstr(test_log, "CPU 2: cell 1: IPI 0x4040 refused: no destination in the cell"));
	/* An ID nobody has names nobody. */
	CHECK(icr(CELL_CPU, X2APIC_TO(0x99) | FIXED(0x40)) && sent_nothing());
	CHECK(counted(CELL_CPU, 1, 1));
	CHECK(icr(CELL_CPU, X2APIC_TO(0xffffffff) | FIXED(0x41)) && SENT(FIXED(0x41), 0x02, 0x10));
	CHECK(counted(CELL_CPU, 3, 1));
	CHECK(test_raw_msr_faults == 0 && test_vmcs_bad_writes == 0);
}

/* x2APIC logical IDs: cluster in bits 31:16, a bit for ID bits 3:0 (SDM Vol. 3A, 10.12.10.2). */
static void x2apic_logical_destinations_are_the_sdms(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	/* Cluster 0, every bit: APIC IDs 0, 1 and 2; only ID 2 is the cell's. */
	CHECK(icr(CELL_CPU, X2APIC_TO(0x0000ffff) | LOGICAL | FIXED(0x50)) &&
	      SENT(FIXED(0x50), 0x02) && counted(CELL_CPU, 2, 0));
	CHECK(icr(CELL_CPU, X2APIC_TO(0x00000004) | LOGICAL | FIXED(0x50)) &&
	      SENT(FIXED(0x50), 0x02) && counted(CELL_CPU, 2, 0));
	/* Cluster 1, bit 0: APIC ID 0x10. */
	CHECK(icr(CELL_CPU, X2APIC_TO(0x00010001) | LOGICAL | FIXED(0x51)) &&
	      SENT(FIXED(0x51), 0x10) && counted(CELL_CPU, 2, 0));
	/* Cluster 0, bits 0 and 1: Linux's CPUs only. */
	CHECK(icr(CELL_CPU, X2APIC_TO(0x00000003) | LOGICAL | FIXED(0x52)) && sent_nothing() &&
	      counted(CELL_CPU, 4, 1));
	/* Linux in x2APIC cluster mode: APIC ID 0x10 is not one of its CPUs. */
	CHECK(test_boot_linux(ROOT_CPU, TEST_BASE_X2APIC) == 0);
	CHECK(icr(ROOT_CPU, X2APIC_TO(0x00010001) | LOGICAL | FIXED(0xfd)) && sent_nothing() &&
	      counted(ROOT_CPU, 1, 1));
	CHECK(icr(ROOT_CPU, X2APIC_TO(0x0000ffff) | LOGICAL | FIXED(0xfd)) &&
	      SENT(FIXED(0xfd), 0x00, 0x01) && counted(ROOT_CPU, 2, 1));
}

static void shorthands_stay_in_the_senders_cell(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(icr(CELL_CPU, TO_SELF | FIXED(0x60)) && SENT(FIXED(0x60), 0x02));
	CHECK(icr(CELL_CPU, TO_ALL | FIXED(0x61)) && SENT(FIXED(0x61), 0x02, 0x10));
	CHECK(counted(CELL_CPU, 2, 0));
	CHECK(icr(CELL_CPU, TO_OTHERS | FIXED(0x62)) && SENT(FIXED(0x62), 0x10));
	CHECK(counted(CELL_CPU, 4, 0));
	/* Linux's broadcasts (TLB shootdowns, function calls) reach its other CPU only. */
	CHECK(test_boot_linux(ROOT_CPU, TEST_BASE_X2APIC) == 0);
	CHECK(icr(ROOT_CPU, TO_OTHERS | FIXED(0xfb)) && SENT(FIXED(0xfb), 0x01));
	CHECK(counted(ROOT_CPU, 2, 0) && counted(CELL_CPU, 4, 0));
	CHECK(icr(ROOT_CPU, X2APIC_TO(0xffffffff) | FIXED(0xfb)) && SENT(FIXED(0xfb), 0x00, 0x01));
	CHECK(counted(ROOT_CPU, 4, 0));
}

static void a_cells_nmi_init_and_startup_stay_in_the_cell(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(icr(CELL_CPU, X2APIC_TO(0x10) | ICR_NMI) && POSTED(PENDING_GUEST_NMI, SIBLING_CPU));
	CHECK(icr(CELL_CPU, TO_OTHERS | ICR_NMI) && POSTED(PENDING_GUEST_NMI, SIBLING_CPU));
	CHECK(counted(CELL_CPU, 2, 0));
	/* NMI to all including self is not a valid combination (SDM Vol. 3A, 10.6.1). */
	CHECK(icr(CELL_CPU, TO_ALL | ICR_NMI) && sent_nothing() && counted(CELL_CPU, 6, 1));
	CHECK(icr(CELL_CPU, X2APIC_TO(0x10) | ICR_INIT) && POSTED(PENDING_CELL_INIT, SIBLING_CPU));
	CHECK(icr(CELL_CPU, X2APIC_TO(0x10) | ICR_INIT_DEASSERT) && sent_nothing());
	CHECK(icr(CELL_CPU, X2APIC_TO(0x10) | ICR_SIPI(0x9a)) &&
	      POSTED(PENDING_CELL_SIPI, SIBLING_CPU));
	CHECK(per_cpu_of(SIBLING_CPU)->arch.sipi_vector == 0x9a);
	CHECK(counted(CELL_CPU, 6, 1));
	/* A held cell (being stopped) starts nobody. */
	test_cell.arch.held = true;
	CHECK(icr(CELL_CPU, X2APIC_TO(0x10) | ICR_SIPI(0x9b)) && sent_nothing());
	CHECK(per_cpu_of(SIBLING_CPU)->arch.sipi_vector == 0x9a);
	test_cell.arch.held = false;
	/* Nothing for Linux's CPUs, and never SMI or a reserved mode. */
	CHECK(icr(CELL_CPU, X2APIC_TO(0) | ICR_INIT) && sent_nothing());
	CHECK(icr(CELL_CPU, X2APIC_TO(0) | ICR_NMI) && sent_nothing());
	CHECK(icr(CELL_CPU, X2APIC_TO(0x10) | ICR_SMI) && sent_nothing());
	CHECK(icr(CELL_CPU, X2APIC_TO(0x10) | ICR_RESERVED_3) && sent_nothing());
	CHECK(icr(CELL_CPU, X2APIC_TO(0xffff) | LOGICAL | ICR_LOWEST(0x70)) && sent_nothing());
	CHECK(counted(CELL_CPU, 6 + 1 + 1 + 1 + 1 + 3, 6));
	CHECK(per_cpu_of(ROOT_CPU)->arch.pending == 0);
	CHECK(per_cpu_of(OTHER_ROOT_CPU)->arch.pending == 0);
}

/* An NMI a CPU sends itself by its own ID goes into its guest at this very entry. */
static void an_nmi_to_self_is_injected_at_once(void)
{
	test_reset();
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(icr(CELL_CPU, X2APIC_TO(0x02) | ICR_NMI) && POSTED(PENDING_GUEST_NMI, CELL_CPU));
	CHECK(injects(INTERRUPTION_TYPE_NMI, 2, NO_ERROR_CODE) && !test_entry_problem());
	CHECK(!(per_cpu_of(CELL_CPU)->arch.pending & PENDING_GUEST_NMI));
}

/* ---- x2APIC: Linux ---- */

static void linux_nmi_init_and_startup_stay_with_linux(void)
{
	test_reset();
	CHECK(test_boot_linux(ROOT_CPU, TEST_BASE_X2APIC) == 0);
	CHECK(icr(ROOT_CPU, X2APIC_TO(0x01) | ICR_INIT) &&
	      POSTED(PENDING_ROOT_INIT, OTHER_ROOT_CPU));
	CHECK(icr(ROOT_CPU, X2APIC_TO(0x01) | ICR_SIPI(0x9a)) &&
	      POSTED(PENDING_ROOT_SIPI, OTHER_ROOT_CPU));
	CHECK(per_cpu_of(OTHER_ROOT_CPU)->arch.sipi_vector == 0x9a);
	/* Onlining a cell's CPU from Linux: INIT and startup IPI are dropped. */
	CHECK(icr(ROOT_CPU, X2APIC_TO(0x02) | ICR_INIT) && sent_nothing());
	CHECK(icr(ROOT_CPU, X2APIC_TO(0x02) | ICR_SIPI(0x9a)) && sent_nothing());
	CHECK(per_cpu_of(CELL_CPU)->arch.pending == 0);
	CHECK(per_cpu_of(CELL_CPU)->arch.sipi_vector == 0);
	CHECK(counted(ROOT_CPU, 2, 2));
	/* NMI to cluster 0 (Linux's NMI backtrace): both of Linux's CPUs, itself at once. */
	CHECK(icr(ROOT_CPU, X2APIC_TO(0xffff) | LOGICAL | ICR_NMI) &&
	      POSTED(PENDING_GUEST_NMI, ROOT_CPU, OTHER_ROOT_CPU));
	CHECK(injects(INTERRUPTION_TYPE_NMI, 2, NO_ERROR_CODE) && counted(ROOT_CPU, 3, 2));
}

/* ---- xAPIC: Linux's writes to its APIC page, emulated ---- */

static void linux_xapic_icr_writes_are_emulated(void)
{
	struct per_cpu *cpu = per_cpu_of(ROOT_CPU);

	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	/* Flat logical mode (DFR all ones), logical IDs 1 << CPU: mask 0x0f names CPUs 0-3. */
	CHECK(xapic_write(ROOT_CPU, 0x310, 0x0f000000) == TEST_RESUMED && completed(7));
	CHECK(cpu->arch.xapic_icr_high == 0x0f000000 && sent_nothing());
	CHECK(xapic_write(ROOT_CPU, 0x300, LOGICAL | 0xfb) == TEST_RESUMED && completed(7));
	CHECK(SENT(FIXED(0xfb), 0x00, 0x01) && counted(ROOT_CPU, 2, 0));
	CHECK(test_ipis[0].icr_high_after == 0x0f000000);
	CHECK(xapic_read(ROOT_CPU, 0x310) == 0x0f000000 && completed(7));
	/* The ICR never reaches the hardware as Linux wrote it. */
	CHECK(test_xapic[0x300 / 4] == 0);
	/* Physical INIT to APIC ID 2: a cell's CPU. */
	CHECK(xapic_write(ROOT_CPU, 0x310, 0x02000000) == TEST_RESUMED);
	CHECK(xapic_write(ROOT_CPU, 0x300, ICR_INIT) == TEST_RESUMED && sent_nothing());
	CHECK(counted(ROOT_CPU, 3, 1));
	CHECK(xapic_write(ROOT_CPU, 0x300, TO_OTHERS | 0xfc) == TEST_RESUMED &&
	      SENT(FIXED(0xfc), 0x01));
	CHECK(test_raw_msr_faults == 0 && test_vmcs_bad_writes == 0);
}

/* In xAPIC mode the x2APIC MSRs do not exist: a WRMSR to the ICR is #GP, no IPI (SDM Vol. 3A, 10.12.1.2). */
static void linux_in_xapic_mode_has_no_x2apic_icr(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(wrmsr(ROOT_CPU, MSR_X2APIC_ICR, X2APIC_TO(1) | FIXED(0xfb)) == TEST_RESUMED &&
	      refused(0));
	CHECK(sent_nothing() && counted(ROOT_CPU, 0, 0));
	CHECK(test_msr_writes_to(MSR_X2APIC_ICR, NULL) == 0);
}

/* Logical destinations follow the LDR and DFR each CPU's Linux wrote (SDM Vol. 3A, 10.6.2.2). */
static void xapic_logical_ids_follow_linuxs_ldr(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(xapic_write(ROOT_CPU, 0xd0, 0x80000000) == TEST_RESUMED && completed(7));
	CHECK(per_cpu_of(ROOT_CPU)->arch.xapic_ldr == 0x80000000);
	CHECK(test_xapic_write_count == 1 && test_xapic_writes[0].offset == 0xd0);
	CHECK(test_boot_linux(OTHER_ROOT_CPU, TEST_BASE_XAPIC) == 0);
	CHECK(xapic_write(OTHER_ROOT_CPU, 0x310, 0x81000000) == TEST_RESUMED);
	CHECK(xapic_write(OTHER_ROOT_CPU, 0x300, LOGICAL | 0xfb) == TEST_RESUMED &&
	      SENT(FIXED(0xfb), 0x00));
	/* Cluster model: cluster 0, CPUs with logical IDs 0x01 and 0x02. */
	per_cpu_of(ROOT_CPU)->arch.xapic_ldr = 0x01000000;
	per_cpu_of(ROOT_CPU)->arch.xapic_dfr = 0x0fffffff;
	per_cpu_of(OTHER_ROOT_CPU)->arch.xapic_ldr = 0x02000000;
	per_cpu_of(OTHER_ROOT_CPU)->arch.xapic_dfr = 0x0fffffff;
	CHECK(xapic_write(OTHER_ROOT_CPU, 0x310, 0x03000000) == TEST_RESUMED);
	CHECK(xapic_write(OTHER_ROOT_CPU, 0x300, LOGICAL | 0xfb) == TEST_RESUMED &&
	      SENT(FIXED(0xfb), 0x00, 0x01));
}

/*
 * A root CPU back from a cell keeps its APIC in x2APIC mode while Linux
 * drives an xAPIC: each register goes to its x2APIC MSR (SDM Vol. 3A,
 * 10.12.1.2), and those x2APIC lacks are kept by the hypervisor.
 */
static void an_emulated_xapic_goes_through_x2apic_msrs(void)
{
	struct per_cpu *cpu = per_cpu_of(OTHER_ROOT_CPU);
	uint64_t value = 0;

	test_reset();
	CHECK(test_boot_linux(OTHER_ROOT_CPU, TEST_BASE_X2APIC) == 0);
	apic_emulate_xapic_on_x2apic(cpu);
	CHECK(cpu->public->flags & BULKHEAD_CPU_XAPIC_EMULATED);
	CHECK(rdmsr(OTHER_ROOT_CPU, MSR_APIC_BASE) == TEST_RESUMED && completed(2));
	CHECK(test_regs.rax == TEST_BASE_XAPIC && test_regs.rdx == 0);
	CHECK(xapic_read(OTHER_ROOT_CPU, 0x20) == 0x01000000);		/* ID */
	CHECK(xapic_read(OTHER_ROOT_CPU, 0x30) == 0x01060015);		/* version */
	CHECK(xapic_read(OTHER_ROOT_CPU, 0xd0) == 0);			/* LDR */
	CHECK(xapic_read(OTHER_ROOT_CPU, 0xe0) == 0xffffffff);		/* DFR */
	CHECK(xapic_write(OTHER_ROOT_CPU, 0xd0, 0x02000000) == TEST_RESUMED && completed(7));
	CHECK(xapic_write(OTHER_ROOT_CPU, 0xe0, 0xffffffff) == TEST_RESUMED && completed(7));
	CHECK(xapic_read(OTHER_ROOT_CPU, 0xd0) == 0x02000000 && test_msr_write_count == 0);
	CHECK(xapic_write(OTHER_ROOT_CPU, 0xb0, 0) == TEST_RESUMED && completed(7));
	CHECK(test_msr_writes_to(0x80b, &value) == 1 && value == 0);
	CHECK(xapic_write(OTHER_ROOT_CPU, 0x280, 0x5) == TEST_RESUMED && completed(7));
	CHECK(test_msr_writes_to(0x828, &value) == 1 && value == 0);
	CHECK(xapic_write(OTHER_ROOT_CPU, 0x80, 0x20) == TEST_RESUMED && completed(7));
	CHECK(test_msr_writes_to(0x808, &value) == 1 && value == 0x20);
	CHECK(xapic_read(OTHER_ROOT_CPU, 0x80) == 0x20 && xapic_read(OTHER_ROOT_CPU, 0xb0) == 0);
	/* The ICR: emulated, sent on the x2APIC, read back as written with delivery idle. */
	CHECK(xapic_write(OTHER_ROOT_CPU, 0x310, 0x00000000) == TEST_RESUMED && sent_nothing());
	CHECK(xapic_write(OTHER_ROOT_CPU, 0x300, 0x1000 | FIXED(0xfb)) == TEST_RESUMED &&
	      SENT(FIXED(0xfb), 0x00));
	CHECK(xapic_read(OTHER_ROOT_CPU, 0x300) == FIXED(0xfb) &&
	      xapic_read(OTHER_ROOT_CPU, 0x310) == 0);
	CHECK(test_msr_writes_to(MSR_X2APIC_ICR, NULL) == 0);
	CHECK(test_raw_msr_faults == 0 && test_vmcs_bad_writes == 0);
}

/* ---- LVT and IA32_APIC_BASE writes through the WRMSR exit ---- */

static bool apic_refused(unsigned int cpu, uint64_t refusals)
{
	return refused(0) && events(cpu, BULKHEAD_EVENT_APIC_REFUSED) == refusals &&
	       test_msr_write_count == 0;
}

static bool lvt_written(uint32_t msr, uint64_t value)
{
	uint64_t last = 0;

	return completed(2) && test_msr_writes_to(msr, &last) == 1 && last == value &&
	       test_msr_value(msr) == value;
}

static void a_cells_lvts_take_fixed_and_lint_nmi_only(void)
{
	test_reset();
	boot_protected_inmate();
	CHECK(wrmsr(CELL_CPU, LVT_TIMER, LVT_SMI | 0xef) == TEST_RESUMED &&
	      apic_refused(CELL_CPU, 1));
	CHECK(wrmsr(CELL_CPU, LVT_LINT0, LVT_EXTINT) == TEST_RESUMED && apic_refused(CELL_CPU, 2));
	CHECK(wrmsr(CELL_CPU, LVT_LINT1, LVT_INIT) == TEST_RESUMED && apic_refused(CELL_CPU, 3));
	CHECK(wrmsr(CELL_CPU, LVT_TIMER, LVT_NMI) == TEST_RESUMED && apic_refused(CELL_CPU, 4));
	CHECK(wrmsr(CELL_CPU, LVT_ERROR, LVT_NMI | 0xfe) == TEST_RESUMED &&
	      apic_refused(CELL_CPU, 5));
	CHECK(wrmsr(CELL_CPU, LVT_CMCI, 0x10000 | LVT_SMI) == TEST_RESUMED &&
	      apic_refused(CELL_CPU, 6));
	CHECK(test_msr_value(LVT_TIMER) == 0x10000 && test_msr_value(LVT_LINT0) == 0x10000);
	CHECK(wrmsr(CELL_CPU, LVT_TIMER, 0x200ef) == TEST_RESUMED &&
	      lvt_written(LVT_TIMER, 0x200ef));
	CHECK(wrmsr(CELL_CPU, LVT_ERROR, 0xfe) == TEST_RESUMED && lvt_written(LVT_ERROR, 0xfe));
	CHECK(wrmsr(CELL_CPU, LVT_LINT0, LVT_NMI) == TEST_RESUMED &&
	      lvt_written(LVT_LINT0, LVT_NMI));
	CHECK(wrmsr(CELL_CPU, LVT_LINT1, LVT_NMI) == TEST_RESUMED &&
	      lvt_written(LVT_LINT1, LVT_NMI));
	CHECK(events(CELL_CPU, BULKHEAD_EVENT_APIC_REFUSED) == 6);
	/* A real-mode inmate gets its #GP without error code. */
	CHECK(test_boot_inmate(CELL_CPU) == 0);
	CHECK(wrmsr(CELL_CPU, LVT_LINT0, LVT_EXTINT) == TEST_RESUMED &&
	      injects(INTERRUPTION_TYPE_HARDWARE, VECTOR_GP, NO_ERROR_CODE));
}

/*
 * A CPU whose Linux ran on an emulated xAPIC before the cell took it: the
 * cell still sees x2APIC mode, so its base and its ICR work as on any CPU.
 */
static void a_cell_after_an_emulated_xapic_is_in_x2apic_mode(void)
{
	test_reset();
	boot_protected_inmate();
	per_cpu_of(CELL_CPU)->arch.xapic_virtual = true;
	CHECK(rdmsr(CELL_CPU, MSR_APIC_BASE) == TEST_RESUMED && completed(2));
	CHECK(test_regs.rax == TEST_BASE_X2APIC);
	CHECK(wrmsr(CELL_CPU, MSR_APIC_BASE, TEST_BASE_X2APIC) == TEST_RESUMED && completed(2));
	CHECK(icr(CELL_CPU, X2APIC_TO(0x10) | FIXED(0x40)) && SENT(FIXED(0x40), 0x10));
}

static void a_cell_keeps_its_apic_base(void)
{
	test_reset();
	boot_protected_inmate();
	CHECK(rdmsr(CELL_CPU, MSR_APIC_BASE) == TEST_RESUMED && completed(2));
	CHECK(test_regs.rax == TEST_BASE_X2APIC && test_regs.rdx == 0);
	CHECK(wrmsr(CELL_CPU, MSR_APIC_BASE, TEST_BASE_X2APIC) == TEST_RESUMED && completed(2));
	CHECK(test_msr_write_count == 0 && events(CELL_CPU, BULKHEAD_EVENT_APIC_REFUSED) == 0);
	/* Out of x2APIC mode, where the xAPIC page would be unfiltered; moved; disabled. */
	CHECK(wrmsr(CELL_CPU, MSR_APIC_BASE, TEST_BASE_XAPIC) == TEST_RESUMED &&
	      apic_refused(CELL_CPU, 1));
	CHECK(wrmsr(CELL_CPU, MSR_APIC_BASE, TEST_BASE_X2APIC - 0x100000) == TEST_RESUMED &&
	      apic_refused(CELL_CPU, 2));
	CHECK(wrmsr(CELL_CPU, MSR_APIC_BASE, 0) == TEST_RESUMED && apic_refused(CELL_CPU, 3));
	CHECK(test_msr_value(MSR_APIC_BASE) == TEST_BASE_X2APIC);
}

static void linux_may_turn_x2apic_on_but_not_move_its_apic(void)
{
	test_reset();
	boot_linux(TEST_BASE_XAPIC);
	CHECK(wrmsr(ROOT_CPU, MSR_APIC_BASE, (TEST_BASE_XAPIC | APIC_BASE_BSP) - 0x100000) ==
	      TEST_RESUMED && apic_refused(ROOT_CPU, 1));
	CHECK(wrmsr(ROOT_CPU, MSR_APIC_BASE, TEST_BASE_X2APIC | APIC_BASE_BSP) == TEST_RESUMED &&
	      completed(2));
	CHECK(test_msr_value(MSR_APIC_BASE) == (TEST_BASE_X2APIC | APIC_BASE_BSP));
	/* Linux's own LVTs are its business. */
	CHECK(test_boot_linux(ROOT_CPU, TEST_BASE_X2APIC) == 0);
	CHECK(wrmsr(ROOT_CPU, LVT_TIMER, LVT_NMI) == TEST_RESUMED &&
	      lvt_written(LVT_TIMER, LVT_NMI));
}

static void an_emulated_xapic_may_only_turn_x2apic_on(void)
{
	struct per_cpu *cpu = per_cpu_of(OTHER_ROOT_CPU);

	test_reset();
	CHECK(test_boot_linux(OTHER_ROOT_CPU, TEST_BASE_X2APIC) == 0);
	apic_emulate_xapic_on_x2apic(cpu);
	CHECK(wrmsr(OTHER_ROOT_CPU, MSR_APIC_BASE, TEST_BASE_XAPIC) == TEST_RESUMED &&
	      completed(2) && test_msr_write_count == 0 && cpu->arch.xapic_virtual);
	CHECK(wrmsr(OTHER_ROOT_CPU, MSR_APIC_BASE, APIC_DEFAULT_PHYS) == TEST_RESUMED &&
	      apic_refused(OTHER_ROOT_CPU, 1) && cpu->arch.xapic_virtual);
	CHECK(wrmsr(OTHER_ROOT_CPU, MSR_APIC_BASE, TEST_BASE_X2APIC) == TEST_RESUMED &&
	      completed(2) && test_msr_write_count == 0 && !cpu->arch.xapic_virtual);
	CHECK(rdmsr(OTHER_ROOT_CPU, MSR_APIC_BASE) == TEST_RESUMED && completed(2));
	CHECK(test_regs.rax == TEST_BASE_X2APIC);
}

int main(void)
{
	RUN(a_cells_fixed_ipis_reach_only_its_own_cpus);
	RUN(x2apic_logical_destinations_are_the_sdms);
	RUN(shorthands_stay_in_the_senders_cell);
	RUN(a_cells_nmi_init_and_startup_stay_in_the_cell);
	RUN(an_nmi_to_self_is_injected_at_once);
	RUN(linux_nmi_init_and_startup_stay_with_linux);
	RUN(linux_xapic_icr_writes_are_emulated);
	RUN(xapic_logical_ids_follow_linuxs_ldr);
	RUN(linux_in_xapic_mode_has_no_x2apic_icr);
	RUN(an_emulated_xapic_goes_through_x2apic_msrs);
	RUN(a_cells_lvts_take_fixed_and_lint_nmi_only);
	RUN(a_cell_keeps_its_apic_base);
	RUN(a_cell_after_an_emulated_xapic_is_in_x2apic_mode);
	RUN(linux_may_turn_x2apic_on_but_not_move_its_apic);
	RUN(an_emulated_xapic_may_only_turn_x2apic_on);
	return unit_report("C unit: APIC exits");
}
