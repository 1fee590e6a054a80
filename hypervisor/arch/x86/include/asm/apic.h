/* SPDX-License-Identifier: GPL-2.0 */
/* The local APIC as the hypervisor drives it (arch/x86/apic.c). */
#ifndef BULKHEAD_ASM_APIC_H
#define BULKHEAD_ASM_APIC_H

#include <bulkhead-hv/types.h>

/* IA32_APIC_BASE (SDM Vol. 3A, 10.4.4, figure 10-5; 10.12.1). */
#define APIC_BASE_BSP		(1ULL << 8)
#define APIC_BASE_X2APIC	(1ULL << 10)
#define APIC_BASE_ENABLE	(1ULL << 11)
#define APIC_BASE_ADDRESS_MASK	0x000ffffffffff000ULL
#define APIC_DEFAULT_PHYS	0xfee00000ULL

/* ICR low word: delivery modes and flags (SDM Vol. 3A, 10.6.1, figure 10-12). */
#define APIC_ICR_FIXED		(0U << 8)
#define APIC_ICR_NMI		(4U << 8)
#define APIC_ICR_ASSERT		(1U << 14)

/* Linux's timer while the hypervisor counts with it (apic_timer_count_start()). */
struct apic_timer_saved {
	uint32_t lvt, divide, initial, current;
	uint64_t deadline;
};

int apic_init(void);
void apic_timer_count_start(struct apic_timer_saved *saved);
uint32_t apic_timer_count_stop(const struct apic_timer_saved *saved);
bool apic_in_x2apic_mode(void);
uint32_t apic_xapic_read(unsigned int offset);
void apic_xapic_write(unsigned int offset, uint32_t value);
void apic_send(uint32_t destination, uint32_t low, uint32_t icr_high_after);
void apic_quiesce_x2apic(void);
void apic_enter_x2apic(void);
void apic_end_interrupt(void);

#endif
