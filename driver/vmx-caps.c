// SPDX-License-Identifier: GPL-2.0
/* The VMX requirements the hypervisor, the driver and the CLI share (common/). */
#include "../common/x86/vmx-caps.c"
