// SPDX-License-Identifier: GPL-2.0
/* VMX operation on one CPU: VMXON, the VMCS, launching Linux as a guest and handing the CPU back. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <asm/apic-emul.h>
#include <asm/apic.h>
#include <asm/ioapic.h>
#include <asm/msr.h>
#include <asm/speculation.h>
#include <asm/vmcs.h>
#include <asm/vmx-check.h>
#include <asm/vmx-cpu.h>

void *memcpy(void *destination, const void *source, size_t size);

/* Entry frame of entry.S: padding, callee-saved registers, return address. */
struct entry_frame {
	uint64_t padding, r15, r14, r13, r12, rbx, rbp, rip;
};

void vmcs_write(uint32_t field, uint64_t value)
{
	bool failed;

	asm volatile("vmwrite %2, %1\n\tsetna %0"
		     : "=qm"(failed) : "r"((uint64_t)field), "rm"(value) : "cc", "memory");
	if (failed) {
		struct per_cpu *cpu = this_cpu();

		cpu->arch.vmcs_write_failed = true;
		printk("CPU %u: VMWRITE of field 0x%x = 0x%lx failed: %s\n", cpu->cpu_id,
		       field, value, vmx_instruction_error_name(vmcs_read32(VMCS_INSTRUCTION_ERROR)));
	}
}

uint64_t vmcs_read(uint32_t field)
{
	uint64_t value = 0;
	bool failed;

	asm volatile("vmread %2, %0\n\tsetna %1"
		     : "=rm"(value), "=qm"(failed) : "r"((uint64_t)field) : "cc");
	if (failed && field != VMCS_INSTRUCTION_ERROR)
		printk("CPU %u: VMREAD of field 0x%x failed\n", this_cpu()->cpu_id, field);
	return value;
}

/* Reads the capability MSRs; the last ones exist only on some CPUs (SDM Vol. 3D, A.1). */
void vmx_read_facts(struct vmx_cpu_facts *facts)
{
	unsigned int i;

	facts->cpuid1_ecx = cpuid(1, 0).ecx;
	facts->cr4_vmxe = read_cr4() & CR4_VMXE;
	if (!msr_read_safe(MSR_FEATURE_CONTROL, &facts->feature_control))
		facts->feature_control = 0;
	for (i = 0; i < VMX_CAPABILITY_MSRS; i++)
		if (!msr_read_safe(VMX_MSR_FIRST + i, &facts->msr[i]))
			facts->msr[i] = 0;
}

/* A control register value honours the VMX fixed bits; SDM Vol. 3D, A.7 and A.8. */
static bool fits_fixed_bits(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
	return (value & fixed0) == fixed0 && (value & ~fixed1) == 0;
}

/* VMXON needs IA32_FEATURE_CONTROL locked with VMX on; lock it if the firmware did not.  SDM Vol. 3C, 23.7. */
static int enable_feature_control(const struct vmx_cpu_facts *facts)
{
	if (!(facts->feature_control & FEATURE_CONTROL_LOCKED)) {
		write_msr(VMX_MSR_FEATURE_CONTROL, facts->feature_control |
			  FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
		return 0;
	}
	return facts->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX ? 0 : trace_error(-ENODEV);
}

static uint32_t vmcs_revision(const struct vmx_cpu_facts *facts)
{
	return (uint32_t)facts->msr[VMX_BASIC] & 0x7fffffff;
}

/* CR0 and CR4 must honour the fixed bits and CR4.VMXE be set; SDM Vol. 3C, 23.7 and 24.11.5. */
static int vmx_on(struct per_cpu *cpu, const struct vmx_cpu_facts *facts)
{
	uint64_t cr4;
	uint32_t revision = vmcs_revision(facts);
	uint64_t region = virt_to_phys(cpu->arch.vmxon_region);
	bool failed;
	int err;

	if (cpu->arch.linux_cr4 & CR4_VMXE)
		return trace_error(-EBUSY);
	err = enable_feature_control(facts);
	if (err)
		return err;
	if (!fits_fixed_bits(read_cr0(), facts->msr[VMX_CR0_FIXED0], facts->msr[VMX_CR0_FIXED1]) ||
	    vmx_host_cr4(facts, cpu->arch.linux_cr4, &cr4))
		return trace_error(-EINVAL);
	memcpy(cpu->arch.vmxon_region, &revision, sizeof(revision));
	write_cr4(cr4);
	cpu->page->host_cr4 = cr4;
	cpu->page->host_efer = read_msr(MSR_EFER);
	asm volatile("vmxon %1\n\tsetna %0" : "=qm"(failed) : "m"(region) : "cc", "memory");
	if (failed) {
		write_cr4(cpu->arch.linux_cr4);
		return trace_error(-EIO);
	}
	cpu->arch.vmx_on = true;
	return 0;
}

static bool vmclear(const void *vmcs)
{
	uint64_t address = virt_to_phys(vmcs);
	bool failed;

	asm volatile("vmclear %1\n\tsetna %0" : "=qm"(failed) : "m"(address) : "cc", "memory");
	return !failed;
}

/* A fresh VMCS: revision, VMCLEAR (launch state clear), VMPTRLD.  SDM Vol. 3C, 24.11.3. */
static int load_clear_vmcs(struct per_cpu *cpu, const struct vmx_cpu_facts *facts)
{
	uint32_t revision = vmcs_revision(facts);
	uint64_t address = virt_to_phys(cpu->arch.vmcs);
	bool failed;

	memcpy(cpu->arch.vmcs, &revision, sizeof(revision));
	if (!vmclear(cpu->arch.vmcs))
		return trace_error(-EIO);
	cpu->arch.launched = false;
	asm volatile("vmptrld %1\n\tsetna %0" : "=qm"(failed) : "m"(address) : "cc", "memory");
	return failed ? trace_error(-EIO) : 0;
}

/* Single-context INVEPT (SDM Vol. 3C, 30.3, INVEPT; type 1); a VMfail is logged. */
void vmx_invept(uint64_t ept_pointer)
{
	struct { uint64_t eptp, reserved; } descriptor = { ept_pointer, 0 };
	bool failed;

	asm volatile("invept %1, %2\n\tsetna %0" : "=qm"(failed)
		     : "m"(descriptor), "r"(1UL) : "cc", "memory");
	if (failed)
		printk("CPU %u: INVEPT of EPTP 0x%lx failed; stale translations may remain\n",
		       this_cpu()->cpu_id, ept_pointer);
}

/*
 * Leaves the current guest behind: the VMCS is cleared and must be set up
 * afresh.  `launched` goes first, so that an NMI in between finds no VMCS
 * to write to.
 */
void vmx_clear_current(struct per_cpu *cpu)
{
	__atomic_store_n(&cpu->arch.launched, false, __ATOMIC_SEQ_CST);
	vmclear(cpu->arch.vmcs);
}

void vmx_off(struct per_cpu *cpu)
{
	if (!cpu->arch.vmx_on)
		return;
	vmx_clear_current(cpu);
	asm volatile("vmxoff" ::: "cc", "memory");
	cpu->arch.vmx_on = false;
}

/* One line for the driver's error message, as well as for the log. */
static void record_failure(struct per_cpu *cpu, const char *what, const char *detail)
{
	char *out = cpu->page->failure;
	size_t size = BULKHEAD_CPU_FAILURE_SIZE, used = 0;

	while (*what && used + 1 < size)
		out[used++] = *what++;
	while (detail && *detail && used + 1 < size)
		out[used++] = *detail++;
	out[used] = '\0';
	printk("CPU %u: %s\n", cpu->cpu_id, out);
}

static uint64_t vmcs_read_for_check(void *context, uint32_t field)
{
	(void)context;
	return vmcs_read(field);
}

static int check_vmcs(struct per_cpu *cpu, const struct vmx_cpu_facts *facts)
{
	struct vmcs_source source = { vmcs_read_for_check, NULL };
	const char *problem;

	if (cpu->arch.vmcs_write_failed)
		return trace_error(-EIO);
	problem = vmx_check_vmcs(&source, facts);
	if (!problem)
		return 0;
	record_failure(cpu, "the VMCS fails a VM-entry check: ", problem);
	return trace_error(-EINVAL);
}

/*
 * The L1D flush before VM entry matters where the CPU is affected by L1TF
 * and does not flush on its own; SDM Vol. 4, IA32_ARCH_CAPABILITIES and
 * IA32_FLUSH_CMD.
 */
static bool l1d_flush_wanted(void)
{
	uint32_t edx = cpuid(7, 0).edx;
	uint64_t capabilities = 0;

	if (!IS_ENABLED(CONFIG_BULKHEAD_L1D_FLUSH) || !(edx & (1U << 28)))
		return false;
	if ((edx & (1U << 29)) && !msr_read_safe(MSR_ARCH_CAPABILITIES, &capabilities))
		capabilities = 0;
	return !(capabilities & (ARCH_CAPABILITIES_RDCL_NO | ARCH_CAPABILITIES_SKIP_L1DFL));
}

/* Read by entry.S before every VM entry: the same answer on every CPU of a machine. */
uint8_t vmx_verw_before_entry;
/* VERW's operand: a writable data segment, so that it clears the buffers (SDM Vol. 2B, VERW). */
const uint16_t vmx_verw_selector = GDT_SELECTOR_DATA;

/* What this CPU needs around VM entries and exits (speculation.c); reported in the public area. */
static void choose_mitigations(struct per_cpu *cpu)
{
	struct spec_facts facts = {
		.cpuid7_edx = cpuid(7, 0).edx,
		.l1d_flush = cpu->arch.l1d_flush,
		.retpolines = SPEC_BUILT_WITH_RETPOLINES,
	};

	if ((facts.cpuid7_edx & (1U << 29)) &&
	    !msr_read_safe(MSR_ARCH_CAPABILITIES, &facts.arch_capabilities))
		facts.arch_capabilities = 0;
	cpu->arch.mitigations = spec_choose(&facts);
	vmx_verw_before_entry = cpu->arch.mitigations & SPEC_VERW ? 1 : 0;
	public_header()->mitigations = cpu->arch.mitigations;
}

void vmx_flush_l1d_if_needed(const struct per_cpu *cpu)
{
	if (cpu->arch.l1d_flush)
		write_msr(MSR_FLUSH_CMD, FLUSH_CMD_L1D);
}

/*
 * Work posted while this CPU was about to launch: the NMI that carried it
 * may have come before `launched` was set, when its handler had no VMCS to
 * arm the timer in.  Looking after setting `launched` closes that gap.
 */
static void exit_soon_if_pending(struct per_cpu *cpu)
{
	__atomic_store_n(&cpu->arch.launched, true, __ATOMIC_SEQ_CST);
	control_step(cpu, STEP_LAUNCHED);
	if (__atomic_load_n(&cpu->arch.pending, __ATOMIC_SEQ_CST))
		vmx_arm_immediate_exit(cpu);
}

static void mark_running(struct per_cpu *cpu)
{
	cpu->public->flags |= BULKHEAD_CPU_VMX_OK | BULKHEAD_CPU_RETURNED;
	cpu->public->result = 0;
	cpu->public->state = BULKHEAD_CPU_STATE_RUNNING;
	if (cpu->arch.l1d_flush)
		public_header()->flags |= BULKHEAD_PUBLIC_L1D_FLUSH;
}

static int launch(struct per_cpu *cpu)
{
	const struct entry_frame *frame = (const void *)cpu->arch.recovery_rsp;
	struct guest_registers regs = {
		.r15 = frame->r15, .r14 = frame->r14, .r13 = frame->r13,
		.r12 = frame->r12, .rbx = frame->rbx, .rbp = frame->rbp,
	};
	int failure;

	mark_running(cpu);
	apic_record_xapic_state(cpu);
	printk("CPU %u: launching Linux as the root cell's guest\n", cpu->cpu_id);
	cpu->arch.guest_ran = false;
	cpu->arch.last_cell = &root_cell;
	cpu->arch.in_service = true;
	/* VMXON keeps translations cached before: none from an older map may survive. */
	vmx_invept(root_cell.arch.ept_pointer);
	exit_soon_if_pending(cpu);
	vmx_flush_l1d_if_needed(cpu);
	failure = vmx_launch(&regs);
	cpu->arch.launched = false;
	cpu->arch.in_service = false;
	cpu->public->state = BULKHEAD_CPU_STATE_OFF;
	cpu->public->flags &= ~BULKHEAD_CPU_VMX_OK;
	if (failure == 1)
		record_failure(cpu, "VMLAUNCH failed: VMfailInvalid (no current VMCS)", NULL);
	else
		record_failure(cpu, "VMLAUNCH failed: ",
			       vmx_instruction_error_name(vmcs_read32(VMCS_INSTRUCTION_ERROR)));
	return trace_error(-EIO);
}

/*
 * Linux resumes where the entry call returns: the guest's RIP and RSP are
 * the entry frame's return address and the stack above it, its callee-saved
 * registers those the frame holds, RAX 0 (success).
 */
int arch_cpu_activate(struct per_cpu *cpu, uint64_t linux_cr3)
{
	const struct entry_frame *frame = (const void *)cpu->arch.recovery_rsp;
	struct vmx_cpu_facts facts;
	int err;

	vmx_read_facts(&facts);
	cpu->arch.l1d_flush = l1d_flush_wanted();
	choose_mitigations(cpu);
	err = vmx_on(cpu, &facts);
	if (!err)
		err = load_clear_vmcs(cpu, &facts);
	if (!err)
		err = vmx_setup_vmcs(cpu, &facts, linux_cr3, frame->rip,
				     (uint64_t)(frame + 1));
	if (!err && IS_ENABLED(CONFIG_BULKHEAD_TEST_HOOKS) &&
	    image_header.test_flags & BULKHEAD_TEST_BREAK_VMCS)
		vmcs_write_natural(VMCS_GUEST_RFLAGS, 0);	/* bit 1 must be set */
	if (!err)
		err = check_vmcs(cpu, &facts);
	if (!err)
		err = launch(cpu);
	vmx_off(cpu);
	return err;
}

/* Branch predictions of one cell must not steer another's (SDM Vol. 4, IA32_PRED_CMD). */
static void barrier_between_cells(struct per_cpu *cpu)
{
	if (cpu->arch.last_cell != cpu->cell && (cpu->arch.mitigations & SPEC_IBPB))
		write_msr(MSR_PRED_CMD, PRED_CMD_IBPB);
	cpu->arch.last_cell = cpu->cell;
}

/* 64-byte aligned XSAVE area: a zero header (XSTATE_BV 0) restores every component's initial state. */
static struct {
	uint8_t legacy[512];
	uint64_t header[8];
} xsave_initial __attribute__((aligned(64))) = { .legacy = { [24] = 0x80, [25] = 0x1f } };

/*
 * An inmate starts with the extended state of a reset CPU, not Linux's:
 * every XSAVE component in its initial configuration, then XCR0 = 1 (x87
 * only; SDM Vol. 1, 13.3 and 13.8).  MXCSR in the image is 0x1f80.
 */
static void reset_extended_state(void)
{
	if (!(read_cr4() & CR4_OSXSAVE))
		return;
	asm volatile("xrstor %0" : : "m"(xsave_initial), "a"(~0U), "d"(~0U) : "memory");
	asm volatile("xsetbv" : : "c"(0), "a"(1U), "d"(0U));
}

int vmx_launch_in_real_mode(struct per_cpu *cpu, bool by_sipi, uint64_t address)
{
	struct guest_registers regs = { .rdx = cpuid(1, 0).eax };
	struct cell *cell = cpu->cell;
	struct vmx_cpu_facts facts;
	int failure, err;

	control_step(cpu, STEP_LAUNCH);
	vmx_read_facts(&facts);
	err = load_clear_vmcs(cpu, &facts);
	if (!err)
		err = vmx_setup_real_mode_vmcs(cpu, &facts, by_sipi, address);
	if (!err)
		err = check_vmcs(cpu, &facts);
	if (err)
		return err;
	/* As after INIT: a quiet local APIC, in x2APIC mode for every cell's inmate. */
	if (cell != &root_cell) {
		apic_enter_x2apic();
		reset_extended_state();
	}
	barrier_between_cells(cpu);
	/* Left over from the CPU's last guest: an NMI for it, a flush the launch does itself. */
	__atomic_and_fetch(&cpu->arch.pending, ~(PENDING_GUEST_NMI | PENDING_FLUSH_EPT),
			   __ATOMIC_SEQ_CST);
	cpu->public->state = BULKHEAD_CPU_STATE_RUNNING;
	cpu->public->cell_id = cell->id;
	cpu->arch.guest_ran = false;
	/* A cell's EPT reuses the pages, and so the EPTP, of an earlier cell in its slot. */
	vmx_invept(cell->arch.ept_pointer);
	exit_soon_if_pending(cpu);
	vmx_flush_l1d_if_needed(cpu);
	failure = vmx_launch(&regs);
	cpu->arch.launched = false;
	record_failure(cpu, "VMLAUNCH of the cell failed: ", failure == 1 ? "VMfailInvalid" :
		       vmx_instruction_error_name(vmcs_read32(VMCS_INSTRUCTION_ERROR)));
	return trace_error(-EIO);
}

/*
 * A VM entry that failed on its very first try: Linux has not run as a
 * guest yet, so the entry call can still fail cleanly.
 */
void vmx_abort_first_entry(struct per_cpu *cpu, uint32_t reason, uint64_t qualification)
{
	printk("CPU %u: qualification 0x%lx\n", cpu->cpu_id, qualification);
	record_failure(cpu, "first VM entry failed: ",
		       vmx_exit_reason_name(EXIT_REASON_BASIC(reason)));
	cpu->public->state = BULKHEAD_CPU_STATE_OFF;
	cpu->public->flags &= ~BULKHEAD_CPU_VMX_OK;
	cpu->public->result = -EIO;
	cpu->arch.in_service = false;
	arch_cpu_leave(cpu);
	arch_unwind_to_entry(trace_error(-EIO));
}

/* Makes the guest exit right after the next VM entry: the preemption timer at 0 (DESIGN decision 4). */
void vmx_arm_immediate_exit(struct per_cpu *cpu)
{
	cpu->arch.timer_armed = true;
	vmcs_write32(VMCS_PREEMPTION_TIMER_VALUE, 0);
	vmcs_write32(VMCS_PIN_CONTROLS, cpu->arch.pin_controls | PIN_PREEMPTION_TIMER);
}

/*
 * An NMI while the hypervisor runs.  Without a launched VMCS the CPU waits
 * (or is on its way to a launch, which looks at the pending work itself):
 * the NMI only ended a halt.  Otherwise the guest exits right after the
 * next entry; an NMI that was not the hypervisor's is the guest's.
 */
void vmx_nmi_in_hypervisor(struct per_cpu *cpu)
{
	bool hypervisors = control_nmi_arrived(cpu);

	if (!__atomic_load_n(&cpu->arch.launched, __ATOMIC_SEQ_CST))
		return;
	if (!hypervisors)
		__atomic_or_fetch(&cpu->arch.pending, PENDING_GUEST_NMI, __ATOMIC_SEQ_CST);
	vmx_arm_immediate_exit(cpu);
}

void vmx_dump_guest_state(const struct per_cpu *cpu)
{
	const struct guest_registers *regs = cpu->arch.regs;

	printk("  exit reason %u (%s), qualification 0x%lx, guest physical 0x%lx, linear 0x%lx\n",
	       vmcs_read32(VMCS_EXIT_REASON) & 0xffff,
	       vmx_exit_reason_name(vmcs_read32(VMCS_EXIT_REASON) & 0xffff),
	       vmcs_read_natural(VMCS_EXIT_QUALIFICATION),
	       vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS),
	       vmcs_read_natural(VMCS_GUEST_LINEAR_ADDRESS));
	printk("  RIP 0x%lx RSP 0x%lx RFLAGS 0x%lx CS 0x%x\n",
	       vmcs_read_natural(VMCS_GUEST_RIP), vmcs_read_natural(VMCS_GUEST_RSP),
	       vmcs_read_natural(VMCS_GUEST_RFLAGS), vmcs_read16(VMCS_GUEST_CS_SELECTOR));
	printk("  CR0 0x%lx CR3 0x%lx CR4 0x%lx EFER 0x%lx\n",
	       vmcs_read_natural(VMCS_GUEST_CR0), vmcs_read_natural(VMCS_GUEST_CR3),
	       vmcs_read_natural(VMCS_GUEST_CR4), vmcs_read64(VMCS_GUEST_EFER));
	if (regs)
		printk("  RAX 0x%lx RBX 0x%lx RCX 0x%lx RDX 0x%lx RSI 0x%lx RDI 0x%lx\n",
		       regs->rax, regs->rbx, regs->rcx, regs->rdx, regs->rsi, regs->rdi);
}

/* Logs why, with the guest's state, and parks the CPU; the rest of the machine goes on. */
void vmx_park(struct per_cpu *cpu, const char *why)
{
	record_failure(cpu, "parked: ", why);
	vmx_dump_guest_state(cpu);
	arch_cpu_park(cpu);
}

void arch_cpu_park(struct per_cpu *cpu)
{
	cpu->arch.parked = true;
	cpu->public->flags |= BULKHEAD_CPU_PARKED;
	cpu->public->state = BULKHEAD_CPU_STATE_FAILED;
	for (;;)
		asm volatile("cli\n\thlt" ::: "memory");
}

/* Puts back what VM exits replaced with host values, from the guest's fields. */
static void restore_linux_registers(void)
{
	struct descriptor_table gdtr = {
		.limit = (uint16_t)vmcs_read32(VMCS_GUEST_GDTR_LIMIT),
		.base = vmcs_read_natural(VMCS_GUEST_GDTR_BASE),
	};
	struct descriptor_table idtr = {
		.limit = (uint16_t)vmcs_read32(VMCS_GUEST_IDTR_LIMIT),
		.base = vmcs_read_natural(VMCS_GUEST_IDTR_BASE),
	};

	write_msr(MSR_FS_BASE, vmcs_read_natural(VMCS_GUEST_FS_BASE));
	write_msr(MSR_GS_BASE, vmcs_read_natural(VMCS_GUEST_GS_BASE));
	write_msr(MSR_SYSENTER_CS, vmcs_read32(VMCS_GUEST_SYSENTER_CS));
	write_msr(MSR_SYSENTER_ESP, vmcs_read_natural(VMCS_GUEST_SYSENTER_ESP));
	write_msr(MSR_SYSENTER_EIP, vmcs_read_natural(VMCS_GUEST_SYSENTER_EIP));
	write_msr(MSR_PAT, vmcs_read64(VMCS_GUEST_PAT));
	write_msr(MSR_EFER, vmcs_read64(VMCS_GUEST_EFER));
	write_msr(MSR_DEBUGCTL, vmcs_read64(VMCS_GUEST_DEBUGCTL));
	write_dr7(vmcs_read_natural(VMCS_GUEST_DR7));
	write_cr0(vmcs_read_natural(VMCS_GUEST_CR0));
	load_gdtr(&gdtr);
	load_idtr(&idtr);
}

/*
 * Disable on this CPU (SDM Vol. 3C, 23.7 for leaving VMX).  The guest made
 * the hypercall from the driver's disable stub, which runs on a page mapped
 * at the same address in both address spaces and switches CR3, RSP, CS and
 * SS back itself: here the CPU leaves VMX, gets Linux's MSRs, control
 * registers and descriptor tables back and continues after the VMCALL with
 * RAX 0.  TR keeps Linux's selector and base (the host TR is Linux's); its
 * limit is 0x67 after a VM exit, which Linux refreshes when a task needs
 * its I/O bitmap, as after KVM.
 */
void arch_cpu_deactivate(struct per_cpu *cpu)
{
	struct linux_frame frame = {
		.regs = *cpu->arch.regs,
		.rip = vmcs_read_natural(VMCS_GUEST_RIP),	/* past the VMCALL already */
	};
	/* CET, PKS and LASS stay off here; the disable stub puts Linux's CR4 back. */
	uint64_t cr4 = vmcs_read_natural(VMCS_GUEST_CR4) & ~(CR4_VMXE | VMX_HOST_CR4_CLEARED);

	frame.regs.rax = 0;
	ioapic_release_to_linux();
	restore_linux_registers();
	vmx_off(cpu);
	write_cr4(cr4);
	cpu->public->flags &= ~BULKHEAD_CPU_VMX_OK;
	vmx_return_to_linux(&frame);
}
