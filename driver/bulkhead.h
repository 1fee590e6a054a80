/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces of the bulkhead driver. */
#ifndef BULKHEAD_DRIVER_H
#define BULKHEAD_DRIVER_H

#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <bulkhead/comm-region.h>
#include <bulkhead/image.h>
#include <bulkhead-hv/config.h>

/* The reason a request failed, one line, handed back to the caller. */
struct bulkhead_error {
	char text[256];
};

/* Records the reason (also in the kernel log) and returns @err. */
__printf(3, 4) int bulkhead_fail(struct bulkhead_error *error, int err,
				 const char *fmt, ...);

/* The hypervisor memory the system config names, claimed and mapped. */
struct bulkhead_memory {
	phys_addr_t phys;
	u64 size;
	struct resource *resource;
	void *virt;
};

int bulkhead_memory_claim(struct bulkhead_memory *memory, u64 phys, u64 size,
			  struct bulkhead_error *error);
void bulkhead_memory_release(struct bulkhead_memory *memory);
bool bulkhead_memory_is_kernel_ram(u64 phys, u64 size);
/* 0, or the one-line refusal of a cell that takes RAM Linux uses. */
int bulkhead_memory_check_cell(const struct config_view *view, struct bulkhead_error *error);

struct bulkhead_state {
	/*
	 * Taken before lock by whatever adds or removes a cell's sysfs
	 * directory, and never by a sysfs show function (cell-sysfs.c).
	 */
	struct mutex sysfs_lock;
	struct mutex lock;
	struct device *root;
	bool enabled;
	/*
	 * A failed enable left the CPUs in cpus_entered in the hypervisor:
	 * its memory stays claimed and enable refuses until disable handed
	 * them back (enable.c).
	 */
	bool stranded;
	struct bulkhead_memory memory;
	/* The part of hypervisor memory Linux may read while enabled. */
	void *public_area;
	/* What entering a CPU needs: the image header as installed, the page tables. */
	struct bulkhead_image_header layout;
	u64 page_table_root;
	cpumask_t cpus_entered;
	/* CPUs taken offline for a cell: they stay under the hypervisor. */
	cpumask_t cell_cpus;
	/* The log of the last run, kept after disable; generation counts runs. */
	void *console_copy;
	u32 console_generation;
};

extern struct bulkhead_state bulkhead;

#define BULKHEAD_MAX_CELLS 4

/* A cell as the driver knows it; id 0 marks a free slot. */
struct cell_entry {
	u32 id;
	bool loaded;
	void *config;
	struct config_view view;
	cpumask_t cpus;
};

int bulkhead_cells_possible(struct bulkhead_error *error);
int bulkhead_cell_create(const void __user *config, u32 size, struct bulkhead_error *error);
int bulkhead_cell_load(u32 id, u64 address, const void __user *data, u64 size,
		       struct bulkhead_error *error);
int bulkhead_cell_start(u32 id, struct bulkhead_error *error);
int bulkhead_cell_destroy(u32 id, struct bulkhead_error *error);
int bulkhead_cell_shutdown(u32 id, struct bulkhead_error *error);
void bulkhead_destroy_all_cells(void);
bool bulkhead_any_cell(void);
/* The cell with @id, or NULL; under bulkhead.lock. */
struct cell_entry *bulkhead_cell_of(u32 id);
/* A cell state of the cell get state hypercall by name; "unknown" for anything else. */
const char *bulkhead_cell_state_name(long state);

/* /sys/devices/bulkhead/cells/<ID>/, one directory per cell (cell-sysfs.c). */
int bulkhead_cells_sysfs_init(struct kobject *parent);
void bulkhead_cells_sysfs_exit(void);
int bulkhead_cell_dir_add(u32 id);
void bulkhead_cell_dirs_prune(void);

/* Statistics lines of every CPU, or of @cpus only; under bulkhead.lock, while enabled. */
/* Text of any length for binary sysfs attributes (sysfs-text.c); start from all zeros. */
struct bulkhead_text {
	char *buf;
	size_t size, len;
	bool failed;
};

__printf(2, 3) void bulkhead_text_add(struct bulkhead_text *text, const char *format, ...);
ssize_t bulkhead_text_read(struct bulkhead_text *text, char *to, loff_t offset, size_t count);
void bulkhead_statistics_emit(struct bulkhead_text *text, const struct cpumask *cpus);
void bulkhead_events_emit(struct bulkhead_text *text, const struct cpumask *cpus);

int bulkhead_enable(const void __user *config, u32 config_size,
		    struct bulkhead_error *error);
int bulkhead_disable(struct bulkhead_error *error);
int bulkhead_check_capabilities(struct bulkhead_error *error);

/* This CPU's page in the public area of hypervisor memory (readable while enabled). */
struct bulkhead_cpu_page *bulkhead_cpu_page(unsigned int cpu);
struct bulkhead_public *bulkhead_public_header(void);
/* Keeps the last hypervisor log for reading after disable. */
void bulkhead_console_save(void);
/* The console stream: /dev/bulkhead read(). */
ssize_t bulkhead_console_read(char __user *buffer, size_t size, u64 *position, u32 *generation);
/* A hypercall from this CPU (the root cell, CPL 0). */
long bulkhead_hypercall(unsigned long code, unsigned long arg1, unsigned long arg2);
/*
 * Operations in steps (Documentation/hypercalls.md): while a call answers
 * -EAGAIN it is made again after bulkhead_steps_sleep(), which sleeps with
 * interrupts on and is false once the operation ran far past the
 * hypervisor's own bound for it.  bulkhead_hypercall_steps() does both.
 */
struct bulkhead_steps {
	u64 start_ns;
	unsigned int sleep_us;
};
void bulkhead_steps_begin(struct bulkhead_steps *steps);
bool bulkhead_steps_sleep(struct bulkhead_steps *steps);
long bulkhead_hypercall_steps(unsigned long code, unsigned long arg1, unsigned long arg2);

long bulkhead_trampoline(u64 cr3, u64 entry, u64 stack_top, u64 cpu_id,
			 void *bridge_tables, void *bridge_stack);
long bulkhead_trampoline_disable(void *bridge_tables, void *bridge_stack);
/* The bridge's exception handlers, in the trampoline's pages. */
void bulkhead_bridge_nmi(void);
void bulkhead_bridge_park(void);
/* Descriptor tables and stacks mapped alike for Linux and the hypervisor (bridge.c). */
int bulkhead_bridge_create(unsigned int cpus);
void bulkhead_bridge_free(void);
int bulkhead_bridge_map(int (*map)(void *context, unsigned long virt, u64 phys, bool writable),
			void *context);
void *bulkhead_bridge_tables(void);
void *bulkhead_bridge_stack(unsigned int cpu);
int bulkhead_hotplug_init(void);
void bulkhead_hotplug_exit(void);
int bulkhead_power_init(void);
void bulkhead_power_exit(void);
extern const u8 bulkhead_trampoline_end[];

#endif
