// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The comm region: checking it, answering the hypervisor's messages, the shutdown handshake. */
#include "lib.h"

static bool valid;
/* The request seen last was left unanswered on purpose ("no-reply"). */
static bool request_ignored;

bool comm_region_valid(void)
{
	return valid;
}

static bool signature_matches(void)
{
	return memcmp(comm_region->signature, BULKHEAD_COMM_SIGNATURE,
		      BULKHEAD_COMM_SIGNATURE_SIZE) == 0;
}

/* Called before the console exists (the console may come from the comm region): only looks. */
void comm_init(void)
{
	valid = signature_matches() && comm_region->revision == BULKHEAD_COMM_REVISION;
}

/*
 * Called once printk works.  A comm region of another revision fails the
 * cell with the state the interface has for it, so the root cell sees why;
 * without any comm region the inmate runs on, unable to answer shutdown
 * requests.
 */
void comm_report(void)
{
	if (valid)
		return;
	if (!signature_matches()) {
		printk("inmate: no comm region at %#x (signature missing): no shutdown handshake\n",
		       INMATE_COMM_REGION_ADDRESS);
		return;
	}
	printk("inmate: comm region revision %u, this inmate speaks %u: stopping\n",
	       comm_region->revision, BULKHEAD_COMM_REVISION);
	comm_region->cell_state = BULKHEAD_CELL_FAILED_COMM_REV;
	inmate_halt();
}

enum shutdown_policy shutdown_policy_from_cmdline(void)
{
	if (cmdline_parse_bool("no-reply", false))
		return SHUTDOWN_IGNORE;
	if (cmdline_parse_bool("deny-shutdown", false))
		return SHUTDOWN_DENY;
	if (cmdline_parse_bool("locked", false)) {
		if (valid)
			comm_region->cell_state = BULKHEAD_CELL_RUNNING_LOCKED;
		return SHUTDOWN_LOCKED;
	}
	return SHUTDOWN_APPROVE;
}

/*
 * Clearing msg_to_cell before writing the reply lets the hypervisor tell a
 * reply to this message from a stale one.  Plain stores keep their order
 * on x86 (SDM Vol. 3A, 8.2.2); volatile keeps the compiler's.
 */
static void comm_reply(uint32_t reply)
{
	comm_region->msg_to_cell = BULKHEAD_MSG_NONE;
	comm_region->reply_from_cell = reply;
}

bool comm_shutdown_requested(void)
{
	uint32_t message;

	if (!valid)
		return false;
	message = comm_region->msg_to_cell;
	switch (message) {
	case BULKHEAD_MSG_NONE:
		request_ignored = false;
		return false;
	case BULKHEAD_MSG_SHUTDOWN_REQUEST:
		return true;
	case BULKHEAD_MSG_RECONFIG_COMPLETED:
		comm_reply(BULKHEAD_MSG_RECEIVED);
		return false;
	default:
		comm_reply(BULKHEAD_MSG_UNKNOWN);
		return false;
	}
}

void comm_shutdown_approve(void)
{
	smp_reset_election();
	barrier();
	comm_reply(BULKHEAD_MSG_REQUEST_APPROVED);
	comm_region->cell_state = BULKHEAD_CELL_SHUT_DOWN;
	inmate_halt();
}

void comm_shutdown_approve_by_state(void)
{
	smp_reset_election();
	barrier();
	comm_region->cell_state = BULKHEAD_CELL_SHUT_DOWN;
	inmate_halt();
}

void comm_shutdown_deny(void)
{
	comm_reply(BULKHEAD_MSG_REQUEST_DENIED);
}

void comm_answer_shutdown(const char *name, enum shutdown_policy policy)
{
	if (!comm_shutdown_requested())
		return;
	switch (policy) {
	case SHUTDOWN_APPROVE:
		printk("%s: shutdown approved\n", name);
		comm_shutdown_approve();
	case SHUTDOWN_DENY:
		printk("%s: shutdown denied\n", name);
		comm_shutdown_deny();
		break;
	case SHUTDOWN_LOCKED:
		if (comm_region->cell_state == BULKHEAD_CELL_RUNNING_LOCKED) {
			printk("%s: shutdown denied while locked; unlocked now\n", name);
			comm_shutdown_deny();
			comm_region->cell_state = BULKHEAD_CELL_RUNNING;
			break;
		}
		printk("%s: shutdown approved by the state alone\n", name);
		comm_shutdown_approve_by_state();
	case SHUTDOWN_IGNORE:
		if (!request_ignored)
			printk("%s: shutdown request left unanswered (no-reply)\n", name);
		request_ignored = true;
		break;
	}
}
