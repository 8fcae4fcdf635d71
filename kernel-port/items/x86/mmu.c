// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel items the x86 patch adds to arch/x86/kvm/mmu/mmu.c; the model's
 * x86_fault_finish() does the same in its own terms.  Spliced by name.
 */

/*
 * Done with the faulted pfn; called with mmu_lock held.  A reference taken
 * with FOLL_GET is dropped.  Without one, a refcounted page may only be
 * marked accessed now, and only if the fault mapped it: the mmu_notifier
 * then guarantees that it has not been freed.
 */
static void kvm_mmu_finish_fault_pfn(struct kvm_page_fault *fault,
				     kvm_pfn_t pfn, int r)
{
	if (fault->page_ref_held)
		kvm_release_pfn_clean(pfn);
	else if (fault->is_refcounted_page &&
		 (r == RET_PF_FIXED || r == RET_PF_SPURIOUS))
		kvm_set_page_accessed(pfn_to_page(pfn));
}
