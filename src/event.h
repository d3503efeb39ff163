/*
 * event.h -- the one event thread: epoll over non-blocking fds (console input,
 * later the debugger's sockets) plus a wakeup for other threads.
 * Callbacks run on the event thread only.
 */
#ifndef HYVE_EVENT_H
#define HYVE_EVENT_H

#include <pthread.h>
#include <stdint.h>

typedef void (*event_fn)(int fd, uint32_t events, void *opaque);

int event_init(void);				/* 0 or -errno */
int event_add(int fd, uint32_t events, event_fn fn, void *opaque);
int event_mod(int fd, uint32_t events);
int event_del(int fd);
/* Run a function on the event thread soon (any thread may call).  0 or -errno. */
int event_call(void (*fn)(void *opaque), void *opaque);
int event_start(void);				/* spawn the thread */
pthread_t event_thread_id(void);		/* after event_start */
void event_stop(void);				/* stop and join it */

#endif
