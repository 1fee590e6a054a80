/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One stub per vector: push the vector (and 0 where the CPU pushes no error code), save the scratch registers, call interrupt_dispatch. */

	.text
	.code64
	.altmacro

/* Exceptions with an error code (SDM Vol. 3A, 6.15, table 6-1). */
.macro interrupt_stub vector
	.balign 16
1:
	.if (\vector <> 8) && ((\vector < 10) || (\vector > 14)) && (\vector <> 17) && (\vector <> 21) && (\vector <> 29) && (\vector <> 30)
	pushq $0
	.endif
	pushq $\vector
	jmp interrupt_common
	.pushsection .rodata
	.quad 1b
	.popsection
.endm

	.pushsection .rodata
	.balign 8
	.globl interrupt_stub_table
interrupt_stub_table:
	.popsection

	.set vector, 0
	.rept 256
	interrupt_stub %vector
	.set vector, vector + 1
	.endr

/*
 * The CPU aligned RSP to 16 before pushing its 5-word frame (SDM Vol. 3A,
 * 6.14.2); with the error code, the vector and 9 registers that is 16
 * words, so RSP is 16-byte aligned at the call as the ABI wants.  The
 * callee-saved registers are the compiler's to keep.
 */
interrupt_common:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	mov %rsp, %rdi
	cld
	call interrupt_dispatch
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	add $16, %rsp
	iretq

	.section .note.GNU-stack, "", @progbits
