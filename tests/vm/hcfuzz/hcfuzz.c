// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the emulated test machine (never installed): issues
 * random hypercalls from the root cell at CPL 0 and checks that each one
 * the hypervisor must refuse is refused with the documented error and
 * changes nothing.
 *
 *   insmod hcfuzz.ko count=N [seed=S]
 *
 * Runs on the CPU insmod runs on (taskset picks it).  Calls that would
 * legitimately change state are never made with valid arguments: disable
 * only while a cell exists (-EBUSY), hand back only with a CPU it must
 * refuse, cell create only with unknown flags, as a check, or with a
 * config size out of range, and start, set loadable and destroy only for
 * cell IDs that do not exist.  The counts per code and result go to the
 * kernel log ("hcfuzz: ..." lines); loading fails (EPROTO) when a result
 * was not the one expected or the state the hypercalls report (cells,
 * pool, CPU and cell states) changed.
 */
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <asm/processor.h>

#include <bulkhead/config.h>
#include <bulkhead/hypercall.h>
#include <bulkhead/image.h>

#define HCFUZZ_CODES		18	/* 0..16 and "any other" */
#define HCFUZZ_OTHER		17
#define HCFUZZ_CELL_IDS		8	/* IDs 1..8 watched: more than MAX_CELLS (4) */
#define HCFUZZ_CPUS		64
#define HCFUZZ_CHECK_EVERY	1000
#define HCFUZZ_SHOWN		10	/* unexpected results logged one by one */

static unsigned long count = 1000;
module_param(count, ulong, 0444);
MODULE_PARM_DESC(count, "hypercalls to issue");
static u64 seed;
module_param(seed, ullong, 0444);
MODULE_PARM_DESC(seed, "random seed (0: pick one)");

/* The results counted apart; anything else is "other". */
static const int hcfuzz_errors[] = { 0, EPERM, ENOENT, EINVAL, EBUSY, ENOSYS, ENOMEM, ENOSPC, EEXIST };
#define HCFUZZ_RESULTS		(ARRAY_SIZE(hcfuzz_errors) + 1)

struct hcfuzz_state {
	long pool_used, pool_size, cells;
	long cpu_state[HCFUZZ_CPUS];
	long cell_state[HCFUZZ_CELL_IDS + 1];
};

static unsigned long results[HCFUZZ_CODES][HCFUZZ_RESULTS];
static unsigned long unexpected, changes, calls;
static u64 rng;

static long hcfuzz_vmcall(u64 code, u64 arg1, u64 arg2)
{
	long result;

	asm volatile("vmcall" : "=a"(result) : "a"(code), "D"(arg1), "S"(arg2) : "memory");
	return result;
}

/* xorshift64*: reproducible from the seed the log names. */
static u64 hcfuzz_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

/* Arguments near the edges a check may get wrong, or anything. */
static u64 hcfuzz_argument(void)
{
	static const u64 edges[] = {
		0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 63, 64, 65, 255, 256, 999, 1000, 1001,
		BULKHEAD_CPU_INFO_STAT_BASE + BULKHEAD_EXIT_STATS - 1,
		BULKHEAD_CPU_INFO_STAT_BASE + BULKHEAD_EXIT_STATS,
		sizeof(struct bulkhead_config_header) - 1, sizeof(struct bulkhead_config_header),
		BULKHEAD_EXCHANGE_SIZE, BULKHEAD_EXCHANGE_SIZE + 1, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 1ULL << 63, ~0ULL - 1, ~0ULL,
	};
	u64 r = hcfuzz_random();

	switch (r % 4) {
	case 0:
		return hcfuzz_random();
	case 1:
		return hcfuzz_random() % 64;
	default:
		return edges[(r >> 8) % ARRAY_SIZE(edges)];
	}
}

static void hcfuzz_snapshot(struct hcfuzz_state *state)
{
	unsigned int i;

	state->pool_used = hcfuzz_vmcall(BULKHEAD_HC_HYPERVISOR_GET_INFO, BULKHEAD_INFO_MEM_POOL_USED, 0);
	state->pool_size = hcfuzz_vmcall(BULKHEAD_HC_HYPERVISOR_GET_INFO, BULKHEAD_INFO_MEM_POOL_SIZE, 0);
	state->cells = hcfuzz_vmcall(BULKHEAD_HC_HYPERVISOR_GET_INFO, BULKHEAD_INFO_NUM_CELLS, 0);
	for (i = 0; i < HCFUZZ_CPUS; i++)
		state->cpu_state[i] = hcfuzz_vmcall(BULKHEAD_HC_CPU_GET_INFO, i, BULKHEAD_CPU_INFO_STATE);
	for (i = 1; i <= HCFUZZ_CELL_IDS; i++)
		state->cell_state[i] = hcfuzz_vmcall(BULKHEAD_HC_CELL_GET_STATE, i, 0);
}

static bool hcfuzz_cell_exists(const struct hcfuzz_state *state, u64 id)
{
	return id >= 1 && id <= HCFUZZ_CELL_IDS && state->cell_state[id] >= 0;
}

/*
 * Makes a call that would change state harmless, or returns false when the
 * code cannot be made harmless now (disable with no cell).
 */
static bool hcfuzz_defuse(const struct hcfuzz_state *state, u64 code, u64 *arg1, u64 *arg2,
			  unsigned int cpu)
{
	switch (code) {
	case BULKHEAD_HC_DISABLE:
		return state->cells > 1;
	case BULKHEAD_HC_CELL_CREATE:
		/* Flags 0 creates: only with a size create_locked refuses. */
		if (*arg2 == 0 && *arg1 >= sizeof(struct bulkhead_config_header) &&
		    *arg1 <= BULKHEAD_EXCHANGE_SIZE)
			*arg1 += BULKHEAD_EXCHANGE_SIZE;
		return true;
	case BULKHEAD_HC_CELL_START:
	case BULKHEAD_HC_CELL_SET_LOADABLE:
	case BULKHEAD_HC_CELL_DESTROY:
		if (hcfuzz_cell_exists(state, *arg1))
			*arg1 += 1000;
		return true;
	case BULKHEAD_HC_CPU_HAND_BACK:
		/* With no cell, another CPU of Linux's would leave the hypervisor. */
		if (state->cells <= 1 && *arg1 < HCFUZZ_CPUS && *arg1 != cpu)
			*arg1 = cpu;
		return true;
	default:
		return true;
	}
}

/* Whether @result is what the hypervisor documents for this (defused) call. */
static bool hcfuzz_expected(const struct hcfuzz_state *state, u64 code, u64 arg1, u64 arg2,
			    long result)
{
	switch (code) {
	case BULKHEAD_HC_DISABLE:
		return result == -EBUSY;
	case BULKHEAD_HC_CELL_CREATE:
		if (arg2 == BULKHEAD_CELL_CREATE_CHECK_ONLY)
			return result <= 0;
		return result == -EINVAL;
	case BULKHEAD_HC_CELL_START:
	case BULKHEAD_HC_CELL_SET_LOADABLE:
	case BULKHEAD_HC_CELL_DESTROY:
		return result == -ENOENT;
	case BULKHEAD_HC_HYPERVISOR_GET_INFO:
		return arg1 <= BULKHEAD_INFO_NUM_CELLS ? result >= 0 : result == -EINVAL;
	case BULKHEAD_HC_CELL_GET_STATE:
		return hcfuzz_cell_exists(state, arg1) ? result == state->cell_state[arg1] :
		       result == -ENOENT;
	case BULKHEAD_HC_CPU_GET_INFO:
		return result >= 0 || result == -EINVAL;
	case BULKHEAD_HC_CPU_HAND_BACK:
		return result == (state->cells > 1 ? -EBUSY : -EINVAL);
	default:
		return result == -ENOSYS;
	}
}

static void hcfuzz_count(u64 code, long result)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hcfuzz_errors); i++)
		if (result == -hcfuzz_errors[i] || (i == 0 && result > 0))
			break;
	results[code < HCFUZZ_OTHER ? code : HCFUZZ_OTHER][i]++;
}

/* Codes 0..16 mostly, sometimes anything. */
static u64 hcfuzz_code(void)
{
	u64 r = hcfuzz_random();

	return r % 8 ? (r >> 8) % (HCFUZZ_OTHER + 3) : hcfuzz_random();
}

static void hcfuzz_one(const struct hcfuzz_state *state)
{
	u64 code, arg1, arg2;
	unsigned int cpu;
	long result;

	cpu = get_cpu();
	do {
		code = hcfuzz_code();
		arg1 = hcfuzz_argument();
		arg2 = hcfuzz_argument();
	} while (!hcfuzz_defuse(state, code, &arg1, &arg2, cpu));
	result = hcfuzz_vmcall(code, arg1, arg2);
	put_cpu();
	calls++;
	hcfuzz_count(code, result);
	if (hcfuzz_expected(state, code, arg1, arg2, result))
		return;
	if (unexpected++ < HCFUZZ_SHOWN)
		pr_err("hcfuzz: code %llu (0x%llx, 0x%llx) returned %ld, not what the hypervisor documents\n",
		       code, arg1, arg2, result);
}

static void hcfuzz_compare(const struct hcfuzz_state *before)
{
	struct hcfuzz_state now;

	hcfuzz_snapshot(&now);
	if (!memcmp(before, &now, sizeof(now)))
		return;
	if (changes++ < HCFUZZ_SHOWN)
		pr_err("hcfuzz: state changed after %lu calls: pool %ld/%ld -> %ld/%ld, cells %ld -> %ld\n",
		       calls, before->pool_used, before->pool_size, now.pool_used, now.pool_size,
		       before->cells, now.cells);
}

static void hcfuzz_report(void)
{
	static const char *const names[] = { "ok", "EPERM", "ENOENT", "EINVAL", "EBUSY",
					     "ENOSYS", "ENOMEM", "ENOSPC", "EEXIST", "other" };
	unsigned int code, r;
	char line[256];
	int len;

	for (code = 0; code < HCFUZZ_CODES; code++) {
		len = 0;
		for (r = 0; r < HCFUZZ_RESULTS; r++)
			if (results[code][r])
				len += scnprintf(line + len, sizeof(line) - len, " %s %lu",
						 names[r], results[code][r]);
		if (len && code == HCFUZZ_OTHER)
			pr_info("hcfuzz: code other:%s\n", line);
		else if (len)
			pr_info("hcfuzz: code %u:%s\n", code, line);
	}
	pr_info("hcfuzz: %lu hypercalls, %lu unexpected results, %lu state changes\n",
		calls, unexpected, changes);
}

/* CPUID leaf 1 shows VMX on the bare machine; the root cell's CPUID hides it. */
static bool hcfuzz_under_hypervisor(void)
{
	return !(cpuid_ecx(1) & BIT(5));
}

static int __init hcfuzz_init(void)
{
	struct hcfuzz_state before;
	unsigned long i;

	if (!hcfuzz_under_hypervisor()) {
		pr_err("hcfuzz: Bulkhead is not enabled (CPUID shows VMX); run 'bulkhead enable' first\n");
		return -ENODEV;
	}
	rng = seed ? seed : get_random_u64() | 1;
	pr_info("hcfuzz: %lu hypercalls on CPU %d, seed 0x%llx\n", count, raw_smp_processor_id(), rng);
	hcfuzz_snapshot(&before);
	for (i = 1; i <= count; i++) {
		hcfuzz_one(&before);
		if (i % HCFUZZ_CHECK_EVERY == 0 || i == count) {
			hcfuzz_compare(&before);
			cond_resched();
		}
	}
	hcfuzz_report();
	return unexpected || changes ? -EPROTO : 0;
}

static void __exit hcfuzz_exit(void)
{
}

module_init(hcfuzz_init);
module_exit(hcfuzz_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Bulkhead test machine only: random hypercalls from the root cell");
