/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 stage-2 page tables (the model of arch/arm64/kvm/hyp/pgtable.c):
 * table pages with explicit reference counts, a depth-first walker with
 * pre-order, leaf and post-order visits, and the operations KVM builds on
 * it (map with break-before-make, unmap freeing empty tables, write-protect,
 * access flag, permission relaxing, eager block splitting).
 *
 * Table pages are not guest memory: they come from a pool the model owns,
 * numbered by id, and a table descriptor's output address is the table's id
 * shifted by the page size.  Each table page counts references like the
 * kernel's struct page for it: 1 for its existence plus 1 per non-zero
 * entry (I20).
 *
 * Every entry change, leaf or table, goes through s2_set_pte(), the one
 * choke point: it keeps the counts, the tables' parent links, reports leaf
 * changes to the checker (kvmpfn_entry_change) and records what the step
 * touched for incremental checking.
 */
#ifndef KVMPFN_ARM64_S2_PGTABLE_H
#define KVMPFN_ARM64_S2_PGTABLE_H

#include <linux/kvm_host.h>

#include "s2_pte.h"

struct kvmpfn_sim;
struct kvmpfn_fault;
struct kvmpfn_leaf_view;

/* Does the leaf @v (gfn, pfn filled in) map a page KVM may refcount? */
typedef bool (*kvmpfn_s2_refcounted_fn)(struct kvmpfn_sim *sim,
					const struct kvmpfn_leaf_view *v);

/* IPA sizes: KVM's default, and the limits with a 4K granule, no LPA2. */
#define S2_IPA_BITS_DEFAULT	40	/* KVM_PHYS_SHIFT */
#define S2_IPA_BITS_MIN		32
#define S2_IPA_BITS_MAX		48
#define S2_MAX_ROOTS		16	/* concatenated start-level tables */

enum s2_table_state {
	S2_TABLE_FREE,
	S2_TABLE_LIVE,
};

struct s2_table {
	kvm_pte_t pte[S2_PTRS_PER_TABLE];
	s32 count;		/* page refcount: 1 + counted entries */
	s8 level;		/* level of the entries in this table */
	u8 state;		/* enum s2_table_state */
	bool root;
	u16 parent_idx;		/* our entry in the parent table */
	u32 id;
	u32 parent;		/* id of the table linking us, 0 if none */
	u32 next_free;
	u64 base;		/* IPA mapped by pte[0] */
	s32 checked_count;	/* the count the last check accepted */
	bool checked;		/* checked_count is meaningful */
};

#define S2_MAX_TOUCHED		64

struct s2_pgt {
	struct kvmpfn_sim *sim;		/* NULL: no checker (table unit tests) */
	u32 ia_bits;
	int start_level;
	u32 nr_roots;
	u32 roots[S2_MAX_ROOTS];
	bool fwb;			/* FEAT_S2FWB: MemAttr encoding */

	struct s2_table **tables;	/* by id; [0] unused */
	u32 nr_ids;
	u32 cap_ids;
	u32 free_head;
	u32 nr_live;			/* live tables, roots included */
	u64 nr_allocs;
	u64 nr_frees;
	u32 errors;			/* I20 findings (also without a sim) */

	/* is the leaf's page one KVM may touch (for leaf views) */
	kvmpfn_s2_refcounted_fn refcounted;

	/* tables and leaves changed since the last check (incremental mode) */
	u32 touched[S2_MAX_TOUCHED];
	u32 nr_touched;
	bool touched_all;
	struct {
		u32 table;
		u32 idx;
		kvm_pte_t old;		/* the entry before the step */
	} touched_entry[S2_MAX_TOUCHED];
	u32 nr_touched_entries;
	bool touched_entries_all;
};

/* Walk flags (enum kvm_pgtable_walk_flags). */
#define S2_WALK_LEAF		BIT(0)
#define S2_WALK_TABLE_PRE	BIT(1)
#define S2_WALK_TABLE_POST	BIT(2)
#define S2_WALK_SHARED		BIT(3)	/* under mmu_lock for read */
#define S2_WALK_HANDLE_FAULT	BIT(4)	/* -EAGAIN stops the walk */
#define S2_WALK_SKIP_BBM_TLBI	BIT(5)

/* What a visitor sees of one entry. */
struct s2_visit {
	struct s2_pgt *pgt;
	struct s2_table *table;
	u32 idx;
	int level;
	kvm_pte_t old;		/* the entry when the visit started */
	u64 start;		/* the walk's range */
	u64 addr;		/* where the walk is */
	u64 end;
	unsigned int flags;
	void *arg;
	struct kvmpfn_fault *fault;	/* reported with leaf changes */
};

typedef int (*s2_visitor_fn)(struct s2_visit *v, unsigned int visit);

struct s2_walker {
	s2_visitor_fn cb;
	void *arg;
	unsigned int flags;
	struct kvmpfn_fault *fault;
};

/* Set up an empty table for an IPA space of @ia_bits; -EINVAL, -ENOMEM. */
int s2_pgt_init(struct s2_pgt *pgt, struct kvmpfn_sim *sim, u32 ia_bits);
/* Free every table (kvm_pgtable_stage2_destroy); no changes reported. */
void s2_pgt_destroy(struct s2_pgt *pgt);

/* The levels of an IPA size, as VTCR_EL2 is set up for it. */
int s2_start_level(u32 ia_bits);
u32 s2_nr_roots(u32 ia_bits);

struct s2_table *s2_table_get(const struct s2_pgt *pgt, u32 id);
/* The table a table descriptor points to; NULL if it points nowhere live. */
struct s2_table *s2_table_of(const struct s2_pgt *pgt, kvm_pte_t pte);
/* The root table covering @addr. */
struct s2_table *s2_root_of(const struct s2_pgt *pgt, u64 addr);
static inline u64 s2_table_pa(const struct s2_table *t)
{
	return (u64)t->id << S2_PAGE_SHIFT;
}

/* The choke point: every entry change goes through here. */
void s2_set_pte(struct s2_pgt *pgt, struct s2_table *t, u32 idx,
		kvm_pte_t new, struct kvmpfn_fault *f);

/* Depth-first walk of [addr, addr + size). */
int s2_walk(struct s2_pgt *pgt, u64 addr, u64 size,
	    const struct s2_walker *walker);

/* The leaf (or the invalid entry) translating @addr, and its level. */
int s2_get_leaf(struct s2_pgt *pgt, u64 addr, kvm_pte_t *pte, int *level);

/*
 * kvm_pgtable_stage2_map: map [addr, addr + size) to @phys with @prot,
 * allocating tables, replacing tables by a block or a block by a table
 * (break-before-make).  -EAGAIN if the entry is already what was asked up
 * to permissions, or locked by another walker.
 */
int s2_map(struct s2_pgt *pgt, u64 addr, u64 size, u64 phys, u64 prot,
	   unsigned int flags, struct kvmpfn_fault *f);
/* kvm_pgtable_stage2_unmap; returns the number of valid leaves zapped. */
u64 s2_unmap(struct s2_pgt *pgt, u64 addr, u64 size);
/* kvm_pgtable_stage2_wrprotect; returns the number of leaves changed. */
u64 s2_wrprotect(struct s2_pgt *pgt, u64 addr, u64 size);
/* kvm_pgtable_stage2_mkyoung: the leaf before the update, 0 if none. */
kvm_pte_t s2_mkyoung(struct s2_pgt *pgt, u64 addr, struct kvmpfn_fault *f);
/* kvm_pgtable_stage2_test_clear_young */
bool s2_test_clear_young(struct s2_pgt *pgt, u64 addr, u64 size, bool mkold);
/* kvm_pgtable_stage2_relax_perms: add @prot's R/W/X to the leaf at @addr. */
int s2_relax_perms(struct s2_pgt *pgt, u64 addr, u64 prot,
		   struct kvmpfn_fault *f);
/* kvm_pgtable_stage2_split: replace the blocks in the range by page tables. */
int s2_split(struct s2_pgt *pgt, u64 addr, u64 size);

/* A leaf as the simulator describes one. */
void s2_leaf_view(const struct s2_pgt *pgt, kvm_pte_t pte, int level,
		  u64 ipa, struct kvmpfn_leaf_view *v);

typedef void (*s2_leaf_fn)(struct s2_pgt *pgt, kvm_pte_t pte, int level,
			   u64 ipa, void *ctx);
/* Every valid leaf, in IPA order. */
void s2_for_each_leaf(struct s2_pgt *pgt, s2_leaf_fn fn, void *ctx);

/*
 * I20 over every table (@full) or the tables changed since the last call;
 * @leaf_fn (may be NULL) is called for the valid leaves of the tables
 * checked.
 */
void s2_check_tables(struct s2_pgt *pgt, bool full, s2_leaf_fn leaf_fn,
		     void *ctx);

#endif
