/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Counting every interrupt vector and NMI a CPU receives, and telling those the inmate expects from the rest. */
#ifndef INMATE_IRQ_TALLY_H
#define INMATE_IRQ_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IRQ_TALLY_VECTORS	256
/* NMIs are counted under their exception vector (SDM Vol. 3A, 6.3.1). */
#define IRQ_TALLY_NMI		2
/* The local APIC's spurious vector as the library programs it (apic.c). */
#define IRQ_TALLY_SPURIOUS	0xff

/*
 * COUNT holds every arrival; UNEXPECTED those that came while their vector
 * was not expected.  Whether a vector is expected is decided when it
 * arrives, so an inmate can expect a vector only while it provokes it.
 * Counters saturate instead of wrapping.
 */
struct irq_tally {
	uint32_t count[IRQ_TALLY_VECTORS];
	uint32_t unexpected[IRQ_TALLY_VECTORS];
	uint64_t expected[IRQ_TALLY_VECTORS / 64];
};

/* Clears the counters; which vectors are expected stays. */
void irq_tally_reset(struct irq_tally *tally);
/* Vectors outside 0..255 are ignored. */
void irq_tally_expect(struct irq_tally *tally, unsigned int vector, bool expected);
bool irq_tally_expected(const struct irq_tally *tally, unsigned int vector);
/* One arrival of VECTOR; safe against other CPUs and against an interrupt of the recording code. */
void irq_tally_record(struct irq_tally *tally, unsigned int vector);
uint64_t irq_tally_unexpected_total(const struct irq_tally *tally);

/* "NMI", "spurious" (0xff) or "vector 0x41", for messages. */
int irq_tally_vector_name(char *buffer, size_t size, unsigned int vector);
/*
 * The unexpected arrivals as "vector 0xfb: 12, NMI: 1", by vector; "none"
 * when there were none.  snprintf semantics: returns the length the whole
 * text would have.
 */
int irq_tally_format_unexpected(const struct irq_tally *tally, char *buffer, size_t size);

#endif
