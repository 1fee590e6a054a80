/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * restart-stress's real-mode stub: where a CPU lands after its sibling's
 * INIT and startup IPI.  It counts itself, restarts the sibling the same
 * way and halts until the sibling restarts it in turn.
 *
 * restart-stress.c copies it to a page of its own below 1 MiB and fills in
 * the three words at its end; the startup IPI's vector names that page,
 * so the stub runs with CS base at its start and IP 0 (SDM Vol. 3A, 8.4.4.1)
 * and addresses its words relative to CS.
 */
#include "restart-stress.h"

#define X2APIC_SVR		0x80f
#define X2APIC_ID		0x802
#define X2APIC_ICR		0x830
#define APIC_SVR_ENABLE		0x100
#define ICR_INIT_ASSERT		0x4500
/* Busy loop between INIT and startup IPI: about 10 us even on fast hardware. */
#define INIT_DELAY_LOOPS	20000

	.code16
	.text
	.globl restart_stub_start, restart_stub_end
	.globl restart_stub_apic_a, restart_stub_apic_b, restart_stub_sipi
	.balign 16
restart_stub_start:
	cli
	mov %cs, %ax
	mov %ax, %ds
	mov $(RESTART_COUNTER_PAGE >> 4), %ax
	mov %ax, %es
	lock incl %es:RESTART_STUB_STARTS_OFFSET
	/*
	 * INIT left the APIC software-disabled (SDM Vol. 3A, 10.4.7.3) but in
	 * x2APIC mode: INIT does not change IA32_APIC_BASE (10.12.5.1).
	 */
	mov $X2APIC_SVR, %ecx
	mov $(APIC_SVR_ENABLE | 0xff), %eax
	xor %edx, %edx
	wrmsr
	mov $X2APIC_ID, %ecx
	rdmsr
	mov (restart_stub_apic_a - restart_stub_start), %edx
	cmp %eax, %edx
	jne 1f
	mov (restart_stub_apic_b - restart_stub_start), %edx
1:	mov $X2APIC_ICR, %ecx
	mov $ICR_INIT_ASSERT, %eax
	wrmsr
	mov $INIT_DELAY_LOOPS, %si
2:	pause
	dec %si
	jnz 2b
	mov (restart_stub_sipi - restart_stub_start), %eax
	wrmsr
3:	hlt
	jmp 3b

	.balign 4
restart_stub_apic_a:
	.long 0
restart_stub_apic_b:
	.long 0
/* The startup IPI's ICR low word: delivery mode, level, vector. */
restart_stub_sipi:
	.long 0
restart_stub_end:

	.section .note.GNU-stack, "", @progbits
