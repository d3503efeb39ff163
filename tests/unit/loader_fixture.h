/*
 * loader_fixture.h -- what the loader unit tests share: a guest-RAM buffer and
 * loader context, guest-memory readers, "load and expect this error", and a
 * walk through the boot page tables.  Included by test_loaders.c and
 * test_bzimage.c only (static state: one copy per test program).
 */
#ifndef HYVE_TEST_LOADER_FIXTURE_H
#define HYVE_TEST_LOADER_FIXTURE_H

#include <errno.h>
#include <stdlib.h>

#include "loader/loader.h"
#include "arch/x86/platform.h"
#include "test.h"
#include "util.h"

#define MiB (1ULL << 20)
#define KMAP 0xffffffff80000000ULL

static uint8_t *ram;
static struct gmem mem;
static struct loader_ctx ctx;
static struct boot_state bs;
static uint8_t img[64 << 10];	/* the image under test */
static uint8_t initrd[3 * 4096 + 123];

static inline void setup(uint64_t ram_size)
{
	free(ram);
	ram = calloc(1, ram_size);
	gmem_init(&mem, ram, ram_size);
	memset(&ctx, 0, sizeof(ctx));
	ctx.mem = &mem;
	ctx.kernel_path = "kernel.img";
	ctx.kernel = img;
	ctx.cmdline = "console=ttyS0 hello";
	ctx.ncpus = 2;
	memset(&bs, 0xa5, sizeof(bs));
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 7 + 1);
}

static inline uint64_t g(uint64_t gpa, unsigned len)
{
	uint64_t v = 0;
	void *p = gmem_ptr(&mem, gpa, len);

	CHECK(p != NULL);
	if (p)
		memcpy(&v, p, len);
	return v;
}

static inline const char *gstr(uint64_t gpa)
{
	const char *p = gmem_ptr(&mem, gpa, 1);

	return p && memchr(p, 0, gmem_low_end(&mem) - gpa) ? p : "(bad string)";
}

static inline bool gmem_eq(uint64_t gpa, const void *data, size_t len)
{
	const void *p = gmem_ptr(&mem, gpa, len);

	return p && !memcmp(p, data, len);
}

static inline bool all_zero(uint64_t gpa, size_t len)
{
	const uint8_t *p = gmem_ptr(&mem, gpa, len);

	for (size_t i = 0; p && i < len; i++)
		if (p[i])
			return false;
	return p != NULL;
}

/* Run the named loader; on failure the message must be set (and is returned). */
static inline int load(const char *format, size_t size)
{
	const struct loader *l = loader_find(format, img, size);
	int r;

	CHECK(l != NULL);
	if (!l)
		return -999;
	ctx.kernel_size = size;
	ctx.err[0] = 0;
	r = l->load(&ctx, &bs);
	if (r)
		CHECK(ctx.err[0] && !strchr(ctx.err, '\n'));
	return r;
}

/* The load must fail with err and a message containing `what`. */
#define CHECK_FAIL(format, size, want, what) do { \
	CHECK_EQ(load(format, size), want); \
	if (!strstr(ctx.err, what)) \
		CHECK(!"message lacks: " what); \
	if (getenv("V")) \
		printf("    %s\n", ctx.err); \
} while (0)

/* Patch field `off` of program header i (ELF64 if cls64, else ELF32). */
static inline void patch(size_t at, uint64_t v, unsigned len)
{
	memcpy(img + at, &v, len);
}

/* Follow the boot page tables (2 MiB leaves) like the MMU; ~0 if unmapped. */
static inline uint64_t walk(uint64_t va)
{
	uint64_t t = bs.cr3;

	for (int lvl = 4; lvl >= 2; lvl--) {
		uint64_t e = g(t + ((va >> (12 + 9 * (lvl - 1))) & 511) * 8, 8);

		if (!(e & 1))
			return ~0ULL;
		if (lvl == 2)
			return (e & 0xfffffffe00000ULL) + (va & 0x1fffff);
		t = e & 0xffffffffff000ULL;
	}
	return ~0ULL;
}

#endif
