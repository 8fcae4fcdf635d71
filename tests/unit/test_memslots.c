// SPDX-License-Identifier: GPL-2.0
/* Memslot updates: geometry checks, ids, moves, flags, deferral. */
#include "unit_helpers.h"

#define RW (KVMPFN_PROT_READ | KVMPFN_PROT_WRITE)
#define HVA 0x10000000UL
#define GFN 0x100UL

/* x86: KVM_USER_MEM_SLOTS = SHRT_MAX - KVM_INTERNAL_MEM_SLOTS = 32764 */
#define USER_MEM_SLOTS 32764

static void map_and_slot(struct kvmpfn_sim *sim, unsigned int flags)
{
	assert_int_equal(map_anon(sim, HVA, 16 * 4096, RW), 0);
	assert_int_equal(slot_create(sim, 1, GFN, 16, HVA, flags), 0);
}

static void test_create_and_overlap(void **state)
{
	struct kvmpfn_sim *sim = *state;

	map_and_slot(sim, 0);
	/* same id */
	assert_int_equal(slot_create(sim, 1, 0x1000, 1, HVA, 0), -KVMPFN_EEXIST);
	/* overlapping gfn range, other id: head, tail, inside */
	assert_int_equal(slot_create(sim, 2, GFN - 1, 2, HVA, 0), -KVMPFN_EEXIST);
	assert_int_equal(slot_create(sim, 2, GFN + 15, 4, HVA, 0), -KVMPFN_EEXIST);
	assert_int_equal(slot_create(sim, 2, GFN + 4, 1, HVA, 0), -KVMPFN_EEXIST);
	/* adjacent is fine, also in another address space */
	assert_int_equal(slot_create(sim, 2, GFN + 16, 1, HVA, 0), 0);
	{
		struct kvmpfn_memslot_args a = { .as_id = 1, .id = 1,
						 .gfn = GFN, .npages = 16,
						 .hva = HVA };

		assert_int_equal(kvmpfn_memslot(sim, KVMPFN_SLOT_CREATE, &a), 0);
	}
	assert_int_equal(nviol(sim), 0);
}

static void test_bad_geometry(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_memslot_args a = { .as_id = 0, .id = 1, .gfn = GFN,
					 .npages = 1, .hva = HVA };

	assert_int_equal(slot_create(sim, 1, GFN, 0, HVA, 0), -KVMPFN_EINVAL);
	assert_int_equal(slot_create(sim, 1, GFN, 1, HVA + 1, 0), -KVMPFN_EINVAL);
	assert_int_equal(slot_create(sim, 1, GFN, 1, HVA + 0x800, 0), -KVMPFN_EINVAL);
	/* unknown flag */
	assert_int_equal(slot_create(sim, 1, GFN, 1, HVA, 1U << 5), -KVMPFN_EINVAL);
	/* ids and address spaces out of range */
	assert_int_equal(slot_create(sim, -1, GFN, 1, HVA, 0), -KVMPFN_EINVAL);
	assert_int_equal(slot_create(sim, USER_MEM_SLOTS, GFN, 1, HVA, 0),
			 -KVMPFN_EINVAL);
	a.as_id = 2;
	assert_int_equal(kvmpfn_memslot(sim, KVMPFN_SLOT_CREATE, &a), -KVMPFN_EINVAL);
	a.as_id = -1;
	assert_int_equal(kvmpfn_memslot(sim, KVMPFN_SLOT_CREATE, &a), -KVMPFN_EINVAL);
	/* nothing was created */
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_DELETE, 1, 0, 0, 0, 0),
			 -KVMPFN_ENOENT);
}

static void test_delete(void **state)
{
	struct kvmpfn_sim *sim = *state;

	assert_int_equal(slot_op(sim, KVMPFN_SLOT_DELETE, 3, 0, 0, 0, 0),
			 -KVMPFN_ENOENT);
	map_and_slot(sim, 0);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_DELETE, 1, 0, 0, 0, 0), 0);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), -KVMPFN_ENOENT);
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_DELETE, 1, 0, 0, 0, 0),
			 -KVMPFN_ENOENT);
	/* the id and range are free again */
	assert_int_equal(slot_create(sim, 1, GFN, 16, HVA, 0), 0);
	assert_int_equal(nviol(sim), 0);
}

static void test_move(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_leaf leaf;

	map_and_slot(sim, 0);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_MOVE, 1, 0x2000, 0, 0, 0), 0);
	/* the old range is gone and its leaves are zapped */
	assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), -KVMPFN_ENOENT);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), -KVMPFN_ENOENT);
	/* the new range maps the same host memory */
	assert_int_equal(kvmpfn_fault(sim, 0, 0x2000, true), 0);
	{
		uint64_t pfn;
		bool w;

		assert_int_equal(kvmpfn_host_translate(sim, HVA, &pfn, &w), 0);
		assert_int_equal(kvmpfn_leaf(sim, 0, 0x2000, &leaf), 0);
		assert_int_equal(leaf.pfn, pfn);
	}
	/* move of a missing slot, move onto another slot */
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_MOVE, 9, 0x5000, 0, 0, 0),
			 -KVMPFN_ENOENT);
	assert_int_equal(map_anon(sim, HVA + 0x100000, 4096, RW), 0);
	assert_int_equal(slot_create(sim, 2, 0x3000, 1, HVA + 0x100000, 0), 0);
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_MOVE, 2, 0x2004, 0, 0, 0),
			 -KVMPFN_EEXIST);
	assert_int_equal(nviol(sim), 0);
}

static void test_flags_change(void **state)
{
	struct kvmpfn_sim *sim = *state;

	map_and_slot(sim, 0);
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_FLAGS, 1, 0, 0, 0,
				 KVMPFN_MEM_LOG_DIRTY_PAGES), 0);
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_FLAGS, 1, 0, 0, 0, 0), 0);
	/* READONLY cannot be flipped in place */
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_FLAGS, 1, 0, 0, 0,
				 KVMPFN_MEM_READONLY), -KVMPFN_EINVAL);
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_FLAGS, 7, 0, 0, 0, 0),
			 -KVMPFN_ENOENT);
	/* the slot is still writable */
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);

	assert_int_equal(map_anon(sim, HVA + 0x100000, 4096, RW), 0);
	assert_int_equal(slot_create(sim, 2, 0x3000, 1, HVA + 0x100000,
				     KVMPFN_MEM_READONLY), 0);
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_FLAGS, 2, 0, 0, 0, 0),
			 -KVMPFN_EINVAL);
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_FLAGS, 2, 0, 0, 0,
				 KVMPFN_MEM_READONLY |
				 KVMPFN_MEM_LOG_DIRTY_PAGES), 0);
	assert_int_equal(kvmpfn_fault(sim, 0, 0x3000, true), -KVMPFN_EACCES);
	assert_int_equal(nviol(sim), 0);
}

static void test_slot_limit(void **state)
{
	struct kvmpfn_sim *sim = *state;
	int i;

	for (i = 0; i < USER_MEM_SLOTS; i++)
		assert_int_equal(slot_create(sim, i, (uint64_t)i, 1, HVA, 0), 0);
	/*
	 * The 32765th slot: ids stop at KVM_USER_MEM_SLOTS - 1, so the kernel
	 * rejects the id before it could run out of space.
	 */
	assert_int_equal(slot_create(sim, USER_MEM_SLOTS, 0x100000, 1, HVA, 0),
			 -KVMPFN_EINVAL);
	assert_int_equal(slot_create(sim, 0, 0x100000, 1, HVA, 0), -KVMPFN_EEXIST);
	/* deleting one makes room again */
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_DELETE, 5, 0, 0, 0, 0), 0);
	assert_int_equal(slot_create(sim, 5, 0x100000, 1, HVA, 0), 0);
	assert_int_equal(nviol(sim), 0);
}

static void test_deferred_update(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_leaf leaf;

	assert_int_equal(map_anon(sim, HVA, 16 * 4096, RW), 0);
	assert_int_equal(map_anon(sim, 0x20000000, 4096, RW), 0);
	assert_int_equal(slot_create(sim, 1, GFN, 16, HVA, 0), 0);

	/* an invalidation of unrelated memory still blocks memslot updates */
	assert_int_equal(kvmpfn_invalidate_begin(sim, 0x20000000, 4096), 0);
	assert_int_equal(slot_create(sim, 2, 0x5000, 1, 0x20000000, 0), 1);
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_DELETE, 1, 0, 0, 0, 0), 1);
	/* not applied yet: slot 1 still exists and slot 2 does not */
	assert_int_equal(slot_create(sim, 1, 0x9000, 1, HVA, 0), 1);
	assert_int_equal(kvmpfn_invalidate_end(sim), 0);

	/* applied in order: create 2, delete 1, create 1 at 0x9000 */
	assert_int_equal(kvmpfn_fault(sim, 0, 0x5000, true), 0);
	assert_int_equal(kvmpfn_leaf(sim, 0, 0x5000, &leaf), 0);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), -KVMPFN_ENOENT);
	assert_int_equal(kvmpfn_fault(sim, 0, 0x9000, true), 0);
	/* no invalidation open now: updates are immediate */
	assert_int_equal(slot_op(sim, KVMPFN_SLOT_DELETE, 2, 0, 0, 0, 0), 0);
	assert_int_equal(kvmpfn_invalidate_end(sim), -KVMPFN_EINVAL);
	assert_int_equal(nviol(sim), 0);
}

static void test_deferred_validates_early(void **state)
{
	struct kvmpfn_sim *sim = *state;

	/* bad arguments fail at once, even while the update would wait */
	assert_int_equal(kvmpfn_invalidate_begin(sim, HVA, 4096), 0);
	assert_int_equal(slot_create(sim, 1, GFN, 0, HVA, 0), -KVMPFN_EINVAL);
	assert_int_equal(slot_create(sim, -3, GFN, 1, HVA, 0), -KVMPFN_EINVAL);
	assert_int_equal(kvmpfn_invalidate_end(sim), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, sim_setup, sim_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_and_overlap),
		T(test_bad_geometry),
		T(test_delete),
		T(test_move),
		T(test_flags_change),
		T(test_slot_limit),
		T(test_deferred_update),
		T(test_deferred_validates_early),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
