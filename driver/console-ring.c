// SPDX-License-Identifier: GPL-2.0
/* The console ring reader the hypervisor and the driver share (common/). */
#include "../common/console-ring.c"
