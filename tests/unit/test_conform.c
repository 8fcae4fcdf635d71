// SPDX-License-Identifier: GPL-2.0
/*
 * Differential conformance (<kvmpfn/conform.h>).  Two model stages stand
 * in for a model stage and a kernel-built one: the comparison does not
 * care where the code came from, so stages that really differ prove that
 * it reports a difference, and a stage against itself that it does not
 * invent one.
 */
#define _POSIX_C_SOURCE 200809L
#include "unit_helpers.h"

#include <stdlib.h>

#include <kvmpfn/conform.h>

/* the virtio-gpu case: a tail page of a non-compound block via PFNMAP */
#define BLOB \
	"alloc vram order=2\n" \
	"mmap hva=0x10000000 size=16K pfnmap=vram shared prot=rw\n" \
	"memslot create id=1 gfn=0x100 npages=4 hva=0x10000000\n" \
	"fault gfn=0x101\n"

struct result {
	int rc;
	char *out;
	char *err;
	struct kvmpfn_conform_stats st;
};

static struct result conform(const char *text, enum kvmpfn_stage a,
			     enum kvmpfn_stage b, bool lenient)
{
	struct kvmpfn_conform_opts o = {
		.model = a, .kernel = b, .arch = KVMPFN_ARCH_REF,
		.lenient = lenient,
	};
	struct result r;
	size_t olen = 0, elen = 0;
	FILE *out, *err;

	memset(&r, 0, sizeof(r));
	out = open_memstream(&r.out, &olen);
	err = open_memstream(&r.err, &elen);
	assert_non_null(out);
	assert_non_null(err);
	r.rc = kvmpfn_conform_buffer("t.scn", text, strlen(text), &o, out,
				     err, &r.st);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(fclose(err), 0);
	return r;
}

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static void test_same_stage_agrees(void **state)
{
	struct result r = conform(BLOB "expect error EFAULT\n", KVMPFN_LEGACY,
				  KVMPFN_LEGACY, false);

	(void)state;
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.out, "");
	assert_int_equal(r.st.lines, 5);
	result_free(&r);
}

/*
 * legacy refuses the tail page (EFAULT), v7.3 maps it without a
 * reference: the first differing line is named, with both results and the
 * leaf each side left.
 */
static void test_divergence_reported(void **state)
{
	struct result r = conform(BLOB, KVMPFN_LEGACY, KVMPFN_V7_5, true);

	(void)state;
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "t.scn:4: ref: legacy and v7.5 diverge on fault gfn=0x101"));
	assert_non_null(strstr(r.out, "result: legacy: EFAULT; v7.5: ok"));
	assert_non_null(strstr(r.out, "leaf as 0 gfn 0x101: legacy: no leaf; v7.5: pfn"));
	/* the comparison stops at the first divergent line */
	assert_int_equal(r.st.lines, 4);
	result_free(&r);
}

/* a difference in references only (same result, same leaf) is caught */
static void test_reference_difference_reported(void **state)
{
	/* ppc before v7.7 leaks the zero page's reference; v7.7 does not */
	struct kvmpfn_conform_opts o = {
		.model = KVMPFN_V7_6, .kernel = KVMPFN_V7_7,
		.arch = KVMPFN_ARCH_PPC, .lenient = true,
	};
	const char *text =
		"mmap hva=0x10000000 size=16K anon prot=rw\n"
		"memslot create id=1 gfn=0x100 npages=4 hva=0x10000000\n"
		"fault gfn=0x100\n";
	char *out = NULL, *err = NULL;
	size_t olen = 0, elen = 0;
	FILE *fo, *fe;
	int rc;

	(void)state;
	if (!kvmpfn_arch_available(KVMPFN_ARCH_PPC))
		skip();
	fo = open_memstream(&out, &olen);
	fe = open_memstream(&err, &elen);
	rc = kvmpfn_conform_buffer("z.scn", text, strlen(text), &o, fo, fe,
				   NULL);
	fclose(fo);
	fclose(fe);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "z.scn:3: ppc: v7.6 and v7.7 diverge"));
	assert_non_null(strstr(out, "kvm-put"));
	assert_non_null(strstr(out, "history:"));
	free(out);
	free(err);
}

static void test_bad_input(void **state)
{
	struct result r = conform("mmap hva=banana\n", KVMPFN_LEGACY,
				  KVMPFN_LEGACY, false);

	(void)state;
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "t.scn:1:"));
	result_free(&r);
	/* lenient (decoded fuzz input): a refused line ends the run */
	r = conform("fault gfn=0x1\nmmap hva=banana\n", KVMPFN_LEGACY,
		    KVMPFN_LEGACY, true);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.lines, 1);
	result_free(&r);
}

static void test_unavailable_stage(void **state)
{
	struct result r;

	(void)state;
	if (kvmpfn_stage_available(KVMPFN_KERNEL_TREE))
		skip();
	r = conform(BLOB, KVMPFN_LEGACY, KVMPFN_KERNEL_TREE, false);
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "not in this build"));
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_stage_agrees),
		cmocka_unit_test(test_divergence_reported),
		cmocka_unit_test(test_reference_difference_reported),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_unavailable_stage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
