// SPDX-License-Identifier: GPL-2.0
/*
 * The step observer (<kvmpfn/observe.h>): the runner's session does the
 * work; after each operation line the observer snapshots what the step
 * did and the pages it observes.  Read-only on the simulator.
 */
#include <stdlib.h>
#include <string.h>

#include <kvmpfn/observe.h>

#include "kvm_model.h"
#include "lexer.h"
#include "scnutil.h"

static const char *const kind_names[KVMPFN_NR_KINDS] = {
	[KVMPFN_KIND_NONE] = "none",
	[KVMPFN_KIND_ANON] = "anon",
	[KVMPFN_KIND_FILE] = "file",
	[KVMPFN_KIND_PFNMAP_RC] = "pfnmap-refcounted",
	[KVMPFN_KIND_PFNMAP_RC0] = "pfnmap-refcount0",
	[KVMPFN_KIND_RESERVED] = "reserved",
	[KVMPFN_KIND_ZERO] = "zero",
	[KVMPFN_KIND_ZONE_DEVICE] = "zone-device",
	[KVMPFN_KIND_NOSTRUCT] = "nostruct",
};

const char *kvmpfn_obs_kind_name(enum kvmpfn_obs_kind kind)
{
	return (unsigned int)kind < KVMPFN_NR_KINDS ? kind_names[kind] : "?";
}

int scn_name_index(const char *const *names, unsigned int n,
		   const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -1;
}

int scn_on_file(const char *path, FILE *err,
		int (*fn)(const char *path, const char *buf, size_t len,
			  void *ctx),
		void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = scn_read_file(path, &buf, &len, err);

	if (rc)
		return rc;
	rc = fn(path, buf ? buf : "", len, ctx);
	free(buf);
	return rc;
}

int kvmpfn_obs_kind_parse(const char *name, enum kvmpfn_obs_kind *kind)
{
	int i = scn_name_index(kind_names, KVMPFN_NR_KINDS, name);

	if (i < 0)
		return -EINVAL;
	*kind = (enum kvmpfn_obs_kind)i;
	return 0;
}

/* A pfn range a second-stage leaf maps, with what backs its gfn. */
struct obs_range {
	unsigned long pfn;
	unsigned long n;
	unsigned int since;	/* the line of the step it appeared at */
	bool refcounted;	/* rewritten in place when this changes */
	s8 backing;		/* enum kvmpfn_backing, -1: unknown */
};

/* A page without a name that a leaf mapped once: observed from then on. */
struct obs_extra {
	unsigned long pfn;
	s8 backing;
};

struct kvmpfn_observer {
	struct kvmpfn_session *s;
	struct kvmpfn_sim *sim;
	const struct kvmpfn_run_opts *opts;
	struct kvmpfn_obs *obs;
	unsigned int cap;		/* steps allocated */
	unsigned int lineno;
	bool nomem;
	/* the gfn each vCPU's fault_begin asked for */
	u64 begun[KVMPFN_MAX_VCPUS];
	/* ... and the kind of page it found there */
	enum kvmpfn_obs_kind begun_kind[KVMPFN_MAX_VCPUS];
	struct obs_range *rng;
	unsigned int nrng, caprng;
	/* the step before's, for when each leaf appeared */
	struct obs_range *prng;
	unsigned int nprng, capprng;
	struct obs_extra *extra;
	unsigned int nextra, capextra;
	/* backing learned per named page, kept sorted like extra */
	struct obs_extra *named;
	unsigned int nnamed, capnamed;
};

static enum kvmpfn_op op_kind(const char *word)
{
	unsigned int i;

	for (i = 0; i < KVMPFN_OP_OTHER; i++)
		if (!strcmp(word, kvmpfn_op_name((enum kvmpfn_op)i)))
			return (enum kvmpfn_op)i;
	return KVMPFN_OP_OTHER;
}

/* A scenario number (decimal, 0x hex, K/M/G suffix); false if not one. */
static bool scn_number(const char *s, u64 *v)
{
	char *end;
	unsigned long long n;

	if (*s < '0' || *s > '9')
		return false;
	n = strtoull(s, &end, !strncmp(s, "0x", 2) || !strncmp(s, "0X", 2) ?
			       16 : 10);
	if (*end == 'K')
		n <<= 10, end++;
	else if (*end == 'M')
		n <<= 20, end++;
	else if (*end == 'G')
		n <<= 30, end++;
	*v = n;
	return !*end;
}

static const char *tok_val(const struct scn_line *ln, const char *key)
{
	int i;

	for (i = 1; i < ln->ntok; i++)
		if (!strcmp(ln->tok[i].key, key))
			return ln->tok[i].val;
	return NULL;
}

/* ---- page kinds -------------------------------------------------------- */

static enum kvmpfn_obs_kind kind_of(struct kvmpfn_sim *sim, u64 pfn,
				    const struct kvmpfn_page_state *st,
				    int backing, bool named)
{
	if (!st->has_page)
		return KVMPFN_KIND_NOSTRUCT;
	if (pfn == sim->mm.zero_pfn)
		return KVMPFN_KIND_ZERO;
	if (st->zone_device)
		return KVMPFN_KIND_ZONE_DEVICE;
	if (st->reserved)
		return KVMPFN_KIND_RESERVED;
	if (backing < 0)
		backing = named ? KVMPFN_BACK_FILE : KVMPFN_BACK_ANON;
	switch (backing) {
	case KVMPFN_BACK_ANON:
		return KVMPFN_KIND_ANON;
	case KVMPFN_BACK_FILE:
		return KVMPFN_KIND_FILE;
	default:
		return st->refcount || st->freed ? KVMPFN_KIND_PFNMAP_RC :
						   KVMPFN_KIND_PFNMAP_RC0;
	}
}

/* What backs the host address of @gfn (address space 0), -1 if nothing. */
static int gfn_backing(struct kvmpfn_sim *sim, u64 gfn, unsigned long *hva)
{
	struct kvm_memory_slot *slot = kvm_memslot_find(&sim->kvm, 0, gfn);
	struct vm_area_struct *vma;

	if (!slot)
		return -1;
	*hva = slot->userspace_addr + (gfn - slot->base_gfn) * PAGE_SIZE;
	vma = host_vma_find(&sim->mm, *hva);
	if (!vma || !vma->vm_backing)
		return -1;
	return (int)vma->vm_backing->kind;
}

/* ---- the pages a step observes ------------------------------------------ */

static int grow(void **v, unsigned int *cap, unsigned int need, size_t size)
{
	void *n;
	unsigned int c;

	if (need <= *cap)
		return 0;
	c = *cap ? 2 * *cap : 16;
	if (c < need)
		c = need;
	n = realloc(*v, (size_t)c * size);
	if (!n)
		return -ENOMEM;
	*v = n;
	*cap = c;
	return 0;
}

/* Insert or update @pfn in a pfn-sorted set; a known backing wins. */
static int set_note(struct obs_extra **v, unsigned int *n, unsigned int *cap,
		    unsigned long pfn, s8 backing, bool add)
{
	unsigned int lo = 0, hi = *n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if ((*v)[mid].pfn == pfn) {
			if (backing >= 0)
				(*v)[mid].backing = backing;
			return 0;
		}
		if ((*v)[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!add || *n >= KVMPFN_OBS_MAX_PAGES)
		return 0;
	if (grow((void **)v, cap, *n + 1, sizeof(**v)))
		return -ENOMEM;
	memmove(&(*v)[lo + 1], &(*v)[lo], (*n - lo) * sizeof(**v));
	(*v)[lo].pfn = pfn;
	(*v)[lo].backing = backing;
	(*n)++;
	return 0;
}

static const struct obs_extra *set_find(const struct obs_extra *v,
					unsigned int n, unsigned long pfn)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (v[mid].pfn == pfn)
			return &v[mid];
		if (v[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void leaf_range(struct kvmpfn_sim *sim,
		       const struct kvmpfn_leaf_view *v, void *ctx)
{
	struct kvmpfn_observer *o = ctx;
	unsigned long hva;

	if (!v->present || v->as_id || is_error_noslot_pfn(v->pfn) ||
	    grow((void **)&o->rng, &o->caprng, o->nrng + 1, sizeof(*o->rng))) {
		o->nomem |= v->present && !v->as_id &&
			    !is_error_noslot_pfn(v->pfn);
		return;
	}
	o->rng[o->nrng].pfn = v->pfn;
	o->rng[o->nrng].n = 1UL << (9 * (v->level - 1));
	o->rng[o->nrng].refcounted = v->refcounted;
	o->rng[o->nrng].backing = (s8)gfn_backing(sim, v->gfn, &hva);
	o->nrng++;
}

static int rng_cmp(const void *a, const void *b)
{
	const struct obs_range *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static const struct obs_range *rng_find(const struct kvmpfn_observer *o,
					unsigned long pfn)
{
	unsigned int lo = 0, hi = o->nrng;

	/* the last range starting at or below pfn; ranges do not overlap */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (o->rng[mid].pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && pfn < o->rng[lo - 1].pfn + o->rng[lo - 1].n)
		return &o->rng[lo - 1];
	return NULL;
}

/*
 * A leaf the step before had keeps its line; a new one gets this step's,
 * and so does one rewritten in place as refcounted or not (v7's x86 fault
 * on a tail page under the head's huge leaf).
 */
static void note_since(struct kvmpfn_observer *o)
{
	unsigned int i, j = 0;

	for (i = 0; i < o->nrng; i++) {
		struct obs_range *r = &o->rng[i];

		while (j < o->nprng && o->prng[j].pfn < r->pfn)
			j++;
		r->since = o->lineno;
		if (j < o->nprng && o->prng[j].pfn == r->pfn &&
		    o->prng[j].n == r->n &&
		    o->prng[j].refcounted == r->refcounted)
			r->since = o->prng[j].since;
	}
}

/* Take in the leaves: unnamed pages join the extras, backings are noted. */
static int note_leaves(struct kvmpfn_observer *o)
{
	struct kvmpfn_sim *sim = o->sim;
	unsigned int i;

	o->nrng = 0;
	kvm_ctx_enter(sim);
	sim->arch->for_each_leaf(sim, leaf_range, o);
	kvm_ctx_leave(sim);
	if (o->nomem)
		return -ENOMEM;
	if (o->nrng > 1)
		qsort(o->rng, o->nrng, sizeof(*o->rng), rng_cmp);
	note_since(o);
	if (grow((void **)&o->prng, &o->capprng, o->nrng, sizeof(*o->prng)))
		return -ENOMEM;
	if (o->nrng)
		memcpy(o->prng, o->rng, o->nrng * sizeof(*o->rng));
	o->nprng = o->nrng;
	for (i = 0; i < o->nrng; i++) {
		const struct obs_range *r = &o->rng[i];
		unsigned long j;

		for (j = 0; j < r->n && j < KVMPFN_OBS_MAX_PAGES; j++) {
			struct kvmpfn_alloc buf, *a;
			int e;

			a = host_alloc_of_pfn(&sim->mm, r->pfn + j, &buf);
			if (!a)
				continue;
			if (a == &buf || !a->name[0])
				e = set_note(&o->extra, &o->nextra,
					     &o->capextra, r->pfn + j,
					     r->backing, true);
			else
				e = set_note(&o->named, &o->nnamed,
					     &o->capnamed, r->pfn + j,
					     r->backing, true);
			if (e)
				return e;
		}
	}
	return 0;
}

/*
 * The kind of the page the step's gfn leads to, from the host PTE (else
 * what the VMA would give); an unnamed page there is observed from now on.
 */
static enum kvmpfn_obs_kind step_page(struct kvmpfn_observer *o, u64 gfn,
				      unsigned long *hvap, uint64_t *pfnp,
				      bool *nomem)
{
	struct kvmpfn_sim *sim = o->sim;
	struct kvmpfn_alloc buf, *a;
	struct kvmpfn_page_state st;
	unsigned long hva = 0;
	int b = gfn_backing(sim, gfn, &hva);
	uint64_t pfn;
	bool w;

	*hvap = hva;
	if (b < 0)
		return KVMPFN_KIND_NONE;
	if (kvmpfn_host_translate(sim, hva, &pfn, &w) ||
	    kvmpfn_page_state(sim, pfn, &st)) {
		/* not populated yet: the VMA says what it would be */
		return b == KVMPFN_BACK_ANON ? KVMPFN_KIND_ANON :
		       b == KVMPFN_BACK_FILE ? KVMPFN_KIND_FILE :
					       KVMPFN_KIND_NONE;
	}
	*pfnp = pfn;
	a = host_alloc_of_pfn(&sim->mm, pfn, &buf);
	if (a && (a == &buf || !a->name[0]) &&
	    set_note(&o->extra, &o->nextra, &o->capextra, pfn, (s8)b, true))
		*nomem = true;
	return kind_of(sim, pfn, &st, b, a && a != &buf && a->name[0]);
}

/* "NAME+INDEX" without printf: a step names every page it observes */
static void name_index(char buf[KVMPFN_OBS_NAME], const char *name,
		       unsigned long idx)
{
	char digits[24];
	size_t n = strlen(name), d = 0;

	if (n > KVMPFN_OBS_NAME - 2)
		n = KVMPFN_OBS_NAME - 2;
	memcpy(buf, name, n);
	buf[n++] = '+';
	do {
		digits[d++] = (char)('0' + idx % 10);
		idx /= 10;
	} while (idx);
	while (d && n < KVMPFN_OBS_NAME - 1)
		buf[n++] = digits[--d];
	buf[n] = '\0';
}

/* @a: the named allocation the page is of, NULL for an unnamed page */
static void fill_page(struct kvmpfn_observer *o, struct kvmpfn_obs_page *p,
		      unsigned long pfn, const struct kvmpfn_alloc *a,
		      int backing)
{
	const struct obs_range *r;
	struct kvmpfn_page_state st;

	memset(p, 0, sizeof(*p));
	p->pfn = pfn;
	p->folio = pfn;
	if (a)
		name_index(p->name, a->name, pfn - a->pfn);
	else if (pfn == o->sim->mm.zero_pfn)
		snprintf(p->name, sizeof(p->name), "zero");
	else
		snprintf(p->name, sizeof(p->name), "anon:0x%lx", pfn);
	r = rng_find(o, pfn);
	if (a && !host_pfn_to_page(&o->sim->mm, pfn)) {
		/* no struct page: nothing to read, nor to look up */
		p->mapped = r != NULL;
		p->mapped_since = r ? r->since : 0;
		p->kind = KVMPFN_KIND_NOSTRUCT;
		return;
	}
	if (kvmpfn_page_state(o->sim, pfn, &st))
		return;
	p->refcount = st.refcount;
	p->kvm_refs = st.kvm_refs;
	p->has_page = st.has_page;
	p->dirty = st.dirty;
	p->accessed = st.accessed;
	p->freed = st.freed;
	p->mapped = r != NULL;
	p->mapped_since = r ? r->since : 0;
	p->kind = kind_of(o->sim, pfn, &st, backing, a != NULL);
	if (st.has_page)
		p->folio = host_page_to_pfn(&o->sim->mm,
				host_folio_head(host_pfn_to_page(&o->sim->mm,
								 pfn)));
}

/* What a VMA mapping allocation @a is backed as, -1 if none maps it. */
static int alloc_backing(struct mm_struct *mm, const struct kvmpfn_alloc *a)
{
	u32 i;

	for (i = 0; i < mm->nr_vmas; i++) {
		const struct kvmpfn_mapping *b = mm->vmas[i]->vm_backing;

		if (b && b->alloc == a)
			return (int)b->kind;
	}
	return -1;
}

static int page_cmp(const void *a, const void *b)
{
	const struct kvmpfn_obs_page *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/* Room for the step's pages, counted first so that it is one allocation. */
static unsigned int count_pages(struct kvmpfn_observer *o)
{
	struct mm_struct *mm = &o->sim->mm;
	unsigned long n = o->nextra;
	u32 i, same;

	for (i = 0; i < mm->nr_allocs; i += same) {
		struct kvmpfn_alloc buf, *a = host_alloc_by_id(mm, i, &buf,
							       &same);

		if (a == &buf || !a->name[0])
			continue;
		same = 1;
		n += 1UL << a->order;
	}
	return n < KVMPFN_OBS_MAX_PAGES ? (unsigned int)n :
					  KVMPFN_OBS_MAX_PAGES;
}

/* The unnamed pages below @pfn not taken yet; *@x: the next to take. */
static void take_extras(struct kvmpfn_observer *o, struct kvmpfn_obs_step *st,
			unsigned int *x, unsigned long below, unsigned int cap)
{
	for (; *x < o->nextra && o->extra[*x].pfn < below; (*x)++) {
		if (st->npages == cap) {
			st->pages_cut = true;
			return;
		}
		fill_page(o, &st->pages[st->npages++], o->extra[*x].pfn, NULL,
			  o->extra[*x].backing);
	}
}

static int snap_pages(struct kvmpfn_observer *o, struct kvmpfn_obs_step *st)
{
	struct mm_struct *mm = &o->sim->mm;
	unsigned int cap, x = 0, i, same;
	int e = note_leaves(o);

	if (e)
		return e;
	cap = count_pages(o);
	if (!cap)
		return 0;
	st->pages = malloc(cap * sizeof(*st->pages));
	if (!st->pages)
		return -ENOMEM;
	/* allocations come in pfn order mostly: the extras go in between */
	for (i = 0; i < mm->nr_allocs; i += same) {
		struct kvmpfn_alloc buf, *a = host_alloc_by_id(mm, i, &buf,
							       &same);
		unsigned long j, pages;
		int backing;

		if (a == &buf || !a->name[0])
			continue;
		same = 1;
		take_extras(o, st, &x, a->pfn, cap);
		backing = alloc_backing(mm, a);
		pages = 1UL << a->order;
		for (j = 0; j < pages; j++) {
			const struct obs_extra *k;

			if (st->npages == cap) {
				st->pages_cut = true;
				break;
			}
			k = set_find(o->named, o->nnamed, a->pfn + j);
			fill_page(o, &st->pages[st->npages++], a->pfn + j, a,
				  k && k->backing >= 0 ? k->backing : backing);
		}
	}
	take_extras(o, st, &x, ~0UL, cap);
	for (i = 1; i < st->npages; i++) {
		if (st->pages[i - 1].pfn > st->pages[i].pfn) {
			qsort(st->pages, st->npages, sizeof(*st->pages),
			      page_cmp);
			break;
		}
	}
	return 0;
}

const struct kvmpfn_obs_page *
kvmpfn_obs_page_of(const struct kvmpfn_obs_step *step, uint64_t pfn)
{
	unsigned int lo = 0, hi = step->npages;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (step->pages[mid].pfn == pfn)
			return &step->pages[mid];
		if (step->pages[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- steps ------------------------------------------------------------- */

static int snap_viol(struct kvmpfn_observer *o, struct kvmpfn_obs_step *st,
		     unsigned int first)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(o->sim, &v), i;

	if (n <= first)
		return 0;
	st->viol = calloc(n - first, sizeof(*st->viol));
	if (!st->viol)
		return -ENOMEM;
	for (i = first; i < n; i++) {
		struct kvmpfn_obs_viol *d = &st->viol[st->nviol++];

		d->id = v[i].id;
		d->gfn = v[i].gfn;
		d->pfn = v[i].pfn;
		memcpy(d->msg, v[i].msg, sizeof(d->msg));
		d->msg[sizeof(d->msg) - 1] = '\0';
	}
	return 0;
}

static int record_step(struct kvmpfn_observer *o, const struct scn_line *ln,
		       const char *text, size_t len, unsigned int steps_before,
		       unsigned int viol_before)
{
	struct kvmpfn_obs *obs = o->obs;
	struct kvmpfn_obs_step *st;
	const char *g = tok_val(ln, "gfn"), *vc = tok_val(ln, "vcpu");
	const char *id = tok_val(ln, "id"), *h = tok_val(ln, "hva");
	const char *size = tok_val(ln, "size");
	u64 vcpu = 0, map, n;

	if (grow((void **)&obs->steps, &o->cap, obs->nsteps + 1,
		 sizeof(*obs->steps)))
		return -ENOMEM;
	st = &obs->steps[obs->nsteps++];
	memset(st, 0, sizeof(*st));
	st->line = o->lineno;
	st->op = op_kind(ln->tok[0].val);
	if (len >= KVMPFN_OBS_TEXT)
		len = KVMPFN_OBS_TEXT - 1;
	snprintf(st->text, sizeof(st->text), "%.*s", (int)len, text);
	st->ret = kvmpfn_session_result(o->s);
	if (vc && (!scn_number(vc, &vcpu) || vcpu >= KVMPFN_MAX_VCPUS))
		vcpu = 0;
	st->has_gfn = g && scn_number(g, &st->gfn);
	/* a begin that failed (EBUSY: one in flight already) starts none */
	if (st->op == KVMPFN_OP_FAULT_BEGIN && st->has_gfn && !st->ret)
		o->begun[vcpu] = st->gfn;
	if (st->op == KVMPFN_OP_FAULT_FINISH) {
		st->gfn = o->begun[vcpu];
		st->has_gfn = true;
	}
	st->is_fault = st->op == KVMPFN_OP_FAULT ||
		       st->op == KVMPFN_OP_FAULT_BEGIN ||
		       st->op == KVMPFN_OP_FAULT_FINISH;
	st->vcpu = (unsigned int)vcpu;
	st->map = -1;
	if ((st->op == KVMPFN_OP_VCPU_MAP || st->op == KVMPFN_OP_VCPU_UNMAP) &&
	    id && scn_number(id, &map) && map < 32)
		st->map = (int)map;
	if (!st->has_gfn && h && scn_number(h, &st->hva)) {
		st->hva_end = st->hva + PAGE_SIZE;
		if (size && scn_number(size, &n) && n &&
		    st->hva + n > st->hva)
			st->hva_end = st->hva + n;
	}
	if (st->has_gfn) {
		struct kvmpfn_leaf leaf;
		unsigned long hva;
		uint64_t pfn = ~0ULL;
		bool nomem = false;

		st->kind = step_page(o, st->gfn, &hva, &pfn, &nomem);
		if (nomem)
			return -ENOMEM;
		st->has_page_pfn = pfn != ~0ULL;
		st->page_pfn = pfn;
		if (hva) {
			st->hva = hva;
			st->hva_end = hva + PAGE_SIZE;
		}
		/* a finish whose memslot went meanwhile: the begin's page */
		if (st->op == KVMPFN_OP_FAULT_FINISH) {
			st->begin_kind = o->begun_kind[vcpu];
			if (!st->kind)
				st->kind = st->begin_kind;
		}
		if (st->op == KVMPFN_OP_FAULT_BEGIN && !st->ret)
			o->begun_kind[vcpu] = st->kind;
		if (st->is_fault && st->op != KVMPFN_OP_FAULT_BEGIN &&
		    !st->ret && !kvmpfn_leaf(o->sim, 0, st->gfn, &leaf)) {
			st->mapped = true;
			st->pfn = leaf.pfn;
			st->level = leaf.level;
			st->writable = leaf.writable;
			st->refcounted = leaf.refcounted;
		}
	}
	/* a line that ran no operation left the last one's counts */
	if (kvmpfn_sim_steps(o->sim) != steps_before)
		kvmpfn_step_refs(o->sim, &st->gets, &st->puts);
	st->host_installs = o->sim->mm.pte_installs;
	if (snap_viol(o, st, viol_before))
		return -ENOMEM;
	return snap_pages(o, st);
}

struct kvmpfn_observer *
kvmpfn_observer_create(const char *path, const struct kvmpfn_run_opts *opts,
		       FILE *out, FILE *err)
{
	struct kvmpfn_observer *o;

	if (!path || !opts || !out || !err)
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->obs = calloc(1, sizeof(*o->obs));
	o->opts = opts;
	if (o->obs)
		o->s = kvmpfn_session_create(path, opts, out, err);
	if (!o->s) {
		free(o->obs);
		free(o);
		return NULL;
	}
	o->sim = kvmpfn_session_sim(o->s);
	o->obs->stage = opts->stage;
	o->obs->arch = opts->arch;
	return o;
}

int kvmpfn_observer_line(struct kvmpfn_observer *o, const char *text,
			 size_t len)
{
	struct scn_line ln;
	unsigned int steps, viol;
	const struct kvmpfn_violation *v;
	char msg[96];
	bool op;
	int rc, col;

	if (o->obs->rc)
		return o->obs->rc;
	o->lineno++;
	op = !scn_lex(text, len, (int)o->lineno, &ln, &col, msg, sizeof(msg)) &&
	     ln.ntok && !ln.tok[0].key[0] && strcmp(ln.tok[0].val, "expect") &&
	     strcmp(ln.tok[0].val, "differs");
	steps = kvmpfn_sim_steps(o->sim);
	viol = kvmpfn_violations(o->sim, &v);
	rc = kvmpfn_session_line(o->s, text, len);
	if (rc) {
		o->obs->bad_line = o->lineno;
		return o->obs->rc = rc;
	}
	if (op && record_step(o, &ln, text, len, steps, viol))
		return o->obs->rc = -ENOMEM;
	return 0;
}

int kvmpfn_observer_finish(struct kvmpfn_observer *o, struct kvmpfn_obs **obsp)
{
	struct kvmpfn_obs *obs = o->obs;
	unsigned int i, j, k = 0;
	int rc;

	/* which violations an expectation claimed is known only now */
	for (i = 0; i < obs->nsteps; i++)
		for (j = 0; j < obs->steps[i].nviol; j++)
			obs->steps[i].viol[j].expected =
				kvmpfn_session_expected(o->s, k++);
	rc = kvmpfn_session_finish(o->s, &obs->stats);
	free(o->rng);
	free(o->prng);
	free(o->extra);
	free(o->named);
	if (obs->rc == -ENOMEM) {
		kvmpfn_obs_free(obs);
		free(o);
		*obsp = NULL;
		return -ENOMEM;
	}
	if (!obs->rc)
		obs->rc = rc;
	free(o);
	*obsp = obs;
	return 0;
}

/* A run that could not start: a verdict, not an error. */
static int obs_unstarted(const struct kvmpfn_run_opts *opts,
			 struct kvmpfn_obs **obsp)
{
	*obsp = calloc(1, sizeof(**obsp));
	if (!*obsp)
		return -ENOMEM;
	(*obsp)->stage = opts->stage;
	(*obsp)->arch = opts->arch;
	(*obsp)->rc = KVMPFN_EXIT_USAGE;
	return 0;
}

static int observer_line(void *o, const char *text, size_t n)
{
	return kvmpfn_observer_line(o, text, n);
}

int kvmpfn_observe_buffer(const char *path, const char *buf, size_t len,
			  const struct kvmpfn_run_opts *opts, FILE *out,
			  FILE *err, struct kvmpfn_obs **obsp)
{
	struct kvmpfn_observer *o;

	if (!path || (!buf && len) || !opts || !out || !err || !obsp)
		return -EINVAL;
	*obsp = NULL;
	o = kvmpfn_observer_create(path, opts, out, err);
	if (!o)
		return obs_unstarted(opts, obsp);
	scn_each_line(buf, len, observer_line, o);
	return kvmpfn_observer_finish(o, obsp);
}

struct observe_file {
	const struct kvmpfn_run_opts *opts;
	FILE *out, *err;
	struct kvmpfn_obs **obsp;
	bool read;		/* the file was read */
};

static int observe_text(const char *path, const char *buf, size_t len,
			void *ctx)
{
	struct observe_file *f = ctx;

	f->read = true;
	return kvmpfn_observe_buffer(path, buf, len, f->opts, f->out, f->err,
				     f->obsp);
}

int kvmpfn_observe_file(const char *path, const struct kvmpfn_run_opts *opts,
			FILE *out, FILE *err, struct kvmpfn_obs **obsp)
{
	struct observe_file f = { opts, out, err, obsp, false };
	int rc;

	if (!path || !opts || !out || !err || !obsp)
		return -EINVAL;
	*obsp = NULL;
	rc = scn_on_file(path, err, observe_text, &f);
	return f.read ? rc : obs_unstarted(opts, obsp);
}

void kvmpfn_obs_free(struct kvmpfn_obs *obs)
{
	unsigned int i;

	if (!obs)
		return;
	for (i = 0; i < obs->nsteps; i++) {
		free(obs->steps[i].viol);
		free(obs->steps[i].pages);
	}
	free(obs->steps);
	free(obs);
}
