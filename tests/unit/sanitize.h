/* SPDX-License-Identifier: GPL-2.0 */
/* Tells AddressSanitizer that a simulated CPU's stack is free again, when the tests run under it. */
#ifndef BULKHEAD_TEST_SANITIZE_H
#define BULKHEAD_TEST_SANITIZE_H

#include <stddef.h>

/*
 * The host tests run hypervisor code on stacks inside per-CPU areas and
 * leave it by longjmp() or by dropping a context (exits-stubs.h,
 * control-sim.h).  AddressSanitizer cannot see those frames end, so their
 * redzones stay poisoned; a test that clears the area first unpoisons it.
 */
#ifdef __SANITIZE_ADDRESS__
#define UNIT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNIT_ASAN 1
#endif
#endif

#ifdef UNIT_ASAN
#include <sanitizer/asan_interface.h>
#define unit_unpoison(address, size)	ASAN_UNPOISON_MEMORY_REGION(address, size)
#else
#define unit_unpoison(address, size)	((void)(address), (void)(size))
#endif

#endif
