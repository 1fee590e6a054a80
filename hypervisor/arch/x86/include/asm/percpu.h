/* SPDX-License-Identifier: GPL-2.0 */
/* The x86 part of a per-CPU area: VMX regions, descriptor tables, what Linux had loaded. */
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

/*
 * The guest's general registers as the exit path pushes them (RSP is in
 * the VMCS).  Exception frames start with the same layout.
 */
struct guest_registers {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
};

/* Work another CPU or an NMI left for this CPU, done before the next VM entry. */
#define PENDING_GUEST_NMI	(1U << 0)
#define PENDING_FLUSH_EPT	(1U << 1)

/* What another CPU asks of this one (cells); see arch/x86/control.c. */
enum cpu_request {
	REQUEST_NONE,
	REQUEST_TAKE,		/* leave the root cell's guest, wait for the cell's start */
	REQUEST_START,		/* run the cell's inmate from its reset address */
	REQUEST_STOP,		/* stop the inmate, wait again */
	REQUEST_RELEASE,	/* leave VMX, halt bare until Linux sends INIT */
};

/* Where this CPU is, as other CPUs wait for it. */
enum cpu_phase {
	PHASE_ROOT,		/* runs Linux as the root cell's guest */
	PHASE_WAITING,		/* in the hypervisor, no current VMCS */
	PHASE_CELL,		/* runs an inmate */
	PHASE_BARE,		/* left VMX; halted until INIT */
};

struct arch_cpu {
	/* VMXON region and VMCS; SDM Vol. 3C, 24.2 and 24.11.5. */
	uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
	uint8_t vmcs[4096] __attribute__((aligned(4096)));
	uint64_t gdt[GDT_ENTRIES];
	struct idt_gate idt[IDT_EXCEPTION_VECTORS];
	/* Linux's state at entry, put back before returning to it. */
	struct descriptor_table linux_gdtr;
	struct descriptor_table linux_idtr;
	uint64_t linux_cr4;
	bool vmx_on;
	/* VMLAUNCH done on the current VMCS; VMRESUME from then on.  SDM Vol. 3C, 24.1. */
	bool launched;
	bool parked;
	/* A VMWRITE failed since the last check (each failure is logged). */
	bool vmcs_write_failed;
	/* Stack pointer of the entry frame; an unexpected fault before launch unwinds to it. */
	uint64_t recovery_rsp;
	/* Stack pointer of vmx_launch(), restored when VMLAUNCH fails. */
	uint64_t launch_rsp;
	bool expect_breakpoint;
	/* Set by the exception handler when an instruction with a fixup faulted. */
	bool fixup_faulted;
	uint64_t nmis;
	volatile uint32_t pending;
	/* The NMI handler armed the preemption timer (0) to force an exit. */
	volatile bool timer_armed;
	volatile uint32_t request;
	volatile uint32_t phase;
	/* Where START begins the inmate: the reset address, or a startup IPI's page. */
	uint64_t start_address;
	/* Cached controls, so that changes need no VMREAD. */
	uint32_t pin_controls;
	uint32_t proc_controls;
	uint32_t entry_controls;
	bool l1d_flush;
	/* The guest ran since the last VMLAUNCH: a failed entry can no longer unwind. */
	bool guest_ran;
	/* The registers of the exit being handled. */
	struct guest_registers *regs;
};

#endif
