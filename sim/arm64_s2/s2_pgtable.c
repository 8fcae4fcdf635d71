// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 stage-2 page tables: table pages and their reference counts, the
 * walker, and the walker-based operations KVM's stage-2 MMU is made of.
 * The behaviour follows arch/arm64/kvm/hyp/pgtable.c in Linux 6.12; the
 * code is the model's own.  See s2_pgtable.h for the overview.
 *
 * Concurrency: the model runs one walker at a time, so the compare-and-
 * exchange a shared (read-locked) walker uses always succeeds and a LOCKED
 * entry is never seen by another walker.  The TLB invalidation that
 * break-before-make does between locking and storing is immediate in the
 * kernel and leaves nothing stale; unmap and write-protect are the
 * operations whose TLB maintenance the callers account for.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kvm_host.h>

#include "arm64_mmu.h"
#include "kvm_model.h"
#include "s2_pgtable.h"

/* ---- table pages -------------------------------------------------------- */

static void s2_bad(struct s2_pgt *pgt, u64 ipa, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An I20 finding. */
static void s2_bad(struct s2_pgt *pgt, u64 ipa, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	pgt->errors++;
	if (!pgt->sim)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	check_violation(pgt->sim, 20, ipa >> S2_PAGE_SHIFT, 0, 0, "%s", msg);
}

static void touch(struct s2_pgt *pgt, const struct s2_table *t)
{
	if (pgt->touched_all)
		return;
	if (pgt->nr_touched && pgt->touched[pgt->nr_touched - 1] == t->id)
		return;
	if (pgt->nr_touched == S2_MAX_TOUCHED) {
		pgt->touched_all = true;
		return;
	}
	pgt->touched[pgt->nr_touched++] = t->id;
}

/* An entry changes: remember what it was when the step began. */
static void touch_entry(struct s2_pgt *pgt, const struct s2_table *t, u32 idx,
			kvm_pte_t old)
{
	u32 i, n = pgt->nr_touched_entries;

	if (pgt->touched_entries_all)
		return;
	for (i = n; i-- > 0;)
		if (pgt->touched_entry[i].table == t->id &&
		    pgt->touched_entry[i].idx == idx)
			return;
	if (n == S2_MAX_TOUCHED) {
		pgt->touched_entries_all = true;
		return;
	}
	pgt->touched_entry[n].table = t->id;
	pgt->touched_entry[n].idx = idx;
	pgt->touched_entry[n].old = old;
	pgt->nr_touched_entries = n + 1;
}

struct s2_table *s2_table_get(const struct s2_pgt *pgt, u32 id)
{
	return id && id < pgt->nr_ids ? pgt->tables[id] : NULL;
}

struct s2_table *s2_table_of(const struct s2_pgt *pgt, kvm_pte_t pte)
{
	u64 id = s2_pte_to_pfn(pte);
	struct s2_table *t;

	if (id >= pgt->nr_ids)
		return NULL;
	t = s2_table_get(pgt, (u32)id);
	return t && t->state == S2_TABLE_LIVE ? t : NULL;
}

/* A zeroed table page with a count of 1 (zalloc_page from the memcache). */
static struct s2_table *table_alloc(struct s2_pgt *pgt, int level, u64 base)
{
	struct s2_table *t;
	u32 id;

	if (pgt->free_head) {
		id = pgt->free_head;
		t = pgt->tables[id];
		pgt->free_head = t->next_free;
	} else {
		if (pgt->nr_ids >= pgt->cap_ids) {
			u32 cap = pgt->cap_ids ? 2 * pgt->cap_ids : 64;
			struct s2_table **n;

			n = realloc(pgt->tables, cap * sizeof(*n));
			if (!n)
				return NULL;
			pgt->tables = n;
			pgt->cap_ids = cap;
		}
		t = malloc(sizeof(*t));
		if (!t)
			return NULL;
		id = pgt->nr_ids++;
		pgt->tables[id] = t;
	}
	memset(t->pte, 0, sizeof(t->pte));
	t->count = 1;
	t->level = (s8)level;
	t->state = S2_TABLE_LIVE;
	t->root = false;
	t->parent_idx = 0;
	t->id = id;
	t->parent = 0;
	t->next_free = 0;
	t->base = base;
	t->checked = false;
	t->checked_count = 0;
	pgt->nr_live++;
	pgt->nr_allocs++;
	touch(pgt, t);
	return t;
}

static unsigned int nr_counted(const struct s2_table *t)
{
	unsigned int i, n = 0;

	for (i = 0; i < S2_PTRS_PER_TABLE; i++)
		n += s2_pte_is_counted(t->pte[i]);
	return n;
}

/* put_page on a table page: the last reference frees it. */
static void table_put(struct s2_pgt *pgt, struct s2_table *t)
{
	unsigned int n;

	touch(pgt, t);
	if (t->state != S2_TABLE_LIVE) {
		s2_bad(pgt, t->base, "reference dropped on freed table page %u",
		       t->id);
		return;
	}
	if (--t->count > 0)
		return;
	if (t->count < 0) {
		s2_bad(pgt, t->base, "table page %u count went negative",
		       t->id);
		return;
	}
	n = nr_counted(t);
	if (n)
		s2_bad(pgt, t->base,
		       "level-%d table page %u freed with %u entries in use",
		       t->level, t->id, n);
	if (t->parent || t->root)
		s2_bad(pgt, t->base, "table page %u freed while still linked",
		       t->id);
	t->state = S2_TABLE_FREE;
	t->next_free = pgt->free_head;
	pgt->free_head = t->id;
	pgt->nr_live--;
	pgt->nr_frees++;
}

int s2_start_level(u32 ia_bits)
{
	/* up to 16 tables may be concatenated at the start level */
	int levels = ((int)ia_bits - 4 - 4) / (S2_PAGE_SHIFT - 3);

	if (levels < 2)
		levels = 2;
	return 4 - levels;
}

u32 s2_nr_roots(u32 ia_bits)
{
	unsigned int shift = s2_granule_shift(s2_start_level(ia_bits) - 1);

	return ia_bits > shift ? 1U << (ia_bits - shift) : 1;
}

struct s2_table *s2_root_of(const struct s2_pgt *pgt, u64 addr)
{
	u64 idx = (addr & ((1ULL << pgt->ia_bits) - 1)) >>
		  s2_granule_shift(pgt->start_level - 1);

	return idx < pgt->nr_roots ? pgt->tables[pgt->roots[idx]] : NULL;
}

int s2_pgt_init(struct s2_pgt *pgt, struct kvmpfn_sim *sim, u32 ia_bits)
{
	u64 span;
	u32 i;

	memset(pgt, 0, sizeof(*pgt));
	if (ia_bits < S2_IPA_BITS_MIN || ia_bits > S2_IPA_BITS_MAX)
		return -EINVAL;
	pgt->sim = sim;
	pgt->ia_bits = ia_bits;
	pgt->start_level = s2_start_level(ia_bits);
	pgt->nr_roots = s2_nr_roots(ia_bits);
	pgt->fwb = true;
	pgt->nr_ids = 1;		/* id 0 is "no table" */
	span = S2_PTRS_PER_TABLE * s2_granule_size(pgt->start_level);
	for (i = 0; i < pgt->nr_roots; i++) {
		struct s2_table *t = table_alloc(pgt, pgt->start_level,
						 i * span);

		if (!t) {
			s2_pgt_destroy(pgt);
			return -ENOMEM;
		}
		t->root = true;
		pgt->roots[i] = t->id;
	}
	return 0;
}

__no_fuzz_cov void s2_pgt_destroy(struct s2_pgt *pgt)
{
	u32 id;

	for (id = 1; id < pgt->nr_ids; id++)
		free(pgt->tables[id]);
	free(pgt->tables);
	memset(pgt, 0, sizeof(*pgt));
}

/* ---- the choke point ------------------------------------------------------ */

void s2_leaf_view(const struct s2_pgt *pgt, kvm_pte_t pte, int level,
		  u64 ipa, struct kvmpfn_leaf_view *v)
{
	memset(v, 0, sizeof(*v));
	v->present = true;
	v->as_id = 0;
	v->level = (u8)s2_view_level(level);
	v->gfn = ipa >> S2_PAGE_SHIFT;
	v->pfn = s2_pte_to_pfn(pte);
	v->writable = s2_pte_writable(pte);
	v->accessed = s2_pte_young(pte);
	/*
	 * Stage 2 has no dirty bit KVM uses: a writable leaf is treated as
	 * dirty (6.12 marks the page dirty when it maps it writable).
	 */
	v->dirty = v->writable;
	v->refcounted = pgt->refcounted && pgt->refcounted(pgt->sim, v);
}

void s2_set_pte(struct s2_pgt *pgt, struct s2_table *t, u32 idx,
		kvm_pte_t new, struct kvmpfn_fault *f)
{
	kvm_pte_t old = t->pte[idx];
	int level = t->level;
	u64 ipa = t->base + (u64)idx * s2_granule_size(level);
	bool old_leaf = s2_pte_is_leaf(old, level);
	bool new_leaf = s2_pte_is_leaf(new, level);
	struct s2_table *child;

	touch_entry(pgt, t, idx, old);
	if (pgt->sim) {
		lockdep_assert_held(&pgt->sim->kvm.mmu_lock);
		if (old_leaf || new_leaf) {
			struct kvmpfn_leaf_view ov = { 0 }, nv = { 0 };

			if (old_leaf)
				s2_leaf_view(pgt, old, level, ipa, &ov);
			if (new_leaf)
				s2_leaf_view(pgt, new, level, ipa, &nv);
			kvmpfn_entry_change(pgt->sim, &ov, &nv, f);
		}
	}

	/* a table entry going away unlinks the table; a new one links it */
	if (old != new && s2_pte_is_table(old, level)) {
		child = s2_table_of(pgt, old);
		if (child && child->parent == t->id && child->parent_idx == idx)
			child->parent = 0;
	}
	if (old != new && s2_pte_is_table(new, level)) {
		child = s2_table_of(pgt, new);
		if (!child || child->level != level + 1 || child->parent ||
		    child->root)
			s2_bad(pgt, ipa, "level-%d entry links table page %llu, which is %s",
			       level, (unsigned long long)s2_pte_to_pfn(new),
			       !child ? "not live" : child->parent ? "linked elsewhere" :
			       "of the wrong level");
		if (child) {
			child->parent = t->id;
			child->parent_idx = (u16)idx;
			child->base = ipa;
			touch(pgt, child);
		}
	}

	t->pte[idx] = new;
	/* the entry's reference on the table page that holds it */
	if (s2_pte_is_counted(new) && !s2_pte_is_counted(old)) {
		if (!arm64_s2_seams()->no_entry_ref)
			t->count++;
	} else if (!s2_pte_is_counted(new) && s2_pte_is_counted(old))
		table_put(pgt, t);
	touch(pgt, t);
}

/* ---- the walker ----------------------------------------------------------- */

struct walk_data {
	struct s2_pgt *pgt;
	const struct s2_walker *w;
	u64 start;
	u64 addr;
	u64 end;
};

/* Whether a visitor's result lets the walk go on. */
static bool walk_continue(const struct s2_walker *w, int r)
{
	/* a raced entry stops a fault handler; other walkers carry on */
	if (r == -EAGAIN)
		return !(w->flags & S2_WALK_HANDLE_FAULT);
	return !r;
}

static int walk_table(struct walk_data *d, struct s2_table *t);

static int walk_visit(struct walk_data *d, struct s2_table *t, u32 idx)
{
	const struct s2_walker *w = d->w;
	struct s2_visit v = {
		.pgt = d->pgt,
		.table = t,
		.idx = idx,
		.level = t->level,
		.old = t->pte[idx],
		.start = d->start,
		.addr = d->addr,
		.end = d->end,
		.flags = w->flags,
		.arg = w->arg,
		.fault = w->fault,
	};
	bool table = s2_pte_is_table(v.old, v.level);
	bool reload = false;
	struct s2_table *child;
	int r = 0;

	if (table && (w->flags & S2_WALK_TABLE_PRE)) {
		r = w->cb(&v, S2_WALK_TABLE_PRE);
		reload = true;
	}
	if (!table && (w->flags & S2_WALK_LEAF)) {
		r = w->cb(&v, S2_WALK_LEAF);
		reload = true;
	}
	/* the visitor may have put a table here, or taken one away */
	if (reload) {
		v.old = t->pte[idx];
		table = s2_pte_is_table(v.old, v.level);
	}
	if (!walk_continue(w, r))
		goto out;
	if (!table) {
		u64 g = s2_granule_size(v.level);

		d->addr = (d->addr & ~(g - 1)) + g;
		goto out;
	}

	child = s2_table_of(d->pgt, v.old);
	if (WARN_ON(!child || child->level != v.level + 1)) {
		r = -EINVAL;
		goto out;
	}
	r = walk_table(d, child);
	if (!walk_continue(w, r))
		goto out;
	if (w->flags & S2_WALK_TABLE_POST)
		r = w->cb(&v, S2_WALK_TABLE_POST);
out:
	return walk_continue(w, r) ? 0 : r;
}

static int walk_table(struct walk_data *d, struct s2_table *t)
{
	u32 idx;
	int r = 0;

	if (WARN_ON(t->level < S2_FIRST_LEVEL || t->level > S2_LAST_LEVEL))
		return -EINVAL;
	for (idx = s2_index(d->addr, t->level); idx < S2_PTRS_PER_TABLE;
	     idx++) {
		if (d->addr >= d->end)
			break;
		r = walk_visit(d, t, idx);
		if (r)
			break;
	}
	return r;
}

int s2_walk(struct s2_pgt *pgt, u64 addr, u64 size,
	    const struct s2_walker *w)
{
	struct walk_data d = { .pgt = pgt, .w = w };
	u64 limit = 1ULL << pgt->ia_bits;
	int r = 0;

	d.start = d.addr = addr & ~(PAGE_SIZE - 1);
	d.end = (d.addr + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (d.addr > limit || d.end > limit)
		return -ERANGE;
	if (!pgt->nr_roots)
		return -EINVAL;
	while (d.addr < d.end) {
		r = walk_table(&d, s2_root_of(pgt, d.addr));
		if (r)
			break;
	}
	return r;
}

int s2_get_leaf(struct s2_pgt *pgt, u64 addr, kvm_pte_t *ptep, int *levelp)
{
	struct s2_table *t;
	kvm_pte_t pte;
	int level;

	if (!pgt->nr_roots)
		return -EINVAL;
	if (addr >= 1ULL << pgt->ia_bits)
		return -ERANGE;
	/* the hardware walk: down the tables to the entry translating addr */
	t = s2_root_of(pgt, addr);
	for (level = pgt->start_level;; level++) {
		pte = t->pte[s2_index(addr, level)];
		if (!s2_pte_is_table(pte, level))
			break;
		t = s2_table_of(pgt, pte);
		if (WARN_ON(!t))
			return -EINVAL;
	}
	if (ptep)
		*ptep = pte;
	if (levelp)
		*levelp = level;
	return 0;
}

/* ---- break-before-make ---------------------------------------------------- */

static bool try_break_pte(struct s2_visit *v)
{
	if (s2_pte_is_locked(v->old)) {
		/* only a shared walker can meet another's locked entry */
		WARN_ON(!(v->flags & S2_WALK_SHARED));
		return false;
	}
	/*
	 * Lock the entry: the old one's reference on the table page goes,
	 * and its TLB entries are invalidated before anything new is stored.
	 */
	s2_set_pte(v->pgt, v->table, v->idx, S2_INVALID_LOCKED, v->fault);
	return true;
}

static void make_pte(struct s2_visit *v, kvm_pte_t new)
{
	WARN_ON(!s2_pte_is_locked(v->table->pte[v->idx]));
	s2_set_pte(v->pgt, v->table, v->idx, new, v->fault);
}

/* Clear every entry under @t, freeing the tables below it. */
static void free_entries(struct s2_pgt *pgt, struct s2_table *t,
			 struct kvmpfn_fault *f)
{
	u32 i;

	for (i = 0; i < S2_PTRS_PER_TABLE; i++) {
		kvm_pte_t pte = t->pte[i];
		struct s2_table *child = NULL;

		if (!s2_pte_is_counted(pte))
			continue;
		if (s2_pte_is_table(pte, t->level)) {
			child = s2_table_of(pgt, pte);
			if (child)
				free_entries(pgt, child, f);
		}
		s2_set_pte(pgt, t, i, 0, f);
		if (child)
			table_put(pgt, child);
	}
}

/* free_unlinked_table: a table cut out of the tree, and all below it. */
static void free_unlinked(struct s2_pgt *pgt, struct s2_table *t,
			  struct kvmpfn_fault *f)
{
	free_entries(pgt, t, f);
	WARN_ON(t->count != 1);
	table_put(pgt, t);
}

/* ---- map ------------------------------------------------------------------ */

struct map_data {
	u64 phys;
	kvm_pte_t attr;
	bool force_pte;
	bool memcache;		/* table pages may be allocated */
};

static u64 map_phys(const struct s2_visit *v, const struct map_data *md)
{
	return md->phys + (v->addr - v->start);
}

static bool block_mapping_supported(const struct s2_visit *v, u64 phys)
{
	u64 g = s2_granule_size(v->level);

	if (!s2_level_supports_block(v->level))
		return false;
	if (g > v->end - v->addr)
		return false;
	if (phys & (g - 1))
		return false;
	return !(v->addr & (g - 1));
}

static bool leaf_mapping_allowed(const struct s2_visit *v,
				 const struct map_data *md)
{
	if (md->force_pte && v->level < S2_LAST_LEVEL)
		return false;
	return block_mapping_supported(v, map_phys(v, md));
}

static int map_try_leaf(struct s2_visit *v, struct map_data *md)
{
	kvm_pte_t new;

	if (!leaf_mapping_allowed(v, md))
		return -E2BIG;
	new = s2_make_leaf_pte(map_phys(v, md), md->attr, v->level);

	/*
	 * Same output and attributes: nothing to do here, a permission
	 * difference is the permission fault's business.
	 */
	if (!s2_pte_needs_update(v->old, new))
		return -EAGAIN;

	/* only software bits differ, and nobody else walks: just store */
	if (!(v->flags & S2_WALK_SHARED) && !((v->old ^ new) & ~S2_ATTR_SW)) {
		s2_set_pte(v->pgt, v->table, v->idx, new, v->fault);
		return 0;
	}

	/* test seam: the store without the break (a missed zap) */
	if (arm64_s2_seams()->no_bbm && s2_pte_valid(v->old)) {
		s2_set_pte(v->pgt, v->table, v->idx, new, v->fault);
		return 0;
	}

	if (!try_break_pte(v))
		return -EAGAIN;
	make_pte(v, new);
	return 0;
}

/* A table where a block could go: replace it and free what was below. */
static int map_table_pre(struct s2_visit *v, struct map_data *md)
{
	struct s2_table *child = s2_table_of(v->pgt, v->old);
	int r;

	if (!leaf_mapping_allowed(v, md))
		return 0;
	r = map_try_leaf(v, md);
	if (r)
		return r;
	if (child)
		free_unlinked(v->pgt, child, v->fault);
	return 0;
}

/* A leaf or an empty entry: map it, or put a table here and go down. */
static int map_leaf(struct s2_visit *v, struct map_data *md)
{
	struct s2_table *child;
	u64 g = s2_granule_size(v->level);
	int r;

	r = map_try_leaf(v, md);
	if (r != -E2BIG)
		return r;
	if (WARN_ON(v->level == S2_LAST_LEVEL))
		return -EINVAL;
	if (!md->memcache)
		return -ENOMEM;
	child = table_alloc(v->pgt, v->level + 1, v->addr & ~(g - 1));
	if (!child)
		return -ENOMEM;
	if (!try_break_pte(v)) {
		table_put(v->pgt, child);
		return -EAGAIN;
	}
	/*
	 * A block here is replaced by an empty table: the rest of what it
	 * mapped faults back in lazily.
	 */
	make_pte(v, s2_make_table_pte(s2_table_pa(child)));
	return 0;
}

static int map_walker(struct s2_visit *v, unsigned int visit)
{
	struct map_data *md = v->arg;

	switch (visit) {
	case S2_WALK_TABLE_PRE:
		return map_table_pre(v, md);
	case S2_WALK_LEAF:
		return map_leaf(v, md);
	default:
		return -EINVAL;
	}
}

int s2_map(struct s2_pgt *pgt, u64 addr, u64 size, u64 phys, u64 prot,
	   unsigned int flags, struct kvmpfn_fault *f)
{
	struct map_data md = {
		.phys = phys & ~(PAGE_SIZE - 1),
		.memcache = true,
	};
	struct s2_walker w = {
		.cb = map_walker,
		.arg = &md,
		.flags = flags | S2_WALK_TABLE_PRE | S2_WALK_LEAF,
		.fault = f,
	};
	int r = s2_prot_to_attr(prot, pgt->fwb, &md.attr);

	if (r)
		return r;
	return s2_walk(pgt, addr, size, &w);
}

/* ---- unmap ---------------------------------------------------------------- */

static int unmap_walker(struct s2_visit *v, unsigned int visit)
{
	u64 *zapped = v->arg;
	struct s2_table *child = NULL;

	(void)visit;
	if (!s2_pte_valid(v->old)) {
		/* an ownership annotation holds a reference too */
		if (s2_pte_is_counted(v->old))
			s2_set_pte(v->pgt, v->table, v->idx, 0, NULL);
		return 0;
	}
	if (s2_pte_is_table(v->old, v->level)) {
		child = s2_table_of(v->pgt, v->old);
		/* still in use below: keep it */
		if (!child || child->count != 1)
			return 0;
	} else {
		(*zapped)++;
	}
	s2_set_pte(v->pgt, v->table, v->idx, 0, NULL);
	if (child)
		table_put(v->pgt, child);
	return 0;
}

u64 s2_unmap(struct s2_pgt *pgt, u64 addr, u64 size)
{
	u64 zapped = 0;
	struct s2_walker w = {
		.cb = unmap_walker,
		.arg = &zapped,
		.flags = S2_WALK_LEAF | S2_WALK_TABLE_POST,
	};

	WARN_ON(s2_walk(pgt, addr, size, &w));
	return zapped;
}

/* ---- leaf attributes ------------------------------------------------------ */

struct attr_data {
	kvm_pte_t set;
	kvm_pte_t clr;
	kvm_pte_t pte;
	int level;
	u64 changed;
};

static int attr_walker(struct s2_visit *v, unsigned int visit)
{
	struct attr_data *ad = v->arg;
	kvm_pte_t pte;

	(void)visit;
	if (!s2_pte_valid(v->old))
		return -EAGAIN;
	ad->level = v->level;
	ad->pte = v->old;
	pte = (v->old & ~ad->clr) | ad->set;
	if (pte != v->old) {
		s2_set_pte(v->pgt, v->table, v->idx, pte, v->fault);
		ad->changed++;
	}
	return 0;
}

static int update_leaf_attrs(struct s2_pgt *pgt, u64 addr, u64 size,
			     struct attr_data *ad, unsigned int flags,
			     struct kvmpfn_fault *f)
{
	kvm_pte_t mask = S2_ATTR_LO | S2_ATTR_HI;
	struct s2_walker w = {
		.cb = attr_walker,
		.arg = ad,
		.flags = flags | S2_WALK_LEAF,
		.fault = f,
	};

	ad->set &= mask;
	ad->clr &= mask;
	return s2_walk(pgt, addr, size, &w);
}

u64 s2_wrprotect(struct s2_pgt *pgt, u64 addr, u64 size)
{
	struct attr_data ad = { .clr = S2_ATTR_S2AP_W };

	update_leaf_attrs(pgt, addr, size, &ad, 0, NULL);
	return ad.changed;
}

kvm_pte_t s2_mkyoung(struct s2_pgt *pgt, u64 addr, struct kvmpfn_fault *f)
{
	struct attr_data ad = { .set = S2_ATTR_AF };

	if (update_leaf_attrs(pgt, addr, 1, &ad,
			      S2_WALK_HANDLE_FAULT | S2_WALK_SHARED, f))
		return 0;
	return ad.pte;
}

int s2_relax_perms(struct s2_pgt *pgt, u64 addr, u64 prot,
		   struct kvmpfn_fault *f)
{
	struct attr_data ad = { 0 };

	if (prot & S2_ATTR_SW)
		return -EINVAL;
	if (prot & S2_PROT_R)
		ad.set |= S2_ATTR_S2AP_R;
	if (prot & S2_PROT_W)
		ad.set |= S2_ATTR_S2AP_W;
	if (prot & S2_PROT_X)
		ad.clr |= S2_ATTR_XN;
	/* the local TLB invalidation that follows leaves nothing stale */
	return update_leaf_attrs(pgt, addr, 1, &ad,
				 S2_WALK_HANDLE_FAULT | S2_WALK_SHARED, f);
}

struct age_data {
	bool mkold;
	bool young;
};

static int age_walker(struct s2_visit *v, unsigned int visit)
{
	struct age_data *ad = v->arg;
	kvm_pte_t new = v->old & ~S2_ATTR_AF;

	(void)visit;
	if (!s2_pte_valid(v->old) || new == v->old)
		return 0;
	ad->young = true;
	/* no TLB invalidation: the core's clear_flush_young does that */
	if (ad->mkold)
		s2_set_pte(v->pgt, v->table, v->idx, new, NULL);
	return 0;
}

bool s2_test_clear_young(struct s2_pgt *pgt, u64 addr, u64 size, bool mkold)
{
	struct age_data ad = { .mkold = mkold };
	struct s2_walker w = {
		.cb = age_walker,
		.arg = &ad,
		.flags = S2_WALK_LEAF,
	};

	WARN_ON(s2_walk(pgt, addr, size, &w));
	return ad.young;
}

/* ---- splitting blocks ------------------------------------------------------ */

/*
 * kvm_pgtable_stage2_create_unlinked: a detached table mapping what one
 * level-@level block at @base maps, down to pages if @force_pte.
 */
static struct s2_table *create_unlinked(struct s2_pgt *pgt, u64 phys,
					int level, u64 prot, bool force_pte,
					u64 base, int *err)
{
	u64 g = s2_granule_size(level);
	struct map_data md = {
		.phys = phys,
		.force_pte = force_pte,
		.memcache = true,
	};
	struct s2_walker w = {
		.cb = map_walker,
		.arg = &md,
		.flags = S2_WALK_LEAF | S2_WALK_SKIP_BBM_TLBI,
	};
	struct walk_data d = {
		.pgt = pgt,
		.w = &w,
		.start = base,
		.addr = base,
		.end = base + g,
	};
	struct s2_table *t;

	*err = -EINVAL;
	if (phys & (g - 1))
		return NULL;
	*err = s2_prot_to_attr(prot, pgt->fwb, &md.attr);
	if (*err)
		return NULL;
	t = table_alloc(pgt, level + 1, base);
	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = walk_table(&d, t);
	if (*err) {
		free_unlinked(pgt, t, NULL);
		return NULL;
	}
	return t;
}

static int split_walker(struct s2_visit *v, unsigned int visit)
{
	u64 g = s2_granule_size(v->level);
	struct s2_table *child;
	int err;

	(void)visit;
	if (v->level == S2_LAST_LEVEL || !s2_pte_valid(v->old))
		return 0;
	/*
	 * The memory type is not part of what the block's descriptor is
	 * turned back into (its permissions and software bits): the pages
	 * come out Normal memory, as in the kernel.
	 */
	child = create_unlinked(v->pgt, s2_pte_to_phys(v->old), v->level,
				s2_pte_to_prot(v->old), true, v->addr & ~(g - 1),
				&err);
	if (!child)
		return err;
	if (!try_break_pte(v)) {
		free_unlinked(v->pgt, child, NULL);
		return -EAGAIN;
	}
	make_pte(v, s2_make_table_pte(s2_table_pa(child)));
	return 0;
}

int s2_split(struct s2_pgt *pgt, u64 addr, u64 size)
{
	struct s2_walker w = {
		.cb = split_walker,
		.flags = S2_WALK_LEAF,
	};

	return s2_walk(pgt, addr, size, &w);
}

/* ---- whole-table views and checks ------------------------------------------ */

static void leaves_of(struct s2_pgt *pgt, struct s2_table *t, s2_leaf_fn fn,
		      void *ctx)
{
	u64 g = s2_granule_size(t->level);
	u32 i;

	for (i = 0; i < S2_PTRS_PER_TABLE; i++) {
		kvm_pte_t pte = t->pte[i];

		if (!s2_pte_valid(pte))
			continue;
		if (s2_pte_is_table(pte, t->level)) {
			struct s2_table *child = s2_table_of(pgt, pte);

			if (child)
				leaves_of(pgt, child, fn, ctx);
		} else if (s2_pte_is_leaf(pte, t->level)) {
			fn(pgt, pte, t->level, t->base + i * g, ctx);
		}
	}
}

void s2_for_each_leaf(struct s2_pgt *pgt, s2_leaf_fn fn, void *ctx)
{
	u32 i;

	for (i = 0; i < pgt->nr_roots; i++)
		leaves_of(pgt, pgt->tables[pgt->roots[i]], fn, ctx);
}

/* One table entry's link to the next level. */
static void check_link(struct s2_pgt *pgt, struct s2_table *t, u32 i)
{
	u64 g = s2_granule_size(t->level);
	kvm_pte_t pte = t->pte[i];
	struct s2_table *child;

	child = s2_table_get(pgt, (u32)s2_pte_to_pfn(pte));
	if (s2_pte_to_pfn(pte) >= pgt->nr_ids || !child ||
	    child->state != S2_TABLE_LIVE)
		s2_bad(pgt, t->base + i * g,
		       "level-%d entry links table page %llu, which was freed",
		       t->level, (unsigned long long)s2_pte_to_pfn(pte));
	else if (child->parent != t->id || child->parent_idx != i ||
		 child->level != t->level + 1 ||
		 child->base != t->base + i * g)
		s2_bad(pgt, t->base + i * g,
		       "level-%d entry links table page %u, which belongs elsewhere",
		       t->level, child->id);
}

/* I20 for one live table: its count and its links to the next level. */
static void check_table(struct s2_pgt *pgt, struct s2_table *t,
			s2_leaf_fn leaf_fn, void *ctx)
{
	u64 g = s2_granule_size(t->level);
	unsigned int counted = 0, locked = 0;
	u32 i;

	/* the recount, independent of the bookkeeping it checks */
	for (i = 0; i < S2_PTRS_PER_TABLE; i++) {
		kvm_pte_t pte = t->pte[i];

		counted += pte != 0;
		locked += s2_pte_is_locked(pte);
	}
	counted -= locked;

	for (i = 0; (t->level < S2_LAST_LEVEL || leaf_fn) &&
		    i < S2_PTRS_PER_TABLE; i++) {
		kvm_pte_t pte = t->pte[i];

		if (!s2_pte_valid(pte))
			continue;
		if (s2_pte_is_leaf(pte, t->level)) {
			if (leaf_fn)
				leaf_fn(pgt, pte, t->level, t->base + i * g, ctx);
			continue;
		}
		if (s2_pte_is_table(pte, t->level))
			check_link(pgt, t, i);
	}
	if (locked)
		s2_bad(pgt, t->base,
		       "level-%d table page %u has %u entries left locked by break-before-make",
		       t->level, t->id, locked);
	if (t->count != 1 + (s32)counted)
		s2_bad(pgt, t->base,
		       "level-%d table page %u has count %d, not 1 + %u entries",
		       t->level, t->id, t->count, counted);
	else if (!counted && !t->root)
		s2_bad(pgt, t->base,
		       "level-%d table page %u is empty (count 1) but still linked, not freed",
		       t->level, t->id);
	t->checked_count = t->count;
	t->checked = true;
}

static u32 check_subtree(struct s2_pgt *pgt, struct s2_table *t,
			 s2_leaf_fn leaf_fn, void *ctx)
{
	u32 i, n = 1;

	check_table(pgt, t, leaf_fn, ctx);
	for (i = 0; i < S2_PTRS_PER_TABLE; i++) {
		kvm_pte_t pte = t->pte[i];
		struct s2_table *child;

		if (!s2_pte_is_table(pte, t->level))
			continue;
		child = s2_table_of(pgt, pte);
		/* follow only consistent links: each table is counted once */
		if (child && child->parent == t->id && child->parent_idx == i &&
		    child->level == t->level + 1)
			n += check_subtree(pgt, child, leaf_fn, ctx);
	}
	return n;
}

/* A live table's path up to a root is intact. */
static bool linked(const struct s2_pgt *pgt, const struct s2_table *t)
{
	while (!t->root) {
		const struct s2_table *p = s2_table_get(pgt, t->parent);

		if (!p || p->state != S2_TABLE_LIVE ||
		    s2_table_of(pgt, p->pte[t->parent_idx]) != t)
			return false;
		t = p;
	}
	return true;
}

/*
 * I20 for a table the step changed, from what changed: the count must have
 * moved by the counted entries gained and lost since the last check.
 */
static void check_table_changes(struct s2_pgt *pgt, struct s2_table *t)
{
	s32 net = 0;
	u32 i, locked = 0;

	for (i = 0; i < pgt->nr_touched_entries; i++) {
		u32 idx = pgt->touched_entry[i].idx;
		kvm_pte_t pte;

		if (pgt->touched_entry[i].table != t->id)
			continue;
		pte = t->pte[idx];
		net += (s32)s2_pte_is_counted(pte) -
		       (s32)s2_pte_is_counted(pgt->touched_entry[i].old);
		locked += s2_pte_is_locked(pte);
		if (s2_pte_is_table(pte, t->level))
			check_link(pgt, t, idx);
	}
	if (locked)
		s2_bad(pgt, t->base,
		       "level-%d table page %u has %u entries left locked by break-before-make",
		       t->level, t->id, locked);
	if (t->count != t->checked_count + net)
		s2_bad(pgt, t->base,
		       "level-%d table page %u has count %d, not %d after this step's %+d entries",
		       t->level, t->id, t->count, t->checked_count + net, net);
	else if (t->count == 1 && !t->root)
		s2_bad(pgt, t->base,
		       "level-%d table page %u is empty (count 1) but still linked, not freed",
		       t->level, t->id);
	t->checked_count = t->count;
}

/* The leaves the step changed that are still leaves. */
static void check_touched_leaves(struct s2_pgt *pgt, s2_leaf_fn leaf_fn,
				 void *ctx)
{
	u32 i;

	for (i = 0; i < pgt->nr_touched_entries; i++) {
		struct s2_table *t = s2_table_get(pgt, pgt->touched_entry[i].table);
		u32 idx = pgt->touched_entry[i].idx;

		if (!t || t->state != S2_TABLE_LIVE ||
		    !s2_pte_is_leaf(t->pte[idx], t->level))
			continue;
		leaf_fn(pgt, t->pte[idx], t->level,
			t->base + idx * s2_granule_size(t->level), ctx);
	}
}

void s2_check_tables(struct s2_pgt *pgt, bool full, s2_leaf_fn leaf_fn,
		     void *ctx)
{
	bool all_entries = pgt->touched_entries_all;
	u32 i, reached = 0;

	if (full || pgt->touched_all) {
		for (i = 0; i < pgt->nr_roots; i++)
			reached += check_subtree(pgt, pgt->tables[pgt->roots[i]],
						 leaf_fn, ctx);
		if (reached != pgt->nr_live)
			s2_bad(pgt, 0,
			       "%u table pages allocated, %u reachable: unlinked tables were never freed",
			       pgt->nr_live, reached);
	} else {
		for (i = 0; i < pgt->nr_touched; i++) {
			struct s2_table *t = s2_table_get(pgt, pgt->touched[i]);
			u32 j;

			/* a table may be listed more than once */
			for (j = 0; j < i; j++)
				if (pgt->touched[j] == pgt->touched[i])
					break;
			if (j < i || !t || t->state != S2_TABLE_LIVE)
				continue;
			if (!linked(pgt, t))
				s2_bad(pgt, t->base,
				       "level-%d table page %u is allocated but not linked",
				       t->level, t->id);
			/* too much changed, or never looked at: recount */
			if (all_entries || !t->checked)
				check_table(pgt, t, all_entries ? leaf_fn : NULL,
					    ctx);
			else
				check_table_changes(pgt, t);
		}
		if (leaf_fn && !all_entries)
			check_touched_leaves(pgt, leaf_fn, ctx);
	}
	pgt->nr_touched = 0;
	pgt->touched_all = false;
	pgt->nr_touched_entries = 0;
	pgt->touched_entries_all = false;
}
