// SPDX-License-Identifier: GPL-2.0
/*
 * Stage unit: compiled once per stage together with the core, it binds that
 * stage's core into a struct kvmpfn_stage_ops and holds what the reference
 * MMU does with the core at that stage.  The reference MMU follows x86's
 * TDP fault path, the one the series changes most:
 *
 *   legacy..v7.3  __gfn_to_pfn_memslot() with a reference, released with
 *                 kvm_release_pfn_clean() after the install; A/D pushed to
 *                 struct page when a leaf is zapped.
 *   v7.4          __kvm_follow_pfn() with FOLL_GET, same reference rules.
 *   v7.5..        no FOLL_GET: nothing to release; a leaf remembers whether
 *                 its pfn is a refcounted page and only such leaves touch
 *                 struct page, under mmu_lock.
 *
 * The v7.5 patch as posted marked the page accessed after dropping
 * mmu_lock (fixed in v8); the model does it under the lock, as v8 did, and
 * keeps the posted order as a bug-zoo mutant.
 */
#include <linux/kvm_host.h>

#include "kvm_model.h"

static kvm_pfn_t ref_fault_lookup(struct kvm *kvm,
				  const struct kvm_memory_slot *slot,
				  gfn_t gfn, bool write,
				  struct kvmpfn_pfn_info *info)
{
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_4
	struct kvm_follow_pfn foll = {
		.slot = slot,
		.gfn = gfn,
		.flags = write ? FOLL_WRITE : 0,
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

	info->pfn = __gfn_to_pfn_memslot(slot, gfn, false, false, NULL, write,
					 &writable, &info->hva);
	info->writable = writable;
	info->refcounted = !is_error_noslot_pfn(info->pfn) &&
			   kvm_pfn_to_refcounted_page(info->pfn);
	info->holds_ref = info->refcounted;
#endif
	(void)kvm;
	return info->pfn;
}

/* Called with mmu_lock held, right after the leaf went in. */
static void ref_fault_installed(struct kvm *kvm, struct kvmpfn_pfn_info *info,
				bool write)
{
	lockdep_assert_held(&kvm->mmu_lock);
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5
	if (info->refcounted)
		kvm_set_page_accessed(pfn_to_page(info->pfn));
#endif
	(void)write;
	(void)info;
}

/* Called after mmu_lock is dropped, installed or retried alike. */
static void ref_fault_release(struct kvm *kvm, struct kvmpfn_pfn_info *info)
{
	(void)kvm;
	if (info->holds_ref)
		kvm_release_pfn_clean(info->pfn);
	info->holds_ref = false;
}

/* A leaf is going away under mmu_lock: hand its A/D bits to the page. */
static void ref_leaf_zapped(struct kvm *kvm, kvm_pfn_t pfn, bool refcounted,
			    bool accessed, bool dirty)
{
	lockdep_assert_held(&kvm->mmu_lock);
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_5
	if (!refcounted)
		return;
	if (dirty)
		kvm_set_page_dirty(pfn_to_page(pfn));
	if (accessed)
		kvm_set_page_accessed(pfn_to_page(pfn));
#else
	(void)refcounted;
	if (dirty)
		kvm_set_pfn_dirty(pfn);
	if (accessed)
		kvm_set_pfn_accessed(pfn);
#endif
}

const struct kvmpfn_stage_ops KVMPFN_STAGE_SYM(stage_ops) = {
	.name = KVMPFN_STAGE_NAME,
	.stage = KVMPFN_STAGE,
	.fault_lookup = ref_fault_lookup,
	.fault_installed = ref_fault_installed,
	.fault_release = ref_fault_release,
	.leaf_zapped = ref_leaf_zapped,
	.pfn_to_refcounted_page = kvm_pfn_to_refcounted_page,
	.release_pfn_clean = kvm_release_pfn_clean,
	.vcpu_map = kvm_vcpu_map,
	.vcpu_unmap = kvm_vcpu_unmap,
	.gpc_activate = kvm_gpc_activate,
	.gpc_refresh = kvm_gpc_refresh,
	.gpc_check = kvm_gpc_check,
	.gpc_deactivate = kvm_gpc_deactivate,
	.gpc_invalidate_start = gfn_to_pfn_cache_invalidate_start,
};
