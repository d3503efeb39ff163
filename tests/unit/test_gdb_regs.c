/* test_gdb_regs.c -- the x86-64 GDB register layout and target description. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "test.h"
#include "arch/x86/gdb_regs.h"

/* See test_rsp.c: test.h's TEST rewrites ".name"; register under another parameter name. */
/* Give each field distinct bytes (named one by one, not through the table under test). */
static uint8_t pat_next;

static void pat(void *field, size_t n)
{
	uint8_t *p = field;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(pat_next++ * 7 + 3);
}

#define PAT(f) pat(&s->f, sizeof(s->f))

static void fill_state(struct x86_gdb_state *s, bool avx)
{
	memset(s, 0, sizeof(*s));	/* padding stays zero for memcmp */
	pat_next = 1;
	PAT(rax); PAT(rbx); PAT(rcx); PAT(rdx); PAT(rsi); PAT(rdi); PAT(rbp); PAT(rsp);
	PAT(r8); PAT(r9); PAT(r10); PAT(r11); PAT(r12); PAT(r13); PAT(r14); PAT(r15);
	PAT(rip); PAT(rflags);
	PAT(cs); PAT(ss); PAT(ds); PAT(es); PAT(fs); PAT(gs);
	PAT(fs_base); PAT(gs_base); PAT(k_gs_base);
	PAT(cr0); PAT(cr2); PAT(cr3); PAT(cr4); PAT(cr8); PAT(efer);
	PAT(st);
	PAT(fctrl); PAT(fstat); PAT(ftag); PAT(fiseg); PAT(fioff); PAT(foseg); PAT(fooff); PAT(fop);
	PAT(xmm); PAT(mxcsr); PAT(ymmh);
	PAT(dr); PAT(dr6); PAT(dr7); PAT(gdtr_base); PAT(idtr_base); PAT(gdtr_limit);
	PAT(idtr_limit); PAT(ldtr); PAT(tr); PAT(cs_base); PAT(ss_base); PAT(ds_base);
	PAT(es_base); PAT(cs_limit); PAT(ss_limit); PAT(ds_limit); PAT(es_limit);
	PAT(fs_limit); PAT(gs_limit); PAT(ldtr_base); PAT(tr_base); PAT(ldtr_limit);
	PAT(tr_limit);
	s->has_avx = avx;
	/* eflags is 32 bits in the packet. */
	s->rflags &= 0xffffffff;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

TEST(table_offsets_and_sizes)
{
	size_t off = 0;

	CHECK_EQ(x86_gdb_nregs_g(false), 66);
	CHECK_EQ(x86_gdb_nregs_g(true), 82);
	CHECK_EQ(x86_gdb_nregs(false), 66 + X86_GDB_NSYSREGS);
	CHECK_EQ(x86_gdb_nregs(true), 82 + X86_GDB_NSYSREGS);
	CHECK_EQ(X86_GDB_NSYSREGS, 26);
	for (int i = 0; i < x86_gdb_nregs_g(true); i++) {
		const struct x86_gdb_reg *r = x86_gdb_reg_info((unsigned)i, true);

		CHECK(r != NULL);
		if (!r)
			return;
		CHECK_EQ(r->offset, off);
		CHECK(r->bitsize % 8 == 0);
		/* Byte-array fields are exactly the register; integers at most 8 bytes. */
		if (r->bitsize > 64)
			CHECK_EQ(r->state_size * 8, r->bitsize);
		else
			CHECK(r->state_size == 2 || r->state_size == 4 || r->state_size == 8);
		off += r->bitsize / 8;
		if (i == X86_GDB_NREGS_NOAVX - 1)
			CHECK_EQ(off, x86_gdb_g_size(false));
	}
	CHECK_EQ(off, x86_gdb_g_size(true));
	CHECK_EQ(x86_gdb_g_size(false), 608);
	CHECK_EQ(x86_gdb_g_size(true), 864);
	/* without AVX the system registers follow efer; with it, ymm15h */
	CHECK_STR(x86_gdb_reg_info(X86_GDB_YMM0H, false)->name, "dr0");
	CHECK_STR(x86_gdb_reg_info(X86_GDB_NREGS_AVX, true)->name, "dr0");
	CHECK(x86_gdb_reg_info(X86_GDB_NREGS_NOAVX + X86_GDB_NSYSREGS, false) == NULL);
	CHECK(x86_gdb_reg_info(X86_GDB_NREGS_AVX + X86_GDB_NSYSREGS, true) == NULL);
	for (int avx = 0; avx <= 1; avx++) {
		unsigned g = (unsigned)x86_gdb_nregs_g(avx);

		off = x86_gdb_g_size(avx);	/* after the 'g' image, as gdb lays them out */
		for (unsigned i = 0; i < X86_GDB_NSYSREGS; i++) {
			const struct x86_gdb_reg *r = x86_gdb_reg_info(g + i, avx);

			CHECK_EQ(r->offset, off);
			CHECK_STR(r->group, "system");
			off += r->bitsize / 8;
		}
		CHECK_STR(x86_gdb_reg_info(g + X86_GDB_SYS_DR7, avx)->name, "dr7");
		CHECK_STR(x86_gdb_reg_info(g + X86_GDB_SYS_TR_LIMIT, avx)->name, "tr_limit");
		CHECK(x86_gdb_reg_is_dr(g + X86_GDB_SYS_DR0, avx));
		CHECK(x86_gdb_reg_is_dr(g + X86_GDB_SYS_DR7, avx));
		CHECK(!x86_gdb_reg_is_dr(g + X86_GDB_SYS_GDTR_BASE, avx));
		CHECK(!x86_gdb_reg_is_dr(X86_GDB_EFER, avx));
	}
	CHECK_STR(x86_gdb_reg_info(X86_GDB_RSP, false)->name, "rsp");
	CHECK_STR(x86_gdb_reg_info(X86_GDB_EFLAGS, false)->name, "eflags");
	CHECK_STR(x86_gdb_reg_info(X86_GDB_ST0 + 7, false)->name, "st7");
	CHECK_STR(x86_gdb_reg_info(X86_GDB_FOP, false)->name, "fop");
	CHECK_STR(x86_gdb_reg_info(X86_GDB_XMM0 + 15, false)->name, "xmm15");
	CHECK_STR(x86_gdb_reg_info(X86_GDB_CR3, false)->name, "cr3");
	CHECK_STR(x86_gdb_reg_info(X86_GDB_EFER, false)->name, "efer");
	CHECK_STR(x86_gdb_reg_info(X86_GDB_YMM0H + 15, true)->name, "ymm15h");
	CHECK_EQ(x86_gdb_reg_find("cr3", false), X86_GDB_CR3);
	CHECK_EQ(x86_gdb_reg_find("r8", false), X86_GDB_R8);
	CHECK_EQ(x86_gdb_reg_find("ymm0h", false), -ENOENT);
	CHECK_EQ(x86_gdb_reg_find("ymm0h", true), X86_GDB_YMM0H);
	CHECK_EQ(x86_gdb_reg_find("orig_rax", true), -ENOENT);
}

/* Return the value of attribute attr inside the tag starting at tag, or "". */
static void attr(const char *tag, const char *attr_name, char *out, size_t cap)
{
	const char *end = strchr(tag, '>');
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), " %s=\"", attr_name);
	out[0] = 0;
	p = strstr(tag, key);
	if (!p || p > end)
		return;
	p += strlen(key);
	size_t n = strcspn(p, "\"");

	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = 0;
}

/* The XML lists the table's registers, in order, with the same sizes, types and groups. */
static void check_xml(bool avx)
{
	size_t len = 0;
	const char *x = x86_gdb_target_xml(avx, &len);
	const char *p = x;
	int i = 0, lt = 0, gt = 0;
	char v[64];

	CHECK_EQ(len, strlen(x));
	CHECK(!strncmp(x, "<?xml version=\"1.0\"?>", 21));
	CHECK(strstr(x, "<architecture>i386:x86-64</architecture>") != NULL);
	CHECK(len > 10 && !strcmp(x + len - 10, "</target>\n"));
	CHECK(strstr(x, "org.gnu.gdb.i386.core") && strstr(x, "org.gnu.gdb.i386.sse") &&
	      strstr(x, "org.gnu.gdb.i386.segments") && strstr(x, "org.hyve.x86.sys"));
	CHECK((strstr(x, "org.gnu.gdb.i386.avx") != NULL) == avx);
	CHECK(strstr(x, "org.gnu.gdb.i386.linux") == NULL);
	for (const char *c = x; *c; c++) {
		lt += *c == '<';
		gt += *c == '>';
	}
	CHECK_EQ(lt, gt);
	/* Opening and closing feature tags pair up. */
	int open = 0, close = 0;

	for (const char *c = x; (c = strstr(c, "<feature ")); c++)
		open++;
	for (const char *c = x; (c = strstr(c, "</feature>")); c++)
		close++;
	CHECK_EQ(open, close);
	CHECK_EQ(open, avx ? 6 : 5);
	CHECK(strstr(x, "org.hyve.x86.sysregs") != NULL);

	while ((p = strstr(p, "<reg "))) {
		const struct x86_gdb_reg *r = x86_gdb_reg_info((unsigned)i, avx);

		CHECK(r != NULL);
		if (!r)
			return;
		attr(p, "name", v, sizeof(v));
		CHECK_STR(v, r->name);
		attr(p, "bitsize", v, sizeof(v));
		CHECK_EQ(strtoul(v, NULL, 10), r->bitsize);
		attr(p, "type", v, sizeof(v));
		CHECK_STR(v, r->type);
		attr(p, "group", v, sizeof(v));
		CHECK_STR(v, r->group ? r->group : "");
		i++;
		p++;
	}
	CHECK_EQ(i, x86_gdb_nregs(avx));
}

TEST(xml_matches_table)
{
	check_xml(false);
	check_xml(true);
}

/*
 * Let the installed GDB read the document and print its remote numbering:
 * each of our registers must have our number and 'g' offset.  Skipped when
 * gdb is not installed.
 */
static void check_with_gdb(bool avx)
{
	char path[] = "/tmp/hyve-tdesc-XXXXXX";
	char cmd[256], line[256];
	size_t len;
	const char *x = x86_gdb_target_xml(avx, &len);
	int fd = mkstemp(path), seen = 0;
	FILE *f;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, x, len), len);
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "gdb -nx -batch -ex 'set tdesc filename %s' -ex 'maint print remote-registers' 2>&1",
		 path);
	f = popen(cmd, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		char name[32], type[64];
		int nr, rel, off, size, rnr, goff;

		/* " Name Nr Rel Offset Size Type Rmt-Nr g/G-Offset" */
		if (sscanf(line, " %31s %d %d %d %d %63s %d %d", name, &nr, &rel, &off,
			   &size, type, &rnr, &goff) != 8)
			continue;
		int want = x86_gdb_reg_find(name, avx);

		if (want < 0) {
			fprintf(stderr, "  gdb has an unexpected remote register %s\n", name);
			CHECK(want >= 0);
			continue;
		}
		const struct x86_gdb_reg *r = x86_gdb_reg_info((unsigned)want, avx);

		CHECK_EQ(rnr, want);
		CHECK_EQ(goff, r->offset);
		CHECK_EQ(size * 8, r->bitsize);
		seen++;
	}
	if (f)
		CHECK_EQ(pclose(f), 0);
	unlink(path);
	/* GDB rejecting the document would fall back to its own, without cr3. */
	CHECK_EQ(seen, x86_gdb_nregs(avx));
}

TEST(gdb_accepts_xml)
{
	if (system("command -v gdb >/dev/null 2>&1") != 0) {
		fprintf(stderr, "  (gdb not installed: skipping the gdb check)\n");
		return;
	}
	check_with_gdb(false);
	check_with_gdb(true);
}

TEST(g_layout)
{
	struct x86_gdb_state s;
	uint8_t g[X86_GDB_G_SIZE_AVX + 8];

	memset(&s, 0, sizeof(s));
	s.rax = 0x1122334455667788ULL;
	s.rbp = 0xbb;
	s.rsp = 0x55;
	s.r15 = 0xf15;
	s.rip = 0xffffffff81000000ULL;
	s.rflags = 0xdead00000246ULL;		/* the upper half is not in the packet */
	s.cs = 0x10;
	s.gs = 0x2b;
	s.st[0][9] = 0x3f;
	s.st[7][0] = 0x77;
	s.fctrl = 0x37f;
	s.fop = 0x7ff;
	s.xmm[0][0] = 0xa0;
	s.xmm[15][15] = 0xaf;
	s.mxcsr = 0x1f80;
	s.fs_base = 0xf5;
	s.gs_base = 0x65;
	s.k_gs_base = 0xffff888000000000ULL;
	s.cr0 = 0x80050033;
	s.cr2 = 0xc2;
	s.cr3 = 0x1000;
	s.cr4 = 0x20;
	s.cr8 = 0xf;
	s.efer = 0xd01;
	s.ymmh[0][0] = 0xe0;
	s.ymmh[15][15] = 0xef;

	memset(g, 0xcc, sizeof(g));
	CHECK_EQ(x86_gdb_regs_to_g(&s, g, sizeof(g)), 608);
	CHECK_EQ(g[608], 0xcc);			/* nothing past the layout */
	CHECK_EQ(le(g + 0, 8), 0x1122334455667788ULL);
	CHECK_EQ(g[0], 0x88);			/* little-endian */
	CHECK_EQ(le(g + 48, 8), 0xbb);		/* rbp before rsp */
	CHECK_EQ(le(g + 56, 8), 0x55);
	CHECK_EQ(le(g + 120, 8), 0xf15);
	CHECK_EQ(le(g + 128, 8), 0xffffffff81000000ULL);
	CHECK_EQ(le(g + 136, 4), 0x246);
	CHECK_EQ(le(g + 140, 4), 0x10);
	CHECK_EQ(le(g + 160, 4), 0x2b);
	CHECK_EQ(g[164 + 9], 0x3f);
	CHECK_EQ(g[164 + 70], 0x77);
	CHECK_EQ(le(g + 244, 4), 0x37f);
	CHECK_EQ(le(g + 272, 4), 0x7ff);
	CHECK_EQ(g[276], 0xa0);
	CHECK_EQ(g[531], 0xaf);
	CHECK_EQ(le(g + 532, 4), 0x1f80);
	CHECK_EQ(le(g + 536, 8), 0xf5);
	CHECK_EQ(le(g + 544, 8), 0x65);
	CHECK_EQ(le(g + 552, 8), 0xffff888000000000ULL);
	CHECK_EQ(le(g + 560, 8), 0x80050033);
	CHECK_EQ(le(g + 568, 8), 0xc2);
	CHECK_EQ(le(g + 576, 8), 0x1000);
	CHECK_EQ(le(g + 584, 8), 0x20);
	CHECK_EQ(le(g + 592, 8), 0xf);
	CHECK_EQ(le(g + 600, 8), 0xd01);

	/* With AVX the upper halves follow, ymm0h first. */
	s.has_avx = true;
	memset(g, 0xcc, sizeof(g));
	CHECK_EQ(x86_gdb_regs_to_g(&s, g, sizeof(g)), 864);
	CHECK_EQ(le(g + 600, 8), 0xd01);
	CHECK_EQ(g[608], 0xe0);
	CHECK_EQ(g[609], 0);
	CHECK_EQ(g[863], 0xef);
	CHECK_EQ(g[864], 0xcc);
	CHECK_EQ(x86_gdb_regs_to_g(&s, g, 863), -ENOSPC);
	s.has_avx = false;
	CHECK_EQ(x86_gdb_regs_to_g(&s, g, 607), -ENOSPC);
}

TEST(g_roundtrip)
{
	for (int avx = 0; avx <= 1; avx++) {
		struct x86_gdb_state a, b;
		uint8_t g[X86_GDB_G_SIZE_AVX], g2[X86_GDB_G_SIZE_AVX];
		int n;

		fill_state(&a, avx);
		n = x86_gdb_regs_to_g(&a, g, sizeof(g));
		CHECK_EQ(n, avx ? 864 : 608);
		memset(&b, 0, sizeof(b));
		b.has_avx = avx;
		if (!avx)	/* ymmh is not in the packet: keep it out of the compare */
			memcpy(b.ymmh, a.ymmh, sizeof(b.ymmh));
		/* nor are the system registers (dr[0] .. tr_limit, the fields before has_avx) */
		memcpy((char *)&b + offsetof(struct x86_gdb_state, dr),
		       (char *)&a + offsetof(struct x86_gdb_state, dr),
		       offsetof(struct x86_gdb_state, has_avx) - offsetof(struct x86_gdb_state, dr));
		CHECK_EQ(x86_gdb_regs_from_g(&b, g, (size_t)n), 0);
		CHECK(!memcmp(&a, &b, sizeof(a)));
		CHECK_EQ(x86_gdb_regs_to_g(&b, g2, sizeof(g2)), n);
		CHECK(!memcmp(g, g2, (size_t)n));
		/* Only the exact size is accepted. */
		CHECK_EQ(x86_gdb_regs_from_g(&b, g, (size_t)n - 1), -EINVAL);
		CHECK_EQ(x86_gdb_regs_from_g(&b, g, (size_t)n + 1), -EINVAL);
	}
}

TEST(p_and_P)
{
	struct x86_gdb_state s;
	uint8_t buf[X86_GDB_REG_MAX], g[X86_GDB_G_SIZE_AVX];

	fill_state(&s, false);
	CHECK_EQ(x86_gdb_regs_to_g(&s, g, sizeof(g)), 608);
	/* Every register read alone equals its slice of the 'g' image. */
	for (int avx = 0; avx <= 1; avx++) {
		s.has_avx = avx;
		CHECK_EQ(x86_gdb_regs_to_g(&s, g, sizeof(g)), avx ? 864 : 608);
		for (int i = 0; i < x86_gdb_nregs_g(avx); i++) {
			const struct x86_gdb_reg *r = x86_gdb_reg_info((unsigned)i, avx);
			int n = x86_gdb_reg_get(&s, (unsigned)i, buf, sizeof(buf));

			CHECK_EQ(n, r->bitsize / 8);
			CHECK(!memcmp(buf, g + r->offset, (size_t)n));
		}
	}
	s.has_avx = false;
	/* without AVX, number 66 is dr0, not ymm0h */
	CHECK_EQ(x86_gdb_reg_get(&s, X86_GDB_YMM0H, buf, sizeof(buf)), 8);
	CHECK_EQ(le(buf, 8), s.dr[0]);
	CHECK_EQ(x86_gdb_reg_get(&s, 1000, buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(x86_gdb_reg_get(&s, X86_GDB_XMM0, buf, 15), -ENOSPC);
	CHECK_EQ(x86_gdb_reg_get(&s, X86_GDB_ST0, buf, 10), 10);

	/* P: cr3, a selector (truncated to 16 bits), eflags, xmm, ymmh. */
	const uint8_t cr3[8] = { 0x00, 0x30, 0x12, 0, 0, 0, 0, 0 };
	const uint8_t cs[4] = { 0x10, 0x00, 0x01, 0x00 };
	const uint8_t fl[4] = { 0x46, 0x02, 0, 0 };
	uint8_t x[16];

	CHECK_EQ(x86_gdb_reg_set(&s, X86_GDB_CR3, cr3, 8), 0);
	CHECK_EQ(s.cr3, 0x123000);
	CHECK_EQ(x86_gdb_reg_set(&s, X86_GDB_CS, cs, 4), 0);
	CHECK_EQ(s.cs, 0x10);
	s.rflags = 0xffffffffffffffffULL;
	CHECK_EQ(x86_gdb_reg_set(&s, X86_GDB_EFLAGS, fl, 4), 0);
	CHECK_EQ(s.rflags, 0x246);
	for (int i = 0; i < 16; i++)
		x[i] = (uint8_t)(0xc0 + i);
	CHECK_EQ(x86_gdb_reg_set(&s, X86_GDB_XMM0 + 7, x, 16), 0);
	CHECK(!memcmp(s.xmm[7], x, 16));
	CHECK_EQ(x86_gdb_reg_set(&s, X86_GDB_YMM0H + 7, x, 16), -EINVAL);	/* gdtr_limit: 4 bytes */
	s.has_avx = true;
	CHECK_EQ(x86_gdb_reg_set(&s, X86_GDB_YMM0H + 7, x, 16), 0);
	CHECK(!memcmp(s.ymmh[7], x, 16));
	/* Wrong sizes. */
	CHECK_EQ(x86_gdb_reg_set(&s, X86_GDB_CR3, cr3, 4), -EINVAL);
	CHECK_EQ(x86_gdb_reg_set(&s, X86_GDB_EFLAGS, cr3, 8), -EINVAL);
	CHECK_EQ(x86_gdb_reg_set(&s, X86_GDB_ST0, x, 16), -EINVAL);
	CHECK_EQ(x86_gdb_reg_set(&s, 82, x, 16), -EINVAL);
	/* The round trip through p. */
	CHECK_EQ(x86_gdb_reg_get(&s, X86_GDB_CR3, buf, sizeof(buf)), 8);
	CHECK(!memcmp(buf, cr3, 8));
}

/* The system registers by 'p'/'P': each its own field, selectors read-only. */
TEST(sysregs_p_and_P)
{
	struct x86_gdb_state s;
	uint8_t buf[16];
	const uint8_t v8[8] = { 0x00, 0x40, 0x23, 0x01, 0, 0, 0, 0 };
	const uint8_t v4[4] = { 0xff, 0x0f, 0, 0 };

	for (int avx = 0; avx <= 1; avx++) {
		unsigned g = (unsigned)x86_gdb_nregs_g(avx);

		fill_state(&s, avx);
		CHECK_EQ(x86_gdb_reg_get(&s, g + X86_GDB_SYS_DR7, buf, sizeof(buf)), 8);
		CHECK_EQ(le(buf, 8), s.dr7);
		CHECK_EQ(x86_gdb_reg_get(&s, g + X86_GDB_SYS_DR0 + 3, buf, sizeof(buf)), 8);
		CHECK_EQ(le(buf, 8), s.dr[3]);
		CHECK_EQ(x86_gdb_reg_get(&s, g + X86_GDB_SYS_GDTR_LIMIT, buf, sizeof(buf)), 4);
		CHECK_EQ(le(buf, 4), s.gdtr_limit);
		CHECK_EQ(x86_gdb_reg_get(&s, g + X86_GDB_SYS_TR, buf, sizeof(buf)), 4);
		CHECK_EQ(le(buf, 4), s.tr);		/* a 16-bit selector, zero-extended */
		CHECK_EQ(x86_gdb_reg_get(&s, g + X86_GDB_SYS_CS_BASE, buf, sizeof(buf)), 8);
		CHECK_EQ(le(buf, 8), s.cs_base);
		CHECK_EQ(x86_gdb_reg_get(&s, g + X86_GDB_SYS_TR_LIMIT, buf, sizeof(buf)), 4);
		CHECK_EQ(le(buf, 4), s.tr_limit);
		CHECK_EQ(x86_gdb_reg_set(&s, g + X86_GDB_SYS_DR0 + 1, v8, 8), 0);
		CHECK_EQ(s.dr[1], 0x1234000);
		CHECK_EQ(x86_gdb_reg_set(&s, g + X86_GDB_SYS_IDTR_LIMIT, v4, 4), 0);
		CHECK_EQ(s.idtr_limit, 0xfff);
		CHECK_EQ(x86_gdb_reg_set(&s, g + X86_GDB_SYS_IDTR_LIMIT, v8, 8), -EINVAL);
		uint16_t tr = s.tr, ldtr = s.ldtr;

		CHECK_EQ(x86_gdb_reg_set(&s, g + X86_GDB_SYS_TR, v4, 4), -EINVAL);
		CHECK_EQ(x86_gdb_reg_set(&s, g + X86_GDB_SYS_LDTR, v4, 4), -EINVAL);
		CHECK_EQ(s.tr, tr);
		CHECK_EQ(s.ldtr, ldtr);
		/* not in the 'g' image: its size is unchanged */
		CHECK_EQ(x86_gdb_regs_to_g(&s, (uint8_t[X86_GDB_G_SIZE_AVX]){0}, X86_GDB_G_SIZE_AVX),
			 avx ? 864 : 608);
	}
}

TEST(fpu_tags)
{
	uint8_t st[8][10];

	memset(st, 0, sizeof(st));
	/* All empty. */
	CHECK_EQ(x86_fpu_tag_full(0, 0, st), 0xffff);
	CHECK_EQ(x86_fpu_tag_abridged(0xffff), 0);

	/* After one fld1 from a clean state: TOP = 7, ST(0) = 1.0 in physical 7. */
	st[0][7] = 0x80;		/* J bit */
	st[0][8] = 0xff;
	st[0][9] = 0x3f;		/* exponent 0x3fff */
	CHECK_EQ(x86_fpu_tag_full(0x80, 7 << 11, st), 0x3fff);
	CHECK_EQ(x86_fpu_tag_abridged(0x3fff), 0x80);

	/* TOP = 6: ST(0) = zero in physical 6, ST(1) = 1.0 in physical 7. */
	memmove(st[1], st[0], 10);
	memset(st[0], 0, 10);
	CHECK_EQ(x86_fpu_tag_full(0xc0, 6 << 11, st), 0x1fff);
	/* Infinity (exponent 0x7fff) and a denormal are "special". */
	st[0][9] = 0x7f;
	st[0][8] = 0xff;
	st[0][7] = 0x80;
	CHECK_EQ(x86_fpu_tag_full(0xc0, 6 << 11, st), 0x2fff);
	memset(st[0], 0, 10);
	st[0][0] = 1;
	CHECK_EQ(x86_fpu_tag_full(0xc0, 6 << 11, st), 0x2fff);
	CHECK_EQ(x86_fpu_tag_abridged(0x2fff), 0xc0);
	CHECK_EQ(x86_fpu_tag_abridged(0x0000), 0xff);
}

TEST_MAIN()
