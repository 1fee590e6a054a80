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

/* vmx.c */
void vmx_read_facts(struct vmx_cpu_facts *facts);
void vmx_off(struct per_cpu *cpu);
void vmx_nmi_in_hypervisor(struct per_cpu *cpu);
void vmx_park(struct per_cpu *cpu, const char *why) __attribute__((noreturn));
void vmx_dump_guest_state(const struct per_cpu *cpu);
void vmx_flush_l1d_if_needed(const struct per_cpu *cpu);
void vmx_abort_first_entry(struct per_cpu *cpu, uint32_t reason, uint64_t qualification)
	__attribute__((noreturn));

void vmx_invept(uint64_t ept_pointer);
void vmx_clear_current(struct per_cpu *cpu);
/* Sets up a fresh VMCS for @cell's inmate and launches it; returns only on failure. */
int vmx_launch_cell(struct per_cpu *cpu, struct cell *cell);

/* control.c */
void vmx_handle_request(struct per_cpu *cpu);
void arch_cpu_wait(struct per_cpu *cpu) __attribute__((noreturn));
void arch_flush_root_ept(unsigned int caller_cpu);
bool arch_root_ept_flushed(unsigned int caller_cpu);
void arch_cell_startup_ipi(struct cell *cell, uint32_t apic_id, uint8_t vector);

/* vmcs-setup.c */
int vmx_setup_vmcs(struct per_cpu *cpu, const struct vmx_cpu_facts *facts,
		   uint64_t linux_cr3, uint64_t linux_rip, uint64_t linux_rsp);
void vmx_set_guest_cr0(struct per_cpu *cpu, uint64_t value);
void vmx_set_guest_cr4(uint64_t value);
void vmx_set_guest_efer(struct per_cpu *cpu, uint64_t value);
void vmx_reset_to_wait_for_sipi(struct per_cpu *cpu);
void vmx_start_at_vector(struct per_cpu *cpu, uint8_t vector);
void vmx_start_at_address(struct per_cpu *cpu, uint64_t address);
int vmx_setup_cell_vmcs(struct per_cpu *cpu, const struct vmx_cpu_facts *facts,
			const struct cell *cell);

/* exits.c */
void vmx_handle_exit(struct guest_registers *regs);
void vmx_resume_failed(struct guest_registers *regs) __attribute__((noreturn));
void vmx_inject_exception(unsigned int vector, bool has_error_code, uint32_t error_code);
void vmx_prepare_entry(struct per_cpu *cpu);

#endif
