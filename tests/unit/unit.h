/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal harness for host unit tests: CHECK() inside tests, RUN() each, unit_report() at the end. */
#ifndef BULKHEAD_UNIT_H
#define BULKHEAD_UNIT_H

#include <stdio.h>

static int unit_passed, unit_failed, unit_current_failed;

#define CHECK(condition)							\
	do {									\
		if (!(condition)) {						\
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n",		\
				__FILE__, __LINE__, #condition);		\
			unit_current_failed = 1;				\
		}								\
	} while (0)

#define RUN(test) unit_run(#test, test)

static inline void unit_run(const char *name, void (*test)(void))
{
	unit_current_failed = 0;
	test();
	if (unit_current_failed) {
		unit_failed++;
		fprintf(stderr, "FAIL %s\n", name);
	} else {
		unit_passed++;
	}
}

static inline int unit_report(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
