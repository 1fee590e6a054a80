/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Instructions that may raise #GP or #UD on purpose: a table of where to go on instead, and RDMSR and WRMSR that report the fault. */
#ifndef INMATE_FIXUP_H
#define INMATE_FIXUP_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One entry of the table in the section "inmate_fixups": an instruction
 * that may raise #GP or #UD and the address where execution goes on if it does.
 * Both are offsets from the field that holds them, so the table needs no
 * relocation wherever the image runs (and works the same in a host test).
 */
struct exception_fixup {
	int32_t instruction;
	int32_t fixup;
};

/*
 * For inline assembly: "FROM" may raise #GP or #UD, and then the CPU resumes at
 * "TO" with every register as it was before FROM.  Labels as the assembler
 * writes them, for example EXCEPTION_FIXUP(1b, 2f).
 */
#define EXCEPTION_FIXUP(from, to)					\
	".pushsection inmate_fixups, \"a\"\n\t"				\
	".balign 4\n\t"							\
	".long " #from " - .\n\t"					\
	".long " #to " - .\n\t"						\
	".popsection\n\t"

/* The vector (13 #GP, 6 #UD) of the last fault a fixup resumed from. */
extern volatile unsigned int exception_fixup_vector;

/* The table, in the image (inmate.lds) or where the host linker puts it. */
extern const struct exception_fixup __start_inmate_fixups[], __stop_inmate_fixups[];

/* The address to resume at when the instruction at RIP faulted; 0 when RIP has no entry in [FIRST, END). */
uintptr_t exception_fixup_find(const struct exception_fixup *first,
			       const struct exception_fixup *end, uintptr_t rip);

/*
 * RDMSR and WRMSR that survive a #GP: false when the instruction raised
 * one (the MSR does not exist, the value is refused, or the hypervisor
 * refuses the access), *VALUE then untouched.  The library's #GP handler
 * resumes after the instruction (idt.c); other exceptions still stop the CPU.
 */
static inline bool rdmsr_safe(uint32_t msr, uint64_t *value)
{
	uint32_t low = 0, high = 0;
	bool ok = false;

	__asm__ __volatile__("1: rdmsr\n\t"
			     "movb $1, %b2\n"
			     "2:\n\t"
			     EXCEPTION_FIXUP(1b, 2b)
			     : "+a"(low), "+d"(high), "+r"(ok) : "c"(msr) : "memory");
	if (ok)
		*value = ((uint64_t)high << 32) | low;
	return ok;
}

static inline bool wrmsr_safe(uint32_t msr, uint64_t value)
{
	bool ok = false;

	__asm__ __volatile__("1: wrmsr\n\t"
			     "movb $1, %b0\n"
			     "2:\n\t"
			     EXCEPTION_FIXUP(1b, 2b)
			     : "+r"(ok) : "c"(msr), "a"((uint32_t)value),
			       "d"((uint32_t)(value >> 32)) : "memory");
	return ok;
}

/* MOV to CR0 and CR4 that survive the #GP a refused value raises: false then. */
static inline bool write_cr0_safe(uint64_t value)
{
	bool ok = false;

	__asm__ __volatile__("1: mov %1, %%cr0\n\tmovb $1, %b0\n2:\n\t" EXCEPTION_FIXUP(1b, 2b)
			     : "+r"(ok) : "r"(value) : "memory");
	return ok;
}

static inline bool write_cr4_safe(uint64_t value)
{
	bool ok = false;

	__asm__ __volatile__("1: mov %1, %%cr4\n\tmovb $1, %b0\n2:\n\t" EXCEPTION_FIXUP(1b, 2b)
			     : "+r"(ok) : "r"(value) : "memory");
	return ok;
}

#endif
