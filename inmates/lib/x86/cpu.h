/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Thin wrappers around x86 instructions: port and MMIO access, MSRs, TSC, CPUID, interrupts, locks. */
#ifndef INMATE_CPU_H
#define INMATE_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_APIC_BASE		0x1b
#define MSR_TSC_DEADLINE	0x6e0
#define MSR_EFER		0xc0000080

#define CPUID_1_ECX_TSC_DEADLINE (1U << 24)

#define barrier()	__asm__ __volatile__("" : : : "memory")

static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;

	__asm__ __volatile__("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t value;

	__asm__ __volatile__("inl %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline void mmio_write8(uint64_t address, uint8_t value)
{
	*(volatile uint8_t *)address = value;
}

static inline uint8_t mmio_read8(uint64_t address)
{
	return *(volatile uint8_t *)address;
}

static inline void mmio_write32(uint64_t address, uint32_t value)
{
	*(volatile uint32_t *)address = value;
}

static inline uint32_t mmio_read32(uint64_t address)
{
	return *(volatile uint32_t *)address;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t low, high;

	__asm__ __volatile__("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
	return ((uint64_t)high << 32) | low;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)value),
			     "d"((uint32_t)(value >> 32)) : "memory");
}

/* Not serializing; enough for timing at microsecond scale. */
static inline uint64_t rdtsc(void)
{
	uint32_t low, high;

	__asm__ __volatile__("rdtsc" : "=a"(low), "=d"(high));
	return ((uint64_t)high << 32) | low;
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* CPUID always exits to the hypervisor: keep it out of hot paths. */
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs regs;

	__asm__ __volatile__("cpuid" : "=a"(regs.eax), "=b"(regs.ebx), "=c"(regs.ecx),
			     "=d"(regs.edx) : "a"(leaf), "c"(subleaf));
	return regs;
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" : : : "memory");
}

static inline void irq_enable(void)
{
	__asm__ __volatile__("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	__asm__ __volatile__("cli" : : : "memory");
}

/*
 * Sleeps until the next interrupt and returns with interrupts disabled.
 * STI's one-instruction interrupt shadow makes "sti; hlt" atomic, so an
 * interrupt that arrives after the caller checked its condition still
 * wakes the HLT (SDM Vol. 2B, STI).
 */
static inline void cpu_wait_for_interrupt(void)
{
	__asm__ __volatile__("sti; hlt; cli" : : : "memory");
}

static inline uint64_t read_cr0(void)
{
	uint64_t value;

	__asm__ __volatile__("mov %%cr0, %0" : "=r"(value));
	return value;
}

static inline uint64_t read_cr4(void)
{
	uint64_t value;

	__asm__ __volatile__("mov %%cr4, %0" : "=r"(value));
	return value;
}

static inline uint64_t read_cr2(void)
{
	uint64_t value;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(value));
	return value;
}

static inline uint64_t read_rsp(void)
{
	uint64_t value;

	__asm__ __volatile__("mov %%rsp, %0" : "=r"(value));
	return value;
}

struct spinlock {
	volatile uint32_t locked;
};

static inline void spin_lock(struct spinlock *lock)
{
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		while (lock->locked)
			cpu_relax();
}

static inline void spin_unlock(struct spinlock *lock)
{
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

#endif
