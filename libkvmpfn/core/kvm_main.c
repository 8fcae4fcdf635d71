// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmpfn core: the generic gfn => pfn path of virt/kvm/kvm_main.c.
 *
 * These are the functions the simulator runs and kernel-port splices into
 * the kernel, at every stage of "KVM: allow mapping non-refcounted pages".
 * Stage differences are #if KVMPFN_STAGE blocks only, so that unifdef turns
 * this file into plain kernel code for one stage.  The file includes
 * nothing but kernel headers; it does not know it runs in userspace.
 */
#include <linux/kvm_host.h>
#include <linux/mm.h>

#include "kvm_mm.h"

#if KVMPFN_STAGE < KVMPFN_STAGE_FINAL
bool kvm_is_zone_device_page(struct page *page)
{
	/*
	 * ZONE_DEVICE metadata is only stable while the page is pinned, so a
	 * zero count means the caller looked at a page it does not own.
	 */
	if (WARN_ON_ONCE(!page_count(page)))
		return false;

	return is_zone_device_page(page);
}

/*
 * Return the struct page of @pfn if KVM may take and drop references on
 * it, or NULL.  PG_reserved normally means "not refcounted", except for
 * the zero page and ZONE_DEVICE pages, which GUP does refcount.  The list
 * of exceptions only grows when someone backs a guest with a new kind of
 * memory; it is a guess, which is what the series sets out to remove.
 */
struct page *kvm_pfn_to_refcounted_page(kvm_pfn_t pfn)
{
	struct page *page;

	if (!pfn_valid(pfn))
		return NULL;

	page = pfn_to_page(pfn);
	if (!PageReserved(page))
		return page;

	if (is_zero_pfn(pfn)
#ifdef KVMPFN_MUTANTS
	    && !kvmpfn_mutant(KVMPFN_B3)
#endif
	    )
		return page;

	if (
#ifdef KVMPFN_MUTANTS
	    !kvmpfn_mutant(KVMPFN_B4) &&
#endif
	    kvm_is_zone_device_page(page))
		return page;

	return NULL;
}
#endif

static bool memslot_is_readonly(const struct kvm_memory_slot *slot)
{
	return slot->flags & KVM_MEM_READONLY;
}

static unsigned long __gfn_to_hva_many(const struct kvm_memory_slot *slot,
				       gfn_t gfn, gfn_t *nr_pages, bool write)
{
	if (!slot || slot->flags & KVM_MEMSLOT_INVALID)
		return KVM_HVA_ERR_BAD;

	if (memslot_is_readonly(slot) && write)
		return KVM_HVA_ERR_RO_BAD;

	if (nr_pages)
		*nr_pages = slot->npages - (gfn - slot->base_gfn);

	return __gfn_to_hva_memslot(slot, gfn);
}

static unsigned long gfn_to_hva_many(struct kvm_memory_slot *slot, gfn_t gfn,
				     gfn_t *nr_pages)
{
	return __gfn_to_hva_many(slot, gfn, nr_pages, true);
}

unsigned long gfn_to_hva_memslot(struct kvm_memory_slot *slot, gfn_t gfn)
{
	return gfn_to_hva_many(slot, gfn, NULL);
}

#if KVMPFN_STAGE < KVMPFN_STAGE_FINAL
/*
 * Ask GUP once more, for write and with FOLL_HWPOISON, whether the failure
 * came from a poisoned page; the guest then gets a machine check instead
 * of a fault it cannot handle.
 */
static inline int check_user_page_hwpoison(unsigned long addr)
{
	int rc = get_user_pages(addr, 1, FOLL_HWPOISON | FOLL_WRITE, NULL);

	return rc == -EHWPOISON;
}
#endif

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_3 && KVMPFN_STAGE < KVMPFN_STAGE_FINAL
/* GUP's reference on @page stays only if the caller asked for FOLL_GET. */
static kvm_pfn_t kvm_follow_refcounted_pfn(struct kvm_follow_pfn *foll,
					   struct page *page)
{
	kvm_pfn_t pfn = page_to_pfn(page);

	foll->is_refcounted_page = true;

	if (!(foll->flags & FOLL_GET))
		put_page(page);

	return pfn;
}
#endif

#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
/*
 * Mapping remapped memory for direct access cannot pin it: nothing keeps
 * the pfn from being freed behind KVM's back.  Off by default.
 */
static bool allow_unsafe_mappings;
module_param(allow_unsafe_mappings, bool, 0444);

/*
 * Hand the result to the caller: exactly one of @page (GUP's, with its
 * reference or pin) and @map (a remapped pfn, no reference) is set.
 */
static kvm_pfn_t kvm_resolve_pfn(struct kvm_follow_pfn *kfp, struct page *page,
				 struct follow_pfnmap_args *map, bool writable)
{
	kvm_pfn_t pfn;

	WARN_ON_ONCE(!!page == !!map);

	if (kfp->map_writable)
		*kfp->map_writable = writable;

	if (map)
		pfn = map->pfn;
	else
		pfn = page_to_pfn(page);

	*kfp->refcounted_page = page;

	return pfn;
}

/*
 * Lockless attempt; it can only ever return a writable page, so it is
 * skipped unless the fault writes or a writable mapping is welcome.  A
 * read fault must take the slow path: fast GUP could hand back the page
 * a pending CoW break is about to replace.
 */
static bool hva_to_pfn_fast(struct kvm_follow_pfn *kfp, kvm_pfn_t *pfn)
{
	struct page *page;
	bool r;

	if (!((kfp->flags & FOLL_WRITE) || kfp->map_writable))
		return false;

	if (kfp->pin)
		r = pin_user_pages_fast(kfp->hva, 1, FOLL_WRITE, &page) == 1;
	else
		r = get_user_page_fast_only(kfp->hva, FOLL_WRITE, &page);

	if (r) {
		*pfn = kvm_resolve_pfn(kfp, page, NULL, true);
		return true;
	}

	return false;
}

/* Sleeping GUP; returns 1 with *pfn set, or what GUP returned. */
static int hva_to_pfn_slow(struct kvm_follow_pfn *kfp, kvm_pfn_t *pfn)
{
	unsigned int flags = FOLL_HWPOISON | FOLL_HONOR_NUMA_FAULT | kfp->flags;
	struct page *page, *wpage;
	int npages;

	if (kfp->pin)
		npages = pin_user_pages_unlocked(kfp->hva, 1, &page, flags);
	else
		npages = get_user_pages_unlocked(kfp->hva, 1, &page, flags);
	if (npages != 1)
		return npages;

	/*
	 * A pin is for KVM's own accesses, never for a guest mapping, so a
	 * pinning caller never wants a read upgraded to writable.
	 */
	if (WARN_ON_ONCE(kfp->map_writable && kfp->pin))
		goto out;

	/* Upgrade a read fault to a writable mapping if the PTE allows it. */
	if (!(flags & FOLL_WRITE) && kfp->map_writable &&
	    get_user_page_fast_only(kfp->hva, FOLL_WRITE, &wpage)) {
		put_page(page);
		page = wpage;
		flags |= FOLL_WRITE;
	}

out:
	*pfn = kvm_resolve_pfn(kfp, page, NULL, flags & FOLL_WRITE);
	return npages;
}
#elif KVMPFN_STAGE >= KVMPFN_STAGE_V7_2
/*
 * Lockless attempt; it can only ever return a writable page, so it is
 * skipped unless the fault writes or a writable mapping is welcome.
 */
static bool hva_to_pfn_fast(struct kvm_follow_pfn *foll, kvm_pfn_t *pfn)
{
	struct page *page;

	if (!((foll->flags & FOLL_WRITE) || foll->allow_write_mapping))
		return false;

	if (!get_user_page_fast_only(foll->hva, FOLL_WRITE, &page))
		return false;

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_3
	*pfn = kvm_follow_refcounted_pfn(foll, page);
#else
	*pfn = page_to_pfn(page);
#endif
	foll->writable = true;
	return true;
}

/* Sleeping GUP; returns 1 with *pfn set, or what GUP returned. */
static int hva_to_pfn_slow(struct kvm_follow_pfn *foll, kvm_pfn_t *pfn)
{
	unsigned int flags = FOLL_HWPOISON | FOLL_HONOR_NUMA_FAULT;
	struct page *page;
	int npages;

	might_sleep();

	foll->writable = foll->flags & FOLL_WRITE;
	flags |= foll->flags & (FOLL_WRITE | FOLL_NOWAIT | FOLL_INTERRUPTIBLE);

	npages = get_user_pages_unlocked(foll->hva, 1, &page, flags);
	if (npages != 1)
		return npages;

	/* Upgrade a read fault to a writable mapping if the PTE allows it. */
	if (unlikely(!(foll->flags & FOLL_WRITE)) &&
	    foll->allow_write_mapping) {
		struct page *wpage;

		if (get_user_page_fast_only(foll->hva, FOLL_WRITE, &wpage)) {
			foll->writable = true;
			put_page(page);
			page = wpage;
		}
	}
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_3
	*pfn = kvm_follow_refcounted_pfn(foll, page);
#else
	*pfn = page_to_pfn(page);
#endif
	return npages;
}
#else
static bool hva_to_pfn_fast(unsigned long addr, bool write_fault,
			    bool *writable, kvm_pfn_t *pfn)
{
	struct page *page;

	if (!(write_fault || writable))
		return false;

	if (!get_user_page_fast_only(addr, FOLL_WRITE, &page))
		return false;

	*pfn = page_to_pfn(page);
	if (writable)
		*writable = true;
	return true;
}

static int hva_to_pfn_slow(unsigned long addr, bool *async, bool write_fault,
			   bool interruptible, bool *writable, kvm_pfn_t *pfn)
{
	unsigned int flags = FOLL_HWPOISON | FOLL_HONOR_NUMA_FAULT;
	struct page *page;
	int npages;

	might_sleep();

	if (writable)
		*writable = write_fault;

	if (write_fault)
		flags |= FOLL_WRITE;
	if (async)
		flags |= FOLL_NOWAIT;
	if (interruptible)
		flags |= FOLL_INTERRUPTIBLE;

	npages = get_user_pages_unlocked(addr, 1, &page, flags);
	if (npages != 1)
		return npages;

	/* Upgrade a read fault to a writable mapping if the PTE allows it. */
	if (unlikely(!write_fault) && writable) {
		struct page *wpage;

		if (get_user_page_fast_only(addr, FOLL_WRITE, &wpage)) {
			*writable = true;
			put_page(page);
			page = wpage;
		}
	}
	*pfn = page_to_pfn(page);
	return npages;
}
#endif

static bool vma_is_valid(struct vm_area_struct *vma, bool write_fault)
{
	if (unlikely(!(vma->vm_flags & VM_READ)))
		return false;

	if (write_fault && unlikely(!(vma->vm_flags & VM_WRITE)))
		return false;

	return true;
}

#if KVMPFN_STAGE < KVMPFN_STAGE_V7_3
/*
 * Take a reference on a remapped pfn if it is a refcounted page.  A page
 * whose count is already zero belongs to someone who does not refcount it
 * (a tail of a non-compound allocation); getting and later putting it would
 * free it under its owner, so such pfns are refused.
 */
static int kvm_try_get_pfn(kvm_pfn_t pfn)
{
	struct page *page = kvm_pfn_to_refcounted_page(pfn);

	if (!page)
		return 1;

#ifdef KVMPFN_MUTANTS
	if (kvmpfn_mutant(KVMPFN_B1)) {
		get_page(page);
		return 1;
	}
#endif
	return get_page_unless_zero(page);
}
#endif

#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
/*
 * No reference is taken on a remapped pfn, refcounted page or not: the
 * caller maps it only behind the mmu_notifier, which zaps the mapping
 * before the pfn can go away.
 */
static int hva_to_pfn_remapped(struct vm_area_struct *vma,
			       struct kvm_follow_pfn *kfp, kvm_pfn_t *p_pfn)
{
	struct follow_pfnmap_args args = { .vma = vma, .address = kfp->hva };
	bool write_fault = kfp->flags & FOLL_WRITE;
	int r;

	/* A pin wants the page to outlive the notifier: not here. */
	if (kfp->pin && !allow_unsafe_mappings)
		return -EINVAL;

	r = follow_pfnmap_start(&args);
	if (r) {
		bool unlocked = false;

		/* Not populated yet: let the driver's fault handler do it. */
		r = fixup_user_fault(current->mm, kfp->hva,
				     write_fault ? FAULT_FLAG_WRITE : 0,
				     &unlocked);
		if (unlocked)
			return -EAGAIN;
		if (r)
			return r;

		r = follow_pfnmap_start(&args);
		if (r)
			return r;
	}

#ifdef KVMPFN_MUTANTS
	if (kvmpfn_mutant(KVMPFN_B2))
		args.writable = true;
#endif
	if (write_fault && !args.writable) {
		*p_pfn = KVM_PFN_ERR_RO_FAULT;
		goto out;
	}

	*p_pfn = kvm_resolve_pfn(kfp, NULL, &args, args.writable);
out:
	follow_pfnmap_end(&args);
	return r;
}

kvm_pfn_t hva_to_pfn(struct kvm_follow_pfn *kfp)
{
	struct vm_area_struct *vma;
	kvm_pfn_t pfn;
	int npages, r;

	might_sleep();

	if (WARN_ON_ONCE(!kfp->refcounted_page))
		return KVM_PFN_ERR_FAULT;

	if (hva_to_pfn_fast(kfp, &pfn))
		return pfn;

	npages = hva_to_pfn_slow(kfp, &pfn);
	if (npages == 1)
		return pfn;
	if (npages == -EINTR || npages == -EAGAIN)
		return KVM_PFN_ERR_SIGPENDING;
	if (npages == -EHWPOISON)
		return KVM_PFN_ERR_HWPOISON;

	mmap_read_lock(current->mm);
retry:
	vma = vma_lookup(current->mm, kfp->hva);

	if (!vma) {
		pfn = KVM_PFN_ERR_FAULT;
	} else if (vma->vm_flags & (VM_IO | VM_PFNMAP)) {
		r = hva_to_pfn_remapped(vma, kfp, &pfn);
		if (r == -EAGAIN)
			goto retry;
		if (r < 0)
			pfn = KVM_PFN_ERR_FAULT;
	} else if ((kfp->flags & FOLL_NOWAIT) &&
		   vma_is_valid(vma, kfp->flags & FOLL_WRITE)) {
		pfn = KVM_PFN_ERR_NEEDS_IO;
	} else {
		pfn = KVM_PFN_ERR_FAULT;
	}
	mmap_read_unlock(current->mm);
	return pfn;
}

static kvm_pfn_t kvm_follow_pfn(struct kvm_follow_pfn *kfp)
{
	kfp->hva = __gfn_to_hva_many(kfp->slot, kfp->gfn, NULL,
				     kfp->flags & FOLL_WRITE);

	if (kfp->hva == KVM_HVA_ERR_RO_BAD)
		return KVM_PFN_ERR_RO_FAULT;

	if (kvm_is_error_hva(kfp->hva))
		return KVM_PFN_NOSLOT;

	/* A read-only memslot is never mapped writable. */
	if (memslot_is_readonly(kfp->slot) && kfp->map_writable) {
		*kfp->map_writable = false;
		kfp->map_writable = NULL;
	}

	return hva_to_pfn(kfp);
}

/*
 * The guest fault path's lookup.  *@refcounted_page is the page GUP
 * returned, with a reference the caller drops with
 * kvm_release_faultin_page() once the mapping is in place (or not), or
 * NULL for a remapped pfn, on which nobody holds anything.
 */
kvm_pfn_t __kvm_faultin_pfn(const struct kvm_memory_slot *slot, gfn_t gfn,
			    unsigned int foll, bool *writable,
			    struct page **refcounted_page)
{
	struct kvm_follow_pfn kfp = {
		.slot = slot,
		.gfn = gfn,
		.flags = foll,
		.map_writable = writable,
		.refcounted_page = refcounted_page,
	};

	if (WARN_ON_ONCE(!writable || !refcounted_page))
		return KVM_PFN_ERR_FAULT;

	*writable = false;
	*refcounted_page = NULL;

	return kvm_follow_pfn(&kfp);
}
EXPORT_SYMBOL_GPL(__kvm_faultin_pfn);
#elif KVMPFN_STAGE >= KVMPFN_STAGE_V7_2
static int hva_to_pfn_remapped(struct vm_area_struct *vma,
			       struct kvm_follow_pfn *foll, kvm_pfn_t *p_pfn)
{
	struct follow_pfnmap_args args = { .vma = vma, .address = foll->hva };
	bool write_fault = foll->flags & FOLL_WRITE;
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_3
	struct page *page;
#endif
	kvm_pfn_t pfn;
	int r;

	r = follow_pfnmap_start(&args);
	if (r) {
		bool unlocked = false;

		/* Not populated yet: let the driver's fault handler do it. */
		r = fixup_user_fault(current->mm, foll->hva,
				     write_fault ? FAULT_FLAG_WRITE : 0,
				     &unlocked);
		if (unlocked)
			return -EAGAIN;
		if (r)
			return r;

		r = follow_pfnmap_start(&args);
		if (r)
			return r;
	}

#ifdef KVMPFN_MUTANTS
	if (kvmpfn_mutant(KVMPFN_B2))
		args.writable = true;
#endif
	if (write_fault && !args.writable) {
		pfn = KVM_PFN_ERR_RO_FAULT;
		goto out;
	}

	foll->writable = args.writable && foll->allow_write_mapping;
	pfn = args.pfn;

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_3
	/*
	 * A zero count marks a page its owner does not refcount.  It can be
	 * mapped, but only by a caller that relies on the mmu_notifier and
	 * takes no reference.
	 */
	page = kvm_pfn_to_refcounted_page(pfn);
#ifdef KVMPFN_MUTANTS
	/* B1: take the reference whatever the count */
	if (page && kvmpfn_mutant(KVMPFN_B1) && (foll->flags & FOLL_GET) &&
	    !page_count(page)) {
		get_page(page);
		foll->is_refcounted_page = true;
	} else
#endif
	if (page && get_page_unless_zero(page)) {
		foll->is_refcounted_page = true;
		if (!(foll->flags & FOLL_GET))
			put_page(page);
	} else if (page && (foll->flags & FOLL_GET)) {
		r = -EFAULT;
	}
#else
	if (!kvm_try_get_pfn(pfn))
		r = -EFAULT;
#endif
out:
	follow_pfnmap_end(&args);
	*p_pfn = pfn;
	return r;
}

kvm_pfn_t hva_to_pfn(struct kvm_follow_pfn *foll)
{
	struct vm_area_struct *vma;
	kvm_pfn_t pfn = KVM_PFN_ERR_FAULT;
	int npages, r;

	/* Atomic callers cannot sleep, asynchronous ones must: not both. */
	if (WARN_ON_ONCE(foll->atomic && (foll->flags & FOLL_NOWAIT)))
		return KVM_PFN_ERR_FAULT;

	if (hva_to_pfn_fast(foll, &pfn))
		return pfn;

	if (foll->atomic)
		return KVM_PFN_ERR_FAULT;

	npages = hva_to_pfn_slow(foll, &pfn);
	if (npages == 1)
		return pfn;
	if (npages == -EINTR)
		return KVM_PFN_ERR_SIGPENDING;

	mmap_read_lock(current->mm);
	if (npages == -EHWPOISON ||
	    (!(foll->flags & FOLL_NOWAIT) &&
	     check_user_page_hwpoison(foll->hva))) {
		pfn = KVM_PFN_ERR_HWPOISON;
		goto exit;
	}

retry:
	vma = vma_lookup(current->mm, foll->hva);

	if (!vma) {
		pfn = KVM_PFN_ERR_FAULT;
	} else if (vma->vm_flags & (VM_IO | VM_PFNMAP)) {
		r = hva_to_pfn_remapped(vma, foll, &pfn);
		if (r == -EAGAIN)
			goto retry;
		if (r < 0)
			pfn = KVM_PFN_ERR_FAULT;
	} else if ((foll->flags & FOLL_NOWAIT) &&
		   vma_is_valid(vma, foll->flags & FOLL_WRITE)) {
		pfn = KVM_PFN_ERR_NEEDS_IO;
	} else {
		pfn = KVM_PFN_ERR_FAULT;
	}
exit:
	mmap_read_unlock(current->mm);
	return pfn;
}

kvm_pfn_t __kvm_follow_pfn(struct kvm_follow_pfn *foll)
{
	foll->writable = false;
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_3
	foll->is_refcounted_page = false;

	/* Without a reference only the notifier keeps the page alive. */
	if (WARN_ON_ONCE(!(foll->flags & FOLL_GET) &&
			 !foll->guarded_by_mmu_notifier))
		return KVM_PFN_ERR_FAULT;
#endif

	foll->hva = __gfn_to_hva_many(foll->slot, foll->gfn, NULL,
				      foll->flags & FOLL_WRITE);

	if (foll->hva == KVM_HVA_ERR_RO_BAD)
		return KVM_PFN_ERR_RO_FAULT;

	if (kvm_is_error_hva(foll->hva))
		return KVM_PFN_NOSLOT;

	/* A read-only memslot is never mapped writable. */
	if (memslot_is_readonly(foll->slot))
		foll->allow_write_mapping = false;

	return hva_to_pfn(foll);
}
EXPORT_SYMBOL_GPL(__kvm_follow_pfn);
#else
static int hva_to_pfn_remapped(struct vm_area_struct *vma,
			       unsigned long addr, bool write_fault,
			       bool *writable, kvm_pfn_t *p_pfn)
{
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };
	kvm_pfn_t pfn;
	int r;

	r = follow_pfnmap_start(&args);
	if (r) {
		bool unlocked = false;

		/* Not populated yet: let the driver's fault handler do it. */
		r = fixup_user_fault(current->mm, addr,
				     write_fault ? FAULT_FLAG_WRITE : 0,
				     &unlocked);
		if (unlocked)
			return -EAGAIN;
		if (r)
			return r;

		r = follow_pfnmap_start(&args);
		if (r)
			return r;
	}

#ifdef KVMPFN_MUTANTS
	if (kvmpfn_mutant(KVMPFN_B2))
		args.writable = true;
#endif
	if (write_fault && !args.writable) {
		pfn = KVM_PFN_ERR_RO_FAULT;
		goto out;
	}

	if (writable)
		*writable = args.writable;
	pfn = args.pfn;

	if (!kvm_try_get_pfn(pfn))
		r = -EFAULT;
out:
	follow_pfnmap_end(&args);
	*p_pfn = pfn;
	return r;
}

kvm_pfn_t hva_to_pfn(unsigned long addr, bool atomic, bool interruptible,
		     bool *async, bool write_fault, bool *writable)
{
	struct vm_area_struct *vma;
	kvm_pfn_t pfn = KVM_PFN_ERR_FAULT;
	int npages, r;

	/* Atomic callers cannot sleep, asynchronous ones must: not both. */
	BUG_ON(atomic && async);

	if (hva_to_pfn_fast(addr, write_fault, writable, &pfn))
		return pfn;

	if (atomic)
		return KVM_PFN_ERR_FAULT;

	npages = hva_to_pfn_slow(addr, async, write_fault, interruptible,
				 writable, &pfn);
	if (npages == 1)
		return pfn;
	if (npages == -EINTR)
		return KVM_PFN_ERR_SIGPENDING;

	mmap_read_lock(current->mm);
	if (npages == -EHWPOISON ||
	    (!async && check_user_page_hwpoison(addr))) {
		pfn = KVM_PFN_ERR_HWPOISON;
		goto exit;
	}

retry:
	vma = vma_lookup(current->mm, addr);

	if (!vma) {
		pfn = KVM_PFN_ERR_FAULT;
	} else if (vma->vm_flags & (VM_IO | VM_PFNMAP)) {
		r = hva_to_pfn_remapped(vma, addr, write_fault, writable, &pfn);
		if (r == -EAGAIN)
			goto retry;
		if (r < 0)
			pfn = KVM_PFN_ERR_FAULT;
	} else {
		if (async && vma_is_valid(vma, write_fault))
			*async = true;
		pfn = KVM_PFN_ERR_FAULT;
	}
exit:
	mmap_read_unlock(current->mm);
	return pfn;
}
#endif

#if KVMPFN_STAGE < KVMPFN_STAGE_V7_8
kvm_pfn_t __gfn_to_pfn_memslot(const struct kvm_memory_slot *slot, gfn_t gfn,
			       bool atomic, bool interruptible, bool *async,
			       bool write_fault, bool *writable, hva_t *hva)
{
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_2
	struct kvm_follow_pfn foll = {
		.slot = slot,
		.gfn = gfn,
		.atomic = atomic,
		.allow_write_mapping = !!writable,
	};
	kvm_pfn_t pfn;

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_3
	/* Callers of the old API all expect to own a reference. */
	foll.flags |= FOLL_GET;
#endif
	if (write_fault)
		foll.flags |= FOLL_WRITE;
	if (async)
		foll.flags |= FOLL_NOWAIT;
	if (interruptible)
		foll.flags |= FOLL_INTERRUPTIBLE;

	pfn = __kvm_follow_pfn(&foll);
	if (pfn == KVM_PFN_ERR_NEEDS_IO) {
		*async = true;
		pfn = KVM_PFN_ERR_FAULT;
	}
	if (hva)
		*hva = foll.hva;
	if (writable)
		*writable = foll.writable;
	return pfn;
#else
	unsigned long addr = __gfn_to_hva_many(slot, gfn, NULL, write_fault);

	if (hva)
		*hva = addr;

	if (kvm_is_error_hva(addr)) {
		if (writable)
			*writable = false;

		return addr == KVM_HVA_ERR_RO_BAD ? KVM_PFN_ERR_RO_FAULT :
						    KVM_PFN_NOSLOT;
	}

	/* A read-only memslot is never mapped writable. */
	if (writable && memslot_is_readonly(slot)) {
		*writable = false;
		writable = NULL;
	}

	return hva_to_pfn(addr, atomic, interruptible, async, write_fault,
			  writable);
#endif
}
EXPORT_SYMBOL_GPL(__gfn_to_pfn_memslot);
#endif

#if KVMPFN_STAGE == KVMPFN_STAGE_V7_8
/* The remaining wrappers keep their contract: the caller owns a reference. */
static kvm_pfn_t kvm_follow_pfn_get(const struct kvm_memory_slot *slot,
				    gfn_t gfn, bool atomic, bool write_fault,
				    bool *writable)
{
	struct kvm_follow_pfn foll = {
		.slot = slot,
		.gfn = gfn,
		.flags = FOLL_GET,
		.atomic = atomic,
		.allow_write_mapping = !!writable,
	};
	kvm_pfn_t pfn;

	if (write_fault)
		foll.flags |= FOLL_WRITE;

	pfn = __kvm_follow_pfn(&foll);
	if (writable)
		*writable = foll.writable;
	return pfn;
}
#endif

#if KVMPFN_STAGE < KVMPFN_STAGE_FINAL
kvm_pfn_t gfn_to_pfn_prot(struct kvm *kvm, gfn_t gfn, bool write_fault,
			  bool *writable)
{
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_8
	return kvm_follow_pfn_get(gfn_to_memslot(kvm, gfn), gfn, false,
				  write_fault, writable);
#else
	return __gfn_to_pfn_memslot(gfn_to_memslot(kvm, gfn), gfn, false, false,
				    NULL, write_fault, writable, NULL);
#endif
}
EXPORT_SYMBOL_GPL(gfn_to_pfn_prot);

kvm_pfn_t gfn_to_pfn_memslot(const struct kvm_memory_slot *slot, gfn_t gfn)
{
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_8
	return kvm_follow_pfn_get(slot, gfn, false, true, NULL);
#else
	return __gfn_to_pfn_memslot(slot, gfn, false, false, NULL, true,
				    NULL, NULL);
#endif
}
EXPORT_SYMBOL_GPL(gfn_to_pfn_memslot);

kvm_pfn_t gfn_to_pfn_memslot_atomic(const struct kvm_memory_slot *slot,
				    gfn_t gfn)
{
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_8
	return kvm_follow_pfn_get(slot, gfn, true, true, NULL);
#else
	return __gfn_to_pfn_memslot(slot, gfn, true, false, NULL, true,
				    NULL, NULL);
#endif
}
EXPORT_SYMBOL_GPL(gfn_to_pfn_memslot_atomic);

kvm_pfn_t gfn_to_pfn(struct kvm *kvm, gfn_t gfn)
{
	return gfn_to_pfn_memslot(gfn_to_memslot(kvm, gfn), gfn);
}
EXPORT_SYMBOL_GPL(gfn_to_pfn);

struct page *gfn_to_page(struct kvm *kvm, gfn_t gfn)
{
	struct page *page;
	kvm_pfn_t pfn;

	pfn = gfn_to_pfn(kvm, gfn);
	if (is_error_noslot_pfn(pfn))
		return KVM_ERR_PTR_BAD_PAGE;

	page = kvm_pfn_to_refcounted_page(pfn);
	if (!page)
		return KVM_ERR_PTR_BAD_PAGE;

	return page;
}
EXPORT_SYMBOL_GPL(gfn_to_page);

/*
 * Map a guest page into the kernel for direct access.  Nothing but the
 * reference taken by gfn_to_pfn() keeps the page alive while it is mapped.
 */
int kvm_vcpu_map(struct kvm_vcpu *vcpu, gfn_t gfn, struct kvm_host_map *map)
{
	struct page *page = KVM_UNMAPPED_PAGE;
	void *hva = NULL;
	kvm_pfn_t pfn;

	if (!map)
		return -EINVAL;

	pfn = gfn_to_pfn(vcpu->kvm, gfn);
	if (is_error_noslot_pfn(pfn))
		return -EINVAL;

	if (pfn_valid(pfn)) {
		page = pfn_to_page(pfn);
		hva = kmap(page);
#ifdef CONFIG_HAS_IOMEM
	} else {
		/* No struct page: device memory, mapped as such. */
		hva = memremap(pfn_to_hpa(pfn), PAGE_SIZE, MEMREMAP_WB);
#endif
	}

	if (!hva)
		return -EFAULT;

	map->page = page;
	map->hva = hva;
	map->pfn = pfn;
	map->gfn = gfn;
	return 0;
}
EXPORT_SYMBOL_GPL(kvm_vcpu_map);

void kvm_vcpu_unmap(struct kvm_vcpu *vcpu, struct kvm_host_map *map,
		    bool dirty)
{
	if (!map || !map->hva)
		return;

	if (map->page != KVM_UNMAPPED_PAGE)
		kunmap(map->page);
#ifdef CONFIG_HAS_IOMEM
	else
		memunmap(map->hva);
#endif

	/* The kernel wrote through the mapping: the dirty log must say so. */
	if (dirty)
		kvm_vcpu_mark_page_dirty(vcpu, map->gfn);

	kvm_release_pfn(map->pfn, dirty);

	map->hva = NULL;
	map->page = NULL;
}
EXPORT_SYMBOL_GPL(kvm_vcpu_unmap);
#else
/*
 * A one-shot kernel access: the page GUP returns, with a reference the
 * caller drops, or NULL (no page, or a remapped pfn nobody refcounts).
 */
struct page *__gfn_to_page(struct kvm *kvm, gfn_t gfn, bool write)
{
	struct page *refcounted_page = NULL;
	struct kvm_follow_pfn kfp = {
		.slot = gfn_to_memslot(kvm, gfn),
		.gfn = gfn,
		.flags = write ? FOLL_WRITE : 0,
		.refcounted_page = &refcounted_page,
	};

	(void)kvm_follow_pfn(&kfp);
	return refcounted_page;
}
EXPORT_SYMBOL_GPL(__gfn_to_page);

/*
 * Map a guest page into the kernel for direct access.  The mmu_notifier
 * does not protect this mapping, so the page is pinned (FOLL_PIN), and
 * remapped memory, which cannot be pinned, is refused unless the host
 * said it accepts the risk (allow_unsafe_mappings).
 */
int __kvm_vcpu_map(struct kvm_vcpu *vcpu, gfn_t gfn, struct kvm_host_map *map,
		   bool writable)
{
	struct kvm_follow_pfn kfp = {
		.slot = gfn_to_memslot(vcpu->kvm, gfn),
		.gfn = gfn,
		.flags = writable ? FOLL_WRITE : 0,
		.refcounted_page = &map->pinned_page,
		.pin = true,
	};

	map->pinned_page = NULL;
	map->page = NULL;
	map->hva = NULL;
	map->gfn = gfn;
	map->writable = writable;

	map->pfn = kvm_follow_pfn(&kfp);
	if (is_error_noslot_pfn(map->pfn))
		return -EINVAL;

	if (pfn_valid(map->pfn)) {
		map->page = pfn_to_page(map->pfn);
		map->hva = kmap(map->page);
#ifdef CONFIG_HAS_IOMEM
	} else {
		/* No struct page: device memory, mapped as such. */
		map->hva = memremap(pfn_to_hpa(map->pfn), PAGE_SIZE,
				    MEMREMAP_WB);
#endif
	}

	return map->hva ? 0 : -EFAULT;
}
EXPORT_SYMBOL_GPL(__kvm_vcpu_map);

static void kvm_set_page_dirty(struct page *page);
static void kvm_set_page_accessed(struct page *page);

void kvm_vcpu_unmap(struct kvm_vcpu *vcpu, struct kvm_host_map *map)
{
	if (!map->hva)
		return;

	if (map->page)
		kunmap(map->page);
#ifdef CONFIG_HAS_IOMEM
	else
		memunmap(map->hva);
#endif

	/* A writable map may have been written: log it and dirty the page. */
	if (map->writable)
		kvm_vcpu_mark_page_dirty(vcpu, map->gfn);

	if (map->pinned_page) {
		if (map->writable)
			kvm_set_page_dirty(map->pinned_page);
		kvm_set_page_accessed(map->pinned_page);
		unpin_user_page(map->pinned_page);
	}

	map->hva = NULL;
	map->page = NULL;
	map->pinned_page = NULL;
}
EXPORT_SYMBOL_GPL(kvm_vcpu_unmap);
#endif

/*
 * Accessed/dirty state may only be pushed into pages that track it, i.e.
 * not reserved ones (the zero page is shared, device pages have no LRU).
 */
static bool kvm_is_ad_tracked_page(struct page *page)
{
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_1 && KVMPFN_STAGE < KVMPFN_STAGE_FINAL
	/*
	 * With a zero count the page may already be free or never have
	 * been refcounted; either way KVM must not touch it.  page_count()
	 * reads the folio's count, so tail pages of a folio pass.
	 */
	if (WARN_ON_ONCE(!page_count(page)))
		return false;
#endif
#ifdef KVMPFN_MUTANTS
	if (kvmpfn_mutant(KVMPFN_B5))
		return true;
#endif
	return !PageReserved(page);
}

static void kvm_set_page_dirty(struct page *page)
{
	if (kvm_is_ad_tracked_page(page))
		SetPageDirty(page);
}

static void kvm_set_page_accessed(struct page *page)
{
	if (kvm_is_ad_tracked_page(page))
		mark_page_accessed(page);
}

void kvm_release_page_clean(struct page *page)
{
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	/* NULL: a remapped pfn, which nobody holds a reference on */
	if (!page)
		return;
#else
	WARN_ON(is_error_page(page));
#endif

	kvm_set_page_accessed(page);
	put_page(page);
}
EXPORT_SYMBOL_GPL(kvm_release_page_clean);

void kvm_release_page_dirty(struct page *page)
{
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	if (!page)
		return;
#else
	WARN_ON(is_error_page(page));
#endif

	kvm_set_page_dirty(page);
	kvm_release_page_clean(page);
}
EXPORT_SYMBOL_GPL(kvm_release_page_dirty);

#if KVMPFN_STAGE < KVMPFN_STAGE_FINAL
void kvm_release_pfn_clean(kvm_pfn_t pfn)
{
	struct page *page;

	if (is_error_noslot_pfn(pfn))
		return;

	page = kvm_pfn_to_refcounted_page(pfn);
	if (!page)
		return;

	kvm_release_page_clean(page);
}
EXPORT_SYMBOL_GPL(kvm_release_pfn_clean);

void kvm_release_pfn_dirty(kvm_pfn_t pfn)
{
	struct page *page;

	if (is_error_noslot_pfn(pfn))
		return;

	page = kvm_pfn_to_refcounted_page(pfn);
	if (!page)
		return;

	kvm_release_page_dirty(page);
}
EXPORT_SYMBOL_GPL(kvm_release_pfn_dirty);

void kvm_release_pfn(kvm_pfn_t pfn, bool dirty)
{
	if (dirty)
		kvm_release_pfn_dirty(pfn);
	else
		kvm_release_pfn_clean(pfn);
}

/*
 * These two take no reference and only check pfn_valid(): the caller must
 * know the page is alive, which is what invariant I4 checks.
 */
void kvm_set_pfn_dirty(kvm_pfn_t pfn)
{
	if (WARN_ON(is_error_noslot_pfn(pfn)))
		return;

	if (pfn_valid(pfn))
		kvm_set_page_dirty(pfn_to_page(pfn));
}
EXPORT_SYMBOL_GPL(kvm_set_pfn_dirty);

void kvm_set_pfn_accessed(kvm_pfn_t pfn)
{
	if (WARN_ON(is_error_noslot_pfn(pfn)))
		return;

	if (pfn_valid(pfn))
		kvm_set_page_accessed(pfn_to_page(pfn));
}
EXPORT_SYMBOL_GPL(kvm_set_pfn_accessed);
#endif
