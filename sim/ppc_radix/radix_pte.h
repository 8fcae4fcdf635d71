/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partition-scoped radix page-table entry of a POWER9+ (book3s-64)
 * guest, as Linux 6.12 lays it out for KVM HV radix guests
 * (arch/powerpc/include/asm/book3s/64/{pgtable,radix,radix-4k}.h).
 *
 * KVM does not invent a format of its own here: a partition-scoped leaf is
 * a copy of the host's Linux PTE for the backing hva, with permission and
 * R/C bits edited (kvmppc_book3s_instantiate_page), so the bits below are
 * the host kernel's radix PTE bits, and every one of them is spoken for.
 *
 * Byte order.  The MMU reads entries as big-endian doublewords and the
 * kernel keeps them as __be64 (pte_raw()/pte_val() convert).  The model
 * stores the CPU-order value, i.e. what pte_val() returns; the masks below
 * are in that order.  Bit n means the value 1 << n (LSB 0), not the ISA's
 * IBM numbering, where our bit 63 is bit 0.
 *
 * Leaf entry (a PTE, or a PMD/PUD used as a 2M/1G leaf):
 *
 *   63  _PAGE_PRESENT   the entry translates (the ISA's V bit).  Clear
 *                       with _PAGE_INVALID set is a THP being split on the
 *                       host; KVM never installs that.
 *   62  _PAGE_PTE       leaf: the walk stops here.  Directory entries have
 *                       it clear, which is how a PMD/PUD tells a 2M/1G leaf
 *                       from a pointer to the next table.
 *   61  _RPAGE_SW0      software; = _PAGE_INVALID (only meaningful when
 *                       _PAGE_PRESENT is clear).
 *   60..56 PKEY bits    host protection keys; the hardware ignores them in
 *                       partition scope.
 *   52..12 RPN          real page number: the host physical address of the
 *                       4K page, or of the first page of a 2M/1G leaf
 *                       (PTE_RPN_MASK stops at bit 52, _PAGE_PA_MAX = 53).
 *   11  _RPAGE_SW1      software; = _PAGE_DEVMAP, a ZONE_DEVICE page on
 *                       the host side.
 *   10  _RPAGE_SW2      software; = _PAGE_SPECIAL, a pfn with no struct
 *                       page behind it (remap_pfn_range, VM_PFNMAP).
 *    9  _RPAGE_SW3      software; = _PAGE_SOFT_DIRTY, the host's
 *                       soft-dirty tracking.
 *    8  _PAGE_ACCESSED  R: referenced.  POWER9 does not set R/C in
 *                       partition scope on its own; it raises an HDSI with
 *                       DSISR_SET_RC and KVM sets them
 *                       (kvmppc_hv_handle_set_rc).  kvm_age_radix clears it.
 *    7  _PAGE_DIRTY     C: changed.  Set by KVM when it maps a page
 *                       writable for a write (or upgraded) fault, or on a
 *                       SET_RC store; unmapping a C=1 leaf of a logged
 *                       memslot records it in the dirty bitmap.
 *    6  _RPAGE_RSV1     reserved, must be zero.
 *  5..4 attribute       cacheability: 00 normal, 01 _PAGE_SAO, 10
 *                       _PAGE_NON_IDEMPOTENT (guarded I/O), 11
 *                       _PAGE_TOLERANT (cache inhibited).
 *    3  _PAGE_PRIVILEGED kernel-only; clear on user (hence guest) pages.
 *    2  _PAGE_READ      read permission.
 *    1  _PAGE_WRITE     write permission.  KVM keeps it only if the host
 *                       PTE has it, and drops it on a read fault that was
 *                       not upgraded (invariant I10).
 *    0  _PAGE_EXEC      execute permission.  KVM always sets it in
 *                       partition scope: the guest's own (process-scoped)
 *                       tables decide what is executable.
 *
 * Directory entry (PGD/PUD/PMD pointing at the next table):
 *
 *   63     valid (same bit as _PAGE_PRESENT); 62 (_PAGE_PTE) clear
 *   59..8  NLB: real address of the next-level table, aligned to its size
 *   4..0   NLS: log2 of the number of entries of the next-level table
 *          (RADIX_PMD_VAL_BITS etc. put the index size of the child there)
 *
 * Geometry with 4K pages (radix-4k.h): 13/9/9/9 index bits above a 12-bit
 * page offset, 52 bits of guest real address in all.  The PGD has 8192
 * entries (64K), every other level 512 (4K).  Leaves exist at the PTE
 * (4K), PMD (2M) and PUD (1G) levels; KVM numbers them 0, 1 and 2
 * (kvmppc_create_pte's "level"), the model's leaf views count 1, 2, 3.
 */
#ifndef KVMPFN_PPC_RADIX_PTE_H
#define KVMPFN_PPC_RADIX_PTE_H

#include <assert.h>

#include <linux/types.h>

/* Leaf bits (CPU-order values). */
#define PPC_PAGE_EXEC		0x0000000000000001ULL
#define PPC_PAGE_WRITE		0x0000000000000002ULL
#define PPC_PAGE_READ		0x0000000000000004ULL
#define PPC_PAGE_PRIVILEGED	0x0000000000000008ULL
#define PPC_PAGE_SAO		0x0000000000000010ULL
#define PPC_PAGE_NON_IDEMPOTENT	0x0000000000000020ULL
#define PPC_PAGE_TOLERANT	0x0000000000000030ULL
#define PPC_RPAGE_RSV1		0x0000000000000040ULL
#define PPC_PAGE_DIRTY		0x0000000000000080ULL
#define PPC_PAGE_ACCESSED	0x0000000000000100ULL
#define PPC_RPAGE_SW3		0x0000000000000200ULL
#define PPC_RPAGE_SW2		0x0000000000000400ULL
#define PPC_RPAGE_SW1		0x0000000000000800ULL
#define PPC_RPAGE_PKEY_MASK	0x1f00000000000000ULL
#define PPC_RPAGE_SW0		0x2000000000000000ULL
#define PPC_PAGE_PTE		0x4000000000000000ULL
#define PPC_PAGE_PRESENT	0x8000000000000000ULL

#define PPC_PAGE_SOFT_DIRTY	PPC_RPAGE_SW3
#define PPC_PAGE_SPECIAL	PPC_RPAGE_SW2
#define PPC_PAGE_DEVMAP		PPC_RPAGE_SW1
#define PPC_PAGE_INVALID	PPC_RPAGE_SW0

#define PPC_PAGE_SHIFT		12
#define PPC_PAGE_PA_MAX		53
#define PPC_PTE_RPN_MASK	(((1ULL << PPC_PAGE_PA_MAX) - 1) & \
				 ~((1ULL << PPC_PAGE_SHIFT) - 1))

/*
 * kvmppc_create_pte() lets a racing fault add these to a present leaf;
 * every other bit must agree (its PTE_BITS_MUST_MATCH).
 */
#define PPC_PTE_BITS_MAY_DIFFER	(PPC_PAGE_WRITE | PPC_PAGE_DIRTY | \
				 PPC_PAGE_ACCESSED)

/* Directory entries. */
#define PPC_RPDE_VALID		PPC_PAGE_PRESENT
#define PPC_RPDE_NLB_MASK	0x0fffffffffffff00ULL
#define PPC_RPDE_NLS_MASK	0x000000000000001fULL
/* what a directory entry must not have (RADIX_PMD_BAD_BITS) */
#define PPC_RPDE_BAD_BITS	0x60000000000000e0ULL

/* Geometry, 4K pages. */
#define PPC_R_PTE_INDEX_SIZE	9
#define PPC_R_PMD_INDEX_SIZE	9
#define PPC_R_PUD_INDEX_SIZE	9
#define PPC_R_PGD_INDEX_SIZE	13
#define PPC_R_PMD_SHIFT		(PPC_PAGE_SHIFT + PPC_R_PTE_INDEX_SIZE)
#define PPC_R_PUD_SHIFT		(PPC_R_PMD_SHIFT + PPC_R_PMD_INDEX_SIZE)
#define PPC_R_PGD_SHIFT		(PPC_R_PUD_SHIFT + PPC_R_PUD_INDEX_SIZE)
#define PPC_R_EADDR_BITS	(PPC_R_PGD_SHIFT + PPC_R_PGD_INDEX_SIZE)
#define PPC_R_PTRS		512	/* PTE, PMD and PUD tables */
#define PPC_R_PGD_PTRS		(1 << PPC_R_PGD_INDEX_SIZE)

/* KVM's leaf levels (kvmppc_create_pte) and the directory level above. */
enum ppc_level {
	PPC_LEVEL_PTE = 0,	/* 4K */
	PPC_LEVEL_PMD = 1,	/* 2M */
	PPC_LEVEL_PUD = 2,	/* 1G */
	PPC_LEVEL_PGD = 3,	/* directory only */
};

static_assert(PPC_PAGE_TOLERANT == (PPC_PAGE_SAO | PPC_PAGE_NON_IDEMPOTENT),
	      "the attribute field is two bits, TOLERANT = 0b11");
static_assert((PPC_PTE_RPN_MASK & (PPC_PAGE_PRESENT | PPC_PAGE_PTE |
				   PPC_RPAGE_SW0 | PPC_RPAGE_PKEY_MASK |
				   0xfffULL)) == 0,
	      "the real page number overlaps a flag");
static_assert(PPC_PTE_RPN_MASK == 0x001ffffffffff000ULL,
	      "RPN is bits 52..12");
static_assert((PPC_PAGE_EXEC | PPC_PAGE_WRITE | PPC_PAGE_READ |
	       PPC_PAGE_PRIVILEGED | PPC_PAGE_TOLERANT | PPC_RPAGE_RSV1 |
	       PPC_PAGE_DIRTY | PPC_PAGE_ACCESSED | PPC_RPAGE_SW3 |
	       PPC_RPAGE_SW2 | PPC_RPAGE_SW1) == 0xfffULL,
	      "bits 11..0 are all defined, none twice");
static_assert(PPC_PAGE_PRESENT == 1ULL << 63 && PPC_PAGE_PTE == 1ULL << 62 &&
	      PPC_RPAGE_SW0 == 1ULL << 61,
	      "present, leaf and SW0 are the top three bits");
static_assert((PPC_RPDE_NLB_MASK & (PPC_RPDE_NLS_MASK | PPC_RPDE_BAD_BITS |
				    PPC_RPDE_VALID)) == 0,
	      "directory fields overlap");
static_assert(PPC_R_EADDR_BITS == 52, "4K radix maps 52 bits of address");
static_assert(PPC_R_PMD_SHIFT == 21 && PPC_R_PUD_SHIFT == 30 &&
	      PPC_R_PGD_SHIFT == 39, "2M, 1G and 512G per entry");
static_assert(PPC_R_PTRS == 1 << PPC_R_PTE_INDEX_SIZE &&
	      PPC_R_PTRS == 1 << PPC_R_PMD_INDEX_SIZE &&
	      PPC_R_PTRS == 1 << PPC_R_PUD_INDEX_SIZE,
	      "every level below the PGD has 512 entries");
static_assert(PPC_R_PTRS * sizeof(u64) == 1 << PPC_PAGE_SHIFT,
	      "a PTE/PMD/PUD table fills one 4K page");
static_assert(PPC_R_PGD_PTRS * sizeof(u64) == 64 << 10,
	      "the PGD is 64K");

/* ---- leaves ------------------------------------------------------------ */

static inline bool ppc_pte_present(u64 pte)
{
	return pte & PPC_PAGE_PRESENT;
}

/* a present leaf (as opposed to an empty slot or a directory entry) */
static inline bool ppc_pte_is_leaf(u64 pte)
{
	return (pte & (PPC_PAGE_PRESENT | PPC_PAGE_PTE)) ==
	       (PPC_PAGE_PRESENT | PPC_PAGE_PTE);
}

static inline bool ppc_pte_write(u64 pte)
{
	return pte & PPC_PAGE_WRITE;
}

static inline bool ppc_pte_dirty(u64 pte)
{
	return pte & PPC_PAGE_DIRTY;
}

static inline bool ppc_pte_young(u64 pte)
{
	return pte & PPC_PAGE_ACCESSED;
}

static inline unsigned long ppc_pte_pfn(u64 pte)
{
	return (pte & PPC_PTE_RPN_MASK) >> PPC_PAGE_SHIFT;
}

static inline u64 ppc_pfn_rpn(unsigned long pfn)
{
	return ((u64)pfn << PPC_PAGE_SHIFT) & PPC_PTE_RPN_MASK;
}

/* A leaf for @pfn with the flag bits @flags (no RPN bits in @flags). */
static inline u64 ppc_mk_pte(unsigned long pfn, u64 flags)
{
	return ppc_pfn_rpn(pfn) | flags | PPC_PAGE_PRESENT | PPC_PAGE_PTE;
}

/* ---- directory entries --------------------------------------------------- */

static inline bool ppc_pde_is_table(u64 pde)
{
	return (pde & (PPC_PAGE_PRESENT | PPC_PAGE_PTE)) == PPC_RPDE_VALID;
}

/*
 * A directory entry pointing at @table, whose entries number 1 << @nls.
 * The model's "real address" of a table is its userspace address, which is
 * table-size aligned and below 2^56 (radix_tree.c checks both).
 */
static inline u64 ppc_mk_pde(const void *table, unsigned int nls)
{
	return ((u64)(uintptr_t)table & PPC_RPDE_NLB_MASK) | PPC_RPDE_VALID |
	       (nls & PPC_RPDE_NLS_MASK);
}

static inline void *ppc_pde_table(u64 pde)
{
	return (void *)(uintptr_t)(pde & PPC_RPDE_NLB_MASK);
}

static inline unsigned int ppc_pde_nls(u64 pde)
{
	return pde & PPC_RPDE_NLS_MASK;
}

/* ---- indexing -------------------------------------------------------------- */

static inline unsigned int ppc_level_shift(int level)
{
	return PPC_PAGE_SHIFT + PPC_R_PTE_INDEX_SIZE * level;
}

/* Index of @gpa in a table whose entries map 1 << ppc_level_shift(level). */
static inline unsigned int ppc_index(u64 gpa, int level)
{
	unsigned int bits = level == PPC_LEVEL_PGD ? PPC_R_PGD_INDEX_SIZE :
						    PPC_R_PTE_INDEX_SIZE;

	return (gpa >> ppc_level_shift(level)) & ((1U << bits) - 1);
}

/* 4K pages a leaf of KVM level @level maps. */
static inline u64 ppc_level_pages(int level)
{
	return 1ULL << (PPC_R_PTE_INDEX_SIZE * level);
}

/*
 * The host PTE for a hva, in radix format, as find_kvm_host_pte() would
 * read it: the model's host page table has its own encoding (host_mm.h),
 * translated bit by bit.  The model's host PTEs carry no exec, cache
 * attribute, devmap or soft-dirty state, so those bits stay clear; user
 * pages are never privileged; a present user PTE is readable.
 */
u64 ppc_pte_from_host(u64 hpte);

#endif
