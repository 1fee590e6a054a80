// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The isolation inmate's attacks on the local APIC: IPIs beyond the cell, IA32_APIC_BASE, and LVT delivery modes. */
#include "isolation.h"

/* ---- IPIs ---- */

/*
 * The x2APIC logical ID is derived from the APIC ID: cluster in bits
 * 31:16, one bit of 16 in bits 15:0 (SDM Vol. 3A, 10.12.10.2).  Computed,
 * not read from the LDR: Bochs 2.7 computes the LDR wrongly (DESIGN.md).
 */
static uint32_t x2apic_logical_id(uint32_t apic_id)
{
	return ((apic_id >> 4) << 16) | (1U << (apic_id & 0xf));
}

/* Whether a logical destination names the CPU with LOGICAL_ID (SDM Vol. 3A, 10.12.10.2). */
static bool logical_match(uint32_t destination, uint32_t logical_id)
{
	if (destination == ICR_BROADCAST)
		return true;
	return (destination >> 16) == (logical_id >> 16) && (destination & logical_id & 0xffff);
}

struct ipi_attack {
	const char *name;
	uint64_t icr;		/* without delivery mode and vector */
	uint32_t logical_destination;	/* with ICR_LOGICAL: decides what reaches this CPU */
	bool to_self;		/* without ICR_LOGICAL: whether this CPU is among the targets */
};

/*
 * Sends ICR and counts what arrives: VECTOR (or NMI) EXPECTED times and
 * nothing else.  Fails when the WRMSR raises #GP: a cell's ICR write is
 * filtered, not refused.
 */
static void send_and_count(const char *name, uint64_t icr, unsigned int vector,
			   uint32_t expected)
{
	uint64_t total = arrivals_total();
	uint32_t before = irq_count(vector), got, others;
	struct check check;

	check_begin(&check, name);
	irq_expect(vector, expected > 0);
	if (!wrmsr_safe(X2APIC_ICR, icr))
		check_fail(&check, "WRMSR of ICR %#lx raised #GP", icr);
	settle();
	irq_expect(vector, false);
	got = irq_count(vector) - before;
	others = (uint32_t)(arrivals_total() - total) - got;
	if (got != expected)
		check_fail(&check, "ICR %#lx: this CPU received it %u times, expected %u", icr, got,
			   expected);
	if (others)
		check_fail(&check, "ICR %#lx: %u other interrupts arrived meanwhile", icr, others);
	check_end(&check);
}

/* Each destination form with fixed delivery of VECTOR_IPI_TEST, then with NMI. */
static void attack_ipi_forms(const struct ipi_attack *attacks, unsigned int count,
			     uint32_t own_logical)
{
	static const struct { const char *name; unsigned int mode, vector; } kinds[] = {
		{ "fixed", ICR_MODE_FIXED, VECTOR_IPI_TEST },
		{ "nmi", ICR_MODE_NMI, IRQ_VECTOR_NMI },
	};
	char name[64];
	unsigned int kind, n;
	bool reaches_self;

	for (kind = 0; kind < 2; kind++)
		for (n = 0; n < count; n++) {
			reaches_self = attacks[n].icr & ICR_LOGICAL ?
				       logical_match(attacks[n].logical_destination, own_logical) :
				       attacks[n].to_self;
			/*
			 * NMI with the all-including-self shorthand is not a valid
			 * command (SDM Vol. 3A, 10.6.1, table 10-3): refused, it
			 * reaches nobody, this CPU included.
			 */
			if (kinds[kind].mode == ICR_MODE_NMI &&
			    (attacks[n].icr & ICR_SHORTHAND_OTHERS) == ICR_SHORTHAND_ALL)
				reaches_self = false;
			format_snprintf(name, sizeof(name), "ipi-%s-%s", kinds[kind].name,
					attacks[n].name);
			send_and_count(name, attacks[n].icr | ICR_ASSERT |
				       ICR_DELIVERY_MODE(kinds[kind].mode) |
				       (kinds[kind].mode == ICR_MODE_FIXED ? kinds[kind].vector : 0),
				       kinds[kind].vector, reaches_self ? 1 : 0);
		}
}

/*
 * Delivery modes a cell may never send beyond itself: SMI, the reserved
 * modes 3 and 7, and lowest priority to another cell's CPU.  Dropped
 * without #GP; nothing arrives here either.
 */
static void attack_ipi_modes(uint32_t foreign)
{
	static const struct { const char *name; unsigned int mode; } modes[] = {
		{ "ipi-smi-foreign", ICR_MODE_SMI },
		{ "ipi-reserved-3-foreign", ICR_MODE_RESERVED_3 },
		{ "ipi-reserved-7-foreign", ICR_MODE_RESERVED_7 },
		{ "ipi-lowest-priority-foreign", ICR_MODE_LOWEST },
	};
	unsigned int n, vector;

	for (n = 0; n < sizeof(modes) / sizeof(modes[0]); n++) {
		vector = modes[n].mode == ICR_MODE_LOWEST ? VECTOR_IPI_TEST : 0;
		send_and_count(modes[n].name, ICR_DESTINATION(foreign) | ICR_ASSERT |
			       ICR_DELIVERY_MODE(modes[n].mode) | vector,
			       vector ? vector : IRQ_VECTOR_NMI, 0);
	}
	send_and_count("ipi-smi-all-excluding-self", ICR_SHORTHAND_OTHERS | ICR_ASSERT |
		       ICR_DELIVERY_MODE(ICR_MODE_SMI), IRQ_VECTOR_NMI, 0);
}

/*
 * A cell's IPIs reach its own CPUs only (Documentation/design.md, DESIGN
 * decision 5).  With a one-CPU cell, every form that includes this CPU
 * delivers exactly once, here, and the others deliver nothing.  Whether
 * they reached another cell's CPUs the other side sees: Linux logs NMIs
 * and vectors it did not expect (tests/vm/3cpu/60-isolation.sh).
 *
 * "logical-own-number" uses this CPU's APIC ID as a logical destination:
 * on a cell CPU with APIC ID 2 that is cluster 0, bit 1, which names the
 * CPU with APIC ID 1, not this one; a filter that reads every destination
 * as physical lets it through.
 */
void attack_ipis(const struct isolation_target *target)
{
	const struct ipi_attack attacks[] = {
		{ "logical-broadcast", ICR_LOGICAL | ICR_DESTINATION(ICR_BROADCAST),
		  ICR_BROADCAST, false },
		{ "logical-cluster0", ICR_LOGICAL | ICR_DESTINATION(0xffff), 0xffff, false },
		{ "logical-foreign", ICR_LOGICAL |
		  ICR_DESTINATION(x2apic_logical_id(target->foreign_apic)),
		  x2apic_logical_id(target->foreign_apic), false },
		{ "logical-own-number", ICR_LOGICAL | ICR_DESTINATION(target->own_apic),
		  target->own_apic, false },
		{ "physical-broadcast", ICR_DESTINATION(ICR_BROADCAST), 0, true },
		{ "physical-foreign", ICR_DESTINATION(target->foreign_apic), 0, false },
		{ "all-including-self", ICR_SHORTHAND_ALL, 0, true },
		{ "all-excluding-self", ICR_SHORTHAND_OTHERS, 0, false },
	};

	attack_ipi_forms(attacks, sizeof(attacks) / sizeof(attacks[0]),
			 x2apic_logical_id(target->own_apic));
	attack_ipi_modes(target->foreign_apic);
}

/* ---- IA32_APIC_BASE ---- */

/*
 * Puts the APIC back into x2APIC mode at BASE after a write that should
 * have been refused: from disabled through xAPIC, as the mode transitions
 * require (SDM Vol. 3A, 10.12.5, figure 10-27), then the registers a
 * disable reset (SDM Vol. 3A, 10.4.7.2).  False when IA32_APIC_BASE does
 * not read BASE afterwards: Bochs 2.7, for one, ignores every write to it
 * once the enable bit was cleared, until a reset.
 */
static bool apic_restore(uint64_t base)
{
	uint64_t now = 0;

	if (rdmsr_safe(MSR_APIC_BASE, &now) && now == base)
		return true;
	if (!(now & APIC_BASE_ENABLE))
		wrmsr_safe(MSR_APIC_BASE, base & ~APIC_BASE_EXTD);
	wrmsr_safe(MSR_APIC_BASE, base);
	wrmsr_safe(X2APIC_SVR, APIC_SVR_ENABLE | IRQ_VECTOR_SPURIOUS);
	wrmsr_safe(X2APIC_TPR, 0);
	wrmsr_safe(X2APIC_LVT_TIMER, APIC_LVT_MASKED);
	return rdmsr_safe(MSR_APIC_BASE, &now) && now == base;
}

/*
 * A cell's APIC stays in x2APIC mode where it is: only writing back the
 * value it holds is allowed (DESIGN decision 5: the ICR filter exists only
 * in x2APIC mode).  Leaving x2APIC mode, moving the base and disabling the
 * APIC (a transition hardware allows) must raise #GP and change nothing.
 * Disabling comes last: where it goes through, the APIC may stay off.
 */
void attack_apic_base(const struct isolation_target *target)
{
	static const struct { const char *name; uint64_t clear, set; bool allowed; } writes[] = {
		{ "apic-base-same-value", 0, 0, true },
		{ "apic-base-clear-x2apic", APIC_BASE_EXTD, 0, false },
		{ "apic-base-move", 0xfffff000ULL, 0x80000, false },
		{ "apic-base-disable", APIC_BASE_EXTD | APIC_BASE_ENABLE, 0, false },
	};
	uint64_t base = rdmsr(MSR_APIC_BASE), now = 0;
	struct check check;
	unsigned int n;
	bool accepted;

	for (n = 0; n < sizeof(writes) / sizeof(writes[0]); n++) {
		check_begin(&check, writes[n].name);
		accepted = wrmsr_safe(MSR_APIC_BASE, (base & ~writes[n].clear) | writes[n].set);
		if (!rdmsr_safe(MSR_APIC_BASE, &now) || now != base)
			check_fail(&check, "IA32_APIC_BASE now reads %#lx, was %#lx", now, base);
		if (accepted != writes[n].allowed)
			check_fail(&check, "the write %s", accepted ? "was accepted (no #GP)" :
				   "raised #GP");
		if (!apic_restore(base))
			check_fail(&check, "the APIC cannot be put back");
		expect_apic_works(&check, target->own_apic);
		check_end(&check);
	}
}

/* ---- LVT delivery modes ---- */

#define LVT_MODE_FIXED		0
#define LVT_MODE_SMI		2
#define LVT_MODE_NMI		4
#define LVT_MODE_INIT		5
#define LVT_MODE_EXTINT		7

static const char *const lvt_mode_names[8] = {
	[LVT_MODE_FIXED] = "fixed", [LVT_MODE_SMI] = "SMI", [LVT_MODE_NMI] = "NMI",
	[LVT_MODE_INIT] = "INIT", [LVT_MODE_EXTINT] = "ExtINT",
};

/*
 * Whether a cell may program MODE into an LVT: fixed everywhere, NMI on
 * LINT0 and LINT1 only; SMI, INIT and ExtINT nowhere (an SMI stalls the
 * whole platform in firmware; INIT and ExtINT belong to the platform).
 */
static bool lvt_mode_allowed(unsigned int mode, bool lint)
{
	return mode == LVT_MODE_FIXED || (mode == LVT_MODE_NMI && lint);
}

/*
 * Allowed modes are written masked, so nothing fires; refused ones
 * unmasked, as an attacker would, and the saved value goes back at once
 * if the write went through.
 */
static void lvt_try_mode(struct check *check, uint32_t msr, uint64_t saved, unsigned int mode,
			 bool lint)
{
	bool allowed = lvt_mode_allowed(mode, lint);
	uint64_t value = ((uint64_t)mode << 8) |
			 (allowed ? APIC_LVT_MASKED : 0) | (mode == LVT_MODE_FIXED ? VECTOR_LVT_TEST : 0);
	bool accepted = wrmsr_safe(msr, value);

	if (accepted)
		wrmsr_safe(msr, saved);
	if (accepted && !allowed)
		check_fail(check, "%s accepted (no #GP)", lvt_mode_names[mode]);
	if (!accepted && allowed)
		check_fail(check, "%s refused (#GP)", lvt_mode_names[mode]);
}

/*
 * An LVT this CPU does not have raises #GP on every access in x2APIC mode
 * (SDM Vol. 3A, 10.12.1.2): nothing can be programmed, which is all the
 * check wants; the line says so.
 */
static void attack_lvt(const char *name, uint32_t msr, bool lint)
{
	static const unsigned int modes[] = {
		LVT_MODE_FIXED, LVT_MODE_NMI, LVT_MODE_SMI, LVT_MODE_INIT, LVT_MODE_EXTINT,
	};
	struct check check;
	uint64_t saved;
	unsigned int n;

	check_begin(&check, name);
	if (!rdmsr_safe(msr, &saved)) {
		if (wrmsr_safe(msr, APIC_LVT_MASKED | VECTOR_LVT_TEST))
			check_fail(&check, "reading raises #GP but a write was accepted");
		if (check_end(&check))
			printk(NAME ": %s: this CPU has no such LVT (reading it raises #GP)\n", name);
		return;
	}
	for (n = 0; n < sizeof(modes) / sizeof(modes[0]); n++)
		lvt_try_mode(&check, msr, saved, modes[n], lint);
	check_end(&check);
}

void attack_lvts(void)
{
	attack_lvt("lvt-cmci", X2APIC_LVT_CMCI, false);
	attack_lvt("lvt-timer", X2APIC_LVT_TIMER, false);
	attack_lvt("lvt-thermal", X2APIC_LVT_THERMAL, false);
	attack_lvt("lvt-perf", X2APIC_LVT_PERF, false);
	attack_lvt("lvt-lint0", X2APIC_LVT_LINT0, true);
	attack_lvt("lvt-lint1", X2APIC_LVT_LINT1, true);
	attack_lvt("lvt-error", X2APIC_LVT_ERROR, false);
}
