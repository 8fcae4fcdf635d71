// SPDX-License-Identifier: GPL-2.0
// x86: stop taking a reference on the faulted page where the SPTE can say
// whether the pfn is a refcounted page (TDP on 64-bit hosts:
// spte_has_refcount_bit()), and touch struct page only for SPTEs that say
// so.  Shadow paging and 32-bit hosts keep FOLL_GET and set no bit.

// The fault remembers what __kvm_follow_pfn() reported.
@@
@@
 struct kvm_page_fault {
 	...
 	bool map_writable;
+	bool is_refcounted_page;
+	bool page_ref_held;
 	...
 };

// make_spte() records it in the SPTE.
@@
identifier vcpu, sp, slot, pte_access, gfn, pfn, old_spte, prefetch;
identifier can_unsync, host_writable, new_spte;
type T;
@@
 T make_spte(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp,
 	       const struct kvm_memory_slot *slot,
 	       unsigned int pte_access, gfn_t gfn, kvm_pfn_t pfn,
 	       u64 old_spte, bool prefetch, bool can_unsync,
-	       bool host_writable, u64 *new_spte)
+	       bool host_writable, bool is_refcounted, u64 *new_spte)
 {
 	...
 	spte |= (u64)pfn << PAGE_SHIFT;
+	if (is_refcounted && spte_has_refcount_bit())
+		spte |= SPTE_MMU_PAGE_REFCOUNTED;
 	...
 }

@@
identifier vcpu, sp, slot, pte_access, gfn, pfn, old_spte, prefetch;
identifier can_unsync, host_writable, new_spte;
type T;
@@
 T make_spte(struct kvm_vcpu *vcpu, struct kvm_mmu_page *sp,
 	       const struct kvm_memory_slot *slot,
 	       unsigned int pte_access, gfn_t gfn, kvm_pfn_t pfn,
 	       u64 old_spte, bool prefetch, bool can_unsync,
-	       bool host_writable, u64 *new_spte);
+	       bool host_writable, bool is_refcounted, u64 *new_spte);

// Prefetched pages come from GUP and are refcounted.
@@
identifier fault, host_writable;
expression list A;
expression S;
@@
 	bool host_writable = !fault || fault->map_writable;
+	bool is_refcounted = !fault || fault->is_refcounted_page;
 	...
 	make_spte(A,
-		  host_writable, S)
+		  host_writable, is_refcounted, S)

@@
expression list A;
expression S;
identifier fault;
@@
 	make_spte(A,
-		  fault->map_writable, S)
+		  fault->map_writable, fault->is_refcounted_page, S)

// Resyncing an SPTE keeps what the SPTE said.
@@
expression list A;
identifier spte, host_writable;
@@
 	make_spte(A, spte_to_pfn(spte), spte, true, false,
-		  host_writable, &spte)
+		  host_writable, is_refcounted_page_spte(spte), &spte)

// Accessed/dirty go to struct page only for refcounted SPTEs.
// (Not inside the two helpers, which call the pfn helpers themselves.)
@@
expression S;
identifier fn != {kvm_spte_set_page_dirty, kvm_spte_set_page_accessed};
@@
 fn(...) {
 <...
-	kvm_set_pfn_dirty(spte_to_pfn(S))
+	kvm_spte_set_page_dirty(S)
 ...>
 }

@@
expression S;
identifier fn != {kvm_spte_set_page_dirty, kvm_spte_set_page_accessed};
@@
 fn(...) {
 <...
-	kvm_set_pfn_accessed(spte_to_pfn(S))
+	kvm_spte_set_page_accessed(S)
 ...>
 }

// Zapping a leaf: a pfn mapped without a reference may have a zero count
// and is not the zap's to mark.
@@
identifier page, pfn, old_spte;
@@
 	pfn = spte_to_pfn(old_spte);
+	if (!is_refcounted_page_spte(old_spte))
+		return old_spte;
 	page = kvm_pfn_to_refcounted_page(pfn);

// Only TDP on 64-bit hosts has a free SPTE bit to track refcounted pages.
@@
identifier vcpu, fault;
@@
 static int __kvm_faultin_pfn(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault)
 {
 	struct kvm_follow_pfn foll = {
 		...,
-		.flags = FOLL_GET | FOLL_NOWAIT,
+		.flags = FOLL_NOWAIT,
 		...
 	};
 	...
 	if (fault->write)
 		foll.flags |= FOLL_WRITE;
+	if (!spte_has_refcount_bit())
+		foll.flags |= FOLL_GET;
 	...
 }

@@
identifier fault;
@@
 	fault->map_writable = foll.writable;
+	fault->is_refcounted_page = foll.is_refcounted_page;
+	fault->page_ref_held = foll.is_refcounted_page &&
+			       (foll.flags & FOLL_GET);

// guest_memfd hands out a referenced folio.
@@
identifier fault;
@@
 	fault->map_writable = !(fault->slot->flags & KVM_MEM_READONLY);
+	fault->is_refcounted_page = true;
+	fault->page_ref_held = true;

// The early retry owns nothing unless it took a reference.
@@
identifier fault;
@@
 	if (mmu_invalidate_retry_gfn_unsafe(...)) {
-		kvm_release_pfn_clean(fault->pfn);
+		if (fault->page_ref_held)
+			kvm_release_pfn_clean(fault->pfn);
 		return RET_PF_RETRY;
 	}

// At the end of a fault, still under mmu_lock.
@@
identifier orig_pfn, r;
statement S;
@@
 out_unlock:
+	kvm_mmu_finish_fault_pfn(fault, orig_pfn, r);
 	S
-	kvm_release_pfn_clean(orig_pfn);
 	return r;
