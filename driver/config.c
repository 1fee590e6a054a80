// SPDX-License-Identifier: GPL-2.0
/* The config checks the hypervisor and the driver share (common/). */
#include "../common/config.c"
