# Registers of the virtio-mmio block device at 0xd0000000, read through
# the device model (virtio 1.x MMIO layout: magic, version, device id,
# status; config space at 0x100 starts with the capacity in sectors).
x/wx 0xd0000000
printf "magic=0x%x\n", *(unsigned int *) 0xd0000000
printf "version=%u\n", *(unsigned int *) 0xd0000004
printf "device_id=%u\n", *(unsigned int *) 0xd0000008
printf "status=%u\n", *(unsigned int *) 0xd0000070
printf "capacity=%lu\n", *(unsigned long *) 0xd0000100
# -G w: held until a debugger resumes it (a detach would leave it held)
continue
