/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drawing one scenario's runs (kvmpfn-sim run --report=FILE): a models x
 * stages grid of outcomes and, per page of the scenario's named
 * allocations, its refcount over the steps, as a self-contained HTML page
 * (inline CSS and SVG) or as one SVG.
 *
 * The renderer takes plain data (below) so that it can be tested without
 * running anything; kvmpfn-sim fills it from the step observer.
 */
#ifndef KVMPFN_CLI_REPORT_H
#define KVMPFN_CLI_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* one page after one step */
struct report_page {
	bool present;		/* the page exists (allocated) at this step */
	uint64_t pfn;
	int refcount;
	int kvm_refs;		/* references KVM holds on it */
	bool mapped;		/* a second-stage leaf maps it */
	bool dirty;
	bool accessed;
	bool freed;
};

struct report_viol {
	int id;			/* In, or 0: a kernel WARN */
	uint64_t pfn;
	bool expected;		/* the scenario says it is expected */
	const char *msg;
};

struct report_step {
	unsigned int line;	/* the scenario line of the operation */
	const char *op;		/* its kind ("fault", "free", ...) */
	const char *text;	/* the line itself; may be NULL */
	int result;		/* 0 or -errno */
	/* struct page references KVM took and dropped during the step */
	unsigned int gets;
	unsigned int puts;
	/* the pfn the step's fault mapped, if it mapped one */
	bool has_pfn;
	uint64_t pfn;
	unsigned int nviol;
	const struct report_viol *viol;
	const struct report_page *page;	/* [report.npages] */
};

struct report_run {
	bool ran;
	int rc;			/* 0 ok, 1 failed, 2 bad input */
	unsigned int faults_mapped;
	unsigned int faults_failed;
	unsigned int gets;
	unsigned int puts;
	unsigned int violations;
	unsigned int nsteps;
	const struct report_step *step;
};

struct report {
	const char *path;	/* the scenario file */
	unsigned int nmodels;
	const char *const *model;
	unsigned int nstages;
	const char *const *stage;
	const struct report_run *run;	/* [model * nstages + stage] */
	unsigned int npages;
	const char *const *page;	/* "vram+0", ... */
};

enum report_format {
	REPORT_HTML,
	REPORT_SVG,
};

/* The format a report path asks for by its extension; -1 if none. */
int report_format_of(const char *path);
/* 0, or -1 if writing failed */
int report_write(const struct report *r, enum report_format fmt, FILE *out);

#endif
