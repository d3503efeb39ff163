/*
 * pgdump.h -- enumerate every mapping of a guest address space (monitor
 * `info mem`, and the virtual program headers of `monitor dump`), through
 * the same abstract physical reader as the walker.  Adjacent pages with
 * contiguous physical addresses and equal permissions come out as one range.
 */
#ifndef HYVE_X86_PGDUMP_H
#define HYVE_X86_PGDUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/walk.h"

struct pg_range {
	uint64_t va, pa, size;
	bool writable, user, nx;
};

/* Non-zero return stops the enumeration and is returned. */
typedef int (*pgdump_fn)(void *opaque, const struct pg_range *r);

/* 0, the callback's value, or -EFAULT if the top table is unreadable. */
int pgdump(const struct walk_ctx *w, pgdump_fn fn, void *opaque);

#endif
