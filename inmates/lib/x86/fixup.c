// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Looking up where a faulting instruction goes on, in the table EXCEPTION_FIXUP builds. */
#include "fixup.h"

static uintptr_t entry_target(const int32_t *field)
{
	return (uintptr_t)field + (uintptr_t)(intptr_t)*field;
}

uintptr_t exception_fixup_find(const struct exception_fixup *first,
			       const struct exception_fixup *end, uintptr_t rip)
{
	const struct exception_fixup *entry;

	for (entry = first; entry < end; entry++)
		if (entry_target(&entry->instruction) == rip)
			return entry_target(&entry->fixup);
	return 0;
}
