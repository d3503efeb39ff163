/*
 * fuzz_ax.c -- libFuzzer target: GDB agent expressions (src/gdb/ax*.c).
 *
 * An input starting with ';' is the tail of a Z0 packet (what follows
 * "Z0,addr,kind"): it is parsed, and every expression in it checked and
 * run; any other input is one expression, run whether ax_check takes it or
 * not.  The machine: registers 0-81 (hashed values), memory everywhere but
 * in hashed 4 KiB holes, the input itself mapped at 0x1000 so that strings
 * and values can come from the fuzzer.  Checked besides ASan/UBSan:
 *  - the status and error agree (a fault has a callback's -errno, ...);
 *  - limits hold: steps, output (one printf's, and an evaluation's against
 *    its steps), every memory read in range;
 *  - what ax_check accepts never fails at run time for a reason ax_check
 *    claims to rule out (opcode, operand, jump, fall-off, format);
 *  - an evaluation is a pure function of bytecode and machine: twice the
 *    same, and the same without an output sink;
 *  - a parsed Z tail, encoded again, parses to the same lists.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb/ax.h"

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_ax: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

#define INPUT_BASE	0x1000ULL

struct machine {
	const uint8_t *data;	/* mapped at INPUT_BASE */
	size_t size;
	uint64_t vars[8];
	uint64_t out_hash;
	size_t out_len;
	unsigned outs;
	struct ax_env env;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static int m_read_mem(void *opaque, uint64_t addr, void *buf, size_t len)
{
	struct machine *m = opaque;
	uint8_t *b = buf;

	/* the interpreter's promises: a bounded length, no wrap */
	CHECK(len >= 1 && len <= AX_STR_MAX);
	CHECK(addr + (len - 1) >= addr);
	for (size_t i = 0; i < len; i++) {
		uint64_t a = addr + i, h;

		if (a >= INPUT_BASE && a - INPUT_BASE < m->size) {
			b[i] = m->data[a - INPUT_BASE];
			continue;
		}
		if (mix64(a >> 12) % 5 == 0)
			return -EFAULT;
		h = mix64(a);
		b[i] = h % 8 == 0 ? 0 : (uint8_t)(h >> 8);	/* strings end */
	}
	return 0;
}

static int m_read_reg(void *opaque, unsigned regno, uint64_t *val)
{
	if (regno >= 82)
		return -ENOENT;
	*val = regno < 8 ? INPUT_BASE + 8 * regno : mix64(regno);
	return 0;
}

static int m_output(void *opaque, const char *text, size_t len)
{
	struct machine *m = opaque;

	CHECK(len > 0 && len <= AX_OUT_MAX);
	m->outs++;
	m->out_len += len;
	for (size_t i = 0; i < len; i++)
		m->out_hash = (m->out_hash ^ (uint8_t)text[i]) * 0x100000001b3ULL;
	return 0;
}

static void machine_reset(struct machine *m, bool with_output)
{
	memset(m->vars, 0, sizeof(m->vars));
	m->out_hash = 0xcbf29ce484222325ULL;
	m->out_len = 0;
	m->outs = 0;
	m->env.read_mem = m_read_mem;
	m->env.read_reg = m_read_reg;
	m->env.output = with_output ? m_output : NULL;
	m->env.opaque = m;
	m->env.vars = m->vars;
	m->env.nvars = 8;
}

static void check_result(const struct ax_result *r, enum ax_status st, size_t len)
{
	CHECK(st == r->status);
	CHECK(r->steps <= AX_MAX_STEPS);
	switch (st) {
	case AX_FALSE:
	case AX_TRUE:
		CHECK(r->err == AX_OK);
		CHECK((r->value != 0) == (st == AX_TRUE));
		break;
	case AX_DONE:
		CHECK(r->err == AX_OK);
		break;
	case AX_FAULT:
		CHECK(r->err == AX_E_MEM || r->err == AX_E_REG || r->err == AX_E_OUTPUT);
		CHECK(r->cb_err < 0);
		break;
	case AX_ERROR:
		CHECK(r->err != AX_OK && r->err != AX_E_MEM && r->err != AX_E_REG &&
		      r->err != AX_E_OUTPUT);
		break;
	default:
		CHECK(0);
	}
	if (len && len <= AX_MAX_LEN)
		CHECK(r->pc < len);
	CHECK(strcmp(ax_strerror(r->err), "unknown error"));
}

/* One expression: check it, run it twice and once without output. */
static void one_expr(struct machine *m, const uint8_t *code, size_t len)
{
	struct ax_result r1, r2, r3;
	enum ax_status s1, s2, s3;
	const char *why = NULL;
	uint64_t h1;
	size_t out1;
	int c = ax_check(code, len, &why);

	CHECK(c == 0 || c == -EINVAL || c == -ENOTSUP || c == -E2BIG);
	CHECK(why != NULL);

	machine_reset(m, true);
	s1 = ax_eval(code, len, &m->env, &r1);
	check_result(&r1, s1, len);
	h1 = m->out_hash;
	out1 = m->out_len;
	CHECK(m->outs <= r1.steps);
	/* printing is paid for in steps: 64 bytes each, give or take a rounding */
	CHECK(m->out_len <= 64 * ((size_t)r1.steps + m->outs));
	if (c == 0 && s1 == AX_ERROR) {
		/* ax_check's promise */
		CHECK(r1.err != AX_E_EMPTY && r1.err != AX_E_TOO_LONG &&
		      r1.err != AX_E_OPCODE && r1.err != AX_E_UNSUPPORTED &&
		      r1.err != AX_E_TRUNCATED && r1.err != AX_E_JUMP &&
		      r1.err != AX_E_FALL_OFF && r1.err != AX_E_FORMAT);
	}

	machine_reset(m, true);
	s2 = ax_eval(code, len, &m->env, &r2);
	CHECK(s2 == s1 && r2.err == r1.err && r2.value == r1.value &&
	      r2.steps == r1.steps && r2.pc == r1.pc);
	CHECK(m->out_hash == h1 && m->out_len == out1);

	machine_reset(m, false);
	s3 = ax_eval(code, len, &m->env, &r3);
	CHECK(s3 == s1 && r3.steps == r1.steps && m->outs == 0);
}

static size_t hex_expr(char *p, const char *lead, const struct ax_expr *e)
{
	size_t n = (size_t)sprintf(p, "%sX%zx,", lead, e->len);

	for (size_t i = 0; i < e->len; i++)
		n += (size_t)sprintf(p + n, "%02x", e->code[i]);
	return n;
}

static bool same_list(const struct ax_expr *a, unsigned na, const struct ax_expr *b, unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned k = 0; k < na; k++)
		if (a[k].len != b[k].len || memcmp(a[k].code, b[k].code, a[k].len))
			return false;
	return true;
}

/* Encode *o as gdb would (conditions, then commands) and parse it back. */
static void roundtrip(const struct ax_bp_opts *o)
{
	size_t cap = 2 * AX_MAX_EXPRS * (2 * AX_MAX_LEN + 16) + 32, n = 0;
	char *t = malloc(cap);
	struct ax_bp_opts o2;

	CHECK(t);
	for (unsigned k = 0; k < o->nconds; k++)
		n += hex_expr(t + n, k ? "" : ";", &o->conds[k]);
	if (o->ncmds) {
		n += (size_t)sprintf(t + n, ";cmds:%x,", o->persist ? 1 : 0);
		for (unsigned k = 0; k < o->ncmds; k++)
			n += hex_expr(t + n, "", &o->cmds[k]);
	}
	CHECK(n < cap);
	CHECK(ax_parse_z_opts(t, n, &o2) == 0);
	CHECK(same_list(o->conds, o->nconds, o2.conds, o2.nconds));
	CHECK(same_list(o->cmds, o->ncmds, o2.cmds, o2.ncmds));
	CHECK(!o->ncmds || o2.persist == o->persist);
	ax_bp_opts_free(&o2);
	free(t);
}

static void z_tail(struct machine *m, const uint8_t *data, size_t size)
{
	struct ax_bp_opts o;
	struct ax_result r;
	enum ax_status st;
	int rc = ax_parse_z_opts((const char *)data, size, &o);

	CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG || rc == -ENOMEM);
	if (rc == 0) {
		CHECK(o.nconds <= AX_MAX_EXPRS && o.ncmds <= AX_MAX_EXPRS);
		for (unsigned k = 0; k < o.nconds; k++) {
			CHECK(o.conds[k].len >= 1 && o.conds[k].len <= AX_MAX_LEN);
			one_expr(m, o.conds[k].code, o.conds[k].len);
		}
		for (unsigned k = 0; k < o.ncmds; k++) {
			CHECK(o.cmds[k].len >= 1 && o.cmds[k].len <= AX_MAX_LEN);
			one_expr(m, o.cmds[k].code, o.cmds[k].len);
		}
		roundtrip(&o);
		machine_reset(m, true);
		st = ax_conds_eval(&o, &m->env, &r);
		CHECK(o.nconds || st == AX_TRUE);
		CHECK(st >= AX_FALSE && st <= AX_ERROR);
		st = ax_cmds_run(&o, &m->env, &r);
		CHECK(st == AX_DONE || st == AX_FAULT || st == AX_ERROR);
	}
	ax_bp_opts_free(&o);
	CHECK(o.nconds == 0 && o.ncmds == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct machine m;

	m.data = data;
	m.size = size;
	if (size && data[0] == ';')
		z_tail(&m, data, size);
	else
		one_expr(&m, data, size);
	return 0;
}
