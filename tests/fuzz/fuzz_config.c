// SPDX-License-Identifier: GPL-2.0
/* Fuzzes the config parser (common/config.c) and every check cell create makes (hypervisor/cell.c). */
#include "fuzz-cells.h"

/*
 * Input: one mode byte, then records of [flags u8][length u16][bytes].
 * The first record is the system config, the others cell configs.  Mode
 * bit 0 seals every config (its size and CRC-32 made right) so that
 * mutations reach the rules behind the header.  A cell record's flags:
 * bit 0 check only, bit 1 start it, bit 2 set it loadable, bit 3 destroy
 * it again.
 */
#define MODE_SEAL	0x01
#define CELL_CHECK_ONLY	0x01
#define CELL_START	0x02
#define CELL_LOADABLE	0x04
#define CELL_DESTROY	0x08

static uint64_t config_buffer[BULKHEAD_EXCHANGE_SIZE / 8];

/* The longest line refuse() keeps; a problem must fit it and say what to do (a "; "). */
static void check_problem(const char *problem)
{
	size_t length;

	FUZZ_ASSERT(problem != NULL);
	length = strlen(problem);
	FUZZ_ASSERT(length > 0 && length < BULKHEAD_CPU_FAILURE_SIZE);
	FUZZ_ASSERT(strchr(problem, ';') != NULL);
}

static void check_region_rules(const struct bulkhead_memory_region *r, bool is_root)
{
	FUZZ_ASSERT(r->size && !((r->phys_start | r->virt_start | r->size) & 0xfff));
	FUZZ_ASSERT((unsigned __int128)r->phys_start + r->size <= (unsigned __int128)1 << 64);
	FUZZ_ASSERT((unsigned __int128)r->virt_start + r->size <= (unsigned __int128)1 << 64);
	FUZZ_ASSERT(r->flags && !(r->flags & ~BULKHEAD_MEM_VALID_FLAGS));
	FUZZ_ASSERT(!is_root || (r->virt_start == r->phys_start &&
				 !(r->flags & BULKHEAD_MEM_NON_ROOT_FLAGS)));
}

/* An accepted config: every array inside the bytes given, and the rules of config-format.md. */
static void check_accepted(const struct config_view *view, const uint8_t *data, size_t size,
			   unsigned int kind)
{
	const struct bulkhead_cell *cell = view->cell;
	uint32_t i, j;

	FUZZ_ASSERT(view->header == (const void *)data && view->header->size == size);
	FUZZ_ASSERT((view->system != NULL) == (kind == BULKHEAD_CONFIG_KIND_SYSTEM));
	FUZZ_ASSERT(fuzz_in_buffer(cell, sizeof(*cell), data, size));
	FUZZ_ASSERT(fuzz_in_buffer(view->pci_devices,
				   cell->num_pci_devices * sizeof(view->pci_devices[0]), data, size));
	FUZZ_ASSERT((const uint8_t *)(view->pci_devices + cell->num_pci_devices) == data + size);
	FUZZ_ASSERT(memchr(cell->name, '\0', sizeof(cell->name)) && cell->name[0]);
	FUZZ_ASSERT(config_highest_cpu(view) < 64 * cell->cpu_set_words);
	FUZZ_ASSERT(config_cpu_in_set(view, 0) == (kind == BULKHEAD_CONFIG_KIND_SYSTEM));
	for (i = 0; i < cell->num_memory_regions; i++) {
		check_region_rules(&view->memory_regions[i], view->system != NULL);
		for (j = 0; j < i; j++)
			FUZZ_ASSERT(!fuzz_overlap(view->memory_regions[i].virt_start,
						  view->memory_regions[i].size,
						  view->memory_regions[j].virt_start,
						  view->memory_regions[j].size));
	}
	for (i = 0; i < cell->num_pio_regions; i++)
		FUZZ_ASSERT(view->pio_regions[i].length &&
			    view->pio_regions[i].base + (uint64_t)view->pio_regions[i].length <=
			    0x10000);
	if (view->system)
		for (i = 0; i < cell->num_memory_regions; i++)
			FUZZ_ASSERT(!fuzz_overlap(view->memory_regions[i].phys_start,
						  view->memory_regions[i].size,
						  view->system->hypervisor_memory.phys_start,
						  view->system->hypervisor_memory.size));
}

/*
 * The parser alone, on a heap copy of exactly the bytes given, so that
 * AddressSanitizer sees any read past them; as a system and as a cell
 * config, since the kind is the caller's choice.
 */
static void parse_both_kinds(const uint8_t *bytes, size_t size)
{
	static const unsigned int kinds[2] = { BULKHEAD_CONFIG_KIND_SYSTEM, BULKHEAD_CONFIG_KIND_CELL };
	uint8_t *copy = malloc(size ? size : 1);
	struct config_view view;
	const char *problem;
	unsigned int k;
	int err;

	memcpy(copy, bytes, size);
	for (k = 0; k < 2; k++) {
		problem = NULL;
		err = config_parse(copy, size, kinds[k], &view, &problem);
		FUZZ_ASSERT(err == 0 || err == -EINVAL);
		if (err)
			check_problem(problem);
		else
			check_accepted(&view, copy, size, kinds[k]);
	}
	FUZZ_ASSERT(memcmp(copy, bytes, size) == 0);
	free(copy);
}

/* One record into config_buffer (8-byte aligned, as the hypervisor's copies are); its length. */
static size_t next_record(struct fuzz_input *in, bool seal, uint8_t *flags)
{
	size_t length;
	const uint8_t *bytes;

	*flags = fuzz_u8(in);
	bytes = fuzz_take(in, fuzz_u16(in), &length);
	memset(config_buffer, 0, sizeof(config_buffer));
	memcpy(config_buffer, bytes, length);
	if (seal)
		fuzz_seal((uint8_t *)config_buffer, length, config_crc32);
	parse_both_kinds((const uint8_t *)config_buffer, length);
	return length;
}

/* A refusal names its reason in the caller's failure line and changes nothing. */
static void check_refused(int64_t result, const struct fuzz_cells_state *before)
{
	FUZZ_ASSERT(result < 0);
	FUZZ_ASSERT(fuzz_cells_unchanged(before));
	FUZZ_ASSERT(test_failure()[0] != '\0');
}

static void create_one(uint8_t flags, size_t length)
{
	struct fuzz_cells_state before;
	uint64_t create_flags = flags & CELL_CHECK_ONLY ? BULKHEAD_CELL_CREATE_CHECK_ONLY : 0;
	int64_t id;

	fuzz_cells_snapshot(&before);
	id = test_create(config_buffer, length, create_flags);
	FUZZ_TRACE("create (%zu bytes, flags 0x%x): %ld %s\n", length, flags, (long)id,
		   id < 0 ? test_failure() : "");
	if (id < 0)
		return check_refused(id, &before);
	if (create_flags) {
		/* A check that passes changes nothing either. */
		FUZZ_ASSERT(id == 0 && fuzz_cells_unchanged(&before));
		return;
	}
	FUZZ_ASSERT(id >= 1 && id <= MAX_CELLS && cell_by_id((uint64_t)id));
	FUZZ_ASSERT(cells_count() == before.count + 1);
	FUZZ_ASSERT(public_header()->pool_used == before.pool_used + CELL_POOL_PAGES);
	fuzz_check_cells();
	if (flags & CELL_LOADABLE)
		FUZZ_ASSERT(test_set_loadable((uint64_t)id) == 0);
	if (flags & CELL_START)
		FUZZ_ASSERT(test_start((uint64_t)id) == 0);
	if (flags & CELL_DESTROY) {
		fuzz_bound_shutdown((uint64_t)id);
		FUZZ_ASSERT(fuzz_destroy((uint64_t)id) == 0);
		FUZZ_ASSERT(public_header()->pool_used == before.pool_used);
	}
	fuzz_check_cells();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size, 0 };
	bool seal = fuzz_u8(&in) & MODE_SEAL;
	const char *problem = NULL;
	uint64_t pool_used;
	uint8_t flags;
	size_t length;

	length = next_record(&in, seal, &flags);
	if (test_reset(config_buffer, length, &problem)) {
		FUZZ_TRACE("system config refused: %s\n", problem);
		return 0;
	}
	pool_used = public_header()->pool_used;
	while (fuzz_left(&in) > 0) {
		length = next_record(&in, seal, &flags);
		create_one(flags, length);
	}
	fuzz_destroy_all(pool_used);
	return 0;
}
