/* SPDX-License-Identifier: GPL-2.0 */
/* Decoding an interrupt command, naming the CPUs it reaches and keeping it inside one cell; pure logic. */
#ifndef BULKHEAD_ASM_APIC_ICR_H
#define BULKHEAD_ASM_APIC_ICR_H

#include <bulkhead-hv/types.h>

/* Delivery modes, ICR bits 10:8; SDM Vol. 3A, 10.6.1. */
enum icr_delivery {
	ICR_DELIVERY_FIXED = 0,
	ICR_DELIVERY_LOWEST_PRIORITY = 1,
	ICR_DELIVERY_SMI = 2,
	ICR_DELIVERY_RESERVED_3 = 3,
	ICR_DELIVERY_NMI = 4,
	ICR_DELIVERY_INIT = 5,
	ICR_DELIVERY_STARTUP = 6,
	ICR_DELIVERY_RESERVED_7 = 7,
};

/* Destination shorthands, ICR bits 19:18; SDM Vol. 3A, 10.6.1. */
enum icr_shorthand {
	ICR_SHORTHAND_NONE = 0,
	ICR_SHORTHAND_SELF = 1,
	ICR_SHORTHAND_ALL_INCLUDING_SELF = 2,
	ICR_SHORTHAND_ALL_EXCLUDING_SELF = 3,
};

/* The destinations every APIC accepts, by mode; SDM Vol. 3A, 10.6.2.1, 10.6.2.2 and 10.12.10. */
#define ICR_XAPIC_BROADCAST	0xffU
#define ICR_X2APIC_BROADCAST	0xffffffffU

/* The fields of one ICR write, from either mode. */
struct icr {
	uint8_t vector;
	enum icr_delivery delivery;
	bool logical;			/* bit 11: logical, else physical destination */
	bool assert;			/* bit 14: level assert (INIT de-assert has it clear) */
	bool level_triggered;		/* bit 15: level, else edge */
	enum icr_shorthand shorthand;
	uint32_t destination;		/* xAPIC: 8 bits (ICR 63:56); x2APIC: 32 bits (63:32) */
};

/*
 * What the local APIC registers of one CPU say about its addresses.  In
 * x2APIC mode the logical ID is derived from apic_id and ldr and dfr are
 * not used; in xAPIC mode ldr and dfr are the values the CPU's guest wrote
 * (logical ID in LDR bits 31:24, model in DFR bits 31:28).
 */
struct apic_cpu {
	uint32_t apic_id;
	uint32_t ldr;
	uint32_t dfr;
};

/* xAPIC destination format models, DFR bits 31:28; SDM Vol. 3A, 10.6.2.2. */
#define APIC_DFR_MODEL_SHIFT	28
#define APIC_DFR_MODEL_FLAT	0xfU
#define APIC_DFR_MODEL_CLUSTER	0x0U

/* The largest CPU set a uint64_t mask can name. */
#define ICR_MAX_CPUS		64

enum icr_action {
	ICR_SEND,	/* send vector with delivery (fixed or NMI) to each target, physical */
	ICR_INIT,	/* put each target through a virtual INIT */
	ICR_STARTUP,	/* start each target waiting for SIPI at vector's page */
	ICR_IGNORE,	/* nothing to do, nothing refused */
	ICR_REFUSE,	/* nothing sent; reason says why, dropped what was named */
};

struct icr_verdict {
	enum icr_action action;
	enum icr_delivery delivery;	/* ICR_SEND: fixed or NMI */
	uint8_t vector;			/* ICR_SEND (fixed) and ICR_STARTUP */
	uint64_t targets;		/* CPUs of the sender's cell to act on */
	uint64_t dropped;		/* CPUs named but left out: count them */
	const char *reason;		/* ICR_REFUSE: a short static string */
};

void icr_decode(uint64_t icr, bool x2apic, struct icr *out);
uint32_t apic_x2apic_ldr(uint32_t apic_id);
uint64_t icr_destinations(const struct icr *icr, bool x2apic, const struct apic_cpu *cpus,
			  uint64_t present, unsigned int self);
void icr_filter(const struct icr *icr, uint64_t named, uint64_t own_cpus, unsigned int self,
		struct icr_verdict *v);

#endif
