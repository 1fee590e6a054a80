// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Starting the cell's other CPUs: INIT, SIPI, SIPI through the x2APIC ICR, each into 64-bit mode and its main. */
#include "lib.h"

/* The waits of the universal start-up algorithm (MP specification 1.4, B.4). */
#define SMP_INIT_DELAY_US	10000
#define SMP_SIPI_DELAY_US	200
/* How long a started CPU may take to reach C: generous, for an emulator. */
#define SMP_START_TIMEOUT_US	100000
/* How long CPUs the hypervisor started at the reset address get to report there. */
#define SMP_REPORT_TIMEOUT_US	20000

/* Index -> APIC ID; index 0 is the boot CPU.  In bss, so a restart begins afresh. */
static uint32_t apic_ids[INMATE_MAX_CPUS];
static volatile unsigned int online;

/* What the CPU being started picks up once in 64-bit mode. */
static struct {
	ap_main_t main;
	unsigned int index;
	volatile uint32_t started;
} ap_boot;

void smp_init(void)
{
	apic_ids[0] = cpu_id();
	online = 1;
}

unsigned int smp_expected_cpus(void)
{
	unsigned int cpus = comm_region_valid() ? comm_region->num_cpus : 1;

	if (cpus < 1)
		return 1;
	return cpus > INMATE_MAX_CPUS ? INMATE_MAX_CPUS : cpus;
}

unsigned int smp_online_cpus(void)
{
	return online;
}

unsigned int smp_cpu_index(void)
{
	uint32_t id = cpu_id();
	unsigned int index;

	for (index = 0; index < online; index++)
		if (apic_ids[index] == id)
			return index;
	return 0;
}

uint32_t smp_cpu_apic_id(unsigned int index)
{
	return index < online ? apic_ids[index] : UINT32_MAX;
}

void smp_reset_election(void)
{
	unsigned int slot;

	for (slot = 0; slot < INMATE_MAX_CPUS; slot++)
		reset_apic_ids[slot] = 0;
	reset_arrivals = 0;
}

unsigned int smp_reset_arrivals(uint32_t *ids, unsigned int max)
{
	unsigned int arrived = reset_arrivals, slot, count = 0;

	if (max > 0)
		ids[count++] = apic_ids[0];
	for (slot = 1; slot < INMATE_MAX_CPUS && count < max; slot++)
		if (reset_apic_ids[slot])
			ids[count++] = reset_apic_ids[slot] - 1;
	return arrived > INMATE_MAX_CPUS ? INMATE_MAX_CPUS : arrived;
}

static bool id_listed(uint32_t id, const uint32_t *ids, unsigned int count)
{
	while (count--)
		if (ids[count] == id)
			return true;
	return false;
}

static unsigned int reported_at_reset(void)
{
	unsigned int slot, count = 0;

	for (slot = 1; slot < INMATE_MAX_CPUS; slot++)
		if (reset_apic_ids[slot])
			count++;
	return count;
}

static void sort_ids(uint32_t *ids, unsigned int count)
{
	unsigned int n, m;
	uint32_t id;

	for (n = 1; n < count; n++) {
		id = ids[n];
		for (m = n; m > 0 && ids[m - 1] > id; m--)
			ids[m] = ids[m - 1];
		ids[m] = id;
	}
}

/*
 * The APIC IDs of the cell's other CPUs.  A hypervisor that starts every
 * cell CPU at the reset address (as Jailhouse does) lets them report there
 * (boot.S); one that starts only the first leaves the others waiting for
 * SIPI, unknown to us: they are taken to be the APIC IDs following this
 * CPU's, which is how the example cells are built (inmates/README.md).
 */
static unsigned int find_other_cpus(uint32_t *targets, unsigned int wanted)
{
	uint64_t deadline = rdtsc() + ns_to_tsc(SMP_REPORT_TIMEOUT_US * 1000);
	uint32_t self = apic_ids[0], id;
	unsigned int slot, count = 0;

	while (reported_at_reset() < wanted && (int64_t)(rdtsc() - deadline) < 0)
		cpu_relax();
	for (slot = 1; slot < INMATE_MAX_CPUS && count < wanted; slot++) {
		id = reset_apic_ids[slot] - 1;
		if (reset_apic_ids[slot] && id != self && !id_listed(id, targets, count))
			targets[count++] = id;
	}
	sort_ids(targets, count);
	for (id = self + 1; count < wanted && id != UINT32_MAX; id++)
		if (!id_listed(id, targets, count))
			targets[count++] = id;
	return count;
}

static bool wait_for_start(void)
{
	uint64_t deadline = rdtsc() + ns_to_tsc(SMP_START_TIMEOUT_US * 1000);

	while (!ap_boot.started)
		if ((int64_t)(rdtsc() - deadline) >= 0)
			return false;
		else
			cpu_relax();
	return true;
}

/* A second SIPI only when the first brought no sign of life (MP specification B.4). */
static bool start_cpu(uint32_t apic_id, ap_main_t main)
{
	void *stack = mem_alloc(INMATE_STACK_SIZE, INMATE_STACK_SIZE);

	if (!stack) {
		printk("smp: no memory left for the stack of CPU %u\n", apic_id);
		return false;
	}
	ap_boot.main = main;
	ap_boot.index = online;
	ap_boot.started = 0;
	apic_ids[online] = apic_id;
	smp_ap_boot_stack = (uint64_t)stack + INMATE_STACK_SIZE;
	smp_ap_alive = 0;
	barrier();
	apic_send_init(apic_id);
	delay_us(SMP_INIT_DELAY_US);
	apic_send_sipi(apic_id, INMATE_AP_SIPI_VECTOR);
	delay_us(SMP_SIPI_DELAY_US);
	if (!smp_ap_alive)
		apic_send_sipi(apic_id, INMATE_AP_SIPI_VECTOR);
	if (wait_for_start())
		return true;
	printk("smp: CPU %u did not start (%s)\n", apic_id,
	       smp_ap_alive ? "it ran the SIPI page but never reached 64-bit mode"
			    : "no sign of life after INIT and SIPI");
	return false;
}

/*
 * A CPU that fails to start might still run later, on whatever stack the
 * next start sets up: so starting stops at the first failure.
 */
unsigned int smp_start_cpus(ap_main_t main)
{
	uint32_t targets[INMATE_MAX_CPUS];
	unsigned int count, n;

	count = find_other_cpus(targets, smp_expected_cpus() - online);
	for (n = 0; n < count; n++)
		if (!start_cpu(targets[n], main))
			break;
	return online;
}

/* A started CPU, in 64-bit mode on its own stack, interrupts off. */
void smp_ap_startup(void)
{
	unsigned int index = ap_boot.index;
	ap_main_t main = ap_boot.main;

	idt_load();
	if (!apic_cpu_init()) {
		printk("smp: CPU %u has no x2APIC\n", index);
		inmate_halt();
	}
	apic_ids[index] = cpu_id();
	online = index + 1;
	barrier();
	ap_boot.started = 1;
	main(index);
	inmate_halt();
}
