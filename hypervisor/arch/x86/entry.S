/* SPDX-License-Identifier: GPL-2.0 */
/* Entry from the driver's trampoline, and the exception stubs of the hypervisor's IDT. */
#include <generated/asm-offsets.h>

#define EFAULT 14

	.text
/*
 * int arch_entry(unsigned int cpu_id), on this CPU's hypervisor stack.
 * Keeps the callee-saved registers in a frame whose address an unexpected
 * exception unwinds to.
 */
	.globl arch_entry
	.type arch_entry, @function
arch_entry:
	endbr64
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	sub $8, %rsp
	mov %rsp, %rax
	and $~(PERCPU_SIZE_ASM - 1), %rax
	mov %rsp, PERCPU_RECOVERY_RSP(%rax)
	call bulkhead_entry
entry_return:
	add $8, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
	.size arch_entry, . - arch_entry

/* Vectors that push an error code; SDM Vol. 3A, 6.15. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.macro exception_stub vector
	.align 16
exception_stub_\vector:
	endbr64
	.if !HAS_ERROR_CODE(\vector)
	push $0
	.endif
	push $\vector
	jmp exception_common
	.endm

	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	exception_stub \v
	.endr

exception_common:
	cld
	push %rax
	push %rcx
	push %rdx
	push %rbx
	push %rbp
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	call arch_handle_exception
	test %eax, %eax
	jnz exception_unwind
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rbp
	pop %rbx
	pop %rdx
	pop %rcx
	pop %rax
	add $16, %rsp
	iretq

exception_unwind:
	mov %rsp, %rax
	and $~(PERCPU_SIZE_ASM - 1), %rax
	mov PERCPU_RECOVERY_RSP(%rax), %rsp
	mov $-EFAULT, %eax
	jmp entry_return

	.section .rodata
	.align 8
	.globl exception_stubs
exception_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exception_stub_\v
	.endr
