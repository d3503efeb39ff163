/*
 * snapshot.h -- the whole machine at one moment, kept in memory or in a
 * file, and put back: every vCPU's state, the VM-wide state KVM keeps, every
 * device model's state (as records, core/snapbuf.h) and guest RAM (a shared-
 * page image, core/ramimg.h).  Taking one after another costs the pages
 * written in between (core/dirty.h); loading one rewrites only the pages
 * that differ.  Every call here needs every vCPU stopped.
 *
 * Not in a snapshot: the disk image's contents (the file changes in place),
 * the console and other host plumbing, and the debugger's breakpoints and
 * watchpoints, which belong to the debugger: they stay inserted across a
 * load (gdb believes them there), and RAM images never hold their bytes.
 */
#ifndef HYVE_SNAPSHOT_H
#define HYVE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/ramimg.h"
#include "core/snapbuf.h"

struct vm;

#define SNAP_NAME_MAX	64

struct snapshot {
	char name[SNAP_NAME_MAX];
	time_t date;			/* wall clock when taken */
	uint64_t clock_ns;		/* the machine's running time when taken */
	int ncpus;
	uint64_t mem_size;
	struct snap_w state;		/* every record but RAM */
	struct ramimg *ram;
	uint64_t own_pages;		/* pages of RAM this one copied */
};

/* What the VM keeps (vm->snap): the image RAM equals but for the dirty pages, the named ones. */
struct vm_snap {
	struct ramimg *point;
	struct snapshot **named;
	int nnamed, cap;
	struct timespec t0;		/* when the machine started (its running time) */
};

/* Take one (its name empty).  0 or -errno, err set. */
int snapshot_take(struct vm *vm, struct snapshot **out, char *err, size_t errlen);
/*
 * Put the machine in that state.  Everything is checked before anything
 * changes: another vCPU count or RAM size, or a damaged record, refuses with
 * err set and the machine as it was.  0 or -errno.
 */
int snapshot_restore(struct vm *vm, const struct snapshot *s, char *err, size_t errlen);
void snapshot_free(struct snapshot *s);

/* Named snapshots in memory (QEMU's savevm/loadvm/delvm). 0 or -errno, err set. */
int snapshot_save_named(struct vm *vm, const char *name, char *err, size_t errlen);
int snapshot_load_named(struct vm *vm, const char *name, char *err, size_t errlen);
int snapshot_del_named(struct vm *vm, const char *name, char *err, size_t errlen);
const struct snapshot *snapshot_find(struct vm *vm, const char *name);
/* Keep s under its name (replacing one of that name); the VM owns it then. 0 or -ENOMEM. */
int snapshot_keep(struct vm *vm, struct snapshot *s);
void snapshot_destroy_all(struct vm *vm);
/* The machine's running time (the snapshots' "VM clock"). */
uint64_t snapshot_clock_ns(struct vm *vm);

/* Guest-physical bytes as the snapshot holds them.  0, or -EFAULT (not RAM). */
int snapshot_read_phys(const struct vm *vm, const struct snapshot *s, uint64_t gpa, uint8_t *buf,
		       size_t len);

/* snapfile.c: write s to a file, read one back (checked whole).  0 or -errno, err set. */
int snapfile_write(const struct snapshot *s, const char *path, char *err, size_t errlen);
int snapfile_read(const char *path, struct snapshot **out, char *err, size_t errlen);

#endif
