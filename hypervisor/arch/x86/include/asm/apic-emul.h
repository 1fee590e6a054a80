/* SPDX-License-Identifier: GPL-2.0 */
/* The guests' local APIC writes the hypervisor emulates (arch/x86/apic-emul.c). */
#ifndef BULKHEAD_ASM_APIC_EMUL_H
#define BULKHEAD_ASM_APIC_EMUL_H

#include <bulkhead-hv/percpu.h>
#include <asm/apic-icr.h>

void apic_emulate_icr(struct per_cpu *cpu, uint64_t icr, bool x2apic);
void apic_emulate_xapic_write(struct per_cpu *cpu, unsigned int offset, uint32_t value);
uint32_t apic_emulate_xapic_read(struct per_cpu *cpu, unsigned int offset);
void apic_emulate_xapic_on_x2apic(struct per_cpu *cpu);
uint64_t apic_emulate_base_read(const struct per_cpu *cpu);
void apic_record_xapic_state(struct per_cpu *cpu);
/* False: the write is refused, the guest gets #GP. */
bool apic_emulate_base_write(struct per_cpu *cpu, uint64_t value);
bool apic_emulate_lvt_write(struct per_cpu *cpu, uint32_t msr, uint64_t value);
bool apic_is_lvt(uint32_t msr);
/* The CPUs of @cell now, and every CPU of the system as the ICR decoder sees it. */
struct cell;
uint64_t apic_cell_cpus(const struct cell *cell);
uint64_t apic_describe_cpus(struct apic_cpu *cpus);

#endif
