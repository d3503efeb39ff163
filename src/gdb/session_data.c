/*
 * session_data.c -- packets that read or change the stopped machine:
 * registers (g G p P), memory (m M x X) and breakpoints (Z z).  All go to
 * the vCPU chosen by Hg (or the one that stopped), and all are refused
 * while the machine runs: the ops table may only be used while it is stopped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gdb/ax.h"
#include "gdb/session_int.h"
#include "util.h"

/* Largest register image or hex memory read: its hex must fit in PacketSize. */
#define HEX_DATA_MAX	(RSP_PACKET_SIZE / 2)
/* Largest binary memory read ('b' + data). */
#define BIN_DATA_MAX	(RSP_PACKET_SIZE - 1)

/* Reply with the hex of n bytes of s->scratch. */
static void send_hex(struct gdb_session *s, size_t n)
{
	s->reply.len = 0;
	if (rsp_buf_put_hex(&s->reply, s->scratch, n)) {
		s->reply.len = 0;
		sess_send_err(s, -ENOMEM);
		return;
	}
	sess_send_reply(s);
}

void sess_handle_regs(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	int cpu = sess_cpu_g(s);
	const char *hex;
	size_t hexlen;
	unsigned regno;
	int r;

	if (s->running || s->stop.kind == GDB_STOP_EXITED) {
		sess_send_err(s, -EBUSY);
		return;
	}
	if (pkt[0] != 'g' && pkt[0] != 'p')
		s->gcache_cpu = -1;		/* G, P: registers change */
	switch (pkt[0]) {
	case 'g':
		if (n != 1) {
			sess_send_err(s, -EINVAL);
			return;
		}
		if (s->gcache_cpu == cpu) {	/* the same registers asked again */
			s->reply.len = 0;
			if (!rsp_buf_put(&s->reply, s->gcache.data, s->gcache.len)) {
				sess_send_reply(s);
				return;
			}
		}
		r = s->ops->read_regs(s->t, cpu, s->scratch, HEX_DATA_MAX);
		break;
	case 'G':
		r = rsp_hex_decode(s->scratch, RSP_PACKET_SIZE, (const char *)pkt + 1, n - 1);
		if (r <= 0) {
			sess_send_err(s, -EINVAL);
			return;
		}
		r = s->ops->write_regs(s->t, cpu, s->scratch, (size_t)r);
		break;
	case 'p':
		if (rsp_parse_p(pkt, n, &regno)) {
			sess_send_err(s, -EINVAL);
			return;
		}
		r = s->ops->read_reg(s->t, cpu, (int)regno, s->scratch, HEX_DATA_MAX);
		break;
	default:	/* 'P' */
		if (rsp_parse_P(pkt, n, &regno, &hex, &hexlen) ||
		    (r = rsp_hex_decode(s->scratch, RSP_PACKET_SIZE, hex, hexlen)) <= 0) {
			sess_send_err(s, -EINVAL);
			return;
		}
		r = s->ops->write_reg(s->t, cpu, (int)regno, s->scratch, (size_t)r);
		break;
	}
	if (r < 0) {
		sess_send_err(s, r);
	} else if (pkt[0] == 'g' || pkt[0] == 'p') {
		size_t len = (size_t)(r > HEX_DATA_MAX ? HEX_DATA_MAX : r);

		if (pkt[0] == 'g') {
			s->gcache.len = 0;
			s->gcache_cpu = rsp_buf_put_hex(&s->gcache, s->scratch, len) ? -1 : cpu;
		}
		send_hex(s, len);
	} else {
		sess_send_str(s, "OK");
	}
}

/* Read up to len bytes into s->scratch: bytes read (> 0), or -errno. */
static long read_mem(struct gdb_session *s, uint64_t addr, size_t len)
{
	long r = s->ops->read_mem(s->t, sess_cpu_g(s), addr, s->scratch, len);

	if (r == 0)
		return -EFAULT;		/* "nothing readable" is a fault to GDB */
	return r > (long)len ? (long)len : r;
}

/*
 * m addr,len -> hex; x addr,len -> 'b' + binary.  A read cut short by a
 * fault returns what was read (GDB asks again for the rest and gets the
 * error then); a longer read than fits a packet is cut to that size.
 */
static void mem_read(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	struct rsp_mem_args a;
	bool bin = pkt[0] == 'x';
	size_t len;
	long r;

	if ((bin ? rsp_parse_x : rsp_parse_m)(pkt, n, &a)) {
		sess_send_err(s, -EINVAL);
		return;
	}
	len = a.len > (bin ? BIN_DATA_MAX : HEX_DATA_MAX) ? (bin ? BIN_DATA_MAX : HEX_DATA_MAX)
							   : (size_t)a.len;
	if (len == 0) {
		sess_send_str(s, bin ? "b" : "");
		return;
	}
	r = read_mem(s, a.addr, len);
	if (r < 0) {
		sess_send_err(s, (int)r);
		return;
	}
	if (!bin) {
		send_hex(s, (size_t)r);
		return;
	}
	s->reply.len = 0;
	if (rsp_buf_put(&s->reply, "b", 1) || rsp_buf_put(&s->reply, s->scratch, (size_t)r)) {
		s->reply.len = 0;
		sess_send_err(s, -ENOMEM);
		return;
	}
	sess_send_reply(s);
}

/* M addr,len:hex and X addr,len:binary.  A partial write is an error. */
static void mem_write(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	struct rsp_mem_args a;
	const uint8_t *data;
	long r;

	if (pkt[0] == 'M') {
		if (rsp_parse_M(pkt, n, &a) ||
		    rsp_hex_decode(s->scratch, RSP_PACKET_SIZE, (const char *)a.data,
				   a.data_len) != (int)a.len) {
			sess_send_err(s, -EINVAL);
			return;
		}
		data = s->scratch;
	} else {
		if (rsp_parse_X(pkt, n, &a)) {
			sess_send_err(s, -EINVAL);
			return;
		}
		data = a.data;
	}
	if (a.len == 0) {		/* GDB probes X support with an empty write */
		sess_send_str(s, "OK");
		return;
	}
	r = s->ops->write_mem(s->t, sess_cpu_g(s), a.addr, data, (size_t)a.len);
	if (r < 0)
		sess_send_err(s, (int)r);
	else if ((uint64_t)r < a.len)
		sess_send_err(s, -EFAULT);
	else
		sess_send_str(s, "OK");
}

void sess_handle_mem(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	if (s->running || s->stop.kind == GDB_STOP_EXITED) {
		sess_send_err(s, -EBUSY);
		return;
	}
	if (pkt[0] == 'm' || pkt[0] == 'x')
		mem_read(s, pkt, n);
	else
		mem_write(s, pkt, n);
}

/*
 * Drop every expression of a list if one is refused: a condition list is
 * ORed (without one of them it would stop less often than asked), and
 * commands are all or nothing.  True if the list was dropped.
 */
static bool drop_unchecked(struct ax_expr *e, unsigned *n, const char **why)
{
	for (unsigned i = 0; i < *n; i++) {
		if (ax_check(e[i].code, e[i].len, why)) {
			for (unsigned j = 0; j < *n; j++)
				free(e[j].code);
			memset(e, 0, sizeof(*e) * *n);
			*n = 0;
			return true;
		}
	}
	return false;
}

/*
 * A breakpoint just inserted: hand its condition and command lists to the
 * target.  Whatever cannot be taken is not an error to gdb (see gdb/ax.h):
 * refused conditions make the breakpoint unconditional (gdb evaluates them
 * itself at each reported hit), refused commands are dropped with a log line.
 */
static void set_bp_opts(struct gdb_session *s, const struct rsp_bp_args *a)
{
	struct ax_bp_opts o;
	const char *why = "malformed";
	int r;

	if (!s->ops->bp_opts)
		return;
	r = a->opts ? ax_parse_z_opts(a->opts, a->opts_len, &o) : 0;
	if (!a->opts)
		memset(&o, 0, sizeof(o));
	if (r) {
		log_warn("debug server: Z%u at 0x%llx: cannot take its conditions and commands "
			 "(%s): unconditional", a->type, (unsigned long long)a->addr,
			 strerror(-r));
		ax_bp_opts_free(&o);
	}
	if (drop_unchecked(o.conds, &o.nconds, &why))
		log_warn("debug server: Z%u at 0x%llx: condition refused (%s): every hit is "
			 "reported", a->type, (unsigned long long)a->addr, why);
	if (drop_unchecked(o.cmds, &o.ncmds, &why))
		log_warn("debug server: Z%u at 0x%llx: commands refused (%s): dropped",
			 a->type, (unsigned long long)a->addr, why);
	r = s->ops->bp_opts(s->t, (enum gdb_bp_type)a->type, a->addr, a->kind, &o);
	if (r)
		log_warn("debug server: Z%u at 0x%llx: conditions not set (%s): unconditional",
			 a->type, (unsigned long long)a->addr, strerror(-r));
	ax_bp_opts_free(&o);
}

void sess_handle_bp(struct gdb_session *s, const uint8_t *pkt, size_t n)
{
	struct rsp_bp_args a;
	int r;

	if (rsp_parse_Z(pkt, n, &a)) {
		sess_send_err(s, -EINVAL);
		return;
	}
	if (s->running || s->stop.kind == GDB_STOP_EXITED) {
		sess_send_err(s, -EBUSY);
		return;
	}
	r = s->ops->breakpoint(s->t, a.insert, (enum gdb_bp_type)a.type, a.addr, a.kind);
	if (r == -EOPNOTSUPP)
		sess_send_str(s, "");	/* GDB falls back (e.g. to writing int3 itself) */
	else if (r < 0)
		sess_send_err(s, r);
	else {
		if (a.insert)
			set_bp_opts(s, &a);
		sess_send_str(s, "OK");
	}
}
