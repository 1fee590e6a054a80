// SPDX-License-Identifier: GPL-2.0
/* Suspend and hibernation while enabled: refused, since CPUs would sleep in VMX non-root operation. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/notifier.h>
#include <linux/suspend.h>

#include "bulkhead.h"

/*
 * The hypervisor's state (VMCS, EPT, the APIC of every CPU) does not
 * survive a suspend, and nothing brings the CPUs back into it: the
 * transition is refused before any device is touched.
 */
static int bulkhead_pm_notify(struct notifier_block *nb, unsigned long event, void *unused)
{
	if (event != PM_SUSPEND_PREPARE && event != PM_HIBERNATION_PREPARE)
		return NOTIFY_DONE;
	if (!bulkhead.enabled && !bulkhead.stranded)
		return NOTIFY_OK;
	pr_err_ratelimited("%s refused while %s; run 'bulkhead disable' first\n",
	       event == PM_SUSPEND_PREPARE ? "suspend" : "hibernation",
	       bulkhead.enabled ? "Bulkhead is enabled" : "CPUs stayed in the hypervisor after a failed enable");
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block bulkhead_pm_notifier = {
	.notifier_call = bulkhead_pm_notify,
};

int bulkhead_power_init(void)
{
	return register_pm_notifier(&bulkhead_pm_notifier);
}

void bulkhead_power_exit(void)
{
	unregister_pm_notifier(&bulkhead_pm_notifier);
}
