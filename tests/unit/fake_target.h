/*
 * fake_target.h -- the debug server's ops table (gdb/target.h) over memory,
 * for unit tests: N vCPUs each with a small register image, a RAM buffer
 * with an unreadable hole, a breakpoint table, and every resume/stop/detach
 * recorded.  stop() completes at once (stop_sync) or when the test says so
 * (fake_complete_stop); stops are announced through the notify hook, which
 * tests point at gdb_session_stopped or gdb_server_stopped.
 *
 * Register layout (the `g` image, FAKE_REGS_BYTES bytes):
 *   reg 0 "rax" 8 bytes, reg 1 "rip" 8 bytes, reg 2 "eflags" 4 bytes.
 * Memory: RAM at [FAKE_RAM_BASE, FAKE_RAM_END) holding (addr * 7) & 0xff,
 * except the hole [FAKE_HOLE_START, FAKE_HOLE_END) which faults.
 */
#ifndef HYVE_FAKE_TARGET_H
#define HYVE_FAKE_TARGET_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gdb/ax.h"
#include "gdb/rsp.h"
#include "gdb/target.h"

#define FAKE_MAX_CPUS		8
#define FAKE_NREGS		3
#define FAKE_REGS_BYTES		20
#define FAKE_RAM_BASE		0x1000u
#define FAKE_RAM_SIZE		0x3000u
#define FAKE_RAM_END		(FAKE_RAM_BASE + FAKE_RAM_SIZE)
#define FAKE_HOLE_START		0x2000u
#define FAKE_HOLE_END		0x2100u
#define FAKE_MAX_BPS		16

static const int fake_reg_off[FAKE_NREGS] __attribute__((unused)) = { 0, 8, 16 };
static const int fake_reg_len[FAKE_NREGS] __attribute__((unused)) = { 8, 8, 4 };

static const char fake_xml[] __attribute__((unused)) =
	"<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target><architecture>i386:x86-64</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>"
	"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>"
	"<reg name=\"eflags\" bitsize=\"32\" type=\"int32\"/>"
	"</feature></target>\n";

struct fake_bp {
	enum gdb_bp_type type;
	uint64_t addr, kind;
};

struct fake_target {
	int ncpus;
	uint8_t regs[FAKE_MAX_CPUS][FAKE_REGS_BYTES];
	uint8_t ram[FAKE_RAM_SIZE];

	bool running;
	bool stop_pending;	/* stop() called, not completed yet */
	bool stop_sync;		/* stop() completes (and notifies) at once */
	int interrupt_cpu;	/* the vCPU a completed stop() reports */
	struct gdb_stop stop;	/* what stop_info returns */
	void (*notify)(void *arg);	/* "the machine stopped" */
	void *notify_arg;

	int stops, resumes, detaches, kills, stop_infos;
	enum gdb_resume actions[FAKE_MAX_CPUS];	/* of the last resume */
	int stop_error, resume_error;		/* forced results (0: none) */
	int last_mem_cpu;

	struct fake_bp bps[FAKE_MAX_BPS];
	int nbps;
	bool hw_unsupported;	/* Z1: -EOPNOTSUPP */

	/* bp_opts (fake_cond_ops only): the last lists handed over */
	int opts_calls;
	enum gdb_bp_type opts_type;
	uint64_t opts_addr, opts_kind;
	unsigned opts_nconds, opts_ncmds;
	bool opts_persist;
	uint8_t opts_first[64];		/* the first expression's bytecode */
	size_t opts_first_len;
	int opts_error;			/* forced result (0: none) */

	uint64_t range_start[FAKE_MAX_CPUS], range_end[FAKE_MAX_CPUS];	/* set_range */
	int violations;		/* ops used while the machine ran */
	char last_monitor[64];
	int sstep;		/* QEMU's single-step flags (sstep_flags) */
	int restarts, restart_error;	/* restart: calls, forced result */
};

static inline void fake_init(struct fake_target *f, int ncpus)
{
	memset(f, 0, sizeof(*f));
	f->ncpus = ncpus;
	for (int c = 0; c < FAKE_MAX_CPUS; c++)
		for (int i = 0; i < FAKE_REGS_BYTES; i++)
			f->regs[c][i] = (uint8_t)(c * 0x10 + i);
	for (unsigned i = 0; i < FAKE_RAM_SIZE; i++)
		f->ram[i] = (uint8_t)((FAKE_RAM_BASE + i) * 7);
	f->stop_sync = true;
	f->running = true;
}

static inline void fake_notify(struct fake_target *f)
{
	if (f->notify)
		f->notify(f->notify_arg);
}

/* Finish a pending stop() (stop_sync false). */
static inline void fake_complete_stop(struct fake_target *f)
{
	f->stop_pending = false;
	f->running = false;
	fake_notify(f);
}

/* A vCPU stops by itself (breakpoint, step done, exit...): all stop. */
static inline void fake_hit(struct fake_target *f, enum gdb_stop_kind kind, int cpu,
			    uint64_t addr)
{
	memset(&f->stop, 0, sizeof(f->stop));
	f->stop.kind = kind;
	f->stop.cpu = cpu;
	f->stop.addr = addr;
	f->stop.code = (int)addr;
	f->running = false;
	fake_notify(f);
}

static inline bool fake_ram_ok(uint64_t a)
{
	return a >= FAKE_RAM_BASE && a < FAKE_RAM_END &&
	       !(a >= FAKE_HOLE_START && a < FAKE_HOLE_END);
}

static inline void fake_check_stopped(struct fake_target *f)
{
	if (f->running)
		f->violations++;
}

static inline int fake_ncpus(void *t)
{
	return ((struct fake_target *)t)->ncpus;
}

static inline const char *fake_target_xml(void *t, size_t *len)
{
	*len = sizeof(fake_xml) - 1;
	return fake_xml;
}

static inline int fake_read_regs(void *t, int cpu, uint8_t *buf, size_t cap)
{
	struct fake_target *f = t;

	fake_check_stopped(f);
	if (cpu < 0 || cpu >= f->ncpus || cap < FAKE_REGS_BYTES)
		return -EINVAL;
	memcpy(buf, f->regs[cpu], FAKE_REGS_BYTES);
	return FAKE_REGS_BYTES;
}

static inline int fake_write_regs(void *t, int cpu, const uint8_t *buf, size_t len)
{
	struct fake_target *f = t;

	fake_check_stopped(f);
	if (cpu < 0 || cpu >= f->ncpus || len != FAKE_REGS_BYTES)
		return -EINVAL;
	memcpy(f->regs[cpu], buf, len);
	return 0;
}

static inline int fake_read_reg(void *t, int cpu, int regno, uint8_t *buf, size_t cap)
{
	struct fake_target *f = t;

	fake_check_stopped(f);
	if (cpu < 0 || cpu >= f->ncpus)
		return -EINVAL;
	if (regno < 0 || regno >= FAKE_NREGS)
		return -ENOENT;
	if (cap < (size_t)fake_reg_len[regno])
		return -ENOSPC;
	memcpy(buf, f->regs[cpu] + fake_reg_off[regno], (size_t)fake_reg_len[regno]);
	return fake_reg_len[regno];
}

static inline int fake_write_reg(void *t, int cpu, int regno, const uint8_t *buf, size_t len)
{
	struct fake_target *f = t;

	fake_check_stopped(f);
	if (cpu < 0 || cpu >= f->ncpus)
		return -EINVAL;
	if (regno < 0 || regno >= FAKE_NREGS)
		return -ENOENT;
	if (len != (size_t)fake_reg_len[regno])
		return -EINVAL;
	memcpy(f->regs[cpu] + fake_reg_off[regno], buf, len);
	return (int)len;
}

static inline long fake_read_mem(void *t, int cpu, uint64_t addr, uint8_t *buf, size_t len)
{
	struct fake_target *f = t;
	size_t i;

	fake_check_stopped(f);
	f->last_mem_cpu = cpu;
	for (i = 0; i < len; i++) {
		uint64_t a = addr + i;

		if (a < addr || !fake_ram_ok(a))
			break;
		buf[i] = f->ram[a - FAKE_RAM_BASE];
	}
	return i ? (long)i : -EFAULT;
}

static inline long fake_write_mem(void *t, int cpu, uint64_t addr, const uint8_t *buf,
				  size_t len)
{
	struct fake_target *f = t;
	size_t i;

	fake_check_stopped(f);
	f->last_mem_cpu = cpu;
	for (i = 0; i < len; i++) {
		uint64_t a = addr + i;

		if (a < addr || !fake_ram_ok(a))
			break;
		f->ram[a - FAKE_RAM_BASE] = buf[i];
	}
	return i ? (long)i : -EFAULT;
}

static inline int fake_resume(void *t, const enum gdb_resume *actions)
{
	struct fake_target *f = t;

	f->resumes++;
	if (f->resume_error)
		return f->resume_error;
	memcpy(f->actions, actions, (size_t)f->ncpus * sizeof(*actions));
	f->running = true;
	return 0;
}

static inline int fake_stop(void *t)
{
	struct fake_target *f = t;

	f->stops++;
	if (f->stop_error)
		return f->stop_error;
	memset(&f->stop, 0, sizeof(f->stop));
	f->stop.kind = GDB_STOP_INTERRUPT;
	f->stop.cpu = f->interrupt_cpu;
	f->stop_pending = true;
	if (f->stop_sync)
		fake_complete_stop(f);
	return 0;
}

static inline int fake_stop_info(void *t, struct gdb_stop *out)
{
	struct fake_target *f = t;

	f->stop_infos++;
	*out = f->stop;
	return 0;
}

static inline int fake_breakpoint(void *t, bool insert, enum gdb_bp_type type, uint64_t addr,
				  uint64_t kind)
{
	struct fake_target *f = t;

	fake_check_stopped(f);
	if (type == GDB_BP_HW && f->hw_unsupported)
		return -EOPNOTSUPP;
	if (!fake_ram_ok(addr) && type == GDB_BP_SW)
		return -EFAULT;
	for (int i = 0; i < f->nbps; i++) {
		if (f->bps[i].type == type && f->bps[i].addr == addr) {
			if (insert)
				return 0;	/* already there */
			f->bps[i] = f->bps[--f->nbps];
			return 0;
		}
	}
	if (!insert)
		return -ENOENT;
	if (f->nbps == FAKE_MAX_BPS)
		return -ENOSPC;
	f->bps[f->nbps].type = type;
	f->bps[f->nbps].addr = addr;
	f->bps[f->nbps].kind = kind;
	f->nbps++;
	return 0;
}

/* Records what it got and takes it (frees the expressions, as a target owning them would). */
static inline int fake_bp_opts(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t kind,
			       struct ax_bp_opts *o)
{
	struct fake_target *f = t;
	const struct ax_expr *first = o->nconds ? &o->conds[0] : o->ncmds ? &o->cmds[0] : NULL;

	fake_check_stopped(f);
	f->opts_calls++;
	f->opts_type = type;
	f->opts_addr = addr;
	f->opts_kind = kind;
	f->opts_nconds = o->nconds;
	f->opts_ncmds = o->ncmds;
	f->opts_persist = o->persist;
	f->opts_first_len = first ? first->len : 0;
	if (first && first->len <= sizeof(f->opts_first))
		memcpy(f->opts_first, first->code, first->len);
	ax_bp_opts_free(o);
	return f->opts_error;
}

static inline void fake_detach(void *t)
{
	struct fake_target *f = t;

	f->detaches++;
	f->nbps = 0;
	f->running = true;
}

static inline void fake_kill(void *t)
{
	((struct fake_target *)t)->kills++;
}

/* "info" prints, "fail" prints then fails, "help" lists, "big" prints 5000 bytes. */
static inline int fake_monitor(void *t, const char *cmd, struct rsp_buf *out)
{
	struct fake_target *f = t;

	fake_check_stopped(f);
	snprintf(f->last_monitor, sizeof(f->last_monitor), "%s", cmd);
	if (!strcmp(cmd, "help"))
		return rsp_buf_puts(out, "  info              fake machine facts\n");
	if (!strcmp(cmd, "info"))
		return rsp_buf_printf(out, "fake machine: %d vCPUs\n", f->ncpus);
	if (!strcmp(cmd, "fail")) {
		rsp_buf_puts(out, "half done\n");
		return -EIO;
	}
	if (!strcmp(cmd, "big")) {
		for (int i = 0; i < 5000; i++)
			rsp_buf_put(out, &"0123456789abcdef\n"[i % 17], 1);
		return 0;
	}
	return -ENOENT;
}

static inline int fake_thread_extra(void *t, int cpu, char *buf, size_t cap)
{
	return snprintf(buf, cap, "%s", cpu == 1 ? "halted" : "");
}

static inline int fake_set_range(void *t, int cpu, uint64_t start, uint64_t end)
{
	struct fake_target *f = t;

	if (cpu < 0 || cpu >= f->ncpus || start >= end)
		return -EINVAL;
	f->range_start[cpu] = start;
	f->range_end[cpu] = end;
	return 0;
}

/* Like hyve's: ENABLE and NOIRQ only. */
static inline int fake_sstep_flags(void *t, int set)
{
	struct fake_target *f = t;

	if (set >= 0) {
		if (set & ~(GDB_SSTEP_ENABLE | GDB_SSTEP_NOIRQ))
			return -EINVAL;
		f->sstep = set;
	}
	return f->sstep;
}

/* The machine as at boot: vCPU 0's rip back to 0 (the other registers stay). */
static inline int fake_restart(void *t)
{
	struct fake_target *f = t;

	fake_check_stopped(f);
	f->restarts++;
	if (f->restart_error)
		return f->restart_error;
	memset(f->regs[0] + 8, 0, 8);
	return 0;
}

static const struct gdb_target_ops fake_ops __attribute__((unused)) = {
	.ncpus = fake_ncpus,
	.target_xml = fake_target_xml,
	.read_regs = fake_read_regs,
	.write_regs = fake_write_regs,
	.read_reg = fake_read_reg,
	.write_reg = fake_write_reg,
	.read_mem = fake_read_mem,
	.write_mem = fake_write_mem,
	.resume = fake_resume,
	.stop = fake_stop,
	.stop_info = fake_stop_info,
	.breakpoint = fake_breakpoint,
	.detach = fake_detach,
	.kill = fake_kill,
	.monitor = fake_monitor,
	.thread_extra = fake_thread_extra,
	.sstep_flags = fake_sstep_flags,
	.restart = fake_restart,
};

#endif
