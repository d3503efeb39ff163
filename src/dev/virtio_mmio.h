/*
 * virtio_mmio.h -- the virtio-mmio transport (version 2, virtio 1.x) with
 * split virtqueues, and the interface a virtio device plugs into it with.
 *
 * Requests are handled synchronously in the thread that writes QUEUE_NOTIFY,
 * with the transport's lock held.  Every guest address is checked against RAM;
 * a driver that breaks the protocol (a ring or buffer outside RAM, a looping
 * or over-long chain) gets DEVICE_NEEDS_RESET instead of service.
 */
#ifndef HYVE_DEV_VIRTIO_MMIO_H
#define HYVE_DEV_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct snap_w;
struct snap_r;

/* Device status bits (virtio 1.x, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* Transport feature bits. */
#define VIRTIO_F_VERSION_1		32	/* always offered, must be accepted */

/* Register offsets of the MMIO window. */
#define VIRTIO_MMIO_MAGIC		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW	0x090
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_USED_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

#define VIRTIO_MMIO_MAGIC_VALUE		0x74726976	/* "virt" */
#define VIRTIO_MMIO_VENDOR		0x45565948	/* "HYVE" */

/* Interrupt status bits. */
#define VIRTIO_ISR_QUEUE		0x1	/* a used ring was updated */
#define VIRTIO_ISR_CONFIG		0x2	/* configuration (or NEEDS_RESET) changed */

/* Split virtqueue layout (virtio 1.x, 2.7); little-endian, as x86 is. */
#define VIRTQ_DESC_F_NEXT		1
#define VIRTQ_DESC_F_WRITE		2
#define VIRTQ_DESC_F_INDIRECT		4
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

/* One buffer of a request, already checked to lie in guest RAM. */
struct virtio_buf {
	uint8_t *host;
	uint32_t len;
	bool writable;		/* device-writable (the driver reads it back) */
};

/*
 * A request: its buffers in chain order, the device-readable ones first (the
 * transport refuses chains that mix them otherwise).
 */
struct virtio_chain {
	const struct virtio_buf *buf;
	unsigned n;
	uint64_t read_len;	/* bytes in the device-readable buffers */
	uint64_t write_len;	/* bytes in the device-writable buffers */
};

/*
 * Copy bytes [off, off+len) of the chain's readable part into dst, or src into
 * its writable part.  Return how many bytes were copied (less at the end).
 */
size_t virtio_chain_read(const struct virtio_chain *c, uint64_t off, void *dst, size_t len);
size_t virtio_chain_write(const struct virtio_chain *c, uint64_t off, const void *src,
			  size_t len);

/* What a device tells the transport.  Every callback runs with the transport's lock held. */
struct virtio_dev_ops {
	const char *name;		/* for messages and the io registry */
	uint32_t device_id;		/* virtio device type (2 = block) */
	unsigned num_queues;
	uint16_t queue_max;		/* a power of two, at most 32768 */
	/* Device feature bits (VIRTIO_F_VERSION_1 is added by the transport). */
	uint64_t (*features)(void *dev);
	/* Accept the driver's features when it sets FEATURES_OK (optional). */
	void (*set_features)(void *dev, uint64_t features);
	/* Device config space, any offset/size; bytes past its end read 0. */
	void (*config_read)(void *dev, uint64_t off, uint8_t *data, unsigned len);
	void (*config_write)(void *dev, uint64_t off, const uint8_t *data, unsigned len);
	/*
	 * Serve one request from queue `q`.  Returns the number of bytes written
	 * into the writable buffers (the used length), or -errno when the request
	 * breaks the protocol (the device then needs a reset).  I/O errors are
	 * reported in-band, not here.
	 */
	int (*handle)(void *dev, unsigned q, const struct virtio_chain *c);
	void (*reset)(void *dev);	/* the driver reset the device (optional) */
};

struct virtio_mmio;

/*
 * Create a transport for `dev` at guest-physical `base` (a 0x1000 window)
 * raising `irq`, and register it.  0 or -errno.
 */
int virtio_mmio_create(struct vm *vm, uint64_t base, unsigned irq,
		       const struct virtio_dev_ops *ops, void *dev, struct virtio_mmio **out);
/*
 * Free a transport.  Only once no vCPU can reach it any more (after the vCPUs
 * are joined); its range stays in the io registry until io_reset().
 */
void virtio_mmio_destroy(struct virtio_mmio *t);

/*
 * Snapshots (core/device.h): the transport's state -- status, feature
 * selectors and the accepted features, queue select, interrupt status,
 * config generation, and per queue its size, ready flag, ring addresses and
 * the indexes the device tracks -- as one record tagged VIRTIO_MMIO_SNAP_TAG
 * with instance `inst` (unique per transport; the device that owns it
 * picks it).  The device's own state, if any, is its own record.
 * virtio_mmio_save writes nothing for t == NULL (the device is absent);
 * virtio_mmio_load refuses (-EINVAL) a record without a transport, a
 * transport without a record, another size or version, or values the
 * transport could never hold; with check set it changes nothing.  The rings
 * themselves are guest RAM, not saved here.  0 or -errno.
 */
#define VIRTIO_MMIO_SNAP_TAG		SNAP_TAG('V', 'I', 'R', 'T')
int virtio_mmio_save(struct virtio_mmio *t, struct snap_w *w, uint32_t inst);
int virtio_mmio_load(struct virtio_mmio *t, const struct snap_r *r, uint32_t inst, bool check);

/* The Linux command-line option that announces a device: "virtio_mmio.device=4K@0x...:IRQ". */
int virtio_mmio_cmdline(uint64_t base, unsigned irq, char *buf, size_t len);

#endif
