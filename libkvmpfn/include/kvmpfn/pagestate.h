/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page states and the transitions between them ("the picture").
 *
 * The classifier puts every pfn of the host model into one state (below),
 * judged from the page itself (free, reserved, zero page, ZONE_DEVICE,
 * refcount-0 tail, no struct page, hwpoison, the accessed/dirty marks KVM
 * set) and from what KVM does with it (a second-stage leaf maps it, a
 * fault in flight or a vcpu_map holds a reference on it, a pfncache or a
 * kernel mapping points at it).  Where several apply, the first in this
 * order wins: KVM reference, pfncache, kmap, mapped, then the page's own
 * state.
 *
 * A recorder attached to a simulator classifies, after every step, the
 * pages the step could have changed and counts each change of state as a
 * transition (state before -> state after) labelled with the kind of the
 * step's operation.  Counts accumulate in a struct kvmpfn_pstates over any
 * number of simulators (a corpus run).  The transitions the model can make
 * are declared in one table (kvmpfn_pstate_edges(), each with the reason
 * it exists); an observed transition the table does not declare is counted
 * as undeclared, so the picture shows both edges never hit and edges
 * nobody expected.
 *
 * Recording is off unless kvmpfn_pstates_record() attaches a recorder: a
 * simulator without one pays a pointer test per step.
 */
#ifndef KVMPFN_PAGESTATE_H
#define KVMPFN_PAGESTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <kvmpfn/kvmpfn.h>

#ifdef __cplusplus
extern "C" {
#endif

enum kvmpfn_pstate {
	KVMPFN_PS_UNALLOCATED,	/* pfn not handed out yet */
	KVMPFN_PS_FREE,		/* back in the allocator (PG_free) */
	KVMPFN_PS_PAGE,		/* refcounted struct page, no KVM use or mark */
	KVMPFN_PS_ACCESSED,	/* ... KVM marked it accessed */
	KVMPFN_PS_DIRTY,	/* ... KVM marked it dirty */
	KVMPFN_PS_TAIL0,	/* refcount-0 tail of a non-compound block */
	KVMPFN_PS_RESERVED,	/* PG_reserved (not zero page, not device) */
	KVMPFN_PS_ZERO,		/* the shared zero page */
	KVMPFN_PS_ZONE_DEVICE,	/* ZONE_DEVICE page, counted on its own */
	KVMPFN_PS_NOSTRUCT,	/* pfn without struct page (MMIO, BAR) */
	KVMPFN_PS_POISONED,	/* PG_hwpoison */
	KVMPFN_PS_MAPPED_RC,	/* second-stage leaf, refcounted page */
	KVMPFN_PS_MAPPED_NORC,	/* second-stage leaf, not refcounted */
	KVMPFN_PS_KVM_REF,	/* KVM holds a reference (fault, vcpu_map) */
	KVMPFN_PS_GPC,		/* a valid pfncache points at it */
	KVMPFN_PS_KMAP,		/* kernel mapping without a reference: a
				 * vcpu_map of a page without one, or the
				 * old mapping of an invalidated pfncache */
	KVMPFN_NR_PSTATES
};

/* The kind of operation a step was, as the scenario names it. */
enum kvmpfn_op {
	KVMPFN_OP_ALLOC,
	KVMPFN_OP_FREE,
	KVMPFN_OP_POISON,
	KVMPFN_OP_MMAP,
	KVMPFN_OP_MUNMAP,
	KVMPFN_OP_MPROTECT,
	KVMPFN_OP_TOUCH,
	KVMPFN_OP_MIGRATE,
	KVMPFN_OP_THP_SPLIT,
	KVMPFN_OP_THP_COLLAPSE,
	KVMPFN_OP_MEMSLOT,
	KVMPFN_OP_FAULT,
	KVMPFN_OP_FAULT_BEGIN,
	KVMPFN_OP_FAULT_FINISH,
	KVMPFN_OP_INVALIDATE_BEGIN,
	KVMPFN_OP_INVALIDATE_END,
	KVMPFN_OP_WAIT,
	KVMPFN_OP_AGE,
	KVMPFN_OP_GPC_ACTIVATE,
	KVMPFN_OP_GPC_REFRESH,
	KVMPFN_OP_GPC_DEACTIVATE,
	KVMPFN_OP_VCPU_MAP,
	KVMPFN_OP_VCPU_UNMAP,
	KVMPFN_OP_DIRTY_LOG,
	KVMPFN_OP_OTHER,
	KVMPFN_NR_OPS
};

/* short names ("mapped-rc", "tail0", ...), and a line for a legend */
const char *kvmpfn_pstate_name(enum kvmpfn_pstate st);
const char *kvmpfn_pstate_text(enum kvmpfn_pstate st);
const char *kvmpfn_op_name(enum kvmpfn_op op);

/* One declared transition and why the model can make it. */
struct kvmpfn_pstate_edge {
	enum kvmpfn_pstate from;
	enum kvmpfn_pstate to;
	const char *why;
};

/* The table of every transition the model is expected to make. */
const struct kvmpfn_pstate_edge *kvmpfn_pstate_edges(unsigned int *n);
bool kvmpfn_pstate_declared(enum kvmpfn_pstate from, enum kvmpfn_pstate to);

/* The state of @pfn now; -ENOENT if no allocation holds it. */
int kvmpfn_pstate_of(struct kvmpfn_sim *sim, uint64_t pfn,
		     enum kvmpfn_pstate *st);

/* Transition counts, accumulated over runs. */
struct kvmpfn_pstates;

struct kvmpfn_pstates *kvmpfn_pstates_create(void);
void kvmpfn_pstates_destroy(struct kvmpfn_pstates *acc);

/*
 * Record @sim's steps into @acc from now on (the pages that exist now are
 * the starting states); NULL stops.  The recorder goes with the simulator.
 * -ENOMEM.
 */
int kvmpfn_pstates_record(struct kvmpfn_sim *sim,
			  struct kvmpfn_pstates *acc);

/* Page transitions counted from @from to @to by @op (KVMPFN_NR_OPS: all). */
uint64_t kvmpfn_pstates_hits(const struct kvmpfn_pstates *acc,
			     enum kvmpfn_pstate from, enum kvmpfn_pstate to,
			     enum kvmpfn_op op);
/* observed (from, to) pairs the table does not declare */
unsigned int kvmpfn_pstates_undeclared(const struct kvmpfn_pstates *acc);
/* simulators recorded and steps seen */
void kvmpfn_pstates_totals(const struct kvmpfn_pstates *acc, uint64_t *runs,
			   uint64_t *steps);

/*
 * The graph in Graphviz DOT: every state, every declared edge labelled
 * with its counts per operation (never hit: red, dashed), and every
 * undeclared edge observed (orange, bold).  @title may be NULL.
 */
void kvmpfn_pstates_dot(const struct kvmpfn_pstates *acc, const char *title,
			FILE *out);
/* The same as text: counts, edges never hit, undeclared edges. */
void kvmpfn_pstates_summary(const struct kvmpfn_pstates *acc, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
