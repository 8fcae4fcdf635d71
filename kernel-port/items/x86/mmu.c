// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel items the x86 patch adds to arch/x86/kvm/mmu/mmu.c; the model's
 * x86_fault_finish() does the same in its own terms.  Spliced by name.
 */

/*
 * Done with the faulted pfn, under mmu_lock: drop the FOLL_GET reference,
 * or mark a refcounted page accessed while the notifier still protects it.
 */
static void kvm_mmu_finish_fault_pfn(struct kvm_page_fault *fault,
				     kvm_pfn_t pfn, int r)
{
	if (fault->page_ref_held)
		kvm_release_pfn_clean(pfn);
	else if (fault->is_refcounted_page &&
		 (r == RET_PF_FIXED || r == RET_PF_SPURIOUS))
		kvm_set_pfn_accessed(pfn);
}
