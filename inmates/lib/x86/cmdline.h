/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The inmate's command line: words "name" or "name=value" separated by blanks. */
#ifndef INMATE_CMDLINE_H
#define INMATE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Syntax (inmates/README.md): words separated by spaces, tabs or newlines;
 * no quoting.  A word is "name" or "name=value"; when a name appears more
 * than once the last word wins.  Numbers are decimal or 0x-prefixed
 * hexadecimal, with an optional leading '-'.  Booleans are true for a bare
 * "name" and for name=1|y|yes|on|true, false for name=0|n|no|off|false.
 * A value that does not parse counts as absent: the default applies.
 */

/* Uses TEXT, at most SIZE bytes or up to its first NUL. */
void cmdline_set(const char *text, size_t size);

/*
 * Whether NAME is on the command line.  *VALUE points at its value (not
 * NUL-terminated) and *LENGTH is the value's length; a bare "name" gives
 * *VALUE NULL.  Either pointer may be NULL.
 */
bool cmdline_find(const char *name, const char **value, size_t *length);

long long cmdline_parse_int(const char *name, long long default_value);
bool cmdline_parse_bool(const char *name, bool default_value);

/*
 * Copies NAME's value into BUFFER, NUL-terminated.  False, and BUFFER left
 * as it was, when NAME is absent, bare, or its value does not fit.
 */
bool cmdline_parse_str(const char *name, char *buffer, size_t size);

/* Parses exactly LENGTH characters of TEXT as a number (syntax above). */
bool cmdline_parse_number(const char *text, size_t length, long long *value);

#endif
