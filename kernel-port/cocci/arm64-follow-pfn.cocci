// SPDX-License-Identifier: GPL-2.0
// arm64: resolve stage-2 faults with __kvm_follow_pfn().  FOLL_GET keeps
// the old semantics: user_mem_abort() still releases the page at the end.
@@
identifier vcpu, fault_ipa, nested, memslot, hva, fault_is_perm;
identifier gfn, pfn, write_fault, writable;
@@
 static int user_mem_abort(struct kvm_vcpu *vcpu, phys_addr_t fault_ipa,
 			  struct kvm_s2_trans *nested,
 			  struct kvm_memory_slot *memslot, unsigned long hva,
 			  bool fault_is_perm)
 {
 	...
 	struct kvm_pgtable *pgt;
+	struct kvm_follow_pfn foll = {
+		.slot = memslot,
+		.flags = FOLL_GET,
+		.allow_write_mapping = true,
+		.guarded_by_mmu_notifier = true,
+	};
 	...
-	pfn = __gfn_to_pfn_memslot(memslot, gfn, false, false, NULL,
-				   write_fault, &writable, NULL);
+	foll.gfn = gfn;
+	if (write_fault)
+		foll.flags |= FOLL_WRITE;
+	pfn = __kvm_follow_pfn(&foll);
+	writable = foll.writable;
 	...
 }

// The comment on the sequence snapshot names the old lookup; vma = NULL is
// taken out and put back so that the comment between the two goes, and a
// new one is written.
@@
@@
-	vma = NULL;
-	mmu_seq = vcpu->kvm->mmu_invalidate_seq;
+	vma = NULL;
+
+	/*
+	 * Take the invalidation sequence now: the VMA looked up above and the
+	 * pfn that __kvm_follow_pfn() returns below may go stale, and the
+	 * retry check under kvm->mmu_lock compares against this value.  The
+	 * read is ordered before the lookup by mmap_read_unlock(), matching
+	 * the write barrier in kvm_mmu_invalidate_end().
+	 */
+	mmu_seq = vcpu->kvm->mmu_invalidate_seq;
