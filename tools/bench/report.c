/* report.c -- series statistics, the table, the JSON; see report.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

const struct metric_info metric_info[M_COUNT] = {
	[M_ATTACH] = { "attach_ms", "ms", true },
	[M_REGS] = { "regs_per_s", "1/s", false },
	[M_MEM_M] = { "mem_m_MiBps", "MiB/s", false },
	[M_MEM_X] = { "mem_x_MiBps", "MiB/s", false },
	[M_MEM_TEXT] = { "mem_text_MiBps", "MiB/s", false },
	[M_BP_HW] = { "bp_hw_hits_per_s", "1/s", false },
	[M_BP_SW] = { "bp_sw_hits_per_s", "1/s", false },
	[M_STEPS] = { "steps_per_s", "1/s", false },
	[M_STEP_G] = { "stepi_g_per_s", "1/s", false },
	[M_INTR] = { "interrupt_ms", "ms", true },
};

void series_add(struct series *s, double v)
{
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 16;
		double *n = realloc(s->v, (size_t)cap * sizeof(*n));

		if (!n)
			return;
		s->v = n;
		s->cap = cap;
	}
	s->v[s->n++] = v;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double series_median(const struct series *s)
{
	double *v, m;

	if (!s || !s->n)
		return NAN;
	v = malloc((size_t)s->n * sizeof(*v));
	if (!v)
		return NAN;
	memcpy(v, s->v, (size_t)s->n * sizeof(*v));
	qsort(v, (size_t)s->n, sizeof(*v), cmp);
	m = s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
	free(v);
	return m;
}

double series_min(const struct series *s)
{
	double m = NAN;

	for (int i = 0; s && i < s->n; i++)
		if (isnan(m) || s->v[i] < m)
			m = s->v[i];
	return m;
}

double series_max(const struct series *s)
{
	double m = NAN;

	for (int i = 0; s && i < s->n; i++)
		if (isnan(m) || s->v[i] > m)
			m = s->v[i];
	return m;
}

void target_error(struct target *t, const char *fmt, ...)
{
	va_list ap;

	if (t->nerr == MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(t->errors[t->nerr], sizeof(t->errors[0]), fmt, ap);
	va_end(ap);
	fprintf(stderr, "[%s] ERROR %s\n", t->name, t->errors[t->nerr]);
	t->nerr++;
}

/* Pairwise ratios b[i]/a[i] of samples taken side by side. */
static void pairwise(const struct series *a, const struct series *b, struct series *out)
{
	for (int i = 0; a && b && i < a->n && i < b->n; i++)
		if (a->v[i] != 0)
			series_add(out, b->v[i] / a->v[i]);
}

double row_goal_value(const struct row *r, bool *met)
{
	const struct series *ref = r->goal_ref ? r->goal_ref : r->a;
	double v = series_median(r->b) / series_median(ref);

	if (r->goal_kind == GOAL_PAIRS_AT_LEAST) {
		struct series pw = { 0 };

		pairwise(r->a, r->b, &pw);
		v = pw.n ? series_median(&pw) : NAN;
		free(pw.v);
	}

	*met = false;
	if (isnan(v) || r->goal_kind == GOAL_NONE)
		return v;
	*met = r->goal_kind == GOAL_AT_MOST ? v <= r->goal : v >= r->goal;
	return v;
}

static void fmtv(char *buf, size_t cap, double v)
{
	if (isnan(v))
		snprintf(buf, cap, "-");
	else if (fabs(v) >= 1000)
		snprintf(buf, cap, "%.0f", v);
	else if (fabs(v) >= 100)
		snprintf(buf, cap, "%.1f", v);
	else if (fabs(v) >= 10)
		snprintf(buf, cap, "%.2f", v);
	else
		snprintf(buf, cap, "%.3f", v);
}

static void cell(char *buf, size_t cap, const struct series *s, const char *note)
{
	char m[32], lo[32], hi[32];

	if (!s || !s->n) {
		snprintf(buf, cap, "%s", note ? note : "-");
		return;
	}
	fmtv(m, sizeof(m), series_median(s));
	fmtv(lo, sizeof(lo), series_min(s));
	fmtv(hi, sizeof(hi), series_max(s));
	snprintf(buf, cap, "%s [%s..%s]", m, lo, hi);
}

void report_table(FILE *f, const struct row *rows, int n, const char *la, const char *lb)
{
	char ha[64], hb[64];

	snprintf(ha, sizeof(ha), "A=%s median [min..max]", la);
	snprintf(hb, sizeof(hb), "B=%s median [min..max]", lb);
	fprintf(f, "%-20s %-6s %-27s %-27s %-7s %-22s %s\n", "metric", "unit", ha, hb, "B/A",
		"pairwise B/A [min..max]", "goal");
	for (int i = 0; i < 125; i++)
		fputc('-', f);
	fputc('\n', f);
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct series pw = { 0 };
		char ca[128], cb[128], ratio[32], pws[64], goal[96];
		bool met;
		double gv;

		cell(ca, sizeof(ca), r->a, r->note_a);
		cell(cb, sizeof(cb), r->b, r->note_b);
		fmtv(ratio, sizeof(ratio), series_median(r->b) / series_median(r->a));
		pairwise(r->a, r->b, &pw);
		if (pw.n)
			snprintf(pws, sizeof(pws), "%.3f [%.3f..%.3f]", series_median(&pw),
				 series_min(&pw), series_max(&pw));
		else
			snprintf(pws, sizeof(pws), "-");
		free(pw.v);
		gv = row_goal_value(r, &met);
		if (r->goal_kind == GOAL_NONE)
			snprintf(goal, sizeof(goal), "%s", r->goal_text ? r->goal_text : "");
		else if (isnan(gv))
			snprintf(goal, sizeof(goal), "%s: not measured", r->goal_text);
		else
			snprintf(goal, sizeof(goal), "%s: %.3f %s", r->goal_text, gv,
				 met ? "met" : "NOT MET");
		fprintf(f, "%-20s %-6s %-27s %-27s %-7s %-22s %s\n", r->name, r->unit, ca, cb,
			ratio, pws, goal);
	}
}

/* ---- JSON ---- */

static void jstring(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Comma, newline and indent before a value; its key if inside an object. */
static void jsep(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	fprintf(j->f, "\n%*s", 2 * j->depth, "");
	if (key) {
		jstring(j->f, key);
		fputs(": ", j->f);
	}
}

void json_begin(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
	fputc('{', f);
}

void json_end(struct json *j)
{
	fputs("\n}\n", j->f);
}

static void jopen(struct json *j, const char *key, char c)
{
	jsep(j, key);
	fputc(c, j->f);
	j->depth++;
	j->first[j->depth] = true;
}

void json_obj(struct json *j, const char *key)
{
	jopen(j, key, '{');
}

void json_arr(struct json *j, const char *key)
{
	jopen(j, key, '[');
}

void json_close(struct json *j, char bracket)
{
	j->depth--;
	fprintf(j->f, "\n%*s%c", 2 * j->depth, "", bracket);
}

void json_str(struct json *j, const char *key, const char *v)
{
	jsep(j, key);
	if (v)
		jstring(j->f, v);
	else
		fputs("null", j->f);
}

void json_num(struct json *j, const char *key, double v)
{
	jsep(j, key);
	if (isnan(v) || isinf(v))
		fputs("null", j->f);
	else
		fprintf(j->f, "%.6g", v);
}

void json_int(struct json *j, const char *key, long long v)
{
	jsep(j, key);
	fprintf(j->f, "%lld", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	jsep(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_series(struct json *j, const char *key, const struct series *s, const char *unit)
{
	json_obj(j, key);
	if (unit)
		json_str(j, "unit", unit);
	json_num(j, "median", series_median(s));
	json_num(j, "min", series_min(s));
	json_num(j, "max", series_max(s));
	json_int(j, "n", s ? s->n : 0);
	json_arr(j, "samples");
	for (int i = 0; s && i < s->n; i++)
		json_num(j, NULL, s->v[i]);
	json_close(j, ']');
	json_close(j, '}');
}

void json_rows(struct json *j, const struct row *rows, int n)
{
	json_arr(j, "rows");
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct series pw = { 0 };
		bool met;
		double gv = row_goal_value(r, &met);

		json_obj(j, NULL);
		json_str(j, "name", r->name);
		json_str(j, "unit", r->unit);
		json_str(j, "better", r->lower_better ? "lower" : "higher");
		if (r->comment)
			json_str(j, "what", r->comment);
		json_series(j, "a", r->a, NULL);
		json_series(j, "b", r->b, NULL);
		if (r->note_a)
			json_str(j, "note_a", r->note_a);
		if (r->note_b)
			json_str(j, "note_b", r->note_b);
		json_num(j, "b_over_a", series_median(r->b) / series_median(r->a));
		pairwise(r->a, r->b, &pw);
		json_series(j, "pairwise_b_over_a", &pw, NULL);
		free(pw.v);
		if (r->goal_kind != GOAL_NONE) {
			json_str(j, "goal", r->goal_text);
			json_num(j, "goal_value", gv);
			json_bool(j, "goal_met", met);
		}
		json_close(j, '}');
	}
	json_close(j, ']');
}
