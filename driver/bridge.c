// SPDX-License-Identifier: GPL-2.0
/* The bridge: an IDT, a GDT and stacks mapped at the same address for Linux and the hypervisor. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/vmalloc.h>

#include <asm/segment.h>

#include <bulkhead/image.h>

#include "bridge.h"
#include "bulkhead.h"

/*
 * The trampoline switches CR3, and the hypervisor then loads its own GDT
 * and IDT; on the way back the order is reversed.  Between the two an NMI
 * or a machine check is delivered through whatever IDT, GDT and stack are
 * loaded, so those must be mapped in both address spaces: the bridge is
 * vmalloc'ed Linux memory that the hypervisor's page tables map at the
 * same address (enable.c), loaded before each CR3 switch and replaced
 * after it (Documentation/design.md, "Entering a CPU").
 *
 * Page 0 holds the two descriptor-table pointers the trampoline loads, the
 * GDT and the IDT; then one small stack per CPU follows.  The GDT has flat
 * 64-bit code and data at Linux's __KERNEL_CS and __KERNEL_DS, which the
 * hypervisor's own GDT uses too, so an IRET finds the selector it pops
 * whichever of the two was interrupted.  The IDT covers the exceptions:
 * an NMI is dropped (as one the hypervisor takes before Linux is its guest,
 * it cannot be handed on), anything else, a machine check included, parks
 * the CPU: better than the triple fault it was before.
 */
#define BRIDGE_VECTORS		32
#define BRIDGE_NMI_VECTOR	2
#define BRIDGE_STACK_SIZE	256
#define BRIDGE_GDT_ENTRIES	16

struct bridge_tables {
	struct desc_ptr gdtr;		/* at BULKHEAD_BRIDGE_GDTR, for the trampoline */
	u8 pad0[6];
	struct desc_ptr idtr;		/* at BULKHEAD_BRIDGE_IDTR */
	u8 pad1[6];
	u64 gdt[BRIDGE_GDT_ENTRIES];
	u64 idt[BRIDGE_VECTORS][2];
};

/* Access rights as in SDM Vol. 3A, 3.4.5: present, DPL 0, accessed (no write-back). */
#define BRIDGE_CODE64	0x00af9b000000ffffULL
#define BRIDGE_DATA	0x00cf93000000ffffULL

static void *bridge;
static size_t bridge_size;

/* A 64-bit interrupt gate, DPL 0, no IST; SDM Vol. 3A, 6.14.1. */
static void bridge_gate(u64 *gate, unsigned long handler)
{
	gate[0] = (handler & 0xffff) | (u64)BULKHEAD_SELECTOR_CODE << 16 |
		  0x8eULL << 40 | ((u64)(handler >> 16) & 0xffff) << 48;
	gate[1] = handler >> 32;
}

static void bridge_fill(struct bridge_tables *tables)
{
	unsigned int vector;

	tables->gdt[BULKHEAD_SELECTOR_CODE / 8] = BRIDGE_CODE64;
	tables->gdt[BULKHEAD_SELECTOR_DATA / 8] = BRIDGE_DATA;
	for (vector = 0; vector < BRIDGE_VECTORS; vector++)
		bridge_gate(tables->idt[vector], vector == BRIDGE_NMI_VECTOR ?
			    (unsigned long)bulkhead_bridge_nmi :
			    (unsigned long)bulkhead_bridge_park);
	tables->gdtr.size = sizeof(tables->gdt) - 1;
	tables->gdtr.address = (unsigned long)tables->gdt;
	tables->idtr.size = sizeof(tables->idt) - 1;
	tables->idtr.address = (unsigned long)tables->idt;
}

/* For CPUs 0 to @cpus - 1; kept until bulkhead_bridge_free(). */
int bulkhead_bridge_create(unsigned int cpus)
{
	BUILD_BUG_ON(BULKHEAD_SELECTOR_CODE != __KERNEL_CS);
	BUILD_BUG_ON(BULKHEAD_SELECTOR_DATA != __KERNEL_DS);
	BUILD_BUG_ON(offsetof(struct bridge_tables, gdtr) != BULKHEAD_BRIDGE_GDTR);
	BUILD_BUG_ON(offsetof(struct bridge_tables, idtr) != BULKHEAD_BRIDGE_IDTR);
	BUILD_BUG_ON(sizeof(struct bridge_tables) > PAGE_SIZE);

	bridge_size = PAGE_SIZE + PAGE_ALIGN((size_t)cpus * BRIDGE_STACK_SIZE);
	bridge = vzalloc(bridge_size);
	if (!bridge)
		return -ENOMEM;
	bridge_fill(bridge);
	return 0;
}

void bulkhead_bridge_free(void)
{
	vfree(bridge);
	bridge = NULL;
}

/* Calls @map for each page: tables read-only, stacks writable. */
int bulkhead_bridge_map(int (*map)(void *context, unsigned long virt, u64 phys, bool writable),
			void *context)
{
	size_t offset;
	int err;

	for (offset = 0; offset < bridge_size; offset += PAGE_SIZE) {
		err = map(context, (unsigned long)bridge + offset,
			  PFN_PHYS(vmalloc_to_pfn(bridge + offset)), offset != 0);
		if (err)
			return err;
	}
	return 0;
}

void *bulkhead_bridge_tables(void)
{
	return bridge;
}

/* The top of @cpu's bridge stack, 16-byte aligned. */
void *bulkhead_bridge_stack(unsigned int cpu)
{
	return bridge + PAGE_SIZE + (size_t)(cpu + 1) * BRIDGE_STACK_SIZE;
}
