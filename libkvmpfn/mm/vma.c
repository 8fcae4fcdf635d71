// SPDX-License-Identifier: GPL-2.0
/*
 * The host address space: VMAs kept sorted by start, and the three
 * operations that change them (mmap, munmap, mprotect).  Every PTE change
 * is bracketed by the mmu_notifier, as in the kernel.
 */
#include <stdlib.h>
#include <string.h>

#include "host_mm.h"

static bool range_ok(unsigned long start, unsigned long len)
{
	return len && !(start & ~PAGE_MASK) && !(len & ~PAGE_MASK) &&
	       start + len > start && start + len <= PAGE_OFFSET;
}

/* Index of the first VMA that ends above @addr. */
static u32 vma_index(struct mm_struct *mm, unsigned long addr)
{
	u32 lo = 0, hi = mm->nr_vmas;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (mm->vmas[mid]->vm_end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct vm_area_struct *host_vma_find(struct mm_struct *mm, unsigned long a)
{
	u32 i = vma_index(mm, a);

	if (i < mm->nr_vmas && mm->vmas[i]->vm_start <= a)
		return mm->vmas[i];
	return NULL;
}

static int vma_insert(struct mm_struct *mm, struct vm_area_struct *vma)
{
	u32 i = vma_index(mm, vma->vm_start);

	if (mm->nr_vmas == mm->cap_vmas) {
		u32 cap = mm->cap_vmas ? 2 * mm->cap_vmas : 8;
		struct vm_area_struct **v;

		v = realloc(mm->vmas, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		mm->vmas = v;
		mm->cap_vmas = cap;
	}
	memmove(&mm->vmas[i + 1], &mm->vmas[i],
		(mm->nr_vmas - i) * sizeof(*mm->vmas));
	mm->vmas[i] = vma;
	mm->nr_vmas++;
	return 0;
}

static struct vm_area_struct *vma_new(struct mm_struct *mm,
				      unsigned long start, unsigned long end,
				      unsigned long flags, unsigned long pgoff,
				      const struct kvmpfn_mapping *backing)
{
	struct vm_area_struct *vma = calloc(1, sizeof(*vma));

	if (!vma)
		return NULL;
	vma->vm_backing = malloc(sizeof(*backing));
	if (!vma->vm_backing) {
		free(vma);
		return NULL;
	}
	*vma->vm_backing = *backing;
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_flags = flags;
	vma->vm_pgoff = pgoff;
	vma->vm_mm = mm;
	return vma;
}

int host_mmap(struct mm_struct *mm, unsigned long start, unsigned long len,
	      unsigned long vm_flags, struct kvmpfn_mapping backing,
	      unsigned long pgoff)
{
	struct vm_area_struct *vma;
	u32 i;
	int r;

	if (!range_ok(start, len))
		return -EINVAL;
	i = vma_index(mm, start);
	if (i < mm->nr_vmas && mm->vmas[i]->vm_start < start + len)
		return -EEXIST;

	switch (backing.kind) {
	case KVMPFN_BACK_ANON:
		if (backing.alloc)
			return -EINVAL;
		break;
	case KVMPFN_BACK_IO:
		vm_flags |= VM_IO | VM_PFNMAP;
		fallthrough;
	case KVMPFN_BACK_PFNMAP:
		vm_flags |= VM_PFNMAP;
		fallthrough;
	case KVMPFN_BACK_FILE:
	case KVMPFN_BACK_MIXEDMAP:
		if (!backing.alloc || backing.alloc->freed)
			return -EINVAL;
		/* the mapping may not reach past the object */
		if (pgoff + (len >> PAGE_SHIFT) > (1UL << backing.alloc->order))
			return -EINVAL;
		/*
		 * Pages mapped with a reference (page cache, vm_insert_page)
		 * must be refcounted: the count-0 tails of a non-compound
		 * block can only be remapped as pfns, which is why TTM uses
		 * VM_PFNMAP.
		 */
		/*
		 * The page cache holds struct pages: memory without them can
		 * only be remapped (VM_PFNMAP, VM_MIXEDMAP), never faulted in
		 * as a file's pages.
		 */
		if (backing.kind == KVMPFN_BACK_FILE &&
		    (backing.alloc->flags & KVMPFN_ALLOC_NOSTRUCT))
			return -EINVAL;
		if ((backing.kind == KVMPFN_BACK_FILE ||
		     backing.kind == KVMPFN_BACK_MIXEDMAP) &&
		    backing.alloc->order &&
		    !(backing.alloc->flags & (KVMPFN_ALLOC_COMPOUND |
					      KVMPFN_ALLOC_NOSTRUCT |
					      KVMPFN_ALLOC_ZONE_DEVICE)))
			return -EINVAL;
		break;
	}
	if (backing.kind == KVMPFN_BACK_MIXEDMAP)
		vm_flags |= VM_MIXEDMAP;
	if (backing.thp)
		vm_flags |= VM_HUGEPAGE;

	vma = vma_new(mm, start, start + len, vm_flags, pgoff, &backing);
	if (!vma)
		return -ENOMEM;
	r = vma_insert(mm, vma);
	if (r) {
		free(vma->vm_backing);
		free(vma);
	}
	return r;
}

static void vma_remove(struct mm_struct *mm, u32 i)
{
	free(mm->vmas[i]->vm_backing);
	free(mm->vmas[i]);
	memmove(&mm->vmas[i], &mm->vmas[i + 1],
		(mm->nr_vmas - i - 1) * sizeof(*mm->vmas));
	mm->nr_vmas--;
}

/* Split the VMA containing @addr so that one starts exactly there. */
static int vma_split(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = host_vma_find(mm, addr), *tail;

	if (!vma || vma->vm_start == addr)
		return 0;
	tail = vma_new(mm, addr, vma->vm_end, vma->vm_flags,
		       vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT),
		       vma->vm_backing);
	if (!tail)
		return -ENOMEM;
	vma->vm_end = addr;
	if (vma_insert(mm, tail)) {
		vma->vm_end = tail->vm_end;
		free(tail->vm_backing);
		free(tail);
		return -ENOMEM;
	}
	return 0;
}

int host_munmap(struct mm_struct *mm, unsigned long start,
		unsigned long len)
{
	unsigned long end = start + len;
	int r;

	if (!range_ok(start, len))
		return -EINVAL;

	r = vma_split(mm, start);
	if (!r)
		r = vma_split(mm, end);
	if (r)
		return r;

	mmu_notifier_invalidate_range_start(mm, start, end);
	r = host_zap_range(mm, start, end);
	mmu_notifier_invalidate_range_end(mm, start, end);

	while (!r) {
		u32 i = vma_index(mm, start);

		if (i >= mm->nr_vmas || mm->vmas[i]->vm_start >= end)
			break;
		vma_remove(mm, i);
	}
	return r;
}

int host_mprotect(struct mm_struct *mm, unsigned long start,
		  unsigned long len, unsigned long prot)
{
	unsigned long end = start + len, a;
	u32 i;
	int r;

	if (!range_ok(start, len) || (prot & ~(VM_READ | VM_WRITE | VM_EXEC)))
		return -EINVAL;
	/* mprotect fails on holes, like the kernel's -ENOMEM */
	for (a = start; a < end; ) {
		struct vm_area_struct *vma = host_vma_find(mm, a);

		if (!vma)
			return -ENOMEM;
		a = vma->vm_end;
	}

	r = vma_split(mm, start);
	if (!r)
		r = vma_split(mm, end);
	/* a huge leaf cannot carry two protections: split it first */
	if (!r)
		r = host_split_at(mm, start);
	if (!r)
		r = host_split_at(mm, end);
	if (r)
		return r;

	mmu_notifier_invalidate_range_start(mm, start, end);
	for (i = vma_index(mm, start);
	     i < mm->nr_vmas && mm->vmas[i]->vm_start < end; i++) {
		struct vm_area_struct *vma = mm->vmas[i];

		vma->vm_flags = (vma->vm_flags &
				 ~(VM_READ | VM_WRITE | VM_EXEC)) | prot;
	}
	/* Write access comes back through faults; removing it is eager. */
	if (!(prot & VM_WRITE))
		for (a = start; a < end; a += PAGE_SIZE) {
			int level = HPT_LEVEL_4K;
			u64 *e = hpt_walk(mm, a, &level, false);

			if (e && (*e & HPTE_PRESENT))
				*e &= ~HPTE_WRITE;
		}
	if (!(prot & VM_READ))
		r = host_zap_range(mm, start, end);
	mmu_notifier_invalidate_range_end(mm, start, end);
	return r;
}
