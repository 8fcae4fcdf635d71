// SPDX-License-Identifier: GPL-2.0
/*
 * The partition-scoped radix tree of a ppc book3s HV guest and the
 * stage-neutral half of its MMU model (see radix_mmu.h):
 *
 *   tables     a 64K PGD and 4K PUD/PMD/PTE tables, linked by directory
 *              entries that hold the next table's address, so a lookup
 *              walks the tree the way the MMU does;
 *   choke      ppc_radix_set(): every entry change, and nothing else,
 *              writes an entry; leaf changes are reported to the checker;
 *   create     kvmppc_create_pte(): retry check under mmu_lock, then make
 *              room (allocate tables, or take down a table or leaf that
 *              is in the way) and install or extend the leaf;
 *   unmap      kvmppc_unmap_pte(): clear, tlbie, and a dirty leaf of a
 *              logged memslot goes into the dirty bitmap; no struct page
 *              is touched when a leaf goes;
 *   age, R/C   kvm_age_radix() clears R; a SET_RC fault sets R (and C);
 *   memslots   kvmppc_radix_flush_memslot() on delete/move and whenever
 *              dirty logging is switched on or off, and a bump of
 *              mmu_invalidate_seq so faults that saw the old slot retry;
 *   checks     the ppc view of I10 and I16.
 *
 * Where the model departs from Linux 6.12, the comment at the spot says
 * so; the departures are: tables are freed when they empty (the kernel
 * keeps them until the VM dies or a large leaf replaces them); a leaf
 * that gains C in a logged memslot is recorded in the dirty bitmap at once
 * (the kernel harvests C bits when userspace reads the log); clearing the
 * log write-protects instead of clearing C only.
 */
#include <stdlib.h>
#include <string.h>

#include "radix_mmu.h"

/* ---- test seams ------------------------------------------------------------ */

static _Thread_local bool seams[PPC_SEAM_NR];

bool ppc_radix_seam(enum ppc_radix_seam seam)
{
	return (unsigned int)seam < PPC_SEAM_NR && seams[seam];
}

/* Declared in tests/ppc_radix_test.h only: tests break the model here. */
void ppc_radix_test_set_seam(enum ppc_radix_seam seam, bool on)
{
	if ((unsigned int)seam < PPC_SEAM_NR)
		seams[seam] = on;
}

static const char *const seam_names[PPC_SEAM_NR] = {
	[PPC_SEAM_SKIP_SET_PAGE_DIRTY] = "ppc-skip-set-page-dirty",
	[PPC_SEAM_KERNEL_LEVEL_RULE] = "ppc-kernel-level-rule",
	[PPC_SEAM_NO_HOST_PTE_RETRY] = "ppc-no-host-pte-retry",
	[PPC_SEAM_NO_CREATE_PTE_RETRY] = "ppc-no-create-pte-retry",
};

static void seam_set(unsigned int i, bool on)
{
	ppc_radix_test_set_seam((enum ppc_radix_seam)i, on);
}

const struct kvmpfn_arch_seams ppc_radix_seam_table = {
	.names = seam_names, .n = PPC_SEAM_NR, .set = seam_set,
};

/* ---- tables ------------------------------------------------------------------ */

#define TABLE_ALLOC_SIZE \
	((sizeof(struct ppc_radix_table) + 4095) & ~(size_t)4095)
#define PGD_ALLOC_SIZE	sizeof(struct ppc_radix_pgd)

static_assert(sizeof(struct ppc_radix_pgd) == 65536, "the PGD is 64K");

static struct ppc_radix_table *table_alloc(struct ppc_mmu *m, int level)
{
	struct ppc_radix_table *t = aligned_alloc(4096, TABLE_ALLOC_SIZE);

	if (!t)
		return NULL;
	/* the address must fit the NLB field of a directory entry */
	if ((u64)(uintptr_t)t & ~PPC_RPDE_NLB_MASK) {
		free(t);
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	t->level = level;
	m->nr_tables++;
	return t;
}

static void table_free(struct ppc_mmu *m, struct ppc_radix_table *t)
{
	m->nr_tables--;
	free(t);
}

/* the table a directory entry points at, if it is a sound one */
static struct ppc_radix_table *pde_child(u64 pde)
{
	if (!ppc_pde_is_table(pde) || (pde & PPC_RPDE_BAD_BITS) ||
	    ppc_pde_nls(pde) != PPC_R_PTE_INDEX_SIZE)
		return NULL;
	return ppc_pde_table(pde);
}

/*
 * The first non-zero entry at or after @i and not after @last, by the
 * occupancy map @used; @last + 1 if there is none.  Walks visit live
 * entries only, so their cost follows what is mapped, not the table sizes.
 */
static u64 next_used(const u64 *used, u64 i, u64 last)
{
	while (i <= last) {
		u64 word = used[i / 64] >> (i % 64);

		if (word)
			return i + (u64)__builtin_ctzll(word);
		i = (i | 63) + 1;
	}
	return last + 1;
}

/*
 * The 64K PGD a destroyed VM leaves to the next one: a fuzz target builds
 * a VM per input, and a fresh 64K block each time is an mmap and 16 page
 * faults under ASan.
 */
static _Thread_local struct ppc_radix_pgd *spare_pgd;

int ppc_mmu_init(struct kvmpfn_sim *sim, void *mmu)
{
	struct ppc_mmu *m = mmu;

	(void)sim;
	m->pgd = spare_pgd ? spare_pgd : aligned_alloc(65536, PGD_ALLOC_SIZE);
	spare_pgd = NULL;
	if (!m->pgd)
		return -ENOMEM;
	memset(m->pgd, 0, sizeof(*m->pgd));
	return 0;
}

/* VM teardown (kvmppc_free_radix): no leaf is reported, nothing flushed. */
static __no_fuzz_cov void free_subtree(struct ppc_mmu *m,
				       struct ppc_radix_table *t)
{
	u64 i;

	if (t->level > PPC_LEVEL_PTE)
		for (i = next_used(t->used, 0, PPC_R_PTRS - 1); i < PPC_R_PTRS;
		     i = next_used(t->used, i + 1, PPC_R_PTRS - 1))
			if (pde_child(t->e[i]))
				free_subtree(m, pde_child(t->e[i]));
	table_free(m, t);
}

void ppc_mmu_destroy(struct kvmpfn_sim *sim, void *mmu)
{
	struct ppc_mmu *m = mmu;
	u64 i;

	(void)sim;
	if (!m->pgd)
		return;
	for (i = next_used(m->pgd_used, 0, PPC_R_PGD_PTRS - 1);
	     i < PPC_R_PGD_PTRS;
	     i = next_used(m->pgd_used, i + 1, PPC_R_PGD_PTRS - 1))
		if (pde_child(m->pgd->e[i]))
			free_subtree(m, pde_child(m->pgd->e[i]));
	if (!spare_pgd)
		spare_pgd = m->pgd;
	else
		free(m->pgd);
	m->pgd = NULL;
}

/* Keep the PGD, cleared where it was used, rather than all 64K of it. */
__no_fuzz_cov int ppc_mmu_reset(struct kvmpfn_sim *sim, void *mmu)
{
	struct ppc_mmu *m = mmu;
	struct ppc_radix_pgd *pgd = m->pgd;
	u64 w, word, i;

	if (!pgd) {
		memset(m, 0, sizeof(*m));
		return ppc_mmu_init(sim, mmu);
	}
	for (w = 0; w < PPC_R_PGD_PTRS / 64; w++)
		for (word = m->pgd_used[w]; word; word &= word - 1) {
			i = w * 64 + (u64)__builtin_ctzll(word);
			if (pde_child(pgd->e[i]))
				free_subtree(m, pde_child(pgd->e[i]));
			pgd->e[i] = 0;
		}
	memset(m, 0, sizeof(*m));
	m->pgd = pgd;
	return 0;
}

/* Where entry @idx of @t lives; @base is the first gpa @t maps. */
static void pos_of(struct ppc_radix_table *t, unsigned int idx, u64 base,
		   struct ppc_pos *pos)
{
	pos->e = &t->e[idx];
	pos->nr = &t->nr;
	pos->t = t;
	pos->idx = idx;
	pos->level = t->level;
	pos->gpa = base + ((u64)idx << ppc_level_shift(t->level));
}

/* The entry of @t that covers @gpa. */
static void pos_at(struct ppc_radix_table *t, u64 gpa, struct ppc_pos *pos)
{
	unsigned int shift = ppc_level_shift(t->level) + PPC_R_PTE_INDEX_SIZE;

	pos_of(t, ppc_index(gpa, t->level), gpa & ~((1ULL << shift) - 1), pos);
}

static void pgd_pos(struct ppc_mmu *m, u64 gpa, struct ppc_pos *pos)
{
	unsigned int idx = ppc_index(gpa, PPC_LEVEL_PGD);

	pos->e = &m->pgd->e[idx];
	pos->nr = &m->pgd_nr;
	pos->t = NULL;
	pos->idx = idx;
	pos->level = PPC_LEVEL_PGD;
	pos->gpa = (u64)idx << PPC_R_PGD_SHIFT;
}

/* ---- the walk the MMU does -------------------------------------------------- */

static int hw_walk(struct ppc_mmu *m, u64 gpa, struct ppc_pos *pos)
{
	struct ppc_radix_table *t;
	struct ppc_pos p;
	u64 e;

	if (gpa >> PPC_R_EADDR_BITS)
		return -ENOENT;
	pgd_pos(m, gpa, &p);
	e = *p.e;
	if (!(e & PPC_RPDE_VALID))
		return -ENOENT;
	t = pde_child(e);
	if (!t)
		return -EINVAL;		/* no leaves at the PGD, bad fields */
	for (;;) {
		pos_at(t, gpa, &p);
		e = READ_ONCE(*p.e);
		if (!(e & PPC_PAGE_PRESENT))
			return -ENOENT;
		if (e & PPC_PAGE_PTE) {
			*pos = p;
			return 0;
		}
		if (t->level == PPC_LEVEL_PTE)
			return -EINVAL;	/* a directory entry in a PTE table */
		t = pde_child(e);
		if (!t || t->level != p.level - 1)
			return -EINVAL;
	}
}

bool ppc_radix_find(struct ppc_mmu *m, u64 gpa, struct ppc_pos *pos)
{
	return !hw_walk(m, gpa, pos);
}

int ppc_radix_translate(struct ppc_mmu *m, u64 gpa, unsigned long *pfn,
			u64 *pte)
{
	struct ppc_pos pos;
	int r = hw_walk(m, gpa, &pos);

	if (r)
		return r;
	*pte = *pos.e;
	*pfn = ppc_pte_pfn(*pte) +
	       ((gpa >> PPC_PAGE_SHIFT) & (ppc_level_pages(pos.level) - 1));
	return 0;
}

/* ---- the choke point -------------------------------------------------------- */

static void touch(struct ppc_mmu *m, gfn_t start, gfn_t end)
{
	u32 i;

	if (m->touched_all)
		return;
	for (i = 0; i < m->nr_touched; i++) {
		if (start <= m->touched[i].end && end >= m->touched[i].start) {
			if (start < m->touched[i].start)
				m->touched[i].start = start;
			if (end > m->touched[i].end)
				m->touched[i].end = end;
			return;
		}
	}
	if (m->nr_touched == PPC_MAX_TOUCHED) {
		m->touched_all = true;
		return;
	}
	m->touched[m->nr_touched].start = start;
	m->touched[m->nr_touched].end = end;
	m->nr_touched++;
}

static void view_of(u64 pte, u8 meta, const struct ppc_pos *pos,
		    struct kvmpfn_leaf_view *v)
{
	memset(v, 0, sizeof(*v));
	if (!ppc_pte_is_leaf(pte) || pos->level > PPC_LEVEL_PUD)
		return;
	v->present = true;
	v->as_id = 0;
	v->level = pos->level + 1;
	v->gfn = pos->gpa >> PPC_PAGE_SHIFT;
	v->pfn = ppc_pte_pfn(pte);
	v->writable = ppc_pte_write(pte);
	v->refcounted = meta & PPC_META_REFCOUNTED;
	v->accessed = ppc_pte_young(pte);
	v->dirty = ppc_pte_dirty(pte);
}

void ppc_radix_set(struct kvmpfn_sim *sim, const struct ppc_pos *pos,
		   u64 new, u8 meta, u32 sub, struct kvmpfn_fault *f)
{
	struct ppc_mmu *m = ppc_mmu(sim);
	u64 old = READ_ONCE(*pos->e);

	lockdep_assert_held(&sim->kvm.mmu_lock);
	if (ppc_pte_is_leaf(old) || ppc_pte_is_leaf(new)) {
		struct kvmpfn_leaf_view ov, nv;
		gfn_t gfn = pos->gpa >> PPC_PAGE_SHIFT;

		view_of(old, pos->t ? pos->t->meta[pos->idx] : 0, pos, &ov);
		view_of(new, meta, pos, &nv);
		kvmpfn_entry_change(sim, &ov, &nv, f);
		touch(m, gfn, gfn + ppc_level_pages(pos->level));
		if (ov.present)
			m->nr_leaves[pos->level]--;
		if (nv.present)
			m->nr_leaves[pos->level]++;
	}
	if (!old && new)
		(*pos->nr)++;
	else if (old && !new)
		(*pos->nr)--;
	if (!old != !new) {
		u64 *used = pos->t ? pos->t->used : m->pgd_used;

		used[pos->idx / 64] ^= 1ULL << (pos->idx % 64);
	}
	WRITE_ONCE(*pos->e, new);
	if (pos->t) {
		pos->t->meta[pos->idx] = new ? meta & ~PPC_META_SEEN : 0;
		pos->t->sub[pos->idx] = new ? sub : 0;
	}
}

u64 ppc_radix_update(struct kvmpfn_sim *sim, const struct ppc_pos *pos,
		     u64 clr, u64 set, struct kvmpfn_fault *f)
{
	u64 old = READ_ONCE(*pos->e);

	ppc_radix_set(sim, pos, (old & ~clr) | set,
		      pos->t ? pos->t->meta[pos->idx] : 0,
		      pos->t ? pos->t->sub[pos->idx] : 0, f);
	return old;
}

/* ---- unmapping ------------------------------------------------------------------ */

/* kvmppc_radix_tlbie_page: the translation is gone from every TLB. */
static void tlbie(struct kvmpfn_sim *sim)
{
	kvmpfn_tlb_stale(sim);
	kvm_flush_remote_tlbs(&sim->kvm);
}

/*
 * kvmppc_radix_flush_pwc: the MMU's cached directory entries are dropped
 * before a table is freed (the model folds it into its TLB state).
 */
static void flush_pwc(struct kvmpfn_sim *sim)
{
	kvmpfn_tlb_stale(sim);
	kvm_flush_remote_tlbs(&sim->kvm);
}

void ppc_update_dirty_map(struct kvmpfn_sim *sim,
			  const struct kvm_memory_slot *slot, gfn_t gfn,
			  u64 pages)
{
	u64 i;

	if (!slot->dirty_bitmap)
		return;
	for (i = 0; i < pages; i++)
		mark_page_dirty_in_slot(&sim->kvm, slot, gfn + i);
}

/*
 * kvmppc_unmap_pte.  @gpa is what the caller passes as the address, which
 * picks the dirty-bitmap bits (and, in the kernel, the tlbie address):
 * the gpa of the access that found the leaf, or, when a table is taken
 * down to make room for a large leaf, the host physical address of the
 * page (kvmppc_unmap_free_pte/_pmd do pass pte_pfn() << PAGE_SHIFT there).
 */
static void unmap_pte(struct kvmpfn_sim *sim, const struct ppc_pos *pos,
		      u64 gpa, const struct kvm_memory_slot *slot)
{
	gfn_t gfn = gpa >> PPC_PAGE_SHIFT;
	u64 old;

	old = ppc_radix_update(sim, pos, ~0ULL, 0, NULL);
	tlbie(sim);
	if (!slot)
		slot = gfn_to_memslot(&sim->kvm, gfn);
	if (!slot)
		return;
	if (ppc_pte_dirty(old) && slot->dirty_bitmap)
		ppc_update_dirty_map(sim, slot, gfn, ppc_level_pages(pos->level));
}

/*
 * kvmppc_unmap_free_pte / kvmppc_unmap_free_pmd with full == false: a
 * table already unhooked from the tree is emptied leaf by leaf and freed.
 */
static void unmap_free_table(struct kvmpfn_sim *sim,
			     struct ppc_radix_table *t, u64 base)
{
	struct ppc_mmu *m = ppc_mmu(sim);
	struct ppc_pos pos;
	u64 i;

	for (i = next_used(t->used, 0, PPC_R_PTRS - 1); i < PPC_R_PTRS;
	     i = next_used(t->used, i + 1, PPC_R_PTRS - 1)) {
		u64 e = t->e[i];

		pos_of(t, i, base, &pos);
		if (ppc_pte_is_leaf(e)) {
			/* the kernel does not expect a 2M leaf below a 1G slot */
			if (t->level == PPC_LEVEL_PMD)
				WARN_ON_ONCE(1);
			unmap_pte(sim, &pos, (u64)ppc_pte_pfn(e) << PPC_PAGE_SHIFT,
				  NULL);
		} else if (t->level > PPC_LEVEL_PTE && pde_child(e)) {
			unmap_free_table(sim, pde_child(e), pos.gpa);
			ppc_radix_set(sim, &pos, 0, 0, 0, NULL);
		}
	}
	table_free(m, t);
}

/*
 * kvmppc_unmap_free_p{m,u}d_entry_table: a large leaf goes where a table
 * is; unhook the table, flush the walk cache, then empty and free it.
 */
static void unmap_free_entry_table(struct kvmpfn_sim *sim,
				   const struct ppc_pos *pos)
{
	struct ppc_radix_table *child = pde_child(*pos->e);

	ppc_radix_set(sim, pos, 0, 0, 0, NULL);
	flush_pwc(sim);
	if (child)
		unmap_free_table(sim, child, pos->gpa);
}

/* ---- range walks -------------------------------------------------------------- */

struct ppc_walk {
	struct kvmpfn_sim *sim;
	u64 start;		/* gpa, inclusive */
	u64 end;		/* gpa, exclusive */
	bool prune;		/* free the tables the walk leaves empty */
	bool (*leaf)(struct ppc_walk *w, const struct ppc_pos *pos);
	const struct kvm_memory_slot *slot;
	kvmpfn_leaf_fn fn;
	void *ctx;
	bool ret;
};

/* Unhook and free an empty table (model only: see the file comment). */
static void free_empty_table(struct kvmpfn_sim *sim, const struct ppc_pos *pos)
{
	struct ppc_radix_table *child = pde_child(*pos->e);

	ppc_radix_set(sim, pos, 0, 0, 0, NULL);
	flush_pwc(sim);
	if (child)
		table_free(ppc_mmu(sim), child);
}

static void walk_table(struct ppc_walk *w, struct ppc_radix_table *t,
		       u64 base)
{
	unsigned int shift = ppc_level_shift(t->level);
	u64 first, last, i;

	first = w->start > base ? (w->start - base) >> shift : 0;
	last = (w->end - 1 - base) >> shift;
	if (last >= PPC_R_PTRS)
		last = PPC_R_PTRS - 1;
	for (i = next_used(t->used, first, last); i <= last;
	     i = next_used(t->used, i + 1, last)) {
		struct ppc_radix_table *child;
		struct ppc_pos pos;
		u64 e = t->e[i];

		pos_of(t, i, base, &pos);
		if (ppc_pte_is_leaf(e)) {
			w->ret |= w->leaf(w, &pos);
			continue;
		}
		child = t->level > PPC_LEVEL_PTE ? pde_child(e) : NULL;
		if (!child)
			continue;
		walk_table(w, child, pos.gpa);
		if (w->prune && !child->nr)
			free_empty_table(w->sim, &pos);
	}
}

static void walk(struct ppc_walk *w)
{
	struct ppc_mmu *m = ppc_mmu(w->sim);
	u64 first, last, i, limit = 1ULL << PPC_R_EADDR_BITS;

	if (w->end > limit)
		w->end = limit;
	if (w->start >= w->end || !m->pgd_nr)
		return;
	first = w->start >> PPC_R_PGD_SHIFT;
	last = (w->end - 1) >> PPC_R_PGD_SHIFT;
	for (i = next_used(m->pgd_used, first, last); i <= last;
	     i = next_used(m->pgd_used, i + 1, last)) {
		struct ppc_radix_table *child;
		struct ppc_pos pos;

		child = pde_child(m->pgd->e[i]);
		if (!child)
			continue;
		pgd_pos(m, i << PPC_R_PGD_SHIFT, &pos);
		walk_table(w, child, pos.gpa);
		if (w->prune && !child->nr)
			free_empty_table(w->sim, &pos);
	}
}

static bool is_used(const u64 *used, u64 i)
{
	return used[i / 64] >> (i % 64) & 1;
}

/*
 * walk() over the one gpa @w->start: the same entries (those the used
 * bitmaps mark), the same positions and the same leaf, without the loops
 * of a range walk.  Never prunes.
 */
static void walk_one(struct ppc_walk *w)
{
	struct ppc_mmu *m = ppc_mmu(w->sim);
	struct ppc_radix_table *t;
	struct ppc_pos pos;
	u64 gpa = w->start, i;

	if (gpa >> PPC_R_EADDR_BITS || !m->pgd_nr)
		return;
	i = gpa >> PPC_R_PGD_SHIFT;
	if (!is_used(m->pgd_used, i))
		return;
	t = pde_child(m->pgd->e[i]);
	if (!t)
		return;
	pgd_pos(m, i << PPC_R_PGD_SHIFT, &pos);
	for (;;) {
		u64 base = pos.gpa, e;

		i = (gpa - base) >> ppc_level_shift(t->level);
		if (i >= PPC_R_PTRS || !is_used(t->used, i))
			return;
		e = t->e[i];
		pos_of(t, i, base, &pos);
		if (ppc_pte_is_leaf(e)) {
			w->ret |= w->leaf(w, &pos);
			return;
		}
		t = t->level > PPC_LEVEL_PTE ? pde_child(e) : NULL;
		if (!t)
			return;
	}
}

static void walk_gfns(struct ppc_walk *w, gfn_t start, gfn_t end)
{
	if (start >= PPC_GFN_LIMIT)
		return;
	if (end > PPC_GFN_LIMIT)
		end = PPC_GFN_LIMIT;
	w->start = start << PPC_PAGE_SHIFT;
	w->end = end << PPC_PAGE_SHIFT;
	walk(w);
}

/*
 * The kernel visits one gfn after the other; the first gfn of the walk
 * that lands in a leaf is the address its kvmppc_unmap_pte() gets.
 */
static bool unmap_leaf(struct ppc_walk *w, const struct ppc_pos *pos)
{
	u64 gpa = pos->gpa > w->start ? pos->gpa : w->start;

	unmap_pte(w->sim, pos, gpa, w->slot);
	return true;
}

/*
 * kvm_unmap_gfn_range_hv → kvm_unmap_radix for each gfn.  Every leaf was
 * tlbie'd as it went, so, like the kernel, no flush is asked of the caller.
 * ppc has one partition-scoped tree: the model's second address space
 * (x86's SMM) has nothing mapped here.
 */
bool ppc_unmap_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
			 gfn_t end)
{
	struct ppc_walk w = {
		.sim = sim, .prune = true, .leaf = unmap_leaf,
		.slot = kvm_memslot_find(&sim->kvm, as_id, start),
	};

	lockdep_assert_held(&sim->kvm.mmu_lock);
	if (as_id)
		return false;
	/* what the host changed under these gfns must be checked again */
	touch(ppc_mmu(sim), start, end);
	walk_gfns(&w, start, end);
	return false;
}

/* kvm_age_radix: clear R; no TLB flush (the kernel asks itself whether one
 * is needed and does none). */
static bool age_leaf(struct ppc_walk *w, const struct ppc_pos *pos)
{
	if (!ppc_pte_young(*pos->e))
		return false;
	ppc_radix_update(w->sim, pos, PPC_PAGE_ACCESSED, 0, NULL);
	return true;
}

bool ppc_age_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
		       gfn_t end)
{
	struct ppc_walk w = { .sim = sim, .leaf = age_leaf };

	lockdep_assert_held(&sim->kvm.mmu_lock);
	if (as_id)
		return false;
	walk_gfns(&w, start, end);
	return w.ret;
}

/*
 * kvmppc_radix_flush_memslot: unmap every leaf of the slot under
 * mmu_lock and bump mmu_invalidate_seq, so that a fault which looked the
 * slot up before cannot install afterwards.  @dirty_map false: the slot
 * passed to the kernel has no bitmap (logging is being switched on), or
 * its bitmap is being thrown away (switched off).
 */
static void flush_slot(struct kvmpfn_sim *sim,
		       const struct kvm_memory_slot *slot, bool dirty_map)
{
	struct kvm_memory_slot nolog;
	struct ppc_walk w = {
		.sim = sim, .prune = true, .leaf = unmap_leaf, .slot = slot,
	};

	if (!dirty_map) {
		nolog = *slot;
		nolog.dirty_bitmap = NULL;
		w.slot = &nolog;
	}
	write_lock(&sim->kvm.mmu_lock);
	if (!slot->as_id)
		walk_gfns(&w, slot->base_gfn, slot->base_gfn + slot->npages);
	sim->kvm.mmu_invalidate_seq++;
	ppc_mmu(sim)->touched_all = true;
	write_unlock(&sim->kvm.mmu_lock);
}

void ppc_flush_memslot(struct kvmpfn_sim *sim,
		       const struct kvm_memory_slot *slot)
{
	flush_slot(sim, slot, true);
}

/*
 * kvmppc_core_commit_memory_region_hv: switching dirty logging on gets rid
 * of the large leaves (pages are then mapped 4K at a time); switching it
 * off lets them come back.  Both flush the whole slot.
 */
void ppc_slot_flags_changed(struct kvmpfn_sim *sim,
			    const struct kvm_memory_slot *slot, u32 old_flags)
{
	if ((slot->flags ^ old_flags) & KVM_MEM_LOG_DIRTY_PAGES)
		flush_slot(sim, slot, false);
}

/*
 * After the log was read and cleared.  Linux 6.12 clears C on every dirty
 * leaf (kvm_radix_test_clear_dirty) and lets the next store take a SET_RC
 * interrupt; the model also clears W, so the next store is a permission
 * fault that maps the page again and logs it.  The guest sees the same:
 * its next write is logged.  (The checker's I12 knows only W.)
 */
static bool wrprot_leaf(struct ppc_walk *w, const struct ppc_pos *pos)
{
	if (!(*pos->e & (PPC_PAGE_WRITE | PPC_PAGE_DIRTY)))
		return false;
	ppc_radix_update(w->sim, pos, PPC_PAGE_WRITE | PPC_PAGE_DIRTY, 0, NULL);
	tlbie(w->sim);
	return true;
}

void ppc_clear_dirty(struct kvmpfn_sim *sim,
		     const struct kvm_memory_slot *slot)
{
	struct ppc_walk w = { .sim = sim, .leaf = wrprot_leaf };

	if (slot->as_id)
		return;
	write_lock(&sim->kvm.mmu_lock);
	walk_gfns(&w, slot->base_gfn, slot->base_gfn + slot->npages);
	write_unlock(&sim->kvm.mmu_lock);
}

static bool each_leaf(struct ppc_walk *w, const struct ppc_pos *pos)
{
	struct kvmpfn_leaf_view v;

	view_of(*pos->e, pos->t ? pos->t->meta[pos->idx] : 0, pos, &v);
	w->fn(w->sim, &v, w->ctx);
	return false;
}

void ppc_for_each_leaf(struct kvmpfn_sim *sim, kvmpfn_leaf_fn fn, void *ctx)
{
	struct ppc_walk w = {
		.sim = sim, .leaf = each_leaf, .fn = fn, .ctx = ctx,
		.start = 0, .end = 1ULL << PPC_R_EADDR_BITS,
	};

	walk(&w);
}

int ppc_lookup(struct kvmpfn_sim *sim, int as_id, gfn_t gfn,
	       struct kvmpfn_leaf_view *leaf)
{
	struct ppc_pos pos;

	if (as_id || gfn >= PPC_GFN_LIMIT ||
	    !ppc_radix_find(ppc_mmu(sim), gfn << PPC_PAGE_SHIFT, &pos))
		return -ENOENT;
	view_of(*pos.e, pos.t ? pos.t->meta[pos.idx] : 0, &pos, leaf);
	return 0;
}

/* ---- installing -------------------------------------------------------------- */

/*
 * A dirty leaf in a logged memslot goes into the bitmap now.  Linux 6.12
 * leaves C in the leaf and harvests it when userspace reads the log
 * (kvmppc_hv_get_dirty_log_radix); the model reads logs from the bitmap
 * alone, so it harvests at the moment C is set.  The set of gfns a log
 * read reports is the same.
 */
static void harvest_dirty(struct kvmpfn_sim *sim,
			  const struct kvm_memory_slot *slot,
			  const struct ppc_pos *pos)
{
	if (slot->dirty_bitmap && ppc_pte_dirty(*pos->e))
		ppc_update_dirty_map(sim, slot, pos->gpa >> PPC_PAGE_SHIFT,
				     ppc_level_pages(pos->level));
}

/*
 * A leaf is already there at the level wanted: another vCPU (or an earlier
 * fault) got there first.  Only W, C and R may differ; add ours.
 */
static void add_bits(struct kvmpfn_sim *sim, const struct ppc_pos *pos,
		     u64 pte, u8 meta, u32 sub, struct kvmpfn_fault *f)
{
	u64 old = *pos->e;
	u32 keep = pos->t ? pos->t->sub[pos->idx] : 0;

	if (old == pte)
		return;
	WARN_ON_ONCE((old ^ pte) & ~PPC_PTE_BITS_MAY_DIFFER);
	ppc_radix_set(sim, pos, old | pte,
		      (pos->t ? pos->t->meta[pos->idx] : 0) | meta,
		      !ppc_pte_write(old) && ppc_pte_write(pte) ? sub : keep, f);
}

/* Fill an empty directory entry with a new table of @level. */
static struct ppc_radix_table *populate(struct kvmpfn_sim *sim,
					const struct ppc_pos *pos, int level)
{
	struct ppc_radix_table *t = table_alloc(ppc_mmu(sim), level);

	if (t)
		ppc_radix_set(sim, pos, ppc_mk_pde(t, PPC_R_PTE_INDEX_SIZE), 0,
			      0, NULL);
	return t;
}

int ppc_radix_create_pte(struct kvmpfn_sim *sim, u64 pte, u64 gpa, int level,
			 struct kvmpfn_fault *f, u8 meta, u32 sub)
{
	struct ppc_mmu *m = ppc_mmu(sim);
	struct kvm *kvm = &sim->kvm;
	struct ppc_radix_table *pud, *pmd, *pt;
	struct ppc_pos pgdp, pudp, pmdp, ptep, *done = NULL;
	int ret;

	write_lock(&kvm->mmu_lock);
	/*
	 * The retry check.  The root generation stands for the kernel's bump
	 * of mmu_invalidate_seq in kvmppc_radix_flush_memslot (modelled too):
	 * a deleted, moved or re-flagged slot never gets a leaf from a fault
	 * that looked it up before.
	 */
	ret = -EAGAIN;
	if (f->root_gen != sim->root_gen ||
	    (!ppc_radix_seam(PPC_SEAM_NO_CREATE_PTE_RETRY) &&
	     mmu_invalidate_retry(kvm, f->mmu_seq)))
		goto out;

	ret = -ENOMEM;
	pgd_pos(m, gpa, &pgdp);
	if (!*pgdp.e && !populate(sim, &pgdp, PPC_LEVEL_PUD))
		goto out;
	pud = pde_child(*pgdp.e);
	if (WARN_ON(!pud))
		goto out;
	pos_at(pud, gpa, &pudp);
	if (ppc_pte_is_leaf(*pudp.e)) {
		if (level == PPC_LEVEL_PUD) {
			add_bits(sim, &pudp, pte, meta, sub, f);
			done = &pudp;
			goto installed;
		}
		/* a 1G leaf is in the way of a smaller one */
		unmap_pte(sim, &pudp, pudp.gpa, NULL);
	}
	if (level == PPC_LEVEL_PUD) {
		if (*pudp.e)
			unmap_free_entry_table(sim, &pudp);
		ppc_radix_set(sim, &pudp, pte, meta, sub, f);
		done = &pudp;
		goto installed;
	}
	if (!*pudp.e && !populate(sim, &pudp, PPC_LEVEL_PMD))
		goto out;
	pmd = pde_child(*pudp.e);
	if (WARN_ON(!pmd))
		goto out;
	pos_at(pmd, gpa, &pmdp);
	if (ppc_pte_is_leaf(*pmdp.e)) {
		if (level == PPC_LEVEL_PMD) {
			add_bits(sim, &pmdp, pte, meta, sub, f);
			done = &pmdp;
			goto installed;
		}
		/* a 2M leaf is in the way of a 4K one */
		unmap_pte(sim, &pmdp, pmdp.gpa, NULL);
	}
	if (level == PPC_LEVEL_PMD) {
		if (*pmdp.e)
			unmap_free_entry_table(sim, &pmdp);
		ppc_radix_set(sim, &pmdp, pte, meta, sub, f);
		done = &pmdp;
		goto installed;
	}
	if (!*pmdp.e && !populate(sim, &pmdp, PPC_LEVEL_PTE))
		goto out;
	pt = pde_child(*pmdp.e);
	if (WARN_ON(!pt))
		goto out;
	pos_at(pt, gpa, &ptep);
	if (*ptep.e)
		add_bits(sim, &ptep, pte, meta, sub, f);
	else
		ppc_radix_set(sim, &ptep, pte, meta, sub, f);
	done = &ptep;

installed:
	harvest_dirty(sim, f->slot, done);
	ret = 0;
out:
	write_unlock(&kvm->mmu_lock);
	return ret;
}

bool ppc_radix_handle_set_rc(struct kvmpfn_sim *sim,
			     const struct kvm_memory_slot *slot, u64 gpa,
			     bool writing)
{
	struct ppc_pos pos;
	bool done = false;

	write_lock(&sim->kvm.mmu_lock);
	if (ppc_radix_find(ppc_mmu(sim), gpa, &pos) &&
	    (!writing || ppc_pte_write(*pos.e))) {
		/* helping the MMU: do what it would have done */
		ppc_radix_update(sim, &pos, 0, PPC_PAGE_ACCESSED |
				 (writing ? PPC_PAGE_DIRTY : 0), NULL);
		harvest_dirty(sim, slot, &pos);
		done = true;
	}
	write_unlock(&sim->kvm.mmu_lock);
	return done;
}

/* ---- checks -------------------------------------------------------------------- */

bool ppc_pfn_takes_ref(unsigned long pfn)
{
	struct page *page;

	if (!pfn_valid(pfn))
		return false;
	page = pfn_to_page(pfn);
	return !PageReserved(page) || is_zero_pfn(pfn) ||
	       is_zone_device_page(page);
}

/*
 * I16 as ppc has it: a refcounted page the guest may write through a
 * radix leaf was marked dirty when it was mapped (set_page_dirty_lock in
 * kvmppc_book3s_instantiate_page), because nothing marks it when the leaf
 * goes.  The zero page is excluded: it must never be dirtied (I3).
 */
static bool page_must_be_dirty(struct kvmpfn_sim *sim, unsigned long pfn)
{
	struct page *page = host_pfn_to_page(&sim->mm, pfn);

	if (!page || kshim_page_flag(page, PG_free) || pfn == sim->mm.zero_pfn)
		return false;
	if (PageReserved(page) && !kshim_page_flag(page, PG_zone_device))
		return false;
	return host_folio_head(page)->_refcount > 0;
}

static bool page_dirty(struct kvmpfn_sim *sim, unsigned long pfn)
{
	struct page *page = host_pfn_to_page(&sim->mm, pfn);

	return host_folio_flag(page, PG_dirty);
}

static const char *perm_str(u64 bits)
{
	return (bits & PPC_PAGE_WRITE) ? (bits & PPC_PAGE_READ ? "RW" : "W") :
	       "R";
}

/* Report once per leaf: a leaf that stays wrong is one finding. */
static bool first_report(const struct ppc_pos *pos, u8 bit)
{
	if (!pos->t)
		return true;
	if (pos->t->meta[pos->idx] & bit)
		return false;
	pos->t->meta[pos->idx] |= bit;
	return true;
}

static bool check_leaf(struct ppc_walk *w, const struct ppc_pos *pos)
{
	struct kvmpfn_sim *sim = w->sim;
	struct kvm *kvm = &sim->kvm;
	u64 pte = *pos->e, pages = ppc_level_pages(pos->level), i;
	gfn_t gfn = pos->gpa >> PPC_PAGE_SHIFT;
	struct kvm_memory_slot *slot = kvm_memslot_find(kvm, 0, gfn);
	unsigned long pfn = ppc_pte_pfn(pte);

	if (!slot)
		return false;		/* I15, the generic checker's */

	/* I10: the leaf allows no more than the host PTE and the memslot */
	if (ppc_pte_write(pte) && (slot->flags & KVM_MEM_READONLY) &&
	    first_report(pos, PPC_META_SEEN_I10))
		check_violation(sim, 10, gfn, 0, pfn,
				"radix PTE has _PAGE_WRITE in a read-only memslot");
	for (i = 0; !kvm->mmu_invalidate_in_progress && i < pages; ) {
		unsigned long hva = __gfn_to_hva_memslot(slot, gfn + i);
		int hlevel = HPT_LEVEL_4K;
		u64 host, extra, step;

		host = ppc_pte_from_host(hpt_lookup(&sim->mm, hva, &hlevel,
						    NULL));
		if (!host)
			break;		/* I6, the generic checker's */
		extra = pte & ~host & (PPC_PAGE_READ | PPC_PAGE_WRITE);
		if (extra) {
			if (first_report(pos, PPC_META_SEEN_I10))
				check_violation(sim, 10, gfn + i, hva, pfn + i,
						"radix PTE allows %s beyond the host PTE",
						perm_str(extra));
			break;
		}
		step = 1ULL << (9 * (hlevel - 1));
		i += step - ((hva >> PPC_PAGE_SHIFT) & (step - 1));
	}

	/* I16: mapped writable means dirtied at fault */
	if (ppc_pte_write(pte)) {
		unsigned long dpfn = pfn + (pos->t ? pos->t->sub[pos->idx] : 0);

		if (page_must_be_dirty(sim, dpfn) && !page_dirty(sim, dpfn) &&
		    !check_untouched_remapped(sim, 0, gfn) &&
		    first_report(pos, PPC_META_SEEN_I16))
			check_violation(sim, 16, gfn, 0, dpfn,
					"writable radix PTE of a refcounted page that was never marked dirty");
	}
	return false;
}

void ppc_check(struct kvmpfn_sim *sim)
{
	struct ppc_mmu *m = ppc_mmu(sim);
	struct ppc_walk w = { .sim = sim, .leaf = check_leaf };
	u32 i;

	if (sim->checks != KVMPFN_CHECKS_INCREMENTAL || m->touched_all) {
		w.start = 0;
		w.end = 1ULL << PPC_R_EADDR_BITS;
		walk(&w);
	} else {
		for (i = 0; i < m->nr_touched; i++) {
			gfn_t start = m->touched[i].start;

			/* one page, the common case: straight down to it */
			if (m->touched[i].end == start + 1 &&
			    start < PPC_GFN_LIMIT) {
				w.start = start << PPC_PAGE_SHIFT;
				w.end = w.start + (1ULL << PPC_PAGE_SHIFT);
				walk_one(&w);
			} else {
				walk_gfns(&w, start, m->touched[i].end);
			}
		}
	}
	/* during an invalidation the host check was skipped: keep the list */
	if (!sim->kvm.mmu_invalidate_in_progress) {
		m->nr_touched = 0;
		m->touched_all = false;
	}
}
