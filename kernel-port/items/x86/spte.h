/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel items the x86 patch adds to arch/x86/kvm/mmu/spte.h that have no
 * counterpart in the x86 model (the model inlines them); spliced by name.
 */

/* Hand a leaf's dirty/accessed state to its page, if it is refcounted. */
static inline void kvm_spte_set_page_dirty(u64 spte)
{
	if (is_refcounted_page_spte(spte))
		kvm_set_pfn_dirty(spte_to_pfn(spte));
}

static inline void kvm_spte_set_page_accessed(u64 spte)
{
	if (is_refcounted_page_spte(spte))
		kvm_set_pfn_accessed(spte_to_pfn(spte));
}
