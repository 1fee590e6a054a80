// SPDX-License-Identifier: GPL-2.0
/* Enable: check the system config, load the image, run its entry on every CPU. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/firmware.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <asm/desc.h>

#include <bulkhead/hypercall.h>
#include <bulkhead/image.h>
#include <bulkhead-hv/config.h>
#include <asm/paging.h>

#include "bulkhead.h"

struct enable_request {
	struct bulkhead_error *error;
	void *config;
	u32 config_size;
	struct config_view view;
	const struct firmware *image;
	const struct bulkhead_image_header *image_header;
	struct bulkhead_image_header layout;
	struct page_pool pool;
	u64 *root;
	u64 page_table_root;
	long *results;
};

static bool test_broken_vmcs;
module_param(test_broken_vmcs, bool, 0644);
MODULE_PARM_DESC(test_broken_vmcs,
		 "For tests only: break one guest-state field so the hypervisor's VMCS check must refuse it");

/*
 * For tests only (tests/vm/12-enable-unwind.sh): a failed enable and a CPU
 * that cannot leave cannot be brought about otherwise on a sound machine.
 */
static int test_enter_fail_cpu = -1;
module_param(test_enter_fail_cpu, int, 0644);
MODULE_PARM_DESC(test_enter_fail_cpu,
		 "For tests only: this CPU reports a failed entry instead of entering the hypervisor while the others enter (-1: none)");
static int test_leave_refuse_cpu = -1;
module_param(test_leave_refuse_cpu, int, 0644);
MODULE_PARM_DESC(test_leave_refuse_cpu,
		 "For tests only: this CPU skips the disable hypercall and so stays in the hypervisor (-1: none)");

static int copy_config(struct enable_request *req, const void __user *config,
		       u32 size)
{
	const char *problem;

	if (size > BULKHEAD_CONFIG_MAX_SIZE)
		return bulkhead_fail(req->error, -EINVAL,
				     "config is larger than 1 MiB; is this a .cell file?");
	req->config = kvmalloc(max_t(u32, size, 1), GFP_KERNEL);
	if (!req->config)
		return -ENOMEM;
	if (copy_from_user(req->config, config, size))
		return -EFAULT;
	req->config_size = size;
	if (config_parse(req->config, size, BULKHEAD_CONFIG_KIND_SYSTEM,
			 &req->view, &problem))
		return bulkhead_fail(req->error, -EINVAL, "%s", problem);
	return 0;
}

/* Every online CPU must belong to the root cell; called with CPU hotplug held. */
static int check_cpus(struct enable_request *req)
{
	unsigned int highest = config_highest_cpu(&req->view);
	unsigned int cpu;

	if (highest >= nr_cpu_ids || !cpu_possible(highest))
		return bulkhead_fail(req->error, -EINVAL,
			"the system config names CPU %u, which this machine does not have; remove it from cpus",
			highest);
	for_each_online_cpu(cpu)
		if (!config_cpu_in_set(&req->view, cpu))
			return bulkhead_fail(req->error, -EINVAL,
				"CPU %u is online but not in the system config's root cell; add it to cpus",
				cpu);
	for (cpu = 0; cpu <= highest; cpu++)
		if (config_cpu_in_set(&req->view, cpu) && !cpu_online(cpu))
			return bulkhead_fail(req->error, -EINVAL,
				"CPU %u is offline; bring it online first (echo 1 > /sys/devices/system/cpu/cpu%u/online)",
				cpu, cpu);
	return 0;
}

static bool image_header_ok(const struct bulkhead_image_header *header, size_t size)
{
	return header->header_size == sizeof(*header) &&
	       header->image_size == size &&
	       header->text_size <= header->image_size &&
	       header->image_size <= header->core_size &&
	       PAGE_ALIGNED(header->text_size) && PAGE_ALIGNED(header->core_size) &&
	       is_power_of_2(header->percpu_size) && header->percpu_size >= PAGE_SIZE &&
	       header->entry_offset < header->text_size;
}

static int load_image(struct enable_request *req)
{
	const struct bulkhead_image_header *header;
	int err;

	err = firmware_request_nowarn(&req->image, BULKHEAD_IMAGE_FIRMWARE, bulkhead.root);
	if (err)
		return bulkhead_fail(req->error, err,
			"hypervisor image %s not found in /lib/firmware (error %d); install it there",
			BULKHEAD_IMAGE_FIRMWARE, err);
	header = (const void *)req->image->data;
	if (req->image->size < sizeof(*header))
		return bulkhead_fail(req->error, -ENOEXEC,
			"/lib/firmware/%s is truncated (%zu bytes); reinstall it",
			BULKHEAD_IMAGE_FIRMWARE, req->image->size);
	if (memcmp(header->magic, BULKHEAD_IMAGE_MAGIC, BULKHEAD_IMAGE_MAGIC_SIZE))
		return bulkhead_fail(req->error, -ENOEXEC,
			"/lib/firmware/%s is not a Bulkhead hypervisor image; install the one built with this driver",
			BULKHEAD_IMAGE_FIRMWARE);
	if (header->abi_revision != BULKHEAD_ABI_REVISION)
		return bulkhead_fail(req->error, -ENOEXEC,
			"/lib/firmware/%s has ABI revision %u, this driver needs %u; install the image built with this driver",
			BULKHEAD_IMAGE_FIRMWARE, header->abi_revision, BULKHEAD_ABI_REVISION);
	if (!image_header_ok(header, req->image->size))
		return bulkhead_fail(req->error, -ENOEXEC,
			"/lib/firmware/%s is truncated or its header is inconsistent; reinstall it",
			BULKHEAD_IMAGE_FIRMWARE);
	req->image_header = header;
	return 0;
}

/*
 * The offsets of the per-CPU areas, the public area, the config and the
 * page pool, and the bytes all need: false when a sum would overflow.  The
 * sizes come from the image header and the config, neither trusted.
 */
static bool layout_offsets(struct bulkhead_image_header *layout, u32 config_size, u64 *needed)
{
	u64 size = layout->memory_size, percpu_all, config_end, tables;

	if (layout->percpu_size > size || layout->core_size > size - layout->percpu_size)
		return false;
	layout->percpu_offset = ALIGN(layout->core_size, layout->percpu_size);
	/* The tables for the hypervisor's mapping, with slack for the trampoline and bridge. */
	tables = (DIV_ROUND_UP(size, PMD_SIZE) + 8) * PAGE_SIZE;
	if (check_mul_overflow((u64)layout->max_cpus, layout->percpu_size, &percpu_all) ||
	    check_add_overflow(layout->percpu_offset, percpu_all, &layout->public_offset) ||
	    check_add_overflow(layout->public_offset, (u64)BULKHEAD_PUBLIC_SIZE(layout->max_cpus),
			       &layout->config_offset) ||
	    check_add_overflow(layout->config_offset, (u64)config_size + PAGE_SIZE - 1,
			       &config_end))
		return false;
	layout->page_pool_offset = config_end & PAGE_MASK;
	return !check_add_overflow(layout->page_pool_offset, tables, needed);
}

/* Where the per-CPU areas, the config and the page pool go in hypervisor memory. */
static int plan_layout(struct enable_request *req)
{
	const struct bulkhead_memory_region *memory = &req->view.system->hypervisor_memory;
	struct bulkhead_image_header *layout = &req->layout;
	u64 needed = U64_MAX;

	*layout = *req->image_header;
	layout->memory_phys = memory->phys_start;
	layout->memory_size = memory->size;
	layout->max_cpus = config_highest_cpu(&req->view) + 1;
	layout->test_flags = test_broken_vmcs ? BULKHEAD_TEST_BREAK_VMCS : 0;
	if (!layout_offsets(layout, req->config_size, &needed))
		return bulkhead_fail(req->error, -ENOSPC,
			"hypervisor memory is %llu KiB, too small for /lib/firmware/%s and this system; enlarge the hypervisor node and its memmap= reservation",
			memory->size >> 10, BULKHEAD_IMAGE_FIRMWARE);
	if (needed > memory->size)
		return bulkhead_fail(req->error, -ENOSPC,
			"hypervisor memory is %llu KiB but this system needs %llu KiB; enlarge the hypervisor node and its memmap= reservation",
			memory->size >> 10, needed >> 10);
	return 0;
}

/* Copies image and config into hypervisor memory and fills the header's driver fields. */
static void install(struct enable_request *req)
{
	u8 *base = bulkhead.memory.virt;

	memset(base, 0, req->layout.memory_size);
	memcpy(base, req->image->data, req->image->size);
	memcpy(base + req->layout.config_offset, req->config, req->config_size);
	bulkhead.public_area = base + req->layout.public_offset;
	req->pool.virt = base + req->layout.page_pool_offset;
	req->pool.phys = req->layout.memory_phys + req->layout.page_pool_offset;
	req->pool.pages = (req->layout.memory_size - req->layout.page_pool_offset) >> PAGE_SHIFT;
	req->pool.used = 0;
}

static int map_trampoline(struct enable_request *req, u64 *root)
{
	u64 start = (u64)bulkhead_trampoline & PAGE_MASK;
	u64 end = (u64)bulkhead_trampoline_end;
	u64 page;
	int err;

	if (end > BULKHEAD_BASE && start < BULKHEAD_BASE + req->layout.memory_size)
		return bulkhead_fail(req->error, -EFAULT,
			"the driver was loaded inside the hypervisor's address window; reload the module");
	for (page = start; page < end; page += PAGE_SIZE) {
		u64 phys = PFN_PHYS(vmalloc_to_pfn((void *)page));

		err = paging_map(&req->pool, root, page, phys, PAGE_SIZE, 0);
		if (err)
			return err;
	}
	return 0;
}

/* A bridge page at Linux's address (bridge.c); writable for the stacks only. */
static int map_bridge_page(void *context, unsigned long virt, u64 phys, bool writable)
{
	struct enable_request *req = context;

	return paging_map(&req->pool, req->root, virt, phys, PAGE_SIZE,
			  PAGING_NO_EXECUTE | (writable ? PAGING_WRITABLE : 0));
}

static int build_page_tables(struct enable_request *req)
{
	const struct bulkhead_image_header *layout = &req->layout;
	u64 *root = paging_alloc_table(&req->pool);
	int err;

	if (!root)
		return -ENOMEM;
	req->root = root;
	req->page_table_root = paging_table_phys(&req->pool, root);
	err = paging_map(&req->pool, root, BULKHEAD_BASE, layout->memory_phys,
			 layout->text_size, 0);
	if (!err)
		err = paging_map(&req->pool, root, BULKHEAD_BASE + layout->text_size,
				 layout->memory_phys + layout->text_size,
				 layout->memory_size - layout->text_size,
				 PAGING_WRITABLE | PAGING_NO_EXECUTE);
	if (!err)
		err = map_trampoline(req, root);
	if (!err)
		err = bulkhead_bridge_map(map_bridge_page, req);
	if (err)
		return bulkhead_fail(req->error, err,
			"cannot build the hypervisor's page tables (error %d); enlarge hypervisor memory",
			err);
	/* The header goes in last: the hypervisor's pool starts after the driver's pages. */
	req->layout.page_pool_used = req->pool.used;
	memcpy(bulkhead.memory.virt, &req->layout, sizeof(req->layout));
	bulkhead.layout = req->layout;
	bulkhead.page_table_root = req->page_table_root;
	return 0;
}

/* Only the public area may be touched once Linux runs as a guest: the rest is not mapped for it. */
struct bulkhead_cpu_page *bulkhead_cpu_page(unsigned int cpu)
{
	return bulkhead.public_area + BULKHEAD_PUBLIC_CPU_OFFSET(cpu);
}

/* "Unusable" in the VMCS access-rights format; asm/vmx-defs.h clashes with the kernel's asm/desc.h. */
#define SEGMENT_UNUSABLE (1U << 16)

/* Access rights in the VMCS format from LAR (SDM Vol. 3C, 24.4.1); null or invalid is unusable. */
static u32 segment_access_rights(u16 selector)
{
	u32 rights = 0;
	bool valid;

	if (!(selector & ~3))
		return SEGMENT_UNUSABLE;
	asm volatile("lar %k2, %k0\n\tsetz %1"
		     : "=r"(rights), "=qm"(valid) : "r"((u32)selector) : "cc");
	return valid ? (rights >> 8) & 0xf0ff : SEGMENT_UNUSABLE;
}

static u32 segment_limit(u16 selector)
{
	u32 limit = 0;

	if (!(selector & ~3))
		return 0;
	asm volatile("lsl %k1, %k0" : "=r"(limit) : "r"((u32)selector) : "cc");
	return limit;
}

/* Base from Linux's GDT; system descriptors (TSS, LDT) are 16 bytes.  SDM Vol. 3A, 3.4.5 and 7.2.3. */
static u64 segment_base(u16 selector)
{
	struct desc_ptr gdtr;
	const u8 *descriptor;
	u64 base;

	if (!(selector & ~3) || (selector & 4))
		return 0;
	native_store_gdt(&gdtr);
	descriptor = (const u8 *)gdtr.address + (selector & ~7);
	base = descriptor[2] | descriptor[3] << 8 | descriptor[4] << 16 | (u64)descriptor[7] << 24;
	if (!(descriptor[5] & 0x10))
		base |= (u64)*(const u32 *)(descriptor + 8) << 32;
	return base;
}

static void record_segment(struct bulkhead_segment *segment, u16 selector)
{
	segment->selector = selector;
	segment->access_rights = segment_access_rights(selector);
	segment->limit = segment_limit(selector);
	segment->base = segment_base(selector);
}

/* Reads a segment register's selector (STR and SLDT for TR and LDTR) and records it. */
#define RECORD_SEGMENT(state, field, instruction) do {			\
	u16 selector;							\
									\
	asm volatile(instruction " %0" : "=r"(selector));		\
	record_segment(&(state)->field, selector);			\
} while (0)

/* What the hypervisor cannot read itself: Linux's GDT is not mapped there. */
static void record_linux_state(struct bulkhead_linux_state *state)
{
	RECORD_SEGMENT(state, cs, "mov %%cs,");
	RECORD_SEGMENT(state, ss, "mov %%ss,");
	RECORD_SEGMENT(state, ds, "mov %%ds,");
	RECORD_SEGMENT(state, es, "mov %%es,");
	RECORD_SEGMENT(state, fs, "mov %%fs,");
	RECORD_SEGMENT(state, gs, "mov %%gs,");
	RECORD_SEGMENT(state, tr, "str");
	RECORD_SEGMENT(state, ldtr, "sldt");
}

/* Runs the hypervisor's entry on this CPU, interrupts off; 0 means Linux now runs as its guest here. */
static long enter_this_cpu(void)
{
	const struct bulkhead_image_header *layout = &bulkhead.layout;
	unsigned int cpu = smp_processor_id();
	u64 stack_top = BULKHEAD_BASE + layout->percpu_offset +
			(u64)(cpu + 1) * layout->percpu_size;

	record_linux_state(&bulkhead_cpu_page(cpu)->linux_state);
	return bulkhead_trampoline(bulkhead.page_table_root,
				   BULKHEAD_BASE + layout->entry_offset, stack_top, cpu,
				   bulkhead_bridge_tables(), bulkhead_bridge_stack(cpu));
}

/* What test_enter_fail_cpu makes a CPU report; it never calls the hypervisor. */
static long fail_on_purpose(unsigned int cpu)
{
	strscpy(bulkhead_cpu_page(cpu)->failure, "made to fail by test_enter_fail_cpu",
		BULKHEAD_CPU_FAILURE_SIZE);
	return -EIO;
}

/*
 * Each CPU records itself in cpus_entered as it enters, not only once all
 * did: the unwind of a failed enable hands back exactly these.
 */
static void enter_cpu(void *info)
{
	struct enable_request *req = info;
	unsigned int cpu = smp_processor_id();
	long result;

	if (cpu == READ_ONCE(test_enter_fail_cpu))
		result = fail_on_purpose(cpu);
	else
		result = enter_this_cpu();
	req->results[cpu] = result;
	if (!result)
		cpumask_set_cpu(cpu, &bulkhead.cpus_entered);
}

/* Checks what every CPU recorded; called with CPU hotplug held. */
static int collect_results(struct enable_request *req)
{
	int err = 0;
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		const struct bulkhead_cpu_public *record = &bulkhead_cpu_page(cpu)->record;

		if ((record->flags & BULKHEAD_CPU_ARRIVED) &&
		    !(record->flags & BULKHEAD_CPU_ENTRY_TABLES_MAPPED))
			pr_err("CPU %u entered with an IDT or GDT the hypervisor does not map; an NMI there would have been fatal\n",
			       cpu);
		if (!req->results[cpu] && record->state == BULKHEAD_CPU_STATE_RUNNING) {
			pr_info("CPU %u (APIC ID %u) now runs Linux as the root cell's guest\n",
				cpu, record->apic_id);
		} else if (!err && bulkhead_cpu_page(cpu)->failure[0]) {
			err = bulkhead_fail(req->error, -EIO,
				"CPU %u could not run Linux as a guest: %.160s; see 'bulkhead console'",
				cpu, bulkhead_cpu_page(cpu)->failure);
		} else if (!err) {
			err = bulkhead_fail(req->error, -EIO,
				"CPU %u failed in the hypervisor (result %ld, flags 0x%x, exception %u at 0x%llx, error line %u); see 'bulkhead console'",
				cpu, req->results[cpu], record->flags,
				record->fault_vector, record->fault_rip, record->error_line);
		}
	}
	return err;
}

/* The disable hypercall on this CPU, interrupts off; 0 means the CPU is bare again. */
static long leave_this_cpu(void)
{
	long result = bulkhead_trampoline_disable(bulkhead_bridge_tables(),
						  bulkhead_bridge_stack(smp_processor_id()));

	/* VM exits left TR's limit at 0x67; Linux reloads TR when a task needs its I/O bitmap. */
	if (!result)
		invalidate_tss_limit();
	return result;
}

static void leave_cpu(void *info)
{
	long *results = info;
	unsigned int cpu = smp_processor_id();

	results[cpu] = cpu == READ_ONCE(test_leave_refuse_cpu) ? -EBUSY : leave_this_cpu();
}

/*
 * Hands the CPUs in @cpus back and takes those that left out of @cpus;
 * called with CPU hotplug held.  Returns the first CPU that stayed, or
 * nr_cpu_ids.
 */
static unsigned int leave_cpus(struct cpumask *cpus, long *results)
{
	unsigned int cpu, failed = nr_cpu_ids;

	on_each_cpu_mask(cpus, leave_cpu, results, 1);
	for_each_cpu(cpu, cpus) {
		if (!results[cpu])
			cpumask_clear_cpu(cpu, cpus);
		else if (failed == nr_cpu_ids)
			failed = cpu;
	}
	return failed;
}

/*
 * After a failed enable every CPU that entered leaves again.  One that
 * cannot still runs on hypervisor memory and the trampoline in this
 * module: the memory stays claimed, the module pinned, and enable refuses
 * until a disable handed it back ("stranded" in sysfs state).
 */
static int unwind_enable(struct enable_request *req)
{
	unsigned int failed = leave_cpus(&bulkhead.cpus_entered, req->results);

	if (failed == nr_cpu_ids)
		return 0;
	bulkhead.stranded = true;
	__module_get(THIS_MODULE);
	return bulkhead_fail(req->error, -EIO,
		"enable failed and CPUs %*pbl could not leave the hypervisor (error %ld); run 'bulkhead disable' to retry, else reboot",
		cpumask_pr_args(&bulkhead.cpus_entered), req->results[failed]);
}

static int enter_all_cpus(struct enable_request *req)
{
	int err;

	req->results = kcalloc(nr_cpu_ids, sizeof(*req->results), GFP_KERNEL);
	if (!req->results)
		return -ENOMEM;
	cpumask_clear(&bulkhead.cpus_entered);
	on_each_cpu(enter_cpu, req, 1);
	err = collect_results(req);
	if (err)
		unwind_enable(req);
	return err;
}

static int enable_locked(struct enable_request *req)
{
	const struct bulkhead_memory_region *memory = &req->view.system->hypervisor_memory;
	int err;

	err = check_cpus(req);
	if (!err)
		err = bulkhead_check_capabilities(req->error);
	if (!err)
		err = load_image(req);
	if (!err)
		err = plan_layout(req);
	if (!err)
		err = bulkhead_memory_claim(&bulkhead.memory, memory->phys_start,
					    memory->size, req->error);
	if (err)
		return err;
	err = bulkhead_bridge_create(req->layout.max_cpus);
	if (err) {
		bulkhead_memory_release(&bulkhead.memory);
		return err;
	}
	install(req);
	err = build_page_tables(req);
	if (!err)
		err = enter_all_cpus(req);
	if (err && !bulkhead.stranded) {
		bulkhead_bridge_free();
		bulkhead_memory_release(&bulkhead.memory);
	}
	return err;
}

int bulkhead_enable(const void __user *config, u32 config_size,
		    struct bulkhead_error *error)
{
	struct enable_request req = { .error = error };
	u64 start = ktime_get_ns();
	int err;

	if (bulkhead.enabled)
		return bulkhead_fail(error, -EBUSY,
				     "Bulkhead is already enabled; run 'bulkhead disable' first");
	if (bulkhead.stranded)
		return bulkhead_fail(error, -EBUSY,
			"a failed enable left CPUs %*pbl in the hypervisor; run 'bulkhead disable' to hand them back, else reboot",
			cpumask_pr_args(&bulkhead.cpus_entered));
	err = copy_config(&req, config, config_size);
	if (!err) {
		/* CPU hotplug callbacks see enabled and cpus_entered change only here. */
		cpus_read_lock();
		err = enable_locked(&req);
		if (!err) {
			bulkhead.enabled = true;
			/*
			 * The hypervisor maps the trampoline in this module's text:
			 * the module stays until disable succeeded (rmmod says it is
			 * in use meanwhile).
			 */
			__module_get(THIS_MODULE);
		}
		cpus_read_unlock();
	}
	if (!err) {
		bulkhead.console_generation++;
		pr_info("enabled in %llu us on CPUs %*pbl with %llu KiB of hypervisor memory at 0x%llx\n",
			(ktime_get_ns() - start) / 1000, cpumask_pr_args(&bulkhead.cpus_entered),
			req.layout.memory_size >> 10, req.layout.memory_phys);
	}
	kfree(req.results);
	release_firmware(req.image);
	kvfree(req.config);
	return err;
}

static int check_no_cpu_parked(struct bulkhead_error *error)
{
	unsigned int cpu;

	for_each_cpu(cpu, &bulkhead.cpus_entered)
		if (bulkhead_cpu_page(cpu)->record.flags & BULKHEAD_CPU_PARKED)
			return bulkhead_fail(error, -EIO,
				"CPU %u was %.160s (see 'bulkhead console'); only a reboot can hand it back",
				cpu, bulkhead_cpu_page(cpu)->failure);
	return 0;
}

/*
 * A CPU whose APIC stayed in x2APIC mode after a cell while Linux drives
 * an xAPIC (Documentation/design.md, "The local APIC between cells") needs
 * a real INIT once the emulation is gone: it goes offline, is handed back
 * bare with the CPUs Linux has offline anyway, and comes online again
 * after disable.  @restart gets those to bring online again.
 */
static int offline_emulated_apics(struct cpumask *restart, struct bulkhead_error *error)
{
	unsigned int cpu;
	int err;

	cpumask_clear(restart);
	for_each_cpu(cpu, &bulkhead.cpus_entered) {
		if (!cpu_online(cpu) ||
		    !(bulkhead_cpu_page(cpu)->record.flags & BULKHEAD_CPU_XAPIC_EMULATED))
			continue;
		err = remove_cpu(cpu);
		if (err < 0)
			return bulkhead_fail(error, err,
				"CPU %u must go offline once to leave the hypervisor and could not (error %d); retry",
				cpu, err);
		/* 1: someone else took it offline meanwhile; it stays offline after disable. */
		if (err == 0)
			cpumask_set_cpu(cpu, restart);
	}
	return 0;
}

/* Root CPUs Linux has offline leave VMX bare; Linux's INIT starts them again when it wants. */
static int hand_back_offline(struct bulkhead_error *error)
{
	unsigned int cpu;
	long result;

	for_each_cpu(cpu, &bulkhead.cpus_entered) {
		if (cpu_online(cpu))
			continue;
		result = bulkhead_hypercall(BULKHEAD_HC_CPU_HAND_BACK, cpu, 0);
		if (result)
			return bulkhead_fail(error, (int)result,
				"offline CPU %u did not leave the hypervisor (error %ld); see 'bulkhead console'",
				cpu, result);
		cpumask_clear_cpu(cpu, &bulkhead.cpus_entered);
	}
	return 0;
}

static void online_again(const struct cpumask *restart)
{
	unsigned int cpu;

	for_each_cpu(cpu, restart)
		if (add_cpu(cpu))
			pr_warn("CPU %u did not come back online after disable; bring it online by hand\n",
				cpu);
}

static int leave_all_cpus(struct bulkhead_error *error)
{
	long *results = kcalloc(nr_cpu_ids, sizeof(*results), GFP_KERNEL);
	/* Under bulkhead.lock: too large for the stack with distribution kernels' NR_CPUS. */
	static cpumask_t restart;
	unsigned int failed;
	int err;

	if (!results)
		return -ENOMEM;
	err = offline_emulated_apics(&restart, error);
	if (!err) {
		cpus_read_lock();
		err = hand_back_offline(error);
		if (!err) {
			failed = leave_cpus(&bulkhead.cpus_entered, results);
			if (failed < nr_cpu_ids)
				err = bulkhead_fail(error, -EIO,
					"CPU %u refused to leave the hypervisor (error %ld); see 'bulkhead console'",
					failed, results[failed]);
			else
				bulkhead.enabled = false;
		}
		cpus_read_unlock();
	}
	if (!err)
		online_again(&restart);
	kfree(results);
	return err;
}

/* Only online CPUs can make the disable hypercall; called with CPU hotplug held. */
static int leave_stranded_cpus(long *results, struct bulkhead_error *error)
{
	unsigned int failed;

	if (!cpumask_subset(&bulkhead.cpus_entered, cpu_online_mask))
		return bulkhead_fail(error, -EIO,
			"CPUs %*pbl stayed in the hypervisor after a failed enable and one is offline; reboot",
			cpumask_pr_args(&bulkhead.cpus_entered));
	failed = leave_cpus(&bulkhead.cpus_entered, results);
	if (failed < nr_cpu_ids)
		return bulkhead_fail(error, -EIO,
			"CPUs %*pbl still cannot leave the hypervisor (error %ld); reboot",
			cpumask_pr_args(&bulkhead.cpus_entered), results[failed]);
	return 0;
}

/* Another try for the CPUs a failed enable could not hand back (unwind_enable()). */
static int disable_stranded(struct bulkhead_error *error)
{
	long *results = kcalloc(nr_cpu_ids, sizeof(*results), GFP_KERNEL);
	int err;

	if (!results)
		return -ENOMEM;
	cpus_read_lock();
	err = leave_stranded_cpus(results, error);
	if (!err)
		bulkhead.stranded = false;
	cpus_read_unlock();
	kfree(results);
	if (err)
		return err;
	bulkhead_bridge_free();
	bulkhead_memory_release(&bulkhead.memory);
	module_put(THIS_MODULE);
	pr_info("every CPU a failed enable left in the hypervisor is handed back, hypervisor memory released\n");
	return 0;
}

int bulkhead_disable(struct bulkhead_error *error)
{
	u64 start = ktime_get_ns();
	int err;

	if (bulkhead.stranded)
		return disable_stranded(error);
	if (!bulkhead.enabled)
		return bulkhead_fail(error, -EINVAL,
				     "Bulkhead is not enabled; nothing to disable");
	if (bulkhead_any_cell())
		return bulkhead_fail(error, -EBUSY,
				     "cells are running; destroy them first ('bulkhead cell destroy')");
	err = check_no_cpu_parked(error);
	if (!err)
		err = leave_all_cpus(error);
	if (err)
		return err;
	bulkhead_console_save();
	bulkhead_bridge_free();
	bulkhead_memory_release(&bulkhead.memory);
	cpumask_clear(&bulkhead.cpus_entered);
	/* Pinned since enable: the hypervisor maps this module's trampoline. */
	module_put(THIS_MODULE);
	pr_info("disabled in %llu us, every CPU handed back, hypervisor memory released\n",
		(ktime_get_ns() - start) / 1000);
	return 0;
}
