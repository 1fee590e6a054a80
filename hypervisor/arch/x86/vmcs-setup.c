// SPDX-License-Identifier: GPL-2.0
/* Filling the VMCS: controls, host state, guest state from Linux, and CPU resets. */
#include <bulkhead-hv/cell.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <asm/cache-type.h>
#include <asm/msr.h>
#include <asm/vmcs.h>
#include <asm/vmx-cpu.h>

/*
 * Bits a guest may not change without an exit: SDM Vol. 3C, 24.6.6.  CD and
 * NW are the hypervisor's: the guest sees its own values in the read
 * shadow, while the CPU, which runs the hypervisor too, stays cached.
 */
#define CR0_HOST_OWNED		(CR0_PE | CR0_NE | CR0_PG | CR0_CD | CR0_NW)
#define CR0_GUEST_ONLY		(CR0_CD | CR0_NW)
#define CR4_HOST_OWNED		CR4_VMXE

/* Exceptions intercepted against the #AC and #DB microcode-loop attacks (CVE-2015-5307, CVE-2015-8104). */
#define VECTOR_DEBUG		1
#define VECTOR_ALIGNMENT_CHECK	17

#define PIN_WANTED	(PIN_NMI_EXITING | PIN_VIRTUAL_NMIS)
#define PROC_WANTED	(PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_SECONDARY_CONTROLS)
#define PROC2_WANTED	(PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST)
/* Instructions Linux uses when CPUID offers them; without these controls they raise #UD. */
#define PROC2_IF_AVAILABLE (PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID | PROC2_ENABLE_XSAVES)
#define EXIT_WANTED	(EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_DEBUG_CONTROLS | \
			 EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER)
#define ENTRY_WANTED	(ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_DEBUG_CONTROLS | \
			 ENTRY_LOAD_PAT | ENTRY_LOAD_EFER)

static int adjust(const struct vmx_cpu_facts *facts, enum vmx_capability msr,
		  uint32_t wanted, const char *name, uint32_t *value)
{
	uint64_t capability = facts->msr[vmx_control_capability_msr(facts, msr)];
	uint32_t refused;

	if (vmx_adjust_controls(capability, wanted, value, &refused)) {
		printk("CPU %u: %s controls 0x%x refused by this CPU\n",
		       this_cpu()->cpu_id, name, refused);
		return trace_error(-EINVAL);
	}
	return 0;
}

static int setup_controls(struct per_cpu *cpu, const struct vmx_cpu_facts *facts)
{
	uint32_t proc2_available = (uint32_t)(facts->msr[VMX_PROCBASED_CTLS2] >> 32);
	uint32_t proc2 = 0, exit_controls = 0;
	int err;

	err = adjust(facts, VMX_PINBASED_CTLS, PIN_WANTED, "pin-based", &cpu->arch.pin_controls);
	if (!err)
		err = adjust(facts, VMX_PROCBASED_CTLS, PROC_WANTED, "processor-based",
			     &cpu->arch.proc_controls);
	if (!err)
		err = adjust(facts, VMX_PROCBASED_CTLS2,
			     PROC2_WANTED | (PROC2_IF_AVAILABLE & proc2_available) |
			     (cpu->cell == &root_cell ? 0 : PROC2_WBINVD_EXITING),
			     "secondary processor-based", &proc2);
	if (!err)
		err = adjust(facts, VMX_EXIT_CTLS, EXIT_WANTED, "VM-exit", &exit_controls);
	if (!err)
		err = adjust(facts, VMX_ENTRY_CTLS, ENTRY_WANTED, "VM-entry",
			     &cpu->arch.entry_controls);
	if (err)
		return err;
	vmcs_write32(VMCS_PIN_CONTROLS, cpu->arch.pin_controls);
	vmcs_write32(VMCS_PROC_CONTROLS, cpu->arch.proc_controls);
	vmcs_write32(VMCS_PROC_CONTROLS2, proc2);
	vmcs_write32(VMCS_EXIT_CONTROLS, exit_controls);
	vmcs_write32(VMCS_ENTRY_CONTROLS, cpu->arch.entry_controls);
	return 0;
}

static void setup_isolation(const struct cell *cell)
{
	vmcs_write64(VMCS_EPT_POINTER, cell->arch.ept_pointer);
	vmcs_write64(VMCS_IO_BITMAP_A, virt_to_phys(cell->arch.io_bitmap_a));
	vmcs_write64(VMCS_IO_BITMAP_B, virt_to_phys(cell->arch.io_bitmap_b));
	vmcs_write64(VMCS_MSR_BITMAP, virt_to_phys(cell->arch.msr_bitmap));
	vmcs_write32(VMCS_EXCEPTION_BITMAP,
		     (1U << VECTOR_DEBUG) | (1U << VECTOR_ALIGNMENT_CHECK));
	vmcs_write32(VMCS_PAGE_FAULT_ERROR_MASK, 0);
	vmcs_write32(VMCS_PAGE_FAULT_ERROR_MATCH, 0);
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_INTERRUPTION_INFO, 0);
	vmcs_write_natural(VMCS_CR0_GUEST_HOST_MASK, CR0_HOST_OWNED);
	vmcs_write_natural(VMCS_CR4_GUEST_HOST_MASK, CR4_HOST_OWNED);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
}

/*
 * The host state is the hypervisor's, except TR, FS and GS: the host TR is
 * Linux's (selector and base), so that after VMXOFF Linux has its own TSS
 * back; nothing in the hypervisor uses the TSS (no IST, no ring change).
 * Exits start on this CPU's stack below the entry frame.  SDM Vol. 3C, 24.5.
 */
static void setup_host_state(struct per_cpu *cpu)
{
	const struct bulkhead_linux_state *linux_state = &cpu->page->linux_state;

	vmcs_write_natural(VMCS_HOST_CR0, read_cr0());
	vmcs_write_natural(VMCS_HOST_CR3, read_cr3());
	vmcs_write_natural(VMCS_HOST_CR4, read_cr4());
	vmcs_write16(VMCS_HOST_CS_SELECTOR, GDT_SELECTOR_CODE);
	vmcs_write16(VMCS_HOST_SS_SELECTOR, GDT_SELECTOR_DATA);
	vmcs_write16(VMCS_HOST_DS_SELECTOR, GDT_SELECTOR_DATA);
	vmcs_write16(VMCS_HOST_ES_SELECTOR, GDT_SELECTOR_DATA);
	vmcs_write16(VMCS_HOST_FS_SELECTOR, 0);
	vmcs_write16(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write16(VMCS_HOST_TR_SELECTOR, linux_state->tr.selector);
	vmcs_write_natural(VMCS_HOST_TR_BASE, linux_state->tr.base);
	vmcs_write_natural(VMCS_HOST_FS_BASE, read_msr(MSR_FS_BASE));
	vmcs_write_natural(VMCS_HOST_GS_BASE, read_msr(MSR_GS_BASE));
	vmcs_write_natural(VMCS_HOST_GDTR_BASE, (uint64_t)cpu->arch.gdt);
	vmcs_write_natural(VMCS_HOST_IDTR_BASE, (uint64_t)arch_idt);
	vmcs_write32(VMCS_HOST_SYSENTER_CS, (uint32_t)read_msr(MSR_SYSENTER_CS));
	vmcs_write_natural(VMCS_HOST_SYSENTER_ESP, read_msr(MSR_SYSENTER_ESP));
	vmcs_write_natural(VMCS_HOST_SYSENTER_EIP, read_msr(MSR_SYSENTER_EIP));
	vmcs_write64(VMCS_HOST_EFER, read_msr(MSR_EFER));
	vmcs_write64(VMCS_HOST_PAT, read_msr(MSR_PAT));
	vmcs_write_natural(VMCS_HOST_RSP, cpu->arch.recovery_rsp - 8);
	vmcs_write_natural(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
}

struct segment_fields {
	enum vmcs_field16 selector;
	enum vmcs_field32 limit;
	enum vmcs_field32 access_rights;
	enum vmcs_field_natural base;
};

#define SEGMENT(name) {							\
	VMCS_GUEST_##name##_SELECTOR, VMCS_GUEST_##name##_LIMIT,	\
	VMCS_GUEST_##name##_ACCESS_RIGHTS, VMCS_GUEST_##name##_BASE }

enum segment_index { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_TR, SEG_LDTR, SEGMENTS };

static const struct segment_fields segment_fields[SEGMENTS] = {
	[SEG_CS] = SEGMENT(CS), [SEG_SS] = SEGMENT(SS), [SEG_DS] = SEGMENT(DS),
	[SEG_ES] = SEGMENT(ES), [SEG_FS] = SEGMENT(FS), [SEG_GS] = SEGMENT(GS),
	[SEG_TR] = SEGMENT(TR), [SEG_LDTR] = SEGMENT(LDTR),
};

static void write_segment(enum segment_index index, uint16_t selector, uint64_t base,
			  uint32_t limit, uint32_t access_rights)
{
	const struct segment_fields *fields = &segment_fields[index];

	vmcs_write16(fields->selector, selector);
	vmcs_write_natural(fields->base, base);
	vmcs_write32(fields->limit, limit);
	vmcs_write32(fields->access_rights, access_rights);
}

static void write_linux_segment(enum segment_index index, const struct bulkhead_segment *segment)
{
	write_segment(index, segment->selector, segment->base, segment->limit,
		      segment->access_rights);
}

/* Linux as it called the entry, from what the driver recorded and what the CPU holds. */
static void setup_guest_state(struct per_cpu *cpu, uint64_t linux_cr3, uint64_t rip, uint64_t rsp)
{
	const struct bulkhead_linux_state *linux_state = &cpu->page->linux_state;

	write_linux_segment(SEG_CS, &linux_state->cs);
	write_linux_segment(SEG_SS, &linux_state->ss);
	write_linux_segment(SEG_DS, &linux_state->ds);
	write_linux_segment(SEG_ES, &linux_state->es);
	write_linux_segment(SEG_FS, &linux_state->fs);
	write_linux_segment(SEG_GS, &linux_state->gs);
	write_linux_segment(SEG_TR, &linux_state->tr);
	write_linux_segment(SEG_LDTR, &linux_state->ldtr);
	/* Bases of FS and GS live in MSRs in 64-bit mode; the driver's record has the selectors. */
	vmcs_write_natural(VMCS_GUEST_FS_BASE, read_msr(MSR_FS_BASE));
	vmcs_write_natural(VMCS_GUEST_GS_BASE, read_msr(MSR_GS_BASE));
	vmcs_write_natural(VMCS_GUEST_GDTR_BASE, cpu->arch.linux_gdtr.base);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, cpu->arch.linux_gdtr.limit);
	vmcs_write_natural(VMCS_GUEST_IDTR_BASE, cpu->arch.linux_idtr.base);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, cpu->arch.linux_idtr.limit);
	vmcs_write_natural(VMCS_GUEST_CR0, read_cr0());
	vmcs_write_natural(VMCS_CR0_READ_SHADOW, read_cr0());
	vmcs_write_natural(VMCS_GUEST_CR3, linux_cr3);
	vmcs_write_natural(VMCS_GUEST_CR4, cpu->arch.linux_cr4 | CR4_VMXE);
	vmcs_write_natural(VMCS_CR4_READ_SHADOW, cpu->arch.linux_cr4);
	vmcs_write64(VMCS_GUEST_EFER, read_msr(MSR_EFER));
	vmcs_write64(VMCS_GUEST_PAT, read_msr(MSR_PAT));
	vmcs_write64(VMCS_GUEST_DEBUGCTL, read_msr(MSR_DEBUGCTL));
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, (uint32_t)read_msr(MSR_SYSENTER_CS));
	vmcs_write_natural(VMCS_GUEST_SYSENTER_ESP, read_msr(MSR_SYSENTER_ESP));
	vmcs_write_natural(VMCS_GUEST_SYSENTER_EIP, read_msr(MSR_SYSENTER_EIP));
	vmcs_write_natural(VMCS_GUEST_DR7, read_dr7());
	vmcs_write_natural(VMCS_GUEST_RSP, rsp);
	vmcs_write_natural(VMCS_GUEST_RIP, rip);
	vmcs_write_natural(VMCS_GUEST_RFLAGS, read_rflags());
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write_natural(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, 0);
}

int vmx_setup_vmcs(struct per_cpu *cpu, const struct vmx_cpu_facts *facts,
		   uint64_t linux_cr3, uint64_t linux_rip, uint64_t linux_rsp)
{
	int err;

	cpu->arch.vmcs_write_failed = false;
	err = setup_controls(cpu, facts);
	if (err)
		return err;
	setup_isolation(&root_cell);
	setup_host_state(cpu);
	setup_guest_state(cpu, linux_cr3, linux_rip, linux_rsp);
	return cpu->arch.vmcs_write_failed ? trace_error(-EIO) : 0;
}

/* Real mode at CS:IP with a clean register state, as after INIT (SDM Vol. 3A, 9.1.1, table 9-1). */
static void start_in_real_mode(struct per_cpu *cpu, uint16_t cs_selector, uint64_t cs_base,
			       uint64_t ip)
{
	static const enum segment_index data_segments[] = { SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };
	struct guest_registers *regs = cpu->arch.regs;
	unsigned int i;

	write_segment(SEG_CS, cs_selector, cs_base, 0xffff, 0x9b);
	for (i = 0; i < sizeof(data_segments) / sizeof(data_segments[0]); i++)
		write_segment(data_segments[i], 0, 0, 0xffff, 0x93);
	write_segment(SEG_TR, 0, 0, 0xffff, 0x8b);
	write_segment(SEG_LDTR, 0, 0, 0xffff, 0x82);
	vmcs_write_natural(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write_natural(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	vmcs_write_natural(VMCS_GUEST_CR3, 0);
	vmx_set_guest_cr4(0);
	vmcs_write64(VMCS_GUEST_EFER, 0);
	vmx_set_guest_cr0(cpu, CR0_CD | CR0_NW | CR0_ET);
	vmcs_write_natural(VMCS_GUEST_DR7, 0x400);
	vmcs_write64(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write_natural(VMCS_GUEST_RSP, 0);
	vmcs_write_natural(VMCS_GUEST_RIP, ip);
	vmcs_write_natural(VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write_natural(VMCS_GUEST_PENDING_DEBUG_EXCEPTIONS, 0);
	vmcs_write32(VMCS_ENTRY_INTERRUPTION_INFO, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	if (regs)
		*regs = (struct guest_registers){ .rdx = cpuid(1, 0).eax };
}

/*
 * As a startup IPI starts a CPU: real mode with CS selector vector << 8,
 * CS base vector << 12 and IP 0 (SDM Vol. 3A, 9.4.4; 10.6.1, startup
 * delivery mode).  Code such as Linux's trampoline derives its data
 * segment from CS, so the selector must be exactly that.
 */
static void start_at_vector(struct per_cpu *cpu, uint8_t vector)
{
	start_in_real_mode(cpu, (uint16_t)(vector << 8), (uint64_t)vector << 12, 0);
}

/* Real mode with CS base @address & ~0xffff and IP @address & 0xffff (a cell's reset address). */
static void start_at_address(struct per_cpu *cpu, uint64_t address)
{
	uint64_t cs_base = address & ~0xffffULL;

	start_in_real_mode(cpu, (uint16_t)(cs_base >> 4), cs_base, address & 0xffff);
}

/*
 * A CPU of its cell (the root cell's after Linux's startup IPI, or a
 * cell's): the cell's maps, the hypervisor's host state, and the
 * architectural state after INIT (SDM Vol. 3A, 9.1.1, table 9-1) in real
 * mode, at a startup IPI's vector or at a cell's reset address.
 */
int vmx_setup_real_mode_vmcs(struct per_cpu *cpu, const struct vmx_cpu_facts *facts,
			     bool by_sipi, uint64_t address)
{
	int err;

	cpu->arch.vmcs_write_failed = false;
	err = setup_controls(cpu, facts);
	if (err)
		return err;
	setup_isolation(cpu->cell);
	setup_host_state(cpu);
	vmcs_write_natural(VMCS_CR4_READ_SHADOW, 0);
	cache_type_start(cpu, !by_sipi);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write_natural(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write_natural(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write_natural(VMCS_GUEST_FS_BASE, 0);
	vmcs_write_natural(VMCS_GUEST_GS_BASE, 0);
	if (by_sipi)
		start_at_vector(cpu, (uint8_t)address);
	else
		start_at_address(cpu, address);
	return cpu->arch.vmcs_write_failed ? trace_error(-EIO) : 0;
}

static void set_ia32e_mode(struct per_cpu *cpu, bool on)
{
	if (on)
		cpu->arch.entry_controls |= ENTRY_IA32E_MODE_GUEST;
	else
		cpu->arch.entry_controls &= ~ENTRY_IA32E_MODE_GUEST;
	vmcs_write32(VMCS_ENTRY_CONTROLS, cpu->arch.entry_controls);
}

/*
 * EFER.LMA follows CR0.PG when EFER.LME is set, and the "IA-32e mode guest"
 * entry control must match EFER.LMA (SDM Vol. 3A, 9.8.5; Vol. 3C, 26.3.1.1).
 */
void vmx_set_guest_efer(struct per_cpu *cpu, uint64_t value)
{
	bool paging = vmcs_read_natural(VMCS_GUEST_CR0) & CR0_PG;

	value &= ~EFER_LMA;
	if (paging && (value & EFER_LME))
		value |= EFER_LMA;
	vmcs_write64(VMCS_GUEST_EFER, value);
	set_ia32e_mode(cpu, value & EFER_LMA);
}

/*
 * The guest sees @value; the CPU runs with NE set, as VMX requires (SDM
 * Vol. 3D, A.7), and with caching as the hypervisor needs it.
 */
void vmx_set_guest_cr0(struct per_cpu *cpu, uint64_t value)
{
	vmcs_write_natural(VMCS_CR0_READ_SHADOW, value);
	vmcs_write_natural(VMCS_GUEST_CR0, (value | CR0_NE) & ~CR0_GUEST_ONLY);
	vmx_set_guest_efer(cpu, vmcs_read64(VMCS_GUEST_EFER));
}

void vmx_set_guest_cr4(uint64_t value)
{
	vmcs_write_natural(VMCS_CR4_READ_SHADOW, value);
	vmcs_write_natural(VMCS_GUEST_CR4, value | CR4_VMXE);
}
