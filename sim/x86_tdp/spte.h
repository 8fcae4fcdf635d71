/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 TDP MMU model: the EPT SPTE as Linux 6.12 lays it out
 * (arch/x86/kvm/mmu/spte.h, arch/x86/include/asm/vmx.h), plus the
 * refcounted-page bit of the v7 "KVM: allow mapping non-refcounted pages"
 * series.  Stage-neutral: the encoders and predicates below are plain bit
 * arithmetic; which bits a stage sets is decided by the stage unit.
 *
 * The model runs KVM the way a stock 6.12 host with EPT does:
 *   - A/D bits enabled (enable_ept_ad_bits), so SPTE_TDP_AD_ENABLED (0) in
 *     bits 53:52 and no access tracking by clearing RWX;
 *   - exec-only EPT supported, so the "present" mask of a leaf is only the
 *     suppress-#VE bit and readability comes from ACC_USER (bit 0);
 *   - no PML (CPU dirty logging), so dirty logging write-protects;
 *   - the NX-hugepage mitigation off (a CPU without the iTLB multihit bug);
 *   - no MMIO SPTEs: a gfn without a memslot is reported as -ENOENT and
 *     never cached in the table.
 *
 * Bit by bit, a 64-bit EPT entry:
 *
 *   0      R   read access.  The hardware "present" test for EPT is any of
 *              R/W/X; KVM sets R on every leaf through shadow_user_mask.
 *   1      W   write access (PT_WRITABLE_MASK and VMX_EPT_WRITABLE_MASK are
 *              the same bit).  Cleared to write-protect for dirty logging.
 *   2      X   instruction fetch (shadow_x_mask for EPT).
 *   5:3    MT  EPT memory type of a leaf: WB (6) for RAM, UC (0) for a
 *              pfn KVM treats as host MMIO (no struct page, or reserved and
 *              not the zero page or ZONE_DEVICE).
 *   6      IPAT ignore guest PAT; set with WB when no non-coherent DMA.
 *   7      PS  page size: a 2M or 1G leaf above the 4K level.
 *   8      A   accessed, set by the CPU (and by KVM on a non-prefetch
 *              fault); cleared by aging.
 *   9      D   dirty, set by the CPU on a write (and by KVM when it makes
 *              a writable leaf).
 *   10     -   ignored by hardware; unused by KVM for EPT (MMIO SPTEs keep
 *              generation bits in 10:3, not modelled).
 *   11     MMU-present: KVM's own "this SPTE maps memory" bit.  MMIO and
 *              frozen SPTEs leave it clear; every test for a live entry
 *              reads this bit, not RWX.
 *   51:12  PFN host frame of a leaf, or the frame of the next-level table
 *              for a non-leaf entry (the model stores the table's index in
 *              its table registry here, as the kernel stores __pa()).
 *   53:52  A/D type: 0 = A/D enabled, 1 = disabled, 2 = write-protect only
 *              (L2 with PML).  "Enabled" must be 0 because these bits are
 *              reserved in PAE entries.
 *   54     saved R, 56 saved X: with A/D disabled, access tracking clears
 *              RWX and parks R/X here.  Always 0 with A/D enabled.
 *   55     -   unused.
 *   57     Host-writable: the host mapping allowed writes when the SPTE
 *              was created from non-present.  Never changes afterwards.
 *   58     MMU-writable: KVM may make the SPTE writable without mmu_lock
 *              (fast_page_fault); only cleared for shadow-paging write
 *              tracking, never for dirty logging.
 *   59     Refcounted (series v7, stage v7.5 on; EPT only, the one free
 *              high bit): the pfn is a refcounted struct page, so zap and
 *              aging may mark it accessed/dirty.  Zero before v7.5.
 *   62:60  -   unused (MMIO generation high bits live in 62:52 of MMIO
 *              SPTEs, which are never MMU-present).
 *   63     suppress #VE: part of every present EPT entry, and the whole
 *              value of a non-present one (SHADOW_NONPRESENT_VALUE), so
 *              that an EPT violation is never delivered as a #VE.
 *
 * Legal writable states of a present leaf (host-W, MMU-W, W):
 *   111 writable; 110 write-protected for dirty logging, fixable locklessly;
 *   100 write-protected for shadow paging; 000 not host-writable.
 * Everything else breaks I11.
 */
#ifndef KVMPFN_SIM_X86_SPTE_H
#define KVMPFN_SIM_X86_SPTE_H

#include <linux/types.h>

#define SPTE_EPT_R			BIT_ULL(0)
#define SPTE_EPT_W			BIT_ULL(1)
#define SPTE_EPT_X			BIT_ULL(2)
#define SPTE_EPT_RWX			(SPTE_EPT_R | SPTE_EPT_W | SPTE_EPT_X)
#define SPTE_EPT_MT_SHIFT		3
#define SPTE_EPT_MT_MASK		(7ULL << SPTE_EPT_MT_SHIFT)
#define SPTE_EPT_MT_UC			0ULL
#define SPTE_EPT_MT_WB			6ULL
#define SPTE_EPT_IPAT			BIT_ULL(6)
#define SPTE_PAGE_SIZE			BIT_ULL(7)
#define SPTE_EPT_ACCESSED		BIT_ULL(8)
#define SPTE_EPT_DIRTY			BIT_ULL(9)
#define SPTE_MMU_PRESENT		BIT_ULL(11)
#define SPTE_PFN_SHIFT			12
#define SPTE_PFN_MASK			0x000ffffffffff000ULL
#define SPTE_TDP_AD_SHIFT		52
#define SPTE_TDP_AD_MASK		(3ULL << SPTE_TDP_AD_SHIFT)
#define SPTE_TDP_AD_ENABLED		(0ULL << SPTE_TDP_AD_SHIFT)
#define SPTE_TDP_AD_DISABLED		(1ULL << SPTE_TDP_AD_SHIFT)
#define SPTE_TDP_AD_WRPROT_ONLY		(2ULL << SPTE_TDP_AD_SHIFT)
#define SPTE_ACC_TRACK_SHIFT		54
#define SPTE_ACC_TRACK_SAVED_MASK	((SPTE_EPT_R | SPTE_EPT_X) << \
					 SPTE_ACC_TRACK_SHIFT)
#define EPT_SPTE_HOST_WRITABLE		BIT_ULL(57)
#define EPT_SPTE_MMU_WRITABLE		BIT_ULL(58)
#define SPTE_MMU_PAGE_REFCOUNTED	BIT_ULL(59)
#define SPTE_EPT_SUPPRESS_VE		BIT_ULL(63)

/* A non-present SPTE, and what new page tables are filled with. */
#define SHADOW_NONPRESENT_VALUE		SPTE_EPT_SUPPRESS_VE
/* Placeholder while a thread owns an entry (the TDP MMU's atomic zaps). */
#define FROZEN_SPTE			(SHADOW_NONPRESENT_VALUE | 0x5a0ULL)

/* What every present EPT entry carries (exec-only EPT supported). */
#define SPTE_EPT_PRESENT_MASK		SPTE_EPT_SUPPRESS_VE

/* The software bits a stage may set, and the CPU-maintained A/D. */
#define SPTE_SW_MASK			(SPTE_MMU_PRESENT | SPTE_TDP_AD_MASK | \
					 SPTE_ACC_TRACK_SAVED_MASK | \
					 EPT_SPTE_HOST_WRITABLE | \
					 EPT_SPTE_MMU_WRITABLE | \
					 SPTE_MMU_PAGE_REFCOUNTED)

_Static_assert(SPTE_TDP_AD_ENABLED == 0,
	       "A/D enabled must be 0: bits 62:52 are reserved under PAE");
_Static_assert(!(SPTE_TDP_AD_MASK & SPTE_ACC_TRACK_SAVED_MASK),
	       "saved access bits overlap the A/D type");
_Static_assert(!((EPT_SPTE_HOST_WRITABLE | EPT_SPTE_MMU_WRITABLE) &
		 (SPTE_TDP_AD_MASK | SPTE_ACC_TRACK_SAVED_MASK)),
	       "writable tracking bits overlap A/D type or saved bits");
_Static_assert(!(SPTE_MMU_PAGE_REFCOUNTED &
		 (SPTE_TDP_AD_MASK | SPTE_ACC_TRACK_SAVED_MASK |
		  EPT_SPTE_HOST_WRITABLE | EPT_SPTE_MMU_WRITABLE |
		  SPTE_EPT_SUPPRESS_VE | SPTE_PFN_MASK)),
	       "the refcounted bit must be a free software bit");
_Static_assert(!(SPTE_MMU_PRESENT & (SPTE_PFN_MASK | SPTE_EPT_RWX |
				     SPTE_EPT_MT_MASK | SPTE_EPT_IPAT |
				     SPTE_PAGE_SIZE | SPTE_EPT_ACCESSED |
				     SPTE_EPT_DIRTY)),
	       "MMU-present must be a hardware-ignored bit");
_Static_assert(!(SHADOW_NONPRESENT_VALUE & SPTE_MMU_PRESENT),
	       "the non-present value must not look present");
_Static_assert(!(FROZEN_SPTE & (SPTE_MMU_PRESENT | SPTE_EPT_RWX |
				SPTE_PFN_MASK)),
	       "a frozen SPTE must be non-present to KVM and the CPU");
_Static_assert(SPTE_PFN_MASK == (((1ULL << 52) - 1) & ~((1ULL << 12) - 1)),
	       "pfn field is bits 51:12");
_Static_assert(SPTE_EPT_MT_MASK == 0x38 && SPTE_EPT_IPAT == 0x40 &&
	       SPTE_PAGE_SIZE == 0x80 && SPTE_EPT_ACCESSED == 0x100 &&
	       SPTE_EPT_DIRTY == 0x200,
	       "EPT leaf attribute bits as the SDM places them");
_Static_assert(SPTE_ACC_TRACK_SAVED_MASK == (BIT_ULL(54) | BIT_ULL(56)),
	       "saved R at 54, saved X at 56");

#define SPTE_LEVEL_BITS		9
#define SPTE_ENT_PER_PAGE	(1 << SPTE_LEVEL_BITS)
#define PG_LEVEL_4K		1
#define PG_LEVEL_2M		2
#define PG_LEVEL_1G		3
#define KVM_MAX_HUGEPAGE_LEVEL	PG_LEVEL_1G

/* 4K pages one entry of @level maps. */
static inline u64 pages_per_level(int level)
{
	return 1ULL << (SPTE_LEVEL_BITS * (level - 1));
}

static inline unsigned int spte_index(gfn_t gfn, int level)
{
	return (gfn >> (SPTE_LEVEL_BITS * (level - 1))) &
	       (SPTE_ENT_PER_PAGE - 1);
}

static inline bool is_shadow_present_pte(u64 spte)
{
	return spte & SPTE_MMU_PRESENT;
}

static inline bool is_frozen_spte(u64 spte)
{
	return spte == FROZEN_SPTE;
}

static inline bool is_large_pte(u64 spte)
{
	return spte & SPTE_PAGE_SIZE;
}

/* Whether a (present) SPTE at @level maps memory rather than a table. */
static inline bool is_last_spte(u64 spte, int level)
{
	return level == PG_LEVEL_4K || is_large_pte(spte);
}

static inline kvm_pfn_t spte_to_pfn(u64 spte)
{
	return (spte & SPTE_PFN_MASK) >> SPTE_PFN_SHIFT;
}

static inline bool is_writable_pte(u64 spte)
{
	return spte & SPTE_EPT_W;
}

static inline bool is_mmu_writable_spte(u64 spte)
{
	return spte & EPT_SPTE_MMU_WRITABLE;
}

static inline bool is_host_writable_spte(u64 spte)
{
	return spte & EPT_SPTE_HOST_WRITABLE;
}

static inline bool is_executable_pte(u64 spte)
{
	return spte & SPTE_EPT_X;
}

/* A/D enabled: the hardware bits are the truth. */
static inline bool is_accessed_spte(u64 spte)
{
	return spte & SPTE_EPT_ACCESSED;
}

static inline bool is_dirty_spte(u64 spte)
{
	return spte & SPTE_EPT_DIRTY;
}

static inline bool is_refcounted_page_spte(u64 spte)
{
	return spte & SPTE_MMU_PAGE_REFCOUNTED;
}

/*
 * I11 for one present leaf: MMU-writable needs Host-writable, and W needs
 * MMU-writable.  Returns the broken rule, or NULL.
 */
static inline const char *spte_writable_state_error(u64 spte)
{
	if (is_mmu_writable_spte(spte) && !is_host_writable_spte(spte))
		return "MMU-writable SPTE is not Host-writable";
	if (!is_mmu_writable_spte(spte) && is_writable_pte(spte))
		return "writable SPTE is not MMU-writable";
	return NULL;
}

/* An entry linking a table whose frame (registry index) is @frame. */
static inline u64 make_nonleaf_spte(u64 frame)
{
	return SPTE_MMU_PRESENT | SPTE_EPT_PRESENT_MASK | SPTE_TDP_AD_ENABLED |
	       SPTE_EPT_R | SPTE_EPT_W | SPTE_EPT_X | SPTE_EPT_ACCESSED |
	       (frame << SPTE_PFN_SHIFT);
}

/*
 * Entry @index of the table that replaces huge leaf @huge one level down
 * (@child_level): the same attributes, the pfn advanced to the piece, and
 * no page-size bit once it is a 4K PTE.
 */
static inline u64 make_huge_page_split_spte(u64 huge, int child_level,
					    unsigned int index)
{
	u64 child = huge + ((u64)index * pages_per_level(child_level) <<
			    SPTE_PFN_SHIFT);

	if (child_level == PG_LEVEL_4K)
		child &= ~SPTE_PAGE_SIZE;
	return child;
}

/* Every field of an SPTE, for encoders, decoders and their tests. */
struct x86_spte_fields {
	bool r, w, x;
	u8 memtype;
	bool ipat;
	bool page_size;
	bool accessed;
	bool dirty;
	bool mmu_present;
	u8 ad_type;		/* 0 enabled, 1 disabled, 2 wrprot-only */
	bool saved_r, saved_x;
	bool host_writable;
	bool mmu_writable;
	bool refcounted;
	bool suppress_ve;
	u64 pfn;
};

u64 x86_spte_encode(const struct x86_spte_fields *f);
void x86_spte_decode(u64 spte, struct x86_spte_fields *f);
/* "R W X WB IPAT PS A D P ..." for reports; returns @buf */
const char *x86_spte_describe(u64 spte, char *buf, size_t len);

#endif
