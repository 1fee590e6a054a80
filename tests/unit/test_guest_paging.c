// SPDX-License-Identifier: GPL-2.0
/* Host tests of the guest page-table walker (hypervisor/arch/x86/guest-paging.c) on a fake guest memory. */
#include <errno.h>
#include <string.h>

#include <asm/guest-paging.h>

#include "unit.h"

/* Guest-physical [0, GUEST_PAGES * 4 KiB) exists; every other address is not the guest's. */
#define GUEST_PAGES	16
#define PAGE(n)		((uint64_t)(n) << 12)
#define P		0x001ULL	/* present */
#define RW		0x002ULL
#define PS		0x080ULL
#define XD		(1ULL << 63)

#define CR0_PG		(1ULL << 31)
#define CR0_PE		(1ULL << 0)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

static struct {
	uint8_t bytes[GUEST_PAGES * 4096];
	int refused_page;		/* -1: none */
	unsigned int reads;
	bool misaligned;
} guest;

static bool read_guest(void *context, uint64_t guest_phys, uint64_t *value)
{
	CHECK(context == &guest);
	guest.reads++;
	if (guest_phys & 7)
		guest.misaligned = true;
	if (guest_phys >= sizeof(guest.bytes) || (int)(guest_phys >> 12) == guest.refused_page)
		return false;
	memcpy(value, guest.bytes + guest_phys, 8);
	return true;
}

static void fresh_guest(void)
{
	memset(&guest, 0, sizeof(guest));
	guest.refused_page = -1;
}

static void set64(uint64_t table, unsigned int index, uint64_t entry)
{
	memcpy(guest.bytes + table + index * 8, &entry, 8);
}

static void set32(uint64_t table, unsigned int index, uint32_t entry)
{
	memcpy(guest.bytes + table + index * 4, &entry, 4);
}

static const struct guest_paging_state paging_off = { .cr0 = CR0_PE, .maxphyaddr = 0 };
static const struct guest_paging_state paging32 = { .cr0 = CR0_PG | CR0_PE, .cr3 = PAGE(1),
						    .maxphyaddr = 40 };
static const struct guest_paging_state pse32 = { .cr0 = CR0_PG | CR0_PE, .cr3 = PAGE(1),
						 .cr4 = CR4_PSE, .maxphyaddr = 40 };
/* The PDPT is 32-byte aligned: here at 0x2020, inside page 2. */
static const struct guest_paging_state pae = { .cr0 = CR0_PG | CR0_PE, .cr3 = PAGE(2) + 0x20,
					       .cr4 = CR4_PAE, .maxphyaddr = 40 };
static const struct guest_paging_state level4 = {
	.cr0 = CR0_PG | CR0_PE, .cr3 = PAGE(1), .cr4 = CR4_PAE,
	.efer = EFER_LME | EFER_LMA | EFER_NXE, .maxphyaddr = 46,
};
static const struct guest_paging_state level5 = {
	.cr0 = CR0_PG | CR0_PE, .cr3 = PAGE(1), .cr4 = CR4_PAE | CR4_LA57,
	.efer = EFER_LME | EFER_LMA | EFER_NXE, .maxphyaddr = 52,
};

static int translate(const struct guest_paging_state *state, uint64_t linear, uint64_t *phys)
{
	return guest_translate(state, linear, read_guest, &guest, phys);
}

static void without_paging_linear_is_physical(void)
{
	uint64_t phys = 0;

	fresh_guest();
	CHECK(translate(&paging_off, 0x12345678, &phys) == 0 && phys == 0x12345678);
	CHECK(translate(&paging_off, 0xfee00300, &phys) == 0 && phys == 0xfee00300);
	/* Linear addresses have 32 bits outside IA-32e mode, which needs paging. */
	CHECK(translate(&paging_off, 0x100001234ULL, &phys) == 0 && phys == 0x1234);
	CHECK(guest.reads == 0);
}

/* 32-bit paging: PD at page 1, page tables at 2 and 3. */
static void build_32bit(void)
{
	fresh_guest();
	set32(PAGE(1), 0, PAGE(2) | P | RW);
	set32(PAGE(1), 1, PAGE(3) | P);
	set32(PAGE(2), 5, 0x7000 | P);
	set32(PAGE(3), 3, 0xfee00000U | P | RW);
	set32(PAGE(3), 4, 0xfee01000U);			/* not present */
	/* With CR4.PSE, PDE 2 maps a 4 MiB page at 12 MiB. */
	set32(PAGE(1), 2, 0x00c00000U | PS | P);
	/* PDE 3 has PS too, but points at a page table: what it is without CR4.PSE. */
	set32(PAGE(1), 3, PAGE(4) | PS | P);
	set32(PAGE(4), 1, 0x9000 | P);
}

static void paging_32bit_with_4k_pages(void)
{
	uint64_t phys = 0;

	build_32bit();
	/* An even and an odd entry of the four-byte tables. */
	CHECK(translate(&paging32, 0x00005abc, &phys) == 0 && phys == 0x7abc);
	CHECK(translate(&paging32, 0x00403300, &phys) == 0 && phys == 0xfee00300);
	CHECK(translate(&paging32, 0x00404000, &phys) == -EFAULT);
	CHECK(translate(&paging32, 0x00406000, &phys) == -EFAULT);
	CHECK(translate(&paging32, 0x01000000, &phys) == -EFAULT);
	/* Bits above 31 are not part of a linear address here. */
	CHECK(translate(&paging32, 0x700005abcULL, &phys) == 0 && phys == 0x7abc);
	/* Without CR4.PSE the PS bit means nothing: PDE 3 is a page table. */
	CHECK(translate(&paging32, 0x00c01234, &phys) == 0 && phys == 0x9234);
	CHECK(!guest.misaligned);
}

static void paging_32bit_with_4m_pages(void)
{
	struct guest_paging_state state = pse32;
	uint64_t phys = 0;

	build_32bit();
	CHECK(translate(&pse32, 0x00812345, &phys) == 0 && phys == 0x00c12345);
	CHECK(translate(&pse32, 0x00bfffff, &phys) == 0 && phys == 0x00ffffff);
	/* 4 KiB pages still work beside them. */
	CHECK(translate(&pse32, 0x00403300, &phys) == 0 && phys == 0xfee00300);
	/* PSE-36: PDE bits 20:13 are address bits 39:32. */
	set32(PAGE(1), 2, 0x00c00000U | (0x85U << 13) | PS | P);
	CHECK(translate(&pse32, 0x00812345, &phys) == 0 && phys == 0x8500c12345ULL);
	/* Bit 21 is reserved; with MAXPHYADDR 36, bits 21:17 are. */
	set32(PAGE(1), 2, 0x00c00000U | (1U << 21) | PS | P);
	CHECK(translate(&pse32, 0x00812345, &phys) == -EFAULT);
	state.maxphyaddr = 36;
	set32(PAGE(1), 2, 0x00c00000U | (1U << 17) | PS | P);
	CHECK(translate(&state, 0x00812345, &phys) == -EFAULT);
	set32(PAGE(1), 2, 0x00c00000U | (0xfU << 13) | PS | P);
	CHECK(translate(&state, 0x00812345, &phys) == 0 && phys == 0xf00c12345ULL);
	/* MAXPHYADDR above 40 still leaves 32-bit paging 40 bits: bit 21 stays reserved. */
	state.maxphyaddr = 52;
	set32(PAGE(1), 2, 0x00c00000U | (1U << 21) | PS | P);
	CHECK(translate(&state, 0x00812345, &phys) == -EFAULT);
}

/* PAE: PDPT at 0x2020, PDs at pages 3 and 4, a PT at page 5. */
static void build_pae(void)
{
	fresh_guest();
	set64(PAGE(2) + 0x20, 0, PAGE(3) | P);
	set64(PAGE(2) + 0x20, 3, PAGE(4) | P);
	set64(PAGE(3), 1, PAGE(5) | P | RW);
	set64(PAGE(5), 2, 0x2345678000ULL | P | RW | XD);
	set64(PAGE(4), 511, 0xfee00000ULL | PS | P | RW);	/* 2 MiB pages */
	set64(PAGE(4), 510, 0x4000000000ULL | PS | P);	/* above 4 GiB */
}

static void pae_paging(void)
{
	struct guest_paging_state state = pae;
	uint64_t phys = 0;

	build_pae();
	/* Bit 63 is reserved without EFER.NXE. */
	CHECK(translate(&pae, 0x00202abc, &phys) == -EFAULT);
	state.efer = EFER_NXE;
	CHECK(translate(&state, 0x00202abc, &phys) == 0 && phys == 0x2345678abcULL);
	CHECK(translate(&state, 0xffe00300, &phys) == 0 && phys == 0xfee00300);
	CHECK(translate(&state, 0xffc12345, &phys) == 0 && phys == 0x4000012345ULL);
	/* PDPTE 1 and 2 are not present. */
	CHECK(translate(&state, 0x40000000, &phys) == -EFAULT);
	CHECK(translate(&state, 0x80000000, &phys) == -EFAULT);
	CHECK(translate(&state, 0x00203000, &phys) == -EFAULT);
	CHECK(translate(&state, 0x00400000, &phys) == -EFAULT);
	CHECK(!guest.misaligned);
}

static void pae_reserved_bits(void)
{
	struct guest_paging_state state = pae;
	uint64_t phys = 0;

	state.efer = EFER_NXE;
	build_pae();
	/* PDPTE bits 2:1 and 8:5 are reserved, and so are 63:MAXPHYADDR, XD included. */
	set64(PAGE(2) + 0x20, 3, PAGE(4) | RW | P);
	CHECK(translate(&state, 0xffe00300, &phys) == -EFAULT);
	set64(PAGE(2) + 0x20, 3, PAGE(4) | (1ULL << 5) | P);
	CHECK(translate(&state, 0xffe00300, &phys) == -EFAULT);
	set64(PAGE(2) + 0x20, 3, PAGE(4) | (1ULL << 40) | P);
	CHECK(translate(&state, 0xffe00300, &phys) == -EFAULT);
	set64(PAGE(2) + 0x20, 3, PAGE(4) | XD | P);
	CHECK(translate(&state, 0xffe00300, &phys) == -EFAULT);
	set64(PAGE(2) + 0x20, 3, PAGE(4) | (1ULL << 39) | P);
	CHECK(translate(&state, 0xffe00300, &phys) == -EPERM);	/* a legal but absent PD */
	build_pae();
	/* PDE and PTE: bits 62:MAXPHYADDR, and 20:13 in a 2 MiB page. */
	set64(PAGE(4), 511, 0xfee00000ULL | (1ULL << 62) | PS | P);
	CHECK(translate(&state, 0xffe00300, &phys) == -EFAULT);
	set64(PAGE(4), 510, 0x4000000000ULL | (1ULL << 13) | PS | P);
	CHECK(translate(&state, 0xffc12345, &phys) == -EFAULT);
	/* Bit 12 of a 2 MiB page is PAT, not an address bit. */
	set64(PAGE(4), 510, 0x4000000000ULL | (1ULL << 12) | PS | P);
	CHECK(translate(&state, 0xffc12345, &phys) == 0 && phys == 0x4000012345ULL);
	set64(PAGE(5), 2, 0x2345678000ULL | (1ULL << 52) | P);
	CHECK(translate(&state, 0x00202abc, &phys) == -EFAULT);
}

/*
 * 4-level paging: PML4 at page 1.  Low half: PDPT 2, PD 3, PT 4.  High
 * half (0xffff800000000000): PDPT 5 with a 1 GiB page and PD 6 with a
 * 2 MiB page.
 */
static void build_4level(void)
{
	fresh_guest();
	set64(PAGE(1), 0, PAGE(2) | P | RW);
	set64(PAGE(2), 0, PAGE(3) | P | RW);
	set64(PAGE(3), 0, PAGE(4) | P | RW);
	set64(PAGE(4), 1, 0x3fffffff000ULL | P | RW | XD);
	set64(PAGE(4), 2, 0xfee00000ULL | P | RW | PS);	/* bit 7 of a PTE is PAT */
	set64(PAGE(1), 256, PAGE(5) | P);
	set64(PAGE(5), 0, 0x40000000ULL | PS | P);
	set64(PAGE(5), 1, PAGE(6) | P);
	set64(PAGE(6), 3, 0x200000000ULL | PS | P);
}

static void ia32e_4level_every_page_size(void)
{
	uint64_t phys = 0;

	build_4level();
	CHECK(translate(&level4, 0x1abc, &phys) == 0 && phys == 0x3fffffffabcULL);
	CHECK(translate(&level4, 0x2300, &phys) == 0 && phys == 0xfee00300);
	CHECK(translate(&level4, 0xffff800012345678ULL, &phys) == 0 && phys == 0x52345678);
	CHECK(translate(&level4, 0xffff80003fffffffULL, &phys) == 0 && phys == 0x7fffffff);
	CHECK(translate(&level4, 0xffff800040612345ULL, &phys) == 0 && phys == 0x200012345ULL);
	CHECK(!guest.misaligned);
}

static void ia32e_4level_faults(void)
{
	uint64_t phys = 0x5a5a;

	build_4level();
	CHECK(translate(&level4, 0x3000, &phys) == -EFAULT);			/* PTE */
	CHECK(translate(&level4, 0x200000, &phys) == -EFAULT);		/* PDE */
	CHECK(translate(&level4, 0x40000000, &phys) == -EFAULT);		/* PDPTE */
	CHECK(translate(&level4, 0x8000000000ULL, &phys) == -EFAULT);	/* PML4E */
	/* Not canonical: bits 63:47 must all equal bit 47. */
	CHECK(translate(&level4, 0x0000800000000000ULL, &phys) == -EFAULT);
	CHECK(translate(&level4, 0x7fff800012345678ULL, &phys) == -EFAULT);
	CHECK(translate(&level4, 0xfffe800012345678ULL, &phys) == -EFAULT);
	CHECK(phys == 0x5a5a);
}

static void ia32e_4level_reserved_bits(void)
{
	struct guest_paging_state state = level4;
	uint64_t phys = 0;

	build_4level();
	/* PS in a PML4E is reserved: no 512 GiB pages. */
	set64(PAGE(1), 0, PS | P);
	CHECK(translate(&level4, 0x1abc, &phys) == -EFAULT);
	/* Bits 51:MAXPHYADDR (46) are reserved; 62:52 are ignored. */
	set64(PAGE(1), 0, PAGE(2) | (1ULL << 46) | P);
	CHECK(translate(&level4, 0x1abc, &phys) == -EFAULT);
	set64(PAGE(1), 0, PAGE(2) | (0x7ffULL << 52) | P);
	CHECK(translate(&level4, 0x1abc, &phys) == 0 && phys == 0x3fffffffabcULL);
	/* XD is reserved without EFER.NXE. */
	state.efer &= ~EFER_NXE;
	CHECK(translate(&state, 0x1abc, &phys) == -EFAULT);
	CHECK(translate(&state, 0x2300, &phys) == 0 && phys == 0xfee00300);
	/* A 1 GiB page reserves bits 29:13, a 2 MiB page bits 20:13; bit 12 is PAT. */
	set64(PAGE(5), 0, 0x40000000ULL | (1ULL << 29) | PS | P);
	CHECK(translate(&level4, 0xffff800012345678ULL, &phys) == -EFAULT);
	set64(PAGE(5), 0, 0x40000000ULL | (1ULL << 12) | PS | P);
	CHECK(translate(&level4, 0xffff800012345678ULL, &phys) == 0 && phys == 0x52345678);
	set64(PAGE(6), 3, 0x200000000ULL | (1ULL << 20) | PS | P);
	CHECK(translate(&level4, 0xffff800040612345ULL, &phys) == -EFAULT);
	/* With MAXPHYADDR 52 nothing below bit 52 is reserved. */
	state = level4;
	state.maxphyaddr = 52;
	set64(PAGE(1), 0, PAGE(2) | (1ULL << 51) | P);
	CHECK(translate(&state, 0x1abc, &phys) == -EPERM);
}

/* 5-level paging: PML5 at page 1, then PML4 7, PDPT 8, PD 9, PT 10. */
static void ia32e_5level(void)
{
	const uint64_t linear = (0x80ULL << 48) | (0x81ULL << 39) | (0x2ULL << 30) |
				(0x80ULL << 21) | (0x1ULL << 12) | 0xabc;
	uint64_t phys = 0;

	fresh_guest();
	set64(PAGE(1), 0x80, PAGE(7) | P);
	set64(PAGE(7), 0x81, PAGE(8) | P);
	set64(PAGE(8), 0x2, PAGE(9) | P);
	set64(PAGE(9), 0x80, PAGE(10) | P);
	set64(PAGE(10), 0x1, 0xfffffffff000ULL | (1ULL << 51) | P);
	CHECK(translate(&level5, linear, &phys) == 0 && phys == 0x8fffffffffabcULL);
	/* A 2 MiB page at the PD. */
	set64(PAGE(9), 0x80, 0x1ffe00000ULL | PS | P);
	CHECK(translate(&level5, linear, &phys) == 0 && phys == 0x1ffe01abcULL);
	/* PS in a PML5E is reserved. */
	set64(PAGE(1), 0x80, PS | P);
	CHECK(translate(&level5, linear, &phys) == -EFAULT);
	set64(PAGE(1), 0x80, PAGE(7));
	CHECK(translate(&level5, linear, &phys) == -EFAULT);
	/* Canonical means bits 63:56 equal bit 56; the same address is not 4-level canonical. */
	CHECK(translate(&level5, 0x0100000000000000ULL, &phys) == -EFAULT);
	CHECK(translate(&level5, 0xfe00000000000000ULL, &phys) == -EFAULT);
	set64(PAGE(1), 0x80, PAGE(7) | P);
	CHECK(translate(&level4, linear, &phys) == -EFAULT);
	/* The upper half: bits 63:57 copy bit 56, which is part of the PML5 index (0x180). */
	set64(PAGE(1), 0x180, PAGE(7) | P);
	CHECK(translate(&level5, linear | 0xff00000000000000ULL, &phys) == 0 &&
	      phys == 0x1ffe01abcULL);
	CHECK(guest.reads == 5 + 4 + 1 + 1 + 4);
}

/* Paging structures outside the guest's memory: -EPERM at every level. */
static void refused_reads_fail_the_walk(void)
{
	struct guest_paging_state state = level4;
	uint64_t phys = 0x5a5a;
	int page;

	for (page = 1; page <= 4; page++) {
		build_4level();
		guest.refused_page = page;
		CHECK(translate(&level4, 0x1abc, &phys) == -EPERM);
	}
	build_4level();
	state.cr3 = PAGE(GUEST_PAGES);
	CHECK(translate(&state, 0x1abc, &phys) == -EPERM);
	build_32bit();
	guest.refused_page = 3;
	CHECK(translate(&paging32, 0x00403300, &phys) == -EPERM);
	CHECK(translate(&paging32, 0x00005abc, &phys) == 0 && phys == 0x7abc);
	build_pae();
	guest.refused_page = 2;
	CHECK(translate(&pae, 0xffe00300, &phys) == -EPERM);
}

static void impossible_states_are_refused(void)
{
	struct guest_paging_state state = level4;
	uint64_t phys = 0x5a5a;

	build_4level();
	/* IA-32e mode needs CR4.PAE. */
	state.cr4 = 0;
	CHECK(translate(&state, 0x1abc, &phys) == -EINVAL);
	state = level4;
	state.maxphyaddr = 0;
	CHECK(translate(&state, 0x1abc, &phys) == -EINVAL);
	state.maxphyaddr = 31;
	CHECK(translate(&state, 0x1abc, &phys) == -EINVAL);
	state.maxphyaddr = 53;
	CHECK(translate(&state, 0x1abc, &phys) == -EINVAL);
	state = paging32;
	state.maxphyaddr = 0;
	CHECK(translate(&state, 0x1abc, &phys) == -EINVAL);
	CHECK(phys == 0x5a5a && guest.reads == 0);
}

int main(void)
{
	RUN(without_paging_linear_is_physical);
	RUN(paging_32bit_with_4k_pages);
	RUN(paging_32bit_with_4m_pages);
	RUN(pae_paging);
	RUN(pae_reserved_bits);
	RUN(ia32e_4level_every_page_size);
	RUN(ia32e_4level_faults);
	RUN(ia32e_4level_reserved_bits);
	RUN(ia32e_5level);
	RUN(refused_reads_fail_the_walk);
	RUN(impossible_states_are_refused);
	return unit_report("unit guest-paging");
}
