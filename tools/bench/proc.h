/*
 * proc.h -- the processes the benchmark starts (hyve, QEMU): launch in a
 * process group of their own, log their output, note when a marker line
 * appears, stop them; and read a running guest's RAM from outside through
 * /proc/PID/mem (no debugger involved).
 */
#ifndef BENCH_PROC_H
#define BENCH_PROC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct child {
	pid_t pid;			/* also the process group id; 0: not running */
	int out_fd;			/* read end of its stdout+stderr */
	pthread_t logger;		/* copies the output to log_path, looks for `pattern` */
	bool logger_started;
	char log_path[256];
	char pattern[64];
	int64_t start_ns;		/* just before fork() */
	int64_t ready_ns;		/* when `pattern` was read (atomic), 0 until then */
};

/* Monotonic clock in nanoseconds. */
int64_t now_ns(void);
void sleep_ms(double ms);

/*
 * Run `sh -c "exec CMD"` with stdin from /dev/null and stdout+stderr into
 * a pipe read by a logger thread; the child leads a new process group.
 */
int child_start(struct child *ch, const char *cmd, const char *pattern, const char *log_path);
/* Wait until the pattern was seen: 0, -ETIMEDOUT, or -ECHILD (it exited). */
int child_wait_ready(struct child *ch, int timeout_ms);
bool child_alive(struct child *ch);
/* SIGTERM to the group, then SIGKILL after 3 s; reaps it.  Idempotent. */
void child_stop(struct child *ch);
/* Last bytes of the log (for error messages) into buf. */
void child_log_tail(const struct child *ch, char *buf, size_t cap);

/* On SIGINT/SIGTERM/SIGHUP kill every process group started here, then die. */
void proc_cleanup_on_signals(void);
/* Register a process group started elsewhere (the null stub), or forget one (pid 0). */
void proc_track(pid_t old, pid_t pid);

/* A free TCP port on 127.0.0.1 (bound and released: a tiny race is accepted). */
int free_port(void);

/*
 * Find the host address of a guest's RAM in process pid: the anonymous
 * read-write mapping that holds `expect` (n bytes) at offset `gpa`.
 * 0 (with *base) or -ENOENT.
 */
int guest_ram_find(pid_t pid, uint64_t gpa, const uint8_t *expect, size_t n, uint64_t *base);
/* Read n bytes at host address addr of process pid.  0 or -errno. */
int proc_mem_read(pid_t pid, uint64_t addr, void *buf, size_t n);
/*
 * CPU time of every thread of pid so far, in nanoseconds (schedstat), or
 * -errno; *busiest (if not NULL) gets that of the thread that used the most.
 */
int64_t proc_cpu_ns(pid_t pid, int64_t *busiest);

#endif
