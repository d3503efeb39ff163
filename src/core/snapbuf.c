/* snapbuf.c -- snapshot state records; see snapbuf.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/snapbuf.h"

struct rec_head {
	uint32_t tag, inst;
	uint64_t len;
};

void snapw_put(struct snap_w *w, uint32_t tag, uint32_t inst, const void *data, size_t len)
{
	struct rec_head h = { tag, inst, len };
	size_t need = sizeof(h) + len;

	if (w->err)
		return;
	if (w->cap - w->len < need) {
		size_t cap = w->cap ? w->cap : 4096;
		uint8_t *p;

		while (cap - w->len < need)
			cap *= 2;
		p = realloc(w->p, cap);
		if (!p) {
			w->err = -ENOMEM;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->len, &h, sizeof(h));
	if (len)
		memcpy(w->p + w->len + sizeof(h), data, len);
	w->len += need;
}

void snapw_free(struct snap_w *w)
{
	free(w->p);
	*w = (struct snap_w){ 0 };
}

int snapr_check(const struct snap_r *r)
{
	size_t off = 0;

	while (off < r->len) {
		struct rec_head h;

		if (r->len - off < sizeof(h))
			return -EINVAL;
		memcpy(&h, r->p + off, sizeof(h));
		off += sizeof(h);
		if (h.len > r->len - off)
			return -EINVAL;
		off += h.len;
	}
	return 0;
}

int snapr_find(const struct snap_r *r, uint32_t tag, uint32_t inst, const void **data,
	       size_t *len)
{
	size_t off = 0;

	while (r->len - off >= sizeof(struct rec_head)) {
		struct rec_head h;

		memcpy(&h, r->p + off, sizeof(h));
		off += sizeof(h);
		if (h.len > r->len - off)
			return -ENOENT;
		if (h.tag == tag && h.inst == inst) {
			*data = r->p + off;
			*len = h.len;
			return 0;
		}
		off += h.len;
	}
	return -ENOENT;
}

int snapr_get(const struct snap_r *r, uint32_t tag, uint32_t inst, void *dst, size_t len)
{
	const void *d;
	size_t n;
	int e = snapr_find(r, tag, inst, &d, &n);

	if (e)
		return e;
	if (n != len)
		return -EINVAL;
	memcpy(dst, d, len);
	return 0;
}
