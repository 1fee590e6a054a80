/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a guest's memory from the hypervisor (arch/x86/guest-memory.c). */
#ifndef BULKHEAD_ASM_GUEST_MEMORY_H
#define BULKHEAD_ASM_GUEST_MEMORY_H

#include <bulkhead-hv/percpu.h>

int guest_memory_init(void);
unsigned int guest_fetch_instruction(struct per_cpu *cpu, uint8_t *bytes, unsigned int size);
bool guest_read_phys(struct per_cpu *cpu, uint64_t guest_phys, void *buffer, size_t size);

#endif
