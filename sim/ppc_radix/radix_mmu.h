/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ppc book3s radix MMU model, stage-neutral half: the partition-scoped
 * tree (tables allocated and freed, walked like the MMU walks it), the one
 * choke point every entry change goes through, the tree operations of
 * book3s_64_mmu_radix.c that do not depend on the stage (create, unmap,
 * age, set R/C, flush a memslot) and the ppc-only invariant checks.  The
 * fault handler, which calls the core, is the stage unit ppc_fault.c.
 */
#ifndef KVMPFN_PPC_RADIX_MMU_H
#define KVMPFN_PPC_RADIX_MMU_H

#include <linux/kvm_host.h>

#include "kvm_model.h"
#include "radix_pte.h"

/*
 * A PTE, PMD or PUD table page.  The MMU sees only e[]; the directory
 * entry above holds e[]'s address, which is why e[] comes first and the
 * table is 4K aligned.  The rest is the model's bookkeeping, beside the
 * entries as the kernel keeps struct page fields beside a table page.
 */
struct ppc_radix_table {
	u64 e[PPC_R_PTRS];
	u32 sub[PPC_R_PTRS];	/* leaf: offset of the page its fault dirtied */
	u8 meta[PPC_R_PTRS];	/* leaf: PPC_META_* */
	u64 used[PPC_R_PTRS / 64];	/* which entries are non-zero */
	u32 nr;			/* how many */
	u8 level;		/* KVM level of the entries (enum ppc_level) */
};

/* the fault had a struct page it put (and dirtied if mapped writable) */
#define PPC_META_REFCOUNTED	0x01
/* the checker reported this leaf already (once per leaf, not per step) */
#define PPC_META_SEEN_I10	0x02
#define PPC_META_SEEN_I16	0x04
#define PPC_META_SEEN		(PPC_META_SEEN_I10 | PPC_META_SEEN_I16)

/* The PGD: 8192 entries, 64K, aligned to its size; directories only. */
struct ppc_radix_pgd {
	u64 e[PPC_R_PGD_PTRS];
};

/* Where an entry lives. */
struct ppc_pos {
	u64 *e;
	u32 *nr;
	struct ppc_radix_table *t;	/* NULL for a PGD entry */
	unsigned int idx;
	int level;			/* enum ppc_level */
	u64 gpa;			/* first guest real address it maps */
};

#define PPC_MAX_TOUCHED		32
/* guest frames the 52-bit partition-scoped space holds */
#define PPC_GFN_LIMIT		(1ULL << (PPC_R_EADDR_BITS - PPC_PAGE_SHIFT))

/* The arch state (struct kvmpfn_arch_ops.mmu_size bytes). */
struct ppc_mmu {
	struct ppc_radix_pgd *pgd;	/* kvm->arch.pgtable */
	u32 pgd_nr;			/* non-zero PGD entries */
	u64 pgd_used[PPC_R_PGD_PTRS / 64];	/* which (walks skip the rest) */
	u64 nr_tables;			/* PUD/PMD/PTE tables allocated */
	u64 nr_leaves[3];		/* per KVM level, like kvm->stat */

	/* what changed since the last check(), for incremental checking */
	struct {
		gfn_t start;
		gfn_t end;
	} touched[PPC_MAX_TOUCHED];
	u32 nr_touched;
	bool touched_all;
};

static inline struct ppc_mmu *ppc_mmu(struct kvmpfn_sim *sim)
{
	return kvmpfn_arch_mmu(sim);
}

/* ---- tables and walks (radix_mmu.c) ------------------------------------- */

int ppc_mmu_init(struct kvmpfn_sim *sim, void *mmu);
void ppc_mmu_destroy(struct kvmpfn_sim *sim, void *mmu);
int ppc_mmu_reset(struct kvmpfn_sim *sim, void *mmu);

/*
 * The MMU's own walk: the leaf translating @gpa and, if found, where it
 * lives.  Checks every directory entry like the hardware would; false if
 * nothing (valid) maps @gpa.
 */
bool ppc_radix_find(struct ppc_mmu *m, u64 gpa, struct ppc_pos *pos);

/*
 * Translate @gpa to the 4K pfn the tree maps it to; 0 with *pte set, or
 * -ENOENT (no translation, an HDSI) or -EINVAL (a malformed directory
 * entry: bad bits, wrong NLS, a leaf at the PGD).
 */
int ppc_radix_translate(struct ppc_mmu *m, u64 gpa, unsigned long *pfn,
			u64 *pte);

/*
 * THE choke point: every change of an entry, leaf or directory, goes
 * through here.  Leaf changes are reported to the checker
 * (kvmpfn_entry_change) with @f the installing fault or NULL.
 */
void ppc_radix_set(struct kvmpfn_sim *sim, const struct ppc_pos *pos,
		   u64 new, u8 meta, u32 sub, struct kvmpfn_fault *f);

/* kvmppc_radix_update_pte: clear @clr, set @set; returns the old value. */
u64 ppc_radix_update(struct kvmpfn_sim *sim, const struct ppc_pos *pos,
		     u64 clr, u64 set, struct kvmpfn_fault *f);

/*
 * kvmppc_create_pte: take mmu_lock, back off (-EAGAIN) if an invalidation
 * or a memslot change raced with @f, and install leaf @pte at @level for
 * @gpa, making room (tables, or removing what is in the way) as needed.
 */
int ppc_radix_create_pte(struct kvmpfn_sim *sim, u64 pte, u64 gpa, int level,
			 struct kvmpfn_fault *f, u8 meta, u32 sub);

/*
 * kvmppc_hv_handle_set_rc: under mmu_lock, set R (and C for a store) on
 * the present leaf for @gpa if it allows the access.
 */
bool ppc_radix_handle_set_rc(struct kvmpfn_sim *sim,
			     const struct kvm_memory_slot *slot, u64 gpa,
			     bool writing);

/* ---- struct kvmpfn_arch_ops members that do not depend on the stage --- */

bool ppc_unmap_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
			 gfn_t end);
bool ppc_age_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
		       gfn_t end);
void ppc_flush_memslot(struct kvmpfn_sim *sim,
		       const struct kvm_memory_slot *slot);
void ppc_slot_flags_changed(struct kvmpfn_sim *sim,
			    const struct kvm_memory_slot *slot, u32 old_flags);
void ppc_clear_dirty(struct kvmpfn_sim *sim,
		     const struct kvm_memory_slot *slot);
void ppc_for_each_leaf(struct kvmpfn_sim *sim, kvmpfn_leaf_fn fn, void *ctx);
int ppc_lookup(struct kvmpfn_sim *sim, int as_id, gfn_t gfn,
	       struct kvmpfn_leaf_view *leaf);
void ppc_check(struct kvmpfn_sim *sim);

/* ---- helpers --------------------------------------------------------------- */

/*
 * Whether @pfn is a page whose count GUP and kvm_try_get_pfn() raise (the
 * rule of kvm_pfn_to_refcounted_page(), without its WARN): the fault holds
 * a reference on it after the lookup.
 */
bool ppc_pfn_takes_ref(unsigned long pfn);

/* The dirty log records @pages frames from @gfn (kvmppc_update_dirty_map). */
void ppc_update_dirty_map(struct kvmpfn_sim *sim,
			  const struct kvm_memory_slot *slot, gfn_t gfn,
			  u64 pages);

/*
 * Test seams: model-breaking switches for the tests that prove a check
 * fires (set only through the test-only header tests/ppc_radix_test.h).
 */
enum ppc_radix_seam {
	/* a fault maps a page writable without set_page_dirty_lock() (I16) */
	PPC_SEAM_SKIP_SET_PAGE_DIRTY,
	/*
	 * Linux 6.12's exact large-page rule: co-alignment only, no check
	 * that the 2M/1G leaf stays inside the memslot (I13/I15 finding)
	 */
	PPC_SEAM_KERNEL_LEVEL_RULE,
	/* find_kvm_host_pte() skips its mmu_invalidate_retry() (I7) */
	PPC_SEAM_NO_HOST_PTE_RETRY,
	/* kvmppc_create_pte() skips its mmu_invalidate_retry() (I7) */
	PPC_SEAM_NO_CREATE_PTE_RETRY,
	PPC_SEAM_NR,
};

bool ppc_radix_seam(enum ppc_radix_seam seam);
extern const struct kvmpfn_arch_seams ppc_radix_seam_table;

#endif
