/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenario files: one operation a line, '#' comments, key=value arguments.
 * A run executes a file against a fresh simulator at one stage, checks its
 * expectations and the invariants, and returns the CLI's exit code.
 */
#ifndef KVMPFN_SCENARIO_H
#define KVMPFN_SCENARIO_H

#include <stdint.h>
#include <stdio.h>

#include <kvmpfn/kvmpfn.h>

#ifdef __cplusplus
extern "C" {
#endif

enum kvmpfn_exit {
	KVMPFN_EXIT_OK = 0,		/* expectations met, no violation */
	KVMPFN_EXIT_FAIL = 1,		/* violation or unmet expectation */
	KVMPFN_EXIT_USAGE = 2,		/* bad input or usage */
};

/* What the guest saw from one fault line, for cross-arch comparison. */
struct kvmpfn_outcome {
	unsigned int line;
	int ret;		/* 0 or -errno */
	bool mapped;
	bool writable;
	uint64_t pfn;
};

struct kvmpfn_outcomes {
	struct kvmpfn_outcome *v;
	size_t n;
	size_t cap;
};

struct kvmpfn_run_opts {
	enum kvmpfn_stage stage;
	enum kvmpfn_arch arch;
	enum kvmpfn_checks checks;
	/* if set, every fault line not marked arch_specific is recorded */
	struct kvmpfn_outcomes *record;
	bool trace;		/* print every step */
	bool quiet;		/* no summary line */
};

struct kvmpfn_run_stats {
	unsigned int steps;
	unsigned int expectations;
	unsigned int faults_mapped;
	unsigned int faults_failed;
	unsigned int violations;
};

/*
 * Run @path (or the text @buf of @len bytes, named @path in messages).
 * Diagnostics go to @err as FILE:LINE:COL: message; traces and reports to
 * @out.  @stats may be NULL.
 */
int kvmpfn_run_file(const char *path, const struct kvmpfn_run_opts *opts,
		    FILE *out, FILE *err, struct kvmpfn_run_stats *stats);
int kvmpfn_run_buffer(const char *path, const char *buf, size_t len,
		      const struct kvmpfn_run_opts *opts, FILE *out,
		      FILE *err, struct kvmpfn_run_stats *stats);

#ifdef __cplusplus
}
#endif

#endif
