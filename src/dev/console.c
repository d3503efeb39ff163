/* console.c -- host terminal raw mode, output destinations, Ctrl-A escape; see console.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "dev/console.h"
#include "util.h"

/*
 * The saved terminal state.  Written once at start-up (console_raw_init, main
 * thread, before any other thread reads the terminal); raw_fd is taken with an
 * atomic exchange on restore so that the atexit handler, devices_exit and a
 * second call never restore twice or race each other.
 */
static struct termios saved;
static int raw_fd = -1;
static bool atexit_done;

void console_restore(void)
{
	int fd = __atomic_exchange_n(&raw_fd, -1, __ATOMIC_SEQ_CST);

	if (fd >= 0)
		tcsetattr(fd, TCSADRAIN, &saved);
}

static void restore_at_exit(void)
{
	console_restore();
}

bool console_is_raw(void)
{
	return __atomic_load_n(&raw_fd, __ATOMIC_SEQ_CST) >= 0;
}

int console_raw_init(int fd)
{
	struct termios t;

	if (!isatty(fd))
		return 0;
	if (console_is_raw())
		return 1;
	/* In the background, tcsetattr and read would stop us (SIGTTOU/SIGTTIN). */
	if (tcgetpgrp(fd) != getpgrp())
		return -EBUSY;
	if (tcgetattr(fd, &saved) < 0)
		return -errno;
	t = saved;
	cfmakeraw(&t);
	/* Keep "\n" -> "\r\n" so hyve's own messages (and a guest that sends bare
	 * "\n") stay readable; the rest is raw: Ctrl-C goes to the guest. */
	t.c_oflag |= OPOST | ONLCR;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!atexit_done) {
		if (atexit(restore_at_exit))
			return -ENOMEM;
		atexit_done = true;
	}
	if (tcsetattr(fd, TCSADRAIN, &t) < 0)
		return -errno;
	__atomic_store_n(&raw_fd, fd, __ATOMIC_SEQ_CST);
	return 1;
}

int console_open_output(const char *spec, const char *what)
{
	const char *path;
	int fd;

	if (!spec || !strcmp(spec, "none"))
		return -1;
	if (!strcmp(spec, "stdio"))
		return STDOUT_FILENO;
	if (strncmp(spec, "file:", 5) || !spec[5]) {
		log_err("%s: '%s' is not stdio, file:PATH or none", what, spec);
		return -EINVAL;
	}
	path = spec + 5;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;

		log_err("%s: cannot open %s: %s", what, path, strerror(e));
		return -e;
	}
	return fd;
}

void console_close_output(int fd)
{
	if (fd > STDERR_FILENO)
		close(fd);
}

int console_write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	if (fd < 0)
		return 0;
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* Someone made the terminal non-blocking: wait for room. */
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				poll(&pfd, 1, 1000);
				continue;
			}
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

size_t console_escape(struct console_esc *e, const uint8_t *in, size_t n,
		      uint8_t *out, bool *quit)
{
	size_t o = 0;

	*quit = false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];

		if (!e->pending) {
			if (c == CONSOLE_ESC_CHAR)
				e->pending = true;
			else
				out[o++] = c;
			continue;
		}
		e->pending = false;
		if (c == 'x' || c == 'X') {
			*quit = true;
			return o;
		}
		/* Ctrl-A Ctrl-A: one Ctrl-A; anything else passes through with it. */
		out[o++] = CONSOLE_ESC_CHAR;
		if (c != CONSOLE_ESC_CHAR)
			out[o++] = c;
	}
	return o;
}
