/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: the parts of include/linux/kvm_host.h and kvm_types.h that the
 * kvmpfn core and the struct kvm model share: memslots, the error pfn and
 * hva encodings, the mmu_notifier invalidation state and its retry
 * predicates, and the gfn=>pfn cache.  The declarations the series itself
 * adds or changes live in the core (core/kvm_follow_pfn.h), because
 * kernel-port splices them into the real kvm_host.h.
 */
#ifndef KVMPFN_KSHIM_LINUX_KVM_HOST_H
#define KVMPFN_KSHIM_LINUX_KVM_HOST_H

#include <linux/export.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/kvm.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uaccess.h>

#define KVM_ADDRESS_SPACE_NUM	2
#define KVM_MEM_SLOTS_NUM	32764

/* set on the temporary copy of a slot being deleted or moved */
#define KVM_MEMSLOT_INVALID	(1UL << 16)

#define KVM_PFN_ERR_MASK	(0x7ffULL << 52)
#define KVM_PFN_ERR_NOSLOT_MASK	(0xfffULL << 52)
#define KVM_PFN_NOSLOT		(0x1ULL << 63)
#define KVM_PFN_ERR_FAULT	(KVM_PFN_ERR_MASK)
#define KVM_PFN_ERR_HWPOISON	(KVM_PFN_ERR_MASK + 1)
#define KVM_PFN_ERR_RO_FAULT	(KVM_PFN_ERR_MASK + 2)
#define KVM_PFN_ERR_SIGPENDING	(KVM_PFN_ERR_MASK + 3)

#define KVM_HVA_ERR_BAD		(PAGE_OFFSET)
#define KVM_HVA_ERR_RO_BAD	(PAGE_OFFSET + PAGE_SIZE)

#define KVM_ERR_PTR_BAD_PAGE	((struct page *)0)

/*
 * struct kvm_host_map's page when the pfn has no struct page (memremap):
 * a non-NULL poison value, so that a map that was never set up (NULL) and
 * one of device memory cannot be mistaken for each other.
 */
#define KVM_UNMAPPED_PAGE	((void *)0x500)

static inline bool is_error_pfn(kvm_pfn_t pfn)
{
	return !!(pfn & KVM_PFN_ERR_MASK);
}

static inline bool is_error_noslot_pfn(kvm_pfn_t pfn)
{
	return !!(pfn & KVM_PFN_ERR_NOSLOT_MASK);
}

static inline bool is_noslot_pfn(kvm_pfn_t pfn)
{
	return pfn == KVM_PFN_NOSLOT;
}

static inline bool kvm_is_error_hva(unsigned long addr)
{
	return addr >= PAGE_OFFSET;
}

static inline bool is_error_page(struct page *page)
{
	return page == KVM_ERR_PTR_BAD_PAGE;
}

struct kvm_memory_slot {
	gfn_t base_gfn;
	unsigned long npages;
	unsigned long *dirty_bitmap;
	unsigned long userspace_addr;
	u32 flags;
	short id;
	u16 as_id;
};

static inline unsigned long
__gfn_to_hva_memslot(const struct kvm_memory_slot *slot, gfn_t gfn)
{
	unsigned long offset = array_index_nospec(gfn - slot->base_gfn,
						  slot->npages);

	return slot->userspace_addr + offset * PAGE_SIZE;
}

static inline bool kvm_slot_dirty_track_enabled(const struct kvm_memory_slot *s)
{
	return s->flags & KVM_MEM_LOG_DIRTY_PAGES;
}

/* One address space's memslots: sorted by base_gfn, and indexed by id. */
struct kvm_memslots {
	u64 generation;
	int nr_slots;
	int cap;
	struct kvm_memory_slot **by_gfn;
	/* by_gfn[i]->base_gfn, flat: the lookup searches this alone */
	gfn_t *base_gfn;
	/* base_gfn[16 * j]: the search's first level, small enough for L1 */
	gfn_t *top_gfn;
	struct kvm_memory_slot **by_id;
};

struct kvm;

/*
 * A kernel mapping of one guest page, kept without a reference and
 * invalidated by the mmu_notifier (virt/kvm/pfncache.c).  Keyed by gpa,
 * or by uhva alone when gpa is INVALID_GPA; lock guards the published
 * state, refresh_lock makes refreshes one at a time.
 */
struct gfn_to_pfn_cache {
	u64 generation;
	gpa_t gpa;
	unsigned long uhva;
	struct kvm_memory_slot *memslot;
	struct kvm *kvm;
	struct list_head list;
	rwlock_t lock;
	struct mutex refresh_lock;
	void *khva;
	kvm_pfn_t pfn;
	bool active;
	bool valid;
};

struct kvm {
	rwlock_t mmu_lock;
	struct mm_struct *mm;
	struct kvm_memslots memslots[KVM_ADDRESS_SPACE_NUM];

	unsigned long mmu_invalidate_seq;
	long mmu_invalidate_in_progress;
	gfn_t mmu_invalidate_range_start;
	gfn_t mmu_invalidate_range_end;
	long mn_active_invalidate_count;

	/* the active pfncaches, which every invalidation visits */
	spinlock_t gpc_lock;
	struct list_head gpc_list;

	/* a KVM_BUG_ON() fired: the VM is dead */
	bool vm_bugged;

	struct kvmpfn_sim *sim;		/* model: the owning simulator */
};

struct kvm_vcpu {
	struct kvm *kvm;
	int vcpu_id;
};

struct kvm_host_map {
	/* 6.13 on (stage final): the page the map pinned, if any */
	struct page *pinned_page;
	struct page *page;
	void *hva;
	kvm_pfn_t pfn;
	gfn_t gfn;
	/* 6.13 on: mapped for write, so dirtied when unmapped */
	bool writable;
};

#define INVALID_GPA	(~(gpa_t)0)

static inline bool kvm_is_error_gpa(gpa_t gpa)
{
	return gpa == INVALID_GPA;
}

static inline gfn_t gpa_to_gfn(gpa_t gpa)
{
	return (gfn_t)(gpa >> PAGE_SHIFT);
}

static inline gpa_t gfn_to_gpa(gfn_t gfn)
{
	return (gpa_t)gfn << PAGE_SHIFT;
}

/*
 * A bug in KVM itself: warn, and mark the VM dead.  True if @cond holds.
 */
bool kshim_kvm_bug_on(bool cond, struct kvm *kvm, const char *file,
		      int line, const char *expr);
#define KVM_BUG_ON(cond, kvm)						\
	kshim_kvm_bug_on(!!(cond), kvm, __FILE__, __LINE__, #cond)

/*
 * The memslots of an address space.  The kernel reads them under SRCU;
 * the model's memslots change only between steps, when no reader runs.
 */
static inline struct kvm_memslots *__kvm_memslots(struct kvm *kvm, int as_id)
{
	return &kvm->memslots[as_id];
}

static inline struct kvm_memslots *kvm_memslots(struct kvm *kvm)
{
	return __kvm_memslots(kvm, 0);
}

/* The slot of @slots that holds @gfn, or NULL (a logarithmic search). */
struct kvm_memory_slot *__gfn_to_memslot(struct kvm_memslots *slots,
					 gfn_t gfn);
struct kvm_memory_slot *gfn_to_memslot(struct kvm *kvm, gfn_t gfn);

/* The gfn => pfn cache (virt/kvm/pfncache.c). */
void kvm_gpc_init(struct gfn_to_pfn_cache *gpc, struct kvm *kvm);
int kvm_gpc_activate(struct gfn_to_pfn_cache *gpc, gpa_t gpa,
		     unsigned long len);
int kvm_gpc_activate_hva(struct gfn_to_pfn_cache *gpc, unsigned long hva,
			 unsigned long len);
bool kvm_gpc_check(struct gfn_to_pfn_cache *gpc, unsigned long len);
int kvm_gpc_refresh(struct gfn_to_pfn_cache *gpc, unsigned long len);
void kvm_gpc_deactivate(struct gfn_to_pfn_cache *gpc);

/* Dirty logging: record a guest page written by KVM itself. */
void mark_page_dirty_in_slot(struct kvm *kvm,
			     const struct kvm_memory_slot *slot, gfn_t gfn);
void kvm_vcpu_mark_page_dirty(struct kvm_vcpu *vcpu, gfn_t gfn);

/*
 * The invalidation retry predicates.  A fault snapshots
 * mmu_invalidate_seq before it resolves the pfn and, under mmu_lock, asks
 * one of these whether an invalidation started or finished since.
 */
static inline int mmu_invalidate_retry(struct kvm *kvm, unsigned long mmu_seq)
{
	if (unlikely(kvm->mmu_invalidate_in_progress))
		return 1;
	smp_rmb();
	if (kvm->mmu_invalidate_seq != mmu_seq)
		return 1;
	return 0;
}

static inline int mmu_invalidate_retry_gfn(struct kvm *kvm,
					   unsigned long mmu_seq, gfn_t gfn)
{
	lockdep_assert_held(&kvm->mmu_lock);
	if (unlikely(kvm->mmu_invalidate_in_progress) &&
	    gfn >= kvm->mmu_invalidate_range_start &&
	    gfn < kvm->mmu_invalidate_range_end)
		return 1;
	if (kvm->mmu_invalidate_seq != mmu_seq)
		return 1;
	return 0;
}

/* Stage units see the series' declarations; the stage-neutral model not. */
#ifdef KVMPFN_STAGE
#include "kvm_follow_pfn.h"
#endif

#endif
