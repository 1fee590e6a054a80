// SPDX-License-Identifier: GPL-2.0
/* Guest page-table walker: linear to guest-physical in every paging mode, by the SDM's rules. */
#include <asm/guest-paging.h>

#ifdef BULKHEAD_HYPERVISOR
#include <bulkhead-hv/errno.h>
#else
#include <errno.h>
/* Only the hypervisor records where an error was raised. */
#define trace_error(code) (code)
#endif

/* Entry bits common to every paging mode; SDM Vol. 3A, 4.3 to 4.5. */
#define ENTRY_PRESENT		(1ULL << 0)
#define ENTRY_PAGE_SIZE		(1ULL << 7)	/* PS: maps a page (PAT in a 4 KiB PTE) */
#define ENTRY_EXECUTE_DISABLE	(1ULL << 63)

#define PAGE_SHIFT_4K		12
#define TABLE_INDEX_BITS	9		/* 512 eight-byte entries per table */
#define LINEAR_32BIT_MASK	0xffffffffULL

/* 32-bit paging (SDM Vol. 3A, 4.3, tables 4-4 to 4-6): 1024 four-byte entries per table. */
#define PDE32_INDEX(linear)	(((linear) >> 22) & 0x3ff)
#define PTE32_INDEX(linear)	(((linear) >> 12) & 0x3ff)
#define ADDRESS32_MASK		0xfffff000ULL
#define PAGE4M_LOW_MASK		0xffc00000ULL	/* address bits 31:22 */
#define PAGE4M_HIGH_SHIFT	13		/* PDE bits 20:13 are address bits 39:32 */
#define PAGE4M_HIGH_MASK	0xffULL
#define PSE36_MAXPHYADDR	40

/* PAE paging (SDM Vol. 3A, 4.4.1): CR3 bits 31:5 locate four PDPTEs. */
#define PAE_PDPT_MASK		0xffffffe0ULL
#define PDPTE_INDEX(linear)	(((linear) >> 30) & 3)
#define PAE_PDPTE_RESERVED	0x1e6ULL	/* bits 8:5 and 2:1, table 4-8 */

struct walk {
	guest_read_fn read;
	void *context;
	unsigned int maxphyaddr;
	uint64_t address_mask;		/* bits (MAXPHYADDR-1):12 */
	uint64_t reserved;		/* above MAXPHYADDR, and XD without EFER.NXE */
};

/* Bits first to last, inclusive (first <= last <= 63). */
static uint64_t bit_range(unsigned int first, unsigned int last)
{
	uint64_t upto_last = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;

	return upto_last & ~((1ULL << first) - 1);
}

static int read_entry(const struct walk *w, uint64_t address, uint64_t *entry)
{
	if (!w->read(w->context, address, entry))
		return trace_error(-EPERM);
	return 0;
}

/* A four-byte entry, from the aligned eight bytes that hold it. */
static int read_entry32(const struct walk *w, uint64_t address, uint64_t *entry)
{
	uint64_t pair;
	int err = read_entry(w, address & ~7ULL, &pair);

	if (err)
		return err;
	*entry = (address & 4) ? pair >> 32 : pair & 0xffffffffULL;
	return 0;
}

/*
 * 32-bit paging: a 4 MiB page when CR4.PSE and PDE.PS are set, whose PDE
 * bits 20:13 give address bits 39:32 (PSE-36) and bits 21:(M-19) are
 * reserved, with M = min(MAXPHYADDR, 40); SDM Vol. 3A, 4.3 and table 4-4.
 * Other entries have no reserved bits.
 */
static int translate_32bit(const struct walk *w, uint64_t cr3, uint64_t cr4, uint64_t linear,
			   uint64_t *guest_phys)
{
	unsigned int m = w->maxphyaddr < PSE36_MAXPHYADDR ? w->maxphyaddr : PSE36_MAXPHYADDR;
	uint64_t pde, pte;
	int err;

	err = read_entry32(w, (cr3 & ADDRESS32_MASK) + PDE32_INDEX(linear) * 4, &pde);
	if (err)
		return err;
	if (!(pde & ENTRY_PRESENT))
		return trace_error(-EFAULT);
	if ((cr4 & GUEST_CR4_PSE) && (pde & ENTRY_PAGE_SIZE)) {
		if (pde & bit_range(m - 19, 21))
			return trace_error(-EFAULT);
		*guest_phys = (pde & PAGE4M_LOW_MASK) |
			      (((pde >> PAGE4M_HIGH_SHIFT) & PAGE4M_HIGH_MASK) << 32) |
			      (linear & ~PAGE4M_LOW_MASK);
		return 0;
	}
	err = read_entry32(w, (pde & ADDRESS32_MASK) + PTE32_INDEX(linear) * 4, &pte);
	if (err)
		return err;
	if (!(pte & ENTRY_PRESENT))
		return trace_error(-EFAULT);
	*guest_phys = (pte & ADDRESS32_MASK) | (linear & ~ADDRESS32_MASK);
	return 0;
}

/*
 * Reserved bits of an entry at level (1 PTE, 2 PDE, 3 PDPTE, 4 PML4E, 5
 * PML5E) in PAE and IA-32e paging: PS in a PML4E or PML5E, and in a 1 GiB
 * or 2 MiB leaf the address bits below the page size but the PAT bit 12
 * (SDM Vol. 3A, 4.4.2 and 4.5.4, tables 4-11 and 4-15 to 4-20).
 */
static uint64_t reserved_bits(const struct walk *w, unsigned int level, uint64_t entry)
{
	uint64_t reserved = w->reserved;

	if (level >= 4)
		reserved |= ENTRY_PAGE_SIZE;
	else if (level >= 2 && (entry & ENTRY_PAGE_SIZE))
		reserved |= bit_range(13, PAGE_SHIFT_4K + TABLE_INDEX_BITS * (level - 1) - 1);
	return reserved;
}

/*
 * Walks tables of 512 eight-byte entries from the one at table for level
 * down to a page: a PTE, or a PDPTE or PDE with PS set (PS of higher
 * levels is reserved and refused before).
 */
static int walk_tables(const struct walk *w, uint64_t table, unsigned int level,
		       uint64_t linear, uint64_t *guest_phys)
{
	unsigned int shift;
	uint64_t entry, offset_mask;
	int err;

	for (;; level--) {
		shift = PAGE_SHIFT_4K + TABLE_INDEX_BITS * (level - 1);
		err = read_entry(w, table + ((linear >> shift) & 0x1ff) * 8, &entry);
		if (err)
			return err;
		if (!(entry & ENTRY_PRESENT) || (entry & reserved_bits(w, level, entry)))
			return trace_error(-EFAULT);
		if (level == 1 || (entry & ENTRY_PAGE_SIZE))
			break;
		table = entry & w->address_mask;
	}
	offset_mask = (1ULL << shift) - 1;
	*guest_phys = (entry & w->address_mask & ~offset_mask) | (linear & offset_mask);
	return 0;
}

/*
 * PAE paging: the PDPTE from the 32-byte table at CR3, then a PD and a PT
 * (SDM Vol. 3A, 4.4).  The CPU uses the PDPTEs it loaded at the last MOV
 * to CR3 (4.4.1); reading them from memory differs only if the guest
 * changed them since without reloading CR3.
 */
static int translate_pae(const struct walk *w, uint64_t cr3, uint64_t linear,
			 uint64_t *guest_phys)
{
	uint64_t pdpte;
	int err;

	err = read_entry(w, (cr3 & PAE_PDPT_MASK) + PDPTE_INDEX(linear) * 8, &pdpte);
	if (err)
		return err;
	if (!(pdpte & ENTRY_PRESENT))
		return trace_error(-EFAULT);
	if (pdpte & (PAE_PDPTE_RESERVED | bit_range(w->maxphyaddr, 63)))
		return trace_error(-EFAULT);
	return walk_tables(w, pdpte & w->address_mask, 2, linear, guest_phys);
}

/* 4-level or 5-level paging: linear must be canonical (SDM Vol. 3A, 4.5 and Vol. 1, 3.3.7.1). */
static int translate_ia32e(const struct walk *w, uint64_t cr3, bool five_level, uint64_t linear,
			   uint64_t *guest_phys)
{
	unsigned int levels = five_level ? 5 : 4;
	unsigned int width = PAGE_SHIFT_4K + TABLE_INDEX_BITS * levels;
	int64_t upper = (int64_t)linear >> (width - 1);

	if (upper != 0 && upper != -1)
		return trace_error(-EFAULT);
	return walk_tables(w, cr3 & w->address_mask, levels, linear, guest_phys);
}

/*
 * Translates linear to the guest-physical address the guest's own paging
 * gives it, by the mode its CR0, CR4 and EFER select (SDM Vol. 3A, 4.1.1,
 * table 4-1).  Only translation: present and reserved bits are checked,
 * access rights (R/W, U/S, XD, protection keys, SMEP/SMAP) are not, and
 * accessed and dirty bits are left alone.  Page-size bits are honoured
 * without checking that the CPU offers 1 GiB pages.  Outside IA-32e mode
 * linear addresses have 32 bits and higher bits are ignored; without paging
 * the linear address is the physical one.
 *
 * -EFAULT: no translation (not present, a reserved bit, not canonical);
 * the guest itself would take #PF or #GP.  -EPERM: a paging structure lies
 * outside the guest's memory (read refused).  -EINVAL: no valid paging
 * mode or MAXPHYADDR.  *guest_phys changes only on success.
 */
int guest_translate(const struct guest_paging_state *state, uint64_t linear,
		    guest_read_fn read, void *context, uint64_t *guest_phys)
{
	bool long_mode = state->efer & GUEST_EFER_LME;
	struct walk w = { .read = read, .context = context, .maxphyaddr = state->maxphyaddr };

	if (!(state->cr0 & GUEST_CR0_PG)) {
		*guest_phys = linear & LINEAR_32BIT_MASK;
		return 0;
	}
	if (w.maxphyaddr < GUEST_MAXPHYADDR_MIN || w.maxphyaddr > GUEST_MAXPHYADDR_MAX ||
	    (long_mode && !(state->cr4 & GUEST_CR4_PAE)))
		return trace_error(-EINVAL);
	w.address_mask = bit_range(PAGE_SHIFT_4K, w.maxphyaddr - 1);
	if (!(state->cr4 & GUEST_CR4_PAE))
		return translate_32bit(&w, state->cr3, state->cr4, linear & LINEAR_32BIT_MASK,
				       guest_phys);
	/* PAE entries reserve bits 62:M, IA-32e entries only 51:M (tables 4-11, 4-15 to 4-20). */
	w.reserved = bit_range(w.maxphyaddr, long_mode ? 51 : 62);
	if (!(state->efer & GUEST_EFER_NXE))
		w.reserved |= ENTRY_EXECUTE_DISABLE;
	if (!long_mode)
		return translate_pae(&w, state->cr3, linear & LINEAR_32BIT_MASK, guest_phys);
	return translate_ia32e(&w, state->cr3, state->cr4 & GUEST_CR4_LA57, linear, guest_phys);
}
