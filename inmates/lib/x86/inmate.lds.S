/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Layout of an inmate image, linked to run at guest physical 0 (see layout.h); INMATE_RAM_SIZE comes from --defsym. */
#include "layout.h"

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(inmate_reset_entry)

SECTIONS
{
	. = INMATE_RESET_ADDRESS;
	/* The reset entry first; then an inmate's Multiboot header, if it has one. */
	.boot : { KEEP(*(.boot)) KEEP(*(.boot.multiboot)) }
	ASSERT(. <= INMATE_CMDLINE_ADDRESS, "inmate: the boot code overlaps the command line at 0x1000")

	/* Empty string unless the loader puts one here. */
	. = INMATE_CMDLINE_ADDRESS;
	.cmdline : {
		__cmdline = .;
		BYTE(0)
		. = INMATE_CMDLINE_SIZE;
	}

	. = INMATE_AP_ENTRY_ADDRESS;
	.ap_boot : { KEEP(*(.ap_boot)) }
	.text : { *(.text .text.*) }
	. = ALIGN(16);
	.rodata : {
		*(.rodata .rodata.*)
		/* The exception fixup table (fixup.h), kept whole. */
		. = ALIGN(4);
		__start_inmate_fixups = .;
		KEEP(*(inmate_fixups))
		__stop_inmate_fixups = .;
	}
	. = ALIGN(16);
	.data : { *(.data .data.*) }
	. = ALIGN(16);
	__image_end = .;

	. = ALIGN(4096);
	.bss (NOLOAD) : {
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(4096);
		__bss_end = .;
	}

	__heap_start = .;
	__heap_end = INMATE_RAM_SIZE;
	ASSERT(__heap_start + INMATE_STACK_SIZE <= INMATE_RAM_SIZE,
	       "inmate: image and bss do not fit the RAM size (INMATE_RAM_SIZE) with room for one more stack")
	ASSERT(INMATE_RAM_SIZE <= INMATE_COMM_REGION_ADDRESS,
	       "inmate: RAM would overlap the comm region at 0x100000")

	/DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) }
}
