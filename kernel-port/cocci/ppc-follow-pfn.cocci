// SPDX-License-Identifier: GPL-2.0
// ppc book3s: resolve HV and radix faults with one __kvm_follow_pfn()
// call (it has its own fast path) and FOLL_GET, and put the page only if
// the core says it holds a reference on it.  __kvm_follow_pfn() keeps a
// read-only memslot from being mapped writable, so kvm_ro goes.

// Radix: kvmppc_book3s_instantiate_page().
@@
@@
 	bool upgrade_write = false;
-	bool *upgrade_p = &upgrade_write;
+	struct kvm_follow_pfn foll = {
+		.slot = memslot,
+		.gfn = gfn,
+		.flags = FOLL_GET | (writing ? FOLL_WRITE : 0),
+		.allow_write_mapping = true,
+		.guarded_by_mmu_notifier = true,
+	};
+	kvm_pfn_t pfn;

// (smp_rmb() is taken out and put back so that the comment about the
// old fast path between it and the lookup goes too.)
@@
@@
-	smp_rmb();
-	hva = gfn_to_hva_memslot(memslot, gfn);
-	if (!kvm_ro && get_user_page_fast_only(hva, FOLL_WRITE, &page)) {
-		upgrade_write = true;
-	} else {
-		unsigned long pfn;
-
-		/* Call KVM generic code to do the slow-path check */
-		pfn = __gfn_to_pfn_memslot(memslot, gfn, false, false, NULL,
-					   writing, upgrade_p, NULL);
-		if (is_error_noslot_pfn(pfn))
-			return -EFAULT;
-		page = NULL;
-		if (pfn_valid(pfn)) {
-			page = pfn_to_page(pfn);
-			if (PageReserved(page) && !is_zero_pfn(pfn) &&
-			    !is_zone_device_page(page))
-				page = NULL;
-		}
-	}
+	smp_rmb();
+	pfn = __kvm_follow_pfn(&foll);
+	if (is_error_noslot_pfn(pfn))
+		return -EFAULT;
+	hva = foll.hva;
+	upgrade_write = foll.writable;
+	if (foll.is_refcounted_page)
+		page = pfn_to_page(pfn);

// Hashed page table: kvmppc_book3s_hv_page_fault().  write_ok now comes
// from the lookup alone, so its first store goes.
@@
@@
 	bool is_ci;
+	struct kvm_follow_pfn foll = {
+		.flags = FOLL_GET,
+		.allow_write_mapping = true,
+		.guarded_by_mmu_notifier = true,
+	};

@@
@@
-	write_ok = writing;
-	hva = gfn_to_hva_memslot(memslot, gfn);
-	if (get_user_page_fast_only(hva, FOLL_WRITE, &page)) {
-		write_ok = true;
-	} else {
-		/* Call KVM generic code to do the slow-path check */
-		pfn = __gfn_to_pfn_memslot(memslot, gfn, false, false, NULL,
-					   writing, &write_ok, NULL);
-		if (is_error_noslot_pfn(pfn))
-			return -EFAULT;
-		page = NULL;
-		if (pfn_valid(pfn)) {
-			page = pfn_to_page(pfn);
-			if (PageReserved(page) && !is_zero_pfn(pfn) &&
-			    !is_zone_device_page(page))
-				page = NULL;
-		}
-	}
+	foll.slot = memslot;
+	foll.gfn = gfn;
+	if (writing)
+		foll.flags |= FOLL_WRITE;
+	pfn = __kvm_follow_pfn(&foll);
+	if (is_error_noslot_pfn(pfn))
+		return -EFAULT;
+	hva = foll.hva;
+	write_ok = foll.writable;
+	if (foll.is_refcounted_page)
+		page = pfn_to_page(pfn);

// kvm_ro: the parameter, its prototype, the callers' argument and their
// local variable.
@@
identifier vcpu, gpa, memslot, writing, inserted_pte, levelp;
@@
 int kvmppc_book3s_instantiate_page(struct kvm_vcpu *vcpu,
 				   unsigned long gpa,
 				   struct kvm_memory_slot *memslot,
 				   bool writing,
-				   bool kvm_ro,
 				   pte_t *inserted_pte, unsigned int *levelp)
 { ... }

@@
identifier vcpu, gpa, memslot, writing, inserted_pte, levelp;
@@
 int kvmppc_book3s_instantiate_page(struct kvm_vcpu *vcpu,
 				unsigned long gpa,
 				struct kvm_memory_slot *memslot,
 				bool writing,
-				bool kvm_ro,
 				pte_t *inserted_pte, unsigned int *levelp);

@@
expression E1, E2, E3, E4, E5, E6, E7;
@@
 kvmppc_book3s_instantiate_page(E1, E2, E3, E4,
-	E5,
 	E6, E7)

@@
@@
(
- bool kvm_ro = false;
|
- kvm_ro = true;
)
