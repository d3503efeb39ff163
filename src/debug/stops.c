/*
 * stops.c -- policy: what a stop is reported as, pending hits, and getting a
 * vCPU going again past the breakpoint it stopped at.  The classification is
 * pure (see stops.h); the dbg_* functions at the end apply it to the VM.
 */
#include <string.h>

#include "core/trap_page.h"
#include "core/trap_swbp.h"
#include "debug/dbg.h"
#include "debug/stops.h"
#include "util.h"

bool stop_is_break(const struct vcpu_stop *s)
{
	unsigned slots;
	enum arch_debug_kind k;

	if (s->reason == STOP_BREAK)
		return true;
	if (s->reason != STOP_DEBUG)
		return false;
	k = arch_debug_kind(&s->arch, &slots);
	return k == ARCH_DEBUG_SWBP || k == ARCH_DEBUG_HWBP;
}

/* The GDB signal a guest-caused end is reported as (gdb/signals.def numbers). */
static int guest_exit_signal(int status)
{
	switch (status) {
	case EXIT_POWEROFF: return 32;	/* SIGPWR: power fail/restart */
	case EXIT_RESET: return 1;	/* SIGHUP */
	case EXIT_TRIPLE: return 11;	/* SIGSEGV */
	case EXIT_INTERNAL: return 4;	/* SIGILL: KVM could not run it */
	case EXIT_PANIC: return 6;	/* SIGABRT: the guest kernel panicked */
	default: return 15;		/* SIGTERM: the debug-exit port */
	}
}

static enum gdb_stop_kind watch_kind(int type)
{
	return type == TRAP_WATCH_WRITE ? GDB_STOP_WATCH :
	       type == TRAP_WATCH_READ ? GDB_STOP_RWATCH : GDB_STOP_AWATCH;
}

int stops_classify(const struct stop_view *v, struct pending_hit *pending, struct gdb_stop *out)
{
	const struct vcpu_stop *s;
	unsigned slots;
	int best = -1;

	/* STOP_STEP_OVER: a hit that went on (its condition was false) is no stop */
	for (int i = 0; i < v->n; i++)
		if (v->stop[i]->reason != STOP_NONE && v->stop[i]->reason != STOP_STEP_OVER &&
		    (best < 0 || v->stop[i]->seq < v->stop[best]->seq))
			best = i;
	if (best < 0)
		return -1;
	for (int i = 0; i < v->n; i++)
		if (i != best && stop_is_break(v->stop[i]))
			pending[i] = (struct pending_hit){ true, *v->stop[i] };
	s = v->stop[best];
	memset(out, 0, sizeof(*out));
	out->cpu = best;
	switch (s->reason) {
	case STOP_STEP:
		out->kind = GDB_STOP_STEP;
		break;
	case STOP_BREAK:
		/*
		 * A Z1 done by trapping its page (arch_breaks_by_page) stops as
		 * this too: a hwbreak when only a Z1 is at the pc.
		 *
		 * Hit through another mapping of the same physical instruction: gdb
		 * knows no breakpoint at this pc, and `swbreak` would make it ignore
		 * the stop as a stale one and resume into the breakpoint for ever.
		 */
		out->kind = v->break_at_pc(v->opaque, best, false) ? GDB_STOP_SWBREAK :
			    v->break_at_pc(v->opaque, best, true) ? GDB_STOP_HWBREAK :
			    GDB_STOP_TRAP;
		break;
	case STOP_GUEST_EXIT:
		out->kind = GDB_STOP_SIGNAL;
		out->code = guest_exit_signal(s->guest_exit_status);
		break;
	case STOP_WATCH:
		out->kind = watch_kind(s->watch_type);
		out->addr = s->watch_addr;
		break;
	default:
		switch (arch_debug_kind(&s->arch, &slots)) {
		case ARCH_DEBUG_SWBP:
			out->kind = GDB_STOP_SWBREAK;
			break;
		case ARCH_DEBUG_HWBP:
			out->kind = v->slot_is_sw(v->opaque, slots) ? GDB_STOP_SWBREAK :
				    GDB_STOP_HWBREAK;
			break;
		default:
			out->kind = GDB_STOP_TRAP;
			break;
		}
		break;
	}
	return best;
}

int stops_take_pending(const struct stop_view *v, struct pending_hit *pending,
		       const enum gdb_resume *actions)
{
	int best = -1;

	for (int i = 0; i < v->n; i++) {
		struct pending_hit *p = &pending[i];

		if (!p->valid || actions[i] != GDB_CONT)
			continue;
		if (!v->break_at_pc(v->opaque, i, true)) {
			p->valid = false;	/* taken out meanwhile: it just runs */
			continue;
		}
		if (best < 0 || p->stop.seq < pending[best].stop.seq)
			best = i;
	}
	if (best >= 0) {
		pending[best].valid = false;
		return best;
	}
	for (int i = 0; i < v->n; i++)
		if (actions[i] != GDB_STAY)
			pending[i].valid = false;	/* it runs: meets the breakpoint again, or not */
	return -1;
}

/* ---- applied to the VM ---- */

static bool view_break_at_pc(void *opaque, int cpu, bool hw)
{
	struct dtarget *t = opaque;
	struct dcache *c;

	return !dbg_load(t, cpu, &c) && dbg_break_at(t, arch_state_pc(&c->st), hw);
}

static bool view_slot_is_sw(void *opaque, unsigned slots)
{
	return dbg_slot_is_sw(opaque, slots);
}

static void make_view(struct dtarget *t, struct stop_view *v)
{
	v->n = t->vm->ncpus;
	for (int i = 0; i < v->n; i++)
		v->stop[i] = &t->vm->vcpus[i]->stop;
	v->break_at_pc = view_break_at_pc;
	v->slot_is_sw = view_slot_is_sw;
	v->opaque = t;
}

/* vCPUs left at our byte by hits that went on: step them past it when they next run. */
static void note_step_overs(struct dtarget *t)
{
	for (int i = 0; i < t->vm->ncpus; i++)
		if (t->vm->vcpus[i]->stop.reason == STOP_STEP_OVER)
			t->step_over[i] = true;
}

/* After an all-stop (every vCPU stopped: their stop records are stable). */
int dbg_stop_info(struct dtarget *t, struct gdb_stop *out)
{
	struct stop_view v;
	int best;

	note_step_overs(t);
	make_view(t, &v);
	memset(out, 0, sizeof(*out));
	best = stops_classify(&v, t->pending, out);
	if (best < 0) {
		/* an interrupt: report the vCPU the debugger was running */
		out->kind = GDB_STOP_INTERRUPT;
		out->cpu = t->stop_cpu = t->last_cpu;
		return 0;
	}
	t->reported_cpu = t->stop_cpu = best;
	return 0;
}

int dbg_take_pending(struct dtarget *t, const enum gdb_resume *actions)
{
	struct stop_view v;
	int cpu;

	make_view(t, &v);
	cpu = stops_take_pending(&v, t->pending, actions);
	if (cpu >= 0)
		vcpu_report_only(t->vm, cpu, &t->pending[cpu].stop);
	return cpu;
}

/*
 * A vCPU resumed on top of one of our breakpoints that the debugger does
 * not take out itself (it stopped there through an alias mapping, or a hit
 * went on): execute the real instruction once, this vCPU alone -- our byte
 * lifted, or a page-trap breakpoint lifted (its page stays hidden: the run
 * loop steps the instruction with the page mapped) -- then put it back.
 */
static void step_over_swbp(struct dtarget *t, int cpu)
{
	struct walk_result res;
	struct walk_ctx w;
	struct dcache *c;
	uint64_t gpa;
	bool page;

	/* where the vCPU fetches from: its own page tables, whatever `monitor phys/cr3` say */
	if (dbg_load(t, cpu, &c))
		return;
	dbg_walk_ctx_of(t->vm, &c->st, &w);
	if (walk_translate(&w, arch_state_pc(&c->st), &res))
		return;
	gpa = res.gpa;
	page = trap_page_exec_at(&t->vm->traps, gpa);
	if (!page && !trap_swbp_at(&t->vm->swbp, gpa))
		return;
	dbg_flush(t);
	if (page)
		trap_page_lift(&t->vm->traps, gpa);
	else
		trap_swbp_lift(&t->vm->swbp, gpa);
	vcpu_run_one(t->vm, cpu, VCPU_STEP);
	if (vcpu_wait_parked(t->vm, 2000))
		log_warn("debug server: stepping vCPU %d over a breakpoint timed out", cpu);
	if (page)
		trap_page_rearm(&t->vm->traps);
	else
		trap_swbp_rearm(&t->vm->swbp);
	dbg_invalidate(t);
}

void dbg_step_over_pending(struct dtarget *t)
{
	note_step_overs(t);
	for (int i = 0; i < t->vm->ncpus; i++) {
		if (t->step_over[i])
			step_over_swbp(t, i);
		t->step_over[i] = false;
	}
}

/*
 * The all-stop came from vCPUs whose hits went on (their conditions false,
 * their dprintf printed) but which stand on our breakpoint byte and could
 * execute the instruction under it only with the byte lifted, so with every
 * other vCPU stopped: step them past it one by one, then let the machine go
 * on as the debugger last released it, with no stop reply.  Anything else
 * to report (a real hit, a step done, the debugger's own stop request, a
 * watchpoint the step itself hit) makes it an ordinary stop.
 */
bool dbg_step_over_silently(struct dtarget *t)
{
	struct vm *vm = t->vm;
	bool any = false;

	if (t->stop_wanted || t->pending_exit >= 0)
		return false;
	for (int i = 0; i < vm->ncpus; i++) {
		enum vcpu_stop_reason r = vm->vcpus[i]->stop.reason;

		if (r == STOP_STEP_OVER)
			any = true;
		else if (r != STOP_NONE)
			return false;
	}
	if (!any)
		return false;
	note_step_overs(t);
	for (int i = 0; i < vm->ncpus; i++) {
		if (!t->step_over[i])
			continue;
		t->step_over[i] = false;
		step_over_swbp(t, i);
		__atomic_fetch_add(&t->past_world, 1, __ATOMIC_RELAXED);
		struct vcpu_stop s = vm->vcpus[i]->stop;

		if (s.reason != STOP_STEP && s.reason != STOP_STEP_OVER) {
			/* the step met something the debugger wants: report that */
			vcpu_report_only(vm, i, &s);
			return false;
		}
	}
	vcpu_resume(vm, t->run_act);
	return true;
}

/*
 * A vCPU stopped by an instruction breakpoint in a debug register (a fault:
 * the pc is still at it) would hit it again at once when resumed: let it
 * execute the instruction once, as a CPU's own debug-exception return does.
 */
static void skip_hw_break(struct dtarget *t, int cpu)
{
	const struct vcpu_stop *s = &t->vm->vcpus[cpu]->stop;
	struct dcache *c;
	unsigned slots;

	if (s->reason != STOP_DEBUG || arch_debug_kind(&s->arch, &slots) != ARCH_DEBUG_HWBP ||
	    dbg_load(t, cpu, &c))
		return;
	arch_resume_past_break(&c->st);
	c->dirty = true;
}

/* The code bytes at vCPU cpu's pc, through its own view (whatever monitor phys / cr3 say). */
static long read_code(struct dtarget *t, int cpu, const struct vcpu_state *st, uint8_t *code,
		      size_t len)
{
	bool phys = t->phys, root_set = t->root_set;
	long n;

	t->phys = t->root_set = false;
	n = dbg_xfer(t, cpu, arch_state_code_addr(st), code, len, false);
	t->phys = phys;
	t->root_set = root_set;
	return n;
}

/*
 * Does the instruction vCPU cpu is about to step wait for an interrupt
 * (arch_insn_waits_irq)?  Then the step lets them in, or it never ends.
 */
static bool step_waits_irq(struct dtarget *t, int cpu)
{
	uint8_t code[8];
	struct dcache *c;
	long n;

	if (t->step_irq || dbg_load(t, cpu, &c))
		return false;
	n = read_code(t, cpu, &c->st, code, sizeof(code));
	return n > 0 && arch_insn_waits_irq(code, (size_t)n);
}

int dbg_emulate_step(struct dtarget *t, const enum gdb_resume *actions)
{
	struct vcpu_stop done = { .reason = STOP_STEP, .seq = 1 };
	uint8_t code[8];
	struct dcache *c;
	int cpu = -1;
	long n;

	for (int i = 0; i < t->vm->ncpus; i++) {
		if (actions[i] == GDB_STAY)
			continue;
		if (cpu >= 0 || (actions[i] != GDB_STEP && actions[i] != GDB_RANGE))
			return -1;	/* others run too: no stop can be made up */
		cpu = i;
	}
	if (cpu < 0 || dbg_load_full(t, cpu, &c))
		return -1;
	n = read_code(t, cpu, &c->st, code, sizeof(code));
	if (n <= 0 || !arch_emulate_step(&c->st, code, (size_t)n))
		return -1;
	c->dirty = true;		/* written to KVM before it next runs */
	vcpu_report_only(t->vm, cpu, &done);
	return cpu;
}

/* Before a resume that takes no pending hit: get the vCPUs past their breakpoints. */
void dbg_prepare_resume(struct dtarget *t, const enum gdb_resume *actions)
{
	for (int i = 0; i < t->vm->ncpus; i++) {
		bool irq = (actions[i] == GDB_STEP || actions[i] == GDB_RANGE) &&
			   step_waits_irq(t, i);

		vcpu_set_step_irq_one(t->vm, i, irq);
	}
	for (int i = 0; i < t->vm->ncpus; i++) {
		if (actions[i] == GDB_STAY)
			continue;
		if (t->vm->vcpus[i]->stop.reason == STOP_BREAK || t->step_over[i])
			step_over_swbp(t, i);
		t->step_over[i] = false;
	}
	/* only the reported vCPU: another one stopped at a breakpoint meets it again */
	if (t->reported_cpu >= 0 && actions[t->reported_cpu] != GDB_STAY)
		skip_hw_break(t, t->reported_cpu);
	t->reported_cpu = -1;
}
