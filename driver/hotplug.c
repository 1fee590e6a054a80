// SPDX-License-Identifier: GPL-2.0
/* CPU hotplug while enabled: CPUs stay under the hypervisor offline and online; others may not come up. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>

#include "bulkhead.h"

/*
 * While Bulkhead is enabled every CPU of the root cell stays under the
 * hypervisor: offline, Linux's dead loop runs as the root cell's guest;
 * Linux's INIT and startup IPIs are virtual, and start Linux at its
 * trampoline as the guest again (Documentation/design.md, "CPU hotplug").
 * Two kinds of CPUs may not come up at all: one the hypervisor does not
 * run (not in the system config, or hot-added), which would run Linux
 * outside it, and one a cell holds.  The prepare callback, run on a CPU
 * that is up before the new one starts, refuses them.  The callbacks run
 * with the hotplug lock held, so enable and disable (which hold it for
 * reading) never run meanwhile.
 */
static enum cpuhp_state prepare_state, online_state;

static int cpu_may_come_up(unsigned int cpu)
{
	if (bulkhead.stranded && cpumask_test_cpu(cpu, &bulkhead.cpus_entered)) {
		pr_err_ratelimited("CPU %u stayed in the hypervisor after a failed enable; it stays offline until a reboot\n",
		       cpu);
		return -EBUSY;
	}
	if (!bulkhead.enabled)
		return 0;
	if (!cpumask_test_cpu(cpu, &bulkhead.cpus_entered)) {
		pr_err_ratelimited("CPU %u is not in the system config, so it would run outside the hypervisor; it stays offline until 'bulkhead disable'\n",
		       cpu);
		return -EPERM;
	}
	if (cpumask_test_cpu(cpu, &bulkhead.cell_cpus)) {
		pr_err_ratelimited("CPU %u belongs to a cell; it comes back to Linux when the cell is destroyed\n",
		       cpu);
		return -EBUSY;
	}
	return 0;
}

static int cpu_comes_online(unsigned int cpu)
{
	if (!bulkhead.enabled)
		return 0;
	if (bulkhead_cpu_page(cpu)->record.state != BULKHEAD_CPU_STATE_RUNNING) {
		pr_err("CPU %u came up outside the hypervisor (state %u); see 'bulkhead console'\n",
		       cpu, bulkhead_cpu_page(cpu)->record.state);
		return -EIO;
	}
	pr_info("CPU %u online, running Linux as the root cell's guest\n", cpu);
	return 0;
}

int bulkhead_hotplug_init(void)
{
	int state = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "bulkhead:prepare",
					      cpu_may_come_up, NULL);

	if (state < 0)
		return state;
	prepare_state = state;
	state = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "bulkhead:online",
					  cpu_comes_online, NULL);
	if (state < 0) {
		cpuhp_remove_state_nocalls(prepare_state);
		return state;
	}
	online_state = state;
	return 0;
}

void bulkhead_hotplug_exit(void)
{
	cpuhp_remove_state_nocalls(online_state);
	cpuhp_remove_state_nocalls(prepare_state);
}
