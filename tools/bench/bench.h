/*
 * bench.h -- shared by the benchmark's parts: the metrics, a target (one
 * debug stub: QEMU's or hyve's, launched by us), the run parameters, and the
 * sample series the report summarises.
 *
 * session.c  one debugger session against one target (the timed metrics)
 * phases.c   boot-to-ready and idle-debug-server measurements (no debugger)
 * report.c   medians, ratios, the table and the JSON
 * nullstub.c a do-nothing stub: how fast the client itself can go
 * rspbench.c options and the order of everything
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc.h"
#include "rspc.h"

enum metric {
	M_ATTACH,	/* connect -> qSupported -> QStartNoAckMode -> '?' stop reply */
	M_REGS,		/* 'g' round trips */
	M_MEM_M,	/* 'm' reads of an incompressible pattern */
	M_MEM_X,	/* 'x' (binary) reads of the same pattern */
	M_MEM_TEXT,	/* 'm' reads from _text: the guest image, then zeros */
	M_BP_HW,	/* Z1: continue -> stop -> z1 -> step -> Z1 */
	M_BP_SW,	/* the same with Z0 */
	M_STEPS,	/* single steps */
	M_STEP_G,	/* single step + 'g': what gdb's stepi does (registers fresh per stop) */
	M_INTR,		/* 0x03 -> stop reply */
	M_COUNT
};

struct metric_info {
	const char *name;
	const char *unit;
	bool lower_better;
};
extern const struct metric_info metric_info[M_COUNT];

/* A growing list of samples. */
struct series {
	double *v;
	int n, cap;
};
void series_add(struct series *s, double v);
double series_median(const struct series *s);
double series_min(const struct series *s);
double series_max(const struct series *s);

#define MAX_ERRORS 16

struct params {
	const char *elf_path;
	uint64_t bp_addr;		/* bench_hot */
	uint64_t text_addr;		/* _text */
	uint64_t pat_addr;		/* where the pattern goes (unused guest RAM) */
	uint64_t counter_addr;		/* bench_counter */
	size_t mem_bytes;		/* per bulk read */
	uint8_t *pattern;		/* mem_bytes of pseudo-random bytes */
	int regs_n, steps_n, bp_hits, intr_n;
	double intr_delay_ms;
	int repeats;
	int timeout_ms;
	bool verify;			/* check memory contents (off for the null stub) */
	const char *logdir;
	/* for reading the guest from outside (idle phase) */
	uint64_t text_gpa, counter_gpa;
	uint8_t text_bytes[64];		/* the image's first bytes at _text */
};

struct target_info {
	char qsupported[512];		/* its qSupported reply */
	char first_stop[128];		/* its reply to the first '?' */
	char vcont[128];		/* its vCont? reply */
	char bp_stop[128], step_stop[128], intr_stop[128];
	char threads[256];		/* qfThreadInfo */
	size_t packet_size;
	bool noack, vcont_ok, x_ok, x_probed;
	size_t g_bytes, m_chunk, x_chunk;
	bool pattern_written;
	uint8_t *text_ref;		/* the first _text read: later ones must match */
	uint64_t unsolicited;
	int64_t launch_ms;		/* process start -> ready line (informational) */
};

struct target {
	const char *name;
	const char *cmd;		/* launch command; "{port}" becomes the port */
	bool z0;			/* also measure Z0 (QEMU's kills its guest here) */
	int port;
	struct child proc;
	bool dead;
	int fail_streak;
	struct rspc park;		/* the last session, left attached: guest halted */
	bool parked;
	char tid[32];			/* thread id in use */
	struct target_info info;
	struct series s[M_COUNT];
	struct series intr_raw;		/* every interrupt sample (s[M_INTR] has medians) */
	/* attach split up: connect, qSupported, QStartNoAckMode, '?' (ms each) */
	struct series attach_part[4];
	double client_cpu_ms[M_COUNT], wall_ms[M_COUNT];
	char errors[MAX_ERRORS][256];
	int nerr;
	char notes[M_COUNT][128];	/* why a metric was not measured */
};

void target_error(struct target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* session.c */
#define MASK(m)		(1u << (m))
#define MASK_ALL	((1u << M_COUNT) - 1)
/*
 * Start t's command, wait for the guest's ready line and the port, attach
 * once (untimed) and stay attached.  0 or -errno.
 */
int target_launch(struct target *t, const struct params *p, const char *tag);
/* One repeat: attach, then the metrics in mask; the session stays attached. */
void session_run(struct target *t, const struct params *p, unsigned mask);
/* Detach the parked session (the guest runs on). */
void target_unpark(struct target *t);
void target_stop(struct target *t);
/* Free what the target's samples and info hold. */
void target_free(struct target *t);

/* cmd with "{port}" replaced by port (malloc'd; NULL when out of memory). */
char *cmd_subst_port(const char *cmd, int port);

/* nullstub.c: a stub answering at once, in a child process; *port gets its port. */
int nullstub_start(struct child *ch, int *port, uint64_t rip);

/* phases.c: measurements without a debugger */
struct idle_result {
	struct series rate_nog, rate_g;		/* bench_hot calls per wall second */
	struct series cpu_nog, cpu_g;		/* ... per CPU second of the whole process */
	struct series other_nog, other_g;	/* CPU us per s of all threads but the vCPU's */
};
/* Process start -> BENCH-READY, alternating A B B A ...; errors go to ta/tb. */
void phase_boot(struct target *ta, struct target *tb, const struct params *p, int repeats,
		struct series *sa, struct series *sb);
/*
 * Guest speed read from outside (/proc/PID/mem, no debugger): `nog` runs
 * hyve without -G, `g` with -G listening and no debugger; alternating.
 */
void phase_idle(struct target *nog, struct target *g, const struct params *p, int repeats,
		double window_ms, struct idle_result *out);

#endif
