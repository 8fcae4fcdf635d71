// SPDX-License-Identifier: GPL-2.0
/*
 * Host page faults and page-table changes: what handle_mm_fault() does for
 * each kind of VMA (anonymous with the zero page, copy-on-write and THP;
 * file-backed; a driver's VM_PFNMAP/VM_IO or VM_MIXEDMAP fault handler),
 * the zap, migration, THP split and collapse paths, and memory_failure()'s
 * unmapping of a poisoned page, each bracketed by the mmu_notifier where it
 * changes an existing mapping.
 *
 * Mapping a refcounted page into a PTE holds one reference on its folio;
 * special PTEs (pfnmap, the zero page) hold none.
 */
#include <stdlib.h>

#include "host_mm.h"

#define HPAGE_2M	(1UL << PMD_SHIFT)
#define HPAGE_PAGES	(HPAGE_2M >> PAGE_SHIFT)

static unsigned long level_size(int level)
{
	return PAGE_SIZE << (9 * (level - 1));
}

static bool pte_holds_ref(struct mm_struct *mm, u64 pte)
{
	return (pte & HPTE_PRESENT) && !(pte & HPTE_SPECIAL) &&
	       hpte_pfn(pte) != mm->zero_pfn;
}

static void map_ref(struct mm_struct *mm, unsigned long pfn)
{
	struct page *p = host_pfn_to_page(mm, pfn);

	p->_mapcount++;
	host_page_ref(mm, p, 1, REF_MAP);
}

/* Drop a PTE's reference; the last one frees the folio. */
static void unmap_ref(struct mm_struct *mm, unsigned long pfn)
{
	struct page *p = host_pfn_to_page(mm, pfn);

	p->_mapcount--;
	host_page_ref(mm, p, -1, REF_UNMAP);
}

static int anon_alloc(struct mm_struct *mm, unsigned int order,
		      unsigned long *pfn)
{
	struct kvmpfn_alloc *a;
	int r;

	r = host_alloc(mm, NULL, order,
		       KVMPFN_ALLOC_ANON | (order ? KVMPFN_ALLOC_COMPOUND : 0),
		       &a);
	if (r)
		return r;
	*pfn = a->pfn;
	return 0;
}

/* Hand the allocator's reference over to the PTE that maps the page. */
static int install_new(struct mm_struct *mm, unsigned long addr, int level,
		       unsigned long pfn, u64 bits)
{
	struct page *p = host_pfn_to_page(mm, pfn);

	p->_mapcount++;
	return hpt_set(mm, addr, level,
		       ((u64)pfn << HPTE_PFN_SHIFT) | HPTE_PRESENT | bits);
}

static u64 write_bits(struct vm_area_struct *vma, bool write)
{
	if (write)
		return HPTE_WRITE | HPTE_DIRTY | HPTE_YOUNG;
	return (vma->vm_flags & VM_WRITE) ? HPTE_WRITE | HPTE_YOUNG :
					    HPTE_YOUNG;
}

/* Replace the page at @addr with a private copy (copy-on-write). */
static int do_cow(struct mm_struct *mm, unsigned long addr, u64 old)
{
	unsigned long pfn;
	int r;

	r = anon_alloc(mm, 0, &pfn);
	if (r)
		return r;
	mmu_notifier_invalidate_range_start(mm, addr, addr + PAGE_SIZE);
	if (pte_holds_ref(mm, old))
		unmap_ref(mm, hpte_pfn(old));
	r = install_new(mm, addr, HPT_LEVEL_4K, pfn,
			HPTE_WRITE | HPTE_DIRTY | HPTE_YOUNG);
	mmu_notifier_invalidate_range_end(mm, addr, addr + PAGE_SIZE);
	return r;
}

static bool thp_fits(struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long base = addr & ~(HPAGE_2M - 1);

	return base >= vma->vm_start && base + HPAGE_2M <= vma->vm_end;
}

static bool range_empty(struct mm_struct *mm, unsigned long base,
			unsigned long len)
{
	return !hpt_range_any(mm, base, base + len, true, true);
}

static int fault_anon(struct mm_struct *mm, struct vm_area_struct *vma,
		      unsigned long addr, bool write, u64 pte)
{
	unsigned long pfn, base = addr & ~(HPAGE_2M - 1);

	if (pte) {
		/* present but read-only: the zero page or a shared copy */
		if (hpte_pfn(pte) == mm->zero_pfn ||
		    !(vma->vm_flags & VM_SHARED))
			return do_cow(mm, addr, pte);
		return -EFAULT;
	}

	if (vma->vm_backing->thp && thp_fits(vma, addr) &&
	    range_empty(mm, base, HPAGE_2M)) {
		int r = anon_alloc(mm, 9, &pfn);

		if (r)
			return r;
		return install_new(mm, base, HPT_LEVEL_2M, pfn,
				   write_bits(vma, write));
	}

	/* A read of untouched anonymous memory maps the shared zero page. */
	if (!write)
		return hpt_set(mm, addr, HPT_LEVEL_4K,
			       ((u64)mm->zero_pfn << HPTE_PFN_SHIFT) |
			       HPTE_PRESENT | HPTE_YOUNG);

	if (anon_alloc(mm, 0, &pfn))
		return -ENOMEM;
	return install_new(mm, addr, HPT_LEVEL_4K, pfn, write_bits(vma, true));
}

static unsigned long backing_pfn(struct vm_area_struct *vma,
				 unsigned long addr)
{
	return vma->vm_backing->alloc->pfn + vma->vm_pgoff +
	       ((addr - vma->vm_start) >> PAGE_SHIFT);
}

static int fault_file(struct mm_struct *mm, struct vm_area_struct *vma,
		      unsigned long addr, bool write, u64 pte)
{
	unsigned long pfn = backing_pfn(vma, addr);
	bool shared = vma->vm_flags & VM_SHARED;

	if (write && !shared)
		return do_cow(mm, addr, pte);
	if (pte) {
		/* write-notify upgrade of a shared page: same pfn */
		return hpt_set(mm, addr, HPT_LEVEL_4K,
			       pte | HPTE_WRITE | HPTE_DIRTY | HPTE_YOUNG);
	}
	map_ref(mm, pfn);
	return hpt_set(mm, addr, HPT_LEVEL_4K,
		       ((u64)pfn << HPTE_PFN_SHIFT) | HPTE_PRESENT |
		       HPTE_YOUNG | (write ? HPTE_WRITE | HPTE_DIRTY : 0));
}

/* The driver's fault handler of a VM_PFNMAP/VM_IO or VM_MIXEDMAP VMA. */
static int fault_remap(struct mm_struct *mm, struct vm_area_struct *vma,
		       unsigned long addr)
{
	struct kvmpfn_alloc *a = vma->vm_backing->alloc;
	unsigned long pfn = backing_pfn(vma, addr);
	u64 bits = HPTE_PRESENT | HPTE_YOUNG;
	bool mixed_page = vma->vm_backing->kind == KVMPFN_BACK_MIXEDMAP &&
			  !(a->flags & KVMPFN_ALLOC_NOSTRUCT);

	if (a->freed)
		return -EFAULT;
	/*
	 * A DAX driver knows its bad blocks (pmem's dax_direct_access says
	 * -EHWPOISON, vmf_error() makes it VM_FAULT_HWPOISON); a driver's
	 * VM_PFNMAP fault handler does not look.
	 */
	if (mixed_page && host_page_hwpoisoned(mm, pfn) &&
	    kshim_page_flag(host_pfn_to_page(mm, pfn), PG_zone_device))
		return -EHWPOISON;
	if (vma->vm_flags & VM_WRITE)
		bits |= HPTE_WRITE;
	if (!mixed_page)
		bits |= HPTE_SPECIAL;

	if (vma->vm_backing->huge_pfnmap && !mixed_page &&
	    thp_fits(vma, addr) &&
	    !((pfn - ((addr - (addr & ~(HPAGE_2M - 1))) >> PAGE_SHIFT)) &
	      (HPAGE_PAGES - 1)) &&
	    range_empty(mm, addr & ~(HPAGE_2M - 1), HPAGE_2M)) {
		unsigned long base = addr & ~(HPAGE_2M - 1);

		return hpt_set(mm, base, HPT_LEVEL_2M,
			       ((u64)backing_pfn(vma, base) << HPTE_PFN_SHIFT) |
			       bits);
	}
	if (mixed_page)
		map_ref(mm, pfn);
	return hpt_set(mm, addr, HPT_LEVEL_4K,
		       ((u64)pfn << HPTE_PFN_SHIFT) | bits);
}

int host_handle_fault(struct mm_struct *mm, struct vm_area_struct *vma,
		      unsigned long addr, bool write)
{
	unsigned long pfn = 0;
	int level;
	u64 pte;

	addr &= PAGE_MASK;
	if (!(vma->vm_flags & VM_READ) ||
	    (write && !(vma->vm_flags & VM_WRITE)))
		return -EFAULT;

	pte = hpt_lookup(mm, addr, &level, &pfn);
	/* do_swap_page() on a hwpoison entry: VM_FAULT_HWPOISON */
	if (!pte && hpt_hwpoison_entry(mm, addr))
		return -EHWPOISON;
	if (pte && host_page_hwpoisoned(mm, pfn))
		return -EHWPOISON;
	if (pte && (!write || (pte & HPTE_WRITE))) {
		int l = level;
		u64 *e = hpt_walk(mm, addr, &l, false);

		*e |= HPTE_YOUNG | (write ? HPTE_DIRTY : 0);
		return 0;
	}
	if (pte && level > HPT_LEVEL_4K) {
		int r = host_thp_split(mm, addr);

		if (r)
			return r;
		pte = hpt_lookup(mm, addr, &level, &pfn);
	}

	switch (vma->vm_backing->kind) {
	case KVMPFN_BACK_ANON:
		return fault_anon(mm, vma, addr, write, pte);
	case KVMPFN_BACK_FILE:
		if (host_page_hwpoisoned(mm, backing_pfn(vma, addr)))
			return -EHWPOISON;
		return fault_file(mm, vma, addr, write, pte);
	default:
		return fault_remap(mm, vma, addr);
	}
}

/* Clear every leaf in [start, end); the caller holds the notifier open. */
int host_zap_range(struct mm_struct *mm, unsigned long start,
		   unsigned long end)
{
	unsigned long a = start;

	while (a < end) {
		int level = HPT_LEVEL_4K;
		unsigned long sz, base;
		u64 *e = hpt_walk(mm, a, &level, false);
		u64 pte = e ? *e : 0;

		sz = level_size(level);
		base = a & ~(sz - 1);
		if (!(pte & HPTE_PRESENT)) {
			/* a hwpoison entry goes with the range, as in zap_pte_range() */
			if (pte & HPTE_HWPOISON)
				*e = 0;
			a = base + sz;
			continue;
		}
		if (base < start || base + sz > end) {
			int r = host_thp_split(mm, a);

			if (r)
				return r;
			continue;
		}
		if (pte_holds_ref(mm, pte))
			unmap_ref(mm, hpte_pfn(pte));
		*e = 0;
		a = base + sz;
	}
	return 0;
}

/*
 * Split a huge leaf into the next level's entries.  A folio mapped by one
 * PMD holds one reference; mapped by 512 PTEs it holds 512.
 */
int host_thp_split(struct mm_struct *mm, unsigned long addr)
{
	unsigned long base, sz, step, n;
	int level = HPT_LEVEL_4K, r = 0;
	u64 *e = hpt_walk(mm, addr, &level, false), pte;

	if (!e || !(*e & HPTE_PRESENT) || level == HPT_LEVEL_4K)
		return -EINVAL;
	pte = *e;
	sz = level_size(level);
	step = level_size(level - 1);
	base = addr & ~(sz - 1);
	n = sz / step;

	mmu_notifier_invalidate_range_start(mm, base, base + sz);
	hpt_set(mm, base, level, 0);
	r = hpt_set_run(mm, base, level - 1, (unsigned int)n,
			pte & ~HPTE_HUGE, step >> PAGE_SHIFT);
	if (pte_holds_ref(mm, pte))
		host_page_ref(mm, host_pfn_to_page(mm, hpte_pfn(pte)),
			      (int)n - 1, REF_MAP);
	mmu_notifier_invalidate_range_end(mm, base, base + sz);
	return r;
}

/* Split huge leaves until none straddles @addr (an mprotect boundary). */
int host_split_at(struct mm_struct *mm, unsigned long addr)
{
	for (;;) {
		int level = HPT_LEVEL_4K, r;
		u64 *e = hpt_walk(mm, addr, &level, false);

		if (!e || !(*e & HPTE_PRESENT) || level == HPT_LEVEL_4K ||
		    !(addr & (level_size(level) - 1)))
			return 0;
		r = host_thp_split(mm, addr);
		if (r)
			return r;
	}
}

/* khugepaged: replace the 4K pages of a 2M range with one new folio. */
int host_thp_collapse(struct mm_struct *mm, unsigned long addr)
{
	unsigned long base = addr & ~(HPAGE_2M - 1), pfn;
	struct vm_area_struct *vma = host_vma_find(mm, addr);
	int level = HPT_LEVEL_4K, r;
	u64 bits;

	if (!vma || vma->vm_backing->kind != KVMPFN_BACK_ANON ||
	    !thp_fits(vma, addr))
		return -EINVAL;
	if (hpt_lookup(mm, base, &level, NULL) && level > HPT_LEVEL_4K)
		return -EEXIST;
	/* khugepaged cannot swap in a hwpoison entry: the scan gives up */
	if (hpt_range_any(mm, base, base + HPAGE_2M, false, true))
		return -EBUSY;
	r = anon_alloc(mm, 9, &pfn);
	if (r)
		return r;
	bits = (vma->vm_flags & VM_WRITE) ? HPTE_WRITE | HPTE_YOUNG :
					    HPTE_YOUNG;

	mmu_notifier_invalidate_range_start(mm, base, base + HPAGE_2M);
	r = host_zap_range(mm, base, base + HPAGE_2M);
	if (!r)
		r = install_new(mm, base, HPT_LEVEL_2M, pfn, bits);
	mmu_notifier_invalidate_range_end(mm, base, base + HPAGE_2M);
	return r;
}

/*
 * Move the page mapped at @addr to a new frame.  Migration gives up on a
 * page someone other than its mappings holds: an elevated count is exactly
 * what a long-term KVM reference looks like.
 */
/* Move one page; @notify: bracket it, else the caller's notifier is open. */
static int migrate_one(struct mm_struct *mm, unsigned long addr, bool notify)
{
	unsigned long pfn, new_pfn;
	struct page *page;
	int level, r;
	u64 pte;

	addr &= PAGE_MASK;
	pte = hpt_lookup(mm, addr, &level, &pfn);
	if (!pte_holds_ref(mm, pte) || level != HPT_LEVEL_4K)
		return -EINVAL;
	page = host_pfn_to_page(mm, pfn);
	if (page->head || page->order)
		return -EINVAL;
	if (page->_refcount > page->_mapcount)
		return -EAGAIN;
	r = anon_alloc(mm, 0, &new_pfn);
	if (r)
		return r;

	if (notify)
		mmu_notifier_invalidate_range_start(mm, addr, addr + PAGE_SIZE);
	unmap_ref(mm, pfn);
	host_ref_log(mm, new_pfn, 1, REF_MIGRATE);
	r = install_new(mm, addr, HPT_LEVEL_4K, new_pfn,
			pte & (HPTE_WRITE | HPTE_DIRTY | HPTE_YOUNG));
	if (notify)
		mmu_notifier_invalidate_range_end(mm, addr, addr + PAGE_SIZE);
	return r;
}

int host_migrate(struct mm_struct *mm, unsigned long addr)
{
	return migrate_one(mm, addr, true);
}

int host_migrate_range_locked(struct mm_struct *mm, unsigned long start,
			      unsigned long end)
{
	unsigned long a;

	for (a = start; a < end; a += PAGE_SIZE)
		migrate_one(mm, a, false);
	return 0;
}

/* ---- memory_failure() --------------------------------------------------- */

struct pfn_users {
	unsigned long pfn;
	unsigned long *addr;
	u32 n;
	u32 cap;
	bool failed;
};

/* Collect every address a present leaf maps @u->pfn at. */
static void pfn_user(void *ctx, unsigned long addr, int level, u64 pte)
{
	struct pfn_users *u = ctx;
	unsigned long first = hpte_pfn(pte), *v;

	if (u->pfn < first || u->pfn - first >= level_size(level) >> PAGE_SHIFT)
		return;
	if (u->n == u->cap) {
		u32 cap = u->cap ? 2 * u->cap : 8;

		v = realloc(u->addr, cap * sizeof(*v));
		if (!v) {
			u->failed = true;
			return;
		}
		u->addr = v;
		u->cap = cap;
	}
	u->addr[u->n++] = addr + ((u->pfn - first) << PAGE_SHIFT);
}

/*
 * Unmap @pfn from every mapping of it an rmap walk reaches: anonymous and
 * file VMAs (try_to_unmap() through the anon_vma or the file's i_mmap),
 * and for a ZONE_DEVICE page the DAX file's mappings whatever they are
 * (unmap_mapping_range()), except VM_PFNMAP/VM_IO.  A huge leaf is split
 * first.  Each PTE change is bracketed by the notifier, so KVM zaps its
 * mappings of the address; @marker leaves a hwpoison entry behind (what
 * try_to_unmap(TTU_HWPOISON) installs), else the PTE is cleared.
 */
static int unmap_poisoned(struct mm_struct *mm, unsigned long pfn,
			  bool device, bool marker)
{
	struct pfn_users u = { .pfn = pfn };
	int r = 0;
	u32 i;

	hpt_for_each_leaf(mm, pfn_user, &u);
	if (u.failed) {
		free(u.addr);
		return -ENOMEM;
	}
	for (i = 0; i < u.n && !r; i++) {
		unsigned long a = u.addr[i], cur;
		struct vm_area_struct *vma = host_vma_find(mm, a);
		enum kvmpfn_backing kind;
		int level;
		u64 pte, *e;

		if (!vma)
			continue;
		kind = vma->vm_backing->kind;
		if (kind == KVMPFN_BACK_PFNMAP || kind == KVMPFN_BACK_IO ||
		    (kind == KVMPFN_BACK_MIXEDMAP && !device))
			continue;
		pte = hpt_lookup(mm, a, &level, &cur);
		while (pte && cur == pfn && level > HPT_LEVEL_4K && !r) {
			r = host_thp_split(mm, a);
			pte = hpt_lookup(mm, a, &level, &cur);
		}
		if (r || !pte || cur != pfn)
			continue;

		mmu_notifier_invalidate_range_start(mm, a, a + PAGE_SIZE);
		level = HPT_LEVEL_4K;
		e = hpt_walk(mm, a, &level, false);
		if (pte_holds_ref(mm, *e))
			unmap_ref(mm, pfn);
		*e = marker ? ((u64)pfn << HPTE_PFN_SHIFT) | HPTE_HWPOISON : 0;
		mmu_notifier_invalidate_range_end(mm, a, a + PAGE_SIZE);
	}
	free(u.addr);
	return r;
}

/*
 * memory_failure() for one pfn (mm/memory-failure.c), as far as the model
 * has the kinds of memory it distinguishes:
 *
 *  - no struct page: -EINVAL (the kernel: -ENXIO, "memory outside kernel
 *    control"; a driver's register_pfn_address_space() is not modelled);
 *  - already poisoned: -EHWPOISON, nothing else happens;
 *  - a free or never allocated pfn: poisoned and kept out of use, 0;
 *  - ZONE_DEVICE: poisoned, its DAX mappings zapped without a marker
 *    (mf_generic_kill_procs()); a later fault gets -EHWPOISON from the
 *    driver's bad-block check; 0;
 *  - reserved pages (the zero page too) and the pages of a non-compound
 *    driver block (the TTM layout, not on the LRU; its tails have no count
 *    to take): get_hwpoison_page() fails, so the page is poisoned and
 *    nothing else is done (MF_IGNORED): -EBUSY.  Every mapping stays;
 *  - anonymous and page-cache pages: memory_failure()'s reference is taken
 *    and kept, so the page never goes back to the allocator, and every
 *    mapping rmap reaches is replaced by a hwpoison entry; 0.  The model
 *    neither splits the folio (the kernel does, first) nor reports pages
 *    others still hold (the kernel's MF_FAILED, -EBUSY): the unmapping is
 *    the same either way.
 *
 * A VM_PFNMAP/VM_IO mapping is never touched: no rmap walk finds it, and
 * whatever the driver mapped there stays mapped.
 */
int host_memory_failure(struct mm_struct *mm, unsigned long pfn)
{
	struct page *p = host_pfn_to_page(mm, pfn);
	struct kvmpfn_alloc *a, buf;

	if (!p)
		return -EINVAL;
	if (PageHWPoison(p))
		return -EHWPOISON;
	a = host_alloc_of_pfn(mm, pfn, &buf);
	if (a && (pfn < a->pfn || pfn - a->pfn >= (1UL << a->order)))
		a = NULL;	/* a pfn of a chunk nobody was given yet */
	p->flags |= 1U << PG_hwpoison;
	if (!a || kshim_page_flag(p, PG_free))
		return 0;
	if (kshim_page_flag(p, PG_zone_device))
		return unmap_poisoned(mm, pfn, true, false);
	if (PageReserved(p) ||
	    (a->order && !(a->flags & KVMPFN_ALLOC_COMPOUND)))
		return -EBUSY;
	host_page_ref(mm, p, 1, REF_HWPOISON);
	return unmap_poisoned(mm, pfn, false, true);
}
