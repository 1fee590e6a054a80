// SPDX-License-Identifier: GPL-2.0
/* sysfs files of any length: text built whole on each read, the slice asked for copied out. */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "bulkhead.h"

/* Appends one formatted piece, growing the buffer; a failed allocation is kept for the end. */
void bulkhead_text_add(struct bulkhead_text *text, const char *format, ...)
{
	size_t need;
	va_list args;
	char *grown;

	if (text->failed)
		return;
	va_start(args, format);
	need = vsnprintf(NULL, 0, format, args) + 1;
	va_end(args);
	if (text->len + need > text->size) {
		grown = krealloc(text->buf, max(2 * text->size, text->len + need), GFP_KERNEL);
		if (!grown) {
			text->failed = true;
			return;
		}
		text->buf = grown;
		text->size = max(2 * text->size, text->len + need);
	}
	va_start(args, format);
	text->len += vscnprintf(text->buf + text->len, text->size - text->len, format, args);
	va_end(args);
}

/*
 * The bytes [@offset, @offset + @count) of @text into @to, as a binary
 * attribute's read returns them (0 past the end), then frees @text.
 * Each read builds the text anew: a reader that takes it in slices while
 * the counts change may see two states, as with any sysfs file.
 */
ssize_t bulkhead_text_read(struct bulkhead_text *text, char *to, loff_t offset, size_t count)
{
	ssize_t result = -ENOMEM;

	if (!text->failed) {
		result = 0;
		if (offset < text->len) {
			result = min_t(size_t, count, text->len - offset);
			memcpy(to, text->buf + offset, result);
		}
	}
	kfree(text->buf);
	return result;
}
