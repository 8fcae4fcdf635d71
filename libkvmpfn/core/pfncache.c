// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmpfn core: the gfn => pfn cache of virt/kvm/pfncache.c, reduced to the
 * gpa-keyed, single-page case that the series touches.
 *
 * A cache keeps a kernel mapping of a guest page without holding a
 * reference: the mmu_notifier clears ->valid before the host mapping can
 * change, and a refresh publishes a pfn only if no invalidation ran while
 * it was being resolved.
 */
#include <linux/kvm_host.h>
#include <linux/mm.h>

#include "kvm_mm.h"

void gfn_to_pfn_cache_invalidate_start(struct kvm *kvm, unsigned long start,
				       unsigned long end)
{
	struct gfn_to_pfn_cache *gpc;

	read_lock(&kvm->gpc_lock);
	for (gpc = kvm->gpc_list; gpc; gpc = gpc->next) {
		write_lock(&gpc->lock);
		if (gpc->valid && !is_error_noslot_pfn(gpc->pfn) &&
		    gpc->uhva >= start && gpc->uhva < end)
			gpc->valid = false;
		write_unlock(&gpc->lock);
	}
	read_unlock(&kvm->gpc_lock);
}

bool kvm_gpc_check(struct gfn_to_pfn_cache *gpc, unsigned long len)
{
	struct kvm_memslots *slots = &gpc->kvm->memslots[0];

	if (!gpc->active || !gpc->valid)
		return false;

	if (gpc->generation != slots->generation)
		return false;

	if (kvm_is_error_hva(gpc->uhva))
		return false;

	return offset_in_page(gpc->gpa) + len <= PAGE_SIZE;
}

static void *gpc_map(kvm_pfn_t pfn)
{
	if (pfn_valid(pfn))
		return kmap(pfn_to_page(pfn));

	return memremap(pfn_to_hpa(pfn), PAGE_SIZE, MEMREMAP_WB);
}

static void gpc_unmap(kvm_pfn_t pfn, void *khva)
{
	if (is_error_noslot_pfn(pfn) || !khva)
		return;

	if (pfn_valid(pfn))
		kunmap(pfn_to_page(pfn));
	else
		memunmap(khva);
}

/*
 * Caches are invalidated before mmu_invalidate_in_progress is raised, so
 * the count of notifiers between start and end is what tells a refresh
 * that its result may already be stale.
 */
static bool mmu_notifier_retry_cache(struct kvm *kvm, unsigned long mmu_seq)
{
	if (kvm->mn_active_invalidate_count)
		return true;

	/* Pairs with the smp_wmb() between seq++ and the count drop. */
	smp_rmb();
	return kvm->mmu_invalidate_seq != mmu_seq;
}

static kvm_pfn_t gpc_resolve(struct gfn_to_pfn_cache *gpc)
{
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_2
	struct kvm_follow_pfn foll = {
		.slot = gpc->memslot,
		.gfn = gpc->gpa >> PAGE_SHIFT,
		.flags = FOLL_WRITE,
	};

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_3
	/* The page is dropped after publishing but needed until then. */
	foll.flags |= FOLL_GET;
#endif
	foll.hva = gpc->uhva & PAGE_MASK;
	return hva_to_pfn(&foll);
#else
	return hva_to_pfn(gpc->uhva & PAGE_MASK, false, false, NULL, true,
			  NULL);
#endif
}

static int hva_to_pfn_retry(struct gfn_to_pfn_cache *gpc)
{
	void *old_khva = (void *)((uintptr_t)gpc->khva & PAGE_MASK);
	kvm_pfn_t new_pfn = KVM_PFN_ERR_FAULT;
	void *new_khva = NULL;
	unsigned long mmu_seq;

	lockdep_assert_held(&gpc->lock);

	/* Readers must not use the old pfn while the lock is dropped. */
	gpc->valid = false;

	do {
		mmu_seq = gpc->kvm->mmu_invalidate_seq;
		/* Read the sequence before anything the lookup reads. */
		smp_rmb();

		write_unlock(&gpc->lock);

		/* A previous attempt was overtaken by an invalidation. */
		if (new_pfn != KVM_PFN_ERR_FAULT) {
			if (new_khva != old_khva)
				gpc_unmap(new_pfn, new_khva);
			kvm_release_pfn_clean(new_pfn);
			cond_resched();
		}

		new_pfn = gpc_resolve(gpc);
		if (is_error_noslot_pfn(new_pfn))
			goto out_error;

		if (new_pfn == gpc->pfn)
			new_khva = old_khva;
		else
			new_khva = gpc_map(new_pfn);

		if (!new_khva) {
			kvm_release_pfn_clean(new_pfn);
			goto out_error;
		}

		write_lock(&gpc->lock);
		WARN_ON_ONCE(gpc->valid);
#ifdef KVMPFN_MUTANTS
		/* B7: publish without rechecking for invalidations */
		if (kvmpfn_mutant(KVMPFN_B7))
			break;
#endif
	} while (mmu_notifier_retry_cache(gpc->kvm, mmu_seq));

	gpc->valid = true;
	gpc->pfn = new_pfn;
	gpc->khva = (char *)new_khva + offset_in_page(gpc->uhva);

	/* From here on the notifier, not a reference, keeps the page. */
#ifdef KVMPFN_MUTANTS
	/* B6: the reuse path keeps the extra reference */
	if (kvmpfn_mutant(KVMPFN_B6) && new_khva == old_khva)
		return 0;
#endif
	kvm_release_pfn_clean(new_pfn);
	return 0;

out_error:
	write_lock(&gpc->lock);
	return -EFAULT;
}

static int __kvm_gpc_refresh(struct gfn_to_pfn_cache *gpc, gpa_t gpa)
{
	struct kvm_memslots *slots = &gpc->kvm->memslots[0];
	unsigned long old_uhva;
	kvm_pfn_t old_pfn;
	void *old_khva;
	int ret;

	write_lock(&gpc->lock);

	if (!gpc->active) {
		ret = -EINVAL;
		goto out_unlock;
	}

	old_pfn = gpc->pfn;
	old_khva = (void *)((uintptr_t)gpc->khva & PAGE_MASK);
	old_uhva = gpc->uhva & PAGE_MASK;

	if (gpc->gpa != gpa || gpc->generation != slots->generation ||
	    kvm_is_error_hva(gpc->uhva)) {
		gfn_t gfn = gpa >> PAGE_SHIFT;

		gpc->gpa = gpa;
		gpc->generation = slots->generation;
		gpc->memslot = gfn_to_memslot(gpc->kvm, gfn);
		gpc->uhva = gfn_to_hva_memslot(gpc->memslot, gfn);
		if (kvm_is_error_hva(gpc->uhva)) {
			ret = -EFAULT;
			goto out;
		}
	}
	gpc->uhva = (gpc->uhva & PAGE_MASK) + offset_in_page(gpa);

	if (!gpc->valid || (gpc->uhva & PAGE_MASK) != old_uhva)
		ret = hva_to_pfn_retry(gpc);
	else
		ret = 0;

out:
	/* Leave nothing half-set: an error invalidates the cache. */
	if (ret) {
		gpc->valid = false;
		gpc->pfn = KVM_PFN_ERR_FAULT;
		gpc->khva = NULL;
	}

	/* The old mapping goes unless the refresh kept it. */
	if (old_pfn != gpc->pfn || ret)
		gpc_unmap(old_pfn, old_khva);

out_unlock:
	write_unlock(&gpc->lock);
	return ret;
}

int kvm_gpc_refresh(struct gfn_to_pfn_cache *gpc, unsigned long len)
{
	if (offset_in_page(gpc->gpa) + len > PAGE_SIZE)
		return -EINVAL;

	return __kvm_gpc_refresh(gpc, gpc->gpa);
}

int kvm_gpc_activate(struct gfn_to_pfn_cache *gpc, gpa_t gpa,
		     unsigned long len)
{
	struct kvm *kvm = gpc->kvm;

	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return -EINVAL;

	if (!gpc->active) {
		write_lock(&kvm->gpc_lock);
		gpc->next = kvm->gpc_list;
		kvm->gpc_list = gpc;
		write_unlock(&kvm->gpc_lock);

		write_lock(&gpc->lock);
		gpc->active = true;
		write_unlock(&gpc->lock);
	}
	return __kvm_gpc_refresh(gpc, gpa);
}

void kvm_gpc_deactivate(struct gfn_to_pfn_cache *gpc)
{
	struct kvm *kvm = gpc->kvm;
	struct gfn_to_pfn_cache **pp;
	kvm_pfn_t old_pfn;
	void *old_khva;

	if (!gpc->active)
		return;

	write_lock(&gpc->lock);
	gpc->active = false;
	gpc->valid = false;
	old_khva = gpc->khva;
	gpc->khva = NULL;
	old_pfn = gpc->pfn;
	gpc->pfn = KVM_PFN_ERR_FAULT;
	write_unlock(&gpc->lock);

	write_lock(&kvm->gpc_lock);
	for (pp = &kvm->gpc_list; *pp; pp = &(*pp)->next) {
		if (*pp == gpc) {
			*pp = gpc->next;
			break;
		}
	}
	write_unlock(&kvm->gpc_lock);

	gpc_unmap(old_pfn, (void *)((uintptr_t)old_khva & PAGE_MASK));
}
