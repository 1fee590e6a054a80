/* SPDX-License-Identifier: GPL-2.0 */
/* hypervisor/cell.c on the host: the rest of the hypervisor faked, arch hooks recorded. */
#ifndef BULKHEAD_TEST_CELL_STUBS_H
#define BULKHEAD_TEST_CELL_STUBS_H

#include <string.h>
#include <ucontext.h>

#include "../../hypervisor/cell.c"
#include "../../hypervisor/printk.c"

/* CPUs the public area has room for; image_header.max_cpus may be set lower. */
#define TEST_MAX_CPUS		8
/* Room for the cells' slices (cells_init() takes them from the end) and for what setup used. */
#define TEST_POOL_PAGES		(MAX_CELLS * CELL_POOL_PAGES + 64)
#define TEST_POOL_USED		19

/* What cell.c uses from the rest of the hypervisor. */
struct bulkhead_image_header image_header = { .max_cpus = TEST_MAX_CPUS };
struct cell root_cell;
struct page_pool hv_pool;
uint8_t *public_area;

static uint8_t test_public[BULKHEAD_PUBLIC_SIZE(TEST_MAX_CPUS)] __attribute__((aligned(4096)));
static uint8_t test_pool[TEST_POOL_PAGES * PAGE_SIZE] __attribute__((aligned(4096)));
static uint64_t test_root_config[BULKHEAD_CONFIG_MAX_SIZE / 8];
/* The last line printk() formatted, for a test that fails to show. */
static char test_log[256];

int trace_error_at(int code, const char *file, unsigned int line)
{
	(void)file;
	(void)line;
	return code;
}

void printk(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	format_string(test_log, sizeof(test_log), format, args);
	va_end(args);
}

uint64_t virt_to_phys(const void *address)
{
	return (uint64_t)(uintptr_t)address;
}

/*
 * The arch hooks, recorded in order.  A test arms arch_fail[] to make the
 * next call of a hook fail with that error; the fakes change nothing else
 * but what the real ones must (a create takes the comm region's page from
 * the cell's pool, as arch/x86/cell.c does).
 */
enum arch_hook {
	ARCH_CREATE, ARCH_DESTROY, ARCH_LOADABLE, ARCH_NOT_LOADABLE,
	ARCH_TAKE, ARCH_START, ARCH_STOP, ARCH_RELEASE, ARCH_HOOKS,
};

struct arch_call {
	enum arch_hook hook;
	unsigned int cell;
	uint64_t cpus;
};

#define ARCH_LOG_SIZE	64

static struct arch_call arch_log[ARCH_LOG_SIZE];
static unsigned int arch_calls;
static int arch_fail[ARCH_HOOKS];

static inline int arch_record(enum arch_hook hook, const struct cell *cell)
{
	int err = arch_fail[hook];

	if (arch_calls < ARCH_LOG_SIZE)
		arch_log[arch_calls] = (struct arch_call){ hook, cell->id, cell->cpus };
	arch_calls++;
	arch_fail[hook] = 0;
	return err;
}

int arch_cell_create(struct cell *cell)
{
	int err = arch_record(ARCH_CREATE, cell);

	if (err)
		return err;
	cell->comm_region = (struct bulkhead_comm_region *)paging_alloc_table(&cell->pool);
	return cell->comm_region ? 0 : -ENOMEM;
}

void arch_cell_destroy(struct cell *cell)
{
	arch_record(ARCH_DESTROY, cell);
}

int arch_cell_set_loadable(struct cell *cell, bool loadable)
{
	return arch_record(loadable ? ARCH_LOADABLE : ARCH_NOT_LOADABLE, cell);
}

int arch_cell_take_cpus(struct cell *cell)
{
	return arch_record(ARCH_TAKE, cell);
}

void arch_cell_start_cpus(struct cell *cell)
{
	arch_record(ARCH_START, cell);
}

int arch_cell_stop_cpus(struct cell *cell)
{
	return arch_record(ARCH_STOP, cell);
}

int arch_cell_release_cpus(struct cell *cell)
{
	return arch_record(ARCH_RELEASE, cell);
}

/* A clock that ticks once a read at 1 kHz: a shutdown request times out after its milliseconds. */
static uint64_t test_clock;

uint64_t arch_read_timestamp(void)
{
	return test_clock++;
}

uint32_t arch_tsc_khz(void)
{
	return 1;
}

#define TEST_APIC_TIMER_KHZ	100000

uint32_t arch_apic_timer_khz(void)
{
	return TEST_APIC_TIMER_KHZ;
}

/*
 * cell.c finds its CPU by rounding the stack pointer down (this_cpu()), so
 * every call into it runs on the stack inside test_cpu.
 */
static struct per_cpu test_cpu __attribute__((aligned(PERCPU_SIZE)));
static ucontext_t test_caller_context, test_cpu_context;
static int64_t (*test_call)(void);
static int64_t test_result;

static inline void test_cpu_entry(void)
{
	test_result = test_call();
}

static inline int64_t on_test_cpu(int64_t (*call)(void))
{
	test_call = call;
	getcontext(&test_cpu_context);
	test_cpu_context.uc_stack.ss_sp = test_cpu.stack;
	test_cpu_context.uc_stack.ss_size = sizeof(test_cpu.stack);
	test_cpu_context.uc_link = &test_caller_context;
	makecontext(&test_cpu_context, test_cpu_entry, 0);
	swapcontext(&test_caller_context, &test_cpu_context);
	return test_result;
}

/* The failure line cell.c left for the driver in the calling CPU's public page. */
static inline const char *test_failure(void)
{
	return test_cpu.page->failure;
}

/*
 * Everything cell.c sees, as after enable: the pool with the cells' slices
 * carved off, an empty public area, no cells, no arch calls, and @config
 * (a system config) as the root cell.  Returns config_parse()'s result.
 */
static inline int test_reset(const void *config, size_t size, const char **problem)
{
	memset(test_public, 0, sizeof(test_public));
	public_area = test_public;
	public_header()->pool_pages = TEST_POOL_PAGES;
	public_header()->pool_used = TEST_POOL_USED;
	hv_pool = (struct page_pool){ .virt = test_pool, .phys = (uint64_t)(uintptr_t)test_pool,
				      .pages = TEST_POOL_PAGES, .used = TEST_POOL_USED };
	cell_pools = NULL;
	cells_init();
	memset(cells, 0, sizeof(cells));
	memset(&root_cell, 0, sizeof(root_cell));
	memset(test_root_config, 0, sizeof(test_root_config));
	memcpy(test_root_config, config,
	       size < sizeof(test_root_config) ? size : sizeof(test_root_config));
	test_cpu.cpu_id = 0;
	test_cpu.page = public_cpu_page(0);
	test_cpu.public = &test_cpu.page->record;
	test_cpu.cell = &root_cell;
	arch_calls = 0;
	memset(arch_fail, 0, sizeof(arch_fail));
	return config_parse(test_root_config, size, BULKHEAD_CONFIG_KIND_SYSTEM, &root_cell.config,
			    problem);
}

static unsigned int test_caller_cpu;
static uint64_t test_size, test_flags, test_id;

static inline int64_t call_create(void)
{
	return cell_create(test_caller_cpu, test_size, test_flags);
}

static inline int64_t call_destroy(void)
{
	return cell_destroy(test_id);
}

static inline int64_t call_start(void)
{
	return cell_start(test_id);
}

static inline int64_t call_set_loadable(void)
{
	return cell_set_loadable(test_id);
}

/*
 * The cell create hypercall from CPU @caller: @length bytes of @config in
 * the exchange area (as the driver leaves them), @size the size it passes.
 */
static inline int64_t test_create_as(unsigned int caller, const void *config, size_t length,
				     uint64_t size, uint64_t flags)
{
	uint8_t *exchange = public_area + BULKHEAD_PUBLIC_EXCHANGE_OFFSET(image_header.max_cpus);

	memset(exchange, 0, BULKHEAD_EXCHANGE_SIZE);
	memcpy(exchange, config, length < BULKHEAD_EXCHANGE_SIZE ? length : BULKHEAD_EXCHANGE_SIZE);
	test_caller_cpu = caller;
	test_size = size;
	test_flags = flags;
	return on_test_cpu(call_create);
}

static inline int64_t test_create(const void *config, size_t size, uint64_t flags)
{
	return test_create_as(0, config, size, size, flags);
}

static inline int64_t test_destroy(uint64_t id)
{
	test_id = id;
	return on_test_cpu(call_destroy);
}

static inline int64_t test_start(uint64_t id)
{
	test_id = id;
	return on_test_cpu(call_start);
}

static inline int64_t test_set_loadable(uint64_t id)
{
	test_id = id;
	return on_test_cpu(call_set_loadable);
}

#endif
