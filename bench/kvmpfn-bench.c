// SPDX-License-Identifier: GPL-2.0
/*
 * kvmpfn-bench: the performance figures of DESIGN section 8 (P1-P4), for
 * every architecture model in the build.  One JSON object a line on
 * stdout, then each target next to the figure this run measured for it
 * (targets.c); the exit status never depends on a target.
 *
 *   P1  fault_4k        simulated 4K write faults a second, one core:
 *                       "cold" (first fault of each gfn; GUP allocates the
 *                       host page) and "warm" (refault after an
 *                       invalidation zapped every leaf; host pages stay),
 *                       with the checker off, incremental and full (full
 *                       on a small guest only: it rescans every leaf after
 *                       every step, so its cost grows with the guest).
 *   P2  memslot_lookup  faults on random gfns that hit existing leaves with
 *                       1 memslot vs 32764 one-page memslots over the same
 *                       pages; the memslot lookup is inside kvmpfn_fault().
 *   P3  p3              fault every 4K page of a 64 GiB guest (checker
 *                       off by default): elapsed time, peak RSS and bytes
 *                       of model state a mapping, split into host and KVM
 *                       side.  Runs first, in a child process of its own.
 *   P4  fuzz            executions a second of the model fuzz target over
 *                       a fixed generated corpus (p4_fuzz.c).
 *
 * Plain C11 plus POSIX clock_gettime/getrusage; Linux and macOS.
 */
#if defined(__APPLE__)
#define _DARWIN_C_SOURCE 1
#else
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__APPLE__)
#include <mach/mach.h>
#endif

#include <kvmpfn/kvmpfn.h>

#include "bench.h"

#define GUEST_HVA	0x100000000ULL	/* where the guest's memory is mapped */
#define MAX_SLOTS	32764		/* KVM_USER_MEM_SLOTS (x86) */
#define FULL_PAGES	4096UL		/* guest size for checks=full */

struct opts {
	int arch;			/* -1: every arch in the build */
	enum kvmpfn_stage stage;
	uint64_t pages;			/* P1 guest size */
	uint64_t full_pages;		/* P1 guest size with checks=full */
	uint64_t p2_slots;
	uint64_t p2_faults;
	unsigned int reps;		/* best of this many timings */
	enum kvmpfn_checks checks;	/* checker mode of P2 and P3 */
	uint64_t p3_mib;
	bool skip_p1, skip_p2, skip_p3, skip_p4;
	bool no_targets;
	struct p4_opts p4;
};

#define P1_TARGET	10e6	/* warm 4K faults/s, checks off */
#define P1_RATIO	2.0	/* incremental checks over off */
#define P2_RATIO	3.0	/* 32764 memslots over 1 */
#define P3_GIB		64	/* the guest the P3 targets are for */

/* ---- time and memory ---------------------------------------------------- */

int bench_failures;

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* Peak resident set size of the process so far, bytes. */
static double peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
#if defined(__APPLE__)
	return (double)ru.ru_maxrss;		/* bytes */
#else
	return (double)ru.ru_maxrss * 1024.0;	/* KiB */
#endif
}

/* Current resident set size, bytes; -1 where the host cannot tell. */
static double cur_rss(void)
{
#if defined(__APPLE__)
	struct mach_task_basic_info info;
	mach_msg_type_number_t n = MACH_TASK_BASIC_INFO_COUNT;

	if (task_info(mach_task_self(), MACH_TASK_BASIC_INFO,
		      (task_info_t)&info, &n) != KERN_SUCCESS)
		return -1;
	return (double)info.resident_size;
#elif defined(__linux__)
	unsigned long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	if (n != 2)
		return -1;
	return (double)resident * (double)sysconf(_SC_PAGESIZE);
#else
	return -1;
#endif
}

static double mib(double bytes)
{
	return bytes / (1024.0 * 1024.0);
}

double bench_num(double x)
{
	return x == x && x < 1e300 && x > -1e300 ? x : -1;
}

double bench_ratio(double a, double b)
{
	return b > 0 && a >= 0 ? a / b : -1;
}

const char *bench_fig(char *buf, size_t len, const char *fmt, double x)
{
	if (x < 0 || x != x || x > 1e300)
		return "null";
	snprintf(buf, len, fmt, x);
	return buf;
}

void bench_error_line(const char *bench, const char *arch, const char *what,
		      const char *why)
{
	printf("{\"bench\":\"%s\",\"arch\":\"%s\",\"error\":\"%s: %s\"}\n",
	       bench, arch, what, why);
	fflush(stdout);
	bench_failures++;
}

static const char *checks_name(enum kvmpfn_checks c)
{
	switch (c) {
	case KVMPFN_CHECKS_FULL: return "full";
	case KVMPFN_CHECKS_INCREMENTAL: return "incremental";
	case KVMPFN_CHECKS_OFF: return "off";
	}
	return "?";
}

static void error_line(const char *bench, const char *arch,
		       const char *what, int r)
{
	bench_error_line(bench, arch, what, kvmpfn_strerror(r));
}

/* ---- a guest ------------------------------------------------------------ */

/*
 * A simulator with one anonymous read-write VMA of @pages pages at
 * GUEST_HVA and @slots memslots splitting it evenly (gfn 0 up, consecutive
 * hvas), checker in @checks mode from the start.
 */
static struct kvmpfn_sim *guest_create(const struct opts *o,
				       enum kvmpfn_arch arch,
				       enum kvmpfn_checks checks,
				       uint64_t pages, uint64_t slots,
				       const char *bench)
{
	const char *an = kvmpfn_arch_name(arch);
	struct kvmpfn_mmap_args m = {
		.hva = GUEST_HVA,
		.len = pages * KVMPFN_PAGE_SIZE,
		.prot = KVMPFN_PROT_READ | KVMPFN_PROT_WRITE,
		.kind = KVMPFN_MAP_ANON,
	};
	struct kvmpfn_sim *sim;
	uint64_t per = pages / slots, i;
	int r;

	sim = kvmpfn_sim_create_arch(o->stage, arch);
	if (!sim) {
		error_line(bench, an, "kvmpfn_sim_create_arch", -KVMPFN_ENOMEM);
		return NULL;
	}
	kvmpfn_sim_set_checks(sim, checks);
	r = kvmpfn_host_mmap(sim, &m);
	if (r) {
		error_line(bench, an, "kvmpfn_host_mmap", r);
		kvmpfn_sim_destroy(sim);
		return NULL;
	}
	for (i = 0; i < slots; i++) {
		struct kvmpfn_memslot_args s = {
			.id = (int)i,
			.gfn = i * per,
			.npages = i + 1 < slots ? per : pages - i * per,
			.hva = GUEST_HVA + i * per * KVMPFN_PAGE_SIZE,
		};

		r = kvmpfn_memslot(sim, KVMPFN_SLOT_CREATE, &s);
		if (r) {
			error_line(bench, an, "kvmpfn_memslot", r);
			kvmpfn_sim_destroy(sim);
			return NULL;
		}
	}
	return sim;
}

/* Count what went wrong, once per phase. */
struct tally {
	uint64_t errors;
	int first_error;
};

static void tally(struct tally *t, int r)
{
	if (!r)
		return;
	if (!t->errors++)
		t->first_error = r;
}

static unsigned int violations(struct kvmpfn_sim *sim)
{
	const struct kvmpfn_violation *v;

	return kvmpfn_violations(sim, &v);
}

/* Write-fault gfns [0, pages) in order; seconds taken. */
static double fault_all(struct kvmpfn_sim *sim, uint64_t pages,
			struct tally *t)
{
	double t0 = bench_now();
	uint64_t g;

	for (g = 0; g < pages; g++)
		tally(t, kvmpfn_fault(sim, 0, g, true));
	return bench_now() - t0;
}

/* ---- P1 ----------------------------------------------------------------- */

struct p1_result {
	double ns[2];			/* cold, warm; <0: not measured */
};

static void p1_line(const char *an, const char *stage,
		    enum kvmpfn_checks c, const char *phase, uint64_t pages,
		    unsigned int reps, double secs, const struct tally *t,
		    unsigned int viol)
{
	printf("{\"bench\":\"fault_4k\",\"arch\":\"%s\",\"stage\":\"%s\","
	       "\"checks\":\"%s\",\"phase\":\"%s\",\"pages\":%" PRIu64 ","
	       "\"reps\":%u,\"seconds\":%.6f,\"per_s\":%.0f,"
	       "\"ns_per_fault\":%.1f,\"errors\":%" PRIu64 ",\"violations\":%u",
	       an, stage, checks_name(c), phase, pages, reps, bench_num(secs),
	       bench_num(bench_ratio((double)pages, secs)),
	       bench_num(bench_ratio(secs * 1e9, (double)pages)), t->errors, viol);
	if (t->errors)
		printf(",\"first_error\":\"%s\"", kvmpfn_strerror(t->first_error));
	printf("}\n");
	fflush(stdout);
	if (t->errors)
		bench_failures++;
}

/*
 * One guest: cold pass, zap every leaf, warm pass; seconds of each in
 * @secs, false if the guest could not be set up.
 */
static bool p1_pass(const struct opts *o, enum kvmpfn_arch arch,
		    enum kvmpfn_checks c, uint64_t pages, double secs[2],
		    struct tally t[2], unsigned int viol[2])
{
	const char *an = kvmpfn_arch_name(arch);
	struct kvmpfn_sim *sim;
	int r;

	sim = guest_create(o, arch, c, pages, 1, "fault_4k");
	if (!sim)
		return false;

	/* cold: the host pages do not exist yet; GUP faults each one in */
	secs[0] = fault_all(sim, pages, &t[0]);
	viol[0] = violations(sim);

	/* zap every leaf, keep the host pages: the notifier path */
	r = kvmpfn_invalidate_begin(sim, GUEST_HVA, pages * KVMPFN_PAGE_SIZE);
	if (!r)
		r = kvmpfn_invalidate_end(sim);
	if (r) {
		error_line("fault_4k", an, "invalidate", r);
		kvmpfn_sim_destroy(sim);
		return false;
	}

	/* warm: every host page is mapped, every leaf is gone */
	secs[1] = fault_all(sim, pages, &t[1]);
	viol[1] = violations(sim);
	kvmpfn_sim_destroy(sim);
	return true;
}

/* The best of o->reps passes, printed; ns a fault in @res. */
static void p1_one(const struct opts *o, enum kvmpfn_arch arch,
		   enum kvmpfn_checks c, uint64_t pages, struct p1_result *res)
{
	static const char *const phase[2] = { "cold", "warm" };
	const char *an = kvmpfn_arch_name(arch);
	const char *sn = kvmpfn_stage_name(o->stage);
	struct tally t[2] = { { 0 } }, tr[2];
	double best[2] = { -1, -1 }, secs[2];
	unsigned int viol[2] = { 0 }, vr[2], rep;
	int i;

	res->ns[0] = res->ns[1] = -1;
	for (rep = 0; rep < o->reps; rep++) {
		memset(tr, 0, sizeof(tr));
		if (!p1_pass(o, arch, c, pages, secs, tr, vr))
			return;
		for (i = 0; i < 2; i++) {
			if (best[i] < 0 || secs[i] < best[i])
				best[i] = secs[i];
			if (tr[i].errors && !t[i].errors)
				t[i].first_error = tr[i].first_error;
			t[i].errors += tr[i].errors;
			if (vr[i] > viol[i])
				viol[i] = vr[i];
		}
	}
	for (i = 0; i < 2; i++) {
		p1_line(an, sn, c, phase[i], pages, o->reps, best[i], &t[i],
			viol[i]);
		if (!t[i].errors)
			res->ns[i] = best[i] * 1e9 / (double)pages;
	}
}

/* time a fault with @top / time a fault with @bottom, same guest size */
static void p1_ratio(const struct opts *o, const char *an, const char *what,
		     uint64_t pages, const struct p1_result *top,
		     const struct p1_result *bottom)
{
	static const char *const phase[2] = { "cold", "warm" };
	char buf[32];
	int i;

	for (i = 0; i < 2; i++) {
		printf("{\"bench\":\"p1_ratio\",\"arch\":\"%s\",\"stage\":\"%s\","
		       "\"phase\":\"%s\",\"pages\":%" PRIu64 ",\"%s\":%s}\n",
		       an, kvmpfn_stage_name(o->stage), phase[i], pages, what,
		       bench_fig(buf, sizeof(buf), "%.3f",
			   bench_ratio(top->ns[i], bottom->ns[i])));
	}
	fflush(stdout);
}

static void bench_p1(const struct opts *o, enum kvmpfn_arch arch)
{
	const char *an = kvmpfn_arch_name(arch);
	struct p1_result off, incr, off_small, full;
	struct tally t[2] = { { 0 } };
	unsigned int viol[2];
	double secs[2];

	/*
	 * Warm up, untimed: the first guest of a process pays for code,
	 * caches and the allocator's first growth, which would tilt the
	 * comparison against whichever mode ran first.
	 */
	p1_pass(o, arch, KVMPFN_CHECKS_INCREMENTAL,
		o->pages < 16384 ? o->pages : 16384, secs, t, viol);

	p1_one(o, arch, KVMPFN_CHECKS_OFF, o->pages, &off);
	p1_one(o, arch, KVMPFN_CHECKS_INCREMENTAL, o->pages, &incr);
	/* the slowdown of incremental checking, same guest (target <= 2) */
	p1_ratio(o, an, "incremental_over_off", o->pages, &incr, &off);
	bench_target("P1", an, "warm 4K faults/s, checks off", WANT_AT_LEAST,
		     P1_TARGET, off.ns[1] > 0 ? 1e9 / off.ns[1] : -1,
		     "faults/s");
	bench_target("P1", an, "warm fault time, incremental checks / off",
		     WANT_AT_MOST, P1_RATIO, bench_ratio(incr.ns[1], off.ns[1]),
		     "x");

	/* full checking rescans every leaf a step: a small guest only */
	p1_one(o, arch, KVMPFN_CHECKS_OFF, o->full_pages, &off_small);
	p1_one(o, arch, KVMPFN_CHECKS_FULL, o->full_pages, &full);
	p1_ratio(o, an, "full_over_off", o->full_pages, &full, &off_small);
}

/* ---- P2 ----------------------------------------------------------------- */

/*
 * Best of @reps passes of write faults on @gfns, all of which hit an
 * existing leaf; ns a fault, <0 on error.
 */
static double p2_measure(const struct opts *o, enum kvmpfn_arch arch,
			 uint64_t slots, uint64_t pages,
			 const uint64_t *gfns, uint64_t n)
{
	const char *an = kvmpfn_arch_name(arch);
	struct kvmpfn_sim *sim;
	struct tally t = { 0 };
	double best = -1;
	unsigned int rep;
	uint64_t i;

	sim = guest_create(o, arch, o->checks, pages, slots,
			   "memslot_lookup");
	if (!sim)
		return -1;
	fault_all(sim, pages, &t);		/* pre-fault: every leaf there */
	for (rep = 0; rep < o->reps && !t.errors; rep++) {
		double t0 = bench_now(), secs;

		for (i = 0; i < n; i++)
			tally(&t, kvmpfn_fault(sim, 0, gfns[i], true));
		secs = bench_now() - t0;
		if (best < 0 || secs < best)
			best = secs;
	}
	printf("{\"bench\":\"memslot_lookup\",\"arch\":\"%s\",\"stage\":\"%s\","
	       "\"checks\":\"%s\",\"slots\":%" PRIu64 ",\"pages\":%" PRIu64 ","
	       "\"faults\":%" PRIu64 ",\"reps\":%u,\"seconds\":%.6f,"
	       "\"per_s\":%.0f,\"ns_per_fault\":%.1f,\"errors\":%" PRIu64
	       ",\"violations\":%u",
	       an, kvmpfn_stage_name(o->stage), checks_name(o->checks), slots,
	       pages, n, o->reps,
	       bench_num(best), bench_num(bench_ratio((double)n, best)),
	       bench_num(bench_ratio(best * 1e9, (double)n)), t.errors, violations(sim));
	if (t.errors)
		printf(",\"first_error\":\"%s\"", kvmpfn_strerror(t.first_error));
	printf("}\n");
	fflush(stdout);
	kvmpfn_sim_destroy(sim);
	if (t.errors) {
		bench_failures++;
		return -1;
	}
	return best * 1e9 / (double)n;
}

static void bench_p2(const struct opts *o, enum kvmpfn_arch arch)
{
	uint64_t pages = o->p2_slots, n = o->p2_faults, i, seed = 0x2545f491;
	uint64_t *gfns = malloc(n * sizeof(*gfns));
	double one, many;
	char buf[32];

	if (!gfns) {
		error_line("memslot_lookup", kvmpfn_arch_name(arch), "malloc",
			   -KVMPFN_ENOMEM);
		return;
	}
	/* the same random gfns for both: one page a slot, every page hit */
	for (i = 0; i < n; i++)
		gfns[i] = bench_xorshift64(&seed) % pages;
	one = p2_measure(o, arch, 1, pages, gfns, n);
	many = p2_measure(o, arch, o->p2_slots, pages, gfns, n);
	/* ns a fault with many slots / ns a fault with one (target <= 3) */
	printf("{\"bench\":\"memslot_ratio\",\"arch\":\"%s\",\"stage\":\"%s\","
	       "\"checks\":\"%s\",\"slots\":%" PRIu64 ",\"vs_slots\":1,"
	       "\"ratio\":%s}\n",
	       kvmpfn_arch_name(arch), kvmpfn_stage_name(o->stage),
	       checks_name(o->checks), o->p2_slots,
	       bench_fig(buf, sizeof(buf), "%.3f", bench_ratio(many, one)));
	fflush(stdout);
	free(gfns);
	bench_target("P2", kvmpfn_arch_name(arch),
		     o->p2_slots == MAX_SLOTS ?
		     "fault time, 32764 memslots / 1 memslot" :
		     "fault time, 32764 memslots / 1 (not run at 32764)",
		     WANT_AT_MOST, P2_RATIO,
		     o->p2_slots == MAX_SLOTS ? bench_ratio(many, one) : -1, "x");
}

/* ---- P3 ----------------------------------------------------------------- */

/*
 * Fault every page of a big guest (checker in o->checks mode, default
 * off).  The host pages are touched first (kvmpfn_host_touch, as a guest's
 * memory is after boot), so the RSS the host model needs (struct pages,
 * allocation records, host page tables) and the RSS KVM's side needs (the
 * second-stage entries) are measured apart; "bytes_per_mapping" is both
 * together.
 */
/* Peak RSS in MiB, <0 if the guest could not be set up or faulted. */
static double bench_p3(const struct opts *o, enum kvmpfn_arch arch)
{
	const char *an = kvmpfn_arch_name(arch);
	uint64_t pages = o->p3_mib * 256, i;
	double rss0, rss1, rss2, peak0, peak, t0, t1, t2;
	struct kvmpfn_sim *sim;
	struct tally th = { 0 }, tf = { 0 };
	char buf[32];
	bool split;

	sim = guest_create(o, arch, o->checks, pages, 1, "p3");
	if (!sim)
		return -1;
	rss0 = cur_rss();
	peak0 = peak_rss();

	t0 = bench_now();
	for (i = 0; i < pages && !th.errors; i++)
		tally(&th, kvmpfn_host_touch(sim, GUEST_HVA +
					     i * KVMPFN_PAGE_SIZE, true));
	t1 = bench_now();
	rss1 = cur_rss();
	for (i = 0; i < pages && !th.errors && !tf.errors; i++)
		tally(&tf, kvmpfn_fault(sim, 0, i, true));
	t2 = bench_now();
	rss2 = cur_rss();
	peak = peak_rss();
	if (rss0 < 0)
		rss0 = peak0;		/* no current RSS here: less exact */
	if (rss1 >= 0 && rss1 < rss0)
		rss1 = rss0;

	split = rss0 >= 0 && rss1 >= 0 && rss2 >= 0;
	printf("{\"bench\":\"p3\",\"arch\":\"%s\",\"stage\":\"%s\","
	       "\"checks\":\"%s\",\"gib\":%g,\"mappings\":%" PRIu64 ","
	       "\"seconds\":%.3f,\"host_touch_seconds\":%.3f,"
	       "\"fault_seconds\":%.3f,\"faults_per_s\":%.0f,"
	       "\"rss_before_mib\":%.1f,\"peak_rss_mib\":%.1f,"
	       "\"bytes_per_mapping\":%.1f,",
	       an, kvmpfn_stage_name(o->stage), checks_name(o->checks),
	       (double)o->p3_mib / 1024.0, pages, t2 - t0, t1 - t0, t2 - t1,
	       bench_num(bench_ratio((double)pages, t2 - t1)), mib(rss0), mib(peak),
	       bench_num((peak - rss0) / (double)pages));
	/* host side: struct pages, allocation records, host page tables */
	printf("\"host_rss_mib\":%s,",
	       bench_fig(buf, sizeof(buf), "%.1f", split ? mib(rss1 - rss0) : -1));
	printf("\"host_bytes_per_page\":%s,",
	       bench_fig(buf, sizeof(buf), "%.1f",
		   split ? (rss1 - rss0) / (double)pages : -1));
	/* KVM side: second-stage entries, at the peak and at the end */
	printf("\"kvm_bytes_per_mapping\":%s,",
	       bench_fig(buf, sizeof(buf), "%.1f",
		   split ? (peak - rss1) / (double)pages : -1));
	printf("\"kvm_bytes_per_mapping_end\":%s,",
	       bench_fig(buf, sizeof(buf), "%.1f",
		   split ? (rss2 - rss1) / (double)pages : -1));
	printf("\"errors\":%" PRIu64 ",\"violations\":%u",
	       th.errors + tf.errors, violations(sim));
	if (th.errors || tf.errors)
		printf(",\"first_error\":\"%s\"",
		       kvmpfn_strerror(th.errors ? th.first_error :
					tf.first_error));
	printf("}\n");
	fflush(stdout);
	kvmpfn_sim_destroy(sim);
	if (th.errors || tf.errors) {
		bench_failures++;
		return -1;
	}
	return mib(peak);
}

/* ceilings: 1.5 GiB for the models (DESIGN 8), 2 GiB for ref (issue 11) */
static void p3_target(const struct opts *o, const char *an, double peak)
{
	bool at_size = o->p3_mib == P3_GIB * 1024;

	bench_target("P3", an,
		     at_size ? "peak RSS, 64 GiB guest of 4K mappings" :
			       "peak RSS, 64 GiB guest (not run at 64 GiB)",
		     WANT_AT_MOST, strcmp(an, "ref") ? 1536 : 2048,
		     at_size ? peak : -1, "MiB");
}

/*
 * Each P3 runs in a child forked before anything else ran, so that its
 * peak RSS is its own and its allocations do not reuse memory an earlier
 * measurement left in the allocator's free lists.  A child the kernel
 * kills (out of memory) is reported as an error line.
 */
static void bench_p3_isolated(const struct opts *o, enum kvmpfn_arch arch)
{
	const char *an = kvmpfn_arch_name(arch);
	double peak = -1;
	char what[64];
	int status, fd[2];
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(fd)) {
		p3_target(o, an, bench_p3(o, arch));	/* less exactly */
		return;
	}
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		p3_target(o, an, bench_p3(o, arch));
		return;
	}
	if (!pid) {
		close(fd[0]);
		bench_failures = 0;
		peak = bench_p3(o, arch);
		fflush(stdout);
		/* the parent reads nothing if this fails: no target figure */
		if (write(fd[1], &peak, sizeof(peak)) != sizeof(peak))
			bench_failures++;
		_exit(bench_failures ? 1 : 0);
	}
	close(fd[1]);
	if (read(fd[0], &peak, sizeof(peak)) != sizeof(peak))
		peak = -1;
	close(fd[0]);
	p3_target(o, an, peak);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			error_line("p3", an, "waitpid", -KVMPFN_EINVAL);
			return;
		}
	}
	if (WIFSIGNALED(status)) {
		snprintf(what, sizeof(what), "killed by signal %d%s",
			 WTERMSIG(status),
			 WTERMSIG(status) == 9 ? " (out of memory?)" : "");
		printf("{\"bench\":\"p3\",\"arch\":\"%s\",\"error\":\"%s\"}\n",
		       an, what);
		fflush(stdout);
		bench_failures++;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		bench_failures++;	/* the child printed its error line */
	}
}

/* ---- options ------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kvmpfn-bench [--arch=NAME] [--stage=NAME] [--pages=N] [--p3-gib=N]\n"
		"                    [--checks=MODE] [--reps=N] [--skip-p1] [--skip-p2]\n"
		"                    [--skip-p3] [--skip-p4] [--p4-only] [--p4-inputs=N]\n"
		"                    [--p4-ops=N] [--p4-also=PATH] [--p4-dump=DIR]\n"
		"                    [--quick] [--help]\n"
		"\n"
		"Prints one JSON object a line: P1 fault_4k (4K write faults a second,\n"
		"cold and warm, checks off/incremental/full) and p1_ratio; P2\n"
		"memslot_lookup (1 vs 32764 memslots) and memslot_ratio; P3 p3 (every\n"
		"page of a big guest: time, peak RSS, bytes a mapping); P4 fuzz (exec/s\n"
		"of the model fuzz target); then a \"target\" line for each target of\n"
		"DESIGN section 8 with the figure measured for it and their ratio (also\n"
		"as a table on stderr).\n"
		"\n"
		"  --arch=NAME   only this architecture model (ref, x86, arm64, ppc);\n"
		"                default: every one in this build\n"
		"  --stage=NAME  stage of the series (legacy, v7.1 .. v7.8); default v7.8\n"
		"  --pages=N     P1 guest size in 4K pages (default 1048576, 4 GiB);\n"
		"                K/M suffixes multiply by 1024\n"
		"  --p3-gib=N    P3 guest size in GiB (default 64; 1..120)\n"
		"  --checks=MODE checker mode of P2 and P3: off (default), incremental\n"
		"                or full; P1 always measures all three\n"
		"  --reps=N      P1 and P2 report the best of N timings (default 3)\n"
		"  --skip-p1/--skip-p2/--skip-p3   leave that part out; P3 at 64 GiB\n"
		"                needs up to ~3 GiB of RAM and 10-20 s a model\n"
		"  --p4-inputs=N P4 corpus size (default 512 inputs)\n"
		"  --p4-ops=N    operations an input runs after its configuration\n"
		"                (default 64)\n"
		"  --p4-also=PATH  run P4 in another kvmpfn-bench build too, e.g. the\n"
		"                fuzz preset's (ASan + UBSan): build/fuzz/bench/kvmpfn-bench\n"
		"  --p4-dump=DIR write the P4 corpus to DIR (it must exist), one file\n"
		"                an input, for build/*/fuzz/replay-model -r N DIR\n"
		"  --skip-p4, --p4-only   leave P4 out; run only P4\n"
		"  --quick       small sizes (P1 2048 pages, full 256, P2 256 slots,\n"
		"                P3 64 MiB, 1 rep), for a smoke test\n"
		"\n"
		"Exit: 0 every figure measured; 1 some measurement failed (an \"error\"\n"
		"line or an errors count); 2 bad usage.\n");
}

static bool parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (*end == 'K' || *end == 'k') {
		if (x > UINT64_MAX >> 10)
			return false;
		x <<= 10;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		if (x > UINT64_MAX >> 20)
			return false;
		x <<= 20;
		end++;
	}
	if (*end)
		return false;
	*v = x;
	return true;
}

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "kvmpfn-bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'kvmpfn-bench --help'.\n");
	return 2;
}

static int parse(int argc, char **argv, struct opts *o, bool *help)
{
	bool quick = false, pages_set = false, gib_set = false, reps_set = false;
	bool p4_only = false, p4_inputs_set = false;
	uint64_t gib = 64;
	int i;

	memset(o, 0, sizeof(*o));
	o->arch = -1;
	o->stage = KVMPFN_V7_8;
	o->pages = 1UL << 20;
	o->p2_slots = MAX_SLOTS;
	o->p2_faults = 1UL << 22;
	o->reps = 3;
	o->checks = KVMPFN_CHECKS_OFF;
	o->p4.inputs = 512;
	o->p4.ops = 64;
	*help = false;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			*help = true;
			return 0;
		} else if (!strncmp(a, "--arch=", 7)) {
			enum kvmpfn_arch arch;

			if (kvmpfn_arch_parse(a + 7, &arch))
				return bad("unknown architecture '%s'", a + 7);
			if (!kvmpfn_arch_available(arch))
				return bad("architecture '%s' is not in this build",
					   a + 7);
			o->arch = (int)arch;
		} else if (!strncmp(a, "--stage=", 8)) {
			if (kvmpfn_stage_parse(a + 8, &o->stage))
				return bad("unknown stage '%s'", a + 8);
		} else if (!strncmp(a, "--pages=", 8)) {
			if (!parse_u64(a + 8, &o->pages) || !o->pages ||
			    o->pages > (1ULL << 25))
				return bad("--pages= takes 1..33554432 (128 GiB), not '%s'",
					   a + 8);
			pages_set = true;
		} else if (!strncmp(a, "--p3-gib=", 9)) {
			if (!parse_u64(a + 9, &gib) || !gib || gib > 120)
				return bad("--p3-gib= takes 1..120 (the model has 128 GiB of host memory), not '%s'",
					   a + 9);
			gib_set = true;
		} else if (!strncmp(a, "--checks=", 9)) {
			if (!strcmp(a + 9, "off"))
				o->checks = KVMPFN_CHECKS_OFF;
			else if (!strcmp(a + 9, "incremental"))
				o->checks = KVMPFN_CHECKS_INCREMENTAL;
			else if (!strcmp(a + 9, "full"))
				o->checks = KVMPFN_CHECKS_FULL;
			else
				return bad("--checks= takes off, incremental or full, not '%s'",
					   a + 9);
		} else if (!strncmp(a, "--reps=", 7)) {
			uint64_t n;

			if (!parse_u64(a + 7, &n) || !n || n > 100)
				return bad("--reps= takes 1..100, not '%s'", a + 7);
			o->reps = (unsigned int)n;
			reps_set = true;
		} else if (!strcmp(a, "--skip-p1")) {
			o->skip_p1 = true;
		} else if (!strcmp(a, "--skip-p2")) {
			o->skip_p2 = true;
		} else if (!strcmp(a, "--skip-p3")) {
			o->skip_p3 = true;
		} else if (!strcmp(a, "--no-targets")) {
			/* P4 run for another build's --p4-also: it judges */
			o->no_targets = true;
		} else if (!strcmp(a, "--skip-p4")) {
			o->skip_p4 = true;
		} else if (!strcmp(a, "--p4-only")) {
			o->skip_p1 = o->skip_p2 = o->skip_p3 = true;
			o->skip_p4 = false;
			p4_only = true;
		} else if (!strncmp(a, "--p4-inputs=", 12)) {
			uint64_t n;

			if (!parse_u64(a + 12, &n) || !n || n > 100000)
				return bad("--p4-inputs= takes 1..100000, not '%s'",
					   a + 12);
			o->p4.inputs = (unsigned int)n;
			p4_inputs_set = true;
		} else if (!strncmp(a, "--p4-ops=", 9)) {
			uint64_t n;

			if (!parse_u64(a + 9, &n) || !n || n > 1000)
				return bad("--p4-ops= takes 1..1000, not '%s'",
					   a + 9);
			o->p4.ops = (unsigned int)n;
		} else if (!strncmp(a, "--p4-also=", 10)) {
			if (!a[10] || strchr(a + 10, '\''))
				return bad("--p4-also= takes a path without quotes, not '%s'",
					   a + 10);
			o->p4.other = a + 10;
		} else if (!strncmp(a, "--p4-dump=", 10)) {
			if (!a[10])
				return bad("--p4-dump= takes a directory, not '%s'",
					   a + 10);
			o->p4.dump = a + 10;
		} else if (!strcmp(a, "--quick")) {
			quick = true;
		} else {
			return bad("unknown option '%s'", a);
		}
	}

	if (quick) {
		if (!pages_set)
			o->pages = 2048;
		o->p2_slots = 256;
		o->p2_faults = 1UL << 14;
		if (!reps_set)
			o->reps = 1;
		if (!p4_inputs_set)
			o->p4.inputs = 16;
	}
	if (p4_only)
		o->skip_p1 = o->skip_p2 = o->skip_p3 = true;
	o->p4.reps = o->reps;
	o->p4.no_target = o->no_targets;
	o->full_pages = o->pages < FULL_PAGES ? o->pages : FULL_PAGES;
	if (quick && !pages_set)
		o->full_pages = 256;
	o->p3_mib = quick && !gib_set ? 64 : gib * 1024;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	bool help;
	int a, r, ran = 0;

	r = parse(argc, argv, &o, &help);
	if (r)
		return r;
	if (help) {
		usage(stdout);
		return 0;
	}

	/* P3 first, each in a child of a process that has allocated nothing */
	for (a = KVMPFN_ARCH_REF; a < KVMPFN_NR_ARCHES; a++) {
		if (!kvmpfn_arch_available((enum kvmpfn_arch)a) ||
		    (o.arch >= 0 && a != o.arch))
			continue;
		ran++;
		if (!o.skip_p3)
			bench_p3_isolated(&o, (enum kvmpfn_arch)a);
	}
	for (a = KVMPFN_ARCH_REF; a < KVMPFN_NR_ARCHES; a++) {
		if (!kvmpfn_arch_available((enum kvmpfn_arch)a) ||
		    (o.arch >= 0 && a != o.arch))
			continue;
		if (!o.skip_p1)
			bench_p1(&o, (enum kvmpfn_arch)a);
		if (!o.skip_p2)
			bench_p2(&o, (enum kvmpfn_arch)a);
	}
	if (!ran) {
		fprintf(stderr, "kvmpfn-bench: no architecture model in this build\n");
		return 1;
	}
	if (!o.skip_p4)
		bench_p4(&o.p4);
	if (!o.no_targets)
		bench_targets();
	return bench_failures ? 1 : 0;
}
