// SPDX-License-Identifier: GPL-2.0
/* What every CPU does when Linux calls into the hypervisor image. */
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/config.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/image.h>

int bulkhead_entry(unsigned int cpu_id);

static const void *memory_at(uint64_t offset)
{
	return (const void *)(BULKHEAD_BASE + offset);
}

/* The hypervisor checks the config itself: what the driver checked is not trusted. */
static int check_system_config(void)
{
	const struct bulkhead_config_header *config =
		memory_at(image_header.config_offset);
	struct config_view view;
	const char *problem;

	if (image_header.config_offset + sizeof(*config) > image_header.memory_size ||
	    config->size > image_header.memory_size - image_header.config_offset)
		return trace_error(-EINVAL);
	if (config_parse(config, config->size, BULKHEAD_CONFIG_KIND_SYSTEM,
			 &view, &problem))
		return trace_error(-EINVAL);
	if (!config_cpu_in_set(&view, this_cpu()->public.cpu_id))
		return trace_error(-EINVAL);
	return 0;
}

int bulkhead_entry(unsigned int cpu_id)
{
	struct per_cpu *cpu = this_cpu();
	uint64_t page_table_root =
		image_header.memory_phys + image_header.page_pool_offset;
	int err;

	cpu->public.cpu_id = cpu_id;
	cpu->public.flags = BULKHEAD_CPU_ARRIVED;
	cpu->public.fault_vector = 0;
	cpu->public.fault_rip = 0;
	cpu->public.arrival_tsc = arch_read_timestamp();
	cpu->public.entries++;

	err = check_system_config();
	if (!err) {
		arch_cpu_enter(cpu, page_table_root);
		err = arch_cpu_test_exception(cpu);
		if (!err)
			err = arch_cpu_test_vmx(cpu, image_header.memory_phys - BULKHEAD_BASE);
		arch_cpu_leave(cpu);
	}
	cpu->public.result = err;
	cpu->public.flags |= BULKHEAD_CPU_RETURNED;
	return err;
}
