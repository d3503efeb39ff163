/*
 * test.h -- a tiny unit-test harness.  Each test file defines TEST(name)
 * functions and ends with TEST_MAIN(); the runner prints one line per failed
 * check and a closing "N passed, N failed" line; the exit status is non-zero
 * if anything failed.
 *
 *   TEST(parse_size) { CHECK(parse_size("1M", &v) == 0); CHECK_EQ(v, 1 << 20); }
 */
#ifndef HYVE_TEST_H
#define HYVE_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct test_case { const char *name; void (*fn)(void); };

static struct test_case test_cases[512];
static int test_ncases;
static int test_failed_checks;

#define TEST(tname) \
	static void test_##tname(void); \
	static void __attribute__((constructor)) test_reg_##tname(void) \
	{ test_cases[test_ncases].name = #tname; test_cases[test_ncases++].fn = test_##tname; } \
	static void test_##tname(void)

#define CHECK(cond) do { \
	if (!(cond)) { \
		test_failed_checks++; \
		fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} } while (0)

#define CHECK_EQ(a, b) do { \
	uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
	if (a_ != b_) { \
		test_failed_checks++; \
		fprintf(stderr, "  FAIL %s:%d: %s == %s (0x%" PRIx64 " != 0x%" PRIx64 ")\n", \
			__FILE__, __LINE__, #a, #b, a_, b_); \
	} } while (0)

#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_)) { \
		test_failed_checks++; \
		fprintf(stderr, "  FAIL %s:%d: %s == \"%s\" (got \"%s\")\n", \
			__FILE__, __LINE__, #a, b_ ? b_ : "(null)", a_ ? a_ : "(null)"); \
	} } while (0)

#define TEST_MAIN() \
	int main(void) \
	{ \
		int passed = 0, failed = 0; \
		for (int i = 0; i < test_ncases; i++) { \
			int before = test_failed_checks; \
			test_cases[i].fn(); \
			if (test_failed_checks == before) { \
				passed++; \
			} else { \
				failed++; \
				fprintf(stderr, "FAILED: %s\n", test_cases[i].name); \
			} \
		} \
		printf("%s: %d passed, %d failed\n", __FILE__, passed, failed); \
		return failed ? 1 : 0; \
	}

#endif
