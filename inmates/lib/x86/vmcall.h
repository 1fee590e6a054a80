/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Hypercalls from an inmate: VMCALL with the code in RAX, arguments in RDI and RSI, the result in RAX. */
#ifndef INMATE_VMCALL_H
#define INMATE_VMCALL_H

#include <bulkhead/hypercall.h>

/*
 * The hypervisor hands back every register but RAX as it was; "memory"
 * keeps the compiler from caching memory the hypervisor may have read or
 * written (the comm region) across the call.
 */
static inline long hypercall0(unsigned long code)
{
	long result;

	__asm__ __volatile__("vmcall" : "=a"(result) : "a"(code) : "memory");
	return result;
}

static inline long hypercall1(unsigned long code, unsigned long arg1)
{
	long result;

	__asm__ __volatile__("vmcall" : "=a"(result) : "a"(code), "D"(arg1) : "memory");
	return result;
}

static inline long hypercall2(unsigned long code, unsigned long arg1, unsigned long arg2)
{
	long result;

	__asm__ __volatile__("vmcall" : "=a"(result) : "a"(code), "D"(arg1), "S"(arg2)
			     : "memory");
	return result;
}

/* Only when the comm region's flags permit it (BULKHEAD_COMM_FLAG_CONSOLE_PUTC). */
static inline void hypercall_debug_putc(char c)
{
	hypercall1(BULKHEAD_HC_DEBUG_CONSOLE_PUTC, (unsigned char)c);
}

#endif
