// SPDX-License-Identifier: GPL-2.0
/*
 * The invariant checker.  Event invariants (I1, I3, I4 and the wrong-page
 * half of I2) are judged when the shim sees KVM get, put or mark a page;
 * state invariants are judged after every step over the whole model.  The
 * checker observes; nothing in the core calls it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kvm/kvm_model.h"

static struct kvmpfn_invariant catalogue[KVMPFN_NR_INVARIANTS] = {
	{ 1, "a page's refcount never goes negative; KVM never drops to 0 a page it did not allocate", true },
	{ 2, "every reference KVM takes on a fault/map is released exactly once, on exactly that page", true },
	{ 3, "no put and no accessed/dirty marking on a non-refcounted page", true },
	{ 4, "accessed/dirty on a struct page only while it is known alive (reference held, or under mmu_lock)", true },
	{ 5, "KVM holds no long-term reference to pages mapped in second-stage entries", true },
	{ 6, "no second-stage leaf survives an invalidation covering it", true },
	{ 7, "a fault whose pfn lookup overlapped an invalidation never installs a mapping", true },
	{ 8, "invalidation counters balanced: in_progress >= 0, zero outside start/end; no memslot swap during one", true },
	{ 9, "a present leaf is never replaced by one with another pfn without zap and flush", true },
	{ 10, "a writable mapping only if the host PTE is writable and the memslot is not read-only", true },
	{ 11, "x86 SPTE writable-state legality", false },
	{ 12, "dirty logging: every guest write through a writable leaf is logged; no huge writable leaf in a logged slot; a fault logs or dirties only what it leaves mapped writable", true },
	{ 13, "huge-leaf legality: level <= host level, co-aligned, inside one memslot", true },
	{ 14, "the host mapping level is consumed only after, or under, the invalidation retry check", true },
	{ 15, "no mapping of a deleted, moved or INVALID memslot", true },
	{ 16, "accessed/dirty state of refcounted pages is not lost", false },
	{ 17, "pfncache: valid implies no invalidation of its hva since publish and pfn matches the current translation", true },
	{ 18, "error pfns are never mapped and never released as pages", true },
	{ 19, "kernel-side direct access not protected by notifiers uses pinned, refcounted pages", true },
	{ 20, "arm64 stage-2 table page refcount = 1 + number of non-zero entries", false },
	{ 21, "x86: no SPTE (leaf or non-leaf) sets a bit that its paging mode reserves", false },
};

/* The invariants only architecture models check, and which ones do. */
static const struct {
	int id;
	enum kvmpfn_arch arch[3];
	int n;
} arch_checked[] = {
	{ 11, { KVMPFN_ARCH_X86 }, 1 },
	{ 16, { KVMPFN_ARCH_X86, KVMPFN_ARCH_ARM64, KVMPFN_ARCH_PPC }, 3 },
	{ 20, { KVMPFN_ARCH_ARM64 }, 1 },
	{ 21, { KVMPFN_ARCH_X86 }, 1 },
};

const struct kvmpfn_invariant *kvmpfn_invariants(void)
{
	unsigned int i;
	int a;

	/* an arch invariant is checked if a model that checks it is built */
	for (i = 0; i < sizeof(arch_checked) / sizeof(arch_checked[0]); i++)
		for (a = 0; a < arch_checked[i].n; a++)
			if (kvmpfn_arch_available(arch_checked[i].arch[a]))
				catalogue[arch_checked[i].id - 1].implemented = true;
	return catalogue;
}

/*
 * Test-only switch: KVMPFN_CHECKS_DISABLE=I7,I12 (ids with or without the
 * I, separated by commas or spaces) drops every report of those
 * invariants, as if their checks were not there, so that a test run can
 * show which tests each check is load-bearing for
 * (scripts/check-ablation.sh).  Read at each report: reports are rare, and
 * a run that sets nothing pays one getenv() per violation only.
 */
static bool check_disabled(int id)
{
	const char *s = getenv("KVMPFN_CHECKS_DISABLE");
	char *end;
	long n;

	while (s && *s) {
		if (*s == 'I' || *s == 'i')
			s++;
		n = strtol(s, &end, 10);
		if (end == s) {
			s++;
			continue;
		}
		if (n == id)
			return true;
		s = end;
	}
	return false;
}

void check_violation(struct kvmpfn_sim *sim, int id, gfn_t gfn,
		     unsigned long hva, unsigned long pfn, const char *fmt, ...)
{
	struct kvmpfn_violation *v;
	va_list ap;
	u32 i;

	if (!sim || check_disabled(id))
		return;
	/* a state that stays broken is reported once, not at every step */
	for (i = sim->nr_viol > 64 ? sim->nr_viol - 64 : 0; i < sim->nr_viol; i++) {
		v = &sim->viol[i];
		if (v->id == id && v->gfn == gfn && v->hva == hva &&
		    v->pfn == pfn && v->step != sim->step)
			return;
	}
	if (sim->nr_viol == sim->cap_viol) {
		u32 cap = sim->cap_viol ? 2 * sim->cap_viol : 8;

		/* past a thousand findings, more of them help nobody */
		if (cap > 1024)
			return;
		v = realloc(sim->viol, cap * sizeof(*v));
		if (!v)
			return;
		sim->viol = v;
		sim->cap_viol = cap;
	}
	v = &sim->viol[sim->nr_viol++];
	memset(v, 0, sizeof(*v));
	v->id = id;
	v->step = sim->step;
	v->line = sim->line;
	v->file = sim->file;
	v->gfn = gfn;
	v->hva = hva;
	v->pfn = pfn;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
}

unsigned int kvmpfn_violations(const struct kvmpfn_sim *sim,
			       const struct kvmpfn_violation **v)
{
	*v = sim->viol;
	return sim->nr_viol;
}

/* Remember a page KVM holds; the flag keeps the list free of repeats. */
static void held_add(struct kvmpfn_sim *sim, struct page *page)
{
	if (kshim_page_flag(page, PG_held))
		return;
	if (sim->nr_held == sim->cap_held) {
		u32 cap = sim->cap_held ? 2 * sim->cap_held : 16;
		unsigned long *h = realloc(sim->held, cap * sizeof(*h));

		if (!h)
			return;
		sim->held = h;
		sim->cap_held = cap;
	}
	page->flags |= 1U << PG_held;
	sim->held[sim->nr_held++] = page->pfn;
}

/* Forget the pages KVM no longer holds. */
static void held_prune(struct kvmpfn_sim *sim)
{
	u32 i, keep = 0;

	for (i = 0; i < sim->nr_held; i++) {
		struct page *page = host_pfn_to_page(&sim->mm, sim->held[i]);

		if (page->kvm_refs)
			sim->held[keep++] = sim->held[i];
		else
			page->flags &= ~(1U << PG_held);
	}
	sim->nr_held = keep;
}

/*
 * KVM's references are counted where the page's own count lives: on the
 * folio's head for a compound page (a get on a tail and a put on the head
 * are the same reference, as 6.12's THP adjust relies on), on the page
 * itself otherwise (a non-compound block's pages are separate).
 */
static struct page *ref_owner(struct page *page)
{
	return host_folio_head(page);
}

static unsigned long ref_owner_pfn(struct kvmpfn_sim *sim, unsigned long pfn)
{
	struct page *page = host_pfn_to_page(&sim->mm, pfn);

	return page ? ref_owner(page)->pfn : pfn;
}

void check_kvm_get(struct kvmpfn_sim *sim, struct page *page)
{
	unsigned long pfn = host_page_to_pfn(&sim->mm, page);

	if (!host_folio_head(page)->_refcount) {
		check_violation(sim, 1, 0, 0, pfn,
				"KVM took a reference on a page whose refcount is 0");
		page->flags |= 1U << PG_revived;
	}
	/*
	 * I5 at final: 6.13 holds no reference GUP did not give it, so a
	 * remapped pfn is never referenced at all, not even for a moment.
	 */
	if (sim->ops->stage == KVMPFN_FINAL && !sim->in_gup)
		check_violation(sim, 5, 0, 0, pfn,
				"KVM took a reference of its own (final holds only what GUP returns)");
	ref_owner(page)->kvm_refs++;
	sim->step_gets++;
	held_add(sim, ref_owner(page));
}

static bool page_refcounted(struct kvmpfn_sim *sim, struct page *page)
{
	unsigned long pfn = host_page_to_pfn(&sim->mm, page);

	if (!PageReserved(page))
		return true;
	return pfn == sim->mm.zero_pfn || kshim_page_flag(page, PG_zone_device);
}

void check_kvm_put(struct kvmpfn_sim *sim, struct page *page)
{
	unsigned long pfn = host_page_to_pfn(&sim->mm, page);
	int count = host_folio_head(page)->_refcount;

	sim->step_puts++;
	/*
	 * Dropping the last reference is legal for a page KVM got properly:
	 * the owner let go first.  A page KVM revived from zero is not KVM's
	 * to free; that is CVE-2021-22543.
	 */
	if (count <= 0)
		check_violation(sim, 1, 0, 0, pfn,
				"KVM put a page whose refcount is %d", count);
	else if (count == 1 && kshim_page_flag(page, PG_revived))
		check_violation(sim, 1, 0, 0, pfn,
				"KVM freed a page whose count it had raised from 0");
	if (!page_refcounted(sim, page))
		check_violation(sim, 3, 0, 0, pfn,
				"KVM put a reserved, non-refcounted page");
	if (ref_owner(page)->kvm_refs <= 0)
		check_violation(sim, 2, 0, 0, pfn,
				"KVM released a reference it never took on this page");
	else
		ref_owner(page)->kvm_refs--;
}

void check_kvm_ad(struct kvmpfn_sim *sim, struct page *page, bool dirty)
{
	unsigned long pfn = host_page_to_pfn(&sim->mm, page);
	const char *what = dirty ? "dirty" : "accessed";

	if (kshim_page_flag(page, PG_free)) {
		check_violation(sim, 4, 0, 0, pfn,
				"KVM marked a freed page %s", what);
		return;
	}
	if (!page_refcounted(sim, page) || pfn == sim->mm.zero_pfn ||
	    !host_folio_head(page)->_refcount) {
		check_violation(sim, 3, 0, 0, pfn,
				"KVM marked a non-refcounted page %s", what);
		return;
	}
	if (ref_owner(page)->kvm_refs <= 0 &&
	    !kshim_lock_held(&sim->kvm.mmu_lock))
		check_violation(sim, 4, 0, 0, pfn,
				"KVM marked a page %s holding neither a reference nor mmu_lock",
				what);
	if (dirty)
		check_fault_dirty_record(sim, 0, pfn, true);
}

/*
 * The tables the incremental checker scans only if something is in them:
 * all of them with full checks.
 */
static bool incremental(const struct kvmpfn_sim *sim)
{
	return sim->checks == KVMPFN_CHECKS_INCREMENTAL;
}

static u32 gpcs_to_check(const struct kvmpfn_sim *sim)
{
	return incremental(sim) ? sim->gpc_used : (1U << KVMPFN_MAX_GPC) - 1;
}

/* References KVM is entitled to hold on @pfn right now. */
static int refs_expected(struct kvmpfn_sim *sim, unsigned long pfn)
{
	u32 maps = incremental(sim) ? sim->maps_used :
				      (1U << KVMPFN_MAX_MAPS) - 1;
	int i, n = 0;

	for (i = 0; i < KVMPFN_MAX_VCPUS; i++)
		if (sim->inflight[i].active && sim->inflight[i].info.holds_ref &&
		    ref_owner_pfn(sim, sim->inflight[i].info.pfn) == pfn)
			n++;
	for (i = 0; maps >> i; i++)
		if ((maps >> i & 1) && sim->maps[i].hva &&
		    sim->map_holds_ref[i] &&
		    ref_owner_pfn(sim, sim->maps[i].pfn) == pfn)
			n++;
	return n;
}

struct pfn_search {
	unsigned long pfn;
	bool writable;		/* only writable leaves count */
	gfn_t gfn;
	bool found;
};

static u64 leaf_pages(const struct kvmpfn_leaf_view *v)
{
	return 1ULL << (9 * (v->level - 1));
}

static void find_pfn(struct kvmpfn_sim *sim, const struct kvmpfn_leaf_view *v,
		     void *ctx)
{
	struct pfn_search *ps = ctx;

	(void)sim;
	if (!ps->found && (v->writable || !ps->writable) &&
	    ps->pfn >= v->pfn && ps->pfn < v->pfn + leaf_pages(v)) {
		ps->found = true;
		ps->gfn = v->gfn + (ps->pfn - v->pfn);
	}
}

bool check_untouched_remapped(struct kvmpfn_sim *sim, int as_id, gfn_t gfn)
{
	struct kvm_memory_slot *slot;
	struct vm_area_struct *vma;

	if (sim->ops->stage != KVMPFN_FINAL)
		return false;
	slot = kvm_memslot_find(&sim->kvm, as_id, gfn);
	if (!slot)
		return false;
	vma = host_vma_find(&sim->mm, __gfn_to_hva_memslot(slot, gfn));
	return vma && (vma->vm_flags & (VM_IO | VM_PFNMAP));
}

bool check_final_refcounted(struct kvmpfn_sim *sim, int as_id, gfn_t gfn,
			    unsigned long pfn)
{
	return host_pfn_to_page(&sim->mm, pfn) &&
	       !check_untouched_remapped(sim, as_id, gfn);
}

bool check_pfn_mapped(struct kvmpfn_sim *sim, unsigned long pfn,
		      bool writable, const struct kvmpfn_leaf_view *hint)
{
	struct pfn_search ps = { .pfn = pfn, .writable = writable };

	if (hint)
		find_pfn(sim, hint, &ps);
	if (!ps.found)
		sim->arch->for_each_leaf(sim, find_pfn, &ps);
	return ps.found;
}

/* I2 and I5: what KVM holds matches what its open operations own. */
static void check_refs(struct kvmpfn_sim *sim)
{
	u32 i;

	for (i = 0; i < sim->nr_held; i++) {
		unsigned long pfn = sim->held[i];
		struct page *page = host_pfn_to_page(&sim->mm, pfn);
		int want;

		/* none held: nothing to account for (want is never < 0) */
		if (page->kvm_refs <= 0 && incremental(sim))
			continue;
		want = refs_expected(sim, pfn);
		if (page->kvm_refs > want) {
			struct pfn_search ps = { .pfn = pfn };

			sim->arch->for_each_leaf(sim, find_pfn, &ps);
			check_violation(sim, 2, ps.gfn, 0, pfn,
					"KVM still holds %d reference(s) nothing accounts for",
					page->kvm_refs - want);
			if (ps.found)
				check_violation(sim, 5, ps.gfn, 0, pfn,
						"mapped page pinned by a KVM reference");
			/* report a leak once, then stop counting it */
			page->kvm_refs = want;
		}
	}
	held_prune(sim);
}

static bool slot_bit(const struct kvm_memory_slot *slot, gfn_t gfn)
{
	u64 rel = gfn - slot->base_gfn;

	return slot->dirty_bitmap &&
	       (slot->dirty_bitmap[rel / BITS_PER_LONG] >> (rel % BITS_PER_LONG)) & 1;
}

/* The state invariants of one leaf: I6, I10, I12, I15, I18. */
static void check_leaf(struct kvmpfn_sim *sim,
		       const struct kvmpfn_leaf_view *e, void *ctx)
{
	u64 i, n = leaf_pages(e);
	struct kvm_memory_slot *slot;
	unsigned long hva, host_pfn;
	struct page *page;
	u64 pte;

	(void)ctx;
	if (is_error_noslot_pfn(e->pfn)) {
		check_violation(sim, 18, e->gfn, 0, e->pfn,
				"error pfn 0x%llx installed",
				(unsigned long long)e->pfn);
		return;
	}
	slot = kvm_memslot_find(&sim->kvm, e->as_id, e->gfn);
	if (!slot || (slot->flags & KVM_MEMSLOT_INVALID) ||
	    e->gfn + n > slot->base_gfn + slot->npages) {
		check_violation(sim, 15, e->gfn, 0, e->pfn,
				"leaf maps a gfn of a deleted, moved or invalid memslot");
		return;
	}
	if (e->writable && (slot->flags & KVM_MEM_READONLY))
		check_violation(sim, 10, e->gfn, 0, e->pfn,
				"writable leaf in a read-only memslot");
	if (e->writable && kvm_slot_dirty_track_enabled(slot)) {
		if (e->level > 1)
			check_violation(sim, 12, e->gfn, 0, e->pfn,
					"writable huge leaf in a dirty-logged memslot");
		else if (!slot_bit(slot, e->gfn))
			check_violation(sim, 12, e->gfn, 0, e->pfn,
					"writable leaf of a logged memslot, gfn not in the dirty log");
	}
	/* during an invalidation the host may legitimately be ahead */
	if (sim->kvm.mmu_invalidate_in_progress)
		return;
	for (i = 0; i < n; i++) {
		hva = __gfn_to_hva_memslot(slot, e->gfn + i);
		pte = hpt_lookup(&sim->mm, hva, NULL, &host_pfn);
		if (!pte || host_pfn != e->pfn + i) {
			check_violation(sim, 6, e->gfn + i, hva, e->pfn + i,
					"leaf survives a host mapping change (host now %s 0x%lx)",
					pte ? "maps" : "maps nothing at",
					pte ? host_pfn : hva);
			return;
		}
		if (e->writable && !(pte & HPTE_WRITE)) {
			check_violation(sim, 10, e->gfn + i, hva, e->pfn + i,
					"writable leaf over a read-only host PTE");
			return;
		}
		page = host_pfn_to_page(&sim->mm, e->pfn + i);
		if (page && kshim_page_flag(page, PG_free)) {
			check_violation(sim, 6, e->gfn + i, hva, e->pfn + i,
					"leaf maps a freed page");
			return;
		}
	}
}

/*
 * I17.  A valid cache's pfn is what its hva translates to now (no
 * invalidation of the hva since the pfn was published) and its kernel
 * mapping is of that pfn; that holds for HVA-only caches (gpa INVALID_GPA)
 * as for gpa-keyed ones.  A gpa-keyed cache whose memslots have not
 * changed must also cache the hva its gpa has; once they have changed,
 * kvm_gpc_check() fails on the generation and only the hva counts.
 */
static void check_gpc(struct kvmpfn_sim *sim, struct gfn_to_pfn_cache *gpc)
{
	bool by_gpa = !kvm_is_error_gpa(gpc->gpa);
	gfn_t gfn = by_gpa ? gpa_to_gfn(gpc->gpa) : 0;
	struct kvm_memory_slot *slot;
	struct kvmpfn_kmap *k;
	unsigned long pfn;

	if (!gpc->active || !gpc->valid || sim->kvm.mn_active_invalidate_count)
		return;
	if (!hpt_lookup(&sim->mm, gpc->uhva, NULL, &pfn) || pfn != gpc->pfn) {
		check_violation(sim, 17, gfn, gpc->uhva, gpc->pfn,
				"valid %s pfncache does not match the host translation",
				by_gpa ? "gpa" : "HVA-only");
		return;
	}
	k = kshim_kmap_at(sim, gpc->khva);
	if (!k || k->pfn != gpc->pfn)
		check_violation(sim, 17, gfn, gpc->uhva, gpc->pfn,
				"valid pfncache's kernel mapping is not of its pfn");
	if (!by_gpa) {
		if (gpc->memslot)
			check_violation(sim, 17, 0, gpc->uhva, gpc->pfn,
					"HVA-only pfncache refers to a memslot");
		return;
	}
	if (gpc->generation != kvm_memslots(&sim->kvm)->generation)
		return;
	slot = kvm_memslot_find(&sim->kvm, 0, gfn);
	if (!slot || (slot->flags & KVM_MEMSLOT_INVALID) ||
	    __gfn_to_hva_memslot(slot, gfn) != PAGE_ALIGN_DOWN(gpc->uhva))
		check_violation(sim, 17, gfn, gpc->uhva, gpc->pfn,
				"valid pfncache's hva is not its gpa's in the current memslots");
}

static void check_kmap(struct kvmpfn_sim *sim, struct kvmpfn_kmap *k)
{
	struct page *page = host_pfn_to_page(&sim->mm, k->pfn);
	int i;

	/* pfncache kernel mappings are notifier-protected; maps are not */
	for (i = 0; i < KVMPFN_MAX_GPC; i++)
		if (sim->gpc[i].active && sim->gpc[i].pfn == k->pfn)
			return;
	if (!page || !ref_owner(page)->kvm_refs)
		check_violation(sim, 19, 0, 0, k->pfn,
				"kernel mapping of a pfn KVM holds no reference on");
}

void check_touch(struct kvmpfn_sim *sim, int as_id, gfn_t start, gfn_t end)
{
	u32 i;

	if (sim->checks != KVMPFN_CHECKS_INCREMENTAL || sim->touched_all)
		return;
	for (i = 0; i < sim->nr_touched; i++) {
		if (sim->touched[i].as_id == as_id &&
		    start <= sim->touched[i].end && end >= sim->touched[i].start) {
			if (start < sim->touched[i].start)
				sim->touched[i].start = start;
			if (end > sim->touched[i].end)
				sim->touched[i].end = end;
			return;
		}
	}
	if (sim->nr_touched == KVMPFN_MAX_TOUCHED) {
		sim->touched_all = true;
		return;
	}
	sim->touched[sim->nr_touched].as_id = as_id;
	sim->touched[sim->nr_touched].start = start;
	sim->touched[sim->nr_touched].end = end;
	sim->nr_touched++;
}

void check_touch_all(struct kvmpfn_sim *sim)
{
	sim->touched_all = true;
}

/* Only the leaves the step could have affected. */
static void check_touched_leaves(struct kvmpfn_sim *sim)
{
	struct kvmpfn_leaf_view v;
	u32 i;
	gfn_t gfn;

	for (i = 0; i < sim->nr_touched; i++) {
		for (gfn = sim->touched[i].start; gfn < sim->touched[i].end; ) {
			if (sim->arch->lookup(sim, sim->touched[i].as_id, gfn,
					      &v)) {
				gfn++;
				continue;
			}
			check_leaf(sim, &v, NULL);
			gfn = v.gfn + leaf_pages(&v);
		}
	}
}

static void lock_left_held(struct kvmpfn_sim *sim, const char *what, int i)
{
	char name[40];

	if (i < 0)
		snprintf(name, sizeof(name), "%s", what);
	else
		snprintf(name, sizeof(name), "pfncache %d's %s", i, what);
	check_violation(sim, KVMPFN_WARN, 0, 0, 0,
			"%s still held at the end of a step", name);
}

/*
 * Every step is a complete KVM entry point, and the kernel's return to
 * userspace would catch a lock it still held: so must a step's end.
 */
static void check_locks_dropped(struct kvmpfn_sim *sim)
{
	struct kvm *kvm = &sim->kvm;
	u32 gpcs;
	int i;

	if (kshim_lock_held(&kvm->mmu_lock))
		lock_left_held(sim, "mmu_lock", -1);
	if (kshim_lock_held(&kvm->gpc_lock))
		lock_left_held(sim, "gpc_lock", -1);
	gpcs = gpcs_to_check(sim);
	for (i = 0; gpcs >> i; i++) {
		if (!(gpcs >> i & 1))
			continue;
		if (kshim_lock_held(&sim->gpc[i].lock))
			lock_left_held(sim, "lock", i);
		if (kshim_lock_held(&sim->gpc[i].refresh_lock))
			lock_left_held(sim, "refresh_lock", i);
	}
	if (sim->mm.task.kshim_atomic)
		check_violation(sim, KVMPFN_WARN, 0, 0, 0,
				"atomic context left at the end of a step (%d spinning locks)",
				sim->mm.task.kshim_atomic);
}

void check_step(struct kvmpfn_sim *sim)
{
	struct kvm *kvm = &sim->kvm;
	u32 gpcs;
	int j;

	if (sim->checks == KVMPFN_CHECKS_OFF) {
		/* nothing is judged, but the list must not grow without end */
		if (sim->nr_held > 64)
			held_prune(sim);
		return;
	}

	if (kvm->mmu_invalidate_in_progress < 0 ||
	    (!kvm->mn_active_invalidate_count &&
	     kvm->mmu_invalidate_in_progress))
		check_violation(sim, 8, 0, 0, 0,
				"mmu_invalidate_in_progress is %ld with %ld notifier(s) open",
				kvm->mmu_invalidate_in_progress,
				kvm->mn_active_invalidate_count);
	check_locks_dropped(sim);

	if (sim->tlb_stale)
		check_violation(sim, 6, 0, 0, 0,
				"zapped translations left in TLBs: no flush before the lock dropped");
	check_refs(sim);
	if (sim->checks == KVMPFN_CHECKS_FULL || sim->touched_all)
		sim->arch->for_each_leaf(sim, check_leaf, NULL);
	else
		check_touched_leaves(sim);
	/* the arch may use the touched list too */
	if (sim->arch->check)
		sim->arch->check(sim);
	sim->nr_touched = 0;
	sim->touched_all = false;
	gpcs = gpcs_to_check(sim);
	for (j = 0; gpcs >> j; j++)
		if (gpcs >> j & 1)
			check_gpc(sim, &sim->gpc[j]);
	if (!sim->nr_kmaps_live && incremental(sim))
		return;
	for (j = 0; j < KVMPFN_MAX_KMAPS; j++)
		if (sim->kmaps[j].live)
			check_kmap(sim, &sim->kmaps[j]);
}

void kvmpfn_report(struct kvmpfn_sim *sim, const struct kvmpfn_violation *v,
		   FILE *out)
{
	const struct kvm_memory_slot *slot;
	u32 n = 0, i, first;
	char name[48];

	if (v->id == KVMPFN_WARN)
		fprintf(out, "%s:%u: step %u: kernel warning: %s\n",
			v->file ? v->file : "-", v->line, v->step, v->msg);
	else
		fprintf(out, "%s:%u: step %u: violation I%d (%s): %s\n",
			v->file ? v->file : "-", v->line, v->step, v->id,
			catalogue[v->id - 1].text, v->msg);
	slot = v->gfn ? kvm_memslot_find(&sim->kvm, 0, v->gfn) : NULL;
	fprintf(out, "  gfn 0x%llx  hva 0x%llx  pfn 0x%llx",
		(unsigned long long)v->gfn,
		(unsigned long long)(v->hva ? v->hva :
				     slot ? __gfn_to_hva_memslot(slot, v->gfn) : 0),
		(unsigned long long)v->pfn);
	if (v->pfn && !kvmpfn_pfn_name(sim, v->pfn, name, sizeof(name)))
		fprintf(out, "  (%s)", name);
	fputc('\n', out);
	if (!v->pfn)
		return;

	first = sim->mm.ref_log_head > sim->mm.ref_log_cap ?
		sim->mm.ref_log_head - sim->mm.ref_log_cap : 0;
	for (i = first; i < sim->mm.ref_log_head; i++) {
		const struct kvmpfn_ref_event *e =
			&sim->mm.ref_log[i & (sim->mm.ref_log_cap - 1)];

		if (e->pfn != v->pfn)
			continue;
		if (!n++)
			fprintf(out, "  refcount history:\n");
		fprintf(out, "    step %-4u line %-4u %-13s count %d\n",
			e->step, e->line, host_ref_op_name(e->op), e->count);
	}
}
