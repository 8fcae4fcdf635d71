/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host mm model: page frames and their allocations, one process
 * address space (VMAs and a 4-level page table with 2M and 1G leaves), the
 * fault handling GUP relies on, and the mmu_notifier calls every PTE change
 * is bracketed by.  The kernel API the core sees (kshim/) is implemented on
 * top of this; the model's own operations (what a scenario does to the
 * host) are the functions below.
 */
#ifndef KVMPFN_MM_HOST_MM_H
#define KVMPFN_MM_HOST_MM_H

#include <linux/mm.h>
#include <linux/types.h>

/* Allocation kinds and properties (struct kvmpfn_alloc.flags). */
#define KVMPFN_ALLOC_COMPOUND	(1U << 0)	/* a folio: count on the head */
#define KVMPFN_ALLOC_RESERVED	(1U << 1)	/* PG_reserved, e.g. firmware */
#define KVMPFN_ALLOC_ZONE_DEVICE (1U << 2)	/* ZONE_DEVICE (pmem/DAX) */
#define KVMPFN_ALLOC_NOSTRUCT	(1U << 3)	/* no struct page (MMIO, BAR) */
#define KVMPFN_ALLOC_ZERO	(1U << 4)	/* the shared zero page */
#define KVMPFN_ALLOC_ANON	(1U << 5)	/* allocated by a host fault */

struct kvmpfn_alloc {
	u32 id;
	u32 flags;
	unsigned long pfn;
	unsigned int order;
	bool freed;
	char name[32];
};

/*
 * The allocations in id order, as extents: a record of its own, or a run
 * of anonymous order-0 pages with consecutive ids and pfns that share one
 * description (flags KVMPFN_ALLOC_ANON, order 0, no name, not freed), so
 * that a host fault costs no record of its own: a 64 GiB guest's 16 M
 * pages are one run, not 16 M records.  host_alloc_find() gives a run's
 * page a record of its own before it hands out a pointer to keep.
 */
struct kvmpfn_alloc_ext {
	u32 first_id;
	u32 n;				/* ids: 1 for a record of its own */
	unsigned long pfn;		/* a run's first pfn */
	struct kvmpfn_alloc *a;		/* NULL: a run of anonymous pages */
};

/* What backs a VMA. */
enum kvmpfn_backing {
	KVMPFN_BACK_ANON,	/* private anonymous memory */
	KVMPFN_BACK_FILE,	/* page cache of an allocation ("file") */
	KVMPFN_BACK_PFNMAP,	/* remap_pfn_range of an allocation */
	KVMPFN_BACK_IO,		/* VM_IO | VM_PFNMAP */
	KVMPFN_BACK_MIXEDMAP,	/* vm_insert_page/_pfn of an allocation */
};

struct kvmpfn_mapping {
	enum kvmpfn_backing kind;
	struct kvmpfn_alloc *alloc;	/* NULL for anon */
	bool thp;			/* anon: fault in 2M folios */
	bool huge_pfnmap;		/* pfnmap: insert PMD leaves */
};

/* Host PTE bits (model encoding, not an architecture's). */
#define HPTE_PRESENT	BIT_ULL(0)
#define HPTE_WRITE	BIT_ULL(1)
#define HPTE_DIRTY	BIT_ULL(2)
#define HPTE_YOUNG	BIT_ULL(3)
#define HPTE_SPECIAL	BIT_ULL(4)	/* no refcounted page behind it */
#define HPTE_HUGE	BIT_ULL(5)	/* leaf above 4K */
/*
 * Not present: a 4K entry memory_failure() left where it unmapped a
 * poisoned page (the kernel's hwpoison swap entry).  The pfn field keeps
 * the page; any access faults with -EHWPOISON until a zap clears it.
 */
#define HPTE_HWPOISON	BIT_ULL(6)
#define HPTE_PFN_SHIFT	12
#define HPTE_PFN_MASK	(((1ULL << 40) - 1) << HPTE_PFN_SHIFT)

static inline unsigned long hpte_pfn(u64 pte)
{
	return (pte & HPTE_PFN_MASK) >> HPTE_PFN_SHIFT;
}

/* Levels of the host page table, as the kernel counts them. */
enum { HPT_LEVEL_4K = 1, HPT_LEVEL_2M = 2, HPT_LEVEL_1G = 3 };

struct hpt_node;
struct mem_section;

/* Reference-count event log, read back in violation reports. */
enum kvmpfn_ref_op {
	REF_ALLOC, REF_FREE, REF_MAP, REF_UNMAP, REF_KVM_GET, REF_KVM_PUT,
	REF_KVM_DIRTY, REF_KVM_ACCESSED, REF_MIGRATE, REF_HWPOISON,
};

struct kvmpfn_ref_event {
	u32 step;
	u32 line;
	unsigned long pfn;
	s32 count;		/* the page's count after the event */
	u8 op;
};

#define KVMPFN_REF_LOG	(1U << 14)

struct mmu_notifier_ops {
	void (*invalidate_range_start)(void *priv, unsigned long start,
				       unsigned long end);
	void (*invalidate_range_end)(void *priv, unsigned long start,
				     unsigned long end);
	bool (*clear_young)(void *priv, unsigned long start,
			    unsigned long end);
};

struct mm_struct {
	/* page frames */
	struct mem_section *sections;
	u32 nr_sections;
	unsigned long ram_next;		/* bump pointer, pfns with pages */
	unsigned long io_next;		/* bump pointer, pfns without */
	struct kvmpfn_alloc_ext *alloc_ext;
	u32 nr_alloc_ext;
	u32 cap_alloc_ext;
	u32 nr_allocs;			/* ids handed out */
	struct kvmpfn_alloc anon;	/* the last anon page's description */
	unsigned long zero_pfn;

	/* address space */
	struct vm_area_struct **vmas;
	u32 nr_vmas;
	u32 cap_vmas;
	struct hpt_node *pgd;
	u64 pte_installs;		/* leaves installed, ever: observers
					 * see who faulted memory in */
	int mmap_lock_readers;
	int pte_locks;

	/* the one notifier subscriber: KVM */
	const struct mmu_notifier_ops *mn_ops;
	void *mn_priv;

	/* reference history */
	struct kvmpfn_ref_event *ref_log;	/* a ring once full */
	u32 ref_log_head;
	u32 ref_log_cap;
	u32 step;
	u32 line;
	struct task_struct task;
};

/* pages and allocations: mm/page_alloc.c */
int host_mm_init(struct mm_struct *mm);
void host_mm_destroy(struct mm_struct *mm);
/*
 * An anonymous order-0 page (flags KVMPFN_ALLOC_ANON, no name) joins a run:
 * *@out is then mm->anon, its description until the next allocation.
 */
int host_alloc(struct mm_struct *mm, const char *name, unsigned int order,
	       u32 flags, struct kvmpfn_alloc **out);
struct kvmpfn_alloc *host_alloc_find(struct mm_struct *mm, const char *name);
/*
 * The allocation with id @id (< nr_allocs), and in *@n how many ids from
 * @id on share its description (the rest of an anonymous run, else 1).  A
 * page of an anonymous run is described in @buf, which is returned; a
 * record of its own is returned itself.
 */
struct kvmpfn_alloc *host_alloc_by_id(struct mm_struct *mm, u32 id,
				      struct kvmpfn_alloc *buf, u32 *n);
/* the allocation @pfn belongs to, or NULL; @buf as for host_alloc_by_id */
struct kvmpfn_alloc *host_alloc_of_pfn(struct mm_struct *mm,
				       unsigned long pfn,
				       struct kvmpfn_alloc *buf);
int host_free(struct mm_struct *mm, struct kvmpfn_alloc *a);

/*
 * pfn to struct page: a section of 2^18 pages holds 512 chunks of 512
 * struct pages, each allocated when its pfns are handed out
 * (page_alloc.c).  Inline: every fault asks it several times.
 */
#define HOST_SECTION_SHIFT	18
#define HOST_CHUNK_SHIFT	9
#define HOST_CHUNKS	(1UL << (HOST_SECTION_SHIFT - HOST_CHUNK_SHIFT))

struct mem_section {
	struct page *chunk[HOST_CHUNKS];
	bool nostruct;		/* pfns with no struct page (MMIO) */
};

static inline struct page *host_pfn_to_page(struct mm_struct *mm,
					    unsigned long pfn)
{
	unsigned long sec = pfn >> HOST_SECTION_SHIFT;
	struct page *chunk;

	if (sec >= mm->nr_sections || mm->sections[sec].nostruct)
		return NULL;
	chunk = mm->sections[sec].chunk[(pfn >> HOST_CHUNK_SHIFT) %
					HOST_CHUNKS];
	return chunk ? &chunk[pfn & ((1UL << HOST_CHUNK_SHIFT) - 1)] : NULL;
}

static inline unsigned long host_page_to_pfn(struct mm_struct *mm,
					     const struct page *p)
{
	(void)mm;
	return p->pfn;
}

static inline struct page *host_folio_head(struct page *page)
{
	return page->head ? page->head : page;
}

/*
 * A folio flag (PG_dirty, PG_referenced: the kernel's PF_HEAD policy),
 * read for any page of the folio, as PageDirty() of a tail reads the head.
 */
static inline bool host_folio_flag(struct page *page, int flag)
{
	return kshim_page_flag(host_folio_head(page), flag);
}
void host_page_ref(struct mm_struct *mm, struct page *page, int delta,
		   enum kvmpfn_ref_op op);
void host_ref_log(struct mm_struct *mm, unsigned long pfn, s32 count,
		  enum kvmpfn_ref_op op);
const char *host_ref_op_name(enum kvmpfn_ref_op op);

/* page table: mm/pgtable.c */
u64 *hpt_walk(struct mm_struct *mm, unsigned long addr, int *level,
	      bool alloc);
u64 hpt_lookup(struct mm_struct *mm, unsigned long addr, int *level,
	       unsigned long *pfn);
void hpt_free_all(struct mm_struct *mm);
int hpt_set(struct mm_struct *mm, unsigned long addr, int level, u64 pte);
int hpt_set_run(struct mm_struct *mm, unsigned long addr, int level,
		unsigned int n, u64 pte, unsigned long pfn_step);
bool hpt_hwpoison_entry(struct mm_struct *mm, unsigned long addr);
bool hpt_range_any(struct mm_struct *mm, unsigned long start,
		   unsigned long end, bool present, bool hwpoison);
void hpt_for_each_leaf(struct mm_struct *mm,
		       void (*fn)(void *ctx, unsigned long addr, int level,
				  u64 pte),
		       void *ctx);

/* address space: mm/vma.c */
int host_mmap(struct mm_struct *mm, unsigned long start, unsigned long len,
	      unsigned long vm_flags, struct kvmpfn_mapping backing,
	      unsigned long pgoff);
int host_munmap(struct mm_struct *mm, unsigned long start,
		unsigned long len);
int host_mprotect(struct mm_struct *mm, unsigned long start,
		  unsigned long len, unsigned long vm_flags);
struct vm_area_struct *host_vma_find(struct mm_struct *mm, unsigned long a);

/* faults and page-table changes: mm/memory.c */
int host_handle_fault(struct mm_struct *mm, struct vm_area_struct *vma,
		      unsigned long addr, bool write);
int host_zap_range(struct mm_struct *mm, unsigned long start,
		   unsigned long end);
int host_migrate(struct mm_struct *mm, unsigned long addr);
/* migrate what can be, inside an invalidation the caller holds open */
int host_migrate_range_locked(struct mm_struct *mm, unsigned long start,
			      unsigned long end);
int host_thp_split(struct mm_struct *mm, unsigned long addr);
int host_split_at(struct mm_struct *mm, unsigned long addr);
int host_thp_collapse(struct mm_struct *mm, unsigned long addr);
bool host_page_hwpoisoned(struct mm_struct *mm, unsigned long pfn);
int host_memory_failure(struct mm_struct *mm, unsigned long pfn);

/* notifier bracketing: mm/notifier.c */
void mmu_notifier_register_model(struct mm_struct *mm,
				 const struct mmu_notifier_ops *ops,
				 void *priv);
void mmu_notifier_invalidate_range_start(struct mm_struct *mm,
					 unsigned long start,
					 unsigned long end);
void mmu_notifier_invalidate_range_end(struct mm_struct *mm,
				       unsigned long start, unsigned long end);
bool mmu_notifier_clear_young(struct mm_struct *mm, unsigned long start,
			      unsigned long end);

#endif
