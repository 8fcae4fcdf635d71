/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: the slice of the kernel's memory-management API that the kvmpfn
 * core calls: struct page and its refcount, VMAs, GUP, follow_pfnmap and
 * fixup_user_fault.  The declarations carry kernel names and kernel
 * semantics; their implementations (libkvmpfn/kshim/) forward to the host mm model
 * in libkvmpfn/mm/, which records every reference for the checker.
 */
#ifndef KVMPFN_KSHIM_LINUX_MM_H
#define KVMPFN_KSHIM_LINUX_MM_H

#include <linux/align.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/types.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(addr)	ALIGN(addr, PAGE_SIZE)
#define PAGE_ALIGN_DOWN(addr)	ALIGN_DOWN(addr, PAGE_SIZE)
#define PMD_SHIFT	21
#define PUD_SHIFT	30

/*
 * Top of the simulated user address space.  KVM's error hvas sit at and
 * just above it, as they sit at PAGE_OFFSET in the kernel.
 */
#define PAGE_OFFSET	(1UL << 47)

/* Page flags the model distinguishes (bit numbers in page->flags). */
enum pageflags {
	PG_reserved,
	PG_dirty,
	PG_referenced,
	PG_hwpoison,
	PG_head,
	PG_tail,
	PG_zone_device,
	PG_free,
	PG_revived,	/* model: KVM took a reference while the count was 0 */
	PG_held,	/* model: on the checker's list of pages KVM holds */
	__NR_PAGEFLAGS,
};

/*
 * struct page carries what the kernel's does for the paths modelled:
 * flags, the reference count and the host mapping count.  Compound tail
 * pages point at their head, where the folio's count lives; tail pages of a
 * non-compound higher-order allocation have no head and a count of zero.
 * kvm_refs, alloc_id and pfn belong to the model (references held by KVM,
 * the owner allocation, the frame number) and are never read by the core.
 */
struct page {
	u32 flags;
	s32 _refcount;
	s32 _mapcount;
	s32 kvm_refs;
	struct page *head;
	u32 alloc_id;
	u32 order;
	unsigned long pfn;
};

/* VMA flags (values as in the kernel). */
#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_IO		0x00004000UL
#define VM_PFNMAP	0x00000400UL
#define VM_MIXEDMAP	0x10000000UL
#define VM_HUGEPAGE	0x20000000UL

struct mm_struct;
struct kvmpfn_mapping;

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;
	unsigned long vm_pgoff;
	struct mm_struct *vm_mm;
	struct kvmpfn_mapping *vm_backing;	/* model: what backs it */
};

struct task_struct {
	struct mm_struct *mm;
	/* model: spinning locks held, i.e. atomic context (preempt count) */
	int kshim_atomic;
};

extern _Thread_local struct task_struct *kshim_current;
#define current	kshim_current

/* GUP flags (values as in the kernel). */
#define FOLL_WRITE		0x01
#define FOLL_GET		0x02
#define FOLL_NOWAIT		0x20
#define FOLL_HWPOISON		0x100
#define FOLL_PIN		0x10000
#define FOLL_INTERRUPTIBLE	0x100000
#define FOLL_HONOR_NUMA_FAULT	0x200000

#define FAULT_FLAG_WRITE	0x01

/* Pages and pfns. */
bool pfn_valid(unsigned long pfn);
struct page *pfn_to_page(unsigned long pfn);

/* A struct page knows its pfn (and page_count() its folio's head). */
static inline unsigned long page_to_pfn(const struct page *page)
{
	return page->pfn;
}
bool is_zero_pfn(unsigned long pfn);
bool is_zone_device_page(const struct page *page);

static inline bool kshim_page_flag(const struct page *page, int flag)
{
	return page->flags & (1U << flag);
}

static inline bool PageReserved(const struct page *page)
{
	return kshim_page_flag(page, PG_reserved);
}

static inline bool PageHWPoison(const struct page *page)
{
	return kshim_page_flag(page, PG_hwpoison);
}

static inline int page_count(const struct page *page)
{
	return (page->head ? page->head : page)->_refcount;
}

void get_page(struct page *page);
bool get_page_unless_zero(struct page *page);
void put_page(struct page *page);
void SetPageDirty(struct page *page);
void mark_page_accessed(struct page *page);
bool set_page_dirty_lock(struct page *page);

/* Address space. */
void mmap_read_lock(struct mm_struct *mm);
void mmap_read_unlock(struct mm_struct *mm);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);

int get_user_page_fast_only(unsigned long addr, unsigned int gup_flags,
			    struct page **pagep);
long get_user_pages_unlocked(unsigned long start, unsigned long nr_pages,
			     struct page **pages, unsigned int gup_flags);
long get_user_pages(unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages);
/*
 * FOLL_PIN: the model's pin is a reference like FOLL_GET's.  The kernel
 * tells pins from gets (GUP_PIN_COUNTING_BIAS) only for the host's own
 * folio_maybe_dma_pinned() questions, which nothing here asks.
 */
int pin_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages);
long pin_user_pages_unlocked(unsigned long start, unsigned long nr_pages,
			     struct page **pages, unsigned int gup_flags);
void unpin_user_page(struct page *page);
int fixup_user_fault(struct mm_struct *mm, unsigned long address,
		     unsigned int fault_flags, bool *unlocked);

struct follow_pfnmap_args {
	struct vm_area_struct *vma;
	unsigned long address;
	/* outputs */
	unsigned long pfn;
	bool writable;
	bool special;
	/* model: the lock follow_pfnmap_start left held */
	bool locked;
};

int follow_pfnmap_start(struct follow_pfnmap_args *args);
void follow_pfnmap_end(struct follow_pfnmap_args *args);

#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)

static inline phys_addr_t pfn_to_hpa(unsigned long pfn)
{
	return (phys_addr_t)pfn << PAGE_SHIFT;
}

/* Warns, at the caller, if a spinning lock is held (atomic context). */
void kshim_might_sleep(const char *file, int line);
#define might_sleep()	kshim_might_sleep(__FILE__, __LINE__)
void cond_resched(void);

#endif
