/* SPDX-License-Identifier: GPL-2.0 */
/* The x86 part of a per-CPU area: descriptor tables and what Linux had loaded. */
#ifndef BULKHEAD_ASM_PERCPU_H
#define BULKHEAD_ASM_PERCPU_H

#include <asm/processor.h>

#define GDT_ENTRIES		4
#define IDT_EXCEPTION_VECTORS	32

#define GDT_SELECTOR_CODE	0x08
#define GDT_SELECTOR_DATA	0x10

/* A 64-bit interrupt gate; SDM Vol. 3A, 6.14.1. */
struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attributes;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

struct arch_cpu {
	/* VMXON region; SDM Vol. 3C, 25.11.5. */
	uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
	uint64_t gdt[GDT_ENTRIES];
	struct idt_gate idt[IDT_EXCEPTION_VECTORS];
	/* Linux's state at entry, put back before returning to it. */
	struct descriptor_table linux_gdtr;
	struct descriptor_table linux_idtr;
	uint64_t linux_cr4;
	bool vmx_on;
	/* Stack pointer of the entry frame; an unexpected fault unwinds to it. */
	uint64_t recovery_rsp;
	bool expect_breakpoint;
	uint64_t nmis;
};

#endif
