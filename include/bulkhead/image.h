/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Header at the start of the hypervisor image bulkhead-intel.bin. */
#ifndef BULKHEAD_IMAGE_H
#define BULKHEAD_IMAGE_H

#include <bulkhead/types.h>

#define BULKHEAD_IMAGE_MAGIC		"BHIMAGE1"
#define BULKHEAD_IMAGE_MAGIC_SIZE	8
/* Bumped whenever the image header or the entry contract changes. */
#define BULKHEAD_ABI_REVISION		4
#define BULKHEAD_IMAGE_FIRMWARE		"bulkhead-intel.bin"

/*
 * The image is linked to run at BULKHEAD_BASE in the hypervisor's own address
 * space.  Hypervisor memory (the region the system config names) is laid out
 * from its start as:
 *
 *   [0, core_size)            the image: text, then data and bss
 *   [percpu_offset, +n*size)  one per-CPU area for each CPU of the system
 *   [public_offset, ...)      what Linux may read while the hypervisor runs:
 *                             struct bulkhead_public, the console ring and
 *                             one struct bulkhead_cpu_page per CPU
 *   [config_offset, ...)      the system config, copied by the driver
 *   [page_pool_offset, end)   free pages: the driver's page tables come first
 *
 * The driver fills in the fields marked "driver" before calling the entry.
 */
#define BULKHEAD_BASE			0xfffffffff0000000ULL

/*
 * The hypervisor's code and data selectors are Linux's (__KERNEL_CS and
 * __KERNEL_DS on x86-64): the driver's bridge GDT (driver/bridge.c) then
 * serves whichever of the two runs when an NMI arrives during a switch.
 */
#define BULKHEAD_SELECTOR_CODE		0x10
#define BULKHEAD_SELECTOR_DATA		0x18

/*
 * Entry contract: called on each CPU with interrupts disabled, through the
 * driver's trampoline, which has switched CR3 to the hypervisor's page
 * tables and RSP to the top of this CPU's per-CPU area, after the driver
 * filled in the CPU's struct bulkhead_linux_state:
 *
 *   int entry(unsigned int cpu_id, u64 linux_cr3);
 *
 * On success the call returns 0 in VMX non-root operation: Linux carries on
 * as the root cell's guest.  On failure it returns a negative errno with the
 * CPU untouched.
 *
 * After enable, hypervisor memory is invisible to Linux except the public
 * area, which the root cell may read but not write.
 */
struct bulkhead_image_header {
	char magic[BULKHEAD_IMAGE_MAGIC_SIZE];
	uint32_t abi_revision;
	uint32_t header_size;
	uint64_t text_size;		/* page aligned, mapped read/execute */
	uint64_t image_size;		/* bytes in the file */
	uint64_t core_size;		/* image plus bss, page aligned */
	uint64_t percpu_size;		/* one per-CPU area, a power of two */
	uint64_t entry_offset;
	/* driver */
	uint64_t memory_phys;
	uint64_t memory_size;
	uint64_t percpu_offset;
	uint64_t public_offset;
	uint64_t config_offset;
	uint64_t page_pool_offset;
	uint32_t max_cpus;
	uint32_t page_pool_used;	/* pages the driver's page tables took */
	uint32_t test_flags;		/* BULKHEAD_TEST_*, honoured with CONFIG_BULKHEAD_TEST_HOOKS */
	uint32_t reserved;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_image_header) == 120, "image header size");

/* Test hooks: break one VMCS field so the software check must catch it. */
#define BULKHEAD_TEST_BREAK_VMCS	(1U << 0)

/* What the entry found on a CPU. */
#define BULKHEAD_CPU_ARRIVED		(1U << 0)
#define BULKHEAD_CPU_OWN_PAGE_TABLES	(1U << 1)
#define BULKHEAD_CPU_OWN_GDT		(1U << 2)
#define BULKHEAD_CPU_OWN_IDT		(1U << 3)
#define BULKHEAD_CPU_EXCEPTION_OK	(1U << 4)
#define BULKHEAD_CPU_RETURNED		(1U << 5)
#define BULKHEAD_CPU_VMX_OK		(1U << 6)	/* Linux runs as a guest on it */
#define BULKHEAD_CPU_PARKED		(1U << 7)	/* stopped for good; see the console */
#define BULKHEAD_CPU_XAPIC_EMULATED	(1U << 8)	/* x2APIC hardware, Linux's xAPIC emulated */
/* The IDT, GDT and stack it was entered with are mapped in the hypervisor's tables too. */
#define BULKHEAD_CPU_ENTRY_TABLES_MAPPED (1U << 9)

/*
 * A CPU's state, as CPU get info (state) also reports it, with Jailhouse's
 * values.  FAILED: a cell's CPU stopped by a fault of its inmate or unable
 * to start it (destroying the cell hands it back to Linux), or a CPU parked
 * after a failure (flag BULKHEAD_CPU_PARKED; only a reboot recovers it).
 */
#define BULKHEAD_CPU_STATE_RUNNING	0
#define BULKHEAD_CPU_STATE_FAILED	2
#define BULKHEAD_CPU_STATE_OFF		3	/* not (or no longer) under the hypervisor */

struct bulkhead_cpu_public {
	uint32_t cpu_id;
	uint32_t apic_id;
	uint32_t flags;
	int32_t result;
	uint64_t entries;
	uint64_t arrival_tsc;
	uint32_t fault_vector;
	uint32_t error_line;		/* source line of the last error (debug builds) */
	uint64_t fault_rip;
	uint32_t state;
	uint32_t cell_id;		/* 0: the root cell */
	uint64_t exits;			/* VM exits handled on this CPU */
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_cpu_public) == 64, "cpu public size");

/* A segment register in the VMCS format (access rights as in SDM Vol. 3C, 24.4.1). */
struct bulkhead_segment {
	uint16_t selector;
	uint16_t reserved;
	uint32_t access_rights;
	uint32_t limit;
	uint32_t reserved2;
	uint64_t base;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_segment) == 24, "segment size");

/*
 * Linux's state on a CPU that the hypervisor cannot read itself: Linux's
 * GDT is not mapped on the hypervisor's page tables.  The driver fills it in
 * on the CPU just before the entry call.
 */
struct bulkhead_linux_state {
	struct bulkhead_segment cs, ss, ds, es, fs, gs, tr, ldtr;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_linux_state) == 192, "linux state size");

/* Exit statistics: count and time in the hypervisor, in TSC cycles. */
#define BULKHEAD_EXIT_STATS		72
struct bulkhead_exit_stat {
	uint64_t count;
	uint64_t total_cycles;
	uint64_t max_cycles;
} BULKHEAD_PACKED;

/*
 * Events the hypervisor counts on a CPU: what it refused, dropped or
 * confined for the guest there, and where the NMIs it took went.
 */
enum bulkhead_event {
	BULKHEAD_EVENT_IPI_DROPPED,	/* IPI destinations outside the sender's cell left out */
	BULKHEAD_EVENT_IPI_REFUSED,	/* IPIs not sent at all (SMI, reserved, across cells) */
	BULKHEAD_EVENT_APIC_REFUSED,	/* APIC base or LVT writes refused with #GP */
	BULKHEAD_EVENT_CACHE_CONFINED,	/* WBINVD or INVD of a cell not run on shared caches */
	BULKHEAD_EVENT_NMI_HYPERVISOR,	/* NMIs that carried the hypervisor's own work */
	BULKHEAD_EVENT_NMI_GUEST,	/* NMIs handed to the guest */
	BULKHEAD_EVENT_CONSOLE_DROPPED,	/* console bytes of a cell over its rate limit */
	BULKHEAD_EVENT_WAIT_WAKEUPS,	/* times a waiting CPU woke from HLT to look at its work */
	BULKHEAD_EVENT_IOAPIC_DROPPED,	/* IOAPIC writes to another cell's pin or register, dropped */
	BULKHEAD_EVENT_IOAPIC_REFUSED,	/* redirection entries left masked (NMI/SMI/INIT/ExtINT, foreign CPU) */
	BULKHEAD_EVENT_TYPES,
};
#define BULKHEAD_EVENTS			16
_Static_assert(BULKHEAD_EVENT_TYPES <= BULKHEAD_EVENTS, "event slots");

#define BULKHEAD_CPU_PAGE_SIZE		4096
#define BULKHEAD_CPU_FAILURE_SIZE	160
struct bulkhead_cpu_page {
	struct bulkhead_cpu_public record;
	struct bulkhead_linux_state linux_state;
	struct bulkhead_exit_stat exits[BULKHEAD_EXIT_STATS];
	/* Why this CPU could not run Linux as a guest, or was parked: one line. */
	char failure[BULKHEAD_CPU_FAILURE_SIZE];
	uint64_t events[BULKHEAD_EVENTS];
	/* CR4 and EFER the hypervisor runs with on this CPU (vmx_host_cr4()). */
	uint64_t host_cr4;
	uint64_t host_efer;
	/*
	 * The longest a hypercall made on this CPU ran in the hypervisor, and
	 * the longest this CPU was held there while another changed the root
	 * cell's EPT and I/O bitmap; TSC cycles (public tsc_khz converts).
	 */
	uint64_t longest_hypercall_cycles;
	uint64_t longest_hold_cycles;
} BULKHEAD_PACKED;
_Static_assert(sizeof(struct bulkhead_cpu_page) <= BULKHEAD_CPU_PAGE_SIZE, "cpu page size");

/* Hypervisor-wide facts at the start of the public area. */
#define BULKHEAD_PUBLIC_HEADER_SIZE	4096
#define BULKHEAD_CONSOLE_SIZE		(16 * 1024)
#define BULKHEAD_PUBLIC_L1D_FLUSH	(1U << 0)	/* L1D flushed before every VM entry */

/* Speculative-execution mitigations the hypervisor applies (public mitigations). */
#define BULKHEAD_MITIGATION_VERW	(1U << 0)	/* CPU buffers cleared before VM entry */
#define BULKHEAD_MITIGATION_IBPB	(1U << 1)	/* predictor barrier between cells */
#define BULKHEAD_MITIGATION_RSB_FILL	(1U << 2)	/* return stack filled after VM exit */
#define BULKHEAD_MITIGATION_RETPOLINES	(1U << 3)	/* no indirect branch in the image */

struct bulkhead_public {
	uint64_t console_written;	/* bytes ever written to the console ring */
	uint32_t console_size;		/* BULKHEAD_CONSOLE_SIZE, after this page */
	uint32_t flags;
	uint64_t pool_pages;		/* hypervisor page pool, in 4 KiB pages */
	uint64_t pool_used;
	uint32_t mitigations;		/* BULKHEAD_MITIGATION_* */
	uint32_t tsc_khz;		/* the TSC rate the hypervisor measured; 0 unknown */
} BULKHEAD_PACKED;

/*
 * The public area: header page, console ring, one page per CPU (read-only
 * for the root cell), then the exchange area, which the root cell may
 * write: the driver puts a cell config there for the cell create
 * hypercall, and the hypervisor copies it before it looks at it.
 */
#define BULKHEAD_PUBLIC_CONSOLE_OFFSET	BULKHEAD_PUBLIC_HEADER_SIZE
#define BULKHEAD_PUBLIC_CPU_OFFSET(cpu)	\
	(BULKHEAD_PUBLIC_HEADER_SIZE + BULKHEAD_CONSOLE_SIZE + \
	 (uint64_t)(cpu) * BULKHEAD_CPU_PAGE_SIZE)
#define BULKHEAD_EXCHANGE_SIZE		(64 * 1024)
#define BULKHEAD_PUBLIC_EXCHANGE_OFFSET(cpus)	BULKHEAD_PUBLIC_CPU_OFFSET(cpus)
#define BULKHEAD_PUBLIC_SIZE(cpus)	\
	(BULKHEAD_PUBLIC_EXCHANGE_OFFSET(cpus) + BULKHEAD_EXCHANGE_SIZE)

#endif
