/* SPDX-License-Identifier: GPL-2.0 */
/* Typed VMCS access: each width has its own accessor and field enum. */
#ifndef BULKHEAD_ASM_VMCS_H
#define BULKHEAD_ASM_VMCS_H

#include <asm/vmx-defs.h>

/*
 * Both report a failure (field, value, VM-instruction error by name) in the
 * log and mark the CPU's VMCS as suspect, so setup can refuse to launch.
 */
void vmcs_write(uint32_t field, uint64_t value);
uint64_t vmcs_read(uint32_t field);

static inline void vmcs_write16(enum vmcs_field16 field, uint16_t value)
{
	vmcs_write(field, value);
}

static inline void vmcs_write32(enum vmcs_field32 field, uint32_t value)
{
	vmcs_write(field, value);
}

static inline void vmcs_write64(enum vmcs_field64 field, uint64_t value)
{
	vmcs_write(field, value);
}

static inline void vmcs_write_natural(enum vmcs_field_natural field, uint64_t value)
{
	vmcs_write(field, value);
}

static inline uint16_t vmcs_read16(enum vmcs_field16 field)
{
	return (uint16_t)vmcs_read(field);
}

static inline uint32_t vmcs_read32(enum vmcs_field32 field)
{
	return (uint32_t)vmcs_read(field);
}

static inline uint64_t vmcs_read64(enum vmcs_field64 field)
{
	return vmcs_read(field);
}

static inline uint64_t vmcs_read_natural(enum vmcs_field_natural field)
{
	return vmcs_read(field);
}

#endif
