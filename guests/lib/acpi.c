/*
 * acpi.c -- RSDP scan, table lookup, MADT walk and S5 power-off.
 */
#include "acpi.h"

#include "hw.h"
#include "io.h"
#include "string.h"

#define MADT_LAPIC		0
#define MADT_X2APIC		9
#define MADT_ENABLED		1
#define FADT_DSDT		40	/* u32 */
#define FADT_PM1A_CNT		64	/* u32 port */
#define FADT_X_DSDT		140	/* u64, ACPI 2.0+ */
#define SLP_EN			(1 << 13)

static const void *phys(uint64_t pa)
{
	return (const void *)(uintptr_t)pa;
}

static uint8_t sum8(const void *p, uint32_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint64_t scan_rsdp(uint64_t start, uint64_t len)
{
	for (uint64_t a = start; a + 20 <= start + len; a += 16) {
		const uint8_t *p = phys(a);

		if (memcmp(p, "RSD PTR ", 8) == 0 && sum8(p, 20) == 0)
			return a;
	}
	return 0;
}

uint64_t acpi_find_rsdp(void)
{
	/* The BIOS data area's EBDA segment; hyve and QEMU leave 0 or a real one. */
	uint64_t ebda = (uint64_t)*(const volatile uint16_t *)phys(0x40e) << 4;
	uint64_t r = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		r = scan_rsdp(ebda, 1024);
	if (!r)
		r = scan_rsdp(0xe0000, 0x20000);
	return r;
}

static int table_ok(uint64_t pa, const struct acpi_sdt **out)
{
	const struct acpi_sdt *t = phys(pa);

	if (!pa || pa >= (1ULL << 32) || t->length < sizeof(*t))
		return ACPI_EINVAL;
	if (sum8(t, t->length) != 0)
		return ACPI_EBADSUM;
	*out = t;
	return 0;
}

int acpi_find_table(uint64_t rsdp, const char *sig, const struct acpi_sdt **out)
{
	const uint8_t *r = phys(rsdp);
	const struct acpi_sdt *root;
	uint64_t root_pa = rd32(r + 16);
	int esize = 4, err;

	/* ACPI 2.0+: the XSDT (64-bit entries), if the extended checksum holds. */
	if (r[15] >= 2 && rd32(r + 20) >= 36 && sum8(r, 36) == 0 && rd64(r + 24)) {
		root_pa = rd64(r + 24);
		esize = 8;
	}
	err = table_ok(root_pa, &root);
	if (err)
		return err;
	if (memcmp(root->sig, esize == 8 ? "XSDT" : "RSDT", 4) != 0)
		return ACPI_EINVAL;
	for (uint32_t off = sizeof(*root); off + esize <= root->length; off += esize) {
		const uint8_t *e = (const uint8_t *)root + off;
		uint64_t pa = esize == 8 ? rd64(e) : rd32(e);
		const struct acpi_sdt *t;

		if (pa && pa < (1ULL << 32) && memcmp(((const struct acpi_sdt *)phys(pa))->sig, sig, 4) == 0) {
			err = table_ok(pa, &t);
			if (err)
				return err;
			*out = t;
			return 0;
		}
	}
	return ACPI_ENOENT;
}

int acpi_madt_cpus(uint64_t rsdp, uint32_t *ids, int max)
{
	const struct acpi_sdt *madt;
	const uint8_t *p, *end;
	int n = 0, err;

	err = acpi_find_table(rsdp, "APIC", &madt);
	if (err)
		return err;
	p = (const uint8_t *)madt + 44;	/* after header, LAPIC address, flags */
	end = (const uint8_t *)madt + madt->length;
	while (p + 2 <= end) {
		uint32_t id, flags;

		if (p[1] < 2 || p + p[1] > end)
			return ACPI_EINVAL;
		if (p[0] == MADT_LAPIC && p[1] >= 8) {
			id = p[3];
			flags = rd32(p + 4);
		} else if (p[0] == MADT_X2APIC && p[1] >= 16) {
			id = rd32(p + 4);
			flags = rd32(p + 8);
		} else {
			p += p[1];
			continue;
		}
		if (flags & MADT_ENABLED) {
			if (n < max)
				ids[n] = id;
			n++;
		}
		p += p[1];
	}
	return n;
}

/*
 * The sleep type of \_S5 from the DSDT's AML: the bytes "_S5_", PackageOp
 * (0x12), a PkgLength, NumElements, then the first element (a BytePrefix 0x0a
 * constant, or ZeroOp/OneOp).  Returns -1 if not found.
 */
static int dsdt_s5_type(const struct acpi_sdt *dsdt)
{
	const uint8_t *p = (const uint8_t *)dsdt + sizeof(*dsdt);
	const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;

	for (; p + 8 < end; p++) {
		const uint8_t *q;

		if (memcmp(p, "_S5_", 4) != 0 || p[4] != 0x12)
			continue;
		q = p + 5;
		q += (q[0] >> 6) + 1;	/* PkgLength: lead byte + 0..3 more */
		q++;			/* NumElements */
		if (q >= end)
			return -1;
		if (*q == 0x0a && q + 1 < end)
			return q[1] & 7;
		if (*q <= 1)
			return *q;
		return -1;
	}
	return -1;
}

void acpi_poweroff(void)
{
	uint16_t port = PM1A_CNT_PORT;
	int typ = ACPI_S5_SLP_TYP_HYVE;
	uint64_t rsdp = acpi_find_rsdp();
	const struct acpi_sdt *fadt, *dsdt;

	if (rsdp && acpi_find_table(rsdp, "FACP", &fadt) == 0) {
		const uint8_t *f = (const uint8_t *)fadt;
		uint64_t dsdt_pa = rd32(f + FADT_DSDT);

		if (rd32(f + FADT_PM1A_CNT))
			port = (uint16_t)rd32(f + FADT_PM1A_CNT);
		if (fadt->length >= FADT_X_DSDT + 8 && rd64(f + FADT_X_DSDT))
			dsdt_pa = rd64(f + FADT_X_DSDT);
		if (table_ok(dsdt_pa, &dsdt) == 0) {
			int t = dsdt_s5_type(dsdt);

			if (t >= 0)
				typ = t;
		}
	}
	outw(port, (uint16_t)(typ << 10 | SLP_EN));
	/* Tables or not, also try hyve's documented values. */
	outw(PM1A_CNT_PORT, (uint16_t)(ACPI_S5_SLP_TYP_HYVE << 10 | SLP_EN));
}
