/* SPDX-License-Identifier: GPL-2.0 */
/* A cell CPU's memory-type registers: MTRRcap, MTRR_DEF_TYPE and PAT, kept per CPU. */
#ifndef BULKHEAD_ASM_CACHE_TYPE_H
#define BULKHEAD_ASM_CACHE_TYPE_H

#include <bulkhead-hv/percpu.h>

#define MSR_MTRR_CAP			0x0fe
#define MSR_MTRR_DEF_TYPE		0x2ff
#define MTRR_DEF_TYPE_ENABLE		(1ULL << 11)
#define PAT_POWER_ON			0x0007040600070406ULL

/* The state after power-up (SDM Vol. 3A, 9.1.1, table 9-1): MTRRs off, PAT at its default. */
void cache_type_power_up(struct per_cpu *cpu);
/* The registers a CPU starts in real mode with: as after power-up (a cell's start) or INIT. */
void cache_type_start(struct per_cpu *cpu, bool power_up);
/* Whether @msr is one of a cell CPU's emulated memory-type MSRs. */
bool cache_type_emulates(const struct per_cpu *cpu, uint32_t msr);
void cache_type_read(const struct per_cpu *cpu, uint32_t msr, uint64_t *value);
/* False when the guest's value would raise #GP on a bare CPU. */
bool cache_type_write(struct per_cpu *cpu, uint32_t msr, uint64_t value);

#endif
