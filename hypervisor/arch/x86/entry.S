/* SPDX-License-Identifier: GPL-2.0 */
/* Entry from the driver's trampoline, and the exception stubs of the hypervisor's IDT. */
#include <generated/asm-offsets.h>

#define EFAULT 14

/* General registers in the order of struct guest_registers (and of exception frames). */
	.macro push_guest_registers
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
	.endm

	.macro pop_guest_registers
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
	.endm

/* The callee-saved registers, in the order of the entry frame (struct entry_frame). */
	.macro save_callee_saved
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	.endm

	.macro restore_callee_saved
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	.endm

/*
 * Clears the CPU's buffers with VERW right before a VM entry where
 * vmx_verw_before_entry says the CPU needs it (speculation.c).  Touches
 * flags only, which the guest takes from the VMCS.
 */
	.macro clear_cpu_buffers
	cmpb $0, vmx_verw_before_entry(%rip)
	je 888f
	verw vmx_verw_selector(%rip)
888:
	.endm

/*
 * Fills the return stack buffer with 32 entries that lead nowhere but to a
 * speculation trap, so that no return of the hypervisor is predicted from
 * what the guest called.  Every call pushes a return address: they are
 * dropped from the stack at the end.  Clobbers RCX.
 */
	.macro fill_return_buffer
	mov $16, %ecx
771:	call 772f
773:	pause
	lfence
	jmp 773b
772:	call 774f
775:	pause
	lfence
	jmp 775b
774:	dec %ecx
	jnz 771b
	add $(32 * 8), %rsp
	.endm

/* This CPU's per-CPU area, by rounding the stack pointer down (see this_cpu()). */
	.macro percpu_area reg
	mov %rsp, \reg
	and $~(PERCPU_SIZE_ASM - 1), \reg
	.endm

	.text
/*
 * int arch_entry(unsigned int cpu_id, u64 linux_cr3), on this CPU's
 * hypervisor stack.  Keeps the callee-saved registers in a frame whose
 * address an unexpected exception unwinds to; the frame also tells what
 * Linux resumes with once it runs as a guest, and stays intact above the
 * stack the VM exits use.
 */
	.globl arch_entry
	.type arch_entry, @function
arch_entry:
	endbr64
	save_callee_saved
	sub $8, %rsp
	percpu_area %rax
	mov %rsp, PERCPU_RECOVERY_RSP(%rax)
	call bulkhead_entry
entry_return:
	add $8, %rsp
	restore_callee_saved
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

/*
 * Interrupt vectors 32-255: 16 bytes each from interrupt_stubs, so the IDT
 * builder finds vector v at interrupt_stubs + (v - 32) * 16.  They share
 * the exception path; arch_handle_exception() tells them apart by vector.
 */
	.align 16
	.globl interrupt_stubs
interrupt_stubs:
	.set vector, 32
	.rept 224
	.align 16
	endbr64
	push $0
	push $vector
	jmp exception_common
	.set vector, vector + 1
	.endr

exception_common:
	cld
	push_guest_registers
	mov %rsp, %rdi
	call arch_handle_exception
	test %eax, %eax
	jnz exception_unwind
	pop_guest_registers
	add $16, %rsp
	iretq

exception_unwind:
	mov $-EFAULT, %edi
	/* fall through */

/* void arch_unwind_to_entry(int result): returns @result from arch_entry. */
	.globl arch_unwind_to_entry
arch_unwind_to_entry:
	percpu_area %rax
	mov PERCPU_RECOVERY_RSP(%rax), %rsp
	mov %edi, %eax
	jmp entry_return


/*
 * int vmx_launch(struct guest_registers *regs): loads the guest's general
 * registers and executes VMLAUNCH.  Returns only if VMLAUNCH fails: 1 for
 * VMfailInvalid, 2 for VMfailValid (SDM Vol. 3C, 30.2).  The registers
 * struct lies on this CPU's stack, so RSP still finds the per-CPU area
 * after the pops.
 */
	.globl vmx_launch
	.type vmx_launch, @function
vmx_launch:
	save_callee_saved
	percpu_area %rax
	mov %rsp, PERCPU_LAUNCH_RSP(%rax)
	mov %rdi, %rsp
	pop_guest_registers
	clear_cpu_buffers
	vmlaunch
	mov $2, %r8d
	jnc 1f
	mov $1, %r8d
1:	percpu_area %rax
	mov PERCPU_LAUNCH_RSP(%rax), %rsp
	mov %r8d, %eax
	restore_callee_saved
	ret
	.size vmx_launch, . - vmx_launch

/*
 * HOST_RIP: every VM exit starts here, on the stack below the entry frame,
 * with interrupts off.  RBP is cleared so backtraces end here.
 */
	.globl vmx_exit_entry
	.type vmx_exit_entry, @function
vmx_exit_entry:
	push_guest_registers
	fill_return_buffer
	xor %ebp, %ebp
	mov %rsp, %rdi
	call vmx_handle_exit
	pop_guest_registers
	clear_cpu_buffers
	vmresume
	/* VMRESUME failed; SDM Vol. 3C, 30.3. */
	push_guest_registers
	mov %rsp, %rdi
	call vmx_resume_failed
	ud2
	.size vmx_exit_entry, . - vmx_exit_entry

/*
 * void arch_unblock_nmis(void): a VM exit caused by an NMI leaves NMIs
 * blocked until the next IRET, as after an NMI delivered through the IDT
 * (SDM Vol. 3C, chapter 31, handling NMIs); an IRET to the same
 * place lifts the block without running an NMI handler.
 */
	.globl arch_unblock_nmis
	.type arch_unblock_nmis, @function
arch_unblock_nmis:
	mov %rsp, %rax
	push $GDT_SELECTOR_DATA_ASM
	push %rax
	pushfq
	push $GDT_SELECTOR_CODE_ASM
	lea 1f(%rip), %rax
	push %rax
	iretq
1:	ret
	.size arch_unblock_nmis, . - arch_unblock_nmis

/*
 * void arch_halt_unless_pending(volatile u32 *pending, u32 mask): HLT
 * unless (*pending & mask).  Interrupts are off, so only an NMI ends the
 * halt.  An NMI that arrives after the test but before the HLT would leave
 * the CPU halted with its work posted; the NMI handler therefore moves an
 * RIP inside [arch_halt_window_start, arch_halt_window_end) to the end.
 */
	.globl arch_halt_unless_pending
	.type arch_halt_unless_pending, @function
	.globl arch_halt_window_start, arch_halt_window_end
arch_halt_unless_pending:
arch_halt_window_start:
	testl %esi, (%rdi)
	jnz arch_halt_window_end
	hlt
arch_halt_window_end:
	ret
	.size arch_halt_unless_pending, . - arch_halt_unless_pending

/*
 * void vmx_return_to_linux(const struct linux_frame *frame): after VMXOFF,
 * loads Linux's general registers and continues at frame->rip, which is in
 * the driver's disable stub (mapped at the same address in both address
 * spaces); the stub switches CR3 and RSP back itself.
 */
	.globl vmx_return_to_linux
vmx_return_to_linux:
	mov %rdi, %rsp
	pop_guest_registers
	ret

	.section .rodata
	.align 8
	.globl exception_stubs
exception_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exception_stub_\v
	.endr
