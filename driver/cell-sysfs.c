// SPDX-License-Identifier: GPL-2.0
/* /sys/devices/bulkhead/cells/<ID>/: one directory per cell, its name, state, CPUs and VM exits. */
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include <bulkhead/config.h>
#include <bulkhead/hypercall.h>

#include "bulkhead.h"

/*
 * Locking.  Removing a directory (kobject_del()) waits until every show
 * function running in it has returned, and the show functions that ask the
 * hypervisor take bulkhead.lock.  Removing a directory under bulkhead.lock
 * would therefore deadlock with a reader waiting for that lock, so
 * directories are added and removed only after bulkhead.lock is dropped,
 * under bulkhead.sysfs_lock, which no show function takes:
 *
 *   create:  sysfs_lock, lock, hypervisor creates cell N, unlock, add cells/N
 *   destroy: sysfs_lock, lock, hypervisor destroys cell N, unlock, remove cells/N
 *
 * In between, cells/N may outlive cell N for a moment: its show functions
 * find the cell gone under bulkhead.lock and return -ENODEV.  sysfs_lock
 * also keeps another cell from taking ID N before cells/N is gone, so a
 * directory never shows a newer cell of the same ID.  Name and CPUs never
 * change during a cell's life and are copied into the directory: reading
 * them takes no lock at all.
 */

struct cell_dir {
	struct kobject kobj;
	u32 id;
	char name[BULKHEAD_CELL_NAME_SIZE];
	cpumask_t cpus;
};

/* The directory "cells" and the cells' directories by ID - 1; under bulkhead.sysfs_lock. */
static struct kobject *cells_kobj;
static struct cell_dir *cell_dirs[BULKHEAD_MAX_CELLS];

static struct cell_dir *to_cell_dir(struct kobject *kobj)
{
	return container_of(kobj, struct cell_dir, kobj);
}

/* Runs @show for the directory's cell under bulkhead.lock; -ENODEV once the cell is gone. */
static ssize_t show_locked(struct kobject *kobj, char *buf,
			   ssize_t (*show)(const struct cell_dir *dir, char *buf))
{
	const struct cell_dir *dir = to_cell_dir(kobj);
	ssize_t len = -ENODEV;

	mutex_lock(&bulkhead.lock);
	if (bulkhead.enabled && bulkhead_cell_of(dir->id))
		len = show(dir, buf);
	mutex_unlock(&bulkhead.lock);
	return len;
}

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_cell_dir(kobj)->name);
}

/* A running cell whose inmate takes no part in the shutdown handshake reads "running/passive". */
static ssize_t emit_state(const struct cell_dir *dir, char *buf)
{
	long state = bulkhead_hypercall(BULKHEAD_HC_CELL_GET_STATE, dir->id, 0);
	const struct cell_entry *cell = bulkhead_cell_of(dir->id);

	if (state == BULKHEAD_CELL_RUNNING &&
	    (cell->view.cell->flags & BULKHEAD_CELL_FLAG_PASSIVE_COMM))
		return sysfs_emit(buf, "running/passive\n");
	return sysfs_emit(buf, "%s\n", bulkhead_cell_state_name(state));
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return show_locked(kobj, buf, emit_state);
}

static ssize_t cpus_assigned_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%*pb\n", cpumask_pr_args(&to_cell_dir(kobj)->cpus));
}

static ssize_t cpus_assigned_list_show(struct kobject *kobj, struct kobj_attribute *attr,
				       char *buf)
{
	return sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(&to_cell_dir(kobj)->cpus));
}

/*
 * The cell's CPUs the CPU get info hypercall reports failed: stopped by a
 * fault of the inmate, unable to start it, or parked after a failure of the
 * hypervisor itself.  A cell can be failed with none of
 * them: a CPU that did not answer a request in time fails the cell without
 * failing itself (hypervisor/arch/x86/control.c).
 */
static int find_failed_cpus(const struct cell_dir *dir, struct cpumask *failed)
{
	unsigned int cpu;
	long state;

	cpumask_clear(failed);
	for_each_cpu(cpu, &dir->cpus) {
		state = bulkhead_hypercall(BULKHEAD_HC_CPU_GET_INFO, cpu, BULKHEAD_CPU_INFO_STATE);
		if (state < 0)
			return (int)state;
		if (state == BULKHEAD_CPU_STATE_FAILED)
			cpumask_set_cpu(cpu, failed);
	}
	return 0;
}

static ssize_t emit_failed(const struct cell_dir *dir, char *buf, bool list)
{
	cpumask_var_t failed;
	ssize_t len;

	if (!zalloc_cpumask_var(&failed, GFP_KERNEL))
		return -ENOMEM;
	len = find_failed_cpus(dir, failed);
	if (!len)
		len = list ? sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(failed)) :
			     sysfs_emit(buf, "%*pb\n", cpumask_pr_args(failed));
	free_cpumask_var(failed);
	return len;
}

static ssize_t emit_failed_mask(const struct cell_dir *dir, char *buf)
{
	return emit_failed(dir, buf, false);
}

static ssize_t emit_failed_list(const struct cell_dir *dir, char *buf)
{
	return emit_failed(dir, buf, true);
}

static ssize_t cpus_failed_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return show_locked(kobj, buf, emit_failed_mask);
}

static ssize_t cpus_failed_list_show(struct kobject *kobj, struct kobj_attribute *attr,
				     char *buf)
{
	return show_locked(kobj, buf, emit_failed_list);
}

/* The lines @emit writes for the cell's CPUs only, of any length. */
static ssize_t cell_text_read(struct kobject *kobj, char *to, loff_t offset, size_t count,
			      void (*emit)(struct bulkhead_text *text, const struct cpumask *cpus))
{
	const struct cell_dir *dir = to_cell_dir(kobj);
	struct bulkhead_text text = {};

	mutex_lock(&bulkhead.lock);
	if (!bulkhead.enabled || !bulkhead_cell_of(dir->id)) {
		mutex_unlock(&bulkhead.lock);
		return -ENODEV;
	}
	emit(&text, &dir->cpus);
	mutex_unlock(&bulkhead.lock);
	return bulkhead_text_read(&text, to, offset, count);
}

/* sysfs statistics of the cell's CPUs, in the same format. */
static ssize_t statistics_read(struct file *file, struct kobject *kobj,
			       struct bin_attribute *attr, char *to, loff_t offset, size_t count)
{
	return cell_text_read(kobj, to, offset, count, bulkhead_statistics_emit);
}
static BIN_ATTR_RO(statistics, 0);

/* sysfs events of the cell's CPUs (IOAPIC writes dropped and refused among them). */
static ssize_t events_read(struct file *file, struct kobject *kobj,
			   struct bin_attribute *attr, char *to, loff_t offset, size_t count)
{
	return cell_text_read(kobj, to, offset, count, bulkhead_events_emit);
}
static BIN_ATTR_RO(events, 0);

static struct kobj_attribute name_attribute = __ATTR_RO(name);
static struct kobj_attribute state_attribute = __ATTR_RO(state);
static struct kobj_attribute cpus_assigned_attribute = __ATTR_RO(cpus_assigned);
static struct kobj_attribute cpus_assigned_list_attribute = __ATTR_RO(cpus_assigned_list);
static struct kobj_attribute cpus_failed_attribute = __ATTR_RO(cpus_failed);
static struct kobj_attribute cpus_failed_list_attribute = __ATTR_RO(cpus_failed_list);

static struct attribute *cell_attrs[] = {
	&name_attribute.attr,
	&state_attribute.attr,
	&cpus_assigned_attribute.attr,
	&cpus_assigned_list_attribute.attr,
	&cpus_failed_attribute.attr,
	&cpus_failed_list_attribute.attr,
	NULL,
};

static struct bin_attribute *cell_bin_attrs[] = {
	&bin_attr_statistics,
	&bin_attr_events,
	NULL,
};

static const struct attribute_group cell_group = {
	.attrs = cell_attrs,
	.bin_attrs = cell_bin_attrs,
};

static const struct attribute_group *cell_groups[] = {
	&cell_group,
	NULL,
};

static void cell_dir_release(struct kobject *kobj)
{
	kfree(to_cell_dir(kobj));
}

static struct kobj_type cell_dir_type = {
	.release = cell_dir_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = cell_groups,
};

/* Copies what never changes during the cell's life; false when there is no such cell. */
static bool describe_cell(struct cell_dir *dir)
{
	const struct cell_entry *cell;

	mutex_lock(&bulkhead.lock);
	cell = bulkhead_cell_of(dir->id);
	if (cell) {
		strscpy(dir->name, cell->view.cell->name, sizeof(dir->name));
		cpumask_copy(&dir->cpus, &cell->cpus);
	}
	mutex_unlock(&bulkhead.lock);
	return cell;
}

/* Adds cells/@id for the cell the hypervisor just accepted; under bulkhead.sysfs_lock only. */
int bulkhead_cell_dir_add(u32 id)
{
	struct cell_dir *dir;
	int err;

	if (id < 1 || id > BULKHEAD_MAX_CELLS)
		return -EINVAL;
	if (cell_dirs[id - 1])
		return -EEXIST;
	dir = kzalloc(sizeof(*dir), GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	dir->id = id;
	if (!describe_cell(dir)) {
		kfree(dir);
		return -ENOENT;
	}
	/* From here on the kobject owns @dir: kobject_put() frees it through release. */
	err = kobject_init_and_add(&dir->kobj, &cell_dir_type, cells_kobj, "%u", id);
	if (err) {
		kobject_put(&dir->kobj);
		return err;
	}
	cell_dirs[id - 1] = dir;
	kobject_uevent(&dir->kobj, KOBJ_ADD);	/* udev learns of it; removal sends KOBJ_REMOVE */
	return 0;
}

/* kobject_del() first: gone from sysfs now, even if the last reference goes later. */
static void remove_dir(unsigned int index)
{
	kobject_del(&cell_dirs[index]->kobj);
	kobject_put(&cell_dirs[index]->kobj);
	cell_dirs[index] = NULL;
}

/* Removes the directories of cells that no longer exist; under bulkhead.sysfs_lock only. */
void bulkhead_cell_dirs_prune(void)
{
	bool gone[BULKHEAD_MAX_CELLS];
	unsigned int i;

	mutex_lock(&bulkhead.lock);
	for (i = 0; i < BULKHEAD_MAX_CELLS; i++)
		gone[i] = cell_dirs[i] && !bulkhead_cell_of(i + 1);
	mutex_unlock(&bulkhead.lock);
	for (i = 0; i < BULKHEAD_MAX_CELLS; i++)
		if (gone[i])
			remove_dir(i);
}

int bulkhead_cells_sysfs_init(struct kobject *parent)
{
	cells_kobj = kobject_create_and_add("cells", parent);
	return cells_kobj ? 0 : -ENOMEM;
}

/* At module exit: every directory goes, also of a cell that could not be destroyed. */
void bulkhead_cells_sysfs_exit(void)
{
	unsigned int i;

	mutex_lock(&bulkhead.sysfs_lock);
	for (i = 0; i < BULKHEAD_MAX_CELLS; i++)
		if (cell_dirs[i])
			remove_dir(i);
	kobject_put(cells_kobj);
	cells_kobj = NULL;
	mutex_unlock(&bulkhead.sysfs_lock);
}
