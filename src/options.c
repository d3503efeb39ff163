/* options.c -- command-line parsing; options only set configuration keys. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "options.h"
#include "util.h"

static const char usage_text[] =
	"usage: hyve [-c CPUS] [-m MEM] [--kernel FILE] [--initrd FILE] [--append CMDLINE]\n"
	"            [--bios FILE] [--serial stdio|file:PATH|none] [--debugcon stdio|file:PATH]\n"
	"            [--disk FILE] [-G [w][ADDRESS:]PORT | -G [w]unix:PATH] [-o KEY=VALUE]...\n"
	"\n"
	"  -c, --cpus N          vCPUs (1..64)                       key cpus\n"
	"  -m, --memory SIZE     guest RAM, e.g. 256M, 2G            key memory\n"
	"  -k, --kernel FILE     multiboot, PVH ELF, bzImage, ELF64 or raw image\n"
	"  -i, --initrd FILE     initial ramdisk                     key initrd\n"
	"  -a, --append CMDLINE  kernel command line                 key append\n"
	"  -b, --bios FILE       firmware (e.g. /usr/share/seabios/bios.bin)\n"
	"  -s, --serial DEST     COM1 console                        key serial\n"
	"  -d, --debugcon DEST   port 0x402 debug console            key debugcon\n"
	"  -D, --disk FILE       virtio-mmio block device image      key disk\n"
	"  -G [w][ADDR:]PORT     GDB debug server (w: wait for the debugger)\n"
	"  -o KEY=VALUE          set any configuration key (see below)\n"
	"  -h, --help            this text;  -V, --version\n"
	"      --probe           what this host's KVM does (debug facilities, hypercalls), then exit\n"
	"\nconfiguration keys:\n";

static void usage(FILE *f)
{
	int n;
	const struct config_key *k = config_keys(&n);

	fputs(usage_text, f);
	for (int i = 0; i < n; i++)
		fprintf(f, "  %-14s %s%s%s%s\n", k[i].key, k[i].help,
			k[i].def && *k[i].def ? " [" : "", k[i].def ? k[i].def : "",
			k[i].def && *k[i].def ? "]" : "");
	fputs("\nexit status: 0 guest power-off, 1 hyve error, 2 guest reset, 3 triple fault,\n"
	      "4 internal/unexpected exit, 5 guest kernel panic (pvpanic),\n"
	      "N the byte a guest wrote to the debug-exit port 0xf4.\n"
	      "See hyve(1).\n", f);
}

int options_parse_gdb(const char *arg)
{
	char buf[256];
	const char *port;
	char *addr = NULL;
	int r;

	if (strlen(arg) >= sizeof(buf))
		return -EINVAL;
	if (*arg == 'w') {
		r = config_set("gdb.wait", "true");
		if (r)
			return r;
		arg++;
	}
	if (!strncmp(arg, "unix:", 5)) {
		if (!arg[5])
			return -EINVAL;
		return config_set("gdb.unix", arg + 5);
	}
	strcpy(buf, arg);
	if (buf[0] == '[') {			/* [v6addr]:port */
		char *close_br = strchr(buf, ']');

		if (!close_br || close_br[1] != ':' || close_br == buf + 1)
			return -EINVAL;
		*close_br = 0;
		addr = buf + 1;
		port = close_br + 2;
	} else {
		char *colon = strrchr(buf, ':');

		if (colon) {
			*colon = 0;
			addr = buf;
			port = colon + 1;
			if (!*addr)
				return -EINVAL;
		} else {
			port = buf;
		}
	}
	if (!*port)
		return -EINVAL;
	r = config_set("gdb.port", port);
	if (r)
		return r;
	if (addr)
		r = config_set("gdb.address", addr);
	return r;
}

static int set_opt(const char *key, const char *val, const char *opt, char *err, size_t errlen)
{
	int r = config_set(key, val);

	if (r == -ERANGE && !strcmp(key, "cpus"))
		snprintf(err, errlen, "%s: %s vCPUs is out of range (1..64)", opt, val);
	else if (r == -ERANGE && !strcmp(key, "memory"))
		snprintf(err, errlen, "%s: memory size '%s' is out of range (64K..1T)", opt, val);
	else if (r == -ERANGE)
		snprintf(err, errlen, "%s: value '%s' is out of range", opt, val);
	else if (r)
		snprintf(err, errlen, "%s: invalid value '%s'", opt, val);
	return r ? -EINVAL : 0;
}

/*
 * The values a KEY=VALUE's key takes, for an error message ("real16, prot32,
 * long64"; "file:*" shown as "file:PATH").  False if the key has no list.
 */
static bool choices_of(const char *kv, char *out, size_t cap)
{
	const char *eq = strchr(kv, '='), *c;
	char key[64];
	size_t o = 0;

	if (!eq || (size_t)(eq - kv) >= sizeof(key))
		return false;
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = 0;
	c = config_choices(key);
	if (!c || !cap)
		return false;
	for (; *c && o + 6 < cap; c++) {
		if (*c == '|') {
			out[o++] = ',';
			out[o++] = ' ';
		} else if (*c == '*') {
			memcpy(out + o, "PATH", 4);
			o += 4;
		} else {
			out[o++] = *c;
		}
	}
	out[o] = 0;
	return true;
}

int options_parse(int argc, char **argv, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "bios", required_argument, NULL, 'b' },
		{ "serial", required_argument, NULL, 's' },
		{ "debugcon", required_argument, NULL, 'd' },
		{ "disk", required_argument, NULL, 'D' },
		{ "gdb", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "probe", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keyof[128] = {
		['c'] = "cpus", ['m'] = "memory", ['k'] = "kernel", ['i'] = "initrd",
		['a'] = "append", ['b'] = "bios", ['s'] = "serial", ['d'] = "debugcon",
		['D'] = "disk",
	};
	char choices[128];
	int c, r;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:m:k:i:a:b:s:d:D:G:o:hV", longopts, NULL)) != -1) {
		char opt[64];

		if (c == '?' || c == ':') {
			const char *o = argv[optind - 1];

			if (c == ':')
				snprintf(err, errlen, "option %s needs a value", o);
			else
				snprintf(err, errlen, "unknown option '%s' (try --help)", o);
			return -EINVAL;
		}
		snprintf(opt, sizeof(opt), "-%c", c);
		switch (c) {
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("hyve %s\n", HYVE_VERSION);
			return 1;
		case 'P':
			return 2;
		case 'G':
			r = options_parse_gdb(optarg);
			if (r == -ERANGE) {
				snprintf(err, errlen, "-G: port out of range in '%s' (0..65535)", optarg);
				return -EINVAL;
			}
			if (r) {
				snprintf(err, errlen, "-G: invalid debug server address '%s' "
					 "(expected [w][ADDRESS:]PORT or [w]unix:PATH)", optarg);
				return -EINVAL;
			}
			break;
		case 'o':
			r = config_set_kv(optarg);
			if (r == -ENOENT)
				snprintf(err, errlen, "-o: unknown key in '%s' (see --help)", optarg);
			else if (r == -ERANGE)
				snprintf(err, errlen, "-o: value out of range in '%s'", optarg);
			else if (r && choices_of(optarg, choices, sizeof(choices)))
				snprintf(err, errlen, "-o: invalid value in '%s' (one of: %s)", optarg,
					 choices);
			else if (r)
				snprintf(err, errlen, "-o: expected KEY=VALUE with a valid value, got '%s'",
					 optarg);
			if (r)
				return -EINVAL;
			break;
		default:
			if (c < 0 || c >= 128 || !keyof[c])
				return -EINVAL;
			r = set_opt(keyof[c], optarg, opt, err, errlen);
			if (r)
				return r;
			break;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (try --help)", argv[optind]);
		return -EINVAL;
	}
	return 0;
}
