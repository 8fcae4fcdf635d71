// SPDX-License-Identifier: GPL-2.0
/* Scenario runner: exit codes, diagnostics, stage filters. */
#define _POSIX_C_SOURCE 200809L
#include "unit_helpers.h"

#include <stdlib.h>

#include <kvmpfn/scenario.h>

#define SETUP \
	"mmap hva=0x10000000 size=16K anon prot=rw\n" \
	"memslot create id=1 gfn=0x100000 npages=4 hva=0x10000000\n"

#define BLOB \
	"alloc vram order=2\n" \
	"mmap hva=0x10000000 size=16K pfnmap=vram shared prot=rw\n" \
	"memslot create id=1 gfn=0x100000 npages=4 hva=0x10000000\n"

struct result {
	int rc;
	char *out;
	char *err;
	struct kvmpfn_run_stats st;
};

static struct result run(const char *text, enum kvmpfn_stage stage)
{
	struct kvmpfn_run_opts opts = { .stage = stage, .quiet = true };
	struct result r;
	size_t olen = 0, elen = 0;
	FILE *out, *err;

	memset(&r, 0, sizeof(r));
	out = open_memstream(&r.out, &olen);
	err = open_memstream(&r.err, &elen);
	assert_non_null(out);
	assert_non_null(err);
	r.rc = kvmpfn_run_buffer("t.scn", text, strlen(text), &opts, out, err,
				 &r.st);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(fclose(err), 0);
	return r;
}

static void done(struct result *r)
{
	free(r->out);
	free(r->err);
}

/*
 * Run @text at legacy, expect @rc and, if @diag, "t.scn:LINE:" in the
 * diagnostics: usage errors go to the err stream, unmet expectations and
 * unchecked errors are part of the run's report on the out stream.
 */
static void expect_rc(const char *text, int rc, const char *diag)
{
	struct result r = run(text, KVMPFN_LEGACY);

	if (r.rc != rc)
		print_error("stderr was: %s\n", r.err);
	assert_int_equal(r.rc, rc);
	if (diag)
		assert_non_null(strstr(rc == KVMPFN_EXIT_USAGE ? r.err : r.out,
				       diag));
	done(&r);
}

static void test_good(void **state)
{
	struct result r;

	(void)state;
	r = run("# comment only\n\n" SETUP
		"fault gfn=0x100000 write   # trailing comment\n"
		"expect ok\n"
		"expect mapped gfn=0x100000 writable=yes\n"
		"fault gfn=0x100001\n"
		"expect mapped gfn=0x100001 writable=no\n", KVMPFN_LEGACY);
	assert_int_equal(r.rc, KVMPFN_EXIT_OK);
	assert_string_equal(r.err, "");
	assert_int_equal(r.st.faults_mapped, 2);
	assert_int_equal(r.st.expectations, 3);
	assert_int_equal(r.st.violations, 0);
	assert_true(r.st.steps >= 4);
	done(&r);
}

static void test_unknown_operation(void **state)
{
	(void)state;
	expect_rc(SETUP "frobnicate gfn=1\n", KVMPFN_EXIT_USAGE, "t.scn:3:1:");
}

static void test_bad_number(void **state)
{
	(void)state;
	expect_rc(SETUP "fault gfn=0x10zz00\n", KVMPFN_EXIT_USAGE, "t.scn:3:");
	expect_rc(SETUP "fault gfn=\n", KVMPFN_EXIT_USAGE, "t.scn:3:");
	expect_rc("alloc a order=99999999999999999999999\n",
		  KVMPFN_EXIT_USAGE, "t.scn:1:");
}

static void test_missing_key(void **state)
{
	(void)state;
	expect_rc(SETUP "fault write\n", KVMPFN_EXIT_USAGE, "t.scn:3:");
	expect_rc("mmap size=16K anon prot=rw\n", KVMPFN_EXIT_USAGE, "t.scn:1:");
	expect_rc("memslot create id=1 npages=4 hva=0x10000000\n",
		  KVMPFN_EXIT_USAGE, "t.scn:1:");
}

static void test_bad_character(void **state)
{
	(void)state;
	expect_rc(SETUP "fault gfn=$100000\n", KVMPFN_EXIT_USAGE, "t.scn:3:");
	expect_rc("$\n", KVMPFN_EXIT_USAGE, "t.scn:1:1:");
}

static void test_stray_token(void **state)
{
	(void)state;
	expect_rc(SETUP "fault gfn=0x100000 write bogus=1\n",
		  KVMPFN_EXIT_USAGE, "t.scn:3:");
	expect_rc(SETUP "fault gfn=0x100000 sideways\n",
		  KVMPFN_EXIT_USAGE, "t.scn:3:");
}

static void test_long_token(void **state)
{
	char buf[512];

	(void)state;
	snprintf(buf, sizeof(buf), "alloc %0200d\n", 7);
	expect_rc(buf, KVMPFN_EXIT_USAGE, "t.scn:1:");
	snprintf(buf, sizeof(buf), SETUP "fault gfn=0x%0100d\n", 1);
	expect_rc(buf, KVMPFN_EXIT_USAGE, "t.scn:3:");
	/* too many tokens on one line */
	expect_rc(SETUP "fault gfn=1 a b c d e f g h i j k l m n o p q r s\n",
		  KVMPFN_EXIT_USAGE, "t.scn:3:");
}

/* x86 paging=...: every bad form is a usage error with file:line:col. */
static void test_x86_paging_directive(void **state)
{
	(void)state;
	expect_rc("x86\n", KVMPFN_EXIT_USAGE, "t.scn:1:1:");
	expect_rc("x86 paging=ept\n", KVMPFN_EXIT_USAGE, "t.scn:1:5:");
	expect_rc("x86 paging=tdp pke\n", KVMPFN_EXIT_USAGE, "t.scn:1:5:");
	expect_rc("x86 paging=pae sideways\n", KVMPFN_EXIT_USAGE,
		  "t.scn:1:16:");
	/* the reference MMU runs the good forms as no-ops */
	expect_rc("x86 paging=shadow64 pke\n" SETUP "fault gfn=0x100000\n",
		  KVMPFN_EXIT_OK, NULL);
}

static void test_bad_violation_id(void **state)
{
	(void)state;
	expect_rc(SETUP "fault gfn=0x100000\nexpect violation I22\n",
		  KVMPFN_EXIT_USAGE, "t.scn:4:");
	expect_rc(SETUP "fault gfn=0x100000\nexpect violation I0\n",
		  KVMPFN_EXIT_USAGE, "t.scn:4:");
	expect_rc(SETUP "fault gfn=0x100000\nexpect violation 5\n",
		  KVMPFN_EXIT_USAGE, "t.scn:4:");
	expect_rc(SETUP "fault gfn=0x100000\nexpect violation\n",
		  KVMPFN_EXIT_USAGE, "t.scn:4:");
}

static void test_unmet_expectation(void **state)
{
	(void)state;
	expect_rc(SETUP "fault gfn=0x100000 write\nexpect error EFAULT\n",
		  KVMPFN_EXIT_FAIL, "t.scn:4:");
	expect_rc(SETUP "fault gfn=0x100000\nexpect unmapped gfn=0x100000\n",
		  KVMPFN_EXIT_FAIL, "t.scn:4:");
	/* a violation that does not happen */
	expect_rc(SETUP "fault gfn=0x100000\nexpect violation I5\n",
		  KVMPFN_EXIT_FAIL, "t.scn:4:");
}

static void test_unchecked_error(void **state)
{
	(void)state;
	/* a failing step nobody expects fails the run */
	expect_rc(SETUP "fault gfn=0x900000 write\n", KVMPFN_EXIT_FAIL,
		  "t.scn:3:");
	expect_rc(SETUP "fault gfn=0x900000 write\nexpect error ENOENT\n",
		  KVMPFN_EXIT_OK, NULL);
}

#define RESERVED \
	"alloc fw order=0 reserved\n" \
	"mmap hva=0x10000000 size=4K pfnmap=fw shared prot=rw\n" \
	"memslot create id=1 gfn=0x100000 npages=1 hva=0x10000000\n"

static void test_violation_fails_run(void **state)
{
	/* kvm_vcpu_map of a reserved pfnmap page holds nothing: I19 */
	static const char text[] = RESERVED
		"vcpu_map id=0 gfn=0x100000\n"
		"vcpu_unmap id=0\n";
	struct result r = run(text, KVMPFN_LEGACY);

	(void)state;
	assert_int_equal(r.rc, KVMPFN_EXIT_FAIL);
	assert_int_equal(r.st.violations, 1);
	assert_non_null(strstr(r.out, "violation I19"));
	done(&r);
	r = run(RESERVED
		"vcpu_map id=0 gfn=0x100000\n"
		"expect violation I19\n"
		"vcpu_unmap id=0\n", KVMPFN_LEGACY);
	assert_int_equal(r.rc, KVMPFN_EXIT_OK);
	done(&r);
	/* the violation must come from the operation just before */
	r = run(RESERVED
		"vcpu_map id=0 gfn=0x100000\n"
		"vcpu_unmap id=0\n"
		"expect violation I19\n", KVMPFN_LEGACY);
	assert_int_equal(r.rc, KVMPFN_EXIT_FAIL);
	done(&r);
}

static void test_missing_file(void **state)
{
	struct kvmpfn_run_opts opts = { .stage = KVMPFN_LEGACY, .quiet = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&buf, &len);
	FILE *out = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(err);
	assert_non_null(out);
	assert_int_equal(kvmpfn_run_file("/nonexistent/dir/x.scn", &opts, out,
					 err, NULL),
			 KVMPFN_EXIT_USAGE);
	fclose(out);
	fclose(err);
	assert_non_null(strstr(buf, "/nonexistent/dir/x.scn"));
	free(buf);
}

static void test_stage_filter(void **state)
{
	static const char text[] = BLOB
		"fault gfn=0x100001 write\n"
		"expect error EFAULT stage=legacy..v7.4\n"
		"expect ok stage=v7.5..final\n"
		"expect mapped gfn=0x100001 refcounted=no stage=v7.5..final\n";
	static const char only_new[] = BLOB
		"fault gfn=0x100001 write\n"
		"expect error EFAULT stage=legacy..v7.4\n"
		"expect unmapped gfn=0x100001 stage=v7.5..final\n";
	enum kvmpfn_stage s;

	(void)state;
	for (s = KVMPFN_LEGACY; s < KVMPFN_NR_STAGES; s++) {
		struct result r = run(text, s);

		assert_int_equal(r.rc, KVMPFN_EXIT_OK);
		done(&r);
		/* the wrong expectation only counts where it applies */
		r = run(only_new, s);
		assert_int_equal(r.rc, s >= KVMPFN_V7_5 ? KVMPFN_EXIT_FAIL
							: KVMPFN_EXIT_OK);
		done(&r);
	}
	expect_rc(BLOB "fault gfn=0x100000\nexpect ok stage=v7.5..v9.9\n",
		  KVMPFN_EXIT_USAGE, "t.scn:5:");
}

/* Run @text traced on @sim (NULL: a fresh one); the trace and verdict. */
static char *run_traced(struct kvmpfn_sim *sim, enum kvmpfn_arch arch,
			const char *text, int *rc)
{
	struct kvmpfn_run_opts opts = {
		.stage = KVMPFN_V7_8, .arch = arch, .trace = true,
		.lenient = true, .sim = sim,
	};
	size_t len = 0;
	char *buf = NULL;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	*rc = kvmpfn_run_buffer("t.scn", text, strlen(text), &opts, out, out,
				NULL);
	assert_int_equal(fclose(out), 0);
	return buf;
}

/*
 * A reset simulator runs a scenario as a fresh one does, whatever ran on
 * it before: the same pfns, names, steps, leaves and reports.
 */
static void test_reset_is_fresh(void **state)
{
	static const char *const dirty =
		"x86 paging=pae\n"
		BLOB
		"fault gfn=0x100000 write\n"
		"fault_begin gfn=0x100001 vcpu=1\n"
		"alloc ram order=9 compound\n"
		"mmap hva=0x20000000 size=2M anon prot=rw thp\n"
		"memslot create id=2 gfn=0x200000 npages=512 hva=0x20000000\n"
		"fault gfn=0x200005 write\n"
		"invalidate_begin hva=0x20000000 size=4K\n"
		"memslot delete id=1\n";
	static const char *const text =
		BLOB
		"fault gfn=0x100000 write\n"
		"fault gfn=0x100001\n"
		"alloc ram2 order=1\n"
		"memslot delete id=1\n"
		"fault gfn=0x100000\n";
	int arch, rc_fresh, rc_reset, rc;

	(void)state;
	for (arch = 0; arch < KVMPFN_NR_ARCHES; arch++) {
		struct kvmpfn_sim *sim;
		char *fresh, *reset, *junk;

		sim = kvmpfn_sim_create_arch(KVMPFN_V7_8,
					     (enum kvmpfn_arch)arch);
		if (!sim)
			continue;
		fresh = run_traced(NULL, (enum kvmpfn_arch)arch, text,
				   &rc_fresh);
		junk = run_traced(sim, (enum kvmpfn_arch)arch, dirty, &rc);
		assert_int_equal(kvmpfn_sim_reset(sim), 0);
		reset = run_traced(sim, (enum kvmpfn_arch)arch, text,
				   &rc_reset);
		assert_int_equal(rc_fresh, rc_reset);
		assert_string_equal(fresh, reset);
		/* and the simulator is the caller's still, at its stage */
		assert_int_equal(kvmpfn_sim_stage(sim), KVMPFN_V7_8);
		free(fresh);
		free(reset);
		free(junk);
		/* a run refuses a simulator of another stage */
		assert_int_equal(kvmpfn_sim_reset(sim), 0);
		{
			struct kvmpfn_run_opts o = {
				.stage = KVMPFN_LEGACY,
				.arch = (enum kvmpfn_arch)arch, .sim = sim,
			};
			FILE *sink = fopen("/dev/null", "w");

			assert_non_null(sink);
			assert_int_equal(kvmpfn_run_buffer("t.scn", "", 0, &o,
							   sink, sink, NULL),
					 KVMPFN_EXIT_USAGE);
			fclose(sink);
		}
		kvmpfn_sim_destroy(sim);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_unknown_operation),
		cmocka_unit_test(test_bad_number),
		cmocka_unit_test(test_missing_key),
		cmocka_unit_test(test_bad_character),
		cmocka_unit_test(test_stray_token),
		cmocka_unit_test(test_long_token),
		cmocka_unit_test(test_x86_paging_directive),
		cmocka_unit_test(test_bad_violation_id),
		cmocka_unit_test(test_unmet_expectation),
		cmocka_unit_test(test_unchecked_error),
		cmocka_unit_test(test_violation_fails_run),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_stage_filter),
		cmocka_unit_test(test_reset_is_fresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
