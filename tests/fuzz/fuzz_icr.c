// SPDX-License-Identifier: GPL-2.0
/* Fuzzes the interrupt command decoder and filter (hypervisor/arch/x86/apic-icr.c): no IPI leaves its cell. */
#include <asm/apic-icr.h>

#include "fuzz.h"

/*
 * Input: ICR [u64], mode [u8] (bit 0: x2APIC), present CPUs [u64], the
 * sender's cell's CPUs [u64], the sender [u8], then for CPUs 0, 1, ...
 * APIC ID, LDR and DFR [u32 each] (zero past the input's end).
 */

/* An independent reading of the fields; SDM Vol. 3A, 10.6.1 and 10.12.9. */
static void check_decode(uint64_t value, bool x2apic, const struct icr *icr)
{
	FUZZ_ASSERT(icr->vector == (value & 0xff));
	FUZZ_ASSERT((unsigned int)icr->delivery == ((value >> 8) & 7));
	FUZZ_ASSERT(icr->logical == ((value >> 11) & 1));
	FUZZ_ASSERT(icr->assert == ((value >> 14) & 1));
	FUZZ_ASSERT(icr->level_triggered == ((value >> 15) & 1));
	FUZZ_ASSERT((unsigned int)icr->shorthand == ((value >> 18) & 3));
	FUZZ_ASSERT(icr->destination == (x2apic ? value >> 32 : value >> 56));
}

/* Physical, no shorthand, not a broadcast: exactly the present CPUs with that APIC ID. */
static void check_physical(const struct icr *icr, bool x2apic, const struct apic_cpu *cpus,
			   uint64_t present, uint64_t named)
{
	uint32_t broadcast = x2apic ? ICR_X2APIC_BROADCAST : ICR_XAPIC_BROADCAST;
	uint64_t expected = 0;
	unsigned int cpu;

	if (icr->logical || icr->shorthand != ICR_SHORTHAND_NONE || icr->destination == broadcast)
		return;
	for (cpu = 0; cpu < ICR_MAX_CPUS; cpu++)
		if (((present >> cpu) & 1) && cpus[cpu].apic_id == icr->destination)
			expected |= 1ULL << cpu;
	FUZZ_ASSERT(named == expected);
}

/* The verdict keeps everything inside the sender's cell (the SDM's invalid forms refused). */
static void check_verdict(const struct icr *icr, uint64_t named, uint64_t own, unsigned int self,
			  const struct icr_verdict *v)
{
	bool sender_inside = self < 64 && ((own >> self) & 1);

	FUZZ_ASSERT(!(v->targets & ~own) && !(v->targets & ~named));
	FUZZ_ASSERT(!(v->dropped & ~named));
	FUZZ_ASSERT((v->action == ICR_REFUSE) == (v->reason != NULL));
	if (v->action == ICR_REFUSE || v->action == ICR_IGNORE)
		FUZZ_ASSERT(v->targets == 0);
	else
		FUZZ_ASSERT(v->targets != 0);
	if (!sender_inside || icr->delivery == ICR_DELIVERY_SMI ||
	    icr->delivery == ICR_DELIVERY_RESERVED_3 || icr->delivery == ICR_DELIVERY_RESERVED_7)
		FUZZ_ASSERT(v->action == ICR_REFUSE || v->action == ICR_IGNORE);
	if (v->action == ICR_SEND)
		FUZZ_ASSERT((v->delivery == ICR_DELIVERY_FIXED && v->vector >= 16) ||
			    v->delivery == ICR_DELIVERY_NMI);
	if (v->action == ICR_INIT)
		FUZZ_ASSERT(icr->delivery == ICR_DELIVERY_INIT);
	if (v->action == ICR_STARTUP)
		FUZZ_ASSERT(icr->delivery == ICR_DELIVERY_STARTUP && v->vector == icr->vector);
	/* Lowest priority names one CPU, and only when all it could pick are the cell's. */
	if (icr->delivery == ICR_DELIVERY_LOWEST_PRIORITY && v->action == ICR_SEND)
		FUZZ_ASSERT(!(named & ~own) && (v->targets & (v->targets - 1)) == 0);
	/* Otherwise every named CPU of the cell is reached and every other one counted. */
	if (icr->delivery != ICR_DELIVERY_LOWEST_PRIORITY && v->action != ICR_REFUSE &&
	    v->action != ICR_IGNORE)
		FUZZ_ASSERT(v->targets == (named & own) && v->dropped == (named & ~own));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size, 0 };
	uint64_t value = fuzz_u64(&in), present, own, named, again;
	bool x2apic = fuzz_u8(&in) & 1;
	struct apic_cpu cpus[ICR_MAX_CPUS];
	struct icr_verdict verdict;
	unsigned int self, cpu;
	struct icr icr;

	present = fuzz_u64(&in);
	own = fuzz_u64(&in) & present;
	self = fuzz_u8(&in);
	for (cpu = 0; cpu < ICR_MAX_CPUS; cpu++) {
		cpus[cpu].apic_id = fuzz_u32(&in);
		cpus[cpu].ldr = fuzz_u32(&in);
		cpus[cpu].dfr = fuzz_u32(&in);
	}
	icr_decode(value, x2apic, &icr);
	check_decode(value, x2apic, &icr);
	named = icr_destinations(&icr, x2apic, cpus, present, self);
	FUZZ_ASSERT(!(named & ~present));
	check_physical(&icr, x2apic, cpus, present, named);
	if (icr.shorthand == ICR_SHORTHAND_ALL_INCLUDING_SELF)
		FUZZ_ASSERT(named == present);
	if (icr.shorthand == ICR_SHORTHAND_SELF)
		FUZZ_ASSERT(named == (self < 64 ? present & (1ULL << self) : 0));
	again = icr_destinations(&icr, x2apic, cpus, present, self);
	FUZZ_ASSERT(again == named);
	icr_filter(&icr, named, own, self, &verdict);
	FUZZ_TRACE("icr 0x%lx x2apic %d present 0x%lx own 0x%lx self %u: named 0x%lx action %d targets 0x%lx dropped 0x%lx %s\n",
		   (unsigned long)value, x2apic, (unsigned long)present, (unsigned long)own, self,
		   (unsigned long)named, verdict.action, (unsigned long)verdict.targets,
		   (unsigned long)verdict.dropped, verdict.reason ? verdict.reason : "");
	check_verdict(&icr, named, own, self, &verdict);
	return 0;
}
