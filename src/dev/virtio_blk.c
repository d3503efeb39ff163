/*
 * virtio_blk.c -- a virtio block device (type 2) on a raw image file, at
 * LAYOUT_VIRTIO_MMIO with IRQ LAYOUT_VIRTIO_IRQ.  Present only when the "disk"
 * key is set.  Requests are served synchronously with pread/pwrite in the
 * notifying vCPU's thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "config.h"
#include "core/device.h"
#include "core/snapbuf.h"
#include "arch/arch.h"
#include "util.h"
#include "dev/devsnap.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_mmio.h"

#define SECTOR_SIZE		512ULL
#define QUEUE_MAX		256
#define SEG_MAX			(QUEUE_MAX / 2 - 2)	/* header + status, two requests in flight */

/* Feature bits (virtio 1.x, 5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_BLK_SIZE	6
#define VIRTIO_BLK_F_FLUSH	9

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8
#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2

#define GET_ID_BYTES		20

/* Config space layout (offsets of struct virtio_blk_config). */
#define CFG_CAPACITY		0	/* le64, 512-byte sectors */
#define CFG_SEG_MAX		12	/* le32 */
#define CFG_BLK_SIZE		20	/* le32 */
#define CFG_SIZE		36	/* through num_queues; the rest reads 0 */

struct req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/*
 * The one disk.  Set up at init (single-threaded); afterwards touched only by
 * the transport's callbacks, which run under the transport's lock.
 */
static struct blk {
	int fd;
	bool readonly;
	uint64_t sectors;
	uint8_t config[CFG_SIZE];
	struct virtio_mmio *transport;
} blk = { .fd = -1 };

static uint64_t blk_features(void *dev)
{
	struct blk *b = dev;
	uint64_t f = (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
		     (1ULL << VIRTIO_BLK_F_FLUSH);

	if (b->readonly)
		f |= 1ULL << VIRTIO_BLK_F_RO;
	return f;
}

static void blk_config_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	struct blk *b = dev;

	if (off >= CFG_SIZE)
		return;		/* the transport zero-filled data */
	memcpy(data, b->config + off, MIN((uint64_t)len, CFG_SIZE - off));
}

/*
 * Move `len` bytes between the image at byte `pos` and the chain's readable
 * (to_file) or writable (!to_file) part starting at chain offset `off`.
 * 0 or -EIO.
 */
static int blk_transfer(struct blk *b, const struct virtio_chain *c, bool to_file,
			uint64_t off, uint64_t len, uint64_t pos)
{
	for (unsigned i = 0; i < c->n && len; i++) {
		const struct virtio_buf *vb = &c->buf[i];
		uint64_t n;

		if (vb->writable == to_file)
			continue;	/* not the part we move */
		if (off >= vb->len) {
			off -= vb->len;
			continue;
		}
		n = MIN(vb->len - off, len);
		for (uint64_t done = 0; done < n;) {
			ssize_t r = to_file ?
				pwrite(b->fd, vb->host + off + done, n - done, (off_t)(pos + done)) :
				pread(b->fd, vb->host + off + done, n - done, (off_t)(pos + done));

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return -EIO;	/* an error, or the image shrank under us */
			done += (uint64_t)r;
		}
		pos += n;
		len -= n;
		off = 0;
	}
	return len ? -EIO : 0;
}

/* Is [sector, sector + bytes/512) inside the disk, with whole sectors? */
static bool range_ok(const struct blk *b, uint64_t sector, uint64_t bytes)
{
	return bytes % SECTOR_SIZE == 0 && sector <= b->sectors &&
	       bytes / SECTOR_SIZE <= b->sectors - sector;
}

static int blk_handle(void *dev, unsigned q, const struct virtio_chain *c)
{
	struct blk *b = dev;
	struct req_hdr h;
	uint8_t status = VIRTIO_BLK_S_OK;
	uint64_t data_len, used = 0;
	char id[GET_ID_BYTES];

	/* A request needs a readable header and a writable status byte (5.2.6). */
	if (c->read_len < sizeof(h) || c->write_len < 1)
		return -EINVAL;
	virtio_chain_read(c, 0, &h, sizeof(h));
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
		data_len = c->write_len - 1;
		if (!range_ok(b, h.sector, data_len) ||
		    blk_transfer(b, c, false, 0, data_len, h.sector * SECTOR_SIZE))
			status = VIRTIO_BLK_S_IOERR;
		else
			used = data_len;
		break;
	case VIRTIO_BLK_T_OUT:
		data_len = c->read_len - sizeof(h);
		if (b->readonly || !range_ok(b, h.sector, data_len) ||
		    blk_transfer(b, c, true, sizeof(h), data_len, h.sector * SECTOR_SIZE))
			status = VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (!b->readonly && fdatasync(b->fd) < 0 && errno != EINVAL)
			status = VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID:
		/* 20 bytes, NUL-padded when the id is shorter. */
		memset(id, 0, sizeof(id));
		memcpy(id, VIRTIO_BLK_ID, MIN(sizeof(VIRTIO_BLK_ID), sizeof(id)));
		used = MIN((uint64_t)sizeof(id), c->write_len - 1);
		virtio_chain_write(c, 0, id, used);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	/* The status byte is the last writable byte of the chain. */
	virtio_chain_write(c, c->write_len - 1, &status, 1);
	return (int)MIN(used + 1, 0x7fffffffULL);
}

static const struct virtio_dev_ops blk_ops = {
	.name = "virtio-blk",
	.device_id = 2,
	.num_queues = 1,
	.queue_max = QUEUE_MAX,
	.features = blk_features,
	.config_read = blk_config_read,
	.handle = blk_handle,
};

const char *virtio_blk_cmdline(void)
{
	static char buf[64];

	if (!config_str("disk"))
		return NULL;
	if (virtio_mmio_cmdline(LAYOUT_VIRTIO_MMIO, LAYOUT_VIRTIO_IRQ, buf, sizeof(buf)))
		return NULL;
	return buf;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Open and check the image; *fd and *sectors on success.  0 or -errno, logged. */
static int blk_open(const char *path, bool ro, int *fdp, uint64_t *sectors)
{
	off_t size;
	int fd, e;

	fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		log_err("disk: cannot open %s: %s", path, strerror(e));
		return -e;
	}
	/* Two writers on one image corrupt it: refuse if another process has it. */
	if (flock(fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		e = errno;
		log_err("disk: %s is in use by another process (%s)", path, strerror(e));
		close(fd);
		return e == EWOULDBLOCK ? -EBUSY : -e;
	}
	size = lseek(fd, 0, SEEK_END);	/* works for files and block devices */
	if (size < 0) {
		e = errno;
		log_err("disk: cannot size %s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	if (size == 0 || size % (off_t)SECTOR_SIZE) {
		log_err("disk: %s: size %lld is not a non-zero multiple of 512 bytes",
			path, (long long)size);
		close(fd);
		return -EINVAL;
	}
	*fdp = fd;
	*sectors = (uint64_t)size / SECTOR_SIZE;
	return 0;
}

/* Before KVM: the image must open, be free and have whole sectors. */
static int blk_check(void)
{
	const char *path = config_str("disk");
	uint64_t sectors = 0;
	int fd = -1, r;

	if (!path)
		return 0;
	r = blk_open(path, config_bool("disk.readonly"), &fd, &sectors);
	if (!r && fd >= 0)
		close(fd);
	return r;
}

static int blk_init(struct vm *vm)
{
	const char *path = config_str("disk");
	int r;

	if (!path)
		return 0;
	r = blk_open(path, config_bool("disk.readonly"), &blk.fd, &blk.sectors);
	if (r)
		return r;
	blk.readonly = config_bool("disk.readonly");
	memset(blk.config, 0, sizeof(blk.config));
	put_le32(blk.config + CFG_CAPACITY, (uint32_t)blk.sectors);
	put_le32(blk.config + CFG_CAPACITY + 4, (uint32_t)(blk.sectors >> 32));
	put_le32(blk.config + CFG_SEG_MAX, SEG_MAX);
	put_le32(blk.config + CFG_BLK_SIZE, SECTOR_SIZE);
	r = virtio_mmio_create(vm, LAYOUT_VIRTIO_MMIO, LAYOUT_VIRTIO_IRQ, &blk_ops, &blk,
			       &blk.transport);
	if (r) {
		log_err("disk: cannot create the virtio-mmio device at 0x%llx: %s",
			(unsigned long long)LAYOUT_VIRTIO_MMIO, strerror(-r));
		close(blk.fd);
		blk.fd = -1;
	}
	return r;
}

static void blk_exit(struct vm *vm)
{
	virtio_mmio_destroy(blk.transport);
	blk.transport = NULL;
	if (blk.fd >= 0)
		close(blk.fd);
	blk.fd = -1;
}

/*
 * Snapshots.  The device keeps no request state of its own: a request is
 * taken, served and completed within one QUEUE_NOTIFY, so with the vCPUs
 * stopped none is in flight, and everything the guest can see is the
 * transport's record (instance 0: the one virtio-mmio device).  The disk
 * image's contents are NOT in the snapshot -- the image is a file the user
 * keeps, and a snapshot is only good together with the image as it was.
 * This record only holds what the guest was told about the disk (size,
 * read-only), so that a snapshot is refused on a machine with another disk
 * rather than showing the guest a disk that changed under it.
 */
#define BLK_SNAP_TAG		SNAP_TAG('V', 'B', 'L', 'K')
#define BLK_SNAP_VERSION	1

struct blk_snap {
	uint32_t version;
	uint8_t readonly;
	uint8_t pad[3];
	uint64_t sectors;
} __attribute__((packed));

/* blk's fields are set at init and then only read, so no lock is needed for them. */
static int blk_save(struct vm *vm, struct snap_w *w)
{
	struct blk_snap s = { .version = BLK_SNAP_VERSION };

	if (!blk.transport)
		return 0;	/* no disk given: no device */
	s.readonly = blk.readonly;
	s.sectors = blk.sectors;
	snapw_put(w, BLK_SNAP_TAG, 0, &s, sizeof(s));
	if (w->err)
		return w->err;
	return virtio_mmio_save(blk.transport, w, 0);
}

static int blk_load(struct vm *vm, const struct snap_r *r, bool check)
{
	struct blk_snap s;
	bool present = blk.transport != NULL;
	int e = devsnap_get(r, BLK_SNAP_TAG, 0, present, &s, sizeof(s), BLK_SNAP_VERSION);

	if (e < 0)
		return e;
	if (!e && (s.readonly != blk.readonly || s.sectors != blk.sectors))
		return -EINVAL;
	/* Present or not, the transport's record must agree (NULL: none allowed). */
	return virtio_mmio_load(blk.transport, r, 0, check);
}

static const struct device virtio_blk = {
	.name = "virtio_blk",
	.prio = 30,
	.init = blk_init,
	.check = blk_check,
	.exit = blk_exit,
	.save = blk_save,
	.load = blk_load,
};
DEVICE_REGISTER(virtio_blk);
