// SPDX-License-Identifier: GPL-2.0
/*
 * Stage against stage: the decoded operations run at two stages on the
 * architecture the input's header picks, each through the step observer
 * (<kvmpfn/observe.h>), and every difference between the two runs
 * (<kvmpfn/compare.h>) must be of a class in the known table
 * (kvmpfn-sim compare --classes).  One that is not is a crash with the
 * differences on stderr: either the series changed something nobody
 * explained, or the table lacks an entry.
 *
 * The pair: KVMPFN_COMPARE=A,B (e.g. "legacy,v7.8"); unset, legacy against
 * the stage the header names, or against the last stage when that is
 * legacy itself.
 */
#include "fuzz_common.h"

#include <kvmpfn/compare.h>

/* KVMPFN_COMPARE=A,B, parsed once; false if unset */
static bool fuzz_pair(enum kvmpfn_stage pair[2])
{
	static int state = -1;	/* -1: not read, 0: unset, 1: set */
	static enum kvmpfn_stage fixed[2];
	char a[32];
	const char *e, *comma;

	if (state < 0) {
		e = getenv("KVMPFN_COMPARE");
		state = e && *e;
		if (state) {
			comma = strchr(e, ',');
			snprintf(a, sizeof(a), "%.*s",
				 (int)(comma ? comma - e : 0), e);
			if (!comma || kvmpfn_stage_parse(a, &fixed[0]) ||
			    kvmpfn_stage_parse(comma + 1, &fixed[1]) ||
			    !kvmpfn_stage_available(fixed[0]) ||
			    !kvmpfn_stage_available(fixed[1])) {
				fprintf(stderr, "KVMPFN_COMPARE=%s: not two stages of this build (A,B)\n",
					e);
				abort();
			}
		}
	}
	if (state) {
		pair[0] = fixed[0];
		pair[1] = fixed[1];
	}
	return state;
}

static int observe_line(void *ctx, const char *line, size_t len)
{
	return kvmpfn_observer_line(ctx, line, len) < 0;
}

/* One run of the input at @stage; NULL if it could not start. */
static struct kvmpfn_obs *observe(const uint8_t *data, size_t size,
				  enum kvmpfn_stage stage,
				  enum kvmpfn_arch arch)
{
	struct kvmpfn_run_opts ro = {
		.stage = stage, .arch = arch, .quiet = true, .lenient = true,
		.checks = KVMPFN_CHECKS_INCREMENTAL,
	};
	struct kvmpfn_observer *o;
	struct kvmpfn_decoded hdr;
	struct kvmpfn_obs *obs = NULL;

	ro.sim = fuzz_sim(stage, arch);
	o = kvmpfn_observer_create("fuzz", &ro, fuzz_sink(), fuzz_sink());
	if (!o) {
		fuzz_sim_done(ro.sim);
		return NULL;
	}
	kvmpfn_decode(data, size, 1U << arch, &hdr, observe_line, o);
	if (kvmpfn_observer_finish(o, &obs))
		abort();	/* out of memory */
	fuzz_sim_done(ro.sim);
	return obs;
}

static void print_diffs(FILE *f, const struct kvmpfn_diffs *d,
			enum kvmpfn_arch arch, const enum kvmpfn_stage *pair)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(f, "fuzz:%u: %s: %s: A: %s | B: %s [%s%s]\n",
			d->v[i].line, kvmpfn_arch_name(arch),
			kvmpfn_aspect_name(d->v[i].aspect), d->v[i].what[0],
			d->v[i].what[1], d->v[i].cls,
			kvmpfn_diff_class_find(d->v[i].cls, pair[0],
					       pair[1]) ? "" : " ?");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmpfn_diffs d = { 0 };
	struct kvmpfn_obs *obs[2];
	enum kvmpfn_stage pair[2];
	struct kvmpfn_decoded hdr;
	size_t i;

	if (kvmpfn_decode(data, size, 0, &hdr, NULL, NULL))
		return 0;
	if (!fuzz_pair(pair)) {
		pair[0] = KVMPFN_LEGACY;
		pair[1] = hdr.stage != KVMPFN_LEGACY ? hdr.stage :
			  (enum kvmpfn_stage)(KVMPFN_NR_STAGES - 1);
	}
	obs[0] = observe(data, size, pair[0], hdr.arch);
	obs[1] = observe(data, size, pair[1], hdr.arch);
	if (!obs[0] || !obs[1] || kvmpfn_compare_obs(obs[0], obs[1], &d))
		abort();	/* the same input gives the same steps */
	if (fuzz_hooks.out) {
		fprintf(fuzz_hooks.out, "%s vs %s: %zu differences\n",
			kvmpfn_stage_name(pair[0]), kvmpfn_stage_name(pair[1]),
			d.n);
		print_diffs(fuzz_hooks.out, &d, hdr.arch, pair);
	}
	for (i = 0; i < d.n && !fuzz_hooks.out; i++) {
		if (kvmpfn_diff_class_find(d.v[i].cls, pair[0], pair[1]))
			continue;
		fprintf(stderr, "kvmpfn: %s: %s vs %s: a difference of a class not in the table "
			"(kvmpfn-sim decode INPUT > repro.scn; kvmpfn-sim compare --show-class --arch=%s --stage=%s --stage=%s repro.scn)\n",
			kvmpfn_arch_name(hdr.arch),
			kvmpfn_stage_name(pair[0]), kvmpfn_stage_name(pair[1]),
			kvmpfn_arch_name(hdr.arch),
			kvmpfn_stage_name(pair[0]), kvmpfn_stage_name(pair[1]));
		print_diffs(stderr, &d, hdr.arch, pair);
		abort();
	}
	kvmpfn_diffs_free(&d);
	kvmpfn_obs_free(obs[0]);
	kvmpfn_obs_free(obs[1]);
	return 0;
}
