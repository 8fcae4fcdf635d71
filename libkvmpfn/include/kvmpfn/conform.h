/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differential conformance: one scenario run in lockstep on a model stage
 * and on a kernel-built stage (the tree's own functions), compared after
 * every line.  What is compared is what a kernel developer would call the
 * behaviour: the operation's result, the struct page events of the step
 * (references taken and dropped, host map/unmap, accessed/dirty marks, per
 * page, with the count they left), the second-stage leaves, the pfncaches
 * and kernel maps, the dirty logs and every invariant report.
 */
#ifndef KVMPFN_CONFORM_H
#define KVMPFN_CONFORM_H

#include <stddef.h>
#include <stdio.h>

#include <kvmpfn/kvmpfn.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kvmpfn_conform_opts {
	enum kvmpfn_stage model;	/* usually kvmpfn_stage_model(kernel) */
	enum kvmpfn_stage kernel;	/* the kernel-built stage */
	enum kvmpfn_arch arch;
	enum kvmpfn_checks checks;
	/*
	 * For generated inputs (decoded fuzz inputs): failed operations need
	 * no 'expect error', and a line the parser refuses ends the run
	 * instead of being bad input.
	 */
	bool lenient;
	/*
	 * If set, the simulators to run the model and the kernel-built side
	 * on, the caller's (see struct kvmpfn_run_opts.sim): fresh or reset.
	 */
	struct kvmpfn_sim *sim[2];
};

struct kvmpfn_conform_stats {
	unsigned int lines;		/* lines both ran */
	unsigned int steps;		/* operations compared */
	unsigned int events;		/* struct page events compared */
};

/*
 * 0: the two runs agree on every line; 1: they diverge (the first
 * divergence is reported on @out: file:line, both outcomes and the
 * page's history on each side); 2: bad input, or a stage or architecture
 * this build does not have (reported on @err).
 */
int kvmpfn_conform_buffer(const char *path, const char *buf, size_t len,
			  const struct kvmpfn_conform_opts *opts, FILE *out,
			  FILE *err, struct kvmpfn_conform_stats *stats);
int kvmpfn_conform_file(const char *path,
			const struct kvmpfn_conform_opts *opts, FILE *out,
			FILE *err, struct kvmpfn_conform_stats *stats);

#ifdef __cplusplus
}
#endif

#endif
