/* SPDX-License-Identifier: GPL-2.0 */
/* What the libFuzzer harnesses share: reading fields from the input, sealing configs, failing loudly. */
#ifndef BULKHEAD_FUZZ_H
#define BULKHEAD_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/config.h>

/*
 * A broken invariant is a crash: libFuzzer keeps the input that made it
 * (crash-* in the artifact directory) and the line says which rule broke.
 */
#define FUZZ_ASSERT(condition)							\
	do {									\
		if (!(condition)) {						\
			fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
				__FILE__, __LINE__, #condition);		\
			abort();						\
		}								\
	} while (0)

/* With FUZZ_TRACE=1 in the environment, a harness prints each step: for reproducing a crash. */
#define FUZZ_TRACE(...)								\
	do {									\
		static int fuzz_trace_on = -1;					\
		if (fuzz_trace_on < 0)						\
			fuzz_trace_on = getenv("FUZZ_TRACE") != NULL;		\
		if (fuzz_trace_on)						\
			fprintf(stderr, __VA_ARGS__);				\
	} while (0)

/* The input, read front to back; past its end every field reads as zero. */
struct fuzz_input {
	const uint8_t *data;
	size_t size, pos;
};

static inline size_t fuzz_left(const struct fuzz_input *in)
{
	return in->size - in->pos;
}

static inline uint64_t fuzz_bytes(struct fuzz_input *in, unsigned int count)
{
	uint64_t value = 0;
	unsigned int i;

	for (i = 0; i < count && in->pos < in->size; i++)
		value |= (uint64_t)in->data[in->pos++] << (8 * i);
	return value;
}

#define fuzz_u8(in)	((uint8_t)fuzz_bytes(in, 1))
#define fuzz_u16(in)	((uint16_t)fuzz_bytes(in, 2))
#define fuzz_u32(in)	((uint32_t)fuzz_bytes(in, 4))
#define fuzz_u64(in)	fuzz_bytes(in, 8)

/* The next @length bytes (fewer at the end of the input); *@got says how many. */
static inline const uint8_t *fuzz_take(struct fuzz_input *in, size_t length, size_t *got)
{
	const uint8_t *start = in->data + in->pos;

	*got = length < fuzz_left(in) ? length : fuzz_left(in);
	in->pos += *got;
	return start;
}

/*
 * Gives a config (bulkhead/config.h) the size and CRC-32 its bytes have,
 * as bulkhead-config build would, so that mutated configs get past the
 * header check to the rules behind it.  A config shorter than its header
 * is left alone.
 */
static inline void fuzz_seal(uint8_t *config, size_t size, uint32_t (*crc32)(const void *, size_t))
{
	struct bulkhead_config_header header;

	if (size < sizeof(header))
		return;
	memcpy(&header, config, sizeof(header));
	header.size = (uint32_t)size;
	header.checksum = 0;
	memcpy(config, &header, sizeof(header));
	header.checksum = crc32(config, size);
	memcpy(config, &header, sizeof(header));
}

/* A whole file, for the system config the harnesses run under; exits with a line when it is missing. */
static inline size_t fuzz_read_file(const char *path, uint8_t *buffer, size_t size)
{
	FILE *file = fopen(path, "rb");
	size_t got;

	if (!file) {
		fprintf(stderr, "fuzz: cannot open %s: run make configs first (or set BULKHEAD_FUZZ_SYSTEM)\n",
			path);
		exit(2);
	}
	got = fread(buffer, 1, size, file);
	fclose(file);
	return got;
}

#endif
