/*
 * fuzz_rsp.c -- libFuzzer target: the RSP codec (src/gdb/rsp.c, rsp_args.c).
 *
 * The input is a byte stream from a debugger.  Checked besides ASan/UBSan:
 *  - the streaming decoder gives the same events whether the stream comes
 *    in one piece or split at arbitrary points (the split points come from
 *    a hash of the input), and never a packet over RSP_MAX_PACKET;
 *  - every decoded packet survives rsp_encode / rsp_encode_rle and decoding
 *    again unchanged (so replies built from any bytes reach GDB intact);
 *  - every argument parser either refuses the packet or returns values that
 *    keep its documented promises (ranges that do not wrap, data inside the
 *    packet, M data of exactly 2 * len hex digits...);
 *  - the hex helpers agree with each other.
 * Half the runs first repair the packets' checksums (fuzz_util.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "gdb/rsp.h"

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_rsp: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

#define MAX_EVENTS	512

struct ev_log {
	int n;
	uint64_t hash;		/* of every event's type, error and payload */
	uint8_t *enc;		/* scratch for re-encoding */
	struct rsp_decoder *dec2;
	bool check_packets;
};

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

struct one {
	const uint8_t *data;
	size_t len;
	int count;
};

static int take_one(void *opaque, const struct rsp_event *ev)
{
	struct one *o = opaque;

	CHECK(ev->type == RSP_EV_PACKET);
	CHECK(ev->len == o->len && !memcmp(ev->data, o->data, o->len));
	o->count++;
	return 0;
}

/* Encode a payload both ways and decode it again: the same bytes come back. */
static void roundtrip(struct ev_log *l, const uint8_t *p, size_t n)
{
	size_t cap = 2 * n + 4;

	for (int rle = 0; rle < 2; rle++) {
		struct one o = { p, n, 0 };
		int len = rle ? rsp_encode_rle(l->enc, cap, p, n) : rsp_encode(l->enc, cap, p, n);

		CHECK(len >= 4 && (size_t)len <= cap);
		CHECK(l->enc[0] == '$' && l->enc[len - 3] == '#');
		rsp_decoder_init(l->dec2);
		CHECK(rsp_feed(l->dec2, l->enc, (size_t)len, take_one, &o, NULL) == 0);
		CHECK(o.count == 1 && l->dec2->state == RSP_IDLE);
	}
	/* a buffer one byte short is refused, not overrun */
	if (n < 4096) {
		int full = rsp_encode(l->enc, cap, p, n);

		CHECK(rsp_encode(l->enc, (size_t)full - 1, p, n) == -ENOSPC);
	}
}

static void check_mem_args(int r, const struct rsp_mem_args *a, const uint8_t *pkt, size_t n)
{
	if (r) {
		CHECK(r == -EINVAL);
		return;
	}
	CHECK(a->len == 0 || a->addr + (a->len - 1) >= a->addr);	/* no wrap */
	if (a->data) {
		CHECK(a->data >= pkt && a->data + a->data_len == pkt + n);
	}
}

static void check_tid(const struct rsp_tid *t)
{
	CHECK(t->tid >= RSP_TID_ALL);
	CHECK(!t->has_pid || t->pid >= RSP_TID_ALL);
}

/* Every parser over one packet: refused, or its promises hold. */
static void parse_all(const uint8_t *pkt, size_t n)
{
	struct rsp_mem_args a;
	struct rsp_bp_args z;
	struct rsp_tid t;
	struct rsp_vcont_action acts[8];
	struct rsp_qxfer q;
	char cmd[64], op;
	const char *hex;
	size_t hexlen, cmdlen;
	unsigned regno;
	int count, r;

	check_mem_args(rsp_parse_m(pkt, n, &a), &a, pkt, n);
	check_mem_args(rsp_parse_x(pkt, n, &a), &a, pkt, n);
	r = rsp_parse_M(pkt, n, &a);
	check_mem_args(r, &a, pkt, n);
	if (!r) {
		uint8_t *buf = malloc(a.len + 1);

		CHECK(a.data_len == 2 * a.len);
		CHECK(buf && rsp_hex_decode(buf, a.len, (const char *)a.data, a.data_len) ==
		      (int)a.len);
		free(buf);
	}
	r = rsp_parse_X(pkt, n, &a);
	check_mem_args(r, &a, pkt, n);
	if (!r)
		CHECK(a.data_len == a.len);
	if (!rsp_parse_Z(pkt, n, &z))
		CHECK(z.type <= 4);
	if (!rsp_parse_p(pkt, n, &regno))
		CHECK(regno <= INT32_MAX);
	if (!rsp_parse_P(pkt, n, &regno, &hex, &hexlen)) {
		CHECK(regno <= INT32_MAX && hexlen > 0 && hexlen % 2 == 0);
		CHECK((const uint8_t *)hex > pkt && (const uint8_t *)hex + hexlen == pkt + n);
	}
	if (!rsp_parse_H(pkt, n, &op, &t)) {
		CHECK(op == 'g' || op == 'c');
		check_tid(&t);
	}
	if (!rsp_parse_T(pkt, n, &t))
		check_tid(&t);
	if (!rsp_parse_thread_id((const char *)pkt, n, &t))
		check_tid(&t);
	if (!rsp_parse_vcont(pkt, n, acts, 8, &count)) {
		CHECK(count >= 1 && count <= 8);
		for (int k = 0; k < count; k++) {
			CHECK(strchr("cstCSr", acts[k].action));
			if (acts[k].has_tid)
				check_tid(&acts[k].tid);
		}
	}
	if (!rsp_parse_qxfer_read(pkt, n, &q)) {
		CHECK(q.object_len > 0);
		CHECK((const uint8_t *)q.object >= pkt && (const uint8_t *)q.annex >= pkt);
		CHECK((const uint8_t *)q.annex + q.annex_len <= pkt + n);
	}
	if (!rsp_parse_qrcmd(pkt, n, cmd, sizeof(cmd), &cmdlen))
		CHECK(cmdlen < sizeof(cmd) && cmd[cmdlen] == 0);
}

/* Hex helpers against each other, on the packet's bytes as text. */
static void check_hex(const uint8_t *p, size_t n)
{
	uint8_t bin[64];
	char txt[129];
	uint64_t v, w;
	size_t k = n < 128 ? n : 128;
	int r = rsp_hex_decode(bin, sizeof(bin), (const char *)p, k);

	if (r >= 0) {
		CHECK((size_t)r == k / 2);
		rsp_hex_encode(txt, bin, (size_t)r);
		for (int i = 0; i < 2 * r; i++)
			CHECK(rsp_hex_digit(txt[i]) == rsp_hex_digit(p[i]));
	}
	if (n && rsp_parse_hex_u64((const char *)p, n < 40 ? n : 40, &v) == 0) {
		char le[16];
		unsigned nb = 8;

		rsp_le_encode(le, v, nb);
		CHECK(rsp_le_decode(le, nb, &w) == 0 && w == v);
	}
}

static int on_event(void *opaque, const struct rsp_event *ev)
{
	struct ev_log *l = opaque;

	l->n++;
	l->hash = mix(l->hash, &ev->type, sizeof(ev->type));
	if (ev->type == RSP_EV_ERROR) {
		CHECK(ev->err == -EINVAL || ev->err == -EMSGSIZE);
		l->hash = mix(l->hash, &ev->err, sizeof(ev->err));
	}
	if (ev->type != RSP_EV_PACKET)
		return 0;
	CHECK(ev->len <= RSP_MAX_PACKET && ev->data[ev->len] == 0);
	l->hash = mix(l->hash, ev->data, ev->len);
	if (l->check_packets && l->n <= MAX_EVENTS) {
		roundtrip(l, ev->data, ev->len);
		parse_all(ev->data, ev->len);
		check_hex(ev->data, ev->len);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rsp_decoder *d, *d2;
	static uint8_t *enc;
	struct ev_log whole = { 0 }, split = { 0 };
	uint64_t seed = mix(0xcbf29ce484222325ULL, data, size);
	uint8_t *fixed = NULL;
	size_t i = 0;

	if (seed & 1)
		data = fixed = fuzz_fix_checksums(data, size);

	if (!d) {
		d = malloc(sizeof(*d));
		d2 = malloc(sizeof(*d2));
		enc = malloc(2 * RSP_MAX_PACKET + 8);
		CHECK(d && d2 && enc);
	}
	whole.enc = split.enc = enc;
	whole.dec2 = split.dec2 = d2;
	whole.check_packets = true;

	rsp_decoder_init(d);
	CHECK(rsp_feed(d, data, size, on_event, &whole, NULL) == 0);

	rsp_decoder_init(d);
	while (i < size) {
		size_t n;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		n = 1 + (size_t)((seed >> 33) % 17);
		if (n > size - i)
			n = size - i;
		CHECK(rsp_feed(d, data + i, n, on_event, &split, NULL) == 0);
		i += n;
	}
	/* the decoder is a pure function of the byte stream, not of its pieces */
	CHECK(whole.n == split.n && whole.hash == split.hash);
	free(fixed);
	return 0;
}
