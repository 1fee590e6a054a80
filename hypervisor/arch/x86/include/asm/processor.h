/* SPDX-License-Identifier: GPL-2.0 */
/* Thin wrappers around x86 instructions the hypervisor uses. */
#ifndef BULKHEAD_ASM_PROCESSOR_H
#define BULKHEAD_ASM_PROCESSOR_H

#include <bulkhead-hv/types.h>

struct descriptor_table {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

struct cpuid_result {
	uint32_t eax, ebx, ecx, edx;
};

#define CR0_PE			(1ULL << 0)
#define CR0_ET			(1ULL << 4)
#define CR0_NE			(1ULL << 5)
#define CR0_NW			(1ULL << 29)
#define CR0_CD			(1ULL << 30)
#define CR0_PG			(1ULL << 31)

#define CR4_PAE			(1ULL << 5)
#define CR4_LA57		(1ULL << 12)
#define CR4_OSXSAVE		(1ULL << 18)

#define RFLAGS_FIXED		(1ULL << 1)

#ifdef BULKHEAD_HOST_TEST
/*
 * Host unit tests run hypervisor sources in user mode, where these
 * instructions fault or show the host's own state: the test defines them
 * over recorded registers (tests/unit/exits-stubs.h).
 */
struct cpuid_result cpuid(uint32_t leaf, uint32_t subleaf);
uint64_t read_tsc(void);
uint64_t read_cr3(void);
uint64_t read_cr4(void);
void write_cr4(uint64_t value);
uint64_t read_msr(uint32_t msr);
void write_msr(uint32_t msr, uint64_t value);
struct descriptor_table read_gdtr(void);
struct descriptor_table read_idtr(void);
void load_gdtr(const struct descriptor_table *table);
void load_idtr(const struct descriptor_table *table);
void load_code_and_stack_segments(uint16_t cs, uint16_t ss);
uint64_t read_cr0(void);
void write_cr0(uint64_t value);
uint64_t read_dr7(void);
void write_dr7(uint64_t value);
uint64_t read_dr6(void);
void write_dr6(uint64_t value);
uint64_t read_rflags(void);
#else
static inline struct cpuid_result cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_result r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t read_tsc(void)
{
	uint32_t low, high;

	asm volatile("rdtsc" : "=a"(low), "=d"(high));
	return ((uint64_t)high << 32) | low;
}

static inline uint64_t read_cr3(void)
{
	uint64_t value;

	asm volatile("mov %%cr3, %0" : "=r"(value));
	return value;
}

static inline uint64_t read_cr4(void)
{
	uint64_t value;

	asm volatile("mov %%cr4, %0" : "=r"(value));
	return value;
}

static inline void write_cr4(uint64_t value)
{
	asm volatile("mov %0, %%cr4" : : "r"(value) : "memory");
}

static inline uint64_t read_msr(uint32_t msr)
{
	uint32_t low, high;

	asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
	return ((uint64_t)high << 32) | low;
}

static inline void write_msr(uint32_t msr, uint64_t value)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value),
		     "d"((uint32_t)(value >> 32)) : "memory");
}

static inline struct descriptor_table read_gdtr(void)
{
	struct descriptor_table table;

	asm volatile("sgdt %0" : "=m"(table));
	return table;
}

static inline struct descriptor_table read_idtr(void)
{
	struct descriptor_table table;

	asm volatile("sidt %0" : "=m"(table));
	return table;
}

static inline void load_gdtr(const struct descriptor_table *table)
{
	asm volatile("lgdt %0" : : "m"(*table) : "memory");
}

static inline void load_idtr(const struct descriptor_table *table)
{
	asm volatile("lidt %0" : : "m"(*table) : "memory");
}

/* Reloads CS by a far return and SS directly; SDM Vol. 3A, 3.4.3. */
static inline void load_code_and_stack_segments(uint16_t cs, uint16_t ss)
{
	asm volatile("pushq %q0\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "mov %1, %%ss"
		     : : "r"((uint64_t)cs), "r"(ss) : "rax", "memory");
}

static inline uint64_t read_cr0(void)
{
	uint64_t value;

	asm volatile("mov %%cr0, %0" : "=r"(value));
	return value;
}

static inline void write_cr0(uint64_t value)
{
	asm volatile("mov %0, %%cr0" : : "r"(value) : "memory");
}

static inline uint64_t read_dr7(void)
{
	uint64_t value;

	asm volatile("mov %%dr7, %0" : "=r"(value));
	return value;
}

static inline void write_dr7(uint64_t value)
{
	asm volatile("mov %0, %%dr7" : : "r"(value));
}

static inline uint64_t read_dr6(void)
{
	uint64_t value;

	asm volatile("mov %%dr6, %0" : "=r"(value));
	return value;
}

static inline void write_dr6(uint64_t value)
{
	asm volatile("mov %0, %%dr6" : : "r"(value));
}

static inline uint64_t read_rflags(void)
{
	uint64_t value;

	asm volatile("pushfq\n\tpopq %0" : "=r"(value));
	return value;
}

#endif

/*
 * An instruction that may fault, with where to continue if it does: the
 * exception handler looks the faulting RIP up in this table.
 */
#define FIXUP(instruction, continuation)			\
	".pushsection .fixup_table, \"a\"\n\t"			\
	".balign 8\n\t"						\
	".quad " instruction ", " continuation "\n\t"		\
	".popsection\n\t"

#endif
