/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* From real mode at the reset address (boot CPU) or the SIPI page (other CPUs) to 64-bit long mode on identity-mapped memory. */
#include "layout.h"

#define CR0_PE		(1 << 0)
#define CR0_MP		(1 << 1)
#define CR0_ET		(1 << 4)
#define CR0_NE		(1 << 5)
#define CR0_WP		(1 << 16)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MTRR_ENABLE	(1 << 11)
#define MTRR_TYPE_WB	6

#define PTE_PRESENT	(1 << 0)
#define PTE_WRITE	(1 << 1)
#define PTE_PWT		(1 << 3)
#define PTE_PCD		(1 << 4)
#define PTE_LARGE	(1 << 7)

#define PD_ENTRIES	(INMATE_MAPPED_GIB * 512)
#define PD_UNCACHED	(INMATE_UNCACHED_FROM_GIB * 512)

/* Flat data segments; a macro, since there is no stack yet. */
.macro load_data_segments
	mov $INMATE_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
.endm

/*
 * The reset entry, at guest physical 0: the cell's reset address is 0, so
 * CS base and IP are 0 (a nonzero reset address would not match this
 * link address).  Every CPU the hypervisor starts here runs the same code;
 * the first to arrive becomes the boot CPU, later ones record their APIC
 * ID and wait for INIT and SIPI from it.  Real mode addresses data through
 * DS = 0, so everything touched before protected mode lies below 64 KiB.
 */
	.section .boot, "awx"
	.code16
	.globl inmate_reset_entry
inmate_reset_entry:
	cli
	xor %ax, %ax
	mov %ax, %ds
	lgdtl inmate_boot_gdt_descriptor
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $INMATE_CS32, $inmate_reset_entry32

	/* Also where a Multiboot entry joins, with this GDT loaded (latency-multiboot.S). */
	.code32
	.globl inmate_reset_entry32
inmate_reset_entry32:
	load_data_segments
	mov $1, %eax
	lock xadd %eax, reset_arrivals
	test %eax, %eax
	jnz park_until_sipi

	/* The boot CPU: clear bss, build the page tables on the boot stack. */
	cld
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl
	mov $inmate_boot_stack_top, %esp
	call build_page_tables
	xor %esi, %esi
	jmp enter_long_mode

/*
 * EAX is this CPU's arrival number (1, 2, ...): keep its APIC ID + 1 in
 * that slot, where smp_start_cpus looks for the cell's other CPUs, then
 * halt until INIT.  CPUID leaf 0xb gives the full x2APIC ID where it
 * exists, leaf 1 the 8-bit one (SDM Vol. 2A, CPUID).
 */
park_until_sipi:
	cmp $INMATE_MAX_CPUS, %eax
	jae 3f
	mov %eax, %edi
	xor %eax, %eax
	cpuid
	cmp $0xb, %eax
	jb 1f
	mov $0xb, %eax
	xor %ecx, %ecx
	cpuid
	mov %edx, %eax
	jmp 2f
1:	mov $1, %eax
	cpuid
	shr $24, %ebx
	mov %ebx, %eax
2:	inc %eax
	mov %eax, reset_apic_ids(, %edi, 4)
3:	cli
	hlt
	jmp 3b

/*
 * PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages
 * mapping 0-4 GiB 1:1, the top GiB uncached (PCD|PWT).  Bss is zero, so
 * the upper halves of the entries are too.
 */
build_page_tables:
	movl $(inmate_pdpt + PTE_PRESENT + PTE_WRITE), inmate_pml4
	mov $(inmate_page_directories + PTE_PRESENT + PTE_WRITE), %eax
	xor %ecx, %ecx
1:	mov %eax, inmate_pdpt(, %ecx, 8)
	add $0x1000, %eax
	inc %ecx
	cmp $INMATE_MAPPED_GIB, %ecx
	jb 1b
	mov $(PTE_PRESENT + PTE_WRITE + PTE_LARGE), %eax
	xor %ecx, %ecx
2:	mov %eax, %edx
	cmp $PD_UNCACHED, %ecx
	jb 3f
	or $(PTE_PWT + PTE_PCD), %edx
3:	mov %edx, inmate_page_directories(, %ecx, 8)
	add $0x200000, %eax
	inc %ecx
	cmp $PD_ENTRIES, %ecx
	jb 2b
	ret

/*
 * MTRRs on with write-back as the default type: after power-up they are
 * off and all memory is uncached (SDM Vol. 3A, 11.11.2.1).
 * IA-32e mode: PAE, CR3, EFER.LME, then paging (SDM Vol. 3A, 9.8.5).
 * CR0 is written whole, which also clears CD and NW (caches on).
 * ESI says who is coming: 0 the boot CPU, 1 a started CPU.  The boot CPU
 * keeps the value it found (inmate_boot_mtrr_def_type, after bss is clear).
 */
enter_long_mode:
	mov $MSR_MTRR_DEF_TYPE, %ecx
	rdmsr
	test %esi, %esi
	jnz 1f
	mov %eax, inmate_boot_mtrr_def_type
1:	or $(MTRR_ENABLE | MTRR_TYPE_WB), %eax
	wrmsr
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $inmate_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov $(CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG), %eax
	mov %eax, %cr0
	ljmpl $INMATE_CS64, $long_mode_entry

	.code64
long_mode_entry:
	xor %ebp, %ebp
	test %esi, %esi
	jnz 1f
	mov $inmate_boot_stack_top, %rsp
	call inmate_startup
	jmp 2f
1:	mov smp_ap_boot_stack, %rsp
	call smp_ap_startup
2:	cli
	hlt
	jmp 2b

/* Flat 32-bit code, flat data, 64-bit code; accessed bits preset. */
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff
	.quad 0x00cf93000000ffff
	.quad 0x00af9b000000ffff
gdt_end:
	.globl inmate_boot_gdt_descriptor
inmate_boot_gdt_descriptor:
	.word gdt_end - gdt - 1
	.long gdt

/*
 * The other CPUs' entry, at the page SIPI vector INMATE_AP_SIPI_VECTOR
 * names: CS base 0x2000, IP 0.  smp_ap_alive tells the sender the first
 * SIPI arrived, so it sends no second one.
 */
	.section .ap_boot, "awx"
	.code16
	.globl inmate_ap_entry
inmate_ap_entry:
	cli
	xor %ax, %ax
	mov %ax, %ds
	movl $1, smp_ap_alive
	lgdtl inmate_boot_gdt_descriptor
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $INMATE_CS32, $ap_entry32

	.code32
ap_entry32:
	load_data_segments
	mov $1, %esi
	jmp enter_long_mode

	.balign 4
	.globl smp_ap_alive
smp_ap_alive:
	.long 0

/*
 * In the image, not bss: CPUs arrive and count themselves while the boot
 * CPU clears bss.  comm_shutdown_approve resets them for the next start.
 */
	.data
	.balign 8
	.globl smp_ap_boot_stack
smp_ap_boot_stack:
	.quad 0
	.globl reset_arrivals
reset_arrivals:
	.long 0
	.globl reset_apic_ids
reset_apic_ids:
	.fill INMATE_MAX_CPUS, 4, 0

	.section .bss, "aw", @nobits
	.balign 4
	.globl inmate_boot_mtrr_def_type
inmate_boot_mtrr_def_type:
	.long 0

	.section .bss.page_tables, "aw", @nobits
	.balign 4096
	.globl inmate_pml4
inmate_pml4:
	.skip 4096
inmate_pdpt:
	.skip 4096
inmate_page_directories:
	.skip 4096 * INMATE_MAPPED_GIB

	.section .bss.boot_stack, "aw", @nobits
	.balign INMATE_STACK_SIZE
	.skip INMATE_STACK_SIZE
	.globl inmate_boot_stack_top
inmate_boot_stack_top:

	.section .note.GNU-stack, "", @progbits
