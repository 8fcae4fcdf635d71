/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarations private to the generic KVM code (virt/kvm/kvm_mm.h): the
 * host-virtual-address lookup shared by kvm_main.c and pfncache.c.
 */
#ifndef KVMPFN_CORE_KVM_MM_H
#define KVMPFN_CORE_KVM_MM_H

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_2
kvm_pfn_t hva_to_pfn(struct kvm_follow_pfn *foll);
#else
kvm_pfn_t hva_to_pfn(unsigned long addr, bool atomic, bool interruptible,
		     bool *async, bool write_fault, bool *writable);
#endif

void gfn_to_pfn_cache_invalidate_start(struct kvm *kvm, unsigned long start,
				       unsigned long end);

#endif
