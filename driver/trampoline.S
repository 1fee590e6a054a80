/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runs the hypervisor entry on its own page tables and stack.
 *
 * Since Linux 5.15 ioremap'd memory is never executable, so the hypervisor
 * cannot be called where Linux maps it.  This code lives in the module's own
 * text; the hypervisor's page tables map this page at the same virtual
 * address, so execution carries on across the CR3 switch.
 *
 * long bulkhead_trampoline(u64 cr3, u64 entry, u64 stack_top, u64 cpu_id,
 *			    void *bridge_tables, void *bridge_stack)
 *
 * An NMI or machine check may arrive at any instruction, so before the CR3
 * switch the trampoline loads the bridge's GDT, IDT and stack (bridge.c),
 * which both address spaces map at the same address; the hypervisor's
 * entry replaces them with its own.  The hypervisor hands the tables it
 * found (the bridge's) back before it returns, and Linux's guest starts
 * with them too.  Once Linux's CR3 is back, on the bridge stack, the
 * trampoline reloads Linux's GDT and IDT, saved on Linux's stack, and CS and
 * SS from the selectors it saved.
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

#include "bridge.h"

#define X86_CR4_PGE_BIT 7
/* Where bulkhead_trampoline() keeps Linux's IDTR and GDTR (16 bytes each) below its frame. */
#define LINUX_IDTR (-5 * 8 - 32)
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
	/* Linux's GDTR at LINUX_GDTR(%rbp), IDTR at LINUX_IDTR(%rbp). */
	sub	$16, %rsp
	sgdt	(%rsp)
	sub	$16, %rsp
	sidt	(%rsp)

	mov	%cr3, %r12
	mov	%cr4, %r14
	mov	%r9, %r13
	mov	%cs, %r15
	mov	%ss, %rbx
	mov	%r14, %rax
	btr	$X86_CR4_PGE_BIT, %rax
	and	$~HOST_CR4_CLEARED, %rax

	/* From here to the hypervisor's own IDT every table and stack is mapped on both sides. */
	lgdt	BULKHEAD_BRIDGE_GDTR(%r8)
	lidt	BULKHEAD_BRIDGE_IDTR(%r8)
	mov	%r13, %rsp
	mov	%rdi, %cr3
	mov	%rax, %cr4
	mov	%rdx, %rsp
	mov	%rsi, %rax
	mov	%rcx, %rdi
	mov	%r12, %rsi
	/*
	 * int entry(cpu_id, linux_cr3).  When it succeeds, Linux carries on
	 * here as the hypervisor's guest, with these callee-saved registers,
	 * the CR3 passed in and the bridge's GDT and IDT; the lines below
	 * then run in VMX non-root operation.  When it fails, the hypervisor
	 * has put the bridge's tables back.
	 */
	ANNOTATE_RETPOLINE_SAFE
	call	*%rax

	mov	%r13, %rsp
	mov	%r12, %cr3
	mov	%r14, %cr4
	lea	LINUX_IDTR(%rbp), %rsp
	lidt	(%rsp)
	lgdt	16(%rsp)
	push	%r15
	lea	1f(%rip), %rcx
	push	%rcx
	lretq
1:	mov	%ebx, %ss

	add	$32, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_FUNC_END(bulkhead_trampoline)

/*
 * long bulkhead_trampoline_disable(void *bridge_tables, void *bridge_stack):
 * the disable hypercall on this CPU.
 *
 * The stub loads the bridge's GDT and IDT first: the hypervisor puts back
 * the tables the guest had at the VMCALL, and runs on them until the CR3
 * switch below.  If the hypercall fails, the VMCALL returns the error as a
 * guest and nothing has changed but the tables, which the stub reloads.
 * If it succeeds, the hypervisor leaves VMX and continues after the VMCALL
 * with RAX 0 and every other general register as it was, but still on its
 * own page tables and stack.  The stub then moves to the bridge stack,
 * puts Linux's CR3, CR4 (the hypervisor leaves CET, PKS and LASS off, as it
 * ran) and stack back, reloads the descriptor tables saved before the call
 * and CS and SS, and returns.  As the guest, MOV from CR4 reads Linux's
 * value: only VMXE is host-owned, and its read shadow is Linux's.
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
	lgdt	BULKHEAD_BRIDGE_GDTR(%rdi)
	lidt	BULKHEAD_BRIDGE_IDTR(%rdi)
	xor	%eax, %eax		/* BULKHEAD_HC_DISABLE */
	vmcall
	test	%rax, %rax
	jnz	2f

	mov	%rsi, %rsp
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
	jmp	3f

2:	lidt	(%rsp)
	lgdt	16(%rsp)
3:	add	$32, %rsp
	popfq
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_FUNC_END(bulkhead_trampoline_disable)

/*
 * The bridge IDT's handlers (bridge.c).  An NMI is dropped: IRETQ returns
 * to the interrupted instruction and lifts NMI blocking.  Anything else is
 * a machine check or a bug in the few instructions of a switch: the CPU
 * stops here, where a debugger finds it.
 */
SYM_CODE_START(bulkhead_bridge_nmi)
	endbr64
	iretq
SYM_CODE_END(bulkhead_bridge_nmi)

SYM_CODE_START(bulkhead_bridge_park)
	endbr64
1:	cli
	hlt
	jmp	1b
SYM_CODE_END(bulkhead_bridge_park)
	.globl bulkhead_trampoline_end
bulkhead_trampoline_end:
