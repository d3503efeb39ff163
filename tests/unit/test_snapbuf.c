/* test_snapbuf.c -- snapshot records: written, found, refused when damaged. */
#include <errno.h>
#include <string.h>

#include "test.h"
#include "core/snapbuf.h"

TEST(snapbuf_roundtrip)
{
	struct snap_w w = { 0 };
	uint64_t a = 0x1122334455667788ULL, b = 0;
	uint8_t big[10000];
	const void *d;
	size_t n;

	memset(big, 0xab, sizeof(big));
	snapw_put(&w, SNAP_TAG('A', 'A', 'A', 'A'), 0, &a, sizeof(a));
	snapw_put(&w, SNAP_TAG('B', 'I', 'G', ' '), 3, big, sizeof(big));
	snapw_put(&w, SNAP_TAG('A', 'A', 'A', 'A'), 1, &b, sizeof(b));
	CHECK(w.err == 0);
	struct snap_r r = { w.p, w.len };
	CHECK(snapr_check(&r) == 0);
	CHECK(snapr_get(&r, SNAP_TAG('A', 'A', 'A', 'A'), 0, &b, sizeof(b)) == 0);
	CHECK(b == a);
	CHECK(snapr_get(&r, SNAP_TAG('A', 'A', 'A', 'A'), 1, &b, sizeof(b)) == 0);
	CHECK(b == 0);
	CHECK(snapr_find(&r, SNAP_TAG('B', 'I', 'G', ' '), 3, &d, &n) == 0);
	CHECK(n == sizeof(big) && memcmp(d, big, n) == 0);
	CHECK(snapr_find(&r, SNAP_TAG('B', 'I', 'G', ' '), 0, &d, &n) == -ENOENT);
	/* a record of another size than the reader expects is refused */
	CHECK(snapr_get(&r, SNAP_TAG('A', 'A', 'A', 'A'), 0, &b, 4) == -EINVAL);
	/* a truncated buffer is damaged */
	struct snap_r cut = { w.p, w.len - 1 };
	CHECK(snapr_check(&cut) == -EINVAL);
	struct snap_r head = { w.p, 10 };
	CHECK(snapr_check(&head) == -EINVAL);
	snapw_free(&w);
}

TEST_MAIN()
