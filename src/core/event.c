/*
 * event.c -- the one event thread: epoll over registered fds, plus an eventfd
 * through which other threads queue calls to run here (so state owned by the
 * event thread is only ever touched by it).
 */
#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "arch/arch.h"
#include "core/event.h"
#include "util.h"

struct handler {
	int fd;
	event_fn fn;
	void *opaque;
	struct handler *next;
};

static int epfd = -1;
static int wakefd = -1;
static pthread_t thread;
static bool running;

/* Guarded by lock: the handler list (read on the event thread, written by anyone)
 * and the queue of calls. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct handler *handlers, *graveyard;
static struct event_work *calls, **calls_tail = &calls;
static bool stopping;
/* A call is queued: written under lock, read without it by the spin. */
static int calls_queued;

/* Event thread only: wait awake for a call until then (0: do not). */
static int64_t spin_until;
/* Event thread only: poll the fds without sleeping until then (0: do not). */
static int64_t poll_until;
static bool spin_allowed;
/* The event thread is waiting awake: a new call needs no wakeup write. */
static int spinning;

int event_init(void)
{
	struct epoll_event ev = { .events = EPOLLIN };

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (wakefd < 0)
		return -errno;
	ev.data.ptr = NULL;	/* NULL marks the wakeup fd */
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, wakefd, &ev) < 0)
		return -errno;
	return 0;
}

int event_add(int fd, uint32_t events, event_fn fn, void *opaque)
{
	struct handler *h = calloc(1, sizeof(*h));
	struct epoll_event ev = { .events = events };

	if (!h)
		return -ENOMEM;
	h->fd = fd;
	h->fn = fn;
	h->opaque = opaque;
	ev.data.ptr = h;
	pthread_mutex_lock(&lock);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		pthread_mutex_unlock(&lock);
		free(h);
		return err;
	}
	h->next = handlers;
	handlers = h;
	pthread_mutex_unlock(&lock);
	return 0;
}

static struct handler *lookup(int fd)
{
	for (struct handler *h = handlers; h; h = h->next)
		if (h->fd == fd)
			return h;
	return NULL;
}

int event_mod(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	int r = 0;

	pthread_mutex_lock(&lock);
	ev.data.ptr = lookup(fd);
	if (!ev.data.ptr)
		r = -ENOENT;
	else if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		r = -errno;
	pthread_mutex_unlock(&lock);
	return r;
}

/*
 * A deleted handler goes to the graveyard and is freed by the event thread at
 * the end of its current round, so a dispatch in progress never sees freed memory.
 */
int event_del(int fd)
{
	struct handler **pp, *h = NULL;

	pthread_mutex_lock(&lock);
	for (pp = &handlers; *pp; pp = &(*pp)->next) {
		if ((*pp)->fd == fd) {
			h = *pp;
			*pp = h->next;
			break;
		}
	}
	if (h) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
		h->fn = NULL;
		h->next = graveyard;
		graveyard = h;
	}
	pthread_mutex_unlock(&lock);
	return h ? 0 : -ENOENT;
}

/* Queue c; `heap`: free it after it ran. */
static int queue_work(struct event_work *c, bool heap)
{
	uint64_t one = 1;
	bool awake;

	pthread_mutex_lock(&lock);
	if (c->queued) {
		pthread_mutex_unlock(&lock);
		return 0;
	}
	c->queued = true;
	c->heap = heap;
	c->next = NULL;
	*calls_tail = c;
	calls_tail = &c->next;
	__atomic_store_n(&calls_queued, 1, __ATOMIC_SEQ_CST);
	/*
	 * A spinning event thread sees the call without the write.  Before it
	 * sleeps it clears `spinning` and then looks at calls_queued: of this
	 * store-then-load and ours, one sees the other (all seq_cst).
	 */
	awake = __atomic_load_n(&spinning, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&lock);
	if (!awake && write(wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

int event_call(void (*fn)(void *opaque), void *opaque)
{
	struct event_work *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->fn = fn;
	c->opaque = opaque;
	return queue_work(c, true);
}

int event_post(struct event_work *w)
{
	return queue_work(w, false);
}

static struct event_work *idle_works;	/* event thread only */

void event_post_idle(struct event_work *w)
{
	if (w->queued)
		return;
	w->queued = true;
	w->next = idle_works;
	idle_works = w;
}

/* Run what waits for the thread to be idle; false if there was nothing. */
static bool run_idle(void)
{
	struct event_work *w = idle_works;

	if (!w)
		return false;
	idle_works = NULL;
	while (w) {
		struct event_work *next = w->next;

		w->queued = false;
		w->fn(w->opaque);
		w = next;
	}
	return true;
}

/* Run the queued calls; `drain` also resets the wakeup fd (after epoll). */
static void run_calls(bool drain)
{
	uint64_t v;
	struct event_work *c;

	if (drain && read(wakefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	for (;;) {
		pthread_mutex_lock(&lock);
		c = calls;
		if (c) {
			calls = c->next;
			if (!calls)
				calls_tail = &calls;
			c->queued = false;	/* may be posted again from now on */
		}
		if (!calls)
			__atomic_store_n(&calls_queued, 0, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&lock);
		if (!c)
			return;
		bool heap = c->heap;	/* a posted one may be reposted during fn */

		c->fn(c->opaque);
		if (heap)
			free(c);
	}
}

void event_allow_spin(bool on)
{
	__atomic_store_n(&spin_allowed, on, __ATOMIC_RELAXED);
}

void event_expect_call(int64_t max_ns)
{
	if (__atomic_load_n(&spin_allowed, __ATOMIC_RELAXED))
		spin_until = now_ns() + max_ns;
}

void event_poll_for(int64_t max_ns)
{
	if (__atomic_load_n(&spin_allowed, __ATOMIC_RELAXED))
		poll_until = now_ns() + max_ns;
}

/* Run the queued calls without sleeping: the poster may still hold the lock. */
static void take_calls(void)
{
	while (pthread_mutex_trylock(&lock))
		cpu_relax();
	pthread_mutex_unlock(&lock);
	run_calls(false);
}

/*
 * epoll_wait, but awake while a call is expected or a poll window is open:
 * queued calls run as soon as they are seen, fds are polled with a zero
 * timeout.  While `spinning` is set, posters skip the wakeup write, so it is
 * cleared (and the queue looked at again) before the thread may sleep.
 */
static int wait_events(struct epoll_event *evs, int max)
{
	for (;;) {
		int64_t until = spin_until > poll_until ? spin_until : poll_until;
		int n;

		if (__atomic_load_n(&calls_queued, __ATOMIC_SEQ_CST)) {
			take_calls();
			spin_until = 0;		/* the expected call came */
			return 0;		/* a round: the loop looks at `stopping` */
		}
		if (!until || now_ns() >= until) {
			if (run_idle())
				return 0;	/* a round: it may have queued more */
			spin_until = poll_until = 0;
			__atomic_store_n(&spinning, 0, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&calls_queued, __ATOMIC_SEQ_CST))
				continue;	/* posted without a write meanwhile */
			return epoll_wait(epfd, evs, max, -1);
		}
		__atomic_store_n(&spinning, 1, __ATOMIC_SEQ_CST);
		n = epoll_wait(epfd, evs, max, 0);
		if (n)
			return n;
		/*
		 * The debugger may share this CPU (its other one runs the vCPU):
		 * a spinner that kept the CPU would hold back the very packet
		 * it waits for.  With nothing else runnable this returns at once.
		 */
		sched_yield();
	}
}

static event_fn handler_fn(struct handler *h)
{
	event_fn fn;

	pthread_mutex_lock(&lock);
	fn = h->fn;
	pthread_mutex_unlock(&lock);
	return fn;
}

static void free_graveyard(void)
{
	struct handler *h;

	pthread_mutex_lock(&lock);
	h = graveyard;
	graveyard = NULL;
	pthread_mutex_unlock(&lock);
	while (h) {
		struct handler *next = h->next;

		free(h);
		h = next;
	}
}

static void *loop(void *arg)
{
	struct epoll_event evs[16];

	for (;;) {
		int n = wait_events(evs, 16);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("event loop: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			struct handler *h = evs[i].data.ptr;

			if (!h) {
				run_calls(true);
				continue;
			}
			/* an earlier callback of this round may have deleted it */
			event_fn fn = handler_fn(h);

			if (fn)
				fn(h->fd, evs[i].events, h->opaque);
		}
		free_graveyard();
		pthread_mutex_lock(&lock);
		if (stopping) {
			pthread_mutex_unlock(&lock);
			run_idle();
			return NULL;
		}
		pthread_mutex_unlock(&lock);
	}
}

pthread_t event_thread_id(void)
{
	return thread;
}

int event_start(void)
{
	int r = pthread_create(&thread, NULL, loop, NULL);

	if (r)
		return -r;
	running = true;
	return 0;
}

static void stop_cb(void *opaque)
{
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_mutex_unlock(&lock);
}

void event_stop(void)
{
	if (!running)
		return;
	if (pthread_equal(pthread_self(), thread)) {
		stop_cb(NULL);
		return;
	}
	event_call(stop_cb, NULL);
	pthread_join(thread, NULL);
	running = false;
}
