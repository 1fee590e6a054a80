// SPDX-License-Identifier: GPL-2.0
/* Source of the generated asm-offsets.h: structure offsets the assembly needs. */
#include <bulkhead-hv/percpu.h>

#define DEFINE(symbol, value) \
	asm volatile("\n.ascii \"->" #symbol " %c0\"" : : "i"(value))

void asm_defines(void);

void asm_defines(void)
{
	DEFINE(PERCPU_SIZE_ASM, PERCPU_SIZE);
	DEFINE(PERCPU_RECOVERY_RSP, offsetof(struct per_cpu, arch.recovery_rsp));
	DEFINE(PERCPU_LAUNCH_RSP, offsetof(struct per_cpu, arch.launch_rsp));
	DEFINE(GUEST_REGISTERS_SIZE, sizeof(struct guest_registers));
	DEFINE(GDT_SELECTOR_CODE_ASM, GDT_SELECTOR_CODE);
	DEFINE(GDT_SELECTOR_DATA_ASM, GDT_SELECTOR_DATA);
}
