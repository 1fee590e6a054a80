// SPDX-License-Identifier: GPL-2.0
/* Checks every CPU has what the hypervisor needs of VMX, before any CPU is touched. */
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include <asm/vmx-caps.h>

#include "bulkhead.h"


static bool test_vmx_locked_off;
module_param(test_vmx_locked_off, bool, 0444);
MODULE_PARM_DESC(test_vmx_locked_off,
		 "For tests only: act as if the firmware locked VMX off in IA32_FEATURE_CONTROL");

/* CR4 read directly: the capability check must see the hardware, not a shadow. */
static unsigned long read_cr4_raw(void)
{
	unsigned long value;

	asm volatile("mov %%cr4, %0" : "=r"(value));
	return value;
}

static void read_facts(void *info)
{
	struct vmx_cpu_facts *facts = (struct vmx_cpu_facts *)info + smp_processor_id();
	unsigned int i;

	facts->cpuid1_ecx = cpuid_ecx(1);
	facts->cr4_vmxe = read_cr4_raw() & CR4_VMXE;
	if (rdmsrl_safe(VMX_MSR_FEATURE_CONTROL, &facts->feature_control))
		facts->feature_control = 0;
	if (test_vmx_locked_off)
		facts->feature_control = 1;
	for (i = 0; i < VMX_CAPABILITY_MSRS; i++)
		if (rdmsrl_safe(VMX_MSR_FIRST + i, &facts->msr[i]))
			facts->msr[i] = 0;
}

/* "EPT, unrestricted guest" for every requirement @facts misses. */
static void list_missing(const struct vmx_cpu_facts *facts, char *list, size_t size)
{
	unsigned int index;
	size_t used = 0;

	list[0] = '\0';
	for (index = 0; index < vmx_requirement_count; index++)
		if (!vmx_requirement_met(facts, index))
			used += scnprintf(list + used, size - used, "%s%s",
					  used ? ", " : "", vmx_requirements[index].name);
}

static int check_cpu(const struct vmx_cpu_facts *facts, unsigned int cpu,
		     struct bulkhead_error *error)
{
	unsigned int missing = vmx_first_missing(facts);
	char list[160];

	if (missing == vmx_requirement_count)
		return 0;
	if (vmx_requirements[missing].fix)
		return bulkhead_fail(error, -ENODEV, "CPU %u: %s", cpu,
				     vmx_requirements[missing].fix);
	list_missing(facts, list, sizeof(list));
	return bulkhead_fail(error, -ENODEV,
		"CPU %u lacks VMX features Bulkhead needs: %s; see 'bulkhead hardware check'",
		cpu, list);
}

/* Called with CPU hotplug held. */
int bulkhead_check_capabilities(struct bulkhead_error *error)
{
	struct vmx_cpu_facts *facts;
	unsigned int cpu;
	int err = 0;

	facts = kcalloc(nr_cpu_ids, sizeof(*facts), GFP_KERNEL);
	if (!facts)
		return -ENOMEM;
	on_each_cpu(read_facts, facts, 1);
	for_each_online_cpu(cpu) {
		err = check_cpu(&facts[cpu], cpu, error);
		if (err)
			break;
	}
	kfree(facts);
	return err;
}
