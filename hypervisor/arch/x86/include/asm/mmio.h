/* SPDX-License-Identifier: GPL-2.0 */
/* Decoding the MOV instruction behind an MMIO access a guest made; pure logic, tested on the host. */
#ifndef BULKHEAD_ASM_MMIO_H
#define BULKHEAD_ASM_MMIO_H

#include <bulkhead-hv/types.h>

/* The longest instruction the CPU executes; SDM Vol. 2A, 2.3.11. */
#define MMIO_MAX_INSTRUCTION	15

/* Default operand and address size of the code segment; SDM Vol. 3A, 3.4.5 (L and D/B flags). */
enum cpu_mode {
	CPU_MODE_16BIT,
	CPU_MODE_32BIT,
	CPU_MODE_64BIT,
};

/*
 * General registers by their number in instruction encodings (ModRM.reg
 * with REX.R); SDM Vol. 2A, 2.1.5 (table 2-2) and 3.1.1.1 (table 3-1).
 */
enum mmio_register {
	MMIO_RAX, MMIO_RCX, MMIO_RDX, MMIO_RBX, MMIO_RSP, MMIO_RBP, MMIO_RSI, MMIO_RDI,
	MMIO_R8, MMIO_R9, MMIO_R10, MMIO_R11, MMIO_R12, MMIO_R13, MMIO_R14, MMIO_R15,
};

/*
 * One decoded access.  A write stores either an immediate (has_immediate,
 * value) or register reg; a read loads into register reg.  high_byte
 * means the register is AH, CH, DH or BH: bits 15:8 of reg 0-3.  A read
 * writes reg_size bytes of reg, zero-extending the size bytes it loaded
 * (MOVZX when reg_size > size); clear_upper says a 32-bit destination in
 * 64-bit mode clears bits 63:32 (SDM Vol. 1, 3.4.1.1).
 * mmio_write_value() and mmio_read_result() apply these rules.
 */
struct mmio_access {
	unsigned int length;		/* instruction bytes: RIP advances by this */
	unsigned int size;		/* bytes accessed in memory: 1, 2, 4 or 8 */
	bool write;
	bool has_immediate;
	uint64_t value;			/* the immediate, sign-extended for a 64-bit store */
	enum mmio_register reg;
	bool high_byte;
	unsigned int reg_size;		/* reads only: 1, 2, 4 or 8 */
	bool zero_extend;		/* reads only: MOVZX */
	bool clear_upper;		/* reads only */
};

enum cpu_mode mmio_cpu_mode(bool ia32e_mode, bool cs_l, bool cs_d);
int mmio_decode(const uint8_t *bytes, unsigned int available, enum cpu_mode mode,
		struct mmio_access *out);
uint64_t mmio_write_value(const struct mmio_access *access, uint64_t reg_value);
uint64_t mmio_read_result(const struct mmio_access *access, uint64_t reg_value, uint64_t loaded);

#endif
