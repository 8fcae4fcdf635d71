// SPDX-License-Identifier: GPL-2.0
/*
 * The reference MMU (stage unit): 4K leaves in a hash table, x86's fault
 * order and x86's use of the core at each stage.  It is the baseline the
 * architecture models are compared against, and the smallest complete
 * implementation of struct kvmpfn_arch_ops.
 *
 *   legacy..v7.3  __gfn_to_pfn_memslot() with a reference, released with
 *                 kvm_release_pfn_clean() after the install; A/D pushed to
 *                 struct page when a leaf is zapped.
 *   v7.4          __kvm_follow_pfn() with FOLL_GET, same reference rules.
 *   v7.5..v7.8    no FOLL_GET: nothing to release; a leaf remembers whether
 *                 its pfn is a refcounted page and only such leaves touch
 *                 struct page, under mmu_lock.
 *   final         6.13: __kvm_faultin_pfn() returns GUP's page with its
 *                 reference, or no page for a remapped pfn;
 *                 kvm_release_faultin_page() under mmu_lock marks it
 *                 accessed, and dirty if the host allowed writes, then
 *                 drops it.  A zap hands nothing to struct page.
 *
 * The v7.5 patch as posted marked the page accessed after dropping
 * mmu_lock (fixed in v8); the model does it under the lock, as v8 did.
 */
#include <stdlib.h>

#include <linux/kvm_host.h>

#include "gmap.h"
#include "kvm_model.h"

static struct gmap *ref_gmap(struct kvmpfn_sim *sim)
{
	return kvmpfn_arch_mmu(sim);
}

static void view_of(const struct gmap_leaf *e, struct kvmpfn_leaf_view *v)
{
	v->present = e && e->present;
	if (!v->present)
		return;
	v->as_id = e->as_id;
	v->level = 1;
	v->gfn = e->gfn;
	v->pfn = e->pfn;
	v->writable = e->writable;
	v->refcounted = e->refcounted;
	v->accessed = e->accessed;
	v->dirty = e->dirty;
}

/* The choke point: every leaf change goes through here. */
static void ref_set_leaf(struct kvmpfn_sim *sim, struct gmap_leaf *old,
			 const struct gmap_leaf *new, struct kvmpfn_fault *f)
{
	struct kvmpfn_leaf_view ov = { 0 }, nv = { 0 };

	lockdep_assert_held(&sim->kvm.mmu_lock);
	view_of(old, &ov);
	view_of(new, &nv);
	kvmpfn_entry_change(sim, &ov, &nv, f);
	if (new)
		gmap_install(ref_gmap(sim), new);
	else if (old)
		gmap_remove(ref_gmap(sim), old);
}

static void ref_lookup_pfn(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct kvmpfn_pfn_info *info = &f->info;
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	bool writable;

	info->pfn = __kvm_faultin_pfn(f->slot, f->gfn,
				      f->write ? FOLL_WRITE : 0, &writable,
				      &info->page);
	info->hva = gfn_to_hva_memslot(f->slot, f->gfn);
	info->writable = writable;
	info->refcounted = info->page;
	info->holds_ref = info->page;
#elif KVMPFN_STAGE >= KVMPFN_STAGE_V7_4
	struct kvm_follow_pfn foll = {
		.slot = f->slot,
		.gfn = f->gfn,
		.flags = f->write ? FOLL_WRITE : 0,
		.allow_write_mapping = true,
		.guarded_by_mmu_notifier = true,
	};

#if KVMPFN_STAGE < KVMPFN_STAGE_V7_5
	foll.flags |= FOLL_GET;
#endif
	info->pfn = __kvm_follow_pfn(&foll);
	info->hva = foll.hva;
	info->writable = foll.writable;
	info->refcounted = foll.is_refcounted_page;
	info->holds_ref = foll.is_refcounted_page && (foll.flags & FOLL_GET);
#else
	bool writable = false;

	info->pfn = __gfn_to_pfn_memslot(f->slot, f->gfn, false, false, NULL,
					 f->write, &writable, &info->hva);
	info->writable = writable;
	info->refcounted = !is_error_noslot_pfn(info->pfn) &&
			   kvm_pfn_to_refcounted_page(info->pfn);
	info->holds_ref = info->refcounted;
#endif
	(void)sim;
}

static int ref_fault_begin(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	if (f->slot->flags & KVM_MEMSLOT_INVALID)
		return -EAGAIN;

	/* finish looks the leaf up; the pfn lookup hides the cache miss */
	gmap_prefetch(ref_gmap(sim), f->gfn);

	f->root_gen = sim->root_gen;
	kvmpfn_fault_snapshot(sim, f);

	ref_lookup_pfn(sim, f);
	return 0;
}

static int ref_fault_finish(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct kvm *kvm = &sim->kvm;
	struct gmap_leaf leaf = { 0 };
	int r = 0;

	write_lock(&kvm->mmu_lock);
	/* a memslot delete/move made the root this fault walks obsolete */
	if ((f->root_gen != sim->root_gen && sim->bug != KVMPFN_B13) ||
	    (!kvmpfn_ref_seam_no_retry() &&
	     mmu_invalidate_retry_gfn(kvm, f->mmu_seq, f->gfn))) {
		r = -EAGAIN;
		goto out_unlock;
	}

	leaf.gfn = f->gfn;
	leaf.pfn = f->info.pfn;
	leaf.slot_id = f->slot->id;
	leaf.as_id = f->slot->as_id;
	leaf.present = true;
	leaf.writable = f->info.writable;
	leaf.refcounted = f->info.refcounted;
	leaf.accessed = true;
	leaf.dirty = f->write && f->info.writable;
	ref_set_leaf(sim, gmap_lookup(ref_gmap(sim), f->gfn), &leaf, f);
	/*
	 * Like make_spte(): any writable leaf in a logged slot is logged at
	 * creation, since the guest may write through it without a fault.
	 */
	if (leaf.writable)
		mark_page_dirty_in_slot(kvm, f->slot, f->gfn);
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5 && KVMPFN_STAGE < KVMPFN_STAGE_FINAL
	if (f->info.refcounted && sim->bug != KVMPFN_B17)
		kvm_set_pfn_accessed(f->info.pfn);
#endif

out_unlock:
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	kvm_release_faultin_page(kvm, f->info.page, r, f->info.writable);
	f->info.page = NULL;
	write_unlock(&kvm->mmu_lock);
#else
	write_unlock(&kvm->mmu_lock);
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5
	/* B17: v7 as posted, with no reference and no lock held */
	if (!r && f->info.refcounted && sim->bug == KVMPFN_B17)
		kvm_set_pfn_accessed(f->info.pfn);
#endif
	if (f->info.holds_ref)
		kvm_release_pfn_clean(f->info.pfn);
#endif
	f->info.holds_ref = false;
	return r;
}

/* A leaf is going away under mmu_lock: hand its A/D bits to the page. */
static void ref_leaf_zapped(struct gmap_leaf *e)
{
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	/* the fault that made the leaf told the page already */
	(void)e;
#else
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5
	/* only a leaf that says its page is refcounted may touch the page */
	if (!e->refcounted)
		return;
#endif
	if (e->dirty)
		kvm_set_pfn_dirty(e->pfn);
	if (e->accessed)
		kvm_set_pfn_accessed(e->pfn);
#endif
}

/* Call @fn on each leaf of @as_id in [start, end); @fn may remove it. */
static bool ref_walk(struct kvmpfn_sim *sim, int as_id, gfn_t start,
		     gfn_t end, bool (*fn)(struct kvmpfn_sim *,
					   struct gmap_leaf *))
{
	struct gmap *g = ref_gmap(sim);
	gfn_t gfn, *found;
	bool ret = false;
	u64 i, n = 0;

	if (!g->nr)
		return false;
	found = end - start > g->cap && g->nr ?
		malloc(g->nr * sizeof(*found)) : NULL;
	if (!found) {
		for (gfn = start; gfn < end; gfn++) {
			struct gmap_leaf *e = gmap_lookup(g, gfn);

			if (e && e->as_id == as_id)
				ret |= fn(sim, e);
		}
		return ret;
	}
	/* collect first: removals move entries around the table */
	for (i = 0; i < g->cap; i++)
		if (g->slots[i].present && g->slots[i].as_id == as_id &&
		    g->slots[i].gfn >= start && g->slots[i].gfn < end)
			found[n++] = g->slots[i].gfn;
	for (i = 0; i < n; i++)
		ret |= fn(sim, gmap_lookup(g, found[i]));
	free(found);
	return ret;
}

static bool zap_one(struct kvmpfn_sim *sim, struct gmap_leaf *e)
{
	ref_leaf_zapped(e);
	ref_set_leaf(sim, e, NULL, NULL);
	return true;
}

static bool ref_unmap_gfn_range(struct kvmpfn_sim *sim, int as_id,
				gfn_t start, gfn_t end)
{
	bool flush = ref_walk(sim, as_id, start, end, zap_one);

	if (flush)
		kvmpfn_tlb_stale(sim);
	return flush;
}

static bool age_one(struct kvmpfn_sim *sim, struct gmap_leaf *e)
{
	struct gmap_leaf young = *e;

	if (!e->accessed)
		return false;
	young.accessed = false;
	ref_set_leaf(sim, e, &young, NULL);
	return true;
}

static bool ref_age_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
			      gfn_t end)
{
	return ref_walk(sim, as_id, start, end, age_one);
}

static void ref_flush_memslot(struct kvmpfn_sim *sim,
			      const struct kvm_memory_slot *slot)
{
	write_lock(&sim->kvm.mmu_lock);
	if (ref_unmap_gfn_range(sim, slot->as_id, slot->base_gfn,
				slot->base_gfn + slot->npages))
		kvm_flush_remote_tlbs(&sim->kvm);
	write_unlock(&sim->kvm.mmu_lock);
}

/* Write-protect so that the next write faults and gets logged. */
static bool wrprot_one(struct kvmpfn_sim *sim, struct gmap_leaf *e)
{
	struct gmap_leaf ro = *e;

	if (!e->writable)
		return false;
	ro.writable = false;
	ref_set_leaf(sim, e, &ro, NULL);
	return true;
}

static void ref_wrprot_slot(struct kvmpfn_sim *sim,
			    const struct kvm_memory_slot *slot)
{
	write_lock(&sim->kvm.mmu_lock);
	if (ref_walk(sim, slot->as_id, slot->base_gfn,
		     slot->base_gfn + slot->npages, wrprot_one)) {
		kvmpfn_tlb_stale(sim);
		kvm_flush_remote_tlbs(&sim->kvm);
	}
	write_unlock(&sim->kvm.mmu_lock);
}

static void ref_slot_flags_changed(struct kvmpfn_sim *sim,
				   const struct kvm_memory_slot *slot,
				   u32 old_flags)
{
	if ((slot->flags & ~old_flags) & KVM_MEM_LOG_DIRTY_PAGES)
		ref_wrprot_slot(sim, slot);
}

static void ref_for_each_leaf(struct kvmpfn_sim *sim, kvmpfn_leaf_fn fn,
			      void *ctx)
{
	struct gmap *g = ref_gmap(sim);
	struct kvmpfn_leaf_view v;
	u64 i;

	for (i = 0; i < g->cap; i++) {
		if (!g->slots[i].present)
			continue;
		view_of(&g->slots[i], &v);
		fn(sim, &v, ctx);
	}
}

static int ref_lookup(struct kvmpfn_sim *sim, int as_id, gfn_t gfn,
		      struct kvmpfn_leaf_view *v)
{
	struct gmap_leaf *e = gmap_lookup(ref_gmap(sim), gfn);

	if (!e || e->as_id != as_id)
		return -ENOENT;
	view_of(e, v);
	return 0;
}

static void ref_destroy(struct kvmpfn_sim *sim, void *mmu)
{
	(void)sim;
	gmap_destroy(mmu);
}

/* an empty table is a fresh one: its size decides the leaves' order */
static __no_fuzz_cov int ref_reset(struct kvmpfn_sim *sim, void *mmu)
{
	(void)sim;
	gmap_destroy(mmu);
	return 0;
}

const struct kvmpfn_arch_ops KVMPFN_STAGE_SYM(arch_ref) = {
	.name = "ref",
	.seams = &kvmpfn_ref_seam_table,
	.mmu_size = sizeof(struct gmap),
	.destroy = ref_destroy,
	.reset = ref_reset,
	.fault_begin = ref_fault_begin,
	.fault_finish = ref_fault_finish,
	.unmap_gfn_range = ref_unmap_gfn_range,
	.age_gfn_range = ref_age_gfn_range,
	.flush_memslot = ref_flush_memslot,
	.slot_flags_changed = ref_slot_flags_changed,
	.clear_dirty = ref_wrprot_slot,
	.for_each_leaf = ref_for_each_leaf,
	.lookup = ref_lookup,
};
