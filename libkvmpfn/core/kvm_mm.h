/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarations private to the generic KVM code (virt/kvm/kvm_mm.h): the
 * host-virtual-address lookup shared by kvm_main.c and pfncache.c.
 */
#ifndef KVMPFN_CORE_KVM_MM_H
#define KVMPFN_CORE_KVM_MM_H

#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
/*
 * Arguments and results of a gfn/hva => pfn lookup, private to the
 * generic code: callers outside it use __kvm_faultin_pfn() and friends.
 */
struct kvm_follow_pfn {
	const struct kvm_memory_slot *slot;
	const gfn_t gfn;
	unsigned long hva;
	/* FOLL_WRITE, FOLL_NOWAIT, FOLL_INTERRUPTIBLE */
	unsigned int flags;
	/*
	 * Pin the page (FOLL_PIN), for an access the mmu_notifier does not
	 * cover; refuses remapped memory unless allow_unsafe_mappings.
	 */
	bool pin;

	/*
	 * If non-NULL, a read fault may be mapped writable if the host
	 * allows it, and this says whether it may.
	 */
	bool *map_writable;

	/*
	 * The page the lookup holds a reference (or a pin) on, or NULL if
	 * the pfn is not a page KVM may refcount; never NULL itself.
	 */
	struct page **refcounted_page;
};

kvm_pfn_t hva_to_pfn(struct kvm_follow_pfn *kfp);
#elif KVMPFN_STAGE >= KVMPFN_STAGE_V7_2
kvm_pfn_t hva_to_pfn(struct kvm_follow_pfn *foll);
#else
kvm_pfn_t hva_to_pfn(unsigned long addr, bool atomic, bool interruptible,
		     bool *async, bool write_fault, bool *writable);
#endif

void gfn_to_pfn_cache_invalidate_start(struct kvm *kvm, unsigned long start,
				       unsigned long end);

#endif
