// SPDX-License-Identifier: GPL-2.0
/*
 * Makes Linux send IPIs for a while, in the test machine:
 *   ipi-load SECONDS
 * One thread per CPU the program may run on (its affinity: the CPUs Linux
 * has) moves itself round robin across those CPUs (sched_setaffinity:
 * migrations, reschedule IPIs) and keeps reading a shared buffer.  The
 * main thread meanwhile takes write access to that buffer away and gives
 * it back (mprotect), and maps fresh memory, lets every thread touch it
 * and unmaps it (munmap): each change to a mapping other CPUs have used
 * flushes their TLBs by IPI.  With two or more CPUs online Linux sends
 * those with the "all excluding self" shorthand when every other online
 * CPU is a target.  Prints what it did, one line; exit status 0, or 2
 * with a one-line error for bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_SECONDS	3600
#define SHARED_PAGES	16
#define FRESH_PAGES	4
/* How long the main thread waits for every thread to touch fresh memory. */
#define TOUCH_WAIT_NS	100000000LL

struct worker {
	pthread_t thread;
	unsigned long migrations;
	unsigned long seen_generation;
};

static int cpus[CPU_SETSIZE];
static unsigned int cpu_count;
static volatile uint8_t *shared;
static long page_size;

static volatile int stop;
static volatile unsigned long generation;
static volatile uint8_t *volatile fresh;
static volatile unsigned long touched;

static long long now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000000000LL + now.tv_nsec;
}

static void move_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void read_shared(void)
{
	long page;

	for (page = 0; page < SHARED_PAGES; page++)
		(void)shared[page * page_size];
}

/* Touches the fresh mapping once per generation, so the main thread may unmap it. */
static void touch_fresh(struct worker *self)
{
	unsigned long now = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
	volatile uint8_t *memory;
	long page;

	if (now == self->seen_generation)
		return;
	memory = __atomic_load_n(&fresh, __ATOMIC_ACQUIRE);
	for (page = 0; memory && page < FRESH_PAGES; page++)
		memory[page * page_size]++;
	self->seen_generation = now;
	__atomic_fetch_add(&touched, 1, __ATOMIC_RELEASE);
}

static void *worker_main(void *argument)
{
	struct worker *self = argument;
	unsigned int next = 0;

	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		move_to(cpus[next]);
		next = (next + 1) % cpu_count;
		self->migrations++;
		read_shared();
		touch_fresh(self);
	}
	return NULL;
}

/* Waits until every worker touched generation GEN (TOTAL touches in all); false at the deadline. */
static int wait_touched(unsigned long total, long long deadline)
{
	long long limit = now_ns() + TOUCH_WAIT_NS;

	while (__atomic_load_n(&touched, __ATOMIC_ACQUIRE) < total) {
		if (now_ns() > limit || now_ns() > deadline)
			return 0;
		sched_yield();
	}
	return 1;
}

/* One fresh mapping, touched by every worker on its CPU, then unmapped: a TLB shootdown. */
static int map_touch_unmap(long long deadline)
{
	size_t size = (size_t)(FRESH_PAGES * page_size);
	void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int all_touched;

	if (memory == MAP_FAILED)
		return 0;
	__atomic_store_n(&fresh, memory, __ATOMIC_RELEASE);
	__atomic_fetch_add(&generation, 1, __ATOMIC_RELEASE);
	all_touched = wait_touched(generation * cpu_count, deadline);
	if (!all_touched)
		return -1;	/* a worker may still touch it: keep it mapped */
	__atomic_store_n(&fresh, NULL, __ATOMIC_RELEASE);
	munmap(memory, size);
	return 1;
}

static int parse_seconds(const char *text, long *seconds)
{
	char *end;

	errno = 0;
	*seconds = strtol(text, &end, 10);
	return !errno && end != text && !*end && *seconds >= 1 && *seconds <= MAX_SECONDS;
}

static int find_cpus(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[cpu_count++] = cpu;
	return cpu_count > 0;
}

static int start_workers(struct worker *workers)
{
	unsigned int n;

	for (n = 0; n < cpu_count; n++)
		if (pthread_create(&workers[n].thread, NULL, worker_main, &workers[n]))
			return 0;
	return 1;
}

static void run(long seconds, struct worker *workers)
{
	long long deadline = now_ns() + seconds * 1000000000LL;
	unsigned long mprotects = 0, unmaps = 0, migrations = 0;
	size_t size = (size_t)(SHARED_PAGES * page_size);
	int result = 1;
	unsigned int n;

	while (now_ns() < deadline && result >= 0) {
		mprotect((void *)shared, size, PROT_READ);
		mprotect((void *)shared, size, PROT_READ | PROT_WRITE);
		mprotects += 2;
		result = map_touch_unmap(deadline);
		unmaps += result > 0;
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (n = 0; n < cpu_count; n++) {
		pthread_join(workers[n].thread, NULL);
		migrations += workers[n].migrations;
	}
	printf("ipi-load: %ld s on %u CPUs: %lu migrations, %lu mprotect calls, %lu munmap calls\n",
	       seconds, cpu_count, migrations, mprotects, unmaps);
}

int main(int argc, char **argv)
{
	static struct worker workers[CPU_SETSIZE];
	long seconds;

	if (argc != 2 || !parse_seconds(argv[1], &seconds)) {
		fprintf(stderr, "ipi-load: usage: ipi-load SECONDS (1 to %d)\n", MAX_SECONDS);
		return 2;
	}
	page_size = sysconf(_SC_PAGESIZE);
	shared = mmap(NULL, (size_t)(SHARED_PAGES * page_size), PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (shared == MAP_FAILED || !find_cpus() || !start_workers(workers)) {
		fprintf(stderr, "ipi-load: cannot set up: %s\n", strerror(errno));
		return 1;
	}
	run(seconds, workers);
	return 0;
}
