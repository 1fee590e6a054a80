// SPDX-License-Identifier: GPL-2.0
/* Host tests of the inmate library's interrupt counters (inmates/lib/x86/irq-tally.c). */
#include <string.h>

#include "../../inmates/lib/x86/format.c"
#include "../../inmates/lib/x86/irq-tally.c"

#include "unit.h"

static struct irq_tally tally;

static void fresh(void)
{
	memset(&tally, 0, sizeof(tally));
}

static void test_nothing_expected_by_default(void)
{
	fresh();
	irq_tally_record(&tally, 0x41);
	irq_tally_record(&tally, 0x41);
	irq_tally_record(&tally, IRQ_TALLY_NMI);
	CHECK(tally.count[0x41] == 2 && tally.unexpected[0x41] == 2);
	CHECK(tally.count[IRQ_TALLY_NMI] == 1 && tally.unexpected[IRQ_TALLY_NMI] == 1);
	CHECK(irq_tally_unexpected_total(&tally) == 3);
}

/* Expectation is decided at arrival: the same vector may be expected, then not. */
static void test_expected_while_provoked(void)
{
	fresh();
	irq_tally_expect(&tally, 0x41, true);
	irq_tally_record(&tally, 0x41);
	irq_tally_expect(&tally, 0x41, false);
	irq_tally_record(&tally, 0x41);
	CHECK(tally.count[0x41] == 2 && tally.unexpected[0x41] == 1);
	CHECK(!irq_tally_expected(&tally, 0x41));
}

static void test_expect_every_word_of_the_bitmap(void)
{
	unsigned int vectors[] = { 0, 2, 63, 64, 127, 128, 200, 255 }, i;

	fresh();
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		irq_tally_expect(&tally, vectors[i], true);
		CHECK(irq_tally_expected(&tally, vectors[i]));
		CHECK(!irq_tally_expected(&tally, vectors[i] ^ 1));
		irq_tally_expect(&tally, vectors[i], false);
		CHECK(!irq_tally_expected(&tally, vectors[i]));
	}
}

static void test_out_of_range_ignored(void)
{
	fresh();
	irq_tally_expect(&tally, 256, true);
	irq_tally_record(&tally, 256);
	irq_tally_record(&tally, 100000);
	CHECK(!irq_tally_expected(&tally, 256));
	CHECK(irq_tally_unexpected_total(&tally) == 0);
}

static void test_reset_keeps_expectations(void)
{
	fresh();
	irq_tally_expect(&tally, 0x20, true);
	irq_tally_record(&tally, 0x20);
	irq_tally_record(&tally, 0xfb);
	irq_tally_reset(&tally);
	CHECK(tally.count[0x20] == 0 && tally.count[0xfb] == 0);
	CHECK(irq_tally_unexpected_total(&tally) == 0);
	CHECK(irq_tally_expected(&tally, 0x20));
}

static void test_saturates(void)
{
	fresh();
	tally.count[0x30] = UINT32_MAX - 1;
	tally.unexpected[0x30] = UINT32_MAX - 1;
	irq_tally_record(&tally, 0x30);
	irq_tally_record(&tally, 0x30);
	CHECK(tally.count[0x30] == UINT32_MAX && tally.unexpected[0x30] == UINT32_MAX);
}

static void test_names(void)
{
	char name[32];

	irq_tally_vector_name(name, sizeof(name), IRQ_TALLY_NMI);
	CHECK(strcmp(name, "NMI") == 0);
	irq_tally_vector_name(name, sizeof(name), 0x41);
	CHECK(strcmp(name, "vector 0x41") == 0);
	irq_tally_vector_name(name, sizeof(name), 0xff);
	CHECK(strcmp(name, "spurious vector 0xff") == 0);
}

static void test_format(void)
{
	char text[100];
	int length;

	fresh();
	CHECK(irq_tally_format_unexpected(&tally, text, sizeof(text)) == 4);
	CHECK(strcmp(text, "none") == 0);
	irq_tally_expect(&tally, 0x20, true);
	irq_tally_record(&tally, 0x20);
	irq_tally_record(&tally, 0xfb);
	irq_tally_record(&tally, IRQ_TALLY_NMI);
	irq_tally_record(&tally, 0xfb);
	length = irq_tally_format_unexpected(&tally, text, sizeof(text));
	CHECK(strcmp(text, "NMI: 1, vector 0xfb: 2") == 0);
	CHECK(length == (int)strlen("NMI: 1, vector 0xfb: 2"));
}

/* Truncated as snprintf truncates: NUL-terminated, the full length returned. */
static void test_format_truncated(void)
{
	char text[10], tiny[1] = { 'x' };
	unsigned int vector;

	fresh();
	/* 16 times "vector 0x3N: 1" (14 characters), 15 ", " between them. */
	for (vector = 0x30; vector < 0x40; vector++)
		irq_tally_record(&tally, vector);
	CHECK(irq_tally_format_unexpected(&tally, text, sizeof(text)) == 16 * 16 - 2);
	CHECK(strcmp(text, "vector 0x") == 0);
	CHECK(irq_tally_format_unexpected(&tally, tiny, sizeof(tiny)) == 16 * 16 - 2);
	CHECK(tiny[0] == '\0');
	CHECK(irq_tally_format_unexpected(&tally, NULL, 0) == 16 * 16 - 2);
}

int main(void)
{
	RUN(test_nothing_expected_by_default);
	RUN(test_expected_while_provoked);
	RUN(test_expect_every_word_of_the_bitmap);
	RUN(test_out_of_range_ignored);
	RUN(test_reset_keeps_expectations);
	RUN(test_saturates);
	RUN(test_names);
	RUN(test_format);
	RUN(test_format_truncated);
	return unit_report("inmate irq tally");
}
