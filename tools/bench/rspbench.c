/*
 * rspbench -- hyve's debug server measured side by side with another GDB
 * stub (QEMU's), in one run, on the project's benchmark guest.
 *
 * Phases (--phases, default all, in this order):
 *   selftest  the client against a stub that answers at once: the ceiling
 *             the client itself puts on each metric
 *   boot      process start -> BENCH-READY on the console (no debugger)
 *   main      one VM each with 1 vCPU: attach, registers, memory, breakpoints,
 *             steps, Ctrl-C; sessions alternate A B B A ..., the idle target
 *             stays attached (guest halted) so it steals no CPU
 *   smp       one VM each with 16 vCPUs: attach and Ctrl-C
 *   idle      hyve without -G against hyve with -G and no debugger: guest
 *             speed read from outside (phases.c)
 * Output: a table on stdout, everything with every sample in --json.
 * See doc/benchmark.md.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "elfsym.h"
#include "report.h"

struct opts {
	const char *cmd[2], *cmd16[2], *boot[2], *idle[2];
	const char *label[2];
	const char *json, *phases;
	unsigned mask;			/* --metrics: which of the main phase */
	int boot_repeats, idle_repeats;
	double idle_window_ms;
	uint64_t pat_offset;
};

static void usage(FILE *f)
{
	fputs("usage: rspbench --elf GUEST64.ELF [options]\n"
	      "  --a CMD / --b CMD        the two stubs (A: QEMU, B: hyve); \"{port}\" is replaced\n"
	      "  --a16 CMD / --b16 CMD    the same with 16 vCPUs (phase smp)\n"
	      "  --boot-a CMD / --boot-b CMD   boot commands, no debug server (phase boot)\n"
	      "  --idle-nog CMD / --idle-g CMD hyve without / with -G {port} (phase idle)\n"
	      "  --label-a NAME --label-b NAME (qemu, hyve)\n"
	      "  --b-z0                   also measure Z0 software breakpoints on B\n"
	      "  --phases LIST            selftest,boot,main,smp,idle (default: all)\n"
	      "  --metrics LIST           main phase only these (regs_per_s,mem_m_MiBps,mem_x_MiBps,\n"
	      "                           mem_text_MiBps,bp_hw_hits_per_s,bp_sw_hits_per_s,steps_per_s,\n"
	      "                           stepi_g_per_s,interrupt_ms); attach_ms always\n"
	      "  --repeats N (7)  --boot-repeats N (5)  --idle-repeats N (120 slice pairs)\n"
	      "  --regs-n N (2000)  --steps N (2000)  --bp-hits N (300)  --mem-mib N (4)\n"
	      "  --intr-n N (5)  --intr-delay-ms MS (20)  --idle-window-ms MS (150, one slice)\n"
	      "  --timeout-ms MS (10000)  --json FILE  --logdir DIR (build/bench/logs)\n", f);
}

static void fill_pattern(uint8_t *p, size_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
}

static bool phase_on(const struct opts *o, const char *name)
{
	const char *s = o->phases;
	size_t l = strlen(name);

	if (!s)
		return true;
	while ((s = strstr(s, name))) {
		if ((s == o->phases || s[-1] == ',') && (s[l] == 0 || s[l] == ','))
			return true;
		s += l;
	}
	return false;
}

static int setup_params(struct params *p, const char *elf_path, uint64_t pat_offset)
{
	struct elf_img e;
	int r = elf_open(&e, elf_path);

	if (r) {
		fprintf(stderr, "rspbench: %s: %s\n", elf_path, strerror(-r));
		return r;
	}
	if (elf_sym(&e, "bench_hot", &p->bp_addr) || elf_sym(&e, "_text", &p->text_addr) ||
	    elf_sym(&e, "bench_counter", &p->counter_addr) ||
	    elf_va_to_pa(&e, p->text_addr, &p->text_gpa) ||
	    elf_va_to_pa(&e, p->counter_addr, &p->counter_gpa) ||
	    elf_bytes(&e, p->text_addr, p->text_bytes, sizeof(p->text_bytes))) {
		fprintf(stderr, "rspbench: %s lacks bench_hot, _text or bench_counter\n", elf_path);
		elf_close(&e);
		return -ENOENT;
	}
	elf_close(&e);
	p->pat_addr = p->text_addr + pat_offset;
	p->pattern = malloc(p->mem_bytes);
	if (!p->pattern)
		return -ENOMEM;
	fill_pattern(p->pattern, p->mem_bytes);
	return 0;
}

/* The main and smp phases: launch both, alternate sessions, stop both. */
static void run_pair(struct target *a, struct target *b, const struct params *p, unsigned mask,
		     const char *tag)
{
	char ta[64], tb[64];

	snprintf(ta, sizeof(ta), "%s-%s", tag, a->name);
	snprintf(tb, sizeof(tb), "%s-%s", tag, b->name);
	/* one after the other: the first rests (attached) while the second boots */
	if (a->cmd)
		target_launch(a, p, ta);
	if (b->cmd)
		target_launch(b, p, tb);
	for (int r = 0; r < p->repeats; r++) {
		struct target *first = r % 2 ? b : a, *second = r % 2 ? a : b;

		for (int k = 0; k < 2; k++) {
			struct target *t = k ? second : first;

			if (!t->cmd || t->dead)
				continue;
			fprintf(stderr, "[%s] %s session %d/%d\n", tag, t->name, r + 1, p->repeats);
			session_run(t, p, mask);
		}
	}
	target_stop(a);
	target_stop(b);
}

/* The client against the null stub: how fast could it go at all? */
static void run_selftest(struct target *t, const struct params *prm)
{
	struct params p = *prm;

	p.verify = false;
	if (nullstub_start(&t->proc, &t->port, p.bp_addr)) {
		target_error(t, "cannot start the null stub");
		return;
	}
	for (int r = 0; r < 3; r++)
		session_run(t, &p, MASK(M_REGS) | MASK(M_MEM_M) | MASK(M_MEM_X) | MASK(M_BP_HW) |
			    MASK(M_STEPS) | MASK(M_STEP_G) | MASK(M_INTR));
	target_stop(t);
}

/* The side's faster bulk read (m or x). */
static const struct series *best_mem(const struct target *t)
{
	const struct series *m = &t->s[M_MEM_M], *x = &t->s[M_MEM_X];

	if (!x->n || (m->n && series_median(m) >= series_median(x)))
		return m;
	return x;
}

static void json_target(struct json *j, const struct target *t)
{
	const struct target_info *in = &t->info;

	json_obj(j, t->name);
	json_str(j, "cmd", t->cmd);
	json_int(j, "launch_to_ready_ms", in->launch_ms);
	json_str(j, "qSupported_reply", in->qsupported);
	json_str(j, "first_stop_reply", in->first_stop);
	json_str(j, "vCont_reply", in->vcont);
	json_str(j, "threads", in->threads);
	json_int(j, "packet_size", (long long)in->packet_size);
	json_bool(j, "noack", in->noack);
	json_bool(j, "x_packet", in->x_ok);
	json_int(j, "g_bytes", (long long)in->g_bytes);
	json_int(j, "m_chunk_bytes", (long long)in->m_chunk);
	json_int(j, "x_chunk_bytes", (long long)in->x_chunk);
	json_str(j, "bp_stop_reply", in->bp_stop);
	json_str(j, "step_stop_reply", in->step_stop);
	json_str(j, "interrupt_stop_reply", in->intr_stop);
	json_int(j, "unsolicited_stop_replies", (long long)in->unsolicited);
	json_obj(j, "metrics");
	for (int m = 0; m < M_COUNT; m++) {
		if (!t->s[m].n && !t->notes[m][0])
			continue;
		json_obj(j, metric_info[m].name);
		json_series(j, "value", &t->s[m], metric_info[m].unit);
		if (t->notes[m][0])
			json_str(j, "note", t->notes[m]);
		if (t->wall_ms[m] > 0)
			json_num(j, "client_cpu_fraction", t->client_cpu_ms[m] / t->wall_ms[m]);
		json_close(j, '}');
	}
	json_close(j, '}');
	if (t->intr_raw.n)
		json_series(j, "interrupt_ms_every_sample", &t->intr_raw, "ms");
	if (t->attach_part[0].n) {
		json_obj(j, "attach_parts_ms");
		json_series(j, "connect", &t->attach_part[0], "ms");
		json_series(j, "qSupported", &t->attach_part[1], "ms");
		json_series(j, "QStartNoAckMode", &t->attach_part[2], "ms");
		json_series(j, "stop_reply", &t->attach_part[3], "ms");
		json_close(j, '}');
	}
	json_arr(j, "errors");
	for (int i = 0; i < t->nerr; i++)
		json_str(j, NULL, t->errors[i]);
	json_close(j, ']');
	json_close(j, '}');
}

static int parse_args(int argc, char **argv, struct opts *o, struct params *p, const char **elf,
		      bool *z0)
{
	enum { O_A = 256, O_B, O_A16, O_B16, O_BOOTA, O_BOOTB, O_IDLEN, O_IDLEG, O_LA, O_LB, O_Z0,
	       O_PH, O_REP, O_BREP, O_IREP, O_REGS, O_STEPS, O_BP, O_MEM, O_IN, O_ID, O_IW, O_TO,
	       O_JSON, O_LOG, O_ELF, O_PAT, O_MET };
	static const struct option lo[] = {
		{ "a", 1, 0, O_A }, { "b", 1, 0, O_B }, { "a16", 1, 0, O_A16 },
		{ "b16", 1, 0, O_B16 }, { "boot-a", 1, 0, O_BOOTA }, { "boot-b", 1, 0, O_BOOTB },
		{ "idle-nog", 1, 0, O_IDLEN }, { "idle-g", 1, 0, O_IDLEG },
		{ "label-a", 1, 0, O_LA }, { "label-b", 1, 0, O_LB }, { "b-z0", 0, 0, O_Z0 },
		{ "phases", 1, 0, O_PH }, { "repeats", 1, 0, O_REP },
		{ "boot-repeats", 1, 0, O_BREP }, { "idle-repeats", 1, 0, O_IREP },
		{ "regs-n", 1, 0, O_REGS }, { "steps", 1, 0, O_STEPS }, { "bp-hits", 1, 0, O_BP },
		{ "mem-mib", 1, 0, O_MEM }, { "intr-n", 1, 0, O_IN },
		{ "intr-delay-ms", 1, 0, O_ID }, { "idle-window-ms", 1, 0, O_IW },
		{ "timeout-ms", 1, 0, O_TO }, { "json", 1, 0, O_JSON }, { "logdir", 1, 0, O_LOG },
		{ "elf", 1, 0, O_ELF }, { "pattern-offset", 1, 0, O_PAT }, { "metrics", 1, 0, O_MET },
		{ "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case O_A: o->cmd[0] = optarg; break;
		case O_B: o->cmd[1] = optarg; break;
		case O_A16: o->cmd16[0] = optarg; break;
		case O_B16: o->cmd16[1] = optarg; break;
		case O_BOOTA: o->boot[0] = optarg; break;
		case O_BOOTB: o->boot[1] = optarg; break;
		case O_IDLEN: o->idle[0] = optarg; break;
		case O_IDLEG: o->idle[1] = optarg; break;
		case O_LA: o->label[0] = optarg; break;
		case O_LB: o->label[1] = optarg; break;
		case O_Z0: *z0 = true; break;
		case O_PH: o->phases = optarg; break;
		case O_REP: p->repeats = atoi(optarg); break;
		case O_BREP: o->boot_repeats = atoi(optarg); break;
		case O_IREP: o->idle_repeats = atoi(optarg); break;
		case O_REGS: p->regs_n = atoi(optarg); break;
		case O_STEPS: p->steps_n = atoi(optarg); break;
		case O_BP: p->bp_hits = atoi(optarg); break;
		case O_MEM: p->mem_bytes = (size_t)(atof(optarg) * (1 << 20)); break;
		case O_IN: p->intr_n = atoi(optarg); break;
		case O_ID: p->intr_delay_ms = atof(optarg); break;
		case O_IW: o->idle_window_ms = atof(optarg); break;
		case O_TO: p->timeout_ms = atoi(optarg); break;
		case O_JSON: o->json = optarg; break;
		case O_LOG: p->logdir = optarg; break;
		case O_ELF: *elf = optarg; break;
		case O_PAT: o->pat_offset = strtoull(optarg, NULL, 0); break;
		case O_MET:
			o->mask = 0;
			for (int m = 0; m < M_COUNT; m++) {
				const char *hit = strstr(optarg, metric_info[m].name);
				size_t l = strlen(metric_info[m].name);

				if (hit && (hit == optarg || hit[-1] == ',') && (!hit[l] || hit[l] == ','))
					o->mask |= MASK(m);
			}
			if (!o->mask) {
				fprintf(stderr, "rspbench: --metrics: no known metric in %s\n", optarg);
				return -EINVAL;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (!*elf || optind != argc || p->repeats < 1 || p->mem_bytes < 4096) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .label = { "qemu", "hyve" }, .boot_repeats = 5, .idle_repeats = 120,
			  .mask = MASK_ALL,
			  .idle_window_ms = 150, .pat_offset = 16 << 20 };
	struct params p = { .mem_bytes = 4 << 20, .regs_n = 2000, .steps_n = 2000, .bp_hits = 300,
			    .intr_n = 5, .intr_delay_ms = 20, .repeats = 7, .timeout_ms = 10000,
			    .verify = true, .logdir = "build/bench/logs" };
	struct target t[2] = { 0 }, t16[2] = { 0 }, tboot[2] = { 0 }, tidle[2] = { 0 }, tnull = { 0 };
	struct series boot[2] = { 0 };
	struct idle_result idle = { 0 };
	const char *elf = NULL;
	bool z0 = false;
	double load0[3] = { 0 }, load1[3] = { 0 };
	char started[64];
	time_t now = time(NULL);
	int errors = 0;

	if (parse_args(argc, argv, &o, &p, &elf, &z0))
		return 2;
	if (setup_params(&p, elf, o.pat_offset))
		return 1;
	proc_cleanup_on_signals();
	mkdir(p.logdir, 0755);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	getloadavg(load0, 3);
	for (int i = 0; i < 2; i++) {
		t[i].name = o.label[i];
		t[i].cmd = o.cmd[i];
		t16[i].cmd = o.cmd16[i];
		tboot[i].name = o.label[i];
		tboot[i].cmd = o.boot[i];
		tidle[i].cmd = o.idle[i];
	}
	t[1].z0 = z0;
	t16[0].name = "qemu-16cpu";
	t16[1].name = "hyve-16cpu";
	if (o.label[0] && strcmp(o.label[0], "qemu"))
		t16[0].name = "A-16cpu";
	if (o.label[1] && strcmp(o.label[1], "hyve"))
		t16[1].name = "B-16cpu";
	tidle[0].name = "hyve-noG";
	tidle[1].name = "hyve-G-idle";
	tnull.name = "null-stub";
	tnull.z0 = false;

	if (phase_on(&o, "selftest"))
		run_selftest(&tnull, &p);
	if (phase_on(&o, "boot") && o.boot[0] && o.boot[1])
		phase_boot(&tboot[0], &tboot[1], &p, o.boot_repeats, &boot[0], &boot[1]);
	if (phase_on(&o, "main") && (o.cmd[0] || o.cmd[1]))
		run_pair(&t[0], &t[1], &p, o.mask, "main");
	if (phase_on(&o, "smp") && (o.cmd16[0] || o.cmd16[1]))
		run_pair(&t16[0], &t16[1], &p, MASK(M_INTR), "smp");
	if (phase_on(&o, "idle") && o.idle[0] && o.idle[1])
		phase_idle(&tidle[0], &tidle[1], &p, o.idle_repeats, o.idle_window_ms, &idle);
	getloadavg(load1, 3);

	const struct row rows[] = {
		{ "attach_ms", "ms", true, &t[0].s[M_ATTACH], &t[1].s[M_ATTACH], NULL, NULL,
		  GOAL_AT_MOST, 0.5, NULL, "<= 0.5x A", "connect -> qSupported -> QStartNoAckMode -> '?' stop reply" },
		{ "regs_per_s", "1/s", false, &t[0].s[M_REGS], &t[1].s[M_REGS], NULL, NULL,
		  GOAL_AT_LEAST, 2, NULL, ">= 2x A", "'g' round trips" },
		{ "mem_MiBps", "MiB/s", false, best_mem(&t[0]), best_mem(&t[1]), NULL, NULL,
		  GOAL_AT_LEAST, 4, NULL, ">= 4x A", "bulk read, each side's best packet (m or x), largest size offered" },
		{ "mem_m_MiBps", "MiB/s", false, &t[0].s[M_MEM_M], &t[1].s[M_MEM_M], NULL, NULL,
		  GOAL_NONE, 0, NULL, "(hex m both)", "m packets of PacketSize/2 bytes, incompressible data" },
		{ "mem_x_MiBps", "MiB/s", false, &t[0].s[M_MEM_X], &t[1].s[M_MEM_X],
		  t[0].notes[M_MEM_X][0] ? t[0].notes[M_MEM_X] : NULL, t[1].notes[M_MEM_X][0] ? t[1].notes[M_MEM_X] : NULL,
		  GOAL_NONE, 0, NULL, "(binary x)", "x packets of PacketSize-1 bytes, same data" },
		{ "mem_text_MiBps", "MiB/s", false, &t[0].s[M_MEM_TEXT], &t[1].s[M_MEM_TEXT], NULL, NULL,
		  GOAL_NONE, 0, NULL, "(as rspbench.py)", "m from _text: 12 KiB of image, then zeros (run-length friendly)" },
		{ "bp_hw_hits_per_s", "1/s", false, &t[0].s[M_BP_HW], &t[1].s[M_BP_HW], NULL, NULL,
		  GOAL_AT_LEAST, 1.5, NULL, ">= 1.5x A", "Z1: continue -> stop -> z1 -> step -> Z1" },
		{ "bp_sw_hits_per_s", "1/s", false, &t[0].s[M_BP_SW], &t[1].s[M_BP_SW],
		  "Z0 kills QEMU's guest here", t[1].notes[M_BP_SW][0] ? t[1].notes[M_BP_SW] : NULL,
		  GOAL_NONE, 0, NULL, "(hyve Z0)", "Z0: the same loop with software breakpoints" },
		{ "steps_per_s", "1/s", false, &t[0].s[M_STEPS], &t[1].s[M_STEPS], NULL, NULL,
		  GOAL_AT_LEAST, 1.5, NULL, ">= 1.5x A", "vCont;s:TID round trips" },
		{ "stepi_g_per_s", "1/s", false, &t[0].s[M_STEP_G], &t[1].s[M_STEP_G], NULL, NULL,
		  GOAL_NONE, 0, NULL, "(registers per stop)", "vCont;s:TID then 'g': gdb's stepi (the first 'g' after a stop)" },
		{ "interrupt_ms", "ms", true, &t[0].s[M_INTR], &t[1].s[M_INTR], NULL, NULL,
		  GOAL_AT_MOST, 0.5, NULL, "<= 0.5x A", "1 vCPU: 0x03 -> stop reply (session median of 5)" },
		{ "interrupt16_ms", "ms", true, &t16[0].s[M_INTR], &t16[1].s[M_INTR], NULL, NULL,
		  GOAL_AT_MOST, 2, &t[1].s[M_INTR], "<= 2x B 1-vCPU", "16 vCPUs: 0x03 -> stop reply" },
		{ "attach16_ms", "ms", true, &t16[0].s[M_ATTACH], &t16[1].s[M_ATTACH], NULL, NULL,
		  GOAL_NONE, 0, NULL, "", "16 vCPUs: attach" },
		{ "boot_ms", "ms", true, &boot[0], &boot[1], NULL, NULL,
		  GOAL_AT_MOST, 0.5, NULL, "<= 0.5x A", "process start -> BENCH-READY on the console" },
		{ "idle_calls_per_s", "1/s", false, &idle.rate_nog, &idle.rate_g, NULL, NULL,
		  GOAL_PAIRS_AT_LEAST, 0.99, NULL, ">= 0.99 pairwise", "A: hyve without -G, B: hyve -G, no debugger; guest calls per second; "
		  "goal on the median of the per-pair ratios (slices alternate A B B A)" },
		{ "idle_calls_per_cpu_s", "1/s", false, &idle.cpu_nog, &idle.cpu_g, NULL, NULL,
		  GOAL_NONE, 0, NULL, "(A=no -G)", "the same per CPU-second of the whole hyve process" },
		{ "idle_other_cpu_us_s", "us/s", true, &idle.other_nog, &idle.other_g, NULL, NULL,
		  GOAL_NONE, 0, NULL, "(A=no -G)", "CPU time of every hyve thread but the vCPU's, per second of the window" },
	};
	const int nrows = (int)(sizeof(rows) / sizeof(rows[0]));

	printf("\nrspbench: %s, %d repeat(s), load %.2f -> %.2f, %ld CPUs\n", started, p.repeats,
	       load0[0], load1[0], sysconf(_SC_NPROCESSORS_ONLN));
	printf("A = %s: %s\nB = %s: %s\n\n", o.label[0], o.cmd[0] ? o.cmd[0] : "-", o.label[1],
	       o.cmd[1] ? o.cmd[1] : "-");
	report_table(stdout, rows, nrows, o.label[0], o.label[1]);
	if (tnull.s[M_REGS].n) {
		printf("\nclient ceiling (the same client against a stub that answers at once):\n");
		for (int m = M_REGS; m <= M_STEP_G; m++) {
			double c = series_median(&tnull.s[m]), h = series_median(&t[1].s[m]);

			if (!tnull.s[m].n)
				continue;
			printf("  %-18s %10.0f %-6s  (B reaches %.1f%% of it; client CPU %.0f%% of wall time)\n",
			       metric_info[m].name, c, metric_info[m].unit, 100 * h / c,
			       t[1].wall_ms[m] > 0 ? 100 * t[1].client_cpu_ms[m] / t[1].wall_ms[m] : NAN);
		}
	}
	if (tnull.s[M_ATTACH].n) {
		static const int floor_m[] = { M_ATTACH, M_INTR };	/* the latency rows */

		printf("\nlatency of that stub (no VM, blocking reads: TCP and waking a sleeping process):\n");
		for (size_t k = 0; k < sizeof(floor_m) / sizeof(floor_m[0]); k++) {
			int m = floor_m[k];
			double f = series_median(&tnull.s[m]);

			if (!tnull.s[m].n)
				continue;
			printf("  %-18s %10.3f %-6s  (A takes %.2fx it, B %.2fx; it is %.2fx A)\n",
			       metric_info[m].name, f, metric_info[m].unit,
			       series_median(&t[0].s[m]) / f, series_median(&t[1].s[m]) / f,
			       f / series_median(&t[0].s[m]));
		}
	}
	for (struct target *all[] = { &tnull, &tboot[0], &tboot[1], &t[0], &t[1], &t16[0], &t16[1],
				      &tidle[0], &tidle[1] }, **tp = all;
	     tp < all + sizeof(all) / sizeof(all[0]); tp++) {
		for (int i = 0; i < (*tp)->nerr; i++)
			printf("ERROR %s: %s\n", (*tp)->name, (*tp)->errors[i]);
		errors += (*tp)->nerr;
	}
	if (o.json) {
		FILE *f = fopen(o.json, "w");
		struct utsname u;
		struct json j;

		if (!f) {
			fprintf(stderr, "rspbench: %s: %s\n", o.json, strerror(errno));
			return 1;
		}
		uname(&u);
		json_begin(&j, f);
		json_str(&j, "tool", "hyve tools/bench/rspbench");
		json_int(&j, "version", 1);
		json_str(&j, "started_utc", started);
		json_obj(&j, "host");
		json_str(&j, "uname", u.release);
		json_int(&j, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
		json_num(&j, "loadavg_start", load0[0]);
		json_num(&j, "loadavg_end", load1[0]);
		json_close(&j, '}');
		json_obj(&j, "params");
		json_str(&j, "elf", elf);
		json_int(&j, "repeats", p.repeats);
		json_int(&j, "regs_n", p.regs_n);
		json_int(&j, "steps", p.steps_n);
		json_int(&j, "bp_hits", p.bp_hits);
		json_int(&j, "mem_bytes", (long long)p.mem_bytes);
		json_int(&j, "intr_n", p.intr_n);
		json_num(&j, "intr_delay_ms", p.intr_delay_ms);
		json_int(&j, "boot_repeats", o.boot_repeats);
		json_int(&j, "idle_repeats", o.idle_repeats);
		json_num(&j, "idle_window_ms", o.idle_window_ms);
		char hex[32];

		snprintf(hex, sizeof(hex), "%#llx", (unsigned long long)p.bp_addr);
		json_str(&j, "bp_addr", hex);
		snprintf(hex, sizeof(hex), "%#llx", (unsigned long long)p.text_addr);
		json_str(&j, "text_addr", hex);
		snprintf(hex, sizeof(hex), "%#llx", (unsigned long long)p.pat_addr);
		json_str(&j, "pattern_addr", hex);
		json_str(&j, "boot_a", o.boot[0]);
		json_str(&j, "boot_b", o.boot[1]);
		json_str(&j, "a16", o.cmd16[0]);
		json_str(&j, "b16", o.cmd16[1]);
		json_str(&j, "idle_nog", o.idle[0]);
		json_str(&j, "idle_g", o.idle[1]);
		json_close(&j, '}');
		json_rows(&j, rows, nrows);
		json_obj(&j, "targets");
		for (struct target *all[] = { &tnull, &t[0], &t[1], &t16[0], &t16[1] }, **tp = all;
		     tp < all + 5; tp++)
			if ((*tp)->name && ((*tp)->cmd || *tp == &tnull))
				json_target(&j, *tp);
		json_close(&j, '}');
		json_arr(&j, "other_errors");
		for (struct target *all[] = { &tboot[0], &tboot[1], &tidle[0], &tidle[1] }, **tp = all;
		     tp < all + 4; tp++)
			for (int i = 0; i < (*tp)->nerr; i++)
				json_str(&j, NULL, (*tp)->errors[i]);
		json_close(&j, ']');
		json_end(&j);
		fclose(f);
		printf("JSON written to %s\n", o.json);
	}
	for (struct target *all[] = { &tnull, &tboot[0], &tboot[1], &t[0], &t[1], &t16[0], &t16[1],
				      &tidle[0], &tidle[1] }, **tp = all;
	     tp < all + sizeof(all) / sizeof(all[0]); tp++)
		target_free(*tp);
	for (struct series *s[] = { &boot[0], &boot[1], &idle.rate_nog, &idle.rate_g, &idle.cpu_nog,
				    &idle.cpu_g, &idle.other_nog, &idle.other_g }, **sp = s;
	     sp < s + sizeof(s) / sizeof(s[0]); sp++)
		free((*sp)->v);
	free(p.pattern);
	return errors ? 1 : 0;
}
