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

/*
 * What the guest saw from one fault line, for cross-arch comparison; a
 * fault_begin line is recorded too (begin set, never mapped), so that a
 * comparison sees where two runs started to go different ways.
 */
struct kvmpfn_outcome {
	unsigned int line;
	int ret;		/* 0 or -errno */
	bool mapped;
	bool writable;
	bool begin;		/* a fault_begin: only ret counts */
	bool pinned;		/* a fault_begin left KVM holding a reference */
	bool arch_specific;	/* the line says architectures may differ */
	bool write;		/* a write fault */
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
	int bug;		/* bug-zoo mutant to put back, 0: none */
	const char *seam;	/* test-only seam, NULL: none */
	/* if set, every fault line is recorded */
	struct kvmpfn_outcomes *record;
	bool trace;		/* print every step */
	bool lenient;		/* failed operations need no 'expect error' */
	bool quiet;		/* no summary line */
	/*
	 * If set, the run uses this simulator instead of creating one, and
	 * leaves it to the caller: it must be fresh from
	 * kvmpfn_sim_create_arch(@stage, @arch) or from kvmpfn_sim_reset()
	 * (a fuzz target keeps one per configuration and resets it after
	 * each run).  The run sets its checks mode and mutant.
	 */
	struct kvmpfn_sim *sim;
};

struct kvmpfn_run_stats {
	unsigned int steps;
	unsigned int expectations;
	unsigned int faults_mapped;
	unsigned int faults_failed;
	unsigned int violations;
	/* references KVM took and dropped on struct pages, whole run */
	unsigned int kvm_gets;
	unsigned int kvm_puts;
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

/*
 * The same, a line at a time: for tools that build scenarios as they go
 * (the explorer, fuzz targets).  kvmpfn_session_line() returns 0, or 2
 * once a line was bad input (the session then refuses further lines);
 * kvmpfn_session_finish() gives the verdict and frees the session.
 */
struct kvmpfn_session;

struct kvmpfn_session *kvmpfn_session_create(const char *path,
					     const struct kvmpfn_run_opts *opts,
					     FILE *out, FILE *err);
int kvmpfn_session_line(struct kvmpfn_session *s, const char *text,
			size_t len);
/* the result of the last operation line: 0 or -errno */
int kvmpfn_session_result(const struct kvmpfn_session *s);
struct kvmpfn_sim *kvmpfn_session_sim(struct kvmpfn_session *s);
/* whether violation @i (kvmpfn_violations order) was expected by the text */
bool kvmpfn_session_expected(const struct kvmpfn_session *s, unsigned int i);
int kvmpfn_session_finish(struct kvmpfn_session *s,
			  struct kvmpfn_run_stats *stats);

#ifdef __cplusplus
}
#endif

#endif
