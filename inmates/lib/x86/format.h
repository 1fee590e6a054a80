/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A small printf formatter for the inmate's printk and for text it writes into memory. */
#ifndef INMATE_FORMAT_H
#define INMATE_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * C99 snprintf semantics for what it supports: conversions d i u x X o c s
 * p %, flags - 0 # + space, width and precision (numbers or *), length
 * modifiers hh h l ll z t j.  %p prints 0x and lowercase hex digits.  An
 * unknown conversion is copied as it stands.  Writes at most SIZE bytes
 * including the NUL (none when SIZE is 0) and returns the length the whole
 * output would have had.
 */
int format_vsnprintf(char *buffer, size_t size, const char *format, va_list args);
int format_snprintf(char *buffer, size_t size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

#endif
