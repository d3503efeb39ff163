/* rspc.c -- the benchmark's GDB remote-protocol client; see rspc.h. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "rspc.h"

#define RX_INIT		(1u << 20)
#define RX_MAX		(16u << 20)	/* a reply larger than this is garbage */
#define JUNK_MAX	4096		/* non-protocol bytes tolerated per reply */

static const int8_t hexval[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13,
	['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13,
	['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* Value of a hex digit, or -1 (the table holds value + 1 so that 0 means "not hex"). */
static int hv(uint8_t ch)
{
	return hexval[ch] - 1;
}

int rspc_unhex(uint8_t *out, const uint8_t *hex, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hv(hex[2 * i]), lo = hv(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void rspc_hex(char *out, const uint8_t *in, size_t n)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
}

/* Sum of n bytes mod 256, eight at a time (replies reach 256 KiB). */
static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint64_t acc = 0, sum = 0;
	size_t i = 0;

	while (i + 8 <= n) {
		/* 16-bit lanes: at most 2 * 255 per word, so flush every 64 words */
		size_t end = i + 8 * 64 <= n ? i + 8 * 64 : n - (n - i) % 8;

		acc = 0;
		for (; i < end; i += 8) {
			uint64_t w;

			memcpy(&w, p + i, 8);
			acc += (w & 0x00ff00ff00ff00ffULL) + ((w >> 8) & 0x00ff00ff00ff00ffULL);
		}
		for (int k = 0; k < 4; k++)
			sum += (acc >> (16 * k)) & 0xffff;
	}
	for (; i < n; i++)
		sum += p[i];
	return (uint8_t)sum;
}

int rspc_set_timeout(struct rspc *c, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	if (timeout_ms == c->timeout_ms)
		return 0;
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -errno;
	c->timeout_ms = timeout_ms;
	return 0;
}

int rspc_open(struct rspc *c, const char *host, int port, int timeout_ms)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *res;
	char serv[16];
	int one = 1, r;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->ack = true;
	c->timeout_ms = -1;
	snprintf(serv, sizeof(serv), "%d", port);
	if (getaddrinfo(host, serv, &hints, &res))
		return -EINVAL;
	c->fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		r = -errno;
		freeaddrinfo(res);
		return r;
	}
	r = connect(c->fd, res->ai_addr, res->ai_addrlen) ? -errno : 0;
	freeaddrinfo(res);
	if (!r && setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		r = -errno;
	if (!r)
		r = rspc_set_timeout(c, timeout_ms);
	if (!r) {
		c->rx_cap = RX_INIT;
		c->rx = malloc(c->rx_cap);
		c->tx_cap = 4096;
		c->tx = malloc(c->tx_cap);
		if (!c->rx || !c->tx)
			r = -ENOMEM;
	}
	if (r)
		rspc_close(c);
	return r;
}

void rspc_close(struct rspc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->rx);
	free(c->tx);
	free(c->dec);
	c->rx = c->tx = c->dec = NULL;
	c->rx_cap = c->tx_cap = c->dec_cap = 0;
	c->rx_head = c->rx_tail = 0;
}

static int send_all(struct rspc *c, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -ECONNRESET;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Receive more bytes (blocking up to the timeout), making room first. */
static int fill(struct rspc *c)
{
	ssize_t k;

	if (c->rx_head == c->rx_tail)
		c->rx_head = c->rx_tail = 0;
	if (c->rx_tail == c->rx_cap) {
		if (c->rx_head) {
			memmove(c->rx, c->rx + c->rx_head, c->rx_tail - c->rx_head);
			c->rx_tail -= c->rx_head;
			c->rx_head = 0;
		} else {
			uint8_t *n;

			if (c->rx_cap >= RX_MAX)
				return -EPROTO;
			n = realloc(c->rx, c->rx_cap * 2);
			if (!n)
				return -ENOMEM;
			c->rx = n;
			c->rx_cap *= 2;
		}
	}
	for (;;) {
		k = recv(c->fd, c->rx + c->rx_tail, c->rx_cap - c->rx_tail, 0);
		if (k > 0)
			break;
		if (k == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -ECONNRESET;
	}
	c->rx_tail += (size_t)k;
	return 0;
}

int rspc_send(struct rspc *c, const void *payload, size_t n)
{
	const uint8_t *p = payload;
	size_t o = 0;
	int r;

	if (c->tx_cap < 2 * n + 4) {
		uint8_t *t = realloc(c->tx, 2 * n + 4);

		if (!t)
			return -ENOMEM;
		c->tx = t;
		c->tx_cap = 2 * n + 4;
	}
	c->tx[o++] = '$';
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '$' || p[i] == '#' || p[i] == '}' || p[i] == '*') {
			c->tx[o++] = '}';
			c->tx[o++] = p[i] ^ 0x20;
		} else {
			c->tx[o++] = p[i];
		}
	}
	uint8_t sum = checksum(c->tx + 1, o - 1);

	c->tx[o++] = '#';
	rspc_hex((char *)c->tx + o, &sum, 1);
	o += 2;
	for (int tries = 0; tries < 4; tries++) {
		r = send_all(c, c->tx, o);
		c->st.sent++;
		if (r || !c->ack)
			return r;
		/* ack mode: '+' (or a reply straight away), '-' asks again */
		for (;;) {
			if (c->rx_head == c->rx_tail && (r = fill(c)))
				return r;
			uint8_t ch = c->rx[c->rx_head];

			if (ch == '$')
				return 0;
			c->rx_head++;
			if (ch == '+')
				return 0;
			if (ch == '-') {
				c->st.naks++;
				break;
			}
			if (++c->st.junk > JUNK_MAX)
				return -EPROTO;
		}
	}
	return -EPROTO;
}

int rspc_sendf(struct rspc *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	return rspc_send(c, buf, (size_t)n);
}

int rspc_interrupt(struct rspc *c)
{
	return send_all(c, "\x03", 1);
}

/* Undo '}' escapes and '*' runs of payload[0..n) into c->dec.  Length or -errno. */
static long decode(struct rspc *c, const uint8_t *in, size_t n)
{
	size_t o = 0, i = 0;
	/* next '*' and '}' at or after i (NULL: none left); each found once, not per piece */
	const uint8_t *star = memchr(in, '*', n), *esc = memchr(in, '}', n);

	while (i < n) {
		if (star && star < in + i)
			star = memchr(in + i, '*', n - i);
		if (esc && esc < in + i)
			esc = memchr(in + i, '}', n - i);
		const uint8_t *next = !star ? esc : !esc ? star : star < esc ? star : esc;
		size_t plain = next ? (size_t)(next - (in + i)) : n - i;

		/* worst case a run adds 97 bytes per 2 input bytes */
		if (c->dec_cap < o + plain + 128) {
			size_t cap = (o + plain + 128) * 2;
			uint8_t *d = realloc(c->dec, cap);

			if (!d)
				return -ENOMEM;
			c->dec = d;
			c->dec_cap = cap;
		}
		memcpy(c->dec + o, in + i, plain);
		o += plain;
		i += plain;
		if (!next)
			break;
		if (i + 1 >= n)
			return -EPROTO;
		if (*next == '}') {
			c->dec[o++] = in[i + 1] ^ 0x20;
		} else {
			int cnt = (int)in[i + 1] - 29;

			if (cnt < 3 || o == 0)
				return -EPROTO;
			memset(c->dec + o, c->dec[o - 1], (size_t)cnt);
			o += (size_t)cnt;
		}
		i += 2;
	}
	if (c->dec_cap < o + 1) {
		uint8_t *d = realloc(c->dec, o + 1);

		if (!d)
			return -ENOMEM;
		c->dec = d;
		c->dec_cap = o + 1;
	}
	c->dec[o] = 0;
	return (long)o;
}

int rspc_recv(struct rspc *c, const uint8_t **p, size_t *n)
{
	size_t junk = 0, scanned = 0;
	int r;

	for (;;) {
		/* find the '$' */
		while (c->rx_head < c->rx_tail && c->rx[c->rx_head] != '$') {
			uint8_t ch = c->rx[c->rx_head];

			if (ch == '%') {	/* notification: skip through "#xx" */
				uint8_t *h = memchr(c->rx + c->rx_head, '#', c->rx_tail - c->rx_head);

				if (!h || (size_t)(h - c->rx) + 3 > c->rx_tail)
					break;
				c->rx_head = (size_t)(h - c->rx) + 3;
				continue;
			}
			c->rx_head++;
			if (ch == '-')
				c->st.naks++;
			else if (ch != '+' && (++c->st.junk, ++junk > JUNK_MAX))
				return -EPROTO;
		}
		if (c->rx_head == c->rx_tail || c->rx[c->rx_head] != '$') {
			if ((r = fill(c)))
				return r;
			continue;
		}
		/* find the '#': it never occurs raw inside a payload */
		size_t from = c->rx_head + 1 + scanned;
		uint8_t *h = from < c->rx_tail ? memchr(c->rx + from, '#', c->rx_tail - from) : NULL;

		if (!h || (size_t)(h - c->rx) + 3 > c->rx_tail) {
			scanned = h ? (size_t)(h - c->rx) - c->rx_head - 1 : c->rx_tail - c->rx_head - 1;
			if ((r = fill(c)))	/* may move the buffer: offsets stay valid */
				return r;
			continue;
		}
		uint8_t *pl = c->rx + c->rx_head + 1;
		size_t len = (size_t)(h - pl);
		int hi = hv(h[1]), lo = hv(h[2]);
		bool good = hi >= 0 && lo >= 0 && checksum(pl, len) == (uint8_t)(hi << 4 | lo);

		c->rx_head = (size_t)(h - c->rx) + 3;
		scanned = 0;
		if (!good && c->ack) {
			c->st.naks++;
			if ((r = send_all(c, "-", 1)))
				return r;
			continue;
		}
		if (!good)
			c->st.bad_csum++;
		if (c->ack && (r = send_all(c, "+", 1)))
			return r;
		c->st.recv++;
		if (memchr(pl, '*', len) || memchr(pl, '}', len)) {
			long d = decode(c, pl, len);

			if (d < 0)
				return (int)d;
			*p = c->dec;
			*n = (size_t)d;
		} else {
			pl[len] = 0;	/* over the '#', already consumed */
			*p = pl;
			*n = len;
		}
		return 0;
	}
}

static bool is_stop(const uint8_t *p, size_t n)
{
	return n >= 3 && (p[0] == 'T' || p[0] == 'S') && hv(p[1]) >= 0 && hv(p[2]) >= 0;
}

int rspc_cmd(struct rspc *c, const uint8_t **p, size_t *n, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int len, r;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return -EINVAL;
	r = rspc_send(c, buf, (size_t)len);
	while (!r) {
		r = rspc_recv(c, p, n);
		if (r || !is_stop(*p, *n))
			return r;
		c->st.unsolicited++;
	}
	return r;
}

int rspc_wait_stop(struct rspc *c, const uint8_t **p, size_t *n)
{
	for (;;) {
		int r = rspc_recv(c, p, n);

		if (r)
			return r;
		if ((*p)[0] == 'O' && !(*n == 2 && (*p)[1] == 'K')) {
			c->st.console++;
			continue;
		}
		if (is_stop(*p, *n) || ((*p)[0] == 'W' || (*p)[0] == 'X'))
			return 0;
		return -EPROTO;
	}
}

bool rspc_pending(struct rspc *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	return c->rx_head < c->rx_tail || poll(&pfd, 1, 0) > 0;
}
