// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the inmate library's exception fixups (inmates/lib/x86/fixup.h
 * and fixup.c).  RDMSR and WRMSR raise #GP at CPL 3, which Linux turns into
 * SIGSEGV: the handler below does what the library's #GP handler does, so
 * the real rdmsr_safe and wrmsr_safe run against the real table.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "../../inmates/lib/x86/fixup.c"

#include "unit.h"

static volatile int faults, unfixed;

static void on_segv(int signal_number, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;
	uintptr_t fixup = exception_fixup_find(__start_inmate_fixups, __stop_inmate_fixups,
					       (uintptr_t)uc->uc_mcontext.gregs[REG_RIP]);

	(void)signal_number;
	(void)info;
	faults++;
	if (!fixup) {
		/* Not ours: die as without the handler. */
		unfixed++;
		signal(SIGSEGV, SIG_DFL);
		return;
	}
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)fixup;
}

static void install_handler(void)
{
	struct sigaction action;

	memset(&action, 0, sizeof(action));
	action.sa_sigaction = on_segv;
	action.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &action, NULL);
}

static void test_rdmsr_fault_returns_false(void)
{
	uint64_t value = 0x1234;

	faults = 0;
	CHECK(!rdmsr_safe(0x10, &value));
	CHECK(value == 0x1234);
	CHECK(faults == 1 && unfixed == 0);
}

static void test_wrmsr_fault_returns_false(void)
{
	faults = 0;
	CHECK(!wrmsr_safe(0x1b, 0));
	CHECK(!wrmsr_safe(0x830, 0xffffffff00000441ULL));
	CHECK(faults == 2 && unfixed == 0);
}

/* The same table entry shape around an instruction that does not fault: it runs on. */
static bool nop_safe(void)
{
	bool ok = false;

	__asm__ __volatile__("1: nop\n\t"
			     "movb $1, %b0\n"
			     "2:\n\t"
			     EXCEPTION_FIXUP(1b, 2b)
			     : "+r"(ok));
	return ok;
}

static void test_no_fault_returns_true(void)
{
	faults = 0;
	CHECK(nop_safe());
	CHECK(faults == 0);
}

static void test_find(void)
{
	struct exception_fixup table[2];
	uintptr_t base = (uintptr_t)table;

	/* Entry 0: instruction at base + 0x100, fixup at base + 0x200, as offsets from each field. */
	table[0].instruction = 0x100;
	table[0].fixup = 0x200 - 4;
	table[1].instruction = -0x40;
	table[1].fixup = -0x20;
	CHECK(exception_fixup_find(table, table + 2, base + 0x100) == base + 0x200);
	CHECK(exception_fixup_find(table, table + 2, base + 8 - 0x40) == base + 12 - 0x20);
	CHECK(exception_fixup_find(table, table + 2, base + 0x101) == 0);
	CHECK(exception_fixup_find(table, table + 1, base + 8 - 0x40) == 0);
	CHECK(exception_fixup_find(table, table, base + 0x100) == 0);
}

/* Every entry the compiler emitted lies in this program's text. */
static void test_table_is_built(void)
{
	size_t entries = (size_t)(__stop_inmate_fixups - __start_inmate_fixups);

	CHECK(entries >= 4);
}

int main(void)
{
	install_handler();
	RUN(test_rdmsr_fault_returns_false);
	RUN(test_wrmsr_fault_returns_false);
	RUN(test_no_fault_returns_true);
	RUN(test_find);
	RUN(test_table_is_built);
	return unit_report("inmate fixup");
}
