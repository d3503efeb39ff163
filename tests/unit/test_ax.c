/*
 * test_ax.c -- GDB agent expressions (src/gdb/ax*.c): the bytecode real gdb
 * 13 sent (captured with tests/fuzz/capture_ax.py against a fake stub, the
 * program being capture_ax.py's PROG built with gcc -O0 -no-pie), every
 * opcode's semantics, the limits, printf formatting, the validator and the
 * Z packet's lists.  The machine is a fake: two memory regions (globals at
 * 0x404000, a stack below 0x80000000) with a chosen range that faults, a
 * register file, a variable array and an output recorder.
 */
#include <errno.h>
#include <stdlib.h>

#include "test.h"
#include "gdb/ax.h"
#include "util.h"

/* ---- the fake machine ---- */

#define GLOB_BASE	0x404000ULL
#define STACK_BASE	0x7fffe000ULL
#define RBP		0x7ffff000ULL

/* Where capture_ax.py's program keeps things (nm, and the bytecode). */
#define A_FLAG	0x404010ULL	/* int flag */
#define A_BIG	0x404018ULL	/* long big */
#define A_UBIG	0x404020ULL	/* unsigned long ubig */
#define A_MSG	0x404028ULL	/* char msg[6] */
#define A_GP	0x404030ULL	/* struct pkt gp: len +0, data +8, port +16, tiny +18 */
#define A_X	(RBP - 4)	/* f's int x */
#define A_P	(RBP - 16)	/* f's struct pkt *p */
#define A_S	(RBP - 24)	/* f's const char *s */

struct fake {
	uint8_t glob[0x1000];
	uint8_t stack[0x2000];
	uint64_t fault_lo, fault_hi;	/* [lo, hi) unreadable too */
	uint64_t regs[24];
	bool reg_bad;			/* every read_reg fails */
	unsigned reads;			/* read_mem calls */
	char out[16384];
	size_t outlen;
	unsigned outcalls;
	bool out_fails;
	uint64_t vars[8];
	struct ax_env env;
};

static uint8_t *fake_at(struct fake *f, uint64_t a)
{
	if (a >= GLOB_BASE && a < GLOB_BASE + sizeof(f->glob))
		return &f->glob[a - GLOB_BASE];
	if (a >= STACK_BASE && a < STACK_BASE + sizeof(f->stack))
		return &f->stack[a - STACK_BASE];
	return NULL;
}

static int fake_read_mem(void *opaque, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = opaque;

	f->reads++;
	for (size_t i = 0; i < len; i++) {
		uint64_t a = addr + i;
		uint8_t *p = fake_at(f, a);

		if (!p || (a >= f->fault_lo && a < f->fault_hi))
			return -EFAULT;
		((uint8_t *)buf)[i] = *p;
	}
	return 0;
}

static int fake_read_reg(void *opaque, unsigned regno, uint64_t *val)
{
	struct fake *f = opaque;

	if (f->reg_bad || regno >= 24)
		return -ENOENT;
	*val = f->regs[regno];
	return 0;
}

static int fake_output(void *opaque, const char *text, size_t len)
{
	struct fake *f = opaque;

	if (f->out_fails)
		return -EPIPE;
	f->outcalls++;
	if (len > sizeof(f->out) - 1 - f->outlen)
		len = sizeof(f->out) - 1 - f->outlen;
	memcpy(f->out + f->outlen, text, len);
	f->outlen += len;
	f->out[f->outlen] = 0;
	return 0;
}

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->env.read_mem = fake_read_mem;
	f->env.read_reg = fake_read_reg;
	f->env.output = fake_output;
	f->env.opaque = f;
	f->env.vars = f->vars;
	f->env.nvars = 8;
	f->regs[6] = RBP;		/* rbp */
	f->regs[7] = RBP - 0x40;	/* rsp */
	return f;
}

static void poke(struct fake *f, uint64_t a, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		*fake_at(f, a + i) = (uint8_t)(v >> (8 * i));
}

static void poke_str(struct fake *f, uint64_t a, const char *s)
{
	memcpy(fake_at(f, a), s, strlen(s) + 1);
}

/* capture_ax.py's program at the breakpoint in f(4096, &gp, msg). */
static struct fake *fake_prog(void)
{
	struct fake *f = fake_new();

	poke(f, A_FLAG, 1, 4);
	poke(f, A_BIG, (uint64_t)-5, 8);
	poke(f, A_UBIG, 7, 8);
	poke_str(f, A_MSG, "hello");
	poke(f, A_GP, 4, 4);
	poke(f, A_GP + 8, A_MSG, 8);
	poke(f, A_GP + 16, 80, 2);
	poke(f, A_GP + 18, (uint8_t)-3, 1);
	poke(f, A_X, 4096, 4);
	poke(f, A_P, A_GP, 8);
	poke(f, A_S, A_MSG, 8);
	f->regs[5] = 4096;	/* rdi: x, still */
	return f;
}

static enum ax_status run(struct fake *f, const uint8_t *code, size_t len, struct ax_result *r)
{
	return ax_eval(code, len, &f->env, r);
}

#define RUN(f, code, r)	run((f), (code), sizeof(code), (r))

/* Bytecode building blocks (operands are big-endian). */
#define K8(v)	0x22, (uint8_t)(v)
#define K16(v)	0x23, (uint8_t)((v) >> 8), (uint8_t)(v)
#define K64(v)	0x25, (uint8_t)((uint64_t)(v) >> 56), (uint8_t)((uint64_t)(v) >> 48), \
		(uint8_t)((uint64_t)(v) >> 40), (uint8_t)((uint64_t)(v) >> 32), \
		(uint8_t)((uint64_t)(v) >> 24), (uint8_t)((uint64_t)(v) >> 16), \
		(uint8_t)((uint64_t)(v) >> 8), (uint8_t)(v)
#define END	0x27

/* ---- what gdb 13 sent (capture_ax.py; the comment is the gdb command) ---- */

/* break f if x == 4096  ->  Z0,401115,1;X13,<this> */
static const uint8_t gdb_cond_eq[] = {
	0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xec, 0x16, 0x08, 0x02, 0x19,
	0x16, 0x20, 0x23, 0x10, 0x00, 0x13, 0x27,
};

/* break f if p->len > 3 && flag */
static const uint8_t gdb_cond_and[] = {
	0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xe0, 0x16, 0x08, 0x02, 0x1a,
	0x19, 0x16, 0x20, 0x22, 0x03, 0x2b, 0x14, 0x20, 0x00, 0x19, 0x21, 0x00,
	0x2c, 0x24, 0x00, 0x40, 0x40, 0x10, 0x19, 0x16, 0x20, 0x20, 0x00, 0x27,
	0x21, 0x00, 0x2c, 0x22, 0x01, 0x21, 0x00, 0x2e, 0x22, 0x00, 0x27,
};

/* set dprintf-style agent; dprintf f,"x=%d s=%s\n",x,s  ->  ;cmds:1,X2f,<this> */
static const uint8_t gdb_dprintf[] = {
	0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xd8, 0x16, 0x08, 0x02, 0x1a,
	0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xec, 0x16, 0x08, 0x02, 0x19,
	0x16, 0x20, 0x22, 0x00, 0x22, 0x00, 0x34, 0x02, 0x00, 0x0c, 0x78, 0x3d,
	0x25, 0x64, 0x20, 0x73, 0x3d, 0x25, 0x73, 0x5c, 0x6e, 0x00, 0x27,
};

/* dprintf f,"%5d|%-4x|%lu|%c|%.3s|%%|%#o|%ld\n",x,x,ubig,65,s,gp.port,big */
static const uint8_t gdb_dprintf_formats[] = {
	0x24, 0x00, 0x40, 0x40, 0x18, 0x1a, 0x16, 0x40, 0x24, 0x00, 0x40, 0x40,
	0x30, 0x22, 0x10, 0x02, 0x18, 0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22,
	0xd8, 0x16, 0x08, 0x02, 0x1a, 0x22, 0x41, 0x24, 0x00, 0x40, 0x40, 0x20,
	0x1a, 0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xec, 0x16, 0x08, 0x02,
	0x19, 0x16, 0x20, 0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xec, 0x16,
	0x08, 0x02, 0x19, 0x16, 0x20, 0x22, 0x00, 0x22, 0x00, 0x34, 0x07, 0x00,
	0x22, 0x25, 0x35, 0x64, 0x7c, 0x25, 0x2d, 0x34, 0x78, 0x7c, 0x25, 0x6c,
	0x75, 0x7c, 0x25, 0x63, 0x7c, 0x25, 0x2e, 0x33, 0x73, 0x7c, 0x25, 0x25,
	0x7c, 0x25, 0x23, 0x6f, 0x7c, 0x25, 0x6c, 0x64, 0x5c, 0x6e, 0x00, 0x27,
};

/* break f if (big >> 1) < 0 || ubig % 3 == 1 || x / 3 > 1000 */
static const uint8_t gdb_cond_arith[] = {
	0x24, 0x00, 0x40, 0x40, 0x18, 0x1a, 0x16, 0x40, 0x22, 0x01, 0x0a, 0x16,
	0x40, 0x22, 0x00, 0x14, 0x20, 0x00, 0x2d, 0x24, 0x00, 0x40, 0x40, 0x20,
	0x1a, 0x22, 0x03, 0x2a, 0x40, 0x08, 0x2a, 0x40, 0x22, 0x01, 0x2a, 0x40,
	0x13, 0x20, 0x00, 0x2d, 0x22, 0x00, 0x21, 0x00, 0x2f, 0x22, 0x01, 0x20,
	0x00, 0x52, 0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xec, 0x16, 0x08,
	0x02, 0x19, 0x16, 0x20, 0x22, 0x03, 0x05, 0x16, 0x20, 0x23, 0x03, 0xe8,
	0x2b, 0x14, 0x20, 0x00, 0x52, 0x22, 0x00, 0x21, 0x00, 0x54, 0x22, 0x01,
	0x27,
};

/* break f if gp.port == 80 && gp.tiny < 0 && s[1] == 101 */
static const uint8_t gdb_cond_fields[] = {
	0x24, 0x00, 0x40, 0x40, 0x30, 0x22, 0x10, 0x02, 0x18, 0x22, 0x50, 0x13,
	0x20, 0x00, 0x12, 0x21, 0x00, 0x2b, 0x24, 0x00, 0x40, 0x40, 0x30, 0x22,
	0x12, 0x02, 0x17, 0x16, 0x08, 0x22, 0x00, 0x14, 0x20, 0x00, 0x26, 0x21,
	0x00, 0x2b, 0x22, 0x01, 0x21, 0x00, 0x2d, 0x22, 0x00, 0x20, 0x00, 0x33,
	0x21, 0x00, 0x55, 0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xd8, 0x16,
	0x08, 0x02, 0x1a, 0x22, 0x01, 0x02, 0x2a, 0x40, 0x17, 0x16, 0x08, 0x22,
	0x65, 0x13, 0x20, 0x00, 0x50, 0x21, 0x00, 0x55, 0x22, 0x01, 0x21, 0x00,
	0x57, 0x22, 0x00, 0x27,
};

/* break f if ((ubig << 2 | 1) ^ ~flag & 0xff) != 0 && !(ubig / 2 == 0) && -big % 4 == -1 */
static const uint8_t gdb_cond_bits[] = {
	0x24, 0x00, 0x40, 0x40, 0x20, 0x1a, 0x22, 0x02, 0x2a, 0x40, 0x09, 0x2a,
	0x40, 0x22, 0x01, 0x2a, 0x40, 0x10, 0x24, 0x00, 0x40, 0x40, 0x10, 0x19,
	0x16, 0x20, 0x12, 0x16, 0x20, 0x23, 0x00, 0xff, 0x0f, 0x2a, 0x40, 0x11,
	0x22, 0x00, 0x2a, 0x40, 0x13, 0x0e, 0x20, 0x00, 0x30, 0x21, 0x00, 0x4e,
	0x24, 0x00, 0x40, 0x40, 0x20, 0x1a, 0x22, 0x02, 0x2a, 0x40, 0x06, 0x2a,
	0x40, 0x22, 0x00, 0x2a, 0x40, 0x13, 0x0e, 0x20, 0x00, 0x49, 0x21, 0x00,
	0x4e, 0x22, 0x01, 0x21, 0x00, 0x50, 0x22, 0x00, 0x20, 0x00, 0x56, 0x21,
	0x00, 0x78, 0x22, 0x00, 0x24, 0x00, 0x40, 0x40, 0x18, 0x1a, 0x16, 0x40,
	0x03, 0x16, 0x40, 0x22, 0x04, 0x07, 0x16, 0x40, 0x22, 0xff, 0x16, 0x08,
	0x13, 0x20, 0x00, 0x73, 0x21, 0x00, 0x78, 0x22, 0x01, 0x21, 0x00, 0x7a,
	0x22, 0x00, 0x27,
};

/* break f if (x >= 4096 ? gp.len : -1) == 4 */
static const uint8_t gdb_cond_ternary[] = {
	0x26, 0x00, 0x06, 0x22, 0x10, 0x02, 0x22, 0xec, 0x16, 0x08, 0x02, 0x19,
	0x16, 0x20, 0x23, 0x10, 0x00, 0x14, 0x0e, 0x0e, 0x20, 0x00, 0x22, 0x24,
	0x00, 0x40, 0x40, 0x30, 0x19, 0x16, 0x20, 0x21, 0x00, 0x26, 0x22, 0xff,
	0x16, 0x08, 0x22, 0x04, 0x13, 0x27,
};

/* break f if $rdi == 4096 && $rsp != 0 */
static const uint8_t gdb_cond_reg[] = {
	0x26, 0x00, 0x05, 0x16, 0x40, 0x23, 0x10, 0x00, 0x13, 0x20, 0x00, 0x0f,
	0x21, 0x00, 0x23, 0x26, 0x00, 0x07, 0x2a, 0x40, 0x22, 0x00, 0x13, 0x0e,
	0x20, 0x00, 0x1e, 0x21, 0x00, 0x23, 0x22, 0x01, 0x21, 0x00, 0x25, 0x22,
	0x00, 0x27,
};

/* Whole Z packet tails, as sent after "Z0,401115,1". */
/* break f if x == 1; break f if flag == 1 (one address: two conditions) */
static const char z_cond_two[] =
	";X12,26000622100222ec16080219162022011327Xc,240040401019162022011327";
/* set dprintf-style agent; dprintf f,"big=%ld\n",big; condition 1 x > 10 */
static const char z_cond_dprintf[] =
	";X13,26000622100222ec160802191620220a2b1427"
	";cmds:1,X1b,24004040181a1640220022003401000a6269673d256c645c6e0027";
/* set dprintf-style agent; dprintf f,"x=%d s=%s\n",x,s */
static const char z_dprintf[] =
	";cmds:1,X2f,26000622100222d81608021a26000622100222ec160802191620220022"
	"003402000c783d256420733d25735c6e0027";

TEST(gdb_bytecode_passes_check)
{
	static const struct { const uint8_t *c; size_t n; } all[] = {
		{ gdb_cond_eq, sizeof(gdb_cond_eq) },
		{ gdb_cond_and, sizeof(gdb_cond_and) },
		{ gdb_dprintf, sizeof(gdb_dprintf) },
		{ gdb_dprintf_formats, sizeof(gdb_dprintf_formats) },
		{ gdb_cond_arith, sizeof(gdb_cond_arith) },
		{ gdb_cond_fields, sizeof(gdb_cond_fields) },
		{ gdb_cond_bits, sizeof(gdb_cond_bits) },
		{ gdb_cond_ternary, sizeof(gdb_cond_ternary) },
		{ gdb_cond_reg, sizeof(gdb_cond_reg) },
	};
	const char *why = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		CHECK_EQ(ax_check(all[i].c, all[i].n, &why), 0);
		CHECK_STR(why, "no error");
	}
}

TEST(gdb_cond_eq_semantics)
{
	struct fake *f = fake_prog();
	struct ax_result r;

	CHECK_EQ(RUN(f, gdb_cond_eq, &r), AX_TRUE);
	CHECK_EQ(r.value, 1);
	CHECK_EQ(r.err, AX_OK);
	CHECK_EQ(r.steps, 11);
	poke(f, A_X, 5, 4);
	CHECK_EQ(RUN(f, gdb_cond_eq, &r), AX_FALSE);
	CHECK(!ax_should_stop(r.status));
	/* an int: the bytes above x do not count */
	poke(f, A_X, 0xdeadbeef00001000ULL, 8);
	CHECK_EQ(RUN(f, gdb_cond_eq, &r), AX_TRUE);
	/* x unreadable: a fault, with its address; the caller stops */
	f->fault_lo = A_X + 3;
	f->fault_hi = A_X + 4;
	CHECK_EQ(RUN(f, gdb_cond_eq, &r), AX_FAULT);
	CHECK_EQ(r.err, AX_E_MEM);
	CHECK_EQ(r.addr, A_X);
	CHECK_EQ(r.cb_err, -EFAULT);
	CHECK_EQ(r.pc, 11);		/* the ref32 */
	CHECK(ax_should_stop(r.status));
	/* rbp unreadable */
	f->fault_lo = f->fault_hi = 0;
	f->reg_bad = true;
	CHECK_EQ(RUN(f, gdb_cond_eq, &r), AX_FAULT);
	CHECK_EQ(r.err, AX_E_REG);
	CHECK_EQ(r.cb_err, -ENOENT);
	CHECK_EQ(r.pc, 0);
	free(f);
}

TEST(gdb_cond_and_semantics)
{
	struct fake *f = fake_prog();
	struct ax_result r;

	CHECK_EQ(RUN(f, gdb_cond_and, &r), AX_TRUE);
	poke(f, A_GP, 3, 4);			/* p->len == 3 */
	CHECK_EQ(RUN(f, gdb_cond_and, &r), AX_FALSE);
	poke(f, A_GP, (uint32_t)-7, 4);		/* signed: -7 > 3 is false */
	CHECK_EQ(RUN(f, gdb_cond_and, &r), AX_FALSE);
	poke(f, A_GP, 4, 4);
	poke(f, A_FLAG, 0, 4);
	CHECK_EQ(RUN(f, gdb_cond_and, &r), AX_FALSE);
	poke(f, A_FLAG, 0x100000000ULL >> 1, 4);	/* any non-zero int */
	CHECK_EQ(RUN(f, gdb_cond_and, &r), AX_TRUE);
	poke(f, A_P, 0x1000, 8);		/* p points nowhere */
	CHECK_EQ(RUN(f, gdb_cond_and, &r), AX_FAULT);
	CHECK_EQ(r.addr, 0x1000);
	free(f);
}

TEST(gdb_cond_arith_fields_bits_ternary_reg)
{
	struct fake *f = fake_prog();

	/* (big >> 1) < 0 || ubig % 3 == 1 || x / 3 > 1000 */
	CHECK_EQ(RUN(f, gdb_cond_arith, NULL), AX_TRUE);	/* big = -5 */
	poke(f, A_BIG, 5, 8);
	CHECK_EQ(RUN(f, gdb_cond_arith, NULL), AX_TRUE);	/* 7 % 3 == 1 */
	poke(f, A_UBIG, 6, 8);
	CHECK_EQ(RUN(f, gdb_cond_arith, NULL), AX_TRUE);	/* 4096 / 3 */
	poke(f, A_X, 3000, 4);
	CHECK_EQ(RUN(f, gdb_cond_arith, NULL), AX_FALSE);
	poke(f, A_X, 3003, 4);
	CHECK_EQ(RUN(f, gdb_cond_arith, NULL), AX_TRUE);
	poke(f, A_X, (uint32_t)-3003, 4);			/* signed division */
	CHECK_EQ(RUN(f, gdb_cond_arith, NULL), AX_FALSE);
	free(f);

	/* gp.port == 80 && gp.tiny < 0 && s[1] == 101 */
	f = fake_prog();
	CHECK_EQ(RUN(f, gdb_cond_fields, NULL), AX_TRUE);
	poke(f, A_GP + 18, 3, 1);
	CHECK_EQ(RUN(f, gdb_cond_fields, NULL), AX_FALSE);
	poke(f, A_GP + 18, 0x80, 1);
	CHECK_EQ(RUN(f, gdb_cond_fields, NULL), AX_TRUE);
	poke(f, A_MSG + 1, 'a', 1);
	CHECK_EQ(RUN(f, gdb_cond_fields, NULL), AX_FALSE);
	poke(f, A_MSG + 1, 'e', 1);
	CHECK_EQ(RUN(f, gdb_cond_fields, NULL), AX_TRUE);
	poke(f, A_GP + 16, 80 + 256, 2);
	CHECK_EQ(RUN(f, gdb_cond_fields, NULL), AX_FALSE);
	free(f);

	/* ((ubig << 2 | 1) ^ ~flag & 0xff) != 0 && !(ubig / 2 == 0) && -big % 4 == -1 */
	f = fake_prog();
	CHECK_EQ(RUN(f, gdb_cond_bits, NULL), AX_FALSE);	/* 5 % 4 == 1 */
	poke(f, A_BIG, 5, 8);
	CHECK_EQ(RUN(f, gdb_cond_bits, NULL), AX_TRUE);		/* -5 % 4 == -1 */
	poke(f, A_UBIG, 1, 8);
	CHECK_EQ(RUN(f, gdb_cond_bits, NULL), AX_FALSE);	/* 1 / 2 == 0 */
	free(f);

	/* (x >= 4096 ? gp.len : -1) == 4 */
	f = fake_prog();
	CHECK_EQ(RUN(f, gdb_cond_ternary, NULL), AX_TRUE);
	poke(f, A_GP, 5, 4);
	CHECK_EQ(RUN(f, gdb_cond_ternary, NULL), AX_FALSE);
	poke(f, A_GP, 4, 4);
	poke(f, A_X, 4095, 4);
	CHECK_EQ(RUN(f, gdb_cond_ternary, NULL), AX_FALSE);
	free(f);

	/* $rdi == 4096 && $rsp != 0: reg 5 and reg 7, the p-packet numbers */
	f = fake_prog();
	CHECK_EQ(RUN(f, gdb_cond_reg, NULL), AX_TRUE);
	f->regs[7] = 0;
	CHECK_EQ(RUN(f, gdb_cond_reg, NULL), AX_FALSE);
	f->regs[7] = 1;
	f->regs[5] = 4097;
	CHECK_EQ(RUN(f, gdb_cond_reg, NULL), AX_FALSE);
	free(f);
}

TEST(gdb_dprintf_output)
{
	struct fake *f = fake_prog();
	struct ax_result r;

	CHECK_EQ(RUN(f, gdb_dprintf, &r), AX_DONE);
	CHECK_STR(f->out, "x=4096 s=hello\n");
	CHECK_EQ(f->outcalls, 1);
	CHECK(ax_should_stop(r.status));	/* as a condition it would stop */

	/* a fault inside the string: AX_FAULT and nothing printed */
	f->outlen = 0;
	f->out[0] = 0;
	f->outcalls = 0;
	f->fault_lo = A_MSG + 3;
	f->fault_hi = A_MSG + 4;
	CHECK_EQ(RUN(f, gdb_dprintf, &r), AX_FAULT);
	CHECK_EQ(r.err, AX_E_MEM);
	CHECK(r.addr <= A_MSG + 3 && r.addr >= A_MSG);
	CHECK_EQ(f->outcalls, 0);
	CHECK_STR(f->out, "");

	/* a string that ends just before an unmapped page: fine */
	f->fault_lo = f->fault_hi = 0;
	poke_str(f, GLOB_BASE + 0x1000 - 4, "end");
	poke(f, A_S, GLOB_BASE + 0x1000 - 4, 8);
	poke(f, A_X, (uint32_t)-12, 4);
	CHECK_EQ(RUN(f, gdb_dprintf, &r), AX_DONE);
	CHECK_STR(f->out, "x=-12 s=end\n");
	free(f);

	f = fake_prog();
	poke(f, A_X, 42, 4);
	CHECK_EQ(RUN(f, gdb_dprintf_formats, &r), AX_DONE);
	CHECK_STR(f->out, "   42|2a  |7|A|hel|%|0120|-5\n");
	free(f);
}

TEST(gdb_z_tails)
{
	struct fake *f = fake_prog();
	struct ax_bp_opts o;
	struct ax_result r;

	/* two conditions at one address, ORed: x == 1 || flag == 1 */
	CHECK_EQ(ax_parse_z_opts(z_cond_two, strlen(z_cond_two), &o), 0);
	CHECK_EQ(o.nconds, 2);
	CHECK_EQ(o.ncmds, 0);
	CHECK_EQ(o.conds[0].len, 0x12);
	CHECK_EQ(o.conds[1].len, 0xc);
	CHECK_EQ(ax_check(o.conds[0].code, o.conds[0].len, NULL), 0);
	CHECK_EQ(ax_check(o.conds[1].code, o.conds[1].len, NULL), 0);
	CHECK_EQ(ax_conds_eval(&o, &f->env, &r), AX_TRUE);	/* flag */
	poke(f, A_FLAG, 0, 4);
	CHECK_EQ(ax_conds_eval(&o, &f->env, &r), AX_FALSE);
	poke(f, A_X, 1, 4);
	CHECK_EQ(ax_conds_eval(&o, &f->env, &r), AX_TRUE);	/* x */
	/* the first faults: stop at once, the second is not tried */
	f->fault_lo = A_X;
	f->fault_hi = A_X + 1;
	f->reads = 0;
	CHECK_EQ(ax_conds_eval(&o, &f->env, &r), AX_FAULT);
	CHECK_EQ(f->reads, 1);
	ax_bp_opts_free(&o);
	CHECK_EQ(o.nconds, 0);
	free(f);

	/* a condition and a command */
	f = fake_prog();
	CHECK_EQ(ax_parse_z_opts(z_cond_dprintf, strlen(z_cond_dprintf), &o), 0);
	CHECK_EQ(o.nconds, 1);
	CHECK_EQ(o.ncmds, 1);
	CHECK(o.persist);
	CHECK_EQ(o.cmds[0].len, 0x1b);
	CHECK_EQ(ax_conds_eval(&o, &f->env, NULL), AX_TRUE);	/* 4096 > 10 */
	CHECK_EQ(ax_cmds_run(&o, &f->env, &r), AX_DONE);
	CHECK_STR(f->out, "big=-5\n");
	poke(f, A_X, 10, 4);
	CHECK_EQ(ax_conds_eval(&o, &f->env, NULL), AX_FALSE);
	ax_bp_opts_free(&o);

	/* the dprintf alone: the bytes are gdb_dprintf */
	CHECK_EQ(ax_parse_z_opts(z_dprintf, strlen(z_dprintf), &o), 0);
	CHECK_EQ(o.nconds, 0);
	CHECK_EQ(o.ncmds, 1);
	CHECK_EQ(o.cmds[0].len, sizeof(gdb_dprintf));
	CHECK(!memcmp(o.cmds[0].code, gdb_dprintf, sizeof(gdb_dprintf)));
	CHECK_EQ(ax_conds_eval(&o, &f->env, &r), AX_TRUE);	/* unconditional */
	ax_bp_opts_free(&o);
	free(f);
}

/* ---- opcode semantics ---- */

static uint64_t value_of(struct fake *f, const uint8_t *code, size_t len, enum ax_status want)
{
	struct ax_result r;

	CHECK_EQ(run(f, code, len, &r), want);
	return r.value;
}

#define VAL(f, ...) ({ static const uint8_t c_[] = { __VA_ARGS__, END }; \
		value_of((f), c_, sizeof(c_), AX_TRUE); })
#define ERR(f, e, ...) ({ static const uint8_t c_[] = { __VA_ARGS__ }; struct ax_result r_; \
		CHECK_EQ(run((f), c_, sizeof(c_), &r_), AX_ERROR); CHECK_EQ(r_.err, (e)); })

TEST(arithmetic)
{
	struct fake *f = fake_new();

	CHECK_EQ(VAL(f, K8(2), K8(3), 0x02), 5);
	CHECK_EQ(VAL(f, K64(~0ULL), K8(2), 0x02), 1);			/* wraps */
	CHECK_EQ(VAL(f, K8(2), K8(3), 0x03), (uint64_t)-1);		/* a - b */
	CHECK_EQ(VAL(f, K8(7), K8(6), 0x04), 42);
	CHECK_EQ(VAL(f, K64(1ULL << 63), K8(2), 0x04, K8(1), 0x02), 1);
	/* signed: truncates toward zero */
	CHECK_EQ(VAL(f, K64(-7), K8(2), 0x05), (uint64_t)-3);
	CHECK_EQ(VAL(f, K64(-7), K8(2), 0x07), (uint64_t)-1);
	CHECK_EQ(VAL(f, K64(7), K64(-2), 0x05), (uint64_t)-3);
	/* INT64_MIN / -1 wraps (undefined in C), its remainder is 0 */
	CHECK_EQ(VAL(f, K64(1ULL << 63), K64(-1), 0x05), 1ULL << 63);
	CHECK_EQ(VAL(f, K64(1ULL << 63), K64(-1), 0x07, 0x0e), 1);
	CHECK_EQ(VAL(f, K64(-7), K8(2), 0x06), 0x7ffffffffffffffcULL);
	CHECK_EQ(VAL(f, K64(-7), K8(10), 0x08), 9);		/* 2^64-7 = ...609 */
	/* division by zero: an error, for all four */
	ERR(f, AX_E_DIV_ZERO, K8(1), K8(0), 0x05, END);
	ERR(f, AX_E_DIV_ZERO, K8(1), K8(0), 0x06, END);
	ERR(f, AX_E_DIV_ZERO, K8(1), K8(0), 0x07, END);
	ERR(f, AX_E_DIV_ZERO, K8(1), K8(0), 0x08, END);
	free(f);
}

TEST(shifts)
{
	struct fake *f = fake_new();

	CHECK_EQ(VAL(f, K8(1), K8(63), 0x09), 1ULL << 63);
	CHECK_EQ(VAL(f, K8(1), K8(64), 0x09, 0x0e), 1);	/* shifted out: 0 */
	CHECK_EQ(VAL(f, K8(1), K64(-1), 0x09, 0x0e), 1);	/* a huge count */
	CHECK_EQ(VAL(f, K64(-8), K8(1), 0x0a), (uint64_t)-4);
	CHECK_EQ(VAL(f, K64(-8), K8(64), 0x0a), ~0ULL);	/* sign fills */
	CHECK_EQ(VAL(f, K64(8), K8(200), 0x0a, 0x0e), 1);
	CHECK_EQ(VAL(f, K64(-1), K8(0), 0x0a), ~0ULL);
	CHECK_EQ(VAL(f, K64(1ULL << 63), K8(63), 0x0a), ~0ULL);
	CHECK_EQ(VAL(f, K64(0x4000000000000000ULL), K8(62), 0x0a), 1);
	CHECK_EQ(VAL(f, K64(0x8000000000000010ULL), K8(4), 0x0a), 0xf800000000000001ULL);
	CHECK_EQ(VAL(f, K64(-8), K8(1), 0x0b), 0x7ffffffffffffffcULL);
	CHECK_EQ(VAL(f, K64(-8), K8(64), 0x0b, 0x0e), 1);
	CHECK_EQ(VAL(f, K64(-8), K8(63), 0x0b), 1);
	free(f);
}

TEST(logic_and_compare)
{
	struct fake *f = fake_new();

	CHECK_EQ(VAL(f, K8(0), 0x0e), 1);
	CHECK_EQ(VAL(f, K8(5), 0x0e, 0x0e), 1);
	CHECK_EQ(VAL(f, K8(0xc), K8(0xa), 0x0f), 8);
	CHECK_EQ(VAL(f, K8(0xc), K8(0xa), 0x10), 0xe);
	CHECK_EQ(VAL(f, K8(0xc), K8(0xa), 0x11), 6);
	CHECK_EQ(VAL(f, K8(0), 0x12), ~0ULL);
	CHECK_EQ(VAL(f, K8(3), K8(3), 0x13), 1);
	CHECK_EQ(VAL(f, K8(3), K8(4), 0x13, 0x0e), 1);
	/* -1 < 1 signed, not unsigned; the top is b, the one below a */
	CHECK_EQ(VAL(f, K64(-1), K8(1), 0x14), 1);
	CHECK_EQ(VAL(f, K64(-1), K8(1), 0x15, 0x0e), 1);
	CHECK_EQ(VAL(f, K8(1), K64(-1), 0x15), 1);
	CHECK_EQ(VAL(f, K8(2), K8(1), 0x14, 0x0e), 1);
	free(f);
}

TEST(ext_and_zero_ext)
{
	struct fake *f = fake_new();

	/* ext n: bit n-1 is the sign; bits above are replaced */
	CHECK_EQ(VAL(f, K8(0x80), 0x16, 8), 0xffffffffffffff80ULL);
	CHECK_EQ(VAL(f, K16(0x17f), 0x16, 8), 0x7f);
	CHECK_EQ(VAL(f, K64(0x80000000), 0x16, 32), 0xffffffff80000000ULL);
	CHECK_EQ(VAL(f, K64(0xffffffff7fffffffULL), 0x16, 32), 0x7fffffff);
	CHECK_EQ(VAL(f, K8(1), 0x16, 1), ~0ULL);
	CHECK_EQ(VAL(f, K8(2), 0x16, 1, 0x0e), 1);
	CHECK_EQ(VAL(f, K64(1ULL << 62), 0x16, 63), 0xc000000000000000ULL);
	/* n >= 64: no effect; n == 0: a value of no bits is 0 */
	CHECK_EQ(VAL(f, K64(0x8000000000000001ULL), 0x16, 64), 0x8000000000000001ULL);
	CHECK_EQ(VAL(f, K64(0x8000000000000001ULL), 0x16, 200), 0x8000000000000001ULL);
	CHECK_EQ(VAL(f, K8(0xff), 0x16, 0, 0x0e), 1);
	CHECK_EQ(VAL(f, K16(0xffff), 0x2a, 8), 0xff);
	CHECK_EQ(VAL(f, K64(-1), 0x2a, 63), 0x7fffffffffffffffULL);
	CHECK_EQ(VAL(f, K64(-1), 0x2a, 64), ~0ULL);
	CHECK_EQ(VAL(f, K64(-1), 0x2a, 255), ~0ULL);
	CHECK_EQ(VAL(f, K8(0xff), 0x2a, 0, 0x0e), 1);
	free(f);
}

TEST(consts_are_big_endian)
{
	struct fake *f = fake_new();

	CHECK_EQ(VAL(f, 0x22, 0xfe), 0xfe);			/* no sign extension */
	CHECK_EQ(VAL(f, 0x23, 0x12, 0x34), 0x1234);
	CHECK_EQ(VAL(f, 0x24, 0x12, 0x34, 0x56, 0x78), 0x12345678);
	CHECK_EQ(VAL(f, 0x25, 1, 2, 3, 4, 5, 6, 7, 8), 0x0102030405060708ULL);
	free(f);
}

TEST(refs)
{
	struct fake *f = fake_new();
	struct ax_result r;
	/* ref64 at the very top of memory: the range wraps, no read is tried */
	static const uint8_t wrap16[] = { K64(~0ULL), 0x18, END };
	static const uint8_t ref32_at_end[] = { K64(GLOB_BASE + 0xffd), 0x19, END };

	poke(f, GLOB_BASE + 0x101, 0x0807060504030201ULL, 8);	/* unaligned */
	CHECK_EQ(VAL(f, K64(GLOB_BASE + 0x101), 0x17), 0x01);
	CHECK_EQ(VAL(f, K64(GLOB_BASE + 0x101), 0x18), 0x0201);
	CHECK_EQ(VAL(f, K64(GLOB_BASE + 0x101), 0x19), 0x04030201);
	CHECK_EQ(VAL(f, K64(GLOB_BASE + 0x101), 0x1a), 0x0807060504030201ULL);
	poke(f, GLOB_BASE + 0x200, 0xff, 1);
	CHECK_EQ(VAL(f, K64(GLOB_BASE + 0x200), 0x17), 0xff);	/* unsigned */

	/* the last byte of a 4-byte read faults */
	f->fault_lo = GLOB_BASE + 0x104;
	f->fault_hi = GLOB_BASE + 0x105;
	CHECK_EQ(VAL(f, K64(GLOB_BASE + 0x101), 0x18), 0x0201);
	static const uint8_t ref32[] = { K64(GLOB_BASE + 0x101), 0x19, END };
	CHECK_EQ(RUN(f, ref32, &r), AX_FAULT);
	CHECK_EQ(r.err, AX_E_MEM);
	CHECK_EQ(r.addr, GLOB_BASE + 0x101);
	CHECK_EQ(r.pc, 9);
	f->fault_lo = f->fault_hi = 0;

	f->reads = 0;
	CHECK_EQ(RUN(f, wrap16, &r), AX_FAULT);
	CHECK_EQ(r.addr, ~0ULL);
	CHECK_EQ(f->reads, 0);
	/* past the end of the region */
	CHECK_EQ(RUN(f, ref32_at_end, &r), AX_FAULT);
	free(f);
}

TEST(reg_numbers_and_faults)
{
	struct fake *f = fake_new();
	struct ax_result r;
	static const uint8_t reg_big[] = { 0x26, 0x01, 0x00, END };	/* reg 256 */

	f->regs[16] = 0xffffffff81000000ULL;
	f->regs[0] = 0;
	CHECK_EQ(VAL(f, 0x26, 0x00, 0x10), 0xffffffff81000000ULL);	/* rip */
	CHECK_EQ(VAL(f, 0x26, 0x00, 0x00, 0x0e), 1);			/* rax */
	CHECK_EQ(RUN(f, reg_big, &r), AX_FAULT);
	CHECK_EQ(r.err, AX_E_REG);
	CHECK_EQ(r.cb_err, -ENOENT);
	f->env.read_reg = NULL;
	CHECK_EQ(RUN(f, reg_big, &r), AX_FAULT);
	CHECK_EQ(r.cb_err, -ENOSYS);
	free(f);
}

TEST(stack_ops)
{
	struct fake *f = fake_new();
	struct ax_result r;
	static const uint8_t empty_end[] = { END };
	static const uint8_t pushed_popped[] = { K8(1), 0x29, END };

	CHECK_EQ(VAL(f, K8(7), 0x28, 0x02), 14);			/* dup */
	CHECK_EQ(VAL(f, K8(7), K8(9), 0x29), 7);			/* pop */
	CHECK_EQ(VAL(f, K8(7), K8(9), 0x2b, 0x03), 2);		/* swap: 9 - 7 */
	/* rot: a b c => c a b */
	CHECK_EQ(VAL(f, K8(1), K8(2), K8(3), 0x33), 2);
	CHECK_EQ(VAL(f, K8(1), K8(2), K8(3), 0x33, 0x29), 1);
	CHECK_EQ(VAL(f, K8(1), K8(2), K8(3), 0x33, 0x29, 0x29), 3);
	/* pick n: 0 is dup, 1 the item under the top */
	CHECK_EQ(VAL(f, K8(5), K8(6), 0x32, 0), 6);
	CHECK_EQ(VAL(f, K8(5), K8(6), 0x32, 1), 5);
	CHECK_EQ(VAL(f, K8(5), K8(6), K8(7), 0x32, 2), 5);
	CHECK_EQ(VAL(f, K8(5), K8(6), K8(7), 0x32, 2, 0x29), 7);
	/* end with an empty stack: a command's end */
	CHECK_EQ(RUN(f, empty_end, &r), AX_DONE);
	CHECK_EQ(RUN(f, pushed_popped, &r), AX_DONE);
	/* the value at `end` is the top; what is below does not matter */
	CHECK_EQ(VAL(f, K8(0), K8(1)), 1);
	{
		static const uint8_t zero_on_top[] = { K8(1), K8(0), END };

		CHECK_EQ(RUN(f, zero_on_top, &r), AX_FALSE);
		CHECK_EQ(r.value, 0);
	}
	free(f);
}

TEST(stack_underflow)
{
	struct fake *f = fake_new();

	ERR(f, AX_E_UNDERFLOW, 0x02, END);
	ERR(f, AX_E_UNDERFLOW, K8(1), 0x02, END);
	ERR(f, AX_E_UNDERFLOW, 0x29, END);
	ERR(f, AX_E_UNDERFLOW, 0x28, END);
	ERR(f, AX_E_UNDERFLOW, K8(1), 0x2b, END);
	ERR(f, AX_E_UNDERFLOW, K8(1), K8(2), 0x33, END);
	ERR(f, AX_E_UNDERFLOW, K8(1), 0x32, 1, END);
	ERR(f, AX_E_UNDERFLOW, 0x0e, END);
	ERR(f, AX_E_UNDERFLOW, 0x16, 8, END);
	ERR(f, AX_E_UNDERFLOW, 0x17, END);
	ERR(f, AX_E_UNDERFLOW, 0x20, 0x00, 0x00, END);
	ERR(f, AX_E_UNDERFLOW, 0x2d, 0x00, 0x01, END);		/* setv */
	ERR(f, AX_E_UNDERFLOW, K8(1), 0x0c, END);		/* trace */
	ERR(f, AX_E_UNDERFLOW, 0x0d, 4, END);			/* trace_quick */
	free(f);
}

TEST(stack_overflow)
{
	struct fake *f = fake_new();
	struct ax_result r;
	/* push forever: the stack fills before the step limit */
	static const uint8_t push_loop[] = { K8(1), 0x21, 0x00, 0x00 };
	uint8_t code[AX_STACK_MAX * 2 + 3];
	size_t n = 0;

	CHECK_EQ(RUN(f, push_loop, &r), AX_ERROR);
	CHECK_EQ(r.err, AX_E_OVERFLOW);
	CHECK_EQ(r.steps, 2 * AX_STACK_MAX + 1);
	/* exactly AX_STACK_MAX entries is fine; one more (dup) is not */
	for (int i = 0; i < AX_STACK_MAX; i++) {
		code[n++] = 0x22;
		code[n++] = (uint8_t)i;
	}
	code[n++] = END;
	CHECK_EQ(run(f, code, n, &r), AX_TRUE);
	CHECK_EQ(r.value, AX_STACK_MAX - 1);
	code[n - 1] = 0x28;
	code[n++] = END;
	CHECK_EQ(run(f, code, n, &r), AX_ERROR);
	CHECK_EQ(r.err, AX_E_OVERFLOW);
	free(f);
}

TEST(jumps_and_step_limit)
{
	struct fake *f = fake_new();
	struct ax_result r;
	/* var0 = 100; do var0 = var0 - 1 while (var0); var0 == 0 */
	static const uint8_t countdown[] = {
		K8(100), 0x2d, 0x00, 0x00, 0x29,		/* 0: setv 0, pop */
		0x2c, 0x00, 0x00, K8(1), 0x03, 0x2d, 0x00, 0x00,	/* 6: getv 0, 1, sub, setv 0 */
		0x20, 0x00, 0x06,				/* 15: if_goto 6 */
		0x2c, 0x00, 0x00, 0x0e, END,			/* 18: !getv 0 */
	};
	static const uint8_t forever[] = { 0x21, 0x00, 0x00 };
	static const uint8_t out_of_range[] = { 0x21, 0x00, 0x04, END };
	static const uint8_t to_last[] = { 0x21, 0x00, 0x03, END };
	static const uint8_t if_not_taken[] = { K8(0), 0x20, 0x00, 0x00, K8(9), END };
	/* into an operand: refused by ax_check, harmless at run time */
	static const uint8_t into_operand[] = { 0x21, 0x00, 0x04, 0x22, 0x27, 0x27 };

	CHECK_EQ(RUN(f, countdown, &r), AX_TRUE);
	CHECK_EQ(f->vars[0], 0);
	CHECK_EQ(r.steps, 3 + 100 * 5 + 3);
	CHECK_EQ(ax_check(countdown, sizeof(countdown), NULL), 0);

	CHECK_EQ(RUN(f, forever, &r), AX_ERROR);
	CHECK_EQ(r.err, AX_E_STEPS);
	CHECK_EQ(r.steps, AX_MAX_STEPS);
	CHECK_EQ(ax_check(forever, sizeof(forever), NULL), 0);	/* data-dependent */

	CHECK_EQ(RUN(f, out_of_range, &r), AX_ERROR);
	CHECK_EQ(r.err, AX_E_JUMP);
	CHECK_EQ(ax_check(out_of_range, sizeof(out_of_range), NULL), -EINVAL);
	CHECK_EQ(RUN(f, to_last, &r), AX_DONE);
	CHECK_EQ(VAL(f, K8(0), 0x20, 0x00, 0x00, K8(9)), 9);
	CHECK_EQ(RUN(f, if_not_taken, &r), AX_TRUE);
	CHECK_EQ(r.value, 9);
	CHECK_EQ(RUN(f, into_operand, &r), AX_DONE);
	CHECK_EQ(ax_check(into_operand, sizeof(into_operand), NULL), -EINVAL);
	free(f);
}

TEST(trace_state_variables)
{
	struct fake *f = fake_new();
	struct ax_result r;
	static const uint8_t far_var[] = { 0x2c, 0x00, 0x08, END };	/* nvars is 8 */

	f->vars[7] = 77;
	CHECK_EQ(VAL(f, 0x2c, 0x00, 0x07), 77);
	/* setv leaves the value on the stack */
	CHECK_EQ(VAL(f, K8(5), 0x2d, 0x00, 0x03, K8(1), 0x02), 6);
	CHECK_EQ(f->vars[3], 5);
	CHECK_EQ(RUN(f, far_var, &r), AX_ERROR);
	CHECK_EQ(r.err, AX_E_VAR);
	ERR(f, AX_E_VAR, K8(1), 0x2d, 0x01, 0x00, END);
	f->env.vars = NULL;
	ERR(f, AX_E_VAR, 0x2c, 0x00, 0x00, END);
	CHECK_EQ(ax_check(far_var, sizeof(far_var), NULL), 0);
	{
		static const uint8_t too_far[] = { 0x2c, 0x01, 0x00, END };

		CHECK_EQ(ax_check(too_far, sizeof(too_far), NULL), -EINVAL);
	}
	free(f);
}

TEST(trace_ops_are_no_ops)
{
	struct fake *f = fake_new();

	f->vars[2] = 9;
	/* trace: addr size => ; tracenz the same; nothing is read */
	CHECK_EQ(VAL(f, K8(4), K64(0x1000), K8(8), 0x0c), 4);
	CHECK_EQ(VAL(f, K8(4), K64(0x1000), K8(8), 0x2f), 4);
	/* trace_quick, trace16: addr => addr */
	CHECK_EQ(VAL(f, K64(0x1000), 0x0d, 8), 0x1000);
	CHECK_EQ(VAL(f, K64(0x1000), 0x30, 0x01, 0x00), 0x1000);
	/* tracev: no stack effect (gdbserver; gdb emits getv n, tracev n) */
	CHECK_EQ(VAL(f, 0x2c, 0x00, 0x02, 0x2e, 0x00, 0x02), 9);
	CHECK_EQ(f->reads, 0);
	free(f);
}

TEST(bad_bytecode)
{
	struct fake *f = fake_new();
	struct ax_result r;

	CHECK_EQ(ax_eval(NULL, 0, &f->env, &r), AX_ERROR);
	CHECK_EQ(r.err, AX_E_EMPTY);
	ERR(f, AX_E_FALL_OFF, K8(1));
	ERR(f, AX_E_TRUNCATED, 0x24, 0x00, 0x00);
	ERR(f, AX_E_TRUNCATED, 0x26, 0x00);
	ERR(f, AX_E_TRUNCATED, 0x20);
	ERR(f, AX_E_OPCODE, 0x00, END);
	ERR(f, AX_E_OPCODE, 0x31, END);
	ERR(f, AX_E_OPCODE, 0x35, END);
	ERR(f, AX_E_OPCODE, 0xff, END);
	ERR(f, AX_E_UNSUPPORTED, 0x01, END);
	ERR(f, AX_E_UNSUPPORTED, K8(0), 0x1b, END);
	ERR(f, AX_E_UNSUPPORTED, K8(0), 0x1c, END);
	ERR(f, AX_E_UNSUPPORTED, K8(0), 0x1d, END);
	ERR(f, AX_E_UNSUPPORTED, K8(0), 0x1e, END);
	ERR(f, AX_E_UNSUPPORTED, K8(0), 0x1f, END);
	{
		uint8_t *big = calloc(1, AX_MAX_LEN + 1);

		big[0] = END;
		CHECK_EQ(ax_eval(big, AX_MAX_LEN + 1, &f->env, &r), AX_ERROR);
		CHECK_EQ(r.err, AX_E_TOO_LONG);
		CHECK_EQ(ax_check(big, AX_MAX_LEN + 1, NULL), -E2BIG);
		CHECK_EQ(ax_eval(big, AX_MAX_LEN, &f->env, &r), AX_DONE);
		free(big);
	}
	free(f);
}

TEST(check_refusals)
{
	const char *why = NULL;
	static const uint8_t ok[] = { K8(1), END };
	static const uint8_t unknown[] = { K8(1), 0x40, END };
	static const uint8_t flt[] = { K8(1), 0x1e, END };
	static const uint8_t trunc[] = { K8(1), 0x23, 0x00 };
	static const uint8_t falls[] = { K8(1), END, K8(2) };
	static const uint8_t back_jump_only[] = { K8(1), 0x20, 0x00, 0x00 };
	static const uint8_t goto_last[] = { K8(1), 0x21, 0x00, 0x00 };
	static const uint8_t bad_printf[] = { 0x22, 0, 0x22, 0, 0x34, 0, 0x00, 0x03, '%', 'd', 0, END };
	static const uint8_t no_nul[] = { 0x22, 0, 0x22, 0, 0x34, 0, 0x00, 0x02, 'h', 'i', END };
	static const uint8_t str_past_end[] = { 0x34, 0, 0x00, 0x09, 'h', 'i', 0, END };

	CHECK_EQ(ax_check(ok, sizeof(ok), &why), 0);
	CHECK_EQ(ax_check(ok, 0, &why), -EINVAL);
	CHECK_STR(why, "empty expression");
	CHECK_EQ(ax_check(unknown, sizeof(unknown), &why), -EINVAL);
	CHECK_STR(why, "unknown opcode");
	CHECK_EQ(ax_check(flt, sizeof(flt), &why), -ENOTSUP);
	CHECK_STR(why, "floating-point opcode not supported");
	CHECK_EQ(ax_check(trunc, sizeof(trunc), &why), -EINVAL);
	CHECK_STR(why, "operand past the end of the expression");
	CHECK_EQ(ax_check(falls, sizeof(falls), &why), -EINVAL);
	CHECK_STR(why, "execution runs past the end of the expression");
	CHECK_EQ(ax_check(back_jump_only, sizeof(back_jump_only), &why), -EINVAL);
	CHECK_EQ(ax_check(goto_last, sizeof(goto_last), &why), 0);
	CHECK_EQ(ax_check(bad_printf, sizeof(bad_printf), &why), -EINVAL);	/* 0 args, %d */
	CHECK_STR(why, "bad printf format or argument count");
	CHECK_EQ(ax_check(no_nul, sizeof(no_nul), &why), -EINVAL);
	CHECK_EQ(ax_check(str_past_end, sizeof(str_past_end), &why), -EINVAL);
	CHECK_EQ(ax_check(ok, sizeof(ok), NULL), 0);
	CHECK_STR(ax_strerror((enum ax_err)99), "unknown error");
}

/* ---- printf ---- */

/*
 * printf(fmt, a, b) through the bytecode: const64 b, const64 a, chan, fn,
 * printf 2 (or 1, 0 args).  Returns the status; the text is in f->out.
 */
static enum ax_status printf2(struct fake *f, const char *fmt, unsigned nargs,
			      uint64_t a, uint64_t b)
{
	uint8_t code[64 + 256];
	size_t n = 0, flen = strlen(fmt) + 1;
	uint64_t args[2] = { a, b };

	for (unsigned k = nargs; k-- > 0;) {
		code[n++] = 0x25;
		for (int i = 7; i >= 0; i--)
			code[n++] = (uint8_t)(args[k] >> (8 * i));
	}
	code[n++] = 0x22;
	code[n++] = 0;
	code[n++] = 0x22;
	code[n++] = 0;
	code[n++] = 0x34;
	code[n++] = (uint8_t)nargs;
	code[n++] = (uint8_t)(flen >> 8);
	code[n++] = (uint8_t)flen;
	memcpy(code + n, fmt, flen);
	n += flen;
	code[n++] = END;
	f->outlen = 0;
	f->out[0] = 0;
	return ax_eval(code, n, &f->env, NULL);
}

static const char *fmt1(struct fake *f, const char *fmt, uint64_t a)
{
	CHECK_EQ(printf2(f, fmt, 1, a, 0), AX_DONE);
	return f->out;
}

TEST(printf_integers_match_libc)
{
	/* the conversions gdb accepts, each against the C library's */
	static const char *const fmts[] = {
		"%d", "%i", "%u", "%x", "%X", "%o", "%5d", "%-5d|", "%05d", "%+d",
		"% d", "%.3d", "%8.3d", "%-8.3x|", "%#x", "%#X", "%#o", "%#.0o",
		"%.0d", "%.0x", "%08x", "%-08x|", "%#010x", "%+05d", "%hd", "%hu",
		"%hx", "%ld", "%lu", "%lx", "%lld", "%llu", "%llx", "%zu", "%zx",
		"%+ld", "%20lo", "%c", "%-3c|", "%3c",
	};
	static const uint64_t vals[] = {
		0, 1, 42, 0x7f, 0xff, 0x8000, 0x12345, 0x7fffffff, 0x80000000,
		0xffffffff, 0x123456789abcdefULL, 1ULL << 63, ~0ULL, (uint64_t)-42,
	};
	struct fake *f = fake_new();
	char want[128];
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		for (size_t k = 0; k < ARRAY_SIZE(vals); k++) {
			const char *fm = fmts[i];
			uint64_t v = vals[k];

			/* the libc call gets what gdbserver's would: an int unless l/z */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			if (strchr(fm, 'l') || strchr(fm, 'z'))
				snprintf(want, sizeof(want), fm, (long)v);
			else
				snprintf(want, sizeof(want), fm, (int)v);
#pragma GCC diagnostic pop
			if (strcmp(fmt1(f, fm, v), want)) {
				if (bad++ < 10)
					fprintf(stderr, "  %s of 0x%" PRIx64 ": \"%s\", libc \"%s\"\n",
						fm, v, f->out, want);
			}
		}
	}
	CHECK_EQ(bad, 0);
	free(f);
}

TEST(printf_strings_pointers_escapes)
{
	struct fake *f = fake_new();
	struct ax_result r;

	poke_str(f, GLOB_BASE + 0x10, "guest");
	CHECK_STR(fmt1(f, "[%s]", GLOB_BASE + 0x10), "[guest]");
	CHECK_STR(fmt1(f, "[%8s]", GLOB_BASE + 0x10), "[   guest]");
	CHECK_STR(fmt1(f, "[%-8s]", GLOB_BASE + 0x10), "[guest   ]");
	CHECK_STR(fmt1(f, "[%.2s]", GLOB_BASE + 0x10), "[gu]");
	CHECK_STR(fmt1(f, "[%6.3s]", GLOB_BASE + 0x10), "[   gue]");
	CHECK_STR(fmt1(f, "[%.0s]", GLOB_BASE + 0x10), "[]");
	CHECK_STR(fmt1(f, "[%s]", 0), "[(null)]");		/* as gdbserver */
	CHECK_STR(fmt1(f, "[%.3s]", 0), "[(nu]");
	CHECK_STR(fmt1(f, "%p", 0x1234), "0x1234");
	CHECK_STR(fmt1(f, "%p", 0), "(nil)");
	CHECK_STR(fmt1(f, "[%10p]", 0xff), "[      0xff]");
	CHECK_STR(fmt1(f, "[%-10p]", 0xff), "[0xff      ]");
	CHECK_STR(fmt1(f, "%p", ~0ULL), "0xffffffffffffffff");
	/* C escapes are undone here: gdb sends them as typed */
	CHECK_STR(fmt1(f, "a\\tb\\n\\\\\\\"%d\\a\\e\\f\\r\\v\\b", 1), "a\tb\n\\\"1\a\033\f\r\v\b");
	CHECK_STR(fmt1(f, "100%% %d", 5), "100% 5");
	/* a precision bounds the read: the unreadable byte after is not touched */
	f->fault_lo = GLOB_BASE + 0x12;
	f->fault_hi = GLOB_BASE + 0x13;
	CHECK_STR(fmt1(f, "[%.2s]", GLOB_BASE + 0x10), "[gu]");
	CHECK_EQ(printf2(f, "[%.3s]", 1, GLOB_BASE + 0x10, 0), AX_FAULT);
	CHECK_EQ(f->outlen, 0);
	/* %s of memory that is not there at all */
	CHECK_EQ(printf2(f, "%s", 1, 0x10, 0), AX_FAULT);
	free(f);

	/* an unterminated string stops at AX_STR_MAX bytes */
	f = fake_new();
	memset(f->glob, 'z', sizeof(f->glob));
	CHECK_EQ(strlen(fmt1(f, "%s", GLOB_BASE)), AX_STR_MAX);
	/* a string running into unreadable memory faults */
	CHECK_EQ(printf2(f, "%s", 1, GLOB_BASE + 0x1000 - 10, 0), AX_FAULT);
	free(f);

	/* output truncated at AX_OUT_MAX; output errors are faults */
	f = fake_new();
	CHECK_EQ(printf2(f, "%4000d%4000d", 2, 1, 2), AX_DONE);
	CHECK_EQ(f->outlen, AX_OUT_MAX);
	CHECK_EQ(f->out[AX_OUT_MAX - 1], ' ');
	free(f);

	/*
	 * printing costs steps: a loop of 4000-byte printfs stops after
	 * about AX_MAX_STEPS * 64 bytes, not 10000 / 5 printfs
	 */
	f = fake_new();
	{
		static const uint8_t loop[] = {
			K8(1), K8(0), K8(0), 0x34, 1, 0x00, 0x07, '%', '4', '0', '0', '0', 'd', 0,
			0x21, 0x00, 0x00,
		};

		CHECK_EQ(RUN(f, loop, &r), AX_ERROR);
		CHECK_EQ(r.err, AX_E_STEPS);
		CHECK_EQ(f->outcalls, AX_MAX_STEPS / (5 + 4000 / 64));
		CHECK(r.steps <= AX_MAX_STEPS);
	}
	/* and a %s reads no more than the output can take */
	memset(f->glob, 'y', sizeof(f->glob));
	f->reads = 0;
	f->outlen = 0;
	CHECK_EQ(printf2(f, "%4090d%s", 2, 1, GLOB_BASE), AX_DONE);
	CHECK_EQ(f->outlen, AX_OUT_MAX);
	CHECK_EQ(f->reads, 1);
	CHECK_EQ(f->out[AX_OUT_MAX - 1], 'y');
	f->out_fails = true;
	{
		static const uint8_t hi[] = { 0x22, 0, 0x22, 0, 0x34, 0, 0x00, 0x03, 'h', 'i', 0, END };

		CHECK_EQ(RUN(f, hi, &r), AX_FAULT);
		CHECK_EQ(r.err, AX_E_OUTPUT);
		CHECK_EQ(r.cb_err, -EPIPE);
		f->env.output = NULL;		/* discarded */
		CHECK_EQ(RUN(f, hi, &r), AX_DONE);
	}
	free(f);
}

TEST(printf_refusals)
{
	static const char *const bad[] = {
		"%f", "%e", "%g", "%n", "%*d", "%.*d", "%lc", "%ls", "%hhd", "%Lf",
		"%#u", "% u", "%+x", "%05c", "%.2c", "%lp", "%#p", "%.3p", "%05s",
		"%hs", "%q", "%", "abc%", "%5", "\\q", "\\", "%99999d", "%.99999d",
		"%d %d",
	};
	struct fake *f = fake_new();
	struct ax_result r;
	uint8_t code[64];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		size_t flen = strlen(bad[i]) + 1, n = 0;

		code[n++] = 0x22; code[n++] = 1;		/* the argument */
		code[n++] = 0x22; code[n++] = 0;
		code[n++] = 0x22; code[n++] = 0;
		code[n++] = 0x34; code[n++] = 1;
		code[n++] = 0; code[n++] = (uint8_t)flen;
		memcpy(code + n, bad[i], flen);
		n += flen;
		code[n++] = END;
		CHECK_EQ(ax_check(code, n, NULL), -EINVAL);
		CHECK_EQ(ax_eval(code, n, &f->env, &r), AX_ERROR);
		if (r.err != AX_E_FORMAT)
			fprintf(stderr, "  format \"%s\"\n", bad[i]);
		CHECK_EQ(r.err, AX_E_FORMAT);
	}
	/* the argument count must match: too few on the stack is an underflow */
	{
		static const uint8_t short_stack[] = {
			0x22, 0, 0x34, 1, 0x00, 0x03, '%', 'd', 0, END };

		CHECK_EQ(ax_check(short_stack, sizeof(short_stack), NULL), 0);
		CHECK_EQ(RUN(f, short_stack, &r), AX_ERROR);
		CHECK_EQ(r.err, AX_E_UNDERFLOW);
	}
	/* a NUL inside the string ends the format there (as C's printf) */
	{
		static const uint8_t inner_nul[] = {
			0x22, 0, 0x22, 0, 0x34, 0, 0x00, 0x05, 'o', 'k', 0, '%', 0, END };

		CHECK_EQ(ax_check(inner_nul, sizeof(inner_nul), NULL), 0);
		CHECK_EQ(RUN(f, inner_nul, &r), AX_DONE);
		CHECK_STR(f->out, "ok");
	}
	free(f);
}

/* ---- the Z packet's lists ---- */

static int parse(const char *t, struct ax_bp_opts *o)
{
	int r = ax_parse_z_opts(t, strlen(t), o);

	if (r)
		ax_bp_opts_free(o);
	return r;
}

TEST(z_opts_parse)
{
	struct ax_bp_opts o;
	char *many;

	CHECK_EQ(parse("", &o), 0);
	CHECK_EQ(o.nconds + o.ncmds, 0);
	CHECK_EQ(parse(";X1,27", &o), 0);
	CHECK_EQ(o.nconds, 1);
	CHECK_EQ(o.conds[0].code[0], 0x27);
	ax_bp_opts_free(&o);
	/* upper-case digits, ';' between conditions, cmds first, persist 0 */
	CHECK_EQ(parse(";cmds:0,X2,2227X1,27;XA,22002200340000012700;X1,27", &o), 0);
	CHECK_EQ(o.ncmds, 2);
	CHECK_EQ(o.nconds, 2);
	CHECK(!o.persist);
	CHECK_EQ(o.conds[0].len, 10);
	CHECK_EQ(o.cmds[0].code[1], 0x27);
	ax_bp_opts_free(&o);
	CHECK_EQ(parse(";cmds:1f,X1,27", &o), 0);
	CHECK(o.persist);
	ax_bp_opts_free(&o);

	CHECK_EQ(parse("X1,27", &o), -EINVAL);		/* no ';' */
	CHECK_EQ(parse(";", &o), -EINVAL);
	CHECK_EQ(parse(";X", &o), -EINVAL);
	CHECK_EQ(parse(";X,27", &o), -EINVAL);
	CHECK_EQ(parse(";X0,", &o), -EINVAL);
	CHECK_EQ(parse(";X1", &o), -EINVAL);
	CHECK_EQ(parse(";X1,2", &o), -EINVAL);		/* half a byte */
	CHECK_EQ(parse(";X2,27", &o), -EINVAL);		/* short */
	CHECK_EQ(parse(";X1,2g", &o), -EINVAL);
	CHECK_EQ(parse(";X1,27junk", &o), -EINVAL);
	CHECK_EQ(parse(";X1,27;", &o), -EINVAL);
	CHECK_EQ(parse(";X123456789,27", &o), -EINVAL);	/* 9 digits */
	CHECK_EQ(parse(";X1001,27", &o), -E2BIG);	/* over AX_MAX_LEN */
	CHECK_EQ(parse(";cmds:1,", &o), -EINVAL);
	CHECK_EQ(parse(";cmds:,X1,27", &o), -EINVAL);
	CHECK_EQ(parse(";cmds:1X1,27", &o), -EINVAL);
	CHECK_EQ(parse(";cmd:1,X1,27", &o), -EINVAL);	/* unknown token */
	CHECK_EQ(parse(";Y1,27", &o), -EINVAL);

	/* AX_MAX_EXPRS conditions, then one too many */
	many = calloc(1, 8 * (AX_MAX_EXPRS + 2));
	for (int i = 0; i < AX_MAX_EXPRS; i++)
		strcat(many, ";X1,27");
	CHECK_EQ(parse(many, &o), 0);
	CHECK_EQ(o.nconds, AX_MAX_EXPRS);
	ax_bp_opts_free(&o);
	strcat(many, "X1,27");
	CHECK_EQ(parse(many, &o), -E2BIG);
	free(many);
}

TEST(z_opts_eval_lists)
{
	struct fake *f = fake_new();
	struct ax_bp_opts o;
	struct ax_result r;

	/* false, error: the error stops (gdbserver: an error means "stop") */
	CHECK_EQ(parse(";X3,220027X1,02X3,220127", &o), 0);
	CHECK_EQ(ax_conds_eval(&o, &f->env, &r), AX_ERROR);
	CHECK_EQ(r.err, AX_E_UNDERFLOW);
	ax_bp_opts_free(&o);
	CHECK_EQ(parse(";X3,220027X3,220027", &o), 0);
	CHECK_EQ(ax_conds_eval(&o, &f->env, &r), AX_FALSE);
	ax_bp_opts_free(&o);
	/* commands run in order and stop at the first failure */
	CHECK_EQ(parse(";cmds:1,XB,2200220034000002610027"
		       "X1,02"
		       "XB,2200220034000002620027", &o), 0);
	CHECK_EQ(ax_cmds_run(&o, &f->env, &r), AX_ERROR);
	CHECK_STR(f->out, "a");
	ax_bp_opts_free(&o);
	CHECK_EQ(parse(";cmds:1,XB,2200220034000002610027"
		       "XB,2200220034000002620027", &o), 0);
	f->outlen = 0;
	CHECK_EQ(ax_cmds_run(&o, &f->env, &r), AX_DONE);
	CHECK_STR(f->out, "ab");
	CHECK_EQ(f->outcalls, 3);
	ax_bp_opts_free(&o);
	free(f);
}

TEST_MAIN()
