// SPDX-License-Identifier: GPL-2.0
/* A small printf for the hypervisor's log. */
#include <bulkhead-hv/printk.h>

struct output {
	char *buffer;
	size_t size;
	size_t length;
};

static void put(struct output *out, char c)
{
	if (out->length + 1 < out->size)
		out->buffer[out->length] = c;
	out->length++;
}

static void put_string(struct output *out, const char *text, unsigned int width)
{
	size_t length = 0;

	if (!text)
		text = "(null)";
	while (text[length])
		length++;
	while (width > length) {
		put(out, ' ');
		width--;
	}
	while (*text)
		put(out, *text++);
}

static void put_number(struct output *out, uint64_t value, unsigned int base,
		       bool negative, unsigned int width, char pad)
{
	char digits[24];
	unsigned int count = 0;

	do {
		digits[count++] = "0123456789abcdef"[value % base];
		value /= base;
	} while (value);
	if (negative)
		digits[count++] = '-';
	while (width > count) {
		put(out, pad);
		width--;
	}
	while (count)
		put(out, digits[--count]);
}

static void put_integer(struct output *out, char conversion, bool is_long,
			va_list *args, unsigned int width, char pad)
{
	uint64_t value;
	bool negative = false;

	if (conversion == 'd' || conversion == 'i') {
		int64_t number = is_long ? va_arg(*args, int64_t) : va_arg(*args, int);

		negative = number < 0;
		value = negative ? (uint64_t)0 - (uint64_t)number : (uint64_t)number;
	} else {
		value = is_long ? va_arg(*args, uint64_t) : va_arg(*args, unsigned int);
	}
	put_number(out, value, conversion == 'x' ? 16 : 10, negative, width, pad);
}

size_t format_string(char *buffer, size_t size, const char *format, va_list args)
{
	struct output out = { buffer, size, 0 };
	va_list copy;

	va_copy(copy, args);
	for (; *format; format++) {
		unsigned int width = 0;
		bool is_long = false;
		char pad = ' ';

		if (*format != '%') {
			put(&out, *format);
			continue;
		}
		format++;
		if (*format == '0')
			pad = '0';
		while (*format >= '0' && *format <= '9')
			width = width * 10 + (unsigned int)(*format++ - '0');
		while (*format == 'l') {
			is_long = true;
			format++;
		}
		switch (*format) {
		case 's':
			put_string(&out, va_arg(copy, const char *), width);
			break;
		case 'c':
			put(&out, (char)va_arg(copy, int));
			break;
		case 'p':
			put_string(&out, "0x", 0);
			put_number(&out, (uint64_t)va_arg(copy, void *), 16, false, 16, '0');
			break;
		case 'd': case 'i': case 'u': case 'x':
			put_integer(&out, *format, is_long, &copy, width, pad);
			break;
		case '%':
			put(&out, '%');
			break;
		default:
			put(&out, '?');
			if (!*format)
				format--;
			break;
		}
	}
	va_end(copy);
	if (size)
		buffer[out.length < size ? out.length : size - 1] = '\0';
	return out.length < size ? out.length : (size ? size - 1 : 0);
}
