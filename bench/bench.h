/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of kvmpfn-bench share: clocks, JSON figure helpers, the
 * failure count and the list of figures judged against their targets.
 */
#ifndef KVMPFN_BENCH_H
#define KVMPFN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern int bench_failures;

double bench_now(void);		/* monotonic wall clock, seconds */
double bench_cpu(void);		/* CPU time of this process, seconds */
double bench_num(double x);	/* a JSON number: never nan or inf */
double bench_ratio(double a, double b);	/* a / b, or -1 */
/* a JSON value for a figure that may be missing (<0) */
const char *bench_fig(char *buf, size_t len, const char *fmt, double x);
void bench_error_line(const char *bench, const char *arch, const char *what,
		      const char *why);

/* a fixed-seed generator, so every build draws the same numbers */
static inline uint64_t bench_xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* ---- targets (targets.c) ------------------------------------------------ */

enum bench_want { WANT_AT_LEAST, WANT_AT_MOST };

/*
 * Record figure @measured (<0: not measured) of target @id ("P1".."P4")
 * for @arch ("-" if the target is not per model); printed by
 * bench_targets() at the end of the run, next to the target.
 */
void bench_target(const char *id, const char *arch, const char *what,
		  enum bench_want want, double target, double measured,
		  const char *unit);
/* print every recorded target as a JSON line and a table on @stderr */
void bench_targets(void);

/* ---- P4 (p4_fuzz.c) ----------------------------------------------------- */

struct p4_opts {
	unsigned int inputs;	/* corpus size */
	unsigned int ops;	/* operations an input runs after its config */
	unsigned int reps;	/* best of this many passes */
	const char *other;	/* another kvmpfn-bench build to run P4 in */
	const char *dump;	/* write the corpus here, one file an input */
	bool no_target;		/* another run judges the target */
};

/* the fuzz figure: exec/s of the model fuzz target over a fixed corpus */
void bench_p4(const struct p4_opts *o);
/* "address,undefined", "none", ...: what this binary was built with */
const char *bench_sanitizers(void);

#endif
