/*
 * fmt.c -- a small printf engine.  Integers are formatted as unsigned long long
 * so one path serves 32- and 64-bit guests.
 */
#include "fmt.h"

#include <stdint.h>

struct spec {
	int left, zero, width, len;	/* len: 0 int, 1 long, 2 long long, 3 size_t */
	int prec;			/* %.Ns: at most N characters; -1: all */
};

static int emit(fmt_put_fn put, void *ctx, char c)
{
	put(c, ctx);
	return 1;
}

static int pad(fmt_put_fn put, void *ctx, char c, int n)
{
	int out = 0;

	while (n-- > 0)
		out += emit(put, ctx, c);
	return out;
}

static int put_str(fmt_put_fn put, void *ctx, const struct spec *sp, const char *s)
{
	int n = 0, out = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		out += pad(put, ctx, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		out += emit(put, ctx, s[i]);
	if (sp->left)
		out += pad(put, ctx, ' ', sp->width - n);
	return out;
}

/*
 * *v /= base, returning the remainder, with 32-bit divisions only (16 bits
 * at a time): 32-bit guests have no libgcc for 64-bit division.
 */
static unsigned divmod(unsigned long long *v, unsigned base)
{
	unsigned long long q = 0;
	uint32_t rem = 0;

	for (int shift = 48; shift >= 0; shift -= 16) {
		uint32_t cur = rem << 16 | (uint32_t)((*v >> shift) & 0xffff);

		q |= (unsigned long long)(cur / base) << shift;
		rem = cur % base;
	}
	*v = q;
	return rem;
}

static int put_num(fmt_put_fn put, void *ctx, const struct spec *sp,
		   unsigned long long v, int neg, unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0, out = 0, total;

	do {
		buf[n++] = digits[divmod(&v, base)];
	} while (v);
	total = n + neg;
	if (!sp->left && !sp->zero)
		out += pad(put, ctx, ' ', sp->width - total);
	if (neg)
		out += emit(put, ctx, '-');
	if (!sp->left && sp->zero)
		out += pad(put, ctx, '0', sp->width - total);
	while (n)
		out += emit(put, ctx, buf[--n]);
	if (sp->left)
		out += pad(put, ctx, ' ', sp->width - total);
	return out;
}

static unsigned long long get_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static long long get_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (long long)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

int vformat(fmt_put_fn put, void *ctx, const char *fmt, va_list ap0)
{
	va_list ap;
	int out = 0;

	va_copy(ap, ap0);
	for (; *fmt; fmt++) {
		struct spec sp = { 0, 0, 0, 0, -1 };
		long long sv;

		if (*fmt != '%') {
			out += emit(put, ctx, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = 1;
			else if (*fmt == '0')
				sp.zero = 1;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			sp.prec = 0;
			for (fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				sp.prec = sp.prec * 10 + (*fmt - '0');
		}
		if (*fmt == 'z') {
			sp.len = 3;
			fmt++;
		}
		while (*fmt == 'l' && sp.len < 2) {
			sp.len++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			sv = get_signed(&sp, &ap);
			out += put_num(put, ctx, &sp, sv < 0 ? 0ULL - (unsigned long long)sv :
				       (unsigned long long)sv, sv < 0, 10, 0);
			break;
		case 'u':
			out += put_num(put, ctx, &sp, get_unsigned(&sp, &ap), 0, 10, 0);
			break;
		case 'x':
		case 'X':
			out += put_num(put, ctx, &sp, get_unsigned(&sp, &ap), 0, 16, *fmt == 'X');
			break;
		case 'p':
			out += emit(put, ctx, '0') + emit(put, ctx, 'x');
			sp.zero = 1;
			sp.width = 2 * (int)sizeof(void *);
			out += put_num(put, ctx, &sp, (uintptr_t)va_arg(ap, void *), 0, 16, 0);
			break;
		case 's':
			out += put_str(put, ctx, &sp, va_arg(ap, const char *));
			break;
		case 'c':
			out += emit(put, ctx, (char)va_arg(ap, int));
			break;
		case '%':
			out += emit(put, ctx, '%');
			break;
		case '\0':
			fmt--;	/* a lone '%' at the end: stop at the NUL */
			break;
		default:
			out += emit(put, ctx, '%') + emit(put, ctx, *fmt);
			break;
		}
	}
	va_end(ap);
	return out;
}

struct sbuf {
	char *buf;
	size_t n, pos;
};

static void sbuf_put(char c, void *ctx)
{
	struct sbuf *sb = ctx;

	if (sb->pos + 1 < sb->n)
		sb->buf[sb->pos] = c;
	sb->pos++;
}

int gvsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct sbuf sb = { buf, n, 0 };
	int r;

	r = vformat(sbuf_put, &sb, fmt, ap);
	if (n)
		buf[sb.pos < n ? sb.pos : n - 1] = '\0';
	return r;
}

int gsnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = gvsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
