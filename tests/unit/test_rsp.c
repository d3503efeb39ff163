/* test_rsp.c -- the RSP codec: framing, escapes, run lengths, hex, argument parsers. */
#include <errno.h>
#include <stdlib.h>

#include "test.h"
#include "gdb/rsp.h"

/*
 * test.h's TEST(name) also rewrites the ".name" member it assigns; until the
 * harness is fixed, register tests through a parameter with another name.
 */
/* ---- an event recorder ---- */

#define MAXEV 64

struct rec {
	int n;
	enum rsp_event_type type[MAXEV];
	int err[MAXEV];
	size_t len[MAXEV];
	uint8_t *data[MAXEV];
	int stop_after;		/* return 1 from the callback after this many events (0: never) */
};

static int rec_fn(void *opaque, const struct rsp_event *ev)
{
	struct rec *r = opaque;

	if (r->n < MAXEV) {
		r->type[r->n] = ev->type;
		r->err[r->n] = ev->err;
		r->len[r->n] = ev->len;
		r->data[r->n] = NULL;
		if (ev->type == RSP_EV_PACKET) {
			r->data[r->n] = malloc(ev->len + 1);
			memcpy(r->data[r->n], ev->data, ev->len + 1);
		}
	}
	r->n++;
	if (r->stop_after && r->n == r->stop_after)
		return 1;
	return 0;
}

static void rec_free(struct rec *r)
{
	for (int i = 0; i < r->n && i < MAXEV; i++)
		free(r->data[i]);
	memset(r, 0, sizeof(*r));
}

static struct rsp_decoder *dec_new(void)
{
	struct rsp_decoder *d = malloc(sizeof(*d));

	rsp_decoder_init(d);
	return d;
}

static void feed_str(struct rsp_decoder *d, const char *s, struct rec *r)
{
	CHECK_EQ(rsp_feed(d, s, strlen(s), rec_fn, r, NULL), 0);
}

/* Frame a payload by hand, so the decoder is not tested against the encoder only. */
static size_t frame(char *out, const char *payload, size_t n)
{
	unsigned sum = 0;

	out[0] = '$';
	memcpy(out + 1, payload, n);
	for (size_t i = 0; i < n; i++)
		sum += (uint8_t)payload[i];
	sprintf(out + 1 + n, "#%02x", sum & 0xff);
	return n + 4;
}

static bool payload_is(const struct rec *r, int i, const char *s, size_t n)
{
	return i < r->n && r->type[i] == RSP_EV_PACKET && r->len[i] == n &&
	       !memcmp(r->data[i], s, n) && r->data[i][n] == 0;
}

/* ---- decoder ---- */

TEST(decode_simple)
{
	struct rsp_decoder *d = dec_new();
	struct rec r = {0};

	feed_str(d, "$g#67", &r);
	CHECK_EQ(r.n, 1);
	CHECK(payload_is(&r, 0, "g", 1));
	rec_free(&r);

	/* Upper-case checksum digits are fine too. */
	feed_str(d, "$qSupported#37", &r);
	CHECK(payload_is(&r, 0, "qSupported", 10));
	rec_free(&r);
	free(d);
}

TEST(decode_acks_interrupt_junk)
{
	struct rsp_decoder *d = dec_new();
	struct rec r = {0};
	const char s[] = "xx+\r\n-\x03junk$?#3f+";

	CHECK_EQ(rsp_feed(d, s, sizeof(s) - 1, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 5);
	CHECK_EQ(r.type[0], RSP_EV_ACK);
	CHECK_EQ(r.type[1], RSP_EV_NAK);
	CHECK_EQ(r.type[2], RSP_EV_INTERRUPT);
	CHECK(payload_is(&r, 3, "?", 1));
	CHECK_EQ(r.type[4], RSP_EV_ACK);
	rec_free(&r);
	free(d);
}

TEST(decode_byte_by_byte_and_many_per_chunk)
{
	struct rsp_decoder *d = dec_new();
	struct rec r = {0};
	char buf[256];
	size_t n = 0;

	n += frame(buf + n, "m1000,40", 8);
	n += frame(buf + n, "c", 1);
	n += frame(buf + n, "", 0);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(rsp_feed(d, buf + i, 1, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 3);
	CHECK(payload_is(&r, 0, "m1000,40", 8));
	CHECK(payload_is(&r, 1, "c", 1));
	CHECK(payload_is(&r, 2, "", 0));
	rec_free(&r);

	CHECK_EQ(rsp_feed(d, buf, n, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 3);
	CHECK(payload_is(&r, 1, "c", 1));
	rec_free(&r);

	/* Split in the checksum. */
	CHECK_EQ(rsp_feed(d, buf, 11, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 0);
	CHECK_EQ(rsp_feed(d, buf + 11, 1, rec_fn, &r, NULL), 0);
	CHECK(payload_is(&r, 0, "m1000,40", 8));
	rec_free(&r);
	free(d);
}

TEST(decode_bad_checksum)
{
	struct rsp_decoder *d = dec_new();
	struct rec r = {0};

	feed_str(d, "$g#68$g#6z$g#67", &r);
	CHECK_EQ(r.n, 3);
	CHECK_EQ(r.type[0], RSP_EV_BAD_CHECKSUM);
	CHECK_EQ(r.type[1], RSP_EV_BAD_CHECKSUM);
	CHECK(payload_is(&r, 2, "g", 1));
	rec_free(&r);
	free(d);
}

TEST(decode_escapes_and_binary)
{
	struct rsp_decoder *d = dec_new();
	struct rec r = {0};
	/* X packet body: '#' '$' '}' '*' escaped, a NUL and 0x03 raw. */
	const char raw[] = "X0,6:}\x03}\x04}]}\x0a\x00\x03";
	char buf[64];
	size_t n = frame(buf, raw, sizeof(raw) - 1);
	const char want[] = "X0,6:#$}*\x00\x03";

	CHECK_EQ(rsp_feed(d, buf, n, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 1);
	CHECK(payload_is(&r, 0, want, sizeof(want) - 1));
	rec_free(&r);

	/* A '}' right before '#' is an error, but framing survives. */
	n = frame(buf, "ab}", 3);
	n += frame(buf + n, "ok", 2);
	CHECK_EQ(rsp_feed(d, buf, n, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.type[0], RSP_EV_ERROR);
	CHECK_EQ(r.err[0], -EINVAL);
	CHECK(payload_is(&r, 1, "ok", 2));
	rec_free(&r);
	free(d);
}

TEST(decode_run_length)
{
	struct rsp_decoder *d = dec_new();
	struct rec r = {0};
	char buf[64];
	size_t n;

	n = frame(buf, "0* ", 3);			/* ' ' = 32: 3 more */
	n += frame(buf + n, "a0*!b", 5);		/* 4 more zeros */
	n += frame(buf + n, "}]*\"", 4);		/* escaped '}' repeated 5 more */
	CHECK_EQ(rsp_feed(d, buf, n, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 3);
	CHECK(payload_is(&r, 0, "0000", 4));
	CHECK(payload_is(&r, 1, "a00000b", 7));
	CHECK(payload_is(&r, 2, "}}}}}}", 6));
	rec_free(&r);

	/* '*' first, count below 32, count above 126, '*' at the end. */
	n = frame(buf, "*  ", 3);
	n += frame(buf + n, "a*\x1f", 3);
	n += frame(buf + n, "a*\x7f", 3);
	n += frame(buf + n, "a*", 2);
	n += frame(buf + n, "fine", 4);
	CHECK_EQ(rsp_feed(d, buf, n, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 5);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(r.type[i], RSP_EV_ERROR);
		CHECK_EQ(r.err[i], -EINVAL);
	}
	CHECK(payload_is(&r, 4, "fine", 4));
	rec_free(&r);
	free(d);
}

TEST(decode_too_long)
{
	struct rsp_decoder *d = dec_new();
	struct rec r = {0};
	size_t big = RSP_MAX_PACKET + 10;
	char *p = malloc(big);
	char *buf = malloc(big + 64);
	size_t n;

	memset(p, 'A', big);
	n = frame(buf, p, big);
	n += frame(buf + n, "g", 1);
	CHECK_EQ(rsp_feed(d, buf, n, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 2);
	CHECK_EQ(r.type[0], RSP_EV_ERROR);
	CHECK_EQ(r.err[0], -EMSGSIZE);
	CHECK(payload_is(&r, 1, "g", 1));
	rec_free(&r);

	/* Exactly the limit is accepted. */
	n = frame(buf, p, RSP_MAX_PACKET);
	CHECK_EQ(rsp_feed(d, buf, n, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 1);
	CHECK_EQ(r.type[0], RSP_EV_PACKET);
	CHECK_EQ(r.len[0], RSP_MAX_PACKET);
	rec_free(&r);

	/* A run that would pass the limit. */
	memset(p, 'B', RSP_MAX_PACKET - 5);
	memcpy(p + RSP_MAX_PACKET - 5, "*~", 2);	/* '~' = 126: 97 more */
	n = frame(buf, p, RSP_MAX_PACKET - 3);
	CHECK_EQ(rsp_feed(d, buf, n, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 1);
	CHECK_EQ(r.type[0], RSP_EV_ERROR);
	CHECK_EQ(r.err[0], -EMSGSIZE);
	rec_free(&r);
	free(p);
	free(buf);
	free(d);
}

TEST(decode_notification_restart_interrupt_inside)
{
	struct rsp_decoder *d = dec_new();
	struct rec r = {0};
	char buf[64];
	size_t n;

	/* A notification is skipped, '+' inside it is not an ack. */
	feed_str(d, "%Stop:T05+#00", &r);
	CHECK_EQ(r.n, 0);

	/* A new '$' drops a half-received packet. */
	n = frame(buf, "half", 4);
	n = frame(buf + 3, "c", 1) + 3;	/* "$ha$c#63" */
	CHECK_EQ(rsp_feed(d, buf, n, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 1);
	CHECK(payload_is(&r, 0, "c", 1));
	CHECK_EQ(d->dropped, 1);
	rec_free(&r);

	/* 0x03, '+' and '-' inside a packet are data. */
	n = frame(buf, "a\x03+-", 4);
	CHECK_EQ(rsp_feed(d, buf, n, rec_fn, &r, NULL), 0);
	CHECK_EQ(r.n, 1);
	CHECK(payload_is(&r, 0, "a\x03+-", 4));
	rec_free(&r);
	free(d);
}

TEST(decode_callback_stops)
{
	struct rsp_decoder *d = dec_new();
	struct rec r = {0};
	const char s[] = "+$g#67$c#63";
	size_t used = 0;

	r.stop_after = 2;
	CHECK_EQ(rsp_feed(d, s, sizeof(s) - 1, rec_fn, &r, &used), 1);
	CHECK_EQ(used, 6);
	CHECK_EQ(r.n, 2);
	r.stop_after = 0;
	CHECK_EQ(rsp_feed(d, s + used, sizeof(s) - 1 - used, rec_fn, &r, &used), 0);
	CHECK_EQ(r.n, 3);
	CHECK(payload_is(&r, 2, "c", 1));
	rec_free(&r);
	free(d);
}

/* ---- encoder ---- */

TEST(encode_plain_and_escaped)
{
	uint8_t out[64];
	int n;

	n = rsp_encode(out, sizeof(out), "OK", 2);
	CHECK_EQ(n, 6);
	CHECK(!memcmp(out, "$OK#9a", 6));

	n = rsp_encode(out, sizeof(out), "", 0);
	CHECK_EQ(n, 4);
	CHECK(!memcmp(out, "$#00", 4));

	n = rsp_encode(out, sizeof(out), "a#$}*b", 6);
	CHECK_EQ(n, 14);
	CHECK(!memcmp(out, "$a}\x03}\x04}]}\x0a" "b#", 12));

	/* Exact fit works, one byte less does not. */
	CHECK_EQ(rsp_encode(out, 6, "OK", 2), 6);
	CHECK_EQ(rsp_encode(out, 5, "OK", 2), -ENOSPC);
	CHECK_EQ(rsp_encode(out, 13, "a#$}*b", 6), -ENOSPC);
	CHECK_EQ(rsp_encode(out, 3, "", 0), -ENOSPC);
}

static void roundtrip(const uint8_t *p, size_t n, bool rle)
{
	struct rsp_decoder *d = dec_new();
	struct rec r = {0};
	size_t cap = 2 * n + 4;
	uint8_t *out = malloc(cap);
	int len = rle ? rsp_encode_rle(out, cap, p, n) : rsp_encode(out, cap, p, n);

	CHECK(len > 0);
	if (len > 0) {
		/* No framing byte may appear between '$' and '#'. */
		for (int i = 1; i < len - 3; i++)
			CHECK(out[i] != '$' && out[i] != '#');
		CHECK_EQ(out[len - 3], '#');
		CHECK_EQ(rsp_feed(d, out, (size_t)len, rec_fn, &r, NULL), 0);
		CHECK_EQ(r.n, 1);
		CHECK(payload_is(&r, 0, (const char *)p, n));
	}
	rec_free(&r);
	free(out);
	free(d);
}

TEST(encode_roundtrip_random)
{
	uint8_t buf[2048];
	unsigned seed = 12345;

	for (int iter = 0; iter < 50; iter++) {
		size_t n = (size_t)(iter * 41) % sizeof(buf);

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			/* Mix in runs so the RLE path is exercised. */
			buf[i] = (iter & 1) && i && (seed >> 20) % 3 ? buf[i - 1] : (uint8_t)(seed >> 16);
		}
		roundtrip(buf, n, false);
		roundtrip(buf, n, true);
	}
}

TEST(encode_rle_runs)
{
	uint8_t buf[300], out[700];

	/* Every run length, including those whose count would be '#' or '$'. */
	for (size_t n = 1; n < sizeof(buf); n++) {
		memset(buf, '0', n);
		roundtrip(buf, n, true);
	}
	/* Runs of escaped bytes decode back too. */
	memset(buf, '#', 20);
	roundtrip(buf, 20, true);

	/* A run really is compressed. */
	memset(buf, 'x', 100);
	CHECK(rsp_encode_rle(out, sizeof(out), buf, 100) < 20);
	/* 7 and 8 zeros: counts 6 and 7 would be '#' and '$', so stop at 5 more. */
	memset(buf, '0', 8);
	int n = rsp_encode_rle(out, sizeof(out), buf, 7);
	CHECK(n > 0 && !memcmp(out, "$0*\"0#", 6));
	n = rsp_encode_rle(out, sizeof(out), buf, 8);
	CHECK(n > 0 && !memcmp(out, "$0*\"00#", 7));
}

/* ---- buffer ---- */

TEST(buf_hexnum)
{
	struct rsp_buf b;

	rsp_buf_init(&b);
	CHECK_EQ(rsp_buf_put_hexnum(&b, 0), 0);
	CHECK_EQ(rsp_buf_put(&b, ",", 1), 0);
	CHECK_EQ(rsp_buf_put_hexnum(&b, 0x1f), 0);
	CHECK_EQ(rsp_buf_put(&b, ",", 1), 0);
	CHECK_EQ(rsp_buf_put_hexnum(&b, 0xffffffffffffffffULL), 0);
	CHECK_EQ(rsp_buf_put(&b, ",", 1), 0);
	CHECK_EQ(rsp_buf_put_hexnum(&b, 0x1000000000ULL), 0);
	CHECK_STR((char *)b.data, "0,1f,ffffffffffffffff,1000000000");
	rsp_buf_free(&b);
}

TEST(buf_ops)
{
	struct rsp_buf b;
	uint8_t bytes[3] = { 0xde, 0xad, 0x01 };

	rsp_buf_init(&b);
	CHECK_EQ(rsp_buf_puts(&b, "T05"), 0);
	CHECK_EQ(rsp_buf_printf(&b, "thread:%x;", 0x1f), 0);
	CHECK_EQ(rsp_buf_put_hex(&b, bytes, 3), 0);
	CHECK_STR((char *)b.data, "T05thread:1f;dead01");
	rsp_buf_consume(&b, 3);
	CHECK_STR((char *)b.data, "thread:1f;dead01");
	for (int i = 0; i < 10000; i++)
		CHECK_EQ(rsp_buf_put(&b, "abcdefgh", 8), 0);
	CHECK_EQ(b.len, 16 + 80000);
	rsp_buf_consume(&b, b.len);
	CHECK_EQ(b.len, 0);
	CHECK_EQ(rsp_buf_put_packet(&b, "OK", 2, false), 0);
	CHECK_EQ(rsp_buf_put_packet(&b, "E01", 3, true), 0);
	CHECK_STR((char *)b.data, "$OK#9a$E01#a6");
	rsp_buf_free(&b);
	CHECK(b.data == NULL);
}

/* ---- hex ---- */

TEST(hex_encode_decode)
{
	uint8_t in[4] = { 0x00, 0x7f, 0xa5, 0xff }, out[4];
	char h[9] = {0};

	rsp_hex_encode(h, in, 4);
	CHECK_STR(h, "007fa5ff");
	CHECK_EQ(rsp_hex_decode(out, 4, "007FA5ff", 8), 4);
	CHECK(!memcmp(in, out, 4));
	CHECK_EQ(rsp_hex_decode(out, 4, "007", 3), -EINVAL);
	CHECK_EQ(rsp_hex_decode(out, 4, "0g", 2), -EINVAL);
	CHECK_EQ(rsp_hex_decode(out, 4, "0 ", 2), -EINVAL);
	CHECK_EQ(rsp_hex_decode(out, 2, "007fa5", 6), -ENOSPC);
	CHECK_EQ(rsp_hex_decode(out, 0, "", 0), 0);
	CHECK_EQ(rsp_hex_digit('F'), 15);
	CHECK_EQ(rsp_hex_digit('g'), -1);
	CHECK_EQ(rsp_hex_digit(-1), -1);
}

TEST(hex_u64)
{
	uint64_t v = 0;

	CHECK_EQ(rsp_parse_hex_u64("0", 1, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(rsp_parse_hex_u64("ffffffffffffffff", 16, &v), 0);
	CHECK_EQ(v, UINT64_MAX);
	CHECK_EQ(rsp_parse_hex_u64("000000000000000000001234", 24, &v), 0);
	CHECK_EQ(v, 0x1234);
	CHECK_EQ(rsp_parse_hex_u64("10000000000000000", 17, &v), -ERANGE);
	CHECK_EQ(rsp_parse_hex_u64("1000000000000000x", 17, &v), -EINVAL);
	CHECK_EQ(rsp_parse_hex_u64("", 0, &v), -EINVAL);
	CHECK_EQ(rsp_parse_hex_u64("12 ", 3, &v), -EINVAL);
	CHECK_EQ(rsp_parse_hex_u64("-1", 2, &v), -EINVAL);
	/* Only len characters are looked at. */
	CHECK_EQ(rsp_parse_hex_u64("12zz", 2, &v), 0);
	CHECK_EQ(v, 0x12);
}

TEST(hex_le)
{
	char h[17] = {0};
	uint64_t v;

	rsp_le_encode(h, 0x1122334455667788ULL, 8);
	CHECK_STR(h, "8877665544332211");
	memset(h, 0, sizeof(h));
	rsp_le_encode(h, 0x12345, 4);
	CHECK_STR(h, "45230100");
	CHECK_EQ(rsp_le_decode("45230100", 4, &v), 0);
	CHECK_EQ(v, 0x12345);
	CHECK_EQ(rsp_le_decode("8877665544332211", 8, &v), 0);
	CHECK_EQ(v, 0x1122334455667788ULL);
	CHECK_EQ(rsp_le_decode("4523010x", 4, &v), -EINVAL);
	CHECK_EQ(rsp_le_decode("00", 9, &v), -EINVAL);
}

/* ---- argument parsers ---- */

#define P(s) (const uint8_t *)(s), sizeof(s) - 1

TEST(args_m_x)
{
	struct rsp_mem_args a;

	CHECK_EQ(rsp_parse_m(P("mffffffff80001000,40"), &a), 0);
	CHECK_EQ(a.addr, 0xffffffff80001000ULL);
	CHECK_EQ(a.len, 0x40);
	CHECK_EQ(rsp_parse_x(P("x1000,0"), &a), 0);
	CHECK_EQ(a.len, 0);
	CHECK_EQ(rsp_parse_m(P("mffffffffffffffff,1"), &a), 0);
	CHECK_EQ(rsp_parse_m(P("mffffffffffffffff,2"), &a), -EINVAL);	/* wraps */
	CHECK_EQ(rsp_parse_m(P("m1000"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_m(P("m1000,"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_m(P("m,10"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_m(P("m1000,10x"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_m(P("m1000,10000000000000000"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_m(P("x1000,10"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_x(P("m1000,10"), &a), -EINVAL);
}

TEST(args_M_X)
{
	struct rsp_mem_args a;
	const uint8_t x[] = "X10,3:a\0#";

	CHECK_EQ(rsp_parse_M(P("M10,2:beef"), &a), 0);
	CHECK_EQ(a.addr, 0x10);
	CHECK_EQ(a.len, 2);
	CHECK_EQ(a.data_len, 4);
	CHECK(!memcmp(a.data, "beef", 4));
	CHECK_EQ(rsp_parse_M(P("M10,0:"), &a), 0);
	CHECK_EQ(rsp_parse_M(P("M10,2:bee"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_M(P("M10,2:beefff"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_M(P("M10,2:beeg"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_M(P("M10,2beef"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_M(P("M10,8000000000000000:"), &a), -EINVAL);

	CHECK_EQ(rsp_parse_X(x, sizeof(x) - 1, &a), 0);
	CHECK_EQ(a.len, 3);
	CHECK_EQ(a.data_len, 3);
	CHECK(!memcmp(a.data, "a\0#", 3));
	CHECK_EQ(rsp_parse_X(P("X10,0:"), &a), 0);	/* GDB's probe */
	CHECK_EQ(a.data_len, 0);
	CHECK_EQ(rsp_parse_X(P("X10,2:a"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_X(P("X10,2"), &a), -EINVAL);
}

TEST(args_Z)
{
	struct rsp_bp_args a;

	CHECK_EQ(rsp_parse_Z(P("Z0,ffffffff81000000,1"), &a), 0);
	CHECK(a.insert);
	CHECK_EQ(a.type, 0);
	CHECK_EQ(a.addr, 0xffffffff81000000ULL);
	CHECK_EQ(a.kind, 1);
	CHECK_EQ(rsp_parse_Z(P("z2,1000,8"), &a), 0);
	CHECK(!a.insert);
	CHECK_EQ(a.type, 2);
	CHECK_EQ(a.kind, 8);
	CHECK_EQ(rsp_parse_Z(P("Z5,1000,1"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_Z(P("Z0,1000"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_Z(P("Z0,,1"), &a), -EINVAL);
	CHECK(!a.opts);
	/* the lists after kind are handed over whole (ax_parse_z_opts takes them) */
	CHECK_EQ(rsp_parse_Z(P("Z0,1000,1;X2,0a;cmds:1,X1,27"), &a), 0);
	CHECK_EQ(a.kind, 1);
	CHECK_EQ(a.opts_len, strlen(";X2,0a;cmds:1,X1,27"));
	CHECK(a.opts && !memcmp(a.opts, ";X2,0a;cmds:1,X1,27", a.opts_len));
	CHECK_EQ(rsp_parse_Z(P("z0,1000,1;X2,0a"), &a), -EINVAL);	/* not on removal */
	CHECK_EQ(rsp_parse_Z(P("Z0,1000,1X2,0a"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_Z(P("Z0,1000,1,"), &a), -EINVAL);
	CHECK_EQ(rsp_parse_Z(P("Y0,1000,1"), &a), -EINVAL);
}

TEST(args_p_P)
{
	unsigned reg = 99;
	const char *hex = NULL;
	size_t hl = 0;

	CHECK_EQ(rsp_parse_p(P("p10"), &reg), 0);
	CHECK_EQ(reg, 16);
	CHECK_EQ(rsp_parse_p(P("p"), &reg), -EINVAL);
	CHECK_EQ(rsp_parse_p(P("p1g"), &reg), -EINVAL);
	CHECK_EQ(rsp_parse_p(P("p100000000"), &reg), -EINVAL);
	CHECK_EQ(rsp_parse_P(P("P3e=0011223344556677"), &reg, &hex, &hl), 0);
	CHECK_EQ(reg, 0x3e);
	CHECK_EQ(hl, 16);
	CHECK(!memcmp(hex, "0011223344556677", 16));
	CHECK_EQ(rsp_parse_P(P("P3e="), &reg, &hex, &hl), -EINVAL);
	CHECK_EQ(rsp_parse_P(P("P3e=001"), &reg, &hex, &hl), -EINVAL);
	CHECK_EQ(rsp_parse_P(P("P3e=00zz"), &reg, &hex, &hl), -EINVAL);
	CHECK_EQ(rsp_parse_P(P("P=00"), &reg, &hex, &hl), -EINVAL);
	CHECK_EQ(rsp_parse_P(P("P3e00"), &reg, &hex, &hl), -EINVAL);
}

TEST(args_thread_ids)
{
	struct rsp_tid t;
	char op = 0;

	CHECK_EQ(rsp_parse_H(P("Hg-1"), &op, &t), 0);
	CHECK_EQ(op, 'g');
	CHECK(!t.has_pid);
	CHECK_EQ(t.tid, (uint64_t)(int64_t)RSP_TID_ALL);
	CHECK_EQ(rsp_parse_H(P("Hc0"), &op, &t), 0);
	CHECK_EQ(op, 'c');
	CHECK_EQ(t.tid, RSP_TID_ANY);
	CHECK_EQ(rsp_parse_H(P("Hg1f"), &op, &t), 0);
	CHECK_EQ(t.tid, 0x1f);
	CHECK_EQ(rsp_parse_H(P("Hgp1.2"), &op, &t), 0);
	CHECK(t.has_pid);
	CHECK_EQ(t.pid, 1);
	CHECK_EQ(t.tid, 2);
	CHECK_EQ(rsp_parse_H(P("Hgp1.-1"), &op, &t), 0);
	CHECK_EQ(t.tid, (uint64_t)(int64_t)RSP_TID_ALL);
	CHECK_EQ(rsp_parse_H(P("Hgp-1.-1"), &op, &t), 0);
	CHECK_EQ(t.pid, (uint64_t)(int64_t)RSP_TID_ALL);
	CHECK_EQ(rsp_parse_H(P("Hgp2"), &op, &t), 0);
	CHECK_EQ(t.pid, 2);
	CHECK_EQ(t.tid, (uint64_t)(int64_t)RSP_TID_ALL);
	CHECK_EQ(rsp_parse_H(P("Hg"), &op, &t), -EINVAL);
	CHECK_EQ(rsp_parse_H(P("Hx1"), &op, &t), -EINVAL);
	CHECK_EQ(rsp_parse_H(P("Hg-2"), &op, &t), -EINVAL);
	CHECK_EQ(rsp_parse_H(P("Hg1,"), &op, &t), -EINVAL);
	CHECK_EQ(rsp_parse_H(P("Hgp1."), &op, &t), -EINVAL);
	CHECK_EQ(rsp_parse_H(P("Hg8000000000000000"), &op, &t), -EINVAL);
	CHECK_EQ(rsp_parse_T(P("T3"), &t), 0);
	CHECK_EQ(t.tid, 3);
	CHECK_EQ(rsp_parse_T(P("T"), &t), -EINVAL);
	CHECK_EQ(rsp_parse_T(P("T3;"), &t), -EINVAL);
	CHECK_EQ(rsp_parse_thread_id("7", 1, &t), 0);
	CHECK_EQ(t.tid, 7);
}

TEST(args_vcont)
{
	struct rsp_vcont_action a[4];
	int n = -1;

	CHECK_EQ(rsp_parse_vcont(P("vCont;s:2;c"), a, 4, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(a[0].action, 's');
	CHECK(a[0].has_tid);
	CHECK_EQ(a[0].tid.tid, 2);
	CHECK_EQ(a[1].action, 'c');
	CHECK(!a[1].has_tid);

	CHECK_EQ(rsp_parse_vcont(P("vCont;C0b:p1.3;S05;t:-1;r1000,2000:1"), a, 4, &n), 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(a[0].action, 'C');
	CHECK_EQ(a[0].sig, 0x0b);
	CHECK(a[0].tid.has_pid);
	CHECK_EQ(a[0].tid.tid, 3);
	CHECK_EQ(a[1].action, 'S');
	CHECK_EQ(a[1].sig, 5);
	CHECK_EQ(a[2].action, 't');
	CHECK_EQ(a[2].tid.tid, (uint64_t)(int64_t)RSP_TID_ALL);
	CHECK_EQ(a[3].action, 'r');
	CHECK_EQ(a[3].start, 0x1000);
	CHECK_EQ(a[3].end, 0x2000);
	CHECK_EQ(a[3].tid.tid, 1);

	CHECK_EQ(rsp_parse_vcont(P("vCont"), a, 4, &n), -EINVAL);
	CHECK_EQ(rsp_parse_vcont(P("vCont;"), a, 4, &n), -EINVAL);
	CHECK_EQ(rsp_parse_vcont(P("vCont;c;"), a, 4, &n), -EINVAL);
	CHECK_EQ(rsp_parse_vcont(P("vCont;x"), a, 4, &n), -EINVAL);
	CHECK_EQ(rsp_parse_vcont(P("vCont;C5"), a, 4, &n), -EINVAL);
	CHECK_EQ(rsp_parse_vcont(P("vCont;cc"), a, 4, &n), -EINVAL);
	CHECK_EQ(rsp_parse_vcont(P("vCont;c:"), a, 4, &n), -EINVAL);
	CHECK_EQ(rsp_parse_vcont(P("vCont;r1000"), a, 4, &n), -EINVAL);
	CHECK_EQ(rsp_parse_vcont(P("vCont?"), a, 4, &n), -EINVAL);
	CHECK_EQ(rsp_parse_vcont(P("vCont;c;c;c;c;c"), a, 4, &n), -EINVAL);
	CHECK_EQ(rsp_parse_vcont(P("vCont;c;c;c;c"), a, 4, &n), 0);
	CHECK_EQ(n, 4);
}

TEST(args_qxfer)
{
	struct rsp_qxfer q;

	CHECK_EQ(rsp_parse_qxfer_read(P("qXfer:features:read:target.xml:0,ffb"), &q), 0);
	CHECK_EQ(q.object_len, 8);
	CHECK(!memcmp(q.object, "features", 8));
	CHECK_EQ(q.annex_len, 10);
	CHECK(!memcmp(q.annex, "target.xml", 10));
	CHECK_EQ(q.offset, 0);
	CHECK_EQ(q.length, 0xffb);
	CHECK_EQ(rsp_parse_qxfer_read(P("qXfer:threads:read::1000,800"), &q), 0);
	CHECK_EQ(q.annex_len, 0);
	CHECK_EQ(q.offset, 0x1000);
	CHECK_EQ(rsp_parse_qxfer_read(P("qXfer:features:write:target.xml:0,1"), &q), -EINVAL);
	CHECK_EQ(rsp_parse_qxfer_read(P("qXfer::read:x:0,1"), &q), -EINVAL);
	CHECK_EQ(rsp_parse_qxfer_read(P("qXfer:features:read:target.xml:0"), &q), -EINVAL);
	CHECK_EQ(rsp_parse_qxfer_read(P("qXfer:features:read:target.xml"), &q), -EINVAL);
	CHECK_EQ(rsp_parse_qxfer_read(P("qXfer:features:read:target.xml:,1"), &q), -EINVAL);
	CHECK_EQ(rsp_parse_qxfer_read(P("qXfer:features:read:target.xml:0,1x"), &q), -EINVAL);
}

TEST(args_qrcmd)
{
	char out[16];
	size_t len = 99;

	/* "help" */
	CHECK_EQ(rsp_parse_qrcmd(P("qRcmd,68656c70"), out, sizeof(out), &len), 0);
	CHECK_STR(out, "help");
	CHECK_EQ(len, 4);
	CHECK_EQ(rsp_parse_qrcmd(P("qRcmd,"), out, sizeof(out), &len), 0);
	CHECK_EQ(len, 0);
	CHECK_EQ(rsp_parse_qrcmd(P("qRcmd,686"), out, sizeof(out), &len), -EINVAL);
	CHECK_EQ(rsp_parse_qrcmd(P("qRcmd"), out, sizeof(out), &len), -EINVAL);
	CHECK_EQ(rsp_parse_qrcmd(P("qRcmd,68656c70"), out, 4, &len), -EINVAL);
	CHECK_EQ(rsp_parse_qrcmd(P("qRcmd,68656c70"), out, 5, &len), 0);
}

TEST_MAIN()
