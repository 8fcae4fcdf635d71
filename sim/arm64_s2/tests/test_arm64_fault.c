// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 fault paths through the public API, at every stage of the
 * series: translation faults (4K, THP blocks), permission faults (relax,
 * block to table), access-flag faults, dirty logging with and without
 * eager splitting, unmap and memslot delete freeing tables, invalidation
 * races, device memory, read-only memslots, IPA sizes.
 */
#include "arm64_test_helpers.h"

#define HVA	0x10000000ULL
#define GFN	0x100ULL
#define THVA	0x40000000ULL	/* THP mappings: 2M-aligned */
#define TGFN	0x1000ULL	/* 2M-aligned gfn */
#define RW	(KVMPFN_PROT_READ | KVMPFN_PROT_WRITE)

static struct arm64_mmu *mmu(struct kvmpfn_sim *sim)
{
	return kvmpfn_arch_mmu(sim);
}

/* The stage-2 descriptor translating @gfn. */
static kvm_pte_t s2pte(struct kvmpfn_sim *sim, uint64_t gfn, int *level)
{
	kvm_pte_t pte = 0;

	assert_int_equal(s2_get_leaf(&mmu(sim)->pgt, gfn << 12, &pte, level), 0);
	return pte;
}

static void test_translation_fault_4k(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		struct kvmpfn_leaf l;
		uint64_t pfn;
		int level;

		assert_int_equal(t_anon(sim, HVA, 64 * 1024, false), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 16, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		t_refs_balanced(sim);
		l = t_leaf(sim, GFN);
		pfn = t_host_pfn(sim, HVA);
		assert_int_equal(l.level, 1);
		assert_true(l.pfn == pfn);
		assert_true(l.writable && l.refcounted && l.accessed);
		/* dirty when mapped writable, and no reference kept */
		assert_true(t_page(sim, pfn).dirty);
		assert_true(t_page(sim, pfn).accessed);
		assert_int_equal(t_page(sim, pfn).kvm_refs, 0);
		/* IPA 40 by default: two level-1 roots, then L2 and L3 */
		assert_int_equal(mmu(sim)->pgt.nr_roots, 2);
		assert_int_equal(mmu(sim)->pgt.nr_live, 4);
		assert_true(s2pte(sim, GFN, &level) & S2_ATTR_XN);
		assert_int_equal(level, 3);

		/* a read of untouched memory maps the zero page read-only */
		assert_int_equal(kvmpfn_fault(sim, 0, GFN + 1, false), 0);
		l = t_leaf(sim, GFN + 1);
		assert_false(l.writable);
		assert_int_equal(mmu(sim)->pgt.nr_live, 4);

		/* a read of memory the host mapped writable maps it writable,
		 * and 6.12 marks it dirty then */
		assert_int_equal(kvmpfn_host_touch(sim, HVA + 2 * T_K4, true), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN + 2, false), 0);
		l = t_leaf(sim, GFN + 2);
		assert_true(l.writable);
		assert_true(t_page(sim, l.pfn).dirty);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* An access the leaf already allows does not trap: nothing is looked up. */
static void test_access_without_fault(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		unsigned int gets, puts;

		assert_int_equal(t_anon(sim, HVA, 64 * 1024, false), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 16, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		kvmpfn_step_refs(sim, &gets, &puts);
		assert_int_equal(gets, 0);
		assert_int_equal(puts, 0);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* Two vCPUs fault on one page: the second finds it mapped (-EAGAIN, 0). */
static void test_two_vcpus_race(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		uint64_t pfn;

		assert_int_equal(t_anon(sim, HVA, 64 * 1024, false), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 16, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault_begin(sim, 0, GFN, true), 0);
		assert_int_equal(kvmpfn_fault_begin(sim, 1, GFN, true), 0);
		assert_int_equal(kvmpfn_fault_finish(sim, 0), 0);
		assert_int_equal(kvmpfn_fault_finish(sim, 1), 0);
		pfn = t_host_pfn(sim, HVA);
		assert_true(t_leaf(sim, GFN).pfn == pfn);
		assert_int_equal(t_page(sim, pfn).kvm_refs, 0);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

static void setup_thp(struct kvmpfn_sim *sim, unsigned int flags)
{
	assert_int_equal(t_anon(sim, THVA, 4 * T_M2, true), 0);
	assert_int_equal(t_slot_create(sim, 0, TGFN, 1024, THVA, flags), 0);
}

static void test_thp_block(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		struct kvmpfn_leaf l;
		uint64_t head;
		int level;

		setup_thp(sim, 0);
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN, true), 0);
		head = t_host_pfn(sim, THVA);
		l = t_leaf(sim, TGFN + 3);
		assert_int_equal(l.level, 2);
		assert_true(l.gfn == TGFN);
		assert_true(l.pfn == head + 3);
		assert_true(l.writable);
		s2pte(sim, TGFN + 3, &level);
		assert_int_equal(level, 2);
		/* only a level-2 table below the root: no level-3 table */
		assert_int_equal(mmu(sim)->pgt.nr_live, 3);
		assert_int_equal(t_page(sim, head).kvm_refs, 0);
		assert_int_equal(t_page(sim, head).refcount, 1);
		assert_true(t_page(sim, head).dirty);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * A first fault on a tail page of a THP: 6.12 takes the reference on the
 * tail page and, after aligning the pfn for the block, marks dirty and
 * releases the head.  For a folio that is the same reference (the count
 * is the folio's), so the folio's count is balanced; the checker, which
 * counts KVM's references per struct page, may report it (I2/I4/I5).
 */
static void test_thp_tail_first_fault(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		unsigned int seen = 0;
		unsigned long found;
		uint64_t head;

		setup_thp(sim, 0);
		t_found(sim, &seen);
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 3, true), 0);
		found = t_found(sim, &seen);
		head = t_host_pfn(sim, THVA);
		assert_int_equal(t_leaf(sim, TGFN + 3).level, 2);
		assert_int_equal(t_page(sim, head).refcount, 1);
		/*
		 * Dirty is the folio's: up to v7.8 KVM marks the block's first
		 * pfn, at final the page GUP returned (the faulting tail).
		 */
		assert_true(t_page(sim, head).dirty);
		assert_true(t_page(sim, head + 3).dirty);
		assert_int_equal(found & ~((1UL << 2) | (1UL << 4) | (1UL << 5)), 0);
		kvmpfn_sim_destroy(sim);
	}
}

/* No block where hva and IPA are not co-aligned, or past the memslot. */
static void test_thp_needs_coalignment(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);

		assert_int_equal(t_anon(sim, THVA, 4 * T_M2, true), 0);
		/* the gpa is 2M-aligned, the hva one page past it */
		assert_int_equal(t_slot_create(sim, 0, TGFN, 1024,
					       THVA + T_K4, 0), 0);
		/* a slot of 1M: no 2M block fits */
		assert_int_equal(t_slot_create(sim, 1, 0x4000, 256,
					       THVA + 3 * T_M2, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 0x200, true), 0);
		assert_int_equal(t_leaf(sim, TGFN + 0x200).level, 1);
		assert_int_equal(kvmpfn_fault(sim, 0, 0x4000, true), 0);
		assert_int_equal(t_leaf(sim, 0x4000).level, 1);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

static bool logged(struct kvmpfn_sim *sim, int id, uint64_t rel)
{
	uint64_t bitmap[16] = { 0 };

	assert_int_equal(kvmpfn_dirty_log(sim, 0, id, bitmap, 1024, false), 0);
	return (bitmap[rel / 64] >> (rel % 64)) & 1;
}

/* Logging on: write-protect and split; writes fault, relax, get logged. */
static void test_dirty_log_eager_split(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		struct kvmpfn_leaf l;
		int level;

		setup_thp(sim, 0);
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN, true), 0);
		assert_int_equal(t_flags(sim, 0, KVMPFN_MEM_LOG_DIRTY_PAGES), 0);
		l = t_leaf(sim, TGFN + 5);
		assert_int_equal(l.level, 1);
		assert_false(l.writable);
		s2pte(sim, TGFN + 5, &level);
		assert_int_equal(level, 3);

		/* a write: permission fault on a page, relaxed in place */
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 5, true), 0);
		t_refs_balanced(sim);
		l = t_leaf(sim, TGFN + 5);
		assert_true(l.writable);
		assert_int_equal(l.level, 1);
		assert_true(logged(sim, 0, 5));
		assert_false(logged(sim, 0, 6));

		/* a read of a new page while logging: pages, read-only */
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 0x200, false), 0);
		l = t_leaf(sim, TGFN + 0x200);
		assert_int_equal(l.level, 1);
		assert_false(l.writable);
		assert_false(logged(sim, 0, 0x200));

		/* clearing the log write-protects again; the next write logs */
		{
			uint64_t bm[16];

			assert_int_equal(kvmpfn_dirty_log(sim, 0, 0, bm, 1024,
							  true), 0);
		}
		assert_false(t_leaf(sim, TGFN + 5).writable);
		assert_false(logged(sim, 0, 5));
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 5, true), 0);
		assert_true(logged(sim, 0, 5));
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * The kernel's default (no eager split): blocks stay, write-protected, and
 * a write replaces the block by a table holding just the written page.
 */
static void test_dirty_log_lazy_split(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		struct kvmpfn_leaf l;

		assert_int_equal(arm64_s2_test_configure(sim, 40, false), 0);
		setup_thp(sim, 0);
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN, true), 0);
		assert_int_equal(t_flags(sim, 0, KVMPFN_MEM_LOG_DIRTY_PAGES), 0);
		l = t_leaf(sim, TGFN + 5);
		assert_int_equal(l.level, 2);
		assert_false(l.writable);

		assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 5, true), 0);
		l = t_leaf(sim, TGFN + 5);
		assert_int_equal(l.level, 1);
		assert_true(l.writable);
		/* the rest of the block faults back in, page by page */
		assert_false(t_mapped(sim, TGFN + 6));
		assert_true(logged(sim, 0, 5));
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 6, false), 0);
		assert_int_equal(t_leaf(sim, TGFN + 6).level, 1);
		assert_false(t_leaf(sim, TGFN + 6).writable);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* Logging off: the next fault maps a block again, over the page table. */
static void test_logging_off_block_returns(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		struct kvmpfn_leaf l;
		u32 live;

		setup_thp(sim, KVMPFN_MEM_LOG_DIRTY_PAGES);
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 1, true), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 2, true), 0);
		assert_int_equal(t_leaf(sim, TGFN + 1).level, 1);
		live = mmu(sim)->pgt.nr_live;
		assert_int_equal(t_flags(sim, 0, 0), 0);
		/* still pages: turning logging off changes nothing */
		assert_int_equal(t_leaf(sim, TGFN + 1).level, 1);
		/* a fault on the (unmapped) head maps the block over them */
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN, false), 0);
		l = t_leaf(sim, TGFN + 2);
		assert_int_equal(l.level, 2);
		assert_true(l.writable);
		assert_int_equal(mmu(sim)->pgt.nr_live, live - 1);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * Aging clears AF; the next access takes an access-flag fault, which sets
 * AF under mmu_lock and marks the page accessed after dropping it, with
 * no reference held: the checker reports I4 for that at every stage of
 * v7.  6.13 (final) sets AF and leaves the page alone.
 */
static void test_access_flag_fault(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		unsigned int seen = 0;
		uint64_t pfn;

		assert_int_equal(t_anon(sim, HVA, 64 * 1024, false), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 16, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		pfn = t_leaf(sim, GFN).pfn;
		assert_int_equal(kvmpfn_age(sim, HVA, 64 * 1024), 1);
		assert_false(t_leaf(sim, GFN).accessed);
		assert_int_equal(kvmpfn_age(sim, HVA, 64 * 1024), 0);
		t_no_violations(sim);

		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
		assert_true(t_leaf(sim, GFN).accessed);
		/* final: accessed since the fault that mapped it */
		assert_true(t_page(sim, pfn).accessed);
		if (st == KVMPFN_FINAL) {
			assert_int_equal(t_found(sim, &seen), 0);
		} else {
			const struct kvmpfn_violation *v;

			assert_int_equal(t_found(sim, &seen), 1UL << 4);
			kvmpfn_violations(sim, &v);
			assert_true(v[0].pfn == pfn);
		}
		/* a write after the access fault: no further trap */
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		assert_int_equal(t_found(sim, &seen), 0);
		kvmpfn_sim_destroy(sim);
	}
}

/* The access-flag fault on a reserved page marks nothing: no finding. */
static void test_access_flag_fault_reserved(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);

		assert_int_equal(kvmpfn_host_alloc(sim, "fw", 0,
						   KVMPFN_A_RESERVED), 0);
		assert_int_equal(t_map(sim, KVMPFN_MAP_PFNMAP, "fw", HVA,
				       T_K4, RW, false, false), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 1, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
		assert_int_equal(kvmpfn_age(sim, HVA, T_K4), 1);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
		assert_true(t_leaf(sim, GFN).accessed);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* Unmapping takes leaves and every table that became empty. */
static void test_unmap_frees_tables(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		int i;

		assert_int_equal(t_anon(sim, HVA, 4 * T_M2, false), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 1024, HVA, 0), 0);
		for (i = 0; i < 1024; i += 100)
			assert_int_equal(kvmpfn_fault(sim, 0, GFN + i, true), 0);
		/* gfn 0x100..0x4ff spans three level-3 tables */
		assert_int_equal(mmu(sim)->pgt.nr_live, 2 + 1 + 3);
		/* the first 2M: one level-3 table empties, one keeps pages */
		assert_int_equal(kvmpfn_host_munmap(sim, HVA, T_M2), 0);
		assert_false(t_mapped(sim, GFN));
		assert_false(t_mapped(sim, GFN + 500));
		assert_true(t_mapped(sim, GFN + 600));
		assert_true(t_mapped(sim, GFN + 1000));
		assert_int_equal(mmu(sim)->pgt.nr_live, 2 + 1 + 2);
		assert_int_equal(kvmpfn_host_munmap(sim, HVA, 4 * T_M2), 0);
		assert_int_equal(mmu(sim)->pgt.nr_live, 2);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

static void test_memslot_delete(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		uint64_t pfn;

		assert_int_equal(t_anon(sim, HVA, 64 * 1024, false), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 16, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		assert_int_equal(kvmpfn_fault_begin(sim, 0, GFN + 1, true), 0);
		pfn = t_host_pfn(sim, HVA + T_K4);
		assert_int_equal(t_page(sim, pfn).kvm_refs, 1);
		assert_int_equal(t_slot(sim, KVMPFN_SLOT_DELETE, 1, 0, 0, 0, 0), 0);
		assert_false(t_mapped(sim, GFN));
		assert_int_equal(mmu(sim)->pgt.nr_live, 2);
		/* the fault in flight backs off and drops its reference */
		assert_int_equal(kvmpfn_fault_finish(sim, 0), -KVMPFN_EAGAIN);
		assert_false(t_mapped(sim, GFN + 1));
		assert_int_equal(t_page(sim, pfn).kvm_refs, 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), -KVMPFN_ENOENT);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

static void test_invalidation_race(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);

		assert_int_equal(t_anon(sim, HVA, 64 * 1024, false), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 16, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault_begin(sim, 0, GFN + 1, true), 0);
		assert_int_equal(kvmpfn_invalidate_begin(sim, HVA + T_K4, T_K4), 0);
		assert_int_equal(kvmpfn_invalidate_end(sim), 0);
		assert_int_equal(kvmpfn_fault_finish(sim, 0), -KVMPFN_EAGAIN);
		assert_false(t_mapped(sim, GFN + 1));
		/* and with the invalidation still open */
		assert_int_equal(kvmpfn_fault_begin(sim, 0, GFN + 2, true), 0);
		assert_int_equal(kvmpfn_invalidate_begin(sim, HVA, T_K4), 0);
		assert_int_equal(kvmpfn_fault_finish(sim, 0), -KVMPFN_EAGAIN);
		assert_int_equal(kvmpfn_invalidate_end(sim), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN + 2, true), 0);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* A pfn without struct page: device memory, no reference, never X. */
static void test_device_memory(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		struct kvmpfn_leaf l;
		kvm_pte_t pte;
		int level;

		assert_int_equal(kvmpfn_host_alloc(sim, "bar", 9,
						   KVMPFN_A_NOSTRUCT), 0);
		assert_int_equal(t_map(sim, KVMPFN_MAP_PFNMAP, "bar", THVA,
				       T_M2, RW, false, false), 0);
		assert_int_equal(t_slot_create(sim, 1, TGFN, 512, THVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 7, true), 0);
		l = t_leaf(sim, TGFN + 7);
		assert_true(l.pfn == t_pfn(sim, "bar", 7));
		assert_false(l.refcounted);
		assert_true(l.writable);
		/* 4K host PTEs: a page, not a block */
		assert_int_equal(l.level, 1);
		pte = s2pte(sim, TGFN + 7, &level);
		assert_int_equal(s2_pte_memattr(pte), S2_MT_FWB_DEVICE_nGnRE);
		assert_true(pte & S2_ATTR_XN);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* A PMD-mapped pfnmap becomes a device block (THP adjust applies). */
static void test_huge_pfnmap_block(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		struct kvmpfn_leaf l;
		int level;

		assert_int_equal(kvmpfn_host_alloc(sim, "bar", 9,
						   KVMPFN_A_NOSTRUCT), 0);
		assert_int_equal(t_map(sim, KVMPFN_MAP_PFNMAP, "bar", THVA,
				       T_M2, RW, false, true), 0);
		assert_int_equal(t_slot_create(sim, 1, TGFN, 512, THVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 5, true), 0);
		l = t_leaf(sim, TGFN + 5);
		assert_int_equal(l.level, 2);
		assert_true(l.pfn == t_pfn(sim, "bar", 5));
		assert_int_equal(s2_pte_memattr(s2pte(sim, TGFN, &level)),
				 S2_MT_FWB_DEVICE_nGnRE);
		/* a host split invalidates the whole block */
		assert_int_equal(kvmpfn_host_munmap(sim, THVA, T_K4), 0);
		assert_false(t_mapped(sim, TGFN + 5));
		assert_int_equal(mmu(sim)->pgt.nr_live, 2);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* ZONE_DEVICE pages are outside the linear map: device memory too. */
static void test_zone_device(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);
		struct kvmpfn_leaf l;
		int level;

		assert_int_equal(kvmpfn_host_alloc(sim, "pmem", 4,
						   KVMPFN_A_ZONE_DEVICE), 0);
		assert_int_equal(t_map(sim, KVMPFN_MAP_FILE, "pmem", HVA,
				       16 * T_K4, RW, false, false), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 16, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		l = t_leaf(sim, GFN);
		assert_true(l.refcounted);
		assert_int_equal(s2_pte_memattr(s2pte(sim, GFN, &level)),
				 S2_MT_FWB_DEVICE_nGnRE);
		assert_int_equal(t_page(sim, l.pfn).kvm_refs, 0);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

static void test_readonly_memslot(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);

		assert_int_equal(t_anon(sim, HVA, 64 * 1024, false), 0);
		assert_int_equal(kvmpfn_host_touch(sim, HVA, true), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 16, HVA,
					       KVMPFN_MEM_READONLY), 0);
		/* a write to a read-only slot is an MMIO exit */
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), -KVMPFN_EACCES);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, false), 0);
		assert_false(t_leaf(sim, GFN).writable);
		/* the write now meets a read-only leaf: still no mapping */
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), -KVMPFN_EACCES);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/*
 * The virtio-gpu blob case: arm64 keeps FOLL_GET at every stage of v7, so
 * the refcount-0 tail pages of a non-compound block fail with -EFAULT; at
 * final (6.13) they map.
 */
static void test_blob_tail_pages(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);

		assert_int_equal(kvmpfn_host_alloc(sim, "vram", 2, 0), 0);
		assert_int_equal(t_map(sim, KVMPFN_MAP_PFNMAP, "vram", HVA,
				       4 * T_K4, RW, false, false), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 4, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		/* final takes no reference on any remapped pfn */
		assert_int_equal(t_leaf(sim, GFN).refcounted,
				 st != KVMPFN_FINAL);
		assert_int_equal(t_page(sim, t_pfn(sim, "vram", 0)).refcount, 1);
		if (st == KVMPFN_FINAL) {
			assert_int_equal(kvmpfn_fault(sim, 0, GFN + 1, true), 0);
			assert_true(t_mapped(sim, GFN + 1));
		} else {
			assert_int_equal(kvmpfn_fault(sim, 0, GFN + 1, true),
					 -KVMPFN_EFAULT);
			assert_false(t_mapped(sim, GFN + 1));
		}
		assert_int_equal(t_page(sim, t_pfn(sim, "vram", 1)).refcount, 0);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

static void test_hwpoison(void **state)
{
	enum kvmpfn_stage st;

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);

		assert_int_equal(kvmpfn_host_alloc(sim, "f", 2,
						   KVMPFN_A_COMPOUND), 0);
		assert_int_equal(t_map(sim, KVMPFN_MAP_FILE, "f", HVA,
				       4 * T_K4, RW, false, false), 0);
		assert_int_equal(t_slot_create(sim, 1, GFN, 4, HVA, 0), 0);
		assert_int_equal(kvmpfn_host_poison(sim, t_pfn(sim, "f", 1)), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN + 1, true),
				 -KVMPFN_EHWPOISON);
		assert_false(t_mapped(sim, GFN + 1));
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

/* 3 levels with IPA 39, 4 levels with IPA 48. */
static void test_ipa_sizes(void **state)
{
	enum kvmpfn_stage st;
	uint64_t high = 1ULL << 27;	/* IPA 512G */

	(void)state;
	for_each_stage(st) {
		struct kvmpfn_sim *sim = arm64_sim(st);

		assert_int_equal(arm64_s2_test_configure(sim, 39, true), 0);
		assert_int_equal(mmu(sim)->pgt.start_level, 1);
		assert_int_equal(t_anon(sim, HVA, 64 * 1024, false), 0);
		assert_int_equal(t_slot_create(sim, 1, high, 16, HVA, 0), 0);
		assert_int_equal(t_slot_create(sim, 2, GFN, 16, HVA, 0), 0);
		/* beyond the IPA space */
		assert_int_equal(kvmpfn_fault(sim, 0, high, true), -KVMPFN_EFAULT);
		assert_int_equal(kvmpfn_fault(sim, 0, GFN, true), 0);
		assert_int_equal(mmu(sim)->pgt.nr_live, 3);
		/* tables in use: the geometry is fixed now */
		assert_int_equal(arm64_s2_test_configure(sim, 48, true), -KVMPFN_EBUSY);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);

		sim = arm64_sim(st);
		assert_int_equal(arm64_s2_test_configure(sim, 48, true), 0);
		assert_int_equal(mmu(sim)->pgt.start_level, 0);
		assert_int_equal(t_anon(sim, HVA, 64 * 1024, false), 0);
		assert_int_equal(t_slot_create(sim, 1, high, 16, HVA, 0), 0);
		assert_int_equal(kvmpfn_fault(sim, 0, high + 3, true), 0);
		assert_true(t_leaf(sim, high + 3).pfn == t_host_pfn(sim, HVA + 3 * T_K4));
		assert_int_equal(mmu(sim)->pgt.nr_live, 4);
		assert_int_equal(kvmpfn_host_munmap(sim, HVA, 64 * 1024), 0);
		assert_int_equal(mmu(sim)->pgt.nr_live, 1);
		t_no_violations(sim);
		kvmpfn_sim_destroy(sim);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translation_fault_4k),
		cmocka_unit_test(test_access_without_fault),
		cmocka_unit_test(test_two_vcpus_race),
		cmocka_unit_test(test_thp_block),
		cmocka_unit_test(test_thp_tail_first_fault),
		cmocka_unit_test(test_thp_needs_coalignment),
		cmocka_unit_test(test_dirty_log_eager_split),
		cmocka_unit_test(test_dirty_log_lazy_split),
		cmocka_unit_test(test_logging_off_block_returns),
		cmocka_unit_test(test_access_flag_fault),
		cmocka_unit_test(test_access_flag_fault_reserved),
		cmocka_unit_test(test_unmap_frees_tables),
		cmocka_unit_test(test_memslot_delete),
		cmocka_unit_test(test_invalidation_race),
		cmocka_unit_test(test_device_memory),
		cmocka_unit_test(test_huge_pfnmap_block),
		cmocka_unit_test(test_zone_device),
		cmocka_unit_test(test_readonly_memslot),
		cmocka_unit_test(test_blob_tail_pages),
		cmocka_unit_test(test_hwpoison),
		cmocka_unit_test(test_ipa_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
