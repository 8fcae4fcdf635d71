// SPDX-License-Identifier: GPL-2.0
/*
 * The host page table: four levels of 512 entries, with leaves at the PTE
 * (4K), PMD (2M) and PUD (1G) levels.  Tables are allocated on first use
 * and freed when a huge leaf replaces them.
 */
#include <stdlib.h>

#include "host_mm.h"
#include "pool.h"

#define HPT_ENTRIES	512
#define HPT_TOP		4

/*
 * An upper-level table keeps the child pointers beside the entries; an
 * entry there is either a huge leaf (HPTE_HUGE) or, when zero, possibly the
 * link to a child table.
 */
struct hpt_node {
	u64 e[HPT_ENTRIES];
	struct hpt_node *child[HPT_ENTRIES];
};

struct hpt_leaf {
	u64 e[HPT_ENTRIES];
};

static unsigned int hpt_index(unsigned long addr, int level)
{
	return (addr >> (PAGE_SHIFT + 9 * (level - 1))) & (HPT_ENTRIES - 1);
}

/* tables a torn-down mm leaves to the next one (pool.h) */
static _Thread_local struct kvmpfn_pool node_pool = {
	.size = sizeof(struct hpt_node),
};
static _Thread_local struct kvmpfn_pool leaf_pool = {
	.size = sizeof(struct hpt_leaf),
};

/* Free a table and everything below it; @keep: into the pools. */
static __no_fuzz_cov void hpt_free_tree(struct hpt_node *n, int level,
					bool keep)
{
	unsigned int i;

	if (!n)
		return;
	if (level == HPT_LEVEL_4K) {
		if (keep)
			pool_put(&leaf_pool, n);
		else
			free(n);
		return;
	}
	for (i = 0; i < HPT_ENTRIES; i++)
		hpt_free_tree(n->child[i], level - 1, keep);
	if (keep)
		pool_put(&node_pool, n);
	else
		free(n);
}

static void hpt_free_node(struct hpt_node *n, int level)
{
	hpt_free_tree(n, level, false);
}

__no_fuzz_cov void hpt_free_all(struct mm_struct *mm)
{
	hpt_free_tree(mm->pgd, HPT_TOP, true);
	mm->pgd = NULL;
}

/*
 * Return the entry that maps @addr at @*level, or the huge leaf above it;
 * *level says which.  With @alloc, missing tables down to *level are
 * created; without, NULL means nothing is mapped there.
 */
u64 *hpt_walk(struct mm_struct *mm, unsigned long addr, int *level,
	      bool alloc)
{
	int want = *level, l;
	struct hpt_node *n;

	if (!mm->pgd) {
		if (!alloc)
			return NULL;
		mm->pgd = pool_zalloc(&node_pool);
		if (!mm->pgd)
			return NULL;
	}
	n = mm->pgd;
	for (l = HPT_TOP; l > want; l--) {
		unsigned int i = hpt_index(addr, l);

		if (n->e[i] & HPTE_HUGE) {
			*level = l;
			return &n->e[i];
		}
		if (!n->child[i]) {
			if (!alloc)
				return NULL;
			n->child[i] = l == 2 ?
				(struct hpt_node *)pool_zalloc(&leaf_pool) :
				pool_zalloc(&node_pool);
			if (!n->child[i])
				return NULL;
		}
		n = n->child[i];
	}
	return &n->e[hpt_index(addr, want)];
}

u64 hpt_lookup(struct mm_struct *mm, unsigned long addr, int *level,
	       unsigned long *pfn)
{
	int l = HPT_LEVEL_4K;
	u64 *e = hpt_walk(mm, addr, &l, false);
	u64 pte = e ? *e : 0;

	if (!(pte & HPTE_PRESENT))
		return 0;
	if (level)
		*level = l;
	if (pfn) {
		unsigned long sub = (addr >> PAGE_SHIFT) &
				    ((1UL << (9 * (l - 1))) - 1);

		*pfn = hpte_pfn(pte) + sub;
	}
	return pte;
}

/*
 * What @n calls of hpt_set() do for the entries of one table from @addr
 * (aligned to @n entries of @level, @n <= 512), the k-th set to @pte with
 * its pfn advanced by k * @pfn_step (or to 0 if @pte is 0): one walk
 * instead of one an entry.  The split of a huge leaf.
 */
int hpt_set_run(struct mm_struct *mm, unsigned long addr, int level,
		unsigned int n, u64 pte, unsigned long pfn_step)
{
	struct hpt_node *parent = NULL;
	unsigned int i, k;
	int l = level;
	u64 *e;

	e = hpt_walk(mm, addr, &l, true);
	if (!e)
		return -ENOMEM;
	if (l != level)
		return -EEXIST;
	i = hpt_index(addr, level);
	if (level > HPT_LEVEL_4K) {
		parent = mm->pgd;
		for (l = HPT_TOP; l > level; l--)
			parent = parent->child[hpt_index(addr, l)];
	}
	if (pte)
		mm->pte_installs += n;
	for (k = 0; k < n; k++) {
		u64 v = pte ? pte + ((u64)(k * pfn_step) << HPTE_PFN_SHIFT) : 0;

		if (parent) {
			if (parent->child[i + k]) {
				hpt_free_node(parent->child[i + k], level - 1);
				parent->child[i + k] = NULL;
			}
			if (v)
				v |= HPTE_HUGE;
		}
		e[k] = v;
	}
	return 0;
}

/* The 4K entry at @addr holds a hwpoison marker (is_hwpoison_entry()). */
bool hpt_hwpoison_entry(struct mm_struct *mm, unsigned long addr)
{
	int l = HPT_LEVEL_4K;
	u64 *e = hpt_walk(mm, addr, &l, false);

	return e && l == HPT_LEVEL_4K && (*e & HPTE_HWPOISON);
}

/*
 * Whether a 4K page of [@start, @end) has a present leaf over it
 * (@present: hpt_lookup() finds one) or holds a hwpoison entry
 * (@hwpoison: hpt_hwpoison_entry()): the answers of those two page by
 * page, in one walk a table instead of two a page.
 */
bool hpt_range_any(struct mm_struct *mm, unsigned long start,
		   unsigned long end, bool present, bool hwpoison)
{
	unsigned long a = start, span = PAGE_SIZE;
	struct hpt_node *n;
	unsigned int i;
	int l;

	while (a < end) {
		n = mm->pgd;
		if (!n)
			return false;
		for (l = HPT_TOP; l > HPT_LEVEL_4K; l--) {
			i = hpt_index(a, l);
			span = PAGE_SIZE << (9 * (l - 1));
			if (n->e[i] & HPTE_HUGE) {
				if (present && (n->e[i] & HPTE_PRESENT))
					return true;
				break;
			}
			if (!n->child[i])
				break;
			n = n->child[i];
		}
		if (l > HPT_LEVEL_4K) {
			/* nothing below this entry: past all it covers */
			a = (a & ~(span - 1)) + span;
			continue;
		}
		for (i = hpt_index(a, l); i < HPT_ENTRIES && a < end;
		     i++, a += PAGE_SIZE)
			if ((present && (n->e[i] & HPTE_PRESENT)) ||
			    (hwpoison && (n->e[i] & HPTE_HWPOISON)))
				return true;
	}
	return false;
}

static void hpt_walk_leaves(struct hpt_node *n, int level, unsigned long base,
			    void (*fn)(void *ctx, unsigned long addr,
				       int level, u64 pte),
			    void *ctx)
{
	unsigned long step = PAGE_SIZE << (9 * (level - 1));
	unsigned int i;

	for (i = 0; i < HPT_ENTRIES; i++) {
		unsigned long a = base + i * step;

		if (n->e[i] & HPTE_PRESENT)
			fn(ctx, a, level, n->e[i]);
		else if (level > HPT_LEVEL_4K && n->child[i])
			hpt_walk_leaves(n->child[i], level - 1, a, fn, ctx);
	}
}

/*
 * Call @fn for every present leaf, in address order.  @fn must not change
 * the table; collect what to change and do it afterwards.
 */
void hpt_for_each_leaf(struct mm_struct *mm,
		       void (*fn)(void *ctx, unsigned long addr, int level,
				  u64 pte),
		       void *ctx)
{
	if (mm->pgd)
		hpt_walk_leaves(mm->pgd, HPT_TOP, 0, fn, ctx);
}

/*
 * Install @pte as the entry of @level at @addr.  A huge leaf replaces any
 * table below it (the caller has zapped what it mapped); a smaller entry
 * cannot be placed under a huge leaf, which must be split first.
 */
int hpt_set(struct mm_struct *mm, unsigned long addr, int level, u64 pte)
{
	return hpt_set_run(mm, addr, level, 1, pte, 0);
}
