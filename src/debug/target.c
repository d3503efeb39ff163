/*
 * target.c -- the gdb_target_ops of the real machine (see gdb/target.h).
 *
 * Runs on the event thread.  Register state is fetched from KVM once per stop
 * per vCPU, served from the cache, and written back (only if changed) just
 * before the vCPUs are released.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/trap_swbp.h"
#include "arch/x86/cpuid.h"
#include "debug/dbg.h"
#include "debug/target.h"
#include "core/event.h"
#include "gdb/rsp.h"
#include "gdb/server.h"
#include "arch/x86/gdb_regs.h"
#include "util.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "arch/x86/walk.h"
#include "core/trap_page.h"

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
	return x86_gdb_target_xml(T(t)->has_avx, len);
}

/* The vCPU's registers as gdb sees them (from the per-stop snapshot). */
static int snapshot(struct dtarget *t, int cpu, struct dcache **c, struct x86_gdb_state *g)
{
	int r = dbg_load(t, cpu, c);

	if (!r)
		dbg_to_gdb(t, *c, g);
	return r;
}

/* Put registers gdb changed back into the snapshot; written to KVM on resume. */
static int commit(struct dcache *c, const struct x86_gdb_state *g, int r)
{
	if (r)
		return r;
	dbg_from_gdb(c, g);
	c->dirty = true;
	return 0;
}

static bool known_reg(const struct dtarget *t, int regno)
{
	return regno >= 0 && regno < x86_gdb_nregs(t->has_avx);
}

static int t_read_regs(void *tp, int cpu, uint8_t *buf, size_t cap)
{
	struct dtarget *t = tp;
	struct x86_gdb_state g;
	struct dcache *c;
	int r = snapshot(t, cpu, &c, &g);

	if (r)
		return r;
	t->cur_cpu = cpu;	/* `monitor` commands act on this vCPU */
	return x86_gdb_regs_to_g(&g, buf, cap);
}

static int t_write_regs(void *tp, int cpu, const uint8_t *buf, size_t len)
{
	struct x86_gdb_state g;
	struct dcache *c;
	int r = snapshot(tp, cpu, &c, &g);

	return r ? r : commit(c, &g, x86_gdb_regs_from_g(&g, buf, len));
}

static int t_read_reg(void *tp, int cpu, int regno, uint8_t *buf, size_t cap)
{
	struct x86_gdb_state g;
	struct dcache *c;
	int r;

	if (!known_reg(tp, regno))
		return -ENOENT;
	r = snapshot(tp, cpu, &c, &g);
	return r ? r : x86_gdb_reg_get(&g, (unsigned)regno, buf, cap);
}

static int t_write_reg(void *tp, int cpu, int regno, const uint8_t *buf, size_t len)
{
	struct x86_gdb_state g;
	struct dcache *c;
	int r;

	if (!known_reg(tp, regno))
		return -ENOENT;
	r = snapshot(tp, cpu, &c, &g);
	return r ? r : commit(c, &g, x86_gdb_reg_set(&g, (unsigned)regno, buf, len));
}

/* ---- memory ---- */

static long t_read_mem(void *t, int cpu, uint64_t addr, uint8_t *buf, size_t len)
{
	if (cpu >= 0 && cpu < T(t)->vm->ncpus)
		T(t)->cur_cpu = cpu;
	return dbg_xfer(T(t), cpu, addr, buf, len, false);
}

static long t_write_mem(void *t, int cpu, uint64_t addr, const uint8_t *buf, size_t len)
{
	return dbg_xfer(T(t), cpu, addr, (uint8_t *)buf, len, true);
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
	if (vcpu_stop_notice_current(t->vm))
		gdb_server_stopped();
}

/* Called by the vCPU layer when every vCPU is parked (any thread). */
static void all_parked(void *opaque)
{
	event_post(&T(opaque)->stopped);
}

static bool hit_slot_is_sw(const struct dtarget *t, uint64_t dr6)
{
	for (int i = 0; i < HW_SLOTS; i++)
		if ((dr6 & (1ULL << i)) && t->hw_for_sw[i])
			return true;
	return false;
}

/*
 * A vCPU stopped by an instruction breakpoint (a fault: rip is still at it)
 * would hit it again at once when resumed: set RFLAGS.RF, as a CPU's own
 * debug-exception return does, so it executes the instruction once.
 */
static void skip_hw_break(struct dtarget *t, int cpu)
{
	struct vcpu *v = t->vm->vcpus[cpu];
	struct dcache *c;

	if (v->stop_reason != STOP_DEBUG || v->debug_arch.exception != 1 ||
	    !(v->debug_arch.dr6 & 0xf) || dbg_load(t, cpu, &c))
		return;
	c->st.regs.rflags |= 1ULL << 16;
	c->dirty = true;
}

/* Did the debugger set a Z0 at this address (or also a Z1, with `hw`)? */
static bool break_at(const struct dtarget *t, uint64_t va, bool hw)
{
	for (int i = 0; i < t->nsw; i++)
		if (t->sw[i].va == va)
			return true;
	for (int i = 0; hw && i < HW_SLOTS; i++)
		if (t->hw_used[i] && t->hw_addr[i] == va)
			return true;
	return false;
}

/* Does the vCPU's pc equal an address the debugger set a Z0 at? */
static bool at_known_break(struct dtarget *t, int cpu)
{
	struct dcache *c;

	return dbg_load(t, cpu, &c) || break_at(t, c->st.regs.rip, false);
}

/*
 * A vCPU resumed on top of one of our int3s that the debugger does not take
 * out itself (it stopped there through an alias mapping): execute the real
 * instruction once with the int3 lifted, this vCPU alone, then put it back.
 */
static void step_over_int3(struct dtarget *t, int cpu)
{
	struct dcache *c;
	uint64_t gpa;

	if (dbg_load(t, cpu, &c) || dbg_translate(t, cpu, c->st.regs.rip, &gpa) ||
	    !bp_sw_at(gpa))
		return;
	dbg_flush(t);
	bp_sw_lift(&t->vm->mem, gpa);
	vcpu_run_one(t->vm, cpu, VCPU_STEP);
	if (vcpu_wait_parked(t->vm, 2000))
		log_warn("debug server: stepping vCPU %d over a breakpoint timed out", cpu);
	bp_sw_rearm(&t->vm->mem);
	dbg_invalidate(t);
}

/* The machine the guest asked to end: end it now that the debugger lets go. */
static bool end_if_pending(struct dtarget *t)
{
	if (t->pending_exit < 0)
		return false;
	vm_force_exit(t->vm, t->pending_exit, "ending the machine as the guest asked");
	return true;
}

/* Did this stop come from a breakpoint (ours or the debugger's debug register)? */
static bool break_stop(enum vcpu_stop_reason reason, const struct kvm_debug_exit_arch *a)
{
	return reason == STOP_BREAK ||
	       (reason == STOP_DEBUG && (a->exception == 3 || (a->exception == 1 && (a->dr6 & 0xf))));
}

/* Is a breakpoint (Z0 or Z1) still set where vCPU cpu stands? */
static bool break_still_there(struct dtarget *t, int cpu)
{
	struct dcache *c;

	return !dbg_load(t, cpu, &c) && break_at(t, c->st.regs.rip, true);
}

/*
 * A vCPU whose breakpoint hit lost the race to be reported (another vCPU's
 * stop was) keeps it pending, as gdbserver does: the next continue that
 * would run it reports it at once, running nothing, if the breakpoint is
 * still there.  Left to hit the breakpoint again, it races the vCPU that was
 * reported, which on a busy host can win every time.  The vCPU to report, or -1.
 */
static int take_pending(struct dtarget *t, const enum gdb_resume *actions)
{
	int best = -1;

	for (int i = 0; i < t->vm->ncpus; i++) {
		struct pending_hit *p = &t->pending[i];

		if (!p->valid || actions[i] != GDB_CONT)
			continue;
		if (!break_still_there(t, i)) {
			p->valid = false;	/* taken out meanwhile: it just runs */
			continue;
		}
		if (best < 0 || p->seq < t->pending[best].seq)
			best = i;
	}
	if (best >= 0) {
		t->pending[best].valid = false;
		vcpu_report_only(t->vm, best, t->pending[best].reason, t->pending[best].seq,
				 &t->pending[best].arch);
	}
	return best;
}

static int t_resume(void *tp, const enum gdb_resume *actions)
{
	struct dtarget *t = tp;
	enum vcpu_action act[VM_MAX_CPUS];
	int r, first = -1;

	__atomic_store_n(&t->attached, true, __ATOMIC_SEQ_CST);
	if (end_if_pending(t))
		return 0;
	if (take_pending(t, actions) >= 0) {
		event_post(&t->stopped);	/* reported like any stop, nothing ran */
		return 0;
	}
	for (int i = 0; i < t->vm->ncpus; i++)
		if (actions[i] != GDB_STAY)
			t->pending[i].valid = false;	/* it runs: meets the breakpoint again, or not */
	for (int i = 0; i < t->vm->ncpus; i++)
		if (actions[i] != GDB_STAY && t->vm->vcpus[i]->stop_reason == STOP_BREAK)
			step_over_int3(t, i);
	/* only the reported vCPU: another one stopped at a breakpoint meets it again */
	if (t->reported_cpu >= 0 && actions[t->reported_cpu] != GDB_STAY)
		skip_hw_break(t, t->reported_cpu);
	t->reported_cpu = -1;
	r = dbg_flush(t);
	for (int i = 0; i < t->vm->ncpus; i++) {
		act[i] = actions[i] == GDB_CONT ? VCPU_RUN :
			 actions[i] == GDB_STEP ? VCPU_STEP :
			 actions[i] == GDB_RANGE ? VCPU_RANGE : VCPU_STAY;
		if (actions[i] != GDB_STAY && first < 0)
			first = i;
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
	r = vcpu_request_stop_all(T(tp)->vm);
	/* the vCPUs answer within microseconds: wait awake for that */
	if (!r)
		event_expect_call(STOP_SPIN_NS);
	return r;
}

/* The GDB signal a guest-caused end is reported as (gdb/signals.def numbers). */
static int guest_exit_signal(int status)
{
	switch (status) {
	case EXIT_POWEROFF: return 32;	/* SIGPWR: power fail/restart */
	case EXIT_RESET: return 1;	/* SIGHUP */
	case EXIT_TRIPLE: return 11;	/* SIGSEGV */
	case EXIT_INTERNAL: return 4;	/* SIGILL: KVM could not run it */
	default: return 15;		/* SIGTERM: the debug-exit port */
	}
}

static int t_stop_info(void *tp, struct gdb_stop *out)
{
	struct dtarget *t = tp;
	struct vcpu *best = NULL;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < t->vm->ncpus; i++) {
		struct vcpu *v = t->vm->vcpus[i];

		if (v->stop_reason != STOP_NONE && (!best || v->stop_seq < best->stop_seq))
			best = v;
	}
	if (!best) {
		/* an interrupt: report the vCPU the debugger was running */
		out->kind = GDB_STOP_INTERRUPT;
		out->cpu = t->last_cpu;
		return 0;
	}
	out->cpu = best->id;
	t->reported_cpu = best->id;
	for (int i = 0; i < t->vm->ncpus; i++) {
		struct vcpu *v = t->vm->vcpus[i];

		if (v != best && break_stop(v->stop_reason, &v->debug_arch))
			t->pending[i] = (struct pending_hit){ true, v->stop_reason, v->stop_seq,
							      v->debug_arch };
	}
	switch (best->stop_reason) {
	case STOP_STEP:
		out->kind = GDB_STOP_STEP;
		break;
	case STOP_BREAK:
		/*
		 * Hit through another mapping of the same physical instruction: gdb
		 * knows no breakpoint at this pc, and `swbreak` would make it ignore
		 * the stop as a stale one and resume into the int3 for ever.
		 */
		out->kind = at_known_break(t, best->id) ? GDB_STOP_SWBREAK : GDB_STOP_TRAP;
		break;
	case STOP_GUEST_EXIT:
		out->kind = GDB_STOP_SIGNAL;
		out->code = guest_exit_signal(best->guest_exit_status);
		break;
	case STOP_WATCH:
		out->kind = best->watch_type == WATCH_WRITE ? GDB_STOP_WATCH :
			    best->watch_type == WATCH_READ ? GDB_STOP_RWATCH : GDB_STOP_AWATCH;
		out->addr = best->watch_addr;
		break;
	default:
		if (best->debug_arch.exception == 3)
			out->kind = GDB_STOP_SWBREAK;
		else if (best->debug_arch.dr6 & 0xf)
			out->kind = hit_slot_is_sw(t, best->debug_arch.dr6) ? GDB_STOP_SWBREAK :
				    GDB_STOP_HWBREAK;
		else
			out->kind = GDB_STOP_TRAP;
		break;
	}
	return 0;
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
		return dbg_watchpoint(t, insert, type, addr, kind);
	default:
		return -EOPNOTSUPP;
	}
	if (!r)
		dbg_apply_debug(t, true);
	return r;
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
	memset(t->pending, 0, sizeof(t->pending));	/* a new debugger starts afresh */
	t->last_cpu = t->cur_cpu = 0;
	t->phys = false;
	t->cr3_set = false;
	dbg_flush(t);
	dbg_remove_all(t);
	if (end_if_pending(t))
		return;
	for (int i = 0; i < t->vm->ncpus; i++)
		act[i] = VCPU_RUN;
	dbg_apply_debug(t, false);
	vcpu_resume(t->vm, act);
}

static void t_kill(void *tp)
{
	__atomic_store_n(&T(tp)->attached, false, __ATOMIC_SEQ_CST);
	park_all(T(tp));
	dbg_remove_all(T(tp));
	vm_force_exit(T(tp)->vm, EXIT_POWEROFF, "killed by the debugger");
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
	snprintf(buf, cap, "%s", !(c->st.sregs.cr0 & 1) ? "real mode" :
		 (c->st.sregs.efer & (1 << 10)) ? "long mode" : "protected mode");
	return 0;
}

const struct gdb_target_ops debug_target_ops = {
	.ncpus = t_ncpus,
	.target_xml = t_target_xml,
	.read_regs = t_read_regs,
	.write_regs = t_write_regs,
	.read_reg = t_read_reg,
	.write_reg = t_write_reg,
	.read_mem = t_read_mem,
	.write_mem = t_write_mem,
	.resume = t_resume,
	.set_range = t_set_range,
	.stop = t_stop,
	.stop_info = t_stop_info,
	.breakpoint = t_breakpoint,
	.detach = t_detach,
	.kill = t_kill,
	.monitor = t_monitor,
	.thread_extra = t_thread_extra,
};

static struct dtarget *the_target;	/* for the guest-exit hook */

/*
 * On the vCPU thread whose guest ended the machine: with a debugger attached,
 * keep the machine stopped and inspectable, and tell the debugger instead.
 */
static bool guest_exit_hook(struct vm *vm, struct vcpu *v, int status, const char *why)
{
	struct dtarget *t = the_target;

	if (!t || !__atomic_load_n(&t->attached, __ATOMIC_SEQ_CST))
		return false;
	log_info("%s: the machine stays stopped for the debugger (exit status %d when it "
		 "detaches or continues)", why ? why : "guest ended the machine", status);
	v->exit_reason_hint = STOP_GUEST_EXIT;
	v->guest_exit_status = status;
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
	t->has_avx = cpuid_has_avx(vm->cpuid);
	t->pending_exit = -1;
	t->reported_cpu = -1;
	vcpu_set_stop_notify(vm, all_parked, t);
	the_target = t;
	vm->guest_exit_hook = guest_exit_hook;
	return t;
}

void debug_target_free(void *tp)
{
	struct dtarget *t = tp;

	if (t)
		free(t->sw);
	free(t);
}
