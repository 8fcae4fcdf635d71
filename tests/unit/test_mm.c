// SPDX-License-Identifier: GPL-2.0
/* Host memory model: allocations, VMAs, faults from userspace. */
#include "unit_helpers.h"

#define RW (KVMPFN_PROT_READ | KVMPFN_PROT_WRITE)
#define HVA 0x10000000UL

static void test_alloc_noncompound_refcounts(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_page_state st;
	unsigned long i;

	assert_int_equal(kvmpfn_host_alloc(sim, "blk", 2, 0), 0);
	st = page_state(sim, alloc_pfn(sim, "blk", 0));
	assert_int_equal(st.refcount, 1);
	assert_true(st.has_page);
	assert_false(st.freed);
	for (i = 1; i < 4; i++) {
		st = page_state(sim, alloc_pfn(sim, "blk", i));
		assert_int_equal(st.refcount, 0);
		assert_true(st.has_page);
	}
	/* pfns are consecutive; index past the order is out of range */
	assert_int_equal(alloc_pfn(sim, "blk", 3), alloc_pfn(sim, "blk", 0) + 3);
	{
		uint64_t pfn;

		assert_int_equal(kvmpfn_host_pfn(sim, "blk", 4, &pfn), -KVMPFN_ERANGE);
		assert_int_equal(kvmpfn_host_pfn(sim, "nope", 0, &pfn), -KVMPFN_ENOENT);
	}
}

static void test_alloc_compound_refcounts(void **state)
{
	struct kvmpfn_sim *sim = *state;
	int head;
	unsigned long i;

	assert_int_equal(kvmpfn_host_alloc(sim, "folio", 2, KVMPFN_A_COMPOUND), 0);
	head = page_state(sim, alloc_pfn(sim, "folio", 0)).refcount;
	assert_int_equal(head, 1);
	for (i = 1; i < 4; i++)
		assert_int_equal(page_state(sim, alloc_pfn(sim, "folio", i)).refcount,
				 head);
}

static void test_alloc_flags(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_page_state st;

	assert_int_equal(kvmpfn_host_alloc(sim, "mmio", 0, KVMPFN_A_NOSTRUCT), 0);
	assert_int_equal(kvmpfn_host_alloc(sim, "rsv", 0, KVMPFN_A_RESERVED), 0);
	assert_int_equal(kvmpfn_host_alloc(sim, "dev", 0, KVMPFN_A_ZONE_DEVICE), 0);
	assert_int_equal(kvmpfn_host_alloc(sim, "plain", 0, 0), 0);

	st = page_state(sim, alloc_pfn(sim, "mmio", 0));
	assert_false(st.has_page);
	st = page_state(sim, alloc_pfn(sim, "rsv", 0));
	assert_true(st.has_page);
	assert_true(st.reserved);
	assert_false(st.zone_device);
	st = page_state(sim, alloc_pfn(sim, "dev", 0));
	assert_true(st.has_page);
	assert_true(st.zone_device);
	/* ZONE_DEVICE pages are PageReserved too (__init_zone_device_page) */
	st = page_state(sim, alloc_pfn(sim, "plain", 0));
	assert_true(st.has_page);
	assert_false(st.reserved);
	assert_false(st.zone_device);
}

static void test_alloc_errors(void **state)
{
	struct kvmpfn_sim *sim = *state;

	assert_int_equal(kvmpfn_host_alloc(sim, "a", 0, 0), 0);
	assert_int_equal(kvmpfn_host_alloc(sim, "a", 0, 0), -KVMPFN_EEXIST);
	assert_int_equal(kvmpfn_host_alloc(sim, "b", 0, 1U << 7), -KVMPFN_EINVAL);
	assert_int_equal(kvmpfn_host_alloc(sim, "", 0, 0), -KVMPFN_EINVAL);
	assert_int_equal(kvmpfn_host_free(sim, "missing"), -KVMPFN_ENOENT);
	/* the zero page is not the caller's to free */
	assert_int_equal(kvmpfn_host_free(sim, "zero"), -KVMPFN_ENOENT);
	assert_int_equal(nviol(sim), 0);
}

static void test_free_allocation(void **state)
{
	struct kvmpfn_sim *sim = *state;
	uint64_t pfn, p;
	struct kvmpfn_page_state st;

	assert_int_equal(kvmpfn_host_alloc(sim, "buf", 1, 0), 0);
	pfn = alloc_pfn(sim, "buf", 0);
	assert_int_equal(kvmpfn_host_free(sim, "buf"), 0);
	st = page_state(sim, pfn);
	assert_true(st.freed);
	assert_int_equal(st.refcount, 0);
	/* the name still resolves (reports name freed pages) */
	assert_int_equal(kvmpfn_host_pfn(sim, "buf", 0, &p), 0);
	assert_int_equal(p, pfn);
	/* freeing twice is refused */
	assert_true(kvmpfn_host_free(sim, "buf") < 0);
	assert_int_equal(nviol(sim), 0);
}

static void test_mmap_errors(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_mmap_args a = { .hva = HVA, .len = 4096, .prot = RW,
				      .kind = KVMPFN_MAP_PFNMAP,
				      .object = "nobody" };

	assert_int_equal(map_anon(sim, HVA, 4 * 4096, RW), 0);
	assert_int_equal(map_anon(sim, HVA + 4096, 4096, RW), -KVMPFN_EEXIST);
	assert_int_equal(map_anon(sim, HVA - 4096, 2 * 4096, RW), -KVMPFN_EEXIST);
	assert_int_equal(map_anon(sim, HVA + 0x100000 + 1, 4096, RW), -KVMPFN_EINVAL);
	assert_int_equal(map_anon(sim, HVA + 0x100000, 100, RW), -KVMPFN_EINVAL);
	assert_int_equal(map_anon(sim, HVA + 0x100000, 4096, 0x80), -KVMPFN_EINVAL);
	/* a pfnmap needs an existing object */
	a.hva = HVA + 0x200000;
	assert_int_equal(kvmpfn_host_mmap(sim, &a), -KVMPFN_ENOENT);
	a.object = NULL;
	assert_int_equal(kvmpfn_host_mmap(sim, &a), -KVMPFN_EINVAL);
}

static void test_anon_read_maps_zero_page(void **state)
{
	struct kvmpfn_sim *sim = *state;
	uint64_t pfn = 0;
	bool w = true;

	assert_int_equal(map_anon(sim, HVA, 4096, RW), 0);
	assert_int_equal(kvmpfn_host_translate(sim, HVA, &pfn, &w), -KVMPFN_ENOENT);
	assert_int_equal(kvmpfn_host_touch(sim, HVA, false), 0);
	assert_int_equal(kvmpfn_host_translate(sim, HVA, &pfn, &w), 0);
	assert_int_equal(pfn, alloc_pfn(sim, "zero", 0));
	assert_false(w);
}

static void test_anon_write_and_cow(void **state)
{
	struct kvmpfn_sim *sim = *state;
	uint64_t zero = alloc_pfn(sim, "zero", 0), p1 = 0, p2 = 0;
	bool w = false;

	assert_int_equal(map_anon(sim, HVA, 2 * 4096, RW), 0);
	/* write touch: a fresh private page */
	assert_int_equal(kvmpfn_host_touch(sim, HVA, true), 0);
	assert_int_equal(kvmpfn_host_translate(sim, HVA, &p1, &w), 0);
	assert_int_not_equal(p1, zero);
	assert_true(w);
	assert_int_equal(page_state(sim, p1).refcount, 1);

	/* read then write: the zero page is COWed to a new page */
	assert_int_equal(kvmpfn_host_touch(sim, HVA + 4096, false), 0);
	assert_int_equal(kvmpfn_host_translate(sim, HVA + 4096, &p2, &w), 0);
	assert_int_equal(p2, zero);
	assert_int_equal(kvmpfn_host_touch(sim, HVA + 4096, true), 0);
	assert_int_equal(kvmpfn_host_translate(sim, HVA + 4096, &p2, &w), 0);
	assert_int_not_equal(p2, zero);
	assert_int_not_equal(p2, p1);
	assert_true(w);
	assert_int_equal(nviol(sim), 0);
}

static void test_touch_unmapped(void **state)
{
	struct kvmpfn_sim *sim = *state;

	assert_int_equal(kvmpfn_host_touch(sim, HVA, false), -KVMPFN_EFAULT);
}

static void test_munmap(void **state)
{
	struct kvmpfn_sim *sim = *state;
	uint64_t pfn;
	bool w;

	assert_int_equal(map_anon(sim, HVA, 2 * 4096, RW), 0);
	assert_int_equal(kvmpfn_host_touch(sim, HVA, true), 0);
	assert_int_equal(kvmpfn_host_touch(sim, HVA + 4096, true), 0);
	assert_int_equal(kvmpfn_host_munmap(sim, HVA, 4096), 0);
	assert_int_equal(kvmpfn_host_translate(sim, HVA, &pfn, &w), -KVMPFN_ENOENT);
	/* the other page is untouched */
	assert_int_equal(kvmpfn_host_translate(sim, HVA + 4096, &pfn, &w), 0);
	assert_int_equal(kvmpfn_host_touch(sim, HVA, false), -KVMPFN_EFAULT);
}

static void test_mprotect_readonly(void **state)
{
	struct kvmpfn_sim *sim = *state;
	uint64_t pfn, pfn2;
	bool w = false;

	assert_int_equal(map_anon(sim, HVA, 4096, RW), 0);
	assert_int_equal(kvmpfn_host_touch(sim, HVA, true), 0);
	assert_int_equal(kvmpfn_host_translate(sim, HVA, &pfn, &w), 0);
	assert_true(w);
	assert_int_equal(kvmpfn_host_mprotect(sim, HVA, 4096, KVMPFN_PROT_READ), 0);
	assert_int_equal(kvmpfn_host_translate(sim, HVA, &pfn2, &w), 0);
	assert_false(w);
	assert_int_equal(pfn2, pfn);
	/* a write to a read-only VMA fails */
	assert_int_not_equal(kvmpfn_host_touch(sim, HVA, true), 0);
}

static void test_thp_split_keeps_pfn(void **state)
{
	struct kvmpfn_sim *sim = *state;
	struct kvmpfn_mmap_args a = { .hva = 0x40000000, .len = MB2,
				      .prot = RW, .kind = KVMPFN_MAP_ANON,
				      .thp = true };
	uint64_t pfn0, pfn1, head, after;
	bool w;
	struct kvmpfn_page_state st0, st1;

	assert_int_equal(kvmpfn_host_mmap(sim, &a), 0);
	assert_int_equal(kvmpfn_host_touch(sim, 0x40000000 + 5 * 4096, true), 0);
	assert_int_equal(kvmpfn_host_translate(sim, 0x40000000, &pfn0, &w), 0);
	assert_int_equal(kvmpfn_host_translate(sim, 0x40000000 + 5 * 4096,
					       &pfn1, &w), 0);
	/* one 2M folio: contiguous, 512-aligned, tails count like the head */
	assert_int_equal(pfn1, pfn0 + 5);
	assert_int_equal(pfn0 % 512, 0);
	head = page_state(sim, pfn0).refcount;
	st0 = page_state(sim, pfn0);
	st1 = page_state(sim, pfn1);
	assert_true(head >= 1);
	assert_int_equal(st1.refcount, st0.refcount);

	assert_int_equal(kvmpfn_host_thp_split(sim, 0x40000000), 0);
	assert_int_equal(kvmpfn_host_translate(sim, 0x40000000 + 5 * 4096,
					       &after, &w), 0);
	assert_int_equal(after, pfn1);
	assert_int_equal(nviol(sim), 0);
}

static void test_migrate_changes_pfn(void **state)
{
	struct kvmpfn_sim *sim = *state;
	uint64_t before, after;
	bool w;

	assert_int_equal(map_anon(sim, HVA, 4096, RW), 0);
	assert_int_equal(kvmpfn_host_touch(sim, HVA, true), 0);
	assert_int_equal(kvmpfn_host_translate(sim, HVA, &before, &w), 0);
	assert_int_equal(kvmpfn_host_migrate(sim, HVA), 0);
	assert_int_equal(kvmpfn_host_translate(sim, HVA, &after, &w), 0);
	assert_int_not_equal(after, before);
	assert_true(w);
	assert_true(page_state(sim, before).freed);
	assert_int_equal(page_state(sim, after).refcount, 1);
	assert_int_equal(nviol(sim), 0);
}

/*
 * Anonymous 4K pages share their allocation record (runs of consecutive
 * pfns); each still reads as an allocation of its own: named "anon+0",
 * and the first allocation without a name is found by "" as before.
 */
static void test_anon_pages_share_a_record(void **state)
{
	struct kvmpfn_sim *sim = *state;
	uint64_t pfn[3], p;
	char name[64];
	bool w;
	int i;

	assert_int_equal(map_anon(sim, HVA, 4 * 4096, RW), 0);
	assert_int_equal(kvmpfn_host_touch(sim, HVA, true), 0);
	assert_int_equal(kvmpfn_host_touch(sim, HVA + 4096, true), 0);
	/* a named allocation between them ends the first run */
	assert_int_equal(kvmpfn_host_alloc(sim, "mid", 0, 0), 0);
	assert_int_equal(kvmpfn_host_touch(sim, HVA + 2 * 4096, true), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(kvmpfn_host_translate(sim, HVA + i * 4096UL,
						       &pfn[i], &w), 0);
	assert_int_equal(pfn[1], pfn[0] + 1);
	assert_int_equal(alloc_pfn(sim, "mid", 0), pfn[1] + 1);
	assert_int_equal(pfn[2], pfn[1] + 2);
	for (i = 0; i < 3; i++) {
		struct kvmpfn_page_state st = page_state(sim, pfn[i]);

		assert_int_equal(kvmpfn_pfn_name(sim, pfn[i], name,
						 sizeof(name)), 0);
		assert_string_equal(name, "anon+0");
		assert_true(st.has_page);
		assert_int_equal(st.refcount, 1);
		assert_false(st.freed);
	}
	/* "" finds the first record without a name: the first anon page */
	assert_int_equal(kvmpfn_host_pfn(sim, "", 0, &p), 0);
	assert_int_equal(p, pfn[0]);
	assert_int_equal(kvmpfn_host_pfn(sim, "", 1, &p), -KVMPFN_ERANGE);
	assert_int_equal(kvmpfn_host_pfn(sim, "", 0, &p), 0);
	assert_int_equal(p, pfn[0]);
	for (i = 0; i < 3; i++) {
		assert_int_equal(kvmpfn_pfn_name(sim, pfn[i], name,
						 sizeof(name)), 0);
		assert_string_equal(name, "anon+0");
	}
	assert_int_equal(kvmpfn_pfn_name(sim, pfn[1] + 1, name, sizeof(name)),
			 0);
	assert_string_equal(name, "mid+0");
	assert_int_equal(nviol(sim), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, sim_setup, sim_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_alloc_noncompound_refcounts),
		T(test_alloc_compound_refcounts),
		T(test_alloc_flags),
		T(test_alloc_errors),
		T(test_free_allocation),
		T(test_mmap_errors),
		T(test_anon_read_maps_zero_page),
		T(test_anon_write_and_cow),
		T(test_touch_unmapped),
		T(test_munmap),
		T(test_mprotect_readonly),
		T(test_thp_split_keeps_pfn),
		T(test_migrate_changes_pfn),
		T(test_anon_pages_share_a_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
