// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* printf-style formatting into a buffer; pure code, also built into the host unit tests. */
#include <stdbool.h>
#include <stdint.h>

#include "format.h"

struct output {
	char *buffer;
	size_t size;
	size_t length;
};

struct spec {
	bool left, zero, alternate, plus, space;
	bool pointer;		/* %p: 0x even before a zero */
	int width;
	int precision;		/* -1: none given */
	char length;		/* 'H' hh, 'h', 'l', 'L' ll, 'z', 't', 'j', or 0 */
	char conversion;
};

static void put(struct output *out, char c)
{
	if (out->length + 1 < out->size)
		out->buffer[out->length] = c;
	out->length++;
}

static void put_repeated(struct output *out, char c, int count)
{
	while (count-- > 0)
		put(out, c);
}

static void put_padded(struct output *out, const struct spec *spec, const char *text,
		       int length)
{
	int pad = spec->width > length ? spec->width - length : 0;

	if (!spec->left)
		put_repeated(out, ' ', pad);
	while (length-- > 0)
		put(out, *text++);
	if (spec->left)
		put_repeated(out, ' ', pad);
}

/* Digits of VALUE in BASE, least significant first; returns how many. */
static int to_digits(char *digits, uint64_t value, unsigned int base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int count = 0;

	do {
		digits[count++] = set[value % base];
		value /= base;
	} while (value);
	return count;
}

static void put_number(struct output *out, const struct spec *spec, uint64_t value,
		       bool negative, unsigned int base)
{
	char digits[24], prefix[2];
	int count, zeros = 0, prefix_length = 0, total, pad;
	bool upper = spec->conversion == 'X';

	count = to_digits(digits, value, base, upper);
	if (spec->precision == 0 && value == 0)
		count = 0;
	if (negative)
		prefix[prefix_length++] = '-';
	else if (spec->plus)
		prefix[prefix_length++] = '+';
	else if (spec->space)
		prefix[prefix_length++] = ' ';
	if ((spec->alternate && base == 16 && value != 0) || spec->pointer) {
		prefix[prefix_length++] = '0';
		prefix[prefix_length++] = upper ? 'X' : 'x';
	}
	if (spec->precision > count)
		zeros = spec->precision - count;
	if (spec->alternate && base == 8 && zeros == 0 && (count == 0 || digits[count - 1] != '0'))
		zeros = 1;
	total = prefix_length + zeros + count;
	pad = spec->width > total ? spec->width - total : 0;
	if (spec->zero && !spec->left && spec->precision < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!spec->left)
		put_repeated(out, ' ', pad);
	for (int n = 0; n < prefix_length; n++)
		put(out, prefix[n]);
	put_repeated(out, '0', zeros);
	while (count > 0)
		put(out, digits[--count]);
	if (spec->left)
		put_repeated(out, ' ', pad);
}

static const char *parse_flags(const char *format, struct spec *spec)
{
	for (;; format++) {
		switch (*format) {
		case '-': spec->left = true; break;
		case '0': spec->zero = true; break;
		case '#': spec->alternate = true; break;
		case '+': spec->plus = true; break;
		case ' ': spec->space = true; break;
		default: return format;
		}
	}
}

/* A width or precision: digits, or '*' taken from the arguments. */
static const char *parse_count(const char *format, int *count, va_list *args)
{
	if (*format == '*') {
		*count = va_arg(*args, int);
		return format + 1;
	}
	*count = 0;
	while (*format >= '0' && *format <= '9' && *count < 100000)
		*count = *count * 10 + (*format++ - '0');
	return format;
}

static const char *parse_length(const char *format, struct spec *spec)
{
	spec->length = 0;
	if ((format[0] == 'h' || format[0] == 'l') && format[1] == format[0]) {
		spec->length = format[0] == 'h' ? 'H' : 'L';
		return format + 2;
	}
	if (*format == 'h' || *format == 'l' || *format == 'z' || *format == 't' ||
	    *format == 'j') {
		spec->length = *format;
		return format + 1;
	}
	return format;
}

static const char *parse_spec(const char *format, struct spec *spec, va_list *args)
{
	*spec = (struct spec){ .precision = -1 };
	format = parse_flags(format, spec);
	format = parse_count(format, &spec->width, args);
	if (spec->width < 0) {
		spec->left = true;
		spec->width = -spec->width;
	}
	if (*format == '.') {
		format = parse_count(format + 1, &spec->precision, args);
		if (spec->precision < 0)
			spec->precision = -1;
	}
	format = parse_length(format, spec);
	spec->conversion = *format;
	return *format ? format + 1 : format;
}

static int64_t signed_argument(const struct spec *spec, va_list *args)
{
	switch (spec->length) {
	case 'H': return (signed char)va_arg(*args, int);
	case 'h': return (short)va_arg(*args, int);
	case 'l': return va_arg(*args, long);
	case 'L': return va_arg(*args, long long);
	case 'z': case 't': return va_arg(*args, ptrdiff_t);
	case 'j': return va_arg(*args, intmax_t);
	default: return va_arg(*args, int);
	}
}

static uint64_t unsigned_argument(const struct spec *spec, va_list *args)
{
	switch (spec->length) {
	case 'H': return (unsigned char)va_arg(*args, unsigned int);
	case 'h': return (unsigned short)va_arg(*args, unsigned int);
	case 'l': return va_arg(*args, unsigned long);
	case 'L': return va_arg(*args, unsigned long long);
	case 'z': case 't': return va_arg(*args, size_t);
	case 'j': return va_arg(*args, uintmax_t);
	default: return va_arg(*args, unsigned int);
	}
}

static void put_string(struct output *out, const struct spec *spec, const char *text)
{
	int length = 0;

	if (!text)
		text = "(null)";
	while (text[length] && (spec->precision < 0 || length < spec->precision))
		length++;
	put_padded(out, spec, text, length);
}

static void put_conversion(struct output *out, struct spec *spec, va_list *args)
{
	int64_t value;
	char c;

	switch (spec->conversion) {
	case 'd': case 'i':
		value = signed_argument(spec, args);
		put_number(out, spec, value < 0 ? 0 - (uint64_t)value : (uint64_t)value,
			   value < 0, 10);
		break;
	case 'u': put_number(out, spec, unsigned_argument(spec, args), false, 10); break;
	case 'x': case 'X': put_number(out, spec, unsigned_argument(spec, args), false, 16); break;
	case 'o': put_number(out, spec, unsigned_argument(spec, args), false, 8); break;
	case 'p':
		spec->pointer = true;
		spec->plus = spec->space = false;
		put_number(out, spec, (uintptr_t)va_arg(*args, void *), false, 16);
		break;
	case 'c':
		c = (char)va_arg(*args, int);
		put_padded(out, spec, &c, 1);
		break;
	case 's': put_string(out, spec, va_arg(*args, const char *)); break;
	case '%': put(out, '%'); break;
	default:
		put(out, '%');
		if (spec->conversion)
			put(out, spec->conversion);
		break;
	}
}

int format_vsnprintf(char *buffer, size_t size, const char *format, va_list args)
{
	struct output out = { .buffer = buffer, .size = size, .length = 0 };
	struct spec spec;
	va_list copy;

	va_copy(copy, args);
	while (*format) {
		if (*format != '%') {
			put(&out, *format++);
			continue;
		}
		format = parse_spec(format + 1, &spec, &copy);
		put_conversion(&out, &spec, &copy);
	}
	va_end(copy);
	if (size > 0)
		buffer[out.length < size ? out.length : size - 1] = '\0';
	return out.length > INT32_MAX ? INT32_MAX : (int)out.length;
}

int format_snprintf(char *buffer, size_t size, const char *format, ...)
{
	va_list args;
	int length;

	va_start(args, format);
	length = format_vsnprintf(buffer, size, format, args);
	va_end(args);
	return length;
}
