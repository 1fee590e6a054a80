// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* latency: how late its APIC timer interrupts arrive, published live in memory shared with the root cell. */
#include <inmate.h>
#include <bulkhead/latency.h>

#define NAME		"latency"
#define TIMER_VECTOR	0x20
/* Guest-physical address of the root-shared region, as configs/x86/latency.dts maps it. */
#define DEFAULT_SHMEM	0x200000
/* How long a finished run waits for the root cell's ack before printing (option wait-go). */
#define ACK_WAIT_NS	5000000000ULL
#define CACHE_LINE	64

/*
 * Command line (inmates/README.md): period-us=N (1000), samples=N (10000;
 * 0: until shut down), pollute-kib=N (0), bucket-ns=N (1000), shmem=ADDRESS
 * (0x200000; 0: keep the figures private), wait-go, deny-shutdown, no-reply.
 */
struct options {
	uint64_t period_ns;
	uint64_t samples;
	uint64_t pollute_kib;
	uint32_t bucket_ns;
	uint64_t shmem;
	bool wait_go;
};

static enum shutdown_policy policy;
static bool deadline_mode;
/* The TSC as the timer interrupt's handler first saw it. */
static volatile uint64_t arrival_tsc;
static volatile bool arrived;
static uint8_t *pollution;
/* Where the figures go when no region is shared: the same layout, private. */
static struct bulkhead_latency private_page;

static void timer_fired(unsigned int vector)
{
	(void)vector;
	arrival_tsc = tsc_read();
	arrived = true;
}

static uint64_t option(const char *name, long long fallback, long long low, long long high)
{
	long long value = cmdline_parse_int(name, fallback);

	if (value < low || value > high) {
		printk(NAME ": %s=%lld is outside %lld to %lld; taking %lld\n", name, value, low,
		       high, fallback);
		value = fallback;
	}
	return (uint64_t)value;
}

static void options_read(struct options *options)
{
	options->period_ns = option("period-us", 1000, 10, 1000000) * 1000;
	options->samples = option("samples", 10000, 0, 1LL << 40);
	options->pollute_kib = option("pollute-kib", 0, 0, 512);
	options->bucket_ns = (uint32_t)option("bucket-ns", 1000, 1, 1000000);
	options->shmem = option("shmem", DEFAULT_SHMEM, 0, 0xffffffffLL);
	options->wait_go = cmdline_parse_bool("wait-go", false);
}

/* TSC deadline where the CPU has it (SDM Vol. 3A, 11.5.4.1), else one-shot. */
static bool timer_setup(void)
{
	irq_register(TIMER_VECTOR, timer_fired);
	if (apic_timer_setup(APIC_TIMER_TSC_DEADLINE, TIMER_VECTOR) == 0) {
		deadline_mode = true;
		return true;
	}
	return apic_timer_setup(APIC_TIMER_ONESHOT, TIMER_VECTOR) == 0;
}

static void page_init(volatile struct bulkhead_latency *page, const struct options *options)
{
	page->state = BULKHEAD_LATENCY_STARTING;
	barrier();
	page->sequence = 0;
	page->version = BULKHEAD_LATENCY_VERSION;
	page->timer_mode = deadline_mode ? BULKHEAD_LATENCY_TSC_DEADLINE : BULKHEAD_LATENCY_ONESHOT;
	page->apic_id = cpu_id();
	page->bucket_ns = options->bucket_ns;
	page->tsc_khz = tsc_khz;
	page->period_ns = options->period_ns;
	page->samples_wanted = options->samples;
	page->pollute_kib = options->pollute_kib;
	page->samples = page->sum_ns = page->max_ns = page->max_sample = page->skipped = 0;
	page->min_ns = ~0ULL;
	page->go = page->ack = 0;
	memset((void *)page->histogram, 0, sizeof(page->histogram));
	memset((void *)page->ring, 0, sizeof(page->ring));
	barrier();
	page->magic = BULKHEAD_LATENCY_MAGIC;
	barrier();
	page->state = BULKHEAD_LATENCY_WAITING;
}

/* One sample into the page, between two sequence steps (include/bulkhead/latency.h). */
static void record(volatile struct bulkhead_latency *page, uint64_t ns)
{
	uint64_t bucket = ns / page->bucket_ns, n = page->samples + 1;

	if (bucket >= BULKHEAD_LATENCY_BUCKETS)
		bucket = BULKHEAD_LATENCY_BUCKETS - 1;
	page->sequence++;
	barrier();
	page->samples = n;
	page->sum_ns += ns;
	if (ns < page->min_ns)
		page->min_ns = ns;
	if (ns > page->max_ns) {
		page->max_ns = ns;
		page->max_sample = n;
	}
	page->histogram[bucket]++;
	page->ring[(n - 1) % BULKHEAD_LATENCY_RING] = ns > 0xffffffffULL ? 0xffffffffU : (uint32_t)ns;
	barrier();
	page->sequence++;
}

/* Writes every cache line of the pollution buffer, as a busy neighbour's working set would. */
static void pollute(uint64_t kib)
{
	uint64_t offset;

	for (offset = 0; offset < kib * 1024; offset += CACHE_LINE)
		((volatile uint8_t *)pollution)[offset]++;
}

static void arm_timer(uint64_t deadline)
{
	uint64_t now = tsc_read();

	arrived = false;
	if (deadline_mode)
		apic_timer_deadline(deadline);
	else
		apic_timer_oneshot_ns(deadline > now ? tsc_to_ns(deadline - now) : 0);
}

/* Sleeps until the timer's interrupt; its lateness in ns against @deadline. */
static uint64_t one_sample(uint64_t deadline)
{
	arm_timer(deadline);
	while (!arrived)
		cpu_wait_for_interrupt();
	return arrival_tsc > deadline ? tsc_to_ns(arrival_tsc - deadline) : 0;
}

/* With wait-go, the run starts when the root cell says so, answering shutdown meanwhile. */
static void wait_for_go(volatile struct bulkhead_latency *page, const struct options *options)
{
	if (!options->wait_go)
		return;
	printk(NAME ": waiting for the root cell's go\n");
	while (page->go != BULKHEAD_LATENCY_HANDSHAKE) {
		comm_answer_shutdown(NAME, policy);
		cpu_relax();
	}
}

/* Lets the root cell read the exit counters before anything here could exit again. */
static void wait_for_ack(volatile struct bulkhead_latency *page, const struct options *options)
{
	uint64_t give_up = tsc_read() + ns_to_tsc(ACK_WAIT_NS);

	while (options->wait_go && page->ack != BULKHEAD_LATENCY_HANDSHAKE &&
	       (int64_t)(tsc_read() - give_up) < 0)
		cpu_relax();
}

/*
 * Samples until the count is reached, or a shutdown request comes; the
 * request is only looked at (a memory read), and answered by the caller.
 * Sample times follow a fixed grid, so a late one does not delay the rest.
 */
static void run(volatile struct bulkhead_latency *page, const struct options *options)
{
	uint64_t period = ns_to_tsc(options->period_ns);
	uint64_t deadline = tsc_read() + period;

	page->state = BULKHEAD_LATENCY_RUNNING;
	while (!options->samples || page->samples < options->samples) {
		if (comm_region_valid() && comm_region->msg_to_cell == BULKHEAD_MSG_SHUTDOWN_REQUEST)
			return;
		record(page, one_sample(deadline));
		pollute(options->pollute_kib);
		deadline += period;
		/*
		 * A deadline already past (pollution or the sample took longer
		 * than a period) is skipped and counted, not measured.
		 */
		while ((int64_t)(tsc_read() - deadline) >= 0) {
			deadline += period;
			page->skipped++;
		}
	}
}

static void print_histogram(volatile struct bulkhead_latency *page)
{
	unsigned int bucket;

	for (bucket = 0; bucket < BULKHEAD_LATENCY_BUCKETS; bucket++) {
		if (!page->histogram[bucket])
			continue;
		if (bucket == BULKHEAD_LATENCY_BUCKETS - 1)
			printk(NAME ": >= %lu ns: %u\n", (uint64_t)bucket * page->bucket_ns,
			       page->histogram[bucket]);
		else
			printk(NAME ": %lu-%lu ns: %u\n", (uint64_t)bucket * page->bucket_ns,
			       (uint64_t)(bucket + 1) * page->bucket_ns - 1, page->histogram[bucket]);
	}
}

static void print_summary(volatile struct bulkhead_latency *page)
{
	uint64_t n = page->samples;

	printk(NAME ": %lu samples, min %lu ns, avg %lu ns, max %lu ns (sample %lu), "
	       "%lu deadlines skipped\n", n, n ? page->min_ns : 0, n ? page->sum_ns / n : 0,
	       page->max_ns, page->max_sample, page->skipped);
	print_histogram(page);
	printk(NAME ": end of report\n");
}

static volatile struct bulkhead_latency *page_at(uint64_t shmem)
{
	if (!shmem)
		return &private_page;
	return (volatile struct bulkhead_latency *)(uintptr_t)shmem;
}

void inmate_main(void)
{
	volatile struct bulkhead_latency *page;
	struct options options;

	policy = shutdown_policy_from_cmdline();
	options_read(&options);
	page = page_at(options.shmem);
	if (!timer_setup()) {
		printk(NAME ": no APIC timer on this CPU; nothing to measure\n");
		for (;;) {
			comm_answer_shutdown(NAME, policy);
			cpu_relax();
		}
	}
	pollution = options.pollute_kib ? mem_alloc(options.pollute_kib * 1024, CACHE_LINE) : NULL;
	if (options.pollute_kib && !pollution)
		options.pollute_kib = 0;
	page_init(page, &options);
	printk(NAME ": CPU %u, TSC %u kHz (%s), %s timer, period %lu us, %lu samples, "
	       "pollute %lu KiB\n", cpu_id(), tsc_khz, tsc_rate_source_name(),
	       deadline_mode ? "TSC-deadline" : "one-shot", options.period_ns / 1000,
	       options.samples, options.pollute_kib);
	wait_for_go(page, &options);
	run(page, &options);
	page->state = options.samples && page->samples >= options.samples ?
		BULKHEAD_LATENCY_DONE : BULKHEAD_LATENCY_STOPPED;
	if (page->state == BULKHEAD_LATENCY_DONE)
		wait_for_ack(page, &options);
	print_summary(page);
	for (;;) {
		comm_answer_shutdown(NAME, policy);
		cpu_relax();
	}
}
