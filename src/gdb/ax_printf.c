/*
 * ax_printf.c -- the formatting of the agent-expression printf bytecode
 * (dprintf with `set dprintf-style agent`), done here rather than by the C
 * library: the format comes from the debugger, and %s from guest memory.
 *
 * gdb sends the format as the user typed it, C escapes still in ("x=%d\n"
 * arrives as the 11 bytes x = % d \ n plus its NUL; capture_ax.py), and
 * gdbserver undoes them before formatting (gdbsupport/format.cc, whose
 * escapes and conversions are the ones accepted here).  Conversions: d i u
 * x X o c s p and %%, flags - + space # 0, width, precision, length h l ll
 * z.  An argument is the 64-bit stack value; with no length it is an int,
 * with h a short (as C's printf would print the int gdbserver passes it).
 */
#include <errno.h>
#include <string.h>

#include "gdb/ax_int.h"

struct spec {
	bool minus, plus, space, hash, zero;
	int width, prec;	/* -1: not given */
	char len;		/* 0, 'h', 'l' (also ll and z: 64 bits) */
	char conv;
};

static void put(struct ax_fmt_out *o, const char *s, size_t n)
{
	if (!o)
		return;
	if (n > AX_OUT_MAX - o->len)
		n = AX_OUT_MAX - o->len;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void fill(struct ax_fmt_out *o, char c, size_t n)
{
	while (n--)
		put(o, &c, 1);
}

static int unescape(char c, char *out)
{
	static const char from[] = "\\abefnrtv\"";
	static const char to[] = "\\\a\b\033\f\n\r\t\v\"";
	const char *p = c ? strchr(from, c) : NULL;

	if (!p)
		return -EINVAL;
	*out = to[p - from];
	return 0;
}

/* Digits at f[*i], at most AX_OUT_MAX (more is refused, not clipped). */
static int number(const char *f, size_t n, size_t *i, int *v)
{
	*v = 0;
	while (*i < n && f[*i] >= '0' && f[*i] <= '9') {
		*v = *v * 10 + (f[(*i)++] - '0');
		if (*v > AX_OUT_MAX)
			return -EINVAL;
	}
	return 0;
}

/*
 * The conversion after a '%' at f[*i], with gdb's restrictions (format.cc
 * calls these "bad" and refuses the dprintf): 0 or -EINVAL.
 */
static int parse_spec(const char *f, size_t n, size_t *i, struct spec *s)
{
	memset(s, 0, sizeof(*s));
	s->width = s->prec = -1;
	for (; *i < n && f[*i] && strchr("-+ #0", f[*i]); (*i)++) {
		switch (f[*i]) {
		case '-': s->minus = true; break;
		case '+': s->plus = true; break;
		case ' ': s->space = true; break;
		case '#': s->hash = true; break;
		default: s->zero = true; break;
		}
	}
	if (*i < n && f[*i] >= '0' && f[*i] <= '9' && number(f, n, i, &s->width))
		return -EINVAL;
	if (*i < n && f[*i] == '.') {
		(*i)++;
		if (number(f, n, i, &s->prec))
			return -EINVAL;
	}
	if (*i < n && (f[*i] == 'h' || f[*i] == 'z')) {
		s->len = f[(*i)++] == 'h' ? 'h' : 'l';
	} else if (*i < n && f[*i] == 'l') {
		s->len = 'l';
		if (++*i < n && f[*i] == 'l')
			(*i)++;
	}
	if (*i >= n)
		return -EINVAL;
	s->conv = f[(*i)++];
	switch (s->conv) {
	case 'u':
		if (s->hash)
			return -EINVAL;
		/* fall through */
	case 'o': case 'x': case 'X':
		if (s->space || s->plus)
			return -EINVAL;
		/* fall through */
	case 'd': case 'i':
		return 0;
	case 'c':
		/* %lc is a wide character: not done */
		if (s->len || s->prec >= 0 || s->zero || s->space || s->plus)
			return -EINVAL;
		return 0;
	case 'p':
		if (s->len || s->prec >= 0 || s->hash || s->zero || s->space || s->plus)
			return -EINVAL;
		return 0;
	case 's':
		/* %ls is a wide string: not done */
		if (s->len || s->zero || s->space || s->plus)
			return -EINVAL;
		return 0;
	default:	/* floats, %n, '*', anything else */
		return -EINVAL;
	}
}

/* text, padded to the width (zeros after the prefix when asked). */
static void put_field(struct ax_fmt_out *o, const struct spec *s, const char *prefix,
		      size_t zeros, const char *text, size_t n)
{
	size_t body = strlen(prefix) + zeros + n;
	size_t pad = s->width > 0 && (size_t)s->width > body ? (size_t)s->width - body : 0;

	if (!s->minus)
		fill(o, ' ', pad);
	put(o, prefix, strlen(prefix));
	fill(o, '0', zeros);
	put(o, text, n);
	if (s->minus)
		fill(o, ' ', pad);
}

static void put_int(struct ax_fmt_out *o, const struct spec *s, uint64_t raw)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	const char *dig = s->conv == 'X' ? upper : lower;
	const char *prefix = "";
	unsigned base = s->conv == 'o' ? 8 : s->conv == 'x' || s->conv == 'X' ? 16 : 10;
	char buf[24];
	size_t nd = 0, zeros = 0;
	uint64_t mag;

	if (s->conv == 'd' || s->conv == 'i') {
		int64_t v = s->len == 'l' ? (int64_t)raw :
			    s->len == 'h' ? (int16_t)raw : (int32_t)raw;

		mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		prefix = v < 0 ? "-" : s->plus ? "+" : s->space ? " " : "";
	} else {
		mag = s->len == 'l' ? raw : s->len == 'h' ? (uint16_t)raw : (uint32_t)raw;
		if (s->hash && base == 16 && mag)
			prefix = s->conv == 'X' ? "0X" : "0x";
	}
	/* digits, least significant first; precision 0 prints no digit for 0 */
	for (uint64_t v = mag; v || (nd == 0 && s->prec != 0); v /= base)
		buf[sizeof(buf) - 1 - nd++] = dig[v % base];
	if (s->prec >= 0 && (size_t)s->prec > nd)
		zeros = (size_t)s->prec - nd;
	/* %#o: the first digit is a 0 (a digit 0 there means the value is 0) */
	if (s->conv == 'o' && s->hash && zeros == 0 && (mag != 0 || nd == 0))
		zeros = 1;
	if (s->zero && !s->minus && s->prec < 0) {
		size_t body = strlen(prefix) + zeros + nd;

		if (s->width > 0 && (size_t)s->width > body)
			zeros += (size_t)s->width - body;
	}
	put_field(o, s, prefix, zeros, buf + sizeof(buf) - nd, nd);
}

static void put_ptr(struct ax_fmt_out *o, const struct spec *s, uint64_t v)
{
	struct spec x = *s;

	if (!v) {	/* as glibc */
		put_field(o, s, "", 0, "(nil)", 5);
		return;
	}
	x.conv = 'x';
	x.len = 'l';
	x.hash = true;
	put_int(o, &x, v);
}

/*
 * %s: read the guest string in pieces that never cross a 4 KiB page (the
 * string may end just before an unmapped one), up to the precision,
 * AX_STR_MAX bytes, or what the output still has room for (no point in
 * reading what cannot be printed).  A null pointer prints "(null)", as
 * gdbserver does.
 */
static int put_str(struct ax_fmt_out *o, const struct spec *s, uint64_t addr,
		   const struct ax_env *env, uint64_t *fault_addr)
{
	char buf[AX_STR_MAX];
	size_t max = s->prec >= 0 && s->prec < AX_STR_MAX ? (size_t)s->prec : AX_STR_MAX;
	size_t n = 0;

	if (max > AX_OUT_MAX - o->len)
		max = AX_OUT_MAX - o->len;
	if (!addr) {
		n = max < 6 ? max : 6;
		put_field(o, s, "", 0, "(null)", n);
		return 0;
	}
	while (n < max) {
		uint64_t a = addr + n;
		size_t chunk = 64 - (size_t)(a & 63);	/* within a page, too */
		const char *nul;
		int r;

		if (chunk > max - n)
			chunk = max - n;
		if (a < addr)
			r = -EFAULT;	/* wrapped past the top of memory */
		else if (!env->read_mem)
			r = -ENOSYS;
		else
			r = env->read_mem(env->opaque, a, buf + n, chunk);
		o->read += chunk;
		if (r) {
			*fault_addr = a;
			o->cb_err = r < 0 ? r : -EIO;
			return -EFAULT;
		}
		nul = memchr(buf + n, 0, chunk);
		if (nul) {
			n = (size_t)(nul - buf);
			break;
		}
		n += chunk;
	}
	put_field(o, s, "", 0, buf, n);
	return 0;
}

/*
 * The one walk over the format for checking (o NULL) and printing: escapes,
 * literal text, %%, conversions.  0, -EINVAL, or put_str's -EFAULT.
 */
static int walk(const char *f, size_t slen, unsigned nargs, const uint64_t *args,
		const struct ax_env *env, struct ax_fmt_out *o, uint64_t *fault_addr)
{
	size_t n = strnlen(f, slen), i = 0;
	unsigned argi = 0;
	struct spec s;
	char c;
	int r;

	while (i < n) {
		c = f[i++];
		if (c == '\\') {
			if (i >= n || unescape(f[i++], &c))
				return -EINVAL;
			put(o, &c, 1);
			continue;
		}
		if (c != '%') {
			put(o, &c, 1);
			continue;
		}
		if (i < n && f[i] == '%') {
			i++;
			put(o, "%", 1);
			continue;
		}
		if (parse_spec(f, n, &i, &s) || argi == nargs)
			return -EINVAL;
		if (o) {
			uint64_t v = args[argi];

			if (s.conv == 'c') {
				char ch = (char)(unsigned char)v;

				put_field(o, &s, "", 0, &ch, 1);
			} else if (s.conv == 's') {
				r = put_str(o, &s, v, env, fault_addr);
				if (r)
					return r;
			} else if (s.conv == 'p') {
				put_ptr(o, &s, v);
			} else {
				put_int(o, &s, v);
			}
		}
		argi++;
	}
	return argi == nargs ? 0 : -EINVAL;
}

int ax_format_check(const char *fmt, size_t slen, unsigned nargs)
{
	return walk(fmt, slen, nargs, NULL, NULL, NULL, NULL);
}

int ax_format_run(const char *fmt, size_t slen, unsigned nargs, const uint64_t *args,
		  const struct ax_env *env, struct ax_fmt_out *out, uint64_t *fault_addr)
{
	out->len = 0;
	out->read = 0;
	out->cb_err = 0;
	return walk(fmt, slen, nargs, args, env, out, fault_addr);
}
