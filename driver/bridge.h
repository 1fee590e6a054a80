/* SPDX-License-Identifier: GPL-2.0 */
/* Where the trampoline finds the bridge's descriptor-table pointers (bridge.c); also for assembly. */
#ifndef BULKHEAD_DRIVER_BRIDGE_H
#define BULKHEAD_DRIVER_BRIDGE_H

#define BULKHEAD_BRIDGE_GDTR	0
#define BULKHEAD_BRIDGE_IDTR	16

#endif
