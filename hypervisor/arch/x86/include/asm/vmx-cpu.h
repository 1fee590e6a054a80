/* SPDX-License-Identifier: GPL-2.0 */
/* VMX on one CPU: interfaces between vmx.c, vmcs-setup.c, exits.c and the assembly. */
#ifndef BULKHEAD_ASM_VMX_CPU_H
#define BULKHEAD_ASM_VMX_CPU_H

#include <bulkhead-hv/cell.h>
#include <bulkhead-hv/percpu.h>
#include <asm/vmx-caps.h>

/* Registers then RIP: what vmx_return_to_linux() pops. */
struct linux_frame {
	struct guest_registers regs;
	uint64_t rip;
};

/* entry.S */
int vmx_launch(struct guest_registers *regs);	/* returns only on VM-fail: 1 invalid, 2 valid */
void vmx_exit_entry(void);
void vmx_return_to_linux(const struct linux_frame *frame) __attribute__((noreturn));
void arch_unwind_to_entry(int result) __attribute__((noreturn));
void arch_unblock_nmis(void);
/* Halts until an NMI unless (*pending & mask) is non-zero; an NMI just before the HLT skips it. */
void arch_halt_unless_pending(volatile uint32_t *pending, uint32_t mask);
/* The range the NMI handler moves RIP out of (to its end). */
extern const uint8_t arch_halt_window_start[], arch_halt_window_end[];

/* vmx.c */
void vmx_read_facts(struct vmx_cpu_facts *facts);
void vmx_off(struct per_cpu *cpu);
void vmx_nmi_in_hypervisor(struct per_cpu *cpu);
void vmx_arm_immediate_exit(struct per_cpu *cpu);
void vmx_park(struct per_cpu *cpu, const char *why) __attribute__((noreturn));
void vmx_dump_guest_state(const struct per_cpu *cpu);
void vmx_flush_l1d_if_needed(const struct per_cpu *cpu);
void vmx_abort_first_entry(struct per_cpu *cpu, uint32_t reason, uint64_t qualification)
	__attribute__((noreturn));

void vmx_invept(uint64_t ept_pointer);
void vmx_clear_current(struct per_cpu *cpu);
/*
 * Launches this CPU's cell (the root cell too) from a fresh VMCS in real
 * mode: at a startup IPI's vector, or at a cell's reset address.  Returns
 * only on failure.
 */
int vmx_launch_in_real_mode(struct per_cpu *cpu, bool by_sipi, uint64_t address);

/* Steps control_step() records (control.c); a CPU that does not answer shows its last eight. */
enum control_step {
	STEP_WAIT = 1, STEP_WOKE, STEP_CLAIM, STEP_HELD_BACK, STEP_LAUNCH, STEP_LAUNCHED,
	STEP_EXIT, STEP_LEAVE, STEP_NMI_HYPERVISOR, STEP_NMI_GUEST,
};

static inline void control_step(struct per_cpu *cpu, enum control_step step)
{
	cpu->arch.steps = (cpu->arch.steps << 4) | step;
}

/* control.c */
struct per_cpu *per_cpu_of(unsigned int cpu);
void post_work(unsigned int cpu, uint32_t bits);
bool control_nmi_arrived(struct per_cpu *cpu);
bool control_cell_held(const struct cell *cell);
void vmx_handle_requests(struct per_cpu *cpu);
void arch_cpu_wait(struct per_cpu *cpu) __attribute__((noreturn));
void arch_flush_root_ept(unsigned int caller_cpu);
bool arch_root_ept_flushed(unsigned int caller_cpu);
/* The other root CPUs wait in the hypervisor between the two (control.c). */
void arch_hold_root_cpus(unsigned int caller_cpu);
void arch_release_root_cpus(void);

/* vmcs-setup.c */
int vmx_setup_vmcs(struct per_cpu *cpu, const struct vmx_cpu_facts *facts,
		   uint64_t linux_cr3, uint64_t linux_rip, uint64_t linux_rsp);
void vmx_set_guest_cr0(struct per_cpu *cpu, uint64_t value);
void vmx_set_guest_cr4(uint64_t value);
void vmx_set_guest_efer(struct per_cpu *cpu, uint64_t value);
int vmx_setup_real_mode_vmcs(struct per_cpu *cpu, const struct vmx_cpu_facts *facts,
			     bool by_sipi, uint64_t address);

/* exits.c */
void vmx_handle_exit(struct guest_registers *regs);
void vmx_resume_failed(struct guest_registers *regs) __attribute__((noreturn));
void vmx_inject_event(unsigned int type, unsigned int vector, uint32_t error_code,
		      uint32_t instruction_length);
void vmx_inject_exception(unsigned int vector, uint32_t error_code);
void vmx_prepare_entry(struct per_cpu *cpu);

#endif
