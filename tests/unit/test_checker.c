// SPDX-License-Identifier: GPL-2.0
/* The invariant checker: catalogue, detection, reports. */
#define _POSIX_C_SOURCE 200809L
#include "unit_helpers.h"

#include <stdlib.h>

#define RW (KVMPFN_PROT_READ | KVMPFN_PROT_WRITE)
#define HVA 0x10000000UL
#define GFN 0x100000UL

static void test_catalogue(void **state)
{
	static const int impl[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14,
				    15, 17, 18, 19 };
	const struct kvmpfn_invariant *inv = kvmpfn_invariants();
	int i;
	size_t j;

	(void)state;
	assert_int_equal(KVMPFN_NR_INVARIANTS, 21);
	assert_non_null(inv);
	for (i = 0; i < KVMPFN_NR_INVARIANTS; i++) {
		bool want = false;

		assert_int_equal(inv[i].id, i + 1);
		assert_non_null(inv[i].text);
		assert_true(strlen(inv[i].text) > 10);
		for (j = 0; j < sizeof(impl) / sizeof(impl[0]); j++)
			if (impl[j] == inv[i].id)
				want = true;
		/* the architecture invariants: checked when their model is built */
		if (inv[i].id == 11 || inv[i].id == 21)
			want = kvmpfn_arch_available(KVMPFN_ARCH_X86);
		if (inv[i].id == 20)
			want = kvmpfn_arch_available(KVMPFN_ARCH_ARM64);
		if (inv[i].id == 16)
			want = kvmpfn_arch_available(KVMPFN_ARCH_X86) ||
			       kvmpfn_arch_available(KVMPFN_ARCH_ARM64) ||
			       kvmpfn_arch_available(KVMPFN_ARCH_PPC);
		assert_int_equal(inv[i].implemented, want);
	}
}

static void test_clean_run(void **state)
{
	enum kvmpfn_stage s;

	(void)state;
	for (s = KVMPFN_LEGACY; s < KVMPFN_NR_STAGES; s++) {
		struct kvmpfn_sim *sim = kvmpfn_sim_create(s);
		const struct kvmpfn_violation *v = NULL;

		assert_non_null(sim);
		assert_int_equal(map_anon(sim, HVA, 8 * 4096, RW), 0);
		assert_int_equal(slot_create(sim, 1, GFN, 8, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN + 1, false), 0);
		assert_int_equal(kvmpfn_host_touch(sim, HVA + 2 * 4096, true), 0);
		assert_int_equal(kvmpfn_vcpu_map(sim, 0, GFN + 2), 0);
		assert_int_equal(kvmpfn_vcpu_unmap(sim, 0, true), 0);
		assert_int_equal(kvmpfn_gpc_activate(sim, 0, GFN << 12), 0);
		assert_int_equal(kvmpfn_host_migrate(sim, HVA), 0);
		assert_int_equal(kvmpfn_gpc_refresh(sim, 0), 0);
		assert_int_equal(kvmpfn_gpc_deactivate(sim, 0), 0);
		assert_int_equal(kvmpfn_age(sim, HVA, 8 * 4096), 1);
		assert_int_equal(kvmpfn_host_munmap(sim, HVA, 8 * 4096), 0);
		assert_int_equal(slot_op(sim, KVMPFN_SLOT_DELETE, 1, 0, 0, 0, 0), 0);
		assert_int_equal(kvmpfn_violations(sim, &v), 0);
		kvmpfn_sim_destroy(sim);
	}
}

/* report @v into a string the caller frees */
static char *report(struct kvmpfn_sim *sim, const struct kvmpfn_violation *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	kvmpfn_report(sim, v, f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

/*
 * The driver frees its buffer while kvm_vcpu_map still holds page 0: the
 * owner's reference goes, and KVM's put at unmap legitimately drops the
 * last one and frees the page.  Nothing is violated.
 */
static void test_free_under_vcpu_map(void **state)
{
	enum kvmpfn_stage s;

	(void)state;
	for (s = KVMPFN_LEGACY; s < KVMPFN_NR_STAGES; s++) {
		struct kvmpfn_sim *sim = kvmpfn_sim_create(s);
		const struct kvmpfn_violation *v;
		uint64_t pfn;

		assert_non_null(sim);
		assert_int_equal(kvmpfn_host_alloc(sim, "vram", 2, 0), 0);
		pfn = alloc_pfn(sim, "vram", 0);
		assert_int_equal(map_obj(sim, KVMPFN_MAP_PFNMAP, "vram", HVA,
					 4 * 4096, RW), 0);
		assert_int_equal(slot_create(sim, 1, GFN, 4, HVA, 0), 0);
		if (s == KVMPFN_FINAL) {
			/* 6.13 cannot pin remapped memory: it refuses it */
			assert_int_equal(kvmpfn_vcpu_map(sim, 0, GFN),
					 -KVMPFN_EINVAL);
			assert_int_equal(page_state(sim, pfn).kvm_refs, 0);
			assert_int_equal(kvmpfn_violations(sim, &v), 0);
			kvmpfn_sim_destroy(sim);
			continue;
		}
		assert_int_equal(kvmpfn_vcpu_map(sim, 0, GFN), 0);
		assert_int_equal(page_state(sim, pfn).kvm_refs, 1);
		/* one page still held */
		assert_int_equal(kvmpfn_host_free(sim, "vram"), 1);
		assert_false(page_state(sim, pfn).freed);
		assert_int_equal(kvmpfn_vcpu_unmap(sim, 0, false), 0);
		assert_int_equal(page_state(sim, pfn).refcount, 0);
		assert_true(page_state(sim, pfn).freed);
		assert_int_equal(kvmpfn_violations(sim, &v), 0);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * kvm_vcpu_map of a reserved page behind VM_PFNMAP: 6.12 takes no
 * reference and has no notifier on the kernel mapping (I19).  The report
 * names the id, the location, the page and its history.
 */
static void test_report_i19(void **state)
{
	enum kvmpfn_stage s;

	(void)state;
	for (s = KVMPFN_LEGACY; s < KVMPFN_NR_STAGES; s++) {
		struct kvmpfn_sim *sim = kvmpfn_sim_create(s);
		const struct kvmpfn_violation *v;
		uint64_t pfn;
		char *text;

		assert_non_null(sim);
		kvmpfn_sim_set_location(sim, "unit.scn", 42);
		assert_int_equal(kvmpfn_host_alloc(sim, "fw", 0,
						   KVMPFN_A_RESERVED), 0);
		pfn = alloc_pfn(sim, "fw", 0);
		assert_int_equal(map_obj(sim, KVMPFN_MAP_PFNMAP, "fw", HVA,
					 4096, RW), 0);
		assert_int_equal(slot_create(sim, 1, GFN, 1, HVA, 0), 0);
		/* 6.13 refuses, unless loaded with allow_unsafe_mappings */
		if (s == KVMPFN_FINAL) {
			assert_int_equal(kvmpfn_vcpu_map(sim, 0, GFN),
					 -KVMPFN_EINVAL);
			assert_int_equal(kvmpfn_sim_set_param(sim,
					 "allow_unsafe_mappings", true), 0);
		} else {
			assert_int_equal(kvmpfn_sim_set_param(sim,
					 "allow_unsafe_mappings", true),
					 -KVMPFN_ENOENT);
		}
		assert_int_equal(kvmpfn_sim_set_param(sim, "no_such", true),
				 -KVMPFN_EINVAL);
		assert_int_equal(kvmpfn_vcpu_map(sim, 0, GFN), 0);

		assert_int_equal(kvmpfn_violations(sim, &v), 1);
		assert_int_equal(v[0].id, 19);
		assert_int_equal(v[0].pfn, pfn);
		assert_int_equal(v[0].line, 42);
		assert_non_null(v[0].file);
		assert_string_equal(v[0].file, "unit.scn");

		text = report(sim, &v[0]);
		assert_non_null(strstr(text, "I19"));
		assert_non_null(strstr(text, "unit.scn:42:"));
		assert_non_null(strstr(text, "refcount history"));
		assert_non_null(strstr(text, "fw+0"));
		free(text);
		assert_int_equal(kvmpfn_vcpu_unmap(sim, 0, false), 0);
		kvmpfn_sim_destroy(sim);
	}
}

static void test_vcpu_map_unpinned_reported(void **state)
{
	struct kvmpfn_sim *sim = kvmpfn_sim_create(KVMPFN_LEGACY);
	const struct kvmpfn_violation *v;
	unsigned int n, i;
	int r;
	char *text;

	(void)state;
	assert_non_null(sim);
	assert_int_equal(kvmpfn_host_alloc(sim, "bar", 0, KVMPFN_A_NOSTRUCT), 0);
	assert_int_equal(map_obj(sim, KVMPFN_MAP_PFNMAP, "bar", HVA, 4096, RW), 0);
	assert_int_equal(slot_create(sim, 1, GFN, 1, HVA, 0), 0);
	r = kvmpfn_vcpu_map(sim, 0, GFN);
	n = kvmpfn_violations(sim, &v);
	assert_true(n >= 1);
	for (i = 0; i < n; i++)
		if (v[i].id == 19)
			break;
	assert_true(i < n);
	text = report(sim, &v[i]);
	assert_non_null(strstr(text, "I19"));
	free(text);
	/* violations accumulate: nothing is dropped by later steps */
	if (r == 0)
		assert_int_equal(kvmpfn_vcpu_unmap(sim, 0, false), 0);
	assert_true(kvmpfn_violations(sim, &v) >= n);
	kvmpfn_sim_destroy(sim);
}

/*
 * I5 at final: 6.13 holds only the references GUP hands it.  ppc's dcbz
 * patching with B8's extra get_page() is one of its own: at final the
 * checker says so at the get, before the missing put makes it an I2 leak.
 */
static void test_final_refs_only_from_gup(void **state)
{
	enum kvmpfn_stage st[] = { KVMPFN_V7_8, KVMPFN_FINAL };
	struct kvmpfn_mmap_args a = {
		.hva = HVA, .len = 4096, .prot = RW, .kind = KVMPFN_MAP_ANON,
	};
	unsigned int i, n, j, i5;

	(void)state;
	if (!kvmpfn_arch_available(KVMPFN_ARCH_PPC))
		skip();
	for (i = 0; i < 2; i++) {
		struct kvmpfn_sim *sim = kvmpfn_sim_create_arch(st[i],
							KVMPFN_ARCH_PPC);
		const struct kvmpfn_violation *v;

		assert_non_null(sim);
		assert_int_equal(kvmpfn_host_mmap(sim, &a), 0);
		assert_int_equal(slot_create(sim, 1, GFN, 1, HVA, 0), 0);
		/* without the mutant: GUP's reference only, nothing to say */
		assert_int_equal(kvmpfn_gfn_to_page(sim, GFN), 0);
		assert_int_equal(kvmpfn_violations(sim, &v), 0);
		assert_int_equal(kvmpfn_sim_set_bug(sim, 8), 0);
		assert_int_equal(kvmpfn_gfn_to_page(sim, GFN), 0);
		n = kvmpfn_violations(sim, &v);
		for (j = 0, i5 = 0; j < n; j++)
			if (v[j].id == 5 && strstr(v[j].msg, "GUP"))
				i5++;
		assert_int_equal(i5, st[i] == KVMPFN_FINAL);
		kvmpfn_sim_destroy(sim);
	}
}

static void test_strerror(void **state)
{
	(void)state;
	assert_non_null(kvmpfn_strerror(-KVMPFN_EINVAL));
	assert_non_null(strstr(kvmpfn_strerror(-KVMPFN_EFAULT), "EFAULT"));
	assert_non_null(kvmpfn_strerror(-9999));
	assert_non_null(kvmpfn_version());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_clean_run),
		cmocka_unit_test(test_free_under_vcpu_map),
		cmocka_unit_test(test_report_i19),
		cmocka_unit_test(test_vcpu_map_unpinned_reported),
		cmocka_unit_test(test_final_refs_only_from_gup),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
