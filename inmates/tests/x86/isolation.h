/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the isolation test inmate's files share: result lines, the x2APIC registers it attacks, and its attacks. */
#ifndef ISOLATION_H
#define ISOLATION_H

#include <inmate.h>

#define NAME			"isolation"

/* Vectors the inmate sends itself; any other that arrives is unexpected. */
#define VECTOR_TIMER		0x20
#define VECTOR_IPI_TEST		0x41
#define VECTOR_APIC_WORKS	0x42
/* Programmed into LVTs that are then masked again at once. */
#define VECTOR_LVT_TEST		0x4f

/* x2APIC registers as MSRs (SDM Vol. 3A, 10.12.1.2, table 10-6). */
#define X2APIC_TPR		0x808
#define X2APIC_SVR		0x80f
#define X2APIC_LVT_CMCI		0x82f
#define X2APIC_ICR		0x830
#define X2APIC_LVT_TIMER	0x832
#define X2APIC_LVT_THERMAL	0x833
#define X2APIC_LVT_PERF		0x834
#define X2APIC_LVT_LINT0	0x835
#define X2APIC_LVT_LINT1	0x836
#define X2APIC_LVT_ERROR	0x837

#define APIC_BASE_EXTD		(1ULL << 10)
#define APIC_BASE_ENABLE	(1ULL << 11)
#define APIC_SVR_ENABLE		(1U << 8)
#define APIC_LVT_MASKED		(1U << 16)

/* ICR fields, x2APIC layout (SDM Vol. 3A, 10.6.1 and 10.12.9). */
#define ICR_MODE_FIXED		0
#define ICR_MODE_LOWEST		1
#define ICR_MODE_SMI		2
#define ICR_MODE_RESERVED_3	3
#define ICR_MODE_NMI		4
#define ICR_MODE_INIT		5
#define ICR_MODE_RESERVED_7	7
#define ICR_DELIVERY_MODE(mode)	((uint64_t)(mode) << 8)
#define ICR_LOGICAL		(1ULL << 11)
#define ICR_ASSERT		(1ULL << 14)
#define ICR_SHORTHAND_NONE	(0ULL << 18)
#define ICR_SHORTHAND_ALL	(2ULL << 18)	/* all including self */
#define ICR_SHORTHAND_OTHERS	(3ULL << 18)	/* all excluding self */
#define ICR_DESTINATION(id)	((uint64_t)(id) << 32)
#define ICR_BROADCAST		0xffffffffU

/* What the attacks need to know about the machine (command line, isolation.c). */
struct isolation_target {
	uint32_t own_apic;	/* this CPU's x2APIC ID */
	uint32_t foreign_apic;	/* a CPU of another cell ("foreign-apic=", 0: Linux's CPU 0) */
	uint32_t own_cpu;	/* this CPU's number in the system config ("own-cpu=") */
	uint32_t foreign_cpu;	/* another cell's CPU number ("foreign-cpu=") */
};

/*
 * One result line per check: "isolation: CHECK: ok" or
 * "isolation: CHECK: FAILED why; why...", every reason found.
 */
struct check {
	const char *name;
	char why[160];
	size_t length;
	bool failed;
};

void check_begin(struct check *check, const char *name);
void check_fail(struct check *check, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
/* Prints the line and counts it; true when the check passed. */
bool check_end(struct check *check);

/* Interrupts on for long enough that whatever was sent has arrived, then off again. */
void settle(void);
/* Arrivals of every vector and NMIs, all counted (irq_count_all). */
uint64_t arrivals_total(void);
/*
 * Sends an IPI to this CPU by its physical APIC ID OWN_APIC and fails
 * CHECK unless exactly that one interrupt arrives: the local APIC works.
 */
void expect_apic_works(struct check *check, uint32_t own_apic);

/* isolation-apic.c: the attack groups on the local APIC. */
void attack_ipis(const struct isolation_target *target);
void attack_apic_base(const struct isolation_target *target);
void attack_lvts(void);

#endif
