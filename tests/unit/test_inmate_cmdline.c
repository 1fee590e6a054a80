// SPDX-License-Identifier: GPL-2.0
/* Host tests of the inmate library's command-line parser (inmates/lib/x86/cmdline.c). */
#include <limits.h>
#include <string.h>

#include "../../inmates/lib/x86/cmdline.c"

#include "unit.h"

static void use(const char *text)
{
	cmdline_set(text, strlen(text) + 1);
}

static void test_find_bare_and_valued_words(void)
{
	const char *value;
	size_t length;

	use("console=0x2f8,1 deny-shutdown  tick-ms=50");
	CHECK(cmdline_find("console", &value, &length));
	CHECK(value && length == 7 && memcmp(value, "0x2f8,1", 7) == 0);
	CHECK(cmdline_find("deny-shutdown", &value, &length));
	CHECK(value == NULL && length == 0);
	CHECK(cmdline_find("tick-ms", &value, &length) && length == 2);
	CHECK(!cmdline_find("no-reply", &value, &length));
	CHECK(cmdline_find("console", NULL, NULL));
}

static void test_whole_words_only(void)
{
	use("deny-shutdown-later consoles=1 xtick-ms=5 =3");
	CHECK(!cmdline_find("deny-shutdown", NULL, NULL));
	CHECK(!cmdline_find("console", NULL, NULL));
	CHECK(!cmdline_find("tick-ms", NULL, NULL));
	CHECK(!cmdline_find("", NULL, NULL));
	CHECK(cmdline_find("deny-shutdown-later", NULL, NULL));
}

static void test_last_word_wins(void)
{
	use("tick-ms=10 timer tick-ms=20 timer=0");
	CHECK(cmdline_parse_int("tick-ms", 100) == 20);
	CHECK(cmdline_parse_bool("timer", true) == false);
	use("tick-ms=10 tick-ms");
	CHECK(cmdline_parse_int("tick-ms", 100) == 100);
}

static void test_blanks(void)
{
	use("\t a=1\n\nb=2\r\n   c  ");
	CHECK(cmdline_parse_int("a", 0) == 1);
	CHECK(cmdline_parse_int("b", 0) == 2);
	CHECK(cmdline_parse_bool("c", false));
	use("");
	CHECK(!cmdline_find("a", NULL, NULL));
	use("     ");
	CHECK(!cmdline_find("a", NULL, NULL));
}

/* The 4 KiB buffer at 0x1000 need not hold a NUL: scanning stops at its end. */
static void test_bounded_by_size(void)
{
	char buffer[16];

	memset(buffer, 'x', sizeof(buffer));
	memcpy(buffer, "a=7 b=12345", 11);
	cmdline_set(buffer, 8);
	CHECK(cmdline_parse_int("a", 0) == 7);
	CHECK(cmdline_parse_int("b", 0) == 12);
	cmdline_set(buffer, 0);
	CHECK(!cmdline_find("a", NULL, NULL));
	cmdline_set(NULL, 100);
	CHECK(!cmdline_find("a", NULL, NULL));
}

static void test_numbers(void)
{
	use("d=42 h=0x2F8 n=-17 z=0 big=9223372036854775807 over=9223372036854775808 "
	    "min=-9223372036854775808 under=-9223372036854775809 hex64=0x7fffffffffffffff "
	    "hexover=0x8000000000000000 x=0x bad=12a neg=- empty= oct=010 plus=+5 neghex=-0x10");
	CHECK(cmdline_parse_int("d", 0) == 42);
	CHECK(cmdline_parse_int("h", 0) == 0x2f8);
	CHECK(cmdline_parse_int("n", 0) == -17);
	CHECK(cmdline_parse_int("z", 5) == 0);
	CHECK(cmdline_parse_int("big", 0) == LLONG_MAX);
	CHECK(cmdline_parse_int("over", 1) == 1);
	CHECK(cmdline_parse_int("min", 0) == LLONG_MIN);
	CHECK(cmdline_parse_int("under", 2) == 2);
	CHECK(cmdline_parse_int("hex64", 0) == LLONG_MAX);
	CHECK(cmdline_parse_int("hexover", 3) == 3);
	CHECK(cmdline_parse_int("x", 4) == 4);
	CHECK(cmdline_parse_int("bad", 5) == 5);
	CHECK(cmdline_parse_int("neg", 6) == 6);
	CHECK(cmdline_parse_int("empty", 7) == 7);
	CHECK(cmdline_parse_int("oct", 0) == 10);
	CHECK(cmdline_parse_int("plus", 8) == 8);
	CHECK(cmdline_parse_int("neghex", 0) == -16);
	CHECK(cmdline_parse_int("absent", -3) == -3);
}

static void test_parse_number_directly(void)
{
	long long value = 99;

	CHECK(cmdline_parse_number("0x2f8,1", 5, &value) && value == 0x2f8);
	CHECK(!cmdline_parse_number("0x2f8,1", 7, &value));
	CHECK(!cmdline_parse_number("", 0, &value));
	CHECK(!cmdline_parse_number("-", 1, &value));
	CHECK(cmdline_parse_number("0", 1, &value) && value == 0);
	CHECK(cmdline_parse_number("0xABCdef", 8, &value) && value == 0xabcdef);
	CHECK(!cmdline_parse_number("0xg", 3, &value));
}

static void test_booleans(void)
{
	use("bare a=1 b=y c=yes d=on e=true f=0 g=n h=no i=off j=false k=maybe l= m=YES");
	CHECK(cmdline_parse_bool("bare", false));
	CHECK(cmdline_parse_bool("a", false) && cmdline_parse_bool("b", false));
	CHECK(cmdline_parse_bool("c", false) && cmdline_parse_bool("d", false));
	CHECK(cmdline_parse_bool("e", false));
	CHECK(!cmdline_parse_bool("f", true) && !cmdline_parse_bool("g", true));
	CHECK(!cmdline_parse_bool("h", true) && !cmdline_parse_bool("i", true));
	CHECK(!cmdline_parse_bool("j", true));
	CHECK(cmdline_parse_bool("k", true) && !cmdline_parse_bool("k", false));
	CHECK(cmdline_parse_bool("l", true) && !cmdline_parse_bool("l", false));
	CHECK(!cmdline_parse_bool("m", false));
	CHECK(cmdline_parse_bool("absent", true) && !cmdline_parse_bool("absent", false));
}

static void test_strings(void)
{
	char buffer[8] = "keep", wide[9];

	use("mode=deadline short=abc bare");
	CHECK(!cmdline_parse_str("mode", buffer, sizeof(buffer)) && strcmp(buffer, "keep") == 0);
	CHECK(cmdline_parse_str("mode", wide, sizeof(wide)) && strcmp(wide, "deadline") == 0);
	CHECK(cmdline_parse_str("short", buffer, sizeof(buffer)) && strcmp(buffer, "abc") == 0);
	CHECK(!cmdline_parse_str("bare", buffer, sizeof(buffer)) && strcmp(buffer, "abc") == 0);
	CHECK(!cmdline_parse_str("absent", buffer, sizeof(buffer)));
}

int main(void)
{
	RUN(test_find_bare_and_valued_words);
	RUN(test_whole_words_only);
	RUN(test_last_word_wins);
	RUN(test_blanks);
	RUN(test_bounded_by_size);
	RUN(test_numbers);
	RUN(test_parse_number_directly);
	RUN(test_booleans);
	RUN(test_strings);
	return unit_report("inmate cmdline");
}
