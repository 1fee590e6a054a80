// SPDX-License-Identifier: GPL-2.0
/* bulkhead latency: creates a cell, runs the latency inmate in it and reads its figures live from shared memory. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bulkhead/comm-region.h>
#include <bulkhead/config.h>
#include <bulkhead/ioctl.h>
#include <bulkhead/latency.h>

#include "bulkhead.h"
#include "latency.h"

#define IMAGE_MAX_SIZE		(256UL * 1024 * 1024)
#define POLL_NS			200000000L
/* Guest seconds the inmate has to set up its page, and to finish after its last sample is due. */
#define START_TIMEOUT_S		30
#define FINISH_GRACE_S		30
#define DEFAULT_SAMPLES		10000
#define DEFAULT_PERIOD_US	1000
#define DEFAULT_BUCKET_NS	1000
#define MEM_DEVICE		"/dev/mem"
#define ERROR_BUFFER(reason) { .address = (uintptr_t)(reason), .size = sizeof(reason) }

static volatile sig_atomic_t interrupted;

static void on_signal(int signal)
{
	(void)signal;
	interrupted = 1;
}

/* The live side of a run: the cell, the mapped page, the load. */
struct session {
	unsigned int id;
	bool created;
	volatile struct bulkhead_latency *page;
	size_t map_size;
	pid_t load;
	struct timespec start;
	uint64_t progress_step;
};

static int fail_option(const char *option, const char *text, const char *expected)
{
	return fail(EXIT_USAGE, "%s '%s': expected %s", option, text, expected);
}

/* A decimal number in [@low, @high] as the value of @option. */
static int number_option(const char *option, const char *text, uint64_t low, uint64_t high,
			 uint64_t *value)
{
	char expected[96];

	snprintf(expected, sizeof(expected), "a whole number from %" PRIu64 " to %" PRIu64, low,
		 high);
	if (!parse_number(text, value) || *value < low || *value > high)
		return fail_option(option, text, expected);
	return 0;
}

/* Options with a value; the value is argv[*i + 1]. */
static int value_option(struct latency_run *run, const char *option, const char *value,
			uint64_t *duration)
{
	if (!strcmp(option, "--samples"))
		return number_option(option, value, 1, 1ULL << 32, &run->samples_wanted);
	if (!strcmp(option, "--duration"))
		return number_option(option, value, 1, 86400, duration);
	if (!strcmp(option, "--period-us"))
		return number_option(option, value, 10, 1000000, &run->period_us);
	if (!strcmp(option, "--pollute-kib"))
		return number_option(option, value, 0, 512, &run->pollute_kib);
	if (!strcmp(option, "--bucket-ns"))
		return number_option(option, value, 1, 1000000, &run->bucket_ns);
	if (!strcmp(option, "--load"))
		return run->load = value, 0;
	if (!strcmp(option, "--json"))
		return run->json = value, 0;
	if (!strcmp(option, "--plot"))
		return run->plot = value, 0;
	return fail(EXIT_USAGE, "unknown option '%s'; see '%s latency --help'", option, program);
}

static bool takes_value(const char *option)
{
	static const char *const with_value[] = { "--samples", "--duration", "--period-us",
		"--pollute-kib", "--bucket-ns", "--load", "--json", "--plot" };
	size_t i;

	for (i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++)
		if (!strcmp(option, with_value[i]))
			return true;
	return false;
}

static int check_counts(struct latency_run *run, uint64_t duration, bool samples_given)
{
	if (duration && samples_given)
		return fail(EXIT_USAGE, "--duration and --samples both given; pass one of them");
	if (duration) {
		run->samples_wanted = duration * 1000000 / run->period_us;
		if (!run->samples_wanted)
			run->samples_wanted = 1;
	}
	return 0;
}

static int parse_options(struct latency_run *run, int argc, char **argv)
{
	uint64_t duration = 0;
	bool samples_given = false;
	int i, positional = 0, err;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || !argv[i][1]) {
			if (positional == 2)
				return fail(EXIT_USAGE, "unexpected argument '%s'; see '%s latency --help'",
					    argv[i], program);
			*(positional++ ? &run->image : &run->config) = argv[i];
			continue;
		}
		if (!takes_value(argv[i]))
			return value_option(run, argv[i], "", &duration);
		if (i + 1 == argc)
			return fail(EXIT_USAGE, "%s needs a value; see '%s latency --help'", argv[i],
				    program);
		samples_given |= !strcmp(argv[i], "--samples");
		err = value_option(run, argv[i], argv[i + 1], &duration);
		if (err)
			return err;
		i++;
	}
	if (positional < 2)
		return fail_usage("latency");
	return check_counts(run, duration, samples_given);
}

/* Where the results page is: the config's first root-shared region large enough for it. */
struct shared_region {
	uint64_t phys;
	uint64_t virt;
	char name[BULKHEAD_CELL_NAME_SIZE + 1];
};

static int fail_config(const char *path, const char *problem)
{
	return fail(EXIT_FAILURE, "'%s' %s", path, problem);
}

static const struct bulkhead_cell *config_cell(const void *config, size_t size, const char *path)
{
	const struct bulkhead_config_header *header = config;

	if (size < sizeof(*header) + sizeof(struct bulkhead_cell) ||
	    memcmp(header->magic, BULKHEAD_CONFIG_MAGIC, BULKHEAD_CONFIG_MAGIC_SIZE)) {
		fail_config(path, "is not a .cell file; build one with 'bulkhead-config build'");
		return NULL;
	}
	if (header->kind != BULKHEAD_CONFIG_KIND_CELL) {
		fail_config(path, "is a system config; pass a cell config such as latency.cell");
		return NULL;
	}
	return (const struct bulkhead_cell *)(header + 1);
}

/*
 * Finds the shared region in a cell config; the driver checks the rest of
 * the file when it creates the cell.
 */
static int find_shared_region(const void *config, size_t size, const char *path,
			      struct shared_region *region)
{
	const struct bulkhead_cell *cell = config_cell(config, size, path);
	const struct bulkhead_memory_region *regions;
	size_t offset, i;

	if (!cell)
		return EXIT_FAILURE;
	offset = sizeof(struct bulkhead_config_header) + sizeof(*cell) +
		 (size_t)cell->cpu_set_words * sizeof(uint64_t);
	if (cell->cpu_set_words > BULKHEAD_CPU_SET_MAX_WORDS ||
	    cell->num_memory_regions > BULKHEAD_MAX_MEMORY_REGIONS ||
	    offset + cell->num_memory_regions * sizeof(*regions) > size)
		return fail_config(path, "is truncated; build it again with 'bulkhead-config build'");
	regions = (const void *)((const char *)config + offset);
	memcpy(region->name, cell->name, BULKHEAD_CELL_NAME_SIZE);
	region->name[BULKHEAD_CELL_NAME_SIZE] = '\0';
	/* The name goes into JSON unescaped. */
	for (i = 0; region->name[i]; i++)
		if (region->name[i] == '"' || region->name[i] == '\\')
			region->name[i] = '_';
	for (i = 0; i < cell->num_memory_regions; i++)
		if ((regions[i].flags & BULKHEAD_MEM_ROOT_SHARED) &&
		    regions[i].size >= sizeof(struct bulkhead_latency)) {
			region->phys = regions[i].phys_start;
			region->virt = regions[i].virt_start;
			return 0;
		}
	return fail_config(path, "has no root-shared memory region of 64 KiB or more for the "
				 "results; add one as configs/x86/latency.dts does");
}

/*
 * The plot helper: $BULKHEAD_LATENCY_PLOT, or bulkhead-latency-plot next to
 * this program (the source tree) or in ../lib/bulkhead/ (an installation).
 */
static bool find_plotter(char *path, size_t size)
{
	const char *given = getenv("BULKHEAD_LATENCY_PLOT");
	char self[PATH_MAX];
	ssize_t length;
	char *slash;

	if (given && given[0]) {
		snprintf(path, size, "%s", given);
		return access(path, X_OK) == 0;
	}
	length = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (length <= 0)
		return false;
	self[length] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	if ((size_t)snprintf(path, size, "%s/bulkhead-latency-plot", self) < size &&
	    access(path, X_OK) == 0)
		return true;
	return (size_t)snprintf(path, size, "%s/../lib/bulkhead/bulkhead-latency-plot", self) < size &&
	       access(path, X_OK) == 0;
}

static char plotter[PATH_MAX];

static int check_plotter(const struct latency_run *run)
{
	if (!run->plot)
		return 0;
	if (find_plotter(plotter, sizeof(plotter)) && access("/usr/bin/python3", X_OK) == 0)
		return 0;
	return fail(EXIT_FAILURE, "--plot needs bulkhead-latency-plot and /usr/bin/python3 with "
		    "python3-matplotlib, not found here; write --json FILE and run "
		    "'bulkhead-latency-plot FILE %s' where they are", run->plot);
}

/* Runs the helper on the JSON file the run wrote. */
int latency_plot(const struct latency_run *run)
{
	pid_t child = fork();
	int status;

	if (child < 0)
		return fail(EXIT_FAILURE, "cannot start %s: %s", plotter, strerror(errno));
	if (child == 0) {
		execl(plotter, plotter, run->json, run->plot, (char *)NULL);
		_exit(127);
	}
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return fail(EXIT_FAILURE, "%s could not plot %s into %s", plotter, run->json,
			    run->plot);
	printf("Plot written to %s\n", run->plot);
	return 0;
}

static int cell_ioctl(unsigned long request, unsigned int id, const char *what)
{
	char reason[BULKHEAD_ERROR_SIZE] = "";
	struct bulkhead_cell_args args = { .error = ERROR_BUFFER(reason), .id = id };

	return run_ioctl_result(request, &args, reason, what, &(int){ 0 });
}

static int create_cell(struct session *session, const void *config, size_t size)
{
	char reason[BULKHEAD_ERROR_SIZE] = "";
	struct bulkhead_cell_create_args args = {
		.error = ERROR_BUFFER(reason), .config_address = (uintptr_t)config,
		.config_size = (uint32_t)size,
	};
	int id = 0, err = run_ioctl_result(BULKHEAD_CELL_CREATE, &args, reason, "cell create", &id);

	if (err)
		return err;
	session->id = (unsigned int)id;
	session->created = true;
	return 0;
}

static int load(unsigned int id, const void *data, size_t size, uint64_t address)
{
	char reason[BULKHEAD_ERROR_SIZE] = "";
	struct bulkhead_cell_load_args args = {
		.error = ERROR_BUFFER(reason), .id = id, .address = address,
		.data_address = (uintptr_t)data, .data_size = size,
	};

	return run_ioctl_result(BULKHEAD_CELL_LOAD, &args, reason, "cell load", &(int){ 0 });
}

/* The image at 0 and its command line at 0x1000 (inmates/README.md). */
static int load_inmate(const struct latency_run *run, unsigned int id, const void *image,
		       size_t size, const struct shared_region *region)
{
	char cmdline[256];
	int err = load(id, image, size, 0);

	if (err)
		return err;
	snprintf(cmdline, sizeof(cmdline),
		 "period-us=%" PRIu64 " samples=%" PRIu64 " pollute-kib=%" PRIu64
		 " bucket-ns=%" PRIu64 " shmem=0x%" PRIx64 " wait-go", run->period_us,
		 run->samples_wanted, run->pollute_kib, run->bucket_ns, region->virt);
	return load(id, cmdline, strlen(cmdline) + 1, BULKHEAD_CMDLINE_ADDRESS);
}

/* The results page through /dev/mem; the region is root-shared, so Linux may touch it. */
static int map_page(struct session *session, uint64_t phys)
{
	long page_size = sysconf(_SC_PAGESIZE);
	void *map;
	int fd = open(MEM_DEVICE, O_RDWR | O_SYNC | O_CLOEXEC);

	if (fd < 0)
		return fail(EXIT_FAILURE, "cannot open %s: %s%s", MEM_DEVICE, strerror(errno),
			    errno == EACCES ? " (run as root)" : "");
	if (phys % (uint64_t)page_size) {
		close(fd);
		return fail(EXIT_FAILURE, "the shared region at 0x%" PRIx64 " is not page-aligned",
			    phys);
	}
	session->map_size = BULKHEAD_LATENCY_REGION_SIZE;
	map = mmap(NULL, session->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)phys);
	close(fd);
	if (map == MAP_FAILED)
		return fail(EXIT_FAILURE, "cannot map the shared region at 0x%" PRIx64 " through %s: %s",
			    phys, MEM_DEVICE, strerror(errno));
	session->page = map;
	/* A page left from an earlier run must not pass for this one's. */
	session->page->magic = 0;
	session->page->state = BULKHEAD_LATENCY_STARTING;
	__sync_synchronize();
	return 0;
}

/*
 * A consistent copy of the page's figures, the fields before the histogram
 * (include/bulkhead/latency.h); false when none came in 100 tries.  Only
 * they are read under the sequence counter: a copy of the whole page can
 * take longer than a period through an uncached mapping.  The histogram is
 * copied once the inmate is done with it.
 */
static bool read_page(volatile struct bulkhead_latency *page, struct bulkhead_latency *copy)
{
	size_t size = offsetof(struct bulkhead_latency, histogram);
	uint32_t before;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		before = page->sequence;
		__sync_synchronize();
		memcpy(copy, (const void *)page, size);
		__sync_synchronize();
		if (!(before & 1) && page->sequence == before && copy->sequence == before)
			break;
	}
	if (tries == 100)
		return false;
	if (copy->state == BULKHEAD_LATENCY_DONE || copy->state == BULKHEAD_LATENCY_STOPPED)
		memcpy(copy->histogram, (const void *)page->histogram, sizeof(copy->histogram));
	return true;
}

static void sleep_poll(void)
{
	struct timespec pause = { 0, POLL_NS };

	nanosleep(&pause, NULL);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* The cell's state word from sysfs, "running" while all is well; empty when unreadable. */
static void cell_state(unsigned int id, char *state, size_t size)
{
	char relative[64], path[SYSFS_PATH_SIZE];
	FILE *file;

	state[0] = '\0';
	snprintf(relative, sizeof(relative), "cells/%u/state", id);
	if (sysfs_path(path, sizeof(path), relative))
		return;
	file = fopen(path, "r");
	if (file && fgets(state, (int)size, file))
		state[strcspn(state, "\n")] = '\0';
	if (file)
		fclose(file);
}

static int check_cell_runs(const struct session *session)
{
	char state[64];

	cell_state(session->id, state, sizeof(state));
	if (!strcmp(state, "running"))
		return 0;
	return fail(EXIT_FAILURE, "the cell stopped running (state '%s'); see its console",
		    state[0] ? state : "unknown");
}

/* Until the inmate has set up its page and waits for go. */
static int wait_for_inmate(struct session *session, struct latency_run *run)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!interrupted) {
		if (read_page(session->page, &run->page) &&
		    run->page.magic == BULKHEAD_LATENCY_MAGIC &&
		    run->page.state == BULKHEAD_LATENCY_WAITING)
			break;
		if (check_cell_runs(session))
			return EXIT_FAILURE;
		if (seconds_since(&start) > START_TIMEOUT_S)
			return fail(EXIT_FAILURE, "the inmate did not set up its results page in %d s; "
				    "is '%s' the latency inmate?", START_TIMEOUT_S, run->image);
		sleep_poll();
	}
	if (run->page.version != BULKHEAD_LATENCY_VERSION)
		return fail(EXIT_FAILURE, "the inmate's results page has version %u, this tool "
			    "reads version %u", run->page.version, BULKHEAD_LATENCY_VERSION);
	return 0;
}

static int keep_sample(struct latency_run *run, uint32_t ns)
{
	if (run->sample_count == run->sample_capacity) {
		size_t capacity = run->sample_capacity ? 2 * run->sample_capacity : 16384;
		uint32_t *more = realloc(run->samples, capacity * sizeof(*more));

		if (!more)
			return fail(EXIT_FAILURE, "out of memory keeping %zu samples",
				    run->sample_count);
		run->samples = more;
		run->sample_capacity = capacity;
	}
	run->samples[run->sample_count++] = ns;
	return 0;
}

/*
 * Copies the samples the ring holds that the tool has not seen yet, up to
 * the count of the last consistent copy; those the inmate may have
 * overwritten meanwhile (it went on by more than the ring) count as missed.
 */
static int collect(struct latency_run *run, volatile struct bulkhead_latency *page,
		   uint64_t *seen)
{
	uint64_t first = *seen, last = run->page.samples, n;
	size_t start = run->sample_count;

	if (last - first > BULKHEAD_LATENCY_RING)
		first = last - BULKHEAD_LATENCY_RING;
	for (n = first; n < last; n++)
		if (keep_sample(run, page->ring[n % BULKHEAD_LATENCY_RING]))
			return EXIT_FAILURE;
	__sync_synchronize();
	/* Sample first + 1 is overwritten by sample first + 1 + RING: drop the batch then. */
	if (page->samples - first > BULKHEAD_LATENCY_RING)
		run->sample_count = start;
	run->samples_missed += last - *seen - (run->sample_count - start);
	*seen = last;
	return 0;
}

/* One updating line on a terminal; elsewhere a line every tenth of the run. */
static void progress(struct session *session, const struct latency_run *run, bool last)
{
	const struct bulkhead_latency *page = &run->page;
	uint64_t step = page->samples * 10 / run->samples_wanted;

	if (isatty(STDOUT_FILENO)) {
		printf("\r%" PRIu64 " of %" PRIu64 " samples, max %.2f us   ", page->samples,
		       run->samples_wanted, (double)page->max_ns / 1000);
		if (last)
			printf("\n");
	} else if (step > session->progress_step || last) {
		session->progress_step = step;
		printf("%" PRIu64 " of %" PRIu64 " samples, max %.2f us\n", page->samples,
		       run->samples_wanted, (double)page->max_ns / 1000);
	}
	fflush(stdout);
}

/* Samples until the inmate is done; the exit counters are read right before go and right after. */
static int sample(struct session *session, struct latency_run *run)
{
	double limit = 2.0 * (double)run->samples_wanted * (double)run->period_us / 1e6 +
		       FINISH_GRACE_S;
	uint64_t seen = 0;
	int err = latency_read_costs(session->id, &run->before, NULL);

	if (err)
		return err;
	clock_gettime(CLOCK_MONOTONIC, &session->start);
	session->page->go = BULKHEAD_LATENCY_HANDSHAKE;
	while (!interrupted) {
		sleep_poll();
		if (seconds_since(&session->start) > limit)
			return fail(EXIT_FAILURE, "the run did not finish in %.0f s", limit);
		if (!read_page(session->page, &run->page))
			continue;
		if (run->page.state == BULKHEAD_LATENCY_DONE) {
			err = latency_read_costs(session->id, &run->after, &run->before);
			session->page->ack = BULKHEAD_LATENCY_HANDSHAKE;
			run->seconds = seconds_since(&session->start);
			run->completed = !err;
			if (!err)
				err = collect(run, session->page, &seen);
			if (!err)
				progress(session, run, true);
			return err;
		}
		if (collect(run, session->page, &seen))
			return EXIT_FAILURE;
		progress(session, run, false);
		if (check_cell_runs(session))
			return EXIT_FAILURE;
	}
	return 0;
}

/* --load CMD: a shell in its own process group, so that stopping it stops all it started. */
static int start_load(struct session *session, const char *command)
{
	pid_t child;

	if (!command)
		return 0;
	child = fork();
	if (child < 0)
		return fail(EXIT_FAILURE, "cannot start --load: %s", strerror(errno));
	if (child == 0) {
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	setpgid(child, child);
	session->load = child;
	printf("Load started (process group %d): %s\n", (int)child, command);
	return 0;
}

static void stop_load(struct session *session)
{
	if (!session->load)
		return;
	kill(-session->load, SIGTERM);
	kill(-session->load, SIGKILL);
	waitpid(session->load, NULL, 0);
	session->load = 0;
}

/* Destroying the cell also ends whatever the inmate was doing; always done once created. */
static int finish(struct session *session)
{
	int err = 0;

	stop_load(session);
	if (session->page)
		munmap((void *)session->page, session->map_size);
	session->page = NULL;
	if (session->created)
		err = cell_ioctl(BULKHEAD_CELL_DESTROY, session->id, "cell destroy");
	if (session->created && !err)
		printf("Cell %u destroyed; its CPUs are back with Linux\n", session->id);
	session->created = false;
	return err;
}

static void catch_signals(void)
{
	struct sigaction action = { .sa_handler = on_signal };

	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGHUP, &action, NULL);
}

/* Everything from cell create to the last sample; the caller destroys the cell. */
static int run_cell(struct session *session, struct latency_run *run, const void *config,
		    size_t config_size, const void *image, size_t image_size,
		    const struct shared_region *region)
{
	int err = create_cell(session, config, config_size);

	if (!err)
		printf("Cell %u \"%s\" created from %s\n", session->id, run->cell_name, run->config);
	if (!err)
		err = map_page(session, region->phys);
	if (!err)
		err = load_inmate(run, session->id, image, image_size, region);
	if (!err)
		err = cell_ioctl(BULKHEAD_CELL_START, session->id, "cell start");
	if (!err)
		err = wait_for_inmate(session, run);
	if (!err && !interrupted) {
		printf("Measuring %" PRIu64 " samples, one every %" PRIu64 " us (%s timer)\n",
		       run->samples_wanted, run->period_us,
		       run->page.timer_mode == BULKHEAD_LATENCY_TSC_DEADLINE ? "TSC-deadline" :
									      "one-shot");
		err = start_load(session, run->load);
	}
	if (!err && !interrupted)
		err = sample(session, run);
	stop_load(session);
	return err;
}

/* Reads and checks every file before the cell is created: bad input changes nothing. */
static int prepare(struct latency_run *run, void **config, size_t *config_size, void **image,
		   size_t *image_size, struct shared_region *region)
{
	int err = read_input(run->config, config, config_size, BULKHEAD_CONFIG_MAX_SIZE,
			     "a .cell file");

	if (!err)
		err = find_shared_region(*config, *config_size, run->config, region);
	if (!err)
		err = read_input(run->image, image, image_size, IMAGE_MAX_SIZE,
				 "the latency inmate's image (latency.bin)");
	if (!err)
		err = check_plotter(run);
	if (!err)
		err = check_enabled();
	return err;
}

static int report(struct latency_run *run)
{
	static char json_path[PATH_MAX];
	int err = 0;

	latency_report(run);
	if (run->plot && !run->json) {
		snprintf(json_path, sizeof(json_path), "%s.json", run->plot);
		run->json = json_path;
	}
	if (run->json)
		err = latency_write_json(run, run->json);
	if (!err && run->plot)
		err = latency_plot(run);
	return err;
}

int command_latency(int argc, char **argv)
{
	struct latency_run run = { .period_us = DEFAULT_PERIOD_US,
		.samples_wanted = DEFAULT_SAMPLES, .bucket_ns = DEFAULT_BUCKET_NS };
	struct session session = { 0 };
	struct shared_region region;
	void *config = NULL, *image = NULL;
	size_t config_size = 0, image_size = 0;
	int err = parse_options(&run, argc, argv), destroy_err;

	if (!err)
		err = prepare(&run, &config, &config_size, &image, &image_size, &region);
	if (err)
		goto out;
	run.cell_name = region.name;
	catch_signals();
	err = run_cell(&session, &run, config, config_size, image, image_size, &region);
	destroy_err = finish(&session);
	if (interrupted)
		err = fail(EXIT_FAILURE, "interrupted after %" PRIu64 " samples; the cell is destroyed",
			   run.page.magic == BULKHEAD_LATENCY_MAGIC ? run.page.samples : 0);
	if (!err && run.completed)
		err = report(&run);
	err = err ? err : destroy_err;
out:
	free(config);
	free(image);
	free(run.samples);
	latency_free_costs(&run.before);
	latency_free_costs(&run.after);
	return err;
}
