/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * realmode-gp: stays in real mode, reads an MSR the hypervisor refuses and
 * expects the #GP through the real-mode IVT, without an error code.
 *
 * A flat image loaded at guest physical 0 and started at reset address 0
 * (CS base 0, IP 0), without the inmate library, which would leave real
 * mode at once; its first instruction jumps over the IVT it then fills in.
 * It prints on COM2 (0x2f8, 115200 baud):
 *
 *   realmode-gp: RDMSR 0x480 in real mode
 *   realmode-gp: #GP handled in real mode
 *
 * and then halts for good, answering nothing (destroy stops it).  In real
 * mode an exception pushes FLAGS, CS and IP and never an error code (SDM
 * Vol. 3A, 20.1.4), so an event injected with one cannot enter the guest
 * (SDM Vol. 3C, 26.2.1.3); the saved IP of a #GP names the faulting
 * instruction (SDM Vol. 3A, 6.5).  Anything else arriving is reported:
 *
 *   realmode-gp: #GP frame wrong: SP moved by N bytes, words IP CS FLAGS
 *   realmode-gp: RDMSR 0x480 did not fault
 */

#define COM2		0x2f8
#define UART_TX		0
#define UART_DLL	0
#define UART_IER	1
#define UART_DLM	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_LCR_8N1	0x03
#define UART_LCR_DLAB	0x80
#define UART_FCR_ENABLE_CLEAR	0x07
#define UART_MCR_DTR_RTS	0x03
#define UART_LSR_THRE	0x20

/* IA32_VMX_BASIC: hardware has it, a cell may not read it. */
#define REFUSED_MSR	0x480
#define VECTOR_GP	13
/* Below the 64 KiB image limit and above the code. */
#define STACK_TOP	0x8000
/* FLAGS, CS, IP: 3 words. */
#define REAL_MODE_FRAME	6
/* The real-mode IVT fills the first KiB; the code starts after it. */
#define IVT_END		0x400

	.code16
	.text
	.globl flat_entry
flat_entry:
	jmp start
	.org IVT_END
start:
	cli
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $STACK_TOP, %sp
	cld
	call uart_init
	mov $msg_start, %si
	call puts
	/* IVT entry: offset, then segment (SDM Vol. 3A, 20.1.4). */
	movw $gp_handler, VECTOR_GP * 4
	movw $0, VECTOR_GP * 4 + 2
	mov $REFUSED_MSR, %ecx
	mov %sp, sp_before
faulting_rdmsr:
	rdmsr
	mov $msg_no_fault, %si
	call puts
	jmp halt_forever

gp_handler:
	mov %sp, %bx
	mov sp_before, %ax
	sub %bx, %ax
	cmp $REAL_MODE_FRAME, %ax
	jne bad_frame
	cmpw $faulting_rdmsr, (%bx)
	jne bad_frame
	cmpw $0, 2(%bx)
	jne bad_frame
	mov $msg_handled, %si
	call puts
	jmp halt_forever

/* AX: how far SP moved; BX: SP.  Prints both and the three words at SP. */
bad_frame:
	mov %ax, %di
	mov $msg_bad_frame, %si
	call puts
	mov %di, %ax
	call put_hex
	mov $msg_words, %si
	call puts
	mov (%bx), %ax
	call put_hex
	mov $' ', %al
	call putc
	mov 2(%bx), %ax
	call put_hex
	mov $' ', %al
	call putc
	mov 4(%bx), %ax
	call put_hex
	mov $msg_newline, %si
	call puts

halt_forever:
	cli
	hlt
	jmp halt_forever

/* 8N1, divider 1 (115200 baud), FIFOs on, no interrupts: as the library's uart.c. */
uart_init:
	mov $UART_LCR_DLAB, %al
	mov $(COM2 + UART_LCR), %dx
	out %al, %dx
	mov $1, %al
	mov $(COM2 + UART_DLL), %dx
	out %al, %dx
	xor %al, %al
	mov $(COM2 + UART_DLM), %dx
	out %al, %dx
	mov $UART_LCR_8N1, %al
	mov $(COM2 + UART_LCR), %dx
	out %al, %dx
	xor %al, %al
	mov $(COM2 + UART_IER), %dx
	out %al, %dx
	mov $UART_FCR_ENABLE_CLEAR, %al
	mov $(COM2 + UART_FCR), %dx
	out %al, %dx
	mov $UART_MCR_DTR_RTS, %al
	mov $(COM2 + UART_MCR), %dx
	out %al, %dx
	ret

/* AL: the character; "\n" goes out as "\r\n".  Polls LSR, bounded, so a missing UART cannot hang. */
putc:
	push %ax
	push %cx
	push %dx
	cmp $'\n', %al
	jne 1f
	mov $'\r', %al
	call putc
	mov $'\n', %al
1:	mov %al, %ah
	mov $0xffff, %cx
	mov $(COM2 + UART_LSR), %dx
2:	in %dx, %al
	test $UART_LSR_THRE, %al
	jnz 3f
	loop 2b
3:	mov %ah, %al
	mov $(COM2 + UART_TX), %dx
	out %al, %dx
	pop %dx
	pop %cx
	pop %ax
	ret

/* SI: a NUL-terminated string. */
puts:
	push %ax
1:	lodsb
	test %al, %al
	jz 2f
	call putc
	jmp 1b
2:	pop %ax
	ret

/* AX as 0x and four hex digits. */
put_hex:
	push %ax
	push %cx
	push %dx
	mov %ax, %dx
	mov $'0', %al
	call putc
	mov $'x', %al
	call putc
	mov $4, %cx
1:	rol $4, %dx
	mov %dl, %al
	and $0xf, %al
	add $'0', %al
	cmp $'9', %al
	jbe 2f
	add $('a' - '9' - 1), %al
2:	call putc
	loop 1b
	pop %dx
	pop %cx
	pop %ax
	ret

sp_before:
	.word 0

msg_start:
	.asciz "realmode-gp: RDMSR 0x480 in real mode\n"
msg_handled:
	.asciz "realmode-gp: #GP handled in real mode\n"
msg_no_fault:
	.asciz "realmode-gp: RDMSR 0x480 did not fault\n"
msg_bad_frame:
	.asciz "realmode-gp: #GP frame wrong: SP moved by "
msg_words:
	.asciz " bytes, words IP CS FLAGS "
msg_newline:
	.asciz "\n"

	.section .note.GNU-stack, "", @progbits
