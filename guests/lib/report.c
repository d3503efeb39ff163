/*
 * report.c -- PASS/FAIL lines and the way out of the VM.
 */
#include "report.h"

#include <stdarg.h>

#include "acpi.h"
#include "console.h"
#include "fmt.h"
#include "hw.h"
#include "io.h"

static const char *test_name = "guest";

void report_init(const char *name)
{
	test_name = name;
}

const char *report_name(void)
{
	return test_name;
}

void report_pass(void)
{
	gprintf("PASS %s\n", test_name);
	guest_exit(EXIT_PASS);
}

void report_fail(int code, const char *fmt, ...)
{
	char detail[200];
	va_list ap;

	/* Format first: the line then goes out in one piece under the lock. */
	va_start(ap, fmt);
	gvsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	gprintf_force("FAIL %s: %s (exit code 0x%x)\n", test_name, detail, code);
	guest_exit(code);
}

void guest_exit(int code)
{
	outb(DEBUG_EXIT_PORT, (uint8_t)code);
	/* Still here: the VMM has no debug-exit device. */
	acpi_poweroff();
	for (;;) {
		cli();
		hlt();
	}
}
