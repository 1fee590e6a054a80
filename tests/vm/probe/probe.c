// SPDX-License-Identifier: GPL-2.0
/*
 * Probes the root cell from user space, in the test machine:
 *   probe hypercall           VMCALL (hypervisor get info) from CPL 3; prints RAX
 *   probe cpuid-vmx           prints whether CPUID leaf 1 reports VMX
 *   probe inb PORT            reads one I/O port (ioperm) and prints it in hex
 *   probe outb PORT VALUE     writes one byte to an I/O port (ioperm)
 *   probe gap MS              reads CLOCK_MONOTONIC in a loop for MS ms and
 *                             prints the longest gap between reads in us
 *   probe vmxon               executes VMXON; the root cell must get #UD (SIGILL)
 *   probe bench ITERATIONS    median and max TSC cycles of a CPUID exit and
 *                             of a (refused) hypercall round trip
 *   probe bench-cpuid ITERATIONS   only CPUID (safe on the bare machine)
 *   probe ioctl-unprivileged  opens /dev/bulkhead as root, drops to user 65534
 *                             and asks to start cell 1; prints errno and reason
 *   probe ioctl-reserved      as root, asks to start cell 1 with a reserved
 *                             field set; prints errno and reason
 *   probe load-fault          asks to load 4 KiB into cell 1 at 0x1000 from
 *                             an address nothing maps; prints errno and reason
 *   probe hcfuzz COUNT        COUNT VMCALLs with random codes and arguments
 *                             from CPL 3; each must return -EPERM (exit 1
 *                             otherwise); prints the counts
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/io.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <bulkhead/ioctl.h>

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t low, high;

	asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(low), "=d"(high) :: "memory");
	return ((uint64_t)high << 32) | low;
}

static inline void cpuid(uint32_t leaf, uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx)
{
	asm volatile("cpuid" : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx) : "a"(leaf), "c"(0));
}

/* Code 5 is "hypervisor get info"; from CPL 3 the hypervisor answers -EPERM. */
static inline long hypercall(void)
{
	long result;

	asm volatile("vmcall" : "=a"(result) : "a"(5L), "D"(0L), "S"(0L) : "memory");
	return result;
}

static inline long any_hypercall(uint64_t code, uint64_t arg1, uint64_t arg2)
{
	long result;

	asm volatile("vmcall" : "=a"(result) : "a"(code), "D"(arg1), "S"(arg2) : "memory");
	return result;
}

/* xorshift64*, seeded from the TSC. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

/* Every hypercall from CPL 3, whatever its code and arguments, is refused with -EPERM. */
static int user_hypercalls(unsigned long count)
{
	uint64_t state = rdtsc_ordered() | 1, code, arg1, arg2;
	unsigned long i, refused = 0;
	long result;

	for (i = 0; i < count; i++) {
		code = next_random(&state);
		code = code % 4 ? code % 20 : code;
		arg1 = next_random(&state);
		arg1 = arg1 % 3 ? arg1 % 64 : arg1;
		arg2 = next_random(&state);
		arg2 = arg2 % 3 ? arg2 % 64 : arg2;
		result = any_hypercall(code, arg1, arg2);
		if (result == -EPERM)
			refused++;
		else if (i - refused <= 5)
			printf("code %llu (0x%llx, 0x%llx) from CPL 3 returned %ld, not -EPERM\n",
			       (unsigned long long)code, (unsigned long long)arg1,
			       (unsigned long long)arg2, result);
	}
	printf("%lu hypercalls from CPL 3: %lu refused with -EPERM, %lu otherwise\n",
	       count, refused, count - refused);
	return refused == count ? 0 : 1;
}

static void one_cpuid(void)
{
	uint32_t a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
}

static void one_hypercall(void)
{
	(void)hypercall();
}

static int compare(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static int measure(const char *name, void (*operation)(void), unsigned long iterations)
{
	uint64_t *cycles = calloc(iterations, sizeof(*cycles));
	unsigned long i;

	if (!cycles)
		return 1;
	for (i = 0; i < iterations; i++) {
		uint64_t start = rdtsc_ordered();

		operation();
		cycles[i] = rdtsc_ordered() - start;
	}
	qsort(cycles, iterations, sizeof(*cycles), compare);
	printf("%-28s median %8llu  max %10llu TSC cycles over %lu iterations\n", name,
	       (unsigned long long)cycles[iterations / 2],
	       (unsigned long long)cycles[iterations - 1], iterations);
	free(cycles);
	return 0;
}

/* Cell start of cell 1, as a user would ask it: "ERRNO reason". */
static int cell_start_request(bool drop_privileges, uint32_t reserved)
{
	char reason[BULKHEAD_ERROR_SIZE] = "";
	struct bulkhead_cell_args args = {
		.error = { .address = (uintptr_t)reason, .size = sizeof(reason) },
		.id = 1, .reserved = reserved,
	};
	int fd = open(BULKHEAD_DEVICE, O_RDWR), result;

	if (fd < 0 || (drop_privileges && setuid(65534))) {
		perror("probe");
		return 1;
	}
	result = ioctl(fd, BULKHEAD_CELL_START, &args);
	printf("%d %s\n", result < 0 ? errno : 0, reason);
	close(fd);
	return 0;
}

static uint64_t monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

/* Reads the clock in a loop for @ms milliseconds and prints the longest gap in microseconds. */
static int worst_gap(unsigned long ms)
{
	uint64_t start = monotonic_ns(), last = start, now, worst = 0;

	while ((now = monotonic_ns()) - start < ms * 1000000ULL) {
		if (now - last > worst)
			worst = now - last;
		last = now;
	}
	printf("%llu\n", (unsigned long long)(worst / 1000));
	return 0;
}

static int port_write(const char *port_text, const char *value_text)
{
	unsigned long port = strtoul(port_text, NULL, 0), value = strtoul(value_text, NULL, 0);

	if (port > 0xffff || value > 0xff || ioperm(port, 1, 1)) {
		perror("ioperm");
		return 1;
	}
	outb((unsigned char)value, (unsigned short)port);
	return 0;
}

/* Cell load of cell 1 from unmapped memory (page 0x1000 of this process): "ERRNO reason". */
static int cell_load_fault(void)
{
	char reason[BULKHEAD_ERROR_SIZE] = "";
	struct bulkhead_cell_load_args args = {
		.error = { .address = (uintptr_t)reason, .size = sizeof(reason) },
		.id = 1, .address = 0x1000, .data_address = 0x1000, .data_size = 4096,
	};
	int fd = open(BULKHEAD_DEVICE, O_RDWR), result;

	if (fd < 0) {
		perror("probe");
		return 1;
	}
	result = ioctl(fd, BULKHEAD_CELL_LOAD, &args);
	printf("%d %s\n", result < 0 ? errno : 0, reason);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t a, b, c, d;

	if (argc == 2 && !strcmp(argv[1], "hypercall")) {
		printf("%ld\n", hypercall());
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "cpuid-vmx")) {
		cpuid(1, &a, &b, &c, &d);
		printf("%s\n", c & (1U << 5) ? "vmx" : "no-vmx");
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "vmxon")) {
		uint64_t region = 0;

		asm volatile("vmxon %0" : : "m"(region) : "cc", "memory");
		printf("VMXON did not fault\n");
		return 1;
	}
	if (argc == 3 && !strcmp(argv[1], "inb")) {
		unsigned long port = strtoul(argv[2], NULL, 0);

		if (port > 0xffff || ioperm(port, 1, 1)) {
			perror("ioperm");
			return 1;
		}
		printf("%02x\n", inb((unsigned short)port));
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "outb"))
		return port_write(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "gap"))
		return worst_gap(strtoul(argv[2], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "bench-cpuid")) {
		unsigned long iterations = strtoul(argv[2], NULL, 0);

		return iterations ? measure("CPUID round trip", one_cpuid, iterations) : 2;
	}
	if (argc == 3 && !strcmp(argv[1], "bench")) {
		unsigned long iterations = strtoul(argv[2], NULL, 0);

		if (iterations == 0)
			return 2;
		return measure("CPUID exit round trip", one_cpuid, iterations) |
		       measure("hypercall round trip (CPL 3)", one_hypercall, iterations);
	}
	if (argc == 3 && !strcmp(argv[1], "hcfuzz")) {
		unsigned long count = strtoul(argv[2], NULL, 0);

		return count ? user_hypercalls(count) : 2;
	}
	if (argc == 2 && !strcmp(argv[1], "ioctl-unprivileged"))
		return cell_start_request(true, 0);
	if (argc == 2 && !strcmp(argv[1], "load-fault"))
		return cell_load_fault();
	if (argc == 2 && !strcmp(argv[1], "ioctl-reserved"))
		return cell_start_request(false, 1);
	fprintf(stderr, "usage: probe hypercall | cpuid-vmx | vmxon | inb PORT | outb PORT VALUE | gap MS | bench ITERATIONS | bench-cpuid ITERATIONS | ioctl-unprivileged | ioctl-reserved | load-fault | hcfuzz COUNT\n");
	return 2;
}
