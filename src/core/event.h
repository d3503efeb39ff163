/*
 * event.h -- the one event thread: epoll over non-blocking fds (console input,
 * later the debugger's sockets) plus a wakeup for other threads.
 * Callbacks run on the event thread only.
 */
#ifndef HYVE_EVENT_H
#define HYVE_EVENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef void (*event_fn)(int fd, uint32_t events, void *opaque);

int event_init(void);				/* 0 or -errno */
int event_add(int fd, uint32_t events, event_fn fn, void *opaque);
int event_mod(int fd, uint32_t events);
int event_del(int fd);
/* Run a function on the event thread soon (any thread may call).  0 or -errno. */
int event_call(void (*fn)(void *opaque), void *opaque);
/*
 * The same without an allocation, for a notice that recurs (a vCPU thread's
 * first malloc creates a whole arena): fn and opaque set by the owner, who
 * keeps w alive; posting a work item still queued is a no-op.
 */
struct event_work {
	void (*fn)(void *opaque);
	void *opaque;
	/* event.c's, under its lock */
	struct event_work *next;
	bool queued, heap;
};
int event_post(struct event_work *w);
/*
 * Event thread only: run w once the thread is about to sleep, after its poll
 * windows: for what must not hold up an answer the debugger waits for (a log
 * line to a terminal or pipe wakes its reader).
 */
void event_post_idle(struct event_work *w);
/*
 * Event thread only: a call is expected within max_ns (the vCPUs' answer to a
 * stop request).  After the current round the thread waits for it awake
 * instead of sleeping in epoll, when spinning is allowed: only with a CPU of
 * its own, where waking from idle costs more than the wait.
 */
void event_expect_call(int64_t max_ns);
/*
 * Event thread only: for max_ns from now, poll the fds instead of sleeping
 * (a debugger in a request/reply loop sends its next packet within tens of
 * microseconds; waking from sleep costs as much).  Only when spinning is allowed.
 */
void event_poll_for(int64_t max_ns);
void event_allow_spin(bool on);			/* any thread; default off */
int event_start(void);				/* spawn the thread */
pthread_t event_thread_id(void);		/* after event_start */
void event_stop(void);				/* stop and join it */

#endif
