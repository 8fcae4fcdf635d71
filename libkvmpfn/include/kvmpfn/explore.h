/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exhaustive bounded exploration: every sequence of operations up to a
 * depth over a small fixed configuration (two memslots of 8 pages, one
 * vCPU; anonymous memory with the zero page, a read-only mapping, THP, and
 * a VM_PFNMAP non-compound allocation), with the invariants checked after
 * every step.  Sequences that reach an already seen state (canonicalised:
 * pfns renamed by first appearance) are not extended again.
 */
#ifndef KVMPFN_EXPLORE_H
#define KVMPFN_EXPLORE_H

#include <stdint.h>
#include <stdio.h>

#include <kvmpfn/kvmpfn.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kvmpfn_explore_opts {
	enum kvmpfn_stage stage;
	enum kvmpfn_arch arch;
	unsigned int depth;
	unsigned int shard;	/* this shard, 0-based */
	unsigned int shards;	/* sequences split by their first op */
	bool no_prune;		/* visit equivalent states again */
	unsigned long ignore;	/* bit per invariant id not to stop on */
};

struct kvmpfn_explore_stats {
	uint64_t sequences;	/* operation sequences executed */
	uint64_t states;	/* distinct states reached */
	uint64_t pruned;	/* sequences cut at a state already seen */
	unsigned int depth_done;	/* deepest level completed */
	unsigned int ops;	/* size of the operation alphabet */
	bool violation;
};

/*
 * Explore.  On the first violation (shortest sequence: levels go in order)
 * write it to @repro as a scenario file that reproduces it with
 * `kvmpfn-sim run` and stop.  Returns 0 when no violation was found, 1 on
 * a violation, 2 on bad options, -ENOMEM.
 */
int kvmpfn_explore(const struct kvmpfn_explore_opts *opts, FILE *repro,
		   struct kvmpfn_explore_stats *stats);

/* The fixed configuration and the alphabet, for documentation. */
void kvmpfn_explore_describe(FILE *out);

#ifdef __cplusplus
}
#endif

#endif
