// SPDX-License-Identifier: GPL-2.0
/*
 * P4: executions a second of the model fuzz target (fuzz/fuzz_model.c,
 * linked into this program) over a fixed corpus, without libFuzzer: the
 * target's own cost, in whatever instrumentation this binary was built
 * with.  The fuzz preset builds it with ASan, UBSan and coverage (the
 * figure the target is about), fuzz-nosan with coverage only, release
 * with nothing; --p4-also=PATH runs another build's P4 in the same run.
 *
 * The corpus is generated from a fixed seed: a random header (stage,
 * architecture, paging mode, configuration) and random op bytes cut at
 * the shortest length that decodes to @ops operation lines after the
 * configuration.  Only inputs that run every line and find no violation
 * are kept, so the timed passes run whole inputs and never abort.
 */
#if defined(__APPLE__)
#define _DARWIN_C_SOURCE 1
#else
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <kvmpfn/decode.h>
#include <kvmpfn/scenario.h>

#include "bench.h"

#ifndef KVMPFN_BENCH_SANITIZE
#define KVMPFN_BENCH_SANITIZE ""
#endif

#define P4_MAX_LEN	2048	/* bytes an input may take to reach @ops */
#define P4_TRIES	200	/* candidates drawn per kept input, at most */
#define P4_TARGET	50000.0	/* exec/s per core with sanitizers */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

const char *bench_sanitizers(void)
{
	static char buf[128];
	const char *s = KVMPFN_BENCH_SANITIZE;
	char *p;

	/* the -fsanitize= list minus fuzzer-no-link (coverage, not a check) */
	snprintf(buf, sizeof(buf), ",%s,", s);
	p = strstr(buf, ",fuzzer-no-link,");
	if (p)
		memmove(p, p + 15, strlen(p + 15) + 1);
	while (buf[0] == ',')
		memmove(buf, buf + 1, strlen(buf));
	p = buf + strlen(buf);
	while (p > buf && p[-1] == ',')
		*--p = '\0';
	return buf[0] ? buf : "none";
}

static bool coverage_built(void)
{
	return strstr(KVMPFN_BENCH_SANITIZE, "fuzzer-no-link") != NULL;
}

static int count_line(void *ctx, const char *line, size_t len)
{
	(void)line;
	(void)len;
	++*(unsigned int *)ctx;
	return 0;
}

/* lines @data decodes to, or -1 if no architecture of this build fits */
static long lines_of(const uint8_t *data, size_t size)
{
	struct kvmpfn_decoded hdr;
	unsigned int n = 0;

	if (kvmpfn_decode(data, size, 0, &hdr, count_line, &n))
		return -1;
	return n;
}

struct p4_run {
	struct kvmpfn_session *s;
	bool bad;
};

static int run_line(void *ctx, const char *line, size_t len)
{
	struct p4_run *r = ctx;

	if (kvmpfn_session_line(r->s, line, len)) {
		r->bad = true;
		return 1;
	}
	return 0;
}

/* whether @data runs every line it decodes to and finds nothing */
static bool runs_clean(const uint8_t *data, size_t size, FILE *sink)
{
	struct kvmpfn_run_opts ro = {
		.quiet = true, .lenient = true,
		.checks = KVMPFN_CHECKS_INCREMENTAL,
	};
	const struct kvmpfn_violation *v;
	struct kvmpfn_decoded hdr;
	struct p4_run r = { 0 };
	int verdict;

	if (kvmpfn_decode(data, size, 0, &hdr, NULL, NULL))
		return false;
	ro.stage = hdr.stage;
	ro.arch = hdr.arch;
	r.s = kvmpfn_session_create("p4", &ro, sink, sink);
	if (!r.s)
		return false;
	kvmpfn_decode(data, size, 0, &hdr, run_line, &r);
	if (kvmpfn_violations(kvmpfn_session_sim(r.s), &v))
		r.bad = true;
	verdict = kvmpfn_session_finish(r.s, NULL);
	return !r.bad && !verdict;
}

/*
 * One candidate: a random header and the shortest random tail that
 * decodes to @ops lines after the configuration; its length, or 0.
 */
static size_t draw(uint64_t *seed, uint8_t *buf, unsigned int ops)
{
	size_t lo = 3, hi = P4_MAX_LEN, i;
	long base, want;

	for (i = 0; i < P4_MAX_LEN; i++)
		buf[i] = (uint8_t)bench_xorshift64(seed);
	buf[0] &= ~KVMPFN_DECODE_WHOLE;
	base = lines_of(buf, 2);
	if (base < 0)
		return 0;
	want = base + (long)ops;
	if (lines_of(buf, hi) < want)
		return 0;
	/* a longer tail decodes to at least as many lines */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (lines_of(buf, mid) >= want)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

struct p4_corpus {
	uint8_t **data;
	size_t *size;
	unsigned int n;
	unsigned long drawn;
	size_t bytes;
};

static void corpus_free(struct p4_corpus *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		free(c->data[i]);
	free(c->data);
	free(c->size);
}

static int corpus_make(const struct p4_opts *o, struct p4_corpus *c)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	uint8_t *buf = malloc(P4_MAX_LEN);
	FILE *sink = fopen("/dev/null", "w");
	unsigned long tries = (unsigned long)o->inputs * P4_TRIES;
	size_t len;

	memset(c, 0, sizeof(*c));
	c->data = calloc(o->inputs, sizeof(*c->data));
	c->size = calloc(o->inputs, sizeof(*c->size));
	if (!buf || !sink || !c->data || !c->size)
		goto fail;
	while (c->n < o->inputs && c->drawn < tries) {
		c->drawn++;
		len = draw(&seed, buf, o->ops);
		if (!len || !runs_clean(buf, len, sink))
			continue;
		c->data[c->n] = malloc(len);
		if (!c->data[c->n])
			goto fail;
		memcpy(c->data[c->n], buf, len);
		c->size[c->n++] = len;
		c->bytes += len;
	}
	free(buf);
	fclose(sink);
	return c->n == o->inputs ? 0 : -1;
fail:
	free(buf);
	if (sink)
		fclose(sink);
	corpus_free(c);
	return -1;
}

static void p4_record(const char *sanitizers, double exec_per_cpu_s)
{
	char what[96];

	if (!strcmp(sanitizers, "none"))
		return;
	snprintf(what, sizeof(what),
		 "model fuzz target exec/s per core (%s)", sanitizers);
	bench_target("P4", "-", what, WANT_AT_LEAST, P4_TARGET,
		     exec_per_cpu_s, "exec/s");
}

/* the corpus as files p4-NNNN in @dir (existing), for replay-T -r */
static int corpus_dump(const struct p4_corpus *c, const char *dir)
{
	char path[4096];
	unsigned int i;
	FILE *f;

	for (i = 0; i < c->n; i++) {
		snprintf(path, sizeof(path), "%s/p4-%04u", dir, i);
		f = fopen(path, "wb");
		if (!f)
			return -1;
		if (fwrite(c->data[i], 1, c->size[i], f) != c->size[i]) {
			fclose(f);
			return -1;
		}
		if (fclose(f))
			return -1;
	}
	return 0;
}

static void p4_here(const struct p4_opts *o, bool *sanitized)
{
	struct p4_corpus c;
	double best_wall = -1, best_cpu = -1, t0, c0;
	unsigned int rep, i;
	char b1[32], b2[32];

	if (corpus_make(o, &c)) {
		bench_error_line("fuzz", "-", "corpus",
				 "too few clean inputs drawn");
		return;
	}
	if (o->dump && corpus_dump(&c, o->dump))
		bench_error_line("fuzz", "-", o->dump,
				 "cannot write the corpus there");
	/* an untimed pass: the first inputs pay for cold code and caches */
	for (i = 0; i < c.n; i++)
		LLVMFuzzerTestOneInput(c.data[i], c.size[i]);
	for (rep = 0; rep < o->reps; rep++) {
		t0 = bench_now();
		c0 = bench_cpu();
		for (i = 0; i < c.n; i++)
			LLVMFuzzerTestOneInput(c.data[i], c.size[i]);
		t0 = bench_now() - t0;
		c0 = bench_cpu() - c0;
		if (best_wall < 0 || t0 < best_wall)
			best_wall = t0;
		if (best_cpu < 0 || c0 < best_cpu)
			best_cpu = c0;
	}
	printf("{\"bench\":\"fuzz\",\"target\":\"model\",\"sanitizers\":\"%s\","
	       "\"coverage\":%s,\"inputs\":%u,\"ops\":%u,\"drawn\":%lu,"
	       "\"bytes_per_input\":%.1f,\"reps\":%u,\"seconds\":%.6f,"
	       "\"exec_per_s\":%s,\"exec_per_cpu_s\":%s}\n",
	       bench_sanitizers(), coverage_built() ? "true" : "false", c.n,
	       o->ops, c.drawn, (double)c.bytes / c.n, o->reps,
	       bench_num(best_wall),
	       bench_fig(b1, sizeof(b1), "%.0f", bench_ratio(c.n, best_wall)),
	       bench_fig(b2, sizeof(b2), "%.0f", bench_ratio(c.n, best_cpu)));
	fflush(stdout);
	p4_record(bench_sanitizers(), bench_ratio(c.n, best_cpu));
	if (strcmp(bench_sanitizers(), "none"))
		*sanitized = true;
	corpus_free(&c);
}

/* a string field of a JSON line we printed ourselves; "" if absent */
static void json_str(const char *line, const char *key, char *out,
		     size_t cap)
{
	const char *p = strstr(line, key), *e;
	size_t n;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(key);
	e = strchr(p, '"');
	if (!e)
		return;
	n = (size_t)(e - p) < cap - 1 ? (size_t)(e - p) : cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* P4 in another build of kvmpfn-bench, its lines passed through */
static void p4_other(const struct p4_opts *o, bool *sanitized)
{
	char cmd[4200], line[1024], san[64];
	const char *p;
	FILE *f;
	int st;

	if (strchr(o->other, '\'') || strlen(o->other) > 4000) {
		bench_error_line("fuzz", "-", "--p4-also", "unusable path");
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "'%s' --p4-only --no-targets --p4-inputs=%u --p4-ops=%u --reps=%u",
		 o->other, o->inputs, o->ops, o->reps);
	fflush(stdout);
	f = popen(cmd, "r");
	if (!f) {
		bench_error_line("fuzz", "-", "--p4-also", "cannot run it");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		fputs(line, stdout);
		if (!strstr(line, "\"bench\":\"fuzz\""))
			continue;
		p = strstr(line, "\"exec_per_cpu_s\":");
		json_str(line, "\"sanitizers\":\"", san, sizeof(san));
		if (p && san[0]) {
			p4_record(san, strtod(p + 17, NULL));
			if (strcmp(san, "none"))
				*sanitized = true;
		}
	}
	fflush(stdout);
	st = pclose(f);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st))
		bench_error_line("fuzz", "-", o->other, "P4 run failed");
}

void bench_p4(const struct p4_opts *o)
{
	bool sanitized = false;

	p4_here(o, &sanitized);
	if (o->other)
		p4_other(o, &sanitized);
	if (sanitized || o->no_target)
		return;
	bench_target("P4", "-", "model fuzz target exec/s per core (no sanitized build run)",
		     WANT_AT_LEAST, P4_TARGET, -1, "exec/s");
	fprintf(stderr, "kvmpfn-bench: P4's target is for ASan + UBSan: add --p4-also=build/fuzz/bench/kvmpfn-bench\n");
}
