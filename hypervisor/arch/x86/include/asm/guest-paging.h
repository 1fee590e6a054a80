/* SPDX-License-Identifier: GPL-2.0 */
/* Translating a guest's linear address through its own page tables; pure logic, tested on the host. */
#ifndef BULKHEAD_ASM_GUEST_PAGING_H
#define BULKHEAD_ASM_GUEST_PAGING_H

#include <bulkhead-hv/types.h>

/* Control bits that choose the paging mode; SDM Vol. 3A, 2.5, 2.2.1 and 4.1.1 (table 4-1). */
#define GUEST_CR0_PG		(1ULL << 31)
#define GUEST_CR4_PSE		(1ULL << 4)
#define GUEST_CR4_PAE		(1ULL << 5)
#define GUEST_CR4_LA57		(1ULL << 12)
#define GUEST_EFER_LME		(1ULL << 8)
#define GUEST_EFER_NXE		(1ULL << 11)

/* MAXPHYADDR bounds; SDM Vol. 3A, 4.1.4. */
#define GUEST_MAXPHYADDR_MIN	32
#define GUEST_MAXPHYADDR_MAX	52

/*
 * The guest's paging controls as its CPU sees them (the VMCS guest fields,
 * not the read shadows).  maxphyaddr is the guest's physical-address width
 * (CPUID 0x80000008 EAX bits 7:0): it decides which entry bits are
 * reserved, so it must be given (32-52) whenever CR0.PG is set.
 */
struct guest_paging_state {
	uint64_t cr0;
	uint64_t cr3;
	uint64_t cr4;
	uint64_t efer;
	unsigned int maxphyaddr;
};

/*
 * Reads the 8 bytes of guest-physical memory at guest_phys (always 8-byte
 * aligned) into *value; false if that memory is not the guest's.
 */
typedef bool (*guest_read_fn)(void *context, uint64_t guest_phys, uint64_t *value);

int guest_translate(const struct guest_paging_state *state, uint64_t linear,
		    guest_read_fn read, void *context, uint64_t *guest_phys);

#endif
