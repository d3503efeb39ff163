/* virtio_blk.h -- the virtio block device on the "disk" key's image. */
#ifndef HYVE_DEV_VIRTIO_BLK_H
#define HYVE_DEV_VIRTIO_BLK_H

#define VIRTIO_BLK_ID	"hyve-virtio-blk"	/* the GET_ID answer */

/*
 * The kernel command-line option that tells Linux where the disk is
 * ("virtio_mmio.device=4K@0xd0000000:5"), or NULL when no "disk" is set.
 * Depends only on the configuration, so it may be called before devices_init.
 */
const char *virtio_blk_cmdline(void);

#endif
