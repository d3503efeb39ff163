/*
 * cond_hit.c -- a breakpoint or watchpoint hit, on the thread of the vCPU
 * that hit it, before the machine is stopped (vm->hit_filter, called by
 * core/vcpu_loop.c): evaluate the conditions and commands gdb gave it
 * (cond.c) against this vCPU's registers and, through its own page tables,
 * memory with the same bounds as the debugger's `m`; then either report the
 * hit (HIT_STOP: the all-stop as without conditions) or get the vCPU past
 * it alone, the others running on:
 *   watchpoint      the access is already complete: just go on
 *   debug register  RF, as on a return from the debug exception
 *   breakpoint byte the original instruction executed here, when it is one
 *                   arch_exec_at_break knows (the first instructions of
 *                   functions, loads and stores to plain RAM included);
 *                   else HIT_STEP_OVER: run control lifts the
 *                   byte and steps it with every other vCPU stopped
 * dprintf text goes to the event thread through a bounded ring (it sends O
 * packets, or logs it with no debugger waiting).
 *
 * Touches only: its own vCPU (out of KVM_RUN), guest memory, the condition
 * table under its read lock, the output ring under its lock, and t->attached
 * (atomic).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/gmem.h"
#include "core/trap_page.h"
#include "core/trap_swbp.h"
#include "debug/dbg.h"
#include "gdb/server.h"
#include "util.h"

/* Text one hit may print (its printfs together); more is cut. */
#define HIT_OUT_MAX	8192
/* Longest instruction. */
#define INSN_MAX	15

struct hit {
	struct dtarget *t;
	struct vcpu *v;
	const struct hit_io *io;
	struct vcpu_state st;		/* VS_REGS; VS_CORE fetched when a condition wants it */
	struct walk_ctx w;
	bool phys;			/* the entry being evaluated reads physical addresses */
	char out[HIT_OUT_MAX];
	size_t outlen;
	bool cut;
};

/* ---- the machine as the agent expressions see it ---- */

static int hit_reg(void *opaque, unsigned regno, uint64_t *val)
{
	struct hit *h = opaque;
	int r = arch_gdb_reg_u64(h->t->vm, &h->st, (int)regno, val);

	if (r == -ENODATA && !(h->st.parts & VS_CORE)) {
		/* the x87 words, mxcsr, the swapgs shadow: the whole snapshot, once */
		r = h->io->get(h->v, &h->st, VS_CORE);
		if (!r)
			r = arch_gdb_reg_u64(h->t->vm, &h->st, (int)regno, val);
	}
	return r;
}

static int hit_mem(void *opaque, uint64_t addr, void *buf, size_t len)
{
	struct hit *h = opaque;
	long n = dbg_mem_xfer(h->t->vm, h->phys ? NULL : &h->w, addr, buf, len, false);

	return n == (long)len ? 0 : -EFAULT;
}

/* Room kept for the note that the output was cut. */
#define CUT_NOTE	"[hyve: dprintf output cut]\n"

static int hit_out(void *opaque, const char *text, size_t len)
{
	struct hit *h = opaque;
	size_t room = sizeof(h->out) - sizeof(CUT_NOTE) - h->outlen;

	if (len > room) {
		len = room;
		h->cut = true;
	}
	memcpy(h->out + h->outlen, text, len);
	h->outlen += len;
	return 0;
}

/* ---- dprintf output: vCPU threads -> the event thread ---- */

/* Any thread: queue the text, or count it dropped; never waits for the debugger. */
static void out_put(struct dtarget *t, const char *text, size_t len)
{
	struct cond_out *o = &t->out;

	pthread_mutex_lock(&o->lock);
	if (len > COND_OUT_RING - o->len) {
		o->dropped += len;
	} else {
		for (size_t i = 0; i < len; i++)
			o->buf[(o->head + o->len + i) % COND_OUT_RING] = text[i];
		o->len += len;
	}
	pthread_mutex_unlock(&o->lock);
	event_post(&o->work);
}

/* hyve's log, a line at a time (no debugger waits for the text). */
static void log_lines(const char *text, size_t len)
{
	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) : len;

		log_info("dprintf: %.*s", (int)n, text);
		n += nl ? 1 : 0;
		text += n;
		len -= n;
	}
}

/* Event thread: send what the vCPUs printed. */
static void out_drain(void *opaque)
{
	static char text[COND_OUT_RING];
	struct dtarget *t = opaque;
	struct cond_out *o = &t->out;
	uint64_t dropped;
	size_t len;

	pthread_mutex_lock(&o->lock);
	len = o->len;
	for (size_t i = 0; i < len; i++)
		text[i] = o->buf[(o->head + i) % COND_OUT_RING];
	o->head = (o->head + len) % COND_OUT_RING;
	o->len = 0;
	dropped = o->dropped;
	o->dropped = 0;
	pthread_mutex_unlock(&o->lock);
	if (len && !gdb_server_console(text, len))
		log_lines(text, len);
	if (dropped) {
		char msg[96];
		int n = snprintf(msg, sizeof(msg), "[hyve: %llu bytes of dprintf output dropped: "
				 "the debugger did not keep up]\n", (unsigned long long)dropped);

		if (!gdb_server_console(msg, (size_t)n))
			log_lines(msg, (size_t)n);
	}
}

void dbg_cond_out_init(struct dtarget *t)
{
	pthread_mutex_init(&t->out.lock, NULL);
	t->out.work.fn = out_drain;
	t->out.work.opaque = t;
}

void dbg_cond_out_destroy(struct dtarget *t)
{
	pthread_mutex_destroy(&t->out.lock);
}

/* ---- going on past the hit ---- */

/*
 * A store of an instruction executed here (push, mov): only to plain RAM that is
 * writable through the page tables, not trapped for a watchpoint and
 * holding none of our breakpoint bytes (else it runs the slow way, where
 * the CPU itself does the write and any watchpoint sees it).
 */
static int hit_write(void *opaque, uint64_t va, const void *buf, size_t len)
{
	struct hit *h = opaque;
	struct vm *vm = h->t->vm;
	struct {
		uint8_t *p;
		size_t n;
	} piece[2];
	size_t done = 0;
	int np = 0;

	while (done < len) {
		struct walk_result res;
		uint64_t gpa;
		size_t n;

		if (np == 2)
			return -EFAULT;
		if (walk_translate(&h->w, va + done, &res) || !res.writable)
			return -EFAULT;
		gpa = res.gpa;
		n = MIN(len - done, TRAP_PAGE_SIZE - (gpa & (TRAP_PAGE_SIZE - 1)));
		piece[np].p = gmem_ptr(&vm->mem, gpa, n);
		if (!piece[np].p || trap_page_trapped(&vm->traps, gpa) ||
		    trap_swbp_any(&vm->swbp, gpa, n))
			return -EFAULT;
		piece[np++].n = n;
		done += n;
	}
	done = 0;
	for (int i = 0; i < np; i++) {
		memcpy(piece[i].p, (const uint8_t *)buf + done, piece[i].n);
		done += piece[i].n;
	}
	return 0;
}

/*
 * A load of an instruction executed here: plain RAM only (no device
 * register read for its side effects, no page trapped for a watchpoint),
 * with our breakpoint bytes shadowed.
 */
static int hit_read(void *opaque, uint64_t va, void *buf, size_t len)
{
	struct hit *h = opaque;
	struct vm *vm = h->t->vm;
	size_t done = 0;

	while (done < len) {
		struct walk_result res;
		const uint8_t *p;
		size_t n;

		if (walk_translate(&h->w, va + done, &res))
			return -EFAULT;
		n = MIN(len - done, TRAP_PAGE_SIZE - (res.gpa & (TRAP_PAGE_SIZE - 1)));
		p = gmem_ptr(&vm->mem, res.gpa, n);
		if (!p || trap_page_trapped(&vm->traps, res.gpa))
			return -EFAULT;
		memcpy((uint8_t *)buf + done, p, n);
		trap_swbp_shadow(&vm->swbp, res.gpa, (uint8_t *)buf + done, n);
		done += n;
	}
	return 0;
}

/* Write the registers back (regs only: the sregs were only read). */
static int put_regs(struct hit *h)
{
	unsigned parts = h->st.parts;
	int r;

	h->st.parts = VS_REGS;
	r = h->io->set(h->v, &h->st);
	h->st.parts = parts;
	return r;
}

/* Past our breakpoint byte at the pc: the original instruction here, or the slow way. */
static enum hit_verdict past_swbp(struct hit *h)
{
	uint8_t code[INSN_MAX];
	uint64_t pc = arch_state_pc(&h->st);
	struct walk_result res;
	long n;

	h->phys = false;
	n = dbg_mem_xfer(h->t->vm, &h->w, pc, code, sizeof(code), false);
	const struct arch_mem mem = { hit_read, hit_write, h };

	if (n > 0 && arch_exec_at_break(&h->st, code, (size_t)n, &mem)) {
		if (put_regs(h))
			return HIT_STOP;
		__atomic_fetch_add(&h->t->past_exec, 1, __ATOMIC_RELAXED);
		return HIT_GO;
	}
	if (walk_translate(&h->w, pc, &res))
		return HIT_STOP;
	h->v->ev.step_over_gpa = res.gpa;
	__atomic_fetch_add(&h->t->past_step, 1, __ATOMIC_RELAXED);
	return HIT_STEP_OVER;
}

static enum gdb_bp_type watch_type(int trap_type)
{
	return trap_type == TRAP_WATCH_WRITE ? GDB_WP_WRITE :
	       trap_type == TRAP_WATCH_READ ? GDB_WP_READ : GDB_WP_ACCESS;
}

enum hit_verdict dbg_hit_filter_io(struct dtarget *t, struct vcpu *v, const struct hit_io *io)
{
	static __thread struct hit hit_buf;	/* too big for comfort on the stack */
	struct hit *h = &hit_buf;
	const struct ax_env env = { hit_reg, hit_mem, hit_out, h, NULL, 0 };
	struct cond_hit ch = { 0 };
	enum cond_verdict cv;
	enum { BYTE, DREG, WATCH } kind;
	unsigned slots;

	if (v->ev.hint == STOP_BREAK)
		kind = BYTE;
	else if (v->ev.hint == STOP_WATCH)
		kind = WATCH;
	else if (v->ev.hint == STOP_NONE && arch_debug_kind(&v->ev.arch, &slots) == ARCH_DEBUG_HWBP)
		kind = DREG;
	else
		return HIT_STOP;
	if (!cond_any(&t->conds))
		return HIT_STOP;
	h->t = t;
	h->v = v;
	h->io = io;
	h->outlen = 0;
	h->cut = false;
	h->phys = false;
	memset(&h->st, 0, sizeof(h->st));
	if (io->get(v, &h->st, VS_REGS))
		return HIT_STOP;
	dbg_walk_ctx_of(t->vm, &h->st, &h->w);
	ch.watch = kind == WATCH;
	ch.wtype = watch_type(v->ev.watch_type);
	ch.addr = kind == WATCH ? v->ev.watch_addr : arch_state_pc(&h->st);
	cv = cond_eval(&t->conds, &ch, &env, &h->phys);
	if (h->cut) {
		memcpy(h->out + h->outlen, CUT_NOTE, sizeof(CUT_NOTE) - 1);
		h->outlen += sizeof(CUT_NOTE) - 1;
	}
	if (h->outlen)
		out_put(t, h->out, h->outlen);
	/* with no debugger left (persistent dprintf), nobody could take a stop */
	if (cv != COND_GO && __atomic_load_n(&t->attached, __ATOMIC_SEQ_CST))
		return HIT_STOP;
	switch (kind) {
	case WATCH:
		return HIT_GO;
	case DREG:
		arch_resume_past_break(&h->st);
		return put_regs(h) ? HIT_STOP : HIT_GO;
	default:
		return past_swbp(h);
	}
}

enum hit_verdict dbg_hit_filter(void *opaque, struct vcpu *v)
{
	static const struct hit_io own = { vcpu_own_state, vcpu_own_set_state };

	return dbg_hit_filter_io(opaque, v, &own);
}
