// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 stage-2 fault handling (stage unit): kvm_handle_guest_abort's
 * choice between an access-flag fault and user_mem_abort, and
 * user_mem_abort itself, in Linux 6.12's order, calling the core the way
 * arm64 does at each stage of the series:
 *
 *   legacy..v7.5  __gfn_to_pfn_memslot(slot, gfn, false, false, NULL,
 *                 write_fault, &writable, NULL): a reference on every
 *                 refcounted page, dropped by kvm_release_pfn_clean() at
 *                 the end.
 *   v7.6..v7.8    __kvm_follow_pfn() with FOLL_GET (+ FOLL_WRITE for a
 *                 write): the same references.  Only x86 maps
 *                 non-refcounted pages in v7, so arm64 keeps FOLL_GET and
 *                 refcount-0 tail pages still fail with -EFAULT.
 *   final         6.13: __kvm_faultin_pfn(); a remapped pfn comes with no
 *                 reference, so refcount-0 tail pages map.  The page GUP
 *                 returned is released under mmu_lock by
 *                 kvm_release_faultin_page(), unused if the map failed,
 *                 dirty if mapped writable; an access-flag fault no longer
 *                 marks the page accessed.
 *
 * The fault is split where the scenario may interleave: begin does
 * everything up to the pfn lookup (mmap_lock, VMA, snapshot), finish takes
 * mmu_lock, checks for a racing invalidation, adjusts for THP, maps and
 * releases.  The rest of the MMU is stage-independent: arm64_common.c.
 *
 * What the model leaves out: nested virtualisation, MTE tag sanitising,
 * hugetlbfs (the host model has none, so no 1G block ever comes from a
 * fault; the tables support them), VM_ALLOW_ANY_UNCACHED, FEAT_DIC (X
 * only on instruction faults) and FEAT_HAFDBS (the access flag is managed
 * by software, so aging is followed by access-flag faults).
 */
#include <linux/kvm_host.h>

#include "arm64_mmu.h"

#ifndef ENOEXEC
#define ENOEXEC		8
#endif

/*
 * The bug zoo (kvmpfn-sim --bug=Bn): the arm64 mutants put a historical
 * bug back into this file.  Stage units see KVMPFN_MUTANTS.
 */
#ifdef KVMPFN_MUTANTS
#define arm64_bug(id)	kvmpfn_mutant(id)
#else
#define arm64_bug(id)	false
#endif

#define PMD_SIZE	(1UL << PMD_SHIFT)
#define PUD_SIZE	(1UL << PUD_SHIFT)
#define PTRS_PER_PMD	512

/* What kvm_handle_guest_abort saw in the fault syndrome. */
enum arm64_fault_kind {
	ARM64_FAULT_NONE,		/* the access does not trap */
	ARM64_FAULT_TRANSLATION,
	ARM64_FAULT_PERMISSION,
	ARM64_FAULT_ACCESS_FLAG,
};

/* f->priv between begin and finish */
enum {
	P_KIND,
	P_FLAGS,
	P_VMA_PAGESIZE,
	P_GRANULE,
	P_IPA,
	P_GFN,
	P_HVA,
};

#define PF_FORCE_PTE	BIT(0)
#define PF_DEVICE	BIT(1)
#define PF_PERM		BIT(2)
#define PF_EXEC		BIT(3)

static struct arm64_mmu *mmu_of(struct kvmpfn_sim *sim)
{
	return kvmpfn_arch_mmu(sim);
}

static bool memslot_is_logging(const struct kvm_memory_slot *memslot)
{
	return memslot->dirty_bitmap && !(memslot->flags & KVM_MEM_READONLY);
}

/*
 * A pfn outside the kernel's linear map is mapped as device memory:
 * pfns without a struct page, and ZONE_DEVICE pages, which are hotplugged
 * without entering memblock (so !pfn_is_map_memory()).
 */
static bool kvm_is_device_pfn(kvm_pfn_t pfn)
{
	return !pfn_valid(pfn) || is_zone_device_page(pfn_to_page(pfn));
}

/* hugetlbfs VMAs give their huge page size; the host model has none. */
static int get_vma_page_shift(struct vm_area_struct *vma)
{
	(void)vma;
	return PAGE_SHIFT;
}

/*
 * A block of @map_size around @hva can be mapped only if hva and IPA have
 * the same offset inside it and the whole block lies in the memslot.
 */
static bool fault_supports_stage2_huge_mapping(struct kvm_memory_slot *memslot,
					       unsigned long hva,
					       unsigned long map_size)
{
	u64 gpa_start = (u64)memslot->base_gfn << PAGE_SHIFT;
	unsigned long uaddr_start = memslot->userspace_addr;
	unsigned long uaddr_end = uaddr_start + memslot->npages * PAGE_SIZE;
	unsigned long block = hva & ~(map_size - 1);

	if (map_size == PAGE_SIZE)
		return true;
	if ((gpa_start & (map_size - 1)) != (uaddr_start & (map_size - 1)))
		return false;
	return block >= uaddr_start && block + map_size <= uaddr_end;
}

/*
 * The size of the user mapping of @gfn's hva, read from the host page
 * table (with IRQs off in the kernel); -EAGAIN if it is gone.
 */
static long get_user_mapping_size(struct kvmpfn_sim *sim,
				  struct kvmpfn_fault *f,
				  struct kvm_memory_slot *memslot, gfn_t gfn)
{
	int level = kvmpfn_host_level(sim, f, memslot, gfn);

	if (!level)
		return -EAGAIN;
	return 1L << (PAGE_SHIFT + 9 * (level - 1));
}

/*
 * THP: map a PMD block if the host maps the hva with a PMD.  The pfn and
 * IPA are aligned down; the reference the lookup took stays where it is
 * (no transfer to the head page since c04bf723ccd6).
 */
static long transparent_hugepage_adjust(struct kvmpfn_sim *sim,
					struct kvmpfn_fault *f,
					struct kvm_memory_slot *memslot,
					unsigned long hva, kvm_pfn_t *pfnp,
					u64 *ipap)
{
	kvm_pfn_t pfn = *pfnp;
	long sz;

	/* B11 (6794ad5443a2): no check that the block fits */
	if (arm64_s2_seams()->no_huge_check || arm64_bug(KVMPFN_B11) ||
	    fault_supports_stage2_huge_mapping(memslot, hva, PMD_SIZE)) {
		sz = get_user_mapping_size(sim, f, memslot, f->gfn);
		if (sz < 0)
			return sz;
		if (sz < (long)PMD_SIZE)
			return PAGE_SIZE;
		*ipap &= ~(u64)(PMD_SIZE - 1);
		/*
		 * B14 (c04bf723ccd6): move the reference from the faulting
		 * page to the block's first page, as arm64 did before 6.7.
		 */
#if KVMPFN_STAGE < KVMPFN_STAGE_FINAL
		if (arm64_bug(KVMPFN_B14))
			kvm_release_pfn_clean(pfn);
#endif
		pfn &= ~(kvm_pfn_t)(PTRS_PER_PMD - 1);
#if KVMPFN_STAGE < KVMPFN_STAGE_FINAL
		if (arm64_bug(KVMPFN_B14) && pfn_valid(pfn))
			get_page(pfn_to_page(pfn));
#endif
		*pfnp = pfn;
		return PMD_SIZE;
	}
	return PAGE_SIZE;
}

/* The pfn lookup, as arm64 calls the core at this stage. */
static kvm_pfn_t arm64_lookup_pfn(struct kvm_memory_slot *memslot, gfn_t gfn,
				  bool write_fault, struct kvmpfn_fault *f)
{
	struct kvmpfn_pfn_info *info = &f->info;
	kvm_pfn_t pfn;
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	bool writable;

	pfn = __kvm_faultin_pfn(memslot, gfn, write_fault ? FOLL_WRITE : 0,
				&writable, &info->page);
	info->hva = __gfn_to_hva_memslot(memslot, gfn);
	info->writable = writable;
	info->refcounted = info->page;
	info->holds_ref = info->page;
#elif KVMPFN_STAGE >= KVMPFN_STAGE_V7_6
	struct kvm_follow_pfn foll = {
		.slot = memslot,
		.gfn = gfn,
		.flags = FOLL_GET | (write_fault ? FOLL_WRITE : 0),
		.allow_write_mapping = true,
		.guarded_by_mmu_notifier = true,
	};

	pfn = __kvm_follow_pfn(&foll);
	info->hva = foll.hva;
	info->writable = foll.writable;
	info->refcounted = foll.is_refcounted_page;
	info->holds_ref = foll.is_refcounted_page;
#else
	bool writable = false;

	pfn = __gfn_to_pfn_memslot(memslot, gfn, false, false, NULL,
				   write_fault, &writable, NULL);
	info->hva = __gfn_to_hva_memslot(memslot, gfn);
	info->writable = writable;
	info->refcounted = !is_error_noslot_pfn(pfn) &&
			   kvm_pfn_to_refcounted_page(pfn);
	info->holds_ref = info->refcounted;
#endif
	info->pfn = pfn;
	return pfn;
}

/* user_mem_abort up to the pfn: mmap_lock, the VMA, the snapshot, GUP. */
static int user_mem_abort_begin(struct kvmpfn_sim *sim,
				struct kvmpfn_fault *f, unsigned long hva,
				bool fault_is_perm, u64 fault_granule)
{
	const struct arm64_s2_seams *seams = arm64_s2_seams();
	struct kvm_memory_slot *memslot = f->slot;
	bool write_fault = f->write, exec_fault = f->exec;
	bool logging_active = memslot_is_logging(memslot);
	bool force_pte = false, device = false, snapshot_late;
	u64 ipa = (u64)f->gfn << PAGE_SHIFT;
	struct vm_area_struct *vma;
	unsigned long vma_pagesize;
	int vma_shift;
	kvm_pfn_t pfn;
	gfn_t gfn;

	if (fault_is_perm && !write_fault && !exec_fault)
		return -EFAULT;

	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, hva);
	if (!vma) {
		mmap_read_unlock(current->mm);
		return -EFAULT;
	}

	/* a logged slot is mapped with pages only */
	if (logging_active) {
		force_pte = true;
		vma_shift = PAGE_SHIFT;
	} else {
		vma_shift = get_vma_page_shift(vma);
	}

	switch (vma_shift) {
	case PUD_SHIFT:
		if (fault_supports_stage2_huge_mapping(memslot, hva, PUD_SIZE))
			break;
		vma_shift = PMD_SHIFT;
		fallthrough;
	case PMD_SHIFT:
		if (fault_supports_stage2_huge_mapping(memslot, hva, PMD_SIZE))
			break;
		vma_shift = PAGE_SHIFT;
		force_pte = true;
		fallthrough;
	case PAGE_SHIFT:
		break;
	default:
		WARN_ON(1);
	}
	vma_pagesize = 1UL << vma_shift;

	/* the IPA and the gfn looked up are those of the block */
	if (vma_pagesize == PMD_SIZE || vma_pagesize == PUD_SIZE)
		ipa &= ~(u64)(vma_pagesize - 1);
	gfn = ipa >> PAGE_SHIFT;
	vma = NULL;

	/*
	 * The snapshot comes before mmap_read_unlock(): an invalidation that
	 * changes what vma_lookup() found or what the pfn lookup will find
	 * then makes the fault retry (13ec9308a857; B9 puts the snapshot back
	 * after the unlock).  Under mmap_lock the VMA cannot change, so what
	 * was read from it holds until here.
	 */
	snapshot_late = seams->snapshot_late || arm64_bug(KVMPFN_B9);
	if (!snapshot_late)
		kvmpfn_fault_snapshot(sim, f);
	kvmpfn_fault_read_host(sim, f);
	mmap_read_unlock(current->mm);
	if (snapshot_late)
		kvmpfn_fault_snapshot(sim, f);

	pfn = arm64_lookup_pfn(memslot, gfn, write_fault, f);
	/* the kernel sends the VMM a SIGBUS; the model reports the error */
	if (pfn == KVM_PFN_ERR_HWPOISON)
		return -EHWPOISON;
	if (is_error_noslot_pfn(pfn))
		return -EFAULT;

	if (kvm_is_device_pfn(pfn))
		device = true;
	else if (logging_active && !write_fault)
		/* only a write makes a logged page writable */
		f->info.writable = false;

	/* 6.12 returns here without releasing what the lookup took */
	if (exec_fault && device)
		return -ENOEXEC;

	f->priv[P_FLAGS] = (force_pte ? PF_FORCE_PTE : 0) |
			   (device ? PF_DEVICE : 0) |
			   (fault_is_perm ? PF_PERM : 0) |
			   (exec_fault ? PF_EXEC : 0);
	f->priv[P_VMA_PAGESIZE] = vma_pagesize;
	f->priv[P_GRANULE] = fault_granule;
	f->priv[P_IPA] = ipa;
	f->priv[P_GFN] = gfn;
	f->priv[P_HVA] = hva;
	return 0;
}

/* Would the guest's access go through now (or fault again)? */
static bool access_now_ok(struct arm64_mmu *mmu, struct kvmpfn_fault *f)
{
	kvm_pte_t pte;
	int level;

	if (s2_get_leaf(&mmu->pgt, (u64)f->gfn << PAGE_SHIFT, &pte, &level) ||
	    !s2_pte_is_leaf(pte, level))
		return false;
	return s2_pte_young(pte) && (!f->write || s2_pte_writable(pte));
}

/* user_mem_abort from mmu_lock on: retry check, THP, map, release. */
static int user_mem_abort_finish(struct kvmpfn_sim *sim,
				 struct kvmpfn_fault *f)
{
	const struct arm64_s2_seams *seams = arm64_s2_seams();
	struct arm64_mmu *mmu = mmu_of(sim);
	struct kvm *kvm = &sim->kvm;
	struct kvm_memory_slot *memslot = f->slot;
	u64 flags = f->priv[P_FLAGS];
	bool force_pte = flags & PF_FORCE_PTE;
	bool fault_is_perm = flags & PF_PERM;
	long vma_pagesize = (long)f->priv[P_VMA_PAGESIZE];
	long fault_granule = (long)f->priv[P_GRANULE];
	u64 fault_ipa = f->priv[P_IPA];
	gfn_t gfn = f->priv[P_GFN];
	unsigned long hva = f->priv[P_HVA];
	bool writable = f->info.writable;
	kvm_pfn_t pfn = f->info.pfn;
	u64 prot = S2_PROT_R;
	bool retry = false;
	int ret = 0;

	read_lock(&kvm->mmu_lock);
	/*
	 * In the kernel a memslot update waits (SRCU) for faults in flight;
	 * the model lets one interleave, and a fault that straddled one
	 * backs off instead.
	 */
	if (f->root_gen != sim->root_gen ||
	    (!seams->no_retry_check && mmu_invalidate_retry(kvm, f->mmu_seq))) {
		retry = true;
		ret = -EAGAIN;
		goto out_unlock;
	}

	if (vma_pagesize == (long)PAGE_SIZE && !force_pte) {
		if (fault_is_perm && fault_granule > (long)PAGE_SIZE)
			vma_pagesize = fault_granule;
		else
			vma_pagesize = transparent_hugepage_adjust(sim, f, memslot,
								   hva, &pfn,
								   &fault_ipa);
		if (vma_pagesize < 0) {
			ret = (int)vma_pagesize;
			goto out_unlock;
		}
	}

	if (writable)
		prot |= S2_PROT_W;
	if (flags & PF_EXEC)
		prot |= S2_PROT_X;
	if (flags & PF_DEVICE)
		prot |= S2_PROT_DEVICE;

	/* the same granule: only the permissions change */
	if (fault_is_perm && vma_pagesize == fault_granule)
		ret = s2_relax_perms(&mmu->pgt, fault_ipa, prot, f);
	else
		ret = s2_map(&mmu->pgt, fault_ipa, vma_pagesize,
			     (u64)pfn << PAGE_SHIFT, prot,
			     S2_WALK_HANDLE_FAULT | S2_WALK_SHARED, f);

out_unlock:
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	/*
	 * A failed map used nothing; B16 puts back the marking of a page
	 * whose map failed (509552e65ae8).
	 */
	kvm_release_faultin_page(kvm, f->info.page,
				 ret && !arm64_bug(KVMPFN_B16),
				 writable && !seams->no_dirty_mark);
	f->info.page = NULL;
	read_unlock(&kvm->mmu_lock);

	if (writable && !ret && !seams->no_dirty_mark)
		mark_page_dirty_in_slot(kvm, memslot, gfn);
	(void)pfn;
#else
	read_unlock(&kvm->mmu_lock);

	/*
	 * Dirty only if the fault really mapped the page writable; B16 puts
	 * back the marking of a page whose map failed (509552e65ae8).
	 */
	if (writable && (!ret || arm64_bug(KVMPFN_B16)) &&
	    !seams->no_dirty_mark) {
		kvm_set_pfn_dirty(pfn);
		mark_page_dirty_in_slot(kvm, memslot, gfn);
	}

	kvm_release_pfn_clean(pfn);
#endif
	f->info.holds_ref = false;

	if (retry)
		return -EAGAIN;
	/* a raced or already-present entry: the guest runs the access again */
	if (ret == -EAGAIN)
		return access_now_ok(mmu, f) ? 0 : -EAGAIN;
	return ret;
}

/*
 * handle_access_fault: make the leaf young again under the read lock, then
 * (up to v7.8) mark the page accessed after dropping it, with no reference
 * held: the page is only known alive while mmu_lock is held (I4).
 */
static int handle_access_fault(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct arm64_mmu *mmu = mmu_of(sim);
	struct kvm *kvm = &sim->kvm;
	kvm_pte_t pte;

	read_lock(&kvm->mmu_lock);
	pte = s2_mkyoung(&mmu->pgt, f->priv[P_IPA], NULL);
	read_unlock(&kvm->mmu_lock);

#if KVMPFN_STAGE < KVMPFN_STAGE_FINAL
	if (s2_pte_valid(pte))
		kvm_set_pfn_accessed(s2_pte_to_pfn(pte));
#endif
	/* the leaf went meanwhile: the access faults again */
	return s2_pte_valid(pte) ? 0 : -EAGAIN;
}

/*
 * kvm_handle_guest_abort: the fault's kind comes from the syndrome, i.e.
 * from what the hardware walk found for the IPA.
 */
static int arm64_fault_begin(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct arm64_mmu *mmu = mmu_of(sim);
	struct kvm_memory_slot *memslot = f->slot;
	u64 ipa = (u64)f->gfn << PAGE_SHIFT;
	u64 fault_granule = 0;
	bool perm = false;
	kvm_pte_t pte;
	int level;

	/* beyond the IPA space: the guest gets an abort */
	if (ipa >= 1ULL << mmu->pgt.ia_bits)
		return -EFAULT;
	/*
	 * gfn_to_hva_memslot_prot() fails for an INVALID slot: the access
	 * becomes an MMIO exit (x86 retries instead).  A write to a
	 * read-only slot is an MMIO exit too.
	 */
	if (memslot->flags & KVM_MEMSLOT_INVALID)
		return -ENOENT;
	if (f->write && (memslot->flags & KVM_MEM_READONLY))
		return -EACCES;
	f->root_gen = sim->root_gen;

	if (!s2_get_leaf(&mmu->pgt, ipa, &pte, &level) &&
	    s2_pte_is_leaf(pte, level)) {
		if (!s2_pte_young(pte)) {
			f->priv[P_KIND] = ARM64_FAULT_ACCESS_FLAG;
			f->priv[P_IPA] = ipa;
			f->info.pfn = s2_pte_to_pfn(pte) +
				      ((ipa & (s2_granule_size(level) - 1)) >>
				       PAGE_SHIFT);
			return 0;
		}
		if ((f->write && !s2_pte_writable(pte)) ||
		    (f->exec && !s2_pte_executable(pte))) {
			perm = true;
			fault_granule = s2_granule_size(level);
		} else {
			/* the leaf allows the access: the hardware walk succeeds */
			f->priv[P_KIND] = ARM64_FAULT_NONE;
			f->info.pfn = s2_pte_to_pfn(pte) +
				      ((ipa & (s2_granule_size(level) - 1)) >>
				       PAGE_SHIFT);
			return 0;
		}
	}
	f->priv[P_KIND] = perm ? ARM64_FAULT_PERMISSION :
				 ARM64_FAULT_TRANSLATION;
	return user_mem_abort_begin(sim, f,
				    __gfn_to_hva_memslot(memslot, f->gfn),
				    perm, fault_granule);
}

static int arm64_fault_finish(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	switch (f->priv[P_KIND]) {
	case ARM64_FAULT_NONE:
		return 0;
	case ARM64_FAULT_ACCESS_FLAG:
		return handle_access_fault(sim, f);
	default:
		return user_mem_abort_finish(sim, f);
	}
}

static bool arm64_refcounted(struct kvmpfn_sim *sim,
			     const struct kvmpfn_leaf_view *v)
{
#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
	return sim && check_final_refcounted(sim, v->as_id, v->gfn, v->pfn);
#else
	(void)sim;
	return kvm_pfn_to_refcounted_page(v->pfn) != NULL;
#endif
}

static int arm64_init(struct kvmpfn_sim *sim, void *mmu)
{
	return arm64_s2_init(sim, mmu, arm64_refcounted);
}

const struct kvmpfn_arch_ops KVMPFN_STAGE_SYM(arch_arm64) = {
	.name = "arm64",
	.seams = &arm64_s2_seam_table,
	.mmu_size = sizeof(struct arm64_mmu),
	.init = arm64_init,
	.destroy = arm64_s2_destroy,
	.reset = arm64_s2_reset,
	.fault_begin = arm64_fault_begin,
	.fault_finish = arm64_fault_finish,
	.unmap_gfn_range = arm64_s2_unmap_gfn_range,
	.age_gfn_range = arm64_s2_age_gfn_range,
	.flush_memslot = arm64_s2_flush_memslot,
	.slot_flags_changed = arm64_s2_slot_flags_changed,
	.clear_dirty = arm64_s2_clear_dirty,
	.for_each_leaf = arm64_s2_for_each_leaf,
	.lookup = arm64_s2_lookup,
	.check = arm64_s2_check,
};
