/*
 * snapfile.c -- a snapshot in a file, and back (snapshot.h).  The layout,
 * all little-endian:
 *
 *   "HYVESNAP"  u32 file format  char hyve_version[16]  char name[64]
 *   i64 date  u64 clock_ns  u32 ncpus  u32 0  u64 mem_size
 *   u64 state_len  state_len bytes of records (snapbuf.h)
 *   u64 npages (non-zero pages)  then npages times: u64 page index, 4096 bytes
 *   u32 CRC-32 of everything before it
 *
 * Reading checks the whole file (magic, format, hyve version, sizes, CRC,
 * every page index) before it builds anything: a damaged or foreign file is
 * refused, never half-loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/snapshot.h"
#include "util.h"

#define MAGIC		"HYVESNAP"
#define FILE_FORMAT	1

struct file_head {
	char magic[8];
	uint32_t format;
	char version[16];
	char name[SNAP_NAME_MAX];
	int64_t date;
	uint64_t clock_ns;
	uint32_t ncpus, pad;
	uint64_t mem_size;
	uint64_t state_len;
} __attribute__((packed));

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!crc_table[1])
		crc_init();
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* Buffered writes with the running CRC. */
struct out {
	FILE *f;
	uint32_t crc;
	bool bad;
};

static void put(struct out *o, const void *p, size_t n)
{
	o->crc = crc32_update(o->crc, p, n);
	if (fwrite(p, 1, n, o->f) != n)
		o->bad = true;
}

int snapfile_write(const struct snapshot *s, const char *path, char *err, size_t errlen)
{
	struct file_head h = { .format = FILE_FORMAT, .date = s->date, .clock_ns = s->clock_ns,
			       .ncpus = (uint32_t)s->ncpus, .mem_size = s->mem_size,
			       .state_len = s->state.len };
	char tmp[4096];
	struct out o = { 0 };
	uint64_t n = 0;

	memcpy(h.magic, MAGIC, 8);
	snprintf(h.version, sizeof(h.version), "%s", HYVE_VERSION);
	snprintf(h.name, sizeof(h.name), "%s", s->name);
	/* written beside the target and renamed: a failure leaves no half file */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	o.f = fopen(tmp, "wb");
	if (!o.f) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", tmp, strerror(e));
		return -e;
	}
	put(&o, &h, sizeof(h));
	put(&o, s->state.p, s->state.len);
	for (uint64_t i = 0; i < s->ram->npages; i++)
		n += ramimg_page(s->ram, i) != NULL;
	put(&o, &n, sizeof(n));
	for (uint64_t i = 0; i < s->ram->npages; i++) {
		const uint8_t *pg = ramimg_page(s->ram, i);

		if (!pg)
			continue;
		put(&o, &i, sizeof(i));
		put(&o, pg, RAMIMG_PAGE);
	}
	uint32_t crc = o.crc;
	if (fwrite(&crc, 1, sizeof(crc), o.f) != sizeof(crc))
		o.bad = true;
	if (fclose(o.f) != 0)
		o.bad = true;
	if (o.bad || rename(tmp, path) < 0) {
		int e = errno ? errno : EIO;

		unlink(tmp);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

static int bad(char *err, size_t errlen, const char *path, const char *why)
{
	snprintf(err, errlen, "%s: %s", path, why);
	return -EINVAL;
}

int snapfile_read(const char *path, struct snapshot **out, char *err, size_t errlen)
{
	struct file_head h;
	struct snapshot *s = NULL;
	struct stat st;
	const uint8_t *p, *end;
	uint64_t npages, n;
	uint32_t crc;
	void *map;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if ((uint64_t)st.st_size < sizeof(h) + 8 + 4) {
		close(fd);
		return bad(err, errlen, path, "not a hyve snapshot (too short)");
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	p = map;
	end = p + st.st_size - 4;
	memcpy(&h, p, sizeof(h));
	memcpy(&crc, end, sizeof(crc));
	r = -EINVAL;
	if (memcmp(h.magic, MAGIC, 8)) {
		r = bad(err, errlen, path, "not a hyve snapshot");
		goto out;
	}
	if (h.format != FILE_FORMAT || strncmp(h.version, HYVE_VERSION, sizeof(h.version))) {
		snprintf(err, errlen, "%s: written by hyve %.16s (format %u); this is hyve %s",
			 path, h.version, h.format, HYVE_VERSION);
		goto out;
	}
	if (crc32_update(0, p, (size_t)(end - p)) != crc) {
		r = bad(err, errlen, path, "damaged (checksum mismatch)");
		goto out;
	}
	p += sizeof(h);
	if (h.state_len > (uint64_t)(end - p) || h.mem_size % RAMIMG_PAGE || !h.ncpus) {
		r = bad(err, errlen, path, "damaged (sizes)");
		goto out;
	}
	npages = h.mem_size / RAMIMG_PAGE;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->ram = ramimg_new(npages)))
		goto nomem;
	s->state.p = malloc(h.state_len ? h.state_len : 1);
	if (!s->state.p)
		goto nomem;
	memcpy(s->state.p, p, h.state_len);
	s->state.len = s->state.cap = h.state_len;
	p += h.state_len;
	if ((uint64_t)(end - p) < 8)
		goto damaged;
	memcpy(&n, p, 8);
	p += 8;
	if (n > npages || (uint64_t)(end - p) != n * (8 + RAMIMG_PAGE))
		goto damaged;
	for (uint64_t i = 0; i < n; i++, p += 8 + RAMIMG_PAGE) {
		uint64_t idx;

		memcpy(&idx, p, 8);
		if (idx >= npages || ramimg_page(s->ram, idx))
			goto damaged;
		if (ramimg_set(s->ram, idx, p + 8))
			goto nomem;
	}
	snprintf(s->name, sizeof(s->name), "%.*s", SNAP_NAME_MAX - 1, h.name);
	s->date = (time_t)h.date;
	s->clock_ns = h.clock_ns;
	s->ncpus = (int)h.ncpus;
	s->mem_size = h.mem_size;
	s->own_pages = s->ram->own;
	*out = s;
	s = NULL;
	r = 0;
	goto out;
damaged:
	r = bad(err, errlen, path, "damaged (page table)");
	goto out;
nomem:
	snprintf(err, errlen, "%s: out of memory", path);
	r = -ENOMEM;
out:
	snapshot_free(s);
	munmap(map, (size_t)st.st_size);
	return r;
}
