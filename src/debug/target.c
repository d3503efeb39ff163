/*
 * target.c -- the gdb_target_ops of the real machine (see gdb/target.h).
 *
 * Runs on the event thread.  Register state is fetched from KVM once per stop
 * per vCPU, served from the cache, and written back (only if changed) just
 * before the vCPUs are released.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "core/event.h"
#include "debug/dbg.h"
#include "debug/target.h"
#include "gdb/rsp.h"
#include "gdb/server.h"
#include "util.h"

/* How long a stop request waits awake for the vCPUs before sleeping (2 ms). */
#define STOP_SPIN_NS	2000000

static struct dtarget *T(void *t)
{
	return t;
}

static int t_ncpus(void *t)
{
	return T(t)->vm->ncpus;
}

static const char *t_target_xml(void *t, size_t *len)
{
	return arch_gdb_target_xml(T(t)->vm, len);
}

static int t_read_regs(void *tp, int cpu, uint8_t *buf, size_t cap)
{
	struct dtarget *t = tp;
	struct dcache *c;
	int r = dbg_load(t, cpu, &c);

	if (r)
		return r;
	t->cur_cpu = cpu;	/* `monitor` commands act on this vCPU */
	return arch_gdb_get_regs(t->vm, &c->st, buf, cap);
}

/* Registers gdb changed go into the snapshot; written to KVM on resume. */
static int t_write_regs(void *tp, int cpu, const uint8_t *buf, size_t len)
{
	struct dtarget *t = tp;
	struct dcache *c;
	int r = dbg_load(t, cpu, &c);

	if (!r)
		r = arch_gdb_set_regs(t->vm, &c->st, buf, len);
	if (!r)
		c->dirty = true;
	return r;
}

static int t_read_reg(void *tp, int cpu, int regno, uint8_t *buf, size_t cap)
{
	struct dtarget *t = tp;
	struct dcache *c;
	int r;

	if (regno < 0 || regno >= arch_gdb_nregs(t->vm))
		return -ENOENT;
	r = arch_gdb_reg_parts(t->vm, regno) ? dbg_load_full(t, cpu, &c) : dbg_load(t, cpu, &c);
	return r ? r : arch_gdb_get_reg(t->vm, &c->st, regno, buf, cap);
}

static int t_write_reg(void *tp, int cpu, int regno, const uint8_t *buf, size_t len)
{
	struct dtarget *t = tp;
	struct dcache *c;
	int r;

	if (regno < 0 || regno >= arch_gdb_nregs(t->vm))
		return -ENOENT;
	/* a debug register is written back with the rest of KVM's extra state */
	r = arch_gdb_reg_parts(t->vm, regno) ? dbg_load_full(t, cpu, &c) : dbg_load(t, cpu, &c);
	if (!r)
		r = arch_gdb_set_reg(t->vm, &c->st, regno, buf, len);
	if (!r)
		c->dirty = true;
	return r;
}

/* ---- memory ---- */

/*
 * The vCPU to read through instead when `cpu` cannot translate virtual
 * addresses at all (paging off: an AP still waiting for its SIPI, which lldb
 * may pick as its thread): the one that reported the last stop, if it can.
 * A vCPU with page tables of its own is never second-guessed: an address
 * they do not map is not mapped for it, and another's mapping could be
 * another process's memory.  -1: no fallback.
 */
static int read_fallback(struct dtarget *t, int cpu)
{
	struct dcache *c, *alt;
	int s = t->stop_cpu;

	if (t->phys || t->root_set || s == cpu || s < 0 || s >= t->vm->ncpus)
		return -1;
	if (dbg_load(t, cpu, &c) || arch_state_paging(&c->st) ||
	    dbg_load(t, s, &alt) || !arch_state_paging(&alt->st))
		return -1;
	return s;
}

static long t_read_mem(void *tp, int cpu, uint64_t addr, uint8_t *buf, size_t len)
{
	struct dtarget *t = tp;
	long n;
	int alt;

	if (cpu >= 0 && cpu < t->vm->ncpus)
		t->cur_cpu = cpu;
	n = dbg_xfer(t, cpu, addr, buf, len, false);
	if (n <= 0 && (alt = read_fallback(t, cpu)) >= 0) {
		long m = dbg_xfer(t, alt, addr, buf, len, false);

		if (m > 0)
			return m;
	}
	return n;
}

static long t_write_mem(void *t, int cpu, uint64_t addr, const uint8_t *buf, size_t len)
{
	return dbg_xfer(T(t), cpu, addr, (uint8_t *)buf, len, true);
}

static int t_phys_mode(void *t, int set)
{
	if (set >= 0)
		T(t)->phys = set;
	return T(t)->phys;
}

/*
 * QEMU's single-step flags over the debug settings: NOIRQ is step-irq off,
 * ENABLE clear makes a step request run freely (as in QEMU).  KVM cannot
 * stop the guest's timers during a step, so NOTIMER is refused, as QEMU
 * does under KVM.
 */
static int t_sstep_flags(void *tp, int set)
{
	struct dtarget *t = tp;

	if (set >= 0) {
		if (set & ~(GDB_SSTEP_ENABLE | GDB_SSTEP_NOIRQ))
			return -EINVAL;
		t->step_off = !(set & GDB_SSTEP_ENABLE);
		t->step_irq = !(set & GDB_SSTEP_NOIRQ);
		vcpu_set_step_irq(t->vm, t->step_irq);
	}
	return (t->step_off ? 0 : GDB_SSTEP_ENABLE) | (t->step_irq ? 0 : GDB_SSTEP_NOIRQ);
}

/* ---- run control ---- */

static void stopped_on_event_thread(void *opaque)
{
	struct dtarget *t = opaque;

	/*
	 * The notice may be stale: the vCPUs were released again since it was
	 * queued (the debugger hung up, the next one attached).  Passing it on
	 * would tell the new session a running machine is stopped.
	 */
	if (vcpu_stop_notice_current(t->vm) && !dbg_step_over_silently(t))
		gdb_server_stopped();
}

/* Called by run control when every vCPU is parked (any thread). */
static void all_parked(void *opaque)
{
	event_post(&T(opaque)->stopped);
}

/* The machine the guest asked to end: end it now that the debugger lets go. */
static bool end_if_pending(struct dtarget *t)
{
	if (t->pending_exit < 0)
		return false;
	char why[160];

	/* the reason as it was given: not every end is the guest's (an emulation failure) */
	snprintf(why, sizeof(why), "%s; the debugger has let go", t->pending_why);
	vm_force_exit(t->vm, t->pending_exit, why);
	return true;
}

static int t_resume(void *tp, const enum gdb_resume *actions)
{
	struct dtarget *t = tp;
	enum vcpu_action act[VM_MAX_CPUS];
	int r, first = -1;

	__atomic_store_n(&t->attached, true, __ATOMIC_SEQ_CST);
	t->stop_wanted = false;
	t->released = true;
	if (end_if_pending(t))
		return 0;
	if (dbg_take_pending(t, actions) >= 0) {
		event_post(&t->stopped);	/* reported like any stop, nothing ran */
		return 0;
	}
	dbg_history_record(t);		/* the machine as it is before it moves */
	if (dbg_emulate_step(t, actions) >= 0) {
		event_post(&t->stopped);	/* reported like any stop, nothing ran */
		return 0;
	}
	dbg_prepare_resume(t, actions);
	r = dbg_flush(t);
	for (int i = 0; i < t->vm->ncpus; i++) {
		act[i] = actions[i] == GDB_CONT ? VCPU_RUN :
			 actions[i] == GDB_STEP ? VCPU_STEP :
			 actions[i] == GDB_RANGE ? VCPU_RANGE : VCPU_STAY;
		if (t->step_off && (act[i] == VCPU_STEP || act[i] == VCPU_RANGE))
			act[i] = VCPU_RUN;	/* Qqemu.sstep=0: stepping is off */
		if (actions[i] != GDB_STAY && first < 0)
			first = i;
		t->run_act[i] = act[i];
	}
	/*
	 * An interrupt names the first vCPU that runs: with all of them the boot
	 * vCPU, rather than the last AP, which may not even have started.
	 */
	if (first >= 0)
		t->last_cpu = first;
	dbg_apply_debug(t, true);
	vcpu_resume(t->vm, act);
	return r;
}

void dbg_forget_stop(struct dtarget *t)
{
	struct vcpu_stop none = { .reason = STOP_NONE };

	dbg_invalidate(t);
	/* nothing that happened before survives: hits, stop records, a guest's end */
	memset(t->pending, 0, sizeof(t->pending));
	memset(t->step_over, 0, sizeof(t->step_over));
	vcpu_report_only(t->vm, 0, &none);
	t->pending_exit = -1;
	t->reported_cpu = -1;
}

int dbg_reset(struct dtarget *t)
{
	struct vcpu_stop none = { .reason = STOP_NONE };
	int r = boot_reset(t->vm);

	dbg_invalidate(t);
	dbg_history_clear(t);
	if (r)
		return r;
	/* nothing that happened before survives: hits, stop records, a guest's end */
	memset(t->pending, 0, sizeof(t->pending));
	memset(t->step_over, 0, sizeof(t->step_over));
	vcpu_report_only(t->vm, 0, &none);
	t->pending_exit = -1;
	t->reported_cpu = -1;
	t->last_cpu = t->cur_cpu = t->stop_cpu = 0;
	return 0;
}

/* vRun / R under extended-remote: the machine boots again, stopped at its entry. */
static int t_restart(void *tp)
{
	return dbg_reset(tp);
}

static int t_set_range(void *tp, int cpu, uint64_t start, uint64_t end)
{
	struct dtarget *t = tp;

	if (cpu < 0 || cpu >= t->vm->ncpus || start >= end)
		return -EINVAL;
	vcpu_set_range(t->vm, cpu, start, end);
	return 0;
}

static int t_stop(void *tp)
{
	int r;

	/* a new debugger: its first stop names vCPU 0 */
	if (!__atomic_load_n(&T(tp)->attached, __ATOMIC_SEQ_CST))
		T(tp)->last_cpu = T(tp)->cur_cpu = 0;
	__atomic_store_n(&T(tp)->attached, true, __ATOMIC_SEQ_CST);
	T(tp)->stop_wanted = true;
	r = vcpu_request_stop_all(T(tp)->vm);
	/* the vCPUs answer within microseconds: wait awake for that */
	if (!r)
		event_expect_call(STOP_SPIN_NS);
	return r;
}

static int t_stop_info(void *tp, struct gdb_stop *out)
{
	return dbg_stop_info(tp, out);
}

static int t_breakpoint(void *tp, bool insert, enum gdb_bp_type type, uint64_t addr,
			uint64_t kind)
{
	struct dtarget *t = tp;
	int r;

	switch (type) {
	case GDB_BP_SW:
		r = dbg_sw_break(t, insert, addr);
		break;
	case GDB_BP_HW:
		r = dbg_hw_break(t, insert, addr);
		break;
	case GDB_WP_WRITE:
	case GDB_WP_READ:
	case GDB_WP_ACCESS:
		r = dbg_watchpoint(t, insert, type, addr, kind);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!r && !insert)
		cond_del(&t->conds, type, addr, kind);
	if (!r && (type == GDB_BP_SW || type == GDB_BP_HW))
		dbg_apply_debug(t, true);
	return r;
}

/* The lists gdb gave the breakpoint just inserted: the vCPUs evaluate them at hits. */
static int t_bp_opts(void *tp, enum gdb_bp_type type, uint64_t addr, uint64_t kind,
		     struct ax_bp_opts *o)
{
	struct dtarget *t = tp;

	return cond_set(&t->conds, type, addr, kind, t->phys, o);
}

/*
 * Removing watchpoints re-lays the RAM slots, which vm_ram_layout allows only
 * with every vCPU parked; a debugger that hangs up while the guest runs leaves
 * them running (a vCPU then met its code or page tables missing: triple fault).
 */
static void park_all(struct dtarget *t)
{
	if (!vcpu_all_parked(t->vm))
		vcpu_stop_all(t->vm);
}

static void t_detach(void *tp)
{
	struct dtarget *t = tp;
	enum vcpu_action act[VM_MAX_CPUS];

	__atomic_store_n(&t->attached, false, __ATOMIC_SEQ_CST);
	park_all(t);
	dbg_history_clear(t);		/* recorded only while a debugger is attached */
	memset(t->pending, 0, sizeof(t->pending));	/* a new debugger starts afresh */
	t->last_cpu = t->cur_cpu = t->stop_cpu = 0;
	t->phys = false;
	t->root_set = false;
	t->stop_wanted = false;
	/* dprintf that gdb asked to outlive it (persist) stays armed, printing to the log */
	bool keep = dbg_remove_for_detach(t);

	dbg_step_over_pending(t);
	dbg_flush(t);
	if (end_if_pending(t))
		return;
	/*
	 * -G w: held until a debugger says continue.  One that leaves before
	 * (a port scan, a gdb that gave up on a bad file) leaves it held for
	 * the next.
	 */
	if (t->vm->ctl.start_stopped && !t->released) {
		dbg_apply_debug(t, false);
		log_info("debug server: the guest stays held until a debugger lets it run");
		return;
	}
	for (int i = 0; i < t->vm->ncpus; i++)
		act[i] = t->run_act[i] = VCPU_RUN;
	dbg_apply_debug(t, keep);
	vcpu_resume(t->vm, act);
}

static void t_kill(void *tp)
{
	__atomic_store_n(&T(tp)->attached, false, __ATOMIC_SEQ_CST);
	park_all(T(tp));
	dbg_remove_all(T(tp));
	cond_clear(&T(tp)->conds, false);
	vm_force_exit(T(tp)->vm, EXIT_POWEROFF, "killed by the debugger");
}

static int t_reverse(void *tp, int cpu, bool cont, struct gdb_stop *out)
{
	return dbg_reverse(tp, cpu, cont, out);
}

static int t_monitor(void *tp, const char *cmd, struct rsp_buf *out)
{
	return dbg_monitor(tp, cmd, out);
}

static int t_thread_extra(void *tp, int cpu, char *buf, size_t cap)
{
	struct dtarget *t = tp;
	struct dcache *c;

	if (dbg_load(t, cpu, &c))
		return -EINVAL;
	snprintf(buf, cap, "%s mode", arch_mode_name(&c->st));
	return 0;
}

/* QEMU's NOIRQ step flag, and `monitor step-irq`: one setting. */
const struct gdb_target_ops debug_target_ops = {
	.ncpus = t_ncpus,
	.target_xml = t_target_xml,
	.read_regs = t_read_regs,
	.write_regs = t_write_regs,
	.read_reg = t_read_reg,
	.write_reg = t_write_reg,
	.read_mem = t_read_mem,
	.write_mem = t_write_mem,
	.phys_mode = t_phys_mode,
	.sstep_flags = t_sstep_flags,
	.resume = t_resume,
	.set_range = t_set_range,
	.stop = t_stop,
	.stop_info = t_stop_info,
	.breakpoint = t_breakpoint,
	.bp_opts = t_bp_opts,
	.detach = t_detach,
	.kill = t_kill,
	.monitor = t_monitor,
	.thread_extra = t_thread_extra,
	.restart = t_restart,
	.reverse = t_reverse,
};

/*
 * On the run loop of the vCPU whose guest ended the machine: with a debugger
 * attached, keep the machine stopped and inspectable, and tell the debugger
 * instead.
 */
static bool guest_exit_hook(void *opaque, struct vcpu *v, int status, const char *why)
{
	struct dtarget *t = opaque;

	if (!__atomic_load_n(&t->attached, __ATOMIC_SEQ_CST))
		return false;
	snprintf(t->pending_why, sizeof(t->pending_why), "%s", why ? why : "the machine ended");
	log_info("%s: the machine stays stopped for the debugger (exit status %d when it "
		 "detaches or continues)", t->pending_why, status);
	t->pending_exit = status;
	return true;
}

void *debug_target_new(struct vm *vm)
{
	struct dtarget *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->vm = vm;
	t->stopped.fn = stopped_on_event_thread;
	t->stopped.opaque = t;
	t->sw = calloc(MAX_SWBP, sizeof(*t->sw));
	if (!t->sw) {
		free(t);
		return NULL;
	}
	t->pending_exit = -1;
	t->reported_cpu = -1;
	arch_debug_probe(vm);
	for (int i = 0; i < VM_MAX_CPUS; i++)
		t->run_act[i] = VCPU_RUN;
	cond_init(&t->conds);
	dbg_cond_out_init(t);
	dbg_history_init(t);
	vcpu_set_stop_notify(vm, all_parked, t);
	vm->guest_exit_opaque = t;
	vm->guest_exit_hook = guest_exit_hook;
	vm->hit_filter_opaque = t;
	vm->hit_filter = dbg_hit_filter;
	return t;
}

void debug_target_free(void *tp)
{
	struct dtarget *t = tp;

	if (t) {
		dbg_history_destroy(t);
		free(t->sw);
		cond_destroy(&t->conds);
		dbg_cond_out_destroy(t);
	}
	free(t);
}
