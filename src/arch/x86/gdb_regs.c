/*
 * gdb_regs.c -- the x86-64 register layout shown to GDB (see gdb_regs.h).
 *
 * GDB's amd64 support recognises the standard features by name
 * (org.gnu.gdb.i386.core/.sse/.segments/.avx) and checks their register
 * names; registers of any other feature (our org.hyve.x86.sys and
 * org.hyve.x86.sysregs) are added as extra registers, so `p $cr3` and
 * `p $dr7` work.  GDB 13's i386 code ignores the XML group attribute and
 * puts them in "general", so plain `info registers` lists them and `info
 * registers system` does not; group="system" is for lldb, which honours it
 * (`register read -s N`).  GDB numbers
 * the registers in document order and lays the 'g' packet out in that
 * order, so the XML below, the table and the enum in gdb_regs.h must agree
 * (the unit test checks it).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "arch/x86/gdb_regs.h"

/* ---- target description ---- */

#define XML_HEAD \
	"<?xml version=\"1.0\"?>\n" \
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n" \
	"<target version=\"1.0\">\n" \
	"<architecture>i386:x86-64</architecture>\n"

#define XML_CORE \
	"<feature name=\"org.gnu.gdb.i386.core\">\n" \
	"<flags id=\"i386_eflags\" size=\"4\">\n" \
	" <field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n" \
	" <field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n" \
	" <field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n" \
	" <field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n" \
	" <field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n" \
	" <field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n" \
	" <field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n" \
	" <field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n" \
	" <field name=\"ID\" start=\"21\" end=\"21\"/>\n" \
	"</flags>\n" \
	GPR("rax") GPR("rbx") GPR("rcx") GPR("rdx") GPR("rsi") GPR("rdi") \
	REG("rbp", 64, "data_ptr") REG("rsp", 64, "data_ptr") \
	GPR("r8") GPR("r9") GPR("r10") GPR("r11") GPR("r12") GPR("r13") GPR("r14") GPR("r15") \
	REG("rip", 64, "code_ptr") REG("eflags", 32, "i386_eflags") \
	REG("cs", 32, "int32") REG("ss", 32, "int32") REG("ds", 32, "int32") \
	REG("es", 32, "int32") REG("fs", 32, "int32") REG("gs", 32, "int32") \
	ST("0") ST("1") ST("2") ST("3") ST("4") ST("5") ST("6") ST("7") \
	FPC("fctrl") FPC("fstat") FPC("ftag") FPC("fiseg") \
	FPC("fioff") FPC("foseg") FPC("fooff") FPC("fop") \
	"</feature>\n"

/*
 * vec128 leaves out GDB's newer bfloat16/half views so that older GDBs,
 * which do not know those element types, accept the document too.
 */
#define XML_SSE \
	"<feature name=\"org.gnu.gdb.i386.sse\">\n" \
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n" \
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n" \
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n" \
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n" \
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n" \
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n" \
	"<union id=\"vec128\">\n" \
	" <field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>\n" \
	" <field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>\n" \
	" <field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>\n" \
	" <field name=\"uint128\" type=\"uint128\"/>\n" \
	"</union>\n" \
	"<flags id=\"i386_mxcsr\" size=\"4\">\n" \
	" <field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>\n" \
	" <field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>\n" \
	" <field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>\n" \
	" <field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>\n" \
	" <field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>\n" \
	" <field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>\n" \
	" <field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/>\n" \
	"</flags>\n" \
	XMM("0") XMM("1") XMM("2") XMM("3") XMM("4") XMM("5") XMM("6") XMM("7") \
	XMM("8") XMM("9") XMM("10") XMM("11") XMM("12") XMM("13") XMM("14") XMM("15") \
	"<reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" group=\"vector\"/>\n" \
	"</feature>\n"

#define XML_SEGMENTS \
	"<feature name=\"org.gnu.gdb.i386.segments\">\n" \
	REG("fs_base", 64, "int") REG("gs_base", 64, "int") \
	"</feature>\n"

/*
 * Our own feature: system registers a kernel debugger wants.  CR0, CR4 and
 * EFER get flag types so `info registers` decodes them (`p/x` still gives
 * the number).
 */
#define XML_SYS \
	"<feature name=\"org.hyve.x86.sys\">\n" \
	"<flags id=\"hyve_cr0\" size=\"8\">\n" \
	" <field name=\"PE\" start=\"0\" end=\"0\"/><field name=\"MP\" start=\"1\" end=\"1\"/>\n" \
	" <field name=\"EM\" start=\"2\" end=\"2\"/><field name=\"TS\" start=\"3\" end=\"3\"/>\n" \
	" <field name=\"ET\" start=\"4\" end=\"4\"/><field name=\"NE\" start=\"5\" end=\"5\"/>\n" \
	" <field name=\"WP\" start=\"16\" end=\"16\"/><field name=\"AM\" start=\"18\" end=\"18\"/>\n" \
	" <field name=\"NW\" start=\"29\" end=\"29\"/><field name=\"CD\" start=\"30\" end=\"30\"/>\n" \
	" <field name=\"PG\" start=\"31\" end=\"31\"/>\n" \
	"</flags>\n" \
	"<flags id=\"hyve_cr4\" size=\"8\">\n" \
	" <field name=\"VME\" start=\"0\" end=\"0\"/><field name=\"PVI\" start=\"1\" end=\"1\"/>\n" \
	" <field name=\"TSD\" start=\"2\" end=\"2\"/><field name=\"DE\" start=\"3\" end=\"3\"/>\n" \
	" <field name=\"PSE\" start=\"4\" end=\"4\"/><field name=\"PAE\" start=\"5\" end=\"5\"/>\n" \
	" <field name=\"MCE\" start=\"6\" end=\"6\"/><field name=\"PGE\" start=\"7\" end=\"7\"/>\n" \
	" <field name=\"PCE\" start=\"8\" end=\"8\"/><field name=\"OSFXSR\" start=\"9\" end=\"9\"/>\n" \
	" <field name=\"OSXMMEXCPT\" start=\"10\" end=\"10\"/><field name=\"UMIP\" start=\"11\" end=\"11\"/>\n" \
	" <field name=\"LA57\" start=\"12\" end=\"12\"/><field name=\"VMXE\" start=\"13\" end=\"13\"/>\n" \
	" <field name=\"SMXE\" start=\"14\" end=\"14\"/><field name=\"FSGSBASE\" start=\"16\" end=\"16\"/>\n" \
	" <field name=\"PCIDE\" start=\"17\" end=\"17\"/><field name=\"OSXSAVE\" start=\"18\" end=\"18\"/>\n" \
	" <field name=\"SMEP\" start=\"20\" end=\"20\"/><field name=\"SMAP\" start=\"21\" end=\"21\"/>\n" \
	" <field name=\"PKE\" start=\"22\" end=\"22\"/>\n" \
	"</flags>\n" \
	"<flags id=\"hyve_efer\" size=\"8\">\n" \
	" <field name=\"SCE\" start=\"0\" end=\"0\"/><field name=\"LME\" start=\"8\" end=\"8\"/>\n" \
	" <field name=\"LMA\" start=\"10\" end=\"10\"/><field name=\"NXE\" start=\"11\" end=\"11\"/>\n" \
	" <field name=\"SVME\" start=\"12\" end=\"12\"/><field name=\"FFXSR\" start=\"14\" end=\"14\"/>\n" \
	"</flags>\n" \
	SYS("k_gs_base", "uint64") SYS("cr0", "hyve_cr0") SYS("cr2", "uint64") \
	SYS("cr3", "uint64") SYS("cr4", "hyve_cr4") SYS("cr8", "uint64") \
	SYS("efer", "hyve_efer") \
	"</feature>\n"

#define XML_AVX \
	"<feature name=\"org.gnu.gdb.i386.avx\">\n" \
	YMMH("0") YMMH("1") YMMH("2") YMMH("3") YMMH("4") YMMH("5") YMMH("6") YMMH("7") \
	YMMH("8") YMMH("9") YMMH("10") YMMH("11") YMMH("12") YMMH("13") YMMH("14") YMMH("15") \
	"</feature>\n"

/*
 * The rest of the system state a kernel debugger asks for, as registers of
 * their own (`p $dr7`, `info registers system`).  Last in the document and
 * so outside the 'g' packet, whose layout stays what older clients know.
 */
#define XML_SYSREGS \
	"<feature name=\"org.hyve.x86.sysregs\">\n" \
	SYS("dr0", "uint64") SYS("dr1", "uint64") SYS("dr2", "uint64") SYS("dr3", "uint64") \
	SYS("dr6", "uint64") SYS("dr7", "uint64") \
	SYS("gdtr_base", "uint64") SYS32("gdtr_limit") SYS("idtr_base", "uint64") \
	SYS32("idtr_limit") SYS32("ldtr") SYS32("tr") \
	SYS("cs_base", "uint64") SYS32("cs_limit") SYS("ss_base", "uint64") SYS32("ss_limit") \
	SYS("ds_base", "uint64") SYS32("ds_limit") SYS("es_base", "uint64") SYS32("es_limit") \
	SYS32("fs_limit") SYS32("gs_limit") \
	SYS("ldtr_base", "uint64") SYS32("ldtr_limit") SYS("tr_base", "uint64") \
	SYS32("tr_limit") \
	"</feature>\n"

#define XML_TAIL "</target>\n"

#define REG(n, bits, type) "<reg name=\"" n "\" bitsize=\"" #bits "\" type=\"" type "\"/>\n"
#define GPR(n)		REG(n, 64, "int64")
#define ST(i)		REG("st" i, 80, "i387_ext")
#define FPC(n)		"<reg name=\"" n "\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
#define XMM(i)		REG("xmm" i, 128, "vec128")
#define YMMH(i)		REG("ymm" i "h", 128, "uint128")
#define SYS(n, type)	"<reg name=\"" n "\" bitsize=\"64\" type=\"" type "\" group=\"system\"/>\n"
#define SYS32(n)	"<reg name=\"" n "\" bitsize=\"32\" type=\"uint32\" group=\"system\"/>\n"

static const char xml_noavx[] =
	XML_HEAD XML_CORE XML_SSE XML_SEGMENTS XML_SYS XML_SYSREGS XML_TAIL;
static const char xml_avx[] =
	XML_HEAD XML_CORE XML_SSE XML_SEGMENTS XML_SYS XML_AVX XML_SYSREGS XML_TAIL;

const char *x86_gdb_target_xml(bool has_avx, size_t *len)
{
	if (len)
		*len = (has_avx ? sizeof(xml_avx) : sizeof(xml_noavx)) - 1;
	return has_avx ? xml_avx : xml_noavx;
}

/* ---- register table ---- */

#define FLD(f)	offsetof(struct x86_gdb_state, f), sizeof(((struct x86_gdb_state *)0)->f)
#define E(name, type, group, bits, off, f) { name, type, group, bits, off, FLD(f) }
#define EGPR(name, i, f)	E(name, "int64", NULL, 64, 8 * (i), f)
#define ESEG(name, i, f)	E(name, "int32", NULL, 32, 140 + 4 * (i), f)
#define EST(i)			E("st" #i, "i387_ext", NULL, 80, 164 + 10 * (i), st[i])
#define EFPC(name, i, f)	E(name, "int", "float", 32, 244 + 4 * (i), f)
#define EXMM(i)			E("xmm" #i, "vec128", NULL, 128, 276 + 16 * (i), xmm[i])
#define ESYS(name, type, i, f)	E(name, type, "system", 64, 552 + 8 * (i), f)
#define EYMMH(i)		E("ymm" #i "h", "uint128", NULL, 128, 608 + 16 * (i), ymmh[i])

static const struct x86_gdb_reg regs[X86_GDB_NREGS_AVX] = {
	EGPR("rax", 0, rax), EGPR("rbx", 1, rbx), EGPR("rcx", 2, rcx), EGPR("rdx", 3, rdx),
	EGPR("rsi", 4, rsi), EGPR("rdi", 5, rdi),
	E("rbp", "data_ptr", NULL, 64, 48, rbp), E("rsp", "data_ptr", NULL, 64, 56, rsp),
	EGPR("r8", 8, r8), EGPR("r9", 9, r9), EGPR("r10", 10, r10), EGPR("r11", 11, r11),
	EGPR("r12", 12, r12), EGPR("r13", 13, r13), EGPR("r14", 14, r14), EGPR("r15", 15, r15),
	E("rip", "code_ptr", NULL, 64, 128, rip),
	E("eflags", "i386_eflags", NULL, 32, 136, rflags),
	ESEG("cs", 0, cs), ESEG("ss", 1, ss), ESEG("ds", 2, ds),
	ESEG("es", 3, es), ESEG("fs", 4, fs), ESEG("gs", 5, gs),
	EST(0), EST(1), EST(2), EST(3), EST(4), EST(5), EST(6), EST(7),
	EFPC("fctrl", 0, fctrl), EFPC("fstat", 1, fstat), EFPC("ftag", 2, ftag),
	EFPC("fiseg", 3, fiseg), EFPC("fioff", 4, fioff), EFPC("foseg", 5, foseg),
	EFPC("fooff", 6, fooff), EFPC("fop", 7, fop),
	EXMM(0), EXMM(1), EXMM(2), EXMM(3), EXMM(4), EXMM(5), EXMM(6), EXMM(7),
	EXMM(8), EXMM(9), EXMM(10), EXMM(11), EXMM(12), EXMM(13), EXMM(14), EXMM(15),
	E("mxcsr", "i386_mxcsr", "vector", 32, 532, mxcsr),
	E("fs_base", "int", NULL, 64, 536, fs_base), E("gs_base", "int", NULL, 64, 544, gs_base),
	ESYS("k_gs_base", "uint64", 0, k_gs_base), ESYS("cr0", "hyve_cr0", 1, cr0),
	ESYS("cr2", "uint64", 2, cr2), ESYS("cr3", "uint64", 3, cr3),
	ESYS("cr4", "hyve_cr4", 4, cr4), ESYS("cr8", "uint64", 5, cr8),
	ESYS("efer", "hyve_efer", 6, efer),
	EYMMH(0), EYMMH(1), EYMMH(2), EYMMH(3), EYMMH(4), EYMMH(5), EYMMH(6), EYMMH(7),
	EYMMH(8), EYMMH(9), EYMMH(10), EYMMH(11), EYMMH(12), EYMMH(13), EYMMH(14), EYMMH(15),
};

/* org.hyve.x86.sysregs; offsets as gdb lays out its register cache, after the 'g' ones. */
#define ES64(name, i, f)	E(name, "uint64", "system", 64, 0, f)
#define ES32(name, f)		E(name, "uint32", "system", 32, 0, f)

static const struct x86_gdb_reg sysregs[X86_GDB_NSYSREGS] = {
	ES64("dr0", 0, dr[0]), ES64("dr1", 0, dr[1]), ES64("dr2", 0, dr[2]),
	ES64("dr3", 0, dr[3]), ES64("dr6", 0, dr6), ES64("dr7", 0, dr7),
	ES64("gdtr_base", 0, gdtr_base), ES32("gdtr_limit", gdtr_limit),
	ES64("idtr_base", 0, idtr_base), ES32("idtr_limit", idtr_limit),
	ES32("ldtr", ldtr), ES32("tr", tr),
	ES64("cs_base", 0, cs_base), ES32("cs_limit", cs_limit),
	ES64("ss_base", 0, ss_base), ES32("ss_limit", ss_limit),
	ES64("ds_base", 0, ds_base), ES32("ds_limit", ds_limit),
	ES64("es_base", 0, es_base), ES32("es_limit", es_limit),
	ES32("fs_limit", fs_limit), ES32("gs_limit", gs_limit),
	ES64("ldtr_base", 0, ldtr_base), ES32("ldtr_limit", ldtr_limit),
	ES64("tr_base", 0, tr_base), ES32("tr_limit", tr_limit),
};

/* The sysregs' entries with their offsets for each layout, filled on first use. */
static struct x86_gdb_reg sys_laid[2][X86_GDB_NSYSREGS];
static bool sys_done[2];

int x86_gdb_nregs_g(bool has_avx)
{
	return has_avx ? X86_GDB_NREGS_AVX : X86_GDB_NREGS_NOAVX;
}

int x86_gdb_nregs(bool has_avx)
{
	return x86_gdb_nregs_g(has_avx) + X86_GDB_NSYSREGS;
}

bool x86_gdb_reg_is_dr(unsigned regno, bool has_avx)
{
	unsigned g = (unsigned)x86_gdb_nregs_g(has_avx);

	return regno >= g + X86_GDB_SYS_DR0 && regno <= g + X86_GDB_SYS_DR7;
}

size_t x86_gdb_g_size(bool has_avx)
{
	return has_avx ? X86_GDB_G_SIZE_AVX : X86_GDB_G_SIZE_NOAVX;
}

const struct x86_gdb_reg *x86_gdb_reg_info(unsigned regno, bool has_avx)
{
	unsigned g = (unsigned)x86_gdb_nregs_g(has_avx);

	if (regno < g)
		return &regs[regno];
	if (regno >= (unsigned)x86_gdb_nregs(has_avx))
		return NULL;
	if (!sys_done[has_avx]) {	/* event thread and tests only: no race */
		uint16_t off = (uint16_t)x86_gdb_g_size(has_avx);

		for (int i = 0; i < X86_GDB_NSYSREGS; i++) {
			sys_laid[has_avx][i] = sysregs[i];
			sys_laid[has_avx][i].offset = off;
			off = (uint16_t)(off + sysregs[i].bitsize / 8);
		}
		sys_done[has_avx] = true;
	}
	return &sys_laid[has_avx][regno - g];
}

int x86_gdb_reg_find(const char *name, bool has_avx)
{
	for (int i = 0; i < x86_gdb_nregs(has_avx); i++)
		if (!strcmp(x86_gdb_reg_info((unsigned)i, has_avx)->name, name))
			return i;
	return -ENOENT;
}

/* ---- conversion ---- */

/*
 * Copy one register from the state into its packet bytes.  Integer fields
 * may be narrower or wider than the packet slot (selectors, eflags), so go
 * through a value; vectors and x87 registers are byte arrays already in
 * target (little-endian) order.
 */
static void reg_out(const struct x86_gdb_reg *r, const struct x86_gdb_state *s, uint8_t *out)
{
	const uint8_t *f = (const uint8_t *)s + r->state_off;
	unsigned bytes = r->bitsize / 8;
	uint64_t v;

	if (bytes > 8) {
		memcpy(out, f, bytes);
		return;
	}
	switch (r->state_size) {
	case 2: { uint16_t x; memcpy(&x, f, 2); v = x; break; }
	case 4: { uint32_t x; memcpy(&x, f, 4); v = x; break; }
	default: memcpy(&v, f, 8); break;
	}
	for (unsigned i = 0; i < bytes; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

static void reg_in(const struct x86_gdb_reg *r, struct x86_gdb_state *s, const uint8_t *in)
{
	uint8_t *f = (uint8_t *)s + r->state_off;
	unsigned bytes = r->bitsize / 8;
	uint64_t v = 0;

	if (bytes > 8) {
		memcpy(f, in, bytes);
		return;
	}
	for (unsigned i = bytes; i-- > 0;)
		v = (v << 8) | in[i];
	switch (r->state_size) {
	case 2: { uint16_t x = (uint16_t)v; memcpy(f, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(f, &x, 4); break; }
	default: memcpy(f, &v, 8); break;
	}
}

int x86_gdb_regs_to_g(const struct x86_gdb_state *s, uint8_t *out, size_t cap)
{
	size_t size = x86_gdb_g_size(s->has_avx);
	int n = x86_gdb_nregs_g(s->has_avx);

	if (cap < size)
		return -ENOSPC;
	for (int i = 0; i < n; i++)
		reg_out(&regs[i], s, out + regs[i].offset);
	return (int)size;
}

int x86_gdb_regs_from_g(struct x86_gdb_state *s, const uint8_t *buf, size_t len)
{
	int n = x86_gdb_nregs_g(s->has_avx);

	if (len != x86_gdb_g_size(s->has_avx))
		return -EINVAL;
	for (int i = 0; i < n; i++)
		reg_in(&regs[i], s, buf + regs[i].offset);
	return 0;
}

int x86_gdb_reg_get(const struct x86_gdb_state *s, unsigned regno, uint8_t *out, size_t cap)
{
	const struct x86_gdb_reg *r = x86_gdb_reg_info(regno, s->has_avx);

	if (!r)
		return -EINVAL;
	if (cap < (size_t)r->bitsize / 8)
		return -ENOSPC;
	reg_out(r, s, out);
	return r->bitsize / 8;
}

int x86_gdb_reg_set(struct x86_gdb_state *s, unsigned regno, const uint8_t *buf, size_t len)
{
	const struct x86_gdb_reg *r = x86_gdb_reg_info(regno, s->has_avx);
	unsigned g = (unsigned)x86_gdb_nregs_g(s->has_avx);

	if (!r || len != (size_t)r->bitsize / 8)
		return -EINVAL;
	/* a selector alone would not match the descriptor state behind it */
	if (regno == g + X86_GDB_SYS_LDTR || regno == g + X86_GDB_SYS_TR)
		return -EINVAL;
	reg_in(r, s, buf);
	return 0;
}

/* ---- x87 tag word ---- */

enum { TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3 };

static unsigned fpu_classify(const uint8_t *st)
{
	uint64_t mant = 0;
	unsigned exp = (unsigned)(st[8] | (st[9] << 8)) & 0x7fff;

	for (int i = 7; i >= 0; i--)
		mant = (mant << 8) | st[i];
	if (exp == 0x7fff)
		return TAG_SPECIAL;		/* infinity, NaN */
	if (exp == 0)
		return mant ? TAG_SPECIAL : TAG_ZERO;	/* denormal or zero */
	return (mant >> 63) ? TAG_VALID : TAG_SPECIAL;	/* unnormal without J bit */
}

uint16_t x86_fpu_tag_full(uint8_t abridged, uint16_t fsw, const uint8_t st[8][10])
{
	unsigned top = (fsw >> 11) & 7;
	uint16_t tag = 0;

	/* Tags are by physical register; st[] is by stack position from TOP. */
	for (unsigned phys = 0; phys < 8; phys++) {
		unsigned t = TAG_EMPTY;

		if (abridged & (1u << phys))
			t = fpu_classify(st[(phys - top) & 7]);
		tag |= (uint16_t)(t << (2 * phys));
	}
	return tag;
}

uint8_t x86_fpu_tag_abridged(uint16_t full)
{
	uint8_t ab = 0;

	for (unsigned phys = 0; phys < 8; phys++)
		if (((full >> (2 * phys)) & 3) != TAG_EMPTY)
			ab |= (uint8_t)(1u << phys);
	return ab;
}
