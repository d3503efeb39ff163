/*
 * test_event.c -- the event thread's queue of work from other threads:
 * posted work runs once (a second post while queued is a no-op), and none is
 * lost whether the thread sleeps in epoll or waits awake (expecting a call,
 * or polling after a packet), where posters skip the wakeup write; idle work
 * waits for the end of a poll window.  Ends with event_stop() from a polling
 * thread.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "core/event.h"
#include "util.h"

static atomic_int runs;

static void count(void *opaque)
{
	(void)opaque;
	atomic_fetch_add(&runs, 1);
}

/* Wait up to 2 s for runs to reach want. */
static bool wait_runs(int want)
{
	for (int i = 0; i < 2000 && atomic_load(&runs) < want; i++)
		usleep(1000);
	return atomic_load(&runs) == want;
}

struct on_thread {
	void (*fn)(void *);
	void *arg;
	atomic_bool done;
};

static void run_here(void *opaque)
{
	struct on_thread *c = opaque;

	c->fn(c->arg);
	atomic_store(&c->done, true);
}

/* Run fn on the event thread and wait for it. */
static void on_event_thread(void (*fn)(void *), void *arg)
{
	struct on_thread c = { fn, arg, false };

	CHECK_EQ(event_call(run_here, &c), 0);
	for (int i = 0; i < 2000 && !atomic_load(&c.done); i++)
		usleep(1000);
	CHECK(atomic_load(&c.done));
}

static void expect(void *arg)
{
	event_expect_call(*(int64_t *)arg);
}

static void poll_for(void *arg)
{
	event_poll_for(*(int64_t *)arg);
}

static void busy(void *arg)
{
	(void)arg;
	usleep(30000);
}

static struct event_work work = { .fn = count };
static atomic_int idle_runs;

static void count_idle(void *opaque)
{
	(void)opaque;
	atomic_fetch_add(&idle_runs, 1);
}

static struct event_work idle_work = { .fn = count_idle };

/* On the event thread: idle work (posted twice), then a poll window. */
static void post_idle_and_poll(void *arg)
{
	event_post_idle(&idle_work);
	event_post_idle(&idle_work);
	event_poll_for(*(int64_t *)arg);
}

TEST(post_sleeping_and_spinning)
{
	int64_t long_ns = 2000000000, short_ns = 1000000, window_ns = 100000000;

	CHECK_EQ(event_init(), 0);
	CHECK_EQ(event_start(), 0);

	/* asleep in epoll: the post's write wakes it */
	CHECK_EQ(event_post(&work), 0);
	CHECK(wait_runs(1));

	/* without permission to spin, the hints change nothing */
	on_event_thread(expect, &long_ns);
	CHECK_EQ(event_post(&work), 0);
	CHECK(wait_runs(2));

	event_allow_spin(true);
	/* waiting awake for the call: the post skips the write and still runs */
	on_event_thread(expect, &long_ns);
	usleep(2000);
	CHECK_EQ(event_post(&work), 0);
	CHECK(wait_runs(3));

	/* polling after a "packet": same */
	on_event_thread(poll_for, &long_ns);
	usleep(2000);
	CHECK_EQ(event_post(&work), 0);
	CHECK(wait_runs(4));

	/* a window that has run out: asleep again, woken by the write */
	on_event_thread(poll_for, &short_ns);
	usleep(20000);
	CHECK_EQ(event_post(&work), 0);
	CHECK(wait_runs(5));

	/* posted twice while the thread is busy: runs once */
	CHECK_EQ(event_call(busy, NULL), 0);
	usleep(5000);
	CHECK_EQ(event_post(&work), 0);
	CHECK_EQ(event_post(&work), 0);
	usleep(60000);
	CHECK_EQ(atomic_load(&runs), 6);

	/* idle work waits while the thread polls, then runs once */
	on_event_thread(post_idle_and_poll, &window_ns);
	usleep(10000);
	CHECK_EQ(atomic_load(&idle_runs), 0);
	for (int i = 0; i < 2000 && atomic_load(&idle_runs) < 1; i++)
		usleep(1000);
	usleep(5000);
	CHECK_EQ(atomic_load(&idle_runs), 1);

	/* stopping a thread that polls (stop_cb is a call like any other) */
	on_event_thread(poll_for, &long_ns);
	event_stop();
	CHECK_EQ(event_post(&work), 0);	/* queued, never run: no crash */
	usleep(5000);
	CHECK_EQ(atomic_load(&runs), 6);
}

TEST_MAIN();
