/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 MMU model: the SPTE as Linux 6.12 lays it out
 * (arch/x86/kvm/mmu/spte.h, arch/x86/include/asm/vmx.h), plus the
 * refcounted-page bit of the v7 "KVM: allow mapping non-refcounted pages"
 * series.  Stage-neutral: the encoders and predicates below are plain bit
 * arithmetic; which bits a stage sets is decided by the stage unit.
 *
 * A VM runs in one of three paging modes (enum x86_paging, x86_tdp.h):
 *   TDP       EPT on a 64-bit host: the SPTE is an EPT entry (below).
 *   shadow64  shadow paging (tdp_enabled false) of a guest in 64-bit
 *             (4-level) paging: the SPTE is an ordinary x86-64 page-table
 *             entry, because the CPU walks the shadow table as the guest's
 *             own paging structures.
 *   PAE       shadow paging of a 32-bit guest: KVM shadows every non-64-bit
 *             guest with PAE tables (3 levels, a 4-entry PDPT on top), in
 *             the same entry format but with bits 62:52 reserved.
 * Which format the predicates read comes from the shadow_*_mask variables
 * below, as in the kernel; the x86 model sets them whenever it runs for a
 * VM (x86_spte_set_paging()).
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
 * Bit by bit, a 64-bit EPT entry (TDP):
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
 *              aging may mark it accessed/dirty.  Zero before v7.5, and
 *              in every mode where spte_has_refcount_bit() is false.
 *   62:60  -   unused (MMIO generation high bits live in 62:52 of MMIO
 *              SPTEs, which are never MMU-present).
 *   63     suppress #VE: part of every present EPT entry, and the whole
 *              value of a non-present one (SHADOW_NONPRESENT_VALUE), so
 *              that an EPT violation is never delivered as a #VE.
 *
 * Bit by bit, a shadow-paging SPTE (shadow64 and PAE; the 6.12 masks of
 * kvm_mmu_reset_all_pte_masks()):
 *
 *   0      P   present (shadow_present_mask).
 *   1      R/W writable: the same bit as EPT W, so is_writable_pte() needs
 *              no mask.
 *   2      U/S user access; KVM sets it for ACC_USER (shadow_user_mask),
 *              i.e. on every leaf the model makes.
 *   4:3    PWT, PCD: left 0.  KVM has no memory type in shadow SPTEs: PAT
 *              entry 0 (write-back) and the host MTRRs decide.
 *   5      A   accessed (shadow_accessed_mask).
 *   6      D   dirty (shadow_dirty_mask); only meaningful in a leaf.
 *   7      PS  page size in a PDE (2M) or a 4-level PDPTE (1G); in a 4K
 *              PTE the same bit is PAT, which KVM never sets.
 *   8      G   global; KVM never sets it.  Reserved in the non-leaf
 *              PML4Es of AMD CPUs, which KVM's check assumes everywhere.
 *   9      Host-writable (DEFAULT_SPTE_HOST_WRITABLE), 10 MMU-writable
 *              (DEFAULT_SPTE_MMU_WRITABLE): bits the CPU ignores, with the
 *              meaning of EPT bits 57 and 58.
 *   11     MMU-present, as for EPT.
 *   51:12  PFN (or next table).  Bits from the host's MAXPHYADDR up to 51
 *              are reserved (X86_HOST_MAXPHYADDR, below).
 *   58:52  shadow64: ignored by the CPU.  PAE: reserved.
 *   62:59  shadow64: the protection key of a leaf when CR4.PKE is set,
 *              ignored otherwise.  PAE: reserved.  6.12 hides PKU from a
 *              guest without TDP (cpuid.c), so with shadow paging CR4.PKE
 *              is clear in practice today; the model can turn it on
 *              ("x86 paging=shadow64 pke") to show why the series could
 *              not count on these bits either.
 *   63     XD/NX: execute-disable.  KVM runs shadow-paging guests with
 *              EFER.NX forced on, so the bit is legal; it is also the
 *              non-present value (SHADOW_NONPRESENT_VALUE), harmless where
 *              P is clear.
 *
 * A PAE page-directory-pointer entry (the top level, 4 entries) is not an
 * ordinary entry: only P, PWT, PCD and the address may be set; bits 2:1
 * and 8:5 and 63 are reserved as well, so KVM writes just P and the
 * address there (make_pae_root_spte()).
 *
 * Legal writable states of a present leaf (host-W, MMU-W, W):
 *   111 writable; 110 write-protected for dirty logging, fixable locklessly;
 *   100 write-protected for shadow paging; 000 not host-writable.
 * Everything else breaks I11.
 */
#ifndef KVMPFN_SIM_X86_SPTE_H
#define KVMPFN_SIM_X86_SPTE_H

#include <linux/kconfig.h>
#include <linux/types.h>

#include "x86_tdp.h"

/* The model's host is x86-64; kshim's configuration is every model's. */
#ifndef CONFIG_X86_64
#define CONFIG_X86_64			1
#endif

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

/* Shadow-paging (legacy x86) entry bits. */
#define PT_PRESENT_MASK			BIT_ULL(0)
#define PT_WRITABLE_MASK		BIT_ULL(1)
#define PT_USER_MASK			BIT_ULL(2)
#define PT_ACCESSED_MASK		BIT_ULL(5)
#define PT_DIRTY_MASK			BIT_ULL(6)
#define PT_PAGE_SIZE_MASK		BIT_ULL(7)
#define DEFAULT_SPTE_HOST_WRITABLE	BIT_ULL(9)
#define DEFAULT_SPTE_MMU_WRITABLE	BIT_ULL(10)
#define SPTE_PKEY_SHIFT			59
#define SPTE_PKEY_MASK			(0xfULL << SPTE_PKEY_SHIFT)
#define PT64_NX_MASK			BIT_ULL(63)

/*
 * The masks of the SPTE format in use, as the kernel keeps them in
 * variables of these names (kvm_mmu_set_ept_masks() for EPT,
 * kvm_mmu_reset_all_pte_masks() for shadow paging).  The model's values
 * are those of the VM the x86 model last ran for; a program that never
 * runs a simulator sees EPT.
 */
extern u64 shadow_present_mask;
extern u64 shadow_user_mask;
extern u64 shadow_accessed_mask;
extern u64 shadow_dirty_mask;
extern u64 shadow_x_mask;
extern u64 shadow_nx_mask;
extern u64 shadow_host_writable_mask;
extern u64 shadow_mmu_writable_mask;

/*
 * The model's stand-in for the kernel's global of the same name: whether
 * the VM the x86 model runs for now uses TDP (EPT) or shadow paging.  In
 * the kernel it is a module-wide setting; here every entry into the x86
 * model sets it from the VM's mode, so that simulators of different modes
 * can live side by side in one process.
 */
extern bool tdp_enabled;

/* Switch the variables above to @paging's SPTE format. */
void x86_spte_set_paging(enum x86_paging paging);

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
_Static_assert(PT_WRITABLE_MASK == SPTE_EPT_W,
	       "W is bit 1 in both formats");
_Static_assert(PT_PAGE_SIZE_MASK == SPTE_PAGE_SIZE,
	       "PS is bit 7 in both formats");
_Static_assert(!((DEFAULT_SPTE_HOST_WRITABLE | DEFAULT_SPTE_MMU_WRITABLE |
		  SPTE_MMU_PRESENT) &
		 (PT_PRESENT_MASK | PT_WRITABLE_MASK | PT_USER_MASK |
		  PT_ACCESSED_MASK | PT_DIRTY_MASK | PT_PAGE_SIZE_MASK |
		  SPTE_PFN_MASK | PT64_NX_MASK)),
	       "shadow-paging software bits must be CPU-ignored bits");
_Static_assert(SPTE_MMU_PAGE_REFCOUNTED & SPTE_PKEY_MASK,
	       "bit 59 is a protection-key bit of a 4-level entry");

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
	return spte & PT_WRITABLE_MASK;
}

static inline bool is_mmu_writable_spte(u64 spte)
{
	return spte & shadow_mmu_writable_mask;
}

static inline bool is_host_writable_spte(u64 spte)
{
	return spte & shadow_host_writable_mask;
}

static inline bool is_executable_pte(u64 spte)
{
	return (spte & (shadow_x_mask | shadow_nx_mask)) == shadow_x_mask;
}

/* Readable: EPT R (shadow_user_mask for EPT), or a present user leaf. */
static inline bool is_readable_spte(u64 spte)
{
	return spte & shadow_user_mask;
}

/* A/D enabled: the hardware bits are the truth. */
static inline bool is_accessed_spte(u64 spte)
{
	return spte & shadow_accessed_mask;
}

static inline bool is_dirty_spte(u64 spte)
{
	return spte & shadow_dirty_mask;
}

/*
 * Only the 64-bit SPTEs of a TDP host have room for SPTE_MMU_PAGE_REFCOUNTED:
 * PAE SPTEs reserve bits 62:52 and 4-level shadow SPTEs hold the protection
 * key in 62:59.  Without the bit, faults keep FOLL_GET.
 */
static inline bool spte_has_refcount_bit(void)
{
	return tdp_enabled && IS_ENABLED(CONFIG_X86_64);
}

/* May zap and aging hand A/D to the page?  Without the bit, always. */
static inline bool is_refcounted_page_spte(u64 spte)
{
	return !spte_has_refcount_bit() || (spte & SPTE_MMU_PAGE_REFCOUNTED);
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
	return SPTE_MMU_PRESENT | shadow_present_mask | SPTE_TDP_AD_ENABLED |
	       PT_WRITABLE_MASK | shadow_user_mask | shadow_x_mask |
	       shadow_accessed_mask | (frame << SPTE_PFN_SHIFT);
}

/*
 * A PAE page-directory-pointer entry: present and the address, nothing
 * else (W, U and A are reserved there).  Bit 11 is ignored by the CPU, so
 * the model keeps MMU-present in it like in every other entry.
 */
static inline u64 make_pae_root_spte(u64 frame)
{
	return SPTE_MMU_PRESENT | PT_PRESENT_MASK | (frame << SPTE_PFN_SHIFT);
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

/*
 * Reserved bits (I21): what the CPU faults on (a reserved-bit page fault,
 * or an EPT misconfiguration) if a present SPTE of the mode sets it.  The
 * model's host has a MAXPHYADDR of 46 bits (a common Intel server), so in
 * every mode the address bits 51:46 are reserved.  Per mode, on top:
 *
 *   TDP (EPT, KVM's __reset_rsvds_bits_mask_ept() with 1G pages):
 *     non-leaf at level 4/5   7:3  (memory type, IPAT and PS)
 *     non-leaf at level 3/2   6:3  (memory type, IPAT)
 *     1G leaf                 29:12  (the address below 1G alignment)
 *     2M leaf                 20:12
 *   shadow64 (KVM's shadow_zero_check: 4 levels, EFER.NX, 1G pages, the
 *   AMD rule for non-leaf entries):
 *     non-leaf at level 4/5   8:7  (G, PS)
 *     1G leaf                 29:13  (bit 12 is PAT there)
 *     2M leaf                 20:13
 *     any leaf, with pke      62:59  (the protection key: KVM's software
 *                             bits must not pick one; not reserved to the
 *                             CPU, so the kernel's check leaves it out)
 *   PAE (3 levels):
 *     every entry             62:52  (62:MAXPHYADDR in general)
 *     level 3 (PDPTE)         63, 8:5, 2:1  (and it is never a leaf)
 *     2M leaf                 20:13
 */
#define X86_HOST_MAXPHYADDR		46
#define SPTE_RSVD_BITS(hi, lo)		(((~0ULL) >> (63 - (hi))) & \
					 ~((1ULL << (lo)) - 1))

u64 x86_spte_rsvd_bits(enum x86_paging paging, bool pke, int level,
		       bool leaf);

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
