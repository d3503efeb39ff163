/*
 * test_ramimg.c -- RAM images with shared pages: a full image, an
 * incremental one sharing what did not change, and loading one over RAM
 * that holds another rewrites exactly the pages that differ.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "core/ramimg.h"

#define NP 64

static uint8_t *ram_new(void)
{
	uint8_t *r = calloc(NP, RAMIMG_PAGE);

	for (int i = 0; i < NP; i += 2)		/* odd pages stay zero */
		memset(r + (size_t)i * RAMIMG_PAGE, i + 1, RAMIMG_PAGE);
	return r;
}

static void set_bit(uint64_t *b, uint64_t i)
{
	b[i / 64] |= 1ULL << (i % 64);
}

static void fix_first(void *opaque, uint64_t page, uint8_t *data)
{
	if (page == *(uint64_t *)opaque)
		data[0] = 0x55;		/* as a breakpoint shadow puts back the original */
}

TEST(ramimg_full_and_incremental)
{
	uint8_t *ram = ram_new(), *copy = malloc((size_t)NP * RAMIMG_PAGE);
	uint64_t dirty[NP / 64 + 1] = { 0 };
	uint64_t live0 = ramimg_live_pages();
	struct ramimg *a = ramimg_take(ram, NP, NULL, NULL, NULL, NULL), *b;

	CHECK(a != NULL);
	CHECK_EQ(a->own, NP / 2);		/* zero pages cost nothing */
	CHECK_EQ(ramimg_live_pages() - live0, NP / 2);
	CHECK(ramimg_page(a, 1) == NULL);
	CHECK(ramimg_page(a, 2)[0] == 3);
	memcpy(copy, ram, (size_t)NP * RAMIMG_PAGE);

	/* two pages written; one more marked dirty but written back as it was */
	ram[4 * RAMIMG_PAGE + 7] = 0xee;
	ram[5 * RAMIMG_PAGE] = 0x01;
	set_bit(dirty, 4);
	set_bit(dirty, 5);
	set_bit(dirty, 6);
	b = ramimg_take(ram, NP, a, dirty, NULL, NULL);
	CHECK(b != NULL);
	CHECK_EQ(b->own, 2);
	CHECK_EQ(ramimg_unshared(b, a), 2);
	CHECK(ramimg_page(b, 6) == ramimg_page(a, 6));	/* shared, not copied */
	CHECK(ramimg_page(b, 8) == ramimg_page(a, 8));
	CHECK(ramimg_page(b, 4)[7] == 0xee);

	/* load a over RAM that holds b plus a write to page 10 */
	memset(dirty, 0, sizeof(dirty));
	ram[10 * RAMIMG_PAGE + 1] = 0x77;
	set_bit(dirty, 10);
	CHECK_EQ(ramimg_put(ram, a, b, dirty), 3);	/* pages 4, 5 and 10 */
	CHECK(memcmp(ram, copy, (size_t)NP * RAMIMG_PAGE) == 0);
	/* without a base every page is written */
	CHECK_EQ(ramimg_put(ram, b, NULL, NULL), NP);
	CHECK(ram[4 * RAMIMG_PAGE + 7] == 0xee);

	/* a loses only its page 4 (b has its own); b holds 33: page 5 is no longer zero */
	CHECK_EQ(ramimg_free(a), 1);
	CHECK_EQ(ramimg_free(b), NP / 2 + 1);
	CHECK_EQ(ramimg_live_pages(), live0);
	free(ram);
	free(copy);
}

TEST(ramimg_fix_and_refs)
{
	uint8_t *ram = ram_new();
	uint64_t page = 2;
	struct ramimg *a = ramimg_take(ram, NP, NULL, NULL, fix_first, &page);

	CHECK(ramimg_page(a, 2)[0] == 0x55);	/* the fixed copy, RAM untouched */
	CHECK(ram[2 * RAMIMG_PAGE] == 3);
	CHECK(ramimg_ref(a) == a);
	CHECK_EQ(ramimg_free(a), 0);		/* one holder left */
	CHECK(ramimg_page(a, 0)[0] == 1);
	CHECK_EQ(ramimg_free(a), NP / 2);
	free(ram);
}

TEST(ramimg_set)
{
	struct ramimg *img = ramimg_new(4);
	uint8_t pg[RAMIMG_PAGE];

	memset(pg, 0, sizeof(pg));
	CHECK(ramimg_set(img, 1, pg) == 0);
	CHECK(ramimg_page(img, 1) == NULL);	/* zeros stay unallocated */
	pg[9] = 9;
	CHECK(ramimg_set(img, 3, pg) == 0);
	CHECK(ramimg_page(img, 3)[9] == 9);
	CHECK(ramimg_set(img, 4, pg) != 0);
	CHECK_EQ(ramimg_free(img), 1);
}

TEST_MAIN()
