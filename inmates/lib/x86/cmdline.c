// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Command-line parsing; pure code, also built into the host unit tests. */
#include <stdint.h>

#include "cmdline.h"

/* NULL until cmdline_set: an empty command line. */
static const char *cmdline_text;
static size_t cmdline_size;

void cmdline_set(const char *text, size_t size)
{
	cmdline_text = text;
	cmdline_size = text ? size : 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t text_length(const char *text, size_t limit)
{
	size_t length = 0;

	while (length < limit && text[length])
		length++;
	return length;
}

static bool word_matches(const char *word, size_t word_length, const char *name,
			 size_t name_length)
{
	size_t n;

	if (word_length < name_length)
		return false;
	for (n = 0; n < name_length; n++)
		if (word[n] != name[n])
			return false;
	return word_length == name_length || word[name_length] == '=';
}

bool cmdline_find(const char *name, const char **value, size_t *length)
{
	size_t name_length = text_length(name, SIZE_MAX);
	size_t end = text_length(cmdline_text, cmdline_size);
	const char *found_value = NULL;
	size_t found_length = 0, pos = 0, word;
	bool found = false;

	if (name_length == 0)
		return false;
	while (pos < end) {
		while (pos < end && is_blank(cmdline_text[pos]))
			pos++;
		word = pos;
		while (pos < end && !is_blank(cmdline_text[pos]))
			pos++;
		if (pos == word || !word_matches(cmdline_text + word, pos - word, name, name_length))
			continue;
		found = true;
		found_value = NULL;
		found_length = 0;
		if (pos - word > name_length) {
			found_value = cmdline_text + word + name_length + 1;
			found_length = pos - word - name_length - 1;
		}
	}
	if (value)
		*value = found_value;
	if (length)
		*length = found_length;
	return found;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

bool cmdline_parse_number(const char *text, size_t length, long long *value)
{
	uint64_t magnitude = 0, limit = INT64_MAX;
	unsigned int base = 10;
	bool negative = false;
	int digit;

	if (length > 0 && text[0] == '-') {
		negative = true;
		limit = (uint64_t)INT64_MAX + 1;
		text++;
		length--;
	}
	if (length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		text += 2;
		length -= 2;
	}
	if (length == 0)
		return false;
	for (; length > 0; text++, length--) {
		digit = digit_value(*text);
		if (digit >= (int)base || magnitude > (limit - (uint64_t)digit) / base)
			return false;
		magnitude = magnitude * base + (uint64_t)digit;
	}
	if (!negative)
		*value = (long long)magnitude;
	else if (magnitude == (uint64_t)INT64_MAX + 1)
		*value = INT64_MIN;
	else
		*value = -(long long)magnitude;
	return true;
}

long long cmdline_parse_int(const char *name, long long default_value)
{
	const char *text;
	size_t length;
	long long value;

	if (!cmdline_find(name, &text, &length) || !text ||
	    !cmdline_parse_number(text, length, &value))
		return default_value;
	return value;
}

static bool value_is(const char *text, size_t length, const char *word)
{
	size_t n;

	for (n = 0; n < length; n++)
		if (word[n] != text[n])
			return false;
	return word[length] == '\0';
}

bool cmdline_parse_bool(const char *name, bool default_value)
{
	static const char *const yes[] = { "1", "y", "yes", "on", "true" };
	static const char *const no[] = { "0", "n", "no", "off", "false" };
	const char *text;
	size_t length, n;

	if (!cmdline_find(name, &text, &length))
		return default_value;
	if (!text)
		return true;
	for (n = 0; n < sizeof(yes) / sizeof(yes[0]); n++) {
		if (value_is(text, length, yes[n]))
			return true;
		if (value_is(text, length, no[n]))
			return false;
	}
	return default_value;
}

bool cmdline_parse_str(const char *name, char *buffer, size_t size)
{
	const char *text;
	size_t length, n;

	if (!cmdline_find(name, &text, &length) || !text || length >= size)
		return false;
	for (n = 0; n < length; n++)
		buffer[n] = text[n];
	buffer[length] = '\0';
	return true;
}
