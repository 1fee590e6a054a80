// SPDX-License-Identifier: GPL-2.0
/* The exit loop: dispatch by exit reason, handlers, pending work, and the way back in. */
#include <bulkhead/hypercall.h>
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/hypercall.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <asm/apic-emul.h>
#include <asm/apic.h>
#include <asm/cache-type.h>
#include <asm/guest-memory.h>
#include <asm/ioapic.h>
#include <asm/mmio.h>
#include <asm/msr.h>
#include <asm/vmcs.h>
#include <asm/vmx-check.h>
#include <asm/vmx-cpu.h>

#define VECTOR_DEBUG		1
#define VECTOR_NMI		2
#define VECTOR_INVALID_OPCODE	6
#define VECTOR_GENERAL_PROTECTION 13
#define VECTOR_ALIGNMENT_CHECK	17

#define CPUID1_ECX_VMX		(1U << 5)
/* Feature control as the root cell reads it: locked, VMX off (SDM Vol. 3C, 23.7). */
#define FEATURE_CONTROL_HIDDEN	FEATURE_CONTROL_LOCKED
/* Bounded drain of pending work before each VM entry (DESIGN decision 3). */
#define PENDING_ROUNDS		4

/*
 * Completes an instruction of @length bytes for the guest; completing one
 * ends STI and MOV SS blocking (SDM Vol. 3C, 24.4.2).
 */
static void complete_instruction(uint64_t length)
{
	uint32_t interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);

	vmcs_write_natural(VMCS_GUEST_RIP, vmcs_read_natural(VMCS_GUEST_RIP) + length);
	if (interruptibility & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, interruptibility &
			     ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

/* The instruction that exited, by the length the exit reports. */
static void skip_instruction(void)
{
	complete_instruction(vmcs_read32(VMCS_EXIT_INSTRUCTION_LENGTH));
}

/* Exceptions that push an error code in protected mode; SDM Vol. 3A, 6.15. */
static bool pushes_error_code(unsigned int vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

/*
 * Every event the hypervisor injects is built here, for the guest's mode
 * as VM entry checks it (SDM Vol. 3C, 26.2.1.3): a hardware exception
 * delivers an error code exactly when it pushes one in protected mode, and
 * never while the guest runs in real mode (CR0.PE clear, unrestricted
 * guest); software interrupts and exceptions, ICEBP included, carry the
 * instruction length so that the guest returns after the instruction.
 */
void vmx_inject_event(unsigned int type, unsigned int vector, uint32_t error_code,
		      uint32_t instruction_length)
{
	uint32_t info = INTERRUPTION_VALID | (vector & 0xff) | (type << INTERRUPTION_TYPE_SHIFT);
	bool protected_mode = vmcs_read_natural(VMCS_GUEST_CR0) & CR0_PE;

	if (type == INTERRUPTION_TYPE_HARDWARE && protected_mode && pushes_error_code(vector)) {
		info |= INTERRUPTION_ERROR_CODE;
		vmcs_write32(VMCS_ENTRY_EXCEPTION_ERROR_CODE, error_code);
	}
	if (type >= INTERRUPTION_TYPE_SOFTWARE_INT && type <= INTERRUPTION_TYPE_SOFTWARE_EXC)
		vmcs_write32(VMCS_ENTRY_INSTRUCTION_LENGTH, instruction_length);
	vmcs_write32(VMCS_ENTRY_INTERRUPTION_INFO, info);
}

void vmx_inject_exception(unsigned int vector, uint32_t error_code)
{
	vmx_inject_event(INTERRUPTION_TYPE_HARDWARE, vector, error_code, 0);
}

static void inject_gp(void)
{
	vmx_inject_exception(VECTOR_GENERAL_PROTECTION, 0);
}

/* The guest's privilege level is SS.DPL; SDM Vol. 3C, 24.4.1. */
static unsigned int guest_cpl(void)
{
	return SEG_AR_DPL(vmcs_read32(VMCS_GUEST_SS_ACCESS_RIGHTS));
}

/* General register by its number in exit qualifications (SDM Vol. 3C, table 27-3); RSP is in the VMCS. */
static uint64_t *guest_register(struct guest_registers *regs, unsigned int number)
{
	uint64_t *by_number[16] = {
		&regs->rax, &regs->rcx, &regs->rdx, &regs->rbx, NULL, &regs->rbp,
		&regs->rsi, &regs->rdi, &regs->r8, &regs->r9, &regs->r10, &regs->r11,
		&regs->r12, &regs->r13, &regs->r14, &regs->r15,
	};

	return by_number[number & 15];
}

static uint64_t read_guest_register(struct guest_registers *regs, unsigned int number)
{
	uint64_t *reg = guest_register(regs, number);

	return reg ? *reg : vmcs_read_natural(VMCS_GUEST_RSP);
}

static bool in_root_cell(const struct per_cpu *cpu)
{
	return cpu->cell == &root_cell;
}

/*
 * A fault of the guest, not of the hypervisor: a root cell CPU is parked
 * (Linux is broken there anyway); a cell's CPU stops, it and its cell are
 * marked failed, and the CPU waits so that destroy can still hand it back.
 */
static void __attribute__((noreturn)) guest_failed(struct per_cpu *cpu, const char *why)
{
	struct cell *cell = cpu->cell;

	if (in_root_cell(cpu))
		vmx_park(cpu, why);
	printk("CPU %u: cell %u \"%s\" failed: %s\n", cpu->cpu_id, cell->id,
	       cell->config.cell->name, why);
	vmx_dump_guest_state(cpu);
	cell->phase = CELL_FAILED;
	if (cell->comm_region)
		cell->comm_region->cell_state = BULKHEAD_CELL_FAILED;
	cpu->public->state = BULKHEAD_CPU_STATE_FAILED;
	vmx_clear_current(cpu);
	arch_cpu_wait(cpu);
}

/* The 64-bit operand of WRMSR and XSETBV, from EDX:EAX. */
static uint64_t edx_eax(const struct guest_registers *regs)
{
	return ((regs->rdx & 0xffffffff) << 32) | (regs->rax & 0xffffffff);
}

static void set_edx_eax(struct guest_registers *regs, uint64_t value)
{
	regs->rax = (uint32_t)value;
	regs->rdx = value >> 32;
}

static void handle_cpuid(struct per_cpu *cpu, struct guest_registers *regs)
{
	struct cpuid_result result = cpuid((uint32_t)regs->rax, (uint32_t)regs->rcx);

	(void)cpu;
	/* No nested virtualization: VMX is hidden (SDM Vol. 2A, CPUID leaf 1). */
	if ((uint32_t)regs->rax == 1)
		result.ecx &= ~CPUID1_ECX_VMX;
	regs->rax = result.eax;
	regs->rbx = result.ebx;
	regs->rcx = result.ecx;
	regs->rdx = result.edx;
	skip_instruction();
}

/*
 * Whether MOV to CR0 raises #GP on a bare CPU (SDM Vol. 2A, MOV to control
 * registers; Vol. 3A, 2.5 and 9.8.5): upper bits set, PG without PE, NW
 * without CD, clearing PG in 64-bit code, or entering IA-32e mode without
 * CR4.PAE.
 */
static bool cr0_write_faults(uint64_t value)
{
	uint64_t efer = vmcs_read64(VMCS_GUEST_EFER);
	bool paging = vmcs_read_natural(VMCS_GUEST_CR0) & CR0_PG;
	bool code64 = vmcs_read32(VMCS_GUEST_CS_ACCESS_RIGHTS) & SEG_AR_L;

	if ((value >> 32) || ((value & CR0_PG) && !(value & CR0_PE)) ||
	    ((value & CR0_NW) && !(value & CR0_CD)))
		return true;
	if (!(value & CR0_PG) && (efer & EFER_LMA) && code64)
		return true;
	return (value & CR0_PG) && !paging && (efer & EFER_LME) &&
	       !(vmcs_read_natural(VMCS_GUEST_CR4) & CR4_PAE);
}

/* PDPTE bits that must be clear in a present entry: 2:1, 8:5 and above the 52-bit address (SDM Vol. 3A, 4.4.1). */
#define PDPTE_PRESENT		(1ULL << 0)
#define PDPTE_RESERVED		(0x1e6ULL | ~((1ULL << 52) - 1))

/*
 * PAE paging outside IA-32e mode takes its four PDPTEs from the VMCS at
 * VM entry (SDM Vol. 3C, 26.3.2.4): a MOV to CR0 that turns it on loads
 * them from the table at CR3, as the CPU would (Vol. 3A, 4.4.1).  False
 * when they cannot be read or one is reserved (#GP).
 */
static bool load_pdptes(struct per_cpu *cpu)
{
	static const enum vmcs_field64 fields[4] = {
		VMCS_GUEST_PDPTE0, VMCS_GUEST_PDPTE1, VMCS_GUEST_PDPTE2, VMCS_GUEST_PDPTE3,
	};
	uint64_t pdptes[4], table = vmcs_read_natural(VMCS_GUEST_CR3) & 0xffffffe0ULL;
	unsigned int i;

	if (!guest_read_phys(cpu, table, pdptes, sizeof(pdptes)))
		return false;
	for (i = 0; i < 4; i++)
		if ((pdptes[i] & PDPTE_PRESENT) && (pdptes[i] & PDPTE_RESERVED))
			return false;
	for (i = 0; i < 4; i++)
		vmcs_write64(fields[i], pdptes[i]);
	return true;
}

static bool pae_paging_without_long_mode(void)
{
	return (vmcs_read_natural(VMCS_GUEST_CR0) & CR0_PG) &&
	       (vmcs_read_natural(VMCS_GUEST_CR4) & CR4_PAE) &&
	       !(vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA);
}

static void guest_writes_cr0(struct per_cpu *cpu, uint64_t value)
{
	uint64_t old = vmcs_read_natural(VMCS_CR0_READ_SHADOW);

	if (cr0_write_faults(value))
		return inject_gp();
	vmx_set_guest_cr0(cpu, value);
	if (pae_paging_without_long_mode() && !load_pdptes(cpu)) {
		vmx_set_guest_cr0(cpu, old);
		return inject_gp();
	}
	skip_instruction();
}

static void guest_writes_cr4(uint64_t value)
{
	if (value & CR4_VMXE) {
		inject_gp();
		return;
	}
	vmx_set_guest_cr4(value);
	skip_instruction();
}

/* Exit qualification of control-register accesses; SDM Vol. 3C, 27.2.1, table 27-3. */
static void handle_cr_access(struct per_cpu *cpu, struct guest_registers *regs)
{
	uint64_t qualification = vmcs_read_natural(VMCS_EXIT_QUALIFICATION);
	unsigned int cr = qualification & 0xf;
	unsigned int access = (qualification >> 4) & 3;
	uint64_t value = read_guest_register(regs, (qualification >> 8) & 0xf);

	if (access == 0 && cr == 0)
		return guest_writes_cr0(cpu, value);
	if (access == 0 && cr == 4)
		return guest_writes_cr4(value);
	if (access == 3) {
		/* LMSW sets PE, MP, EM, TS but never clears PE. */
		uint64_t shadow = vmcs_read_natural(VMCS_CR0_READ_SHADOW);
		uint64_t low = (qualification >> 16) & 0xf;

		return guest_writes_cr0(cpu, (shadow & ~0xeULL) | low | (shadow & CR0_PE));
	}
	guest_failed(cpu, "unexpected control register access");
}

static bool read_msr_for_guest(uint32_t msr, uint64_t *value)
{
	if (cache_type_emulates(this_cpu(), msr)) {
		cache_type_read(this_cpu(), msr, value);
		return true;
	}
	switch (msr) {
	case MSR_APIC_BASE:
		*value = apic_emulate_base_read(this_cpu());
		return true;
	case MSR_FEATURE_CONTROL:
		*value = FEATURE_CONTROL_HIDDEN;
		return true;
	case MSR_EFER:
		*value = vmcs_read64(VMCS_GUEST_EFER);
		return true;
	case MSR_PAT:
		*value = vmcs_read64(VMCS_GUEST_PAT);
		return true;
	case MSR_DEBUGCTL:
		*value = vmcs_read64(VMCS_GUEST_DEBUGCTL);
		return true;
	case MSR_SYSENTER_CS:
		*value = vmcs_read32(VMCS_GUEST_SYSENTER_CS);
		return true;
	case MSR_SYSENTER_ESP:
		*value = vmcs_read_natural(VMCS_GUEST_SYSENTER_ESP);
		return true;
	case MSR_SYSENTER_EIP:
		*value = vmcs_read_natural(VMCS_GUEST_SYSENTER_EIP);
		return true;
	default:
		/* Only the root cell's MSRs outside the allow-list are done on its behalf. */
		if (!in_root_cell(this_cpu()) || (msr >= MSR_VMX_FIRST && msr <= MSR_VMX_LAST))
			return false;
		return msr_read_safe(msr, value);
	}
}

/*
 * EFER as WRMSR takes it on a bare CPU (SDM Vol. 4, IA32_EFER; Vol. 3A,
 * 9.8.5): no reserved bit, and LME unchanged while paging is on.
 */
static bool efer_write_allowed(uint64_t value)
{
	uint64_t old = vmcs_read64(VMCS_GUEST_EFER);

	if (!vmx_check_efer_valid(value))
		return false;
	return !(vmcs_read_natural(VMCS_GUEST_CR0) & CR0_PG) || !((old ^ value) & EFER_LME);
}

/*
 * A bare CPU refuses a non-canonical SYSENTER address with #GP (SDM Vol.
 * 2B, WRMSR); stored, it would fail the next VM entry's checks (Vol. 3C,
 * 26.3.1.1) and with it the guest.
 */
static bool write_sysenter_address(uint32_t msr, uint64_t value)
{
	if (!vmx_check_canonical(value, vmcs_read_natural(VMCS_GUEST_CR4)))
		return false;
	vmcs_write_natural(msr == MSR_SYSENTER_ESP ? VMCS_GUEST_SYSENTER_ESP :
			   VMCS_GUEST_SYSENTER_EIP, value);
	return true;
}

static bool write_msr_for_guest(struct per_cpu *cpu, uint32_t msr, uint64_t value)
{
	if (msr == MSR_X2APIC_ICR) {
		/* In xAPIC mode the x2APIC MSRs do not exist (SDM Vol. 3A, 10.12.1.2): #GP. */
		if (!(apic_emulate_base_read(cpu) & APIC_BASE_X2APIC))
			return false;
		apic_emulate_icr(cpu, value, true);
		return true;
	}
	if (!in_root_cell(cpu) && apic_is_lvt(msr))
		return apic_emulate_lvt_write(cpu, msr, value);
	if (cache_type_emulates(cpu, msr))
		return cache_type_write(cpu, msr, value);
	switch (msr) {
	case MSR_APIC_BASE:
		return apic_emulate_base_write(cpu, value);
	case MSR_FEATURE_CONTROL:
		return false;	/* locked, as a bare CPU reports it */
	case MSR_EFER:
		if (!efer_write_allowed(value))
			return false;
		vmx_set_guest_efer(cpu, value);
		return true;
	case MSR_PAT:
		if (!vmx_check_pat_valid(value))
			return false;
		vmcs_write64(VMCS_GUEST_PAT, value);
		return true;
	case MSR_DEBUGCTL:
		if (!vmx_check_debugctl_valid(value))
			return false;
		vmcs_write64(VMCS_GUEST_DEBUGCTL, value);
		return true;
	case MSR_SYSENTER_CS:
		vmcs_write32(VMCS_GUEST_SYSENTER_CS, (uint32_t)value);
		return true;
	case MSR_SYSENTER_ESP:
	case MSR_SYSENTER_EIP:
		return write_sysenter_address(msr, value);
	default:
		if (!in_root_cell(cpu) || (msr >= MSR_VMX_FIRST && msr <= MSR_VMX_LAST))
			return false;
		return msr_write_safe(msr, value);
	}
}

/* MSRs outside the allow-list of the MSR bitmap: emulated, hidden, or done on the guest's behalf. */
static void handle_rdmsr(struct per_cpu *cpu, struct guest_registers *regs)
{
	uint64_t value;

	(void)cpu;
	if (!read_msr_for_guest((uint32_t)regs->rcx, &value))
		return inject_gp();
	set_edx_eax(regs, value);
	skip_instruction();
}

static void handle_wrmsr(struct per_cpu *cpu, struct guest_registers *regs)
{
	uint64_t value = edx_eax(regs);

	if (!write_msr_for_guest(cpu, (uint32_t)regs->rcx, value))
		return inject_gp();
	skip_instruction();
}

static void handle_xsetbv(struct per_cpu *cpu, struct guest_registers *regs)
{
	uint64_t value = edx_eax(regs);

	(void)cpu;
	if (guest_cpl() != 0 || !xsetbv_safe((uint32_t)regs->rcx, value))
		return inject_gp();
	skip_instruction();
}

/*
 * A port the root cell does not own: reads see a missing device (all ones),
 * writes are dropped.  String forms move no data.  SDM Vol. 3C, table 27-5.
 */
static void handle_io(struct per_cpu *cpu, struct guest_registers *regs)
{
	uint64_t qualification = vmcs_read_natural(VMCS_EXIT_QUALIFICATION);
	unsigned int size = (qualification & 7) + 1;
	bool in = qualification & (1U << 3);
	bool string = qualification & (1U << 4);
	bool rep = qualification & (1U << 5);

	(void)cpu;
	if (in && !string) {
		uint64_t mask = size == 4 ? 0xffffffffULL : (1ULL << (size * 8)) - 1;

		regs->rax = size == 4 ? mask : (regs->rax & ~mask) | mask;
	}
	if (string && rep)
		regs->rcx = 0;
	skip_instruction();
}

static void handle_vmcall(struct per_cpu *cpu, struct guest_registers *regs)
{
	skip_instruction();
	if (guest_cpl() != 0) {
		regs->rax = (uint64_t)(int64_t)-EPERM;
		return;
	}
	/* Disable does not return: it resumes Linux on the bare CPU. */
	regs->rax = (uint64_t)hypercall(cpu, regs->rax, regs->rdi, regs->rsi);
}

/* VMX instructions in the guest: no nested virtualization, #UD as without VMX. */
static void handle_vmx_instruction(struct per_cpu *cpu, struct guest_registers *regs)
{
	(void)cpu;
	(void)regs;
	vmx_inject_exception(VECTOR_INVALID_OPCODE, 0);
}

/*
 * WBINVD and INVD write back and invalidate caches other cells share: an
 * inmate's would disturb them all, so a cell's are confined (not run, and
 * counted; the cell's own memory stays coherent, as the hardware keeps
 * caches coherent anyway).  The root cell's INVD becomes WBINVD: dropping
 * dirty lines would corrupt the hypervisor.  SDM Vol. 2A, INVD and WBINVD.
 */
static void handle_cache_flush(struct per_cpu *cpu, struct guest_registers *regs)
{
	(void)regs;
	if (in_root_cell(cpu))
		asm volatile("wbinvd" ::: "memory");
	else
		cpu->page->events[BULKHEAD_EVENT_CACHE_CONFINED]++;
	skip_instruction();
}

/*
 * Bulkhead never sends a real INIT: Linux's and the inmates' INITs are
 * virtual (control.c).  One that arrives anyway (from a device or the
 * platform) is taken as the CPU's own cell's INIT: the CPU waits for a
 * startup IPI.  Wait-for-SIPI is never an activity state Bulkhead uses, so
 * a SIPI exit cannot happen; it is dropped.
 */
static void handle_init(struct per_cpu *cpu, struct guest_registers *regs)
{
	(void)regs;
	post_work(cpu->cpu_id, in_root_cell(cpu) ? PENDING_ROOT_INIT : PENDING_CELL_INIT);
}

static void handle_sipi(struct per_cpu *cpu, struct guest_registers *regs)
{
	(void)cpu;
	(void)regs;
}

/* #DB and #AC are intercepted only to bound them; the guest gets them back (SDM Vol. 3C, 27.2.1). */
static void handle_exception_or_nmi(struct per_cpu *cpu, struct guest_registers *regs)
{
	uint32_t info = vmcs_read32(VMCS_EXIT_INTERRUPTION_INFO);
	unsigned int vector = INTERRUPTION_VECTOR(info);

	(void)regs;
	if (INTERRUPTION_TYPE(info) == INTERRUPTION_TYPE_NMI) {
		arch_unblock_nmis();
		/* The hypervisor's NMIs only make the CPU look at its pending work. */
		if (!control_nmi_arrived(cpu))
			__atomic_or_fetch(&cpu->arch.pending, PENDING_GUEST_NMI, __ATOMIC_SEQ_CST);
		return;
	}
	if (vector == VECTOR_DEBUG) {
		/*
		 * DR6 as the CPU would have set it (SDM Vol. 3A, 17.2.3): B0-B3,
		 * BD and BS from the qualification; BD, BS and BT, which the
		 * CPU never clears, kept from before.
		 */
		write_dr6(0xffff0ff0ULL | (read_dr6() & 0xe000) |
			  (vmcs_read_natural(VMCS_EXIT_QUALIFICATION) & 0x600f));
		/* ICEBP (INT1) is a trap: the guest's handler returns after it. */
		return vmx_inject_event(INTERRUPTION_TYPE(info), VECTOR_DEBUG, 0,
					vmcs_read32(VMCS_EXIT_INSTRUCTION_LENGTH));
	}
	if (vector == VECTOR_ALIGNMENT_CHECK)
		return vmx_inject_exception(VECTOR_ALIGNMENT_CHECK,
					    vmcs_read32(VMCS_EXIT_INTERRUPTION_ERROR_CODE));
	guest_failed(cpu, "unexpected exception in the guest");
}

static void handle_nmi_window(struct per_cpu *cpu, struct guest_registers *regs)
{
	(void)regs;
	cpu->arch.proc_controls &= ~PROC_NMI_WINDOW_EXITING;
	vmcs_write32(VMCS_PROC_CONTROLS, cpu->arch.proc_controls);
}

/* Only there to make the guest exit; the pending work is drained before every entry. */
static void handle_preemption_timer(struct per_cpu *cpu, struct guest_registers *regs)
{
	(void)cpu;
	(void)regs;
}

static void handle_triple_fault(struct per_cpu *cpu, struct guest_registers *regs)
{
	(void)regs;
	guest_failed(cpu, "triple fault in the guest");
}

#define XAPIC_PAGE_SIZE		0x1000ULL

static enum cpu_mode guest_cpu_mode(void)
{
	uint32_t cs = vmcs_read32(VMCS_GUEST_CS_ACCESS_RIGHTS);

	return mmio_cpu_mode(vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA, cs & SEG_AR_L, cs & SEG_AR_DB);
}

/*
 * An access of the root cell's Linux to its xAPIC page, which its EPT does
 * not map so that IPIs can be checked (apic-emul.c): only an aligned
 * 32-bit MOV, as the SDM requires for APIC registers (SDM Vol. 3A,
 * 10.4.1), is emulated.
 */
static bool xapic_page_access(struct per_cpu *cpu, uint64_t guest_phys, unsigned int size,
			      bool write, uint64_t *value)
{
	unsigned int offset = (unsigned int)(guest_phys & (XAPIC_PAGE_SIZE - 1));

	if (size != 4 || (offset & 0xf))
		return false;
	if (write)
		apic_emulate_xapic_write(cpu, offset, (uint32_t)*value);
	else
		*value = apic_emulate_xapic_read(cpu, offset);
	return true;
}

typedef bool (*mmio_emulator)(struct per_cpu *cpu, uint64_t guest_phys, unsigned int size,
			      bool write, uint64_t *value);

/*
 * A guest's access to a device page its EPT leaves out so that the
 * hypervisor sees it (the root cell's xAPIC, an IOAPIC).  The instruction
 * is fetched through the guest's page tables and decoded (mmio.c); false
 * when it cannot be, or @emulate refuses the access.
 */
static bool emulate_mmio(struct per_cpu *cpu, struct guest_registers *regs, uint64_t guest_phys,
			 mmio_emulator emulate)
{
	uint8_t bytes[MMIO_MAX_INSTRUCTION];
	unsigned int fetched = guest_fetch_instruction(cpu, bytes, sizeof(bytes));
	struct mmio_access access;
	uint64_t *reg, value = 0;

	if (!fetched || mmio_decode(bytes, fetched, guest_cpu_mode(), &access) ||
	    access.reg == MMIO_RSP)
		return false;
	reg = guest_register(regs, access.reg);
	if (access.write)
		value = access.has_immediate ? access.value : mmio_write_value(&access, *reg);
	if (!emulate(cpu, guest_phys, access.size, access.write, &value))
		return false;
	if (!access.write)
		*reg = mmio_read_result(&access, *reg, value);
	/* An EPT violation reports no instruction length: the decoder's. */
	complete_instruction(access.length);
	return true;
}

static bool in_xapic_page(uint64_t guest_phys)
{
	return guest_phys >= APIC_DEFAULT_PHYS && guest_phys < APIC_DEFAULT_PHYS + XAPIC_PAGE_SIZE;
}

/*
 * A guest touched memory it does not own (hypervisor memory, a hole in its
 * map, another cell's), the root cell its xAPIC page, or a cell an IOAPIC
 * page.  The xAPIC and the IOAPICs a cell's config lists are emulated;
 * other accesses are not: the log names the address and the CPU is parked
 * (root cell) or its cell failed, as documented in Documentation/design.md.
 */
static void handle_ept_violation(struct per_cpu *cpu, struct guest_registers *regs)
{
	uint64_t guest_phys = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
	uint64_t qualification = vmcs_read_natural(VMCS_EXIT_QUALIFICATION);
	bool ioapic = ioapic_page_of_cell(cpu->cell, guest_phys);

	if (in_root_cell(cpu) && in_xapic_page(guest_phys) &&
	    emulate_mmio(cpu, regs, guest_phys, xapic_page_access))
		return;
	if (ioapic && emulate_mmio(cpu, regs, guest_phys, ioapic_emulate))
		return;
	printk("CPU %u: EPT violation at guest physical 0x%lx (qualification 0x%lx)\n",
	       cpu->cpu_id, guest_phys, qualification);
	if (ioapic)
		guest_failed(cpu, "an IOAPIC access that is not a 32-bit MOV of IOREGSEL, IOWIN or EOI");
	/* Jailhouse inmates program their pins there (inmate-interface.md). */
	if (!in_root_cell(cpu) && guest_phys >= BULKHEAD_IOAPIC_BASE &&
	    guest_phys < BULKHEAD_IOAPIC_BASE + PAGE_SIZE)
		guest_failed(cpu, "access to the IOAPIC at 0xfec00000, whose pins the cell's config does not give it");
	guest_failed(cpu, "access outside the cell's memory");
}

typedef void (*exit_handler)(struct per_cpu *cpu, struct guest_registers *regs);

/*
 * Handlers by basic exit reason.  Contract: a handler either prepares the
 * guest to go on (advancing RIP past the instruction, or injecting an
 * event) and returns, or parks the CPU and does not return.  A reason
 * without a handler is unexpected: logged in full, the CPU parked.
 */
static const exit_handler exit_handlers[EXIT_REASON_COUNT] = {
	[EXIT_EXCEPTION_NMI] = handle_exception_or_nmi,
	[EXIT_TRIPLE_FAULT] = handle_triple_fault,
	[EXIT_INIT] = handle_init,
	[EXIT_SIPI] = handle_sipi,
	[EXIT_NMI_WINDOW] = handle_nmi_window,
	[EXIT_CPUID] = handle_cpuid,
	[EXIT_GETSEC] = handle_vmx_instruction,
	[EXIT_INVD] = handle_cache_flush,
	[EXIT_VMCALL] = handle_vmcall,
	[EXIT_VMCLEAR] = handle_vmx_instruction,
	[EXIT_VMLAUNCH] = handle_vmx_instruction,
	[EXIT_VMPTRLD] = handle_vmx_instruction,
	[EXIT_VMPTRST] = handle_vmx_instruction,
	[EXIT_VMREAD] = handle_vmx_instruction,
	[EXIT_VMRESUME] = handle_vmx_instruction,
	[EXIT_VMWRITE] = handle_vmx_instruction,
	[EXIT_VMXOFF] = handle_vmx_instruction,
	[EXIT_VMXON] = handle_vmx_instruction,
	[EXIT_CR_ACCESS] = handle_cr_access,
	[EXIT_IO] = handle_io,
	[EXIT_RDMSR] = handle_rdmsr,
	[EXIT_WRMSR] = handle_wrmsr,
	[EXIT_EPT_VIOLATION] = handle_ept_violation,
	[EXIT_INVEPT] = handle_vmx_instruction,
	[EXIT_PREEMPTION_TIMER] = handle_preemption_timer,
	[EXIT_INVVPID] = handle_vmx_instruction,
	[EXIT_WBINVD] = handle_cache_flush,
	[EXIT_XSETBV] = handle_xsetbv,
	[EXIT_VMFUNC] = handle_vmx_instruction,
};

/* An event the exit interrupted goes in again first; SDM Vol. 3C, 27.2.4 and 29.2.3. */
static void reinject_interrupted_event(void)
{
	uint32_t info = vmcs_read32(VMCS_IDT_VECTORING_INFO);

	if (!(info & INTERRUPTION_VALID))
		return;
	vmx_inject_event(INTERRUPTION_TYPE(info), INTERRUPTION_VECTOR(info),
			 vmcs_read32(VMCS_IDT_VECTORING_ERROR_CODE),
			 vmcs_read32(VMCS_EXIT_INSTRUCTION_LENGTH));
}

/* An NMI for Linux goes in when nothing else is injected and the guest does not block NMIs. */
static void deliver_guest_nmi(struct per_cpu *cpu)
{
	uint32_t blocking = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_NMI;

	if ((vmcs_read32(VMCS_ENTRY_INTERRUPTION_INFO) & INTERRUPTION_VALID) ||
	    (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & blocking)) {
		__atomic_or_fetch(&cpu->arch.pending, PENDING_GUEST_NMI, __ATOMIC_RELAXED);
		cpu->arch.proc_controls |= PROC_NMI_WINDOW_EXITING;
		vmcs_write32(VMCS_PROC_CONTROLS, cpu->arch.proc_controls);
		return;
	}
	vmx_inject_event(INTERRUPTION_TYPE_NMI, VECTOR_NMI, 0, 0);
	cpu->page->events[BULKHEAD_EVENT_NMI_GUEST]++;
}

/*
 * This CPU's pending work before it enters its guest again: requests
 * first (they may leave the guest for good), then flushes and NMIs for the
 * guest, in a bounded loop (DESIGN decisions 3 and 4).
 */
static void drain_pending_work(struct per_cpu *cpu)
{
	bool guest_nmi = false;
	unsigned int round;

	/* The NMI handler arms the timer behind the cached controls: disarm it here. */
	if (cpu->arch.timer_armed) {
		cpu->arch.timer_armed = false;
		vmcs_write32(VMCS_PIN_CONTROLS, cpu->arch.pin_controls);
	}
	vmx_handle_requests(cpu);
	for (round = 0; round < PENDING_ROUNDS; round++) {
		uint32_t work = __atomic_fetch_and(&cpu->arch.pending,
						   ~(PENDING_GUEST_NMI | PENDING_FLUSH_EPT),
						   __ATOMIC_SEQ_CST) &
				(PENDING_GUEST_NMI | PENDING_FLUSH_EPT);

		if (!work)
			break;
		if (work & PENDING_GUEST_NMI)
			guest_nmi = true;
		if (work & PENDING_FLUSH_EPT)
			vmx_invept(cpu->cell->arch.ept_pointer);
	}
	if (guest_nmi)
		deliver_guest_nmi(cpu);
}

void vmx_prepare_entry(struct per_cpu *cpu)
{
	drain_pending_work(cpu);
	vmx_flush_l1d_if_needed(cpu);
}

static void account(struct per_cpu *cpu, unsigned int reason, uint64_t start)
{
	struct bulkhead_exit_stat *stat = &cpu->page->exits[reason < BULKHEAD_EXIT_STATS ?
							    reason : BULKHEAD_EXIT_STATS - 1];
	uint64_t cycles = arch_read_timestamp() - start;

	stat->count++;
	stat->total_cycles += cycles;
	if (cycles > stat->max_cycles)
		stat->max_cycles = cycles;
	cpu->public->exits++;
}

static void entry_failed(struct per_cpu *cpu, uint32_t reason)
{
	uint64_t qualification = vmcs_read_natural(VMCS_EXIT_QUALIFICATION);

	if (!cpu->arch.guest_ran && in_root_cell(cpu))
		vmx_abort_first_entry(cpu, reason, qualification);
	printk("CPU %u: VM entry failed: %s, qualification 0x%lx\n", cpu->cpu_id,
	       vmx_exit_reason_name(EXIT_REASON_BASIC(reason)), qualification);
	guest_failed(cpu, "VM-entry failure");
}

/* Called by entry.S on every VM exit; returning resumes the guest. */
void vmx_handle_exit(struct guest_registers *regs)
{
	struct per_cpu *cpu = this_cpu();
	uint64_t start = arch_read_timestamp();
	uint32_t reason = vmcs_read32(VMCS_EXIT_REASON);
	unsigned int basic = EXIT_REASON_BASIC(reason);

	cpu->arch.regs = regs;
	control_step(cpu, STEP_EXIT);
	if (reason & EXIT_REASON_ENTRY_FAILED)
		entry_failed(cpu, reason);
	cpu->arch.guest_ran = true;
	reinject_interrupted_event();
	if (basic >= EXIT_REASON_COUNT || !exit_handlers[basic])
		guest_failed(cpu, "unexpected VM exit");
	exit_handlers[basic](cpu, regs);
	vmx_prepare_entry(cpu);
	account(cpu, basic, start);
}

/*
 * VMRESUME returned: VM-fail valid or invalid, logged by name.  A root cell
 * CPU parks; a cell's CPU fails its cell and keeps answering requests, so
 * that destroy and disable still work.
 */
void vmx_resume_failed(struct guest_registers *regs)
{
	struct per_cpu *cpu = this_cpu();
	uint32_t error = vmcs_read32(VMCS_INSTRUCTION_ERROR);

	cpu->arch.regs = regs;
	printk("CPU %u: VMRESUME failed: %s (VM-instruction error %u)\n", cpu->cpu_id,
	       vmx_instruction_error_name(error), error);
	guest_failed(cpu, "VM-instruction error on resume");
}
