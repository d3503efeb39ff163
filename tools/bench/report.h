/*
 * report.h -- what a benchmark run prints: one row per figure, A (QEMU)
 * against B (hyve) with medians, min/max, the B/A ratio and the goal; and
 * the same, with every sample, as JSON.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdio.h>

#include "bench.h"

enum goal_kind {
	GOAL_NONE,
	GOAL_AT_LEAST,		/* median(B) / median(ref) >= goal */
	GOAL_AT_MOST,		/* median(B) / median(ref) <= goal */
	GOAL_PAIRS_AT_LEAST,	/* median of B[i] / A[i] >= goal (samples taken in pairs) */
};

struct row {
	const char *name;
	const char *unit;
	bool lower_better;
	const struct series *a, *b;	/* either may be NULL or empty */
	const char *note_a, *note_b;	/* shown when the series is empty */
	enum goal_kind goal_kind;
	double goal;
	const struct series *goal_ref;	/* the goal's denominator: NULL means a */
	const char *goal_text;		/* e.g. ">= 4x QEMU" */
	const char *comment;		/* what the row is, for the JSON and the doc */
};

/* The ratio the goal is about, and whether it is met (false if not computable). */
double row_goal_value(const struct row *r, bool *met);
void report_table(FILE *f, const struct row *rows, int n, const char *la, const char *lb);

/* ---- JSON writer (tiny, streaming) ---- */
struct json {
	FILE *f;
	int depth;
	bool first[32];
};
void json_begin(struct json *j, FILE *f);
void json_end(struct json *j);
void json_obj(struct json *j, const char *key);		/* key NULL inside arrays */
void json_arr(struct json *j, const char *key);
void json_close(struct json *j, char bracket);		/* '}' or ']' */
void json_str(struct json *j, const char *key, const char *v);
void json_num(struct json *j, const char *key, double v);
void json_int(struct json *j, const char *key, long long v);
void json_bool(struct json *j, const char *key, bool v);
void json_series(struct json *j, const char *key, const struct series *s, const char *unit);
void json_rows(struct json *j, const struct row *rows, int n);

#endif
