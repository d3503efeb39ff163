/* Unit tests: configuration keys, option parsing, number parsing. */
#include <errno.h>

#include "config.h"
#include "options.h"
#include "test.h"
#include "util.h"

static int parse(char *err, size_t n, int argc, char **argv)
{
	config_reset();
	return options_parse(argc, argv, err, n);
}

TEST(sizes)
{
	uint64_t v;

	CHECK(parse_size("64M", &v) == 0); CHECK_EQ(v, 64ULL << 20);
	CHECK(parse_size("2G", &v) == 0); CHECK_EQ(v, 2ULL << 30);
	CHECK(parse_size("512MiB", &v) == 0); CHECK_EQ(v, 512ULL << 20);
	CHECK(parse_size("4096", &v) == 0); CHECK_EQ(v, 4096);
	CHECK(parse_size("0x1000", &v) == 0); CHECK_EQ(v, 4096);
	CHECK(parse_size("", &v) == -EINVAL);
	CHECK(parse_size("-1M", &v) == -EINVAL);
	CHECK(parse_size("12Q", &v) == -EINVAL);
	CHECK(parse_size("99999999999999999999", &v) == -ERANGE);
	CHECK(parse_size("17179869184G", &v) == -ERANGE);
	CHECK(parse_u64("0x7c00", &v) == 0); CHECK_EQ(v, 0x7c00);
	CHECK(parse_u64("12abc", &v) == -EINVAL);
}

TEST(defaults_and_types)
{
	config_reset();
	CHECK_EQ(config_uint("cpus"), 1);
	CHECK_EQ(config_uint("memory"), 256ULL << 20);
	CHECK_STR(config_str("serial"), "stdio");
	CHECK_STR(config_str("gdb.address"), "127.0.0.1");
	CHECK(!config_bool("gdb.wait"));
	CHECK(config_str("kernel") == NULL);
	CHECK(config_set("cpus", "64") == 0);
	CHECK(config_set("cpus", "65") == -ERANGE);
	CHECK(config_set("cpus", "0") == -ERANGE);
	CHECK(config_set("cpus", "two") == -EINVAL);
	CHECK(config_set("nosuch.key", "1") == -ENOENT);
	CHECK(config_set("gdb.wait", "maybe") == -EINVAL);
	CHECK(config_set("gdb.wait", "yes") == 0);
	CHECK(config_bool("gdb.wait"));
	CHECK(config_set("serial", "file:/tmp/x") == 0);
	CHECK(config_set("serial", "file:") == -EINVAL);
	CHECK(config_set("serial", "tty") == -EINVAL);
	CHECK(config_set("boot.format", "raw") == 0);
	CHECK(config_set("boot.format", "coff") == -EINVAL);
	CHECK(config_set_kv("memory=1G") == 0);
	CHECK_EQ(config_uint("memory"), 1ULL << 30);
	CHECK(config_set_kv("memory") == -EINVAL);
	CHECK(config_set_kv("=1") == -EINVAL);
}

TEST(options)
{
	char err[256];
	char *a1[] = { "hyve", "-c", "4", "-m", "128M", "--kernel", "k.elf",
		       "--append", "console=ttyS0 x=1", "-o", "gdb.wait=true", NULL };
	char *a2[] = { "hyve", "-c", "65", NULL };
	char *a3[] = { "hyve", "--bogus", NULL };
	char *a4[] = { "hyve", "-m", NULL };
	char *a5[] = { "hyve", "-o", "nope=1", NULL };
	char *a6[] = { "hyve", "stray", NULL };

	CHECK(parse(err, sizeof(err), 11, a1) == 0);
	CHECK_EQ(config_uint("cpus"), 4);
	CHECK_EQ(config_uint("memory"), 128ULL << 20);
	CHECK_STR(config_str("kernel"), "k.elf");
	CHECK_STR(config_str("append"), "console=ttyS0 x=1");
	CHECK(config_bool("gdb.wait"));
	CHECK(parse(err, sizeof(err), 3, a2) == -EINVAL);
	CHECK(strstr(err, "-c") != NULL);
	CHECK(parse(err, sizeof(err), 2, a3) == -EINVAL);
	CHECK(strstr(err, "--bogus") != NULL);
	CHECK(parse(err, sizeof(err), 2, a4) == -EINVAL);
	CHECK(strstr(err, "needs a value") != NULL);
	CHECK(parse(err, sizeof(err), 3, a5) == -EINVAL);
	CHECK(strstr(err, "unknown key") != NULL);
	CHECK(parse(err, sizeof(err), 2, a6) == -EINVAL);
}

TEST(gdb_option)
{
	config_reset();
	CHECK(options_parse_gdb("1234") == 0);
	CHECK_EQ(config_uint("gdb.port"), 1234);
	CHECK_STR(config_str("gdb.address"), "127.0.0.1");
	CHECK(!config_bool("gdb.wait"));
	config_reset();
	CHECK(options_parse_gdb("w0.0.0.0:4321") == 0);
	CHECK(config_bool("gdb.wait"));
	CHECK_STR(config_str("gdb.address"), "0.0.0.0");
	CHECK_EQ(config_uint("gdb.port"), 4321);
	config_reset();
	CHECK(options_parse_gdb("w[::1]:1235") == 0);
	CHECK_STR(config_str("gdb.address"), "::1");
	CHECK_EQ(config_uint("gdb.port"), 1235);
	config_reset();
	CHECK(options_parse_gdb("unix:/tmp/hyve.sock") == 0);
	CHECK_STR(config_str("gdb.unix"), "/tmp/hyve.sock");
	CHECK_EQ(options_parse_gdb("70000"), -ERANGE);	/* a port, too big: said so */
	CHECK_EQ(options_parse_gdb("abc"), -EINVAL);
	CHECK(options_parse_gdb("host:") != 0);
	CHECK(options_parse_gdb(":12") != 0);
	CHECK(options_parse_gdb("[::1]1234") != 0);
	CHECK(options_parse_gdb("") != 0);
	CHECK(options_parse_gdb("unix:") != 0);
}

/* Messages name what is wrong: a port out of range, the values a key takes. */
TEST(option_messages)
{
	char err[256];
	char *a1[] = { "hyve", "-G", "70000", NULL };
	char *a2[] = { "hyve", "-o", "raw.mode=weird", NULL };
	char *a3[] = { "hyve", "-o", "serial=tty", NULL };
	char *a4[] = { "hyve", "-G", "lots", NULL };

	CHECK(parse(err, sizeof(err), 3, a1) == -EINVAL);
	CHECK_STR(err, "-G: port out of range in '70000' (0..65535)");
	CHECK(parse(err, sizeof(err), 3, a2) == -EINVAL);
	CHECK_STR(err, "-o: invalid value in 'raw.mode=weird' (one of: real16, prot32, long64)");
	CHECK(parse(err, sizeof(err), 3, a3) == -EINVAL);
	CHECK_STR(err, "-o: invalid value in 'serial=tty' (one of: stdio, none, file:PATH)");
	CHECK(parse(err, sizeof(err), 3, a4) == -EINVAL);
	CHECK(strstr(err, "invalid debug server address 'lots'") != NULL);
	CHECK_STR(config_choices("raw.mode"), "real16|prot32|long64");
	CHECK(config_choices("cpus") == NULL);
	CHECK(config_choices("no.such") == NULL);
	config_reset();
}

TEST_MAIN()
