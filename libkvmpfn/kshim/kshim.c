// SPDX-License-Identifier: GPL-2.0
/*
 * kshim: userspace implementations of the kernel API the core calls.
 *
 * Everything the core calls runs as KVM, so every reference taken or put
 * here is KVM's and goes through the checker (I1-I4); GUP, follow_pfnmap
 * and fixup_user_fault are answered by the host mm model.
 */
#include <stdio.h>

#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>

#include "../kvm/kvm_model.h"

_Thread_local struct task_struct *kshim_current;

static struct mm_struct *shim_mm(void)
{
	return &kvmpfn_cur->mm;
}

bool kshim_warn(bool cond, const char *file, int line, const char *expr)
{
	if (cond)
		check_violation(kvmpfn_cur, KVMPFN_WARN, 0, 0, 0,
				"WARN at %s:%d: %s", file, line, expr);
	return cond;
}

bool kshim_kvm_bug_on(bool cond, struct kvm *kvm, const char *file,
		      int line, const char *expr)
{
	if (cond && !kvm->vm_bugged) {
		kshim_warn(true, file, line, expr);
		kvm->vm_bugged = true;
	}
	return cond;
}

void kshim_bug(bool cond, const char *file, int line, const char *expr)
{
	if (cond)
		check_violation(kvmpfn_cur, KVMPFN_WARN, 0, 0, 0,
				"BUG at %s:%d: %s", file, line, expr);
}

bool pfn_valid(unsigned long pfn)
{
	return host_pfn_to_page(shim_mm(), pfn) != NULL;
}

struct page *pfn_to_page(unsigned long pfn)
{
	struct page *page = host_pfn_to_page(shim_mm(), pfn);

	BUG_ON(!page);
	return page;
}

bool is_zero_pfn(unsigned long pfn)
{
	return pfn == shim_mm()->zero_pfn;
}

bool is_zone_device_page(const struct page *page)
{
	return kshim_page_flag(page, PG_zone_device);
}

void get_page(struct page *page)
{
	check_kvm_get(kvmpfn_cur, page);
	host_page_ref(shim_mm(), page, 1, REF_KVM_GET);
}

bool get_page_unless_zero(struct page *page)
{
	if (!page_count(page))
		return false;
	get_page(page);
	return true;
}

void put_page(struct page *page)
{
	check_kvm_put(kvmpfn_cur, page);
	host_page_ref(shim_mm(), page, -1, REF_KVM_PUT);
}

void SetPageDirty(struct page *page)
{
	check_kvm_ad(kvmpfn_cur, page, true);
	if (kvmpfn_cur->seam == KVMPFN_SEAM_LOSE_DIRTY)
		return;		/* a test-only seam: the mark never lands */
	/* a folio flag, as the kernel's PF_HEAD policy makes it */
	host_folio_head(page)->flags |= 1U << PG_dirty;
	host_ref_log(shim_mm(), page_to_pfn(page), page_count(page),
		     REF_KVM_DIRTY);
}

void mark_page_accessed(struct page *page)
{
	check_kvm_ad(kvmpfn_cur, page, false);
	host_folio_head(page)->flags |= 1U << PG_referenced;
	host_ref_log(shim_mm(), page_to_pfn(page), page_count(page),
		     REF_KVM_ACCESSED);
}

bool set_page_dirty_lock(struct page *page)
{
	SetPageDirty(page);
	return true;
}

void mmap_read_lock(struct mm_struct *mm)
{
	mm->mmap_lock_readers++;
}

void mmap_read_unlock(struct mm_struct *mm)
{
	BUG_ON(mm->mmap_lock_readers <= 0);
	mm->mmap_lock_readers--;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	WARN_ON(!mm->mmap_lock_readers);
	return host_vma_find(mm, addr);
}

/* The page GUP may return for a leaf, with a reference, or NULL. */
static struct page *gup_grab(struct mm_struct *mm, unsigned long addr,
			     unsigned int flags)
{
	unsigned long pfn;
	struct page *page;
	u64 pte;

	pte = hpt_lookup(mm, addr, NULL, &pfn);
	if (!pte || ((flags & FOLL_WRITE) && !(pte & HPTE_WRITE)))
		return NULL;
	/* special PTEs (pfnmap) have no page GUP may return */
	if ((pte & HPTE_SPECIAL) || !(page = host_pfn_to_page(mm, pfn)))
		return NULL;
	if (!page_count(page) || kshim_page_flag(page, PG_free))
		return NULL;
	/* the one place GUP takes a reference (I5 at final asks) */
	kvmpfn_cur->in_gup = true;
	get_page(page);
	kvmpfn_cur->in_gup = false;
	return page;
}

int get_user_page_fast_only(unsigned long addr, unsigned int gup_flags,
			    struct page **pagep)
{
	struct page *page;

	if (WARN_ON(gup_flags & (FOLL_GET | FOLL_PIN)))
		return 0;
	page = gup_grab(shim_mm(), addr & PAGE_MASK, gup_flags);
	if (!page)
		return 0;
	*pagep = page;
	return 1;
}

/* One page of the slow path: check the VMA, fault it in, grab it. */
static long gup_one(struct mm_struct *mm, unsigned long addr,
		    struct page **pagep, unsigned int flags)
{
	bool write = flags & FOLL_WRITE;
	struct vm_area_struct *vma;
	unsigned long pfn;
	int tries, r;

	if (WARN_ON(flags & (FOLL_GET | FOLL_PIN)))
		return -EINVAL;
	addr &= PAGE_MASK;
	vma = host_vma_find(mm, addr);
	if (!vma || (vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
	    !(vma->vm_flags & VM_READ) || (write && !(vma->vm_flags & VM_WRITE)))
		return -EFAULT;

	for (tries = 0; tries < 2; tries++) {
		if (hpt_lookup(mm, addr, NULL, &pfn) &&
		    host_page_hwpoisoned(mm, pfn))
			return (flags & FOLL_HWPOISON) ? -EHWPOISON : -EFAULT;
		*pagep = gup_grab(mm, addr, flags);
		if (*pagep)
			return 1;
		if (hpt_lookup(mm, addr, NULL, &pfn) &&
		    !host_pfn_to_page(mm, pfn))
			return -EFAULT;
		r = host_handle_fault(mm, vma, addr, write);
		if (r == -EHWPOISON && !(flags & FOLL_HWPOISON))
			return -EFAULT;
		if (r)
			return r;
	}
	/* a special mapping in a VM_MIXEDMAP VMA: no page to return */
	return -EFAULT;
}

long get_user_pages_unlocked(unsigned long start, unsigned long nr_pages,
			     struct page **pages, unsigned int gup_flags)
{
	struct mm_struct *mm = shim_mm();
	long r;

	if (nr_pages != 1)
		return -EINVAL;
	mmap_read_lock(mm);
	r = gup_one(mm, start, pages, gup_flags);
	mmap_read_unlock(mm);
	return r;
}

int pin_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages)
{
	if (nr_pages != 1)
		return -EINVAL;
	return get_user_page_fast_only(start, gup_flags, pages);
}

long pin_user_pages_unlocked(unsigned long start, unsigned long nr_pages,
			     struct page **pages, unsigned int gup_flags)
{
	return get_user_pages_unlocked(start, nr_pages, pages, gup_flags);
}

void unpin_user_page(struct page *page)
{
	put_page(page);
}

long get_user_pages(unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages)
{
	struct mm_struct *mm = shim_mm();
	struct page *page;
	long r;

	WARN_ON(!mm->mmap_lock_readers);
	if (nr_pages != 1)
		return -EINVAL;
	r = gup_one(mm, start, &page, gup_flags);
	if (r == 1) {
		if (pages)
			*pages = page;
		else
			put_page(page);
	}
	return r;
}

int fixup_user_fault(struct mm_struct *mm, unsigned long address,
		     unsigned int fault_flags, bool *unlocked)
{
	struct vm_area_struct *vma = host_vma_find(mm, address);

	if (unlocked)
		*unlocked = false;
	if (!vma)
		return -EFAULT;
	return host_handle_fault(mm, vma, address,
				 fault_flags & FAULT_FLAG_WRITE);
}

int follow_pfnmap_start(struct follow_pfnmap_args *args)
{
	struct mm_struct *mm = shim_mm();
	unsigned long pfn;
	u64 pte;

	if (!(args->vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return -EINVAL;
	pte = hpt_lookup(mm, args->address & PAGE_MASK, NULL, &pfn);
	if (!pte)
		return -EINVAL;
	args->pfn = pfn;
	args->writable = pte & HPTE_WRITE;
	args->special = pte & HPTE_SPECIAL;
	args->locked = true;
	mm->pte_locks++;
	return 0;
}

void follow_pfnmap_end(struct follow_pfnmap_args *args)
{
	if (args->locked) {
		shim_mm()->pte_locks--;
		args->locked = false;
	}
}

/* a recognisable, never dereferenced address */
static void *kmap_addr(int i)
{
	return (void *)(uintptr_t)(((uintptr_t)i + 1) << 32);
}

static void *kmap_track(unsigned long pfn, bool has_page)
{
	struct kvmpfn_sim *sim = kvmpfn_cur;
	int i, free = -1;

	for (i = 0; i < KVMPFN_MAX_KMAPS; i++) {
		if (!sim->kmaps[i].live) {
			if (free < 0)
				free = i;
		} else if (has_page && sim->kmaps[i].has_page &&
			   sim->kmaps[i].pfn == pfn) {
			sim->kmaps[i].users++;
			return kmap_addr(i);
		}
	}
	if (free < 0)
		return NULL;
	sim->kmaps[free].live = true;
	sim->nr_kmaps_live++;
	sim->kmaps[free].users = 1;
	sim->kmaps[free].pfn = pfn;
	sim->kmaps[free].has_page = has_page;
	return kmap_addr(free);
}

struct kvmpfn_kmap *kshim_kmap_at(struct kvmpfn_sim *sim, const void *addr)
{
	uintptr_t i = ((uintptr_t)addr >> 32) - 1;

	return i < KVMPFN_MAX_KMAPS && sim->kmaps[i].live ? &sim->kmaps[i] :
							   NULL;
}

static void kunmap_track(void *addr)
{
	uintptr_t i = ((uintptr_t)addr >> 32) - 1;

	if (WARN_ON(i >= KVMPFN_MAX_KMAPS || !kvmpfn_cur->kmaps[i].live))
		return;
	kvmpfn_cur->kmaps[i].live = false;
	kvmpfn_cur->nr_kmaps_live--;
}

void *kmap(struct page *page)
{
	might_sleep();
	return kmap_track(page_to_pfn(page), true);
}

void kunmap(struct page *page)
{
	struct kvmpfn_sim *sim = kvmpfn_cur;
	unsigned long pfn = page_to_pfn(page);
	int i;

	might_sleep();

	for (i = 0; i < KVMPFN_MAX_KMAPS; i++) {
		if (sim->kmaps[i].live && sim->kmaps[i].has_page &&
		    sim->kmaps[i].pfn == pfn) {
			if (!--sim->kmaps[i].users) {
				sim->kmaps[i].live = false;
				sim->nr_kmaps_live--;
			}
			return;
		}
	}
	WARN_ON(1);
}

void *memremap(phys_addr_t offset, size_t size, unsigned long flags)
{
	(void)size;
	(void)flags;
	might_sleep();
	return kmap_track(offset >> PAGE_SHIFT, false);
}

void memunmap(void *addr)
{
	might_sleep();
	kunmap_track(addr);
}

/* Sleeping with a spinning lock held (mmu_lock, a pfncache's lock, ...). */
void kshim_might_sleep(const char *file, int line)
{
	kshim_warn(kshim_atomic_depth() > 0, file, line,
		   "might sleep, but a spinning lock is held");
}

/* Waiting here lets the other simulated threads run. */
void cond_resched(void)
{
	might_sleep();
	kvm_model_resched(kvmpfn_cur);
}
