/*
 * acpi.h -- just enough ACPI for the guests: find the RSDP, find a table
 * through the RSDT/XSDT, list the enabled local APICs of the MADT, and power
 * off through the FADT's PM1a control port with the DSDT's \_S5 sleep type.
 * Tables are read through the identity map (physical addresses < 4 GiB).
 */
#ifndef GUEST_ACPI_H
#define GUEST_ACPI_H

#include <stdint.h>

#define ACPI_ENOENT	(-2)	/* no RSDP / no such table */
#define ACPI_EBADSUM	(-74)	/* a structure's checksum is wrong */
#define ACPI_EINVAL	(-22)	/* malformed contents */

struct acpi_sdt {
	char sig[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

/* GPA of a valid RSDP (EBDA, then 0xe0000..0xfffff), or 0. */
uint64_t acpi_find_rsdp(void);

/*
 * The table with signature sig (e.g. "APIC") reached from the RSDP at rsdp
 * (XSDT if revision >= 2 and present, else RSDT), checksum verified.
 * Returns 0 with *out set, or ACPI_ENOENT / ACPI_EBADSUM.
 */
int acpi_find_table(uint64_t rsdp, const char *sig, const struct acpi_sdt **out);

/*
 * Enabled processors in the MADT (local APIC and x2APIC entries with the
 * enabled flag): their APIC ids go to ids[0..max-1].  Returns the count
 * (which may exceed max) or a negative ACPI_E* code.
 */
int acpi_madt_cpus(uint64_t rsdp, uint32_t *ids, int max);

/*
 * Request S5 (power off).  Uses the FADT/DSDT when they can be found, else
 * hyve's fixed values.  Returns only if the VMM ignored the request.
 */
void acpi_poweroff(void);

#endif
