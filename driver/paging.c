// SPDX-License-Identifier: GPL-2.0
/* The page-table builder the hypervisor and the driver share (common/). */
#include "../common/x86/paging.c"
