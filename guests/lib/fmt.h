/*
 * fmt.h -- the printf engine: %d %i %u %x %X %p %s %c %%, flags '-' and '0',
 * a field width, a precision for %s, and the length modifiers l, ll and z.
 */
#ifndef GUEST_FMT_H
#define GUEST_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_put_fn)(char c, void *ctx);

/* Formats into put(); returns the number of characters produced. */
int vformat(fmt_put_fn put, void *ctx, const char *fmt, va_list ap);
/* snprintf: always NUL-terminates when n > 0; returns the full length. */
int gsnprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int gvsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

#endif
