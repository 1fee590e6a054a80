// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's VMX requirements, compiled into the driver from the same source. */
#include "../hypervisor/arch/x86/vmx-caps.c"
