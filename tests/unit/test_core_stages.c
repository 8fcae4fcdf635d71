// SPDX-License-Identifier: GPL-2.0
/* The guest fault path at every stage of the series. */
#include "unit_helpers.h"

#define RW (KVMPFN_PROT_READ | KVMPFN_PROT_WRITE)
#define HVA 0x10000000UL
#define GFN 0x100000UL

#define FOR_EACH_STAGE(s) \
	for (s = KVMPFN_LEGACY; s < KVMPFN_NR_STAGES; s++)

static struct kvmpfn_sim *new_sim(enum kvmpfn_stage s)
{
	struct kvmpfn_sim *sim = kvmpfn_sim_create(s);

	assert_non_null(sim);
	assert_int_equal(kvmpfn_sim_stage(sim), s);
	return sim;
}

static void test_anon_write_fault(void **state)
{
	enum kvmpfn_stage s;

	(void)state;
	FOR_EACH_STAGE(s) {
		struct kvmpfn_sim *sim = new_sim(s);
		struct kvmpfn_leaf leaf;
		uint64_t pfn;
		bool w;

		assert_int_equal(map_anon(sim, HVA, 4 * 4096, RW), 0);
		assert_int_equal(slot_create(sim, 1, GFN, 4, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN + 1, true), 0);
		assert_int_equal(kvmpfn_leaf(sim, 0, GFN + 1, &leaf), 0);
		assert_true(leaf.writable);
		assert_true(leaf.refcounted);
		/* the fault populated the host PTE it maps */
		assert_int_equal(kvmpfn_host_translate(sim, HVA + 4096, &pfn, &w), 0);
		assert_int_equal(leaf.pfn, pfn);
		assert_true(w);
		assert_int_equal(page_state(sim, pfn).kvm_refs, 0);
		assert_int_equal(page_state(sim, pfn).refcount, 1);
		assert_int_equal(nviol(sim), 0);
		kvmpfn_sim_destroy(sim);
	}
}

static void test_readonly_slot(void **state)
{
	enum kvmpfn_stage s;

	(void)state;
	FOR_EACH_STAGE(s) {
		struct kvmpfn_sim *sim = new_sim(s);
		struct kvmpfn_leaf leaf;

		assert_int_equal(map_anon(sim, HVA, 4096, RW), 0);
		assert_int_equal(kvmpfn_host_touch(sim, HVA, true), 0);
		assert_int_equal(slot_create(sim, 1, GFN, 1, HVA,
					     KVMPFN_MEM_READONLY), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), -KVMPFN_EACCES);
		assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), -KVMPFN_ENOENT);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
		assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
		assert_false(leaf.writable);
		assert_int_equal(page_state(sim, leaf.pfn).kvm_refs, 0);
		assert_int_equal(nviol(sim), 0);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * virtio-gpu blob on TTM: a non-compound order-2 block mapped VM_PFNMAP;
 * the tail pages have refcount 0.
 */
static void test_blob_tail_page(void **state)
{
	enum kvmpfn_stage s;

	(void)state;
	FOR_EACH_STAGE(s) {
		struct kvmpfn_sim *sim = new_sim(s);
		struct kvmpfn_leaf leaf;
		uint64_t head, tail;
		int r;

		assert_int_equal(kvmpfn_host_alloc(sim, "vram", 2, 0), 0);
		assert_int_equal(map_obj(sim, KVMPFN_MAP_PFNMAP, "vram", HVA,
					 4 * 4096, RW), 0);
		assert_int_equal(slot_create(sim, 1, GFN, 4, HVA, 0), 0);
		head = alloc_pfn(sim, "vram", 0);
		tail = alloc_pfn(sim, "vram", 1);

		/* page 0 is refcounted: it maps everywhere, no ref kept */
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
		assert_int_equal(leaf.pfn, head);
		assert_true(leaf.writable);
		assert_int_equal(page_state(sim, head).refcount, 1);
		assert_int_equal(page_state(sim, head).kvm_refs, 0);

		r = kvmpfn_fault(sim, 0, GFN + 1, true);
		if (s < KVMPFN_V7_5) {
			assert_int_equal(r, -KVMPFN_EFAULT);
			assert_int_equal(kvmpfn_leaf(sim, 0, GFN + 1, &leaf),
					 -KVMPFN_ENOENT);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(kvmpfn_leaf(sim, 0, GFN + 1, &leaf), 0);
			assert_int_equal(leaf.pfn, tail);
			assert_true(leaf.writable);
			assert_false(leaf.refcounted);
		}
		assert_int_equal(page_state(sim, tail).refcount, 0);
		assert_int_equal(page_state(sim, tail).kvm_refs, 0);
		assert_int_equal(nviol(sim), 0);
		kvmpfn_sim_destroy(sim);
	}
}

static void test_zero_page_read_fault(void **state)
{
	enum kvmpfn_stage s;

	(void)state;
	FOR_EACH_STAGE(s) {
		struct kvmpfn_sim *sim = new_sim(s);
		struct kvmpfn_leaf leaf;
		uint64_t zero = alloc_pfn(sim, "zero", 0);
		int r;

		assert_int_equal(map_anon(sim, HVA, 4096, RW), 0);
		assert_int_equal(slot_create(sim, 1, GFN, 1, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
		assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
		assert_int_equal(leaf.pfn, zero);
		assert_false(leaf.writable);
		assert_int_equal(page_state(sim, zero).kvm_refs, 0);
		/*
		 * A write then breaks COW and maps a private page.  The COW
		 * invalidates the hva while the fault runs, so (as in the
		 * kernel) the first attempt may be retried; the zero-page
		 * leaf is zapped either way.
		 */
		r = kvmpfn_fault(sim, 0, GFN, true);
		if (r == -KVMPFN_EAGAIN) {
			assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), -KVMPFN_ENOENT);
			r = kvmpfn_fault(sim, 0, GFN, true);
		}
		assert_int_equal(r, 0);
		assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), 0);
		assert_int_not_equal(leaf.pfn, zero);
		assert_true(leaf.writable);
		assert_int_equal(nviol(sim), 0);
		kvmpfn_sim_destroy(sim);
	}
}

static void test_no_memslot(void **state)
{
	enum kvmpfn_stage s;

	(void)state;
	FOR_EACH_STAGE(s) {
		struct kvmpfn_sim *sim = new_sim(s);
		struct kvmpfn_leaf leaf;

		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), -KVMPFN_ENOENT);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), -KVMPFN_ENOENT);
		assert_int_equal(kvmpfn_leaf(sim, 0, GFN, &leaf), -KVMPFN_ENOENT);
		assert_int_equal(nviol(sim), 0);
		kvmpfn_sim_destroy(sim);
	}
}

static void test_nostruct_pfnmap(void **state)
{
	enum kvmpfn_stage s;

	(void)state;
	FOR_EACH_STAGE(s) {
		struct kvmpfn_sim *sim = new_sim(s);
		struct kvmpfn_leaf leaf;

		assert_int_equal(kvmpfn_host_alloc(sim, "bar", 1,
						   KVMPFN_A_NOSTRUCT), 0);
		assert_int_equal(map_obj(sim, KVMPFN_MAP_PFNMAP, "bar", HVA,
					 2 * 4096, RW), 0);
		assert_int_equal(slot_create(sim, 1, GFN, 2, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN + 1, true), 0);
		assert_int_equal(kvmpfn_leaf(sim, 0, GFN + 1, &leaf), 0);
		assert_int_equal(leaf.pfn, alloc_pfn(sim, "bar", 1));
		assert_true(leaf.writable);
		assert_false(leaf.refcounted);
		assert_false(page_state(sim, leaf.pfn).has_page);
		assert_int_equal(nviol(sim), 0);
		kvmpfn_sim_destroy(sim);
	}
}

static void test_stage_names(void **state)
{
	static const char *const names[] = {
		"legacy", "v7.1", "v7.2", "v7.3", "v7.4",
		"v7.5", "v7.6", "v7.7", "v7.8", "final",
	};
	enum kvmpfn_stage s, p;

	(void)state;
	assert_int_equal(sizeof(names) / sizeof(names[0]), KVMPFN_NR_STAGES);
	FOR_EACH_STAGE(s) {
		assert_string_equal(kvmpfn_stage_name(s), names[s]);
		p = KVMPFN_NR_STAGES;
		assert_int_equal(kvmpfn_stage_parse(kvmpfn_stage_name(s), &p), 0);
		assert_int_equal(p, s);
		assert_non_null(kvmpfn_stage_subject(s));
	}
	assert_int_equal(kvmpfn_stage_parse("v7.9", &p), -KVMPFN_EINVAL);
	assert_int_equal(kvmpfn_stage_parse("", &p), -KVMPFN_EINVAL);
	assert_int_equal(kvmpfn_stage_parse("Legacy ", &p), -KVMPFN_EINVAL);
	assert_int_equal(kvmpfn_stage_parse("v7", &p), -KVMPFN_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anon_write_fault),
		cmocka_unit_test(test_readonly_slot),
		cmocka_unit_test(test_blob_tail_page),
		cmocka_unit_test(test_zero_page_read_fault),
		cmocka_unit_test(test_no_memslot),
		cmocka_unit_test(test_nostruct_pfnmap),
		cmocka_unit_test(test_stage_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
