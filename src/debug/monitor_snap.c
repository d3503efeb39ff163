/*
 * monitor_snap.c -- snapshots and the reverse-execution history from the
 * debugger: QEMU's savevm, loadvm, delvm and `info snapshots` (QEMU 7.2's
 * names and table layout), a file beside them, and `history`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/snapshot.h"
#include "debug/dbg.h"
#include "gdb/rsp.h"
#include "util.h"

/* "NAME" or "NAME FILE": split in place into name and (maybe empty) file. */
static int two_words(const char *args, char *name, size_t nlen, const char **file)
{
	const char *sp = strchr(args, ' ');
	size_t n = sp ? (size_t)(sp - args) : strlen(args);

	if (!n || n >= nlen)
		return -EINVAL;
	memcpy(name, args, n);
	name[n] = 0;
	*file = sp ? sp + 1 : "";
	while (**file == ' ')
		(*file)++;
	return 0;
}

static int mon_savevm(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	char name[SNAP_NAME_MAX], err[256];
	const char *file;
	int64_t t0 = now_ns();
	int r;

	if (two_words(args, name, sizeof(name), &file))
		return -EINVAL;
	r = snapshot_save_named(t->vm, name, err, sizeof(err));
	if (!r && *file)
		r = snapfile_write(snapshot_find(t->vm, name), file, err, sizeof(err));
	if (r) {
		rsp_buf_printf(o, "Error: %s\n", err);
		return 0;
	}
	log_info("savevm %s: %.1f ms", name, (double)(now_ns() - t0) / 1e6);
	return 0;
}

static int mon_loadvm(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	char err[256];
	int r;

	if (!*args || strchr(args, ' '))
		return -EINVAL;
	if (!snapshot_find(t->vm, args) && strchr(args, '/')) {
		struct snapshot *s;

		/* a file: read and checked whole, then kept under its name */
		r = snapfile_read(args, &s, err, sizeof(err));
		if (!r) {
			r = snapshot_restore(t->vm, s, err, sizeof(err));
			if (!r && snapshot_keep(t->vm, s))
				snapshot_free(s);
			else if (r)
				snapshot_free(s);
		}
	} else {
		r = snapshot_load_named(t->vm, args, err, sizeof(err));
	}
	if (r) {
		rsp_buf_printf(o, "Error: %s\n", err);
		return 0;
	}
	dbg_forget_stop(t);
	dbg_history_clear(t);	/* a jump, not a step: the history before it is another past */
	rsp_buf_printf(o, "loadvm: the machine is as it was at %s; gdb shows its registers again "
		       "after `maintenance flush register-cache` (or a step)\n", args);
	return 0;
}

static int mon_delvm(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	char err[256];

	if (!*args || strchr(args, ' '))
		return -EINVAL;
	if (snapshot_del_named(t->vm, args, err, sizeof(err)))
		rsp_buf_printf(o, "Error: %s\n", err);
	return 0;
}

/* QEMU's size_to_str: three significant digits and a binary unit. */
static void size_str(char *buf, size_t cap, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, cap, "%0.3g %s", v, units[u]);
}

static int info_snapshots(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	struct vm_snap *vs = t->vm->snap;

	if (!vs || !vs->nnamed) {
		rsp_buf_puts(o, "There is no snapshot available.\n");
		return 0;
	}
	rsp_buf_puts(o, "List of snapshots present on all disks:\n");
	rsp_buf_printf(o, "%-7s %-16s %8s %19s %15s %10s\n", "ID", "TAG", "VM SIZE", "DATE",
		       "VM CLOCK", "ICOUNT");
	for (int i = 0; i < vs->nnamed; i++) {
		const struct snapshot *s = vs->named[i];
		uint64_t ms = s->clock_ns / 1000000;
		char size[32], date[32], clock[32];
		struct tm tm;

		size_str(size, sizeof(size), s->own_pages * RAMIMG_PAGE + s->state.len);
		localtime_r(&s->date, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(clock, sizeof(clock), "%02llu:%02llu:%02llu.%03llu",
			 (unsigned long long)(ms / 3600000), (unsigned long long)(ms / 60000 % 60),
			 (unsigned long long)(ms / 1000 % 60), (unsigned long long)(ms % 1000));
		rsp_buf_printf(o, "%-7s %-16s %8s %19s %15s %10s\n", "--", s->name, size, date,
			       clock, "");
	}
	return 0;
}

static int mon_history(struct dtarget *t, const char *args, struct rsp_buf *o)
{
	struct dhist *h = &t->hist;
	uint64_t v;

	if (!strcmp(args, "on")) {
		h->on = true;
	} else if (!strcmp(args, "off")) {
		h->on = false;
		dbg_history_clear(t);
	} else if (!strcmp(args, "clear")) {
		dbg_history_clear(t);
	} else if (!strncmp(args, "limit ", 6)) {
		if (parse_size(args + 6, &v))
			return -EINVAL;
		dbg_history_limit(t, v);
	} else if (*args) {
		return -EINVAL;
	}
	rsp_buf_printf(o, "history: %s, %d entries, %llu KiB of RAM copies, limit %llu KiB\n",
		       h->on ? "recording" : "off", h->n,
		       (unsigned long long)(h->pages * RAMIMG_PAGE >> 10),
		       (unsigned long long)(h->limit >> 10));
	return 0;
}

const struct mon_cmd snap_mon_cmds[] = {
	{ "savevm", "NAME [FILE]", "QEMU: keep a snapshot of the whole machine (and write it to FILE)",
	  mon_savevm },
	{ "loadvm", "NAME|FILE", "QEMU: put the machine back as it was at a snapshot (a path: from a file)",
	  mon_loadvm },
	{ "delvm", "NAME", "QEMU: forget a snapshot", mon_delvm },
	{ "info snapshots", "", "QEMU: the snapshots kept", info_snapshots },
	{ "history", "[on|off|clear|limit SIZE]",
	  "reverse execution: the machine recorded at each resume", mon_history },
};
const int snap_mon_ncmds = ARRAY_SIZE(snap_mon_cmds);
