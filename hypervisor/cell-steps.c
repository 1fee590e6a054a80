// SPDX-License-Identifier: GPL-2.0
/* Cell calls that wait, in steps: shutdown, destroy, and the operation state create shares. */
#include <bulkhead/hypercall.h>
#include <bulkhead-hv/arch.h>
#include <bulkhead-hv/cell-steps.h>
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/memory.h>
#include <bulkhead-hv/printk.h>
#include <bulkhead-hv/spinlock.h>

void *memcpy(void *destination, const void *source, size_t size);

/*
 * Management calls that wait are done in steps (cell.h, struct
 * cell_operation): one operation at a time, on cell_busy.  A call returns
 * within a bound (Documentation/hypercalls.md, "Operations in steps"), so
 * cells_lock is held for bounded work only, and a CPU that spins for it
 * waits at most that long for each CPU ahead of it.
 */
struct cell *cell_busy;

void cell_begin_operation(struct cell *cell, uint64_t code, uint64_t arg1, uint64_t arg2,
			  enum cell_stage stage, uint32_t ms)
{
	cell->operation = (struct cell_operation){ .code = code, .arg1 = arg1, .arg2 = arg2,
		.stage = stage, .deadline = arch_deadline_after_ms(ms) };
	cell_busy = cell;
}

int64_t cell_end_operation(struct cell *cell, int64_t result)
{
	cell->operation.stage = STAGE_NONE;
	cell_busy = NULL;
	return result;
}

/* The call that started @cell's operation, made again, advances it; any other waits its turn. */
bool cell_repeats_operation(const struct cell *cell, uint64_t code, uint64_t arg1,
			    uint64_t arg2)
{
	const struct cell_operation *op = &cell->operation;

	return op->code == code && op->arg1 == arg1 && op->arg2 == arg2;
}

/*
 * The shutdown handshake of the comm region (DESIGN decision 7): a running
 * inmate is asked, and may approve or deny; no reply by the config's
 * timeout stops it anyway.  Starts @code's operation on a started cell:
 * the whole of it, reply and CPUs, ends by the one deadline.
 */
static void begin_stop(struct cell *cell, uint64_t code)
{
	struct bulkhead_comm_region *comm = cell->comm_region;
	uint32_t timeout = cell->config.cell->shutdown_timeout_ms;
	bool passive = cell->config.cell->flags & BULKHEAD_CELL_FLAG_PASSIVE_COMM;
	bool ask = cell->phase == CELL_STARTED && !passive && timeout &&
		   (comm->cell_state == BULKHEAD_CELL_RUNNING ||
		    comm->cell_state == BULKHEAD_CELL_RUNNING_LOCKED);

	if (!ask)
		timeout = 0;
	cell_begin_operation(cell, code, cell->id, 0, ask ? STAGE_REPLY : STAGE_STOP,
			timeout + ARCH_ANSWER_MS);
	cell->operation.reply_by = arch_deadline_after_ms(timeout);
	/* Set loadable answers 2 for a running cell stopped without asking. */
	if (passive && cell->phase == CELL_STARTED)
		cell->operation.result = 2;
	if (!ask) {
		arch_cell_stop_cpus(cell);
		return;
	}
	comm->reply_from_cell = BULKHEAD_MSG_NONE;
	comm->msg_to_cell = BULKHEAD_MSG_SHUTDOWN_REQUEST;
}

/* An inmate that set its state to shut down or failed needs no more asking, as on Jailhouse. */
static bool inmate_stopped_itself(const struct bulkhead_comm_region *comm)
{
	uint32_t state = comm->cell_state;

	return state == BULKHEAD_CELL_SHUT_DOWN || state == BULKHEAD_CELL_FAILED;
}

/*
 * One look at the inmate's reply: 0 approved (by the reply, or by a state
 * of shut down or failed), 1 none by the timeout (the cell is stopped
 * anyway), -EPERM denied (any reply but approved, as on Jailhouse),
 * -EAGAIN none yet.  Destroy asks too, so the inmate can finish cleanly,
 * but goes on whatever it says.
 */
static int look_for_reply(struct cell *cell)
{
	struct bulkhead_comm_region *comm = cell->comm_region;
	uint32_t reply = comm->reply_from_cell;

	if (!reply && !inmate_stopped_itself(comm) &&
	    !arch_deadline_passed(cell->operation.reply_by))
		return -EAGAIN;
	comm->msg_to_cell = BULKHEAD_MSG_NONE;
	if (reply == BULKHEAD_MSG_REQUEST_APPROVED || inmate_stopped_itself(comm))
		return 0;
	if (reply)
		return trace_error(-EPERM);
	printk("cell %u \"%s\" did not answer the shutdown request in %u ms; stopped anyway\n",
	       cell->id, cell->config.cell->name, cell->config.cell->shutdown_timeout_ms);
	comm->cell_state = BULKHEAD_CELL_SHUT_DOWN;
	return 1;
}

/* The reply (if asked for) and the stop; 0 once the CPUs stopped, else -EAGAIN or the error. */
static int advance_stop(struct cell *cell)
{
	struct cell_operation *op = &cell->operation;
	int answer, err;

	if (op->stage == STAGE_REPLY) {
		answer = look_for_reply(cell);
		if (answer == -EAGAIN || (answer == -EPERM && op->code != BULKHEAD_HC_CELL_DESTROY))
			return answer;
		op->result = answer > 0 ? answer : 0;
		op->stage = STAGE_STOP;
		arch_cell_stop_cpus(cell);
	}
	if (op->stage != STAGE_STOP)
		return 0;
	err = arch_cell_cpus_stopped(cell, op->deadline);
	if (!err)
		op->stage = STAGE_STOPPED;
	return err;
}

static int64_t make_loadable(struct cell *cell, int64_t answer)
{
	int err;

	if (cell->phase != CELL_LOADABLE) {
		err = arch_cell_set_loadable(cell, true);
		if (err)
			return err;
	}
	cell->phase = CELL_LOADABLE;
	return answer;
}

/* 1 for a cell that did not answer, as the call's result; an error ends the operation. */
static int64_t advance_set_loadable(struct cell *cell)
{
	int err = advance_stop(cell);

	if (err == -EAGAIN)
		return err;
	if (err == -ETIMEDOUT)
		cell->phase = CELL_FAILED;
	if (err)
		return cell_end_operation(cell, err);
	printk("cell %u \"%s\" shut down\n", cell->id, cell->config.cell->name);
	cell->phase = CELL_STOPPED;
	return cell_end_operation(cell, make_loadable(cell, cell->operation.result));
}

/* Set loadable doubles as shutdown: a running cell is asked first, as with Jailhouse. */
static int64_t set_loadable_locked(struct cell *cell)
{
	if (cell->phase == CELL_FAILED)
		return trace_error(-EIO);
	if (cell->phase != CELL_STARTED)
		return make_loadable(cell, 0);
	begin_stop(cell, BULKHEAD_HC_CELL_SET_LOADABLE);
	return advance_set_loadable(cell);
}

/*
 * Runs @action on the cell numbered @id under the cells lock, or @advance
 * when the call repeats the operation in progress on it; -ENOENT when
 * there is no such cell, -EBUSY while another operation is in progress.
 */
static int64_t on_cell(uint64_t code, uint64_t id, int64_t (*action)(struct cell *cell),
		       int64_t (*advance)(struct cell *cell))
{
	struct cell *cell;
	int64_t result;

	spin_lock(&cells_lock);
	cell = cell_by_id(id);
	if (!cell)
		result = trace_error(-ENOENT);
	else if (!cell_busy && cell_locked_other_than(cell))
		result = trace_error(-EACCES);
	else if (!cell_busy)
		result = action(cell);
	else if (cell_busy == cell && advance && cell_repeats_operation(cell, code, id, 0))
		result = advance(cell);
	else
		result = trace_error(-EBUSY);
	spin_unlock(&cells_lock);
	return result;
}

int64_t cell_set_loadable(uint64_t id)
{
	return on_cell(BULKHEAD_HC_CELL_SET_LOADABLE, id, set_loadable_locked,
		       advance_set_loadable);
}

static void init_comm_region(struct cell *cell)
{
	struct bulkhead_comm_region *comm = cell->comm_region;
	const struct bulkhead_console *console = &cell->config.cell->console;
	const struct bulkhead_system *system = root_cell.config.system;
	unsigned int cpus = 0, cpu;

	for (cpu = 0; cpu < 64; cpu++)
		cpus += (cell->cpus >> cpu) & 1;
	memcpy(comm->signature, BULKHEAD_COMM_SIGNATURE, BULKHEAD_COMM_SIGNATURE_SIZE);
	comm->revision = BULKHEAD_COMM_REVISION;
	comm->cell_state = BULKHEAD_CELL_RUNNING;
	comm->msg_to_cell = BULKHEAD_MSG_NONE;
	comm->reply_from_cell = BULKHEAD_MSG_NONE;
	comm->flags = cell->config.cell->flags & BULKHEAD_CELL_FLAG_CONSOLE_PUTC ?
		      BULKHEAD_COMM_FLAG_CONSOLE_PUTC : 0;
	comm->console.address = console->address;
	comm->console.size = console->size;
	comm->console.type = console->type;
	comm->console.flags = console->flags;
	comm->console.divider = console->divider;
	comm->pci_mmconfig_base = system->pci_mmconfig_base;
	comm->pm_timer_address = cell_pm_timer_port(cell);
	comm->num_cpus = (uint16_t)cpus;
	comm->tsc_khz = arch_tsc_khz();
	comm->apic_khz = arch_apic_timer_khz();
}

static int64_t start_locked(struct cell *cell)
{
	int err;

	if (cell->phase == CELL_FAILED)
		return trace_error(-EIO);
	if (cell->phase == CELL_STARTED)
		return trace_error(-EBUSY);
	if (cell->phase == CELL_LOADABLE) {
		err = arch_cell_set_loadable(cell, false);
		if (err)
			return err;
	}
	init_comm_region(cell);
	cell->phase = CELL_STARTED;
	printk("cell %u \"%s\" starting at 0x%lx\n", cell->id, cell->config.cell->name,
	       cell->config.cell->reset_address);
	arch_cell_start_cpus(cell);
	return 0;
}

int64_t cell_start(uint64_t id)
{
	return on_cell(BULKHEAD_HC_CELL_START, id, start_locked, NULL);
}

/*
 * Stops the CPUs, hands them back to the root cell, then gives memory and
 * ports back.  Nothing is given back while a CPU may still run the inmate
 * or is not confirmed back with the root cell: such a CPU leaves the cell
 * failed, holding everything, and destroy can be tried again.
 */
static int64_t advance_destroy(struct cell *cell)
{
	int err = advance_stop(cell);

	if (!err && cell->operation.stage == STAGE_STOPPED) {
		arch_cell_release_cpus(cell);
		cell->operation.stage = STAGE_RELEASE;
	}
	if (!err)
		err = arch_cell_cpus_released(cell, cell->operation.deadline);
	if (err == -EAGAIN)
		return err;
	if (err) {
		cell->phase = CELL_FAILED;
		return cell_end_operation(cell, err);
	}
	/* A loadable cell's loadable regions are the root cell's already: they stay mapped. */
	arch_cell_destroy(cell);
	printk("cell %u \"%s\" destroyed\n", cell->id, cell->config.cell->name);
	cell_end_operation(cell, 0);
	cell->phase = CELL_UNUSED;
	public_header()->pool_used = cells_pool_used();
	return 0;
}

static int64_t destroy_locked(struct cell *cell)
{
	begin_stop(cell, BULKHEAD_HC_CELL_DESTROY);
	return advance_destroy(cell);
}

int64_t cell_destroy(uint64_t id)
{
	return on_cell(BULKHEAD_HC_CELL_DESTROY, id, destroy_locked, advance_destroy);
}

/*
 * As Jailhouse reports it, from the hypervisor's own view: a cell that is
 * not running reads as shut down, a failed one as failed.  A started cell
 * runs whatever its inmate writes into its comm region; only the inmate's
 * "locked" counts, since it is what refuses a shutdown request.
 */
int64_t cell_get_state(uint64_t id)
{
	const struct cell *cell = cell_by_id(id);

	if (!cell)
		return trace_error(-ENOENT);
	if (cell->phase == CELL_FAILED)
		return BULKHEAD_CELL_FAILED;
	if (cell->phase != CELL_STARTED)
		return BULKHEAD_CELL_SHUT_DOWN;
	if (cell->comm_region->cell_state == BULKHEAD_CELL_RUNNING_LOCKED)
		return BULKHEAD_CELL_RUNNING_LOCKED;
	return BULKHEAD_CELL_RUNNING;
}
