// SPDX-License-Identifier: GPL-2.0
/* The few C library routines the compiler may call. */
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/percpu.h>

void *memset(void *destination, int value, size_t size);
void *memcpy(void *destination, const void *source, size_t size);

void *memset(void *destination, int value, size_t size)
{
	uint8_t *byte = destination;

	while (size--)
		*byte++ = (uint8_t)value;
	return destination;
}

void *memcpy(void *destination, const void *source, size_t size)
{
	uint8_t *to = destination;
	const uint8_t *from = source;

	while (size--)
		*to++ = *from++;
	return destination;
}

/* Keeps the line of the last error raised on this CPU where Linux can read it. */
int trace_error_at(int code, const char *file, unsigned int line)
{
	(void)file;
	if (IS_ENABLED(CONFIG_BULKHEAD_DEBUG) && this_cpu()->public)
		this_cpu()->public->error_line = line;
	return code;
}
