/* config.c -- the configuration tree; see config.h.  Every key lives in `keys`. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

struct key_def {
	struct config_key k;
	const char *choices;	/* CFG_STRING: "a|b|file:*" ('*' = any suffix), NULL = any */
};

#define U64MAX	0xffffffffffffffffULL

static const struct key_def keys[] = {
	{ { "cpus", CFG_UINT, "1", 1, 64, "number of vCPUs (1..64)" }, NULL },
	{ { "memory", CFG_SIZE, "256M", 64 << 10, 1ULL << 40,
	    "guest RAM size (suffixes K, M, G)" }, NULL },
	{ { "kernel", CFG_STRING, NULL, 0, 0,
	    "kernel image: multiboot, PVH ELF, bzImage, ELF64 or raw" }, NULL },
	{ { "initrd", CFG_STRING, NULL, 0, 0, "initial ramdisk" }, NULL },
	{ { "append", CFG_STRING, "", 0, 0, "kernel command line" }, NULL },
	{ { "bios", CFG_STRING, NULL, 0, 0,
	    "firmware image mapped below 4 GiB, started at the reset vector" }, NULL },
	{ { "boot.format", CFG_STRING, "auto", 0, 0,
	    "kernel format: auto, multiboot, pvh, bzimage, elf64, raw" },
	  "auto|multiboot|pvh|bzimage|elf64|raw" },
	{ { "raw.addr", CFG_UINT, "0x7c00", 0, U64MAX,
	    "raw images: guest-physical load address" }, NULL },
	{ { "raw.entry", CFG_UINT, NULL, 0, U64MAX,
	    "raw images: entry address (default: raw.addr)" }, NULL },
	{ { "raw.mode", CFG_STRING, "real16", 0, 0,
	    "raw images: real16, prot32 or long64" }, "real16|prot32|long64" },
	{ { "serial", CFG_STRING, "stdio", 0, 0,
	    "COM1 console: stdio, file:PATH or none" }, "stdio|none|file:*" },
	{ { "debugcon", CFG_STRING, NULL, 0, 0,
	    "debug console on port 0x402: stdio or file:PATH" }, "stdio|file:*" },
	{ { "disk", CFG_STRING, NULL, 0, 0,
	    "raw disk image for the virtio-mmio block device" }, NULL },
	{ { "disk.readonly", CFG_BOOL, "false", 0, 0,
	    "open the disk image read-only" }, NULL },
	{ { "gdb.port", CFG_UINT, NULL, 0, 65535,
	    "debug server TCP port (unset: no debug server)" }, NULL },
	{ { "gdb.address", CFG_STRING, "127.0.0.1", 0, 0,
	    "debug server address (IPv4 or IPv6)" }, NULL },
	{ { "gdb.unix", CFG_STRING, NULL, 0, 0,
	    "debug server Unix socket path (instead of TCP)" }, NULL },
	{ { "gdb.wait", CFG_BOOL, "false", 0, 0,
	    "hold the guest before its first instruction until a debugger continues" }, NULL },
	{ { "snapshot.load", CFG_STRING, NULL, 0, 0,
	    "start the machine from this snapshot file (monitor savevm NAME FILE)" }, NULL },
	{ { "history.record", CFG_BOOL, "true", 0, 0,
	    "while a debugger is attached, record the machine at each resume (reverse execution)" },
	  NULL },
	{ { "history.limit", CFG_SIZE, "512M", 0, 1ULL << 40,
	    "RAM copies the history keeps at most (the oldest entries go first)" }, NULL },
	{ { "cpu.pin", CFG_BOOL, "true", 0, 0,
	    "with more host CPUs than vCPUs, keep the event thread on a CPU of its own" },
	  NULL },
	{ { "log.debug", CFG_BOOL, "false", 0, 0, "verbose debug messages" }, NULL },
};

#define NKEYS ARRAY_SIZE(keys)

static char *values[NKEYS];	/* set values; start-up only, single-threaded */

static int find(const char *key)
{
	for (unsigned i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].k.key, key))
			return (int)i;
	return -1;
}

static bool in_choices(const char *choices, const char *v)
{
	const char *p = choices;

	while (*p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (n && p[n - 1] == '*') {
			if (!strncmp(v, p, n - 1) && v[n - 1])
				return true;
		} else if (strlen(v) == n && !strncmp(v, p, n)) {
			return true;
		}
		if (!bar)
			break;
		p = bar + 1;
	}
	return false;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const t[] = { "1", "true", "yes", "on" };
	static const char *const f[] = { "0", "false", "no", "off" };

	for (unsigned i = 0; i < ARRAY_SIZE(t); i++) {
		if (!strcmp(v, t[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(v, f[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int validate(const struct key_def *d, const char *v)
{
	uint64_t n;
	bool b;
	int r;

	switch (d->k.type) {
	case CFG_STRING:
		if (d->choices && !in_choices(d->choices, v))
			return -EINVAL;
		return 0;
	case CFG_BOOL:
		return parse_bool(v, &b);
	case CFG_UINT:
	case CFG_SIZE:
		r = d->k.type == CFG_UINT ? parse_u64(v, &n) : parse_size(v, &n);
		if (r)
			return r;
		return n < d->k.min || n > d->k.max ? -ERANGE : 0;
	}
	return -EINVAL;
}

int config_set(const char *key, const char *value)
{
	int i = find(key);
	char *copy;
	int r;

	if (i < 0)
		return -ENOENT;
	r = validate(&keys[i], value);
	if (r)
		return r;
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(values[i]);
	values[i] = copy;
	return 0;
}

int config_set_kv(const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[64];

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key))
		return -EINVAL;
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = 0;
	return config_set(key, eq + 1);
}

const char *config_choices(const char *key)
{
	int i = find(key);

	return i < 0 ? NULL : keys[i].choices;
}

void config_reset(void)
{
	for (unsigned i = 0; i < NKEYS; i++) {
		free(values[i]);
		values[i] = NULL;
	}
}

static const char *raw_value(const char *key, const struct key_def **d)
{
	int i = find(key);

	assert(i >= 0 && "unknown config key");
	*d = &keys[i];
	return values[i] ? values[i] : keys[i].k.def;
}

const char *config_str(const char *key)
{
	const struct key_def *d;

	return raw_value(key, &d);
}

uint64_t config_uint(const char *key)
{
	const struct key_def *d;
	const char *v = raw_value(key, &d);
	uint64_t n = 0;

	assert(d->k.type == CFG_UINT || d->k.type == CFG_SIZE);
	if (!v)
		return 0;
	if (d->k.type == CFG_UINT)
		parse_u64(v, &n);
	else
		parse_size(v, &n);
	return n;
}

bool config_bool(const char *key)
{
	const struct key_def *d;
	const char *v = raw_value(key, &d);
	bool b = false;

	assert(d->k.type == CFG_BOOL);
	if (v)
		parse_bool(v, &b);
	return b;
}

bool config_is_set(const char *key)
{
	int i = find(key);

	assert(i >= 0 && "unknown config key");
	return values[i] != NULL;
}

const struct config_key *config_keys(int *n)
{
	static struct config_key out[NKEYS];

	for (unsigned i = 0; i < NKEYS; i++)
		out[i] = keys[i].k;
	*n = (int)NKEYS;
	return out;
}

void config_dump(FILE *f)
{
	for (unsigned i = 0; i < NKEYS; i++) {
		const char *v = values[i] ? values[i] : keys[i].k.def;

		fprintf(f, "%s=%s\n", keys[i].k.key, v ? v : "");
	}
}
