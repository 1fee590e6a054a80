// SPDX-License-Identifier: GPL-2.0
/* Fuzzes the hypercall dispatcher (hypervisor/hypercall.c) over the real cell management, arch faked. */
#include <setjmp.h>

#include "fuzz-cells.h"
#include "../../hypervisor/hypercall.c"

/*
 * The machine is the system config in $BULKHEAD_FUZZ_SYSTEM (default
 * build/configs/bochs-system-4cpu.cell: CPUs 0-3).  Input: operations
 * until its end, each one byte first:
 *   0x00-0x7f  hypercall op & 0x1f from CPU [u8] % 8 with [u64] [u64]:
 *              Linux's CPUs call as the root cell, a cell's as the cell;
 *   0x80-0xbf  the driver writes [u16] bytes to the exchange area (a
 *              config for create), sealed when bit 0 is set;
 *   0xc0-0xff  cell [u8]'s inmate writes [u8] to its comm region's state
 *              and [u8] as its reply.
 */
#define OP_EXCHANGE	0x80
#define OP_INMATE	0xc0
#define DEFAULT_SYSTEM	"build/configs/bochs-system-4cpu.cell"

static uint64_t system_config[BULKHEAD_CONFIG_MAX_SIZE / 8];
static size_t system_size;
static jmp_buf disabled;
static unsigned int disables, hand_backs;

void arch_cpu_deactivate(struct per_cpu *cpu)
{
	(void)cpu;
	disables++;
	longjmp(disabled, 1);
}

int arch_cpu_hand_back(unsigned int cpu)
{
	(void)cpu;
	hand_backs++;
	return 0;
}

/* cell-console.c has its own tests: here only who may print. */
int64_t cell_console_putc(struct cell *writer, struct per_cpu *cpu, char c)
{
	(void)cpu;
	(void)c;
	return writer->config.cell->flags & BULKHEAD_CELL_FLAG_CONSOLE_PUTC ? 0 : -EPERM;
}

static uint64_t call_code, call_arg1, call_arg2;

static int64_t call_on_test_cpu(void)
{
	if (setjmp(disabled))
		return 0;
	return hypercall(&test_cpu, call_code, call_arg1, call_arg2);
}

/* The cell that holds @cpu, or the root cell. */
static struct cell *cell_of(unsigned int cpu)
{
	struct cell *cell;

	for (cell = cells; cell < cells + MAX_CELLS; cell++)
		if (cell->phase != CELL_UNUSED && ((cell->cpus >> cpu) & 1))
			return cell;
	return &root_cell;
}

static bool is_management(uint64_t code)
{
	return code == BULKHEAD_HC_DISABLE || code == BULKHEAD_HC_CELL_CREATE ||
	       code == BULKHEAD_HC_CELL_START || code == BULKHEAD_HC_CELL_SET_LOADABLE ||
	       code == BULKHEAD_HC_CELL_DESTROY || code == BULKHEAD_HC_CELL_GET_STATE ||
	       code == BULKHEAD_HC_CPU_HAND_BACK;
}

/* What a call must have left: a cell's CPU manages nothing, a refusal changes nothing. */
static void check_call(const struct cell *caller, const struct fuzz_cells_state *before,
		       unsigned int disables_before, unsigned int hand_backs_before, int64_t result)
{
	if (caller != &root_cell && is_management(call_code))
		FUZZ_ASSERT(result == -EPERM);
	if (caller != &root_cell || result < 0) {
		FUZZ_ASSERT(fuzz_cells_unchanged(before));
		FUZZ_ASSERT(disables == disables_before && hand_backs == hand_backs_before);
	}
	if (disables != disables_before || hand_backs != hand_backs_before)
		FUZZ_ASSERT(before->count == 0);
	if (call_code == BULKHEAD_HC_HYPERVISOR_GET_INFO && call_arg1 == BULKHEAD_INFO_NUM_CELLS)
		FUZZ_ASSERT(result == 1 + cells_count());
	if (call_code == BULKHEAD_HC_HYPERVISOR_GET_INFO && call_arg1 == BULKHEAD_INFO_MEM_POOL_USED)
		FUZZ_ASSERT((uint64_t)result == public_header()->pool_used);
	if (caller == &root_cell && call_code == BULKHEAD_HC_CELL_CREATE && result > 0)
		FUZZ_ASSERT(cells_count() == before->count + 1);
	if (caller == &root_cell && call_code == BULKHEAD_HC_CELL_DESTROY && result == 0)
		FUZZ_ASSERT(cells_count() == before->count - 1);
}

/* One hypercall; false once Linux disabled the hypervisor. */
static bool do_hypercall(uint8_t op, struct fuzz_input *in)
{
	unsigned int cpu = fuzz_u8(in) % TEST_MAX_CPUS, disables_before = disables;
	unsigned int hand_backs_before = hand_backs;
	struct fuzz_cells_state before;
	struct cell *caller = cell_of(cpu);
	int64_t result;

	call_code = op & 0x1f;
	call_arg1 = fuzz_u64(in);
	call_arg2 = fuzz_u64(in);
	if (caller == &root_cell && (call_code == BULKHEAD_HC_CELL_DESTROY ||
				     call_code == BULKHEAD_HC_CELL_SET_LOADABLE))
		fuzz_bound_shutdown(call_arg1);
	test_cpu.cpu_id = cpu;
	test_cpu.page = public_cpu_page(cpu);
	test_cpu.public = &test_cpu.page->record;
	test_cpu.cell = caller;
	fuzz_cells_snapshot(&before);
	result = on_test_cpu(call_on_test_cpu);
	FUZZ_TRACE("CPU %u hypercall %lu (0x%lx, 0x%lx): %ld\n", cpu, (unsigned long)call_code,
		   (unsigned long)call_arg1, (unsigned long)call_arg2, (long)result);
	check_call(caller, &before, disables_before, hand_backs_before, result);
	fuzz_check_cells();
	return disables == disables_before;
}

static void driver_writes_exchange(uint8_t op, struct fuzz_input *in)
{
	uint8_t *exchange = public_area + BULKHEAD_PUBLIC_EXCHANGE_OFFSET(image_header.max_cpus);
	size_t length;
	const uint8_t *bytes = fuzz_take(in, fuzz_u16(in), &length);

	memset(exchange, 0, BULKHEAD_EXCHANGE_SIZE);
	memcpy(exchange, bytes, length);
	if (op & 1)
		fuzz_seal(exchange, length, config_crc32);
}

/* The inmate owns its comm region and may write anything there. */
static void inmate_writes_comm_region(struct fuzz_input *in)
{
	struct cell *cell = cell_by_id(fuzz_u8(in));
	uint8_t state = fuzz_u8(in), reply = fuzz_u8(in);

	if (!cell || cell->phase != CELL_STARTED)
		return;
	cell->comm_region->cell_state = state;
	cell->comm_region->reply_from_cell = reply;
}

/* Loads the system config once; each input starts from a freshly enabled hypervisor. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("BULKHEAD_FUZZ_SYSTEM");
	const char *problem = NULL;

	(void)argc;
	(void)argv;
	system_size = fuzz_read_file(path ? path : DEFAULT_SYSTEM, (uint8_t *)system_config,
				     sizeof(system_config));
	if (test_reset(system_config, system_size, &problem)) {
		fprintf(stderr, "fuzz: the system config is refused: %s\n", problem);
		exit(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size, 0 };
	const char *problem = NULL;
	uint64_t pool_used;

	FUZZ_ASSERT(test_reset(system_config, system_size, &problem) == 0);
	pool_used = public_header()->pool_used;
	while (fuzz_left(&in) > 0) {
		uint8_t op = fuzz_u8(&in);

		if (op >= OP_INMATE) {
			inmate_writes_comm_region(&in);
		} else if (op >= OP_EXCHANGE) {
			driver_writes_exchange(op, &in);
		} else if (!do_hypercall(op, &in)) {
			FUZZ_ASSERT(cells_count() == 0);
			return 0;
		}
	}
	test_cpu.cpu_id = 0;
	test_cpu.page = public_cpu_page(0);
	test_cpu.public = &test_cpu.page->record;
	test_cpu.cell = &root_cell;
	fuzz_destroy_all(pool_used);
	return 0;
}
