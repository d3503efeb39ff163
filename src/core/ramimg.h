/*
 * ramimg.h -- guest RAM as a snapshot keeps it: one pointer per 4 KiB page
 * to a reference-counted copy, NULL for a page of zeros.  Images taken one
 * after another share every page that did not change between them, so an
 * incremental snapshot costs its dirty pages and one pointer per page; and
 * loading one image over RAM that holds another (plus known dirty pages)
 * rewrites only the pages whose pointers differ.  Pure data, no KVM: the
 * unit tests run it over a buffer.
 */
#ifndef HYVE_RAMIMG_H
#define HYVE_RAMIMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RAMIMG_PAGE	4096u

struct rampage;

struct ramimg {
	uint64_t npages;
	struct rampage **pg;		/* npages entries; NULL: all zeros */
	uint64_t own;			/* pages this image copied (not shared) */
	uint64_t refs;			/* holders of this image (ramimg_ref) */
};

/* A bitmap of pages (1 bit each, 64 per word). */
static inline bool ramimg_bit(const uint64_t *bits, uint64_t i)
{
	return bits[i / 64] >> (i % 64) & 1;
}

/*
 * A new image of `ram` (npages pages).  With `base` (an image of the same
 * size that RAM equalled when `dirty` was last cleared), only the pages set
 * in `dirty` are copied and the rest shared with base; without, all are.
 * `fix` (may be NULL) is called on each copied page before it is kept (to
 * put back bytes hyve itself placed in RAM, such as breakpoints).
 * NULL on allocation failure.
 */
struct ramimg *ramimg_take(const uint8_t *ram, uint64_t npages, const struct ramimg *base,
			   const uint64_t *dirty,
			   void (*fix)(void *opaque, uint64_t page, uint8_t *data), void *opaque);
/*
 * Write image `img` into `ram`, where RAM holds `base` except for the pages
 * set in `dirty` (base NULL: RAM is unknown, write every page).  Returns the
 * number of pages written.
 */
uint64_t ramimg_put(uint8_t *ram, const struct ramimg *img, const struct ramimg *base,
		    const uint64_t *dirty);
/* Another holder of the same image (event thread only). */
struct ramimg *ramimg_ref(struct ramimg *img);
/* Drop a holder; with the last, the image: returns how many pages were freed with it. */
uint64_t ramimg_free(struct ramimg *img);
/* The bytes of page i (NULL: zeros). */
const uint8_t *ramimg_page(const struct ramimg *img, uint64_t i);
/* Build an image page by page (file loading): set page i to a copy of data.  0 or -ENOMEM. */
struct ramimg *ramimg_new(uint64_t npages);
int ramimg_set(struct ramimg *img, uint64_t i, const uint8_t *data);
/* How many of a's (non-zero) pages b does not share at the same place (b NULL: all of them). */
uint64_t ramimg_unshared(const struct ramimg *a, const struct ramimg *b);
/* Pages alive in every image of the process (for memory limits). */
uint64_t ramimg_live_pages(void);

#endif
