// SPDX-License-Identifier: GPL-2.0
/* CPU hotplug while enabled: a CPU leaves the hypervisor when it goes offline and re-enters when it comes back. */
#include <linux/cpuhotplug.h>
#include <linux/irqflags.h>

#include "bulkhead.h"

/*
 * An offline CPU is bare: Linux brings it back with INIT and startup IPIs,
 * which then reach a CPU outside VMX as on any machine.  It re-enters the
 * hypervisor from its own online callback, before Linux schedules work on
 * it.  These callbacks run on the CPU itself with the hotplug lock held, so
 * enable and disable (which hold it for reading) never run meanwhile.
 */
static enum cpuhp_state hotplug_state;

static int cpu_comes_online(unsigned int cpu)
{
	unsigned long flags;
	long result;

	if (!bulkhead.enabled)
		return 0;
	/*
	 * Offlined for a cell whose creation then failed, the CPU never left
	 * the hypervisor: Linux's INIT and startup IPIs restarted it as the
	 * root cell's guest (INIT and SIPI exits), so there is nothing to enter.
	 */
	if (bulkhead_cpu_page(cpu)->record.state == BULKHEAD_CPU_STATE_RUNNING) {
		cpumask_set_cpu(cpu, &bulkhead.cpus_entered);
		pr_info("bulkhead: CPU %u back online, still the root cell's guest\n", cpu);
		return 0;
	}
	local_irq_save(flags);
	result = bulkhead_enter_this_cpu();
	local_irq_restore(flags);
	if (result) {
		pr_err("bulkhead: CPU %u could not re-enter the hypervisor (error %ld): %.160s; it stays offline\n",
		       cpu, result, bulkhead_cpu_page(cpu)->failure);
		return -EIO;
	}
	cpumask_set_cpu(cpu, &bulkhead.cpus_entered);
	pr_info("bulkhead: CPU %u back online, running Linux as the root cell's guest again\n", cpu);
	return 0;
}

static int cpu_goes_offline(unsigned int cpu)
{
	unsigned long flags;
	long result;

	if (!bulkhead.enabled || !cpumask_test_cpu(cpu, &bulkhead.cpus_entered))
		return 0;
	/* Going to a cell: it stays under the hypervisor, which takes it from Linux's offline loop. */
	if (cpumask_test_cpu(cpu, &bulkhead.cell_cpus)) {
		cpumask_clear_cpu(cpu, &bulkhead.cpus_entered);
		return 0;
	}
	local_irq_save(flags);
	result = bulkhead_leave_this_cpu();
	local_irq_restore(flags);
	if (result) {
		pr_err("bulkhead: CPU %u could not leave the hypervisor (error %ld); it stays online\n",
		       cpu, result);
		return -EIO;
	}
	cpumask_clear_cpu(cpu, &bulkhead.cpus_entered);
	pr_info("bulkhead: CPU %u left the hypervisor to go offline\n", cpu);
	return 0;
}

int bulkhead_hotplug_init(void)
{
	int state = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "bulkhead:online",
					      cpu_comes_online, cpu_goes_offline);

	if (state < 0)
		return state;
	hotplug_state = state;
	return 0;
}

void bulkhead_hotplug_exit(void)
{
	cpuhp_remove_state_nocalls(hotplug_state);
}
