/*
 * platform.c -- the firmware tables a direct-boot guest expects from a PC:
 * the e820 memory map, the Intel MultiProcessor table (spec 1.4) and ACPI
 * (RSDP, RSDT, XSDT, FADT, FACS, DSDT, MADT).
 *
 * Everything lives in [LAYOUT_TABLES, LAYOUT_TABLES_END), which e820 reports
 * as reserved: ACPI from 0xe0000, the MP table from 0xf0000 (the MP spec only
 * promises a scan of 0xf0000..0xfffff; Linux scans 0xe0000.. for the RSDP).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>

#include "core/gmem.h"
#include "arch/x86/platform.h"
#include "util.h"

#define MAX_CPUS	254	/* APIC ids 0..ncpus-1, the IOAPIC takes ncpus, 0xff is broadcast */
#define ACPI_BASE	LAYOUT_TABLES
#define ACPI_END	0xf0000ULL
#define MP_BASE		0xf0000ULL

int e820_build(const struct gmem *m, struct e820_entry *out, int max)
{
	uint64_t low = gmem_low_end(m), high = gmem_high_end(m);
	struct e820_entry map[5];
	int n = 0;

	map[n++] = (struct e820_entry){ 0, MIN(low, LAYOUT_EBDA), E820_RAM };
	map[n++] = (struct e820_entry){ LAYOUT_EBDA, 0xa0000 - LAYOUT_EBDA, E820_RESERVED };
	map[n++] = (struct e820_entry){ LAYOUT_TABLES, LAYOUT_TABLES_END - LAYOUT_TABLES,
					E820_RESERVED };
	if (low > LAYOUT_HIMEM)
		map[n++] = (struct e820_entry){ LAYOUT_HIMEM, low - LAYOUT_HIMEM, E820_RAM };
	if (high)
		map[n++] = (struct e820_entry){ GMEM_HIGH_BASE, high - GMEM_HIGH_BASE, E820_RAM };
	n = MIN(n, max);
	memcpy(out, map, n * sizeof(map[0]));
	return n;
}

/* ---- a bump allocator over the table area ---- */

struct area {
	uint8_t *host;		/* host pointer of gpa */
	uint64_t gpa, off, end;	/* allocation cursor [gpa+off, end) */
};

/* Zeroed, aligned space in the area; NULL if it is full. */
static void *area_alloc(struct area *a, uint64_t len, uint64_t align, uint64_t *gpa)
{
	uint64_t off = ALIGN_UP(a->gpa + a->off, align) - a->gpa;

	if (off > a->end - a->gpa || len > a->end - a->gpa - off)
		return NULL;
	a->off = off + len;
	*gpa = a->gpa + off;
	memset(a->host + off, 0, len);
	return a->host + off;
}

static uint8_t sum8(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

/* Set *csum so that the len bytes at p sum to 0. */
static void fix_csum(const void *p, size_t len, uint8_t *csum)
{
	*csum = 0;
	*csum = (uint8_t)-sum8(p, len);
}

/* ---- MP table (Intel MultiProcessor Specification 1.4, chapter 4) ---- */

struct mp_fps {			/* floating pointer structure */
	char sig[4];		/* "_MP_" */
	uint32_t config;	/* GPA of the configuration table */
	uint8_t len16;		/* length in 16-byte units: 1 */
	uint8_t rev;		/* 4: spec 1.4 */
	uint8_t csum;
	uint8_t feature[5];	/* all 0: a configuration table is present */
} __attribute__((packed));

struct mp_conf {
	char sig[4];		/* "PCMP" */
	uint16_t len;		/* base table length */
	uint8_t rev;
	uint8_t csum;
	char oem[8], product[12];
	uint32_t oem_table;
	uint16_t oem_size, count;
	uint32_t lapic;
	uint16_t ext_len;
	uint8_t ext_csum, reserved;
} __attribute__((packed));

struct mp_cpu {
	uint8_t type;		/* 0 */
	uint8_t apic_id, apic_ver, flags;	/* flags: 1 enabled, 2 bootstrap */
	uint32_t signature, features;
	uint32_t reserved[2];
} __attribute__((packed));

struct mp_bus {
	uint8_t type;		/* 1 */
	uint8_t id;
	char name[6];
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type;		/* 2 */
	uint8_t id, ver, flags;
	uint32_t addr;
} __attribute__((packed));

struct mp_irq {			/* I/O (type 3) and local (type 4) interrupt assignment */
	uint8_t type, irqtype;	/* irqtype: 0 INT, 1 NMI, 3 ExtINT */
	uint16_t flags;		/* 0: polarity and trigger conform to the bus */
	uint8_t src_bus, src_irq, dst_id, dst_pin;
} __attribute__((packed));

#define MP_INT		0
#define MP_NMI		1
#define MP_EXTINT	3

static int mp_write(struct area *a, int ncpus)
{
	size_t len = sizeof(struct mp_conf) + ncpus * sizeof(struct mp_cpu) +
		     sizeof(struct mp_bus) + sizeof(struct mp_ioapic) +
		     (15 + 2) * sizeof(struct mp_irq);
	uint64_t fps_gpa, conf_gpa;
	struct mp_fps *fps = area_alloc(a, sizeof(*fps), 16, &fps_gpa);
	struct mp_conf *conf = area_alloc(a, len, 16, &conf_gpa);
	uint8_t *p;
	uint16_t count = 0;

	if (!fps || !conf)
		return -ENOSPC;
	p = (uint8_t *)(conf + 1);
	for (int i = 0; i < ncpus; i++, count++, p += sizeof(struct mp_cpu)) {
		struct mp_cpu c = {
			.type = 0, .apic_id = i, .apic_ver = 0x14,
			.flags = 1 | (i == 0 ? 2 : 0),
			.signature = 0x600,		/* family 6 */
			.features = (1 << 9) | 1,	/* APIC, FPU */
		};
		memcpy(p, &c, sizeof(c));
	}
	memcpy(p, &(struct mp_bus){ .type = 1, .id = 0, .name = "ISA   " },
	       sizeof(struct mp_bus));
	p += sizeof(struct mp_bus), count++;
	memcpy(p, &(struct mp_ioapic){ .type = 2, .id = ncpus, .ver = 0x11, .flags = 1,
				       .addr = LAYOUT_IOAPIC }, sizeof(struct mp_ioapic));
	p += sizeof(struct mp_ioapic), count++;
	/* ISA IRQ n on IOAPIC pin n, except the timer, which the PC wires to pin 2. */
	for (int irq = 0; irq < 16; irq++) {
		struct mp_irq e = { .type = 3, .irqtype = MP_INT, .src_bus = 0, .src_irq = irq,
				    .dst_id = ncpus, .dst_pin = platform_isa_ioapic_pin(irq) };

		if (irq == 2)
			continue;
		memcpy(p, &e, sizeof(e));
		p += sizeof(e), count++;
	}
	/* The legacy PIC on every LAPIC's LINT0, NMI on LINT1 (virtual wire mode). */
	memcpy(p, &(struct mp_irq){ .type = 4, .irqtype = MP_EXTINT, .dst_id = 0xff,
				    .dst_pin = 0 }, sizeof(struct mp_irq));
	p += sizeof(struct mp_irq), count++;
	memcpy(p, &(struct mp_irq){ .type = 4, .irqtype = MP_NMI, .dst_id = 0xff,
				    .dst_pin = 1 }, sizeof(struct mp_irq));
	count++;

	memcpy(conf->sig, "PCMP", 4);
	conf->len = len;
	conf->rev = 4;
	memcpy(conf->oem, "HYVE    ", 8);
	memcpy(conf->product, "HYVE VM     ", 12);
	conf->count = count;
	conf->lapic = LAYOUT_LAPIC;
	fix_csum(conf, len, &conf->csum);

	memcpy(fps->sig, "_MP_", 4);
	fps->config = conf_gpa;
	fps->len16 = 1;
	fps->rev = 4;
	fix_csum(fps, sizeof(*fps), &fps->csum);
	return 0;
}

/* ---- ACPI ---- */

struct acpi_rsdp {
	char sig[8];		/* "RSD PTR " */
	uint8_t csum;		/* over the first 20 bytes (ACPI 1.0 part) */
	char oem[6];
	uint8_t rev;		/* 2: ACPI 2.0+ layout */
	uint32_t rsdt;
	uint32_t len;		/* 36 */
	uint64_t xsdt;
	uint8_t ext_csum;	/* over all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_hdr {
	char sig[4];
	uint32_t len;
	uint8_t rev, csum;
	char oem[6], oem_table[8];
	uint32_t oem_rev;
	char creator[4];
	uint32_t creator_rev;
} __attribute__((packed));

struct acpi_gas {		/* Generic Address Structure */
	uint8_t space;		/* 1: system I/O */
	uint8_t bit_width, bit_offset, access;
	uint64_t addr;
} __attribute__((packed));

struct acpi_fadt {		/* revision 5 (ACPI 5.0): 268 bytes */
	struct acpi_hdr h;
	uint32_t facs, dsdt;
	uint8_t reserved0, pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt, pm1b_evt, pm1a_cnt, pm1b_cnt, pm2_cnt, pm_tmr, gpe0, gpe1;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_len, gpe1_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_rev;
	uint64_t x_facs, x_dsdt;
	struct acpi_gas x_pm1a_evt, x_pm1b_evt, x_pm1a_cnt, x_pm1b_cnt, x_pm2_cnt,
		x_pm_tmr, x_gpe0, x_gpe1, sleep_ctl, sleep_sts;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_fadt) == 268, "FADT rev 5 is 268 bytes");

struct acpi_facs {
	char sig[4];		/* "FACS"; no checksum */
	uint32_t len;		/* 64 */
	uint32_t hw_sig, waking_vector, global_lock, flags;
	uint64_t x_waking_vector;
	uint8_t version;	/* 2 */
	uint8_t reserved[31];
} __attribute__((packed));

struct madt_lapic {
	uint8_t type, len;	/* 0, 8 */
	uint8_t uid, apic_id;
	uint32_t flags;		/* 1: enabled */
} __attribute__((packed));

struct madt_ioapic {
	uint8_t type, len;	/* 1, 12 */
	uint8_t id, reserved;
	uint32_t addr, gsi_base;
} __attribute__((packed));

struct madt_override {
	uint8_t type, len;	/* 2, 10 */
	uint8_t bus, irq;
	uint32_t gsi;
	uint16_t flags;		/* MPS INTI flags: polarity bits 0-1, trigger bits 2-3 */
} __attribute__((packed));

struct madt_nmi {
	uint8_t type, len;	/* 4, 6 */
	uint8_t uid;		/* 0xff: all processors */
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));

#define FADT_WBINVD		(1u << 0)
#define FADT_PROC_C1		(1u << 2)
#define FADT_PWR_BUTTON		(1u << 4)	/* set: no fixed power button */
#define FADT_SLP_BUTTON		(1u << 5)	/* set: no fixed sleep button */
#define BOOT_ARCH_LEGACY	(1u << 0)
#define BOOT_ARCH_8042		(1u << 1)
#define INTI_HIGH_LEVEL		0x000d		/* active high (01), level triggered (11 << 2) */
#define SCI_IRQ			9

static void acpi_hdr_init(struct acpi_hdr *h, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(h->sig, sig, 4);
	h->len = len;
	h->rev = rev;
	memcpy(h->oem, "HYVE  ", 6);
	memcpy(h->oem_table, "HYVEVM  ", 8);
	memcpy(h->oem_table + 4, sig, 4);
	h->oem_rev = 1;
	memcpy(h->creator, "HYVE", 4);
	h->creator_rev = 1;
}

static void acpi_hdr_done(struct acpi_hdr *h)
{
	fix_csum(h, h->len, &h->csum);
}

/* One AML integer constant: ZeroOp, OneOp or BytePrefix + byte. Returns its length. */
static size_t aml_byte(uint8_t *p, uint8_t v)
{
	if (v <= 1) {
		p[0] = v;	/* ZeroOp 0x00, OneOp 0x01 */
		return 1;
	}
	p[0] = 0x0a;		/* BytePrefix */
	p[1] = v;
	return 2;
}

/*
 * The DSDT's only content, the sleep state the OS writes to PM1a_CNT.SLP_TYP
 * to power off:  Name (\_S5, Package () { S5, S5, 0, 0 })  which is
 *   08            NameOp
 *   5c 5f 53 35 5f  "\_S5_" (RootChar, NameSeg)
 *   12            PackageOp
 *   nn            PkgLength: 1 byte, counts itself and everything after it
 *   04            NumElements
 *   0a 05 0a 05   BytePrefix 5, BytePrefix 5  (PM1a, PM1b SLP_TYP)
 *   00 00         ZeroOp, ZeroOp             (reserved)
 * Returns the length written (at most 15 bytes).
 */
static size_t aml_s5(uint8_t *p)
{
	size_t n = 0, pkglen_at;

	p[n++] = 0x08;
	memcpy(p + n, "\\_S5_", 5);
	n += 5;
	p[n++] = 0x12;
	pkglen_at = n++;
	p[n++] = 4;
	n += aml_byte(p + n, ACPI_S5_SLP_TYP);
	n += aml_byte(p + n, ACPI_S5_SLP_TYP);
	n += aml_byte(p + n, 0);
	n += aml_byte(p + n, 0);
	p[pkglen_at] = n - pkglen_at;	/* < 64: the one-byte PkgLength form */
	return n;
}

/*
 * The pvpanic device, as QEMU announces it (a guest's pvpanic driver binds to
 * the ACPI id QEMU0001 and writes its events to the port):
 *   Scope (\_SB) { Device (PEVT) {
 *       Name (_HID, "QEMU0001")
 *       Name (_CRS, ResourceTemplate () { IO (Decode16, 0x505, 0x505, 1, 1) }) } }
 * Every PkgLength here is under 64: the one-byte form.  Returns the length.
 */
static size_t aml_pvpanic(uint8_t *p)
{
	static const uint8_t crs[] = { 0x47, 0x01, LAYOUT_PVPANIC & 0xff, LAYOUT_PVPANIC >> 8,
				       LAYOUT_PVPANIC & 0xff, LAYOUT_PVPANIC >> 8, 0x01, 0x01,
				       0x79, 0x00 };	/* IO descriptor, End tag */
	size_t n = 0, scope_len, dev_len;

	p[n++] = 0x10;				/* ScopeOp */
	scope_len = n++;
	memcpy(p + n, "\\_SB_", 5);
	n += 5;
	p[n++] = 0x5b;				/* ExtOpPrefix */
	p[n++] = 0x82;				/* DeviceOp */
	dev_len = n++;
	memcpy(p + n, "PEVT", 4);
	n += 4;
	p[n++] = 0x08;				/* NameOp */
	memcpy(p + n, "_HID", 4);
	n += 4;
	p[n++] = 0x0d;				/* StringPrefix */
	memcpy(p + n, "QEMU0001", 9);		/* with its NUL */
	n += 9;
	p[n++] = 0x08;
	memcpy(p + n, "_CRS", 4);
	n += 4;
	p[n++] = 0x11;				/* BufferOp */
	p[n++] = (uint8_t)(1 + 2 + sizeof(crs));	/* PkgLength */
	p[n++] = 0x0a;				/* BufferSize: BytePrefix */
	p[n++] = sizeof(crs);
	memcpy(p + n, crs, sizeof(crs));
	n += sizeof(crs);
	p[dev_len] = (uint8_t)(n - dev_len);
	p[scope_len] = (uint8_t)(n - scope_len);
	return n;
}

static void fadt_fill(struct acpi_fadt *f, uint64_t facs, uint64_t dsdt)
{
	acpi_hdr_init(&f->h, "FACP", sizeof(*f), 5);
	/* FACS through the 32-bit field only: with both set Linux installs it twice. */
	f->facs = facs;
	f->dsdt = dsdt;
	f->x_dsdt = dsdt;
	f->sci_int = SCI_IRQ;
	f->smi_cmd = 0;		/* no SMI: the OS finds ACPI mode already enabled */
	f->pm1a_evt = LAYOUT_PM1A_EVT;
	f->pm1_evt_len = 4;
	f->pm1a_cnt = LAYOUT_PM1A_CNT;
	f->pm1_cnt_len = 2;
	f->x_pm1a_evt = (struct acpi_gas){ 1, 32, 0, 0, LAYOUT_PM1A_EVT };
	f->x_pm1a_cnt = (struct acpi_gas){ 1, 16, 0, 0, LAYOUT_PM1A_CNT };
	f->p_lvl2_lat = 101;	/* > 100: C2 not supported */
	f->p_lvl3_lat = 1001;	/* > 1000: C3 not supported */
	f->iapc_boot_arch = BOOT_ARCH_LEGACY | BOOT_ARCH_8042;
	f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON;
	acpi_hdr_done(&f->h);
}

static int madt_write(struct area *a, int ncpus, uint64_t *gpa)
{
	size_t len = sizeof(struct acpi_hdr) + 8 + ncpus * sizeof(struct madt_lapic) +
		     sizeof(struct madt_ioapic) + 2 * sizeof(struct madt_override) +
		     sizeof(struct madt_nmi);
	struct acpi_hdr *h = area_alloc(a, len, 16, gpa);
	uint8_t *p;
	uint32_t v;

	if (!h)
		return -ENOSPC;
	acpi_hdr_init(h, "APIC", len, 3);
	p = (uint8_t *)(h + 1);
	v = LAYOUT_LAPIC;
	memcpy(p, &v, 4);
	v = 1;			/* PCAT_COMPAT: there are 8259 PICs too */
	memcpy(p + 4, &v, 4);
	p += 8;
	for (int i = 0; i < ncpus; i++, p += sizeof(struct madt_lapic))
		memcpy(p, &(struct madt_lapic){ 0, 8, i, i, 1 }, sizeof(struct madt_lapic));
	memcpy(p, &(struct madt_ioapic){ 1, 12, ncpus, 0, LAYOUT_IOAPIC, 0 },
	       sizeof(struct madt_ioapic));
	p += sizeof(struct madt_ioapic);
	memcpy(p, &(struct madt_override){ 2, 10, 0, 0, platform_isa_ioapic_pin(0), 0 },
	       sizeof(struct madt_override));
	p += sizeof(struct madt_override);
	memcpy(p, &(struct madt_override){ 2, 10, 0, SCI_IRQ, SCI_IRQ, INTI_HIGH_LEVEL },
	       sizeof(struct madt_override));
	p += sizeof(struct madt_override);
	memcpy(p, &(struct madt_nmi){ 4, 6, 0xff, 0, 1 }, sizeof(struct madt_nmi));
	acpi_hdr_done(h);
	return 0;
}

static int acpi_write(struct area *a, int ncpus, uint64_t *rsdp_gpa)
{
	uint64_t facs_gpa, dsdt_gpa, fadt_gpa, madt_gpa, rsdt_gpa, xsdt_gpa;
	struct acpi_rsdp *rsdp = area_alloc(a, sizeof(*rsdp), 16, rsdp_gpa);
	struct acpi_facs *facs = area_alloc(a, sizeof(*facs), 64, &facs_gpa);
	struct acpi_hdr *dsdt = area_alloc(a, sizeof(*dsdt) + 96, 16, &dsdt_gpa);
	struct acpi_fadt *fadt = area_alloc(a, sizeof(*fadt), 16, &fadt_gpa);
	struct acpi_hdr *rsdt, *xsdt;
	uint32_t r32[2];
	uint64_t r64[2];
	int r;

	if (!rsdp || !facs || !dsdt || !fadt)
		return -ENOSPC;
	r = madt_write(a, ncpus, &madt_gpa);
	if (r)
		return r;
	rsdt = area_alloc(a, sizeof(*rsdt) + sizeof(r32), 16, &rsdt_gpa);
	xsdt = area_alloc(a, sizeof(*xsdt) + sizeof(r64), 16, &xsdt_gpa);
	if (!rsdt || !xsdt)
		return -ENOSPC;

	memcpy(facs->sig, "FACS", 4);
	facs->len = sizeof(*facs);
	facs->version = 2;

	/* Revision 2: AML integers are 64-bit. */
	size_t aml = aml_s5((uint8_t *)(dsdt + 1));

	aml += aml_pvpanic((uint8_t *)(dsdt + 1) + aml);
	acpi_hdr_init(dsdt, "DSDT", sizeof(*dsdt) + aml, 2);
	acpi_hdr_done(dsdt);

	fadt_fill(fadt, facs_gpa, dsdt_gpa);

	r32[0] = fadt_gpa, r32[1] = madt_gpa;
	acpi_hdr_init(rsdt, "RSDT", sizeof(*rsdt) + sizeof(r32), 1);
	memcpy(rsdt + 1, r32, sizeof(r32));
	acpi_hdr_done(rsdt);

	r64[0] = fadt_gpa, r64[1] = madt_gpa;
	acpi_hdr_init(xsdt, "XSDT", sizeof(*xsdt) + sizeof(r64), 1);
	memcpy(xsdt + 1, r64, sizeof(r64));
	acpi_hdr_done(xsdt);

	memcpy(rsdp->sig, "RSD PTR ", 8);
	memcpy(rsdp->oem, "HYVE  ", 6);
	rsdp->rev = 2;
	rsdp->rsdt = rsdt_gpa;
	rsdp->len = sizeof(*rsdp);
	rsdp->xsdt = xsdt_gpa;
	fix_csum(rsdp, 20, &rsdp->csum);
	fix_csum(rsdp, sizeof(*rsdp), &rsdp->ext_csum);
	return 0;
}

int platform_tables_write(const struct gmem *m, int ncpus, uint64_t *rsdp)
{
	uint8_t *host = gmem_ptr(m, LAYOUT_TABLES, LAYOUT_TABLES_END - LAYOUT_TABLES);
	struct area acpi, mp;
	int r;

	if (ncpus < 1 || ncpus > MAX_CPUS)
		return -EINVAL;
	if (!host)
		return -EFAULT;
	memset(host, 0, LAYOUT_TABLES_END - LAYOUT_TABLES);
	acpi = (struct area){ host, ACPI_BASE, 0, ACPI_END };
	mp = (struct area){ host + (MP_BASE - LAYOUT_TABLES), MP_BASE, 0, LAYOUT_TABLES_END };
	r = acpi_write(&acpi, ncpus, rsdp);
	if (r)
		return r;
	return mp_write(&mp, ncpus);
}

int platform_gsi_routes(struct kvm_irq_routing_entry *e, int max)
{
	int n = 0;

	for (unsigned gsi = 0; gsi < PLATFORM_IOAPIC_PINS; gsi++) {
		if (gsi == 2)
			continue;
		if (gsi < 16 && n < max)
			e[n++] = (struct kvm_irq_routing_entry){
				.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = { gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
					       gsi % 8 } };
		if (n < max)
			e[n++] = (struct kvm_irq_routing_entry){
				.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = { KVM_IRQCHIP_IOAPIC,
					       gsi < 16 ? platform_isa_ioapic_pin(gsi) : gsi } };
	}
	return n;
}
