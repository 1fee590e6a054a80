/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the library's own files share and inmates do not use. */
#ifndef INMATE_LIB_H
#define INMATE_LIB_H

#include "inmate.h"

/* Register frame the interrupt stubs build (interrupts.S), lowest address first. */
struct interrupt_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Entered from boot.S in 64-bit mode on the boot CPU and on each started CPU. */
void inmate_startup(void) __noreturn;
void smp_ap_startup(void) __noreturn;
/* Called by every interrupt stub. */
void interrupt_dispatch(struct interrupt_frame *frame);

void idt_init(void);
void idt_load(void);
bool apic_cpu_init(void);
void apic_send_init(uint32_t destination);
void apic_send_sipi(uint32_t destination, unsigned int vector);
void timing_init(void);
void comm_init(void);
void comm_report(void);
/* Lets the next start at the reset address elect a boot CPU again. */
void smp_reset_election(void);
void smp_init(void);

/* boot.S */
extern volatile uint32_t reset_arrivals;
extern volatile uint32_t reset_apic_ids[INMATE_MAX_CPUS];	/* APIC ID + 1; 0: empty */
extern volatile uint64_t smp_ap_boot_stack;
extern volatile uint32_t smp_ap_alive;
/* interrupts.S */
extern const uint64_t interrupt_stub_table[256];
/* inmate.lds */
extern char __cmdline[], __heap_start[], __heap_end[];

#endif
