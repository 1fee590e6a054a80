// SPDX-License-Identifier: GPL-2.0
/* bulkhead hardware check: the VMX features Bulkhead needs, as ok or missing per CPU. */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <asm/vmx-caps.h>

#include "bulkhead.h"

#define MAX_CPUS 64

struct cpu_facts {
	unsigned int count;
	int cpu[MAX_CPUS];
	struct vmx_cpu_facts facts[MAX_CPUS];
};

static int read_msr(int fd, unsigned int msr, uint64_t *value)
{
	if (pread(fd, value, sizeof(*value), msr) == (ssize_t)sizeof(*value))
		return 0;
	*value = 0;	/* An MSR the CPU lacks reads as missing features. */
	return errno == EIO ? 0 : -1;
}

static int read_cpu(int cpu, struct vmx_cpu_facts *facts)
{
	char path[64];
	unsigned int eax, ebx, ecx, edx, i;
	cpu_set_t set;
	int fd, err = 0;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(EXIT_FAILURE, "cannot read %s: %s; load the msr module (modprobe msr) and run as root",
			    path, strerror(errno));
	err |= read_msr(fd, VMX_MSR_FEATURE_CONTROL, &facts->feature_control);
	for (i = 0; i < VMX_CAPABILITY_MSRS; i++)
		err |= read_msr(fd, VMX_MSR_FIRST + i, &facts->msr[i]);
	close(fd);
	if (err)
		return fail(EXIT_FAILURE, "cannot read MSRs from %s: %s", path, strerror(errno));
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	__cpuid(1, eax, ebx, ecx, edx);
	facts->cpuid1_ecx = ecx;
	/* CR4 is out of sight of user space: enable checks it. */
	facts->cr4_vmxe = false;
	return 0;
}

static int read_live(struct cpu_facts *all)
{
	long online = sysconf(_SC_NPROCESSORS_CONF);
	int cpu, err;

	for (cpu = 0; cpu < online && cpu < MAX_CPUS; cpu++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
		if (cpu > 0 && access(path, F_OK) == 0) {
			FILE *file = fopen(path, "r");
			int on = file ? fgetc(file) : '1';

			if (file)
				fclose(file);
			if (on == '0')
				continue;
		}
		err = read_cpu(cpu, &all->facts[all->count]);
		if (err)
			return err;
		all->cpu[all->count++] = cpu;
	}
	return 0;
}

/* Lines "0xMSR VALUE", "cpuid1.ecx VALUE" or "cr4 VALUE"; '#' starts a comment. */
static int parse_recording_line(char *line, struct vmx_cpu_facts *facts)
{
	char key[32];
	unsigned long long value;
	unsigned long msr;

	line[strcspn(line, "#\n")] = '\0';
	if (sscanf(line, "%31s %llx", key, &value) != 2)
		return line[strspn(line, " \t")] == '\0' ? 0 : -1;
	if (!strcmp(key, "cpuid1.ecx"))
		facts->cpuid1_ecx = (uint32_t)value;
	else if (!strcmp(key, "cr4"))
		facts->cr4_vmxe = value & CR4_VMXE;
	else if (sscanf(key, "%lx", &msr) == 1 && msr == VMX_MSR_FEATURE_CONTROL)
		facts->feature_control = value;
	else if (msr >= VMX_MSR_FIRST && msr <= VMX_MSR_LAST)
		facts->msr[msr - VMX_MSR_FIRST] = value;
	else
		return -1;
	return 0;
}

static int read_recording(const char *path, struct cpu_facts *all)
{
	FILE *file = fopen(path, "r");
	char line[256];
	unsigned int number = 0;

	if (!file)
		return fail(EXIT_FAILURE, "cannot read '%s': %s", path, strerror(errno));
	memset(&all->facts[0], 0, sizeof(all->facts[0]));
	while (fgets(line, sizeof(line), file)) {
		number++;
		if (parse_recording_line(line, &all->facts[0])) {
			fclose(file);
			return fail(EXIT_FAILURE, "%s:%u: expected 'MSR VALUE', 'cpuid1.ecx VALUE' or 'cr4 VALUE'",
				    path, number);
		}
	}
	fclose(file);
	all->cpu[0] = -1;
	all->count = 1;
	return 0;
}

static void print_requirement(const struct cpu_facts *all, unsigned int index)
{
	char cpus[256] = "";
	size_t used = 0;
	unsigned int i, missing = 0;

	for (i = 0; i < all->count; i++)
		if (!vmx_requirement_met(&all->facts[i], index)) {
			missing++;
			if (all->cpu[i] >= 0)
				used += (size_t)snprintf(cpus + used, sizeof(cpus) - used, "%s%d",
							 used ? "," : " on CPU ", all->cpu[i]);
		}
	printf("  %-8s %s%s\n", missing ? "missing" : "ok", vmx_requirements[index].name, cpus);
	if (missing && vmx_requirements[index].fix)
		printf("           %s\n", vmx_requirements[index].fix);
}

static unsigned int count_missing(const struct cpu_facts *all)
{
	unsigned int index, i, missing = 0;

	for (index = 0; index < vmx_requirement_count; index++)
		for (i = 0; i < all->count; i++)
			if (!vmx_requirement_met(&all->facts[i], index)) {
				missing++;
				break;
			}
	return missing;
}

static int hardware_check(int argc, char **argv)
{
	static struct cpu_facts all;
	unsigned int index, missing;
	int err;

	if (argc == 3 && !strcmp(argv[1], "--msr-file"))
		err = read_recording(argv[2], &all);
	else if (argc == 1)
		err = read_live(&all);
	else
		return fail(EXIT_USAGE, "usage: %s hardware check [--msr-file FILE]", program);
	if (err)
		return err;
	printf("VMX features Bulkhead needs (%s):\n",
	       all.cpu[0] < 0 ? "recorded values" : "every online CPU");
	for (index = 0; index < vmx_requirement_count; index++)
		print_requirement(&all, index);
	missing = count_missing(&all);
	if (all.cpu[0] >= 0)
		printf("CR4.VMXE cannot be read from user space; 'bulkhead enable' checks it.\n");
	if (missing) {
		printf("%u of %u requirements missing: Bulkhead cannot run here\n", missing,
		       vmx_requirement_count);
		return EXIT_FAILURE;
	}
	printf("all %u requirements met\n", vmx_requirement_count);
	return EXIT_SUCCESS;
}

int command_hardware(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return hardware_check(argc - 1, argv + 1);
	return fail(EXIT_USAGE, "usage: %s hardware check [--msr-file FILE]", program);
}
