// SPDX-License-Identifier: GPL-2.0
// arm64: resolve stage-2 faults with __kvm_follow_pfn().  FOLL_GET keeps
// the old semantics: user_mem_abort() still releases the page at the end.
// (The comment above the lookup that names the old function is updated by
// a rename in series.py, not here: Coccinelle does not edit comments.)
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
