/*
 * session.c -- one debugger session against one target: the timed metrics.
 * Every timed loop does only what a debugger must (send, receive, check the
 * reply's length or kind); contents are verified after the clock stops.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"

/* What gdb offers (without multiprocess, as rspbench.py does). */
#define QSUPPORTED "swbreak+;hwbreak+;vContSupported+;xmlRegisters=i386"
#define RIP_OFFSET (16 * 8)	/* rip in the x86-64 'g' layout */

/* A protocol answer that was not what the metric needs (the session goes on). */
#define EREPLY 10000

static char errbuf[256];

/* Record why the current metric failed; returns r. */
static int fail(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return r;
}

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static void copy_str(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	snprintf(dst, cap, "%.*s", (int)(n < cap ? n : cap - 1), (const char *)p);
}

/* Signal number and thread of a stop reply ("T05thread:1;core:0;"). */
static int parse_stop(struct target *t, const uint8_t *p, size_t n, int *sig)
{
	const char *th;

	if (n < 3 || (p[0] != 'T' && p[0] != 'S'))
		return fail(-EREPLY, "not a stop reply: %.60s", (const char *)p);
	*sig = (int)strtol((const char[]){ (char)p[1], (char)p[2], 0 }, NULL, 16);
	th = strstr((const char *)p, "thread:");
	if (th) {
		size_t l = strcspn(th + 7, ";");

		if (l && l < sizeof(t->tid))
			snprintf(t->tid, sizeof(t->tid), "%.*s", (int)l, th + 7);
	}
	return 0;
}

static int expect_ok(struct rspc *c, const char *what, int r, const uint8_t *p, size_t n)
{
	if (r)
		return fail(r, "%s: %s", what, strerror(r < 0 ? -r : r));
	if (n != 2 || memcmp(p, "OK", 2))
		return fail(-EREPLY, "%s: expected OK, got '%.40s'", what, (const char *)p);
	return 0;
}

/* ---- attach ---- */

static int attach(struct target *t, const struct params *prm, struct rspc *c, double *ms)
{
	const uint8_t *p;
	size_t n;
	int64_t t0 = now_ns(), tc, tq, tn;
	int r, sig;
	const char *ps;

	r = rspc_open(c, "127.0.0.1", t->port, prm->timeout_ms);
	if (r)
		return fail(r, "connect: %s", strerror(-r));
	tc = now_ns();
	r = rspc_cmd(c, &p, &n, "qSupported:" QSUPPORTED);
	if (r)
		return fail(r, "qSupported: %s", strerror(-r));
	tq = now_ns();
	copy_str(t->info.qsupported, sizeof(t->info.qsupported), p, n);
	ps = strstr((const char *)p, "PacketSize=");
	t->info.packet_size = ps ? strtoul(ps + 11, NULL, 16) : 0;
	t->info.noack = strstr((const char *)p, "QStartNoAckMode+") != NULL;
	if (t->info.noack) {
		r = rspc_cmd(c, &p, &n, "QStartNoAckMode");
		if ((r = expect_ok(c, "QStartNoAckMode", r, p, n)))
			return r;
		c->ack = false;
	}
	tn = now_ns();
	r = rspc_send(c, "?", 1);
	if (!r)
		r = rspc_wait_stop(c, &p, &n);
	if (r)
		return fail(r, "'?': %s", strerror(-r));
	*ms = (double)(now_ns() - t0) / 1e6;
	series_add(&t->attach_part[0], (double)(tc - t0) / 1e6);
	series_add(&t->attach_part[1], (double)(tq - tc) / 1e6);
	series_add(&t->attach_part[2], (double)(tn - tq) / 1e6);
	series_add(&t->attach_part[3], (double)(now_ns() - tn) / 1e6);
	if (!t->info.first_stop[0])
		copy_str(t->info.first_stop, sizeof(t->info.first_stop), p, n);
	return parse_stop(t, p, n, &sig);
}

/* Untimed: threads, vCont, 'x', Hg. */
static int discover(struct target *t, const struct params *prm, struct rspc *c)
{
	const uint8_t *p;
	size_t n;
	int r;

	r = rspc_cmd(c, &p, &n, "qfThreadInfo");
	if (r)
		return fail(r, "qfThreadInfo: %s", strerror(-r));
	copy_str(t->info.threads, sizeof(t->info.threads), p, n);
	if (!t->tid[0] && n > 1 && p[0] == 'm')
		snprintf(t->tid, sizeof(t->tid), "%.*s", (int)strcspn((const char *)p + 1, ","),
			 (const char *)p + 1);
	while (n && p[0] == 'm') {
		if ((r = rspc_cmd(c, &p, &n, "qsThreadInfo")))
			return fail(r, "qsThreadInfo: %s", strerror(-r));
	}
	r = rspc_cmd(c, &p, &n, "vCont?");
	if (r)
		return fail(r, "vCont?: %s", strerror(-r));
	copy_str(t->info.vcont, sizeof(t->info.vcont), p, n);
	t->info.vcont_ok = strstr(t->info.vcont, ";c") && strstr(t->info.vcont, ";s");
	if (!t->info.x_probed) {
		r = rspc_cmd(c, &p, &n, "x%llx,1", (unsigned long long)prm->text_addr);
		if (r)
			return fail(r, "x probe: %s", strerror(-r));
		t->info.x_ok = n == 2 && p[0] == 'b';
		t->info.x_probed = true;
	}
	if (t->tid[0]) {
		r = rspc_cmd(c, &p, &n, "Hg%s", t->tid);
		if (r || (n && memcmp(p, "OK", 2)))
			return fail(r ? r : -EREPLY, "Hg%s: '%.20s'", t->tid, r ? "" : (const char *)p);
	}
	return 0;
}

/* ---- run control ---- */

static int cont(struct target *t, struct rspc *c)
{
	return t->info.vcont_ok ? rspc_send(c, "vCont;c", 7) : rspc_send(c, "c", 1);
}

static int wait_stop(struct target *t, struct rspc *c, int *sig, char *save, size_t cap)
{
	const uint8_t *p;
	size_t n;
	int r = rspc_wait_stop(c, &p, &n);

	if (r)
		return fail(r, "waiting for a stop reply: %s", strerror(-r));
	if (p[0] == 'W' || p[0] == 'X')
		return fail(-EREPLY, "the machine ended: %.40s", (const char *)p);
	if (save && !save[0])
		copy_str(save, cap, p, n);
	return parse_stop(t, p, n, sig);
}

static int step(struct target *t, struct rspc *c, char *save, size_t cap)
{
	int r, sig;

	r = t->info.vcont_ok && t->tid[0] ? rspc_sendf(c, "vCont;s:%s", t->tid)
					  : rspc_send(c, "s", 1);
	if (r)
		return fail(r, "step: %s", strerror(-r));
	if ((r = wait_stop(t, c, &sig, save, cap)))
		return r;
	return sig == 5 ? 0 : fail(-EREPLY, "step: stop with signal %d", sig);
}

/* ---- metrics ---- */

static int m_regs(struct target *t, const struct params *prm, struct rspc *c, double *out)
{
	const uint8_t *p;
	size_t n, size;
	int r = rspc_cmd(c, &p, &n, "g");
	int64_t t0;

	if (r || n < 2 * (RIP_OFFSET + 8) || n % 2)
		return fail(r ? r : -EREPLY, "g: '%.20s'", r ? "" : (const char *)p);
	size = n;
	t->info.g_bytes = n / 2;
	t0 = now_ns();
	for (int i = 0; i < prm->regs_n; i++) {
		if ((r = rspc_send(c, "g", 1)) || (r = rspc_recv(c, &p, &n)))
			return fail(r, "g: %s", strerror(-r));
		if (n != size)
			return fail(-EREPLY, "g: reply length changed %zu -> %zu", size, n);
	}
	*out = prm->regs_n / ((double)(now_ns() - t0) / 1e9);
	return 0;
}

/*
 * Read total bytes at addr with `m` (hex) or `x` (binary) packets of chunk
 * bytes into dst; hex replies are kept raw in hexbuf for mem_decode (after
 * the clock stops), so the timed loop does no more than receive and check.
 * A stub may answer short; an error before anything was read halves chunk.
 */
static int mem_read(struct rspc *c, uint64_t addr, size_t total, size_t *chunk, bool bin,
		    uint8_t *dst, uint8_t *hexbuf)
{
	size_t pos = 0;

	while (pos < total) {
		size_t want = total - pos < *chunk ? total - pos : *chunk, got;
		const uint8_t *p;
		size_t n;
		int r = rspc_sendf(c, "%c%llx,%zx", bin ? 'x' : 'm',
				   (unsigned long long)(addr + pos), want);

		if (!r)
			r = rspc_recv(c, &p, &n);
		if (r)
			return fail(r, "%c: %s", bin ? 'x' : 'm', strerror(-r));
		if ((n == 3 && p[0] == 'E') || n == 0 || (bin && p[0] != 'b')) {
			if (pos == 0 && *chunk > 64) {
				*chunk /= 2;
				continue;
			}
			return fail(-EREPLY, "%c%llx,%zx: '%.10s'", bin ? 'x' : 'm',
				    (unsigned long long)(addr + pos), want, (const char *)p);
		}
		got = bin ? n - 1 : n / 2;
		if (got > want || (!bin && n % 2) || got == 0)
			return fail(-EREPLY, "%c: reply of %zu bytes for %zu", bin ? 'x' : 'm', n, want);
		if (bin)
			memcpy(dst + pos, p + 1, got);
		else
			memcpy(hexbuf + 2 * pos, p, n);
		pos += got;
	}
	return 0;
}

/* After the clock stopped: hex to bytes. */
static int mem_decode(bool bin, uint8_t *dst, const uint8_t *hexbuf, size_t total)
{
	if (!bin && rspc_unhex(dst, hexbuf, total))
		return fail(-EREPLY, "m: reply is not hex");
	return 0;
}

/* Put the pattern into unused guest RAM (untimed, once per target). */
static int write_pattern(struct target *t, const struct params *prm, struct rspc *c)
{
	size_t chunk = t->info.packet_size ? (t->info.packet_size - 64) / 2 : 2000;
	char *buf = malloc(2 * chunk + 64);
	int r = 0;

	if (!buf)
		return fail(-ENOMEM, "out of memory");
	chunk &= ~(size_t)15;
	for (size_t pos = 0; pos < prm->mem_bytes && !r; pos += chunk) {
		size_t len = prm->mem_bytes - pos < chunk ? prm->mem_bytes - pos : chunk;
		int h = snprintf(buf, 64, "M%llx,%zx:", (unsigned long long)(prm->pat_addr + pos), len);
		const uint8_t *p;
		size_t n;

		rspc_hex(buf + h, prm->pattern + pos, len);
		r = rspc_send(c, buf, (size_t)h + 2 * len);
		if (!r)
			r = rspc_recv(c, &p, &n);
		r = expect_ok(c, "M (writing the pattern)", r, p, n);
	}
	free(buf);
	t->info.pattern_written = !r;
	return r;
}

static int m_mem(struct target *t, const struct params *prm, struct rspc *c, enum metric m,
		 double *out)
{
	bool bin = m == M_MEM_X;
	uint64_t addr = m == M_MEM_TEXT ? prm->text_addr : prm->pat_addr;
	size_t *chunk = bin ? &t->info.x_chunk : &t->info.m_chunk;
	size_t total = prm->mem_bytes;
	uint8_t *dst = malloc(total), *hex = malloc(2 * total);
	int64_t t0;
	int r;

	if (!dst || !hex) {
		free(dst);
		free(hex);
		return fail(-ENOMEM, "out of memory");
	}
	/* the largest packet each side offers: hex needs two characters a byte */
	if (!*chunk)
		*chunk = t->info.packet_size ? (bin ? t->info.packet_size - 1 : t->info.packet_size / 2)
					     : 2048;
	r = m != M_MEM_TEXT && !t->info.pattern_written ? write_pattern(t, prm, c) : 0;
	/* warm-up (also settles the chunk size) */
	if (!r)
		r = mem_read(c, addr, total < 65536 ? total : 65536, chunk, bin, dst, hex);
	t0 = now_ns();
	if (!r)
		r = mem_read(c, addr, total, chunk, bin, dst, hex);
	if (!r)
		*out = (double)total / (1 << 20) / ((double)(now_ns() - t0) / 1e9);
	if (!r)
		r = mem_decode(bin, dst, hex, total);
	if (!r && prm->verify && m != M_MEM_TEXT && memcmp(dst, prm->pattern, total))
		r = fail(-EREPLY, "%s: the bytes read differ from the pattern written",
			 metric_info[m].name);
	if (!r && prm->verify && m == M_MEM_TEXT) {
		if (!t->info.text_ref) {
			t->info.text_ref = dst;
			dst = NULL;
		} else if (memcmp(dst, t->info.text_ref, total)) {
			r = fail(-EREPLY, "two reads at _text differ");
		}
	}
	free(dst);
	free(hex);
	return r;
}

static int read_rip(struct target *t, struct rspc *c, uint64_t *rip)
{
	const uint8_t *p;
	size_t n;
	uint8_t b[8];
	int r = rspc_cmd(c, &p, &n, "g");

	if (r || n < 2 * (RIP_OFFSET + 8) || rspc_unhex(b, p + 2 * RIP_OFFSET, 8))
		return fail(r ? r : -EREPLY, "g: cannot read rip");
	*rip = 0;
	for (int i = 7; i >= 0; i--)
		*rip = *rip << 8 | b[i];
	return 0;
}

static int m_bp(struct target *t, const struct params *prm, struct rspc *c, int type, double *out)
{
	const uint8_t *p;
	size_t n;
	char z[64], zr[64];
	uint64_t rip = 0;
	int64_t t0;
	int r, sig;

	snprintf(z, sizeof(z), "Z%d,%llx,1", type, (unsigned long long)prm->bp_addr);
	snprintf(zr, sizeof(zr), "z%d,%llx,1", type, (unsigned long long)prm->bp_addr);
	r = rspc_cmd(c, &p, &n, "%s", z);
	if (!r && n == 0)
		return fail(-EOPNOTSUPP, "%s: not supported (empty reply)", z);
	if ((r = expect_ok(c, z, r, p, n)))
		return r;
	if ((r = cont(t, c)))
		return fail(r, "continue: %s", strerror(-r));
	if ((r = wait_stop(t, c, &sig, t->info.bp_stop, sizeof(t->info.bp_stop))))
		return r;
	if (sig != 5)
		return fail(-EREPLY, "first stop after %s has signal %d (the guest died?)", z, sig);
	if ((r = read_rip(t, c, &rip)))
		return r;
	if (rip != prm->bp_addr)
		return fail(-EREPLY, "breakpoint stop at rip %#llx, not %#llx",
			    (unsigned long long)rip, (unsigned long long)prm->bp_addr);
	t0 = now_ns();
	for (int i = 0; i < prm->bp_hits; i++) {
		r = rspc_cmd(c, &p, &n, "%s", zr);
		if ((r = expect_ok(c, zr, r, p, n)) || (r = step(t, c, NULL, 0)))
			return r;
		r = rspc_cmd(c, &p, &n, "%s", z);
		if ((r = expect_ok(c, z, r, p, n)))
			return r;
		if ((r = cont(t, c)))
			return fail(r, "continue: %s", strerror(-r));
		if ((r = wait_stop(t, c, &sig, NULL, 0)))
			return r;
		if (sig != 5)
			return fail(-EREPLY, "hit %d: stop with signal %d", i, sig);
	}
	*out = prm->bp_hits / ((double)(now_ns() - t0) / 1e9);
	r = rspc_cmd(c, &p, &n, "%s", zr);
	return expect_ok(c, zr, r, p, n);
}

static int m_steps(struct target *t, const struct params *prm, struct rspc *c, double *out)
{
	int64_t t0;
	int r = step(t, c, t->info.step_stop, sizeof(t->info.step_stop));	/* warm-up */

	if (r)
		return r;
	t0 = now_ns();
	for (int i = 0; i < prm->steps_n; i++)
		if ((r = step(t, c, NULL, 0)))
			return r;
	*out = prm->steps_n / ((double)(now_ns() - t0) / 1e9);
	return 0;
}

/* Step, then read the registers: the first 'g' after each stop. */
static int m_step_g(struct target *t, const struct params *prm, struct rspc *c, double *out)
{
	const uint8_t *p;
	size_t n, size = 0;
	int64_t t0 = now_ns();
	int r;

	for (int i = 0; i < prm->steps_n / 2; i++) {
		if ((r = step(t, c, NULL, 0)))
			return r;
		if ((r = rspc_send(c, "g", 1)) || (r = rspc_recv(c, &p, &n)))
			return fail(r, "g: %s", strerror(-r));
		if (i == 0)
			size = n;
		if (n != size || n < 2 * (RIP_OFFSET + 8))
			return fail(-EREPLY, "g after a step: %zu hex digits", n);
	}
	*out = (prm->steps_n / 2) / ((double)(now_ns() - t0) / 1e9);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Session value: the median of intr_n interrupts (all kept in intr_raw). */
static int m_intr(struct target *t, const struct params *prm, struct rspc *c, double *out)
{
	double v[64];
	int n = prm->intr_n < 64 ? prm->intr_n : 64, r, sig;

	for (int i = 0; i < n; i++) {
		int64_t t0;

		if ((r = cont(t, c)))
			return fail(r, "continue: %s", strerror(-r));
		sleep_ms(prm->intr_delay_ms);
		if (rspc_pending(c)) {
			wait_stop(t, c, &sig, NULL, 0);
			return fail(-EREPLY, "the target stopped by itself before the interrupt");
		}
		t0 = now_ns();
		if ((r = rspc_interrupt(c)))
			return fail(r, "interrupt: %s", strerror(-r));
		if ((r = wait_stop(t, c, &sig, t->info.intr_stop, sizeof(t->info.intr_stop))))
			return r;
		v[i] = (double)(now_ns() - t0) / 1e6;
		series_add(&t->intr_raw, v[i]);
	}
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	*out = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return 0;
}

/* ---- sessions ---- */

void target_unpark(struct target *t)
{
	const uint8_t *p;
	size_t n;

	if (!t->parked)
		return;
	/* D: the guest runs on (a stub that ignores it resumes on the hang-up) */
	if (rspc_cmd(&t->park, &p, &n, "D") == 0 && !(n == 2 && !memcmp(p, "OK", 2)))
		target_error(t, "D: expected OK, got '%.20s'", (const char *)p);
	t->info.unsolicited += t->park.st.unsolicited;
	rspc_close(&t->park);
	t->parked = false;
}

static void park(struct target *t, struct rspc *c)
{
	t->park = *c;
	t->parked = true;
}

static bool fatal(int r)
{
	return r != -EREPLY && r != -EOPNOTSUPP;
}

void session_run(struct target *t, const struct params *prm, unsigned mask)
{
	static const enum metric order[] = { M_REGS, M_MEM_M, M_MEM_X, M_MEM_TEXT, M_BP_HW,
					     M_BP_SW, M_STEPS, M_STEP_G, M_INTR };
	struct rspc c;
	double v;
	int r;

	if (t->dead)
		return;
	target_unpark(t);
	r = attach(t, prm, &c, &v);
	if (!r)
		r = discover(t, prm, &c);
	if (r) {
		target_error(t, "attach: %s", errbuf);
		rspc_close(&c);
		if (++t->fail_streak >= 2) {
			t->dead = true;
			target_error(t, "giving up after 2 failed sessions in a row");
		}
		return;
	}
	series_add(&t->s[M_ATTACH], v);
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		enum metric m = order[k];
		double c0, w0;

		if (!(mask & MASK(m)))
			continue;
		if (m == M_MEM_X && !t->info.x_ok) {
			snprintf(t->notes[m], sizeof(t->notes[m]), "no 'x' packet (empty reply)");
			continue;
		}
		if (m == M_BP_SW && !t->z0) {
			snprintf(t->notes[m], sizeof(t->notes[m]), "not measured (Z0 kills this guest)");
			continue;
		}
		c0 = cpu_ms();
		w0 = (double)now_ns() / 1e6;
		switch (m) {
		case M_REGS: r = m_regs(t, prm, &c, &v); break;
		case M_MEM_M: case M_MEM_X: case M_MEM_TEXT: r = m_mem(t, prm, &c, m, &v); break;
		case M_BP_HW: r = m_bp(t, prm, &c, 1, &v); break;
		case M_BP_SW: r = m_bp(t, prm, &c, 0, &v); break;
		case M_STEPS: r = m_steps(t, prm, &c, &v); break;
		case M_STEP_G: r = m_step_g(t, prm, &c, &v); break;
		default: r = m_intr(t, prm, &c, &v); break;
		}
		t->client_cpu_ms[m] += cpu_ms() - c0;
		t->wall_ms[m] += (double)now_ns() / 1e6 - w0;
		if (!r) {
			series_add(&t->s[m], v);
			continue;
		}
		if (r == -EOPNOTSUPP) {
			snprintf(t->notes[m], sizeof(t->notes[m]), "%.120s", errbuf);
			continue;
		}
		target_error(t, "%s: %s", metric_info[m].name, errbuf);
		if (fatal(r)) {
			/* the stream is out of step or gone: this session is over */
			rspc_close(&c);
			if (++t->fail_streak >= 2) {
				t->dead = true;
				target_error(t, "giving up after 2 failed sessions in a row");
			}
			return;
		}
	}
	t->fail_streak = 0;
	t->info.unsolicited += c.st.unsolicited;
	c.st.unsolicited = 0;
	park(t, &c);
}

char *cmd_subst_port(const char *cmd, int port)
{
	const char *at = strstr(cmd, "{port}");
	char *out;

	if (!at)
		return strdup(cmd);
	if (asprintf(&out, "%.*s%d%s", (int)(at - cmd), cmd, port, at + 6) < 0)
		return NULL;
	return out;
}

int target_launch(struct target *t, const struct params *prm, const char *tag)
{
	char log[512], tail[600], *cmd;
	int64_t end;
	int r;

	t->port = free_port();
	cmd = cmd_subst_port(t->cmd, t->port);
	if (t->port < 0 || !cmd) {
		free(cmd);
		return -ENOMEM;
	}
	snprintf(log, sizeof(log), "%s/%s.log", prm->logdir, tag);
	fprintf(stderr, "[%s] %s\n", tag, cmd);
	r = child_start(&t->proc, cmd, "BENCH-READY", log);
	free(cmd);
	if (!r)
		r = child_wait_ready(&t->proc, 180000);
	if (r) {
		child_log_tail(&t->proc, tail, sizeof(tail));
		target_error(t, "no BENCH-READY (%s); log %s ends:\n%s", strerror(-r), log, tail);
		child_stop(&t->proc);
		t->dead = true;
		return r;
	}
	t->info.launch_ms = (t->proc.ready_ns - t->proc.start_ns) / 1000000;
	/* the port: attach once (untimed) and stay attached, so this guest rests */
	end = now_ns() + 30 * 1000000000LL;
	for (;;) {
		struct rspc c;
		double ms;

		r = attach(t, prm, &c, &ms);
		if (!r) {
			t->tid[0] = 0;
			r = discover(t, prm, &c);
		}
		if (!r) {
			park(t, &c);
			return 0;
		}
		rspc_close(&c);
		if (r != -ECONNREFUSED || now_ns() > end) {
			target_error(t, "first attach: %s", errbuf);
			target_stop(t);
			t->dead = true;
			return r;
		}
		sleep_ms(20);
	}
}

void target_free(struct target *t)
{
	for (int m = 0; m < M_COUNT; m++)
		free(t->s[m].v);
	for (int k = 0; k < 4; k++)
		free(t->attach_part[k].v);
	free(t->intr_raw.v);
	free(t->info.text_ref);
	memset(t, 0, sizeof(*t));
}

void target_stop(struct target *t)
{
	target_unpark(t);
	child_stop(&t->proc);
}
