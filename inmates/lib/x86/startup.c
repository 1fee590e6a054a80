// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The boot CPU's way from boot.S to inmate_main, the halt, and the memory allocator. */
#include <bulkhead/config.h>

#include "lib.h"

_Static_assert(INMATE_CMDLINE_ADDRESS == BULKHEAD_CMDLINE_ADDRESS, "command line address");
_Static_assert(INMATE_CMDLINE_SIZE == BULKHEAD_CMDLINE_SIZE, "command line size");
_Static_assert(INMATE_COMM_REGION_ADDRESS == BULKHEAD_COMM_REGION_ADDRESS, "comm region address");
_Static_assert(INMATE_MAX_CPUS == BULKHEAD_MAX_CPUS, "CPUs per cell");

static struct spinlock heap_lock;
static uintptr_t heap_next;

void inmate_halt(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt" : : : "memory");
}

void *mem_alloc(size_t size, size_t align)
{
	uintptr_t start;
	void *result = NULL;

	if (align == 0 || (align & (align - 1)))
		return NULL;
	spin_lock(&heap_lock);
	if (!heap_next)
		heap_next = (uintptr_t)__heap_start;
	start = (heap_next + align - 1) & ~(uintptr_t)(align - 1);
	if (start >= heap_next && start <= (uintptr_t)__heap_end &&
	    size <= (uintptr_t)__heap_end - start) {
		heap_next = start + size;
		result = (void *)start;
	}
	spin_unlock(&heap_lock);
	return result;
}

/*
 * Bss is clear and the boot stack set.  Order matters: the console may
 * come from the comm region, and timing needs the comm region's PM timer
 * port; the IDT is loaded before anything that could fault in an
 * interesting way (the APIC MSRs).
 */
void inmate_startup(void)
{
	cmdline_set(__cmdline, INMATE_CMDLINE_SIZE);
	comm_init();
	if (!console_init())
		printk("inmate: console= on the command line not understood; no UART output\n");
	comm_report();
	idt_init();
	idt_load();
	if (!apic_cpu_init()) {
		printk("inmate: the local APIC is not in x2APIC mode; the library needs the hypervisor to hand it over so\n");
		inmate_halt();
	}
	smp_init();
	timing_init();
	inmate_main();
	inmate_halt();
}
