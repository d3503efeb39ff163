/*
 * config.h -- the configuration tree: dot-named keys with typed getters and
 * defaults (bhyve style).  Command-line options only set keys; `-o key=value`
 * sets any key.  Every key is listed in config.c's table (and in hyve.1).
 */
#ifndef HYVE_CONFIG_H
#define HYVE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum config_type { CFG_STRING, CFG_UINT, CFG_SIZE, CFG_BOOL };

struct config_key {
	const char *key;
	enum config_type type;
	const char *def;	/* default as text, NULL = unset */
	uint64_t min, max;	/* CFG_UINT / CFG_SIZE bounds (inclusive) */
	const char *help;
};

/*
 * Set a key.  0, -ENOENT (unknown key), -EINVAL (value not of the key's type),
 * -ERANGE (out of bounds).  The value is copied.
 */
int config_set(const char *key, const char *value);
/* "key=value" form of config_set; -EINVAL if there is no '='. */
int config_set_kv(const char *kv);
/* Forget every value set (tests). */
void config_reset(void);
/* A string key's allowed values ("a|b|file:*", '*': any suffix); NULL: any, or no such key. */
const char *config_choices(const char *key);

/* Getters return the set value or the default.  Unknown keys are a bug (assert). */
const char *config_str(const char *key);	/* NULL if unset with no default */
uint64_t config_uint(const char *key);		/* CFG_UINT and CFG_SIZE */
bool config_bool(const char *key);
bool config_is_set(const char *key);		/* set explicitly (not default) */

/* The table, for --help and the man page check. */
const struct config_key *config_keys(int *n);
void config_dump(FILE *f);			/* "key=value" for every key */

#endif
