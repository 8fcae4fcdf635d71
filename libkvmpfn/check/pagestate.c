// SPDX-License-Identifier: GPL-2.0
/*
 * Page states and their transitions (<kvmpfn/pagestate.h>): the classifier,
 * the table of declared transitions, the per-simulator recorder and the
 * DOT/text output.  Like the checker it only observes: the simulator calls
 * pagestate_step() at the end of each step when a recorder is attached.
 *
 * Which pages a step could have changed: every page of an allocation made
 * in it, every pfn whose reference count or flags were logged in it (the
 * host mm logs each get, put, free and accessed/dirty mark), every pfn KVM
 * maps, holds or caches now or did after the previous step, and the pages
 * KVM holds references on.  A step whose log overflowed the ring, and a
 * poison (which sets a flag without a log entry), re-classify every page.
 * Pfns without struct page are kept in bulk per allocation until KVM uses
 * one of them.
 */
#include <stdlib.h>
#include <string.h>

#include <kvmpfn/pagestate.h>

#include "../kvm/kvm_model.h"

static const struct {
	const char *name;
	const char *text;
} states[KVMPFN_NR_PSTATES] = {
	[KVMPFN_PS_UNALLOCATED] = { "unallocated", "pfn not handed out yet" },
	[KVMPFN_PS_FREE] = { "free", "back in the allocator" },
	[KVMPFN_PS_PAGE] = { "refcounted", "refcounted struct page, KVM does not use it" },
	[KVMPFN_PS_ACCESSED] = { "accessed", "refcounted, marked accessed by KVM" },
	[KVMPFN_PS_DIRTY] = { "dirty", "refcounted, marked dirty by KVM" },
	[KVMPFN_PS_TAIL0] = { "tail0", "refcount-0 tail of a non-compound block" },
	[KVMPFN_PS_RESERVED] = { "reserved", "PG_reserved" },
	[KVMPFN_PS_ZERO] = { "zero", "the shared zero page" },
	[KVMPFN_PS_ZONE_DEVICE] = { "zone-device", "ZONE_DEVICE page" },
	[KVMPFN_PS_NOSTRUCT] = { "nostruct", "pfn without struct page" },
	[KVMPFN_PS_POISONED] = { "poisoned", "PG_hwpoison" },
	[KVMPFN_PS_MAPPED_RC] = { "mapped-rc", "mapped by KVM, leaf refcounted" },
	[KVMPFN_PS_MAPPED_NORC] = { "mapped-norc", "mapped by KVM, leaf not refcounted" },
	[KVMPFN_PS_KVM_REF] = { "kvm-ref", "KVM holds a reference (fault in flight, vcpu_map)" },
	[KVMPFN_PS_GPC] = { "gpc", "held by a valid pfncache" },
	[KVMPFN_PS_KMAP] = { "kmap", "kernel mapping without a reference (vcpu_map, stale pfncache)" },
};

static const char *const op_names[KVMPFN_NR_OPS] = {
	[KVMPFN_OP_ALLOC] = "alloc",
	[KVMPFN_OP_FREE] = "free",
	[KVMPFN_OP_POISON] = "poison",
	[KVMPFN_OP_MMAP] = "mmap",
	[KVMPFN_OP_MUNMAP] = "munmap",
	[KVMPFN_OP_MPROTECT] = "mprotect",
	[KVMPFN_OP_TOUCH] = "touch",
	[KVMPFN_OP_MIGRATE] = "migrate",
	[KVMPFN_OP_THP_SPLIT] = "thp_split",
	[KVMPFN_OP_THP_COLLAPSE] = "thp_collapse",
	[KVMPFN_OP_MEMSLOT] = "memslot",
	[KVMPFN_OP_FAULT] = "fault",
	[KVMPFN_OP_FAULT_BEGIN] = "fault_begin",
	[KVMPFN_OP_FAULT_FINISH] = "fault_finish",
	[KVMPFN_OP_INVALIDATE_BEGIN] = "invalidate_begin",
	[KVMPFN_OP_INVALIDATE_END] = "invalidate_end",
	[KVMPFN_OP_WAIT] = "wait",
	[KVMPFN_OP_AGE] = "age",
	[KVMPFN_OP_GPC_ACTIVATE] = "gpc_activate",
	[KVMPFN_OP_GPC_REFRESH] = "gpc_refresh",
	[KVMPFN_OP_GPC_DEACTIVATE] = "gpc_deactivate",
	[KVMPFN_OP_VCPU_MAP] = "vcpu_map",
	[KVMPFN_OP_VCPU_UNMAP] = "vcpu_unmap",
	[KVMPFN_OP_DIRTY_LOG] = "dirty_log",
	[KVMPFN_OP_OTHER] = "other",
};

#define S(x)	KVMPFN_PS_##x

/*
 * Every transition the model is expected to make between two steps, with
 * the reason.  One step can do several things to a page (a fault that
 * allocates and maps it; a munmap that zaps the leaf and frees the page),
 * so an edge is what is seen from one step boundary to the next.
 */
static const struct kvmpfn_pstate_edge edges[] = {
	/* allocation */
	{ S(UNALLOCATED), S(PAGE), "alloc: an order-0 page, a folio, or the first page of a block" },
	{ S(UNALLOCATED), S(TAIL0), "alloc: tail pages of a non-compound order>0 block (TTM layout)" },
	{ S(UNALLOCATED), S(RESERVED), "alloc reserved" },
	{ S(UNALLOCATED), S(ZONE_DEVICE), "alloc zone_device" },
	{ S(UNALLOCATED), S(NOSTRUCT), "alloc nostruct: MMIO/BAR pfns" },
	{ S(UNALLOCATED), S(MAPPED_RC), "a guest fault faults in an anonymous page and maps it in the same step" },
	{ S(UNALLOCATED), S(KVM_REF), "fault_begin/vcpu_map fault in an anonymous page and hold GUP's reference" },
	{ S(UNALLOCATED), S(GPC), "a pfncache activation/refresh faults in an anonymous page" },
	{ S(UNALLOCATED), S(ACCESSED), "a fault faults in an anonymous page, does not install it (retry, race) and releases it clean: marked accessed" },
	{ S(UNALLOCATED), S(DIRTY), "a fault faults in a THP and KVM marks the folio dirty through the page it maps (arm64, ppc; every model at final): the folio's other pages read dirty" },

	/* the page's owner */
	{ S(PAGE), S(FREE), "the last reference is dropped: free, munmap, migrate, CoW or THP split/collapse" },
	{ S(ACCESSED), S(FREE), "a page KVM marked accessed is freed by its owner" },
	{ S(DIRTY), S(FREE), "a page KVM marked dirty is freed by its owner" },
	{ S(TAIL0), S(FREE), "free of the block: tails nobody holds go back at once" },
	{ S(RESERVED), S(FREE), "free of a reserved allocation" },
	{ S(ZONE_DEVICE), S(FREE), "free of a ZONE_DEVICE allocation (each page was counted)" },
	{ S(NOSTRUCT), S(FREE), "free of a nostruct allocation: the pfns are no longer the driver's" },
	{ S(PAGE), S(POISONED), "poison (memory_failure): an anonymous or page-cache page is unmapped and kept out of use; a driver block's page is marked only" },
	{ S(ACCESSED), S(POISONED), "poison of a page KVM marked accessed" },
	{ S(DIRTY), S(POISONED), "poison of a page KVM marked dirty" },
	{ S(TAIL0), S(POISONED), "poison of a block's refcount-0 tail: no count to take, marked and ignored (EBUSY)" },
	{ S(RESERVED), S(POISONED), "poison of a reserved page: marked and ignored (EBUSY), its mappings stay" },
	{ S(ZERO), S(POISONED), "poison of the zero page: reserved, marked and ignored (EBUSY)" },
	{ S(ZONE_DEVICE), S(POISONED), "poison of a ZONE_DEVICE page: marked, its DAX mappings zapped" },
	{ S(MAPPED_RC), S(POISONED), "poison unmaps the page from the host and the invalidation zaps KVM's leaf in the same step; or the leaf of a poisoned page memory_failure ignored is zapped (memslot change, munmap)" },
	{ S(MAPPED_NORC), S(POISONED), "poison zaps a ZONE_DEVICE page ppc mapped as not refcounted (its !PageReserved filter)" },
	{ S(KVM_REF), S(POISONED), "a reference KVM held across the poison (vcpu_map, a fault in flight) is released; memory_failure keeps its own" },
	{ S(KMAP), S(POISONED), "a refresh or deactivate drops the old kernel mapping of a page poisoned since the invalidation" },
	{ S(POISONED), S(MAPPED_RC), "a page memory_failure ignored (a driver block behind VM_PFNMAP: not on the LRU, out of rmap's reach) stays mapped in the host; KVM maps it, refcounted as before" },
	{ S(POISONED), S(MAPPED_NORC), "a reserved page or a block tail memory_failure ignored stays mapped (VM_PFNMAP/VM_IO); KVM maps it" },
	{ S(POISONED), S(KVM_REF), "fault_begin/vcpu_map on a page memory_failure ignored (its VM_PFNMAP mapping stays)" },
	{ S(POISONED), S(GPC), "pfncache on a page memory_failure ignored (its VM_PFNMAP mapping stays)" },
	{ S(GPC), S(POISONED), "a pfncache on a page memory_failure ignored is deactivated" },
	{ S(POISONED), S(FREE), "the owner frees a poisoned page memory_failure ignored (a driver block); a page it handled keeps its reference and is never freed" },

	/* second-stage mappings */
	{ S(PAGE), S(MAPPED_RC), "fault maps a refcounted page" },
	{ S(PAGE), S(MAPPED_NORC), "final: a fault maps a refcounted page behind VM_PFNMAP without a reference (6.13 takes none on a remapped pfn)" },
	{ S(ACCESSED), S(MAPPED_RC), "fault maps a page KVM marked accessed before" },
	{ S(DIRTY), S(MAPPED_RC), "fault maps a page KVM marked dirty before" },
	{ S(ZERO), S(MAPPED_RC), "read fault on anonymous memory maps the zero page (refcounted for KVM)" },
	{ S(ZONE_DEVICE), S(MAPPED_RC), "fault maps a ZONE_DEVICE page (refcounted, not reserved for KVM)" },
	{ S(TAIL0), S(MAPPED_NORC), "v7.5+: a refcount-0 tail mapped through VM_PFNMAP without a reference" },
	{ S(RESERVED), S(MAPPED_NORC), "fault maps a reserved page: no reference, no A/D" },
	{ S(NOSTRUCT), S(MAPPED_NORC), "fault maps a pfn without struct page (VM_IO/VM_PFNMAP)" },
	{ S(ZERO), S(MAPPED_NORC), "ppc radix: its !PageReserved filter maps the zero page as not refcounted" },
	{ S(ZONE_DEVICE), S(MAPPED_NORC), "ppc radix: its !PageReserved filter maps ZONE_DEVICE pages as not refcounted" },
	{ S(MAPPED_RC), S(PAGE), "leaf zapped (invalidation, memslot delete/move, munmap) with no A/D to pass on" },
	{ S(MAPPED_RC), S(ACCESSED), "leaf zapped or aged: accessed passed on to the struct page" },
	{ S(MAPPED_RC), S(DIRTY), "leaf zapped: dirty passed on to the struct page" },
	{ S(MAPPED_RC), S(ZERO), "a zero-page leaf is zapped (CoW on write, munmap, invalidation)" },
	{ S(MAPPED_RC), S(ZONE_DEVICE), "a ZONE_DEVICE leaf is zapped" },
	{ S(MAPPED_RC), S(FREE), "munmap/free/migrate: leaf zapped and the last host reference dropped in one step" },
	{ S(MAPPED_NORC), S(TAIL0), "a tail page's leaf is zapped" },
	{ S(MAPPED_NORC), S(RESERVED), "a reserved page's leaf is zapped" },
	{ S(MAPPED_NORC), S(NOSTRUCT), "a nostruct pfn's leaf is zapped" },
	{ S(MAPPED_NORC), S(ZERO), "ppc: a zero-page leaf is zapped (CoW on write, memslot change)" },
	{ S(MAPPED_NORC), S(ZONE_DEVICE), "ppc: a ZONE_DEVICE leaf is zapped" },
	{ S(MAPPED_NORC), S(FREE), "the driver zaps and frees the object behind a not-refcounted leaf" },
	{ S(MAPPED_NORC), S(PAGE), "final: the leaf of a refcounted page behind VM_PFNMAP (mapped with no reference) is zapped" },

	/* references KVM holds across steps */
	{ S(PAGE), S(KVM_REF), "fault_begin holds GUP's reference until fault_finish; vcpu_map pins" },
	{ S(ACCESSED), S(KVM_REF), "fault_begin/vcpu_map on a page KVM marked accessed" },
	{ S(DIRTY), S(KVM_REF), "fault_begin/vcpu_map on a page KVM marked dirty" },
	{ S(ZERO), S(KVM_REF), "fault_begin/vcpu_map on the zero page (GUP returns it with a reference)" },
	{ S(ZONE_DEVICE), S(KVM_REF), "fault_begin/vcpu_map on a ZONE_DEVICE page" },
	{ S(MAPPED_RC), S(KVM_REF), "fault_begin/vcpu_map on a page already mapped by a leaf" },
	{ S(KVM_REF), S(MAPPED_RC), "fault_finish installs and releases the reference" },
	{ S(KVM_REF), S(PAGE), "fault_finish retries / vcpu_unmap clean: reference released, nothing marked" },
	{ S(KVM_REF), S(ACCESSED), "reference released clean: marked accessed (6.12 kvm_release_page_clean)" },
	{ S(KVM_REF), S(DIRTY), "vcpu_unmap dirty, or a write fault released dirty without a leaf" },
	{ S(KVM_REF), S(ZERO), "the zero page's reference is released" },
	{ S(KVM_REF), S(ZONE_DEVICE), "a ZONE_DEVICE page's reference is released" },
	{ S(KVM_REF), S(FREE), "KVM drops the last reference after the owner let go" },
	{ S(PAGE), S(ACCESSED), "a fault takes the page, does not install it (retried, raced) and releases it clean: marked accessed" },
	{ S(ACCESSED), S(DIRTY), "a zap hands a sibling leaf's dirty bit to the folio (x86, ref up to v7.8): an accessed page of it reads dirty" },
	{ S(PAGE), S(DIRTY), "KVM marks a folio dirty through another of its pages (a zap of a sibling's leaf; at final, a fault on one): PG_dirty is the folio's" },
	{ S(MAPPED_NORC), S(KVM_REF), "fault_begin/vcpu_map take a reference on a page a not-refcounted leaf maps (ppc: zero page, ZONE_DEVICE)" },
	{ S(KVM_REF), S(MAPPED_NORC), "fault_finish installs a not-refcounted leaf (ppc: zero page, ZONE_DEVICE) and releases the reference" },
	{ S(GPC), S(KVM_REF), "fault_begin/vcpu_map on a page a pfncache holds" },
	{ S(KVM_REF), S(GPC), "vcpu_unmap / fault_finish release a page a pfncache still holds" },

	/* kernel mappings and pfncaches */
	{ S(NOSTRUCT), S(KMAP), "vcpu_map of a pfn without struct page (memremap)" },
	{ S(TAIL0), S(KMAP), "vcpu_map of a refcount-0 tail without a reference" },
	{ S(RESERVED), S(KMAP), "vcpu_map of a reserved page: nothing to pin" },
	{ S(KMAP), S(NOSTRUCT), "vcpu_unmap of a nostruct pfn" },
	{ S(KMAP), S(TAIL0), "vcpu_unmap of a tail page" },
	{ S(KMAP), S(RESERVED), "vcpu_unmap of a reserved page" },
	{ S(PAGE), S(GPC), "pfncache activated/refreshed on a refcounted page" },
	{ S(ACCESSED), S(GPC), "pfncache on a page KVM marked accessed" },
	{ S(DIRTY), S(GPC), "pfncache on a page KVM marked dirty" },
	{ S(MAPPED_RC), S(GPC), "pfncache on a page a leaf maps" },
	{ S(ZERO), S(GPC), "pfncache on the zero page (read-only)" },
	{ S(NOSTRUCT), S(GPC), "pfncache on a pfn without struct page" },
	{ S(TAIL0), S(GPC), "pfncache on a refcount-0 tail" },
	{ S(GPC), S(PAGE), "pfncache deactivated: its kernel mapping goes too" },
	{ S(GPC), S(ACCESSED), "pfncache deactivated; the page was marked accessed when the refresh released it" },
	{ S(GPC), S(DIRTY), "pfncache deactivated; the page was marked dirty" },
	{ S(GPC), S(MAPPED_RC), "pfncache deactivated while a leaf still maps the page" },
	{ S(GPC), S(ZERO), "pfncache on the zero page deactivated" },
	{ S(GPC), S(NOSTRUCT), "pfncache on a nostruct pfn deactivated" },
	{ S(GPC), S(TAIL0), "pfncache on a tail page deactivated" },
	{ S(GPC), S(KMAP), "pfncache invalidated (notifier): it keeps its old kernel mapping, unused, until the next refresh" },
	{ S(KMAP), S(GPC), "a refresh of an invalidated pfncache finds the same pfn and publishes it again" },
	{ S(KMAP), S(PAGE), "a refresh or deactivate drops the old kernel mapping of a live page" },
	{ S(KMAP), S(ACCESSED), "a refresh or deactivate drops the old kernel mapping of a page KVM marked accessed" },
	{ S(KMAP), S(DIRTY), "a refresh or deactivate drops the old kernel mapping of a page KVM marked dirty" },
	{ S(KMAP), S(FREE), "a refresh drops the old kernel mapping of a page freed meanwhile (not used since the invalidation)" },
};

#undef S

const struct kvmpfn_pstate_edge *kvmpfn_pstate_edges(unsigned int *n)
{
	*n = sizeof(edges) / sizeof(edges[0]);
	return edges;
}

bool kvmpfn_pstate_declared(enum kvmpfn_pstate from, enum kvmpfn_pstate to)
{
	unsigned int i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		if (edges[i].from == from && edges[i].to == to)
			return true;
	return false;
}

const char *kvmpfn_pstate_name(enum kvmpfn_pstate st)
{
	return (unsigned int)st < KVMPFN_NR_PSTATES ? states[st].name : "?";
}

const char *kvmpfn_pstate_text(enum kvmpfn_pstate st)
{
	return (unsigned int)st < KVMPFN_NR_PSTATES ? states[st].text : "?";
}

const char *kvmpfn_op_name(enum kvmpfn_op op)
{
	return (unsigned int)op < KVMPFN_NR_OPS ? op_names[op] : "?";
}

/* ---- accumulated counts ---------------------------------------------- */

struct kvmpfn_pstates {
	uint64_t hits[KVMPFN_NR_PSTATES][KVMPFN_NR_PSTATES][KVMPFN_NR_OPS];
	uint64_t runs;
	uint64_t steps;
};

struct kvmpfn_pstates *kvmpfn_pstates_create(void)
{
	return calloc(1, sizeof(struct kvmpfn_pstates));
}

void kvmpfn_pstates_destroy(struct kvmpfn_pstates *acc)
{
	free(acc);
}

uint64_t kvmpfn_pstates_hits(const struct kvmpfn_pstates *acc,
			     enum kvmpfn_pstate from, enum kvmpfn_pstate to,
			     enum kvmpfn_op op)
{
	uint64_t n = 0;
	int o;

	if ((unsigned int)from >= KVMPFN_NR_PSTATES ||
	    (unsigned int)to >= KVMPFN_NR_PSTATES ||
	    (unsigned int)op > KVMPFN_NR_OPS)
		return 0;
	if (op != KVMPFN_NR_OPS)
		return acc->hits[from][to][op];
	for (o = 0; o < KVMPFN_NR_OPS; o++)
		n += acc->hits[from][to][o];
	return n;
}

unsigned int kvmpfn_pstates_undeclared(const struct kvmpfn_pstates *acc)
{
	unsigned int n = 0;
	int f, t;

	for (f = 0; f < KVMPFN_NR_PSTATES; f++)
		for (t = 0; t < KVMPFN_NR_PSTATES; t++)
			if (kvmpfn_pstates_hits(acc, f, t, KVMPFN_NR_OPS) &&
			    !kvmpfn_pstate_declared(f, t))
				n++;
	return n;
}

void kvmpfn_pstates_totals(const struct kvmpfn_pstates *acc, uint64_t *runs,
			   uint64_t *steps)
{
	*runs = acc->runs;
	*steps = acc->steps;
}

/* ---- the classifier --------------------------------------------------- */

/* what KVM does with a pfn (the overlay of one step) */
#define OVL_REF		(1U << 0)
#define OVL_GPC		(1U << 1)
#define OVL_KMAP	(1U << 2)
#define OVL_MAP_RC	(1U << 3)
#define OVL_MAP_NORC	(1U << 4)

struct ovl {
	unsigned long pfn;
	unsigned int fl;
};

struct ovl_set {
	struct ovl *v;
	u32 n;
	u32 cap;
	bool failed;
};

static void ovl_add(struct ovl_set *s, unsigned long pfn, unsigned int fl)
{
	if (s->n == s->cap) {
		u32 cap = s->cap ? 2 * s->cap : 64;
		struct ovl *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			s->failed = true;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].pfn = pfn;
	s->v[s->n].fl = fl;
	s->n++;
}

static int ovl_cmp(const void *a, const void *b)
{
	const struct ovl *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static void leaf_ovl(struct kvmpfn_sim *sim, const struct kvmpfn_leaf_view *v,
		     void *ctx)
{
	u64 i, n = 1ULL << (9 * (v->level - 1));

	(void)sim;
	if (!v->present || is_error_noslot_pfn(v->pfn))
		return;
	for (i = 0; i < n; i++)
		ovl_add(ctx, v->pfn + i,
			v->refcounted ? OVL_MAP_RC : OVL_MAP_NORC);
}

/* Collect what KVM maps, holds and caches now; sorted, one entry a pfn. */
static void ovl_build(struct kvmpfn_sim *sim, struct ovl_set *s)
{
	u32 i, out;

	s->n = 0;
	s->failed = false;
	kvm_ctx_enter(sim);
	sim->arch->for_each_leaf(sim, leaf_ovl, s);
	kvm_ctx_leave(sim);
	for (i = 0; i < KVMPFN_MAX_VCPUS; i++)
		if (sim->inflight[i].active && sim->inflight[i].info.holds_ref)
			ovl_add(s, sim->inflight[i].info.pfn, OVL_REF);
	for (i = 0; i < KVMPFN_MAX_MAPS; i++)
		if (sim->maps[i].hva && sim->map_holds_ref[i])
			ovl_add(s, sim->maps[i].pfn, OVL_REF);
	for (i = 0; i < KVMPFN_MAX_GPC; i++)
		if (sim->gpc[i].active && sim->gpc[i].valid &&
		    !is_error_noslot_pfn(sim->gpc[i].pfn))
			ovl_add(s, sim->gpc[i].pfn, OVL_GPC);
	for (i = 0; i < KVMPFN_MAX_KMAPS; i++)
		if (sim->kmaps[i].live)
			ovl_add(s, sim->kmaps[i].pfn, OVL_KMAP);
	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), ovl_cmp);
	for (i = 1, out = 0; i < s->n; i++) {
		if (s->v[i].pfn == s->v[out].pfn)
			s->v[out].fl |= s->v[i].fl;
		else
			s->v[++out] = s->v[i];
	}
	s->n = out + 1;
}

static unsigned int ovl_find(const struct ovl_set *s, unsigned long pfn)
{
	u32 lo = 0, hi = s->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (s->v[mid].pfn == pfn)
			return s->v[mid].fl;
		if (s->v[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static enum kvmpfn_pstate classify(struct kvmpfn_sim *sim, unsigned long pfn,
				   unsigned int fl)
{
	struct page *p = host_pfn_to_page(&sim->mm, pfn);
	struct kvmpfn_alloc *a, buf;

	if ((fl & OVL_REF) ||
	    (p && p->kvm_refs > 0 && !kshim_page_flag(p, PG_head)))
		return KVMPFN_PS_KVM_REF;
	if (fl & OVL_GPC)
		return KVMPFN_PS_GPC;
	if (fl & OVL_KMAP)
		return KVMPFN_PS_KMAP;
	if (fl & OVL_MAP_RC)
		return KVMPFN_PS_MAPPED_RC;
	if (fl & OVL_MAP_NORC)
		return KVMPFN_PS_MAPPED_NORC;
	if (!p) {
		a = host_alloc_of_pfn(&sim->mm, pfn, &buf);
		if (!a)
			return KVMPFN_PS_UNALLOCATED;
		return a->freed ? KVMPFN_PS_FREE : KVMPFN_PS_NOSTRUCT;
	}
	if (kshim_page_flag(p, PG_free))
		return KVMPFN_PS_FREE;
	if (PageHWPoison(p))
		return KVMPFN_PS_POISONED;
	if (pfn == sim->mm.zero_pfn)
		return KVMPFN_PS_ZERO;
	if (kshim_page_flag(p, PG_zone_device))
		return KVMPFN_PS_ZONE_DEVICE;
	if (PageReserved(p))
		return KVMPFN_PS_RESERVED;
	if (!host_folio_head(p)->_refcount)
		return KVMPFN_PS_TAIL0;
	if (host_folio_flag(p, PG_dirty))
		return KVMPFN_PS_DIRTY;
	if (host_folio_flag(p, PG_referenced))
		return KVMPFN_PS_ACCESSED;
	return KVMPFN_PS_PAGE;
}

int kvmpfn_pstate_of(struct kvmpfn_sim *sim, uint64_t pfn,
		     enum kvmpfn_pstate *st)
{
	struct ovl_set s = { 0 };
	struct kvmpfn_alloc buf;

	if (!host_alloc_of_pfn(&sim->mm, pfn, &buf))
		return -ENOENT;
	ovl_build(sim, &s);
	*st = classify(sim, pfn, ovl_find(&s, pfn));
	free(s.v);
	return s.failed ? -ENOMEM : 0;
}

/* ---- the recorder ----------------------------------------------------- */

struct pstate_slot {
	unsigned long key;	/* pfn + 1; 0: empty */
	u8 st;
};

struct pagestate_rec {
	struct kvmpfn_pstates *acc;
	struct pstate_slot *tab;	/* open addressing, power-of-two size */
	u32 cap;
	u32 n;
	u32 allocs_seen;
	u8 *alloc_freed;		/* per allocation: freed seen */
	u32 log_head;
	struct ovl_set ovl, prev;
	bool failed;
};

static u32 slot_hash(unsigned long pfn, u32 cap)
{
	u64 h = (u64)pfn * 0x9e3779b97f4a7c15ULL;

	return (u32)(h >> 32) & (cap - 1);
}

static struct pstate_slot *slot_find(struct pagestate_rec *r,
				     unsigned long pfn)
{
	u32 i;

	if (!r->cap)
		return NULL;
	for (i = slot_hash(pfn, r->cap); r->tab[i].key; i = (i + 1) & (r->cap - 1))
		if (r->tab[i].key == pfn + 1)
			return &r->tab[i];
	return NULL;
}

static int slot_grow(struct pagestate_rec *r)
{
	u32 cap = r->cap ? 2 * r->cap : 1024, i, j;
	struct pstate_slot *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (i = 0; i < r->cap; i++) {
		if (!r->tab[i].key)
			continue;
		for (j = slot_hash(r->tab[i].key - 1, cap); tab[j].key;
		     j = (j + 1) & (cap - 1))
			;
		tab[j] = r->tab[i];
	}
	free(r->tab);
	r->tab = tab;
	r->cap = cap;
	return 0;
}

static struct pstate_slot *slot_get(struct pagestate_rec *r,
				    unsigned long pfn)
{
	struct pstate_slot *s = slot_find(r, pfn);
	u32 i;

	if (s)
		return s;
	if (4 * (r->n + 1) > 3 * r->cap && slot_grow(r)) {
		r->failed = true;
		return NULL;
	}
	for (i = slot_hash(pfn, r->cap); r->tab[i].key; i = (i + 1) & (r->cap - 1))
		;
	r->tab[i].key = pfn + 1;
	r->tab[i].st = KVMPFN_PS_UNALLOCATED;
	r->n++;
	return &r->tab[i];
}

static void count(struct pagestate_rec *r, enum kvmpfn_pstate from,
		  enum kvmpfn_pstate to, enum kvmpfn_op op, u64 n)
{
	if (from != to)
		r->acc->hits[from][to][op] += n;
}

/* Re-classify @pfn and count the change since it was last seen. */
static void visit(struct kvmpfn_sim *sim, struct pagestate_rec *r,
		  unsigned long pfn, enum kvmpfn_op op)
{
	enum kvmpfn_pstate now = classify(sim, pfn, ovl_find(&r->ovl, pfn));
	struct pstate_slot *s = slot_find(r, pfn);

	if (!s) {
		/* a nostruct pfn kept in bulk: it was its allocation's state */
		if (now == KVMPFN_PS_UNALLOCATED)
			return;
		s = slot_get(r, pfn);
		if (!s)
			return;
		if (!host_pfn_to_page(&sim->mm, pfn)) {
			struct kvmpfn_alloc buf, *a;

			a = host_alloc_of_pfn(&sim->mm, pfn, &buf);

			if (a && a->id < r->allocs_seen)
				s->st = r->alloc_freed[a->id] ?
					KVMPFN_PS_FREE : KVMPFN_PS_NOSTRUCT;
		}
	}
	count(r, s->st, now, op, 1);
	s->st = now;
}

/* Allocations made since the last step: their pages leave UNALLOCATED. */
static void new_allocs(struct kvmpfn_sim *sim, struct pagestate_rec *r,
		       enum kvmpfn_op op, bool silent)
{
	struct mm_struct *mm = &sim->mm;
	u32 i;

	if (mm->nr_allocs > r->allocs_seen) {
		u8 *f = realloc(r->alloc_freed, mm->nr_allocs);

		if (!f) {
			r->failed = true;
			return;
		}
		r->alloc_freed = f;
	}
	for (i = r->allocs_seen; i < mm->nr_allocs; i++) {
		struct kvmpfn_alloc buf, *a;
		unsigned long n, j;

		a = host_alloc_by_id(mm, i, &buf, NULL);
		n = 1UL << a->order;

		r->alloc_freed[i] = a->freed;
		r->allocs_seen = i + 1;
		if (a->flags & KVMPFN_ALLOC_NOSTRUCT) {
			/* in bulk; the ones KVM uses are visited below */
			if (!silent)
				count(r, KVMPFN_PS_UNALLOCATED,
				      a->freed ? KVMPFN_PS_FREE :
						 KVMPFN_PS_NOSTRUCT, op, n);
			continue;
		}
		for (j = 0; j < n; j++) {
			struct pstate_slot *s = slot_get(r, a->pfn + j);

			if (!s)
				return;
			if (silent)
				s->st = classify(sim, a->pfn + j,
						 ovl_find(&r->ovl, a->pfn + j));
			else
				visit(sim, r, a->pfn + j, op);
		}
	}
}

/* Nostruct allocations freed in this step, in bulk. */
static void freed_allocs(struct kvmpfn_sim *sim, struct pagestate_rec *r,
			 enum kvmpfn_op op)
{
	struct mm_struct *mm = &sim->mm;
	u32 i, k, same;

	for (i = 0; i < r->allocs_seen; i += same) {
		struct kvmpfn_alloc buf, *a;
		unsigned long n, known = 0;

		a = host_alloc_by_id(mm, i, &buf, &same);
		/* a run's pages are never freed by an owner: skip it whole */
		if (a == &buf) {
			if (same > r->allocs_seen - i)
				same = r->allocs_seen - i;
			continue;
		}
		same = 1;
		n = 1UL << a->order;
		if (r->alloc_freed[i] == a->freed)
			continue;
		r->alloc_freed[i] = a->freed;
		if (!(a->flags & KVMPFN_ALLOC_NOSTRUCT))
			continue;
		/* pfns seen one by one are visited one by one */
		for (k = 0; k < r->cap; k++) {
			unsigned long pfn = r->tab[k].key - 1;

			if (r->tab[k].key && pfn >= a->pfn && pfn < a->pfn + n) {
				known++;
				visit(sim, r, pfn, op);
			}
		}
		count(r, KVMPFN_PS_NOSTRUCT, KVMPFN_PS_FREE, op, n - known);
	}
}

static enum kvmpfn_op op_of(const char *fn)
{
	static const struct {
		const char *fn;
		enum kvmpfn_op op;
	} alias[] = {
		{ "kvmpfn_invalidate_begin_migrate", KVMPFN_OP_INVALIDATE_BEGIN },
	};
	unsigned int i;

	if (!fn)
		return KVMPFN_OP_OTHER;
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(fn, alias[i].fn))
			return alias[i].op;
	if (!strncmp(fn, "kvmpfn_", 7))
		fn += 7;
	if (!strncmp(fn, "host_", 5))
		fn += 5;
	for (i = 0; i < KVMPFN_NR_OPS; i++)
		if (!strcmp(fn, op_names[i]))
			return (enum kvmpfn_op)i;
	return KVMPFN_OP_OTHER;
}

void pagestate_step(struct kvmpfn_sim *sim)
{
	struct pagestate_rec *r = sim->pagestate;
	struct mm_struct *mm = &sim->mm;
	enum kvmpfn_op op = op_of(sim->step_fn);
	struct ovl_set tmp;
	u32 i, head = mm->ref_log_head;

	if (r->failed)
		return;
	r->acc->steps++;
	tmp = r->prev;
	r->prev = r->ovl;
	r->ovl = tmp;
	ovl_build(sim, &r->ovl);
	if (r->ovl.failed) {
		r->failed = true;
		return;
	}
	new_allocs(sim, r, op, false);
	freed_allocs(sim, r, op);
	if (head - r->log_head > mm->ref_log_cap || op == KVMPFN_OP_POISON) {
		/* the log lost entries, or a flag changed unlogged */
		for (i = 0; i < r->cap; i++)
			if (r->tab[i].key)
				visit(sim, r, r->tab[i].key - 1, op);
	} else {
		for (i = r->log_head; i != head; i++)
			visit(sim, r, mm->ref_log[i & (mm->ref_log_cap - 1)].pfn,
			      op);
	}
	r->log_head = head;
	for (i = 0; i < r->ovl.n; i++)
		visit(sim, r, r->ovl.v[i].pfn, op);
	for (i = 0; i < r->prev.n; i++)
		visit(sim, r, r->prev.v[i].pfn, op);
	for (i = 0; i < sim->nr_held; i++)
		visit(sim, r, sim->held[i], op);
}

void pagestate_free(struct kvmpfn_sim *sim)
{
	struct pagestate_rec *r = sim->pagestate;

	if (!r)
		return;
	free(r->tab);
	free(r->alloc_freed);
	free(r->ovl.v);
	free(r->prev.v);
	free(r);
	sim->pagestate = NULL;
}

int kvmpfn_pstates_record(struct kvmpfn_sim *sim, struct kvmpfn_pstates *acc)
{
	struct pagestate_rec *r;

	pagestate_free(sim);
	if (!acc)
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->acc = acc;
	r->log_head = sim->mm.ref_log_head;
	ovl_build(sim, &r->ovl);
	/* what exists now is where the pages start, not a transition */
	new_allocs(sim, r, KVMPFN_OP_OTHER, true);
	if (r->failed || r->ovl.failed) {
		free(r->tab);
		free(r->alloc_freed);
		free(r->ovl.v);
		free(r);
		return -ENOMEM;
	}
	sim->pagestate = r;
	acc->runs++;
	return 0;
}

/* ---- output ----------------------------------------------------------- */

static void dot_label(const struct kvmpfn_pstates *acc, int f, int t,
		      FILE *out)
{
	int o;
	bool first = true;

	for (o = 0; o < KVMPFN_NR_OPS; o++) {
		if (!acc->hits[f][t][o])
			continue;
		fprintf(out, "%s%s %llu", first ? "" : "\\n", op_names[o],
			(unsigned long long)acc->hits[f][t][o]);
		first = false;
	}
}

static void dot_escape(const char *s, FILE *out)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

void kvmpfn_pstates_dot(const struct kvmpfn_pstates *acc, const char *title,
			FILE *out)
{
	unsigned int i, n;
	const struct kvmpfn_pstate_edge *e = kvmpfn_pstate_edges(&n);
	int f, t;

	fprintf(out, "// SPDX-License-Identifier: GPL-2.0\n"
		"// kvmpfn page states: generated by kvmpfn-sim states\n"
		"digraph pagestates {\n"
		"  graph [fontname=\"Helvetica\", labelloc=t, label=\"");
	if (title)
		dot_escape(title, out);
	fprintf(out, "\\n%llu runs, %llu steps; black: hits per operation; red dashed: declared, never hit; orange bold: observed, not declared\"];\n"
		"  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\"];\n"
		"  edge [fontname=\"Helvetica\", fontsize=9];\n",
		(unsigned long long)acc->runs, (unsigned long long)acc->steps);
	for (i = 0; i < KVMPFN_NR_PSTATES; i++) {
		bool kvm = i >= KVMPFN_PS_MAPPED_RC;

		fprintf(out, "  \"%s\" [label=\"%s\\n", states[i].name,
			states[i].name);
		dot_escape(states[i].text, out);
		fprintf(out, "\"%s];\n", kvm ? ", fillcolor=\"#fdf1d6\"" : "");
	}
	for (i = 0; i < n; i++) {
		uint64_t hits = kvmpfn_pstates_hits(acc, e[i].from, e[i].to,
						    KVMPFN_NR_OPS);

		fprintf(out, "  \"%s\" -> \"%s\" [", states[e[i].from].name,
			states[e[i].to].name);
		if (hits) {
			fprintf(out, "label=\"");
			dot_label(acc, e[i].from, e[i].to, out);
			fprintf(out, "\", ");
		} else {
			fprintf(out, "label=\"never\", color=red, fontcolor=red, style=dashed, ");
		}
		fprintf(out, "tooltip=\"");
		dot_escape(e[i].why, out);
		fprintf(out, "\"];\n");
	}
	for (f = 0; f < KVMPFN_NR_PSTATES; f++) {
		for (t = 0; t < KVMPFN_NR_PSTATES; t++) {
			if (!kvmpfn_pstates_hits(acc, f, t, KVMPFN_NR_OPS) ||
			    kvmpfn_pstate_declared(f, t))
				continue;
			fprintf(out, "  \"%s\" -> \"%s\" [label=\"UNDECLARED\\n",
				states[f].name, states[t].name);
			dot_label(acc, f, t, out);
			fprintf(out, "\", color=orange, fontcolor=orange, penwidth=3];\n");
		}
	}
	fprintf(out, "}\n");
}

void kvmpfn_pstates_summary(const struct kvmpfn_pstates *acc, FILE *out)
{
	unsigned int i, n, hit = 0, never = 0, seen[KVMPFN_NR_PSTATES] = { 0 };
	const struct kvmpfn_pstate_edge *e = kvmpfn_pstate_edges(&n);
	unsigned int reached = 0;
	int f, t;

	for (i = 0; i < n; i++) {
		if (kvmpfn_pstates_hits(acc, e[i].from, e[i].to, KVMPFN_NR_OPS))
			hit++;
	}
	for (f = 0; f < KVMPFN_NR_PSTATES; f++)
		for (t = 0; t < KVMPFN_NR_PSTATES; t++)
			if (kvmpfn_pstates_hits(acc, f, t, KVMPFN_NR_OPS))
				seen[f] = seen[t] = 1;
	for (f = 0; f < KVMPFN_NR_PSTATES; f++)
		reached += seen[f];
	fprintf(out, "states: %u, %u in some transition; declared edges: %u, %u hit, %u never hit; undeclared edges observed: %u; %llu runs, %llu steps\n",
		KVMPFN_NR_PSTATES, reached, n, hit, n - hit,
		kvmpfn_pstates_undeclared(acc), (unsigned long long)acc->runs,
		(unsigned long long)acc->steps);
	for (i = 0; i < n; i++) {
		if (kvmpfn_pstates_hits(acc, e[i].from, e[i].to, KVMPFN_NR_OPS))
			continue;
		if (!never++)
			fprintf(out, "never hit:\n");
		fprintf(out, "  %s -> %s  (%s)\n", states[e[i].from].name,
			states[e[i].to].name, e[i].why);
	}
	for (f = 0; f < KVMPFN_NR_PSTATES; f++) {
		for (t = 0; t < KVMPFN_NR_PSTATES; t++) {
			uint64_t h = kvmpfn_pstates_hits(acc, f, t, KVMPFN_NR_OPS);
			int o;

			if (!h || kvmpfn_pstate_declared(f, t))
				continue;
			fprintf(out, "undeclared: %s -> %s %llu:", states[f].name,
				states[t].name, (unsigned long long)h);
			for (o = 0; o < KVMPFN_NR_OPS; o++)
				if (acc->hits[f][t][o])
					fprintf(out, " %s %llu", op_names[o],
						(unsigned long long)acc->hits[f][t][o]);
			fputc('\n', out);
		}
	}
}
