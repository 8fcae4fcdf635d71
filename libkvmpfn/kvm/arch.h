/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the simulator and an architecture's MMU model
 * (sim/x86_tdp, sim/arm64_s2, sim/ppc_radix, and the reference MMU in
 * kvm/ref_mmu.c).
 *
 * An architecture is a stage unit: its fault handler and its zap/aging
 * paths call the core as that architecture does at that stage, so it is
 * compiled once per stage like the core and reached through the stage's
 * table.  It owns its second-stage page tables; the simulator owns
 * memslots, invalidation state, pfncaches and the checker.
 *
 * Every change of a second-stage entry goes through one choke point in the
 * architecture, which reports it with kvmpfn_entry_change(): that is where
 * the install-time invariants (I7, I9, I12, I13, I14) are judged.
 */
#ifndef KVMPFN_KVM_ARCH_H
#define KVMPFN_KVM_ARCH_H

#include <linux/kvm_host.h>

struct kvmpfn_sim;
struct kvmpfn_fault;

/* A second-stage leaf, as every architecture can describe one. */
struct kvmpfn_leaf_view {
	bool present;
	u8 as_id;
	u8 level;		/* 1: 4K, 2: 2M, 3: 1G */
	bool writable;
	bool refcounted;	/* the arch believes the pfn is a struct page
				 * KVM may touch (x86 v7.5+ SPTE bit; else
				 * kvm_pfn_to_refcounted_page() at fault) */
	bool accessed;
	bool dirty;
	gfn_t gfn;		/* first gfn mapped */
	kvm_pfn_t pfn;		/* first pfn mapped */
};

typedef void (*kvmpfn_leaf_fn)(struct kvmpfn_sim *sim,
			       const struct kvmpfn_leaf_view *leaf, void *ctx);

/*
 * A model's test-only seams by name (kvmpfn_sim_set_seam()): @set turns
 * seam @i of @names on or off.  The switches are the model's own and
 * outlive no simulator: the simulator that set one clears it.
 */
struct kvmpfn_arch_seams {
	const char *const *names;
	unsigned int n;
	void (*set)(unsigned int i, bool on);
};

struct kvmpfn_arch_ops {
	const char *name;
	const struct kvmpfn_arch_seams *seams;	/* NULL: none */

	/* arch state, allocated and zeroed by the simulator */
	size_t mmu_size;
	int (*init)(struct kvmpfn_sim *sim, void *mmu);
	void (*destroy)(struct kvmpfn_sim *sim, void *mmu);
	/*
	 * kvmpfn_sim_reset(): free what the run built and leave @mmu as
	 * init leaves zeroed memory, keeping what is cheap to clear; called
	 * first, while the rest of the simulator still holds the run.  NULL:
	 * destroy, zero, init.  0 or -ENOMEM.
	 */
	int (*reset)(struct kvmpfn_sim *sim, void *mmu);

	/*
	 * A guest fault on f->gfn (f->write, f->exec), split where the pfn
	 * is resolved and mmu_lock is not taken yet.  begin returns 0 with
	 * the fault pending, or an error (-ENOENT no memslot, -EAGAIN retry,
	 * -EFAULT/-EHWPOISON/-EACCES/-EINTR from the pfn lookup); finish
	 * installs or retries (-EAGAIN) and releases what the stage says.
	 */
	int (*fault_begin)(struct kvmpfn_sim *sim, struct kvmpfn_fault *f);
	int (*fault_finish)(struct kvmpfn_sim *sim, struct kvmpfn_fault *f);

	/* mmu_lock held for write; true if a TLB flush is needed */
	bool (*unmap_gfn_range)(struct kvmpfn_sim *sim, int as_id, gfn_t start,
				gfn_t end);
	/* clear_young; true if any leaf in the range was young */
	bool (*age_gfn_range)(struct kvmpfn_sim *sim, int as_id, gfn_t start,
			      gfn_t end);
	/* a slot is being deleted or moved: zap everything it mapped */
	void (*flush_memslot)(struct kvmpfn_sim *sim,
			      const struct kvm_memory_slot *slot);
	/* flags changed in place (dirty logging on or off) */
	void (*slot_flags_changed)(struct kvmpfn_sim *sim,
				   const struct kvm_memory_slot *slot,
				   u32 old_flags);
	/* after the dirty log of @slot was cleared: write-protect again */
	void (*clear_dirty)(struct kvmpfn_sim *sim,
			    const struct kvm_memory_slot *slot);

	void (*for_each_leaf)(struct kvmpfn_sim *sim, kvmpfn_leaf_fn fn,
			      void *ctx);
	/* the leaf covering gfn; -ENOENT if none */
	int (*lookup)(struct kvmpfn_sim *sim, int as_id, gfn_t gfn,
		      struct kvmpfn_leaf_view *leaf);
	/*
	 * Optional: a one-shot kernel access to the guest page of @gfn
	 * through gfn_to_page(), as this architecture makes one (ppc: book3s
	 * PR patching dcbz instructions).  NULL: the generic get, use, put.
	 */
	int (*page_access)(struct kvmpfn_sim *sim, gfn_t gfn);
	/* arch invariants over the whole state, after every step */
	void (*check)(struct kvmpfn_sim *sim);
	/*
	 * Optional (x86): the VM's paging mode, enum kvmpfn_x86_paging, and
	 * CR4.PKE with shadow64; -EINVAL for a bad combination, -EBUSY once
	 * something is mapped.
	 */
	int (*set_paging)(struct kvmpfn_sim *sim, int paging, bool pke);
};

/* The arch state of @sim (mmu_size bytes). */
void *kvmpfn_arch_mmu(struct kvmpfn_sim *sim);

/*
 * Report an entry change from the arch's choke point.  @old/@new describe
 * the leaf before and after (present false when none); @f is the fault
 * installing it, or NULL for zap/aging/write-protect changes.
 */
void kvmpfn_entry_change(struct kvmpfn_sim *sim,
			 const struct kvmpfn_leaf_view *old,
			 const struct kvmpfn_leaf_view *new,
			 struct kvmpfn_fault *f);

/*
 * Take the fault's invalidation sequence snapshot (mmu_seq), which must
 * come before anything the fault reads about the host mapping.
 */
void kvmpfn_fault_snapshot(struct kvmpfn_sim *sim, struct kvmpfn_fault *f);

/* The fault read host state (VMA size, host mapping level) just now. */
void kvmpfn_fault_read_host(struct kvmpfn_sim *sim, struct kvmpfn_fault *f);

/*
 * The level at which the host maps gfn's hva (1, 2 or 3), 0 if unmapped.
 * Architectures must use this for host_pfn_mapping_level() and
 * get_user_mapping_size(); it records the read for I14.
 */
int kvmpfn_host_level(struct kvmpfn_sim *sim, struct kvmpfn_fault *f,
		      const struct kvm_memory_slot *slot, gfn_t gfn);

/* A zap left translations in TLBs; kvm_flush_remote_tlbs() clears it. */
void kvmpfn_tlb_stale(struct kvmpfn_sim *sim);
void kvm_flush_remote_tlbs(struct kvm *kvm);

/* Dirty logging: set gfn's bit in the slot's bitmap (if logging). */
void mark_page_dirty_in_slot(struct kvm *kvm,
			     const struct kvm_memory_slot *slot, gfn_t gfn);

#endif
