// SPDX-License-Identifier: GPL-2.0
/* gfn_to_pfn_cache and kvm_vcpu_map: kernel-side guest memory access. */
#include "unit_helpers.h"

#define RW (KVMPFN_PROT_READ | KVMPFN_PROT_WRITE)
#define HVA 0x10000000UL
#define GFN 0x100000UL
#define GPA(gfn) ((uint64_t)(gfn) << 12)

static void setup_anon(struct kvmpfn_sim *sim)
{
	assert_int_equal(map_anon(sim, HVA, 4 * 4096, RW), 0);
	assert_int_equal(slot_create(sim, 1, GFN, 4, HVA, 0), 0);
	assert_int_equal(kvmpfn_host_touch(sim, HVA, true), 0);
}

static uint64_t host_pfn(struct kvmpfn_sim *sim, uint64_t hva)
{
	uint64_t pfn = 0;
	bool w;

	assert_int_equal(kvmpfn_host_translate(sim, hva, &pfn, &w), 0);
	return pfn;
}

static void test_gpc_activate_and_invalidate(void **state)
{
	struct kvmpfn_sim *sim = *state;
	uint64_t pfn;

	setup_anon(sim);
	pfn = host_pfn(sim, HVA);
	assert_int_equal(kvmpfn_gpc_activate(sim, 0, GPA(GFN) + 0x10), 0);
	assert_int_equal(kvmpfn_gpc_check(sim, 0), 1);
	/* the cache holds no reference once its mapping is published */
	assert_int_equal(page_state(sim, pfn).kvm_refs, 0);
	assert_int_equal(page_state(sim, pfn).refcount, 1);

	assert_int_equal(kvmpfn_host_munmap(sim, HVA, 4096), 0);
	assert_int_equal(kvmpfn_gpc_check(sim, 0), 0);
	/* the refresh cannot find a page any more */
	assert_true(kvmpfn_gpc_refresh(sim, 0) < 0);
	assert_int_equal(kvmpfn_gpc_check(sim, 0), 0);
	assert_int_equal(kvmpfn_gpc_deactivate(sim, 0), 0);
	assert_int_equal(nviol(sim), 0);
}

static void test_gpc_refresh_after_migrate(void **state)
{
	struct kvmpfn_sim *sim = *state;

	setup_anon(sim);
	assert_int_equal(kvmpfn_gpc_activate(sim, 1, GPA(GFN)), 0);
	assert_int_equal(kvmpfn_gpc_check(sim, 1), 1);
	assert_int_equal(kvmpfn_host_migrate(sim, HVA), 0);
	assert_int_equal(kvmpfn_gpc_check(sim, 1), 0);
	assert_int_equal(kvmpfn_gpc_refresh(sim, 1), 0);
	assert_int_equal(kvmpfn_gpc_check(sim, 1), 1);
	assert_int_equal(page_state(sim, host_pfn(sim, HVA)).kvm_refs, 0);
	assert_int_equal(kvmpfn_gpc_deactivate(sim, 1), 0);
	assert_int_equal(kvmpfn_gpc_check(sim, 1), 0);
	assert_int_equal(nviol(sim), 0);
}

static void test_gpc_bad_index(void **state)
{
	struct kvmpfn_sim *sim = *state;

	assert_int_equal(kvmpfn_gpc_activate(sim, -1, 0), -KVMPFN_EINVAL);
	assert_int_equal(kvmpfn_gpc_activate_hva(sim, 8, HVA), -KVMPFN_EINVAL);
	/* INVALID_GPA is no gpa: it marks HVA-only caches */
	assert_int_equal(kvmpfn_gpc_activate(sim, 0, ~0ULL), -KVMPFN_EINVAL);
	/* nothing to refresh from before the first activation */
	assert_int_equal(kvmpfn_gpc_refresh(sim, 0), -KVMPFN_EINVAL);
	assert_int_equal(nviol(sim), 0);
	assert_int_equal(kvmpfn_gpc_check(sim, 100000), -KVMPFN_EINVAL);
	assert_int_equal(kvmpfn_gpc_refresh(sim, -1), -KVMPFN_EINVAL);
	assert_int_equal(kvmpfn_gpc_deactivate(sim, -1), -KVMPFN_EINVAL);
}

static void test_vcpu_map_anon(void **state)
{
	struct kvmpfn_sim *sim = *state;
	uint64_t pfn;

	setup_anon(sim);
	pfn = host_pfn(sim, HVA);
	assert_int_equal(kvmpfn_vcpu_map(sim, 0, GFN), 0);
	/* kvm_vcpu_map pins the page while it is mapped */
	assert_int_equal(page_state(sim, pfn).kvm_refs, 1);
	assert_int_equal(page_state(sim, pfn).refcount, 2);
	/* the slot is busy until unmapped */
	assert_int_equal(kvmpfn_vcpu_map(sim, 0, GFN), -KVMPFN_EINVAL);
	assert_int_equal(kvmpfn_vcpu_unmap(sim, 0, true), 0);
	assert_int_equal(page_state(sim, pfn).kvm_refs, 0);
	assert_int_equal(page_state(sim, pfn).refcount, 1);
	assert_true(page_state(sim, pfn).dirty);
	assert_int_equal(kvmpfn_vcpu_unmap(sim, 0, false), -KVMPFN_EINVAL);
	assert_int_equal(nviol(sim), 0);
}

static void test_vcpu_map_no_slot(void **state)
{
	struct kvmpfn_sim *sim = *state;

	assert_true(kvmpfn_vcpu_map(sim, 0, GFN) < 0);
	/* a failed map leaves the index free */
	assert_int_equal(kvmpfn_vcpu_unmap(sim, 0, false), -KVMPFN_EINVAL);
	assert_int_equal(nviol(sim), 0);
}

static void test_vcpu_map_nostruct_pfnmap(void **state)
{
	struct kvmpfn_sim *sim = *state;
	const struct kvmpfn_violation *v;
	unsigned int n, i;
	bool found = false;
	int r;

	assert_int_equal(kvmpfn_host_alloc(sim, "bar", 0, KVMPFN_A_NOSTRUCT), 0);
	assert_int_equal(map_obj(sim, KVMPFN_MAP_PFNMAP, "bar", HVA, 4096, RW), 0);
	assert_int_equal(slot_create(sim, 1, GFN, 1, HVA, 0), 0);
	r = kvmpfn_vcpu_map(sim, 0, GFN);
	/*
	 * kvm_vcpu_map memremap()s a page it cannot pin: nothing keeps the
	 * access safe from the pfn being unmapped under it (I19).
	 */
	n = kvmpfn_violations(sim, &v);
	for (i = 0; i < n; i++)
		if (v[i].id == 19) {
			found = true;
			assert_int_equal(v[i].pfn, alloc_pfn(sim, "bar", 0));
		}
	assert_true(found);
	if (r == 0)
		assert_int_equal(kvmpfn_vcpu_unmap(sim, 0, false), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, sim_setup, sim_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_gpc_activate_and_invalidate),
		T(test_gpc_refresh_after_migrate),
		T(test_gpc_bad_index),
		T(test_vcpu_map_anon),
		T(test_vcpu_map_no_slot),
		T(test_vcpu_map_nostruct_pfnmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
