/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gfn => pfn API as the series changes it in include/linux/kvm_host.h.
 * kernel-port splices these declarations into the real header after
 * unifdef has resolved KVMPFN_STAGE.
 */
#ifndef KVMPFN_CORE_KVM_FOLLOW_PFN_H
#define KVMPFN_CORE_KVM_FOLLOW_PFN_H

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_2
/* The lookup needs I/O, which a FOLL_NOWAIT caller said it cannot wait for. */
#define KVM_PFN_ERR_NEEDS_IO	(KVM_PFN_ERR_MASK + 4)
#endif

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_2 && KVMPFN_STAGE < KVMPFN_STAGE_FINAL

/*
 * Arguments and results of __kvm_follow_pfn(); FOLL_WRITE, FOLL_NOWAIT and
 * FOLL_INTERRUPTIBLE stand for __gfn_to_pfn_memslot()'s booleans.
 */
struct kvm_follow_pfn {
	const struct kvm_memory_slot *slot;
	gfn_t gfn;
	unsigned int flags;
	/* Only the lockless fast path may be used. */
	bool atomic;
	/* A read fault may map the pfn writable if the host PTE allows. */
	bool allow_write_mapping;
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_3
	/* Mapped only behind an mmu_notifier retry: FOLL_GET is optional. */
	bool guarded_by_mmu_notifier;
#endif

	/* Outputs */
	hva_t hva;
	bool writable;
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_3
	/* The pfn is a refcounted page (without FOLL_GET, no ref is held). */
	bool is_refcounted_page;
#endif
};

kvm_pfn_t __kvm_follow_pfn(struct kvm_follow_pfn *foll);
#endif

#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
kvm_pfn_t __kvm_faultin_pfn(const struct kvm_memory_slot *slot, gfn_t gfn,
			    unsigned int foll, bool *writable,
			    struct page **refcounted_page);

struct page *__gfn_to_page(struct kvm *kvm, gfn_t gfn, bool write);
static inline struct page *gfn_to_page(struct kvm *kvm, gfn_t gfn)
{
	return __gfn_to_page(kvm, gfn, true);
}

unsigned long gfn_to_hva_memslot(struct kvm_memory_slot *slot, gfn_t gfn);

void kvm_release_page_clean(struct page *page);
void kvm_release_page_dirty(struct page *page);

/* A page the fault did not use: drop it without claiming any access. */
static inline void kvm_release_page_unused(struct page *page)
{
	if (!page)
		return;

	put_page(page);
}

/*
 * Drop the reference a fault got with its pfn, telling the page what the
 * fault did: nothing (@unused: the fault gave up), or mapped it, dirty if
 * the host allowed writes, since the guest may write through the new
 * entry without KVM seeing it.  Marking a folio dirty races with
 * writeback unless mmu_lock keeps the mapping from going away meanwhile,
 * hence the lock for every fault that used the page.
 */
static inline void kvm_release_faultin_page(struct kvm *kvm, struct page *page,
					    bool unused, bool dirty)
{
	lockdep_assert_once(lockdep_is_held(&kvm->mmu_lock) || unused);

	if (!page)
		return;

	if (unused)
		kvm_release_page_unused(page);
	else if (dirty)
		kvm_release_page_dirty(page);
	else
		kvm_release_page_clean(page);
}

int __kvm_vcpu_map(struct kvm_vcpu *vcpu, gfn_t gfn, struct kvm_host_map *map,
		   bool writable);
void kvm_vcpu_unmap(struct kvm_vcpu *vcpu, struct kvm_host_map *map);

static inline int kvm_vcpu_map(struct kvm_vcpu *vcpu, gfn_t gfn,
			       struct kvm_host_map *map)
{
	return __kvm_vcpu_map(vcpu, gfn, map, true);
}

static inline int kvm_vcpu_map_readonly(struct kvm_vcpu *vcpu, gfn_t gfn,
					struct kvm_host_map *map)
{
	return __kvm_vcpu_map(vcpu, gfn, map, false);
}
#else
#if KVMPFN_STAGE < KVMPFN_STAGE_V7_8
kvm_pfn_t __gfn_to_pfn_memslot(const struct kvm_memory_slot *slot, gfn_t gfn,
			       bool atomic, bool interruptible, bool *async,
			       bool write_fault, bool *writable, hva_t *hva);
#endif
kvm_pfn_t gfn_to_pfn_prot(struct kvm *kvm, gfn_t gfn, bool write_fault,
			  bool *writable);
kvm_pfn_t gfn_to_pfn_memslot(const struct kvm_memory_slot *slot, gfn_t gfn);
kvm_pfn_t gfn_to_pfn_memslot_atomic(const struct kvm_memory_slot *slot,
				    gfn_t gfn);
kvm_pfn_t gfn_to_pfn(struct kvm *kvm, gfn_t gfn);
struct page *gfn_to_page(struct kvm *kvm, gfn_t gfn);

unsigned long gfn_to_hva_memslot(struct kvm_memory_slot *slot, gfn_t gfn);
struct page *kvm_pfn_to_refcounted_page(kvm_pfn_t pfn);
bool kvm_is_zone_device_page(struct page *page);

void kvm_release_page_clean(struct page *page);
void kvm_release_page_dirty(struct page *page);
void kvm_release_pfn_clean(kvm_pfn_t pfn);
void kvm_release_pfn_dirty(kvm_pfn_t pfn);
void kvm_release_pfn(kvm_pfn_t pfn, bool dirty);
void kvm_set_pfn_dirty(kvm_pfn_t pfn);
void kvm_set_pfn_accessed(kvm_pfn_t pfn);

int kvm_vcpu_map(struct kvm_vcpu *vcpu, gfn_t gfn, struct kvm_host_map *map);
void kvm_vcpu_unmap(struct kvm_vcpu *vcpu, struct kvm_host_map *map,
		    bool dirty);
#endif

#endif
