/*
 * phases.c -- the figures taken without a debugger: boot to the ready line,
 * and the guest's speed with the debug server idle.
 *
 * The idle figure must not involve a debugger (attaching stops the guest),
 * and the run without -G has no debug server to ask anyway; so the guest's
 * progress is read from outside: the benchmark finds the guest's RAM in
 * hyve's address space (/proc/PID/maps, checked against the image's bytes)
 * and reads bench_counter through /proc/PID/mem at the start and the end of
 * a slice, exactly alike for both.  Neither the guest nor hyve sees that
 * read.  Both VMs are up at once, frozen with SIGSTOP, and run by turns for
 * one slice each (no -G, -G, -G, no -G, ...): drift on this shared machine
 * moves in seconds, so short alternating slices compare like with like.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* One boot: ms from process start to the ready line, or -errno. */
static double boot_once(struct target *t, const struct params *p, int i)
{
	char log[512], tail[400], *cmd = cmd_subst_port(t->cmd, free_port());
	struct child ch;
	double ms;
	int r;

	if (!cmd)
		return -ENOMEM;
	snprintf(log, sizeof(log), "%s/boot-%s-%d.log", p->logdir, t->name, i);
	r = child_start(&ch, cmd, "BENCH-READY", log);
	free(cmd);
	if (r)
		return r;
	r = child_wait_ready(&ch, 180000);
	ms = (double)(ch.ready_ns - ch.start_ns) / 1e6;
	child_stop(&ch);
	if (r) {
		child_log_tail(&ch, tail, sizeof(tail));
		target_error(t, "boot %d: no BENCH-READY (%s); log %s ends:\n%s", i, strerror(-r),
			     log, tail);
		return r;
	}
	return ms;
}

void phase_boot(struct target *ta, struct target *tb, const struct params *p, int repeats,
		struct series *sa, struct series *sb)
{
	for (int i = 0; i < repeats; i++) {
		struct target *first = i % 2 ? tb : ta, *second = i % 2 ? ta : tb;

		for (int k = 0; k < 2; k++) {
			struct target *t = k ? second : first;
			double ms = boot_once(t, p, i);

			fprintf(stderr, "[boot] %s %d/%d: %.0f ms\n", t->name, i + 1, repeats, ms);
			if (ms >= 0)
				series_add(t == ta ? sa : sb, ms);
		}
	}
}

static int read_counter(pid_t pid, uint64_t host, uint64_t *v)
{
	return proc_mem_read(pid, host, v, sizeof(*v));
}

/* One of the two VMs of the idle phase. */
struct idle_vm {
	struct target *t;
	struct child ch;
	uint64_t counter;		/* host address of bench_counter in hyve */
	bool up;
};

static int idle_start(struct idle_vm *vm, const struct params *p)
{
	char log[512], tail[1024], *cmd = cmd_subst_port(vm->t->cmd, free_port());
	uint64_t base = 0;
	int r;

	if (!cmd)
		return -ENOMEM;
	snprintf(log, sizeof(log), "%s/idle-%s.log", p->logdir, vm->t->name);
	r = child_start(&vm->ch, cmd, "BENCH-READY", log);
	free(cmd);
	if (!r)
		r = child_wait_ready(&vm->ch, 60000);
	if (!r) {
		sleep_ms(300);		/* past the boot's console output */
		r = guest_ram_find(vm->ch.pid, p->text_gpa, p->text_bytes, sizeof(p->text_bytes),
				   &base);
	}
	child_log_tail(&vm->ch, tail, sizeof(tail));
	if (!r && strstr(vm->t->cmd, "{port}") && !strstr(tail, "debug server listening"))
		r = -ENOTCONN;
	if (r) {
		target_error(vm->t, "idle: %s; log %s ends:\n%s", strerror(-r), log, tail);
		child_stop(&vm->ch);
		return r;
	}
	vm->counter = base + p->counter_gpa;
	vm->up = true;
	fprintf(stderr, "[idle] %s: pid %d, guest RAM at %#llx\n", vm->t->name, (int)vm->ch.pid,
		(unsigned long long)base);
	kill(vm->ch.pid, SIGSTOP);
	return 0;
}

/* Let vm run for one slice: calls per second, per CPU second, other threads' CPU. */
static int idle_slice(struct idle_vm *vm, double slice_ms, double *rate, double *cpu_rate,
		      double *other)
{
	uint64_t c0, c1;
	int64_t t0, t1, cpu0, cpu1, busy0, busy1;
	int r;

	kill(vm->ch.pid, SIGCONT);
	sleep_ms(20);			/* the vCPU thread back on a CPU */
	cpu0 = proc_cpu_ns(vm->ch.pid, &busy0);
	r = read_counter(vm->ch.pid, vm->counter, &c0);
	t0 = now_ns();
	sleep_ms(slice_ms);
	cpu1 = proc_cpu_ns(vm->ch.pid, &busy1);
	if (!r)
		r = read_counter(vm->ch.pid, vm->counter, &c1);
	t1 = now_ns();
	kill(vm->ch.pid, SIGSTOP);
	if (r)
		return r;
	if (c1 <= c0)
		return -EAGAIN;
	*rate = (double)(c1 - c0) / ((double)(t1 - t0) / 1e9);
	*cpu_rate = cpu1 > cpu0 ? (double)(c1 - c0) / ((double)(cpu1 - cpu0) / 1e9) : 0;
	/* everything but the vCPU thread: main, event thread, console */
	*other = (double)((cpu1 - busy1) - (cpu0 - busy0)) / 1e3 / ((double)(t1 - t0) / 1e9);
	return 0;
}

void phase_idle(struct target *nog, struct target *g, const struct params *p, int repeats,
		double window_ms, struct idle_result *out)
{
	struct idle_vm vm[2] = { { .t = nog }, { .t = g } };

	/*
	 * Both VMs booted, both frozen (SIGSTOP); then they take turns for one
	 * slice each, A B B A ..., so that the machine's drift (other tenants,
	 * the host) hits both alike and pairs of slices can be compared.
	 */
	if (idle_start(&vm[0], p) == 0 && idle_start(&vm[1], p) == 0) {
		for (int i = 0; i < repeats; i++) {
			double rate[2], cpu[2], other[2];
			bool ok = true;

			for (int k = 0; k < 2; k++) {
				int which = (i % 2) ^ k;
				int r = idle_slice(&vm[which], window_ms, &rate[which], &cpu[which],
						   &other[which]);

				if (r) {
					target_error(vm[which].t, "idle slice %d: %s", i, strerror(-r));
					ok = false;
				}
			}
			if (!ok)
				continue;
			fprintf(stderr, "[idle] %d/%d: no -G %.0f calls/s, -G %.0f calls/s (other threads "
				"%.1f / %.1f us CPU/s)\n", i + 1, repeats, rate[0], rate[1], other[0],
				other[1]);
			series_add(&out->rate_nog, rate[0]);
			series_add(&out->rate_g, rate[1]);
			series_add(&out->cpu_nog, cpu[0]);
			series_add(&out->cpu_g, cpu[1]);
			series_add(&out->other_nog, other[0]);
			series_add(&out->other_g, other[1]);
		}
	}
	for (int k = 0; k < 2; k++) {
		if (vm[k].up)
			kill(vm[k].ch.pid, SIGCONT);
		child_stop(&vm[k].ch);
	}
}
