/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 stage-2 translation table descriptors, 4K granule, as KVM in Linux
 * 6.12 builds them (arch/arm64/include/asm/kvm_pgtable.h and
 * kvm/hyp/pgtable.c).  The layout below is the architecture's (Arm ARM
 * D8.3, VMSAv8-64 descriptor formats) restricted to the fields KVM sets;
 * 52-bit output addresses (LPA2) are not modelled.
 *
 * A descriptor is 64 bits.  Which fields exist depends on the kind:
 *
 *  Valid descriptors (bit 0 set)
 *
 *   bit  0      VALID.  Clear: the entry faults (translation fault) and
 *               every other bit is software's; see "invalid" below.
 *   bit  1      TYPE.  At levels 0-2: 1 = table (points to the next level),
 *               0 = block (a leaf mapping 1G at level 1, 2M at level 2;
 *               level 0 has no blocks with a 4K granule).  At level 3:
 *               1 = page (a 4K leaf); 0 is a reserved encoding that faults
 *               like an invalid entry, so KVM never writes it.
 *   bits 12-47  output address.  For a table: the physical address of the
 *               next-level table page.  For a leaf: the output (host
 *               physical) address, aligned to the leaf size; the bits below
 *               the block size must be zero.
 *
 *  Leaf attributes (block and page descriptors only; a table descriptor
 *  leaves bits 2-11 and 52-63 zero, KVM sets no hierarchical controls)
 *
 *   bits 2-5    MemAttr: the stage-2 memory type.  Normal write-back for
 *               RAM, Device-nGnRE for a pfn outside the kernel's linear map
 *               (MMIO, ZONE_DEVICE), Normal non-cacheable for VFIO regions
 *               that allow it.  Encoded differently with FEAT_S2FWB (the
 *               stage-2 type then overrides the guest's) than without; the
 *               model keeps both encodings and uses the FWB one.
 *   bit  6      S2AP[0] = R: the guest may read.  KVM always sets it for
 *               guest memory.
 *   bit  7      S2AP[1] = W: the guest may write.  KVM sets it only when
 *               the host mapping was writable (and the fault wrote, while
 *               dirty logging); clearing it is how a slot is write-protected
 *               for dirty logging, so the next write takes a permission
 *               fault and gets logged.
 *   bits 8-9    SH: shareability, always inner-shareable (3).
 *   bit 10      AF: access flag.  KVM sets it on every new leaf; aging
 *               (test_clear_young) clears it, and the next guest access
 *               takes an access-flag fault that sets it again (without
 *               FEAT_HAFDBS; with it the walker sets AF itself).
 *   bit 54      XN: execute-never for the guest.  Set unless the fault was
 *               an instruction fetch (or the CPU has DIC); device memory is
 *               always XN.
 *   bits 55-58  software bits SW0..SW3, ignored by hardware.  SW0/SW1 are
 *               taken by nested virtualisation (the guest's mapping size)
 *               and pKVM (page ownership state); this model leaves them
 *               zero, as a non-nested, non-protected VM does.
 *
 *  Invalid descriptors (bit 0 clear)
 *
 *   bits 2-9    owner id: pKVM annotates pages owned by someone else than
 *               the page-table owner (id 0) with an invalid, non-zero entry.
 *   bit 10      LOCKED: an entry in the middle of break-before-make.  A
 *               walker that replaces a valid entry first swaps in LOCKED
 *               (so concurrent walkers back off), invalidates the TLB for
 *               the old entry, then stores the new one.
 *
 *  Table-page reference counting (hyp/pgtable.c stage2_pte_is_counted):
 *  every non-zero entry holds one reference on the page holding it, so a
 *  table page's count is 1 (its own) + its non-zero entries, and the unmap
 *  walker frees a table whose count came back to 1.  An entry that is
 *  LOCKED holds none: break-before-make drops the old entry's reference
 *  when it locks and takes the new one's when it stores.
 */
#ifndef KVMPFN_ARM64_S2_PTE_H
#define KVMPFN_ARM64_S2_PTE_H

#include <linux/types.h>

typedef u64 kvm_pte_t;

#define S2_PAGE_SHIFT		12
#define S2_PTRS_PER_TABLE	512
#define S2_FIRST_LEVEL		0	/* 4K granule, no LPA2: levels 0..3 */
#define S2_LAST_LEVEL		3
#define S2_MIN_BLOCK_LEVEL	1	/* 1G blocks at level 1, 2M at level 2 */

#define S2_GENMASK(h, l)	((~0ULL >> (63 - (h))) & (~0ULL << (l)))

/* descriptor fields */
#define S2_PTE_VALID		BIT_ULL(0)
#define S2_PTE_TYPE		BIT_ULL(1)
#define S2_PTE_TYPE_BLOCK	0ULL
#define S2_PTE_TYPE_PAGE	S2_PTE_TYPE
#define S2_PTE_TYPE_TABLE	S2_PTE_TYPE
#define S2_PTE_ADDR_MASK	S2_GENMASK(47, S2_PAGE_SHIFT)

#define S2_ATTR_LO		S2_GENMASK(11, 2)
#define S2_ATTR_HI		S2_GENMASK(63, 50)
#define S2_ATTR_MEMATTR		S2_GENMASK(5, 2)
#define S2_ATTR_MEMATTR_SHIFT	2
#define S2_ATTR_S2AP_R		BIT_ULL(6)
#define S2_ATTR_S2AP_W		BIT_ULL(7)
#define S2_ATTR_SH		S2_GENMASK(9, 8)
#define S2_ATTR_SH_SHIFT	8
#define S2_ATTR_SH_IS		3ULL
#define S2_ATTR_AF		BIT_ULL(10)
#define S2_ATTR_XN		BIT_ULL(54)
#define S2_ATTR_SW		S2_GENMASK(58, 55)
#define S2_ATTR_PERMS		(S2_ATTR_S2AP_R | S2_ATTR_S2AP_W | S2_ATTR_XN)

#define S2_INVALID_OWNER_MASK	S2_GENMASK(9, 2)
#define S2_INVALID_OWNER_SHIFT	2
#define S2_INVALID_LOCKED	BIT_ULL(10)
#define S2_MAX_OWNER_ID		1

/* MemAttr values (asm/memory.h MT_S2_*), without and with FEAT_S2FWB */
#define S2_MT_NORMAL		0xfULL
#define S2_MT_NORMAL_NC		0x5ULL
#define S2_MT_DEVICE_nGnRE	0x1ULL
#define S2_MT_FWB_NORMAL	0x6ULL
#define S2_MT_FWB_NORMAL_NC	0x5ULL
#define S2_MT_FWB_DEVICE_nGnRE	0x1ULL

/* What a mapping asks for (enum kvm_pgtable_prot). */
#define S2_PROT_X		BIT_ULL(0)
#define S2_PROT_W		BIT_ULL(1)
#define S2_PROT_R		BIT_ULL(2)
#define S2_PROT_DEVICE		BIT_ULL(3)
#define S2_PROT_NORMAL_NC	BIT_ULL(4)
#define S2_PROT_SW0		BIT_ULL(55)
#define S2_PROT_SW3		BIT_ULL(58)

/* The layout is the architecture's: pin it. */
_Static_assert(S2_PTE_VALID == 0x1, "valid is bit 0");
_Static_assert(S2_PTE_TYPE == 0x2, "table/page is bit 1");
_Static_assert(S2_ATTR_MEMATTR == 0x3c, "MemAttr is bits 2-5");
_Static_assert(S2_ATTR_S2AP_R == 0x40, "S2AP_R is bit 6");
_Static_assert(S2_ATTR_S2AP_W == 0x80, "S2AP_W is bit 7");
_Static_assert(S2_ATTR_SH == 0x300, "SH is bits 8-9");
_Static_assert(S2_ATTR_AF == 0x400, "AF is bit 10");
_Static_assert(S2_PTE_ADDR_MASK == 0x0000fffffffff000ULL,
	       "output address is bits 12-47");
_Static_assert(S2_ATTR_XN == 1ULL << 54, "XN is bit 54");
_Static_assert(S2_ATTR_SW == 0x0780000000000000ULL, "SW is bits 55-58");
_Static_assert(S2_PROT_SW0 == 1ULL << 55 && S2_PROT_SW3 == 1ULL << 58,
	       "prot SW bits are the descriptor's");
_Static_assert(S2_INVALID_OWNER_MASK == 0x3fc, "owner id is bits 2-9");
_Static_assert(S2_INVALID_LOCKED == S2_ATTR_AF,
	       "LOCKED reuses bit 10, meaningful only when invalid");
_Static_assert((S2_ATTR_LO & S2_PTE_ADDR_MASK) == 0 &&
	       (S2_ATTR_HI & S2_PTE_ADDR_MASK) == 0,
	       "attributes and address do not overlap");
_Static_assert((S2_ATTR_PERMS & ~(S2_ATTR_LO | S2_ATTR_HI)) == 0,
	       "permissions are leaf attributes");

/* Levels: shift and size of what one entry at @level maps. */
static inline unsigned int s2_granule_shift(int level)
{
	return (S2_PAGE_SHIFT - 3) * (4 - level) + 3;
}

static inline u64 s2_granule_size(int level)
{
	return 1ULL << s2_granule_shift(level);
}

static inline u32 s2_index(u64 addr, int level)
{
	return (addr >> s2_granule_shift(level)) & (S2_PTRS_PER_TABLE - 1);
}

static inline bool s2_level_supports_block(int level)
{
	return level >= S2_MIN_BLOCK_LEVEL;
}

/* The model's level numbering (1: 4K, 2: 2M, 3: 1G) of a leaf level. */
static inline int s2_view_level(int level)
{
	return S2_LAST_LEVEL + 1 - level;
}

/* Decoders */
static inline bool s2_pte_valid(kvm_pte_t pte)
{
	return pte & S2_PTE_VALID;
}

static inline bool s2_pte_is_table(kvm_pte_t pte, int level)
{
	return level < S2_LAST_LEVEL && s2_pte_valid(pte) &&
	       (pte & S2_PTE_TYPE) == S2_PTE_TYPE_TABLE;
}

/* A valid block (levels 1-2) or page (level 3) descriptor. */
static inline bool s2_pte_is_leaf(kvm_pte_t pte, int level)
{
	if (!s2_pte_valid(pte))
		return false;
	if (level == S2_LAST_LEVEL)
		return (pte & S2_PTE_TYPE) == S2_PTE_TYPE_PAGE;
	return (pte & S2_PTE_TYPE) == S2_PTE_TYPE_BLOCK &&
	       s2_level_supports_block(level);
}

static inline bool s2_pte_is_locked(kvm_pte_t pte)
{
	return !s2_pte_valid(pte) && (pte & S2_INVALID_LOCKED);
}

/*
 * Does the entry hold a reference on its table page?  Every non-zero
 * entry does, except one locked for break-before-make (see above).
 */
static inline bool s2_pte_is_counted(kvm_pte_t pte)
{
	return pte && !s2_pte_is_locked(pte);
}

static inline u64 s2_pte_to_phys(kvm_pte_t pte)
{
	return pte & S2_PTE_ADDR_MASK;
}

static inline u64 s2_pte_to_pfn(kvm_pte_t pte)
{
	return s2_pte_to_phys(pte) >> S2_PAGE_SHIFT;
}

static inline u8 s2_pte_owner(kvm_pte_t pte)
{
	return (pte & S2_INVALID_OWNER_MASK) >> S2_INVALID_OWNER_SHIFT;
}

static inline unsigned int s2_pte_memattr(kvm_pte_t pte)
{
	return (pte & S2_ATTR_MEMATTR) >> S2_ATTR_MEMATTR_SHIFT;
}

static inline bool s2_pte_readable(kvm_pte_t pte)
{
	return pte & S2_ATTR_S2AP_R;
}

static inline bool s2_pte_writable(kvm_pte_t pte)
{
	return pte & S2_ATTR_S2AP_W;
}

static inline bool s2_pte_young(kvm_pte_t pte)
{
	return pte & S2_ATTR_AF;
}

static inline bool s2_pte_executable(kvm_pte_t pte)
{
	return s2_pte_valid(pte) && !(pte & S2_ATTR_XN);
}

/* Encoders */
static inline kvm_pte_t s2_phys_to_pte(u64 pa)
{
	return pa & S2_PTE_ADDR_MASK;
}

static inline kvm_pte_t s2_make_table_pte(u64 table_pa)
{
	return s2_phys_to_pte(table_pa) | S2_PTE_TYPE_TABLE | S2_PTE_VALID;
}

/* A block (levels 1-2) or page (level 3) with leaf attributes @attr. */
static inline kvm_pte_t s2_make_leaf_pte(u64 pa, kvm_pte_t attr, int level)
{
	kvm_pte_t type = level == S2_LAST_LEVEL ? S2_PTE_TYPE_PAGE :
						  S2_PTE_TYPE_BLOCK;

	return s2_phys_to_pte(pa) | (attr & (S2_ATTR_LO | S2_ATTR_HI)) |
	       type | S2_PTE_VALID;
}

static inline kvm_pte_t s2_make_owner_pte(u8 owner_id)
{
	return ((kvm_pte_t)owner_id << S2_INVALID_OWNER_SHIFT) &
	       S2_INVALID_OWNER_MASK;
}

/*
 * Leaf attributes for @prot (stage2_set_prot_attr): -EINVAL for device or
 * non-cacheable memory asked to be executable, or both at once.
 */
int s2_prot_to_attr(u64 prot, bool fwb, kvm_pte_t *attr);
/* The permissions (and software bits) a descriptor grants. */
u64 s2_pte_to_prot(kvm_pte_t pte);
/*
 * Would writing @new over @old change more than permissions?  (The map
 * path leaves permission-only changes to the permission fault.)
 */
bool s2_pte_needs_update(kvm_pte_t old, kvm_pte_t new);
/* One-line description of a descriptor at @level, for traces and tests. */
int s2_pte_format(kvm_pte_t pte, int level, char *buf, size_t len);

#endif
