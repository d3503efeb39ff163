/*
 * ax_zopts.c -- the condition and command lists of a Z0/Z1 packet (see
 * ax.h for the grammar and what gdb 13 sends), and their evaluation at a
 * hit.  Its own small hex helpers: nothing shared with rsp.c, so the two
 * can change apart.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gdb/ax.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A hex number of 1..max_digits digits at t[*i], ended by ',' (consumed).
 * 0 or -EINVAL.
 */
static int hex_field(const char *t, size_t n, size_t *i, unsigned max_digits, uint64_t *v)
{
	unsigned digits = 0;

	*v = 0;
	for (; *i < n && hexval(t[*i]) >= 0; (*i)++) {
		if (++digits > max_digits)
			return -EINVAL;
		*v = *v << 4 | (uint64_t)hexval(t[*i]);
	}
	if (!digits || *i >= n || t[*i] != ',')
		return -EINVAL;
	(*i)++;
	return 0;
}

/* "Xlen,hexbytes" repeated (at least once), appended to list[*count]. */
static int x_list(const char *t, size_t n, size_t *i, struct ax_expr *list, unsigned *count)
{
	unsigned got = 0;

	while (*i < n && t[*i] == 'X') {
		uint64_t len;
		uint8_t *code;

		(*i)++;
		/* 8 digits: no overflow below, whatever the text says */
		if (hex_field(t, n, i, 8, &len) || len == 0)
			return -EINVAL;
		if (len > AX_MAX_LEN || *count == AX_MAX_EXPRS)
			return -E2BIG;
		if ((n - *i) / 2 < len)
			return -EINVAL;
		code = malloc(len);
		if (!code)
			return -ENOMEM;
		for (size_t k = 0; k < len; k++) {
			int hi = hexval(t[*i + 2 * k]), lo = hexval(t[*i + 2 * k + 1]);

			if (hi < 0 || lo < 0) {
				free(code);
				return -EINVAL;
			}
			code[k] = (uint8_t)(hi << 4 | lo);
		}
		*i += 2 * len;
		list[*count].code = code;
		list[*count].len = len;
		(*count)++;
		got++;
	}
	return got ? 0 : -EINVAL;
}

int ax_parse_z_opts(const char *t, size_t n, struct ax_bp_opts *o)
{
	size_t i = 0;
	int r;

	memset(o, 0, sizeof(*o));
	while (i < n) {
		if (t[i++] != ';')
			return -EINVAL;
		if (n - i >= 5 && !memcmp(t + i, "cmds:", 5)) {
			uint64_t persist;

			i += 5;
			if (hex_field(t, n, &i, 16, &persist))
				return -EINVAL;
			o->persist = persist != 0;
			r = x_list(t, n, &i, o->cmds, &o->ncmds);
		} else {
			/* gdbserver skips unknown tokens; refusing is as safe (ax.h) */
			r = x_list(t, n, &i, o->conds, &o->nconds);
		}
		if (r)
			return r;
	}
	return 0;
}

void ax_bp_opts_free(struct ax_bp_opts *o)
{
	for (unsigned k = 0; k < o->nconds; k++)
		free(o->conds[k].code);
	for (unsigned k = 0; k < o->ncmds; k++)
		free(o->cmds[k].code);
	memset(o, 0, sizeof(*o));
}

enum ax_status ax_conds_eval(const struct ax_bp_opts *o, const struct ax_env *env,
			     struct ax_result *res)
{
	enum ax_status st = AX_TRUE;

	if (res) {
		memset(res, 0, sizeof(*res));
		res->status = AX_TRUE;
	}
	for (unsigned k = 0; k < o->nconds; k++) {
		st = ax_eval(o->conds[k].code, o->conds[k].len, env, res);
		if (st != AX_FALSE)
			break;
	}
	return st;
}

enum ax_status ax_cmds_run(const struct ax_bp_opts *o, const struct ax_env *env,
			   struct ax_result *res)
{
	if (res) {
		memset(res, 0, sizeof(*res));
		res->status = AX_DONE;
	}
	for (unsigned k = 0; k < o->ncmds; k++) {
		enum ax_status st = ax_eval(o->cmds[k].code, o->cmds[k].len, env, res);

		if (st == AX_FAULT || st == AX_ERROR)
			return st;
	}
	return AX_DONE;
}
