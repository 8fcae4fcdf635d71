/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 TDP MMU model: the EPT (or shadow) page tables themselves
 * (stage-neutral).
 *
 * One root per address space (the SMM address space is as_id 1), 4 or 5
 * levels of 512-entry tables, leaves at 4K, 2M and 1G; with PAE shadow
 * paging 3 levels whose root uses 4 entries, leaves at 4K and 2M.  A
 * table is the model's struct kvm_mmu_page: the 512 SPTEs plus what the
 * kernel keeps in the shadow-page header (level, first gfn, address
 * space).  A non-leaf SPTE names its child by a frame number, the
 * table's index in the registry, which the walker resolves as the kernel
 * resolves __va() of the physical address in the entry.
 *
 * Nothing here calls the kvmpfn core: setting an entry is the stage
 * unit's business (tdp_mmu.c), which owns the one choke point.
 */
#ifndef KVMPFN_SIM_X86_TDP_PT_H
#define KVMPFN_SIM_X86_TDP_PT_H

#include <linux/kvm_host.h>

#include "spte.h"
#include "x86_tdp.h"

struct kvmpfn_sim;

struct x86_sp {
	u64 spt[SPTE_ENT_PER_PAGE];
	gfn_t gfn;		/* first gfn the table maps */
	u32 frame;		/* registry index, the "pfn" in the parent */
	u16 nr_present;		/* MMU-present entries */
	u8 level;		/* level of its entries: 1 = 4K PTEs */
	u8 as_id;
};

/* Leaves a check() must look at again (incremental checking). */
#define X86_TOUCHED_MAX		32

struct x86_mmu {
	u8 root_level;		/* 4 or 5; 3 with PAE */
	u8 paging;		/* enum x86_paging */
	bool pke;		/* shadow64: CR4.PKE while the guest runs */
	bool slot_zap_all;	/* KVM_X86_QUIRK_SLOT_ZAP_ALL */
	bool eager_split;	/* kvm.eager_page_split */
	struct x86_sp *root[KVM_ADDRESS_SPACE_NUM];

	struct x86_sp **frames;	/* frame -> table; 0 is never used */
	u32 nr_frames;
	u32 cap_frames;
	u32 *free_frames;
	u32 nr_free;
	u64 nr_tables;		/* allocated, roots included */

	struct {
		gfn_t gfn;
		u8 as_id;
	} touched[X86_TOUCHED_MAX];
	u32 nr_touched;
	bool touched_all;
};

int x86_mmu_init(struct kvmpfn_sim *sim, void *mmu);
void x86_mmu_destroy(struct kvmpfn_sim *sim, void *mmu);
int x86_mmu_reset(struct kvmpfn_sim *sim, void *mmu);

/* A table of @level entries mapping from @gfn, all non-present. */
struct x86_sp *x86_sp_alloc(struct x86_mmu *mmu, int level, gfn_t gfn,
			    int as_id);
void x86_sp_free(struct x86_mmu *mmu, struct x86_sp *sp);

/* The table a present non-leaf SPTE links. */
static inline struct x86_sp *x86_sp_child(const struct x86_mmu *mmu,
					  u64 spte)
{
	return mmu->frames[spte_to_pfn(spte)];
}

/* gfn of entry @idx of @sp. */
static inline gfn_t x86_sp_gfn(const struct x86_sp *sp, unsigned int idx)
{
	return sp->gfn + idx * pages_per_level(sp->level);
}

/* gfns the root of @mmu can translate: [0, x86_mmu_max_gfn()) */
static inline gfn_t x86_mmu_max_gfn(const struct x86_mmu *mmu)
{
	/* PAE: the 4 PDPTEs of a 32-bit address space, 4G */
	if (mmu->paging == X86_PAGING_PAE)
		return 4 * pages_per_level(3);
	return 1ULL << (SPTE_LEVEL_BITS * mmu->root_level);
}

/* The largest leaf a mode has: PAE has no 1G pages. */
static inline int x86_mmu_max_huge_level(const struct x86_mmu *mmu)
{
	return mmu->paging == X86_PAGING_PAE ? PG_LEVEL_2M :
	       KVM_MAX_HUGEPAGE_LEVEL;
}

/*
 * The hardware walk for @gfn from the root of @as_id: stops at the first
 * entry that is not MMU-present or that maps memory.  Returns that
 * entry's table and sets *idx; NULL if @gfn is beyond the root.
 */
struct x86_sp *x86_walk(const struct x86_mmu *mmu, int as_id, gfn_t gfn,
			unsigned int *idx);

/* Remember that the leaf at (@as_id, @gfn) changed, for check(). */
void x86_mmu_touch(struct x86_mmu *mmu, int as_id, gfn_t gfn);

/*
 * Test-only seams: each puts one specific bug into the model, so that a
 * test can prove the checker sees it.  Set only from tests, through the
 * function declared in tests/x86_tdp_test.h.
 */
enum x86_tdp_seam {
	/* handle_changed_spte forgets to hand A/D to struct page (I16) */
	X86_SEAM_NO_AD_PROPAGATION,
	/* write-protecting for dirty logging drops Host-writable (I11) */
	X86_SEAM_WRPROT_CLEARS_HOST_WRITABLE,
	/* fast_page_fault sets W without checking MMU-writable (I11) */
	X86_SEAM_FAST_PF_IGNORES_MMU_WRITABLE,
	/* is_page_fault_stale skips mmu_invalidate_retry_gfn() (I7) */
	X86_SEAM_NO_STALE_SEQ_CHECK,
	X86_NR_SEAMS
};

bool x86_tdp_seam(enum x86_tdp_seam seam);
struct kvmpfn_arch_seams;
extern const struct kvmpfn_arch_seams x86_tdp_seam_table;

#endif
