/* SPDX-License-Identifier: GPL-2.0 */
/* Basic types and helpers of the freestanding hypervisor. */
#ifndef BULKHEAD_HV_TYPES_H
#define BULKHEAD_HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE		4096UL

/*
 * IS_ENABLED(CONFIG_X) is 1 when the generated config header defines
 * CONFIG_X as 1, and 0 when it does not define it, so both branches of
 * `if (IS_ENABLED(...))` always compile.
 */
#define IS_ENABLED(option)		option_is_one(option)
#define option_is_one(value)		option_pick(OPTION_PLACEHOLDER_##value)
#define OPTION_PLACEHOLDER_1		0,
#define option_pick(maybe_comma)	option_second(maybe_comma 1, 0, 0)
#define option_second(first, second, ...) second

#endif
