// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmpfn core: the gfn => pfn cache of virt/kvm/pfncache.c.
 *
 * A cache keeps a kernel mapping of one guest page (found by gpa through
 * the memslots, or by a userspace address alone) without holding a
 * reference on it: the mmu_notifier clears ->valid before the host mapping
 * can change, and a refresh publishes a pfn only if no invalidation ran
 * while it was resolving it.  Refreshes are serialised by ->refresh_lock,
 * and everything that can sleep (resolving, mapping, unmapping) runs with
 * ->lock dropped.
 *
 * The functions are 6.12's; gpc_resolve() is the one addition, the lookup
 * as each stage spells it.  kernel-port/cocci/pfncache-resolve.cocci
 * makes the tree's hva_to_pfn_retry() call it.
 */
#include <linux/kvm_host.h>
#include <linux/kvm.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/errno.h>

#include "kvm_mm.h"

/* Called by the mmu_notifier before the range's host mappings change. */
void gfn_to_pfn_cache_invalidate_start(struct kvm *kvm, unsigned long start,
				       unsigned long end)
{
	struct gfn_to_pfn_cache *gpc;

	spin_lock(&kvm->gpc_lock);
	list_for_each_entry(gpc, &kvm->gpc_list, list) {
		read_lock_irq(&gpc->lock);

		/* A cache maps one page, so its start address decides. */
		if (gpc->valid && !is_error_noslot_pfn(gpc->pfn) &&
		    gpc->uhva >= start && gpc->uhva < end) {
			read_unlock_irq(&gpc->lock);

			/*
			 * The cache may have changed between the two locks;
			 * test again before invalidating it.
			 */
			write_lock_irq(&gpc->lock);
			if (gpc->valid && !is_error_noslot_pfn(gpc->pfn) &&
			    gpc->uhva >= start && gpc->uhva < end)
				gpc->valid = false;
			write_unlock_irq(&gpc->lock);
			continue;
		}

		read_unlock_irq(&gpc->lock);
	}
	spin_unlock(&kvm->gpc_lock);
}

static bool kvm_gpc_is_valid_len(gpa_t gpa, unsigned long uhva,
				 unsigned long len)
{
	unsigned long offset = kvm_is_error_gpa(gpa) ? offset_in_page(uhva) :
						       offset_in_page(gpa);

	/* An access through the cache may not cross into the next page. */
	return offset + len <= PAGE_SIZE;
}

bool kvm_gpc_check(struct gfn_to_pfn_cache *gpc, unsigned long len)
{
	struct kvm_memslots *slots = kvm_memslots(gpc->kvm);

	if (!gpc->active)
		return false;

	/* A gpa-keyed cache is stale once the memslots have changed. */
	if (!kvm_is_error_gpa(gpc->gpa) && gpc->generation != slots->generation)
		return false;

	if (kvm_is_error_hva(gpc->uhva))
		return false;

	if (!kvm_gpc_is_valid_len(gpc->gpa, gpc->uhva, len))
		return false;

	if (!gpc->valid)
		return false;

	return true;
}

static void *gpc_map(kvm_pfn_t pfn)
{
	if (pfn_valid(pfn))
		return kmap(pfn_to_page(pfn));

#ifdef CONFIG_HAS_IOMEM
	return memremap(pfn_to_hpa(pfn), PAGE_SIZE, MEMREMAP_WB);
#else
	return NULL;
#endif
}

static void gpc_unmap(kvm_pfn_t pfn, void *khva)
{
	/* Nothing was mapped for an error pfn or a failed map. */
	if (is_error_noslot_pfn(pfn) || !khva)
		return;

	if (pfn_valid(pfn)) {
		kunmap(pfn_to_page(pfn));
		return;
	}

#ifdef CONFIG_HAS_IOMEM
	memunmap(khva);
#endif
}

static inline bool mmu_notifier_retry_cache(struct kvm *kvm,
					    unsigned long mmu_seq)
{
	/*
	 * Caches are invalidated before mmu_invalidate_in_progress is raised,
	 * so the count of notifiers between start and end is what says an
	 * invalidation may be running.  It is raised before the notifier
	 * takes gpc->lock and dropped only after the sequence moved, so
	 * reading it without gpc->lock is enough.
	 */
	if (kvm->mn_active_invalidate_count)
		return true;

	/*
	 * Read the count before the sequence (pairs with the smp_wmb() in
	 * the notifier's end): either the count is still raised or the
	 * sequence has already moved.
	 */
	smp_rmb();
	return kvm->mmu_invalidate_seq != mmu_seq;
}

#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
/*
 * The pfn behind the cache's hva; *@page gets GUP's page and reference,
 * NULL for a remapped pfn.
 */
static kvm_pfn_t gpc_resolve(struct gfn_to_pfn_cache *gpc, struct page **page)
{
	struct kvm_follow_pfn kfp = {
		.slot = gpc->memslot,
		.gfn = gpa_to_gfn(gpc->gpa),
		.flags = FOLL_WRITE,
		.hva = gpc->uhva,
		.refcounted_page = page,
	};

	return hva_to_pfn(&kfp);
}
#else
/* The pfn behind the cache's hva (an HVA-only cache has no memslot). */
static kvm_pfn_t gpc_resolve(struct gfn_to_pfn_cache *gpc)
{
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_2
	struct kvm_follow_pfn foll = {
		.hva = gpc->uhva,
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_3
		/* Held until published; the notifier guards it from then. */
		.flags = FOLL_GET | FOLL_WRITE,
#else
		.flags = FOLL_WRITE,
#endif
	};

	return hva_to_pfn(&foll);
#else
	return hva_to_pfn(gpc->uhva, false, false, NULL, true, NULL);
#endif
}
#endif

static kvm_pfn_t hva_to_pfn_retry(struct gfn_to_pfn_cache *gpc)
{
	/* The caller may have moved the offset in the page: align both. */
	void *old_khva = (void *)PAGE_ALIGN_DOWN((uintptr_t)gpc->khva);
	kvm_pfn_t new_pfn = KVM_PFN_ERR_FAULT;
	void *new_khva = NULL;
	unsigned long mmu_seq;
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	struct page *page;
#endif

	lockdep_assert_held(&gpc->refresh_lock);

	lockdep_assert_held_write(&gpc->lock);

	/*
	 * gpa, uhva and generation already describe the new target, so
	 * kvm_gpc_check() in another task could pass while the lock is
	 * dropped below: only ->valid can stop it.
	 */
	gpc->valid = false;

	do {
		mmu_seq = gpc->kvm->mmu_invalidate_seq;
		/* Read the sequence before anything the lookup reads. */
		smp_rmb();

		write_unlock_irq(&gpc->lock);

		/*
		 * An invalidation overtook the last attempt: drop what it
		 * got.  Unmapping may sleep, hence here without the lock,
		 * which also makes it a good moment to yield.
		 */
		if (new_pfn != KVM_PFN_ERR_FAULT) {
			/* The old mapping was reused, not made: keep it. */
			if (new_khva != old_khva)
				gpc_unmap(new_pfn, new_khva);

#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
			kvm_release_page_unused(page);
#else
			kvm_release_pfn_clean(new_pfn);
#endif

			cond_resched();
		}

		/* The cache always asks for a writable page. */
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
		new_pfn = gpc_resolve(gpc, &page);
#else
		new_pfn = gpc_resolve(gpc);
#endif
		if (is_error_noslot_pfn(new_pfn))
			goto out_error;

		/*
		 * kmap() and memremap() may sleep too, so the kernel mapping
		 * is made without the lock; the current one is reused if the
		 * pfn did not change.
		 */
		if (new_pfn == gpc->pfn)
			new_khva = old_khva;
		else
			new_khva = gpc_map(new_pfn);

		if (!new_khva) {
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
			kvm_release_page_unused(page);
#else
			kvm_release_pfn_clean(new_pfn);
#endif
			goto out_error;
		}

		write_lock_irq(&gpc->lock);

		/* refresh_lock keeps any other refresh from publishing. */
		WARN_ON_ONCE(gpc->valid);
#ifdef KVMPFN_MUTANTS
		/* B7: publish without rechecking for invalidations */
		if (kvmpfn_mutant(KVMPFN_B7))
			break;
#endif
	} while (mmu_notifier_retry_cache(gpc->kvm, mmu_seq));

	gpc->valid = true;
	gpc->pfn = new_pfn;
	gpc->khva = new_khva + offset_in_page(gpc->uhva);

	/*
	 * From here on the notifier, not a reference, keeps the page: it
	 * may move or go away, and the cache will be invalidated first.
	 */
#ifdef KVMPFN_MUTANTS
	/* B6: the reuse path keeps the extra reference */
	if (kvmpfn_mutant(KVMPFN_B6) && new_khva == old_khva)
		return 0;
#endif
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	kvm_release_page_clean(page);
#else
	kvm_release_pfn_clean(new_pfn);
#endif

	return 0;

out_error:
	write_lock_irq(&gpc->lock);

	return -EFAULT;
}

static int __kvm_gpc_refresh(struct gfn_to_pfn_cache *gpc, gpa_t gpa,
			     unsigned long uhva)
{
	unsigned long page_offset;
	bool unmap_old = false;
	unsigned long old_uhva;
	kvm_pfn_t old_pfn;
	bool hva_change = false;
	void *old_khva;
	int ret;

	/* A cache is keyed by exactly one of the two. */
	if (WARN_ON_ONCE(kvm_is_error_gpa(gpa) == kvm_is_error_hva(uhva)))
		return -EINVAL;

	lockdep_assert_held(&gpc->refresh_lock);

	write_lock_irq(&gpc->lock);

	if (!gpc->active) {
		ret = -EINVAL;
		goto out_unlock;
	}

	old_pfn = gpc->pfn;
	old_khva = (void *)PAGE_ALIGN_DOWN((uintptr_t)gpc->khva);
	old_uhva = PAGE_ALIGN_DOWN(gpc->uhva);

	if (kvm_is_error_gpa(gpa)) {
		page_offset = offset_in_page(uhva);

		gpc->gpa = INVALID_GPA;
		gpc->memslot = NULL;
		gpc->uhva = PAGE_ALIGN_DOWN(uhva);

		if (gpc->uhva != old_uhva)
			hva_change = true;
	} else {
		struct kvm_memslots *slots = kvm_memslots(gpc->kvm);

		page_offset = offset_in_page(gpa);

		if (gpc->gpa != gpa || gpc->generation != slots->generation ||
		    kvm_is_error_hva(gpc->uhva)) {
			gfn_t gfn = gpa_to_gfn(gpa);

			gpc->gpa = gpa;
			gpc->generation = slots->generation;
			gpc->memslot = __gfn_to_memslot(slots, gfn);
			gpc->uhva = gfn_to_hva_memslot(gpc->memslot, gfn);

			if (kvm_is_error_hva(gpc->uhva)) {
				ret = -EFAULT;
				goto out;
			}

			/* A new gpa or new memslots may give the same hva. */
			if (gpc->uhva != old_uhva)
				hva_change = true;
		} else {
			gpc->uhva = old_uhva;
		}
	}

	/* hva_to_pfn_retry() derives the new khva from this offset. */
	gpc->uhva += page_offset;

	/* Resolve again if the page changed or the cache was invalidated. */
	if (!gpc->valid || hva_change) {
		ret = hva_to_pfn_retry(gpc);
	} else {
		/*
		 * Same page, still valid: keep the mapping, only the offset
		 * into it may differ.
		 */
		gpc->khva = old_khva + page_offset;
		ret = 0;
		goto out_unlock;
	}

out:
	/*
	 * A failed refresh leaves no pfn or mapping behind.  What it learnt
	 * of gpa, uhva and generation may still be right, so it stays.
	 */
	if (ret) {
		gpc->valid = false;
		gpc->pfn = KVM_PFN_ERR_FAULT;
		gpc->khva = NULL;
	}

	/* Decide under the lock; unmap after dropping it, as it may sleep. */
	unmap_old = (old_pfn != gpc->pfn);

out_unlock:
	write_unlock_irq(&gpc->lock);

	if (unmap_old)
		gpc_unmap(old_pfn, old_khva);

	return ret;
}

int kvm_gpc_refresh(struct gfn_to_pfn_cache *gpc, unsigned long len)
{
	unsigned long uhva;

	guard(mutex)(&gpc->refresh_lock);

	if (!kvm_gpc_is_valid_len(gpc->gpa, gpc->uhva, len))
		return -EINVAL;

	/*
	 * A gpa-keyed cache recomputes its hva when it needs to, so only an
	 * HVA-only cache passes the hva it has.
	 */
	uhva = kvm_is_error_gpa(gpc->gpa) ? gpc->uhva : KVM_HVA_ERR_BAD;

	return __kvm_gpc_refresh(gpc, gpc->gpa, uhva);
}

void kvm_gpc_init(struct gfn_to_pfn_cache *gpc, struct kvm *kvm)
{
	rwlock_init(&gpc->lock);
	mutex_init(&gpc->refresh_lock);

	gpc->kvm = kvm;
	gpc->pfn = KVM_PFN_ERR_FAULT;
	gpc->gpa = INVALID_GPA;
	gpc->uhva = KVM_HVA_ERR_BAD;
	gpc->active = false;
	gpc->valid = false;
}

static int __kvm_gpc_activate(struct gfn_to_pfn_cache *gpc, gpa_t gpa,
			      unsigned long uhva, unsigned long len)
{
	struct kvm *kvm = gpc->kvm;

	if (!kvm_gpc_is_valid_len(gpa, uhva, len))
		return -EINVAL;

	guard(mutex)(&gpc->refresh_lock);

	if (!gpc->active) {
		/* An inactive cache was invalidated when it was deactivated. */
		if (KVM_BUG_ON(gpc->valid, kvm))
			return -EIO;

		spin_lock(&kvm->gpc_lock);
		list_add(&gpc->list, &kvm->gpc_list);
		spin_unlock(&kvm->gpc_lock);

		/*
		 * Only a listed cache sees invalidations, so it may become
		 * active (and refreshable) only after it is on the list.
		 */
		write_lock_irq(&gpc->lock);
		gpc->active = true;
		write_unlock_irq(&gpc->lock);
	}
	return __kvm_gpc_refresh(gpc, gpa, uhva);
}

int kvm_gpc_activate(struct gfn_to_pfn_cache *gpc, gpa_t gpa,
		     unsigned long len)
{
	/* INVALID_GPA is what marks an HVA-only cache: not a valid key here. */
	if (WARN_ON_ONCE(kvm_is_error_gpa(gpa)))
		return -EINVAL;

	return __kvm_gpc_activate(gpc, gpa, KVM_HVA_ERR_BAD, len);
}

int kvm_gpc_activate_hva(struct gfn_to_pfn_cache *gpc, unsigned long uhva,
			 unsigned long len)
{
	if (!access_ok((void __user *)uhva, len))
		return -EINVAL;

	return __kvm_gpc_activate(gpc, INVALID_GPA, uhva, len);
}

void kvm_gpc_deactivate(struct gfn_to_pfn_cache *gpc)
{
	struct kvm *kvm = gpc->kvm;
	kvm_pfn_t old_pfn;
	void *old_khva;

	guard(mutex)(&gpc->refresh_lock);

	if (gpc->active) {
		/*
		 * Turn it off while still listed: until gpc->lock drops,
		 * users may still read it, and invalidations must still
		 * reach it; after that a refresh can no longer succeed.
		 */
		write_lock_irq(&gpc->lock);
		gpc->active = false;
		gpc->valid = false;

		/*
		 * gpa => uhva stays cached, guarded by the memslot
		 * generation; the pfn does not, since no notifier will
		 * reach the cache once it is off the list.
		 */
		old_khva = gpc->khva - offset_in_page(gpc->khva);
		gpc->khva = NULL;

		old_pfn = gpc->pfn;
		gpc->pfn = KVM_PFN_ERR_FAULT;
		write_unlock_irq(&gpc->lock);

		spin_lock(&kvm->gpc_lock);
		list_del(&gpc->list);
		spin_unlock(&kvm->gpc_lock);

		gpc_unmap(old_pfn, old_khva);
	}
}
