// SPDX-License-Identifier: GPL-2.0
/* bulkhead console: copies the hypervisor's log from the driver to standard output. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bulkhead.h"

#define CHUNK_SIZE		65536
#define FOLLOW_INTERVAL_NS	200000000L

static volatile sig_atomic_t stop_requested;

static void request_stop(int signal_number)
{
	(void)signal_number;
	stop_requested = 1;
}

static int catch_stop_signals(void)
{
	/* No SA_RESTART: the signal has to cut a pending sleep or write short. */
	struct sigaction action = { .sa_handler = request_stop };

	sigemptyset(&action.sa_mask);
	if (sigaction(SIGINT, &action, NULL) || sigaction(SIGTERM, &action, NULL))
		return fail(EXIT_FAILURE, "cannot catch SIGINT and SIGTERM: %s", strerror(errno));
	return 0;
}

/*
 * Writes all of @data to standard output, straight through write(2), so no
 * byte waits in a buffer. A stop signal during a blocked write ends it early.
 */
static int write_out(const char *data, size_t size)
{
	while (size && !stop_requested) {
		ssize_t done = write(STDOUT_FILENO, data, size);

		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return fail(EXIT_FAILURE, "cannot write to standard output: %s",
				    strerror(errno));
		data += done;
		size -= (size_t)done;
	}
	return 0;
}

static int fail_read(int error)
{
	if (error == ENODATA)
		return fail(EXIT_FAILURE, "the hypervisor has not run since the driver was loaded; "
					  "run 'bulkhead enable SYSCONFIG.cell' first");
	return fail(EXIT_FAILURE, "cannot read %s: %s", device_path(), strerror(error));
}

static void wait_for_more(void)
{
	struct timespec interval = { .tv_sec = 0, .tv_nsec = FOLLOW_INTERVAL_NS };

	nanosleep(&interval, NULL);	/* EINTR is a stop signal: the loop checks it. */
}

/*
 * The driver hands out the log from its oldest kept byte; read() returns 0
 * at the current end and never blocks, so --follow polls.
 */
static int copy_console(int fd, bool follow)
{
	static char chunk[CHUNK_SIZE];
	int err;

	while (!stop_requested) {
		ssize_t got = read(fd, chunk, sizeof(chunk));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno != EAGAIN)
			return fail_read(errno);
		if (got > 0) {
			err = write_out(chunk, (size_t)got);
			if (err)
				return err;
		} else if (follow) {
			wait_for_more();
		} else {
			break;
		}
	}
	return EXIT_SUCCESS;
}

int command_console(int argc, char **argv)
{
	bool follow = argc == 2 && !strcmp(argv[1], "--follow");
	int fd, err;

	if (argc > 2 || (argc == 2 && !follow))
		return fail_usage("console");
	err = follow ? catch_stop_signals() : 0;
	if (!err)
		err = open_device(&fd, O_RDONLY);
	if (err)
		return err;
	err = copy_console(fd, follow);
	close(fd);
	return err;
}
