// SPDX-License-Identifier: GPL-2.0
/* Exit reason names the hypervisor and the driver share (common/). */
#include "../common/x86/vmx-names.c"
