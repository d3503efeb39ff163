/*
 * rsp.c -- GDB Remote Serial Protocol framing: the streaming decoder, the
 * packet encoder, a growing output buffer and hex helpers.  No I/O.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb/rsp.h"

/*
 * Hex digit value + 1 (0 = not a hex digit), so one table load classifies
 * and converts.
 */
#define HX(c, v) [c] = (v) + 1
static const uint8_t hex_val1[256] = {
	HX('0', 0), HX('1', 1), HX('2', 2), HX('3', 3), HX('4', 4),
	HX('5', 5), HX('6', 6), HX('7', 7), HX('8', 8), HX('9', 9),
	HX('a', 10), HX('b', 11), HX('c', 12), HX('d', 13), HX('e', 14), HX('f', 15),
	HX('A', 10), HX('B', 11), HX('C', 12), HX('D', 13), HX('E', 14), HX('F', 15),
};
#undef HX

static const char hex_chars[16] = "0123456789abcdef";

/* Bytes that must be escaped in a payload we send. */
static const uint8_t must_escape[256] = { ['$'] = 1, ['#'] = 1, ['}'] = 1, ['*'] = 1 };

/* Bytes that end the fast copy loop inside a received packet. */
static const uint8_t body_special[256] = { ['$'] = 1, ['#'] = 1, ['}'] = 1, ['*'] = 1 };

int rsp_hex_digit(int c)
{
	if (c < 0 || c > 255)
		return -1;
	return (int)hex_val1[c] - 1;
}

/* ---- decoder ---- */

void rsp_decoder_init(struct rsp_decoder *d)
{
	d->state = RSP_IDLE;
	d->sum = 0;
	d->csum = 0;
	d->err = 0;
	d->len = 0;
	d->dropped = 0;
	d->buf[0] = 0;
}

static void packet_start(struct rsp_decoder *d)
{
	d->state = RSP_BODY;
	d->sum = 0;
	d->err = 0;
	d->len = 0;
}

/* Record the first content error only: it is the one worth reporting. */
static void packet_fail(struct rsp_decoder *d, int err)
{
	if (!d->err)
		d->err = err;
}

static void packet_put(struct rsp_decoder *d, uint8_t c)
{
	if (d->err)
		return;
	if (d->len >= RSP_MAX_PACKET) {
		d->err = -EMSGSIZE;
		return;
	}
	d->buf[d->len++] = c;
}

/* The event for a packet whose checksum has just arrived. */
static void packet_event(struct rsp_decoder *d, struct rsp_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (d->csum != d->sum) {
		ev->type = RSP_EV_BAD_CHECKSUM;
	} else if (d->err) {
		ev->type = RSP_EV_ERROR;
		ev->err = d->err;
	} else {
		d->buf[d->len] = 0;
		ev->type = RSP_EV_PACKET;
		ev->data = d->buf;
		ev->len = d->len;
	}
}

/*
 * Advance the state machine by one byte.  Returns true and fills *ev when
 * the byte completes an event.
 */
static bool decode_byte(struct rsp_decoder *d, uint8_t c, struct rsp_event *ev)
{
	int v;

	switch (d->state) {
	case RSP_IDLE:
		switch (c) {
		case '$':
			packet_start(d);
			return false;
		case '%':
			d->state = RSP_NOTIFY;
			return false;
		case '+':
			memset(ev, 0, sizeof(*ev));
			ev->type = RSP_EV_ACK;
			return true;
		case '-':
			memset(ev, 0, sizeof(*ev));
			ev->type = RSP_EV_NAK;
			return true;
		case 0x03:
			memset(ev, 0, sizeof(*ev));
			ev->type = RSP_EV_INTERRUPT;
			return true;
		default:
			return false;	/* junk between packets */
		}
	case RSP_BODY:
		switch (c) {
		case '#':
			d->state = RSP_CSUM1;
			return false;
		case '$':
			/* GDB gave up on the old packet and restarted. */
			d->dropped++;
			packet_start(d);
			return false;
		case '}':
			d->sum += c;
			d->state = RSP_ESC;
			return false;
		case '*':
			d->sum += c;
			if (d->len == 0)
				packet_fail(d, -EINVAL);	/* nothing to repeat */
			d->state = RSP_RUN;
			return false;
		default:
			d->sum += c;
			packet_put(d, c);
			return false;
		}
	case RSP_ESC:
		if (c == '$') {
			d->dropped++;
			packet_start(d);
			return false;
		}
		if (c == '#') {
			/* The '#' always ends the packet: a dangling escape. */
			packet_fail(d, -EINVAL);
			d->state = RSP_CSUM1;
			return false;
		}
		d->sum += c;
		packet_put(d, c ^ 0x20);
		d->state = RSP_BODY;
		return false;
	case RSP_RUN:
		if (c == '$') {
			d->dropped++;
			packet_start(d);
			return false;
		}
		if (c == '#') {
			packet_fail(d, -EINVAL);	/* '*' without a count */
			d->state = RSP_CSUM1;
			return false;
		}
		d->sum += c;
		d->state = RSP_BODY;
		/* Counts below 3 would not save space: no encoder sends them. */
		if (c < 29 + 3 || c > 126) {
			packet_fail(d, -EINVAL);
		} else if (!d->err) {
			size_t rep = (size_t)c - 29;

			if (d->len + rep > RSP_MAX_PACKET) {
				packet_fail(d, -EMSGSIZE);
			} else {
				memset(d->buf + d->len, d->buf[d->len - 1], rep);
				d->len += rep;
			}
		}
		return false;
	case RSP_CSUM1:
	case RSP_CSUM2:
		v = rsp_hex_digit(c);
		if (v < 0) {
			if (c == '$') {
				d->dropped++;
				packet_start(d);
				return false;
			}
			/* A garbled checksum is a transmission error like any other. */
			d->state = RSP_IDLE;
			memset(ev, 0, sizeof(*ev));
			ev->type = RSP_EV_BAD_CHECKSUM;
			return true;
		}
		if (d->state == RSP_CSUM1) {
			d->csum = (uint8_t)(v << 4);
			d->state = RSP_CSUM2;
			return false;
		}
		d->csum |= (uint8_t)v;
		d->state = RSP_IDLE;
		packet_event(d, ev);
		return true;
	case RSP_NOTIFY:
		if (c == '#')
			d->state = RSP_NOTIFY_CSUM1;
		else if (c == '$')
			packet_start(d);
		return false;
	case RSP_NOTIFY_CSUM1:
		d->state = RSP_NOTIFY_CSUM2;
		return false;
	case RSP_NOTIFY_CSUM2:
		d->state = RSP_IDLE;
		return false;
	}
	return false;
}

int rsp_feed(struct rsp_decoder *d, const void *buf, size_t n,
	     rsp_event_fn fn, void *opaque, size_t *used)
{
	const uint8_t *p = buf;
	size_t i = 0;

	while (i < n) {
		/*
		 * Fast path: ordinary payload bytes are summed and copied in a
		 * tight loop without going through the state machine.
		 */
		if (d->state == RSP_BODY && !d->err) {
			uint8_t sum = d->sum;
			size_t len = d->len;

			while (i < n && !body_special[p[i]] && len < RSP_MAX_PACKET) {
				sum += p[i];
				d->buf[len++] = p[i++];
			}
			d->sum = sum;
			d->len = len;
			if (i == n)
				break;
		}

		struct rsp_event ev;

		if (decode_byte(d, p[i++], &ev)) {
			int r = fn(opaque, &ev);

			if (r) {
				if (used)
					*used = i;
				return r;
			}
		}
	}
	if (used)
		*used = n;
	return 0;
}

/* ---- encoder ---- */

/*
 * Repeat counts are sent as count + 29; 6 and 7 would give '#' and '$',
 * which GDB would take as framing.  Above 95 we would reach '}' and DEL.
 */
#define RLE_MAX_REPEAT	95

static int encode(uint8_t *out, size_t cap, const uint8_t *p, size_t n, bool rle)
{
	size_t o = 0, i = 0, limit;
	uint8_t sum = 0;

	if (cap > INT_MAX)
		cap = INT_MAX;
	if (cap < 4)
		return -ENOSPC;
	limit = cap - 3;		/* room for "#xx" */
	out[o++] = '$';
	while (i < n && !rle) {
		/* the hot path: copy a whole run of plain bytes at once */
		size_t j = i;
		unsigned run_sum = 0;

		while (j < n && !must_escape[p[j]])
			run_sum += p[j++];
		if (o + (j - i) > limit)
			return -ENOSPC;
		memcpy(out + o, p + i, j - i);
		o += j - i;
		sum += (uint8_t)run_sum;
		i = j;
		if (i < n) {
			if (o + 2 > limit)
				return -ENOSPC;
			out[o++] = '}';
			out[o++] = p[i] ^ 0x20;
			sum += '}' + (uint8_t)(p[i] ^ 0x20);
			i++;
		}
	}
	while (i < n) {
		uint8_t c = p[i];

		if (must_escape[c]) {
			if (o + 2 > limit)
				return -ENOSPC;
			out[o++] = '}';
			out[o++] = c ^ 0x20;
			sum += '}' + (uint8_t)(c ^ 0x20);
			i++;
			continue;
		}
		if (rle && i + 3 < n && p[i + 1] == c && p[i + 2] == c && p[i + 3] == c) {
			size_t rep = 3;

			while (rep < RLE_MAX_REPEAT && i + 1 + rep < n && p[i + 1 + rep] == c)
				rep++;
			if (rep == 6 || rep == 7)
				rep = 5;
			if (o + 3 > limit)
				return -ENOSPC;
			out[o++] = c;
			out[o++] = '*';
			out[o++] = (uint8_t)(rep + 29);
			sum += c + '*' + (uint8_t)(rep + 29);
			i += 1 + rep;
			continue;
		}
		if (o + 1 > limit)
			return -ENOSPC;
		out[o++] = c;
		sum += c;
		i++;
	}
	out[o++] = '#';
	out[o++] = (uint8_t)hex_chars[sum >> 4];
	out[o++] = (uint8_t)hex_chars[sum & 15];
	return (int)o;
}

int rsp_encode(uint8_t *out, size_t cap, const void *payload, size_t n)
{
	return encode(out, cap, payload, n, false);
}

int rsp_encode_rle(uint8_t *out, size_t cap, const void *payload, size_t n)
{
	return encode(out, cap, payload, n, true);
}

/* ---- growing buffer ---- */

void rsp_buf_init(struct rsp_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void rsp_buf_free(struct rsp_buf *b)
{
	free(b->data);
	rsp_buf_init(b);
}

int rsp_buf_reserve(struct rsp_buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	need = b->len + extra + 1;	/* +1 keeps room for a NUL */
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int rsp_buf_put(struct rsp_buf *b, const void *p, size_t n)
{
	int r = rsp_buf_reserve(b, n);

	if (r)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int rsp_buf_puts(struct rsp_buf *b, const char *s)
{
	return rsp_buf_put(b, s, strlen(s));
}

int rsp_buf_printf(struct rsp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	r = rsp_buf_reserve(b, (size_t)n);
	if (r)
		return r;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int rsp_buf_put_hex(struct rsp_buf *b, const void *p, size_t n)
{
	int r;

	if (n > SIZE_MAX / 2)
		return -ENOMEM;
	r = rsp_buf_reserve(b, 2 * n);
	if (r)
		return r;
	rsp_hex_encode((char *)b->data + b->len, p, n);
	b->len += 2 * n;
	b->data[b->len] = 0;
	return 0;
}

int rsp_buf_put_hexnum(struct rsp_buf *b, uint64_t v)
{
	char tmp[16];
	int i = 16;

	do {
		tmp[--i] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	return rsp_buf_put(b, tmp + i, (size_t)(16 - i));
}

int rsp_buf_put_packet(struct rsp_buf *b, const void *payload, size_t n, bool rle)
{
	int r;

	if (n > (INT_MAX - 4) / 2)
		return -ENOSPC;
	r = rsp_buf_reserve(b, 2 * n + 4);
	if (r)
		return r;
	r = encode(b->data + b->len, 2 * n + 4, payload, n, rle);
	if (r < 0)
		return r;
	b->len += (size_t)r;
	b->data[b->len] = 0;
	return 0;
}

void rsp_buf_consume(struct rsp_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->data, b->data + n, b->len - n);
		b->len -= n;
	}
	if (b->data)
		b->data[b->len] = 0;
}

/* ---- hex ---- */

void rsp_hex_encode(char *out, const void *in, size_t n)
{
	const uint8_t *p = in;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_chars[p[i] >> 4];
		out[2 * i + 1] = hex_chars[p[i] & 15];
	}
}

int rsp_hex_decode(void *out, size_t cap, const char *in, size_t inlen)
{
	const uint8_t *s = (const uint8_t *)in;
	uint8_t *o = out;
	size_t n = inlen / 2;

	if (inlen & 1)
		return -EINVAL;
	if (n > INT_MAX)
		return -EINVAL;
	if (n > cap)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++) {
		uint8_t hi = hex_val1[s[2 * i]], lo = hex_val1[s[2 * i + 1]];

		if (!hi || !lo)
			return -EINVAL;
		o[i] = (uint8_t)(((hi - 1) << 4) | (lo - 1));
	}
	return (int)n;
}

int rsp_parse_hex_u64(const char *s, size_t len, uint64_t *out)
{
	const uint8_t *p = (const uint8_t *)s;
	uint64_t v = 0;
	size_t i = 0, digits = 0;

	if (len == 0)
		return -EINVAL;
	while (i < len && p[i] == '0')
		i++;
	for (; i < len; i++) {
		uint8_t d = hex_val1[p[i]];

		if (!d)
			return -EINVAL;
		if (++digits > 16) {
			/* Keep scanning so "non-hex" wins over "too big". */
			for (; i < len; i++)
				if (!hex_val1[p[i]])
					return -EINVAL;
			return -ERANGE;
		}
		v = (v << 4) | (uint64_t)(d - 1);
	}
	*out = v;
	return 0;
}

void rsp_le_encode(char *out, uint64_t v, unsigned nbytes)
{
	for (unsigned i = 0; i < nbytes && i < 8; i++) {
		uint8_t b = (uint8_t)(v >> (8 * i));

		out[2 * i] = hex_chars[b >> 4];
		out[2 * i + 1] = hex_chars[b & 15];
	}
}

int rsp_le_decode(const char *in, unsigned nbytes, uint64_t *out)
{
	uint8_t b[8];
	uint64_t v = 0;

	if (nbytes == 0 || nbytes > 8)
		return -EINVAL;
	if (rsp_hex_decode(b, sizeof(b), in, 2 * (size_t)nbytes) != (int)nbytes)
		return -EINVAL;
	for (unsigned i = nbytes; i-- > 0;)
		v = (v << 8) | b[i];
	*out = v;
	return 0;
}
