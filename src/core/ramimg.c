/* ramimg.c -- RAM images with shared pages; see ramimg.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ramimg.h"

struct rampage {
	uint64_t refs;			/* images holding this page (atomic) */
	uint8_t data[RAMIMG_PAGE];
};

static uint64_t live_pages;		/* atomic */

static bool is_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;

	for (unsigned i = 0; i < RAMIMG_PAGE / 8; i++)
		if (w[i])
			return false;
	return true;
}

static struct rampage *page_new(const uint8_t *data)
{
	struct rampage *p = malloc(sizeof(*p));

	if (!p)
		return NULL;
	p->refs = 1;
	memcpy(p->data, data, RAMIMG_PAGE);
	__atomic_add_fetch(&live_pages, 1, __ATOMIC_RELAXED);
	return p;
}

static void page_get(struct rampage *p)
{
	if (p)
		__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
}

/* Drop one reference; true if the page went with it. */
static bool page_put(struct rampage *p)
{
	if (!p || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL))
		return false;
	free(p);
	__atomic_sub_fetch(&live_pages, 1, __ATOMIC_RELAXED);
	return true;
}

struct ramimg *ramimg_new(uint64_t npages)
{
	struct ramimg *img = calloc(1, sizeof(*img));

	if (!img)
		return NULL;
	img->npages = npages;
	img->refs = 1;
	img->pg = calloc(npages ? npages : 1, sizeof(struct rampage *));
	if (!img->pg) {
		free(img);
		return NULL;
	}
	return img;
}

int ramimg_set(struct ramimg *img, uint64_t i, const uint8_t *data)
{
	struct rampage *p = NULL;

	if (i >= img->npages)
		return -EINVAL;
	if (!is_zero(data)) {
		p = page_new(data);
		if (!p)
			return -ENOMEM;
		img->own++;
	}
	page_put(img->pg[i]);
	img->pg[i] = p;
	return 0;
}

struct ramimg *ramimg_take(const uint8_t *ram, uint64_t npages, const struct ramimg *base,
			   const uint64_t *dirty,
			   void (*fix)(void *opaque, uint64_t page, uint8_t *data), void *opaque)
{
	struct ramimg *img = ramimg_new(npages);
	uint8_t buf[RAMIMG_PAGE];

	if (!img)
		return NULL;
	if (base && base->npages != npages)
		base = NULL;
	for (uint64_t i = 0; i < npages; i++) {
		const uint8_t *src = ram + i * RAMIMG_PAGE;

		if (base && !ramimg_bit(dirty, i)) {
			img->pg[i] = base->pg[i];
			page_get(img->pg[i]);
			continue;
		}
		if (fix) {
			memcpy(buf, src, RAMIMG_PAGE);
			fix(opaque, i, buf);
			src = buf;
		}
		/* unchanged in fact (written back as it was): share it all the same */
		if (base && base->pg[i] && !memcmp(base->pg[i]->data, src, RAMIMG_PAGE)) {
			img->pg[i] = base->pg[i];
			page_get(img->pg[i]);
			continue;
		}
		if (is_zero(src))
			continue;
		img->pg[i] = page_new(src);
		if (!img->pg[i]) {
			ramimg_free(img);
			return NULL;
		}
		img->own++;
	}
	return img;
}

uint64_t ramimg_put(uint8_t *ram, const struct ramimg *img, const struct ramimg *base,
		    const uint64_t *dirty)
{
	uint64_t n = 0;

	if (base && base->npages != img->npages)
		base = NULL;
	for (uint64_t i = 0; i < img->npages; i++) {
		uint8_t *dst = ram + i * RAMIMG_PAGE;

		if (base && base->pg[i] == img->pg[i] && !ramimg_bit(dirty, i))
			continue;
		if (img->pg[i])
			memcpy(dst, img->pg[i]->data, RAMIMG_PAGE);
		else
			memset(dst, 0, RAMIMG_PAGE);
		n++;
	}
	return n;
}

struct ramimg *ramimg_ref(struct ramimg *img)
{
	img->refs++;
	return img;
}

uint64_t ramimg_free(struct ramimg *img)
{
	uint64_t freed = 0;

	if (!img || --img->refs)
		return 0;
	for (uint64_t i = 0; i < img->npages; i++)
		freed += page_put(img->pg[i]);
	free(img->pg);
	free(img);
	return freed;
}

const uint8_t *ramimg_page(const struct ramimg *img, uint64_t i)
{
	return i < img->npages && img->pg[i] ? img->pg[i]->data : NULL;
}

uint64_t ramimg_unshared(const struct ramimg *a, const struct ramimg *b)
{
	uint64_t n = 0;

	if (b && b->npages != a->npages)
		b = NULL;
	for (uint64_t i = 0; i < a->npages; i++)
		n += a->pg[i] && (!b || b->pg[i] != a->pg[i]);
	return n;
}

uint64_t ramimg_live_pages(void)
{
	return __atomic_load_n(&live_pages, __ATOMIC_RELAXED);
}
