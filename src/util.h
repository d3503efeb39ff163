/* util.h -- small helpers shared by every layer: logging, die(), macros. */
#ifndef HYVE_UTIL_H
#define HYVE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + ((a) - 1)) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define UNUSED		__attribute__((unused))
#define PRINTF(f, a)	__attribute__((format(printf, f, a)))

/* All messages go to stderr as one line "hyve: ...". */
void die(const char *fmt, ...) PRINTF(1, 2) __attribute__((noreturn));
void log_err(const char *fmt, ...) PRINTF(1, 2);
void log_warn(const char *fmt, ...) PRINTF(1, 2);
void log_info(const char *fmt, ...) PRINTF(1, 2);
/* Debug messages only when config key log.debug is set (cheap check). */
extern bool log_debug_on;
void log_debug(const char *fmt, ...) PRINTF(1, 2);

/* Read a whole file into a malloc'd buffer (*buf, *size).  0 or -errno. */
int read_file(const char *path, uint8_t **buf, size_t *size);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t now_ns(void);

/* Parse "64M", "1G", "4096", "0x1000", "2k" (binary units).  0 or -EINVAL. */
int parse_size(const char *s, uint64_t *out);
/* Parse a plain unsigned integer (decimal or 0x hex).  0 or -EINVAL/-ERANGE. */
int parse_u64(const char *s, uint64_t *out);

#endif
