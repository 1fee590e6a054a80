// SPDX-License-Identifier: GPL-2.0
/* MMIO instruction decoder: the few MOV forms compilers emit for device registers, and nothing else. */
#include <asm/mmio.h>

#ifdef BULKHEAD_HYPERVISOR
#include <bulkhead-hv/errno.h>
#else
#include <errno.h>
/* Only the hypervisor records where an error was raised. */
#define trace_error(code) (code)
#endif

/* REX prefix bits; SDM Vol. 2A, 2.2.1. */
#define REX_W			0x08
#define REX_R			0x04

/* ModRM and SIB fields; SDM Vol. 2A, 2.1.5. */
#define MODRM_MOD(byte)		((byte) >> 6)
#define MODRM_REG(byte)		(((byte) >> 3) & 7)
#define MODRM_RM(byte)		((byte) & 7)
#define MOD_REGISTER		3
#define RM_SIB			4
#define RM_DISP32		5	/* with mod 0: disp32, RIP-relative in 64-bit mode */
#define RM16_DISP16		6	/* with mod 0 and 16-bit addressing: disp16 */
#define SIB_BASE_NONE		5	/* with mod 0: no base, disp32 */

struct decoder {
	const uint8_t *bytes;
	unsigned int available;
	unsigned int pos;
	enum cpu_mode mode;
	bool operand_prefix;		/* 0x66 */
	bool address_prefix;		/* 0x67 */
	uint8_t rex;			/* 0 without a REX prefix */
};

/*
 * The next instruction byte.  Past 15 bytes the CPU raises #GP (SDM Vol.
 * 2A, 2.3.11), so that is -EINVAL; past the bytes given, -ENOSPC tells the
 * caller to fetch more.
 */
static int fetch(struct decoder *d, uint8_t *byte)
{
	if (d->pos >= MMIO_MAX_INSTRUCTION)
		return trace_error(-EINVAL);
	if (d->pos >= d->available)
		return trace_error(-ENOSPC);
	*byte = d->bytes[d->pos++];
	return 0;
}

/* count little-endian bytes (at most 8) into value. */
static int fetch_value(struct decoder *d, unsigned int count, uint64_t *value)
{
	unsigned int i;
	uint8_t byte = 0;
	int err;

	*value = 0;
	for (i = 0; i < count; i++) {
		err = fetch(d, &byte);
		if (err)
			return err;
		*value |= (uint64_t)byte << (8 * i);
	}
	return 0;
}

static bool is_legacy_prefix(uint8_t byte)
{
	switch (byte) {
	case 0x66: case 0x67:					/* operand, address size */
	case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65: /* segments */
		return true;
	default:
		return false;
	}
}

/*
 * Prefixes up to the opcode (SDM Vol. 2A, 2.1.1 and 2.2.1).  LOCK and REP
 * never come with a plain MOV to a device and are refused.  A REX prefix
 * counts only right before the opcode; one followed by anything else would
 * be ignored by the CPU, which no compiler emits, so it is refused too.
 * Segment overrides do not matter: the exit gives the physical address.
 */
static int read_prefixes(struct decoder *d, uint8_t *opcode)
{
	uint8_t byte = 0;
	int err;

	for (;;) {
		err = fetch(d, &byte);
		if (err)
			return err;
		if (d->rex && (is_legacy_prefix(byte) || (byte & 0xf0) == 0x40))
			return trace_error(-EINVAL);
		if (byte == 0x66)
			d->operand_prefix = true;
		else if (byte == 0x67)
			d->address_prefix = true;
		else if (d->mode == CPU_MODE_64BIT && (byte & 0xf0) == 0x40)
			d->rex = byte;
		else if (!is_legacy_prefix(byte))
			break;
	}
	*opcode = byte;
	return 0;
}

/* Operand size of a non-byte instruction; SDM Vol. 2A, 2.2.1.2 (table 2-4) and Vol. 1, 3.6. */
static unsigned int operand_size(const struct decoder *d)
{
	if (d->rex & REX_W)
		return 8;
	if (d->mode == CPU_MODE_16BIT)
		return d->operand_prefix ? 4 : 2;
	return d->operand_prefix ? 2 : 4;
}

/* Address size; SDM Vol. 1, 3.6 (table 3-4) and Vol. 2A, 2.2.1.2. */
static unsigned int address_size(const struct decoder *d)
{
	if (d->mode == CPU_MODE_64BIT)
		return d->address_prefix ? 4 : 8;
	if (d->mode == CPU_MODE_32BIT)
		return d->address_prefix ? 2 : 4;
	return d->address_prefix ? 4 : 2;
}

static int skip(struct decoder *d, unsigned int count)
{
	uint64_t ignored;

	return fetch_value(d, count, &ignored);
}

/* Displacement of a 16-bit address; SDM Vol. 2A, 2.1.5, table 2-1. */
static int skip_address16(struct decoder *d, unsigned int mod, unsigned int rm)
{
	if (mod == 1)
		return skip(d, 1);
	if (mod == 2 || rm == RM16_DISP16)
		return skip(d, 2);
	return 0;
}

/*
 * SIB and displacement of a 32- or 64-bit address; SDM Vol. 2A, 2.1.5,
 * tables 2-2 and 2-3, and 2.2.1.6 (RIP-relative).  REX.B does not change
 * which forms take a SIB or a disp32 (2.2.1.2, table 2-5).
 */
static int skip_address32(struct decoder *d, unsigned int mod, unsigned int rm)
{
	unsigned int displacement = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	uint8_t sib = 0;
	int err;

	if (rm == RM_SIB) {
		err = fetch(d, &sib);
		if (err)
			return err;
		if (mod == 0 && MODRM_RM(sib) == SIB_BASE_NONE)
			displacement = 4;
	} else if (mod == 0 && rm == RM_DISP32) {
		displacement = 4;
	}
	return skip(d, displacement);
}

/*
 * Reads ModRM with the address bytes after it; *reg is the reg field with
 * REX.R.  A register operand (mod 3) touches no memory: -EINVAL.
 */
static int read_modrm(struct decoder *d, unsigned int *reg)
{
	uint8_t modrm = 0;
	int err;

	err = fetch(d, &modrm);
	if (err)
		return err;
	if (MODRM_MOD(modrm) == MOD_REGISTER)
		return trace_error(-EINVAL);
	*reg = MODRM_REG(modrm) | ((d->rex & REX_R) ? 8 : 0);
	if (address_size(d) == 2)
		return skip_address16(d, MODRM_MOD(modrm), MODRM_RM(modrm));
	return skip_address32(d, MODRM_MOD(modrm), MODRM_RM(modrm));
}

/*
 * Names register reg for an operand of size bytes.  Byte registers 4-7
 * are AH, CH, DH, BH without a REX prefix and SPL, BPL, SIL, DIL with one
 * (SDM Vol. 2A, 2.2.1.2 and 3.1.1.1, table 3-1).
 */
static void set_register(const struct decoder *d, unsigned int reg, unsigned int size,
			 struct mmio_access *out)
{
	out->high_byte = size == 1 && !d->rex && reg >= 4;
	out->reg = (enum mmio_register)(out->high_byte ? reg - 4 : reg);
}

/* A load of size bytes into a register of reg_size bytes. */
static void set_read(const struct decoder *d, unsigned int size, unsigned int reg_size,
		     struct mmio_access *out)
{
	out->write = false;
	out->size = size;
	out->reg_size = reg_size;
	out->zero_extend = reg_size > size;
	out->clear_upper = d->mode == CPU_MODE_64BIT && reg_size == 4;
}

/* MOV r/m, r (88, 89) and MOV r, r/m (8A, 8B). */
static int decode_mov_register(struct decoder *d, bool write, unsigned int size,
			       struct mmio_access *out)
{
	unsigned int reg;
	int err = read_modrm(d, &reg);

	if (err)
		return err;
	set_register(d, reg, size, out);
	if (write) {
		out->write = true;
		out->size = size;
	} else {
		set_read(d, size, size, out);
	}
	return 0;
}

/* MOVZX r, r/m8 (0F B6) and r, r/m16 (0F B7): the register has the operand size. */
static int decode_movzx(struct decoder *d, unsigned int size, struct mmio_access *out)
{
	unsigned int reg, reg_size = operand_size(d);
	int err = read_modrm(d, &reg);

	if (err)
		return err;
	set_register(d, reg, reg_size, out);
	set_read(d, size, reg_size, out);
	return 0;
}

/*
 * MOV r/m, imm (C6 /0 ib, C7 /0 iw/id).  Another value in the reg field is
 * a different instruction.  A 64-bit store takes an imm32, sign-extended
 * (SDM Vol. 2B, MOV).  The immediate follows the address bytes.
 */
static int decode_mov_immediate(struct decoder *d, unsigned int size, struct mmio_access *out)
{
	unsigned int reg, immediate_size = size == 8 ? 4 : size;
	uint64_t value;
	int err = read_modrm(d, &reg);

	if (err)
		return err;
	if ((reg & 7) != 0)
		return trace_error(-EINVAL);
	err = fetch_value(d, immediate_size, &value);
	if (err)
		return err;
	if (size == 8)
		value = (uint64_t)(int64_t)(int32_t)(uint32_t)value;
	out->write = true;
	out->size = size;
	out->has_immediate = true;
	out->value = value;
	return 0;
}

/* MOV AL/eAX, moffs (A0, A1) and moffs, AL/eAX (A2, A3): the offset has the address size. */
static int decode_mov_offset(struct decoder *d, bool write, unsigned int size,
			     struct mmio_access *out)
{
	int err = skip(d, address_size(d));

	if (err)
		return err;
	out->reg = MMIO_RAX;
	if (write) {
		out->write = true;
		out->size = size;
	} else {
		set_read(d, size, size, out);
	}
	return 0;
}

static int decode_two_byte(struct decoder *d, struct mmio_access *out)
{
	uint8_t opcode = 0;
	int err = fetch(d, &opcode);

	if (err)
		return err;
	if (opcode == 0xb6)
		return decode_movzx(d, 1, out);
	if (opcode == 0xb7)
		return decode_movzx(d, 2, out);
	return trace_error(-EINVAL);
}

static int decode_opcode(struct decoder *d, uint8_t opcode, struct mmio_access *out)
{
	switch (opcode) {
	case 0x88:
		return decode_mov_register(d, true, 1, out);
	case 0x89:
		return decode_mov_register(d, true, operand_size(d), out);
	case 0x8a:
		return decode_mov_register(d, false, 1, out);
	case 0x8b:
		return decode_mov_register(d, false, operand_size(d), out);
	case 0xa0:
		return decode_mov_offset(d, false, 1, out);
	case 0xa1:
		return decode_mov_offset(d, false, operand_size(d), out);
	case 0xa2:
		return decode_mov_offset(d, true, 1, out);
	case 0xa3:
		return decode_mov_offset(d, true, operand_size(d), out);
	case 0xc6:
		return decode_mov_immediate(d, 1, out);
	case 0xc7:
		return decode_mov_immediate(d, operand_size(d), out);
	case 0x0f:
		return decode_two_byte(d, out);
	default:
		return trace_error(-EINVAL);
	}
}

/*
 * The code segment's default sizes: 64-bit code needs IA-32e mode and
 * CS.L; otherwise CS.D chooses 32-bit over 16-bit (SDM Vol. 3A, 3.4.5).
 */
enum cpu_mode mmio_cpu_mode(bool ia32e_mode, bool cs_l, bool cs_d)
{
	if (ia32e_mode && cs_l)
		return CPU_MODE_64BIT;
	return cs_d ? CPU_MODE_32BIT : CPU_MODE_16BIT;
}

/*
 * Decodes the instruction in bytes[0, available) that made a memory access
 * in the given mode.  Only MOV to or from memory (88, 89, 8A, 8B, A0-A3,
 * C6 /0, C7 /0) and MOVZX (0F B6, 0F B7) are known; anything else,
 * including a register operand and LOCK or REP, is -EINVAL, as is an
 * instruction longer than 15 bytes.  -ENOSPC: the bytes end before the
 * instruction does.  out changes only on success.
 */
int mmio_decode(const uint8_t *bytes, unsigned int available, enum cpu_mode mode,
		struct mmio_access *out)
{
	struct decoder d = { .bytes = bytes, .available = available, .mode = mode };
	struct mmio_access access = { .reg = MMIO_RAX };
	uint8_t opcode = 0;
	int err;

	if (mode != CPU_MODE_16BIT && mode != CPU_MODE_32BIT && mode != CPU_MODE_64BIT)
		return trace_error(-EINVAL);
	err = read_prefixes(&d, &opcode);
	if (!err)
		err = decode_opcode(&d, opcode, &access);
	if (err)
		return err;
	access.length = d.pos;
	*out = access;
	return 0;
}

static uint64_t size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* The value a decoded write stores, given the current value of its register. */
uint64_t mmio_write_value(const struct mmio_access *access, uint64_t reg_value)
{
	if (access->has_immediate)
		return access->value;
	if (access->high_byte)
		return (reg_value >> 8) & 0xff;
	return reg_value & size_mask(access->size);
}

/* The new value of a decoded read's register, from its old value and the bytes loaded. */
uint64_t mmio_read_result(const struct mmio_access *access, uint64_t reg_value, uint64_t loaded)
{
	uint64_t mask = size_mask(access->reg_size);

	loaded &= size_mask(access->size);
	if (access->high_byte)
		return (reg_value & ~0xff00ULL) | (loaded << 8);
	if (access->clear_upper)
		return loaded;
	return (reg_value & ~mask) | loaded;
}
