// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 model broken on purpose, one invariant at a time: table pages
 * corrupted behind the walker's back (I20), a writable leaf over a clean
 * page (I16), and the seams that put known bugs back into the fault path
 * (B9 -> I14, the retry check -> I7, B11 -> I13, break-before-make -> I9,
 * dirty marking -> I16/I12).  Each must be reported with its id; with the
 * seams off the same steps are clean.
 */
#include "arm64_test_helpers.h"

#include <stdio.h>
#include <string.h>

#include <kvmpfn/scenario.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>

#include "kvm_model.h"
#include "retry_scenario.h"

#define HVA	0x10000000ULL
#define GFN	0x100ULL
#define THVA	0x40000000ULL
#define TGFN	0x1000ULL

static struct kvmpfn_sim *sim;
static unsigned int seen;

static int setup(void **state)
{
	(void)state;
	arm64_s2_test_reset_seams();
	seen = 0;
	sim = arm64_sim(KVMPFN_LEGACY);
	if (t_anon(sim, HVA, 64 * 1024, false) ||
	    t_slot_create(sim, 1, GFN, 16, HVA, 0) ||
	    kvmpfn_fault(sim, 0, GFN, true) ||
	    kvmpfn_fault(sim, 0, GFN + 1, true))
		return -1;
	{
		const struct kvmpfn_violation *v;

		return kvmpfn_violations(sim, &v) ? -1 : 0;
	}
}

static int teardown(void **state)
{
	(void)state;
	arm64_s2_test_reset_seams();
	kvmpfn_sim_destroy(sim);
	sim = NULL;
	return 0;
}

static struct s2_pgt *pgt(void)
{
	return &((struct arm64_mmu *)kvmpfn_arch_mmu(sim))->pgt;
}

/* The table at @level on the way to @gfn. */
static struct s2_table *table_at(uint64_t gfn, int level)
{
	u64 ipa = gfn << PAGE_SHIFT;
	struct s2_table *t = s2_root_of(pgt(), ipa);

	while (t && t->level < level)
		t = s2_table_of(pgt(), t->pte[s2_index(ipa, t->level)]);
	return t;
}

/* Run the checker over the current state, as after a step. */
static unsigned long check_now(void)
{
	kvm_ctx_enter(sim);
	check_step(sim);
	kvm_ctx_leave(sim);
	return t_found(sim, &seen);
}

static void test_clean_baseline(void **state)
{
	(void)state;
	assert_int_equal(check_now(), 0);
	assert_int_equal(table_at(GFN, 3)->count, 3);
}

/* I20: a reference on a table page that no entry accounts for. */
static void test_i20_count(void **state)
{
	struct s2_table *l3 = table_at(GFN, 3);

	(void)state;
	l3->count++;
	assert_int_equal(check_now(), 1UL << 20);
	l3->count--;
	assert_int_equal(check_now(), 0);
	/* an entry cleared without dropping its reference */
	l3->pte[s2_index(GFN << PAGE_SHIFT, 3)] = 0;
	assert_true(check_now() & (1UL << 20));
}

/* I20: break-before-make left half done. */
static void test_i20_locked(void **state)
{
	(void)state;
	table_at(GFN, 3)->pte[100] = S2_INVALID_LOCKED;
	assert_int_equal(check_now(), 1UL << 20);
}

/* I20: an entry still links a table page that was freed. */
static void test_i20_freed_but_linked(void **state)
{
	struct s2_table *l3 = table_at(GFN, 3);

	(void)state;
	l3->state = S2_TABLE_FREE;
	assert_true(check_now() & (1UL << 20));
	l3->state = S2_TABLE_LIVE;
}

/* I20: the count came back to 1 but the table was not freed. */
static void test_i20_empty_not_freed(void **state)
{
	struct s2_table *l3 = table_at(GFN, 3);
	u32 idx = s2_index(GFN << PAGE_SHIFT, 3);

	(void)state;
	kvm_ctx_enter(sim);
	write_lock(&sim->kvm.mmu_lock);
	/* through the choke point, but without the unmap walker's free */
	s2_set_pte(pgt(), l3, idx, 0, NULL);
	s2_set_pte(pgt(), l3, idx + 1, 0, NULL);
	kvmpfn_tlb_stale(sim);
	kvm_flush_remote_tlbs(&sim->kvm);
	write_unlock(&sim->kvm.mmu_lock);
	kvm_ctx_leave(sim);
	assert_int_equal(l3->count, 1);
	assert_int_equal(check_now(), 1UL << 20);
}

/* I20: a table page unlinked but never freed (a leak). */
static void test_i20_unlinked_leak(void **state)
{
	struct s2_table *l2 = table_at(GFN, 2);

	(void)state;
	kvm_ctx_enter(sim);
	write_lock(&sim->kvm.mmu_lock);
	s2_set_pte(pgt(), l2, s2_index(GFN << PAGE_SHIFT, 2), 0, NULL);
	kvmpfn_tlb_stale(sim);
	kvm_flush_remote_tlbs(&sim->kvm);
	write_unlock(&sim->kvm.mmu_lock);
	kvm_ctx_leave(sim);
	assert_true(check_now() & (1UL << 20));
}

/* Incremental checking looks at the tables the step changed. */
static void test_i20_incremental(void **state)
{
	struct s2_table *l3 = table_at(GFN, 3);

	(void)state;
	kvmpfn_sim_set_checks(sim, KVMPFN_CHECKS_INCREMENTAL);
	check_now();
	l3->count += 2;
	/* a step elsewhere does not look at it */
	assert_int_equal(kvmpfn_host_touch(sim, HVA + 8 * T_K4, true), 0);
	assert_int_equal(t_found(sim, &seen), 0);
	/* a step that changes that table does */
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 2, true), 0);
	assert_true(t_found(sim, &seen) & (1UL << 20));
}

/* I16: a writable leaf over a page that lost its dirty state. */
static void test_i16_clean_page(void **state)
{
	struct kvmpfn_leaf l = t_leaf(sim, GFN);
	struct page *p;

	(void)state;
	kvm_ctx_enter(sim);
	p = pfn_to_page(l.pfn);
	kvm_ctx_leave(sim);
	assert_true(p->flags & (1U << PG_dirty));
	p->flags &= ~(1U << PG_dirty);
	assert_int_equal(check_now(), 1UL << 16);
	/* read-only, it would not matter */
	assert_int_equal(t_flags(sim, 1, KVMPFN_MEM_LOG_DIRTY_PAGES), 0);
	assert_int_equal(t_found(sim, &seen), 0);
}

/* I16 (and I12 when logging): mapped writable, never marked dirty. */
static void test_i16_seam_no_dirty_mark(void **state)
{
	struct arm64_s2_seams s = { .no_dirty_mark = true };

	(void)state;
	arm64_s2_test_set_seams(&s);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 2, true), 0);
	assert_int_equal(t_found(sim, &seen), 1UL << 16);
	assert_int_equal(t_flags(sim, 1, KVMPFN_MEM_LOG_DIRTY_PAGES), 0);
	t_found(sim, &seen);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 3, true), 0);
	assert_int_equal(t_found(sim, &seen), (1UL << 16) | (1UL << 12));
	arm64_s2_test_reset_seams();
	/* the unmarked leaves go; correctly made ones are clean */
	assert_int_equal(kvmpfn_host_munmap(sim, HVA + 2 * T_K4, 2 * T_K4), 0);
	t_found(sim, &seen);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 4, true), 0);
	assert_int_equal(t_found(sim, &seen), 0);
}

/* B9: the snapshot after mmap_read_unlock(): I14 at the install. */
static void test_i14_seam_snapshot_late(void **state)
{
	struct arm64_s2_seams s = { .snapshot_late = true };

	(void)state;
	arm64_s2_test_set_seams(&s);
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 2, true), 0);
	assert_int_equal(t_found(sim, &seen), 1UL << 14);
	arm64_s2_test_reset_seams();
	assert_int_equal(kvmpfn_fault(sim, 0, GFN + 3, true), 0);
	assert_int_equal(t_found(sim, &seen), 0);
}

/* Without the retry check a fault installs across an invalidation: I7. */
static void test_i7_seam_no_retry(void **state)
{
	struct arm64_s2_seams s = { .no_retry_check = true };

	(void)state;
	arm64_s2_test_set_seams(&s);
	assert_int_equal(kvmpfn_fault_begin(sim, 0, GFN + 2, true), 0);
	assert_int_equal(kvmpfn_invalidate_begin(sim, HVA + 2 * T_K4, T_K4), 0);
	assert_int_equal(kvmpfn_invalidate_end(sim), 0);
	assert_int_equal(kvmpfn_fault_finish(sim, 0), 0);
	assert_true(t_found(sim, &seen) & (1UL << 7));
	arm64_s2_test_reset_seams();
	assert_int_equal(kvmpfn_fault_begin(sim, 0, GFN + 3, true), 0);
	assert_int_equal(kvmpfn_invalidate_begin(sim, HVA + 3 * T_K4, T_K4), 0);
	assert_int_equal(kvmpfn_invalidate_end(sim), 0);
	assert_int_equal(kvmpfn_fault_finish(sim, 0), -KVMPFN_EAGAIN);
	assert_int_equal(t_found(sim, &seen), 0);
}

/*
 * The shared scenario tests/scenarios/install-retry-seq-only.scn reaches
 * user_mem_abort()'s retry check with nothing else standing in: without
 * it the fault installs across the invalidation (I7 and the unmet
 * EAGAIN); with it the file passes.
 */
static void test_i7_seam_shared_scenario(void **state)
{
	struct arm64_s2_seams s = { .no_retry_check = true };
	char buf[16384];

	(void)state;
	arm64_s2_test_set_seams(&s);
	assert_int_equal(retry_scenario_run(KVMPFN_ARCH_ARM64, KVMPFN_LEGACY,
					    buf, sizeof(buf)), 1);
	arm64_s2_test_reset_seams();
	assert_retry_missed(buf);
	assert_int_equal(retry_scenario_run(KVMPFN_ARCH_ARM64, KVMPFN_LEGACY,
					    buf, sizeof(buf)), 0);
}

/* B11: a block although hva and gpa are not co-aligned: I13. */
static void test_i13_seam_no_huge_check(void **state)
{
	struct arm64_s2_seams s = { .no_huge_check = true };

	(void)state;
	assert_int_equal(t_anon(sim, THVA, 8 * T_M2, true), 0);
	assert_int_equal(t_slot_create(sim, 2, TGFN, 1024, THVA + T_K4, 0), 0);
	t_found(sim, &seen);
	assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 0x1ff, true), 0);
	assert_int_equal(t_leaf(sim, TGFN + 0x1ff).level, 1);
	assert_int_equal(t_found(sim, &seen), 0);
	arm64_s2_test_set_seams(&s);
	assert_int_equal(kvmpfn_fault(sim, 0, TGFN + 0x200, true), 0);
	assert_int_equal(t_leaf(sim, TGFN + 0x200).level, 2);
	assert_true(t_found(sim, &seen) & (1UL << 13));
}

/* A valid leaf replaced by another page without break-before-make: I9. */
static void test_i9_seam_no_bbm(void **state)
{
	struct arm64_s2_seams s = { .no_bbm = true };
	u64 ipa = (GFN + 1) << PAGE_SHIFT;
	kvm_pte_t pte;

	(void)state;
	assert_int_equal(s2_get_leaf(pgt(), ipa, &pte, NULL), 0);
	kvm_ctx_enter(sim);
	write_lock(&sim->kvm.mmu_lock);
	/* with the break: the old leaf goes first, nothing to report */
	assert_int_equal(s2_map(pgt(), ipa, T_K4, s2_pte_to_phys(pte) + T_K4,
				S2_PROT_R, 0, NULL), 0);
	assert_int_equal(t_found(sim, &seen), 0);
	arm64_s2_test_set_seams(&s);
	assert_int_equal(s2_map(pgt(), ipa, T_K4, s2_pte_to_phys(pte),
				S2_PROT_R, 0, NULL), 0);
	write_unlock(&sim->kvm.mmu_lock);
	kvm_ctx_leave(sim);
	assert_true(t_found(sim, &seen) & (1UL << 9));
}

/*
 * A finding on a path the model's API does not reach (it has no
 * instruction faults): user_mem_abort() returns -ENOEXEC for an execute
 * fault on device memory before releasing what the pfn lookup took.  On
 * arm64 ZONE_DEVICE pages are device memory (not in memblock), and they
 * are refcounted, so their GUP reference leaks: I2.
 */
static void test_finding_exec_fault_on_zone_device_leaks(void **state)
{
	struct kvmpfn_fault f;
	int r;

	(void)state;
	assert_int_equal(kvmpfn_host_alloc(sim, "pmem", 4,
					   KVMPFN_A_ZONE_DEVICE), 0);
	assert_int_equal(t_map(sim, KVMPFN_MAP_FILE, "pmem", 0x50000000,
			       16 * T_K4, KVMPFN_PROT_READ | KVMPFN_PROT_WRITE,
			       false, false), 0);
	assert_int_equal(t_slot_create(sim, 4, 0x500, 16, 0x50000000, 0), 0);
	t_found(sim, &seen);

	/* what kvm_fault_begin() sets up, with the instruction-fetch bit */
	memset(&f, 0, sizeof(f));
	f.gfn = 0x500;
	f.exec = true;
	f.info.pfn = KVM_PFN_ERR_FAULT;
	kvm_ctx_enter(sim);
	f.slot = gfn_to_memslot(&sim->kvm, f.gfn);
	r = sim->arch->fault_begin(sim, &f);
	check_step(sim);
	kvm_ctx_leave(sim);
	assert_int_equal(r, -8);	/* -ENOEXEC */
	assert_true(t_found(sim, &seen) & (1UL << 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean_baseline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i20_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i20_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i20_freed_but_linked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i20_empty_not_freed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i20_unlinked_leak, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i20_incremental, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i16_clean_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i16_seam_no_dirty_mark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i14_seam_snapshot_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i7_seam_no_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i7_seam_shared_scenario, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i13_seam_no_huge_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i9_seam_no_bbm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finding_exec_fault_on_zone_device_leaks,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
