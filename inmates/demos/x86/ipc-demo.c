// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ipc-demo: keeps a counter and a signature in memory shared with the root cell, and echoes what Linux writes there. */
#include <inmate.h>

#define NAME		"ipc-demo"
/* Guest-physical address of the root-shared page, as configs/x86/ipc-demo.dts maps it. */
#define DEFAULT_SHMEM	0x200000

#define IPC_SIGNATURE	"BULKHEAD-IPC-DEMO"
#define IPC_VERSION	1
#define IPC_RUNNING	1
#define IPC_STOPPED	2

/*
 * The shared page, little-endian, as Linux sees it at the region's host
 * address (inmates/README.md shows how to read it):
 */
struct ipc_page {
	char signature[32];		/* 0: "BULKHEAD-IPC-DEMO", NUL-padded */
	uint32_t version;		/* 32: IPC_VERSION */
	uint32_t state;			/* 36: 1 running, 2 stopped */
	uint64_t counter;		/* 40: +1 every period */
	uint64_t period_ms;		/* 48 */
	uint32_t apic_id;		/* 56: the CPU writing */
	uint32_t from_root;		/* 60: Linux may write any value here ... */
	uint32_t echo;			/* 64: ... and the inmate copies it here */
	uint32_t reserved;		/* 68 */
	char message[64];		/* 72: "ipc-demo: counter N", NUL-terminated */
};
_Static_assert(sizeof(struct ipc_page) == 136, "ipc page layout");

static void publish(volatile struct ipc_page *page, uint64_t counter)
{
	char message[sizeof(page->message)];
	size_t n;

	format_snprintf(message, sizeof(message), NAME ": counter %lu", counter);
	for (n = 0; n < sizeof(message); n++)
		page->message[n] = message[n];
	barrier();
	page->counter = counter;
}

static void page_init(volatile struct ipc_page *page, uint64_t period_ms)
{
	const char signature[sizeof(page->signature)] = IPC_SIGNATURE;
	size_t n;

	page->state = 0;
	barrier();
	for (n = 0; n < sizeof(signature); n++)
		page->signature[n] = signature[n];
	page->version = IPC_VERSION;
	page->period_ms = period_ms;
	page->apic_id = cpu_id();
	page->from_root = 0;
	page->echo = 0;
	publish(page, 0);
	barrier();
	page->state = IPC_RUNNING;
}

static void answer_shutdown(volatile struct ipc_page *page, enum shutdown_policy policy)
{
	if (!comm_shutdown_requested())
		return;
	if (policy == SHUTDOWN_APPROVE)
		page->state = IPC_STOPPED;
	comm_answer_shutdown(NAME, policy);
}

/* Copies a new value from Linux back and reports it. */
static void echo_root(volatile struct ipc_page *page)
{
	uint32_t value = page->from_root;

	if (value == page->echo)
		return;
	page->echo = value;
	printk(NAME ": root wrote %u\n", value);
}

void inmate_main(void)
{
	enum shutdown_policy policy = shutdown_policy_from_cmdline();
	long long address = cmdline_parse_int("shmem", DEFAULT_SHMEM);
	long long period_ms = cmdline_parse_int("period-ms", 100);
	volatile struct ipc_page *page;
	uint64_t counter = 0, next;

	if (address <= 0 || address % 8 || address >= (1LL << 32) - (long long)sizeof(*page)) {
		printk(NAME ": shmem=%#llx is not a usable address below 4 GiB\n", address);
		inmate_halt();
	}
	if (period_ms < 1 || period_ms > 60000)
		period_ms = 100;
	page = (volatile struct ipc_page *)(uintptr_t)address;
	page_init(page, (uint64_t)period_ms);
	printk(NAME ": writing counter and signature \"" IPC_SIGNATURE "\" at %#llx every %lld ms\n",
	       address, period_ms);

	next = tsc_read() + ns_to_tsc((uint64_t)period_ms * 1000000);
	for (;;) {
		while ((int64_t)(tsc_read() - next) < 0) {
			answer_shutdown(page, policy);
			echo_root(page);
			cpu_relax();
		}
		publish(page, ++counter);
		if (counter % 10 == 0)
			printk(NAME ": counter %lu\n", counter);
		next += ns_to_tsc((uint64_t)period_ms * 1000000);
	}
}
