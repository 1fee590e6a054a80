// SPDX-License-Identifier: GPL-2.0
/* Interrupt command decoding, destination expansion and the rule that keeps IPIs inside a cell. */
#include <asm/apic-icr.h>

/* ICR fields; SDM Vol. 3A, 10.6.1 (xAPIC) and 10.12.9 (x2APIC, same low half). */
#define ICR_VECTOR_MASK		0xffULL
#define ICR_DELIVERY_SHIFT	8
#define ICR_DELIVERY_MASK	7ULL
#define ICR_LOGICAL		(1ULL << 11)
#define ICR_ASSERT		(1ULL << 14)
#define ICR_LEVEL_TRIGGERED	(1ULL << 15)
#define ICR_SHORTHAND_SHIFT	18
#define ICR_SHORTHAND_MASK	3ULL
#define ICR_XAPIC_DEST_SHIFT	56
#define ICR_X2APIC_DEST_SHIFT	32

/* Vectors 0-15 are illegal in a message: the APIC sends nothing (SDM Vol. 3A, 10.5.3). */
#define ICR_FIRST_LEGAL_VECTOR	16

void icr_decode(uint64_t icr, bool x2apic, struct icr *out)
{
	out->vector = (uint8_t)(icr & ICR_VECTOR_MASK);
	out->delivery = (enum icr_delivery)((icr >> ICR_DELIVERY_SHIFT) & ICR_DELIVERY_MASK);
	out->logical = (icr & ICR_LOGICAL) != 0;
	out->assert = (icr & ICR_ASSERT) != 0;
	out->level_triggered = (icr & ICR_LEVEL_TRIGGERED) != 0;
	out->shorthand = (enum icr_shorthand)((icr >> ICR_SHORTHAND_SHIFT) & ICR_SHORTHAND_MASK);
	if (x2apic)
		out->destination = (uint32_t)(icr >> ICR_X2APIC_DEST_SHIFT);
	else
		out->destination = (uint32_t)(icr >> ICR_XAPIC_DEST_SHIFT);
}

/*
 * In x2APIC mode the logical ID is not programmable: bits 31:16 hold the
 * cluster (x2APIC ID bits 31:4) and bits 15:0 one bit for the CPU's place
 * in it (ID bits 3:0); SDM Vol. 3A, 10.12.10.2.
 */
uint32_t apic_x2apic_ldr(uint32_t apic_id)
{
	return ((apic_id >> 4) << 16) | (1U << (apic_id & 0xf));
}

static uint64_t cpu_bit(unsigned int cpu)
{
	return cpu < ICR_MAX_CPUS ? 1ULL << cpu : 0;
}

/*
 * xAPIC logical destination against one CPU's LDR and DFR; SDM Vol. 3A,
 * 10.6.2.2.  Flat: the 8-bit destination is a mask of logical IDs.
 * Cluster: destination bits 7:4 pick the cluster, bits 3:0 a mask of up
 * to four CPUs in it.  Each APIC compares with its own DFR model; a model
 * that is neither flat nor cluster is undefined and accepts nothing here.
 */
static bool xapic_logical_match(uint32_t destination, const struct apic_cpu *cpu)
{
	uint32_t logical_id = cpu->ldr >> 24;

	switch (cpu->dfr >> APIC_DFR_MODEL_SHIFT) {
	case APIC_DFR_MODEL_FLAT:
		return (destination & logical_id) != 0;
	case APIC_DFR_MODEL_CLUSTER:
		return (destination >> 4) == (logical_id >> 4) &&
		       (destination & logical_id & 0xf) != 0;
	default:
		return false;
	}
}

/* x2APIC logical: same cluster and a common bit in the mask; SDM Vol. 3A, 10.12.10.2. */
static bool x2apic_logical_match(uint32_t destination, uint32_t apic_id)
{
	uint32_t ldr = apic_x2apic_ldr(apic_id);

	return (destination >> 16) == (ldr >> 16) && (destination & ldr & 0xffff) != 0;
}

static bool destination_matches(const struct icr *icr, bool x2apic, const struct apic_cpu *cpu)
{
	if (!icr->logical)
		return cpu->apic_id == icr->destination;
	if (x2apic)
		return x2apic_logical_match(icr->destination, cpu->apic_id);
	return xapic_logical_match(icr->destination, cpu);
}

/*
 * The CPUs (numbers, bit n for cpus[n]) among present that the ICR names.
 * All ones in the destination is a broadcast in either destination mode
 * (SDM Vol. 3A, 10.6.2.1, 10.6.2.2, 10.12.10); a physical destination no
 * present CPU has names nobody.  Shorthands ignore the destination and its
 * mode (10.6.1).
 */
uint64_t icr_destinations(const struct icr *icr, bool x2apic, const struct apic_cpu *cpus,
			  uint64_t present, unsigned int self)
{
	uint32_t broadcast = x2apic ? ICR_X2APIC_BROADCAST : ICR_XAPIC_BROADCAST;
	uint64_t named = 0;
	unsigned int cpu;

	switch (icr->shorthand) {
	case ICR_SHORTHAND_SELF:
		return present & cpu_bit(self);
	case ICR_SHORTHAND_ALL_INCLUDING_SELF:
		return present;
	case ICR_SHORTHAND_ALL_EXCLUDING_SELF:
		return present & ~cpu_bit(self);
	case ICR_SHORTHAND_NONE:
		break;
	}
	if (icr->destination == broadcast)
		return present;
	for (cpu = 0; cpu < ICR_MAX_CPUS; cpu++)
		if ((present & cpu_bit(cpu)) && destination_matches(icr, x2apic, &cpus[cpu]))
			named |= cpu_bit(cpu);
	return named;
}

static void refuse(struct icr_verdict *v, uint64_t named, const char *reason)
{
	v->action = ICR_REFUSE;
	v->targets = 0;
	v->dropped = named;
	v->reason = reason;
}

/*
 * The combinations the SDM lists as invalid for today's (xAPIC and x2APIC)
 * processors, in the table of valid ICR combinations in Vol. 3A, 10.6.1:
 * only fixed IPIs may use the self and all-including-self shorthands, and
 * a fixed or lowest-priority IPI needs a legal vector.
 */
static const char *invalid_combination(const struct icr *icr)
{
	if (icr->shorthand == ICR_SHORTHAND_SELF && icr->delivery != ICR_DELIVERY_FIXED)
		return "lowest priority/NMI/INIT/startup with the self shorthand";
	if (icr->shorthand == ICR_SHORTHAND_ALL_INCLUDING_SELF &&
	    icr->delivery != ICR_DELIVERY_FIXED)
		return "lowest priority/NMI/INIT/startup to all including self";
	if ((icr->delivery == ICR_DELIVERY_FIXED ||
	     icr->delivery == ICR_DELIVERY_LOWEST_PRIORITY) &&
	    icr->vector < ICR_FIRST_LEGAL_VECTOR)
		return "illegal vector (below 16)";
	return NULL;
}

/* Why an ICR is refused whatever it names, or NULL. */
static const char *refusal(const struct icr *icr, uint64_t own_cpus, unsigned int self)
{
	if (!(own_cpus & cpu_bit(self)))
		return "sender outside its cell";
	if (icr->delivery == ICR_DELIVERY_SMI)
		return "SMI";
	if (icr->delivery == ICR_DELIVERY_RESERVED_3 || icr->delivery == ICR_DELIVERY_RESERVED_7)
		return "reserved delivery mode";
	return invalid_combination(icr);
}

/* The lowest-numbered CPU of a non-empty set. */
static uint64_t lowest_cpu(uint64_t set)
{
	return set & (~set + 1);
}

/*
 * Lowest priority may pick any of the named CPUs (SDM Vol. 3A, 10.6.2.4),
 * so it is allowed only when every one of them is the cell's; the choice is
 * then the lowest-numbered one, sent as a fixed IPI.
 */
static void filter_lowest_priority(uint64_t named, uint64_t own_cpus, struct icr_verdict *v)
{
	if (named & ~own_cpus) {
		refuse(v, named, "lowest priority across cells");
		return;
	}
	v->delivery = ICR_DELIVERY_FIXED;
	v->targets = lowest_cpu(named);
	v->action = named ? ICR_SEND : ICR_IGNORE;
}

static enum icr_action action_of(enum icr_delivery delivery)
{
	if (delivery == ICR_DELIVERY_INIT)
		return ICR_INIT;
	if (delivery == ICR_DELIVERY_STARTUP)
		return ICR_STARTUP;
	return ICR_SEND;
}

/*
 * What to do with an ICR write of a CPU (self) whose cell owns own_cpus,
 * given the CPUs it names (icr_destinations()).  Nothing leaves the cell:
 * fixed, NMI, INIT and startup go to the named CPUs of the cell and the
 * others are dropped (counted); SMI, reserved modes, invalid combinations
 * and lowest priority across cells are refused.  An INIT level de-assert
 * (level clear, level triggered; SDM Vol. 3A, 10.6.1) only synchronised
 * arbitration IDs on old APICs and is ignored.
 */
void icr_filter(const struct icr *icr, uint64_t named, uint64_t own_cpus, unsigned int self,
		struct icr_verdict *v)
{
	const char *reason = refusal(icr, own_cpus, self);

	*v = (struct icr_verdict){ .action = ICR_IGNORE, .delivery = icr->delivery,
				   .vector = icr->vector };
	if (icr->delivery == ICR_DELIVERY_INIT && !icr->assert && icr->level_triggered)
		return;
	if (reason) {
		refuse(v, named, reason);
	} else if (icr->delivery == ICR_DELIVERY_LOWEST_PRIORITY) {
		filter_lowest_priority(named, own_cpus, v);
	} else {
		v->targets = named & own_cpus;
		v->dropped = named & ~own_cpus;
		if (v->targets)
			v->action = action_of(icr->delivery);
		else if (v->dropped)
			refuse(v, named, "no destination in the cell");
	}
}
