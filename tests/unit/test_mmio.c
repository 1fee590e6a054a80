// SPDX-License-Identifier: GPL-2.0
/* Host tests of the MMIO instruction decoder (hypervisor/arch/x86/mmio.c). */
#include <errno.h>
#include <string.h>

#include <asm/mmio.h>

#include "unit.h"

#define BYTES(...)	((const uint8_t[]){ __VA_ARGS__ })
#define DECODE(mode, out, ...) \
	mmio_decode(BYTES(__VA_ARGS__), sizeof(BYTES(__VA_ARGS__)), mode, out)

#define M16	CPU_MODE_16BIT
#define M32	CPU_MODE_32BIT
#define M64	CPU_MODE_64BIT

static bool is_register_write(const struct mmio_access *a, unsigned int length,
			      unsigned int size, enum mmio_register reg)
{
	return a->write && !a->has_immediate && !a->high_byte && a->length == length &&
	       a->size == size && a->reg == reg;
}

static bool is_register_read(const struct mmio_access *a, unsigned int length,
			     unsigned int size, enum mmio_register reg)
{
	return !a->write && !a->has_immediate && !a->high_byte && !a->zero_extend &&
	       a->length == length && a->size == size && a->reg_size == size && a->reg == reg;
}

static bool is_immediate_write(const struct mmio_access *a, unsigned int length,
			       unsigned int size, uint64_t value)
{
	return a->write && a->has_immediate && a->length == length && a->size == size &&
	       a->value == value;
}

/* What gcc makes of Linux's xAPIC accessors: absolute addresses in the fixmap through a SIB. */
static void linux_xapic_writes_and_reads(void)
{
	struct mmio_access a;

	/* mov %eax,0xffffffffff5fc0b0 (EOI) */
	CHECK(DECODE(M64, &a, 0x89, 0x04, 0x25, 0xb0, 0xc0, 0x5f, 0xff) == 0);
	CHECK(is_register_write(&a, 7, 4, MMIO_RAX));
	/* mov %edx,0xffffffffff5fc300 (ICR low) */
	CHECK(DECODE(M64, &a, 0x89, 0x14, 0x25, 0x00, 0xc3, 0x5f, 0xff) == 0);
	CHECK(is_register_write(&a, 7, 4, MMIO_RDX));
	/* mov %r12d,0xffffffffff5fc310 (ICR high) */
	CHECK(DECODE(M64, &a, 0x44, 0x89, 0x24, 0x25, 0x10, 0xc3, 0x5f, 0xff) == 0);
	CHECK(is_register_write(&a, 8, 4, MMIO_R12));
	/* mov %eax,0x300(%rdi) */
	CHECK(DECODE(M64, &a, 0x89, 0x87, 0x00, 0x03, 0x00, 0x00) == 0);
	CHECK(is_register_write(&a, 6, 4, MMIO_RAX));
	/* mov %esi,0x10(%rip) */
	CHECK(DECODE(M64, &a, 0x89, 0x35, 0x10, 0x00, 0x00, 0x00) == 0);
	CHECK(is_register_write(&a, 6, 4, MMIO_RSI));
	/* mov 0xffffffffff5fc020,%eax (ID): 32-bit load clears bits 63:32 */
	CHECK(DECODE(M64, &a, 0x8b, 0x04, 0x25, 0x20, 0xc0, 0x5f, 0xff) == 0);
	CHECK(is_register_read(&a, 7, 4, MMIO_RAX) && a.clear_upper);
	/* movl $0x0,0xffffffffff5fc0b0 */
	CHECK(DECODE(M64, &a, 0xc7, 0x04, 0x25, 0xb0, 0xc0, 0x5f, 0xff, 0, 0, 0, 0) == 0);
	CHECK(is_immediate_write(&a, 11, 4, 0));
}

/* Every ModRM/SIB displacement form of 32- and 64-bit addressing; SDM Vol. 2A, tables 2-2, 2-3. */
static void modrm_lengths_with_32_and_64_bit_addresses(void)
{
	enum cpu_mode modes[2] = { M32, M64 };
	struct mmio_access a;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		CHECK(DECODE(modes[i], &a, 0x89, 0x00) == 0 && a.length == 2);
		CHECK(DECODE(modes[i], &a, 0x89, 0x04, 0x24) == 0 && a.length == 3);
		CHECK(DECODE(modes[i], &a, 0x89, 0x04, 0x25, 1, 2, 3, 4) == 0 && a.length == 7);
		CHECK(DECODE(modes[i], &a, 0x89, 0x04, 0x8d, 1, 2, 3, 4) == 0 && a.length == 7);
		CHECK(DECODE(modes[i], &a, 0x89, 0x05, 1, 2, 3, 4) == 0 && a.length == 6);
		CHECK(DECODE(modes[i], &a, 0x89, 0x45, 0x08) == 0 && a.length == 3);
		CHECK(DECODE(modes[i], &a, 0x89, 0x44, 0x24, 0x08) == 0 && a.length == 4);
		CHECK(DECODE(modes[i], &a, 0x89, 0x44, 0x25, 0x08) == 0 && a.length == 4);
		CHECK(DECODE(modes[i], &a, 0x89, 0x80, 1, 2, 3, 4) == 0 && a.length == 6);
		CHECK(DECODE(modes[i], &a, 0x89, 0x84, 0x24, 1, 2, 3, 4) == 0 && a.length == 7);
		CHECK(DECODE(modes[i], &a, 0x89, 0x85, 1, 2, 3, 4) == 0 && a.length == 6);
	}
	/* REX.B makes rm 4 and 5 R12 and R13, but they still take a SIB and a disp32. */
	CHECK(DECODE(M64, &a, 0x41, 0x89, 0x04, 0x24) == 0 && a.length == 4);
	CHECK(DECODE(M64, &a, 0x41, 0x89, 0x05, 1, 2, 3, 4) == 0 && a.length == 7);
	CHECK(DECODE(M64, &a, 0x43, 0x89, 0x04, 0x25, 1, 2, 3, 4) == 0 && a.length == 8);
}

/* 16-bit addressing has no SIB and 16-bit displacements; SDM Vol. 2A, table 2-1. */
static void modrm_lengths_with_16_bit_addresses(void)
{
	struct mmio_access a;

	CHECK(DECODE(M16, &a, 0x89, 0x07) == 0 && a.length == 2);		/* [bx] */
	CHECK(DECODE(M16, &a, 0x89, 0x04) == 0 && a.length == 2);		/* [si] */
	CHECK(DECODE(M16, &a, 0x89, 0x06, 0x34, 0x12) == 0 && a.length == 4);	/* [0x1234] */
	CHECK(DECODE(M16, &a, 0x89, 0x46, 0x00) == 0 && a.length == 3);	/* [bp+0] */
	CHECK(DECODE(M16, &a, 0x89, 0x44, 0x08) == 0 && a.length == 3);	/* [si+8] */
	CHECK(DECODE(M16, &a, 0x89, 0x87, 0x34, 0x12) == 0 && a.length == 4);	/* [bx+disp16] */
	CHECK(is_register_write(&a, 4, 2, MMIO_RAX));
	/* 0x67 switches 32-bit code to 16-bit addresses and 16-bit code to 32-bit ones. */
	CHECK(DECODE(M32, &a, 0x67, 0x89, 0x06, 0x34, 0x12) == 0 && a.length == 5);
	CHECK(DECODE(M32, &a, 0x67, 0x89, 0x04) == 0 && a.length == 3);
	CHECK(DECODE(M16, &a, 0x67, 0x89, 0x04, 0x25, 1, 2, 3, 4) == 0 && a.length == 8);
	CHECK(DECODE(M16, &a, 0x67, 0x89, 0x05, 1, 2, 3, 4) == 0 && a.length == 7);
	/* In 64-bit mode 0x67 gives 32-bit addresses, with the same ModRM forms. */
	CHECK(DECODE(M64, &a, 0x67, 0x89, 0x04, 0x25, 1, 2, 3, 4) == 0 && a.length == 8);
	CHECK(DECODE(M64, &a, 0x67, 0x89, 0x06) == 0 && a.length == 3);
}

static void operand_sizes_follow_mode_and_prefixes(void)
{
	struct mmio_access a;

	CHECK(DECODE(M64, &a, 0x89, 0x00) == 0 && is_register_write(&a, 2, 4, MMIO_RAX));
	CHECK(DECODE(M64, &a, 0x66, 0x89, 0x08) == 0 && is_register_write(&a, 3, 2, MMIO_RCX));
	CHECK(DECODE(M64, &a, 0x48, 0x89, 0x10) == 0 && is_register_write(&a, 3, 8, MMIO_RDX));
	/* REX.W wins over 0x66. */
	CHECK(DECODE(M64, &a, 0x66, 0x48, 0x89, 0x18) == 0 && is_register_write(&a, 4, 8, MMIO_RBX));
	CHECK(DECODE(M64, &a, 0x4c, 0x89, 0x38) == 0 && is_register_write(&a, 3, 8, MMIO_R15));
	CHECK(DECODE(M32, &a, 0x89, 0x28) == 0 && is_register_write(&a, 2, 4, MMIO_RBP));
	CHECK(DECODE(M32, &a, 0x66, 0x89, 0x20) == 0 && is_register_write(&a, 3, 2, MMIO_RSP));
	CHECK(DECODE(M16, &a, 0x89, 0x37) == 0 && is_register_write(&a, 2, 2, MMIO_RSI));
	CHECK(DECODE(M16, &a, 0x66, 0x89, 0x3f) == 0 && is_register_write(&a, 3, 4, MMIO_RDI));
	/* Reads: 8B, with bits 63:32 cleared only for a 32-bit register in 64-bit mode. */
	CHECK(DECODE(M64, &a, 0x48, 0x8b, 0x00) == 0 && is_register_read(&a, 3, 8, MMIO_RAX));
	CHECK(!a.clear_upper);
	CHECK(DECODE(M64, &a, 0x66, 0x44, 0x8b, 0x00) == 0 && is_register_read(&a, 4, 2, MMIO_R8));
	CHECK(!a.clear_upper);
	CHECK(DECODE(M32, &a, 0x8b, 0x00) == 0 && is_register_read(&a, 2, 4, MMIO_RAX));
	CHECK(!a.clear_upper);
	CHECK(DECODE(M16, &a, 0x8b, 0x00) == 0 && is_register_read(&a, 2, 2, MMIO_RAX));
}

static void byte_registers_with_and_without_rex(void)
{
	struct mmio_access a;

	CHECK(DECODE(M64, &a, 0x88, 0x08) == 0 && is_register_write(&a, 2, 1, MMIO_RCX)); /* cl */
	CHECK(DECODE(M64, &a, 0x88, 0x20) == 0);					  /* ah */
	CHECK(a.write && a.size == 1 && a.reg == MMIO_RAX && a.high_byte);
	CHECK(DECODE(M32, &a, 0x88, 0x38) == 0 && a.reg == MMIO_RBX && a.high_byte);	  /* bh */
	CHECK(DECODE(M64, &a, 0x40, 0x88, 0x20) == 0 && is_register_write(&a, 3, 1, MMIO_RSP));
	CHECK(DECODE(M64, &a, 0x44, 0x88, 0x20) == 0 && is_register_write(&a, 3, 1, MMIO_R12));
	/* REX.W does not widen a byte move. */
	CHECK(DECODE(M64, &a, 0x48, 0x88, 0x30) == 0 && is_register_write(&a, 3, 1, MMIO_RSI));
	CHECK(DECODE(M64, &a, 0x8a, 0x30) == 0);					  /* dh */
	CHECK(!a.write && a.size == 1 && a.reg_size == 1 && a.reg == MMIO_RDX && a.high_byte);
	CHECK(DECODE(M64, &a, 0x66, 0x8a, 0x10) == 0 && is_register_read(&a, 3, 1, MMIO_RDX));
}

static void immediates_of_every_size(void)
{
	struct mmio_access a;

	CHECK(DECODE(M64, &a, 0xc6, 0x00, 0x5a) == 0 && is_immediate_write(&a, 3, 1, 0x5a));
	CHECK(DECODE(M64, &a, 0xc7, 0x00, 0x78, 0x56, 0x34, 0x12) == 0);
	CHECK(is_immediate_write(&a, 6, 4, 0x12345678));
	CHECK(DECODE(M64, &a, 0x66, 0xc7, 0x00, 0x34, 0x12) == 0);
	CHECK(is_immediate_write(&a, 5, 2, 0x1234));
	/* A 64-bit store sign-extends its imm32. */
	CHECK(DECODE(M64, &a, 0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80) == 0);
	CHECK(is_immediate_write(&a, 7, 8, 0xffffffff80000000ULL));
	CHECK(DECODE(M64, &a, 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f) == 0);
	CHECK(is_immediate_write(&a, 7, 8, 0x7fffffff));
	/* A 32-bit store does not. */
	CHECK(DECODE(M64, &a, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80) == 0);
	CHECK(is_immediate_write(&a, 6, 4, 0x80000000));
	/* The immediate follows SIB and displacement. */
	CHECK(DECODE(M64, &a, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 0xef, 0xbe, 0xad, 0xde) == 0);
	CHECK(is_immediate_write(&a, 11, 4, 0xdeadbeef));
	CHECK(DECODE(M64, &a, 0xc6, 0x40, 0x10, 0xa5) == 0 && is_immediate_write(&a, 4, 1, 0xa5));
	CHECK(DECODE(M16, &a, 0xc7, 0x06, 0x34, 0x12, 0xcd, 0xab) == 0);
	CHECK(is_immediate_write(&a, 6, 2, 0xabcd));
	CHECK(DECODE(M16, &a, 0x66, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12) == 0);
	CHECK(is_immediate_write(&a, 7, 4, 0x12345678));
	/* REX.R does not change the /0 opcode extension. */
	CHECK(DECODE(M64, &a, 0x44, 0xc7, 0x00, 1, 0, 0, 0) == 0 && is_immediate_write(&a, 7, 4, 1));
}

static void movzx_zero_extends_into_the_operand_size(void)
{
	struct mmio_access a;

	CHECK(DECODE(M64, &a, 0x0f, 0xb6, 0x00) == 0);
	CHECK(!a.write && a.length == 3 && a.size == 1 && a.reg_size == 4 && a.zero_extend);
	CHECK(a.reg == MMIO_RAX && !a.high_byte && a.clear_upper);
	CHECK(DECODE(M64, &a, 0x48, 0x0f, 0xb6, 0x20) == 0);
	CHECK(a.size == 1 && a.reg_size == 8 && a.reg == MMIO_RSP && !a.high_byte && !a.clear_upper);
	CHECK(DECODE(M64, &a, 0x66, 0x0f, 0xb6, 0x08) == 0);
	CHECK(a.size == 1 && a.reg_size == 2 && a.reg == MMIO_RCX && !a.clear_upper);
	CHECK(DECODE(M64, &a, 0x0f, 0xb7, 0x04, 0x25, 1, 2, 3, 4) == 0);
	CHECK(a.length == 8 && a.size == 2 && a.reg_size == 4 && a.zero_extend);
	CHECK(DECODE(M64, &a, 0x44, 0x0f, 0xb7, 0x08) == 0 && a.reg == MMIO_R9);
	CHECK(DECODE(M32, &a, 0x0f, 0xb6, 0x00) == 0 && a.reg_size == 4 && !a.clear_upper);
	CHECK(DECODE(M16, &a, 0x0f, 0xb6, 0x07) == 0 && a.reg_size == 2 && a.length == 3);
}

/* MOV with a memory offset: the offset has the address size (SDM Vol. 2B, MOV). */
static void memory_offset_forms(void)
{
	struct mmio_access a;

	CHECK(DECODE(M64, &a, 0xa1, 0xb0, 0xc0, 0x5f, 0xff, 0xff, 0xff, 0xff, 0xff) == 0);
	CHECK(is_register_read(&a, 9, 4, MMIO_RAX) && a.clear_upper);
	CHECK(DECODE(M64, &a, 0x48, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8) == 0);
	CHECK(is_register_write(&a, 10, 8, MMIO_RAX));
	CHECK(DECODE(M64, &a, 0x67, 0xa3, 1, 2, 3, 4) == 0 && is_register_write(&a, 6, 4, MMIO_RAX));
	CHECK(DECODE(M32, &a, 0xa3, 0xb0, 0x00, 0xe0, 0xfe) == 0);
	CHECK(is_register_write(&a, 5, 4, MMIO_RAX));
	CHECK(DECODE(M32, &a, 0x66, 0xa3, 1, 2, 3, 4) == 0 && is_register_write(&a, 6, 2, MMIO_RAX));
	CHECK(DECODE(M32, &a, 0x67, 0xa1, 1, 2) == 0 && is_register_read(&a, 4, 4, MMIO_RAX));
	CHECK(DECODE(M16, &a, 0xa1, 0x34, 0x12) == 0 && is_register_read(&a, 3, 2, MMIO_RAX));
	/* A0 and A2 move AL, never AH. */
	CHECK(DECODE(M32, &a, 0xa0, 1, 2, 3, 4) == 0 && is_register_read(&a, 5, 1, MMIO_RAX));
	CHECK(DECODE(M16, &a, 0xa2, 1, 2) == 0 && is_register_write(&a, 3, 1, MMIO_RAX));
}

static void prefixes_are_counted_and_checked(void)
{
	struct mmio_access a;

	CHECK(DECODE(M64, &a, 0x64, 0x89, 0x00) == 0 && a.length == 3);
	CHECK(DECODE(M32, &a, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x89, 0x00) == 0);
	CHECK(a.length == 8);
	CHECK(DECODE(M64, &a, 0x66, 0x66, 0x89, 0x00) == 0 && a.length == 4 && a.size == 2);
	CHECK(DECODE(M64, &a, 0x65, 0x66, 0x41, 0x89, 0x00) == 0);
	CHECK(is_register_write(&a, 5, 2, MMIO_RAX));
	/* REX must come last, once. */
	CHECK(DECODE(M64, &a, 0x41, 0x66, 0x89, 0x00) == -EINVAL);
	CHECK(DECODE(M64, &a, 0x48, 0x41, 0x89, 0x00) == -EINVAL);
	CHECK(DECODE(M64, &a, 0x48, 0x64, 0x89, 0x00) == -EINVAL);
	/* Outside 64-bit mode 0x40-0x4f are INC and DEC. */
	CHECK(DECODE(M32, &a, 0x48, 0x89, 0x00) == -EINVAL);
	CHECK(DECODE(M16, &a, 0x41, 0x89, 0x00) == -EINVAL);
	/* LOCK and REP are never part of a device access. */
	CHECK(DECODE(M64, &a, 0xf0, 0x89, 0x00) == -EINVAL);
	CHECK(DECODE(M64, &a, 0xf2, 0x89, 0x00) == -EINVAL);
	CHECK(DECODE(M64, &a, 0xf3, 0x89, 0x00) == -EINVAL);
	CHECK(DECODE(M64, &a, 0x66, 0xf3, 0x89, 0x00) == -EINVAL);
}

static void fifteen_bytes_at_most(void)
{
	uint8_t bytes[20];
	struct mmio_access a;

	memset(bytes, 0x66, sizeof(bytes));
	bytes[13] = 0x89;
	bytes[14] = 0x00;
	CHECK(mmio_decode(bytes, 15, M64, &a) == 0 && a.length == 15);
	bytes[13] = 0x66;
	bytes[14] = 0x89;
	bytes[15] = 0x00;
	CHECK(mmio_decode(bytes, 16, M64, &a) == -EINVAL);
	CHECK(mmio_decode(bytes, sizeof(bytes), M64, &a) == -EINVAL);
	/* Fewer bytes given than the limit: the caller should fetch more. */
	CHECK(mmio_decode(bytes, 10, M64, &a) == -ENOSPC);
	/* A long displacement and immediate past 15 bytes. */
	memset(bytes, 0x2e, 4);
	memcpy(bytes + 4, BYTES(0x48, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8), 12);
	CHECK(mmio_decode(bytes, 16, M64, &a) == -EINVAL);
	CHECK(mmio_decode(bytes + 1, 15, M64, &a) == 0 && a.length == 15);
}

static void truncated_instructions_want_more_bytes(void)
{
	/* Each row: the instruction's length, then its bytes. */
	static const uint8_t forms[][12] = {
		{ 11, 0x66, 0x44, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 0x34, 0x12 },
		{ 8, 0x44, 0x89, 0x24, 0x25, 0x10, 0xc3, 0x5f, 0xff },
		{ 3, 0x0f, 0xb7, 0x00 },
		{ 9, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8 },
		{ 4, 0xc6, 0x45, 0x08, 0xff },
	};
	struct mmio_access a, before;
	unsigned int i, n;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		unsigned int length = forms[i][0];

		CHECK(mmio_decode(forms[i] + 1, length, M64, &a) == 0 && a.length == length);
		for (n = 0; n < length; n++) {
			memset(&before, 0xa5, sizeof(before));
			a = before;
			CHECK(mmio_decode(forms[i] + 1, n, M64, &a) == -ENOSPC);
			CHECK(memcmp(&a, &before, sizeof(a)) == 0);
		}
	}
	CHECK(mmio_decode(NULL, 0, M64, &a) == -ENOSPC);
	/* Bytes after the instruction are left alone. */
	CHECK(DECODE(M64, &a, 0xc6, 0x45, 0x08, 0xff, 0x0f, 0x0b) == 0 && a.length == 4);
}

static void everything_else_is_refused(void)
{
	struct mmio_access a, before;

	memset(&before, 0x5a, sizeof(before));
	a = before;
	/* Register operands touch no memory. */
	CHECK(DECODE(M64, &a, 0x89, 0xc0) == -EINVAL);
	CHECK(DECODE(M64, &a, 0x8b, 0xc8) == -EINVAL);
	CHECK(DECODE(M64, &a, 0xc7, 0xc0, 1, 2, 3, 4) == -EINVAL);
	CHECK(DECODE(M64, &a, 0x0f, 0xb6, 0xc0) == -EINVAL);
	/* C6/C7 with a reg field other than 0 are other instructions. */
	CHECK(DECODE(M64, &a, 0xc6, 0x08, 0x00) == -EINVAL);
	CHECK(DECODE(M64, &a, 0xc7, 0x38, 1, 2, 3, 4) == -EINVAL);
	/* Read-modify-write, string, exchange and sign-extending forms. */
	CHECK(DECODE(M64, &a, 0x87, 0x04, 0x25, 0xb0, 0xc0, 0x5f, 0xff) == -EINVAL);	/* xchg */
	CHECK(DECODE(M64, &a, 0x01, 0x00) == -EINVAL);					/* add */
	CHECK(DECODE(M64, &a, 0x09, 0x00) == -EINVAL);					/* or */
	CHECK(DECODE(M64, &a, 0x81, 0x08, 1, 2, 3, 4) == -EINVAL);			/* or imm */
	CHECK(DECODE(M64, &a, 0xa5) == -EINVAL);					/* movs */
	CHECK(DECODE(M64, &a, 0xab) == -EINVAL);					/* stos */
	CHECK(DECODE(M64, &a, 0x0f, 0xbe, 0x00) == -EINVAL);				/* movsx */
	CHECK(DECODE(M64, &a, 0x0f, 0xbf, 0x00) == -EINVAL);
	CHECK(DECODE(M64, &a, 0x0f, 0x0b) == -EINVAL);					/* ud2 */
	CHECK(DECODE(M64, &a, 0xc5, 0xf9, 0x7e, 0x00) == -EINVAL);			/* vmovd */
	CHECK(DECODE(M64, &a, 0x0f, 0xc3, 0x00) == -EINVAL);				/* movnti */
	CHECK(mmio_decode(BYTES(0x89, 0x00), 2, (enum cpu_mode)3, &a) == -EINVAL);
	CHECK(memcmp(&a, &before, sizeof(a)) == 0);
}

static void write_values_come_from_the_right_bits(void)
{
	uint64_t rax = 0x1122334455667788ULL;
	struct mmio_access a;

	CHECK(DECODE(M64, &a, 0x89, 0x00) == 0 && mmio_write_value(&a, rax) == 0x55667788);
	CHECK(DECODE(M64, &a, 0x66, 0x89, 0x00) == 0 && mmio_write_value(&a, rax) == 0x7788);
	CHECK(DECODE(M64, &a, 0x48, 0x89, 0x00) == 0 && mmio_write_value(&a, rax) == rax);
	CHECK(DECODE(M64, &a, 0x88, 0x00) == 0 && mmio_write_value(&a, rax) == 0x88);
	CHECK(DECODE(M64, &a, 0x88, 0x20) == 0 && mmio_write_value(&a, rax) == 0x77);	/* ah */
	CHECK(DECODE(M64, &a, 0xc7, 0x00, 1, 0, 0, 0) == 0 && mmio_write_value(&a, rax) == 1);
}

static void read_results_keep_or_clear_the_right_bits(void)
{
	uint64_t old = 0x1122334455667788ULL;
	struct mmio_access a;

	CHECK(DECODE(M64, &a, 0x8b, 0x00) == 0);
	CHECK(mmio_read_result(&a, old, 0xffffffffaabbccddULL) == 0xaabbccdd);
	CHECK(DECODE(M32, &a, 0x8b, 0x00) == 0);
	CHECK(mmio_read_result(&a, old, 0xaabbccdd) == 0x11223344aabbccddULL);
	CHECK(DECODE(M64, &a, 0x66, 0x8b, 0x00) == 0);
	CHECK(mmio_read_result(&a, old, 0xccdd) == 0x112233445566ccddULL);
	CHECK(DECODE(M64, &a, 0x48, 0x8b, 0x00) == 0);
	CHECK(mmio_read_result(&a, old, 0x0102030405060708ULL) == 0x0102030405060708ULL);
	CHECK(DECODE(M64, &a, 0x8a, 0x00) == 0);
	CHECK(mmio_read_result(&a, old, 0xdd) == 0x11223344556677ddULL);
	CHECK(DECODE(M64, &a, 0x8a, 0x20) == 0);						/* ah */
	CHECK(mmio_read_result(&a, old, 0xdd) == 0x112233445566dd88ULL);
	CHECK(DECODE(M64, &a, 0x0f, 0xb6, 0x00) == 0);
	CHECK(mmio_read_result(&a, old, 0xdd) == 0xdd);
	CHECK(DECODE(M64, &a, 0x66, 0x0f, 0xb6, 0x00) == 0);
	CHECK(mmio_read_result(&a, old, 0xdd) == 0x11223344556600ddULL);
	CHECK(DECODE(M64, &a, 0x48, 0x0f, 0xb7, 0x00) == 0);
	CHECK(mmio_read_result(&a, old, 0xccdd) == 0xccdd);
	CHECK(DECODE(M32, &a, 0x0f, 0xb7, 0x00) == 0);
	CHECK(mmio_read_result(&a, old, 0xccdd) == 0x112233440000ccddULL);
}

static void cpu_mode_from_the_code_segment(void)
{
	CHECK(mmio_cpu_mode(true, true, false) == M64);
	CHECK(mmio_cpu_mode(true, false, true) == M32);
	CHECK(mmio_cpu_mode(true, false, false) == M16);
	/* CS.L means nothing outside IA-32e mode. */
	CHECK(mmio_cpu_mode(false, true, true) == M32);
	CHECK(mmio_cpu_mode(false, true, false) == M16);
}

int main(void)
{
	RUN(linux_xapic_writes_and_reads);
	RUN(modrm_lengths_with_32_and_64_bit_addresses);
	RUN(modrm_lengths_with_16_bit_addresses);
	RUN(operand_sizes_follow_mode_and_prefixes);
	RUN(byte_registers_with_and_without_rex);
	RUN(immediates_of_every_size);
	RUN(movzx_zero_extends_into_the_operand_size);
	RUN(memory_offset_forms);
	RUN(prefixes_are_counted_and_checked);
	RUN(fifteen_bytes_at_most);
	RUN(truncated_instructions_want_more_bytes);
	RUN(everything_else_is_refused);
	RUN(write_values_come_from_the_right_bits);
	RUN(read_results_keep_or_clear_the_right_bits);
	RUN(cpu_mode_from_the_code_segment);
	return unit_report("unit mmio");
}
