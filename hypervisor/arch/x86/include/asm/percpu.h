/* SPDX-License-Identifier: GPL-2.0 */
/* The x86 part of a per-CPU area: VMX regions, descriptor tables, what Linux had loaded. */
#ifndef BULKHEAD_ASM_PERCPU_H
#define BULKHEAD_ASM_PERCPU_H

#include <asm/processor.h>
#include <bulkhead/image.h>

#define GDT_ENTRIES		4
#define IDT_EXCEPTION_VECTORS	32
/* Interrupt gates too: the hypervisor takes what an APIC holds between two guests. */
#define IDT_VECTORS		256

#define GDT_SELECTOR_CODE	BULKHEAD_SELECTOR_CODE
#define GDT_SELECTOR_DATA	BULKHEAD_SELECTOR_DATA

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

/*
 * Work for this CPU, as bits of its pending word: other CPUs set them (an
 * atomic OR, so none is lost or overwritten) and send a hypervisor NMI;
 * this CPU takes each bit it acts on with an atomic AND, before its next
 * VM entry or in its wait loop (arch/x86/control.c).
 */
#define PENDING_GUEST_NMI	(1U << 0)	/* an NMI for the guest */
#define PENDING_FLUSH_EPT	(1U << 1)	/* INVEPT of the root cell's EPT */
#define PENDING_TAKE		(1U << 2)	/* leave the root cell for next_cell, wait */
#define PENDING_START		(1U << 3)	/* waiting: run the cell from its reset address */
#define PENDING_RELEASE		(1U << 4)	/* waiting: go back to the root cell, wait for a startup IPI */
#define PENDING_ROOT_INIT	(1U << 5)	/* the root cell's INIT: wait for a startup IPI */
#define PENDING_ROOT_SIPI	(1U << 6)	/* the root cell's startup IPI, vector in sipi_vector */
#define PENDING_CELL_INIT	(1U << 7)	/* an INIT from an inmate of this CPU's cell */
#define PENDING_CELL_SIPI	(1U << 8)	/* a startup IPI from an inmate of this CPU's cell */
#define PENDING_KICK		(1U << 9)	/* only exit: the cell's stop flag says what to do */
#define PENDING_HAND_BACK	(1U << 10)	/* disable: leave VMX, halt bare until INIT */
#define PENDING_WAIT_WORK	(PENDING_TAKE | PENDING_START | PENDING_RELEASE | \
				 PENDING_ROOT_INIT | PENDING_ROOT_SIPI | PENDING_CELL_INIT | \
				 PENDING_CELL_SIPI | PENDING_HAND_BACK)

/* Where this CPU is, as other CPUs wait for it. */
enum cpu_phase {
	PHASE_ROOT,		/* runs Linux as the root cell's guest */
	PHASE_WAITING,		/* in the hypervisor, no current VMCS */
	PHASE_CELL,		/* runs an inmate */
	PHASE_BARE,		/* handed back at disable: out of VMX, halted until INIT */
};

struct arch_cpu {
	/* VMXON region and VMCS; SDM Vol. 3C, 24.2 and 24.11.5. */
	uint8_t vmxon_region[4096] __attribute__((aligned(4096)));
	uint8_t vmcs[4096] __attribute__((aligned(4096)));
	uint64_t gdt[GDT_ENTRIES];
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
	uint64_t interrupts_drained;
	/* Hypervisor NMIs: one sent to this CPU and not yet taken (see post_work()). */
	volatile uint32_t nmi_in_flight;
	uint64_t nmis_for_guest;
	volatile uint32_t pending;
	/* The NMI handler armed the preemption timer (0) to force an exit. */
	volatile bool timer_armed;
	volatile uint32_t phase;
	/* Waiting after an INIT: a startup IPI may start this CPU. */
	bool wait_for_sipi;
	/* The cell a PENDING_TAKE moves this CPU to; only this CPU changes per_cpu.cell. */
	struct cell *volatile next_cell;
	volatile uint8_t sipi_vector;
	/* Where START begins the inmate: the cell's reset address. */
	uint64_t start_address;
	/*
	 * The xAPIC ICR_HIGH, LDR and DFR the root cell's guest last wrote:
	 * its writes to the APIC page are emulated, and logical destinations
	 * are expanded from these.
	 */
	uint32_t xapic_icr_high;
	uint32_t xapic_icr_low;
	uint32_t xapic_ldr;
	uint32_t xapic_dfr;
	/* The hardware APIC stays in x2APIC mode; Linux's xAPIC is emulated (apic-emul.c). */
	bool xapic_virtual;
	/* This CPU's window onto guest memory: its page-table entry (guest-memory.c). */
	uint64_t *window_entry;
	/* Linux's IA32_APIC_BASE when the CPU left the root cell; put back on release. */
	uint64_t linux_apic_base;
	/* A cell CPU's MTRR_DEF_TYPE and PAT as it reads them (cache-type.c). */
	uint64_t mtrr_def_type;
	uint64_t guest_pat;
	/* The cell whose guest ran last here: a change of cells flushes branch predictions. */
	const struct cell *last_cell;
	/*
	 * The last eight steps of the CPU's control path, four bits each (the
	 * newest lowest; control.c): printed when the CPU does not answer.
	 */
	volatile uint32_t steps;
	/* Took over at enable: a later fault in the hypervisor parks instead of unwinding. */
	bool in_service;
	/* Cached controls, so that changes need no VMREAD. */
	uint32_t pin_controls;
	uint32_t proc_controls;
	uint32_t entry_controls;
	bool l1d_flush;
	/* SPEC_* of speculation.h this CPU applies. */
	uint32_t mitigations;
	/* The guest ran since the last VMLAUNCH: a failed entry can no longer unwind. */
	bool guest_ran;
	/* The registers of the exit being handled. */
	struct guest_registers *regs;
};

/* One IDT for all CPUs: its gates are the same everywhere (cpu.c). */
extern struct idt_gate arch_idt[IDT_VECTORS];

#endif
