/*
 * virtio_mmio.c -- the virtio-mmio transport, version 2, with split
 * virtqueues; see virtio_mmio.h.
 *
 * The driver's rings live in guest RAM and may change under us at any time
 * (another vCPU, or a hostile guest): every index read from them is bounded
 * before use, every descriptor is copied out once and then checked, and chains
 * are bounded by the queue size, so no guest input can make us touch memory
 * outside RAM or loop forever.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dirty.h"
#include "core/gmem.h"
#include "core/io.h"
#include "core/snapbuf.h"
#include "arch/arch.h"
#include "util.h"
#include "dev/devsnap.h"
#include "dev/virtio_mmio.h"
#include "core/vm.h"

struct vq {
	uint16_t num;			/* size the driver chose */
	bool ready;
	uint64_t desc, avail, used;	/* guest-physical ring addresses */
	uint16_t last_avail;		/* next avail ring entry to serve */
	uint16_t used_idx;		/* our copy of used->idx */
};

struct virtio_mmio {
	/*
	 * `lock` guards all the state below (and the device's, since its
	 * callbacks run under it): vCPU threads reach the registers concurrently.
	 */
	pthread_mutex_t lock;
	struct vm *vm;
	uint64_t base;
	unsigned irq;
	const struct virtio_dev_ops *ops;
	void *dev;

	uint64_t dev_features;
	uint64_t drv_features;
	uint32_t dev_features_sel, drv_features_sel;
	uint32_t queue_sel;
	uint32_t status;
	uint32_t isr;
	uint32_t config_gen;
	int irq_level;
	struct vq *vqs;			/* ops->num_queues */
	struct virtio_buf *bufs;	/* one chain's buffers, ops->queue_max */
};

size_t virtio_chain_read(const struct virtio_chain *c, uint64_t off, void *dst, size_t len)
{
	uint8_t *out = dst;
	size_t done = 0;

	for (unsigned i = 0; i < c->n && done < len; i++) {
		const struct virtio_buf *b = &c->buf[i];
		size_t n;

		if (b->writable)
			break;
		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		n = MIN((size_t)(b->len - off), len - done);
		memcpy(out + done, b->host + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t virtio_chain_write(const struct virtio_chain *c, uint64_t off, const void *src,
			  size_t len)
{
	const uint8_t *in = src;
	size_t done = 0;

	for (unsigned i = 0; i < c->n && done < len; i++) {
		const struct virtio_buf *b = &c->buf[i];
		size_t n;

		if (!b->writable)
			continue;
		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		n = MIN((size_t)(b->len - off), len - done);
		memcpy(b->host + off, in + done, n);
		done += n;
		off = 0;
	}
	return done;
}

/* Drive the line to "interrupt status is non-zero", only on a change.  Lock held. */
static void update_irq(struct virtio_mmio *t)
{
	int level = t->isr != 0;

	if (level == t->irq_level)
		return;
	t->irq_level = level;
	vm_irq_line(t->vm, t->irq, level);	/* -EBADF without KVM (tests) */
}

/* The driver broke the protocol: stop serving until it resets us.  Lock held. */
static void needs_reset(struct virtio_mmio *t, const char *why)
{
	if (!(t->status & VIRTIO_STATUS_NEEDS_RESET))
		log_warn("%s: %s; the device needs a reset", t->ops->name, why);
	t->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (t->status & VIRTIO_STATUS_DRIVER_OK)
		t->isr |= VIRTIO_ISR_CONFIG;
}

static void device_reset(struct virtio_mmio *t)
{
	t->drv_features = 0;
	t->dev_features_sel = t->drv_features_sel = 0;
	t->queue_sel = 0;
	t->status = 0;
	t->isr = 0;
	for (unsigned i = 0; i < t->ops->num_queues; i++)
		t->vqs[i] = (struct vq){ .num = t->ops->queue_max };
	if (t->ops->reset)
		t->ops->reset(t->dev);
}

/*
 * Collect the chain starting at `head` into t->bufs.  0, or -errno with *why
 * set when the driver broke the protocol.
 */
static int walk_chain(struct virtio_mmio *t, const struct vq *q, const uint8_t *desc,
		      uint16_t head, struct virtio_chain *c, const char **why)
{
	const struct gmem *m = &t->vm->mem;
	uint16_t i = head;
	unsigned n = 0;
	bool seen_write = false;

	c->buf = t->bufs;
	c->read_len = c->write_len = 0;
	for (;;) {
		struct virtq_desc d;
		void *host;

		if (i >= q->num) {
			*why = "descriptor index out of range";
			return -EINVAL;
		}
		if (n >= q->num) {
			*why = "descriptor chain loops or exceeds the queue size";
			return -ELOOP;
		}
		/* One copy: the guest may rewrite the descriptor while we look at it. */
		memcpy(&d, desc + (size_t)i * sizeof(d), sizeof(d));
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			*why = "indirect descriptor (not negotiated)";
			return -EINVAL;
		}
		host = gmem_ptr(m, d.addr, d.len);
		if (!host) {
			*why = "buffer outside guest RAM";
			return -EFAULT;
		}
		if (d.flags & VIRTQ_DESC_F_WRITE) {
			seen_write = true;
			vm_dirty_mark(t->vm, d.addr, d.len);	/* the device writes it: a snapshot copies it */
			c->write_len += d.len;
		} else if (seen_write) {
			*why = "device-readable buffer after a writable one";
			return -EINVAL;
		} else {
			c->read_len += d.len;
		}
		t->bufs[n++] = (struct virtio_buf){
			.host = host, .len = d.len,
			.writable = d.flags & VIRTQ_DESC_F_WRITE,
		};
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		i = d.next;
	}
	c->n = n;
	return 0;
}

/* Serve everything the driver has made available on queue qi.  Lock held. */
static void process_queue(struct virtio_mmio *t, unsigned qi)
{
	const struct gmem *m = &t->vm->mem;
	struct vq *q = &t->vqs[qi];
	uint16_t num = q->num, avail_idx;
	uint8_t *desc, *used;
	uint16_t *avail;
	const char *why = NULL;
	bool added = false;

	desc = gmem_ptr(m, q->desc, (uint64_t)num * sizeof(struct virtq_desc));
	avail = gmem_ptr(m, q->avail, 6 + 2ULL * num);	/* flags, idx, ring[], used_event */
	used = gmem_ptr(m, q->used, 6 + 8ULL * num);	/* flags, idx, ring[], avail_event */
	if (!desc || !avail || !used) {
		needs_reset(t, "virtqueue outside guest RAM");
		return;
	}
	/* Acquire: the ring entries the driver wrote before idx are visible. */
	avail_idx = __atomic_load_n(&avail[1], __ATOMIC_ACQUIRE);
	if ((uint16_t)(avail_idx - q->last_avail) > num) {
		needs_reset(t, "available index moved by more than the queue size");
		return;
	}
	while (q->last_avail != avail_idx) {
		uint16_t head = __atomic_load_n(&avail[2 + q->last_avail % num], __ATOMIC_RELAXED);
		struct virtq_used_elem e;
		struct virtio_chain c;
		int r;

		r = walk_chain(t, q, desc, head, &c, &why);
		if (!r) {
			r = t->ops->handle(t->dev, qi, &c);
			why = "malformed request";
		}
		if (r < 0) {
			needs_reset(t, why);
			break;
		}
		e.id = head;
		e.len = (uint32_t)r;
		memcpy(used + 4 + 8 * (size_t)(q->used_idx % num), &e, sizeof(e));
		vm_dirty_mark(t->vm, q->used, 6 + 8ULL * num);
		q->used_idx++;
		q->last_avail++;
		/*
		 * The element is visible before the index that publishes it, and
		 * (sequentially consistent: a full barrier on x86) the index is
		 * visible before we read the driver's flags below.
		 */
		__atomic_store_n((uint16_t *)(used + 2), q->used_idx, __ATOMIC_SEQ_CST);
		added = true;
	}
	if (added && !(__atomic_load_n(&avail[0], __ATOMIC_SEQ_CST) & VIRTQ_AVAIL_F_NO_INTERRUPT))
		t->isr |= VIRTIO_ISR_QUEUE;
}

static bool can_serve(const struct virtio_mmio *t)
{
	return (t->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(t->status & VIRTIO_STATUS_NEEDS_RESET);
}

/* QueueReady = 1: check the driver's setup before accepting it.  Lock held. */
static void queue_enable(struct virtio_mmio *t, struct vq *q)
{
	const struct gmem *m = &t->vm->mem;
	uint16_t num = q->num;

	if (!num || num > t->ops->queue_max || (num & (num - 1))) {
		needs_reset(t, "queue size is not a power of two within the maximum");
		return;
	}
	/* Alignment (2.7): desc 16, avail 2, used 4; also keeps our atomics aligned. */
	if ((q->desc & 15) || (q->avail & 1) || (q->used & 3) ||
	    !gmem_ptr(m, q->desc, (uint64_t)num * sizeof(struct virtq_desc)) ||
	    !gmem_ptr(m, q->avail, 6 + 2ULL * num) || !gmem_ptr(m, q->used, 6 + 8ULL * num)) {
		needs_reset(t, "virtqueue misaligned or outside guest RAM");
		return;
	}
	q->ready = true;
	q->last_avail = q->used_idx = 0;
}

static void set_status(struct virtio_mmio *t, uint32_t v)
{
	bool now_ok;

	if (!v) {
		device_reset(t);
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(t->status & VIRTIO_STATUS_FEATURES_OK)) {
		/* Only what we offered, and a modern driver: else FEATURES_OK stays clear. */
		if ((t->drv_features & ~t->dev_features) ||
		    !(t->drv_features & (1ULL << VIRTIO_F_VERSION_1)))
			v &= ~VIRTIO_STATUS_FEATURES_OK;
		else if (t->ops->set_features)
			t->ops->set_features(t->dev, t->drv_features);
	}
	/* NEEDS_RESET is the device's to set; only a reset clears it. */
	v = (v & ~VIRTIO_STATUS_NEEDS_RESET) | (t->status & VIRTIO_STATUS_NEEDS_RESET);
	now_ok = (v & VIRTIO_STATUS_DRIVER_OK) && !(t->status & VIRTIO_STATUS_DRIVER_OK);
	t->status = v;
	/* Buffers made available before DRIVER_OK are served now. */
	for (unsigned i = 0; now_ok && can_serve(t) && i < t->ops->num_queues; i++)
		if (t->vqs[i].ready)
			process_queue(t, i);
}

static struct vq *cur_queue(struct virtio_mmio *t)
{
	return t->queue_sel < t->ops->num_queues ? &t->vqs[t->queue_sel] : NULL;
}

static uint32_t reg_read(struct virtio_mmio *t, uint64_t off)
{
	struct vq *q = cur_queue(t);

	switch (off) {
	case VIRTIO_MMIO_MAGIC:		return VIRTIO_MMIO_MAGIC_VALUE;
	case VIRTIO_MMIO_VERSION:	return 2;
	case VIRTIO_MMIO_DEVICE_ID:	return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:	return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->dev_features_sel > 1)
			return 0;
		return (uint32_t)(t->dev_features >> (32 * t->dev_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:	return q ? t->ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_NUM:	return q ? q->num : 0;
	case VIRTIO_MMIO_QUEUE_READY:	return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return t->isr;
	case VIRTIO_MMIO_STATUS:	return t->status;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:  return q ? (uint32_t)q->desc : 0;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: return q ? (uint32_t)(q->desc >> 32) : 0;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW: return q ? (uint32_t)q->avail : 0;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: return q ? (uint32_t)(q->avail >> 32) : 0;
	case VIRTIO_MMIO_QUEUE_USED_LOW:  return q ? (uint32_t)q->used : 0;
	case VIRTIO_MMIO_QUEUE_USED_HIGH: return q ? (uint32_t)(q->used >> 32) : 0;
	case VIRTIO_MMIO_CONFIG_GENERATION: return t->config_gen;
	default:			return 0;
	}
}

/* Replace the low or high half of a 64-bit ring address. */
static void set_half(uint64_t *addr, bool high, uint32_t v)
{
	if (high)
		*addr = (*addr & 0xffffffffULL) | ((uint64_t)v << 32);
	else
		*addr = (*addr & ~0xffffffffULL) | v;
}

static void reg_write(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	struct vq *q = cur_queue(t);

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->dev_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Fixed once FEATURES_OK is set (3.1.1). */
		if (t->drv_features_sel > 1 || (t->status & VIRTIO_STATUS_FEATURES_OK))
			break;
		set_half(&t->drv_features, t->drv_features_sel == 1, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->drv_features_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q && !q->ready)
			q->num = (uint16_t)MIN(v, 0xffffu);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (!q)
			break;
		if (!v)
			q->ready = false;
		else if (!q->ready)
			queue_enable(t, q);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (v < t->ops->num_queues && t->vqs[v].ready && can_serve(t))
			process_queue(t, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->isr &= ~v;
		break;
	case VIRTIO_MMIO_STATUS:
		set_status(t, v);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (q && !q->ready)
			set_half(&q->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		if (q && !q->ready)
			set_half(&q->avail, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		if (q && !q->ready)
			set_half(&q->used, off == VIRTIO_MMIO_QUEUE_USED_HIGH, v);
		break;
	default:
		break;		/* read-only or unknown: ignored */
	}
}

static int mmio_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data,
		   unsigned len, bool is_write, void *opaque)
{
	struct virtio_mmio *t = opaque;
	uint64_t off = addr - t->base;
	uint32_t v;

	pthread_mutex_lock(&t->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (is_write) {
			if (t->ops->config_write)
				t->ops->config_write(t->dev, off - VIRTIO_MMIO_CONFIG, data, len);
		} else {
			memset(data, 0, len);
			if (t->ops->config_read)
				t->ops->config_read(t->dev, off - VIRTIO_MMIO_CONFIG, data, len);
		}
	} else if (len != 4 || (off & 3)) {
		/* Registers take aligned 32-bit accesses only (4.2.2.2). */
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		memcpy(&v, data, 4);
		reg_write(t, off, v);
	} else {
		v = reg_read(t, off);
		memcpy(data, &v, 4);
	}
	update_irq(t);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

int virtio_mmio_create(struct vm *vm, uint64_t base, unsigned irq,
		       const struct virtio_dev_ops *ops, void *dev, struct virtio_mmio **out)
{
	struct virtio_mmio *t;
	int r;

	if (!ops->queue_max || ops->queue_max > 32768 ||
	    (ops->queue_max & (ops->queue_max - 1)) || !ops->num_queues || !ops->handle)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->vqs = calloc(ops->num_queues, sizeof(*t->vqs));
	t->bufs = calloc(ops->queue_max, sizeof(*t->bufs));
	if (!t->vqs || !t->bufs) {
		free(t->vqs);
		free(t->bufs);
		free(t);
		return -ENOMEM;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->vm = vm;
	t->base = base;
	t->irq = irq;
	t->ops = ops;
	t->dev = dev;
	t->dev_features = (ops->features ? ops->features(dev) : 0) | (1ULL << VIRTIO_F_VERSION_1);
	device_reset(t);
	r = io_register(&vm->io, IO_MMIO, base, LAYOUT_VIRTIO_MMIO_SIZE, mmio_io, t, ops->name);
	if (r) {
		virtio_mmio_destroy(t);
		return r;
	}
	*out = t;
	return 0;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->vqs);
	free(t->bufs);
	free(t);
}

/*
 * The snapshot record: this header, then one vmmio_snap_vq per queue
 * (ops->num_queues, fixed for a device: the record's length is too).
 */
#define VIRTIO_MMIO_SNAP_VERSION	1

struct vmmio_snap {
	uint32_t version;
	uint32_t num_queues;
	uint64_t dev_features;		/* what we offered: must match on load */
	uint64_t drv_features;
	uint32_t dev_features_sel, drv_features_sel;
	uint32_t queue_sel;
	uint32_t status;
	uint32_t isr;
	uint32_t config_gen;
	uint8_t irq_level;		/* 0 or 1 */
	uint8_t pad[3];
} __attribute__((packed));

struct vmmio_snap_vq {
	uint64_t desc, avail, used;
	uint16_t num, last_avail, used_idx;
	uint8_t ready;			/* 0 or 1 */
	uint8_t pad;
} __attribute__((packed));

static size_t snap_len(unsigned nq)
{
	return sizeof(struct vmmio_snap) + nq * sizeof(struct vmmio_snap_vq);
}

int virtio_mmio_save(struct virtio_mmio *t, struct snap_w *w, uint32_t inst)
{
	struct vmmio_snap h;
	uint8_t *buf;
	size_t len;

	if (!t)
		return 0;
	len = snap_len(t->ops->num_queues);
	buf = calloc(1, len);
	if (!buf)
		return -ENOMEM;
	memset(&h, 0, sizeof(h));
	h.version = VIRTIO_MMIO_SNAP_VERSION;
	h.num_queues = t->ops->num_queues;
	pthread_mutex_lock(&t->lock);
	h.dev_features = t->dev_features;
	h.drv_features = t->drv_features;
	h.dev_features_sel = t->dev_features_sel;
	h.drv_features_sel = t->drv_features_sel;
	h.queue_sel = t->queue_sel;
	h.status = t->status;
	h.isr = t->isr;
	h.config_gen = t->config_gen;
	h.irq_level = (uint8_t)t->irq_level;
	for (unsigned i = 0; i < t->ops->num_queues; i++) {
		const struct vq *q = &t->vqs[i];
		struct vmmio_snap_vq s = {
			.desc = q->desc, .avail = q->avail, .used = q->used,
			.num = q->num, .last_avail = q->last_avail, .used_idx = q->used_idx,
			.ready = q->ready,
		};

		memcpy(buf + sizeof(h) + i * sizeof(s), &s, sizeof(s));
	}
	pthread_mutex_unlock(&t->lock);
	memcpy(buf, &h, sizeof(h));
	snapw_put(w, VIRTIO_MMIO_SNAP_TAG, inst, buf, len);
	free(buf);
	return w->err;
}

/* Could a ready queue be this one?  What queue_enable checks, and served in step. */
static bool snap_vq_ok(const struct virtio_mmio *t, const struct vmmio_snap_vq *s)
{
	const struct gmem *m = &t->vm->mem;
	uint16_t num = s->num;

	if (!devsnap_bool_ok(s->ready))
		return false;
	if (!s->ready)
		return true;	/* the driver's numbers, checked when it enables the queue */
	if (!num || num > t->ops->queue_max || (num & (num - 1)))
		return false;
	if ((s->desc & 15) || (s->avail & 1) || (s->used & 3) ||
	    !gmem_ptr(m, s->desc, (uint64_t)num * sizeof(struct virtq_desc)) ||
	    !gmem_ptr(m, s->avail, 6 + 2ULL * num) || !gmem_ptr(m, s->used, 6 + 8ULL * num))
		return false;
	/* Requests complete as they are taken: both start at 0 and move together. */
	return s->last_avail == s->used_idx;
}

static bool snap_ok(const struct virtio_mmio *t, const struct vmmio_snap *h,
		    const uint8_t *vqs)
{
	if (h->num_queues != t->ops->num_queues || h->dev_features != t->dev_features)
		return false;	/* another device, or one configured otherwise */
	/* Accepted features are only ever ours, with VERSION_1 (set_status). */
	if ((h->status & VIRTIO_STATUS_FEATURES_OK) &&
	    ((h->drv_features & ~h->dev_features) ||
	     !(h->drv_features & (1ULL << VIRTIO_F_VERSION_1))))
		return false;
	if ((h->isr & ~(uint32_t)(VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG)) ||
	    !devsnap_bool_ok(h->irq_level) || h->irq_level != (h->isr != 0))
		return false;
	for (unsigned i = 0; i < h->num_queues; i++) {
		struct vmmio_snap_vq s;

		memcpy(&s, vqs + i * sizeof(s), sizeof(s));
		if (!snap_vq_ok(t, &s))
			return false;
	}
	return true;
}

int virtio_mmio_load(struct virtio_mmio *t, const struct snap_r *r, uint32_t inst, bool check)
{
	struct vmmio_snap h;
	uint8_t *buf = NULL;
	size_t len = t ? snap_len(t->ops->num_queues) : 0;
	int e;

	if (t) {
		buf = malloc(len);
		if (!buf)
			return -ENOMEM;
	}
	e = devsnap_get(r, VIRTIO_MMIO_SNAP_TAG, inst, t != NULL, buf, len,
			VIRTIO_MMIO_SNAP_VERSION);
	if (e) {
		free(buf);
		return e > 0 ? 0 : e;
	}
	memcpy(&h, buf, sizeof(h));
	if (!snap_ok(t, &h, buf + sizeof(h))) {
		free(buf);
		return -EINVAL;
	}
	if (check) {
		free(buf);
		return 0;
	}
	/*
	 * dev_features was checked equal, not loaded.  Neither ops->reset nor
	 * ops->set_features is called: the device's own record carries what
	 * they would have set.
	 */
	pthread_mutex_lock(&t->lock);
	t->drv_features = h.drv_features;
	t->dev_features_sel = h.dev_features_sel;
	t->drv_features_sel = h.drv_features_sel;
	t->queue_sel = h.queue_sel;
	t->status = h.status;
	t->isr = h.isr;
	t->config_gen = h.config_gen;
	for (unsigned i = 0; i < t->ops->num_queues; i++) {
		struct vmmio_snap_vq s;

		memcpy(&s, buf + sizeof(h) + i * sizeof(s), sizeof(s));
		t->vqs[i] = (struct vq){
			.num = s.num, .ready = s.ready,
			.desc = s.desc, .avail = s.avail, .used = s.used,
			.last_avail = s.last_avail, .used_idx = s.used_idx,
		};
	}
	/* Drive the line to the saved level (checked to be isr's) whatever it was. */
	t->irq_level = -1;
	update_irq(t);
	pthread_mutex_unlock(&t->lock);
	free(buf);
	return 0;
}

int virtio_mmio_cmdline(uint64_t base, unsigned irq, char *buf, size_t len)
{
	int n = snprintf(buf, len, "virtio_mmio.device=%lluK@0x%llx:%u",
			 (unsigned long long)(LAYOUT_VIRTIO_MMIO_SIZE >> 10),
			 (unsigned long long)base, irq);

	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
