// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's config checks, compiled into the driver from the same source. */
#include "../hypervisor/config.c"
