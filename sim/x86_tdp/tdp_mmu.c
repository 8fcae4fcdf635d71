// SPDX-License-Identifier: GPL-2.0
/*
 * x86 TDP MMU model (stage unit): the EPT fault path of Linux 6.12
 * (kvm_tdp_mmu_page_fault) and the series' changes to it, the one choke
 * point every SPTE change goes through (tdp_mmu_set_spte and
 * handle_changed_spte), zap, aging, dirty logging and memslot flush.  The
 * same code runs shadow paging's SPTE formats (the direct shadow MMU: the
 * same walk, other entry bits, mmu_lock taken for write).
 *
 * How the stages use the core:
 *   legacy..v7.3  __gfn_to_pfn_memslot() takes a reference on a refcounted
 *                 page; kvm_release_pfn_clean(orig_pfn) after mmu_lock is
 *                 dropped; handle_changed_spte hands a zapped leaf's A/D
 *                 to the page with kvm_set_pfn_dirty/accessed().
 *   v7.4          the same through __kvm_follow_pfn() with FOLL_GET.
 *   v7.5..        no FOLL_GET: no reference to release; the SPTE's
 *                 refcounted bit (59) records is_refcounted_page, and only
 *                 such SPTEs touch struct page (kvm_set_pfn_*()).  The
 *                 faulted page is marked accessed under mmu_lock (the v8
 *                 fix of the v7 patch, which did it after the unlock).
 *                 Only where spte_has_refcount_bit(): shadow paging
 *                 (x86 paging=shadow64|pae) keeps FOLL_GET and releases
 *                 the page as v7.4 does, and its SPTEs have no bit.
 *
 * Where the model simplifies the kernel, and why it does not matter here:
 *   - one thread runs at a time, so every cmpxchg succeeds and a frozen
 *     SPTE is never seen by another walker;
 *   - no async #PF: a lookup that would need I/O is retried at once with
 *     FOLL_INTERRUPTIBLE, as when kvm_can_do_async_pf() says no;
 *   - no MMIO SPTEs and no NX-hugepage mitigation (see spte.h);
 *   - a table left empty by a leaf zap is freed at once (the kernel keeps
 *     it until the root or a huge SPTE replaces it): memory only.
 */
#include <linux/kvm_host.h>

#include "kvm_model.h"
#include "spte.h"
#include "tdp_pt.h"

#define RET_PF_CONTINUE		0
#define RET_PF_RETRY		1
#define RET_PF_FIXED		2
#define RET_PF_SPURIOUS		3
#define RET_PF_INVALID		4

/* f->priv[] slots */
#define PRIV_FAST		0	/* handled by fast_page_fault */

/* kvm_page_fault: what the map step decides on top of struct kvmpfn_fault */
struct tdp_fault {
	struct kvmpfn_fault *f;
	kvm_pfn_t pfn;		/* adjusted down to goal_level */
	int goal_level;
	int req_level;
};

/* How an SPTE is changed (see x86_set_spte). */
enum set_mode {
	SET_TRACKED,	/* tdp_mmu_set_spte(): handle_changed_spte runs */
	SET_RAW,	/* bits flipped with no bookkeeping, mmu_lock held */
	SET_LOCKLESS,	/* fast_page_fault and CPU A/D assists: no mmu_lock */
};

static struct x86_mmu *x86_mmu(struct kvmpfn_sim *sim)
{
	return kvmpfn_arch_mmu(sim);
}

/*
 * Every entry into the model: the SPTE format (the shadow_*_mask
 * variables and tdp_enabled) becomes this VM's.
 */
static struct x86_mmu *x86_enter(struct kvmpfn_sim *sim)
{
	struct x86_mmu *mmu = x86_mmu(sim);

	x86_spte_set_paging(mmu->paging);
	return mmu;
}

/* The page a leaf's A/D would be handed to, if any (model view). */
static struct page *x86_ad_page(struct kvmpfn_sim *sim, kvm_pfn_t pfn)
{
	struct page *page = host_pfn_to_page(&sim->mm, pfn);

	if (!page || PageReserved(page) || !host_folio_head(page)->_refcount)
		return NULL;
	return page;
}

/*
 * Whether the leaf maps a page KVM treats as refcounted: the SPTE bit from
 * v7.5 on where the mode has one; before, and in modes without the bit
 * (which keep FOLL_GET), what kvm_pfn_to_refcounted_page() says of the pfn.
 */
static bool x86_spte_refcounted(struct kvmpfn_sim *sim, u64 spte)
{
	kvm_pfn_t pfn = spte_to_pfn(spte);
	struct page *page;

#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	/* no SPTE ever leads 6.13 to struct page: leaf_view() derives it */
	return false;
#endif
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5
	if (spte_has_refcount_bit())
		return is_refcounted_page_spte(spte);
#endif
	page = host_pfn_to_page(&sim->mm, pfn);
	return page && (!PageReserved(page) || pfn == sim->mm.zero_pfn ||
			kshim_page_flag(page, PG_zone_device));
}

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5 && KVMPFN_STAGE < KVMPFN_STAGE_FINAL
/*
 * v7.5 on: hand a leaf's dirty (or accessed) state to its page, if the
 * SPTE says it is refcounted.  Where SPTEs have no refcount bit every SPTE
 * counts as refcounted, and the pfn helpers decide, as in 6.12, so that a
 * pfn without struct page (MMIO) is never looked up as a page.
 */
static void spte_set_page_ad(u64 spte, bool dirty)
{
	if (!is_refcounted_page_spte(spte))
		return;
	if (dirty)
		kvm_set_pfn_dirty(spte_to_pfn(spte));
	else
		kvm_set_pfn_accessed(spte_to_pfn(spte));
}
#endif

static void leaf_view(struct kvmpfn_sim *sim, int as_id, u64 spte, int level,
		      gfn_t gfn, struct kvmpfn_leaf_view *v)
{
	v->present = is_shadow_present_pte(spte) && is_last_spte(spte, level);
	if (!v->present)
		return;
	v->as_id = as_id;
	v->level = level;
	v->gfn = gfn;
	v->pfn = spte_to_pfn(spte);
	v->writable = is_writable_pte(spte);
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	v->refcounted = check_final_refcounted(sim, as_id, gfn, v->pfn);
#else
	v->refcounted = x86_spte_refcounted(sim, spte);
#endif
	v->accessed = is_accessed_spte(spte);
	v->dirty = is_dirty_spte(spte);
}

/* ---- A/D propagation to struct page (handle_changed_spte) ------------- */

/*
 * I16 as 6.12 (and the series) define it: when a leaf's dirty or accessed
 * state leaves the SPTE, a page KVM may mark keeps it.  At final the
 * fault told the page (kvm_release_faultin_page()), and the checker judges
 * I16 there.
 */
static void check_ad_kept(struct kvmpfn_sim *sim, u64 old_spte, gfn_t gfn,
			  bool dirty)
{
	kvm_pfn_t pfn = spte_to_pfn(old_spte);
	struct page *page;

	if (KVMPFN_STAGE == KVMPFN_STAGE_FINAL)
		return;

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5
	if (!is_refcounted_page_spte(old_spte))
		return;
#endif
	page = x86_ad_page(sim, pfn);
	if (!page || kshim_page_flag(page, PG_free))
		return;
	if (!host_folio_flag(page, dirty ? PG_dirty : PG_referenced))
		check_violation(sim, 16, gfn, 0, pfn,
				"zapped %s leaf: the page lost its %s state",
				dirty ? "dirty" : "accessed",
				dirty ? "dirty" : "accessed");
}

static void x86_spte_set_dirty(struct kvmpfn_sim *sim, u64 old_spte,
			       gfn_t gfn)
{
	if (!x86_tdp_seam(X86_SEAM_NO_AD_PROPAGATION)) {
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
		(void)old_spte;
#elif KVMPFN_STAGE >= KVMPFN_STAGE_V7_5
		spte_set_page_ad(old_spte, true);
#else
		kvm_set_pfn_dirty(spte_to_pfn(old_spte));
#endif
	}
	check_ad_kept(sim, old_spte, gfn, true);
}

static void x86_spte_set_accessed(struct kvmpfn_sim *sim, u64 old_spte,
				  gfn_t gfn)
{
	if (!x86_tdp_seam(X86_SEAM_NO_AD_PROPAGATION)) {
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
		(void)old_spte;
#elif KVMPFN_STAGE >= KVMPFN_STAGE_V7_5
		spte_set_page_ad(old_spte, false);
#else
		kvm_set_pfn_accessed(spte_to_pfn(old_spte));
#endif
	}
	check_ad_kept(sim, old_spte, gfn, false);
}

/* ---- the choke point -------------------------------------------------- */

static void x86_set_spte(struct kvmpfn_sim *sim, struct x86_sp *sp,
			 unsigned int idx, u64 new_spte, enum set_mode mode,
			 struct kvmpfn_fault *f);

/* A table left the paging structure: zap what it holds, then free it. */
static void handle_removed_pt(struct kvmpfn_sim *sim, struct x86_sp *sp)
{
	unsigned int i;

	for (i = 0; i < SPTE_ENT_PER_PAGE && sp->nr_present; i++)
		if (is_shadow_present_pte(sp->spt[i]))
			x86_set_spte(sim, sp, i, FROZEN_SPTE, SET_TRACKED,
				     NULL);
	x86_sp_free(x86_mmu(sim), sp);
}

/*
 * The bookkeeping of an SPTE change: A/D of a leaf that goes away (or
 * stops being dirty/accessed, or changes pfn) is handed to the page, and
 * a table that goes away is torn down.
 */
static void handle_changed_spte(struct kvmpfn_sim *sim, gfn_t gfn,
				u64 old_spte, u64 new_spte, int level)
{
	bool was_present = is_shadow_present_pte(old_spte);
	bool is_present = is_shadow_present_pte(new_spte);
	bool was_leaf = was_present && is_last_spte(old_spte, level);
	bool is_leaf = is_present && is_last_spte(new_spte, level);
	bool pfn_changed = spte_to_pfn(old_spte) != spte_to_pfn(new_spte);

	WARN_ON_ONCE(gfn & (pages_per_level(level) - 1));
	/*
	 * A present leaf replaced by a present leaf of another pfn is a
	 * BUG() in the kernel; kvmpfn_entry_change() already reported it
	 * as I9, and the model carries on.
	 */
	if (old_spte == new_spte)
		return;
	if (!was_present && !is_present) {
		/* without MMIO SPTEs only a freeze is legal here */
		WARN_ON_ONCE(!is_frozen_spte(new_spte) &&
			     !is_frozen_spte(old_spte));
		return;
	}

	if (was_leaf && is_dirty_spte(old_spte) &&
	    (!is_present || !is_dirty_spte(new_spte) || pfn_changed))
		x86_spte_set_dirty(sim, old_spte, gfn);

	if (was_present && !was_leaf &&
	    (is_leaf || !is_present || WARN_ON_ONCE(pfn_changed)))
		handle_removed_pt(sim, x86_sp_child(x86_mmu(sim), old_spte));

	if (was_leaf && is_accessed_spte(old_spte) &&
	    (!is_present || !is_accessed_spte(new_spte) || pfn_changed))
		x86_spte_set_accessed(sim, old_spte, gfn);
}

/*
 * I11, judged on every change of a leaf: the new writable state is one of
 * the four legal ones, and Host-writable does not change on a present
 * leaf.
 *
 * Finding (real 6.12 behaviour): spte.h says Host-writable is only set
 * when an SPTE is created from non-present, but the TDP MMU fault path
 * rebuilds a present leaf with make_spte() and installs the result.  A
 * write fault on a leaf mapped read-only because the host PTE was clean
 * (a shared file page under write-notify, an exclusive anonymous page)
 * makes GUP upgrade the host PTE in place, same pfn and no mmu_notifier
 * call, and the leaf goes from Host-writable 0 to 1.  That upgrade comes
 * from a fresh host lookup under the retry check and grants nothing the
 * host does not, so it is accepted here; clearing Host-writable on a
 * present leaf, or setting it anywhere but in a fault, is reported.
 */
static void check_spte_writable_invariants(struct kvmpfn_sim *sim,
					   u64 old_spte, u64 new_spte,
					   int level, gfn_t gfn,
					   struct kvmpfn_fault *f)
{
	const char *err;

	if (!is_shadow_present_pte(new_spte) || !is_last_spte(new_spte, level))
		return;
	err = spte_writable_state_error(new_spte);
	if (err)
		check_violation(sim, 11, gfn, 0, spte_to_pfn(new_spte),
				"%s: 0x%llx", err,
				(unsigned long long)new_spte);
	if (is_shadow_present_pte(old_spte) &&
	    is_last_spte(old_spte, level) &&
	    spte_to_pfn(old_spte) == spte_to_pfn(new_spte) &&
	    is_host_writable_spte(old_spte) !=
	    is_host_writable_spte(new_spte) &&
	    !(f && is_host_writable_spte(new_spte)))
		check_violation(sim, 11, gfn, 0, spte_to_pfn(new_spte),
				"Host-writable changed on a present SPTE: 0x%llx -> 0x%llx",
				(unsigned long long)old_spte,
				(unsigned long long)new_spte);
}

/*
 * I21: a present SPTE sets no bit its paging mode reserves (spte.h).  The
 * CPU would take a reserved-bit fault (an EPT misconfiguration with EPT)
 * on the next walk through it.
 */
static void check_spte_rsvd(struct kvmpfn_sim *sim, u64 spte, int level,
			    gfn_t gfn, bool in_check)
{
	struct x86_mmu *mmu = x86_mmu(sim);
	bool leaf;
	u64 bad;
	u32 i;

	if (!is_shadow_present_pte(spte))
		return;
	leaf = is_last_spte(spte, level);
	bad = spte & x86_spte_rsvd_bits(mmu->paging, mmu->pke, level, leaf);
	if (!bad)
		return;
	/* check() looks again at what the choke point judged this step */
	for (i = 0; in_check && i < sim->nr_viol; i++)
		if (sim->viol[i].id == 21 && sim->viol[i].gfn == gfn &&
		    sim->viol[i].step == sim->step)
			return;
	if (bad)
		check_violation(sim, 21, gfn, 0, leaf ? spte_to_pfn(spte) : 0,
				"%s%s %s SPTE at level %d sets reserved bits 0x%llx: 0x%llx",
				x86_paging_name(mmu->paging),
				mmu->pke ? " pke" : "",
				leaf ? "leaf" : "non-leaf", level,
				(unsigned long long)bad,
				(unsigned long long)spte);
}

/* A freshly linked table may hold leaves already (a split huge page). */
static void report_new_table(struct kvmpfn_sim *sim, struct x86_sp *sp)
{
	struct kvmpfn_leaf_view none = { 0 }, v;
	unsigned int i;

	if (!sp->nr_present)
		return;
	for (i = 0; i < SPTE_ENT_PER_PAGE; i++) {
		u64 spte = sp->spt[i];

		leaf_view(sim, sp->as_id, spte, sp->level, x86_sp_gfn(sp, i),
			  &v);
		if (!v.present)
			continue;
		check_spte_writable_invariants(sim, SHADOW_NONPRESENT_VALUE,
					       spte, sp->level, v.gfn, NULL);
		check_spte_rsvd(sim, spte, sp->level, v.gfn, false);
		kvmpfn_entry_change(sim, &none, &v, NULL);
		x86_mmu_touch(x86_mmu(sim), sp->as_id, v.gfn);
	}
}

/*
 * THE choke point: every SPTE change of the model, whoever makes it,
 * comes through here.  It reports leaf changes to the checker
 * (kvmpfn_entry_change: I7, I9, I12, I13, I14), judges I11, writes the
 * entry, and in SET_TRACKED mode runs handle_changed_spte.
 */
static void x86_set_spte(struct kvmpfn_sim *sim, struct x86_sp *sp,
			 unsigned int idx, u64 new_spte, enum set_mode mode,
			 struct kvmpfn_fault *f)
{
	u64 old_spte = sp->spt[idx];
	int level = sp->level;
	gfn_t gfn = x86_sp_gfn(sp, idx);
	struct kvmpfn_leaf_view ov, nv;

	if (mode != SET_LOCKLESS)
		lockdep_assert_held(&sim->kvm.mmu_lock);

	check_spte_writable_invariants(sim, old_spte, new_spte, level, gfn, f);
	check_spte_rsvd(sim, new_spte, level, gfn, false);
	leaf_view(sim, sp->as_id, old_spte, level, gfn, &ov);
	leaf_view(sim, sp->as_id, new_spte, level, gfn, &nv);
	if (ov.present || nv.present) {
		kvmpfn_entry_change(sim, &ov, &nv, f);
		x86_mmu_touch(x86_mmu(sim), sp->as_id, gfn);
	}

	sp->spt[idx] = new_spte;
	sp->nr_present += is_shadow_present_pte(new_spte) -
			  is_shadow_present_pte(old_spte);

	/*
	 * A translation went away or lost write access: CPUs may still cache
	 * the old one until the caller flushes, before mmu_lock is dropped.
	 */
	if (is_shadow_present_pte(old_spte) &&
	    (!is_shadow_present_pte(new_spte) ||
	     (ov.present && nv.present && ov.writable && !nv.writable)))
		kvmpfn_tlb_stale(sim);

	/* a table linked in place of nothing or of a huge leaf */
	if (is_shadow_present_pte(new_spte) && !is_last_spte(new_spte, level) &&
	    (!is_shadow_present_pte(old_spte) || ov.present))
		report_new_table(sim, x86_sp_child(x86_mmu(sim), new_spte));

	if (mode == SET_TRACKED)
		handle_changed_spte(sim, gfn, old_spte, new_spte, level);
}

/* ---- building SPTEs --------------------------------------------------- */

#define ACC_EXEC_MASK	1
#define ACC_WRITE_MASK	2
#define ACC_USER_MASK	4
#define ACC_ALL		(ACC_EXEC_MASK | ACC_WRITE_MASK | ACC_USER_MASK)

/* Host MMIO is mapped uncached; RAM (and DAX) write-back. */
static bool kvm_is_mmio_pfn(struct kvmpfn_sim *sim, kvm_pfn_t pfn)
{
	struct page *page = host_pfn_to_page(&sim->mm, pfn);

	if (!page)
		return true;
	return pfn != sim->mm.zero_pfn && PageReserved(page) &&
	       !kshim_page_flag(page, PG_zone_device);
}

static u64 ept_memtype(struct kvmpfn_sim *sim, kvm_pfn_t pfn)
{
	/* shadow paging: no memory type in the SPTE (PAT entry 0, MTRRs) */
	if (!tdp_enabled)
		return 0;
	if (kvm_is_mmio_pfn(sim, pfn))
		return SPTE_EPT_MT_UC << SPTE_EPT_MT_SHIFT;
	/* no non-coherent DMA in the model: ignore guest PAT */
	return (SPTE_EPT_MT_WB << SPTE_EPT_MT_SHIFT) | SPTE_EPT_IPAT;
}

/*
 * The leaf a fault installs.  Writable if the host mapping is; a writable
 * leaf is made dirty at once (the page was looked up for writing), unless
 * it replaces a leaf that was already writable, whose D bit carries over
 * through handle_changed_spte.  In a dirty-logged slot a writable leaf is
 * logged here, before it is installed.
 */
static u64 make_spte(struct kvmpfn_sim *sim,
		     const struct kvm_memory_slot *slot, int level, gfn_t gfn,
		     kvm_pfn_t pfn, u64 old_spte, bool host_writable,
		     bool refcounted)
{
	unsigned int access = ACC_ALL;
	u64 spte = SPTE_MMU_PRESENT | SPTE_TDP_AD_ENABLED |
		   shadow_present_mask;

	/* a guest access, not a prefetch: accessed from the start */
	spte |= shadow_accessed_mask;
	if (access & ACC_EXEC_MASK)
		spte |= shadow_x_mask;
	else
		spte |= shadow_nx_mask;
	if (access & ACC_USER_MASK)
		spte |= shadow_user_mask;
	if (level > PG_LEVEL_4K)
		spte |= SPTE_PAGE_SIZE;
	spte |= ept_memtype(sim, pfn);
	if (host_writable)
		spte |= shadow_host_writable_mask;
	else
		access &= ~ACC_WRITE_MASK;
	spte |= (u64)pfn << SPTE_PFN_SHIFT;
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5 && KVMPFN_STAGE < KVMPFN_STAGE_FINAL
	/*
	 * Only where the mode has the bit.  Bug zoo B18: the v7 port set it
	 * for every refcounted page, shadow-paging SPTEs included, where
	 * bit 59 is reserved (PAE) or the protection key (4-level, PKE).
	 */
	if (refcounted &&
	    (spte_has_refcount_bit() || sim->bug == KVMPFN_B18))
		spte |= SPTE_MMU_PAGE_REFCOUNTED;
#else
	(void)refcounted;
#endif

	if (access & ACC_WRITE_MASK) {
		spte |= PT_WRITABLE_MASK | shadow_mmu_writable_mask;
		/*
		 * No unsync: the TDP MMU shadows no guest page tables, and
		 * the model's shadow-paging guest has none either.
		 */
		if (!(is_last_spte(old_spte, level) &&
		      is_writable_pte(old_spte)))
			spte |= shadow_dirty_mask;
	}

	if (is_writable_pte(spte) && kvm_slot_dirty_track_enabled(slot)) {
		/* kvm_mmu_hugepage_adjust() keeps logged slots at 4K */
		WARN_ON_ONCE(level > PG_LEVEL_4K);
		mark_page_dirty_in_slot(&sim->kvm, slot, gfn);
	}
	return spte;
}

/* ---- huge pages ------------------------------------------------------- */

/*
 * lpage_info's disallow_lpage for a slot: a huge page that sticks out of
 * the slot, or a slot whose gfns and hvas are not co-aligned at @level.
 */
static bool lpage_disallowed(const struct kvm_memory_slot *slot, gfn_t gfn,
			     int level)
{
	u64 n = pages_per_level(level);
	gfn_t base = gfn & ~(n - 1);

	if (base < slot->base_gfn || base + n > slot->base_gfn + slot->npages)
		return true;
	return (slot->base_gfn ^ (slot->userspace_addr >> PAGE_SHIFT)) &
	       (n - 1);
}

static int kvm_mmu_max_mapping_level(struct kvmpfn_sim *sim,
				     struct kvmpfn_fault *f,
				     const struct kvm_memory_slot *slot,
				     gfn_t gfn, int max_level)
{
	int host_level;

	if (max_level > x86_mmu_max_huge_level(x86_mmu(sim)))
		max_level = x86_mmu_max_huge_level(x86_mmu(sim));
	for (; max_level > PG_LEVEL_4K; max_level--)
		if (!lpage_disallowed(slot, gfn, max_level))
			break;
	if (max_level == PG_LEVEL_4K)
		return PG_LEVEL_4K;
	/* host_pfn_mapping_level(): nothing mapped counts as 4K */
	host_level = kvmpfn_host_level(sim, f, slot, gfn);
	if (host_level < PG_LEVEL_4K)
		host_level = PG_LEVEL_4K;
	return host_level < max_level ? host_level : max_level;
}

/* Under mmu_lock, after the retry check: the host level is stable. */
static void kvm_mmu_hugepage_adjust(struct kvmpfn_sim *sim,
				    struct tdp_fault *tf)
{
	struct kvmpfn_fault *f = tf->f;
	kvm_pfn_t mask;

	if (is_error_noslot_pfn(tf->pfn))
		return;
	if (kvm_slot_dirty_track_enabled(f->slot))
		return;
	tf->req_level = kvm_mmu_max_mapping_level(sim, f, f->slot, f->gfn,
						  KVM_MAX_HUGEPAGE_LEVEL);
	if (tf->req_level == PG_LEVEL_4K)
		return;
	tf->goal_level = tf->req_level;
	mask = pages_per_level(tf->goal_level) - 1;
	VM_BUG_ON((f->gfn & mask) != (tf->pfn & mask));
	/* the reference, if any, stays on the page looked up (orig pfn) */
	tf->pfn &= ~mask;
}

/* ---- the map step ----------------------------------------------------- */

static void tdp_mmu_link_sp(struct kvmpfn_sim *sim, struct x86_sp *sp,
			    unsigned int idx, struct x86_sp *child)
{
	u64 spte = make_nonleaf_spte(child->frame);

	/* the PAE root's 4 entries are PDPTEs: present and address only */
	if (x86_mmu(sim)->paging == X86_PAGING_PAE && sp->level == 3)
		spte = make_pae_root_spte(child->frame);
	x86_set_spte(sim, sp, idx, spte, SET_TRACKED, NULL);
}

/*
 * Replace huge leaf @idx of @sp by @child filled with the 512 pieces.
 * The translation does not change, so no TLB flush; the huge leaf's A/D
 * go to the page as for any leaf that leaves the table.
 */
static void tdp_mmu_split_huge_page(struct kvmpfn_sim *sim, struct x86_sp *sp,
				    unsigned int idx, struct x86_sp *child)
{
	u64 huge_spte = sp->spt[idx];
	unsigned int i;

	/* not linked yet: nobody else can see these writes */
	for (i = 0; i < SPTE_ENT_PER_PAGE; i++)
		child->spt[i] = make_huge_page_split_spte(huge_spte,
							  child->level, i);
	child->nr_present = SPTE_ENT_PER_PAGE;
	tdp_mmu_link_sp(sim, sp, idx, child);
}

static int tdp_mmu_map_handle_target_level(struct kvmpfn_sim *sim,
					   struct tdp_fault *tf,
					   struct x86_sp *sp, unsigned int idx)
{
	struct kvmpfn_fault *f = tf->f;
	u64 old_spte = sp->spt[idx], new_spte;

	if (WARN_ON_ONCE(sp->level != tf->goal_level))
		return RET_PF_RETRY;
	new_spte = make_spte(sim, f->slot, sp->level, x86_sp_gfn(sp, idx),
			     tf->pfn, old_spte, f->info.writable,
			     f->info.refcounted);
	if (new_spte == old_spte)
		return RET_PF_SPURIOUS;
	x86_set_spte(sim, sp, idx, new_spte, SET_TRACKED, f);
	/* a huge leaf replaced a table: its leaves are gone */
	if (is_shadow_present_pte(old_spte) &&
	    !is_last_spte(old_spte, sp->level))
		kvm_flush_remote_tlbs(&sim->kvm);
	return RET_PF_FIXED;
}

static int kvm_tdp_mmu_map(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct x86_mmu *mmu = x86_mmu(sim);
	struct tdp_fault tf = {
		.f = f, .pfn = f->info.pfn,
		.goal_level = PG_LEVEL_4K, .req_level = PG_LEVEL_4K,
	};
	struct x86_sp *sp = mmu->root[f->slot->as_id];

	kvm_mmu_hugepage_adjust(sim, &tf);

	for (;;) {
		unsigned int idx = spte_index(f->gfn, sp->level);
		u64 spte = sp->spt[idx];
		struct x86_sp *child;

		if (sp->level == tf.goal_level)
			return tdp_mmu_map_handle_target_level(sim, &tf, sp,
							       idx);
		/* step down into a table that exists */
		if (is_shadow_present_pte(spte) && !is_large_pte(spte)) {
			sp = x86_sp_child(mmu, spte);
			continue;
		}
		/* nothing there, or a huge page in the way: a new table */
		child = x86_sp_alloc(mmu, sp->level - 1, f->gfn, sp->as_id);
		if (!child)
			return -ENOMEM;
		if (is_shadow_present_pte(spte))
			tdp_mmu_split_huge_page(sim, sp, idx, child);
		else
			tdp_mmu_link_sp(sim, sp, idx, child);
		sp = child;
	}
}

/* ---- the fault -------------------------------------------------------- */

/*
 * mmu_invalidate_retry_gfn() without mmu_lock (the kernel's
 * mmu_invalidate_retry_gfn_unsafe): may miss a race, never invents one.
 */
static bool tdp_invalidate_retry_gfn_unsafe(struct kvm *kvm,
					    unsigned long mmu_seq, gfn_t gfn)
{
	if (unlikely(READ_ONCE(kvm->mmu_invalidate_in_progress)) &&
	    gfn >= kvm->mmu_invalidate_range_start &&
	    gfn < kvm->mmu_invalidate_range_end)
		return true;
	return READ_ONCE(kvm->mmu_invalidate_seq) != mmu_seq;
}

static bool is_access_allowed(struct kvmpfn_fault *f, u64 spte)
{
	if (f->exec)
		return is_executable_pte(spte);
	if (f->write)
		return is_writable_pte(spte);
	return is_readable_spte(spte);
}

/* The access the guest retries now succeeds; the CPU sets A (and D). */
static void cpu_access_done(struct kvmpfn_sim *sim, struct kvmpfn_fault *f,
			    struct x86_sp *sp, unsigned int idx)
{
	u64 spte = sp->spt[idx];
	u64 new_spte = spte | shadow_accessed_mask;

	if (f->write)
		new_spte |= shadow_dirty_mask;
	if (new_spte != spte)
		x86_set_spte(sim, sp, idx, new_spte, SET_LOCKLESS, NULL);
}

/*
 * Lockless fix of a write to a present leaf that only lacks W: allowed
 * only when the SPTE is MMU-writable (write-protected for dirty logging),
 * and not for a huge leaf of a logged slot, which must be split by the
 * slow path.  Logs the gfn as the slow path would.
 */
static int fast_page_fault(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct x86_mmu *mmu = x86_mmu(sim);
	int ret = RET_PF_INVALID;
	struct x86_sp *sp;
	unsigned int idx;
	u64 spte, new_spte;

	sp = x86_walk(mmu, f->slot->as_id, f->gfn, &idx);
	spte = sp->spt[idx];
	/* with A/D bits only a write to a present SPTE can be fast */
	if (!is_shadow_present_pte(spte) || !f->write)
		return RET_PF_INVALID;
	if (!is_last_spte(spte, sp->level))
		return RET_PF_INVALID;

	if (is_access_allowed(f, spte)) {
		ret = RET_PF_SPURIOUS;
		goto out;
	}
	new_spte = spte;
	if (f->write && (is_mmu_writable_spte(spte) ||
			 x86_tdp_seam(X86_SEAM_FAST_PF_IGNORES_MMU_WRITABLE))) {
		new_spte |= PT_WRITABLE_MASK;
		if (sp->level > PG_LEVEL_4K &&
		    kvm_slot_dirty_track_enabled(f->slot))
			return RET_PF_INVALID;
	}
	if (new_spte == spte || !is_access_allowed(f, new_spte))
		return RET_PF_INVALID;

	/* fast_pf_fix_direct_spte: a cmpxchg, no handle_changed_spte */
	x86_set_spte(sim, sp, idx, new_spte, SET_LOCKLESS, NULL);
	if (is_writable_pte(new_spte) && !is_writable_pte(spte))
		mark_page_dirty_in_slot(&sim->kvm, f->slot, f->gfn);
	ret = RET_PF_FIXED;
out:
	cpu_access_done(sim, f, sp, idx);
	spte = sp->spt[idx];
	f->info.pfn = spte_to_pfn(spte) + (f->gfn - x86_sp_gfn(sp, idx));
	f->info.hva = __gfn_to_hva_memslot(f->slot, f->gfn);
	f->info.writable = is_writable_pte(spte);
	f->info.refcounted = x86_spte_refcounted(sim, spte);
	f->info.holds_ref = false;
	return ret;
}

/* Resolve the pfn the way x86 calls the core at this stage. */
static void x86_faultin_pfn(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct kvmpfn_pfn_info *info = &f->info;
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	unsigned int foll = f->write ? FOLL_WRITE : 0;
	bool writable;

	/* every paging mode alike: nothing depends on an SPTE bit any more */
	info->pfn = __kvm_faultin_pfn(f->slot, f->gfn, foll | FOLL_NOWAIT,
				      &writable, &info->page);
	if (info->pfn == KVM_PFN_ERR_NEEDS_IO)
		/* no async #PF in the model: wait for the I/O, interruptibly */
		info->pfn = __kvm_faultin_pfn(f->slot, f->gfn,
					      foll | FOLL_INTERRUPTIBLE,
					      &writable, &info->page);
	info->hva = __gfn_to_hva_memslot(f->slot, f->gfn);
	info->writable = writable;
	info->refcounted = info->page;
	info->holds_ref = info->page;
#elif KVMPFN_STAGE >= KVMPFN_STAGE_V7_4
	struct kvm_follow_pfn foll = {
		.slot = f->slot,
		.gfn = f->gfn,
		.flags = FOLL_NOWAIT | (f->write ? FOLL_WRITE : 0),
		.allow_write_mapping = true,
		.guarded_by_mmu_notifier = true,
	};

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5
	/* shadow paging (and 32-bit hosts): no SPTE bit, keep the reference */
	if (!spte_has_refcount_bit())
		foll.flags |= FOLL_GET;
#else
	foll.flags |= FOLL_GET;
#endif
	info->pfn = __kvm_follow_pfn(&foll);
	if (info->pfn == KVM_PFN_ERR_NEEDS_IO) {
		/* no async #PF in the model: wait for the I/O, interruptibly */
		foll.flags &= ~FOLL_NOWAIT;
		foll.flags |= FOLL_INTERRUPTIBLE;
		info->pfn = __kvm_follow_pfn(&foll);
	}
	info->hva = foll.hva;
	info->writable = foll.writable;
	info->refcounted = foll.is_refcounted_page;
	info->holds_ref = foll.is_refcounted_page && (foll.flags & FOLL_GET);
#else
	bool async = false, writable = false;

	info->pfn = __gfn_to_pfn_memslot(f->slot, f->gfn, false, false, &async,
					 f->write, &writable, &info->hva);
	if (async)
		/* no async #PF in the model: wait for the I/O, interruptibly */
		info->pfn = __gfn_to_pfn_memslot(f->slot, f->gfn, false, true,
						 NULL, f->write, &writable,
						 &info->hva);
	info->writable = writable;
	info->refcounted = !is_error_noslot_pfn(info->pfn) &&
			   kvm_pfn_to_refcounted_page(info->pfn);
	info->holds_ref = info->refcounted;
#endif
	(void)sim;
	if (is_error_noslot_pfn(info->pfn))
		info->holds_ref = false;
}

static int kvm_faultin_pfn(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct kvm *kvm = &sim->kvm;

	kvmpfn_fault_snapshot(sim, f);

	/* a memslot being deleted or moved: let its zap finish first */
	if (f->slot->flags & KVM_MEMSLOT_INVALID)
		return RET_PF_RETRY;
	if (tdp_invalidate_retry_gfn_unsafe(kvm, f->mmu_seq, f->gfn))
		return RET_PF_RETRY;

	x86_faultin_pfn(sim, f);

	/* kvm_handle_error_pfn(): the caller turns the pfn into an error */
	if (is_error_pfn(f->info.pfn))
		return RET_PF_CONTINUE;
	if (WARN_ON_ONCE(is_noslot_pfn(f->info.pfn)))
		return RET_PF_CONTINUE;

	if (tdp_invalidate_retry_gfn_unsafe(kvm, f->mmu_seq, f->gfn)) {
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
		kvm_release_page_unused(f->info.page);
		f->info.page = NULL;
#elif KVMPFN_STAGE >= KVMPFN_STAGE_V7_5
		if (f->info.holds_ref)
			kvm_release_pfn_clean(f->info.pfn);
#else
		kvm_release_pfn_clean(f->info.pfn);
#endif
		f->info.holds_ref = false;
		return RET_PF_RETRY;
	}
	return RET_PF_CONTINUE;
}

static int x86_fault_begin(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct x86_mmu *mmu = x86_enter(sim);
	int r;

	/* the root the vCPU loaded before it entered the guest */
	f->root_gen = sim->root_gen;
	f->priv[PRIV_FAST] = 0;
	/* beyond the guest physical address width of the root */
	if (f->gfn >= x86_mmu_max_gfn(mmu))
		return -EFAULT;

	r = fast_page_fault(sim, f);
	if (r != RET_PF_INVALID) {
		f->priv[PRIV_FAST] = 1;
		return 0;
	}

	r = kvm_faultin_pfn(sim, f);
	return r == RET_PF_RETRY ? -EAGAIN : 0;
}

static bool is_page_fault_stale(struct kvmpfn_sim *sim,
				struct kvmpfn_fault *f)
{
	/*
	 * is_obsolete_sp(): a memslot delete/move replaced the root.  Bug
	 * zoo B13 (before a955cad84cda) did not look.
	 */
	if (f->root_gen != sim->root_gen && sim->bug != KVMPFN_B13)
		return true;
	/* a test seam: without this the shared retry scenario shows I7 */
	if (x86_tdp_seam(X86_SEAM_NO_STALE_SEQ_CHECK))
		return false;
	return mmu_invalidate_retry_gfn(&sim->kvm, f->mmu_seq, f->gfn);
}

/*
 * The TDP MMU maps under mmu_lock held for read; the shadow MMU
 * (direct_page_fault() without TDP) takes it for write.
 */
static void x86_map_lock(struct kvm *kvm)
{
	if (tdp_enabled)
		read_lock(&kvm->mmu_lock);
	else
		write_lock(&kvm->mmu_lock);
}

static void x86_map_unlock(struct kvm *kvm)
{
	if (tdp_enabled)
		read_unlock(&kvm->mmu_lock);
	else
		write_unlock(&kvm->mmu_lock);
}

static int x86_fault_finish(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct kvm *kvm = &sim->kvm;
	kvm_pfn_t orig_pfn = f->info.pfn;
	int r;

	x86_enter(sim);
	if (f->priv[PRIV_FAST])
		return 0;

	r = RET_PF_RETRY;
	x86_map_lock(kvm);
	if (is_page_fault_stale(sim, f))
		goto out_unlock;
	r = kvm_tdp_mmu_map(sim, f);
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5 && KVMPFN_STAGE < KVMPFN_STAGE_FINAL
	/* no reference held: only under mmu_lock, only once mapped */
	if ((r == RET_PF_FIXED || r == RET_PF_SPURIOUS) && f->info.refcounted &&
	    !f->info.holds_ref && sim->bug != KVMPFN_B17)
		kvm_set_pfn_accessed(orig_pfn);
#endif
out_unlock:
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	/* kvm_mmu_finish_page_fault(): a retry used nothing */
	kvm_release_faultin_page(kvm, f->info.page, r == RET_PF_RETRY,
				 f->info.writable);
	f->info.page = NULL;
	x86_map_unlock(kvm);
	(void)orig_pfn;
#else
	x86_map_unlock(kvm);
#endif
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5 && KVMPFN_STAGE < KVMPFN_STAGE_FINAL
	/* bug zoo B17: the v7 patch as posted, after the unlock */
	if ((r == RET_PF_FIXED || r == RET_PF_SPURIOUS) && f->info.refcounted &&
	    !f->info.holds_ref && sim->bug == KVMPFN_B17)
		kvm_set_pfn_accessed(orig_pfn);
	/* shadow paging kept FOLL_GET: drop the reference, as 6.12 does */
	if (f->info.holds_ref)
		kvm_release_pfn_clean(orig_pfn);
#elif KVMPFN_STAGE < KVMPFN_STAGE_V7_5
	kvm_release_pfn_clean(orig_pfn);
#endif
	f->info.holds_ref = false;
	if (r < 0)
		return r;
	return r == RET_PF_RETRY ? -EAGAIN : 0;
}

/* ---- walking a gfn range ---------------------------------------------- */

/* The entries of @sp that overlap [start, end): false if none. */
static bool sp_range(const struct x86_sp *sp, gfn_t start, gfn_t end,
		     unsigned int *first, unsigned int *last)
{
	u64 n = pages_per_level(sp->level);
	gfn_t lo = sp->gfn, hi = sp->gfn + SPTE_ENT_PER_PAGE * n;

	if (start >= end || end <= lo || start >= hi)
		return false;
	*first = start > lo ? (start - lo) / n : 0;
	*last = ((end < hi ? end : hi) - 1 - lo) / n;
	return true;
}

/*
 * Zap every leaf overlapping [start, end) (tdp_mmu_zap_leafs), then free
 * the tables that emptied.  True if anything was zapped.
 */
static bool zap_leafs(struct kvmpfn_sim *sim, struct x86_sp *sp, gfn_t start,
		      gfn_t end)
{
	unsigned int i, first, last;
	bool flush = false;

	if (!sp_range(sp, start, end, &first, &last))
		return false;
	for (i = first; i <= last; i++) {
		u64 spte = sp->spt[i];
		struct x86_sp *child;

		if (!is_shadow_present_pte(spte))
			continue;
		if (is_last_spte(spte, sp->level)) {
			x86_set_spte(sim, sp, i, SHADOW_NONPRESENT_VALUE,
				     SET_TRACKED, NULL);
			flush = true;
			continue;
		}
		child = x86_sp_child(x86_mmu(sim), spte);
		flush |= zap_leafs(sim, child, start, end);
		if (!child->nr_present) {
			x86_set_spte(sim, sp, i, SHADOW_NONPRESENT_VALUE,
				     SET_TRACKED, NULL);
			flush = true;
		}
	}
	return flush;
}

/* Everything under a root (tdp_mmu_zap_root): tables go with it. */
static bool zap_root(struct kvmpfn_sim *sim, struct x86_sp *root)
{
	unsigned int i;
	bool flush = false;

	for (i = 0; i < SPTE_ENT_PER_PAGE && root->nr_present; i++) {
		if (!is_shadow_present_pte(root->spt[i]))
			continue;
		x86_set_spte(sim, root, i, SHADOW_NONPRESENT_VALUE,
			     SET_TRACKED, NULL);
		flush = true;
	}
	return flush;
}

static bool x86_unmap_gfn_range(struct kvmpfn_sim *sim, int as_id,
				gfn_t start, gfn_t end)
{
	x86_enter(sim);
	lockdep_assert_held(&sim->kvm.mmu_lock);
	return zap_leafs(sim, x86_mmu(sim)->root[as_id], start, end);
}

/* clear_young: with A/D bits, aging clears A and nothing else. */
static bool age_range(struct kvmpfn_sim *sim, struct x86_sp *sp, gfn_t start,
		      gfn_t end)
{
	unsigned int i, first, last;
	bool young = false;

	if (!sp_range(sp, start, end, &first, &last))
		return false;
	for (i = first; i <= last; i++) {
		u64 spte = sp->spt[i];

		if (!is_shadow_present_pte(spte))
			continue;
		if (!is_last_spte(spte, sp->level)) {
			young |= age_range(sim,
					   x86_sp_child(x86_mmu(sim), spte),
					   start, end);
			continue;
		}
		if (!is_accessed_spte(spte))
			continue;
		/* tdp_mmu_clear_spte_bits: the A bit only, no bookkeeping */
		x86_set_spte(sim, sp, i, spte & ~shadow_accessed_mask, SET_RAW,
			     NULL);
		young = true;
	}
	return young;
}

static bool x86_age_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
			      gfn_t end)
{
	x86_enter(sim);
	return age_range(sim, x86_mmu(sim)->root[as_id], start, end);
}

/*
 * kvm_arch_flush_shadow_memslot(): with the default VM's SLOT_ZAP_ALL
 * quirk every root is zapped and replaced (the old roots are obsolete,
 * which in-flight faults see through root_gen); without it only the
 * slot's gfns.  Flushed before mmu_lock is dropped.
 */
static void x86_flush_memslot(struct kvmpfn_sim *sim,
			      const struct kvm_memory_slot *slot)
{
	struct x86_mmu *mmu = x86_enter(sim);
	bool flush = false;
	int as;

	write_lock(&sim->kvm.mmu_lock);
	if (mmu->slot_zap_all)
		for (as = 0; as < KVM_ADDRESS_SPACE_NUM; as++)
			flush |= zap_root(sim, mmu->root[as]);
	else
		flush = zap_leafs(sim, mmu->root[slot->as_id], slot->base_gfn,
				  slot->base_gfn + slot->npages);
	if (flush)
		kvm_flush_remote_tlbs(&sim->kvm);
	write_unlock(&sim->kvm.mmu_lock);
}

/* Eager split: every huge leaf in range down to @target_level. */
static void split_huge_pages(struct kvmpfn_sim *sim, struct x86_sp *sp,
			     gfn_t start, gfn_t end, int target_level)
{
	struct x86_mmu *mmu = x86_mmu(sim);
	unsigned int i, first, last;

	if (!sp_range(sp, start, end, &first, &last))
		return;
	for (i = first; i <= last; i++) {
		u64 spte = sp->spt[i];

		if (!is_shadow_present_pte(spte))
			continue;
		if (sp->level > target_level && is_large_pte(spte)) {
			struct x86_sp *child;

			child = x86_sp_alloc(mmu, sp->level - 1,
					     x86_sp_gfn(sp, i), sp->as_id);
			if (!child)
				return;	/* -ENOMEM: it was only a "try" */
			tdp_mmu_split_huge_page(sim, sp, i, child);
			spte = sp->spt[i];
		}
		/* pre-order: the pieces of a 1G page are split again */
		if (sp->level - 1 > target_level &&
		    !is_last_spte(spte, sp->level))
			split_huge_pages(sim, x86_sp_child(mmu, spte), start,
					 end, target_level);
	}
}

/* kvm_tdp_mmu_wrprot_slot(): clear W, keep MMU-writable (case 1). */
static bool wrprot_range(struct kvmpfn_sim *sim, struct x86_sp *sp,
			 gfn_t start, gfn_t end)
{
	unsigned int i, first, last;
	bool changed = false;

	if (!sp_range(sp, start, end, &first, &last))
		return false;
	for (i = first; i <= last; i++) {
		u64 spte = sp->spt[i], new_spte;

		if (!is_shadow_present_pte(spte))
			continue;
		if (!is_last_spte(spte, sp->level)) {
			changed |= wrprot_range(sim,
						x86_sp_child(x86_mmu(sim), spte),
						start, end);
			continue;
		}
		if (!is_writable_pte(spte))
			continue;
		new_spte = spte & ~PT_WRITABLE_MASK;
		if (x86_tdp_seam(X86_SEAM_WRPROT_CLEARS_HOST_WRITABLE))
			new_spte &= ~(shadow_mmu_writable_mask |
				      shadow_host_writable_mask);
		x86_set_spte(sim, sp, i, new_spte, SET_TRACKED, NULL);
		changed = true;
	}
	return changed;
}

/*
 * Dirty logging turned off: zap tables that a huge leaf could replace now
 * (kvm_tdp_mmu_zap_collapsible_sptes), so that later faults map huge.
 */
static void zap_collapsible(struct kvmpfn_sim *sim,
			    const struct kvm_memory_slot *slot,
			    struct x86_sp *sp)
{
	gfn_t start = slot->base_gfn, end = start + slot->npages;
	struct x86_mmu *mmu = x86_mmu(sim);
	unsigned int i, first, last;

	if (!sp_range(sp, start, end, &first, &last))
		return;
	for (i = first; i <= last; i++) {
		u64 spte = sp->spt[i];
		gfn_t gfn = x86_sp_gfn(sp, i);

		if (!is_shadow_present_pte(spte) ||
		    is_last_spte(spte, sp->level))
			continue;
		if (sp->level <= x86_mmu_max_huge_level(mmu) &&
		    gfn >= start && gfn < end &&
		    kvm_mmu_max_mapping_level(sim, NULL, slot, gfn,
					      KVM_MAX_HUGEPAGE_LEVEL) >=
		    sp->level) {
			/* tdp_mmu_zap_spte_atomic: zap, then flush the gfn */
			x86_set_spte(sim, sp, i, SHADOW_NONPRESENT_VALUE,
				     SET_TRACKED, NULL);
			kvm_flush_remote_tlbs(&sim->kvm);
			continue;
		}
		if (sp->level - 1 >= PG_LEVEL_2M)
			zap_collapsible(sim, slot, x86_sp_child(mmu, spte));
	}
}

/* kvm_mmu_slot_apply_flags() for a flags-only change. */
static void x86_slot_flags_changed(struct kvmpfn_sim *sim,
				   const struct kvm_memory_slot *slot,
				   u32 old_flags)
{
	struct x86_mmu *mmu = x86_enter(sim);
	struct x86_sp *root = mmu->root[slot->as_id];
	gfn_t start = slot->base_gfn, end = start + slot->npages;
	struct kvm *kvm = &sim->kvm;

	/* read-only slots are never writable, so never dirty */
	if (slot->flags & KVM_MEM_READONLY)
		return;
	if (!((old_flags ^ slot->flags) & KVM_MEM_LOG_DIRTY_PAGES))
		return;

	if (!(slot->flags & KVM_MEM_LOG_DIRTY_PAGES)) {
		read_lock(&kvm->mmu_lock);
		zap_collapsible(sim, slot, root);
		read_unlock(&kvm->mmu_lock);
		return;
	}

	/* eager_page_split (default on), then write-protect down to 4K */
	if (mmu->eager_split) {
		read_lock(&kvm->mmu_lock);
		split_huge_pages(sim, root, start, end, PG_LEVEL_4K);
		read_unlock(&kvm->mmu_lock);
	}

	read_lock(&kvm->mmu_lock);
	wrprot_range(sim, root, start, end);
	read_unlock(&kvm->mmu_lock);

	/* unconditionally, and outside mmu_lock as x86 does */
	kvm_flush_remote_tlbs(kvm);
}

/* clear_dirty_pt_masked() with wrprot: 4K leaves lose W, pages go dirty. */
static bool clear_dirty_range(struct kvmpfn_sim *sim, struct x86_sp *sp,
			      gfn_t start, gfn_t end)
{
	unsigned int i, first, last;
	bool changed = false;

	if (!sp_range(sp, start, end, &first, &last))
		return false;
	for (i = first; i <= last; i++) {
		u64 spte = sp->spt[i];

		if (!is_shadow_present_pte(spte))
			continue;
		if (!is_last_spte(spte, sp->level)) {
			struct x86_sp *child = x86_sp_child(x86_mmu(sim), spte);

			changed |= clear_dirty_range(sim, child, start, end);
			continue;
		}
		if (sp->level > PG_LEVEL_4K || !is_writable_pte(spte))
			continue;
		/* tdp_mmu_clear_spte_bits: no handle_changed_spte */
		x86_set_spte(sim, sp, i, spte & ~PT_WRITABLE_MASK, SET_RAW,
			     NULL);
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
		/* the fault that made it writable dirtied the page */
#elif KVMPFN_STAGE >= KVMPFN_STAGE_V7_5
		spte_set_page_ad(spte, true);
#else
		kvm_set_pfn_dirty(spte_to_pfn(spte));
#endif
		changed = true;
	}
	return changed;
}

/* KVM_GET/CLEAR_DIRTY_LOG re-protects what the log just handed out. */
static void x86_clear_dirty(struct kvmpfn_sim *sim,
			    const struct kvm_memory_slot *slot)
{
	struct kvm *kvm = &sim->kvm;
	bool flush;

	x86_enter(sim);
	write_lock(&kvm->mmu_lock);
	flush = clear_dirty_range(sim, x86_mmu(sim)->root[slot->as_id],
				  slot->base_gfn,
				  slot->base_gfn + slot->npages);
	write_unlock(&kvm->mmu_lock);
	if (flush)
		kvm_flush_remote_tlbs(kvm);
}

/* ---- views and checks ------------------------------------------------- */

static void for_each_leaf_sp(struct kvmpfn_sim *sim, struct x86_sp *sp,
			     kvmpfn_leaf_fn fn, void *ctx)
{
	struct kvmpfn_leaf_view v;
	unsigned int i;

	for (i = 0; i < SPTE_ENT_PER_PAGE; i++) {
		u64 spte = sp->spt[i];

		if (!is_shadow_present_pte(spte))
			continue;
		if (!is_last_spte(spte, sp->level)) {
			for_each_leaf_sp(sim, x86_sp_child(x86_mmu(sim), spte),
					 fn, ctx);
			continue;
		}
		leaf_view(sim, sp->as_id, spte, sp->level, x86_sp_gfn(sp, i),
			  &v);
		fn(sim, &v, ctx);
	}
}

static void x86_for_each_leaf(struct kvmpfn_sim *sim, kvmpfn_leaf_fn fn,
			      void *ctx)
{
	int as;

	x86_enter(sim);
	for (as = 0; as < KVM_ADDRESS_SPACE_NUM; as++)
		for_each_leaf_sp(sim, x86_mmu(sim)->root[as], fn, ctx);
}

static int x86_lookup(struct kvmpfn_sim *sim, int as_id, gfn_t gfn,
		      struct kvmpfn_leaf_view *v)
{
	unsigned int idx;
	struct x86_sp *sp = x86_walk(x86_enter(sim), as_id, gfn, &idx);

	if (!sp)
		return -ENOENT;
	leaf_view(sim, as_id, sp->spt[idx], sp->level, x86_sp_gfn(sp, idx), v);
	return v->present ? 0 : -ENOENT;
}

/* One present leaf: I11, and the bits this stage may use. */
static void check_leaf_spte(struct kvmpfn_sim *sim, struct x86_sp *sp,
			    unsigned int idx)
{
	u64 spte = sp->spt[idx];
	gfn_t gfn = x86_sp_gfn(sp, idx);
	const char *err = spte_writable_state_error(spte);

	if (err)
		check_violation(sim, 11, gfn, 0, spte_to_pfn(spte),
				"%s: 0x%llx", err, (unsigned long long)spte);
	if (sp->level > KVM_MAX_HUGEPAGE_LEVEL)
		check_violation(sim, KVMPFN_WARN, gfn, 0, spte_to_pfn(spte),
				"x86: leaf SPTE at level %d", sp->level);
	check_spte_rsvd(sim, spte, sp->level, gfn, true);
#if KVMPFN_STAGE < KVMPFN_STAGE_V7_5 || KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	if (spte & SPTE_MMU_PAGE_REFCOUNTED)
		check_violation(sim, KVMPFN_WARN, gfn, 0, spte_to_pfn(spte),
				"x86: refcounted SPTE bit outside v7.5 .. v7.8");
#endif
}

/* The whole tree: leaves, and that every table is accounted for. */
static void check_tree(struct kvmpfn_sim *sim, struct x86_sp *sp)
{
	struct x86_mmu *mmu = x86_mmu(sim);
	unsigned int i, n = 0;

	for (i = 0; i < SPTE_ENT_PER_PAGE; i++) {
		u64 spte = sp->spt[i];
		struct x86_sp *child;

		if (!is_shadow_present_pte(spte))
			continue;
		n++;
		if (is_last_spte(spte, sp->level)) {
			check_leaf_spte(sim, sp, i);
			continue;
		}
		check_spte_rsvd(sim, spte, sp->level, x86_sp_gfn(sp, i),
				true);
		child = spte_to_pfn(spte) < mmu->nr_frames ?
			x86_sp_child(mmu, spte) : NULL;
		if (!child || child->level != sp->level - 1 ||
		    child->gfn != x86_sp_gfn(sp, i) ||
		    child->as_id != sp->as_id) {
			check_violation(sim, KVMPFN_WARN, x86_sp_gfn(sp, i), 0,
					0, "x86: non-leaf SPTE 0x%llx links no table of its level",
					(unsigned long long)spte);
			continue;
		}
		check_tree(sim, child);
	}
	if (n != sp->nr_present)
		check_violation(sim, KVMPFN_WARN, sp->gfn, 0, 0,
				"x86: level-%d table counts %u present SPTEs, holds %u",
				sp->level, sp->nr_present, n);
}

static void x86_check(struct kvmpfn_sim *sim)
{
	struct x86_mmu *mmu = x86_enter(sim);
	unsigned int idx;
	u32 i;
	int as;

	if (sim->checks == KVMPFN_CHECKS_FULL || mmu->touched_all) {
		for (as = 0; as < KVM_ADDRESS_SPACE_NUM; as++)
			check_tree(sim, mmu->root[as]);
	} else {
		for (i = 0; i < mmu->nr_touched; i++) {
			struct x86_sp *sp = x86_walk(mmu, mmu->touched[i].as_id,
						     mmu->touched[i].gfn, &idx);

			if (sp && is_shadow_present_pte(sp->spt[idx]))
				check_leaf_spte(sim, sp, idx);
		}
	}
	mmu->nr_touched = 0;
	mmu->touched_all = false;
}

_Static_assert((int)X86_PAGING_TDP == (int)KVMPFN_X86_TDP &&
	       (int)X86_PAGING_SHADOW64 == (int)KVMPFN_X86_SHADOW64 &&
	       (int)X86_PAGING_PAE == (int)KVMPFN_X86_PAE &&
	       (int)X86_NR_PAGING == (int)KVMPFN_X86_NR_PAGING,
	       "the public and the model's paging modes agree");

/* The VM's paging mode (kvmpfn_sim_set_x86_paging()). */
static int x86_set_paging(struct kvmpfn_sim *sim, int paging, bool pke)
{
	return x86_tdp_set_paging(sim, (enum x86_paging)paging, pke);
}

const struct kvmpfn_arch_ops KVMPFN_STAGE_SYM(arch_x86) = {
	.name = "x86",
	.seams = &x86_tdp_seam_table,
	.mmu_size = sizeof(struct x86_mmu),
	.init = x86_mmu_init,
	.destroy = x86_mmu_destroy,
	.reset = x86_mmu_reset,
	.fault_begin = x86_fault_begin,
	.fault_finish = x86_fault_finish,
	.unmap_gfn_range = x86_unmap_gfn_range,
	.age_gfn_range = x86_age_gfn_range,
	.flush_memslot = x86_flush_memslot,
	.slot_flags_changed = x86_slot_flags_changed,
	.clear_dirty = x86_clear_dirty,
	.for_each_leaf = x86_for_each_leaf,
	.lookup = x86_lookup,
	.check = x86_check,
	.set_paging = x86_set_paging,
};
