/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A Multiboot (version 0.6.96) header and entry, so that the latency inmate also boots bare, without Linux or the hypervisor. */
#include "layout.h"

/*
 * The header uses the "a.out kludge" (flags bit 16): the loader copies the
 * flat image to LOAD_ADDRESS, above the 1 MiB the loader and the BIOS
 * use, and jumps to multiboot_entry there in 32-bit protected mode, paging
 * off, EAX = MULTIBOOT_BOOTED, EBX = the Multiboot information.  The entry
 * moves the image to guest physical 0, where it is linked, takes the
 * command line with it to INMATE_CMDLINE_ADDRESS, masks the 8259 PICs, puts the local APIC in
 * x2APIC mode (the hypervisor hands a cell CPU over that way; firmware
 * leaves xAPIC mode) and joins the library's 32-bit boot path as the boot
 * CPU.  The header must lie in the first 8 KiB of the file, 4-byte aligned:
 * it sits in .boot.multiboot, after the reset entry, below 0x1000.
 */
#define MULTIBOOT_MAGIC		0x1badb002
#define MULTIBOOT_AOUT_KLUDGE	(1 << 16)
#define MULTIBOOT_BOOTED	0x2badb002
#define MULTIBOOT_INFO_CMDLINE	(1 << 2)
#define LOAD_ADDRESS		0x800000
#define PIC_MASTER_DATA		0x21
#define PIC_SLAVE_DATA		0xa1
#define MSR_APIC_BASE		0x1b
#define APIC_BASE_X2APIC	(1 << 10)
#define APIC_BASE_ENABLE	(1 << 11)

	.section .boot.multiboot, "awx"
	.balign 4
multiboot_header:
	.long MULTIBOOT_MAGIC
	.long MULTIBOOT_AOUT_KLUDGE
	.long -(MULTIBOOT_MAGIC + MULTIBOOT_AOUT_KLUDGE)
	.long LOAD_ADDRESS + multiboot_header	/* header_addr */
	.long LOAD_ADDRESS			/* load_addr: file offset 0 */
	.long 0					/* load_end_addr: the whole file */
	.long 0					/* bss_end_addr: the library clears bss */
	.long LOAD_ADDRESS + multiboot_entry	/* entry_addr */

/*
 * Runs at LOAD_ADDRESS + its link address until the far jump.  The command
 * line is copied into the loaded image's own command-line page first: the
 * loader may have put the string anywhere, also below the image's end at 0.
 */
	.code32
multiboot_entry:
	cli
	cmp $MULTIBOOT_BOOTED, %eax
	jne 9f
	cld
	testl $MULTIBOOT_INFO_CMDLINE, (%ebx)
	jz 2f
	mov 16(%ebx), %esi
	mov $(LOAD_ADDRESS + INMATE_CMDLINE_ADDRESS), %edi
	mov $(INMATE_CMDLINE_SIZE - 1), %ecx
1:	lodsb
	stosb
	test %al, %al
	loopnz 1b
	movb $0, (%edi)
2:	mov $LOAD_ADDRESS, %esi
	xor %edi, %edi
	mov $__image_end, %ecx
	rep movsb
	/*
	 * Firmware leaves the 8259 PICs on, the master's vectors at 8-15:
	 * the PIT's IRQ 0 would arrive as vector 8.  Mask both (OCW1).
	 */
	mov $0xff, %al
	out %al, $PIC_SLAVE_DATA
	out %al, $PIC_MASTER_DATA
	mov $MSR_APIC_BASE, %ecx
	rdmsr
	or $(APIC_BASE_ENABLE | APIC_BASE_X2APIC), %eax
	wrmsr
	lgdtl inmate_boot_gdt_descriptor
	ljmpl $INMATE_CS32, $inmate_reset_entry32
9:	hlt
	jmp 9b
