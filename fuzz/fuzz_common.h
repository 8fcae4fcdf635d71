/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the model fuzz targets share: run a decoded input in a session and
 * turn any invariant violation into a crash libFuzzer records.
 */
#ifndef KVMPFN_FUZZ_COMMON_H
#define KVMPFN_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_hooks.h"

#include <kvmpfn/decode.h>
#include <kvmpfn/scenario.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* defined here: each target is one file (replay.c declares it only) */
struct fuzz_hooks fuzz_hooks;

/* a sink for the runner's chatter, opened once */
static inline FILE *fuzz_sink(void)
{
	static FILE *sink;

	if (!sink)
		sink = fopen("/dev/null", "w");
	return sink;
}

/*
 * Invariant ids a campaign does not stop on: KVMPFN_FUZZ_IGNORE="I19,I4"
 * (default "I19": kvm_vcpu_map() of unprotected memory is a known gap of
 * 6.12 and of every stage of this series, fixed only in 6.13, and would
 * otherwise be the only thing a campaign finds).  "none" ignores nothing.
 */
static inline unsigned long fuzz_ignored(void)
{
	static unsigned long mask = ~0UL;
	const char *e, *p;

	if (mask != ~0UL)
		return mask;
	e = getenv("KVMPFN_FUZZ_IGNORE");
	if (!e)
		e = "I19";
	mask = 0;
	for (p = e; (p = strchr(p, 'I')); p++)
		mask |= 1UL << (strtoul(p + 1, NULL, 10) & 31);
	return mask;
}

/* KVMPFN_BUG=Bn puts a bug-zoo mutant back for the whole campaign. */
static inline int fuzz_bug(void)
{
	static int bug = -1;
	const char *e;

	if (bug < 0) {
		e = getenv("KVMPFN_BUG");
		bug = 0;
		if (e && kvmpfn_bug_parse(e, &bug)) {
			fprintf(stderr, "KVMPFN_BUG=%s: unknown bug\n", e);
			abort();
		}
	}
	return bug;
}

/*
 * KVMPFN_STAGE=NAME runs every input at that stage instead of the one its
 * header names, e.g. KVMPFN_STAGE=kernel:tree to fuzz a developer's tree;
 * -1 when unset.  An unknown or unbuilt stage stops the campaign at once.
 */
static inline int fuzz_stage(void)
{
	static int stage = -2;
	enum kvmpfn_stage st;
	const char *e;

	if (stage != -2)
		return stage;
	e = getenv("KVMPFN_STAGE");
	stage = -1;
	if (e && *e) {
		if (kvmpfn_stage_parse(e, &st) || !kvmpfn_stage_available(st)) {
			fprintf(stderr, "KVMPFN_STAGE=%s: not a stage of this build (kvmpfn-sim stages)\n",
				e);
			abort();
		}
		stage = (int)st;
	}
	return stage;
}

/*
 * Findings of the modelled kernel itself, documented in the models and the
 * examples: a campaign that stopped on them would find nothing else.
 * KVMPFN_FUZZ_IGNORE=none turns this list off too.
 */
static inline bool fuzz_known(enum kvmpfn_arch arch, enum kvmpfn_stage st,
			      int id)
{
	const char *e = getenv("KVMPFN_FUZZ_IGNORE");

	if (e && !strcmp(e, "none"))
		return false;
	/* ppc before v7.7: the !PageReserved filter leaks and loses dirty */
	if (arch == KVMPFN_ARCH_PPC && st < KVMPFN_V7_7 &&
	    (id == 2 || id == 5 || id == 16))
		return true;
	/* arm64: handle_access_fault marks accessed with nothing held */
	if (arch == KVMPFN_ARCH_ARM64 && id == 4)
		return true;
	return false;
}

/*
 * One simulator per stage and architecture, kept from input to input and
 * reset after each (kvmpfn_sim_reset(): as good as a fresh one, at a cost
 * that follows what the input built, and with no fuzzing coverage of its
 * own).  The mutant, checks mode and x86 paging mode are set by each run
 * and undone by the reset.  NULL with fuzz_hooks.fresh: the run creates
 * its own.
 */
static inline struct kvmpfn_sim *fuzz_sim(enum kvmpfn_stage st,
					  enum kvmpfn_arch arch)
{
	static struct kvmpfn_sim *sims[KVMPFN_NR_ALL_STAGES][KVMPFN_NR_ARCHES];
	struct kvmpfn_sim **sp;

	if (fuzz_hooks.fresh || (unsigned int)st >= KVMPFN_NR_ALL_STAGES ||
	    (unsigned int)arch >= KVMPFN_NR_ARCHES)
		return NULL;
	sp = &sims[st][arch];
	if (!*sp)
		*sp = kvmpfn_sim_create_arch(st, arch);
	return *sp;
}

/* the run on @sim (fuzz_sim()'s, or NULL) is over: ready it for the next */
static inline void fuzz_sim_done(struct kvmpfn_sim *sim)
{
	if (sim && kvmpfn_sim_reset(sim))
		abort();
}

/* where a run's chatter goes: the sink, or replay --compare's buffer */
static inline FILE *fuzz_out(void)
{
	return fuzz_hooks.out ? fuzz_hooks.out : fuzz_sink();
}

static int fuzz_line(void *ctx, const char *line, size_t len)
{
	return kvmpfn_session_line(ctx, line, len);
}

/*
 * Decode and run @data restricted to @arch_mask (0: any).  On a violation
 * print the reports and abort; @rec, if set, receives the fault outcomes.
 */
static inline void fuzz_run(const uint8_t *data, size_t size,
			    unsigned int arch_mask, int stage,
			    struct kvmpfn_outcomes *rec,
			    struct kvmpfn_decoded *hdr_out)
{
	/* incremental checking reaches the verdicts full checking does */
	struct kvmpfn_run_opts ro = {
		.quiet = true, .lenient = true,
		.checks = KVMPFN_CHECKS_INCREMENTAL,
	};
	const struct kvmpfn_violation *v;
	struct kvmpfn_session *s;
	struct kvmpfn_decoded hdr;
	unsigned int n, i;

	if (kvmpfn_decode(data, size, arch_mask, &hdr, NULL, NULL))
		return;
	if (stage < 0)
		stage = fuzz_stage();
	ro.stage = stage >= 0 ? (enum kvmpfn_stage)stage : hdr.stage;
	ro.arch = hdr.arch;
	ro.record = rec;
	ro.bug = fuzz_bug();
	ro.sim = fuzz_sim(ro.stage, ro.arch);
	if (fuzz_hooks.out) {
		ro.trace = true;
		ro.quiet = false;
	}
	s = kvmpfn_session_create("fuzz", &ro, fuzz_out(), fuzz_out());
	if (!s) {
		fuzz_sim_done(ro.sim);
		/* a KVMPFN_BUG mutant this architecture does not carry */
		if (ro.bug)
			return;
		abort();
	}
	kvmpfn_decode(data, size, arch_mask, &hdr, fuzz_line, s);
	n = kvmpfn_violations(kvmpfn_session_sim(s), &v);
	if (fuzz_hooks.out) {
		fprintf(fuzz_hooks.out, "%u violations\n", n);
		for (i = 0; i < n; i++) {
			fprintf(fuzz_hooks.out, "expected %d: ",
				kvmpfn_session_expected(s, i));
			kvmpfn_report(kvmpfn_session_sim(s), &v[i],
				      fuzz_hooks.out);
		}
		n = 0;
	}
	for (i = 0; i < n; i++) {
		/* a finding the input declares (seeds from scenarios) is fine */
		if (kvmpfn_session_expected(s, i) ||
		    (v[i].id && (fuzz_ignored() >> v[i].id) & 1) ||
		    fuzz_known(ro.arch, kvmpfn_stage_model(ro.stage), v[i].id))
			continue;
		fprintf(stderr, "kvmpfn: %s at %s: invariant violated "
			"(kvmpfn-sim decode INPUT > repro.scn to replay)\n",
			kvmpfn_arch_name(ro.arch), kvmpfn_stage_name(ro.stage));
		for (i = 0; i < n; i++)
			kvmpfn_report(kvmpfn_session_sim(s), &v[i], stderr);
		abort();
	}
	kvmpfn_session_finish(s, NULL);
	fuzz_sim_done(ro.sim);
	if (hdr_out)
		*hdr_out = hdr;
}

#endif
