// SPDX-License-Identifier: GPL-2.0
/* Host tests of the inmate library's printf formatter (inmates/lib/x86/format.c), against the C library's snprintf. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "../../inmates/lib/x86/format.c"

#include "unit.h"

/* Both formatters, same format and arguments: same text and same return value. */
#define SAME(...)								\
	do {									\
		char ours[128], libc[128];					\
		int ours_length = format_snprintf(ours, sizeof(ours), __VA_ARGS__); \
		int libc_length = snprintf(libc, sizeof(libc), __VA_ARGS__);	\
		CHECK(ours_length == libc_length);				\
		CHECK(strcmp(ours, libc) == 0);					\
		if (strcmp(ours, libc) != 0)					\
			fprintf(stderr, "    ours \"%s\", libc \"%s\"\n", ours, libc); \
	} while (0)

static void test_integers(void)
{
	SAME("%d %i %u", 0, -1, 42U);
	SAME("%d %d", INT_MAX, INT_MIN);
	SAME("%ld %lu", LONG_MIN, ULONG_MAX);
	SAME("%lld %llu", LLONG_MIN, ULLONG_MAX);
	SAME("%x %X %o", 0xdeadbeefU, 0xabcU, 8U);
	SAME("%lx %llX", 0x123456789abcdefUL, 0xfedcba9876543210ULL);
	SAME("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	SAME("%zu %zx %td %jd", (size_t)12345, (size_t)0xffff, (ptrdiff_t)-5, (intmax_t)-9);
}

static void test_flags_width_precision(void)
{
	SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
	SAME("[%05d] [%+05d] [% 05d]", -42, 42, 42);
	SAME("[%#x] [%#X] [%#o] [%#x] [%#o]", 255U, 255U, 8U, 0U, 0U);
	SAME("[%#010x] [%#-10x] [%08lx]", 0x2f8U, 0x2f8U, 0x1000UL);
	SAME("[%.3d] [%.0d] [%.0x] [%5.3d] [%-6.2u]", 7, 0, 0U, -7, 3U);
	SAME("[%.5x]", 0xabU);
	SAME("[%*d] [%-*d] [%*d] [%.*d]", 6, 1, 6, 1, -6, 1, 4, 1);
	SAME("[%#.3o] [%#5o]", 8U, 0U);
}

/* Flags C defines as ignored, which the compiler warns about in a literal format. */
static void test_ignored_flags(void)
{
	const char *left_zero = "[%-05d]", *precision_zero = "[%08.3d]";

	SAME(left_zero, -42);
	SAME(precision_zero, 12);
}

static void test_characters_and_strings(void)
{
	SAME("[%c] [%3c] [%-3c]", 'a', 'b', 'c');
	SAME("[%s] [%8s] [%-8s] [%.2s] [%8.3s] [%.*s]", "cell", "cell", "cell", "cell", "cell",
	     1, "cell");
	SAME("[%s]", "");
	SAME("100%% [%%] %s", "done");
	SAME("tiny-demo: tick %lu, %lu us since the last\n", 3UL, 100000UL);
}

static void test_pointers(void)
{
	char out[64];

	format_snprintf(out, sizeof(out), "%p", (void *)0x2f8);
	CHECK(strcmp(out, "0x2f8") == 0);
	format_snprintf(out, sizeof(out), "%p", NULL);
	CHECK(strcmp(out, "0x0") == 0);
	format_snprintf(out, sizeof(out), "[%10p] [%-10p]", (void *)0xabc, (void *)0xabc);
	CHECK(strcmp(out, "[     0xabc] [0xabc     ]") == 0);
}

static void test_null_string(void)
{
	char out[32];
	const char *volatile nothing = NULL;

	format_snprintf(out, sizeof(out), "[%s]", nothing);
	CHECK(strcmp(out, "[(null)]") == 0);
}

/* C99 semantics: the return value is the full length, the buffer always NUL-terminated. */
static void test_truncation(void)
{
	char out[8];

	memset(out, 'x', sizeof(out));
	CHECK(format_snprintf(out, 0, "%d", 12345) == 5);
	CHECK(out[0] == 'x');
	CHECK(format_snprintf(out, 1, "%d", 12345) == 5 && out[0] == '\0');
	CHECK(format_snprintf(out, 4, "%s", "abcdef") == 6 && strcmp(out, "abc") == 0);
	CHECK(format_snprintf(out, sizeof(out), "%s", "1234567") == 7 && strcmp(out, "1234567") == 0);
	CHECK(format_snprintf(out, sizeof(out), "%08d", 5) == 8 && strcmp(out, "0000000") == 0);
	CHECK(format_snprintf(NULL, 0, "%s=%d", "tick", 100) == 8);
}

/* Taken as it stands, never read as an argument. */
static void test_unknown_conversion(void)
{
	const char *format = "a%qb%";
	char out[16];

	CHECK(format_snprintf(out, sizeof(out), format, 1) == 5);
	CHECK(strcmp(out, "a%qb%") == 0);
}

int main(void)
{
	RUN(test_integers);
	RUN(test_flags_width_precision);
	RUN(test_ignored_flags);
	RUN(test_characters_and_strings);
	RUN(test_pointers);
	RUN(test_null_string);
	RUN(test_truncation);
	RUN(test_unknown_conversion);
	return unit_report("inmate format");
}
