// SPDX-License-Identifier: GPL-2.0
/* Host tests of the hypercall dispatcher: results, refusals, and that a refused call changes nothing. */
#include <setjmp.h>
#include <string.h>

#include "../../hypervisor/hypercall.c"

#include "unit.h"

#define CPUS 2

/* What hypercall.c uses from the rest of the hypervisor. */
struct bulkhead_image_header image_header = { .max_cpus = CPUS + 1 };
struct cell root_cell;
struct page_pool hv_pool = { .pages = 1496, .used = 19 };
uint8_t *public_area;

static uint8_t area[BULKHEAD_PUBLIC_SIZE(CPUS + 1)] __attribute__((aligned(4096)));
static uint64_t cpu_set = 0x3;	/* CPUs 0 and 1; CPU 2 exists but is not in the config */
static struct bulkhead_cell cell = { .name = "test" };
static jmp_buf deactivated;
static unsigned int deactivations;

int trace_error_at(int code, const char *file, unsigned int line)
{
	(void)file;
	(void)line;
	return code;
}

void printk(const char *format, ...)
{
	(void)format;
}

void arch_cpu_deactivate(struct per_cpu *cpu)
{
	(void)cpu;
	deactivations++;
	longjmp(deactivated, 1);
}

/* The cell calls, recorded: hypercall.c only routes them. */
static unsigned int cells_alive;
static uint64_t last_cell_call[2];
static char console_last;

unsigned int cells_count(void)
{
	return cells_alive;
}

uint64_t cells_pool_used(void)
{
	return hv_pool.used + 128ULL * cells_alive;
}

/* cell-console.c has its own test: here only whether the call gets there. */
int64_t cell_console_putc(struct cell *writer, struct per_cpu *cpu, char c)
{
	(void)cpu;
	if (!(writer->config.cell->flags & BULKHEAD_CELL_FLAG_CONSOLE_PUTC))
		return -EPERM;
	console_last = c;
	return 0;
}

static int64_t record_cell_call(uint64_t what, uint64_t arg)
{
	last_cell_call[0] = what;
	last_cell_call[1] = arg;
	return 7;
}

int64_t cell_create(unsigned int caller_cpu, uint64_t config_size, uint64_t flags)
{
	(void)caller_cpu;
	(void)flags;
	return record_cell_call(BULKHEAD_HC_CELL_CREATE, config_size);
}

int64_t cell_start(uint64_t id)
{
	return record_cell_call(BULKHEAD_HC_CELL_START, id);
}

int64_t cell_set_loadable(uint64_t id)
{
	return record_cell_call(BULKHEAD_HC_CELL_SET_LOADABLE, id);
}

int64_t cell_destroy(uint64_t id)
{
	return record_cell_call(BULKHEAD_HC_CELL_DESTROY, id);
}

int64_t cell_get_state(uint64_t id)
{
	return record_cell_call(BULKHEAD_HC_CELL_GET_STATE, id);
}

/* A TSC that moves clock_step cycles at each read: a call then takes that long. */
static uint64_t clock_now, clock_step;

uint64_t arch_read_timestamp(void)
{
	return clock_now += clock_step;
}

/* Hand-back requests, recorded. */
static uint64_t handed_back;

int arch_cpu_hand_back(unsigned int cpu)
{
	handed_back |= 1ULL << cpu;
	return 0;
}

static struct cell other_cell;
static struct bulkhead_cell other_cell_config = { .name = "other" };
static struct per_cpu cpu0;

static void setup(void)
{
	memset(area, 0, sizeof(area));
	public_area = area;
	root_cell.config.cell = &cell;
	root_cell.config.cpu_set = &cpu_set;
	cell.cpu_set_words = 1;
	public_cpu_page(0)->record.state = BULKHEAD_CPU_STATE_RUNNING;
	public_cpu_page(1)->record.state = BULKHEAD_CPU_STATE_FAILED;
	public_cpu_page(1)->exits[10].count = 5123;
	cpu0.cpu_id = 0;
	cpu0.page = public_cpu_page(0);
	cpu0.public = &cpu0.page->record;
	cpu0.cell = &root_cell;
	public_header()->pool_pages = 1496;
	deactivations = 0;
	cells_alive = 0;
	handed_back = 0;
	other_cell.cpus = 0x2;
	other_cell.config.cell = &other_cell_config;
	other_cell_config.flags = BULKHEAD_CELL_FLAG_CONSOLE_PUTC;
	console_last = 0;
	last_cell_call[0] = last_cell_call[1] = 0;
	clock_step = 0;
}

/* Makes the call and checks that it left the public area as it was. */
static int64_t unchanged_call(uint64_t code, uint64_t arg1, uint64_t arg2)
{
	static uint8_t before[sizeof(area)];
	int64_t result;

	memcpy(before, area, sizeof(area));
	result = hypercall(&cpu0, code, arg1, arg2);
	CHECK(memcmp(before, area, sizeof(area)) == 0);
	return result;
}

static void get_info_reports_the_pool_and_cells(void)
{
	setup();
	CHECK(unchanged_call(BULKHEAD_HC_HYPERVISOR_GET_INFO, BULKHEAD_INFO_MEM_POOL_SIZE, 0) == 1496);
	CHECK(unchanged_call(BULKHEAD_HC_HYPERVISOR_GET_INFO, BULKHEAD_INFO_MEM_POOL_USED, 0) == 19);
	CHECK(unchanged_call(BULKHEAD_HC_HYPERVISOR_GET_INFO, BULKHEAD_INFO_REMAP_POOL_SIZE, 0) == 0);
	CHECK(unchanged_call(BULKHEAD_HC_HYPERVISOR_GET_INFO, BULKHEAD_INFO_NUM_CELLS, 0) == 1);
}

static void get_info_refuses_an_unknown_type(void)
{
	setup();
	CHECK(unchanged_call(BULKHEAD_HC_HYPERVISOR_GET_INFO, 5, 0) == -EINVAL);
	CHECK(unchanged_call(BULKHEAD_HC_HYPERVISOR_GET_INFO, ~0ULL, 0) == -EINVAL);
}

static void cpu_info_reports_state_and_exits(void)
{
	setup();
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, 0, BULKHEAD_CPU_INFO_STATE) ==
	      BULKHEAD_CPU_STATE_RUNNING);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, 1, BULKHEAD_CPU_INFO_STATE) ==
	      BULKHEAD_CPU_STATE_FAILED);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, 1, BULKHEAD_CPU_INFO_STAT_BASE + 10) == 5123);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, 1, BULKHEAD_CPU_INFO_STAT_BASE + 11) == 0);
}

static void cpu_info_refuses_bad_cpus_and_types(void)
{
	setup();
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, 2, BULKHEAD_CPU_INFO_STATE) == -EINVAL);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, 3, BULKHEAD_CPU_INFO_STATE) == -EINVAL);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, ~0ULL, BULKHEAD_CPU_INFO_STATE) == -EINVAL);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, 0, 1) == -EINVAL);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, 0,
			     BULKHEAD_CPU_INFO_STAT_BASE + BULKHEAD_EXIT_STATS) == -EINVAL);
}

static void unknown_and_future_codes_are_enosys(void)
{
	setup();
	CHECK(unchanged_call(99, 0, 0) == -ENOSYS);
	CHECK(unchanged_call(BULKHEAD_HC_DEBUG_CONSOLE_PUTC, 'x', 0) == -ENOSYS);
}

static void cell_calls_reach_cell_management(void)
{
	static const uint64_t codes[] = {
		BULKHEAD_HC_CELL_CREATE, BULKHEAD_HC_CELL_START, BULKHEAD_HC_CELL_SET_LOADABLE,
		BULKHEAD_HC_CELL_DESTROY, BULKHEAD_HC_CELL_GET_STATE,
	};
	unsigned int i;

	setup();
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		CHECK(hypercall(&cpu0, codes[i], 40 + i, 0) == 7);
		CHECK(last_cell_call[0] == codes[i] && last_cell_call[1] == 40 + i);
	}
}

/* Only an offline root CPU other than the caller's, and only with no cell left. */
static void hand_back_is_for_other_root_cpus_without_cells(void)
{
	setup();
	CHECK(unchanged_call(BULKHEAD_HC_CPU_HAND_BACK, 0, 0) == -EINVAL);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_HAND_BACK, 2, 0) == -EINVAL);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_HAND_BACK, ~0ULL, 0) == -EINVAL);
	cells_alive = 1;
	CHECK(unchanged_call(BULKHEAD_HC_CPU_HAND_BACK, 1, 0) == -EBUSY);
	CHECK(handed_back == 0);
	cells_alive = 0;
	CHECK(hypercall(&cpu0, BULKHEAD_HC_CPU_HAND_BACK, 1, 0) == 0 && handed_back == 0x2);
}

static void inmates_may_only_read_and_print(void)
{
	setup();
	cpu0.cell = &other_cell;
	CHECK(unchanged_call(BULKHEAD_HC_DISABLE, 0, 0) == -EPERM);
	CHECK(unchanged_call(BULKHEAD_HC_CELL_CREATE, 0x1000, 0) == -EPERM);
	CHECK(unchanged_call(BULKHEAD_HC_CELL_DESTROY, 1, 0) == -EPERM);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_HAND_BACK, 1, 0) == -EPERM && handed_back == 0);
	CHECK(last_cell_call[0] == 0);
	/* Its own CPUs' state and counters, nobody else's. */
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, 1, BULKHEAD_CPU_INFO_STAT_BASE + 10) == 5123);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, 0, BULKHEAD_CPU_INFO_STATE) == -EPERM);
	CHECK(unchanged_call(BULKHEAD_HC_CPU_GET_INFO, 64, BULKHEAD_CPU_INFO_STATE) == -EPERM);
	CHECK(unchanged_call(BULKHEAD_HC_HYPERVISOR_GET_INFO, BULKHEAD_INFO_MEM_POOL_SIZE, 0) == 1496);
	CHECK(hypercall(&cpu0, BULKHEAD_HC_DEBUG_CONSOLE_PUTC, 'x', 0) == 0);
	CHECK(console_last == 'x');
	/* Without console-putc in its config, not even that. */
	other_cell_config.flags = 0;
	CHECK(unchanged_call(BULKHEAD_HC_DEBUG_CONSOLE_PUTC, 'y', 0) == -EPERM && console_last == 'x');
	CHECK(deactivations == 0);
}

static void disable_refused_while_cells_exist(void)
{
	setup();
	cells_alive = 1;
	CHECK(unchanged_call(BULKHEAD_HC_DISABLE, 0, 0) == -EBUSY);
	CHECK(deactivations == 0);
	CHECK(unchanged_call(BULKHEAD_HC_HYPERVISOR_GET_INFO, BULKHEAD_INFO_MEM_POOL_USED, 0) ==
	      19 + 128);
	CHECK(unchanged_call(BULKHEAD_HC_HYPERVISOR_GET_INFO, BULKHEAD_INFO_NUM_CELLS, 0) == 2);
}

static void disable_hands_the_cpu_back(void)
{
	setup();
	if (!setjmp(deactivated))
		hypercall(&cpu0, BULKHEAD_HC_DISABLE, 0, 0);
	CHECK(deactivations == 1);
	CHECK(public_cpu_page(0)->record.state == BULKHEAD_CPU_STATE_OFF);
}

/* Each CPU keeps the longest time one of its hypercalls ran; a shorter one leaves it. */
static void the_longest_hypercall_is_kept_per_cpu(void)
{
	setup();
	clock_step = 300;
	CHECK(hypercall(&cpu0, BULKHEAD_HC_CELL_DESTROY, 1, 0) == 7);
	CHECK(cpu0.page->longest_hypercall_cycles == 300);
	clock_step = 100;
	CHECK(hypercall(&cpu0, BULKHEAD_HC_CELL_GET_STATE, 1, 0) == 7);
	CHECK(hypercall(&cpu0, 99, 0, 0) == -ENOSYS);
	CHECK(cpu0.page->longest_hypercall_cycles == 300);
	clock_step = 900;
	cpu0.cell = &other_cell;
	CHECK(hypercall(&cpu0, BULKHEAD_HC_CELL_DESTROY, 1, 0) == -EPERM);
	CHECK(cpu0.page->longest_hypercall_cycles == 900);
	CHECK(public_cpu_page(1)->longest_hypercall_cycles == 0);
}

int main(void)
{
	RUN(get_info_reports_the_pool_and_cells);
	RUN(get_info_refuses_an_unknown_type);
	RUN(cpu_info_reports_state_and_exits);
	RUN(cpu_info_refuses_bad_cpus_and_types);
	RUN(unknown_and_future_codes_are_enosys);
	RUN(disable_hands_the_cpu_back);
	RUN(cell_calls_reach_cell_management);
	RUN(hand_back_is_for_other_root_cpus_without_cells);
	RUN(inmates_may_only_read_and_print);
	RUN(disable_refused_while_cells_exist);
	RUN(the_longest_hypercall_is_kept_per_cpu);
	return unit_report("C unit: hypercalls");
}
