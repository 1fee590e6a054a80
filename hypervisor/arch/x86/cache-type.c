// SPDX-License-Identifier: GPL-2.0
/*
 * A cell CPU's memory-type registers, never written to hardware.
 *
 * A cell's RAM is write-back in its EPT and the EPT leaves the guest's PAT
 * in effect, so the memory type a cell gets is its PAT's (SDM Vol. 3C,
 * 29.3.7.2).  The MTRRs a cell sees have no ranges (MTRRcap 0: no
 * variable or fixed ranges, no write combining), only the default type
 * register with its enable bit, which Jailhouse inmates set before they
 * enter long mode.  With the MTRRs off all memory is uncached (SDM Vol. 3A,
 * 11.11.2.1), which the CPU gets by running on an all-UC PAT while the
 * guest reads back its own.  Power-up clears both (table 9-1); INIT keeps
 * them.
 */
#include <bulkhead-hv/cell.h>
#include <asm/cache-type.h>
#include <asm/msr.h>
#include <asm/vmcs.h>
#include <asm/vmx-check.h>

/* Type (7:0), fixed-range enable (10, reserved with no fixed ranges), enable (11). */
#define DEF_TYPE_WRITABLE	(0xffULL | MTRR_DEF_TYPE_ENABLE)
/* All eight PAT entries uncached (type 0). */
#define PAT_ALL_UNCACHED	0ULL

static bool memory_type_valid(uint64_t type)
{
	return type == 0 || type == 1 || type == 4 || type == 5 || type == 6;
}

/* The PAT the CPU runs the guest with: its own, or all UC while its MTRRs are off. */
static void load_pat(const struct per_cpu *cpu)
{
	bool on = cpu->arch.mtrr_def_type & MTRR_DEF_TYPE_ENABLE;

	vmcs_write64(VMCS_GUEST_PAT, on ? cpu->arch.guest_pat : PAT_ALL_UNCACHED);
}

void cache_type_power_up(struct per_cpu *cpu)
{
	cpu->arch.mtrr_def_type = 0;
	cpu->arch.guest_pat = PAT_POWER_ON;
}

void cache_type_start(struct per_cpu *cpu, bool power_up)
{
	if (cpu->cell == &root_cell) {
		vmcs_write64(VMCS_GUEST_PAT, PAT_POWER_ON);
		return;
	}
	if (power_up)
		cache_type_power_up(cpu);
	load_pat(cpu);
}

bool cache_type_emulates(const struct per_cpu *cpu, uint32_t msr)
{
	if (cpu->cell == &root_cell)
		return false;
	return msr == MSR_MTRR_CAP || msr == MSR_MTRR_DEF_TYPE || msr == MSR_PAT;
}

void cache_type_read(const struct per_cpu *cpu, uint32_t msr, uint64_t *value)
{
	if (msr == MSR_MTRR_CAP)
		*value = 0;
	else if (msr == MSR_MTRR_DEF_TYPE)
		*value = cpu->arch.mtrr_def_type;
	else
		*value = cpu->arch.guest_pat;
}

bool cache_type_write(struct per_cpu *cpu, uint32_t msr, uint64_t value)
{
	if (msr == MSR_MTRR_CAP)
		return false;	/* read-only */
	if (msr == MSR_MTRR_DEF_TYPE) {
		if ((value & ~DEF_TYPE_WRITABLE) || !memory_type_valid(value & 0xff))
			return false;
		cpu->arch.mtrr_def_type = value;
	} else {
		if (!vmx_check_pat_valid(value))
			return false;
		cpu->arch.guest_pat = value;
	}
	load_pat(cpu);
	return true;
}
