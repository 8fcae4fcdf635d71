// SPDX-License-Identifier: GPL-2.0
/* mmu_notifier: zaps on unmap, fault retry on races, aging. */
#include "unit_helpers.h"

#define RW (KVMPFN_PROT_READ | KVMPFN_PROT_WRITE)
#define HVA 0x10000000UL
#define GFN 0x100000UL

static void setup_slot(struct kvmpfn_sim *sim)
{
	assert_int_equal(map_anon(sim, HVA, 4 * 4096, RW), 0);
	assert_int_equal(slot_create(sim, 1, GFN, 4, HVA, 0), 0);
}

static void test_munmap_zaps_leaf(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_leaf leaf;

	setup_slot(sim);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 1, true), 0);
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
	assert_int_equal(kvmpfn_host_munmap(sim, HVA, 4096), 0);
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), -KVMPFN_ENOENT);
	/* only the covered range is zapped */
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN + 1, &leaf), 0);
	/* and the gfn cannot fault in again */
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), -KVMPFN_EFAULT);
	assert_int_equal(nviol(sim), 0);
}

static void test_migrate_zaps_leaf(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_leaf leaf;
	uint64_t old;

	setup_slot(sim);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
	old = leaf.pfn;
	assert_int_equal(kvmpfn_host_migrate(sim, HVA), 0);
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), -KVMPFN_ENOENT);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
	assert_int_not_equal(leaf.pfn, old);
	assert_int_equal(nviol(sim), 0);
}

static void test_fault_races_invalidation(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_leaf leaf;

	setup_slot(sim);
	assert_int_equal(kvmpfn_fault_begin(sim, 0, GFN, true), 0);
	assert_int_equal(kvmpfn_invalidate_begin(sim, HVA, 4096), 0);
	assert_int_equal(kvmpfn_invalidate_end(sim), 0);
	assert_int_equal(kvmpfn_fault_finish(sim, 0), -KVMPFN_EAGAIN);
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), -KVMPFN_ENOENT);
	/* the retry succeeds */
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
	assert_int_equal(page_state(sim, leaf.pfn).kvm_refs, 0);
	assert_int_equal(nviol(sim), 0);
}

static void test_fault_unrelated_invalidation(void **state)
{
	struct kvmpfn_sim *sim = *state;
	setup_slot(sim);
	assert_int_equal(map_anon(sim, 0x20000000, 4096, RW), 0);
	assert_int_equal(kvmpfn_fault_begin(sim, 0, GFN, true), 0);
	assert_int_equal(kvmpfn_invalidate_begin(sim, 0x20000000, 4096), 0);
	assert_int_equal(kvmpfn_invalidate_end(sim), 0);
	/*
	 * No memslot covers that hva, so KVM's handler never runs
	 * kvm_mmu_invalidate_begin/end: mmu_invalidate_seq is unchanged and
	 * the fault completes.
	 */
	assert_int_equal(kvmpfn_fault_finish(sim, 0), 0);
	{
		struct kvmpfn_leaf leaf;

		assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
	}
	assert_int_equal(nviol(sim), 0);
}

static void test_fault_races_memslot_delete(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_leaf leaf;

	setup_slot(sim);
	assert_int_equal(kvmpfn_fault_begin(sim, 0, GFN, true), 0);
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_DELETE, 1, 0, 0, 0, 0), 0);
	assert_int_equal(kvmpfn_fault_finish(sim, 0), -KVMPFN_EAGAIN);
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), -KVMPFN_ENOENT);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), -KVMPFN_ENOENT);
	assert_int_equal(nviol(sim), 0);
}

static void test_fault_finish_without_begin(void **state)
{
	struct kvmpfn_sim *sim = *state;

	assert_true(kvmpfn_fault_finish(sim, 0) < 0);
	assert_int_equal(kvmpfn_invalidate_end(sim), -KVMPFN_EINVAL);
	assert_int_equal(nviol(sim), 0);
}

static void test_age(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_leaf leaf;

	setup_slot(sim);
	assert_int_equal(kvmpfn_age(sim, HVA, 4 * 4096), 0);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
	assert_true(leaf.accessed);
	assert_int_equal(kvmpfn_age(sim, HVA, 4 * 4096), 1);
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
	assert_false(leaf.accessed);
	assert_int_equal(kvmpfn_age(sim, HVA, 4 * 4096), 0);
	/* aging does not unmap */
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
	assert_int_equal(nviol(sim), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, sim_setup, sim_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_munmap_zaps_leaf),
		T(test_migrate_zaps_leaf),
		T(test_fault_races_invalidation),
		T(test_fault_unrelated_invalidation),
		T(test_fault_races_memslot_delete),
		T(test_fault_finish_without_begin),
		T(test_age),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
