/*
 * ax_int.h -- what the agent-expression files share (ax.c, ax_printf.c,
 * ax_zopts.c); nothing else includes it.
 */
#ifndef HYVE_GDB_AX_INT_H
#define HYVE_GDB_AX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "gdb/ax.h"

/* One printf's text, built whole before it goes to env->output. */
struct ax_fmt_out {
	char buf[AX_OUT_MAX];
	size_t len;		/* past AX_OUT_MAX the rest is dropped */
	size_t read;		/* bytes %s read from the guest */
	int cb_err;		/* -EFAULT from ax_format_run: read_mem's -errno */
};

/*
 * Validate a printf bytecode's format: fmt is the string as gdb sends it
 * (C escapes still in, slen bytes with its NUL); it must take exactly nargs
 * arguments.  0 or -EINVAL.
 */
int ax_format_check(const char *fmt, size_t slen, unsigned nargs);

/*
 * Format with args[0..nargs) (the first is the format's first) into *out.
 * 0, -EINVAL (bad format, as ax_format_check), or -EFAULT: a %s string was
 * unreadable (*fault_addr: the address of the read that failed).
 */
int ax_format_run(const char *fmt, size_t slen, unsigned nargs, const uint64_t *args,
		  const struct ax_env *env, struct ax_fmt_out *out, uint64_t *fault_addr);

#endif
