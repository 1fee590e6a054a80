/* SPDX-License-Identifier: GPL-2.0 */
/* Hooks the core calls into the architecture code; nothing else crosses. */
#ifndef BULKHEAD_HV_ARCH_H
#define BULKHEAD_HV_ARCH_H

#include <bulkhead-hv/percpu.h>

/* Switches this CPU to the hypervisor's GDT and IDT and records what it found. */
void arch_cpu_enter(struct per_cpu *cpu, uint64_t own_page_table_root);
/* Proves the hypervisor's IDT handles an exception on this CPU. */
int arch_cpu_test_exception(struct per_cpu *cpu);
/* Enters VMX root operation on this CPU and leaves it again. */
int arch_cpu_test_vmx(struct per_cpu *cpu, uint64_t virt_to_phys_offset);
/* Leaves VMX operation if on, puts Linux's CR4, GDT and IDT back. */
void arch_cpu_leave(struct per_cpu *cpu);
uint64_t arch_read_timestamp(void);

#endif
