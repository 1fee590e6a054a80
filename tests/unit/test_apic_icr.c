// SPDX-License-Identifier: GPL-2.0
/* Host tests of ICR decoding, destination expansion and the cell filter (hypervisor/arch/x86/apic-icr.c). */
#include <string.h>

#include <asm/apic-icr.h>

#include "unit.h"

/* Raw ICR values as software writes them; SDM Vol. 3A, 10.6.1. */
#define VECTOR(v)		((uint64_t)(v))
#define DELIVERY(d)		((uint64_t)(d) << 8)
#define LOGICAL			(1ULL << 11)
#define ASSERT			(1ULL << 14)
#define LEVEL			(1ULL << 15)
#define SHORTHAND(s)		((uint64_t)(s) << 18)
#define XAPIC_DEST(d)		((uint64_t)(d) << 56)
#define X2APIC_DEST(d)		((uint64_t)(d) << 32)

#define DFR_FLAT		0xffffffffU
#define DFR_CLUSTER		0x0fffffffU
#define CPUS(...)		cpu_set((const int[]){ __VA_ARGS__, -1 })

static uint64_t cpu_set(const int *list)
{
	uint64_t set = 0;

	for (; *list >= 0; list++)
		set |= 1ULL << *list;
	return set;
}

static bool reason_is(const struct icr_verdict *v, const char *reason)
{
	return v->action == ICR_REFUSE && v->reason && strcmp(v->reason, reason) == 0;
}

/* Four CPUs with xAPIC IDs 0, 2, 4, 6 (CPU number != APIC ID) in the flat model. */
static const struct apic_cpu xapic_flat[4] = {
	{ .apic_id = 0, .ldr = 0x01U << 24, .dfr = DFR_FLAT },
	{ .apic_id = 2, .ldr = 0x02U << 24, .dfr = DFR_FLAT },
	{ .apic_id = 4, .ldr = 0x04U << 24, .dfr = DFR_FLAT },
	{ .apic_id = 6, .ldr = 0x08U << 24, .dfr = DFR_FLAT },
};

/* Two clusters of two CPUs each in the cluster model: logical IDs 0x01, 0x02, 0x11, 0x12. */
static const struct apic_cpu xapic_cluster[4] = {
	{ .apic_id = 0, .ldr = 0x01U << 24, .dfr = DFR_CLUSTER },
	{ .apic_id = 1, .ldr = 0x02U << 24, .dfr = DFR_CLUSTER },
	{ .apic_id = 2, .ldr = 0x11U << 24, .dfr = DFR_CLUSTER },
	{ .apic_id = 3, .ldr = 0x12U << 24, .dfr = DFR_CLUSTER },
};

/* x2APIC IDs in three clusters; ldr and dfr hold junk the x2APIC rules must not use. */
static const struct apic_cpu x2apic_cpus[5] = {
	{ .apic_id = 0, .ldr = 0xffffffffU, .dfr = DFR_FLAT },
	{ .apic_id = 1, .ldr = 0xffffffffU, .dfr = DFR_FLAT },
	{ .apic_id = 16, .ldr = 0, .dfr = 0 },
	{ .apic_id = 17, .ldr = 0, .dfr = 0 },
	{ .apic_id = 35, .ldr = 0, .dfr = 0 },
};

static uint64_t named_by(uint64_t raw, bool x2apic, const struct apic_cpu *cpus,
			 uint64_t present, unsigned int self)
{
	struct icr icr;

	icr_decode(raw, x2apic, &icr);
	return icr_destinations(&icr, x2apic, cpus, present, self);
}

/* Decodes raw, expands it against cpus and filters it for the sender's cell. */
static void verdict_of(uint64_t raw, bool x2apic, const struct apic_cpu *cpus, uint64_t present,
		       uint64_t own_cpus, unsigned int self, struct icr_verdict *v)
{
	struct icr icr;

	icr_decode(raw, x2apic, &icr);
	icr_filter(&icr, icr_destinations(&icr, x2apic, cpus, present, self), own_cpus, self, v);
}

static void decode_reads_every_field(void)
{
	uint64_t raw = XAPIC_DEST(0x5a) | X2APIC_DEST(0x123456) | SHORTHAND(3) | LEVEL |
		       ASSERT | LOGICAL | DELIVERY(5) | VECTOR(0x31);
	struct icr icr;

	icr_decode(raw, false, &icr);
	CHECK(icr.vector == 0x31 && icr.delivery == ICR_DELIVERY_INIT);
	CHECK(icr.logical && icr.assert && icr.level_triggered);
	CHECK(icr.shorthand == ICR_SHORTHAND_ALL_EXCLUDING_SELF);
	/* xAPIC: only bits 63:56; the bits below them are reserved. */
	CHECK(icr.destination == 0x5a);
	icr_decode(raw, true, &icr);
	CHECK(icr.destination == 0x5a123456);

	icr_decode(VECTOR(0xfe) | X2APIC_DEST(7), true, &icr);
	CHECK(icr.vector == 0xfe && icr.delivery == ICR_DELIVERY_FIXED);
	CHECK(!icr.logical && !icr.assert && !icr.level_triggered);
	CHECK(icr.shorthand == ICR_SHORTHAND_NONE && icr.destination == 7);
}

static void decode_every_delivery_mode_and_shorthand(void)
{
	static const enum icr_delivery modes[8] = {
		ICR_DELIVERY_FIXED, ICR_DELIVERY_LOWEST_PRIORITY, ICR_DELIVERY_SMI,
		ICR_DELIVERY_RESERVED_3, ICR_DELIVERY_NMI, ICR_DELIVERY_INIT,
		ICR_DELIVERY_STARTUP, ICR_DELIVERY_RESERVED_7,
	};
	static const enum icr_shorthand shorthands[4] = {
		ICR_SHORTHAND_NONE, ICR_SHORTHAND_SELF, ICR_SHORTHAND_ALL_INCLUDING_SELF,
		ICR_SHORTHAND_ALL_EXCLUDING_SELF,
	};
	struct icr icr;
	unsigned int i;

	for (i = 0; i < 8; i++) {
		icr_decode(DELIVERY(i) | VECTOR(0x40), i & 1, &icr);
		CHECK(icr.delivery == modes[i] && icr.vector == 0x40);
	}
	for (i = 0; i < 4; i++) {
		icr_decode(SHORTHAND(i), i & 1, &icr);
		CHECK(icr.shorthand == shorthands[i]);
	}
}

static void x2apic_logical_ids_follow_the_sdm(void)
{
	CHECK(apic_x2apic_ldr(0) == 0x00000001);
	CHECK(apic_x2apic_ldr(1) == 0x00000002);
	CHECK(apic_x2apic_ldr(15) == 0x00008000);
	CHECK(apic_x2apic_ldr(16) == 0x00010001);
	CHECK(apic_x2apic_ldr(17) == 0x00010002);
	CHECK(apic_x2apic_ldr(35) == 0x00020008);
	CHECK(apic_x2apic_ldr(0xfffff) == 0xffff8000);
}

static void xapic_physical_destinations_are_apic_ids(void)
{
	uint64_t all = CPUS(0, 1, 2, 3);

	CHECK(named_by(XAPIC_DEST(4), false, xapic_flat, all, 0) == CPUS(2));
	CHECK(named_by(XAPIC_DEST(6), false, xapic_flat, all, 0) == CPUS(3));
	/* APIC ID 3 is nobody's; CPU 3's APIC ID is 6. */
	CHECK(named_by(XAPIC_DEST(3), false, xapic_flat, all, 0) == 0);
	/* A CPU missing from the present mask is never named. */
	CHECK(named_by(XAPIC_DEST(4), false, xapic_flat, CPUS(0, 1, 3), 0) == 0);
	CHECK(named_by(XAPIC_DEST(0xff), false, xapic_flat, all, 0) == all);
	CHECK(named_by(XAPIC_DEST(0xff), false, xapic_flat, CPUS(0, 3), 0) == CPUS(0, 3));
}

static void xapic_flat_logical_is_a_mask_of_logical_ids(void)
{
	uint64_t all = CPUS(0, 1, 2, 3);

	CHECK(named_by(LOGICAL | XAPIC_DEST(0x01), false, xapic_flat, all, 0) == CPUS(0));
	CHECK(named_by(LOGICAL | XAPIC_DEST(0x05), false, xapic_flat, all, 0) == CPUS(0, 2));
	CHECK(named_by(LOGICAL | XAPIC_DEST(0x0e), false, xapic_flat, all, 0) == CPUS(1, 2, 3));
	CHECK(named_by(LOGICAL | XAPIC_DEST(0x30), false, xapic_flat, all, 0) == 0);
	CHECK(named_by(LOGICAL | XAPIC_DEST(0xff), false, xapic_flat, all, 0) == all);
	/* The destination mode decides: 0x06 is APIC ID 6, or logical IDs 0x02 and 0x04. */
	CHECK(named_by(XAPIC_DEST(0x06), false, xapic_flat, all, 0) == CPUS(3));
	CHECK(named_by(LOGICAL | XAPIC_DEST(0x06), false, xapic_flat, all, 0) == CPUS(1, 2));
	CHECK(named_by(XAPIC_DEST(0x08), false, xapic_flat, all, 0) == 0);
	CHECK(named_by(LOGICAL | XAPIC_DEST(0x08), false, xapic_flat, all, 0) == CPUS(3));
}

static void xapic_cluster_logical_picks_a_cluster_then_a_mask(void)
{
	uint64_t all = CPUS(0, 1, 2, 3);

	CHECK(named_by(LOGICAL | XAPIC_DEST(0x03), false, xapic_cluster, all, 0) == CPUS(0, 1));
	CHECK(named_by(LOGICAL | XAPIC_DEST(0x0f), false, xapic_cluster, all, 0) == CPUS(0, 1));
	CHECK(named_by(LOGICAL | XAPIC_DEST(0x13), false, xapic_cluster, all, 0) == CPUS(2, 3));
	CHECK(named_by(LOGICAL | XAPIC_DEST(0x12), false, xapic_cluster, all, 0) == CPUS(3));
	CHECK(named_by(LOGICAL | XAPIC_DEST(0x21), false, xapic_cluster, all, 0) == 0);
	CHECK(named_by(LOGICAL | XAPIC_DEST(0x10), false, xapic_cluster, all, 0) == 0);
	CHECK(named_by(LOGICAL | XAPIC_DEST(0xff), false, xapic_cluster, all, 0) == all);
	/* In the flat model 0x13 is a plain mask: logical IDs 0x01 and 0x02 (and 0x10). */
	CHECK(named_by(LOGICAL | XAPIC_DEST(0x13), false, xapic_flat, all, 0) == CPUS(0, 1));
}

static void xapic_cpu_with_an_undefined_model_accepts_only_broadcasts(void)
{
	struct apic_cpu cpus[2] = {
		{ .apic_id = 0, .ldr = 0x01U << 24, .dfr = DFR_FLAT },
		{ .apic_id = 1, .ldr = 0x01U << 24, .dfr = 0x7fffffffU },
	};

	CHECK(named_by(LOGICAL | XAPIC_DEST(0x01), false, cpus, CPUS(0, 1), 0) == CPUS(0));
	CHECK(named_by(LOGICAL | XAPIC_DEST(0xff), false, cpus, CPUS(0, 1), 0) == CPUS(0, 1));
}

static void x2apic_physical_uses_32_bit_ids(void)
{
	uint64_t all = CPUS(0, 1, 2, 3, 4);

	CHECK(named_by(X2APIC_DEST(35), true, x2apic_cpus, all, 0) == CPUS(4));
	CHECK(named_by(X2APIC_DEST(16), true, x2apic_cpus, all, 0) == CPUS(2));
	CHECK(named_by(X2APIC_DEST(0xffffffffU), true, x2apic_cpus, all, 0) == all);
	/* 0xff is an ordinary ID in x2APIC mode, not a broadcast. */
	CHECK(named_by(X2APIC_DEST(0xff), true, x2apic_cpus, all, 0) == 0);
	/* The xAPIC reading of the same value would only look at bits 63:56. */
	CHECK(named_by(X2APIC_DEST(35), false, x2apic_cpus, all, 0) == CPUS(0));
}

static void x2apic_logical_uses_derived_cluster_and_bit(void)
{
	uint64_t all = CPUS(0, 1, 2, 3, 4);

	CHECK(named_by(LOGICAL | X2APIC_DEST(0x00000003), true, x2apic_cpus, all, 0) == CPUS(0, 1));
	CHECK(named_by(LOGICAL | X2APIC_DEST(0x0000ffff), true, x2apic_cpus, all, 0) == CPUS(0, 1));
	CHECK(named_by(LOGICAL | X2APIC_DEST(0x00000002), true, x2apic_cpus, all, 0) == CPUS(1));
	CHECK(named_by(LOGICAL | X2APIC_DEST(0x00010001), true, x2apic_cpus, all, 0) == CPUS(2));
	CHECK(named_by(LOGICAL | X2APIC_DEST(0x00010002), true, x2apic_cpus, all, 0) == CPUS(3));
	CHECK(named_by(LOGICAL | X2APIC_DEST(0x00010003), true, x2apic_cpus, all, 0) == CPUS(2, 3));
	CHECK(named_by(LOGICAL | X2APIC_DEST(0x00020008), true, x2apic_cpus, all, 0) == CPUS(4));
	CHECK(named_by(LOGICAL | X2APIC_DEST(0x00020004), true, x2apic_cpus, all, 0) == 0);
	CHECK(named_by(LOGICAL | X2APIC_DEST(0x00030008), true, x2apic_cpus, all, 0) == 0);
	CHECK(named_by(LOGICAL | X2APIC_DEST(0xffffffffU), true, x2apic_cpus, all, 0) == all);
}

static void shorthands_ignore_the_destination(void)
{
	uint64_t all = CPUS(0, 1, 2, 3);
	unsigned int logical;

	for (logical = 0; logical < 2; logical++) {
		uint64_t mode = logical ? LOGICAL : 0;

		CHECK(named_by(mode | SHORTHAND(1) | XAPIC_DEST(0), false, xapic_flat, all, 2) ==
		      CPUS(2));
		CHECK(named_by(mode | SHORTHAND(2) | XAPIC_DEST(0), false, xapic_flat, all, 2) ==
		      all);
		CHECK(named_by(mode | SHORTHAND(3) | XAPIC_DEST(0), false, xapic_flat, all, 2) ==
		      CPUS(0, 1, 3));
		CHECK(named_by(mode | SHORTHAND(3) | X2APIC_DEST(1), true, x2apic_cpus,
			       CPUS(0, 1, 2), 0) == CPUS(1, 2));
	}
	/* Only present CPUs; a CPU number past 63 names no self. */
	CHECK(named_by(SHORTHAND(2), false, xapic_flat, CPUS(1, 3), 1) == CPUS(1, 3));
	CHECK(named_by(SHORTHAND(1), false, xapic_flat, all, 64) == 0);
	CHECK(named_by(SHORTHAND(3), false, xapic_flat, all, 64) == all);
}

static void fixed_ipis_stay_in_the_cell(void)
{
	uint64_t all = CPUS(0, 1, 2, 3), cell = CPUS(2, 3);
	struct icr_verdict v;

	verdict_of(VECTOR(0x40) | XAPIC_DEST(6), false, xapic_flat, all, cell, 2, &v);
	CHECK(v.action == ICR_SEND && v.delivery == ICR_DELIVERY_FIXED && v.vector == 0x40);
	CHECK(v.targets == CPUS(3) && v.dropped == 0);

	/* Flat logical 0x0f names all four; the cell's two get it, the root's are dropped. */
	verdict_of(LOGICAL | VECTOR(0x41) | XAPIC_DEST(0x0f), false, xapic_flat, all, cell, 3, &v);
	CHECK(v.action == ICR_SEND && v.targets == cell && v.dropped == CPUS(0, 1));

	verdict_of(VECTOR(0x42) | XAPIC_DEST(0xff), false, xapic_flat, all, cell, 3, &v);
	CHECK(v.action == ICR_SEND && v.targets == cell && v.dropped == CPUS(0, 1));

	verdict_of(SHORTHAND(1) | VECTOR(0x43), false, xapic_flat, all, cell, 3, &v);
	CHECK(v.action == ICR_SEND && v.targets == CPUS(3) && v.dropped == 0);

	verdict_of(SHORTHAND(2) | VECTOR(0x44), false, xapic_flat, all, cell, 3, &v);
	CHECK(v.action == ICR_SEND && v.targets == cell && v.dropped == CPUS(0, 1));

	/* Level triggered is sent as edge by today's APICs; the filter passes it on. */
	verdict_of(LEVEL | ASSERT | VECTOR(0x45) | XAPIC_DEST(4), false, xapic_flat, all, cell, 3,
		   &v);
	CHECK(v.action == ICR_SEND && v.targets == CPUS(2));
}

static void fixed_ipi_only_outside_is_refused_and_counted(void)
{
	struct icr_verdict v;

	verdict_of(VECTOR(0x40) | XAPIC_DEST(0), false, xapic_flat, CPUS(0, 1, 2, 3), CPUS(2, 3), 2,
		   &v);
	CHECK(reason_is(&v, "no destination in the cell"));
	CHECK(v.targets == 0 && v.dropped == CPUS(0));
}

static void a_destination_nobody_has_is_ignored(void)
{
	struct icr_verdict v;

	verdict_of(VECTOR(0x40) | XAPIC_DEST(0x33), false, xapic_flat, CPUS(0, 1, 2, 3), CPUS(2, 3),
		   2, &v);
	CHECK(v.action == ICR_IGNORE && v.targets == 0 && v.dropped == 0);
}

static void illegal_vectors_are_refused(void)
{
	struct icr_verdict v;

	verdict_of(VECTOR(15) | XAPIC_DEST(4), false, xapic_flat, CPUS(0, 1, 2, 3), CPUS(2, 3), 2,
		   &v);
	CHECK(reason_is(&v, "illegal vector (below 16)") && v.dropped == CPUS(2));
	verdict_of(DELIVERY(1) | VECTOR(0) | XAPIC_DEST(4), false, xapic_flat, CPUS(0, 1, 2, 3),
		   CPUS(2, 3), 2, &v);
	CHECK(reason_is(&v, "illegal vector (below 16)"));
	/* NMI ignores the vector field. */
	verdict_of(DELIVERY(4) | VECTOR(2) | XAPIC_DEST(4), false, xapic_flat, CPUS(0, 1, 2, 3),
		   CPUS(2, 3), 2, &v);
	CHECK(v.action == ICR_SEND && v.delivery == ICR_DELIVERY_NMI && v.targets == CPUS(2));
}

/* The case that motivated the filter: an x2APIC logical NMI to cluster 0, mask 0xffff. */
static void logical_nmi_from_a_cell_reaches_only_the_cell(void)
{
	struct apic_cpu cpus[4] = {
		{ .apic_id = 0 }, { .apic_id = 1 }, { .apic_id = 2 }, { .apic_id = 3 },
	};
	struct icr_verdict v;

	verdict_of(LOGICAL | DELIVERY(4) | X2APIC_DEST(0x0000ffff), true, cpus, CPUS(0, 1, 2, 3),
		   CPUS(2, 3), 2, &v);
	CHECK(v.action == ICR_SEND && v.delivery == ICR_DELIVERY_NMI);
	CHECK(v.targets == CPUS(2, 3) && v.dropped == CPUS(0, 1));

	verdict_of(DELIVERY(4) | SHORTHAND(3), true, cpus, CPUS(0, 1, 2, 3), CPUS(2, 3), 2, &v);
	CHECK(v.action == ICR_SEND && v.targets == CPUS(3) && v.dropped == CPUS(0, 1));
}

/* Values root Linux writes to its xAPIC ICR, with cell CPUs 2 and 3 not the root's. */
static void linux_root_ipis_leave_cell_cpus_alone(void)
{
	uint64_t all = CPUS(0, 1, 2, 3), root = CPUS(0, 1);
	struct icr_verdict v;

	/* Function-call IPI to all but self: 0x000c00fb. */
	verdict_of(0x000c00fbULL, false, xapic_flat, all, root, 0, &v);
	CHECK(v.action == ICR_SEND && v.targets == CPUS(1) && v.dropped == CPUS(2, 3));
	/* NMI to all but self: 0x000c0400. */
	verdict_of(0x000c0400ULL, false, xapic_flat, all, root, 1, &v);
	CHECK(v.action == ICR_SEND && v.targets == CPUS(0) && v.dropped == CPUS(2, 3));
	/* Bringing CPU 2 (APIC ID 4) online: INIT assert, INIT de-assert, startup at 0x9a000. */
	verdict_of(XAPIC_DEST(4) | 0x0000c500ULL, false, xapic_flat, all, root, 0, &v);
	CHECK(reason_is(&v, "no destination in the cell") && v.dropped == CPUS(2));
	verdict_of(XAPIC_DEST(4) | 0x00008500ULL, false, xapic_flat, all, root, 0, &v);
	CHECK(v.action == ICR_IGNORE);
	verdict_of(XAPIC_DEST(4) | 0x0000069aULL, false, xapic_flat, all, root, 0, &v);
	CHECK(reason_is(&v, "no destination in the cell") && v.dropped == CPUS(2));
	/* The same for the root's own CPU 1 (APIC ID 2). */
	verdict_of(XAPIC_DEST(2) | 0x0000c500ULL, false, xapic_flat, all, root, 0, &v);
	CHECK(v.action == ICR_INIT && v.targets == CPUS(1) && v.dropped == 0);
	verdict_of(XAPIC_DEST(2) | 0x0000069aULL, false, xapic_flat, all, root, 0, &v);
	CHECK(v.action == ICR_STARTUP && v.vector == 0x9a && v.targets == CPUS(1));
}

static void smi_and_reserved_modes_are_refused(void)
{
	uint64_t all = CPUS(0, 1, 2, 3), cell = CPUS(2, 3);
	unsigned int shorthand;
	struct icr_verdict v;

	for (shorthand = 0; shorthand < 4; shorthand++) {
		verdict_of(SHORTHAND(shorthand) | DELIVERY(2) | XAPIC_DEST(4), false, xapic_flat, all,
			   cell, 2, &v);
		CHECK(reason_is(&v, "SMI") && v.targets == 0);
		verdict_of(SHORTHAND(shorthand) | DELIVERY(3) | VECTOR(0x40) | XAPIC_DEST(4), false,
			   xapic_flat, all, cell, 2, &v);
		CHECK(reason_is(&v, "reserved delivery mode"));
		verdict_of(SHORTHAND(shorthand) | DELIVERY(7) | VECTOR(0x40) | XAPIC_DEST(4), false,
			   xapic_flat, all, cell, 2, &v);
		CHECK(reason_is(&v, "reserved delivery mode"));
	}
	/* An SMI to the sender's own cell is refused all the same, and counted. */
	verdict_of(DELIVERY(2) | XAPIC_DEST(4), false, xapic_flat, all, cell, 2, &v);
	CHECK(v.dropped == CPUS(2));
}

static void only_fixed_ipis_may_use_self_and_all_including_self(void)
{
	static const unsigned int modes[] = { 1, 4, 5, 6 };
	uint64_t all = CPUS(0, 1, 2, 3), cell = CPUS(2, 3);
	struct icr_verdict v;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		uint64_t raw = ASSERT | DELIVERY(modes[i]) | VECTOR(0x40);

		verdict_of(raw | SHORTHAND(1), false, xapic_flat, all, cell, 2, &v);
		CHECK(reason_is(&v, "lowest priority/NMI/INIT/startup with the self shorthand"));
		CHECK(v.dropped == CPUS(2));
		verdict_of(raw | SHORTHAND(2), true, x2apic_cpus, all, cell, 2, &v);
		CHECK(reason_is(&v, "lowest priority/NMI/INIT/startup to all including self"));
	}
}

static void lowest_priority_inside_the_cell_goes_to_one_cpu(void)
{
	uint64_t all = CPUS(0, 1, 2, 3);
	struct icr_verdict v;

	verdict_of(LOGICAL | DELIVERY(1) | VECTOR(0x50) | XAPIC_DEST(0x0c), false, xapic_flat, all,
		   CPUS(1, 2, 3), 1, &v);
	CHECK(v.action == ICR_SEND && v.delivery == ICR_DELIVERY_FIXED && v.vector == 0x50);
	CHECK(v.targets == CPUS(2) && v.dropped == 0);

	verdict_of(DELIVERY(1) | VECTOR(0x50) | SHORTHAND(3), false, xapic_flat, all, all, 0, &v);
	CHECK(v.action == ICR_SEND && v.targets == CPUS(1));

	verdict_of(LOGICAL | DELIVERY(1) | VECTOR(0x50) | XAPIC_DEST(0x30), false, xapic_flat, all,
		   all, 0, &v);
	CHECK(v.action == ICR_IGNORE && v.targets == 0);
}

static void lowest_priority_across_cells_is_refused(void)
{
	uint64_t all = CPUS(0, 1, 2, 3);
	struct icr_verdict v;

	verdict_of(LOGICAL | DELIVERY(1) | VECTOR(0x50) | XAPIC_DEST(0x0e), false, xapic_flat, all,
		   CPUS(2, 3), 2, &v);
	CHECK(reason_is(&v, "lowest priority across cells"));
	CHECK(v.targets == 0 && v.dropped == CPUS(1, 2, 3));
	verdict_of(DELIVERY(1) | VECTOR(0x50) | SHORTHAND(3), false, xapic_flat, all, CPUS(2, 3), 2,
		   &v);
	CHECK(reason_is(&v, "lowest priority across cells"));
}

static void init_and_startup_act_inside_and_count_the_rest(void)
{
	uint64_t all = CPUS(0, 1, 2, 3, 4), cell = CPUS(2, 3, 4);
	struct icr_verdict v;

	/* x2APIC cluster 1 (IDs 16, 17) and ID 1 in cluster 0: only cluster 1 is the cell's. */
	verdict_of(LOGICAL | ASSERT | DELIVERY(5) | X2APIC_DEST(0x00010003), true, x2apic_cpus, all,
		   cell, 4, &v);
	CHECK(v.action == ICR_INIT && v.targets == CPUS(2, 3) && v.dropped == 0);
	verdict_of(ASSERT | DELIVERY(5) | SHORTHAND(3), true, x2apic_cpus, all, cell, 4, &v);
	CHECK(v.action == ICR_INIT && v.targets == CPUS(2, 3) && v.dropped == CPUS(0, 1));
	verdict_of(DELIVERY(6) | VECTOR(0x10) | SHORTHAND(3), true, x2apic_cpus, all, cell, 4, &v);
	CHECK(v.action == ICR_STARTUP && v.vector == 0x10);
	CHECK(v.targets == CPUS(2, 3) && v.dropped == CPUS(0, 1));
	verdict_of(DELIVERY(6) | VECTOR(0x10) | X2APIC_DEST(1), true, x2apic_cpus, all, cell, 4, &v);
	CHECK(reason_is(&v, "no destination in the cell") && v.dropped == CPUS(1));
}

static void init_deassert_is_ignored_but_edge_init_is_an_init(void)
{
	uint64_t all = CPUS(0, 1, 2, 3), cell = CPUS(2, 3);
	struct icr_verdict v;

	/* Level clear and level triggered: the de-assert, whatever it names. */
	verdict_of(LEVEL | DELIVERY(5) | XAPIC_DEST(6), false, xapic_flat, all, cell, 2, &v);
	CHECK(v.action == ICR_IGNORE && v.targets == 0 && v.dropped == 0);
	verdict_of(LEVEL | DELIVERY(5) | SHORTHAND(2), false, xapic_flat, all, cell, 2, &v);
	CHECK(v.action == ICR_IGNORE && v.dropped == 0);
	/* Today's APICs send every other INIT as an assert (SDM Vol. 3A, 10.6.1). */
	verdict_of(DELIVERY(5) | XAPIC_DEST(6), false, xapic_flat, all, cell, 2, &v);
	CHECK(v.action == ICR_INIT && v.targets == CPUS(3));
	verdict_of(LEVEL | ASSERT | DELIVERY(5) | XAPIC_DEST(6), false, xapic_flat, all, cell, 2, &v);
	CHECK(v.action == ICR_INIT && v.targets == CPUS(3));
}

static void a_sender_outside_its_cell_is_refused(void)
{
	struct icr_verdict v;

	verdict_of(VECTOR(0x40) | XAPIC_DEST(4), false, xapic_flat, CPUS(0, 1, 2, 3), CPUS(2, 3), 0,
		   &v);
	CHECK(reason_is(&v, "sender outside its cell") && v.dropped == CPUS(2));
	verdict_of(VECTOR(0x40) | XAPIC_DEST(4), false, xapic_flat, CPUS(0, 1, 2, 3), ~0ULL, 64,
		   &v);
	CHECK(reason_is(&v, "sender outside its cell"));
}

int main(void)
{
	RUN(decode_reads_every_field);
	RUN(decode_every_delivery_mode_and_shorthand);
	RUN(x2apic_logical_ids_follow_the_sdm);
	RUN(xapic_physical_destinations_are_apic_ids);
	RUN(xapic_flat_logical_is_a_mask_of_logical_ids);
	RUN(xapic_cluster_logical_picks_a_cluster_then_a_mask);
	RUN(xapic_cpu_with_an_undefined_model_accepts_only_broadcasts);
	RUN(x2apic_physical_uses_32_bit_ids);
	RUN(x2apic_logical_uses_derived_cluster_and_bit);
	RUN(shorthands_ignore_the_destination);
	RUN(fixed_ipis_stay_in_the_cell);
	RUN(fixed_ipi_only_outside_is_refused_and_counted);
	RUN(a_destination_nobody_has_is_ignored);
	RUN(illegal_vectors_are_refused);
	RUN(logical_nmi_from_a_cell_reaches_only_the_cell);
	RUN(linux_root_ipis_leave_cell_cpus_alone);
	RUN(smi_and_reserved_modes_are_refused);
	RUN(only_fixed_ipis_may_use_self_and_all_including_self);
	RUN(lowest_priority_inside_the_cell_goes_to_one_cpu);
	RUN(lowest_priority_across_cells_is_refused);
	RUN(init_and_startup_act_inside_and_count_the_rest);
	RUN(init_deassert_is_ignored_but_edge_init_is_an_init);
	RUN(a_sender_outside_its_cell_is_refused);
	return unit_report("unit apic-icr");
}
