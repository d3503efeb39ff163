/*
 * hw.h -- the machine as hyve presents it to a guest (see the project's
 * src/arch/x86/platform.h for the VMM side).  QEMU's pc machine agrees on all
 * of these except the ACPI sleep type, which acpi_poweroff reads from the DSDT.
 */
#ifndef GUEST_HW_H
#define GUEST_HW_H

#define COM1_BASE		0x3f8	/* 16550A, IRQ 4 */
#define COM1_IRQ		4
#define DEBUGCON_PORT		0x402	/* write a byte = output */
#define DEBUG_EXIT_PORT		0xf4	/* outb v: the VMM exits with status v */
#define PM1A_CNT_PORT		0x604	/* ACPI PM1a control (default if no FADT) */
#define ACPI_S5_SLP_TYP_HYVE	5	/* hyve's \_S5 sleep type (default if no DSDT) */

#define LAPIC_BASE		0xfee00000UL
#define IOAPIC_BASE		0xfec00000UL
#define VIRTIO_MMIO_BASE	0xd0000000UL
#define VIRTIO_MMIO_IRQ		5

/* Higher-half alias of physical memory used by every 64-bit guest here. */
#define KERNEL_VMA		0xffffffff80000000UL

#endif
