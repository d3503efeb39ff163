/*
 * nullstub.c -- a stub that answers every packet at once from canned replies,
 * in a child process of its own; a continue with no breakpoint inserted runs
 * until an interrupt (0x03), which it answers at once.  The client measured against it shows the
 * ceiling the client (plus loopback TCP) puts on each metric: if that is far
 * above what hyve and QEMU reach, the client is not what limits them.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define G_BYTES		560		/* the size of an x86-64 'g' reply without AVX */
#define MEM_MAX		(128 * 1024)

struct frame {
	char *buf;
	size_t len, cap;
};

static uint8_t mem[MEM_MAX];
static struct frame out;

/* Frame payload (escaping only what must be) into `out`. */
static void frame(struct frame *f, const void *payload, size_t n)
{
	const uint8_t *p = payload;
	unsigned sum = 0;
	size_t o = 0;

	if (f->cap < 2 * n + 8) {
		free(f->buf);
		f->cap = 2 * n + 8;
		f->buf = malloc(f->cap);
		if (!f->buf)
			_exit(1);
	}
	f->buf[o++] = '$';
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '$' || p[i] == '#' || p[i] == '}' || p[i] == '*') {
			f->buf[o++] = '}';
			f->buf[o++] = (char)(p[i] ^ 0x20);
		} else {
			f->buf[o++] = (char)p[i];
		}
	}
	for (size_t i = 1; i < o; i++)
		sum += (uint8_t)f->buf[i];
	o += (size_t)snprintf(f->buf + o, 4, "#%02x", sum & 0xff);
	f->len = o;
}

static void put(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = send(fd, s, n, MSG_NOSIGNAL);

		if (k <= 0)
			_exit(0);
		s += k;
		n -= (size_t)k;
	}
}

static void reply(int fd, const void *payload, size_t n)
{
	frame(&out, payload, n);
	put(fd, out.buf, out.len);
}

static void reply_str(int fd, const char *s)
{
	reply(fd, s, strlen(s));
}

/* The last memory reply, kept: the benchmark asks for the same length again and again. */
static struct frame mcache[2];
static size_t mcache_len[2];

static void mem_reply(int fd, bool bin, size_t len)
{
	struct frame *f = &mcache[bin];
	uint8_t *payload;

	if (len > (bin ? MEM_MAX : MEM_MAX / 2))
		len = bin ? MEM_MAX : MEM_MAX / 2;
	if (mcache_len[bin] != len || !f->buf) {
		payload = malloc(2 * len + 1);
		if (!payload)
			_exit(1);
		if (bin) {
			payload[0] = 'b';
			memcpy(payload + 1, mem, len);
			frame(f, payload, len + 1);
		} else {
			rspc_hex((char *)payload, mem, len);
			frame(f, payload, 2 * len);
		}
		free(payload);
		mcache_len[bin] = len;
	}
	put(fd, f->buf, f->len);
}

static void serve(int fd, uint64_t rip)
{
	static char buf[1 << 20];
	uint8_t regs[G_BYTES];
	char greg[2 * G_BYTES];
	struct frame gframe = { 0 };
	size_t have = 0;
	bool ack = true, running = false;
	int nbp = 0;		/* breakpoints inserted: a continue "hits" one at once */

	memset(regs, 0, sizeof(regs));
	for (int i = 0; i < 8; i++)
		regs[16 * 8 + i] = (uint8_t)(rip >> (8 * i));
	rspc_hex(greg, regs, sizeof(regs));
	frame(&gframe, greg, sizeof(greg));
	for (;;) {
		ssize_t k = recv(fd, buf + have, sizeof(buf) - have - 1, 0);
		size_t pos = 0;

		if (k <= 0)
			return;
		have += (size_t)k;
		for (;;) {
			char *start = memchr(buf + pos, '$', have - pos), *hash;
			size_t gap = (start ? (size_t)(start - buf) : have) - pos;

			/* an interrupt (0x03 between packets) stops a continue */
			if (running && memchr(buf + pos, 0x03, gap)) {
				running = false;
				reply_str(fd, "T02thread:1;");
			}
			if (!start) {
				pos = have;
				break;
			}
			hash = memchr(start, '#', have - (size_t)(start - buf));
			if (!hash || (size_t)(hash - buf) + 3 > have)
				break;
			char *p = start + 1;
			size_t n = (size_t)(hash - p);

			pos = (size_t)(hash - buf) + 3;
			*hash = 0;
			if (ack)
				put(fd, "+", 1);
			if (n == 1 && p[0] == 'g') {
				put(fd, gframe.buf, gframe.len);
			} else if (p[0] == 'm' || p[0] == 'x') {
				char *comma = strchr(p, ',');

				mem_reply(fd, p[0] == 'x', comma ? strtoul(comma + 1, NULL, 16) : 1);
			} else if (!strncmp(p, "qSupported", 10)) {
				reply_str(fd, "PacketSize=20000;QStartNoAckMode+;vContSupported+");
			} else if (!strcmp(p, "QStartNoAckMode")) {
				reply_str(fd, "OK");
				ack = false;
			} else if (!strcmp(p, "qfThreadInfo")) {
				reply_str(fd, "m1");
			} else if (!strcmp(p, "qsThreadInfo")) {
				reply_str(fd, "l");
			} else if (!strcmp(p, "vCont?")) {
				reply_str(fd, "vCont;c;C;s;S");
			} else if ((p[0] == 'c' || !strncmp(p, "vCont;c", 7)) && nbp == 0) {
				running = true;	/* nothing to hit: runs until 0x03 */
			} else if (p[0] == '?' || p[0] == 's' || p[0] == 'c' ||
				   !strncmp(p, "vCont;", 6)) {
				reply_str(fd, "T05thread:1;");
			} else if (p[0] == 'D') {
				reply_str(fd, "OK");
				return;
			} else if (p[0] == 'Z' || p[0] == 'z') {
				nbp += p[0] == 'Z' ? 1 : nbp > 0 ? -1 : 0;
				reply_str(fd, "OK");
			} else if (p[0] == 'H' || p[0] == 'M' || p[0] == 'X') {
				reply_str(fd, "OK");
			} else {
				reply_str(fd, "");
			}
		}
		memmove(buf, buf + pos, have - pos);
		have -= pos;
	}
}

int nullstub_start(struct child *ch, int *port, uint64_t rip)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	uint32_t x = 0x12345678;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		close(fd);
		return -errno;
	}
	*port = ntohs(sa.sin_port);
	for (size_t i = 0; i < sizeof(mem); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		mem[i] = (uint8_t)x;
	}
	memset(ch, 0, sizeof(*ch));
	ch->pid = fork();
	if (ch->pid < 0) {
		close(fd);
		ch->pid = 0;
		return -errno;
	}
	if (ch->pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			int c = accept(fd, NULL, NULL);

			if (c < 0)
				continue;
			setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			serve(c, rip);
			close(c);
		}
	}
	setpgid(ch->pid, ch->pid);
	proc_track(0, ch->pid);
	close(fd);
	return 0;
}
