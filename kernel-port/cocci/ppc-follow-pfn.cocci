// SPDX-License-Identifier: GPL-2.0
// ppc book3s: resolve HV and radix faults with one __kvm_follow_pfn()
// call (it has its own fast path) and FOLL_GET, and put the page only if
// the core says it holds a reference on it.  The old !PageReserved()
// filter leaked the reference GUP takes on the zero page and on
// ZONE_DEVICE pages.

// Radix: kvmppc_book3s_instantiate_page().
@@
@@
 	bool upgrade_write = false;
-	bool *upgrade_p = &upgrade_write;
+	struct kvm_follow_pfn foll = {
+		.slot = memslot,
+		.gfn = gfn,
+		.flags = FOLL_GET | (writing ? FOLL_WRITE : 0),
+		.allow_write_mapping = !kvm_ro,
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
-			if (PageReserved(page))
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

// Hashed page table: kvmppc_book3s_hv_page_fault().
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
-			if (PageReserved(page))
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
