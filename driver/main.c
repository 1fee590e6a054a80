// SPDX-License-Identifier: GPL-2.0
/* The bulkhead module: /dev/bulkhead, /sys/devices/bulkhead and their requests. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/reboot.h>
#include <linux/uaccess.h>

#include <linux/slab.h>

#include <bulkhead/hypercall.h>
#include <bulkhead/image.h>
#include <bulkhead/ioctl.h>
#include <asm/vmx-defs.h>

#include "bulkhead.h"

#define BULKHEAD_VERSION "0.1"

struct bulkhead_state bulkhead = {
	.sysfs_lock = __MUTEX_INITIALIZER(bulkhead.sysfs_lock),
	.lock = __MUTEX_INITIALIZER(bulkhead.lock),
};

int bulkhead_fail(struct bulkhead_error *error, int err, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(error->text, sizeof(error->text), fmt, args);
	va_end(args);
	/* Most of these are what a caller asked for: rate-limited, the caller has the text anyway. */
	pr_err_ratelimited("%s\n", error->text);
	return err;
}

static void report_error(const struct bulkhead_error_buffer *buffer,
			 const struct bulkhead_error *error)
{
	size_t size = min_t(size_t, buffer->size, sizeof(error->text));

	if (size == 0 || !error->text[0])
		return;
	if (copy_to_user(u64_to_user_ptr(buffer->address), error->text, size - 1) ||
	    put_user('\0', (char __user *)u64_to_user_ptr(buffer->address) + size - 1))
		pr_err("cannot hand the error text back to the caller\n");
}

/*
 * Every request changes Bulkhead's state: it needs CAP_SYS_ADMIN, whatever
 * the device node's mode.  Reserved fields must be zero, so that a later
 * version can give them a meaning.
 */
static int request_allowed(u32 reserved, struct bulkhead_error *error)
{
	if (!capable(CAP_SYS_ADMIN))
		return bulkhead_fail(error, -EPERM,
			"changing Bulkhead needs CAP_SYS_ADMIN; run the command as root");
	if (reserved)
		return bulkhead_fail(error, -EINVAL,
			"the request has reserved fields set; use the bulkhead tool built with this driver");
	return 0;
}

static long ioctl_enable(void __user *arg, struct bulkhead_error *error)
{
	struct bulkhead_enable_args args;
	int err;

	if (copy_from_user(&args, arg, sizeof(args)))
		return -EFAULT;
	err = request_allowed(args.error.reserved | args.reserved, error);
	if (!err) {
		mutex_lock(&bulkhead.lock);
		err = bulkhead_enable(u64_to_user_ptr(args.config_address),
				      args.config_size, error);
		mutex_unlock(&bulkhead.lock);
	}
	report_error(&args.error, error);
	return err;
}

static long ioctl_disable(void __user *arg, struct bulkhead_error *error)
{
	struct bulkhead_disable_args args;
	int err;

	if (copy_from_user(&args, arg, sizeof(args)))
		return -EFAULT;
	err = request_allowed(args.error.reserved, error);
	if (!err) {
		mutex_lock(&bulkhead.lock);
		err = bulkhead_disable(error);
		mutex_unlock(&bulkhead.lock);
	}
	report_error(&args.error, error);
	return err;
}

/* A cell that 'bulkhead cell list' cannot see is of no use: without its directory it goes again. */
static int publish_cell(u32 id, struct bulkhead_error *error)
{
	struct bulkhead_error ignored;
	int err = bulkhead_cell_dir_add(id);

	if (!err)
		return id;
	mutex_lock(&bulkhead.lock);
	if (bulkhead_cell_destroy(id, &ignored)) {
		mutex_unlock(&bulkhead.lock);
		return bulkhead_fail(error, err,
			"cannot add /sys/devices/bulkhead/cells/%u (error %d) nor destroy the cell again; unload the module to remove it",
			id, err);
	}
	mutex_unlock(&bulkhead.lock);
	return bulkhead_fail(error, err,
		"cannot add /sys/devices/bulkhead/cells/%u (error %d); the cell was destroyed again",
		id, err);
}

/* The directory is added after bulkhead.lock is dropped; see cell-sysfs.c. */
static long ioctl_cell_create(void __user *arg, struct bulkhead_error *error)
{
	struct bulkhead_cell_create_args args;
	int result;

	if (copy_from_user(&args, arg, sizeof(args)))
		return -EFAULT;
	result = request_allowed(args.error.reserved | args.reserved, error);
	if (!result) {
		mutex_lock(&bulkhead.sysfs_lock);
		mutex_lock(&bulkhead.lock);
		result = bulkhead_cell_create(u64_to_user_ptr(args.config_address),
					      args.config_size, error);
		mutex_unlock(&bulkhead.lock);
		if (result > 0)
			result = publish_cell(result, error);
		mutex_unlock(&bulkhead.sysfs_lock);
	}
	report_error(&args.error, error);
	return result;
}

static long ioctl_cell_load(void __user *arg, struct bulkhead_error *error)
{
	struct bulkhead_cell_load_args args;
	int err;

	if (copy_from_user(&args, arg, sizeof(args)))
		return -EFAULT;
	err = request_allowed(args.error.reserved | args.reserved, error);
	if (!err) {
		mutex_lock(&bulkhead.lock);
		err = bulkhead_cell_load(args.id, args.address,
					 u64_to_user_ptr(args.data_address), args.data_size, error);
		mutex_unlock(&bulkhead.lock);
	}
	report_error(&args.error, error);
	return err;
}

static long ioctl_cell(void __user *arg, struct bulkhead_error *error,
		       int (*action)(u32 id, struct bulkhead_error *error))
{
	struct bulkhead_cell_args args;
	int err;

	if (copy_from_user(&args, arg, sizeof(args)))
		return -EFAULT;
	err = request_allowed(args.error.reserved | args.reserved, error);
	if (!err) {
		mutex_lock(&bulkhead.lock);
		err = bulkhead_cells_possible(error);
		if (!err)
			err = action(args.id, error);
		mutex_unlock(&bulkhead.lock);
	}
	report_error(&args.error, error);
	return err;
}

/* The directory is removed after bulkhead.lock is dropped; see cell-sysfs.c. */
static long ioctl_cell_destroy(void __user *arg, struct bulkhead_error *error)
{
	long err;

	mutex_lock(&bulkhead.sysfs_lock);
	err = ioctl_cell(arg, error, bulkhead_cell_destroy);
	bulkhead_cell_dirs_prune();
	mutex_unlock(&bulkhead.sysfs_lock);
	return err;
}

static long bulkhead_ioctl(struct file *file, unsigned int command, unsigned long arg)
{
	struct bulkhead_error error = { .text = "" };
	void __user *user = (void __user *)arg;

	switch (command) {
	case BULKHEAD_ENABLE:
		return ioctl_enable(user, &error);
	case BULKHEAD_DISABLE:
		return ioctl_disable(user, &error);
	case BULKHEAD_CELL_CREATE:
		return ioctl_cell_create(user, &error);
	case BULKHEAD_CELL_LOAD:
		return ioctl_cell_load(user, &error);
	case BULKHEAD_CELL_START:
		return ioctl_cell(user, &error, bulkhead_cell_start);
	case BULKHEAD_CELL_DESTROY:
		return ioctl_cell_destroy(user, &error);
	case BULKHEAD_CELL_SHUTDOWN:
		return ioctl_cell(user, &error, bulkhead_cell_shutdown);
	default:
		return -ENOTTY;
	}
}

/* Each reader of /dev/bulkhead follows the console stream of one run. */
struct console_reader {
	u64 position;
	u32 generation;
};

static int bulkhead_open(struct inode *inode, struct file *file)
{
	struct console_reader *reader = kzalloc(sizeof(*reader), GFP_KERNEL);

	if (!reader)
		return -ENOMEM;
	reader->generation = U32_MAX;
	file->private_data = reader;
	return 0;
}

static int bulkhead_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

/* The hypervisor's log from the oldest byte kept; 0 at the end, never blocks. */
static ssize_t bulkhead_read(struct file *file, char __user *buffer, size_t size, loff_t *offset)
{
	struct console_reader *reader = file->private_data;
	ssize_t count;

	mutex_lock(&bulkhead.lock);
	count = bulkhead_console_read(buffer, size, &reader->position, &reader->generation);
	mutex_unlock(&bulkhead.lock);
	return count;
}

static const struct file_operations bulkhead_fops = {
	.owner = THIS_MODULE,
	.open = bulkhead_open,
	.release = bulkhead_release,
	.read = bulkhead_read,
	.unlocked_ioctl = bulkhead_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice bulkhead_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "bulkhead",
	.fops = &bulkhead_fops,
};

static ssize_t enabled_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(bulkhead.enabled));
}
static DEVICE_ATTR_RO(enabled);

/*
 * disabled, enabled, or stranded: a failed enable left the CPUs in
 * cpus_entered in the hypervisor, whose memory stays claimed until
 * 'bulkhead disable' hands them back.
 */
static ssize_t state_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	const char *state;

	mutex_lock(&bulkhead.lock);
	state = bulkhead.enabled ? "enabled" : bulkhead.stranded ? "stranded" : "disabled";
	mutex_unlock(&bulkhead.lock);
	return sysfs_emit(buf, "%s\n", state);
}
static DEVICE_ATTR_RO(state);

static ssize_t cpus_entered_show(struct device *dev, struct device_attribute *attr,
				 char *buf)
{
	ssize_t len;

	mutex_lock(&bulkhead.lock);
	len = sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(&bulkhead.cpus_entered));
	mutex_unlock(&bulkhead.lock);
	return len;
}
static DEVICE_ATTR_RO(cpus_entered);

static ssize_t hypervisor_memory_show(struct device *dev, struct device_attribute *attr,
				      char *buf)
{
	ssize_t len;

	mutex_lock(&bulkhead.lock);
	if (bulkhead.enabled)
		len = sysfs_emit(buf, "0x%llx 0x%llx\n", (u64)bulkhead.memory.phys,
				 bulkhead.memory.size);
	else
		len = sysfs_emit(buf, "none\n");
	mutex_unlock(&bulkhead.lock);
	return len;
}
static DEVICE_ATTR_RO(hypervisor_memory);

static ssize_t version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", BULKHEAD_VERSION);
}
static DEVICE_ATTR_RO(version);

static void emit_cpu_exits(struct bulkhead_text *text, unsigned int cpu)
{
	const struct bulkhead_cpu_page *page = bulkhead_cpu_page(cpu);
	unsigned int reason;

	for (reason = 0; reason < BULKHEAD_EXIT_STATS; reason++) {
		const struct bulkhead_exit_stat *stat = &page->exits[reason];

		if (stat->count)
			bulkhead_text_add(text, "%u %u %s %llu %llu %llu\n", cpu, reason,
					  vmx_exit_reason_name(reason), stat->count,
					  stat->total_cycles, stat->max_cycles);
	}
}

/*
 * One line per CPU and exit reason seen: CPU REASON NAME COUNT TOTAL_CYCLES
 * MAX_CYCLES.  With @cpus NULL every CPU the hypervisor keeps a record for,
 * cells' CPUs too (sysfs statistics); else those in @cpus (a cell's).
 * Longer than a page with many CPUs: binary attributes, read in slices.
 */
void bulkhead_statistics_emit(struct bulkhead_text *text, const struct cpumask *cpus)
{
	unsigned int cpu;

	for (cpu = 0; cpu < bulkhead.layout.max_cpus; cpu++)
		if (!cpus || (cpu < nr_cpu_ids && cpumask_test_cpu(cpu, cpus)))
			emit_cpu_exits(text, cpu);
}

static ssize_t statistics_read(struct file *file, struct kobject *kobj,
			       struct bin_attribute *attr, char *to, loff_t offset, size_t count)
{
	struct bulkhead_text text = {};

	mutex_lock(&bulkhead.lock);
	if (!bulkhead.enabled) {
		mutex_unlock(&bulkhead.lock);
		return -ENODATA;
	}
	bulkhead_statistics_emit(&text, NULL);
	mutex_unlock(&bulkhead.lock);
	return bulkhead_text_read(&text, to, offset, count);
}
static BIN_ATTR_RO(statistics, 0);

/*
 * What the hypervisor refused, dropped or confined per CPU, and where its
 * NMIs went: "CPU NAME COUNT" for every count that is not zero, of every
 * CPU or (@cpus) of a cell's.
 */
void bulkhead_events_emit(struct bulkhead_text *text, const struct cpumask *cpus)
{
	static const char *const names[BULKHEAD_EVENT_TYPES] = {
		[BULKHEAD_EVENT_IPI_DROPPED] = "ipi-dropped",
		[BULKHEAD_EVENT_IPI_REFUSED] = "ipi-refused",
		[BULKHEAD_EVENT_APIC_REFUSED] = "apic-refused",
		[BULKHEAD_EVENT_CACHE_CONFINED] = "cache-confined",
		[BULKHEAD_EVENT_NMI_HYPERVISOR] = "nmi-hypervisor",
		[BULKHEAD_EVENT_NMI_GUEST] = "nmi-guest",
		[BULKHEAD_EVENT_CONSOLE_DROPPED] = "console-dropped",
		[BULKHEAD_EVENT_WAIT_WAKEUPS] = "wait-wakeups",
		[BULKHEAD_EVENT_IOAPIC_DROPPED] = "ioapic-dropped",
		[BULKHEAD_EVENT_IOAPIC_REFUSED] = "ioapic-refused",
	};
	unsigned int cpu, event;
	u64 value;

	for (cpu = 0; cpu < bulkhead.layout.max_cpus; cpu++) {
		if (cpus && (cpu >= nr_cpu_ids || !cpumask_test_cpu(cpu, cpus)))
			continue;
		for (event = 0; event < BULKHEAD_EVENT_TYPES; event++) {
			value = bulkhead_cpu_page(cpu)->events[event];
			if (value)
				bulkhead_text_add(text, "%u %s %llu\n", cpu, names[event], value);
		}
	}
}

static ssize_t events_read(struct file *file, struct kobject *kobj,
			   struct bin_attribute *attr, char *to, loff_t offset, size_t count)
{
	struct bulkhead_text text = {};

	mutex_lock(&bulkhead.lock);
	if (!bulkhead.enabled) {
		mutex_unlock(&bulkhead.lock);
		return -ENODATA;
	}
	bulkhead_events_emit(&text, NULL);
	mutex_unlock(&bulkhead.lock);
	return bulkhead_text_read(&text, to, offset, count);
}
static BIN_ATTR_RO(events, 0);

/* TSC cycles as microseconds, by the hypervisor's rate (1 GHz assumed without one, as it does). */
static u64 cycles_to_us(u64 cycles)
{
	u32 khz = bulkhead_public_header()->tsc_khz;

	return div_u64(cycles, (khz ? khz : 1000000) / 1000 ?: 1);
}

/*
 * Per CPU, "CPU HYPERCALL_US HOLD_US": the longest any hypercall ran on it,
 * and the longest it was held in the hypervisor while another CPU changed
 * the root cell's EPT and I/O bitmap (Documentation/hypercalls.md).
 */
static ssize_t longest_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	const struct bulkhead_cpu_page *page;
	ssize_t len = -ENODATA;
	unsigned int cpu;

	mutex_lock(&bulkhead.lock);
	if (bulkhead.enabled) {
		len = 0;
		for (cpu = 0; cpu < bulkhead.layout.max_cpus; cpu++) {
			page = bulkhead_cpu_page(cpu);
			len += sysfs_emit_at(buf, len, "%u %llu %llu\n", cpu,
					     cycles_to_us(page->longest_hypercall_cycles),
					     cycles_to_us(page->longest_hold_cycles));
		}
	}
	mutex_unlock(&bulkhead.lock);
	return len;
}
static DEVICE_ATTR_RO(longest);

/* Pages of the hypervisor's pool, used and total, as the hypervisor reports them. */
static ssize_t memory_pool_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	long used = 0, total = 0;

	mutex_lock(&bulkhead.lock);
	if (bulkhead.enabled) {
		used = bulkhead_hypercall(BULKHEAD_HC_HYPERVISOR_GET_INFO,
					  BULKHEAD_INFO_MEM_POOL_USED, 0);
		total = bulkhead_hypercall(BULKHEAD_HC_HYPERVISOR_GET_INFO,
					   BULKHEAD_INFO_MEM_POOL_SIZE, 0);
	}
	mutex_unlock(&bulkhead.lock);
	return sysfs_emit(buf, "%ld %ld\n", used, total);
}
static DEVICE_ATTR_RO(memory_pool);

/*
 * Each CPU's state from CPU get info: "CPU running|failed|parked|off", one
 * per line; parked is a failed CPU the hypervisor stopped for good.
 */
static ssize_t cpu_states_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	static const char *const names[] = {
		[BULKHEAD_CPU_STATE_RUNNING] = "running", [1] = "error",
		[BULKHEAD_CPU_STATE_FAILED] = "failed", [BULKHEAD_CPU_STATE_OFF] = "off",
	};
	ssize_t len = 0;
	unsigned int cpu;
	long state;

	mutex_lock(&bulkhead.lock);
	/* A hypercall from a CPU outside the hypervisor would be #UD: only while enabled. */
	for_each_cpu(cpu, bulkhead.enabled ? &bulkhead.cpus_entered : cpu_none_mask) {
		state = bulkhead_hypercall(BULKHEAD_HC_CPU_GET_INFO, cpu, BULKHEAD_CPU_INFO_STATE);
		len += sysfs_emit_at(buf, len, "%u %s\n", cpu,
				     bulkhead_cpu_page(cpu)->record.flags & BULKHEAD_CPU_PARKED ?
				     "parked" : state >= 0 && state < ARRAY_SIZE(names) ?
				     names[state] : "error");
	}
	mutex_unlock(&bulkhead.lock);
	return len;
}
static DEVICE_ATTR_RO(cpu_states);

static ssize_t l1d_flush_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	bool active = false;

	mutex_lock(&bulkhead.lock);
	if (bulkhead.enabled)
		active = bulkhead_public_header()->flags & BULKHEAD_PUBLIC_L1D_FLUSH;
	mutex_unlock(&bulkhead.lock);
	return sysfs_emit(buf, "%d\n", active);
}
static DEVICE_ATTR_RO(l1d_flush);

/*
 * The CR4 the hypervisor runs with (Documentation/design.md, "Host state"):
 * the value of the first CPU entered; every CPU computes it the same way
 * from Linux's CR4.
 */
static ssize_t host_cr4_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	ssize_t len = -ENODATA;

	mutex_lock(&bulkhead.lock);
	if (bulkhead.enabled)
		len = sysfs_emit(buf, "0x%llx\n",
				 bulkhead_cpu_page(cpumask_first(&bulkhead.cpus_entered))->host_cr4);
	mutex_unlock(&bulkhead.lock);
	return len;
}
static DEVICE_ATTR_RO(host_cr4);

/*
 * Speculative-execution mitigations of the hypervisor, one "NAME on|off"
 * line each (Documentation/design.md, "Speculative execution").
 */
static ssize_t mitigations_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	static const struct { const char *name; u32 bit; } table[] = {
		{ "verw", BULKHEAD_MITIGATION_VERW }, { "ibpb", BULKHEAD_MITIGATION_IBPB },
		{ "rsb-fill", BULKHEAD_MITIGATION_RSB_FILL },
		{ "retpolines", BULKHEAD_MITIGATION_RETPOLINES },
	};
	u32 mitigations = 0, flags = 0;
	ssize_t len = -ENODATA;
	unsigned int i;

	mutex_lock(&bulkhead.lock);
	if (bulkhead.enabled) {
		mitigations = bulkhead_public_header()->mitigations;
		flags = bulkhead_public_header()->flags;
		len = sysfs_emit(buf, "l1d-flush %s\n",
				 flags & BULKHEAD_PUBLIC_L1D_FLUSH ? "on" : "off");
		for (i = 0; i < ARRAY_SIZE(table); i++)
			len += sysfs_emit_at(buf, len, "%s %s\n", table[i].name,
					     mitigations & table[i].bit ? "on" : "off");
	}
	mutex_unlock(&bulkhead.lock);
	return len;
}
static DEVICE_ATTR_RO(mitigations);

static struct attribute *bulkhead_attrs[] = {
	&dev_attr_longest.attr,
	&dev_attr_memory_pool.attr,
	&dev_attr_cpu_states.attr,
	&dev_attr_l1d_flush.attr,
	&dev_attr_host_cr4.attr,
	&dev_attr_mitigations.attr,
	&dev_attr_enabled.attr,
	&dev_attr_state.attr,
	&dev_attr_cpus_entered.attr,
	&dev_attr_hypervisor_memory.attr,
	&dev_attr_version.attr,
	NULL,
};

/* Files whose lines grow with the CPUs, past a page: binary, read in slices. */
static struct bin_attribute *bulkhead_bin_attrs[] = {
	&bin_attr_statistics,
	&bin_attr_events,
	NULL,
};

static const struct attribute_group bulkhead_group = {
	.attrs = bulkhead_attrs,
	.bin_attrs = bulkhead_bin_attrs,
};

static const struct attribute_group *bulkhead_groups[] = {
	&bulkhead_group,
	NULL,
};

static void disable_if_enabled(void)
{
	struct bulkhead_error error;

	mutex_lock(&bulkhead.sysfs_lock);
	mutex_lock(&bulkhead.lock);
	if (bulkhead.enabled)
		bulkhead_destroy_all_cells();
	if (bulkhead.enabled || bulkhead.stranded)
		bulkhead_disable(&error);
	mutex_unlock(&bulkhead.lock);
	bulkhead_cell_dirs_prune();
	mutex_unlock(&bulkhead.sysfs_lock);
}

static int bulkhead_reboot(struct notifier_block *nb, unsigned long code, void *unused)
{
	disable_if_enabled();
	return NOTIFY_DONE;
}

static struct notifier_block bulkhead_reboot_notifier = {
	.notifier_call = bulkhead_reboot,
};

static void bulkhead_device_release(struct device *dev)
{
	kfree(dev);
}

/*
 * /sys/devices/bulkhead with its attributes in place before the device is
 * announced, so that udev sees them (dev->groups, not sysfs_create_groups()).
 */
static int bulkhead_device_add(void)
{
	struct device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	int err;

	if (!dev)
		return -ENOMEM;
	device_initialize(dev);
	dev->release = bulkhead_device_release;
	dev->groups = bulkhead_groups;
	err = dev_set_name(dev, "bulkhead");
	if (!err)
		err = device_add(dev);
	if (err) {
		put_device(dev);
		return err;
	}
	bulkhead.root = dev;
	return 0;
}

/* /dev/bulkhead comes last: no request can arrive before everything it relies on is in place. */
static int __init bulkhead_init(void)
{
	int err;

	err = bulkhead_device_add();
	if (err)
		return err;
	err = bulkhead_cells_sysfs_init(&bulkhead.root->kobj);
	if (err)
		goto out_device;
	err = bulkhead_hotplug_init();
	if (err)
		goto out_cells;
	err = register_reboot_notifier(&bulkhead_reboot_notifier);
	if (err)
		goto out_hotplug;
	err = bulkhead_power_init();
	if (err)
		goto out_reboot;
	err = misc_register(&bulkhead_misc);
	if (err)
		goto out_power;
	pr_info("driver %s loaded\n", BULKHEAD_VERSION);
	return 0;

out_power:
	bulkhead_power_exit();
out_reboot:
	unregister_reboot_notifier(&bulkhead_reboot_notifier);
out_hotplug:
	bulkhead_hotplug_exit();
out_cells:
	bulkhead_cells_sysfs_exit();
out_device:
	device_unregister(bulkhead.root);
	return err;
}

static void __exit bulkhead_exit(void)
{
	misc_deregister(&bulkhead_misc);
	bulkhead_power_exit();
	unregister_reboot_notifier(&bulkhead_reboot_notifier);
	disable_if_enabled();
	bulkhead_hotplug_exit();
	bulkhead_cells_sysfs_exit();
	device_unregister(bulkhead.root);
	kvfree(bulkhead.console_copy);
	pr_info("driver unloaded\n");
}

module_init(bulkhead_init);
module_exit(bulkhead_exit);

MODULE_DESCRIPTION("Loader and control interface of the Bulkhead partitioning hypervisor");
MODULE_LICENSE("GPL");
MODULE_VERSION(BULKHEAD_VERSION);
MODULE_FIRMWARE(BULKHEAD_IMAGE_FIRMWARE);
