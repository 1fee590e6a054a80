/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The hostile inmate's attacks and the helpers they share (hostile.c). */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <inmate.h>

#define NAME			"hostile"
#define VECTOR_UD		6

struct attack {
	const char *name;
	void (*run)(void);
};

/* Attack @number (1-based), NULL if there is none. */
const struct attack *attack_find(unsigned int number);
unsigned int attack_count(void);

/* Prints "hostile: attack N: " and the message. */
void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* "#GP" or "#UD": the fault the last fixup resumed from. */
const char *fault_name(void);

void touch_read(uint64_t address);
void touch_write(uint64_t address);
void port_probe(uint16_t port, uint8_t value);
void port_probe32(uint16_t port, uint32_t value);
void msr_read(uint32_t msr);
void msr_write(uint32_t msr, uint64_t value);
void msr_write_bits(uint32_t msr, uint64_t bits);

/* hostile-apic.c: ICR, VMX instructions, hypercalls, faults, hangs. */
void attack_icr_fixed(void);
void attack_icr_nmi(void);
void attack_icr_init(void);
void attack_icr_sipi(void);
void attack_icr_smi(void);
void attack_icr_lowest(void);
void attack_icr_reserved(void);
void attack_vmxon(void);
void attack_vmx_instructions(void);
void attack_hypercall_management(void);
void attack_hypercall_info(void);
void attack_hypercall_unknown(void);
void attack_triple_fault(void);
void attack_cli_hlt(void);
void attack_spin_irqs_off(void);
void attack_vmcall_flood(void);

#endif
