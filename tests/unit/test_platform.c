/*
 * test_platform.c -- e820, the MP and ACPI tables, the boot GDT and page
 * tables, checked by parsing them back out of a guest-RAM buffer the way a
 * guest would (signature scan, checksums, entry walks, a 4-level page walk).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>

#include "loader/loader.h"
#include "arch/x86/platform.h"
#include "test.h"
#include "util.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static uint8_t *ram;
static struct gmem mem;

static void setup(uint64_t size)
{
	free(ram);
	ram = calloc(1, size);
	gmem_init(&mem, ram, size);
}

static uint64_t rd(uint64_t gpa, unsigned len)
{
	uint64_t v = 0;
	void *p = gmem_ptr(&mem, gpa, len);

	if (p)
		memcpy(&v, p, len);
	else
		fprintf(stderr, "  read outside RAM: 0x%" PRIx64 "\n", gpa);
	return v;
}

static uint8_t sum(uint64_t gpa, uint64_t len)
{
	uint8_t s = 0;

	for (uint64_t i = 0; i < len; i++)
		s += (uint8_t)rd(gpa + i, 1);
	return s;
}

static bool sig_at(uint64_t gpa, const char *sig)
{
	const void *p = gmem_ptr(&mem, gpa, strlen(sig));

	return p && !memcmp(p, sig, strlen(sig));
}

static bool in_tables(uint64_t gpa, uint64_t len)
{
	return gpa >= LAYOUT_TABLES && gpa + len <= LAYOUT_TABLES_END;
}

/* ---- e820 ---- */

TEST(e820_64m)
{
	struct e820_entry e[E820_MAX];
	int n;

	setup(64 * MiB);
	n = e820_build(&mem, e, E820_MAX);
	CHECK_EQ(n, 4);
	CHECK_EQ(e[0].addr, 0);
	CHECK_EQ(e[0].size, 0x9fc00);
	CHECK_EQ(e[0].type, E820_RAM);
	CHECK_EQ(e[1].addr, 0x9fc00);
	CHECK_EQ(e[1].size, 0x400);
	CHECK_EQ(e[1].type, E820_RESERVED);
	CHECK_EQ(e[2].addr, 0xe0000);
	CHECK_EQ(e[2].size, 0x20000);
	CHECK_EQ(e[2].type, E820_RESERVED);
	CHECK_EQ(e[3].addr, 0x100000);
	CHECK_EQ(e[3].size, 63 * MiB);
	CHECK_EQ(e[3].type, E820_RAM);
	CHECK_EQ(sizeof(struct e820_entry), 20);
	/* A short output array gets the first entries only. */
	CHECK_EQ(e820_build(&mem, e, 2), 2);
}

TEST(e820_5g_high_ram)
{
	struct e820_entry e[E820_MAX];
	struct gmem big;
	int n;

	gmem_init(&big, NULL, 5 * GiB);	/* e820_build never touches the memory */
	n = e820_build(&big, e, E820_MAX);
	CHECK_EQ(n, 5);
	CHECK_EQ(e[3].addr, 0x100000);
	CHECK_EQ(e[3].addr + e[3].size, GMEM_LOW_MAX);
	CHECK_EQ(e[4].addr, 4 * GiB);
	CHECK_EQ(e[4].size, 5 * GiB - GMEM_LOW_MAX);
	CHECK_EQ(e[4].type, E820_RAM);
	/* RAM entries add up to the guest's RAM, minus the EBDA and 0xa0000..1 MiB. */
	CHECK_EQ(e[0].size + e[3].size + e[4].size, 5 * GiB - 0x400 - 0x60000);
}

/* ---- ACPI ---- */

/* Find the RSDP the way Linux's legacy scan does: 16-byte steps over 0xe0000..1 MiB. */
static uint64_t scan(uint64_t from, uint64_t to, const char *sig)
{
	for (uint64_t a = from; a < to; a += 16)
		if (sig_at(a, sig))
			return a;
	return 0;
}

/* Check an SDT at gpa: signature, length inside the table area, checksum. */
static uint32_t check_sdt(uint64_t gpa, const char *sig)
{
	uint32_t len = rd(gpa + 4, 4);

	CHECK(sig_at(gpa, sig));
	CHECK(len >= 36);
	CHECK(in_tables(gpa, len));
	CHECK_EQ(sum(gpa, len), 0);
	return len;
}

struct madt_count { int lapic, ioapic, iso, nmi; };

static struct madt_count check_madt(uint64_t madt, int ncpus)
{
	uint32_t len = check_sdt(madt, "APIC");
	struct madt_count c = { 0 };
	uint64_t p = madt + 44, end = madt + len;

	CHECK_EQ(rd(madt + 36, 4), LAYOUT_LAPIC);
	CHECK_EQ(rd(madt + 40, 4) & 1, 1);		/* PCAT_COMPAT */
	while (p + 2 <= end) {
		uint8_t type = rd(p, 1), elen = rd(p + 1, 1);

		CHECK(elen >= 2 && p + elen <= end);
		if (elen < 2)
			break;
		switch (type) {
		case 0:
			CHECK_EQ(elen, 8);
			CHECK_EQ(rd(p + 3, 1), c.lapic);	/* APIC id = cpu index */
			CHECK_EQ(rd(p + 4, 4) & 1, 1);		/* enabled */
			c.lapic++;
			break;
		case 1:
			CHECK_EQ(elen, 12);
			CHECK_EQ(rd(p + 2, 1), ncpus);
			CHECK_EQ(rd(p + 4, 4), LAYOUT_IOAPIC);
			CHECK_EQ(rd(p + 8, 4), 0);
			c.ioapic++;
			break;
		case 2:
			CHECK_EQ(elen, 10);
			CHECK_EQ(rd(p + 2, 1), 0);		/* ISA */
			if (rd(p + 3, 1) == 0) {
				CHECK_EQ(rd(p + 4, 4), 2);
			} else {
				CHECK_EQ(rd(p + 3, 1), 9);
				CHECK_EQ(rd(p + 4, 4), 9);
				CHECK_EQ(rd(p + 8, 2), 0x000d);	/* active high, level */
			}
			c.iso++;
			break;
		case 4:
			CHECK_EQ(elen, 6);
			CHECK_EQ(rd(p + 5, 1), 1);		/* LINT1 */
			c.nmi++;
			break;
		default:
			CHECK(!"unexpected MADT entry type");
		}
		p += elen;
	}
	CHECK_EQ(p, end);
	return c;
}

static void check_fadt(uint64_t fadt)
{
	uint32_t len = check_sdt(fadt, "FACP");
	uint64_t dsdt = rd(fadt + 40, 4), facs = rd(fadt + 36, 4);
	static const uint8_t s5[] = {
		0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04,
		0x0a, ACPI_S5_SLP_TYP, 0x0a, ACPI_S5_SLP_TYP, 0x00, 0x00,
	};

	CHECK_EQ(len, 268);
	CHECK(rd(fadt + 8, 1) >= 3);			/* revision */
	CHECK_EQ(rd(fadt + 46, 2), 9);			/* SCI_INT */
	CHECK_EQ(rd(fadt + 48, 4), 0);			/* SMI_CMD: ACPI already on */
	CHECK_EQ(rd(fadt + 56, 4), LAYOUT_PM1A_EVT);
	CHECK_EQ(rd(fadt + 64, 4), LAYOUT_PM1A_CNT);
	CHECK_EQ(rd(fadt + 88, 1), 4);			/* PM1_EVT_LEN */
	CHECK_EQ(rd(fadt + 89, 1), 2);			/* PM1_CNT_LEN */
	CHECK_EQ(rd(fadt + 109, 2), 3);			/* IAPC_BOOT_ARCH: LEGACY|8042 */
	CHECK_EQ(rd(fadt + 140, 8), dsdt);		/* X_DSDT */
	CHECK_EQ(rd(fadt + 132, 8), 0);			/* X_FIRMWARE_CTRL: FACS once */
	CHECK_EQ(rd(fadt + 148 + 4, 8), LAYOUT_PM1A_EVT);	/* X_PM1a_EVT_BLK.addr */
	CHECK_EQ(rd(fadt + 148 + 1, 1), 32);
	CHECK_EQ(rd(fadt + 172 + 4, 8), LAYOUT_PM1A_CNT);	/* X_PM1a_CNT_BLK.addr */
	CHECK_EQ(rd(fadt + 172 + 1, 1), 16);

	CHECK(sig_at(facs, "FACS"));
	CHECK_EQ(rd(facs + 4, 4), 64);
	CHECK_EQ(facs % 64, 0);
	CHECK(in_tables(facs, 64));

	/*
	 * Then the pvpanic device: Scope (\_SB) { Device (PEVT) { Name (_HID,
	 * "QEMU0001") Name (_CRS, ResourceTemplate () { IO (Decode16, 0x505,
	 * 0x505, 1, 1) }) } }, as iasl -d reads it back.
	 */
	static const uint8_t pvpanic[] = {
		0x10, 0x2f, '\\', '_', 'S', 'B', '_',
		0x5b, 0x82, 0x27, 'P', 'E', 'V', 'T',
		0x08, '_', 'H', 'I', 'D', 0x0d, 'Q', 'E', 'M', 'U', '0', '0', '0', '1', 0x00,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x0d, 0x0a, 0x0a,
		0x47, 0x01, 0x05, 0x05, 0x05, 0x05, 0x01, 0x01, 0x79, 0x00,
	};

	len = check_sdt(dsdt, "DSDT");
	CHECK_EQ(len, 36 + sizeof(s5) + sizeof(pvpanic));
	CHECK(!memcmp(gmem_ptr(&mem, dsdt + 36, sizeof(s5)), s5, sizeof(s5)));
	CHECK(!memcmp(gmem_ptr(&mem, dsdt + 36 + sizeof(s5), sizeof(pvpanic)), pvpanic,
		      sizeof(pvpanic)));
	if (getenv("DSDT_OUT")) {	/* for iasl -d: DSDT_OUT=dsdt.dat build/tests/test_platform */
		FILE *f = fopen(getenv("DSDT_OUT"), "wb");

		if (f) {
			fwrite(gmem_ptr(&mem, dsdt, len), 1, len, f);
			fclose(f);
		}
	}
}

static void check_acpi(uint64_t rsdp, int ncpus)
{
	uint64_t rsdt, xsdt;
	uint32_t rlen, xlen;
	int fadt_seen = 0, madt_seen = 0;

	CHECK_EQ(rsdp, scan(0xe0000, 0x100000, "RSD PTR "));
	CHECK(rsdp % 16 == 0 && in_tables(rsdp, 36));
	CHECK_EQ(sum(rsdp, 20), 0);
	CHECK_EQ(sum(rsdp, 36), 0);
	CHECK_EQ(rd(rsdp + 15, 1), 2);		/* revision */
	CHECK_EQ(rd(rsdp + 20, 4), 36);
	rsdt = rd(rsdp + 16, 4);
	xsdt = rd(rsdp + 24, 8);
	rlen = check_sdt(rsdt, "RSDT");
	xlen = check_sdt(xsdt, "XSDT");
	CHECK_EQ((rlen - 36) / 4, (xlen - 36) / 8);
	for (uint32_t i = 0; 36 + 4 * i < rlen; i++) {
		uint64_t t = rd(rsdt + 36 + 4 * i, 4);

		CHECK_EQ(t, rd(xsdt + 36 + 8 * i, 8));
		if (sig_at(t, "FACP")) {
			check_fadt(t);
			fadt_seen++;
		} else if (sig_at(t, "APIC")) {
			struct madt_count c = check_madt(t, ncpus);

			CHECK_EQ(c.lapic, ncpus);
			CHECK_EQ(c.ioapic, 1);
			CHECK_EQ(c.iso, 2);
			CHECK_EQ(c.nmi, 1);
			madt_seen++;
		} else {
			CHECK(!"unexpected table in RSDT");
		}
	}
	CHECK_EQ(fadt_seen, 1);
	CHECK_EQ(madt_seen, 1);
}

/* ---- MP table ---- */

static void check_mp(int ncpus)
{
	uint64_t fps = scan(0xf0000, 0x100000, "_MP_"), conf, p, end;
	int cpus = 0, bsp = 0, buses = 0, ioapics = 0, ioints = 0, lints = 0;
	uint16_t count;
	bool pin_used[24] = { 0 };

	CHECK(fps != 0);
	CHECK_EQ(sum(fps, 16), 0);
	CHECK_EQ(rd(fps + 8, 1), 1);
	CHECK_EQ(rd(fps + 9, 1), 4);
	CHECK_EQ(rd(fps + 11, 1), 0);		/* feature 1: a table is present */
	conf = rd(fps + 4, 4);
	CHECK(sig_at(conf, "PCMP"));
	end = conf + rd(conf + 4, 2);
	CHECK(in_tables(conf, end - conf));
	CHECK_EQ(sum(conf, end - conf), 0);
	CHECK_EQ(rd(conf + 36, 4), LAYOUT_LAPIC);
	count = rd(conf + 34, 2);
	p = conf + 44;
	for (int i = 0; i < count && p < end; i++) {
		switch (rd(p, 1)) {
		case 0:
			CHECK_EQ(rd(p + 1, 1), cpus);
			CHECK(rd(p + 3, 1) & 1);
			bsp += !!(rd(p + 3, 1) & 2);
			if (rd(p + 3, 1) & 2)
				CHECK_EQ(cpus, 0);
			cpus++;
			p += 20;
			break;
		case 1:
			CHECK(sig_at(p + 2, "ISA   "));
			buses++;
			p += 8;
			break;
		case 2:
			CHECK_EQ(rd(p + 1, 1), ncpus);
			CHECK_EQ(rd(p + 2, 1), 0x11);
			CHECK_EQ(rd(p + 3, 1) & 1, 1);
			CHECK_EQ(rd(p + 4, 4), LAYOUT_IOAPIC);
			ioapics++;
			p += 8;
			break;
		case 3: {
			uint8_t irq = rd(p + 5, 1), pin = rd(p + 7, 1);

			CHECK_EQ(rd(p + 6, 1), ncpus);
			CHECK(irq != 2 && irq < 16);
			CHECK_EQ(pin, irq == 0 ? 2 : irq);
			CHECK(pin < 24 && !pin_used[pin]);
			if (pin < 24)
				pin_used[pin] = true;
			ioints++;
			p += 8;
			break;
		}
		case 4:
			CHECK_EQ(rd(p + 1, 1), lints == 0 ? 3 : 1);	/* ExtINT, then NMI */
			CHECK_EQ(rd(p + 7, 1), lints);			/* LINT0, LINT1 */
			lints++;
			p += 8;
			break;
		default:
			CHECK(!"unexpected MP entry");
			p = end;
		}
	}
	CHECK_EQ(p, end);
	CHECK_EQ(cpus, ncpus);
	CHECK_EQ(bsp, 1);
	CHECK_EQ(buses, 1);
	CHECK_EQ(ioapics, 1);
	CHECK_EQ(ioints, 15);
	CHECK_EQ(lints, 2);
}

static void tables_for(int ncpus)
{
	uint64_t rsdp = 0;

	setup(64 * MiB);
	memset(ram + LAYOUT_TABLES, 0xee, LAYOUT_TABLES_END - LAYOUT_TABLES);
	memset(ram + LAYOUT_TABLES - 16, 0x5a, 16);
	memset(ram + LAYOUT_TABLES_END, 0x5a, 16);
	CHECK_EQ(platform_tables_write(&mem, ncpus, &rsdp), 0);
	check_acpi(rsdp, ncpus);
	check_mp(ncpus);
	/* Nothing written outside [LAYOUT_TABLES, LAYOUT_TABLES_END). */
	for (int i = 0; i < 16; i++) {
		CHECK_EQ(ram[LAYOUT_TABLES - 16 + i], 0x5a);
		CHECK_EQ(ram[LAYOUT_TABLES_END + i], 0x5a);
	}
}

/*
 * KVM's GSI routes wire each ISA IRQ to the IOAPIC pin the MP table gives it (and the
 * MADT's override for IRQ 0), and to its 8259 pin; KVM's own default put the PIT's
 * GSI 0 on IOAPIC pin 0, where Linux, following the tables to pin 2, never got a
 * tick (e2e/linux_tiny: jiffies stood still).
 */
TEST(gsi_routes_follow_tables)
{
	struct kvm_irq_routing_entry e[PLATFORM_GSI_ROUTES + 4];
	int n = platform_gsi_routes(e, PLATFORM_GSI_ROUTES + 4), ioapic[PLATFORM_IOAPIC_PINS];
	int pic[16] = { 0 }, io_of_gsi[PLATFORM_IOAPIC_PINS];
	uint64_t rsdp = 0, conf, p, end;
	int ints = 0;

	CHECK_EQ(n, PLATFORM_GSI_ROUTES);
	for (int i = 0; i < PLATFORM_IOAPIC_PINS; i++)
		ioapic[i] = 0, io_of_gsi[i] = -1;
	for (int i = 0; i < n; i++) {
		unsigned chip = e[i].u.irqchip.irqchip, pin = e[i].u.irqchip.pin;

		CHECK_EQ(e[i].type, KVM_IRQ_ROUTING_IRQCHIP);
		CHECK(e[i].gsi < PLATFORM_IOAPIC_PINS && e[i].gsi != 2);
		if (chip == KVM_IRQCHIP_IOAPIC) {
			CHECK(pin < PLATFORM_IOAPIC_PINS);
			if (pin < PLATFORM_IOAPIC_PINS && e[i].gsi < PLATFORM_IOAPIC_PINS)
				ioapic[pin]++, io_of_gsi[e[i].gsi] = pin;
		} else {
			CHECK(e[i].gsi < 16);
			CHECK_EQ(chip, e[i].gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE);
			CHECK_EQ(pin, e[i].gsi % 8);
			if (e[i].gsi < 16)
				pic[e[i].gsi]++;
		}
	}
	CHECK_EQ(io_of_gsi[0], 2);		/* the PIT */
	CHECK_EQ(ioapic[0], 0);			/* ExtINT's pin: nothing routed there */
	for (int i = 1; i < PLATFORM_IOAPIC_PINS; i++)
		CHECK_EQ(ioapic[i], 1);		/* one GSI per pin */
	for (int i = 0; i < 16; i++)
		CHECK_EQ(pic[i], i != 2);

	/* the same wiring as the MP table's I/O interrupt entries */
	setup(64 * MiB);
	CHECK_EQ(platform_tables_write(&mem, 2, &rsdp), 0);
	for (p = LAYOUT_TABLES; p < LAYOUT_TABLES_END && !sig_at(p, "_MP_"); p += 16)
		;
	CHECK(p < LAYOUT_TABLES_END);
	conf = rd(p + 4, 4);
	end = conf + rd(conf + 4, 2);
	for (p = conf + 44; p < end; p += rd(p, 1) == 0 ? 20 : 8) {
		if (rd(p, 1) != 3)
			continue;
		CHECK_EQ(io_of_gsi[rd(p + 5, 1)], rd(p + 7, 1));
		ints++;
	}
	CHECK_EQ(ints, 15);
	/* a short array is filled, not overrun */
	memset(e, 0x5a, sizeof(e));
	CHECK_EQ(platform_gsi_routes(e, 3), 3);
	CHECK_EQ(((uint8_t *)&e[3])[0], 0x5a);
}

TEST(tables_1cpu) { tables_for(1); }
TEST(tables_4cpus) { tables_for(4); }
TEST(tables_254cpus) { tables_for(254); }

TEST(tables_bad_args)
{
	uint64_t rsdp;

	setup(64 * MiB);
	CHECK_EQ(platform_tables_write(&mem, 0, &rsdp), -EINVAL);
	CHECK_EQ(platform_tables_write(&mem, 255, &rsdp), -EINVAL);
	setup(0xf0000);		/* RAM ends inside the table area */
	CHECK_EQ(platform_tables_write(&mem, 1, &rsdp), -EFAULT);
}

/* ---- boot GDT and page tables ---- */

/* A 4-level walk as the MMU does it; false if not present or not writable. */
static bool walk(uint64_t cr3, uint64_t va, uint64_t *pa, int *level)
{
	uint64_t table = cr3 & ~0xfffULL;

	for (int lvl = 4; lvl >= 1; lvl--) {
		unsigned idx = (va >> (12 + 9 * (lvl - 1))) & 511;
		uint64_t e = rd(table + idx * 8, 8);

		if (!(e & 1) || !(e & 2))
			return false;
		if (lvl == 3 && (e & 0x80))
			return false;		/* we never build 1 GiB pages */
		if (lvl == 2 && (e & 0x80)) {
			*pa = (e & 0x000fffffffe00000ULL) | (va & 0x1fffff);
			*level = 2;
			return true;
		}
		if (lvl == 1) {
			*pa = (e & 0x000ffffffffff000ULL) | (va & 0xfff);
			*level = 1;
			return true;
		}
		table = e & 0x000ffffffffff000ULL;
		CHECK(table >= LAYOUT_PGTABLE && table < 0x10000);
	}
	return false;
}

TEST(long_mode_tables)
{
	static const struct { uint64_t va, pa; } ok[] = {
		{ 0, 0 },
		{ 0x1234567, 0x1234567 },
		{ 0xfee00000, 0xfee00000 },		/* MMIO: identity too */
		{ 0xffffffff, 0xffffffff },
		{ 0xffffffff80000000ULL, 0 },
		{ 0xffffffff80101234ULL, 0x101234 },
		{ 0xffffffffc0000000ULL, 0x40000000 },
		{ 0xffffffffffffffffULL, 0x7fffffff },
	};
	static const uint64_t bad[] = {
		0x100000000ULL, 0x7fffffffffffULL, 0xffff800000000000ULL, 0xffffffff7fffffffULL,
	};
	struct boot_state bs = { 0 };
	uint64_t pa;
	int level;

	setup(16 * MiB);
	memset(ram + LAYOUT_PGTABLE, 0xff, 0x7000);	/* stale bytes must be cleared */
	CHECK_EQ(x86_write_long_mode_tables(&mem, &bs), 0);
	CHECK_EQ(bs.cr3, LAYOUT_PGTABLE);
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		pa = ~0ULL;
		CHECK(walk(bs.cr3, ok[i].va, &pa, &level));
		CHECK_EQ(pa, ok[i].pa);
		CHECK_EQ(level, 2);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(!walk(bs.cr3, bad[i], &pa, &level));
	CHECK_EQ(bs.gdt_base, LAYOUT_BOOT_GDT);
	CHECK_EQ(bs.gdt_limit, BOOT_GDT_ENTRIES * 8 - 1);

	setup(0x8000);		/* no room for the tables */
	CHECK_EQ(x86_write_long_mode_tables(&mem, &bs), -EFAULT);
}

/* Decode a descriptor: base, limit (in bytes, after G), and the flag nibble. */
static void check_desc(uint16_t sel, uint8_t access, uint8_t flags)
{
	uint64_t d = rd(LAYOUT_BOOT_GDT + sel, 8);
	uint64_t base = ((d >> 16) & 0xffffff) | ((d >> 56) << 24);
	uint64_t limit = (d & 0xffff) | (((d >> 48) & 0xf) << 16);

	CHECK_EQ(base, 0);
	CHECK_EQ(limit, 0xfffff);
	CHECK_EQ((d >> 40) & 0xff, access);
	CHECK_EQ((d >> 52) & 0xf, flags);
}

TEST(boot_gdt)
{
	struct boot_state bs = { 0 };

	setup(1 * MiB);
	CHECK_EQ(x86_write_boot_gdt(&mem, &bs), 0);
	CHECK_EQ(bs.gdt_base, LAYOUT_BOOT_GDT);
	CHECK_EQ(bs.gdt_limit, 31);
	CHECK_EQ(bs.cr3, 0);
	CHECK_EQ(rd(LAYOUT_BOOT_GDT, 8), 0);
	check_desc(BOOT_SEL_CODE32, 0x9b, 0xc);		/* P, code r/x, accessed; G, D */
	check_desc(BOOT_SEL_CODE64, 0x9b, 0xa);		/* G, L */
	check_desc(BOOT_SEL_DATA, 0x93, 0xc);		/* P, data r/w, accessed; G, B */
}

TEST_MAIN()
