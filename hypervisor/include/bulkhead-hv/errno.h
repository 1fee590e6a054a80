/* SPDX-License-Identifier: GPL-2.0 */
/* Error numbers, with the values Linux uses, and the trace_error() wrapper. */
#ifndef BULKHEAD_HV_ERRNO_H
#define BULKHEAD_HV_ERRNO_H

#define EPERM		1
#define ENOENT		2
#define EIO		5
#define E2BIG		7
#define EAGAIN		11	/* an operation in steps goes on: make the same call again */
#define ENOMEM		12
#define EACCES		13	/* another cell is running-locked */
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define ENODEV		19
#define EINVAL		22
#define ENOSPC		28
#define ERANGE		34
#define ENOSYS		38
#define EOVERFLOW	75
#define ETIMEDOUT	110

/*
 * Every error the hypervisor returns goes through trace_error() so that a
 * debug build can tell where it was raised.
 */
int trace_error_at(int code, const char *file, unsigned int line);
#define trace_error(code) trace_error_at((code), __FILE__, __LINE__)

#endif
