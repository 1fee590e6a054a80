// SPDX-License-Identifier: GPL-2.0
/* Fuzzes the MMIO instruction decoder (hypervisor/arch/x86/mmio.c) with the guest's instruction bytes. */
#include <errno.h>

#include <asm/mmio.h>

#include "fuzz.h"

/*
 * Input: mode [u8] (values past 64-bit included), the register's value
 * [u64], the value the device returns [u64], then the instruction bytes,
 * given to the decoder in a heap block of exactly their size.
 */

static uint64_t mask_of(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static bool valid_size(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static void check_access(const struct mmio_access *a, unsigned int available, enum cpu_mode mode)
{
	FUZZ_ASSERT(a->length >= 1 && a->length <= MMIO_MAX_INSTRUCTION && a->length <= available);
	FUZZ_ASSERT(valid_size(a->size) && (unsigned int)a->reg < 16);
	FUZZ_ASSERT(!a->high_byte || (a->size == 1 && a->reg < 4));
	/* 64-bit operands and registers 8-15 need a REX prefix: 64-bit mode only. */
	FUZZ_ASSERT(mode == CPU_MODE_64BIT || (a->size < 8 && a->reg < 8));
	if (a->write) {
		FUZZ_ASSERT(!a->has_immediate || a->size != 8 ||
			    a->value == (uint64_t)(int64_t)(int32_t)a->value);
		FUZZ_ASSERT(!a->has_immediate || a->size == 8 || !(a->value & ~mask_of(a->size)));
	} else {
		FUZZ_ASSERT(!a->has_immediate);
		FUZZ_ASSERT(valid_size(a->reg_size) && a->reg_size >= a->size);
		FUZZ_ASSERT(a->zero_extend == (a->reg_size > a->size));
		FUZZ_ASSERT(!a->clear_upper || (mode == CPU_MODE_64BIT && a->reg_size == 4));
	}
}

/* A read changes only the destination's bytes; a write stores only its size's. */
static void check_values(const struct mmio_access *a, uint64_t reg, uint64_t loaded)
{
	uint64_t result;

	if (a->write) {
		FUZZ_ASSERT(!(mmio_write_value(a, reg) & ~mask_of(a->size)) || a->has_immediate);
		if (a->high_byte)
			FUZZ_ASSERT(mmio_write_value(a, reg) == ((reg >> 8) & 0xff));
		return;
	}
	result = mmio_read_result(a, reg, loaded);
	if (a->high_byte)
		FUZZ_ASSERT(((result ^ reg) & ~0xff00ULL) == 0 &&
			    ((result >> 8) & 0xff) == (loaded & 0xff));
	else if (a->clear_upper)
		FUZZ_ASSERT(result == (loaded & mask_of(a->size)));
	else
		FUZZ_ASSERT(((result ^ reg) & ~mask_of(a->reg_size)) == 0 &&
			    (result & mask_of(a->reg_size)) == (loaded & mask_of(a->size)));
}

/* Decoding is decided by the instruction's own bytes: fewer give -ENOSPC, more the same result. */
static void check_prefixes_of(const uint8_t *bytes, enum cpu_mode mode, const struct mmio_access *a)
{
	struct mmio_access again;
	unsigned int cut;

	for (cut = 0; cut < a->length; cut++) {
		uint8_t *part = malloc(cut ? cut : 1);

		memcpy(part, bytes, cut);
		FUZZ_ASSERT(mmio_decode(part, cut, mode, &again) == -ENOSPC);
		free(part);
	}
	FUZZ_ASSERT(mmio_decode(bytes, a->length, mode, &again) == 0);
	FUZZ_ASSERT(memcmp(&again, a, sizeof(again)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size, 0 };
	enum cpu_mode mode = (enum cpu_mode)(fuzz_u8(&in) % 4);
	uint64_t reg = fuzz_u64(&in), loaded = fuzz_u64(&in);
	struct mmio_access access, untouched;
	size_t available;
	const uint8_t *bytes = fuzz_take(&in, fuzz_left(&in), &available);
	uint8_t *copy = malloc(available ? available : 1);
	int err;

	memcpy(copy, bytes, available);
	memset(&access, 0x5a, sizeof(access));
	untouched = access;
	err = mmio_decode(copy, (unsigned int)available, mode, &access);
	FUZZ_TRACE("mode %d, %zu bytes: %d, length %u size %u write %d reg %d\n", mode, available,
		   err, access.length, access.size, access.write, access.reg);
	if (err) {
		FUZZ_ASSERT(err == -EINVAL || err == -ENOSPC);
		FUZZ_ASSERT(memcmp(&access, &untouched, sizeof(access)) == 0);
		FUZZ_ASSERT(err == -EINVAL || available < MMIO_MAX_INSTRUCTION);
	} else {
		FUZZ_ASSERT(mode <= CPU_MODE_64BIT);
		check_access(&access, (unsigned int)available, mode);
		check_values(&access, reg, loaded);
		check_prefixes_of(copy, mode, &access);
	}
	free(copy);
	return 0;
}
