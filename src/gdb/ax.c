/*
 * ax.c -- GDB agent expressions: validator and interpreter (see ax.h).
 * The printf bytecode's formatting lives in ax_printf.c, the Z packet's
 * lists in ax_zopts.c.
 *
 * The stack is a plain array of 64-bit values: no cached top as in
 * gdbserver, so depth checks are exact (gdbserver checks them after the
 * instruction has already run).  Every operand is read through bounds
 * checks, so ax_eval is safe on unchecked bytes; ax_check only moves the
 * refusals that depend on the bytecode alone to insertion time.
 */
#include <errno.h>
#include <string.h>

#include "gdb/ax.h"
#include "gdb/ax_int.h"

enum ax_op {
	OP_FLOAT = 0x01, OP_ADD, OP_SUB, OP_MUL, OP_DIV_SIGNED, OP_DIV_UNSIGNED,
	OP_REM_SIGNED, OP_REM_UNSIGNED, OP_LSH, OP_RSH_SIGNED, OP_RSH_UNSIGNED,
	OP_TRACE, OP_TRACE_QUICK, OP_LOG_NOT, OP_BIT_AND, OP_BIT_OR, OP_BIT_XOR,
	OP_BIT_NOT, OP_EQUAL, OP_LESS_SIGNED, OP_LESS_UNSIGNED, OP_EXT,
	OP_REF8, OP_REF16, OP_REF32, OP_REF64,
	OP_REF_FLOAT, OP_REF_DOUBLE, OP_REF_LONG_DOUBLE, OP_L_TO_D, OP_D_TO_L,
	OP_IF_GOTO = 0x20, OP_GOTO, OP_CONST8, OP_CONST16, OP_CONST32, OP_CONST64,
	OP_REG, OP_END, OP_DUP, OP_POP, OP_ZERO_EXT, OP_SWAP, OP_GETV, OP_SETV,
	OP_TRACEV, OP_TRACENZ, OP_TRACE16, OP_INVALID2, OP_PICK, OP_ROT,
	OP_PRINTF = 0x34,
	OP_LAST
};

/*
 * Operand bytes after each opcode (printf: its fixed part, nargs and the
 * string length; the string follows), or a refusal.
 */
#define OPND_BAD	0xff	/* not an opcode */
#define OPND_FLOAT	0xfe	/* an opcode we do not do */

static const uint8_t operands[OP_LAST] = {
	[0] = OPND_BAD,
	[OP_FLOAT] = OPND_FLOAT,
	[OP_TRACE_QUICK] = 1, [OP_EXT] = 1, [OP_ZERO_EXT] = 1, [OP_CONST8] = 1,
	[OP_PICK] = 1,
	[OP_REF_FLOAT] = OPND_FLOAT, [OP_REF_DOUBLE] = OPND_FLOAT,
	[OP_REF_LONG_DOUBLE] = OPND_FLOAT, [OP_L_TO_D] = OPND_FLOAT,
	[OP_D_TO_L] = OPND_FLOAT,
	[OP_IF_GOTO] = 2, [OP_GOTO] = 2, [OP_CONST16] = 2, [OP_REG] = 2,
	[OP_GETV] = 2, [OP_SETV] = 2, [OP_TRACEV] = 2, [OP_TRACE16] = 2,
	[OP_CONST32] = 4, [OP_CONST64] = 8,
	[OP_INVALID2] = OPND_BAD,
	[OP_PRINTF] = 3,
};

/* Operands are big-endian, whatever the target (manual: const, reg, goto). */
static uint64_t be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * The instruction at code[pc]: its total size in *size, or an error.  The
 * printf string is bounds-checked and must end with its NUL (the manual:
 * "the last byte of the string must be zero, and is included in the length").
 */
static enum ax_err decode(const uint8_t *code, size_t len, size_t pc, size_t *size)
{
	uint8_t op = code[pc];
	unsigned n;

	if (op >= OP_LAST || operands[op] == OPND_BAD)
		return AX_E_OPCODE;
	if (operands[op] == OPND_FLOAT)
		return AX_E_UNSUPPORTED;
	n = operands[op];
	if (len - pc - 1 < n)
		return AX_E_TRUNCATED;
	*size = 1 + n;
	if (op == OP_PRINTF) {
		size_t slen = (size_t)be(code + pc + 2, 2);

		if (len - pc - 4 < slen)
			return AX_E_TRUNCATED;
		if (slen == 0 || code[pc + 4 + slen - 1] != 0)
			return AX_E_FORMAT;
		*size += slen;
	}
	return AX_OK;
}

/* Sign-extend from n bits: bit n-1 is the sign; n >= 64 changes nothing. */
static uint64_t sign_ext(uint64_t v, unsigned n)
{
	uint64_t m;

	if (n >= 64)
		return v;
	if (n == 0)
		return 0;	/* a 0-bit value has no bits; gdb never emits it */
	m = 1ULL << (n - 1);
	v &= (m << 1) - 1;
	return (v ^ m) - m;
}

static uint64_t zero_ext(uint64_t v, unsigned n)
{
	return n >= 64 ? v : v & ((1ULL << n) - 1);
}

/*
 * Shifts by the full 64-bit count, as if the value were infinitely wide:
 * a count >= 64 (C would be undefined, x86 would use it mod 64) shifts
 * everything out.
 */
static uint64_t lsh(uint64_t a, uint64_t b)
{
	return b >= 64 ? 0 : a << b;
}

static uint64_t rsh_unsigned(uint64_t a, uint64_t b)
{
	return b >= 64 ? 0 : a >> b;
}

/* Without C's signed shift (implementation-defined for negative values). */
static uint64_t rsh_signed(uint64_t a, uint64_t b)
{
	uint64_t sign = a >> 63 ? ~0ULL : 0;

	if (b >= 64)
		return sign;
	return a >> b | (sign & ~(~0ULL >> b));
}

const char *ax_strerror(enum ax_err err)
{
	static const char *const msg[] = {
		[AX_OK] = "no error",
		[AX_E_EMPTY] = "empty expression",
		[AX_E_TOO_LONG] = "expression too long",
		[AX_E_OPCODE] = "unknown opcode",
		[AX_E_UNSUPPORTED] = "floating-point opcode not supported",
		[AX_E_TRUNCATED] = "operand past the end of the expression",
		[AX_E_JUMP] = "jump outside the expression or into an operand",
		[AX_E_FALL_OFF] = "execution runs past the end of the expression",
		[AX_E_UNDERFLOW] = "stack underflow",
		[AX_E_OVERFLOW] = "stack overflow",
		[AX_E_DIV_ZERO] = "division by zero",
		[AX_E_STEPS] = "too many instructions executed",
		[AX_E_VAR] = "trace state variable out of range",
		[AX_E_FORMAT] = "bad printf format or argument count",
		[AX_E_MEM] = "memory unreadable",
		[AX_E_REG] = "register unreadable",
		[AX_E_OUTPUT] = "printf output failed",
	};

	if ((unsigned)err >= sizeof(msg) / sizeof(msg[0]) || !msg[err])
		return "unknown error";
	return msg[err];
}

/* ---- validation ---- */

int ax_check(const uint8_t *code, size_t len, const char **why)
{
	uint8_t starts[AX_MAX_LEN / 8] = { 0 };	/* instruction boundaries */
	size_t pc = 0, size = 0, last = 0;
	enum ax_err e = AX_OK;
	int r = -EINVAL;

	if (!code || len == 0) {
		e = AX_E_EMPTY;
		goto out;
	}
	if (len > AX_MAX_LEN) {
		e = AX_E_TOO_LONG;
		r = -E2BIG;
		goto out;
	}
	for (pc = 0; pc < len; pc += size) {
		uint8_t op = code[pc];

		e = decode(code, len, pc, &size);
		if (e == AX_E_UNSUPPORTED)
			r = -ENOTSUP;
		if (e != AX_OK)
			goto out;
		starts[pc / 8] |= (uint8_t)(1u << (pc % 8));
		last = pc;
		if ((op == OP_GETV || op == OP_SETV) && be(code + pc + 1, 2) >= AX_MAX_VARS) {
			e = AX_E_VAR;
			goto out;
		}
		if (op == OP_PRINTF &&
		    ax_format_check((const char *)code + pc + 4, (size_t)be(code + pc + 2, 2),
				    code[pc + 1]) < 0) {
			e = AX_E_FORMAT;
			goto out;
		}
	}
	/* Nothing may run past the last byte: gdb always ends with `end`. */
	if (code[last] != OP_END && code[last] != OP_GOTO) {
		e = AX_E_FALL_OFF;
		goto out;
	}
	/* Jumps land on an instruction (gdbserver's compiler demands it too). */
	for (pc = 0; pc < len; pc += size) {
		decode(code, len, pc, &size);
		if (code[pc] == OP_GOTO || code[pc] == OP_IF_GOTO) {
			size_t to = (size_t)be(code + pc + 1, 2);

			if (to >= len || !(starts[to / 8] & (1u << (to % 8)))) {
				e = AX_E_JUMP;
				goto out;
			}
		}
	}
	r = 0;
out:
	if (why)
		*why = ax_strerror(e);
	return e == AX_OK ? 0 : r;
}

/* ---- evaluation ---- */

struct vm {
	const uint8_t *code;
	size_t len;
	const struct ax_env *env;
	struct ax_result *res;
	uint64_t st[AX_STACK_MAX];
	unsigned sp;		/* entries in st */
};

/*
 * The helpers below return true to go on, false when the evaluation has
 * ended (m->res->status says how).
 */
static bool fail(struct vm *m, enum ax_status st, enum ax_err e)
{
	m->res->status = st;
	m->res->err = e;
	return false;
}

static bool fault(struct vm *m, enum ax_err e, int cb_err)
{
	m->res->cb_err = cb_err < 0 ? cb_err : -EIO;
	return fail(m, AX_FAULT, e);
}

/* refN: little-endian, any alignment; an address range that wraps faults. */
static int ref(struct vm *m, unsigned n, uint64_t *v)
{
	uint8_t b[8];
	uint64_t addr = *v;
	int r;

	if (addr > UINT64_MAX - (n - 1))
		r = -EFAULT;
	else if (!m->env->read_mem)
		r = -ENOSYS;
	else
		r = m->env->read_mem(m->env->opaque, addr, b, n);
	if (r) {
		m->res->addr = addr;
		return r;
	}
	*v = 0;
	for (unsigned i = n; i-- > 0;)
		*v = *v << 8 | b[i];
	return 0;
}

static bool do_printf(struct vm *m, size_t pc)
{
	unsigned nargs = m->code[pc + 1];
	size_t slen = (size_t)be(m->code + pc + 2, 2);
	struct ax_fmt_out out;
	uint64_t args[256];
	size_t cost;
	int r;

	if (m->sp < 2 + nargs)
		return fail(m, AX_ERROR, AX_E_UNDERFLOW);
	/* Popped: function, channel (both ignored: no guest calls), then args. */
	for (unsigned i = 0; i < nargs; i++)
		args[i] = m->st[m->sp - 3 - i];
	m->sp -= 2 + nargs;
	r = ax_format_run((const char *)m->code + pc + 4, slen, nargs, args, m->env,
			  &out, &m->res->addr);
	if (r == -EFAULT)
		return fault(m, AX_E_MEM, out.cb_err);
	if (r < 0)
		return fail(m, AX_ERROR, AX_E_FORMAT);
	/*
	 * A printf is worth one step per 64 bytes it read or printed, or a
	 * loop of wide printfs would print megabytes within AX_MAX_STEPS.
	 */
	cost = (out.len + out.read) / 64;
	if (cost > AX_MAX_STEPS - m->res->steps)
		return fail(m, AX_ERROR, AX_E_STEPS);
	m->res->steps += (unsigned)cost;
	if (m->env->output && out.len) {
		r = m->env->output(m->env->opaque, out.buf, out.len);
		if (r)
			return fault(m, AX_E_OUTPUT, r);
	}
	return true;
}

/* Pops and pushes below are checked against these first. */
#define NEED(n)	do { if (m->sp < (n)) return fail(m, AX_ERROR, AX_E_UNDERFLOW); } while (0)
#define ROOM()	do { if (m->sp >= AX_STACK_MAX) return fail(m, AX_ERROR, AX_E_OVERFLOW); } while (0)
#define TOP	(m->st[m->sp - 1])
#define NEXT	(m->st[m->sp - 2])

/* a b => a OP b, for the binary operators: NEXT is a, TOP is b. */
static bool binop(struct vm *m, uint8_t op)
{
	uint64_t a, b, r;

	NEED(2);
	a = NEXT;
	b = TOP;
	switch (op) {
	case OP_ADD: r = a + b; break;
	case OP_SUB: r = a - b; break;
	case OP_MUL: r = a * b; break;
	case OP_DIV_SIGNED:
	case OP_REM_SIGNED:
		if (b == 0)
			return fail(m, AX_ERROR, AX_E_DIV_ZERO);
		/* INT64_MIN / -1 overflows in C: two's complement wraps it */
		if ((int64_t)b == -1)
			r = op == OP_DIV_SIGNED ? 0 - a : 0;
		else if (op == OP_DIV_SIGNED)
			r = (uint64_t)((int64_t)a / (int64_t)b);
		else
			r = (uint64_t)((int64_t)a % (int64_t)b);
		break;
	case OP_DIV_UNSIGNED:
	case OP_REM_UNSIGNED:
		if (b == 0)
			return fail(m, AX_ERROR, AX_E_DIV_ZERO);
		r = op == OP_DIV_UNSIGNED ? a / b : a % b;
		break;
	case OP_LSH: r = lsh(a, b); break;
	case OP_RSH_SIGNED: r = rsh_signed(a, b); break;
	case OP_RSH_UNSIGNED: r = rsh_unsigned(a, b); break;
	case OP_BIT_AND: r = a & b; break;
	case OP_BIT_OR: r = a | b; break;
	case OP_BIT_XOR: r = a ^ b; break;
	case OP_EQUAL: r = a == b; break;
	case OP_LESS_SIGNED: r = (int64_t)a < (int64_t)b; break;
	default: r = a < b; break;	/* OP_LESS_UNSIGNED */
	}
	m->sp--;
	TOP = r;
	return true;
}

/* One instruction at *pc, already decoded: its operands are in the bytecode. */
static bool step(struct vm *m, size_t *pc, size_t size)
{
	const uint8_t *o = m->code + *pc + 1;	/* operands */
	uint8_t op = m->code[*pc];
	size_t next = *pc + size;
	uint64_t v;
	unsigned n;
	int r;

	switch (op) {
	case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV_SIGNED:
	case OP_DIV_UNSIGNED: case OP_REM_SIGNED: case OP_REM_UNSIGNED:
	case OP_LSH: case OP_RSH_SIGNED: case OP_RSH_UNSIGNED: case OP_BIT_AND:
	case OP_BIT_OR: case OP_BIT_XOR: case OP_EQUAL: case OP_LESS_SIGNED:
	case OP_LESS_UNSIGNED:
		if (!binop(m, op))
			return false;
		break;
	case OP_LOG_NOT: NEED(1); TOP = !TOP; break;
	case OP_BIT_NOT: NEED(1); TOP = ~TOP; break;
	case OP_EXT: NEED(1); TOP = sign_ext(TOP, o[0]); break;
	case OP_ZERO_EXT: NEED(1); TOP = zero_ext(TOP, o[0]); break;
	case OP_REF8: case OP_REF16: case OP_REF32: case OP_REF64:
		NEED(1);
		n = 1u << (op - OP_REF8);
		r = ref(m, n, &TOP);
		if (r)
			return fault(m, AX_E_MEM, r);
		break;
	case OP_IF_GOTO:
	case OP_GOTO:
		if (op == OP_IF_GOTO) {
			NEED(1);
			v = m->st[--m->sp];
		} else {
			v = 1;
		}
		if (v) {
			next = (size_t)be(o, 2);
			if (next >= m->len)
				return fail(m, AX_ERROR, AX_E_JUMP);
		}
		break;
	case OP_CONST8: case OP_CONST16: case OP_CONST32: case OP_CONST64:
		ROOM();
		m->st[m->sp++] = be(o, (unsigned)size - 1);
		break;
	case OP_REG:
		ROOM();
		r = m->env->read_reg ? m->env->read_reg(m->env->opaque, (unsigned)be(o, 2), &v)
				     : -ENOSYS;
		if (r)
			return fault(m, AX_E_REG, r);
		m->st[m->sp++] = v;
		break;
	case OP_END:
		if (m->sp == 0) {
			m->res->status = AX_DONE;
		} else {
			m->res->value = TOP;
			m->res->status = TOP ? AX_TRUE : AX_FALSE;
		}
		return false;
	case OP_DUP: NEED(1); ROOM(); m->st[m->sp] = TOP; m->sp++; break;
	case OP_POP: NEED(1); m->sp--; break;
	case OP_SWAP: NEED(2); v = TOP; TOP = NEXT; NEXT = v; break;
	case OP_PICK:
		/* n = 0 is dup: the item n below the top */
		NEED((unsigned)o[0] + 1);
		ROOM();
		v = m->st[m->sp - 1 - o[0]];
		m->st[m->sp++] = v;
		break;
	case OP_ROT:
		/* a b c => c a b */
		NEED(3);
		v = TOP;
		TOP = NEXT;
		NEXT = m->st[m->sp - 3];
		m->st[m->sp - 3] = v;
		break;
	case OP_GETV:
	case OP_SETV:
		n = (unsigned)be(o, 2);
		if (!m->env->vars || n >= m->env->nvars)
			return fail(m, AX_ERROR, AX_E_VAR);
		if (op == OP_GETV) {
			ROOM();
			m->st[m->sp++] = m->env->vars[n];
		} else {
			NEED(1);	/* the value stays on the stack */
			m->env->vars[n] = TOP;
		}
		break;
	/*
	 * The trace family only records data into a trace frame, which a
	 * breakpoint condition or command has none of (gdb emits them only
	 * for tracepoint collection): no-ops with their stack effects, as
	 * gdbserver's condition evaluation in effect does.  tracev follows
	 * gdbserver (no stack effect), not ax.def's "produces 1".
	 */
	case OP_TRACE: case OP_TRACENZ: NEED(2); m->sp -= 2; break;
	case OP_TRACE_QUICK: case OP_TRACE16: NEED(1); break;
	case OP_TRACEV: break;
	case OP_PRINTF:
		if (!do_printf(m, *pc))
			return false;
		break;
	default:	/* decode() refused everything else */
		return fail(m, AX_ERROR, AX_E_OPCODE);
	}
	*pc = next;
	return true;
}

enum ax_status ax_eval(const uint8_t *code, size_t len, const struct ax_env *env,
		       struct ax_result *res)
{
	struct ax_result dummy;
	struct vm m;
	size_t pc = 0, size = 0;

	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	m.code = code;
	m.len = len;
	m.env = env;
	m.res = res;
	m.sp = 0;
	if (!code || len == 0)
		fail(&m, AX_ERROR, AX_E_EMPTY);
	else if (len > AX_MAX_LEN)
		fail(&m, AX_ERROR, AX_E_TOO_LONG);
	else
		for (;;) {
			enum ax_err e;

			if (pc >= len) {
				fail(&m, AX_ERROR, AX_E_FALL_OFF);
				break;
			}
			if (res->steps == AX_MAX_STEPS) {
				fail(&m, AX_ERROR, AX_E_STEPS);
				break;
			}
			res->steps++;
			res->pc = pc;
			e = decode(code, len, pc, &size);
			if (e != AX_OK) {
				fail(&m, AX_ERROR, e);
				break;
			}
			if (!step(&m, &pc, size))
				break;
		}
	return res->status;
}
