// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 stage-2 MMU, the stage-independent half: the life cycle of the
 * stage-2 tables around the fault handler (arch/arm64/kvm/mmu.c in 6.12)
 * and the arm64 invariants.
 *
 *   unmap (mmu_notifier invalidation): kvm_unmap_gfn_range ->
 *	stage2 unmap walker; tables whose count returns to 1 are freed.
 *	arm64 hands no accessed/dirty state to struct page here.
 *   aging: kvm_age_gfn -> test_clear_young (clears AF; the next access
 *	takes an access-flag fault).
 *   memslot delete/move: kvm_arch_flush_shadow_memslot, unmap under
 *	mmu_lock for write.
 *   dirty logging on: kvm_mmu_wp_memory_region (write-protect, TLB flush
 *	after the unlock) then kvm_mmu_split_memory_region (eager split).
 *	Off: nothing (blocks come back on later faults).
 *   KVM_CLEAR_DIRTY_LOG: kvm_arch_mmu_enable_log_dirty_pt_masked, i.e.
 *	write-protect what was logged again.
 *
 * Only address space 0 exists on arm64 (KVM_ADDRESS_SPACE_NUM is 1 there).
 */
#include <string.h>

#include <linux/kvm_host.h>

#include "arm64_mmu.h"

static struct arm64_s2_seams seams;

const struct arm64_s2_seams *arm64_s2_seams(void)
{
	return &seams;
}

/* by name, for kvmpfn_sim_set_seam(): the switches in struct order */
static const char *const seam_names[] = {
	"arm64-snapshot-late", "arm64-no-retry-check", "arm64-no-huge-check",
	"arm64-no-dirty-mark", "arm64-no-bbm", "arm64-no-entry-ref",
};

static void seam_set(unsigned int i, bool on)
{
	bool *sw[] = {
		&seams.snapshot_late, &seams.no_retry_check, &seams.no_huge_check,
		&seams.no_dirty_mark, &seams.no_bbm, &seams.no_entry_ref,
	};

	if (i < sizeof(sw) / sizeof(sw[0]))
		*sw[i] = on;
}

const struct kvmpfn_arch_seams arm64_s2_seam_table = {
	.names = seam_names,
	.n = sizeof(seam_names) / sizeof(seam_names[0]),
	.set = seam_set,
};

/* test-only (declared in tests/arm64_s2_test.h) */
void arm64_s2_test_set_seams(const struct arm64_s2_seams *s);
int arm64_s2_test_configure(struct kvmpfn_sim *sim, u32 ia_bits,
			    bool eager_split);

void arm64_s2_test_set_seams(const struct arm64_s2_seams *s)
{
	seams = *s;
}

/* Rebuild the (empty) table for another IPA size; -EBUSY once in use. */
int arm64_s2_test_configure(struct kvmpfn_sim *sim, u32 ia_bits,
			    bool eager_split)
{
	struct arm64_mmu *mmu = kvmpfn_arch_mmu(sim);
	kvmpfn_s2_refcounted_fn refcounted = mmu->pgt.refcounted;
	struct s2_pgt next;
	int r;

	if (mmu->pgt.nr_live != mmu->pgt.nr_roots)
		return -EBUSY;
	r = s2_pgt_init(&next, sim, ia_bits);
	if (r)
		return r;
	s2_pgt_destroy(&mmu->pgt);
	mmu->pgt = next;
	mmu->pgt.refcounted = refcounted;
	mmu->eager_split = eager_split;
	return 0;
}

static struct arm64_mmu *arm64_mmu(struct kvmpfn_sim *sim)
{
	return kvmpfn_arch_mmu(sim);
}

int arm64_s2_init(struct kvmpfn_sim *sim, void *p,
		  kvmpfn_s2_refcounted_fn refcounted)
{
	struct arm64_mmu *mmu = p;
	int r = s2_pgt_init(&mmu->pgt, sim, S2_IPA_BITS_DEFAULT);

	if (r)
		return r;
	mmu->pgt.refcounted = refcounted;
	mmu->eager_split = true;
	return 0;
}

void arm64_s2_destroy(struct kvmpfn_sim *sim, void *p)
{
	struct arm64_mmu *mmu = p;

	(void)sim;
	s2_pgt_destroy(&mmu->pgt);
}

__no_fuzz_cov int arm64_s2_reset(struct kvmpfn_sim *sim, void *p)
{
	struct arm64_mmu *mmu = p;
	kvmpfn_s2_refcounted_fn refcounted = mmu->pgt.refcounted;

	s2_pgt_destroy(&mmu->pgt);
	memset(mmu, 0, sizeof(*mmu));
	return arm64_s2_init(sim, p, refcounted);
}

/* [start, end) of gfns as an IPA range inside the stage-2 input size. */
static bool ipa_range(struct arm64_mmu *mmu, gfn_t start, gfn_t end,
		      u64 *addr, u64 *size)
{
	u64 limit = 1ULL << (mmu->pgt.ia_bits - PAGE_SHIFT);

	if (end > limit)
		end = limit;
	if (start >= end)
		return false;
	*addr = start << PAGE_SHIFT;
	*size = (end - start) << PAGE_SHIFT;
	return true;
}

bool arm64_s2_unmap_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
			      gfn_t end)
{
	struct arm64_mmu *mmu = arm64_mmu(sim);
	u64 addr, size;

	lockdep_assert_held(&sim->kvm.mmu_lock);
	if (as_id || !ipa_range(mmu, start, end, &addr, &size))
		return false;
	/*
	 * The kernel's walker invalidates the TLB for what it zaps before
	 * the walk ends; the model leaves that to the caller's flush, which
	 * still comes before mmu_lock is dropped.
	 */
	if (!s2_unmap(&mmu->pgt, addr, size))
		return false;
	kvmpfn_tlb_stale(sim);
	return true;
}

bool arm64_s2_age_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
			    gfn_t end)
{
	struct arm64_mmu *mmu = arm64_mmu(sim);
	u64 addr, size;

	lockdep_assert_held(&sim->kvm.mmu_lock);
	if (as_id || !ipa_range(mmu, start, end, &addr, &size))
		return false;
	return s2_test_clear_young(&mmu->pgt, addr, size, true);
}

void arm64_s2_flush_memslot(struct kvmpfn_sim *sim,
			    const struct kvm_memory_slot *slot)
{
	struct kvm *kvm = &sim->kvm;

	write_lock(&kvm->mmu_lock);
	if (arm64_s2_unmap_gfn_range(sim, slot->as_id, slot->base_gfn,
				     slot->base_gfn + slot->npages))
		kvm_flush_remote_tlbs(kvm);
	write_unlock(&kvm->mmu_lock);
}

/*
 * kvm_mmu_wp_memory_region / enable_log_dirty_pt_masked: take write
 * permission away so the next guest write faults and is logged.  The TLB
 * flush comes after mmu_lock is dropped (kvm_flush_remote_tlbs_memslot),
 * still before the ioctl returns.
 */
static void wrprotect_slot(struct kvmpfn_sim *sim,
			   const struct kvm_memory_slot *slot)
{
	struct arm64_mmu *mmu = arm64_mmu(sim);
	struct kvm *kvm = &sim->kvm;
	u64 addr, size;
	bool changed = false;

	if (slot->as_id || !ipa_range(mmu, slot->base_gfn,
				      slot->base_gfn + slot->npages,
				      &addr, &size))
		return;
	write_lock(&kvm->mmu_lock);
	if (s2_wrprotect(&mmu->pgt, addr, size)) {
		/* writable translations may linger in TLBs until the flush */
		kvmpfn_tlb_stale(sim);
		changed = true;
	}
	write_unlock(&kvm->mmu_lock);
	if (changed)
		kvm_flush_remote_tlbs(kvm);
}

static void split_slot(struct kvmpfn_sim *sim,
		       const struct kvm_memory_slot *slot)
{
	struct arm64_mmu *mmu = arm64_mmu(sim);
	struct kvm *kvm = &sim->kvm;
	u64 addr, size;

	if (slot->as_id || !ipa_range(mmu, slot->base_gfn,
				      slot->base_gfn + slot->npages,
				      &addr, &size))
		return;
	write_lock(&kvm->mmu_lock);
	/* best effort, as in the kernel: a failure leaves blocks in place */
	s2_split(&mmu->pgt, addr, size);
	write_unlock(&kvm->mmu_lock);
}

void arm64_s2_slot_flags_changed(struct kvmpfn_sim *sim,
				 const struct kvm_memory_slot *slot,
				 u32 old_flags)
{
	/* logging turned off: nothing to do, blocks return on later faults */
	if (!((slot->flags & ~old_flags) & KVM_MEM_LOG_DIRTY_PAGES))
		return;
	wrprotect_slot(sim, slot);
	if (arm64_mmu(sim)->eager_split)
		split_slot(sim, slot);
}

void arm64_s2_clear_dirty(struct kvmpfn_sim *sim,
			  const struct kvm_memory_slot *slot)
{
	/*
	 * The kernel write-protects the pages whose bits were cleared; a
	 * writable leaf in a logged slot always has its bit set (it was
	 * logged when it was made writable), so the whole slot is the same.
	 */
	wrprotect_slot(sim, slot);
}

struct leaf_adapter {
	struct kvmpfn_sim *sim;
	kvmpfn_leaf_fn fn;
	void *ctx;
};

static void leaf_adapt(struct s2_pgt *pgt, kvm_pte_t pte, int level, u64 ipa,
		       void *ctx)
{
	struct leaf_adapter *a = ctx;
	struct kvmpfn_leaf_view v;

	s2_leaf_view(pgt, pte, level, ipa, &v);
	a->fn(a->sim, &v, a->ctx);
}

void arm64_s2_for_each_leaf(struct kvmpfn_sim *sim, kvmpfn_leaf_fn fn,
			    void *ctx)
{
	struct leaf_adapter a = { .sim = sim, .fn = fn, .ctx = ctx };

	s2_for_each_leaf(&arm64_mmu(sim)->pgt, leaf_adapt, &a);
}

int arm64_s2_lookup(struct kvmpfn_sim *sim, int as_id, gfn_t gfn,
		    struct kvmpfn_leaf_view *v)
{
	struct arm64_mmu *mmu = arm64_mmu(sim);
	u64 ipa = (u64)gfn << PAGE_SHIFT;
	kvm_pte_t pte;
	int level;

	if (as_id || gfn >= 1ULL << (mmu->pgt.ia_bits - PAGE_SHIFT) ||
	    s2_get_leaf(&mmu->pgt, ipa, &pte, &level) ||
	    !s2_pte_is_leaf(pte, level))
		return -ENOENT;
	s2_leaf_view(&mmu->pgt, pte, level,
		     ipa & ~(s2_granule_size(level) - 1), v);
	return 0;
}

/* The page is one KVM marks (kvm_is_ad_tracked_page) and it is alive. */
static bool ad_tracked(const struct page *p)
{
	return !PageReserved(p) && !kshim_page_flag(p, PG_free) &&
	       host_folio_head((struct page *)p)->_refcount > 0;
}


/*
 * I16 with arm64's 6.12 semantics: the page is marked dirty when it is
 * mapped writable (user_mem_abort), and nothing is handed over at zap, so
 * a writable leaf over a refcounted page must find it dirty.  Dirty is a
 * folio property: any page of the leaf, or its folio's head, will do.
 */
static void check_leaf_dirty(struct s2_pgt *pgt, kvm_pte_t pte, int level,
			     u64 ipa, void *ctx)
{
	struct kvmpfn_sim *sim = ctx;
	u64 i, n = s2_granule_size(level) >> PAGE_SHIFT;
	u64 pfn = s2_pte_to_pfn(pte);
	bool tracked = false;

	(void)pgt;
	if (!s2_pte_writable(pte) ||
	    check_untouched_remapped(sim, 0, ipa >> PAGE_SHIFT))
		return;
	for (i = 0; i < n; i++) {
		struct page *p = host_pfn_to_page(&sim->mm, pfn + i);

		/* device memory: no struct page, nothing to mark */
		if (!p) {
			if (!i)
				return;
			continue;
		}
		if (host_folio_flag(p, PG_dirty))
			return;
		tracked |= ad_tracked(p);
	}
	if (tracked)
		check_violation(sim, 16, ipa >> PAGE_SHIFT, 0, pfn,
				"writable level-%d leaf over a page that is not marked dirty",
				s2_view_level(level));
}

void arm64_s2_check(struct kvmpfn_sim *sim)
{
	bool full = sim->checks != KVMPFN_CHECKS_INCREMENTAL;

	s2_check_tables(&arm64_mmu(sim)->pgt, full, check_leaf_dirty, sim);
}
