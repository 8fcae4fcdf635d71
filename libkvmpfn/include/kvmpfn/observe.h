/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The step observer: run a scenario at one (stage, architecture) through
 * the ordinary runner (kvmpfn_session_*) and keep, for every operation
 * line, what the step did and where the pages stand after it.
 *
 * A record is kept for each operation line (not for expect or differs
 * lines, comments or blank lines): its result, a fault's leaf, the struct
 * page references KVM took and dropped, the invariant violations raised
 * and the state of the observed pages after the step.  The observed pages
 * are every page of every named allocation made so far (freed or not) and
 * every page without a name (anonymous memory) that a second-stage leaf
 * mapped or a step's gfn led to at some step of the run: once seen, a
 * page stays observed, so that its state after a zap is still there.  At most
 * KVMPFN_OBS_MAX_PAGES pages a step are kept (the step says if it was cut).
 *
 * Consumers: "kvmpfn-sim compare" (two stages, step by step) and the HTML
 * report.  Nothing here aborts on bad input; errors are -errno.
 */
#ifndef KVMPFN_OBSERVE_H
#define KVMPFN_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <kvmpfn/kvmpfn.h>
#include <kvmpfn/pagestate.h>
#include <kvmpfn/scenario.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KVMPFN_OBS_MAX_PAGES	4096	/* pages kept per step */
#define KVMPFN_OBS_NAME		40	/* "NAME+N" or "anon:0xPFN" */
#define KVMPFN_OBS_TEXT		128	/* the line's text, cut */

/*
 * What kind of memory a page is, as far as KVM's refcount rules go.  A
 * page with a struct page takes the kind of the VMA a second-stage leaf
 * or the step's gfn found it through; one never found so is anon without
 * a name and file with one.
 */
enum kvmpfn_obs_kind {
	KVMPFN_KIND_NONE,		/* no page: no memslot or VMA */
	KVMPFN_KIND_ANON,
	KVMPFN_KIND_FILE,
	KVMPFN_KIND_PFNMAP_RC,		/* VM_PFNMAP/IO/MIXEDMAP, refcounted */
	KVMPFN_KIND_PFNMAP_RC0,		/* ... a refcount-0 tail page */
	KVMPFN_KIND_RESERVED,
	KVMPFN_KIND_ZERO,
	KVMPFN_KIND_ZONE_DEVICE,
	KVMPFN_KIND_NOSTRUCT,		/* no struct page (MMIO, BAR) */
	KVMPFN_NR_KINDS
};

/* "none", "anon", "file", "pfnmap-refcounted", "pfnmap-refcount0", ... */
const char *kvmpfn_obs_kind_name(enum kvmpfn_obs_kind kind);
/* -EINVAL if unknown */
int kvmpfn_obs_kind_parse(const char *name, enum kvmpfn_obs_kind *kind);

/* One page after a step. */
struct kvmpfn_obs_page {
	char name[KVMPFN_OBS_NAME];	/* "vram+1" (kvmpfn_pfn_name()) */
	uint64_t pfn;
	uint64_t folio;			/* its folio's first pfn (pfn: none) */
	enum kvmpfn_obs_kind kind;
	int refcount;			/* page_count(): the folio's */
	int kvm_refs;			/* references KVM holds */
	bool has_page;			/* a struct page */
	bool dirty;
	bool accessed;
	bool freed;
	bool mapped;			/* a second-stage leaf maps it */
	unsigned int mapped_since;	/* ... that leaf since this line;
					 * 0: not mapped */
};

/* One invariant violation raised at a step. */
struct kvmpfn_obs_viol {
	int id;				/* 1..21, or KVMPFN_WARN */
	bool expected;			/* an 'expect violation' claimed it */
	uint64_t gfn;
	uint64_t pfn;
	char msg[160];
};

/* One operation line and its effects. */
struct kvmpfn_obs_step {
	unsigned int line;		/* in the file, from 1 */
	enum kvmpfn_op op;
	char text[KVMPFN_OBS_TEXT];	/* the line, comments kept, cut */
	int ret;			/* 0 or -errno */
	/* the guest frame the operation names (fault, vcpu_map, ...) */
	bool has_gfn;
	uint64_t gfn;
	/*
	 * the page at that gfn after the step: host PTE, else the VMA; for
	 * a fault_finish whose memslot went meanwhile, its begin's page
	 */
	enum kvmpfn_obs_kind kind;
	/* a fault_finish: the kind of page its fault_begin found */
	enum kvmpfn_obs_kind begin_kind;
	/*
	 * A fault, fault_begin or fault_finish: its outcome.  The leaf is
	 * the one covering gfn after the step (a fault_begin maps nothing).
	 */
	bool is_fault;
	unsigned int vcpu;		/* a fault's vCPU (vcpu=, default 0) */
	int map;			/* vcpu_map/vcpu_unmap's id=, else -1 */
	bool mapped;
	uint64_t pfn;
	int level;
	bool writable;
	bool refcounted;
	/* struct page references KVM took and put during the step */
	unsigned int gets;
	unsigned int puts;
	/* the page the gfn leads to through the host PTE after the step */
	bool has_page_pfn;
	uint64_t page_pfn;
	/* host page-table leaves installed so far (faulted-in memory) */
	uint64_t host_installs;
	/*
	 * the host range the step names (hva=, size=) or its gfn leads to
	 * through the memslots after it; [0, 0): none
	 */
	uint64_t hva;
	uint64_t hva_end;
	unsigned int nviol;
	struct kvmpfn_obs_viol *viol;
	/* observed pages after the step, in pfn order */
	unsigned int npages;
	bool pages_cut;			/* more than KVMPFN_OBS_MAX_PAGES */
	struct kvmpfn_obs_page *pages;
};

/* A whole run. */
struct kvmpfn_obs {
	enum kvmpfn_stage stage;
	enum kvmpfn_arch arch;
	/*
	 * The run's verdict as kvmpfn_run_file() gives it (enum
	 * kvmpfn_exit); on KVMPFN_EXIT_USAGE the steps before the bad line
	 * are kept and bad_line names it (0: the run could not start).
	 */
	int rc;
	unsigned int bad_line;
	struct kvmpfn_run_stats stats;
	unsigned int nsteps;
	struct kvmpfn_obs_step *steps;
};

/*
 * Run @path (or the text @buf of @len bytes, named @path in messages) with
 * @opts (opts->record and opts->sim are honoured as by the runner) and
 * return its record in *@obs, to be freed with kvmpfn_obs_free().  The
 * runner's own output goes to @out and @err as for kvmpfn_run_file().
 * Returns 0 (the verdict is (*@obs)->rc), -EINVAL for a NULL argument or
 * -ENOMEM.
 */
int kvmpfn_observe_file(const char *path, const struct kvmpfn_run_opts *opts,
			FILE *out, FILE *err, struct kvmpfn_obs **obs);
int kvmpfn_observe_buffer(const char *path, const char *buf, size_t len,
			  const struct kvmpfn_run_opts *opts, FILE *out,
			  FILE *err, struct kvmpfn_obs **obs);
void kvmpfn_obs_free(struct kvmpfn_obs *obs);

/*
 * The same a line at a time (a fuzz target's decoder feeds it).  create:
 * NULL if the run cannot start (the reason is on @err) or out of memory;
 * line: 0, KVMPFN_EXIT_USAGE once a line was bad input, -ENOMEM; finish:
 * the record in *@obs and frees the observer, 0 or -ENOMEM (*@obs NULL).
 */
struct kvmpfn_observer;

struct kvmpfn_observer *
kvmpfn_observer_create(const char *path, const struct kvmpfn_run_opts *opts,
		       FILE *out, FILE *err);
int kvmpfn_observer_line(struct kvmpfn_observer *o, const char *text,
			 size_t len);
int kvmpfn_observer_finish(struct kvmpfn_observer *o, struct kvmpfn_obs **obs);

/* the page @pfn after @step, or NULL if it was not observed */
const struct kvmpfn_obs_page *
kvmpfn_obs_page_of(const struct kvmpfn_obs_step *step, uint64_t pfn);

#ifdef __cplusplus
}
#endif

#endif
