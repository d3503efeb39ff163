/*
 * server.c -- the debug server's sockets on the event thread: listen (TCP
 * or Unix), accept one debugger at a time, move bytes between its socket
 * and its gdb_session.  Never blocks: output the socket cannot take now
 * stays queued in the session and goes out on EPOLLOUT.
 *
 * All state below belongs to the event thread (see server.h for the two
 * exceptions, which run while it does not touch the server).
 */
#include <errno.h>
#include <stdarg.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "core/event.h"
#include "gdb/rsp.h"
#include "gdb/server.h"
#include "gdb/session.h"
#include "util.h"

/* How long the event thread polls for the next packet before it sleeps. */
#define POLL_AFTER_PACKET_NS	100000
/* Stop reading from a debugger that does not read its replies beyond this. */
#define OUT_HIGH_WATER	(4u << 20)

static struct {
	const struct gdb_target_ops *ops;
	void *target;
	int listen_fd;
	char *unix_path;	/* to unlink at shutdown */

	int conn_fd;
	struct gdb_session *sess;
	uint32_t conn_events;	/* the epoll mask in force for conn_fd */
	/*
	 * Inside the session (feeding it, attaching): ops->stop() may call
	 * gdb_server_stopped() right back, which must then leave the socket
	 * alone; the outer caller flushes (and closes) when the session returns.
	 */
	bool busy;
	/* the connections' log lines, written when the event thread idles */
	char log[512];
	size_t log_len;
	struct event_work log_work;
} srv = { .listen_fd = -1, .conn_fd = -1 };

/* "ADDR:PORT" ("[v6]:PORT") of a socket address, or "a Unix socket". */
static void describe(const struct sockaddr *sa, socklen_t len, char *buf, size_t cap)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (sa->sa_family == AF_UNIX ||
	    getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(buf, cap, "%s", sa->sa_family == AF_UNIX ? "a Unix socket" : "?");
		return;
	}
	snprintf(buf, cap, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return sa->sa_family == AF_UNIX;
}

/* ---- the connection ---- */

/* Write the connection lines held back so far (each ends in a newline). */
static void log_flush(void *opaque)
{
	size_t at = 0;

	while (at < srv.log_len) {
		char *line = srv.log + at, *nl = memchr(line, '\n', srv.log_len - at);

		if (!nl)
			break;
		*nl = '\0';
		log_info("debug server: %s", line);
		at = (size_t)(nl - srv.log) + 1;
	}
	srv.log_len = 0;
}

/*
 * A connection's log line: held back until the event thread idles, so that
 * its write (which wakes the log's reader) does not come between the
 * debugger's packets and their answers.  In order with each other.
 */
static void PRINTF(1, 2) log_conn(const char *fmt, ...)
{
	va_list ap;
	int n;

	for (int tries = 0; tries < 2; tries++) {
		size_t room = sizeof(srv.log) - srv.log_len;

		va_start(ap, fmt);
		n = vsnprintf(srv.log + srv.log_len, room, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n + 1 < room) {
			srv.log[srv.log_len + (size_t)n] = '\n';
			srv.log_len += (size_t)n + 1;
			srv.log_work.fn = log_flush;
			event_post_idle(&srv.log_work);
			return;
		}
		log_flush(NULL);	/* full: write what is there first */
	}
}

static void conn_close(const char *why)
{
	if (!srv.sess)
		return;
	/*
	 * Detach (guest runs on, breakpoints removed) unless D or k ended it;
	 * before the hang-up, so a debugger that sees EOF finds it done.
	 */
	gdb_session_closed(srv.sess);
	gdb_session_free(srv.sess);
	srv.sess = NULL;
	event_del(srv.conn_fd);
	close(srv.conn_fd);
	srv.conn_fd = -1;
	log_conn("debugger %s", why);
}

/* Write what the socket takes; 0, or -errno if the connection is broken. */
static int conn_flush(void)
{
	struct rsp_buf *out = gdb_session_output(srv.sess);

	while (out->len) {
		ssize_t n = send(srv.conn_fd, out->data, out->len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			rsp_buf_consume(out, (size_t)n);
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 0;
		} else {
			return n < 0 ? -errno : -EPIPE;
		}
	}
	return 0;
}

/* After the session had its say: send, hang up if it asked, watch the right events. */
static void conn_service(void)
{
	struct rsp_buf *out;
	uint32_t ev;
	int r;

	if (!srv.sess)
		return;
	r = conn_flush();
	if (r) {
		conn_close(r == -EPIPE || r == -ECONNRESET ? "disconnected" : "connection failed");
		return;
	}
	out = gdb_session_output(srv.sess);
	if (gdb_session_want_close(srv.sess) && !out->len) {
		conn_close("ended the session");
		return;
	}
	ev = EPOLLRDHUP;
	if (out->len < OUT_HIGH_WATER && !gdb_session_want_close(srv.sess))
		ev |= EPOLLIN;
	if (out->len)
		ev |= EPOLLOUT;
	if (ev != srv.conn_events && !event_mod(srv.conn_fd, ev))
		srv.conn_events = ev;
}

static void on_conn(int fd, uint32_t events, void *opaque)
{
	static uint8_t buf[16384];

	if (!srv.sess || fd != srv.conn_fd)
		return;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		while (srv.sess && !gdb_session_want_close(srv.sess)) {
			ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (n > 0) {
				srv.busy = true;
				gdb_session_feed(srv.sess, buf, (size_t)n);
				srv.busy = false;
				if (gdb_session_output(srv.sess)->len >= OUT_HIGH_WATER)
					break;
				/* a short read emptied the socket: skip the recv that
				 * would only say EAGAIN (epoll is level-triggered) */
				if ((size_t)n < sizeof(buf))
					break;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			/* EOF or error: flush what we can (harmless if it fails) and go. */
			conn_flush();
			conn_close("disconnected");
			return;
		}
	}
	conn_service();
	/* the debugger's next packet usually follows within microseconds */
	event_poll_for(POLL_AFTER_PACKET_NS);
}

static int conn_open(int fd, const char *peer)
{
	struct gdb_session *s = gdb_session_new(srv.ops, srv.target);
	int r;

	if (!s) {
		log_err("debug server: cannot start a session for %s", peer);
		close(fd);
		return -ENOMEM;
	}
	srv.sess = s;
	srv.conn_fd = fd;
	srv.conn_events = EPOLLIN | EPOLLRDHUP;
	r = event_add(fd, srv.conn_events, on_conn, NULL);
	if (r) {
		log_err("debug server: cannot watch the connection: %s", strerror(-r));
		gdb_session_free(s);
		srv.sess = NULL;
		srv.conn_fd = -1;
		close(fd);
		return r;
	}
	/* held back until the event thread idles, like the other connection lines */
	log_conn("debugger connected from %s", peer);
	/*
	 * The debugger's first packet (qSupported) has usually arrived by now:
	 * answer it before the rest, which the debugger need not wait for.
	 */
	on_conn(fd, EPOLLIN, NULL);
	if (srv.sess != s)
		return 0;	/* it hung up at once */
	/* A debugger attaching stops the machine; `?` waits for that. */
	srv.busy = true;
	gdb_session_attach(s);
	srv.busy = false;
	conn_service();
	return 0;
}

int gdb_server_attach_fd(const struct gdb_target_ops *ops, void *target, int fd)
{
	if (srv.sess) {
		close(fd);
		return -EBUSY;
	}
	srv.ops = ops;
	srv.target = target;
	return conn_open(fd, "a given socket");
}

void gdb_server_stopped(void)
{
	if (!srv.sess)
		return;
	gdb_session_stopped(srv.sess);
	if (!srv.busy)
		conn_service();
}

bool gdb_server_console(const char *text, size_t len)
{
	if (!srv.sess || !gdb_session_console(srv.sess, text, len))
		return false;
	if (!srv.busy)
		conn_service();
	return true;
}

bool gdb_server_connected(void)
{
	return srv.sess != NULL;
}

/* ---- refused debuggers ---- */

/*
 * A debugger that connects while another is attached is told why before it
 * is hung up: an error reply with text (E.errtext, which gdb prints) to its
 * first packet -- a reply sent before it asked would be taken for a stale
 * one and dropped.  Then our side is shut and what it still sends is read
 * until it closes: closing a socket with unread bytes resets the
 * connection, and gdb would print "Broken pipe" instead of the message.
 * One that sends nothing is hung up on after REFUSE_WAIT_S.
 */
#define REFUSED_MAX	4
#define REFUSE_WAIT_S	5

static const char refuse_msg[] =
	"E.hyve: another debugger is attached (one at a time); try again when it detaches";

static struct refused {
	int fd, timer;		/* -1: slot free */
	int scan;		/* 0 before '$', 1 in a packet, 2-3 its checksum */
	bool answered;
} refused[REFUSED_MAX] = { [0 ... REFUSED_MAX - 1] = { .fd = -1, .timer = -1 } };

static void refused_close(struct refused *r)
{
	event_del(r->fd);
	close(r->fd);
	if (r->timer >= 0) {
		event_del(r->timer);
		close(r->timer);
	}
	r->fd = r->timer = -1;
}

/* Has the first whole packet arrived in these bytes (the scan goes on across reads)? */
static bool refused_scan(struct refused *r, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r->scan == 0 && b[i] == '$')
			r->scan = 1;
		else if (r->scan == 1 && b[i] == '#')
			r->scan = 2;
		else if (r->scan >= 2 && ++r->scan == 4)
			return true;
	}
	return false;
}

static void refused_answer(struct refused *r)
{
	uint8_t pkt[2 * sizeof(refuse_msg) + 8];
	int len;

	pkt[0] = '+';		/* its packet arrived intact */
	len = rsp_encode(pkt + 1, sizeof(pkt) - 1, refuse_msg, strlen(refuse_msg));
	if (len > 0)
		(void)!send(r->fd, pkt, (size_t)len + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(r->fd, SHUT_WR);
	r->answered = true;
}

static void on_refused(int fd, uint32_t events, void *opaque)
{
	struct refused *r = opaque;
	uint8_t buf[4096];

	if (fd != r->fd)
		return;		/* closed earlier in this round */
	for (;;) {
		ssize_t n = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0) {
			if (!r->answered && refused_scan(r, buf, (size_t)n))
				refused_answer(r);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		refused_close(r);	/* it hung up (or the socket failed) */
		return;
	}
}

static void on_refused_timer(int fd, uint32_t events, void *opaque)
{
	struct refused *r = opaque;

	if (fd == r->timer)
		refused_close(r);
}

/* Take on a refused connection; closed at once if there is no room (or no timer). */
static void refuse(int c)
{
	struct itimerspec its = { .it_value.tv_sec = REFUSE_WAIT_S };
	struct refused *r = NULL;

	for (int i = 0; i < REFUSED_MAX && !r; i++)
		if (refused[i].fd < 0)
			r = &refused[i];
	if (!r) {
		close(c);
		return;
	}
	r->fd = c;
	r->scan = 0;
	r->answered = false;
	r->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (r->timer < 0 || timerfd_settime(r->timer, 0, &its, NULL) ||
	    event_add(r->timer, EPOLLIN, on_refused_timer, r)) {
		if (r->timer >= 0)
			close(r->timer);
		r->timer = -1;
		close(c);
		r->fd = -1;
		return;
	}
	if (event_add(c, EPOLLIN | EPOLLRDHUP, on_refused, r))
		refused_close(r);
	else
		on_refused(c, EPOLLIN, r);	/* its first packet may be here already */
}

/* ---- listening ---- */

static void on_listen(int fd, uint32_t events, void *opaque)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		char peer[INET6_ADDRSTRLEN + 16];
		int one = 1;
		int c = accept4(fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("debug server: accept: %s", strerror(errno));
			return;
		}
		describe((struct sockaddr *)&ss, len, peer, sizeof(peer));
		if (srv.sess) {
			/* One debugger at a time; the connected one does not notice. */
			log_conn("refused a second debugger from %s", peer);
			refuse(c);
			continue;
		}
		if (ss.ss_family != AF_UNIX)
			setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		conn_open(c, peer);
		return;		/* the debugger waits: no accept that finds nothing */
	}
}

static int listen_tcp(const char *addr, unsigned port, char *desc, size_t cap)
{
	struct addrinfo hints, *res, *ai;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char portstr[8];
	int fd = -1, r = -EADDRNOTAVAIL, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%u", port);
	r = getaddrinfo(addr, portstr, &hints, &res);
	if (r) {
		log_err("debug server: cannot resolve %s: %s", addr, gai_strerror(r));
		return -EINVAL;
	}
	r = -EADDRNOTAVAIL;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			r = -errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 4))
			break;
		r = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		log_err("debug server: cannot listen on %s:%u: %s", addr, port, strerror(-r));
		return r;
	}
	/* Say where we really are (port 0 picked one; a name resolved to an address). */
	if (getsockname(fd, (struct sockaddr *)&ss, &len)) {
		r = -errno;
		close(fd);
		return r;
	}
	describe((struct sockaddr *)&ss, len, desc, cap);
	if (!is_loopback((struct sockaddr *)&ss))
		log_warn("debug server on %s is reachable from the network: "
			 "anyone who connects controls the guest", desc);
	return fd;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int fd, r;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("debug server: socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	if (!lstat(path, &st)) {
		if (S_ISLNK(st.st_mode)) {
			log_err("debug server: %s is a symbolic link: refusing to use it", path);
			return -ELOOP;
		}
		if (!S_ISSOCK(st.st_mode)) {
			log_err("debug server: %s exists and is not a socket", path);
			return -EEXIST;
		}
		/* A socket file: in use by a live server, or left over by a dead one. */
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
			close(fd);
			if (!r) {
				log_err("debug server: %s is in use by another program", path);
				return -EADDRINUSE;
			}
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Nobody else may connect, not even in the instant before chmod. */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (!r)
		r = chmod(path, 0600);
	if (!r)
		r = listen(fd, 4);
	if (r) {
		r = -errno;
		log_err("debug server: cannot listen on %s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	return fd;
}

int gdb_server_start(const struct gdb_target_ops *ops, void *target)
{
	const char *path = config_str("gdb.unix");
	char desc[INET6_ADDRSTRLEN + 16];
	int fd, r;

	if (!path && !config_str("gdb.port"))
		return 0;
	if (srv.listen_fd >= 0)
		return -EBUSY;
	srv.ops = ops;
	srv.target = target;
	if (path) {
		if (config_str("gdb.port"))
			log_warn("debug server: gdb.unix is set, gdb.port is ignored");
		fd = listen_unix(path);
		if (fd >= 0) {
			srv.unix_path = strdup(path);
			if (!srv.unix_path) {
				close(fd);
				unlink(path);
				return -ENOMEM;
			}
		}
	} else {
		fd = listen_tcp(config_str("gdb.address"), (unsigned)config_uint("gdb.port"),
				desc, sizeof(desc));
	}
	if (fd < 0)
		return fd;
	srv.listen_fd = fd;
	r = event_add(fd, EPOLLIN, on_listen, NULL);
	if (r) {
		log_err("debug server: cannot watch the listening socket: %s", strerror(-r));
		gdb_server_stop();
		return r;
	}
	log_info("debug server listening on %s", path ? path : desc);
	if (config_bool("gdb.wait"))
		log_info("debug server: the guest waits for a debugger to let it run");
	return 0;
}

void gdb_server_stop(void)
{
	log_flush(NULL);	/* the event thread has stopped: no idle to wait for */
	if (srv.sess) {
		conn_flush();		/* best effort: e.g. the exit reply */
		event_del(srv.conn_fd);
		close(srv.conn_fd);
		srv.conn_fd = -1;
		gdb_session_free(srv.sess);
		srv.sess = NULL;
	}
	for (int i = 0; i < REFUSED_MAX; i++)
		if (refused[i].fd >= 0)
			refused_close(&refused[i]);
	if (srv.listen_fd >= 0) {
		event_del(srv.listen_fd);
		close(srv.listen_fd);
		srv.listen_fd = -1;
	}
	if (srv.unix_path) {
		unlink(srv.unix_path);
		free(srv.unix_path);
		srv.unix_path = NULL;
	}
}

void gdb_server_exit(int status)
{
	if (srv.sess) {
		gdb_session_exited(srv.sess, status);
		/* Non-blocking: a W packet fits any socket buffer; close() sends it on. */
		conn_flush();
	}
	gdb_server_stop();
}
