/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparing two stages: run a scenario at stage A and at stage B on the
 * same architecture model (<kvmpfn/observe.h> records both) and list,
 * step by step, where the outcomes differ.
 *
 * Aspects of a step that are compared:
 *   error      the operation's result
 *   map        a fault's leaf: mapped, pfn, writable, refcounted
 *   refs       the struct page references KVM took and put
 *   ad         a page's dirty / accessed flags after the step
 *   count      a page's refcount after the step
 *   violation  the invariants raised
 *
 * What is reported, so that one difference is read once:
 *   - A step whose result differs is an error difference only: its map,
 *     refs, ad and count differences follow from it (violations are
 *     always reported).
 *   - After a fault_begin whose result differs, the steps of that vCPU's
 *     faults up to its fault_finish are not compared (one stage has a
 *     fault in flight, the other not: EBUSY against a lookup, EINVAL for
 *     nothing to finish); their violations are.  If one of them changed
 *     one run and not the other (a fault that mapped in one stage only),
 *     the runs part there: later steps are not compared, nor are the
 *     declarations about them checked.
 *   - While a fault in flight holds a reference in one stage only (a
 *     fault_begin whose gets - puts differ, up to its fault_finish), the
 *     host operations (alloc .. thp_collapse in enum kvmpfn_op) are not
 *     compared: what they do by a page's count follows from the pin; one
 *     that did its work in one stage only parts the runs.
 *   - map is compared on faults only, when both results agree, and
 *     neither map nor refs on a fault onto a page a leaf mapped in one
 *     stage and not the other before it (a huge leaf only one stage
 *     installed): they follow from what installed it.
 *   - count is not compared at a step whose refs differ: the counts
 *     follow from KVM's references.
 *   - ad and count compare where a page stands after the step, but a
 *     page is reported only where its A/B difference appears or changes:
 *     a count that is one higher at B from some step on is reported at
 *     that step, and again only if the gap changes; a gap that closes is
 *     not reported (it was reported where it opened).  Pages in a row of
 *     one allocation that differ the same way are one difference (the
 *     pages of a folio share its count).  The differences a
 *     step with an error difference leaves behind are taken as the
 *     starting point, not reported, and so are the differences of a
 *     page that a leaf mapped in one stage and not in the other before
 *     the step (a zap marks it dirty in one only): they follow from the
 *     difference that mapped it.  A page freed in either stage has no
 *     flags to compare (a collapse that a pin held off in one stage freed
 *     it in the other).  Pages only one stage observed (an
 *     anonymous page only one of them mapped) are not compared, and a
 *     page's count only from the step after both first observed it (it
 *     may share a folio whose count differed before).
 *
 * Declared differences: a scenario line
 *   differs stage=A,B what=ASPECT[,ASPECT...] [arch=LIST]
 * after the operation it is about says that between those two stages
 * (either order) that step differs in exactly those aspects, on the
 * listed models (all if no arch=).  kvmpfn_compare_buffer() fails on an
 * undeclared difference and on a declared one that did not happen.
 *
 * Every difference has a class: "ASPECT/OP/KIND/DIRECTION", the
 * direction read from the earlier stage of the pair to the later one
 * (e.g. "error/fault/pfnmap-refcount0/EFAULT->ok").  The classes known to
 * exist between stages are one table (kvmpfn_diff_classes()).
 */
#ifndef KVMPFN_COMPARE_H
#define KVMPFN_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <kvmpfn/observe.h>

#ifdef __cplusplus
extern "C" {
#endif

enum kvmpfn_aspect {
	KVMPFN_ASPECT_ERROR,
	KVMPFN_ASPECT_MAP,
	KVMPFN_ASPECT_REFS,
	KVMPFN_ASPECT_AD,
	KVMPFN_ASPECT_COUNT,
	KVMPFN_ASPECT_VIOLATION,
	KVMPFN_NR_ASPECTS
};

const char *kvmpfn_aspect_name(enum kvmpfn_aspect aspect);
/* -EINVAL if unknown */
int kvmpfn_aspect_parse(const char *name, enum kvmpfn_aspect *aspect);

#define KVMPFN_DIFF_TEXT	96
#define KVMPFN_DIFF_CLASS	96

/* One difference at one step. */
struct kvmpfn_diff {
	unsigned int line;		/* the step's line */
	enum kvmpfn_aspect aspect;
	enum kvmpfn_op op;
	enum kvmpfn_obs_kind kind;	/* the step's page, or ad/count's */
	uint64_t pfn;			/* ad, count: the first page */
	uint64_t npages;		/* ... and how many, in a row, differ
					 * the same way (a folio's pages) */
	char what[2][KVMPFN_DIFF_TEXT];	/* what A and what B did */
	char cls[KVMPFN_DIFF_CLASS];	/* the class key */
	bool declared;
};

struct kvmpfn_diffs {
	struct kvmpfn_diff *v;
	size_t n;
	size_t cap;
	/*
	 * The line where the runs parted (0: they did not): a fault that
	 * follows from the fault_begin on line parted_from changed one run
	 * and not the other, or (parted_from 0) a host operation did its
	 * work in one stage only while a fault in flight pinned a page in
	 * the other, or (parted_kernel) a kernel access changed the host in
	 * one stage only (faulted memory in, or a pfncache waited out open
	 * invalidations), or (parted_host) this step, which differs in a
	 * way no class explains, meets host memory the kernel access on
	 * line parted_host installed in one stage only; nothing after it
	 * is compared (nor its own differences kept).
	 */
	unsigned int parted;
	unsigned int parted_from;
	bool parted_kernel;
	unsigned int parted_host;
};

void kvmpfn_diffs_free(struct kvmpfn_diffs *d);

/*
 * Append the differences between two records of the same scenario (its
 * lines and steps must be the same: -EINVAL if not) to @out, none marked
 * declared.  0 or -ENOMEM.
 */
int kvmpfn_compare_obs(const struct kvmpfn_obs *a, const struct kvmpfn_obs *b,
		       struct kvmpfn_diffs *out);

/* One class of difference known to exist between stages. */
struct kvmpfn_diff_class {
	/* the stage whose change causes it (v7.5, v7.7, final, ...) */
	enum kvmpfn_stage since;
	const char *key;	/* "ASPECT/OP/KIND/DIRECTION" */
	const char *why;	/* one line: what in the series causes it */
	const char *scenario;	/* a scenario that shows it */
};

const struct kvmpfn_diff_class *kvmpfn_diff_classes(unsigned int *n);
/*
 * The table's entry for @key (a part of an entry may be '*'; N in a
 * direction stands for one number throughout, "+N-N->+0-0"; an A/D
 * direction such as "dirty:no->yes,accessed:no->yes" also stands for each
 * of its flags alone) that stages
 * @a and @b can show, i.e. whose change lies between them (after the
 * earlier, up to and including the later), or NULL.
 */
const struct kvmpfn_diff_class *kvmpfn_diff_class_find(const char *key,
						       enum kvmpfn_stage a,
						       enum kvmpfn_stage b);

struct kvmpfn_compare_opts {
	enum kvmpfn_stage a, b;
	enum kvmpfn_arch arch;
	enum kvmpfn_checks checks;
	bool quiet;		/* only what fails: no declared lines, no
				 * summary */
	bool show_class;	/* each difference line ends in [CLASS],
				 * with a '?' if the table lacks it */
};

struct kvmpfn_compare_stats {
	unsigned int steps;
	unsigned int diffs;
	unsigned int declared;		/* differences a line declared */
	unsigned int undeclared;
	unsigned int unseen;		/* declared, did not differ */
	unsigned int unknown;		/* differences of a class not known */
	int rc[2];			/* each run's verdict */
};

/*
 * Compare @path (or its text @buf of @len bytes) at opts->a and opts->b:
 * differences as FILE:LINE: ARCH: ASPECT: A: ... | B: ... on @out, a
 * declared one followed by "(declared)", then "declared but not seen"
 * lines and a summary; diagnostics on @err.  Returns KVMPFN_EXIT_OK if
 * every difference is declared and every declaration seen, _FAIL if not,
 * _USAGE on bad input.  @stats may be NULL.
 */
int kvmpfn_compare_buffer(const char *path, const char *buf, size_t len,
			  const struct kvmpfn_compare_opts *opts, FILE *out,
			  FILE *err, struct kvmpfn_compare_stats *stats);
int kvmpfn_compare_file(const char *path,
			const struct kvmpfn_compare_opts *opts, FILE *out,
			FILE *err, struct kvmpfn_compare_stats *stats);

#ifdef __cplusplus
}
#endif

#endif
