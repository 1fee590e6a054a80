/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runs the hypervisor entry on its own page tables and stack.
 *
 * Since Linux 5.15 ioremap'd memory is never executable, so the hypervisor
 * cannot be called where Linux maps it.  This code lives in the module's own
 * text; the hypervisor's page tables map this page at the same virtual
 * address, so execution carries on across the CR3 switch.
 *
 * long bulkhead_trampoline(u64 cr3, u64 entry, u64 stack_top, u64 cpu_id)
 *
 * The hypervisor puts Linux's GDTR and IDTR back before it returns, but it
 * cannot reload CS and SS from Linux's GDT: that table is not mapped on the
 * hypervisor's page tables.  The trampoline reloads them once Linux's CR3 is
 * back, from the selectors it saved.
 *
 * Called with interrupts disabled.  Clearing CR4.PGE while on the
 * hypervisor's tables flushes Linux's global TLB entries, so none of them can
 * shadow the hypervisor's mappings (SDM Vol. 3A, 4.10.4.1); restoring CR4
 * afterwards flushes again.  CET, PKS and LASS go off with PGE and come back
 * with Linux's CR4 after the call, then as the hypervisor's guest: the
 * hypervisor hands the guest the CR4 it found, and only VMXE is host-owned.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

#define X86_CR4_PGE_BIT 7
/*
 * CR4 bits the hypervisor runs without (VMX_HOST_CR4_CLEARED in
 * hypervisor/arch/x86/include/asm/vmx-caps.h): CET, PKS and LASS.  With
 * CET's indirect-branch tracking on (CONFIG_X86_KERNEL_IBT), the call to the
 * entry, which has no ENDBR64, would take #CP (SDM Vol. 1, 17.3.1).
 */
#define HOST_CR4_CLEARED ((1 << 23) | (1 << 24) | (1 << 27))

SYM_FUNC_START(bulkhead_trampoline)
	push	%rbp
	mov	%rsp, %rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15

	mov	%cr3, %r12
	mov	%cr4, %r14
	mov	%rsp, %r13
	mov	%cs, %r15
	mov	%ss, %rbx
	mov	%r14, %rax
	btr	$X86_CR4_PGE_BIT, %rax
	and	$~HOST_CR4_CLEARED, %rax

	mov	%rdi, %cr3
	mov	%rax, %cr4
	mov	%rdx, %rsp
	mov	%rsi, %rax
	mov	%rcx, %rdi
	mov	%r12, %rsi
	/*
	 * int entry(cpu_id, linux_cr3).  When it succeeds, Linux carries on
	 * here as the hypervisor's guest, with these callee-saved registers
	 * and the CR3 passed in; the lines below then run in VMX non-root
	 * operation.
	 */
	ANNOTATE_RETPOLINE_SAFE
	call	*%rax

	mov	%r12, %cr3
	mov	%r14, %cr4
	mov	%r13, %rsp
	push	%r15
	lea	1f(%rip), %rcx
	push	%rcx
	lretq
1:	mov	%ebx, %ss

	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_FUNC_END(bulkhead_trampoline)

/*
 * long bulkhead_trampoline_disable(void): the disable hypercall on this CPU.
 *
 * If the hypercall fails, the VMCALL returns the error as a guest and
 * nothing has changed.  If it succeeds, the hypervisor leaves VMX and
 * continues after the VMCALL with RAX 0 and every other general register
 * as it was, but still on its own page tables and stack, with Linux's GDT
 * and IDT not yet usable: this page is mapped at the same address there.
 * The stub then puts Linux's CR3 and stack back, reloads the descriptor
 * tables saved before the call and CS and SS, puts Linux's CR4 back (the
 * hypervisor leaves CET, PKS and LASS off, as it ran) and returns.  As the
 * guest, MOV from CR4 reads Linux's value: only VMXE is host-owned, and its
 * read shadow is Linux's.
 */
SYM_FUNC_START(bulkhead_trampoline_disable)
	push	%rbp
	mov	%rsp, %rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	pushfq
	sub	$16, %rsp
	sgdt	(%rsp)
	sub	$16, %rsp
	sidt	(%rsp)

	mov	%cr3, %r12
	mov	%cr4, %rbx
	mov	%rsp, %r13
	mov	%cs, %r14
	mov	%ss, %r15
	xor	%eax, %eax		/* BULKHEAD_HC_DISABLE */
	vmcall
	test	%rax, %rax
	jnz	2f

	mov	%r12, %cr3
	mov	%rbx, %cr4
	mov	%r13, %rsp
	lidt	(%rsp)
	lgdt	16(%rsp)
	push	%r14
	lea	1f(%rip), %rcx
	push	%rcx
	lretq
1:	mov	%r15d, %ss
	xor	%eax, %eax

2:	add	$32, %rsp
	popfq
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
	.globl bulkhead_trampoline_end
bulkhead_trampoline_end:
SYM_FUNC_END(bulkhead_trampoline_disable)
