/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 model's state and the parts of it that do not depend on the
 * stage of the series (arm64_common.c): everything but the fault handler,
 * which calls the core and lives in the stage unit (arm64_mmu.c).
 */
#ifndef KVMPFN_ARM64_MMU_H
#define KVMPFN_ARM64_MMU_H

#include "kvm_model.h"
#include "s2_pgtable.h"

/* The arch state of a simulator (struct kvmpfn_arch_ops.mmu_size). */
struct arm64_mmu {
	struct s2_pgt pgt;
	/*
	 * Eager splitting when dirty logging is enabled: what 6.12 does once
	 * userspace set KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE (by default it
	 * only write-protects, and a write to a block replaces it by a table
	 * on the permission fault).
	 */
	bool eager_split;
};

/*
 * Switches that put a known bug back, for the tests that prove the
 * checker notices (set only through arm64_s2_test.h).
 */
struct arm64_s2_seams {
	bool snapshot_late;	/* B9: mmu_seq read after mmap_read_unlock */
	bool no_retry_check;	/* skip mmu_invalidate_retry under mmu_lock */
	bool no_huge_check;	/* B11: THP adjust without the memslot check */
	bool no_dirty_mark;	/* map writable without marking the page dirty */
	bool no_bbm;		/* replace a valid leaf without break-before-make */
	bool no_entry_ref;	/* a new entry takes no table-page reference */
};

const struct arm64_s2_seams *arm64_s2_seams(void);
extern const struct kvmpfn_arch_seams arm64_s2_seam_table;

int arm64_s2_init(struct kvmpfn_sim *sim, void *mmu,
		  kvmpfn_s2_refcounted_fn refcounted);
void arm64_s2_destroy(struct kvmpfn_sim *sim, void *mmu);
int arm64_s2_reset(struct kvmpfn_sim *sim, void *mmu);
bool arm64_s2_unmap_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
			      gfn_t end);
bool arm64_s2_age_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
			    gfn_t end);
void arm64_s2_flush_memslot(struct kvmpfn_sim *sim,
			    const struct kvm_memory_slot *slot);
void arm64_s2_slot_flags_changed(struct kvmpfn_sim *sim,
				 const struct kvm_memory_slot *slot,
				 u32 old_flags);
void arm64_s2_clear_dirty(struct kvmpfn_sim *sim,
			  const struct kvm_memory_slot *slot);
void arm64_s2_for_each_leaf(struct kvmpfn_sim *sim, kvmpfn_leaf_fn fn,
			    void *ctx);
int arm64_s2_lookup(struct kvmpfn_sim *sim, int as_id, gfn_t gfn,
		    struct kvmpfn_leaf_view *leaf);
void arm64_s2_check(struct kvmpfn_sim *sim);

#endif
