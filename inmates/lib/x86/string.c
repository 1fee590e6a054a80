// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The C library routines the compiler may call, and a few more. */
#include "inmate.h"

/*
 * String instructions, so the compiler cannot turn these loops back into
 * calls to themselves (the Makefile also builds this file with
 * -fno-tree-loop-distribute-patterns for the plain loops below).
 */
void *memset(void *destination, int value, size_t size)
{
	void *to = destination;

	__asm__ __volatile__("rep stosb" : "+D"(to), "+c"(size) : "a"(value) : "memory");
	return destination;
}

void *memcpy(void *destination, const void *source, size_t size)
{
	void *to = destination;

	__asm__ __volatile__("rep movsb" : "+D"(to), "+S"(source), "+c"(size) : : "memory");
	return destination;
}

void *memmove(void *destination, const void *source, size_t size)
{
	uint8_t *to = destination;
	const uint8_t *from = source;

	if (to <= from || to >= from + size || size == 0)
		return memcpy(destination, source, size);
	to += size - 1;
	from += size - 1;
	__asm__ __volatile__("std; rep movsb; cld" : "+D"(to), "+S"(from), "+c"(size) : : "memory");
	return destination;
}

int memcmp(const void *a, const void *b, size_t size)
{
	const uint8_t *left = a, *right = b;

	for (; size; size--, left++, right++)
		if (*left != *right)
			return *left < *right ? -1 : 1;
	return 0;
}

size_t strlen(const char *text)
{
	size_t length = 0;

	while (text[length])
		length++;
	return length;
}
