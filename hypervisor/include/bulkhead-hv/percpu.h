/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU areas: the arch part and the stack; what Linux may read lives in the public area. */
#ifndef BULKHEAD_HV_PERCPU_H
#define BULKHEAD_HV_PERCPU_H

#include <bulkhead/image.h>
#include <asm/percpu.h>

struct cell;

/* A power of two: this_cpu() finds the area by rounding the stack pointer down. */
#define PERCPU_SIZE		(32 * 1024)
#define PERCPU_STACK_SIZE	(16 * 1024)

struct per_cpu {
	union {
		struct {
			/* VMXON region and VMCS first: both must be page aligned. */
			struct arch_cpu arch;
			unsigned int cpu_id;
			/* This CPU's page in the public area. */
			struct bulkhead_cpu_page *page;
			struct bulkhead_cpu_public *public;
			/* The cell this CPU runs, or is about to (set by the CPU asking). */
			struct cell *cell;
		};
		uint8_t data_area[PERCPU_SIZE - PERCPU_STACK_SIZE];
	};
	/* The stack ends at the top of the area; the driver's trampoline starts there. */
	uint8_t stack[PERCPU_STACK_SIZE];
} __attribute__((aligned(PAGE_SIZE)));

#ifndef __ASSEMBLER__
_Static_assert(sizeof(struct per_cpu) == PERCPU_SIZE, "per-CPU area size");

static inline struct per_cpu *this_cpu(void)
{
	uint64_t stack_pointer;

	asm volatile("mov %%rsp, %0" : "=r"(stack_pointer));
	return (struct per_cpu *)(stack_pointer & ~(uint64_t)(PERCPU_SIZE - 1));
}
#endif

#endif
