// SPDX-License-Identifier: GPL-2.0
/*
 * kvmpfn-sim: run scenarios against the model, list the invariants.
 *
 *   kvmpfn-sim run [--arch=A|all] [--stage=S|all] [--trace] [--quiet] FILE...
 *   kvmpfn-sim run [--arch=A|all] [--stage=S|all] --report=OUT.html|OUT.svg FILE
 *   kvmpfn-sim invariants
 *   kvmpfn-sim stages
 *   kvmpfn-sim compare --stage=A --stage=B [--arch=A|all] [--quiet] FILE...
 *
 * Exit codes: 0 every expectation met and no invariant violated; 1 a
 * violation or an unmet expectation; 2 bad input or usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include <kvmpfn/compare.h>
#include <kvmpfn/conform.h>
#include <kvmpfn/decode.h>
#include <kvmpfn/explore.h>
#include <kvmpfn/kvmpfn.h>
#include <kvmpfn/observe.h>
#include <kvmpfn/pagestate.h>
#include <kvmpfn/scenario.h>

#include "report.h"

static int usage(FILE *f)
{
	fprintf(f,
		"usage: kvmpfn-sim run [--arch=A|all] [--stage=S|all] [--bug=Bn]\n"
		"                      [--checks=full|incremental|off] [--trace] [--quiet]\n"
		"                      [--seam=NAME] FILE...   (NAME: a test-only seam,\n"
		"                      tests/seams/README.md)\n"
		"       kvmpfn-sim run [options as above] --report=OUT.html|OUT.svg FILE\n"
		"                      (one FILE: its runs drawn as a models x stages grid\n"
		"                      and a refcount chart per page, self-contained)\n"
		"       kvmpfn-sim explore [--arch=A] [--stage=S] --depth=N [--shard=I/N]\n"
		"                          [--no-prune] [--ignore=I4,...] [--out=FILE] [--describe]\n"
		"       kvmpfn-sim decode FILE        (a fuzz input as a scenario)\n"
		"       kvmpfn-sim encode [--arch=A] [--stage=S] [--config=C] FILE > INPUT\n"
		"                     (C: none, small, or block-noncompound|-reserved|\n"
		"                      -compound|-nostruct: FILE runs on top of it)\n"
		"       kvmpfn-sim states [--arch=A|all] [--stage=S|all] [--bug=Bn] [--summary] FILE|DIR... > states.dot\n"
		"       kvmpfn-sim conform [--arch=A|all] [--stage=S|all|kernel:S] [--checks=M]\n"
		"                          [--quiet] FILE|DIR...   (model vs the kernel's code)\n"
		"       kvmpfn-sim compare --stage=A --stage=B [--arch=A|all] [--checks=M]\n"
		"                          [--quiet] [--show-class] FILE...   (step by step,\n"
		"                          A against B; --classes: the known classes)\n"
		"       kvmpfn-sim invariants\n"
		"       kvmpfn-sim bugs\n"
		"       kvmpfn-sim stages\n"
		"stages: legacy v7.1 ... v7.8 final (default legacy); --stage=all runs\n"
		"        each (final: Linux 6.13's design instead of v7);\n"
		"        kernel:legacy ... kernel:v7.8, kernel:tree: the kernel tree's own\n"
		"        functions, if built in (kvmpfn-sim stages); --stage=kernel:all\n"
		"archs: ref x86 arm64 ppc (default ref); --arch=all runs every\n"
		"       architecture model and fails on a difference the guest sees\n"
		"       (with --bug, every model that carries the mutant)\n");
	return f == stdout ? 0 : KVMPFN_EXIT_USAGE;
}

static const char *outcome_str(const struct kvmpfn_outcome *o, char *buf,
			       size_t len)
{
	if (o->ret)
		snprintf(buf, len, "%s", kvmpfn_strerror(o->ret));
	else if (o->mapped)
		snprintf(buf, len, "pfn 0x%llx %s", (unsigned long long)o->pfn,
			 o->writable ? "writable" : "read-only");
	else
		snprintf(buf, len, "ok, nothing mapped");
	return buf;
}

/*
 * The guest-visible outcome of every fault line must agree between the
 * architectures (lines marked arch_specific are not recorded).
 */
static int compare(const char *path, enum kvmpfn_stage stage,
		   const enum kvmpfn_arch *archs, int n,
		   const struct kvmpfn_outcomes *rec)
{
	char b0[64], b1[64];
	int a, rc = 0;
	size_t i;

	for (a = 1; a < n; a++) {
		if (rec[a].n != rec[0].n) {
			printf("%s: %s: %s and %s ran different fault lines\n",
			       path, kvmpfn_stage_name(stage),
			       kvmpfn_arch_name(archs[0]),
			       kvmpfn_arch_name(archs[a]));
			rc = KVMPFN_EXIT_FAIL;
			continue;
		}
		for (i = 0; i < rec[0].n; i++) {
			const struct kvmpfn_outcome *x = &rec[0].v[i];
			const struct kvmpfn_outcome *y = &rec[a].v[i];

			/* fault_begin lines: the fault_finish tells */
			if (x->begin || x->arch_specific)
				continue;
			if (x->ret == y->ret && x->mapped == y->mapped &&
			    x->pfn == y->pfn && x->writable == y->writable)
				continue;
			printf("%s:%u: %s: %s: %s, %s: %s\n", path, x->line,
			       kvmpfn_stage_name(stage),
			       kvmpfn_arch_name(archs[0]),
			       outcome_str(x, b0, sizeof(b0)),
			       kvmpfn_arch_name(archs[a]),
			       outcome_str(y, b1, sizeof(b1)));
			rc = KVMPFN_EXIT_FAIL;
		}
	}
	return rc;
}

/*
 * A scenario may say how it wants to be run ("# kvmpfn-run: --arch=x86
 * --stage=v7.5" in its first lines, as decode writes; "all" works for
 * both); options given on the command line win.
 */
static void run_pragma(const char *path, struct kvmpfn_run_opts *o,
		       bool *all, bool *all_stages, bool arch_given,
		       bool stage_given)
{
	char line[256], *p;
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return;
	for (n = 0; n < 5 && fgets(line, sizeof(line), f); n++) {
		if (strncmp(line, "# kvmpfn-run:", 13))
			continue;
		p = strstr(line, "--arch=");
		if (p && !arch_given) {
			p[7 + strcspn(p + 7, " \n")] = '\0';
			*all = !strcmp(p + 7, "all");
			kvmpfn_arch_parse(p + 7, &o->arch);
			p[7 + strlen(p + 7)] = ' ';
		}
		p = strstr(line, "--stage=");
		if (p && !stage_given) {
			p[8 + strcspn(p + 8, " \n")] = '\0';
			*all_stages = !strcmp(p + 8, "all");
			kvmpfn_stage_parse(p + 8, &o->stage);
		}
		break;
	}
	fclose(f);
}

/*
 * --arch=all: every architecture model in the build (the reference MMU if
 * there is none); with a mutant, every model that carries it.  Returns how
 * many, 0 if no model carries @bug.
 */
static int arch_all_list(enum kvmpfn_arch *archs, int bug)
{
	enum kvmpfn_arch arch;
	int n = 0;

	for (arch = KVMPFN_ARCH_X86; arch < KVMPFN_NR_ARCHES; arch++)
		if (kvmpfn_arch_available(arch) &&
		    (!bug || kvmpfn_bug_modelled(bug, arch)))
			archs[n++] = arch;
	if (!n && (!bug || kvmpfn_bug_modelled(bug, KVMPFN_ARCH_REF)))
		archs[n++] = KVMPFN_ARCH_REF;
	if (!n)
		fprintf(stderr, "kvmpfn-sim: B%d is not modelled by any architecture in this build\n",
			bug);
	return n;
}

/* --checks=full|incremental|off; -1 after an error message */
static int checks_parse(const char *arg, enum kvmpfn_checks *mode)
{
	static const char *const modes[] = { "full", "incremental", "off" };
	int m;

	for (m = 0; m < 3; m++) {
		if (!strcmp(arg, modes[m])) {
			*mode = (enum kvmpfn_checks)m;
			return 0;
		}
	}
	fprintf(stderr, "kvmpfn-sim: --checks= takes full, incremental or off\n");
	return -1;
}

/*
 * What run and compare share: --checks=, --quiet, and a FILE (counted) or
 * an unknown option.  0, or the exit code.
 */
static int common_arg(const char *arg, enum kvmpfn_checks *checks,
		      bool *quiet, int *nfiles)
{
	if (!strncmp(arg, "--checks=", 9))
		return checks_parse(arg + 9, checks) ? KVMPFN_EXIT_USAGE : 0;
	if (!strcmp(arg, "--quiet")) {
		*quiet = true;
		return 0;
	}
	if (arg[0] == '-' && arg[1]) {
		fprintf(stderr, "kvmpfn-sim: unknown option '%s'\n", arg);
		return usage(stderr);
	}
	(*nfiles)++;
	return 0;
}

/*
 * --stage=S: one stage; "all": the model's stages; "kernel:all": every
 * kernel-built stage this build has.  Returns how many, 0 after an error
 * message (unknown, or not in this build).
 */
static int stage_list(const char *arg, enum kvmpfn_stage *list)
{
	enum kvmpfn_stage st;
	int n = 0, i;

	if (!strcmp(arg, "all")) {
		for (i = KVMPFN_LEGACY; i < KVMPFN_NR_STAGES; i++)
			list[n++] = (enum kvmpfn_stage)i;
		return n;
	}
	if (!strcmp(arg, "kernel:all")) {
		for (i = KVMPFN_KERNEL_LEGACY; i < KVMPFN_NR_ALL_STAGES; i++)
			if (kvmpfn_stage_available((enum kvmpfn_stage)i))
				list[n++] = (enum kvmpfn_stage)i;
		if (!n)
			fprintf(stderr, "kvmpfn-sim: this build has no kernel-built stage (configure with KERNEL_SRC or KVMPFN_KERNEL_TREE set; see kvmpfn-sim stages)\n");
		return n;
	}
	if (kvmpfn_stage_parse(arg, &st)) {
		fprintf(stderr, "kvmpfn-sim: unknown stage '%s' (see kvmpfn-sim stages)\n",
			arg);
		return 0;
	}
	if (!kvmpfn_stage_available(st)) {
		fprintf(stderr, "kvmpfn-sim: stage '%s' is not in this build (configure with %s set; see kvmpfn-sim stages)\n",
			arg, st == KVMPFN_KERNEL_TREE ? "KVMPFN_KERNEL_TREE" :
			"KERNEL_SRC");
		return 0;
	}
	list[n++] = st;
	return n;
}

/* What one run of a file gave, for the table after its runs. */
struct run_cell {
	struct kvmpfn_run_stats st;
	int rc;
	bool ran;
};

/*
 * After a file ran on more than one model or stage: a model x stage
 * table of faults mapped / failed and the references KVM took (+) and
 * dropped (-) on struct pages, "!" marking a run that failed.
 */
static void run_table(const char *path, const enum kvmpfn_stage *fs, int nfs,
		      const enum kvmpfn_arch *fa, int fn,
		      struct run_cell cell[][KVMPFN_NR_ARCHES])
{
	char buf[64];
	int s, a, w[KVMPFN_NR_ALL_STAGES];

	printf("%s: faults mapped/failed, struct page references KVM took +/dropped -\n",
	       path);
	printf("%-6s", "model");
	for (s = 0; s < nfs; s++) {
		w[s] = (int)strlen(kvmpfn_stage_name(fs[s]));
		if (w[s] < 9)
			w[s] = 9;
		/* no padding after the last column */
		printf(" %-*s", s + 1 < nfs ? w[s] : 0,
		       kvmpfn_stage_name(fs[s]));
	}
	printf("\n");
	for (a = 0; a < fn; a++) {
		printf("%-6s", kvmpfn_arch_name(fa[a]));
		for (s = 0; s < nfs; s++) {
			const struct run_cell *c = &cell[s][a];

			if (!c->ran)
				snprintf(buf, sizeof(buf), "-");
			else
				snprintf(buf, sizeof(buf), "%u/%u +%u-%u%s",
					 c->st.faults_mapped,
					 c->st.faults_failed, c->st.kvm_gets,
					 c->st.kvm_puts, c->rc ? "!" : "");
			printf(" %-*s", s + 1 < nfs ? w[s] : 0, buf);
		}
		printf("\n");
	}
}

/* ---- run --report: the observed runs drawn ---------------------------- */

/* the page named @name after step @st, or NULL if it was not observed */
static const struct kvmpfn_obs_page *obs_page_named(const struct kvmpfn_obs_step *st,
						    const char *name)
{
	unsigned int i;

	for (i = 0; i < st->npages; i++)
		if (!strcmp(st->pages[i].name, name))
			return &st->pages[i];
	return NULL;
}

/* whether page @name ("NAME+N") is of an allocation a step of @o made */
static bool scenario_page(const struct kvmpfn_obs *o, const char *name)
{
	const char *plus = strrchr(name, '+');
	size_t n = plus ? (size_t)(plus - name) : 0;
	unsigned int i;

	for (i = 0; n && i < o->nsteps; i++) {
		const char *t = o->steps[i].text;

		if (o->steps[i].op != KVMPFN_OP_ALLOC)
			continue;
		t += strspn(t, " \t");
		t += strcspn(t, " \t");
		t += strspn(t, " \t");
		if (!strncmp(t, name, n) && strchr(" \t#", t[n]))
			return true;
	}
	return false;
}

/* pages drawn at most: a guest's anonymous memory can be thousands */
#define REPORT_MAX_PAGES	64

/*
 * The pages a report charts: every page of the scenario's allocations,
 * then any other page KVM mapped or held (the zero page, anonymous
 * memory), in the order the runs first observed them, at most
 * REPORT_MAX_PAGES.  NULL if out of memory.
 */
static const char **report_pages(struct kvmpfn_obs *const *obs,
				 unsigned int nobs, unsigned int *n)
{
	const char **page = calloc(REPORT_MAX_PAGES, sizeof(*page));
	unsigned int o, i, j, k, pass;

	*n = 0;
	for (pass = 0; page && pass < 2; pass++)
		for (o = 0; o < nobs; o++)
			for (i = 0; obs[o] && i < obs[o]->nsteps; i++) {
				const struct kvmpfn_obs_step *st = &obs[o]->steps[i];

				for (j = 0; j < st->npages; j++) {
					const struct kvmpfn_obs_page *pg = &st->pages[j];

					if (pass ? !pg->mapped && !pg->kvm_refs :
						   !scenario_page(obs[o], pg->name))
						continue;
					for (k = 0; k < *n && strcmp(page[k], pg->name); k++)
						;
					if (k == *n && *n < REPORT_MAX_PAGES)
						page[(*n)++] = pg->name;
				}
			}
	return page;
}

/*
 * One observed run as the renderer takes it, its three arrays in @mem for
 * the caller to free; -1 if out of memory.
 */
static int report_run_of(const struct kvmpfn_obs *o, const char *const *page,
			 unsigned int npages, struct report_run *run,
			 void *mem[3])
{
	struct report_step *step;
	struct report_page *pg;
	unsigned int i, j, nviol = 0;
	struct report_viol *viol;

	memset(run, 0, sizeof(*run));
	if (!o)
		return 0;
	for (i = 0; i < o->nsteps; i++)
		nviol += o->steps[i].nviol;
	mem[0] = step = calloc(o->nsteps + 1, sizeof(*step));
	mem[1] = pg = calloc((size_t)o->nsteps * npages + 1, sizeof(*pg));
	mem[2] = viol = calloc(nviol + 1, sizeof(*viol));
	if (!step || !pg || !viol)
		return -1;
	run->ran = true;
	run->rc = o->rc;
	run->faults_mapped = o->stats.faults_mapped;
	run->faults_failed = o->stats.faults_failed;
	run->gets = o->stats.kvm_gets;
	run->puts = o->stats.kvm_puts;
	run->violations = o->stats.violations;
	run->nsteps = o->nsteps;
	run->step = step;
	for (i = 0; i < o->nsteps; i++) {
		const struct kvmpfn_obs_step *os = &o->steps[i];
		struct report_step *rs = &step[i];

		rs->line = os->line;
		rs->op = kvmpfn_op_name(os->op);
		rs->text = os->text;
		rs->result = os->ret;
		rs->gets = os->gets;
		rs->puts = os->puts;
		rs->has_pfn = os->is_fault && os->mapped;
		rs->pfn = os->pfn;
		rs->viol = viol;
		rs->nviol = os->nviol;
		for (j = 0; j < os->nviol; j++, viol++) {
			viol->id = os->viol[j].id;
			viol->pfn = os->viol[j].pfn;
			viol->expected = os->viol[j].expected;
			viol->msg = os->viol[j].msg;
		}
		rs->page = pg;
		for (j = 0; j < npages; j++, pg++) {
			const struct kvmpfn_obs_page *op = obs_page_named(os, page[j]);

			if (!op)
				continue;
			pg->present = true;
			pg->pfn = op->pfn;
			pg->refcount = op->refcount;
			pg->kvm_refs = op->kvm_refs;
			pg->mapped = op->mapped;
			pg->dirty = op->dirty;
			pg->accessed = op->accessed;
			pg->freed = op->freed;
		}
	}
	return 0;
}

/*
 * Draw the runs of @path, obs[stage][model] (NULL: a run that did not
 * start), into @out.  0, or -1 after a message.
 */
static int write_report(const char *path, const char *out_path, FILE *out,
			enum report_format fmt, const enum kvmpfn_stage *fs,
			int nfs, const enum kvmpfn_arch *fa, int fn,
			struct kvmpfn_obs *obs[][KVMPFN_NR_ARCHES])
{
	struct kvmpfn_obs *flat[KVMPFN_NR_ALL_STAGES * KVMPFN_NR_ARCHES];
	const char *model[KVMPFN_NR_ARCHES], *stage[KVMPFN_NR_ALL_STAGES];
	struct report_run run[KVMPFN_NR_ALL_STAGES * KVMPFN_NR_ARCHES];
	void *mem[KVMPFN_NR_ALL_STAGES * KVMPFN_NR_ARCHES][3];
	struct report r = {
		.path = path, .nmodels = (unsigned int)fn, .model = model,
		.nstages = (unsigned int)nfs, .stage = stage, .run = run,
	};
	const char **page;
	int a, s, rc = 0;

	memset(mem, 0, sizeof(mem));
	for (a = 0; a < fn; a++) {
		model[a] = kvmpfn_arch_name(fa[a]);
		for (s = 0; s < nfs; s++)
			flat[a * nfs + s] = obs[s][a];
	}
	for (s = 0; s < nfs; s++)
		stage[s] = kvmpfn_stage_name(fs[s]);
	page = report_pages(flat, (unsigned int)(fn * nfs), &r.npages);
	r.page = page;
	for (a = 0; page && a < fn * nfs && !rc; a++)
		rc = report_run_of(flat[a], page, r.npages, &run[a], mem[a]);
	if (!page || rc) {
		fprintf(stderr, "kvmpfn-sim: out of memory drawing the report\n");
		rc = -1;
	} else if (report_write(&r, fmt, out) || fflush(out) || ferror(out)) {
		fprintf(stderr, "kvmpfn-sim: cannot write the report to '%s': %s\n",
			out_path, strerror(errno));
		rc = -1;
	}
	for (a = 0; a < fn * nfs; a++)
		for (s = 0; s < 3; s++)
			free(mem[a][s]);
	free(page);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	bool arch_given = false, stage_given = false, arch_all = false;
	struct kvmpfn_run_opts opts = { .stage = KVMPFN_LEGACY };
	enum kvmpfn_stage stages[KVMPFN_NR_ALL_STAGES] = { KVMPFN_LEGACY };
	int nstages = 1, i, s, rc = 0, nfiles = 0;
	enum kvmpfn_arch archs[KVMPFN_NR_ARCHES] = { KVMPFN_ARCH_REF };
	struct kvmpfn_outcomes rec[KVMPFN_NR_ARCHES];
	static struct run_cell cell[KVMPFN_NR_ALL_STAGES][KVMPFN_NR_ARCHES];
	static struct kvmpfn_obs *obs[KVMPFN_NR_ALL_STAGES][KVMPFN_NR_ARCHES];
	const char *report_path = NULL;
	FILE *report_out = NULL;
	int narchs = 1, a, report_fmt = REPORT_HTML;

	for (i = 2; i < argc; i++) {
		if (!strncmp(argv[i], "--arch=", 7)) {
			enum kvmpfn_arch arch;

			arch_given = true;
			arch_all = false;
			narchs = 0;
			if (!strcmp(argv[i] + 7, "all")) {
				arch_all = true;
			} else if (kvmpfn_arch_parse(argv[i] + 7, &arch)) {
				fprintf(stderr, "kvmpfn-sim: unknown architecture '%s'\n",
					argv[i] + 7);
				return KVMPFN_EXIT_USAGE;
			} else if (!kvmpfn_arch_available(arch)) {
				fprintf(stderr, "kvmpfn-sim: architecture '%s' is not in this build\n",
					argv[i] + 7);
				return KVMPFN_EXIT_USAGE;
			} else {
				archs[narchs++] = arch;
			}
		} else if (!strncmp(argv[i], "--stage=", 8)) {
			stage_given = true;
			nstages = stage_list(argv[i] + 8, stages);
			if (!nstages)
				return KVMPFN_EXIT_USAGE;
		} else if (!strncmp(argv[i], "--bug=", 6)) {
			if (kvmpfn_bug_parse(argv[i] + 6, &opts.bug)) {
				fprintf(stderr, "kvmpfn-sim: unknown bug '%s' (see kvmpfn-sim bugs)\n",
					argv[i] + 6);
				return KVMPFN_EXIT_USAGE;
			}
		} else if (!strncmp(argv[i], "--seam=", 7)) {
			opts.seam = argv[i] + 7;
			if (!kvmpfn_seam_known(opts.seam)) {
				fprintf(stderr, "kvmpfn-sim: unknown seam '%s'\n",
					argv[i] + 7);
				return KVMPFN_EXIT_USAGE;
			}
		} else if (!strncmp(argv[i], "--report=", 9)) {
			report_path = argv[i] + 9;
			report_fmt = report_format_of(report_path);
			if (report_fmt < 0) {
				fprintf(stderr, "kvmpfn-sim: --report=%s: the report is .html or .svg\n",
					report_path);
				return KVMPFN_EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--trace")) {
			opts.trace = true;
		} else {
			int r = common_arg(argv[i], &opts.checks, &opts.quiet,
					   &nfiles);

			if (r)
				return r;
		}
	}
	if (!nfiles) {
		fprintf(stderr, "kvmpfn-sim: run needs at least one FILE\n");
		return usage(stderr);
	}
	if (report_path && nfiles > 1) {
		fprintf(stderr, "kvmpfn-sim: --report draws the runs of one FILE, not %d\n",
			nfiles);
		return KVMPFN_EXIT_USAGE;
	}
	/* before the runs: a report that cannot be written is bad usage */
	if (report_path && !(report_out = fopen(report_path, "w"))) {
		fprintf(stderr, "kvmpfn-sim: cannot write the report to '%s': %s\n",
			report_path, strerror(errno));
		return KVMPFN_EXIT_USAGE;
	}
	if (arch_all) {
		narchs = arch_all_list(archs, opts.bug);
		if (!narchs)
			return KVMPFN_EXIT_USAGE;
	}
	for (i = 2; i < argc; i++) {
		struct kvmpfn_run_opts po = { .stage = stages[0],
					      .arch = archs[0] };
		enum kvmpfn_arch *fa = archs, file_archs[KVMPFN_NR_ARCHES];
		enum kvmpfn_stage *fs = stages, file_stages[KVMPFN_NR_STAGES];
		int fn = narchs, nfs = nstages;
		bool file_all = false, file_all_stages = false;

		if (argv[i][0] == '-' && argv[i][1])
			continue;
		run_pragma(argv[i], &po, &file_all, &file_all_stages,
			   arch_given, stage_given);
		if (file_all_stages) {
			fs = file_stages;
			nfs = stage_list("all", file_stages);
		} else if (!stage_given) {
			fs = file_stages;
			file_stages[0] = po.stage;
			nfs = 1;
		}
		if (file_all) {
			fa = file_archs;
			fn = arch_all_list(file_archs, opts.bug);
			if (!fn) {
				rc = KVMPFN_EXIT_USAGE;
				break;
			}
		} else if (!arch_given && po.arch != archs[0]) {
			file_archs[0] = po.arch;
			fa = file_archs;
			fn = 1;
		}
		memset(cell, 0, sizeof(cell));
		memset(obs, 0, sizeof(obs));
		for (s = 0; s < nfs; s++) {
			int r = 0, worst = 0;

			opts.stage = fs[s];
			for (a = 0; a < fn && r != KVMPFN_EXIT_USAGE; a++) {
				memset(&rec[a], 0, sizeof(rec[a]));
				opts.arch = fa[a];
				opts.record = fn > 1 ? &rec[a] : NULL;
				if (!report_out)
					r = kvmpfn_run_file(argv[i], &opts, stdout,
							    stderr,
							    &cell[s][a].st);
				else if (kvmpfn_observe_file(argv[i], &opts,
							     stdout, stderr,
							     &obs[s][a])) {
					fprintf(stderr, "kvmpfn-sim: out of memory observing %s\n",
						argv[i]);
					r = KVMPFN_EXIT_USAGE;
				} else {
					r = obs[s][a]->rc;
					cell[s][a].st = obs[s][a]->stats;
				}
				cell[s][a].rc = r;
				cell[s][a].ran = r != KVMPFN_EXIT_USAGE;
				if (r > worst)
					worst = r;
			}
			if (worst != KVMPFN_EXIT_USAGE && fn > 1 && a == fn) {
				r = compare(argv[i], opts.stage, fa, fn, rec);
				if (r > worst)
					worst = r;
			}
			while (a--)
				free(rec[a].v);
			if (worst > rc)
				rc = worst;
			if (worst == KVMPFN_EXIT_USAGE)
				break;
		}
		if (!opts.quiet && rc != KVMPFN_EXIT_USAGE && nfs * fn > 1)
			run_table(argv[i], fs, nfs, fa, fn, cell);
		if (report_out) {
			/* what ran is drawn, even after a bad line */
			if (write_report(argv[i], report_path, report_out,
					 (enum report_format)report_fmt, fs,
					 nfs, fa, fn, obs))
				rc = KVMPFN_EXIT_USAGE;
			for (s = 0; s < nfs; s++)
				for (a = 0; a < fn; a++)
					kvmpfn_obs_free(obs[s][a]);
		}
	}
	if (report_out && fclose(report_out) && rc != KVMPFN_EXIT_USAGE) {
		fprintf(stderr, "kvmpfn-sim: cannot write the report to '%s': %s\n",
			report_path, strerror(errno));
		rc = KVMPFN_EXIT_USAGE;
	}
	return rc;
}

struct decode_ctx {
	struct kvmpfn_session *s;
	FILE *out;
};

static int decode_line(void *ctx, const char *line, size_t len)
{
	struct decode_ctx *d = ctx;
	int r;

	if (kvmpfn_session_line(d->s, line, len)) {
		/* the parser refused it: keep the line, it is the finding */
		fprintf(d->out, "%.*s\n", (int)len, line);
		return 1;
	}
	fprintf(d->out, "%.*s\n", (int)len, line);
	r = kvmpfn_session_result(d->s);
	if (r < 0 && len && strncmp(line, "expect", 6))
		fprintf(d->out, "expect error %s\n", kvmpfn_strerror(r));
	return 0;
}

/*
 * Decode a fuzz input into a scenario that `kvmpfn-sim run` replays to the
 * same result: failing operations get their 'expect error' line, and the
 * stage and architecture travel in the run pragma.
 */
static int cmd_decode(int argc, char **argv)
{
	struct kvmpfn_run_opts ro = { .quiet = true, .lenient = true };
	const struct kvmpfn_violation *v;
	struct decode_ctx d = { .out = stdout };
	struct kvmpfn_decoded hdr;
	static uint8_t buf[1 << 20];
	struct kvmpfn_sim *sim;
	unsigned int n, i;
	size_t size;
	FILE *f, *sink;

	if (argc != 3)
		return usage(stderr);
	f = fopen(argv[2], "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open file\n", argv[2]);
		return KVMPFN_EXIT_USAGE;
	}
	size = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (kvmpfn_decode(buf, size, 0, &hdr, NULL, NULL) ||
	    !(sink = tmpfile()))
		return KVMPFN_EXIT_USAGE;
	ro.stage = hdr.stage;
	ro.arch = hdr.arch;
	d.s = kvmpfn_session_create(argv[2], &ro, sink, sink);
	if (!d.s) {
		fclose(sink);
		return KVMPFN_EXIT_USAGE;
	}
	printf("# SPDX-License-Identifier: GPL-2.0\n"
	       "# decoded from %s\n"
	       "# kvmpfn-run: --arch=%s --stage=%s\n", argv[2],
	       kvmpfn_arch_name(hdr.arch), kvmpfn_stage_name(hdr.stage));
	kvmpfn_decode(buf, size, 0, &hdr, decode_line, &d);
	sim = kvmpfn_session_sim(d.s);
	n = kvmpfn_violations(sim, &v);
	for (i = 0; i < n; i++)
		printf("# violates %s%d: %s\n", v[i].id ? "I" : "WARN ",
		       v[i].id, v[i].msg);
	kvmpfn_session_finish(d.s, NULL);
	fclose(sink);
	return 0;
}

/* --config= of encode, in enum kvmpfn_decode_config order from -1 */
static const char *const encode_configs[] = {
	"none", "small", "block-noncompound", "block-reserved",
	"block-compound", "block-nostruct",
};

/* A scenario as a fuzz input (a seed): the inverse of decode. */
static int cmd_encode(int argc, char **argv)
{
	enum kvmpfn_stage stage = KVMPFN_LEGACY;
	enum kvmpfn_arch arch = KVMPFN_ARCH_REF;
	int config = KVMPFN_DECODE_NONE;
	unsigned int c;
	static char text[1 << 16];
	static uint8_t out[1 << 17];
	const char *path = NULL;
	size_t len, n;
	FILE *f;
	int i;

	for (i = 2; i < argc; i++) {
		if (!strncmp(argv[i], "--arch=", 7)) {
			if (kvmpfn_arch_parse(argv[i] + 7, &arch))
				return usage(stderr);
		} else if (!strncmp(argv[i], "--stage=", 8)) {
			if (kvmpfn_stage_parse(argv[i] + 8, &stage))
				return usage(stderr);
			/* an input's header names a model stage only */
			if (kvmpfn_stage_is_kernel(stage)) {
				fprintf(stderr, "kvmpfn-sim: encode takes a model stage (KVMPFN_STAGE=%s picks it when fuzzing)\n",
					argv[i] + 8);
				return KVMPFN_EXIT_USAGE;
			}
		} else if (!strncmp(argv[i], "--config=", 9)) {
			for (c = 0; c < sizeof(encode_configs) /
				 sizeof(encode_configs[0]); c++)
				if (!strcmp(argv[i] + 9, encode_configs[c]))
					break;
			if (c == sizeof(encode_configs) / sizeof(encode_configs[0])) {
				fprintf(stderr, "kvmpfn-sim: unknown configuration '%s'\n",
					argv[i] + 9);
				return usage(stderr);
			}
			config = (int)c - 1;
		} else if (!path) {
			path = argv[i];
		} else {
			return usage(stderr);
		}
	}
	if (!path || !(f = fopen(path, "rb"))) {
		fprintf(stderr, "kvmpfn-sim: encode needs a readable FILE\n");
		return KVMPFN_EXIT_USAGE;
	}
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	n = kvmpfn_encode_config(text, len, stage, arch, config, out,
				 sizeof(out));
	if (!n) {
		fprintf(stderr, "%s: too large to encode (or a line over 255 bytes)\n",
			path);
		return KVMPFN_EXIT_USAGE;
	}
	fwrite(out, 1, n, stdout);
	return 0;
}

static int cmd_explore(int argc, char **argv)
{
	struct kvmpfn_explore_opts o = { .arch = KVMPFN_ARCH_REF, .shards = 1 };
	struct kvmpfn_explore_stats st;
	const char *out = NULL;
	FILE *repro = stdout;
	struct timespec t0, t1;
	int i, r;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		char extra;

		if (!strncmp(a, "--arch=", 7)) {
			if (kvmpfn_arch_parse(a + 7, &o.arch) ||
			    !kvmpfn_arch_available(o.arch)) {
				fprintf(stderr, "kvmpfn-sim: architecture '%s' is not in this build\n",
					a + 7);
				return KVMPFN_EXIT_USAGE;
			}
		} else if (!strncmp(a, "--stage=", 8)) {
			enum kvmpfn_stage one[KVMPFN_NR_ALL_STAGES];
			int n = stage_list(a + 8, one);

			/* one stage, model or kernel-built, in this build */
			if (n != 1) {
				if (n)
					fprintf(stderr, "kvmpfn-sim: explore takes one stage\n");
				return KVMPFN_EXIT_USAGE;
			}
			o.stage = one[0];
		} else if (!strncmp(a, "--depth=", 8)) {
			if (sscanf(a + 8, "%u%c", &o.depth, &extra) != 1 ||
			    !o.depth || o.depth > 16) {
				fprintf(stderr, "kvmpfn-sim: --depth= takes 1..16\n");
				return KVMPFN_EXIT_USAGE;
			}
		} else if (!strncmp(a, "--shard=", 8)) {
			if (sscanf(a + 8, "%u/%u%c", &o.shard, &o.shards,
				   &extra) != 2 || !o.shards ||
			    o.shard >= o.shards) {
				fprintf(stderr, "kvmpfn-sim: --shard= takes I/N with I < N\n");
				return KVMPFN_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--no-prune")) {
			o.no_prune = true;
		} else if (!strncmp(a, "--ignore=", 9)) {
			const char *p = a + 9;

			/* I4,I19: known findings of the modelled kernel */
			while (*p) {
				unsigned int id;
				int used;

				if (sscanf(p, "I%u%n", &id, &used) != 1 ||
				    id < 1 || id > KVMPFN_NR_INVARIANTS) {
					fprintf(stderr, "kvmpfn-sim: --ignore= takes a list like I4,I19\n");
					return KVMPFN_EXIT_USAGE;
				}
				o.ignore |= 1UL << id;
				p += used;
				if (*p == ',')
					p++;
				else if (*p)
					return usage(stderr);
			}
		} else if (!strncmp(a, "--out=", 6)) {
			out = a + 6;
		} else if (!strcmp(a, "--describe")) {
			kvmpfn_explore_describe(stdout);
			return 0;
		} else {
			fprintf(stderr, "kvmpfn-sim: unknown option '%s'\n", a);
			return usage(stderr);
		}
	}
	if (!o.depth) {
		fprintf(stderr, "kvmpfn-sim: explore needs --depth=N\n");
		return KVMPFN_EXIT_USAGE;
	}
	if (out && !(repro = fopen(out, "w"))) {
		fprintf(stderr, "kvmpfn-sim: cannot write '%s'\n", out);
		return KVMPFN_EXIT_USAGE;
	}
	timespec_get(&t0, TIME_UTC);
	r = kvmpfn_explore(&o, repro, &st);
	timespec_get(&t1, TIME_UTC);
	if (out)
		fclose(repro);
	else
		fflush(stdout);
	if (r < 0) {
		fprintf(stderr, "kvmpfn-sim: explore: %s\n", kvmpfn_strerror(r));
		return KVMPFN_EXIT_USAGE;
	}
	fprintf(r == 1 && !out ? stderr : stdout,
		"explore %s %s shard %u/%u: depth %u of %u, %u ops, %llu sequences, %llu states, %llu pruned, %.1f s: %s\n",
		kvmpfn_arch_name(o.arch), kvmpfn_stage_name(o.stage), o.shard,
		o.shards, st.depth_done, o.depth, st.ops,
		(unsigned long long)st.sequences,
		(unsigned long long)st.states, (unsigned long long)st.pruned,
		(double)(t1.tv_sec - t0.tv_sec) +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		r == 1 ? "VIOLATION (shortest sequence written as a scenario)" :
			 "no violation");
	return r;
}

/* ---- states: page-state transitions over a corpus ---------------------- */

struct states_run {
	struct kvmpfn_pstates *acc;
	FILE *sink;
	int bug;
	unsigned long files;
	unsigned long bad;
	unsigned long runs;
	/* where scenario files run */
	const enum kvmpfn_arch *archs;
	int narchs, first, last;
};

static int states_line(void *ctx, const char *line, size_t len)
{
	return kvmpfn_session_line(ctx, line, len) ? 1 : 0;
}

/* One run of @buf as a scenario (or, @fuzz, a fuzz input) at one point. */
static int states_one(struct states_run *sr, const char *path,
		      const char *buf, size_t len, bool fuzz,
		      enum kvmpfn_stage stage, enum kvmpfn_arch arch)
{
	struct kvmpfn_run_opts o = {
		.stage = stage, .arch = arch, .lenient = true, .quiet = true,
		.checks = KVMPFN_CHECKS_FULL, .bug = sr->bug,
	};
	struct kvmpfn_session *s;
	size_t pos = 0;
	int rc = 0;

	/* a fuzz input's refused lines are its business, not an error */
	s = kvmpfn_session_create(path, &o, sr->sink, fuzz ? sr->sink : stderr);
	if (!s)
		return KVMPFN_EXIT_USAGE;
	if (kvmpfn_pstates_record(kvmpfn_session_sim(s), sr->acc)) {
		fprintf(stderr, "%s: out of memory\n", path);
		kvmpfn_session_finish(s, NULL);
		return KVMPFN_EXIT_USAGE;
	}
	if (fuzz) {
		struct kvmpfn_decoded hdr;

		kvmpfn_decode((const uint8_t *)buf, len, 0, &hdr, states_line, s);
	} else {
		while (pos < len) {
			const char *nl = memchr(buf + pos, '\n', len - pos);
			size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

			if (kvmpfn_session_line(s, buf + pos, n)) {
				rc = KVMPFN_EXIT_USAGE;
				break;
			}
			pos += n + 1;
		}
	}
	/* a fuzz input the parser refuses is still a run of what came before */
	if (kvmpfn_session_finish(s, NULL) == KVMPFN_EXIT_USAGE && !fuzz)
		rc = KVMPFN_EXIT_USAGE;
	sr->runs++;
	return rc;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* A scenario or fuzz input of at most 1 MiB, into @buf. */
static int read_input(const char *path, char *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "%s: cannot open file\n", path);
		return KVMPFN_EXIT_USAGE;
	}
	*len = fread(buf, 1, cap, f);
	if (*len == cap && fgetc(f) != EOF) {
		fclose(f);
		fprintf(stderr, "%s: file too large (1 MiB at most)\n", path);
		return KVMPFN_EXIT_USAGE;
	}
	fclose(f);
	return 0;
}

/*
 * @fn on @path, or on every regular file of the directory @path except
 * the sources that live beside scenarios and inputs; the worst result.
 */
static int for_each_input(const char *path,
			  int (*fn)(void *ctx, const char *path), void *ctx)
{
	static const char *const skip[] = {
		".c", ".h", ".txt", ".cmake", ".md", ".dict",
	};
	struct dirent *e;
	char sub[4096];
	struct stat st;
	int rc = 0, r;
	size_t i;
	DIR *d;

	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return fn(ctx, path);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: cannot open directory\n", path);
		return KVMPFN_EXIT_USAGE;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
			if (has_suffix(e->d_name, skip[i]))
				break;
		if (i < sizeof(skip) / sizeof(skip[0]))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (stat(sub, &st) || !S_ISREG(st.st_mode))
			continue;
		r = fn(ctx, sub);
		if (r > rc)
			rc = r;
	}
	closedir(d);
	return rc;
}

/*
 * Every model in the build, or the one --arch=A names ("all": every
 * model).  Returns how many, 0 after an error message.
 */
static int arch_every(const char *arg, enum kvmpfn_arch *archs)
{
	enum kvmpfn_arch arch;
	int n = 0;

	if (arg && strcmp(arg, "all")) {
		if (kvmpfn_arch_parse(arg, &arch) ||
		    !kvmpfn_arch_available(arch)) {
			fprintf(stderr, "kvmpfn-sim: architecture '%s' is not in this build\n",
				arg);
			return 0;
		}
		archs[0] = arch;
		return 1;
	}
	for (arch = KVMPFN_ARCH_REF; arch < KVMPFN_NR_ARCHES; arch++)
		if (kvmpfn_arch_available(arch))
			archs[n++] = arch;
	return n;
}

static int states_file(struct states_run *sr, const char *path,
		       const enum kvmpfn_arch *archs, int narchs, int first,
		       int last)
{
	static char buf[1 << 20];
	bool fuzz = !has_suffix(path, ".scn");
	struct kvmpfn_decoded hdr;
	size_t len;
	int a, s, rc = 0;

	if (read_input(path, buf, sizeof(buf), &len))
		return KVMPFN_EXIT_USAGE;
	sr->files++;
	if (fuzz) {
		/* a fuzz input names its own stage and architecture */
		if (kvmpfn_decode((const uint8_t *)buf, len, 0, &hdr, NULL, NULL))
			return KVMPFN_EXIT_USAGE;
		return states_one(sr, path, buf, len, true, hdr.stage, hdr.arch);
	}
	for (s = first; s <= last; s++)
		for (a = 0; a < narchs; a++)
			if (states_one(sr, path, buf, len, false,
				       (enum kvmpfn_stage)s, archs[a]))
				rc = KVMPFN_EXIT_USAGE;
	return rc;
}

static int states_input(void *ctx, const char *path)
{
	struct states_run *sr = ctx;

	return states_file(sr, path, sr->archs, sr->narchs, sr->first,
			   sr->last);
}

/*
 * Run scenario files (every stage and architecture asked for) and fuzz
 * inputs (their own stage and architecture) with the page-state recorder,
 * and write the transition graph as DOT to stdout (--summary: as text).
 */
static int cmd_states(int argc, char **argv)
{
	enum kvmpfn_arch archs[KVMPFN_NR_ARCHES];
	struct states_run sr = { 0 };
	int first = KVMPFN_LEGACY, last = KVMPFN_NR_STAGES - 1;
	int narchs = 0, i, rc = 0, nfiles = 0;
	bool summary = false;
	char title[160];
	unsigned int nbugs;
	const struct kvmpfn_bug *bugs = kvmpfn_bugs(&nbugs);

	narchs = arch_every(NULL, archs);
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "--arch=", 7)) {
			narchs = arch_every(a + 7, archs);
			if (!narchs)
				return KVMPFN_EXIT_USAGE;
		} else if (!strncmp(a, "--stage=", 8)) {
			enum kvmpfn_stage st;

			if (!strcmp(a + 8, "all"))
				continue;
			if (kvmpfn_stage_parse(a + 8, &st)) {
				fprintf(stderr, "kvmpfn-sim: unknown stage '%s'\n",
					a + 8);
				return KVMPFN_EXIT_USAGE;
			}
			first = last = st;
		} else if (!strncmp(a, "--bug=", 6)) {
			if (kvmpfn_bug_parse(a + 6, &sr.bug)) {
				fprintf(stderr, "kvmpfn-sim: unknown bug '%s' (see kvmpfn-sim bugs)\n",
					a + 6);
				return KVMPFN_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--summary")) {
			summary = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "kvmpfn-sim: unknown option '%s'\n", a);
			return usage(stderr);
		} else {
			nfiles++;
		}
	}
	if (!nfiles) {
		fprintf(stderr, "kvmpfn-sim: states needs at least one FILE or DIR\n");
		return usage(stderr);
	}
	if (sr.bug) {
		/* a mutant runs on the models that carry it */
		const char *where = bugs[sr.bug - 1].arches;
		int n = 0;

		for (i = 0; i < narchs; i++)
			if (!strcmp(where, "all") ||
			    strstr(where, kvmpfn_arch_name(archs[i])))
				archs[n++] = archs[i];
		narchs = n;
		if (!narchs) {
			fprintf(stderr, "kvmpfn-sim: B%d is not modelled for the architectures asked for\n",
				sr.bug);
			return KVMPFN_EXIT_USAGE;
		}
	}
	sr.acc = kvmpfn_pstates_create();
	sr.sink = tmpfile();
	if (!sr.acc || !sr.sink) {
		fprintf(stderr, "kvmpfn-sim: out of memory\n");
		kvmpfn_pstates_destroy(sr.acc);
		if (sr.sink)
			fclose(sr.sink);
		return KVMPFN_EXIT_USAGE;
	}
	for (i = 2; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		sr.archs = archs;
		sr.narchs = narchs;
		sr.first = first;
		sr.last = last;
		if (for_each_input(argv[i], states_input, &sr))
			rc = KVMPFN_EXIT_USAGE;
		/* the runs' own reports are not wanted; keep the sink small */
		rewind(sr.sink);
	}
	snprintf(title, sizeof(title),
		 "kvmpfn page states: %lu files, stages %s..%s, %d architecture(s)%s%.0d",
		 sr.files, kvmpfn_stage_name(first), kvmpfn_stage_name(last),
		 narchs, sr.bug ? ", mutant B" : "", sr.bug);
	if (!summary) {
		kvmpfn_pstates_dot(sr.acc, title, stdout);
		/* the DOT first, whole, when both streams go to one file */
		fflush(stdout);
	}
	kvmpfn_pstates_summary(sr.acc, summary ? stdout : stderr);
	if (rc)
		fprintf(stderr, "kvmpfn-sim: states: some inputs could not be read or parsed (see above)\n");
	kvmpfn_pstates_destroy(sr.acc);
	fclose(sr.sink);
	return rc;
}

/* ---- conform: the model against the kernel tree's own code ------------- */

struct conform_run {
	const enum kvmpfn_arch *archs;
	int narchs;
	const enum kvmpfn_stage *kstages;	/* kernel-built stages */
	int nk;
	enum kvmpfn_checks checks;
	bool quiet;
	unsigned long files, runs, lines, steps, events, diverged;
};

struct text_buf {
	char *p;
	size_t len, cap;
};

static int text_line(void *ctx, const char *line, size_t len)
{
	struct text_buf *t = ctx;

	if (t->len + len + 1 > t->cap) {
		size_t cap = (t->len + len + 1) * 2;
		char *p = realloc(t->p, cap);

		if (!p)
			return 1;
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, line, len);
	t->p[t->len + len] = '\n';
	t->len += len + 1;
	return 0;
}

static int conform_file(void *ctx, const char *path)
{
	static char buf[1 << 20];
	struct conform_run *cr = ctx;
	bool fuzz = !has_suffix(path, ".scn");
	struct text_buf text = { 0 };
	struct kvmpfn_decoded hdr;
	const char *run = buf;
	int a, k, rc = 0, r;
	size_t len;

	if (read_input(path, buf, sizeof(buf), &len))
		return KVMPFN_EXIT_USAGE;
	cr->files++;
	if (fuzz) {
		/* a fuzz input: its decoded scenario, run everywhere asked */
		if (kvmpfn_decode((const uint8_t *)buf, len, 0, &hdr, text_line,
				  &text) && !text.len) {
			fprintf(stderr, "%s: not a scenario (.scn) and not a fuzz input\n",
				path);
			free(text.p);
			return KVMPFN_EXIT_USAGE;
		}
		run = text.p ? text.p : "";
		len = text.len;
	}
	for (k = 0; k < cr->nk; k++) {
		for (a = 0; a < cr->narchs; a++) {
			struct kvmpfn_conform_opts o = {
				.kernel = cr->kstages[k],
				.model = kvmpfn_stage_model(cr->kstages[k]),
				.arch = cr->archs[a], .checks = cr->checks,
				.lenient = fuzz,
			};
			struct kvmpfn_conform_stats st;

			r = kvmpfn_conform_buffer(path, run, len, &o, stdout,
						  stderr, &st);
			cr->runs++;
			cr->lines += st.lines;
			cr->steps += st.steps;
			cr->events += st.events;
			if (r == KVMPFN_EXIT_FAIL)
				cr->diverged++;
			if (r > rc)
				rc = r;
			if (r == KVMPFN_EXIT_USAGE)
				goto out;
		}
	}
out:
	free(text.p);
	return rc;
}

/*
 * Run each file on a model stage and on its kernel-built twin in lockstep
 * and report where they first differ.  --stage names model stages (their
 * twins are used) or kernel-built ones; default: every kernel-built stage
 * of the build, each against its model stage.
 */
static int cmd_conform(int argc, char **argv)
{
	enum kvmpfn_stage list[KVMPFN_NR_ALL_STAGES], kst[KVMPFN_NR_ALL_STAGES];
	enum kvmpfn_arch archs[KVMPFN_NR_ARCHES];
	struct conform_run cr = { .archs = archs };
	int i, j, n = 0, rc = 0, r, nfiles = 0;

	cr.narchs = arch_every(NULL, archs);
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "--arch=", 7)) {
			cr.narchs = arch_every(a + 7, archs);
			if (!cr.narchs)
				return KVMPFN_EXIT_USAGE;
		} else if (!strncmp(a, "--stage=", 8)) {
			const char *sn = a + 8;

			if (!strcmp(sn, "all"))
				sn = "kernel:all";
			n = stage_list(sn, list);
			if (!n)
				return KVMPFN_EXIT_USAGE;
		} else if (!strncmp(a, "--checks=", 9)) {
			if (checks_parse(a + 9, &cr.checks))
				return KVMPFN_EXIT_USAGE;
		} else if (!strcmp(a, "--quiet")) {
			cr.quiet = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "kvmpfn-sim: unknown option '%s'\n", a);
			return usage(stderr);
		} else {
			nfiles++;
		}
	}
	if (!nfiles) {
		fprintf(stderr, "kvmpfn-sim: conform needs at least one FILE or DIR\n");
		return usage(stderr);
	}
	if (!n && !(n = stage_list("kernel:all", list)))
		return KVMPFN_EXIT_USAGE;
	/* model stages stand for their kernel-built twins */
	for (i = 0; i < n; i++) {
		enum kvmpfn_stage k = list[i];

		if (!kvmpfn_stage_is_kernel(k))
			k = (enum kvmpfn_stage)(k + KVMPFN_KERNEL_LEGACY);
		if (!kvmpfn_stage_available(k)) {
			fprintf(stderr, "kvmpfn-sim: stage '%s' has no kernel-built twin in this build (configure with KERNEL_SRC set)\n",
				kvmpfn_stage_name(list[i]));
			return KVMPFN_EXIT_USAGE;
		}
		for (j = 0; j < cr.nk && kst[j] != k; j++)
			;
		if (j == cr.nk)
			kst[cr.nk++] = k;
	}
	cr.kstages = kst;
	for (i = 2; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		r = for_each_input(argv[i], conform_file, &cr);
		if (r > rc)
			rc = r;
	}
	if (!cr.quiet || rc)
		printf("conform: %lu files, %lu runs (%d stage pair(s) x %d architecture(s)), %lu lines, %lu operations, %lu page events compared: %lu diverged%s\n",
		       cr.files, cr.runs, cr.nk, cr.narchs, cr.lines, cr.steps,
		       cr.events, cr.diverged,
		       rc == KVMPFN_EXIT_USAGE ? " (bad input, see above)" : "");
	return rc;
}

/* The table of known classes of difference between stages. */
static int compare_classes(void)
{
	unsigned int n, i;
	const struct kvmpfn_diff_class *c = kvmpfn_diff_classes(&n);

	for (i = 0; i < n; i++)
		printf("%s (since %s)\n    %s\n    shown by %s\n", c[i].key,
		       kvmpfn_stage_name(c[i].since), c[i].why,
		       c[i].scenario);
	return 0;
}

static int cmd_compare(int argc, char **argv)
{
	struct kvmpfn_compare_opts o = { .arch = KVMPFN_ARCH_REF };
	enum kvmpfn_stage st[2];
	enum kvmpfn_arch archs[KVMPFN_NR_ARCHES] = { KVMPFN_ARCH_REF };
	int nst = 0, narchs = 1, i, a, rc = 0, nfiles = 0;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--classes"))
			return compare_classes();
		if (!strncmp(argv[i], "--stage=", 8)) {
			if (nst == 2) {
				fprintf(stderr, "kvmpfn-sim: compare takes two --stage=\n");
				return KVMPFN_EXIT_USAGE;
			}
			if (!strcmp(argv[i] + 8, "all") ||
			    !strcmp(argv[i] + 8, "kernel:all")) {
				fprintf(stderr, "kvmpfn-sim: compare takes one stage per --stage=\n");
				return KVMPFN_EXIT_USAGE;
			}
			if (!stage_list(argv[i] + 8, &st[nst]))
				return KVMPFN_EXIT_USAGE;
			nst++;
		} else if (!strncmp(argv[i], "--arch=", 7)) {
			narchs = arch_every(argv[i] + 7, archs);
			if (!narchs)
				return KVMPFN_EXIT_USAGE;
		} else if (!strcmp(argv[i], "--show-class")) {
			o.show_class = true;
		} else {
			int r = common_arg(argv[i], &o.checks, &o.quiet,
					   &nfiles);

			if (r)
				return r;
		}
	}
	if (nst != 2) {
		fprintf(stderr, "kvmpfn-sim: compare needs --stage=A --stage=B\n");
		return KVMPFN_EXIT_USAGE;
	}
	if (!nfiles) {
		fprintf(stderr, "kvmpfn-sim: compare needs at least one FILE\n");
		return KVMPFN_EXIT_USAGE;
	}
	o.a = st[0];
	o.b = st[1];
	for (i = 2; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		for (a = 0; a < narchs; a++) {
			int r;

			o.arch = archs[a];
			r = kvmpfn_compare_file(argv[i], &o, stdout, stderr,
						NULL);
			if (r > rc)
				rc = r;
			if (r == KVMPFN_EXIT_USAGE)
				break;
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc, argv);
	if (!strcmp(argv[1], "explore"))
		return cmd_explore(argc, argv);
	if (!strcmp(argv[1], "decode"))
		return cmd_decode(argc, argv);
	if (!strcmp(argv[1], "encode"))
		return cmd_encode(argc, argv);
	if (!strcmp(argv[1], "states"))
		return cmd_states(argc, argv);
	if (!strcmp(argv[1], "conform"))
		return cmd_conform(argc, argv);
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc, argv);
	if (!strcmp(argv[1], "invariants")) {
		const struct kvmpfn_invariant *inv = kvmpfn_invariants();

		for (i = 0; i < KVMPFN_NR_INVARIANTS; i++)
			printf("I%-3d %s%s\n", inv[i].id, inv[i].text,
			       inv[i].implemented ? "" :
			       "  [architecture invariant: no model that checks it in this build]");
		return 0;
	}
	if (!strcmp(argv[1], "bugs")) {
		unsigned int n, j;
		const struct kvmpfn_bug *b = kvmpfn_bugs(&n);

		for (j = 0; j < n; j++)
			printf("B%-3d I%-3d %-16s %-13s %s\n", b[j].id,
			       b[j].invariant, b[j].commit,
			       b[j].arches[0] ? b[j].arches : "-", b[j].what);
		return 0;
	}
	if (!strcmp(argv[1], "stages")) {
		for (i = 0; i < KVMPFN_NR_STAGES; i++)
			printf("%-14s %s\n", kvmpfn_stage_name(i),
			       kvmpfn_stage_subject(i));
		for (i = KVMPFN_KERNEL_LEGACY; i < KVMPFN_NR_ALL_STAGES; i++)
			printf("%-14s %s%s: %s\n", kvmpfn_stage_name(i),
			       kvmpfn_stage_available(i) ? "" : "[not built] ",
			       kvmpfn_stage_name(kvmpfn_stage_model(i)),
			       kvmpfn_stage_available(i) ?
			       kvmpfn_stage_source(i) :
			       i == KVMPFN_KERNEL_TREE ?
			       "a developer's tree (configure with KVMPFN_KERNEL_TREE)" :
			       "the tree's own code (configure with KERNEL_SRC)");
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout);
	fprintf(stderr, "kvmpfn-sim: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
