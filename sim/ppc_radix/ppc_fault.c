// SPDX-License-Identifier: GPL-2.0
/*
 * ppc book3s HV radix, stage unit: the guest page fault
 * (kvmppc_book3s_radix_page_fault → kvmppc_book3s_instantiate_page in
 * Linux 6.12) and the architecture's table of operations.  The tree, the
 * choke point and the life cycle are stage-neutral (radix_mmu.c).
 *
 *   legacy..v7.6  a lockless get_user_page_fast_only(FOLL_WRITE) first,
 *                 unless the memslot is read-only (success maps writable:
 *                 "upgrade_write"); else __gfn_to_pfn_memslot().  Either way
 *                 the fault holds a reference, and ppc decides on its own
 *                 which page to put: pfn_valid() && !PageReserved().  That
 *                 is not kvm_pfn_to_refcounted_page(): the zero page and
 *                 ZONE_DEVICE pages are PG_reserved, GUP refcounts them,
 *                 and ppc never puts them (I2; and a ZONE_DEVICE page
 *                 mapped writable is never dirtied, I16).
 *   v7.7..v7.8    "KVM: PPC: Migrate to __kvm_follow_pfn": one
 *                 __kvm_follow_pfn() with FOLL_GET (the fast path is the
 *                 core's), and the page to put is the one the core says is
 *                 refcounted, which ends the leak; kvm_ro is gone, as the
 *                 core never maps a read-only memslot writable.  The
 *                 kernel-port ends the leak in a patch of its own just
 *                 before (it puts the zero page and ZONE_DEVICE pages too),
 *                 so the migration itself changes nothing.
 *   final         6.13: __kvm_faultin_pfn(); the page to put is the one
 *                 GUP returned (refcounted_page), none for a remapped pfn,
 *                 which therefore maps even with a refcount of 0.  The
 *                 dirtying and put after the install stay as they were.
 *
 * At every stage the leaf is built from the host's PTE, read under
 * mmu_lock after the invalidation check (find_kvm_host_pte), not from the
 * pfn the lookup returned; the page is dirtied if mapped writable and put
 * after mmu_lock is dropped.
 */
#include <linux/kvm_host.h>

#include "kvm_model.h"
#include "radix_mmu.h"

/* struct kvmpfn_fault.priv between begin and finish */
enum {
	PRIV_FLAGS,
	PRIV_HVA,
	PRIV_PAGE_PFN,
};

#define PF_SET_RC	BIT(0)	/* a present leaf only needs R/C set */
#define PF_UPGRADE	BIT(1)	/* upgrade_write */
#define PF_PAGE		BIT(2)	/* ppc holds "page" and will put it */

#if KVMPFN_STAGE < KVMPFN_STAGE_V7_7
/*
 * The hva of @gfn.  The kernel uses gfn_to_hva_memslot(), which asks for
 * write access and so returns KVM_HVA_ERR_RO_BAD for a read-only memslot;
 * ppc never meets that because it does not select HAVE_KVM_READONLY_MEM
 * and KVM refuses KVM_MEM_READONLY there.  The model accepts read-only
 * slots on every arch, so it takes the plain translation, which is what
 * the v7.7+ code gets from kvm_follow_pfn.hva as well.
 */
static unsigned long ppc_gfn_to_hva(struct kvm_memory_slot *memslot,
				    gfn_t gfn, bool kvm_ro)
{
	if (kvm_ro)
		return __gfn_to_hva_memslot(memslot, gfn);
	return gfn_to_hva_memslot(memslot, gfn);
}
#endif

/* Look the page up; 0 with f->info filled in, or the error to return. */
static int ppc_faultin_pfn(struct kvmpfn_sim *sim, struct kvmpfn_fault *f,
			   bool kvm_ro)
{
	struct kvm_memory_slot *memslot = f->slot;
	struct kvmpfn_pfn_info *info = &f->info;
	bool writing = f->write, upgrade_write = false;
	struct page *page = NULL;
	unsigned long hva;
	kvm_pfn_t pfn;

#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	(void)kvm_ro;
	/* the plain translation, as the v7 code gets from kvm_follow_pfn.hva */
	hva = __gfn_to_hva_memslot(memslot, f->gfn);
	pfn = __kvm_faultin_pfn(memslot, f->gfn, writing ? FOLL_WRITE : 0,
				&upgrade_write, &page);
	if (is_error_noslot_pfn(pfn))
		return -EFAULT;
	info->holds_ref = page;
#elif KVMPFN_STAGE >= KVMPFN_STAGE_V7_7
	struct kvm_follow_pfn foll = {
		.slot = memslot,
		.gfn = f->gfn,
		.flags = FOLL_GET | (writing ? FOLL_WRITE : 0),
		/* the core keeps a read-only memslot read-only: no kvm_ro */
		.allow_write_mapping = true,
		.guarded_by_mmu_notifier = true,
	};

	(void)kvm_ro;
	pfn = __kvm_follow_pfn(&foll);
	hva = foll.hva;
	if (is_error_noslot_pfn(pfn))
		return -EFAULT;
	upgrade_write = foll.writable;
	if (foll.is_refcounted_page)
		page = pfn_to_page(pfn);
	info->holds_ref = foll.is_refcounted_page;
#else
	hva = ppc_gfn_to_hva(memslot, f->gfn, kvm_ro);
	if (!kvm_ro && get_user_page_fast_only(hva, FOLL_WRITE, &page)) {
		upgrade_write = true;
		pfn = page_to_pfn(page);
		info->holds_ref = true;
	} else {
		/* the generic slow path (no fast attempt: !atomic, !async) */
		pfn = __gfn_to_pfn_memslot(memslot, f->gfn, false, false, NULL,
					   writing, &upgrade_write, NULL);
		if (is_error_noslot_pfn(pfn))
			return -EFAULT;
		/* what the core took a reference on ... */
		info->holds_ref = ppc_pfn_takes_ref(pfn);
		/* ... and what ppc will put */
		page = NULL;
		if (pfn_valid(pfn)) {
			page = pfn_to_page(pfn);
			if (PageReserved(page))
				page = NULL;
		}
	}
#endif
	(void)sim;
	info->pfn = pfn;
	info->hva = hva;
	info->writable = upgrade_write;
	info->refcounted = page != NULL;
	f->priv[PRIV_FLAGS] = (upgrade_write ? PF_UPGRADE : 0) |
			      (page ? PF_PAGE : 0);
	f->priv[PRIV_HVA] = hva;
	f->priv[PRIV_PAGE_PFN] = page ? page_to_pfn(page) : 0;
	return 0;
}

static int ppc_fault_begin(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct kvm_memory_slot *memslot = f->slot;
	u64 gpa = (u64)f->gfn << PPC_PAGE_SHIFT;
	bool kvm_ro = false;
	struct ppc_pos pos;

	/* no usable memslot: emulated MMIO */
	if (memslot->flags & KVM_MEMSLOT_INVALID)
		return -ENOENT;
	/* beyond the 52-bit guest real address space the tree translates */
	if (f->gfn >= PPC_GFN_LIMIT)
		return -EFAULT;
	if (memslot->flags & KVM_MEM_READONLY) {
		if (f->write)
			return -EACCES;	/* the kernel queues a DSI */
		kvm_ro = true;
	}
	f->root_gen = sim->root_gen;

	/*
	 * The MMU raises DSISR_SET_RC (rather than a translation or
	 * protection fault) when the leaf allows the access and only R/C
	 * need setting; the handler sets them under mmu_lock in finish.
	 */
	if (ppc_radix_find(ppc_mmu(sim), gpa, &pos) &&
	    (!f->write || ppc_pte_write(*pos.e))) {
		f->info.pfn = ppc_pte_pfn(*pos.e) +
			      (f->gfn & (ppc_level_pages(pos.level) - 1));
		f->info.writable = ppc_pte_write(*pos.e);
		f->info.refcounted = pos.t &&
				     (pos.t->meta[pos.idx] & PPC_META_REFCOUNTED);
		f->priv[PRIV_FLAGS] = PF_SET_RC;
		return 0;
	}

	/* used to check for invalidations in progress */
	kvmpfn_fault_snapshot(sim, f);
	return ppc_faultin_pfn(sim, f, kvm_ro);
}

/* 2M/1G only where the host maps that much and the leaf can be placed. */
static int ppc_leaf_level(struct kvm_memory_slot *memslot, gfn_t gfn,
			  unsigned long hva, int host_level)
{
	u64 gpa = (u64)gfn << PPC_PAGE_SHIFT;
	int level;

	/* when logging dirty pages, always map single pages */
	if (memslot->flags & KVM_MEM_LOG_DIRTY_PAGES)
		return PPC_LEVEL_PTE;
	for (level = PPC_LEVEL_PUD; level > PPC_LEVEL_PTE; level--) {
		u64 size = 1ULL << ppc_level_shift(level);
		gfn_t first = gfn & ~(ppc_level_pages(level) - 1);

		if (host_level != level + 1)
			continue;
		if ((gpa & (size - PAGE_SIZE)) != (hva & (size - PAGE_SIZE)))
			continue;
		/*
		 * Not in Linux 6.12, which checks co-alignment only: the leaf
		 * must also stay inside the memslot (arm64's
		 * fault_supports_stage2_huge_mapping()).  Without it a slot
		 * whose end is not 2M aligned gets a 2M leaf that maps past
		 * it (I13); the seam restores the kernel's rule.
		 */
		if (!ppc_radix_seam(PPC_SEAM_KERNEL_LEVEL_RULE) &&
		    (first < memslot->base_gfn ||
		     first + ppc_level_pages(level) >
		     memslot->base_gfn + memslot->npages))
			continue;
		return level;
	}
	return PPC_LEVEL_PTE;
}

static int ppc_instantiate_finish(struct kvmpfn_sim *sim,
				  struct kvmpfn_fault *f)
{
	u64 flags = f->priv[PRIV_FLAGS], gpa, pte = 0, leaf_pfn, sub = 0;
	unsigned long hva = f->priv[PRIV_HVA];
	struct kvm_memory_slot *memslot = f->slot;
	struct kvm *kvm = &sim->kvm;
	struct page *page = NULL;
	int host_level = 0, level, ret;

	if (flags & PF_PAGE)
		page = pfn_to_page(f->priv[PRIV_PAGE_PFN]);

	/*
	 * Read the host PTE for its size and attributes (find_kvm_host_pte:
	 * under mmu_lock, and nothing if an invalidation raced with us).
	 */
	write_lock(&kvm->mmu_lock);
	if (ppc_radix_seam(PPC_SEAM_NO_HOST_PTE_RETRY) ||
	    !mmu_invalidate_retry(kvm, f->mmu_seq)) {
		pte = ppc_pte_from_host(hpt_lookup(&sim->mm, hva, NULL, NULL));
		if (pte)
			host_level = kvmpfn_host_level(sim, f, memslot, f->gfn);
	}
	write_unlock(&kvm->mmu_lock);

	/* the host PTE is gone for now (a THP collapse): let the guest retry */
	if (!ppc_pte_present(pte) || !host_level) {
		if (page)
			put_page(page);
		f->info.holds_ref = false;
		return -EAGAIN;
	}

	gpa = (u64)f->gfn << PPC_PAGE_SHIFT;
	level = ppc_leaf_level(memslot, f->gfn, hva, host_level);
	if (level == PPC_LEVEL_PTE && host_level > HPT_LEVEL_4K) {
		/* one page of a larger host mapping: the hva picks which */
		u64 rpnmask = (1ULL << ppc_level_shift(host_level - 1)) -
			      PAGE_SIZE;

		pte |= hva & rpnmask;
	}

	pte |= PPC_PAGE_EXEC | PPC_PAGE_ACCESSED;
	/*
	 * B15 (03b755b2aa48): e500 took the shadow entry's write permission
	 * from the guest's TLB entry, not from the host page; here the guest
	 * side is a memslot that is not read-only.
	 */
	if (sim->bug == KVMPFN_B15 &&
	    !(memslot->flags & KVM_MEM_READONLY)) {
		pte |= PPC_PAGE_WRITE;
		flags |= PF_UPGRADE;
	}
	if (f->write || (flags & PF_UPGRADE)) {
		if (pte & PPC_PAGE_WRITE)
			pte |= PPC_PAGE_DIRTY;
	} else {
		pte &= ~(PPC_PAGE_WRITE | PPC_PAGE_DIRTY);
	}

	/* which page of the leaf this fault's page is, for the I16 check */
	leaf_pfn = ppc_pte_pfn(pte);
	if (f->info.pfn >= leaf_pfn &&
	    f->info.pfn < leaf_pfn + ppc_level_pages(level))
		sub = f->info.pfn - leaf_pfn;

	ret = ppc_radix_create_pte(sim, pte, gpa, level, f,
				   page ? PPC_META_REFCOUNTED : 0, sub);

	if (page) {
		if (!ret && (pte & PPC_PAGE_WRITE) &&
		    !ppc_radix_seam(PPC_SEAM_SKIP_SET_PAGE_DIRTY))
			set_page_dirty_lock(page);
		put_page(page);
	}
	/* a reference ppc did not recognise is not put: it leaks here */
	f->info.holds_ref = false;
	return ret;
}

/*
 * kvmppc_patch_dcbz (book3s PR, for guests with 32-byte dcbz): KVM
 * rewrites the dcbz instructions of a page through a short-lived kernel
 * mapping: gfn_to_page(), map, patch, unmap, put_page().  Linux 6.12.117
 * also calls get_page() after gfn_to_page() and so leaks one reference
 * per call; 17b7dbaf183e (6.13) removed it.  The model runs the fixed
 * code; --bug=B8 puts the get_page() back.  At final the patching goes
 * through kvm_vcpu_map() (ee0fa693546d, 6.13): a pinned, writable map,
 * which remapped memory does not get.
 */
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
static int ppc_patch_dcbz(struct kvmpfn_sim *sim, gfn_t gfn)
{
	struct kvm_vcpu vcpu = { .kvm = &sim->kvm };
	struct kvm_host_map map;

	if (kvm_vcpu_map(&vcpu, gfn, &map))
		return -EFAULT;
	if (sim->bug == KVMPFN_B8 && map.pinned_page)
		get_page(map.pinned_page);
	/* patch the words through map.hva */
	kvm_vcpu_unmap(&vcpu, &map);
	return 0;
}
#else
static int ppc_patch_dcbz(struct kvmpfn_sim *sim, gfn_t gfn)
{
	struct page *hpage = gfn_to_page(&sim->kvm, gfn);

	if (is_error_page(hpage))
		return -EFAULT;
	if (sim->bug == KVMPFN_B8)
		get_page(hpage);
	/* kmap_local_page(), patch the words, kunmap_local(): no refcount */
	put_page(hpage);
	return 0;
}
#endif

static int ppc_fault_finish(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	if (f->priv[PRIV_FLAGS] & PF_SET_RC) {
		/*
		 * kvmppc_hv_handle_set_rc.  If the leaf went meanwhile the
		 * kernel goes on to instantiate it; the model returns to the
		 * guest, whose retried access takes that path.
		 */
		if (ppc_radix_handle_set_rc(sim, f->slot,
					    (u64)f->gfn << PPC_PAGE_SHIFT,
					    f->write))
			return 0;
		return -EAGAIN;
	}
	return ppc_instantiate_finish(sim, f);
}

const struct kvmpfn_arch_ops KVMPFN_STAGE_SYM(arch_ppc) = {
	.name = "ppc",
	.seams = &ppc_radix_seam_table,
	.mmu_size = sizeof(struct ppc_mmu),
	.init = ppc_mmu_init,
	.destroy = ppc_mmu_destroy,
	.reset = ppc_mmu_reset,
	.fault_begin = ppc_fault_begin,
	.fault_finish = ppc_fault_finish,
	.unmap_gfn_range = ppc_unmap_gfn_range,
	.age_gfn_range = ppc_age_gfn_range,
	.flush_memslot = ppc_flush_memslot,
	.slot_flags_changed = ppc_slot_flags_changed,
	.clear_dirty = ppc_clear_dirty,
	.for_each_leaf = ppc_for_each_leaf,
	.lookup = ppc_lookup,
	.page_access = ppc_patch_dcbz,
	.check = ppc_check,
};
