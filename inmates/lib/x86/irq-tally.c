// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Interrupt counters by vector, expected and unexpected; pure, so the host tests it too. */
#include "format.h"
#include "irq-tally.h"

static void saturating_increment(uint32_t *counter)
{
	uint32_t old = __atomic_load_n(counter, __ATOMIC_RELAXED);

	while (old != UINT32_MAX &&
	       !__atomic_compare_exchange_n(counter, &old, old + 1, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

void irq_tally_reset(struct irq_tally *tally)
{
	unsigned int vector;

	for (vector = 0; vector < IRQ_TALLY_VECTORS; vector++) {
		__atomic_store_n(&tally->count[vector], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&tally->unexpected[vector], 0, __ATOMIC_RELAXED);
	}
}

void irq_tally_expect(struct irq_tally *tally, unsigned int vector, bool expected)
{
	uint64_t bit = 1ULL << (vector % 64);

	if (vector >= IRQ_TALLY_VECTORS)
		return;
	if (expected)
		__atomic_or_fetch(&tally->expected[vector / 64], bit, __ATOMIC_RELEASE);
	else
		__atomic_and_fetch(&tally->expected[vector / 64], ~bit, __ATOMIC_RELEASE);
}

bool irq_tally_expected(const struct irq_tally *tally, unsigned int vector)
{
	if (vector >= IRQ_TALLY_VECTORS)
		return false;
	return (__atomic_load_n(&tally->expected[vector / 64], __ATOMIC_ACQUIRE) >>
		(vector % 64)) & 1;
}

void irq_tally_record(struct irq_tally *tally, unsigned int vector)
{
	if (vector >= IRQ_TALLY_VECTORS)
		return;
	saturating_increment(&tally->count[vector]);
	if (!irq_tally_expected(tally, vector))
		saturating_increment(&tally->unexpected[vector]);
}

uint64_t irq_tally_unexpected_total(const struct irq_tally *tally)
{
	uint64_t total = 0;
	unsigned int vector;

	for (vector = 0; vector < IRQ_TALLY_VECTORS; vector++)
		total += __atomic_load_n(&tally->unexpected[vector], __ATOMIC_RELAXED);
	return total;
}

int irq_tally_vector_name(char *buffer, size_t size, unsigned int vector)
{
	if (vector == IRQ_TALLY_NMI)
		return format_snprintf(buffer, size, "NMI");
	if (vector == IRQ_TALLY_SPURIOUS)
		return format_snprintf(buffer, size, "spurious vector 0xff");
	return format_snprintf(buffer, size, "vector %#04x", vector);
}

/* Appends to BUFFER at *LENGTH as snprintf would, keeping the would-be length. */
static void append_unexpected(char *buffer, size_t size, size_t *length, unsigned int vector,
			      uint32_t count)
{
	size_t used = *length < size ? *length : size;
	char name[32];

	irq_tally_vector_name(name, sizeof(name), vector);
	*length += (size_t)format_snprintf(buffer + used, size - used, "%s%s: %u",
					   *length ? ", " : "", name, count);
}

int irq_tally_format_unexpected(const struct irq_tally *tally, char *buffer, size_t size)
{
	size_t length = 0;
	unsigned int vector;
	uint32_t count;

	for (vector = 0; vector < IRQ_TALLY_VECTORS; vector++) {
		count = __atomic_load_n(&tally->unexpected[vector], __ATOMIC_RELAXED);
		if (count)
			append_unexpected(buffer, size, &length, vector, count);
	}
	if (!length)
		return format_snprintf(buffer, size, "none");
	return (int)length;
}
