// SPDX-License-Identifier: GPL-2.0
/*
 * The targets of DESIGN section 8 next to what this run measured: one
 * "target" JSON line each on stdout and the same as a table on stderr,
 * at the end of the run.  "ratio" is measured / target, so a target met
 * is ratio >= 1 for a floor (faults/s, exec/s) and <= 1 for a ceiling
 * (slowdowns, memory).  Judging is left to the reader: the exit status
 * does not depend on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct target_fig {
	char id[4];
	char arch[8];
	char what[160];
	char unit[16];
	enum bench_want want;
	double target;
	double measured;
};

static struct target_fig *figs;
static unsigned int nr_figs, cap_figs;

void bench_target(const char *id, const char *arch, const char *what,
		  enum bench_want want, double target, double measured,
		  const char *unit)
{
	struct target_fig *t;

	if (nr_figs == cap_figs) {
		unsigned int cap = cap_figs ? 2 * cap_figs : 16;

		t = realloc(figs, cap * sizeof(*t));
		if (!t)
			return;		/* the figure itself was printed */
		figs = t;
		cap_figs = cap;
	}
	t = &figs[nr_figs++];
	snprintf(t->id, sizeof(t->id), "%s", id);
	snprintf(t->arch, sizeof(t->arch), "%s", arch);
	snprintf(t->what, sizeof(t->what), "%s", what);
	snprintf(t->unit, sizeof(t->unit), "%s", unit);
	t->want = want;
	t->target = target;
	t->measured = measured;
}

/* "yes", "no" or "n/a" (not measured) */
static const char *met(const struct target_fig *t)
{
	if (t->measured < 0)
		return "n/a";
	if (t->want == WANT_AT_LEAST)
		return t->measured >= t->target ? "yes" : "no";
	return t->measured <= t->target ? "yes" : "no";
}

void bench_targets(void)
{
	const char *sign;
	char b1[32], b2[32];
	unsigned int i;

	if (!nr_figs)
		return;
	for (i = 0; i < nr_figs; i++) {
		const struct target_fig *t = &figs[i];

		sign = t->want == WANT_AT_LEAST ? ">=" : "<=";
		printf("{\"bench\":\"target\",\"id\":\"%s\",\"arch\":\"%s\","
		       "\"what\":\"%s\",\"unit\":\"%s\",\"want\":\"%s\","
		       "\"target\":%.10g,\"measured\":%s,\"ratio\":%s,"
		       "\"met\":\"%s\"}\n",
		       t->id, t->arch, t->what, t->unit, sign, t->target,
		       bench_fig(b1, sizeof(b1), "%.6g", t->measured),
		       bench_fig(b2, sizeof(b2), "%.3f",
				 bench_ratio(t->measured, t->target)),
		       met(t));
	}
	fflush(stdout);

	fprintf(stderr, "\n%-3s %-6s %-60s %12s %10s %6s %s\n", "id", "arch",
		"figure", "target", "measured", "ratio", "met");
	for (i = 0; i < nr_figs; i++) {
		const struct target_fig *t = &figs[i];
		char tg[32];

		sign = t->want == WANT_AT_LEAST ? ">=" : "<=";
		snprintf(tg, sizeof(tg), "%s %.10g", sign, t->target);
		fprintf(stderr, "%-3s %-6s %-60.60s %12s %10s %6s %s\n",
			t->id, t->arch, t->what, tg,
			bench_fig(b1, sizeof(b1), "%.4g", t->measured),
			bench_fig(b2, sizeof(b2), "%.2f",
				  bench_ratio(t->measured, t->target)),
			met(t));
	}
	free(figs);
	figs = NULL;
	nr_figs = cap_figs = 0;
}
