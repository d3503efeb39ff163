/*
 * report.h -- how a test guest reports: a line "PASS name" or
 * "FAIL name: detail" on the debug console and COM1, then the VMM is told to
 * exit with 0 (pass) or with the failing check's own code (>= 0x20), so a
 * test script learns which check failed from the exit status alone.
 *
 * Code ranges: 0x20..0x7d checks of the tests themselves; 0x7e an unexpected
 * interrupt vector; 0x7f a guest_main that returned a code outside the checks'
 * range; 0x80 + vector an unexpected CPU exception (64-bit guests with the
 * shared IDT).
 */
#ifndef GUEST_REPORT_H
#define GUEST_REPORT_H

#define EXIT_PASS		0x00
#define EXIT_FIRST_CHECK	0x20
#define EXIT_LAST_CHECK		0x7d
#define EXIT_UNEXPECTED_IRQ	0x7e
#define EXIT_RETURNED		0x7f
#define EXIT_EXCEPTION		0x80	/* + vector */

/* The name used in PASS/FAIL lines (set once, at the start of a test). */
void report_init(const char *name);
const char *report_name(void);

__attribute__((noreturn)) void report_pass(void);
__attribute__((noreturn, format(printf, 2, 3)))
void report_fail(int code, const char *fmt, ...);

/* Fail with `code` and a formatted detail unless cond holds. */
#define CHECK(code, cond, ...) \
	do { if (!(cond)) report_fail((code), __VA_ARGS__); } while (0)

/*
 * End the VM with exit status `code`: the debug-exit port first; if the VMM
 * has none, ACPI S5 power-off; if that does nothing either, halt for good.
 */
__attribute__((noreturn)) void guest_exit(int code);

#endif
