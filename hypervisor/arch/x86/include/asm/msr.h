/* SPDX-License-Identifier: GPL-2.0 */
/* MSR numbers the hypervisor handles itself; SDM Vol. 4, chapter 2. */
#ifndef BULKHEAD_ASM_MSR_H
#define BULKHEAD_ASM_MSR_H

#include <bulkhead-hv/types.h>

#define MSR_TSC				0x010
#define MSR_APIC_BASE			0x01b
#define MSR_FEATURE_CONTROL		0x03a
#define MSR_SPEC_CTRL			0x048
#define MSR_PRED_CMD			0x049
#define MSR_MPERF			0x0e7
#define MSR_APERF			0x0e8
#define MSR_ARCH_CAPABILITIES		0x10a
#define MSR_FLUSH_CMD			0x10b
#define MSR_SYSENTER_CS			0x174
#define MSR_SYSENTER_ESP		0x175
#define MSR_SYSENTER_EIP		0x176
#define MSR_MISC_ENABLE			0x1a0
#define MSR_DEBUGCTL			0x1d9
#define MSR_PAT				0x277
#define MSR_VMX_FIRST			0x480
#define MSR_VMX_LAST			0x493
#define MSR_TSC_DEADLINE		0x6e0
#define MSR_X2APIC_FIRST		0x800
#define MSR_X2APIC_LAST			0x8ff
#define MSR_X2APIC_LVT_CMCI		0x82f
#define MSR_X2APIC_ICR			0x830
#define MSR_X2APIC_LVT_TIMER		0x832
#define MSR_X2APIC_LVT_ERROR		0x837
#define MSR_XSS				0xda0
#define MSR_EFER			0xc0000080
#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082
#define MSR_CSTAR			0xc0000083
#define MSR_SFMASK			0xc0000084
#define MSR_FS_BASE			0xc0000100
#define MSR_GS_BASE			0xc0000101
#define MSR_KERNEL_GS_BASE		0xc0000102
#define MSR_TSC_AUX			0xc0000103

#define EFER_LME			(1ULL << 8)
#define EFER_LMA			(1ULL << 10)

#define ARCH_CAPABILITIES_RDCL_NO	(1ULL << 0)
#define ARCH_CAPABILITIES_SKIP_L1DFL	(1ULL << 3)
#define FLUSH_CMD_L1D			(1ULL << 0)
#define PRED_CMD_IBPB			(1ULL << 0)

/* With a fixup: false when the instruction raised an exception (usually #GP). */
bool msr_read_safe(uint32_t msr, uint64_t *value);
bool msr_write_safe(uint32_t msr, uint64_t value);
bool xsetbv_safe(uint32_t index, uint64_t value);

#endif
