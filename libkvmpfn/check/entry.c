// SPDX-License-Identifier: GPL-2.0
/*
 * Install-time invariants, judged where an architecture changes a
 * second-stage entry (its choke point calls kvmpfn_entry_change()):
 *
 *   I7   a fault installs only if no invalidation of its gfn started or
 *        ended since its sequence snapshot;
 *   I9   a present leaf is not replaced by one with another pfn;
 *   I12  no writable huge leaf in a dirty-logged memslot; and what a fault
 *        logs in the dirty bitmap or marks dirty in struct page is backed
 *        by a writable leaf when the fault attempt ends;
 *   I13  a huge leaf is co-aligned, inside one memslot and no bigger than
 *        the host mapping;
 *   I14  the host mapping level was read after the snapshot.
 */
#include "../kvm/kvm_model.h"

static u64 pages_of(int level)
{
	return 1ULL << (9 * (level - 1));
}

static void check_huge(struct kvmpfn_sim *sim,
		       const struct kvmpfn_leaf_view *v)
{
	u64 n = pages_of(v->level);
	struct kvm_memory_slot *slot;
	unsigned long hva;
	int host = 0;

	slot = kvm_memslot_find(&sim->kvm, v->as_id, v->gfn);
	if ((v->gfn & (n - 1)) || (v->pfn & (n - 1))) {
		check_violation(sim, 13, v->gfn, 0, v->pfn,
				"level-%d leaf not aligned (gfn or pfn)", v->level);
		return;
	}
	if (!slot || v->gfn + n > slot->base_gfn + slot->npages) {
		check_violation(sim, 13, v->gfn, 0, v->pfn,
				"level-%d leaf reaches outside its memslot", v->level);
		return;
	}
	hva = __gfn_to_hva_memslot(slot, v->gfn);
	if ((hva >> PAGE_SHIFT) & (n - 1)) {
		check_violation(sim, 13, v->gfn, hva, v->pfn,
				"level-%d leaf: hva and gpa not co-aligned", v->level);
		return;
	}
	if (kvm_slot_dirty_track_enabled(slot) && v->writable)
		check_violation(sim, 12, v->gfn, hva, v->pfn,
				"writable level-%d leaf in a dirty-logged memslot",
				v->level);
	if (sim->kvm.mmu_invalidate_in_progress)
		return;
	if (!hpt_lookup(&sim->mm, hva, &host, NULL) || host < v->level)
		check_violation(sim, 13, v->gfn, hva, v->pfn,
				"level-%d leaf over a level-%d host mapping",
				v->level, host);
}

/* A fault attempt changed or removed a writable or dirty leaf. */
static void fault_unmapped(struct kvmpfn_sim *sim,
			   const struct kvmpfn_leaf_view *old)
{
	u32 n = sim->nr_fault_unmapped;

	if (n < KVMPFN_MAX_FAULT_DIRTY) {
		sim->fault_unmapped[n].gfn = old->gfn;
		sim->fault_unmapped[n].pfn = old->pfn;
		sim->fault_unmapped[n].pages = pages_of(old->level);
	}
	if (n <= KVMPFN_MAX_FAULT_DIRTY)
		sim->nr_fault_unmapped = n + 1;
}

void kvmpfn_entry_change(struct kvmpfn_sim *sim,
			 const struct kvmpfn_leaf_view *old,
			 const struct kvmpfn_leaf_view *new,
			 struct kvmpfn_fault *f)
{
	struct kvm *kvm = &sim->kvm;

	if (old->present)
		check_touch(sim, old->as_id, old->gfn,
			    old->gfn + pages_of(old->level));
	if (old->present && (old->writable || old->dirty) && sim->faulting)
		fault_unmapped(sim, old);
	if (!new->present)
		return;
	check_touch(sim, new->as_id, new->gfn, new->gfn + pages_of(new->level));
	if (old->present && old->level == new->level && old->pfn != new->pfn)
		check_violation(sim, 9, new->gfn, 0, new->pfn,
				"present leaf for pfn 0x%llx replaced without a zap",
				(unsigned long long)old->pfn);
	if (new->level > 1)
		check_huge(sim, new);
	if (!f)
		return;
	/*
	 * The faulting gfn, as mmu_invalidate_retry_gfn() checks it, not the
	 * whole of a huge leaf: a huge leaf over a range whose invalidation
	 * is open is what the host itself maps when the huge host mapping
	 * was made after that invalidation began (a host that changes part
	 * of a huge mapping invalidates all of it first, which the model's
	 * invalidations do too).
	 */
	if (kvm->mmu_invalidate_seq != f->mmu_seq ||
	    (kvm->mmu_invalidate_in_progress &&
	     f->gfn < kvm->mmu_invalidate_range_end &&
	     f->gfn >= kvm->mmu_invalidate_range_start))
		check_violation(sim, 7, new->gfn, 0, new->pfn,
				"fault installed although an invalidation raced with its lookup");
	if (f->host_read_early)
		check_violation(sim, 14, new->gfn, 0, new->pfn,
				"host mapping read before the invalidation snapshot");
}

void check_fault_dirty_record(struct kvmpfn_sim *sim, gfn_t gfn,
			      unsigned long pfn, bool page)
{
	u32 n;

	if (!sim || !sim->faulting || sim->checks == KVMPFN_CHECKS_OFF)
		return;
	n = sim->nr_fault_dirty;
	/* a fault makes one or two; records past the first few go unjudged */
	if (n == KVMPFN_MAX_FAULT_DIRTY)
		return;
	sim->fault_dirty[n].gfn = gfn;
	sim->fault_dirty[n].pfn = pfn;
	sim->fault_dirty[n].page = page;
	sim->nr_fault_dirty = n + 1;
}

/* Did the attempt take away a writable/dirty leaf over @gfn (or @pfn)? */
static bool was_unmapped(struct kvmpfn_sim *sim, gfn_t gfn, unsigned long pfn,
			 bool page)
{
	u32 i;

	if (sim->nr_fault_unmapped > KVMPFN_MAX_FAULT_DIRTY)
		return true;
	for (i = 0; i < sim->nr_fault_unmapped; i++) {
		u64 first = page ? sim->fault_unmapped[i].pfn :
				   sim->fault_unmapped[i].gfn;
		u64 want = page ? pfn : gfn;

		if (want >= first && want < first + sim->fault_unmapped[i].pages)
			return true;
	}
	return false;
}

/*
 * I12, from the other side (509552e65ae8): a dirty bit or a dirty page
 * says the guest could write there, so the fault that recorded it must
 * leave a writable leaf behind: on the gfn it logged, or mapping the page
 * it dirtied.  Dirty state a writable or dirty leaf hands over when the
 * same attempt zaps or splits it (A/D at zap, ppc's dirty map at unmap)
 * is backed by that leaf.
 */
void check_fault_dirty(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct kvmpfn_leaf_view v;
	u32 i;

	for (i = 0; i < sim->nr_fault_dirty; i++) {
		unsigned long pfn = sim->fault_dirty[i].pfn;
		gfn_t gfn = sim->fault_dirty[i].gfn;
		bool hint;

		if (was_unmapped(sim, gfn, pfn, sim->fault_dirty[i].page))
			continue;
		if (!sim->fault_dirty[i].page) {
			if (!sim->arch->lookup(sim, f->slot->as_id, gfn, &v) &&
			    v.writable)
				continue;
			check_violation(sim, 12, gfn, 0, 0,
					"fault logged gfn 0x%llx dirty with no writable leaf on it",
					(unsigned long long)gfn);
			continue;
		}
		/* the fault's own leaf first: usually the one that backs it */
		hint = !sim->arch->lookup(sim, f->slot->as_id, f->gfn, &v);
		if (!check_pfn_mapped(sim, pfn, true, hint ? &v : NULL))
			check_violation(sim, 12, f->gfn, 0, pfn,
					"fault marked pfn 0x%lx dirty with no writable leaf mapping it",
					pfn);
	}
	sim->nr_fault_dirty = 0;
	sim->nr_fault_unmapped = 0;
}

/*
 * I16 at final (6.13): the fault hands accessed/dirty state to the page it
 * got from GUP when it drops that reference (kvm_release_faultin_page(),
 * dirty if the host allowed writes), and nothing hands anything over when
 * the leaf goes.  So a writable leaf the fault left over a page KVM may
 * mark must find that page (or its folio) dirty already.
 */
void check_fault_ad(struct kvmpfn_sim *sim, struct kvmpfn_fault *f,
		    struct page *page)
{
	struct kvmpfn_leaf_view v;
	unsigned long pfn;

	if (sim->checks == KVMPFN_CHECKS_OFF || PageReserved(page) ||
	    kshim_page_flag(page, PG_free))
		return;
	if (sim->arch->lookup(sim, f->slot->as_id, f->gfn, &v) || !v.writable)
		return;
	if (host_folio_flag(page, PG_dirty))
		return;
	pfn = host_page_to_pfn(&sim->mm, page);
	check_violation(sim, 16, f->gfn, 0, pfn,
			"fault left a writable leaf and released pfn 0x%lx without marking it dirty",
			pfn);
}
