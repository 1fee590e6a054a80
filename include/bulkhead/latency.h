/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The results page of the latency inmate, which it shares with the root cell while it measures. */
#ifndef BULKHEAD_LATENCY_H
#define BULKHEAD_LATENCY_H

#include <bulkhead/types.h>

/*
 * Little-endian, at the start of the cell's root-shared memory region
 * (configs/x86/latency.dts: guest physical 0x200000, host physical
 * 0x1d100000).  The inmate writes; the root cell reads, and writes only
 * the two handshake fields go and ack.
 *
 * Every field sits at a multiple of its size: no padding, no packing.
 *
 * Consistent reads: the inmate makes sequence odd before it changes the
 * figures and even again after them.  A reader copies the page, and keeps
 * the copy when sequence was even and the same before and after.
 */
#define BULKHEAD_LATENCY_MAGIC		0x59434e4554414c42ULL	/* "BLATENCY" */
#define BULKHEAD_LATENCY_VERSION	1
/* Fixed-width buckets of bucket_ns each; the last one holds everything above. */
#define BULKHEAD_LATENCY_BUCKETS	1024
/* The latest samples, for plots over time: ring[(n - 1) % RING] is sample n. */
#define BULKHEAD_LATENCY_RING		8192
/* Size of the shared region the inmate needs (the struct, rounded up to pages). */
#define BULKHEAD_LATENCY_REGION_SIZE	0x10000

/* state */
#define BULKHEAD_LATENCY_STARTING	0	/* the page is being set up */
#define BULKHEAD_LATENCY_WAITING	1	/* ready; waits for go (option wait-go) */
#define BULKHEAD_LATENCY_RUNNING	2	/* sampling */
#define BULKHEAD_LATENCY_DONE		3	/* samples_wanted reached; figures final */
#define BULKHEAD_LATENCY_STOPPED	4	/* stopped early by a shutdown request */

/* timer_mode */
#define BULKHEAD_LATENCY_TSC_DEADLINE	1
#define BULKHEAD_LATENCY_ONESHOT	2

/* go and ack: the root cell writes this value to each. */
#define BULKHEAD_LATENCY_HANDSHAKE	0x474f2121U	/* "!!OG" */

struct bulkhead_latency {
	uint64_t magic;			/* 0: BULKHEAD_LATENCY_MAGIC */
	uint32_t version;		/* 8: BULKHEAD_LATENCY_VERSION */
	uint32_t state;			/* 12 */
	uint32_t sequence;		/* 16: odd while the figures change */
	uint32_t timer_mode;		/* 20 */
	uint32_t apic_id;		/* 24: the measuring CPU */
	uint32_t bucket_ns;		/* 28: width of one histogram bucket */
	uint64_t tsc_khz;		/* 32 */
	uint64_t period_ns;		/* 40 */
	uint64_t samples_wanted;	/* 48: 0: until shut down */
	uint64_t pollute_kib;		/* 56: memory written between samples */
	uint64_t samples;		/* 64: taken so far */
	uint64_t min_ns;		/* 72 */
	uint64_t max_ns;		/* 80 */
	uint64_t sum_ns;		/* 88 */
	uint64_t max_sample;		/* 96: the number of the sample that was max_ns late */
	uint32_t go;			/* 104: root writes HANDSHAKE to start sampling */
	uint32_t ack;			/* 108: root writes HANDSHAKE once it has read DONE */
	uint64_t skipped;		/* 112: deadlines already past when their turn came */
	uint64_t reserved;		/* 120 */
	uint32_t histogram[BULKHEAD_LATENCY_BUCKETS];	/* 128 */
	uint32_t ring[BULKHEAD_LATENCY_RING];		/* 4224: latency in ns */
};
_Static_assert(sizeof(struct bulkhead_latency) == 128 + 4 * 1024 + 4 * 8192,
	       "latency page layout");
_Static_assert(sizeof(struct bulkhead_latency) <= BULKHEAD_LATENCY_REGION_SIZE,
	       "latency page fits its region");

#endif
