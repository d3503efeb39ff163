/*
 * test_server.c -- the debug server's sockets on the real event loop: a
 * debugger on a socketpair (packets split and batched, Ctrl-C, D, vanishing,
 * the machine ending under it), one debugger at a time on TCP, and the Unix
 * socket (mode 0600, stale file replaced, symlink refused, removed at exit).
 * The machine is the in-memory fake of fake_target.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "test.h"
#include "fake_target.h"
#include "config.h"
#include "core/event.h"
#include "gdb/server.h"

/* The fake machine: touched only on the event thread (see snap()). */
static struct fake_target FT;

struct on_event_thread {
	void (*fn)(void *arg);
	void *arg;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

static void run_here(void *opaque)
{
	struct on_event_thread *c = opaque;

	c->fn(c->arg);
	pthread_mutex_lock(&c->lock);
	c->done = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Run fn on the event thread (the server's owner) and wait for it. */
static void on_event_thread(void (*fn)(void *arg), void *arg)
{
	struct on_event_thread c = { fn, arg, PTHREAD_MUTEX_INITIALIZER,
				     PTHREAD_COND_INITIALIZER, false };

	CHECK_EQ(event_call(run_here, &c), 0);
	pthread_mutex_lock(&c.lock);
	while (!c.done)
		pthread_cond_wait(&c.cond, &c.lock);
	pthread_mutex_unlock(&c.lock);
}

static bool event_started;

static void start_events(void)
{
	if (event_started)
		return;
	CHECK_EQ(event_init(), 0);
	CHECK_EQ(event_start(), 0);
	event_started = true;
}

static void notify_server(void *arg)
{
	gdb_server_stopped();
}

static int attach_fd_arg, attach_result;

static void do_attach(void *arg)
{
	attach_result = gdb_server_attach_fd(&fake_ops, &FT, attach_fd_arg);
}

static void do_stop_server(void *arg)
{
	gdb_server_stop();
}

static void do_exit_server(void *arg)
{
	gdb_server_exit(60);
}

static int start_result;

static void do_start_server(void *arg)
{
	start_result = gdb_server_start(&fake_ops, &FT);
}

/* Read from fd until `want` appears or 5 s pass; the bytes read (static). */
static const char *read_until(int fd, const char *want)
{
	static char buf[65536];
	size_t o = 0;

	buf[0] = 0;
	while (!strstr(buf, want) && o < sizeof(buf) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			break;
		n = read(fd, buf + o, sizeof(buf) - 1 - o);
		if (n <= 0)
			break;
		o += (size_t)n;
		buf[o] = 0;
	}
	return buf;
}

/* True if the peer closed fd within 5 s. */
static bool sees_eof(int fd)
{
	char c;
	struct pollfd p = { fd, POLLIN, 0 };

	for (;;) {
		if (poll(&p, 1, 5000) <= 0)
			return false;
		ssize_t n = read(fd, &c, 1);

		if (n == 0)
			return true;
		if (n < 0)
			return errno == ECONNRESET;
	}
}

/* True if the peer closed fd within ms (an end of file, not a reset). */
static bool sees_clean_eof_within(int fd, int ms)
{
	char buf[256];
	struct pollfd p = { fd, POLLIN, 0 };

	for (;;) {
		if (poll(&p, 1, ms) <= 0)
			return false;
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n == 0)
			return true;
		if (n < 0)
			return false;
	}
}

static bool sees_clean_eof(int fd)
{
	return sees_clean_eof_within(fd, 5000);
}

/*
 * The fake and the server belong to the event thread: the test thread looks
 * at them only through a snapshot taken there (and sets them up there).
 */
static struct {
	bool connected;
	int stops, resumes, detaches, kills;
} SNAP;

static void do_snap(void *arg)
{
	SNAP.connected = gdb_server_connected();
	SNAP.stops = FT.stops;
	SNAP.resumes = FT.resumes;
	SNAP.detaches = FT.detaches;
	SNAP.kills = FT.kills;
}

static void snap(void)
{
	on_event_thread(do_snap, NULL);
}

static void do_fake_init(void *arg)
{
	fake_init(&FT, *(int *)arg);
	FT.notify = notify_server;
}

static void server_fake(int ncpus)
{
	on_event_thread(do_fake_init, &ncpus);
}

/* The server hangs up on the event thread: give it time to finish. */
static void wait_disconnected(void)
{
	for (int i = 0; i < 500; i++) {
		snap();
		if (!SNAP.connected)
			return;
		usleep(10000);
	}
}

static void put(int fd, const char *s)
{
	CHECK_EQ(write(fd, s, strlen(s)), (long)strlen(s));
}

TEST(server_on_socketpair)
{
	int sv[2];

	start_events();
	server_fake(2);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	attach_fd_arg = sv[0];
	on_event_thread(do_attach, NULL);
	CHECK_EQ(attach_result, 0);
	snap();
	CHECK(SNAP.connected);
	CHECK_EQ(SNAP.stops, 1);

	/* Two packets in one write, the second split across writes. */
	put(sv[1], "+$?#3f$qfThr");
	put(sv[1], "eadInfo#bb");
	CHECK(strstr(read_until(sv[1], "$m1,2#"), "+$T02thread:1;core:0;#22"));
	put(sv[1], "$m1000,4#8e");
	CHECK(strstr(read_until(sv[1], "#"), "$00070e15#"));
	put(sv[1], "$QStartNoAckMode#b0");
	CHECK(strstr(read_until(sv[1], "$OK#9a"), "+$OK#9a"));
	put(sv[1], "$qC#b4");
	CHECK_STR(read_until(sv[1], "#"), "$QC1#c5");

	/* Run, then Ctrl-C: the stop reply comes from gdb_server_stopped. */
	put(sv[1], "$c#63");
	put(sv[1], "\x03");
	CHECK_STR(read_until(sv[1], "#"), "$T02thread:1;core:0;#22");
	snap();
	CHECK_EQ(SNAP.stops, 2);

	put(sv[1], "$D#44");
	CHECK_STR(read_until(sv[1], "#"), "$OK#9a");
	CHECK(sees_eof(sv[1]));
	wait_disconnected();
	CHECK(!SNAP.connected);
	CHECK_EQ(SNAP.detaches, 1);
	close(sv[1]);

	/* The machine ends while a debugger waits in `continue`: W, then EOF. */
	server_fake(1);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	attach_fd_arg = sv[0];
	on_event_thread(do_attach, NULL);
	CHECK_EQ(attach_result, 0);
	put(sv[1], "$c#63");
	CHECK_STR(read_until(sv[1], "+"), "+");
	on_event_thread(do_exit_server, NULL);
	CHECK_STR(read_until(sv[1], "#"), "$W3c#ed");
	CHECK(sees_eof(sv[1]));
	snap();
	CHECK(!SNAP.connected);
	CHECK_EQ(SNAP.detaches, 0);
	close(sv[1]);

	/* A debugger that just vanishes: detached. */
	server_fake(1);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	attach_fd_arg = sv[0];
	on_event_thread(do_attach, NULL);
	CHECK_EQ(attach_result, 0);
	put(sv[1], "$c#63");
	close(sv[1]);
	wait_disconnected();
	CHECK(!SNAP.connected);
	CHECK_EQ(SNAP.detaches, 1);
	CHECK_EQ(SNAP.resumes, 1);
}

static int connect_tcp(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A free TCP port on 127.0.0.1 (racy in theory; fine for a test). */
static unsigned free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

TEST(server_tcp_one_debugger_at_a_time)
{
	char port[16];
	unsigned p = free_port();
	int a, b;

	start_events();
	server_fake(1);
	config_reset();
	snprintf(port, sizeof(port), "%u", p);
	CHECK_EQ(config_set("gdb.port", port), 0);
	on_event_thread(do_start_server, NULL);
	CHECK_EQ(start_result, 0);

	a = connect_tcp(p);
	CHECK(a >= 0);
	put(a, "$?#3f");
	CHECK_STR(read_until(a, "#22"), "+$T02thread:1;core:0;#22");
	/*
	 * Refused: its first packet (split across writes, another one behind
	 * it) gets an error reply with the reason, then a clean end of file --
	 * no reset, although it sent more than was read for the answer.
	 */
	b = connect_tcp(p);
	CHECK(b >= 0);
	put(b, "+$qSupported:multipro");
	usleep(20000);
	put(b, "cess+#c6$?#3f");
	CHECK(strstr(read_until(b, "detaches#"),
		     "+$E.hyve: another debugger is attached (one at a time); "
		     "try again when it detaches#"));
	CHECK(sees_clean_eof(b));
	close(b);
	/* one that connects and says nothing is hung up on too, after a while */
	b = connect_tcp(p);
	CHECK(b >= 0 && sees_clean_eof_within(b, 8000));
	close(b);
	put(a, "$qC#b4");			/* the first one carries on */
	CHECK_STR(read_until(a, "#c5"), "+$QC1#c5");
	close(a);
	wait_disconnected();
	CHECK_EQ(SNAP.detaches, 1);

	b = connect_tcp(p);			/* the next debugger is welcome */
	CHECK(b >= 0);
	put(b, "$qC#b4");
	CHECK_STR(read_until(b, "#c5"), "+$QC1#c5");
	on_event_thread(do_stop_server, NULL);
	CHECK(sees_eof(b));
	close(b);
	CHECK(connect_tcp(p) < 0);		/* no longer listening */
	config_reset();
}

TEST(server_unix_socket)
{
	char dir[] = "/tmp/hyve-test-XXXXXX", path[128], link[140];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	start_events();
	server_fake(1);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/gdb.sock", dir);
	snprintf(link, sizeof(link), "%s/link.sock", dir);
	config_reset();

	/* A symlink at the path is refused. */
	CHECK_EQ(symlink(path, link), 0);
	CHECK_EQ(config_set("gdb.unix", link), 0);
	on_event_thread(do_start_server, NULL);
	CHECK_EQ(start_result, -ELOOP);
	unlink(link);

	/* A stale socket file is replaced; the new one is private. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	CHECK_EQ(config_set("gdb.unix", path), 0);
	on_event_thread(do_start_server, NULL);
	CHECK_EQ(start_result, 0);
	CHECK_EQ(lstat(path, &st), 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0600);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	put(fd, "$qfThreadInfo#bb");
	CHECK_STR(read_until(fd, "#"), "+$m1#9e");
	put(fd, "$k#6b");
	CHECK(sees_eof(fd));
	close(fd);
	wait_disconnected();
	CHECK_EQ(SNAP.kills, 1);
	CHECK_EQ(SNAP.detaches, 0);

	on_event_thread(do_stop_server, NULL);
	CHECK(lstat(path, &st) < 0);		/* removed at shutdown */
	rmdir(dir);
	config_reset();
}

TEST_MAIN()
