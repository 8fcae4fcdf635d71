// SPDX-License-Identifier: GPL-2.0
/*
 * Host page frames: a sparse memory map of sections, allocations of any
 * order with the refcount layouts the kernel produces (folios, non-compound
 * higher-order blocks, reserved, ZONE_DEVICE, the zero page, pfns with no
 * struct page), and the reference-count event log.
 *
 * Pfns are never reused: a freed page stays PG_free for the rest of the
 * run, so a late access to it is still recognisable as one.
 *
 * Every allocation has an id (struct page.alloc_id), but anonymous 4K
 * pages, which host faults make by the million, share a description: a
 * run of them with consecutive ids and pfns is one extent
 * (struct kvmpfn_alloc_ext), so the host side of a page is its struct
 * page and its PTE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_mm.h"
#include "pool.h"

/* 2^18 pages (1 GiB) a section, so that a 1G folio fits in one. */
#define SECTION_SHIFT	18
#define SECTION_PAGES	(1UL << SECTION_SHIFT)
/* 128 sections: 128 GiB of host memory, room for a 64 GiB guest twice */
#define MAX_SECTIONS	128U
/* struct pages are allocated in chunks, when the pfns are handed out */
#define CHUNK_SHIFT	9
#define CHUNK_PAGES	(1UL << CHUNK_SHIFT)
#define CHUNKS		(SECTION_PAGES / CHUNK_PAGES)

_Static_assert(SECTION_SHIFT == HOST_SECTION_SHIFT &&
	       CHUNK_SHIFT == HOST_CHUNK_SHIFT && CHUNKS == HOST_CHUNKS,
	       "host_pfn_to_page() (host_mm.h) knows the memmap's layout");

/*
 * What a torn-down mm leaves to the next (pool.h): memmap chunks, and the
 * reference log at the size it had grown to.
 */
static _Thread_local struct kvmpfn_pool chunk_pool = {
	.size = CHUNK_PAGES * sizeof(struct page),
};
static _Thread_local struct kvmpfn_ref_event *spare_log;
static _Thread_local u32 spare_log_cap;

static int section_add(struct mm_struct *mm, bool with_pages)
{
	struct mem_section *s;

	if (mm->nr_sections >= MAX_SECTIONS)
		return -ENOMEM;
	s = realloc(mm->sections, (mm->nr_sections + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	mm->sections = s;
	memset(&s[mm->nr_sections], 0, sizeof(*s));
	s[mm->nr_sections].nostruct = !with_pages;
	return mm->nr_sections++;
}

/* A new chunk's pfns: a fixed-count fill, without fuzzing coverage. */
static __no_fuzz_cov void chunk_init(struct page *chunk, unsigned long c)
{
	unsigned long i;

	for (i = 0; i < CHUNK_PAGES; i++)
		chunk[i].pfn = (c << CHUNK_SHIFT) + i;
}

/* Give [pfn, pfn + n) struct pages; they start zeroed. */
static int memmap_populate(struct mm_struct *mm, unsigned long pfn,
			   unsigned long n)
{
	unsigned long c;

	for (c = pfn >> CHUNK_SHIFT; c <= (pfn + n - 1) >> CHUNK_SHIFT; c++) {
		struct mem_section *s = &mm->sections[c / CHUNKS];
		struct page **chunk = &s->chunk[c % CHUNKS];

		if (*chunk)
			continue;
		*chunk = pool_zalloc(&chunk_pool);
		if (!*chunk)
			return -ENOMEM;
		chunk_init(*chunk, c);
	}
	return 0;
}

const char *host_ref_op_name(enum kvmpfn_ref_op op)
{
	static const char *const names[] = {
		[REF_ALLOC] = "alloc",
		[REF_FREE] = "free",
		[REF_MAP] = "host-map",
		[REF_UNMAP] = "host-unmap",
		[REF_KVM_GET] = "kvm-get",
		[REF_KVM_PUT] = "kvm-put",
		[REF_KVM_DIRTY] = "kvm-dirty",
		[REF_KVM_ACCESSED] = "kvm-accessed",
		[REF_MIGRATE] = "migrate",
		[REF_HWPOISON] = "hwpoison",
	};

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}

/* bookkeeping of the log's storage: no fuzzing coverage (pages_init()) */
static __no_fuzz_cov void ref_log_put(struct mm_struct *mm, unsigned long pfn,
				      s32 count, enum kvmpfn_ref_op op)
{
	struct kvmpfn_ref_event *e;

	/* the log of a previous mm, already grown: entries past head unread */
	if (!mm->ref_log && spare_log) {
		mm->ref_log = spare_log;
		mm->ref_log_cap = spare_log_cap;
		spare_log = NULL;
	}
	/* grow to the ring's size as the history fills, then wrap */
	if (mm->ref_log_head == mm->ref_log_cap &&
	    mm->ref_log_cap < KVMPFN_REF_LOG) {
		u32 cap = mm->ref_log_cap ? 2 * mm->ref_log_cap : 256;

		e = realloc(mm->ref_log, cap * sizeof(*e));
		if (!e)
			return;
		mm->ref_log = e;
		mm->ref_log_cap = cap;
	}
	if (!mm->ref_log)
		return;
	e = &mm->ref_log[mm->ref_log_head++ & (mm->ref_log_cap - 1)];
	e->step = mm->step;
	e->line = mm->line;
	e->pfn = pfn;
	e->count = count;
	e->op = op;
}

void host_ref_log(struct mm_struct *mm, unsigned long pfn, s32 count,
		  enum kvmpfn_ref_op op)
{
	ref_log_put(mm, pfn, count, op);
}

static void page_mark_free(struct mm_struct *mm, struct page *p)
{
	if (kshim_page_flag(p, PG_free))
		return;
	p->flags = 1U << PG_free;
	host_ref_log(mm, host_page_to_pfn(mm, p), p->_refcount, REF_FREE);
}

/* The last reference is gone: the folio goes back to the allocator. */
static void folio_free(struct mm_struct *mm, struct page *head)
{
	unsigned long n, i;

	n = kshim_page_flag(head, PG_head) ? 1UL << head->order : 1;
	for (i = 0; i < n; i++)
		page_mark_free(mm, host_pfn_to_page(mm, head->pfn + i));
}

/*
 * Change the count that governs @page (its folio head's) and log it against
 * the page itself, so a history shows the subpage a reference was for.
 * Whoever drops the last reference frees the folio, as put_page() does.
 */
void host_page_ref(struct mm_struct *mm, struct page *page, int delta,
		   enum kvmpfn_ref_op op)
{
	struct page *head = host_folio_head(page);

	head->_refcount += delta;
	host_ref_log(mm, host_page_to_pfn(mm, page), head->_refcount, op);
	if (delta < 0 && !head->_refcount)
		folio_free(mm, head);
}

static struct kvmpfn_alloc_ext *ext_append(struct mm_struct *mm)
{
	struct kvmpfn_alloc_ext *v;

	/* geometric growth: one extent per allocation adds up */
	if (mm->nr_alloc_ext == mm->cap_alloc_ext) {
		u32 cap = mm->cap_alloc_ext ? 2 * mm->cap_alloc_ext : 64;

		v = realloc(mm->alloc_ext, cap * sizeof(*v));
		if (!v)
			return NULL;
		mm->alloc_ext = v;
		mm->cap_alloc_ext = cap;
	}
	return &mm->alloc_ext[mm->nr_alloc_ext++];
}

static int alloc_record(struct mm_struct *mm, struct kvmpfn_alloc *a)
{
	struct kvmpfn_alloc_ext *e = ext_append(mm);

	if (!e)
		return -ENOMEM;
	a->id = mm->nr_allocs++;
	e->first_id = a->id;
	e->n = 1;
	e->pfn = a->pfn;
	e->a = a;
	return 0;
}

/* An anonymous order-0 page at @pfn: the next id, in the run if it fits. */
static int anon_record(struct mm_struct *mm, unsigned long pfn, u32 *id)
{
	struct kvmpfn_alloc_ext *e = mm->nr_alloc_ext ?
		&mm->alloc_ext[mm->nr_alloc_ext - 1] : NULL;

	if (!e || e->a || e->pfn + e->n != pfn) {
		e = ext_append(mm);
		if (!e)
			return -ENOMEM;
		e->first_id = mm->nr_allocs;
		e->n = 0;
		e->pfn = pfn;
		e->a = NULL;
	}
	e->n++;
	*id = mm->nr_allocs++;
	return 0;
}

static void anon_describe(struct kvmpfn_alloc *buf, u32 id, unsigned long pfn)
{
	memset(buf, 0, sizeof(*buf));
	buf->id = id;
	buf->flags = KVMPFN_ALLOC_ANON;
	buf->pfn = pfn;
}

/* the extent holding @id: extents are in id order, without gaps */
static struct kvmpfn_alloc_ext *ext_of_id(struct mm_struct *mm, u32 id)
{
	u32 lo = 0, hi = mm->nr_alloc_ext;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (mm->alloc_ext[mid].first_id <= id)
			lo = mid;
		else
			hi = mid;
	}
	return &mm->alloc_ext[lo];
}

struct kvmpfn_alloc *host_alloc_by_id(struct mm_struct *mm, u32 id,
				      struct kvmpfn_alloc *buf, u32 *n)
{
	struct kvmpfn_alloc_ext *e = ext_of_id(mm, id);
	u32 i = id - e->first_id;

	if (n)
		*n = e->n - i;
	if (e->a)
		return e->a;
	anon_describe(buf, id, e->pfn + i);
	return buf;
}

/*
 * Give the first page of the anonymous run at extent @k a record of its
 * own, for a caller that keeps the pointer (and may free it).
 */
static struct kvmpfn_alloc *anon_promote(struct mm_struct *mm, u32 k)
{
	struct kvmpfn_alloc_ext *e;
	struct kvmpfn_alloc *a = malloc(sizeof(*a));

	if (!a || !ext_append(mm)) {
		free(a);
		return NULL;
	}
	e = &mm->alloc_ext[k];
	anon_describe(a, e->first_id, e->pfn);
	if (e->n == 1) {
		/* the run was one page: its extent becomes the record's */
		mm->nr_alloc_ext--;
		e->a = a;
		return a;
	}
	memmove(e + 1, e, (mm->nr_alloc_ext - 1 - k) * sizeof(*e));
	e->n = 1;
	e->a = a;
	e[1].first_id++;
	e[1].pfn++;
	e[1].n--;
	return a;
}

/*
 * Find @n aligned free pfns with (or without) struct pages.  Each kind
 * fills its current section, the one holding its last pfn (*next - 1),
 * and opens a new section when the range does not fit there.
 */
static int pfn_range_get(struct mm_struct *mm, unsigned long n, bool pages,
			 unsigned long *pfn)
{
	unsigned long *next = pages ? &mm->ram_next : &mm->io_next;
	unsigned long start = (*next + n - 1) & ~(n - 1);
	int sec;

	if (!*next || (start + n - 1) >> SECTION_SHIFT !=
		      (*next - 1) >> SECTION_SHIFT) {
		sec = section_add(mm, pages);
		if (sec < 0)
			return sec;
		start = (unsigned long)sec << SECTION_SHIFT;
	}
	*pfn = start;
	*next = start + n;
	return 0;
}

/*
 * The struct pages of a new allocation @a (populated, zeroed) and their
 * "alloc" events, page by page in pfn order: @pflags on every page, head
 * and tails if @compound, a count on every page if @each (device pages, a
 * pgmap, are each counted on their own), else on the first only (a
 * folio's count lives on its head; a non-compound block leaves its tails
 * at zero).  A bulk fill whose trip count is the order alone, which
 * host_alloc()'s branches see already: no fuzzing coverage, and one memmap
 * lookup a chunk rather than a page.
 */
static __no_fuzz_cov void pages_init(struct mm_struct *mm,
				     const struct kvmpfn_alloc *a, u32 pflags,
				     bool compound, bool each)
{
	unsigned long n = 1UL << a->order, i, pfn;
	struct page *head = NULL, *p = NULL;

	for (i = 0; i < n; i++) {
		pfn = a->pfn + i;
		if (!i || !(pfn & (CHUNK_PAGES - 1)))
			p = &mm->sections[pfn >> SECTION_SHIFT]
				.chunk[(pfn >> CHUNK_SHIFT) % CHUNKS]
				[pfn & (CHUNK_PAGES - 1)];
		else
			p++;
		if (!i)
			head = p;
		p->alloc_id = a->id;
		p->order = i ? 0 : a->order;
		p->flags |= pflags;
		if (compound) {
			p->flags |= 1U << (i ? PG_tail : PG_head);
			p->head = i ? head : NULL;
		}
		p->_refcount = !i || each;
		ref_log_put(mm, pfn, p->_refcount, REF_ALLOC);
	}
}

int host_alloc(struct mm_struct *mm, const char *name, unsigned int order,
	       u32 flags, struct kvmpfn_alloc **out)
{
	bool nostruct = flags & KVMPFN_ALLOC_NOSTRUCT;
	unsigned long n = 1UL << order;
	struct kvmpfn_alloc *a;
	int r;

	if (order > SECTION_SHIFT)
		return -EINVAL;
	if (nostruct && (flags & ~KVMPFN_ALLOC_NOSTRUCT))
		return -EINVAL;
	if (name && name[0] && host_alloc_find(mm, name))
		return -EEXIST;

	if (flags == KVMPFN_ALLOC_ANON && !order && !name) {
		/* described by its run (host_alloc_by_id), in mm->anon */
		a = &mm->anon;
		r = pfn_range_get(mm, 1, true, &a->pfn);
		if (!r)
			r = memmap_populate(mm, a->pfn, 1);
		if (!r)
			r = anon_record(mm, a->pfn, &a->id);
		if (r)
			return r;
		anon_describe(a, a->id, a->pfn);
	} else {
		a = calloc(1, sizeof(*a));
		if (!a)
			return -ENOMEM;
		r = pfn_range_get(mm, n, !nostruct, &a->pfn);
		if (!r && !nostruct)
			r = memmap_populate(mm, a->pfn, n);
		if (!r)
			r = alloc_record(mm, a);
		if (r) {
			free(a);
			return r;
		}
		a->order = order;
		a->flags = flags;
		if (name)
			snprintf(a->name, sizeof(a->name), "%s", name);
	}

	if (!nostruct) {
		u32 pflags = 0;

		if (flags & (KVMPFN_ALLOC_RESERVED | KVMPFN_ALLOC_ZERO |
			     KVMPFN_ALLOC_ZONE_DEVICE))
			pflags |= 1U << PG_reserved;
		if (flags & KVMPFN_ALLOC_ZONE_DEVICE)
			pflags |= 1U << PG_zone_device;
		pages_init(mm, a, pflags,
			   (flags & KVMPFN_ALLOC_COMPOUND) && order,
			   flags & KVMPFN_ALLOC_ZONE_DEVICE);
	}
	*out = a;
	return 0;
}

struct kvmpfn_alloc *host_alloc_find(struct mm_struct *mm, const char *name)
{
	u32 k;

	for (k = 0; k < mm->nr_alloc_ext; k++) {
		struct kvmpfn_alloc *a = mm->alloc_ext[k].a;

		if (a ? !strcmp(a->name, name) : !name[0])
			return a ? a : anon_promote(mm, k);
	}
	return NULL;
}

struct kvmpfn_alloc *host_alloc_of_pfn(struct mm_struct *mm,
				       unsigned long pfn,
				       struct kvmpfn_alloc *buf)
{
	struct page *p = host_pfn_to_page(mm, pfn);
	u32 k;

	if (p)
		return p->alloc_id < mm->nr_allocs ?
		       host_alloc_by_id(mm, p->alloc_id, buf, NULL) : NULL;
	for (k = 0; k < mm->nr_alloc_ext; k++) {
		struct kvmpfn_alloc_ext *e = &mm->alloc_ext[k];
		unsigned long n = e->a ? 1UL << e->a->order : e->n;

		if (pfn >= e->pfn && pfn < e->pfn + n)
			return host_alloc_by_id(mm, e->first_id +
					(e->a ? 0 : (u32)(pfn - e->pfn)), buf,
					NULL);
	}
	return NULL;
}

/*
 * The owner drops the reference it got from the allocator.  Pages nobody
 * else holds go back to the allocator; returns the number of pages that
 * stayed alive because someone still held them.
 */
int host_free(struct mm_struct *mm, struct kvmpfn_alloc *a)
{
	struct page *first;
	unsigned long i;
	int held = 0;

	if (a->freed)
		return -EINVAL;
	a->freed = true;
	if (a->flags & KVMPFN_ALLOC_NOSTRUCT)
		return 0;

	first = host_pfn_to_page(mm, a->pfn);
	host_page_ref(mm, first, -1, REF_FREE);
	held += !!first->_refcount;
	if (a->flags & KVMPFN_ALLOC_COMPOUND)
		return held;

	for (i = 1; i < (1UL << a->order); i++) {
		struct page *p = host_pfn_to_page(mm, a->pfn + i);

		/* device pages were counted one by one; block tails never */
		if (a->flags & KVMPFN_ALLOC_ZONE_DEVICE)
			host_page_ref(mm, p, -1, REF_FREE);
		else if (!p->_refcount)
			page_mark_free(mm, p);
		held += !!p->_refcount;
	}
	return held;
}

bool host_page_hwpoisoned(struct mm_struct *mm, unsigned long pfn)
{
	struct page *p = host_pfn_to_page(mm, pfn);

	return p && PageHWPoison(p);
}

int host_mm_init(struct mm_struct *mm)
{
	struct kvmpfn_alloc *zero;
	int r;

	memset(mm, 0, sizeof(*mm));
	mm->task.mm = mm;
	/* section 0 is RAM, and pfn 0 is never handed out */
	r = section_add(mm, true);
	if (r < 0)
		return r;
	mm->ram_next = 1;
	r = host_alloc(mm, "zero", 0, KVMPFN_ALLOC_ZERO, &zero);
	if (r)
		return r;
	mm->zero_pfn = zero->pfn;
	return 0;
}

__no_fuzz_cov void host_mm_destroy(struct mm_struct *mm)
{
	unsigned long c;
	u32 i;

	hpt_free_all(mm);
	for (i = 0; i < mm->nr_vmas; i++) {
		free(mm->vmas[i]->vm_backing);
		free(mm->vmas[i]);
	}
	free(mm->vmas);
	for (i = 0; i < mm->nr_alloc_ext; i++)
		free(mm->alloc_ext[i].a);
	free(mm->alloc_ext);
	for (i = 0; i < mm->nr_sections; i++)
		for (c = 0; c < CHUNKS; c++)
			pool_put(&chunk_pool, mm->sections[i].chunk[c]);
	free(mm->sections);
	if (mm->ref_log && !spare_log) {
		spare_log = mm->ref_log;
		spare_log_cap = mm->ref_log_cap;
	} else {
		free(mm->ref_log);
	}
	memset(mm, 0, sizeof(*mm));
}
