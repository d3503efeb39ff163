/* cond.c -- conditions and commands per breakpoint, and their verdict at a hit; see cond.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug/cond.h"
#include "gdb/rsp.h"

void cond_init(struct cond_table *ct)
{
	memset(ct, 0, sizeof(*ct));
	pthread_rwlock_init(&ct->lock, NULL);
}

void cond_destroy(struct cond_table *ct)
{
	cond_clear(ct, false);
	free(ct->bps);
	ct->bps = NULL;
	ct->cap = 0;
	pthread_rwlock_destroy(&ct->lock);
}

static bool is_watch(enum gdb_bp_type t)
{
	return t == GDB_WP_WRITE || t == GDB_WP_READ || t == GDB_WP_ACCESS;
}

/* The entry of (type, addr[, len]), or -1.  Lock held. */
static int find(const struct cond_table *ct, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	for (int i = 0; i < ct->n; i++) {
		const struct cond_bp *b = &ct->bps[i];

		if (b->type == type && b->addr == addr && (!is_watch(type) || b->len == len))
			return i;
	}
	return -1;
}

/* Write lock held. */
static void drop(struct cond_table *ct, int i)
{
	ax_bp_opts_free(&ct->bps[i].o);
	ct->bps[i] = ct->bps[--ct->n];
	__atomic_store_n(&ct->count, ct->n, __ATOMIC_RELEASE);
}

int cond_set(struct cond_table *ct, enum gdb_bp_type type, uint64_t addr, uint64_t len,
	     bool phys, struct ax_bp_opts *o)
{
	int i, r = 0;

	pthread_rwlock_wrlock(&ct->lock);
	i = find(ct, type, addr, len);
	if (!o->nconds && !o->ncmds) {
		if (i >= 0)
			drop(ct, i);
		goto out;
	}
	if (i < 0) {
		if (ct->n == ct->cap) {
			int ncap = ct->cap ? ct->cap * 2 : 8;
			struct cond_bp *nb = realloc(ct->bps, sizeof(*nb) * (size_t)ncap);

			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			ct->bps = nb;
			ct->cap = ncap;
		}
		i = ct->n++;
	} else {
		ax_bp_opts_free(&ct->bps[i].o);
	}
	ct->bps[i] = (struct cond_bp){ .type = type, .addr = addr, .len = len, .phys = phys,
				       .o = *o };
	memset(o, 0, sizeof(*o));
	__atomic_store_n(&ct->count, ct->n, __ATOMIC_RELEASE);
out:
	pthread_rwlock_unlock(&ct->lock);
	return r;
}

void cond_del(struct cond_table *ct, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	int i;

	pthread_rwlock_wrlock(&ct->lock);
	i = find(ct, type, addr, len);
	if (i >= 0)
		drop(ct, i);
	pthread_rwlock_unlock(&ct->lock);
}

static bool keeps(const struct cond_bp *b)
{
	return b->o.persist && b->o.ncmds && !is_watch(b->type);
}

void cond_clear(struct cond_table *ct, bool keep_persistent)
{
	pthread_rwlock_wrlock(&ct->lock);
	for (int i = ct->n - 1; i >= 0; i--)
		if (!keep_persistent || !keeps(&ct->bps[i]))
			drop(ct, i);
	pthread_rwlock_unlock(&ct->lock);
}

bool cond_persistent(struct cond_table *ct, enum gdb_bp_type type, uint64_t addr)
{
	bool r;
	int i;

	pthread_rwlock_rdlock(&ct->lock);
	i = find(ct, type, addr, 0);
	r = i >= 0 && keeps(&ct->bps[i]);
	pthread_rwlock_unlock(&ct->lock);
	return r;
}

bool cond_any(struct cond_table *ct)
{
	return __atomic_load_n(&ct->count, __ATOMIC_ACQUIRE) != 0;
}

static bool matches(const struct cond_bp *b, const struct cond_hit *h)
{
	if (h->watch)
		return b->type == h->wtype && h->addr >= b->addr && h->addr - b->addr < b->len;
	return !is_watch(b->type) && b->addr == h->addr;
}

/* A line in the command output: what went wrong with a command. */
static void say_error(const struct ax_env *env, const struct cond_bp *b,
		      const struct ax_result *res)
{
	char line[160];
	int n;

	if (!env->output)
		return;
	if (res->err == AX_E_MEM)
		n = snprintf(line, sizeof(line), "[hyve: commands at 0x%llx: cannot read memory "
			     "at 0x%llx]\n", (unsigned long long)b->addr,
			     (unsigned long long)res->addr);
	else
		n = snprintf(line, sizeof(line), "[hyve: commands at 0x%llx: %s]\n",
			     (unsigned long long)b->addr, ax_strerror(res->err));
	if (n > 0)
		env->output(env->opaque, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

enum cond_verdict cond_eval(struct cond_table *ct, const struct cond_hit *h,
			    const struct ax_env *env, bool *phys)
{
	enum cond_verdict v = COND_NONE;
	struct ax_result res;

	pthread_rwlock_rdlock(&ct->lock);
	for (int i = 0; i < ct->n; i++) {
		struct cond_bp *b = &ct->bps[i];
		bool stop;

		if (!matches(b, h))
			continue;
		if (phys)
			*phys = b->phys;
		__atomic_fetch_add(&b->hits, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&ct->hits, 1, __ATOMIC_RELAXED);
		if (ax_conds_eval(&b->o, env, &res) == AX_FALSE) {
			stop = false;
		} else if (b->o.ncmds) {
			enum ax_status st = ax_cmds_run(&b->o, env, &res);

			__atomic_fetch_add(&ct->runs, 1, __ATOMIC_RELAXED);
			if (st == AX_FAULT || st == AX_ERROR)
				say_error(env, b, &res);
			stop = false;
		} else {
			stop = true;
		}
		if (stop) {
			__atomic_fetch_add(&b->stops, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&ct->stops, 1, __ATOMIC_RELAXED);
			v = COND_STOP;
		} else if (v == COND_NONE) {
			v = COND_GO;
		}
	}
	pthread_rwlock_unlock(&ct->lock);
	return v;
}

static const char *type_name(enum gdb_bp_type t)
{
	static const char *const names[] = { "break", "hbreak", "watch", "rwatch", "awatch" };

	return (unsigned)t < 5 ? names[t] : "?";
}

void cond_list(struct cond_table *ct, struct rsp_buf *out)
{
	pthread_rwlock_rdlock(&ct->lock);
	if (!ct->n)
		rsp_buf_puts(out, "no conditions or commands set (gdb removes its breakpoints "
			     "while stopped)\n");
	for (int i = 0; i < ct->n; i++) {
		const struct cond_bp *b = &ct->bps[i];

		rsp_buf_printf(out, "%s 0x%llx", type_name(b->type), (unsigned long long)b->addr);
		if (is_watch(b->type))
			rsp_buf_printf(out, " len %llu", (unsigned long long)b->len);
		rsp_buf_printf(out, ": %u condition%s, %u command%s%s; %llu hits, %llu stops\n",
			       b->o.nconds, b->o.nconds == 1 ? "" : "s", b->o.ncmds,
			       b->o.ncmds == 1 ? "" : "s", b->o.persist ? " (persist)" : "",
			       (unsigned long long)__atomic_load_n(&b->hits, __ATOMIC_RELAXED),
			       (unsigned long long)__atomic_load_n(&b->stops, __ATOMIC_RELAXED));
	}
	pthread_rwlock_unlock(&ct->lock);
	rsp_buf_printf(out, "evaluated by hyve so far: %llu hits, %llu reported, %llu ran commands\n",
		       (unsigned long long)__atomic_load_n(&ct->hits, __ATOMIC_RELAXED),
		       (unsigned long long)__atomic_load_n(&ct->stops, __ATOMIC_RELAXED),
		       (unsigned long long)__atomic_load_n(&ct->runs, __ATOMIC_RELAXED));
}
