// SPDX-License-Identifier: GPL-2.0
// x86: resolve guest page faults with __kvm_follow_pfn().  The first,
// asynchronous attempt uses FOLL_NOWAIT and learns from
// KVM_PFN_ERR_NEEDS_IO that it would have to wait; the second one may
// wait, interruptibly.  FOLL_GET keeps the old reference semantics.
@@
identifier vcpu, fault;
@@
 static int __kvm_faultin_pfn(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault)
 {
-	bool async;
+	struct kvm_follow_pfn foll = {
+		.slot = fault->slot,
+		.gfn = fault->gfn,
+		.flags = FOLL_GET | FOLL_NOWAIT,
+		.allow_write_mapping = true,
+		.guarded_by_mmu_notifier = true,
+	};
 	...
-	async = false;
-	fault->pfn = __gfn_to_pfn_memslot(fault->slot, fault->gfn, false, false,
-					  &async, fault->write,
-					  &fault->map_writable, &fault->hva);
-	if (!async)
-		return RET_PF_CONTINUE;
+	if (fault->write)
+		foll.flags |= FOLL_WRITE;
+	fault->pfn = __kvm_follow_pfn(&foll);
+	fault->hva = foll.hva;
+	fault->map_writable = foll.writable;
+	if (fault->pfn != KVM_PFN_ERR_NEEDS_IO)
+		return RET_PF_CONTINUE;
 	...
-	fault->pfn = __gfn_to_pfn_memslot(fault->slot, fault->gfn, false, true,
-					  NULL, fault->write,
-					  &fault->map_writable, &fault->hva);
+	foll.flags |= FOLL_INTERRUPTIBLE;
+	foll.flags &= ~FOLL_NOWAIT;
+	fault->pfn = __kvm_follow_pfn(&foll);
+	fault->hva = foll.hva;
+	fault->map_writable = foll.writable;
 	return RET_PF_CONTINUE;
 }
