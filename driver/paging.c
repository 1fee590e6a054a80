// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's page-table builder, compiled into the driver from the same source. */
#include "../hypervisor/arch/x86/paging.c"
