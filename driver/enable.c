// SPDX-License-Identifier: GPL-2.0
/* Enable: check the system config, load the image, run its entry on every CPU. */
#include <linux/cpu.h>
#include <linux/firmware.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <bulkhead/image.h>
#include <bulkhead-hv/config.h>
#include <asm/paging.h>

#include "bulkhead.h"

#define CPU_ENTRY_OK (BULKHEAD_CPU_ARRIVED | BULKHEAD_CPU_OWN_PAGE_TABLES | \
		      BULKHEAD_CPU_OWN_GDT | BULKHEAD_CPU_OWN_IDT | \
		      BULKHEAD_CPU_EXCEPTION_OK | BULKHEAD_CPU_VMX_OK | \
		      BULKHEAD_CPU_RETURNED)

struct enable_request {
	struct bulkhead_error *error;
	void *config;
	u32 config_size;
	struct config_view view;
	const struct firmware *image;
	const struct bulkhead_image_header *image_header;
	struct bulkhead_image_header layout;
	struct page_pool pool;
	u64 page_table_root;
	long *results;
};

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
	       header->percpu_public_offset + sizeof(struct bulkhead_cpu_public) <=
			header->percpu_size &&
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

/* Where the per-CPU areas, the config and the page pool go in hypervisor memory. */
static int plan_layout(struct enable_request *req)
{
	const struct bulkhead_memory_region *memory = &req->view.system->hypervisor_memory;
	struct bulkhead_image_header *layout = &req->layout;
	u64 needed;

	*layout = *req->image_header;
	layout->memory_phys = memory->phys_start;
	layout->memory_size = memory->size;
	layout->max_cpus = config_highest_cpu(&req->view) + 1;
	layout->percpu_offset = ALIGN(layout->core_size, layout->percpu_size);
	layout->config_offset = layout->percpu_offset +
				(u64)layout->max_cpus * layout->percpu_size;
	layout->page_pool_offset = PAGE_ALIGN(layout->config_offset + req->config_size);
	/* The tables for the hypervisor's mapping, with slack for the trampoline. */
	needed = layout->page_pool_offset +
		 (DIV_ROUND_UP(memory->size, PMD_SIZE) + 8) * PAGE_SIZE;
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
	memcpy(base, &req->layout, sizeof(req->layout));
	memcpy(base + req->layout.config_offset, req->config, req->config_size);
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

static int build_page_tables(struct enable_request *req)
{
	const struct bulkhead_image_header *layout = &req->layout;
	u64 *root = paging_alloc_table(&req->pool);
	int err;

	if (!root)
		return -ENOMEM;
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
	if (err)
		return bulkhead_fail(req->error, err,
			"cannot build the hypervisor's page tables (error %d); enlarge hypervisor memory",
			err);
	return 0;
}

static void enter_cpu(void *info)
{
	struct enable_request *req = info;
	unsigned int cpu = smp_processor_id();
	u64 stack_top = BULKHEAD_BASE + req->layout.percpu_offset +
			(u64)(cpu + 1) * req->layout.percpu_size;

	req->results[cpu] = bulkhead_trampoline(req->page_table_root,
						BULKHEAD_BASE + req->layout.entry_offset,
						stack_top, cpu);
}

static const struct bulkhead_cpu_public *cpu_record(const struct enable_request *req,
						    unsigned int cpu)
{
	const u8 *base = bulkhead.memory.virt;

	return (const void *)(base + req->layout.percpu_offset +
			      (u64)cpu * req->layout.percpu_size +
			      req->layout.percpu_public_offset);
}

/* Checks what every CPU recorded; called with CPU hotplug held. */
static int collect_results(struct enable_request *req)
{
	unsigned int cpu;

	cpumask_clear(&bulkhead.cpus_entered);
	for_each_online_cpu(cpu) {
		const struct bulkhead_cpu_public *record = cpu_record(req, cpu);

		if (req->results[cpu] || record->flags != CPU_ENTRY_OK)
			return bulkhead_fail(req->error, -EIO,
				"CPU %u failed in the hypervisor (result %ld, flags 0x%x, exception %u at 0x%llx, error line %u); see 'dmesg'",
				cpu, req->results[cpu], record->flags,
				record->fault_vector, record->fault_rip, record->error_line);
		cpumask_set_cpu(cpu, &bulkhead.cpus_entered);
		pr_info("bulkhead: CPU %u (APIC ID %u) entered the hypervisor on its own page tables, GDT and IDT, passed VMXON and VMXOFF, and returned\n",
			cpu, record->apic_id);
	}
	return 0;
}

static int enter_all_cpus(struct enable_request *req)
{
	req->results = kcalloc(nr_cpu_ids, sizeof(*req->results), GFP_KERNEL);
	if (!req->results)
		return -ENOMEM;
	on_each_cpu(enter_cpu, req, 1);
	return collect_results(req);
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
	install(req);
	err = build_page_tables(req);
	if (!err)
		err = enter_all_cpus(req);
	if (err)
		bulkhead_memory_release(&bulkhead.memory);
	return err;
}

int bulkhead_enable(const void __user *config, u32 config_size,
		    struct bulkhead_error *error)
{
	struct enable_request req = { .error = error };
	int err;

	if (bulkhead.enabled)
		return bulkhead_fail(error, -EBUSY,
				     "Bulkhead is already enabled; run 'bulkhead disable' first");
	err = copy_config(&req, config, config_size);
	if (!err) {
		cpus_read_lock();
		err = enable_locked(&req);
		cpus_read_unlock();
	}
	if (!err) {
		bulkhead.enabled = true;
		pr_info("bulkhead: enabled on CPUs %*pbl with %llu KiB of hypervisor memory at 0x%llx\n",
			cpumask_pr_args(&bulkhead.cpus_entered),
			req.layout.memory_size >> 10, req.layout.memory_phys);
	}
	kfree(req.results);
	release_firmware(req.image);
	kvfree(req.config);
	return err;
}

int bulkhead_disable(struct bulkhead_error *error)
{
	if (!bulkhead.enabled)
		return bulkhead_fail(error, -EINVAL,
				     "Bulkhead is not enabled; nothing to disable");
	bulkhead_memory_release(&bulkhead.memory);
	cpumask_clear(&bulkhead.cpus_entered);
	bulkhead.enabled = false;
	pr_info("bulkhead: disabled, hypervisor memory released\n");
	return 0;
}
