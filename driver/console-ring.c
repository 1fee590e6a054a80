// SPDX-License-Identifier: GPL-2.0
/* The console ring reader, compiled into the driver from the hypervisor's source. */
#include "../hypervisor/console-ring.c"
