// SPDX-License-Identifier: GPL-2.0
/*
 * One test per implemented invariant: break the model on purpose, through
 * the kernel shim (as KVM code would) or by corrupting model state (as a
 * broken architecture would), and prove the checker reports exactly that
 * id.  White-box: it includes the model's internal header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <kvmpfn/scenario.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>

#include "kvm/gmap.h"
#include "kvm/kvm_model.h"
#include "retry_scenario.h"

#define HVA	0x10000000UL
#define GFN	0x100UL

static struct kvmpfn_sim *sim;
static unsigned int seen;	/* violations already returned by found() */

static int setup(void **state)
{
	struct kvmpfn_mmap_args a = {
		.hva = HVA, .len = 4 * PAGE_SIZE,
		.prot = KVMPFN_PROT_READ | KVMPFN_PROT_WRITE,
		.kind = KVMPFN_MAP_ANON,
	};
	struct kvmpfn_memslot_args m = {
		.id = 1, .gfn = GFN, .npages = 4, .hva = HVA,
	};

	(void)state;
	seen = 0;
	sim = kvmpfn_sim_create(KVMPFN_LEGACY);
	if (!sim || kvmpfn_host_alloc(sim, "blk", 2, 0) ||
	    kvmpfn_host_alloc(sim, "fw", 0, KVMPFN_A_RESERVED) ||
	    kvmpfn_host_mmap(sim, &a) ||
	    kvmpfn_host_touch(sim, HVA, true) ||
	    kvmpfn_memslot(sim, KVMPFN_SLOT_CREATE, &m))
		return -1;
	kvm_ctx_enter(sim);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kvm_ctx_leave(sim);
	kvmpfn_sim_destroy(sim);
	return 0;
}

static struct page *page_of(const char *name, unsigned long i)
{
	uint64_t pfn;

	assert_int_equal(kvmpfn_host_pfn(sim, name, i, &pfn), 0);
	return pfn_to_page(pfn);
}

static unsigned long anon_pfn(void)
{
	uint64_t pfn;

	assert_int_equal(kvmpfn_host_translate(sim, HVA, &pfn, NULL), 0);
	return pfn;
}

/* Ids reported since the last call, as a bit mask. */
static unsigned long found(void)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(sim, &v), i;
	unsigned long mask = 0;

	for (i = seen; i < n; i++)
		mask |= 1UL << v[i].id;
	seen = n;
	return mask;
}

static void install(gfn_t gfn, kvm_pfn_t pfn, bool writable)
{
	struct gmap_leaf leaf = {
		.gfn = gfn, .pfn = pfn, .slot_id = 1, .writable = writable,
		.present = true,
	};

	/* behind the reference MMU's back: what a broken arch would do */
	assert_int_equal(gmap_install(kvmpfn_arch_mmu(sim), &leaf), 0);
}

static void test_i1_get_on_zero_count(void **state)
{
	struct page *tail = page_of("blk", 1);

	(void)state;
	found();
	get_page(tail);		/* the B1 shape: a get on a count-0 tail */
	assert_int_equal(found(), 1UL << 1);
	put_page(tail);		/* and freeing it under its owner */
	assert_true(found() & (1UL << 1));
}

static void test_i2_put_without_get(void **state)
{
	struct page *head = page_of("blk", 0);

	(void)state;
	found();
	get_page(head);
	put_page(head);
	assert_int_equal(found(), 0);
	get_page(head);
	put_page(head);
	put_page(head);		/* a reference KVM never took */
	assert_int_equal(found(), 1UL << 2);
}

static void test_i2_leak(void **state)
{
	(void)state;
	found();
	get_page(page_of("blk", 0));
	check_step(sim);
	assert_int_equal(found(), 1UL << 2);
	/* reported once, not at every later step */
	check_step(sim);
	assert_int_equal(found(), 0);
}

static void test_i3_ad_on_reserved(void **state)
{
	(void)state;
	found();
	SetPageDirty(page_of("fw", 0));
	assert_int_equal(found(), 1UL << 3);
	mark_page_accessed(page_of("blk", 2));	/* a count-0 tail */
	assert_int_equal(found(), 1UL << 3);
}

static void test_i3_put_on_reserved(void **state)
{
	struct page *fw = page_of("fw", 0);

	(void)state;
	fw->_refcount++;	/* someone else holds it: not an I1 */
	found();
	put_page(fw);
	assert_true(found() & (1UL << 3));
}

static void test_i4_ad_without_ref_or_lock(void **state)
{
	struct page *page = pfn_to_page(anon_pfn());

	(void)state;
	found();
	mark_page_accessed(page);
	assert_int_equal(found(), 1UL << 4);
	/* the same under mmu_lock is how zap-time A/D works: fine */
	write_lock(&sim->kvm.mmu_lock);
	mark_page_accessed(page);
	write_unlock(&sim->kvm.mmu_lock);
	assert_int_equal(found(), 0);
}

static void test_i5_pinned_mapping(void **state)
{
	unsigned long pfn = anon_pfn();

	(void)state;
	install(GFN, pfn, true);
	found();
	get_page(pfn_to_page(pfn));
	check_step(sim);
	assert_int_equal(found(), (1UL << 2) | (1UL << 5));
	gmap_destroy(kvmpfn_arch_mmu(sim));
}

static void test_i6_stale_leaf(void **state)
{
	(void)state;
	install(GFN + 1, anon_pfn(), false);	/* host maps nothing there */
	found();
	check_step(sim);
	assert_int_equal(found(), 1UL << 6);
	gmap_destroy(kvmpfn_arch_mmu(sim));
}

static void test_i8_counter(void **state)
{
	(void)state;
	found();
	sim->kvm.mmu_invalidate_in_progress = 1;
	check_step(sim);
	sim->kvm.mmu_invalidate_in_progress = 0;
	assert_int_equal(found(), 1UL << 8);
}

static void test_i10_writable_over_readonly(void **state)
{
	(void)state;
	assert_int_equal(kvmpfn_host_mprotect(sim, HVA, PAGE_SIZE,
					      KVMPFN_PROT_READ), 0);
	kvm_ctx_enter(sim);
	install(GFN, anon_pfn(), true);
	found();
	check_step(sim);
	assert_int_equal(found(), 1UL << 10);
	gmap_destroy(kvmpfn_arch_mmu(sim));
}

static void test_i15_no_memslot(void **state)
{
	(void)state;
	install(0x9999, anon_pfn(), false);
	found();
	check_step(sim);
	assert_int_equal(found(), 1UL << 15);
	gmap_destroy(kvmpfn_arch_mmu(sim));
}

static void test_i17_stale_pfncache(void **state)
{
	struct gfn_to_pfn_cache *gpc = &sim->gpc[0];

	(void)state;
	assert_int_equal(kvmpfn_gpc_activate(sim, 0, GFN << PAGE_SHIFT), 0);
	kvm_ctx_enter(sim);
	found();
	check_step(sim);
	assert_int_equal(found(), 0);
	gpc->pfn++;		/* published pfn no longer the translation */
	check_step(sim);
	/* its kernel mapping now looks unprotected too (I19) */
	assert_true(found() & (1UL << 17));
	gpc->pfn--;
}

/* I17 judges a cache keyed by an hva alone the same way. */
static void test_i17_stale_hva_only_pfncache(void **state)
{
	struct gfn_to_pfn_cache *gpc = &sim->gpc[1];
	void *khva;

	(void)state;
	assert_int_equal(kvmpfn_gpc_activate_hva(sim, 1, HVA + 0x20), 0);
	kvm_ctx_enter(sim);
	assert_true(kvm_is_error_gpa(gpc->gpa));
	found();
	check_step(sim);
	assert_int_equal(found(), 0);
	gpc->pfn++;
	check_step(sim);
	assert_true(found() & (1UL << 17));
	gpc->pfn--;
	/* a kernel mapping of some other page */
	khva = gpc->khva;
	gpc->khva = NULL;
	check_step(sim);
	assert_int_equal(found(), 1UL << 17);
	gpc->khva = khva;
	check_step(sim);
	assert_int_equal(found(), 0);
}

/* A gpa cache with current memslots must cache its gpa's hva. */
static void test_i17_pfncache_hva_not_its_gpa(void **state)
{
	struct gfn_to_pfn_cache *gpc = &sim->gpc[0];

	(void)state;
	assert_int_equal(kvmpfn_gpc_activate(sim, 0, (GFN + 1) << PAGE_SHIFT),
			 0);
	kvm_ctx_enter(sim);
	found();
	check_step(sim);
	assert_int_equal(found(), 0);
	/* the gpa of a page whose pfn is the same: only the hva is wrong */
	gpc->gpa = (GFN + 2) << PAGE_SHIFT;
	check_step(sim);
	assert_int_equal(found(), 1UL << 17);
	/* after a memslot change, kvm_gpc_check() refuses it anyway */
	kvm_memslots(&sim->kvm)->generation++;
	check_step(sim);
	assert_int_equal(found(), 0);
	kvm_memslots(&sim->kvm)->generation--;
	gpc->gpa = (GFN + 1) << PAGE_SHIFT;
}

static void test_i18_error_pfn(void **state)
{
	(void)state;
	install(GFN, KVM_PFN_ERR_FAULT, false);
	found();
	check_step(sim);
	assert_int_equal(found(), 1UL << 18);
	gmap_destroy(kvmpfn_arch_mmu(sim));
}

/* Install-time invariants, through the choke-point hook. */
static struct kvmpfn_leaf_view leaf_at(gfn_t gfn, kvm_pfn_t pfn, int level)
{
	struct kvmpfn_leaf_view v = {
		.present = true, .level = level, .gfn = gfn, .pfn = pfn,
	};

	return v;
}

static void test_i7_install_after_invalidation(void **state)
{
	struct kvmpfn_leaf_view none = { 0 }, v = leaf_at(GFN, anon_pfn(), 1);
	struct kvmpfn_fault f = { .gfn = GFN };

	(void)state;
	kvmpfn_fault_snapshot(sim, &f);
	found();
	kvmpfn_entry_change(sim, &none, &v, &f);
	assert_int_equal(found(), 0);
	sim->kvm.mmu_invalidate_seq++;	/* an invalidation ended meanwhile */
	kvmpfn_entry_change(sim, &none, &v, &f);
	assert_int_equal(found(), 1UL << 7);
}

static void test_i9_replace_without_zap(void **state)
{
	struct kvmpfn_leaf_view a = leaf_at(GFN, 0x1000, 1);
	struct kvmpfn_leaf_view b = leaf_at(GFN, 0x2000, 1);

	(void)state;
	found();
	kvmpfn_entry_change(sim, &a, &a, NULL);	/* same pfn: fine */
	assert_int_equal(found(), 0);
	kvmpfn_entry_change(sim, &a, &b, NULL);
	assert_true(found() & (1UL << 9));
}

static void test_i13_misaligned_huge_leaf(void **state)
{
	struct kvmpfn_leaf_view none = { 0 };
	struct kvmpfn_leaf_view v = leaf_at(GFN, 0x201, 2);

	(void)state;
	found();
	kvmpfn_entry_change(sim, &none, &v, NULL);
	assert_int_equal(found(), 1UL << 13);
	v.pfn = 0x200;		/* aligned, but 512 pages > the 4-page slot */
	kvmpfn_entry_change(sim, &none, &v, NULL);
	assert_int_equal(found(), 1UL << 13);
}

static void test_i12_dirty_log(void **state)
{
	struct kvmpfn_memslot_args m = {
		.id = 1, .flags = KVMPFN_MEM_LOG_DIRTY_PAGES,
	};

	(void)state;
	kvm_ctx_leave(sim);
	assert_int_equal(kvmpfn_memslot(sim, KVMPFN_SLOT_FLAGS, &m), 0);
	kvm_ctx_enter(sim);
	install(GFN, anon_pfn(), true);		/* writable, never logged */
	found();
	check_step(sim);
	assert_int_equal(found(), 1UL << 12);
	gmap_destroy(kvmpfn_arch_mmu(sim));
}

/* A dirty record made by a fault attempt, judged when the attempt ends. */
static unsigned long fault_dirties(struct kvmpfn_fault *f, struct page *page,
				   gfn_t logged)
{
	found();
	sim->faulting = f;
	if (page)
		SetPageDirty(page);
	else
		mark_page_dirty_in_slot(&sim->kvm, f->slot, logged);
	sim->faulting = NULL;
	check_fault_dirty(sim, f);
	return found();
}

static void test_i12_dirty_without_writable_leaf(void **state)
{
	struct kvmpfn_memslot_args m = {
		.id = 1, .flags = KVMPFN_MEM_LOG_DIRTY_PAGES,
	};
	struct kvmpfn_fault f = { .gfn = GFN };
	struct page *page = pfn_to_page(anon_pfn());

	(void)state;
	kvm_ctx_leave(sim);
	assert_int_equal(kvmpfn_memslot(sim, KVMPFN_SLOT_FLAGS, &m), 0);
	kvm_ctx_enter(sim);
	f.slot = gfn_to_memslot(&sim->kvm, GFN);
	get_page(page);
	/* the B16 shape: no leaf was installed, the page is dirtied anyway */
	assert_int_equal(fault_dirties(&f, page, 0), 1UL << 12);
	assert_int_equal(fault_dirties(&f, NULL, GFN), 1UL << 12);
	/* a read-only leaf backs neither */
	install(GFN, anon_pfn(), false);
	assert_int_equal(fault_dirties(&f, page, 0), 1UL << 12);
	assert_int_equal(fault_dirties(&f, NULL, GFN), 1UL << 12);
	gmap_destroy(kvmpfn_arch_mmu(sim));
	/* a writable one backs both */
	install(GFN, anon_pfn(), true);
	assert_int_equal(fault_dirties(&f, page, 0), 0);
	assert_int_equal(fault_dirties(&f, NULL, GFN), 0);
	/* and outside a fault attempt nothing is recorded */
	gmap_destroy(kvmpfn_arch_mmu(sim));
	SetPageDirty(page);
	check_fault_dirty(sim, &f);
	assert_int_equal(found(), 0);
	put_page(page);
}

static void test_i14_host_read_before_snapshot(void **state)
{
	struct kvmpfn_leaf_view none = { 0 }, v = leaf_at(GFN, anon_pfn(), 1);
	struct kvm_memory_slot *slot = gfn_to_memslot(&sim->kvm, GFN);
	struct kvmpfn_fault f = { .gfn = GFN };

	(void)state;
	assert_int_equal(kvmpfn_host_level(sim, &f, slot, GFN), 1);
	kvmpfn_fault_snapshot(sim, &f);
	found();
	kvmpfn_entry_change(sim, &none, &v, &f);
	assert_int_equal(found(), 1UL << 14);
}

static void test_i6_unflushed_tlb(void **state)
{
	(void)state;
	found();
	kvmpfn_tlb_stale(sim);
	check_step(sim);
	assert_int_equal(found(), 1UL << 6);
	kvm_flush_remote_tlbs(&sim->kvm);
	check_step(sim);
	assert_int_equal(found(), 0);
}

void kvmpfn_test_ref_seam_no_retry(bool on);

/*
 * tests/scenarios/install-retry-seq-only.scn reaches ref_fault_finish()'s
 * sequence check with nothing else standing in: without it the fault
 * installs across the invalidation (I7 and the unmet EAGAIN), at every
 * stage; with it the file passes.
 */
static void test_i7_seam_shared_scenario(void **state)
{
	char buf[16384];
	int st;

	(void)state;
	for (st = 0; st < KVMPFN_NR_STAGES; st++) {
		kvmpfn_test_ref_seam_no_retry(true);
		assert_int_equal(retry_scenario_run(KVMPFN_ARCH_REF, st, buf,
						    sizeof(buf)), 1);
		kvmpfn_test_ref_seam_no_retry(false);
		assert_retry_missed(buf);
		assert_int_equal(retry_scenario_run(KVMPFN_ARCH_REF, st, buf,
						    sizeof(buf)), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_i1_get_on_zero_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i2_put_without_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i2_leak, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i3_ad_on_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i3_put_on_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i4_ad_without_ref_or_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i5_pinned_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i6_stale_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i8_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i10_writable_over_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i15_no_memslot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i17_stale_pfncache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i17_stale_hva_only_pfncache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i17_pfncache_hva_not_its_gpa, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i18_error_pfn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i7_install_after_invalidation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i9_replace_without_zap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i13_misaligned_huge_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i12_dirty_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i12_dirty_without_writable_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i14_host_read_before_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_i6_unflushed_tlb, setup, teardown),
		cmocka_unit_test(test_i7_seam_shared_scenario),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
