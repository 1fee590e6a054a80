// SPDX-License-Identifier: GPL-2.0
/* Exit reason names, compiled into the driver from the hypervisor's source. */
#include "../hypervisor/arch/x86/vmx-names.c"
