/*
 * rsp_args.c -- argument parsers for the RSP packets the debug server
 * handles.  Strict on purpose: a malformed packet gets an error reply
 * instead of acting on a guess.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "gdb/rsp.h"

/* A read cursor over a packet. */
struct cur {
	const uint8_t *p;
	const uint8_t *end;
};

static void cur_init(struct cur *c, const uint8_t *pkt, size_t n)
{
	c->p = pkt;
	c->end = pkt + n;
}

static bool at_end(const struct cur *c)
{
	return c->p == c->end;
}

static bool take_char(struct cur *c, char ch)
{
	if (c->p < c->end && *c->p == (uint8_t)ch) {
		c->p++;
		return true;
	}
	return false;
}

/* Consume a literal prefix. */
static bool take_str(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n))
		return false;
	c->p += n;
	return true;
}

/* One or more hex digits up to the first non-hex byte; at most 64 bits. */
static int take_hex(struct cur *c, uint64_t *v)
{
	const uint8_t *s = c->p;

	while (c->p < c->end && rsp_hex_digit(*c->p) >= 0)
		c->p++;
	if (c->p == s)
		return -EINVAL;
	return rsp_parse_hex_u64((const char *)s, (size_t)(c->p - s), v) ? -EINVAL : 0;
}

/* [addr, addr + len) must not wrap past 2^64 (len 0 is an empty range). */
static bool range_ok(uint64_t addr, uint64_t len)
{
	return len == 0 || addr <= UINT64_MAX - (len - 1);
}

/* "<letter>addr,len" then the cursor stops after len. */
static int take_addr_len(struct cur *c, char letter, struct rsp_mem_args *a)
{
	memset(a, 0, sizeof(*a));
	if (!take_char(c, letter) || take_hex(c, &a->addr) || !take_char(c, ',') ||
	    take_hex(c, &a->len) || !range_ok(a->addr, a->len))
		return -EINVAL;
	return 0;
}

int rsp_parse_m(const uint8_t *pkt, size_t n, struct rsp_mem_args *a)
{
	struct cur c;

	cur_init(&c, pkt, n);
	if (take_addr_len(&c, 'm', a) || !at_end(&c))
		return -EINVAL;
	return 0;
}

int rsp_parse_x(const uint8_t *pkt, size_t n, struct rsp_mem_args *a)
{
	struct cur c;

	cur_init(&c, pkt, n);
	if (take_addr_len(&c, 'x', a) || !at_end(&c))
		return -EINVAL;
	return 0;
}

int rsp_parse_M(const uint8_t *pkt, size_t n, struct rsp_mem_args *a)
{
	struct cur c;
	size_t dlen;

	cur_init(&c, pkt, n);
	if (take_addr_len(&c, 'M', a) || !take_char(&c, ':'))
		return -EINVAL;
	dlen = (size_t)(c.end - c.p);
	if (a->len > SIZE_MAX / 2 || dlen != 2 * a->len)
		return -EINVAL;
	for (size_t i = 0; i < dlen; i++)
		if (rsp_hex_digit(c.p[i]) < 0)
			return -EINVAL;
	a->data = c.p;
	a->data_len = dlen;
	return 0;
}

int rsp_parse_X(const uint8_t *pkt, size_t n, struct rsp_mem_args *a)
{
	struct cur c;

	cur_init(&c, pkt, n);
	if (take_addr_len(&c, 'X', a) || !take_char(&c, ':'))
		return -EINVAL;
	if ((uint64_t)(c.end - c.p) != a->len)
		return -EINVAL;
	a->data = c.p;
	a->data_len = (size_t)(c.end - c.p);
	return 0;
}

int rsp_parse_Z(const uint8_t *pkt, size_t n, struct rsp_bp_args *a)
{
	struct cur c;
	uint64_t type;

	memset(a, 0, sizeof(*a));
	cur_init(&c, pkt, n);
	if (take_char(&c, 'Z'))
		a->insert = true;
	else if (!take_char(&c, 'z'))
		return -EINVAL;
	if (take_hex(&c, &type) || type > 4 || !take_char(&c, ',') ||
	    take_hex(&c, &a->addr) || !take_char(&c, ',') ||
	    take_hex(&c, &a->kind))
		return -EINVAL;
	if (!at_end(&c)) {
		/* the condition and command lists: Z only, parsed by the caller */
		if (!a->insert || *c.p != ';')
			return -EINVAL;
		a->opts = (const char *)c.p;
		a->opts_len = (size_t)(c.end - c.p);
	}
	a->type = (unsigned)type;
	return 0;
}

static int take_regno(struct cur *c, unsigned *regno)
{
	uint64_t v;

	if (take_hex(c, &v) || v > INT_MAX)
		return -EINVAL;
	*regno = (unsigned)v;
	return 0;
}

int rsp_parse_p(const uint8_t *pkt, size_t n, unsigned *regno)
{
	struct cur c;

	cur_init(&c, pkt, n);
	if (!take_char(&c, 'p') || take_regno(&c, regno) || !at_end(&c))
		return -EINVAL;
	return 0;
}

int rsp_parse_P(const uint8_t *pkt, size_t n, unsigned *regno,
		const char **hex, size_t *hexlen)
{
	struct cur c;
	size_t len;

	cur_init(&c, pkt, n);
	if (!take_char(&c, 'P') || take_regno(&c, regno) || !take_char(&c, '='))
		return -EINVAL;
	len = (size_t)(c.end - c.p);
	if (len == 0 || (len & 1))
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (rsp_hex_digit(c.p[i]) < 0)
			return -EINVAL;
	*hex = (const char *)c.p;
	*hexlen = len;
	return 0;
}

/* "-1" or a hex number that fits in a positive int64 (0 = any). */
static int take_id(struct cur *c, int64_t *id)
{
	uint64_t v;

	if (take_char(c, '-')) {
		if (!take_char(c, '1'))
			return -EINVAL;
		*id = RSP_TID_ALL;
		return 0;
	}
	if (take_hex(c, &v) || v > INT64_MAX)
		return -EINVAL;
	*id = (int64_t)v;
	return 0;
}

int rsp_parse_thread_id(const char *s, size_t len, struct rsp_tid *t)
{
	struct cur c;

	memset(t, 0, sizeof(*t));
	cur_init(&c, (const uint8_t *)s, len);
	if (take_char(&c, 'p')) {
		t->has_pid = true;
		if (take_id(&c, &t->pid))
			return -EINVAL;
		if (take_char(&c, '.')) {
			if (take_id(&c, &t->tid))
				return -EINVAL;
		} else {
			t->tid = RSP_TID_ALL;	/* "pPID": every thread of it */
		}
	} else if (take_id(&c, &t->tid)) {
		return -EINVAL;
	}
	return at_end(&c) ? 0 : -EINVAL;
}

int rsp_parse_H(const uint8_t *pkt, size_t n, char *op, struct rsp_tid *t)
{
	if (n < 3 || pkt[0] != 'H' || (pkt[1] != 'g' && pkt[1] != 'c'))
		return -EINVAL;
	*op = (char)pkt[1];
	return rsp_parse_thread_id((const char *)pkt + 2, n - 2, t);
}

int rsp_parse_T(const uint8_t *pkt, size_t n, struct rsp_tid *t)
{
	if (n < 2 || pkt[0] != 'T')
		return -EINVAL;
	return rsp_parse_thread_id((const char *)pkt + 1, n - 1, t);
}

/* One vCont action up to (not including) the next ';' or the end. */
static int take_action(struct cur *c, struct rsp_vcont_action *a)
{
	const uint8_t *s;
	uint64_t sig;

	memset(a, 0, sizeof(*a));
	if (at_end(c))
		return -EINVAL;
	a->action = (char)*c->p++;
	switch (a->action) {
	case 'c':
	case 's':
	case 't':
		break;
	case 'C':
	case 'S':
		/* The signal is exactly two hex digits. */
		if (c->end - c->p < 2 || rsp_parse_hex_u64((const char *)c->p, 2, &sig))
			return -EINVAL;
		a->sig = (uint8_t)sig;
		c->p += 2;
		break;
	case 'r':
		if (take_hex(c, &a->start) || !take_char(c, ',') || take_hex(c, &a->end))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (take_char(c, ':')) {
		s = c->p;
		while (c->p < c->end && *c->p != ';')
			c->p++;
		if (rsp_parse_thread_id((const char *)s, (size_t)(c->p - s), &a->tid))
			return -EINVAL;
		a->has_tid = true;
	}
	if (!at_end(c) && *c->p != ';')
		return -EINVAL;
	return 0;
}

int rsp_parse_vcont(const uint8_t *pkt, size_t n, struct rsp_vcont_action *acts,
		    int max, int *count)
{
	struct cur c;
	int k = 0;

	cur_init(&c, pkt, n);
	if (!take_str(&c, "vCont") || at_end(&c))
		return -EINVAL;
	while (!at_end(&c)) {
		if (!take_char(&c, ';') || k >= max || take_action(&c, &acts[k]))
			return -EINVAL;
		k++;
	}
	*count = k;
	return 0;
}

int rsp_parse_qxfer_read(const uint8_t *pkt, size_t n, struct rsp_qxfer *q)
{
	struct cur c;
	const uint8_t *obj, *annex, *last;

	memset(q, 0, sizeof(*q));
	cur_init(&c, pkt, n);
	if (!take_str(&c, "qXfer:"))
		return -EINVAL;
	obj = c.p;
	while (c.p < c.end && *c.p != ':')
		c.p++;
	q->object = (const char *)obj;
	q->object_len = (size_t)(c.p - obj);
	if (q->object_len == 0 || !take_str(&c, ":read:"))
		return -EINVAL;
	annex = c.p;
	/* The annex runs to the last ':' (offset,length never holds one). */
	last = NULL;
	for (const uint8_t *p = c.p; p < c.end; p++)
		if (*p == ':')
			last = p;
	if (!last)
		return -EINVAL;
	q->annex = (const char *)annex;
	q->annex_len = (size_t)(last - annex);
	c.p = last + 1;
	if (take_hex(&c, &q->offset) || !take_char(&c, ',') ||
	    take_hex(&c, &q->length) || !at_end(&c))
		return -EINVAL;
	return 0;
}

int rsp_parse_qrcmd(const uint8_t *pkt, size_t n, char *out, size_t cap, size_t *len)
{
	struct cur c;
	int r;

	cur_init(&c, pkt, n);
	if (!take_str(&c, "qRcmd,") || cap == 0)
		return -EINVAL;
	r = rsp_hex_decode(out, cap - 1, (const char *)c.p, (size_t)(c.end - c.p));
	if (r < 0)
		return -EINVAL;
	out[r] = 0;
	*len = (size_t)r;
	return 0;
}
