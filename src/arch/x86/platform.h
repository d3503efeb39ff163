/*
 * platform.h -- x86 guest-physical layout and the platform tables hyve writes
 * for direct kernel boots (e820, MP table, ACPI RSDP/RSDT/MADT/FADT/DSDT).
 * Pure logic over struct gmem.
 */
#ifndef HYVE_X86_PLATFORM_H
#define HYVE_X86_PLATFORM_H

#include <stdint.h>

struct gmem;

/* Fixed guest-physical layout (below 1 MiB unless said otherwise). */
#define LAYOUT_BOOT_GDT		0x0500ULL	/* boot GDT written by loaders */
#define LAYOUT_ZERO_PAGE	0x7000ULL	/* bzImage boot_params / PVH start info / multiboot info */
#define LAYOUT_PGTABLE		0x9000ULL	/* long-mode page tables: 0x9000..0x10000 */
#define LAYOUT_CMDLINE		0x20000ULL	/* kernel command line, up to LAYOUT_CMDLINE_MAX */
#define LAYOUT_CMDLINE_MAX	0x10000ULL
#define LAYOUT_EBDA		0x9fc00ULL	/* reserved from here to 0xa0000 */
#define LAYOUT_TABLES		0xe0000ULL	/* MP table and ACPI tables (reserved to 1 MiB) */
#define LAYOUT_TABLES_END	0x100000ULL
#define LAYOUT_HIMEM		0x100000ULL

/* MMIO in the hole below 4 GiB. */
#define LAYOUT_VIRTIO_MMIO	0xd0000000ULL	/* virtio-mmio devices, 0x1000 each */
#define LAYOUT_VIRTIO_MMIO_SIZE	0x1000ULL
#define LAYOUT_VIRTIO_IRQ	5		/* first virtio IRQ (ISA/IOAPIC line) */
#define LAYOUT_IOAPIC		0xfec00000ULL
#define LAYOUT_LAPIC		0xfee00000ULL

/* ACPI PM1a ports (FADT): writing SLP_EN with S5 powers the guest off. */
#define LAYOUT_PM1A_EVT		0x600
#define LAYOUT_PM1A_CNT		0x604
/* QEMU's ISA pvpanic port, announced in the DSDT as device QEMU0001. */
#define LAYOUT_PVPANIC		0x505

/* Boot GDT selectors (the Linux 64-bit boot protocol's __BOOT_CS/__BOOT_DS). */
#define BOOT_SEL_CODE32		0x08	/* flat 32-bit code */
#define BOOT_SEL_CODE64		0x10	/* 64-bit code */
#define BOOT_SEL_DATA		0x18	/* flat data */
#define BOOT_GDT_ENTRIES	4

/* The IOAPIC pin of ISA IRQ irq (0..15), as the MP table and the MADT say: the PC
 * wires the timer (IRQ 0) to pin 2; pin 0 stays free (ExtINT). */
static inline unsigned platform_isa_ioapic_pin(unsigned irq)
{
	return irq == 0 ? 2 : irq;
}
#define PLATFORM_IOAPIC_PINS	24

/*
 * KVM's GSI routes for that wiring: GSI n (the number KVM's PIT and hyve's devices
 * raise, the ISA IRQ below 16) to the 8259 pin n and to IOAPIC pin
 * platform_isa_ioapic_pin(n) for n < 16, to IOAPIC pin n above; GSI 2 (the cascade)
 * to neither.  KVM's default routes put GSI 0 on IOAPIC pin 0, where the tables do
 * not: a guest that unmasks pin 2 for its timer, as Linux does, never got a tick.
 * Fills at most max entries; returns how many (PLATFORM_GSI_ROUTES of them).
 */
#define PLATFORM_GSI_ROUTES	(15 * 2 + (PLATFORM_IOAPIC_PINS - 16))
struct kvm_irq_routing_entry;
int platform_gsi_routes(struct kvm_irq_routing_entry *e, int max);

/* The SLP_TYP value the DSDT's \_S5 package names; acpi_pm powers off on it. */
#define ACPI_S5_SLP_TYP		5

enum e820_type { E820_RAM = 1, E820_RESERVED = 2, E820_ACPI = 3 };

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

#define E820_MAX 16

/* The memory map of a guest with this RAM. Returns the number of entries. */
int e820_build(const struct gmem *m, struct e820_entry *out, int max);

/*
 * Write the MP table and ACPI tables (RSDP, RSDT, XSDT, MADT, FADT, DSDT with _S5)
 * for ncpus CPUs into [LAYOUT_TABLES, LAYOUT_TABLES_END).  Returns 0 or -errno;
 * *rsdp gets the RSDP's GPA.
 */
int platform_tables_write(const struct gmem *m, int ncpus, uint64_t *rsdp);

/*
 * Build identity-map (first 4 GiB, 2 MiB pages) plus higher-half alias
 * (0xffffffff80000000 -> phys 0, 2 GiB) page tables at LAYOUT_PGTABLE and a
 * boot GDT at LAYOUT_BOOT_GDT (see BOOT_SEL_*: Linux's boot protocol wants code at
 * 0x10 and data at 0x18).
 * Returns 0 or -EFAULT.  Sets cr3/gdt fields of *bs.
 */
struct boot_state;
int x86_write_long_mode_tables(const struct gmem *m, struct boot_state *bs);
/* A flat 32-bit GDT only (same selectors), for BOOT_PROT32 entries. */
int x86_write_boot_gdt(const struct gmem *m, struct boot_state *bs);

#endif
