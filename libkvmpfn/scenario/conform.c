// SPDX-License-Identifier: GPL-2.0
/*
 * Differential conformance (<kvmpfn/conform.h>): two sessions, the model
 * stage and the kernel-built one, fed the same lines; after each line the
 * observable state of the two simulators is snapshotted and compared.
 * Both start from the same host model, so pfns, gfns and allocation names
 * are the same on both sides and can be compared as numbers.
 */
#include <stdlib.h>
#include <string.h>

#include <kvmpfn/conform.h>
#include <kvmpfn/scenario.h>

#include "kvm_model.h"
#include "lexer.h"

/* One struct page event of the step: (pfn, op) with how often and the
 * count the page was left with. */
struct cf_event {
	unsigned long pfn;
	u8 op;
	u32 times;
	s32 count;
};

struct cf_leaf {
	u8 as_id, level;
	bool writable, refcounted, accessed, dirty;
	gfn_t gfn;
	kvm_pfn_t pfn;
};

struct cf_side {
	const char *name;		/* the stage's name */
	struct kvmpfn_session *s;
	struct kvmpfn_sim *sim;
	u32 log_seen;			/* ref log entries already compared */
	u32 step_events;		/* the step's events, all of them */
	unsigned int viol_seen;
	struct cf_event *ev;
	size_t nev, cap_ev;
	struct cf_leaf *leaf;
	size_t nleaf, cap_leaf;
	bool oom;
};

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 64;
	nv = realloc(*v, c * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

static int ev_cmp(const void *a, const void *b)
{
	const struct cf_event *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return (int)x->op - (int)y->op;
}

static int ev_order(const void *a, const void *b)
{
	const struct cf_event *x = a, *y = b;
	int d = ev_cmp(a, b);

	/* times holds the event's position in the log until folded */
	return d ? d : x->times < y->times ? -1 : x->times > y->times;
}

/*
 * The step's events, folded per (pfn, op): the order in which one step
 * takes and drops references is not behaviour, the net effect and the
 * count it leaves are.  Sorted, then folded: a step may touch a whole
 * 1G folio.
 */
static void snap_events(struct cf_side *d)
{
	struct mm_struct *mm = &d->sim->mm;
	u32 first = d->log_seen, i;
	size_t n = 0, j, out = 0;

	/* past the ring's size only the count of the rest is compared */
	d->step_events = mm->ref_log_head - first;
	if (mm->ref_log_head - first > mm->ref_log_cap)
		first = mm->ref_log_head - mm->ref_log_cap;
	for (i = first; i < mm->ref_log_head; i++) {
		const struct kvmpfn_ref_event *e =
			&mm->ref_log[i & (mm->ref_log_cap - 1)];

		if (grow((void **)&d->ev, &d->cap_ev, n, sizeof(*d->ev))) {
			d->oom = true;
			break;
		}
		d->ev[n++] = (struct cf_event){ .pfn = e->pfn, .op = e->op,
						.times = i - first,
						.count = e->count };
	}
	d->log_seen = mm->ref_log_head;
	if (n > 1)
		qsort(d->ev, n, sizeof(*d->ev), ev_order);
	for (j = 0; j < n; j++) {
		if (out && !ev_cmp(&d->ev[out - 1], &d->ev[j])) {
			d->ev[out - 1].times++;
			d->ev[out - 1].count = d->ev[j].count;
			continue;
		}
		d->ev[out] = d->ev[j];
		d->ev[out++].times = 1;
	}
	d->nev = out;
}

static void add_leaf(struct kvmpfn_sim *sim,
		     const struct kvmpfn_leaf_view *v, void *ctx)
{
	struct cf_side *d = ctx;

	(void)sim;
	if (!v->present)
		return;
	if (grow((void **)&d->leaf, &d->cap_leaf, d->nleaf,
		 sizeof(*d->leaf))) {
		d->oom = true;
		return;
	}
	d->leaf[d->nleaf++] = (struct cf_leaf){
		.as_id = v->as_id, .level = v->level, .writable = v->writable,
		.refcounted = v->refcounted, .accessed = v->accessed,
		.dirty = v->dirty, .gfn = v->gfn, .pfn = v->pfn,
	};
}

static int leaf_cmp(const void *a, const void *b)
{
	const struct cf_leaf *x = a, *y = b;

	if (x->as_id != y->as_id)
		return (int)x->as_id - (int)y->as_id;
	if (x->gfn != y->gfn)
		return x->gfn < y->gfn ? -1 : 1;
	return 0;
}

static void snap_leaves(struct cf_side *d)
{
	d->nleaf = 0;
	kvm_ctx_enter(d->sim);
	d->sim->arch->for_each_leaf(d->sim, add_leaf, d);
	kvm_ctx_leave(d->sim);
	if (d->nleaf > 1)
		qsort(d->leaf, d->nleaf, sizeof(*d->leaf), leaf_cmp);
}

struct cf_run {
	const char *path;
	const struct kvmpfn_conform_opts *o;
	FILE *out;
	struct cf_side side[2];
	unsigned int line;
	const char *text;
	size_t text_len;
	bool diverged;
	unsigned long shown[8];		/* pfns whose history was printed */
	int nshown;
};

static void page_history(struct cf_run *c, unsigned long pfn)
{
	int k;

	for (k = 0; k < c->nshown; k++)
		if (c->shown[k] == pfn)
			return;
	if (c->nshown < (int)(sizeof(c->shown) / sizeof(c->shown[0])))
		c->shown[c->nshown++] = pfn;

	for (k = 0; k < 2; k++) {
		struct mm_struct *mm = &c->side[k].sim->mm;
		u32 i, first = mm->ref_log_head > mm->ref_log_cap ?
			       mm->ref_log_head - mm->ref_log_cap : 0;
		char name[48] = "";

		kvmpfn_pfn_name(c->side[k].sim, pfn, name, sizeof(name));
		fprintf(c->out, "  %s: pfn 0x%lx%s%s%s history:\n",
			c->side[k].name, pfn, name[0] ? " (" : "", name,
			name[0] ? ")" : "");
		for (i = first; i < mm->ref_log_head; i++) {
			const struct kvmpfn_ref_event *e =
				&mm->ref_log[i & (mm->ref_log_cap - 1)];

			if (e->pfn == pfn)
				fprintf(c->out, "    step %-4u line %-4u %-13s count %d\n",
					e->step, e->line,
					host_ref_op_name(e->op), e->count);
		}
	}
}

static void diverge(struct cf_run *c, const char *what, const char *m,
		    const char *k)
	__attribute__((nonnull));

static void diverge(struct cf_run *c, const char *what, const char *m,
		    const char *k)
{
	if (!c->diverged)
		fprintf(c->out, "%s:%u: %s: %s and %s diverge on %.*s\n",
			c->path, c->line, kvmpfn_arch_name(c->o->arch),
			c->side[0].name, c->side[1].name,
			(int)c->text_len, c->text);
	c->diverged = true;
	fprintf(c->out, "  %s: %s: %s; %s: %s\n", what, c->side[0].name, m,
		c->side[1].name, k);
}

static void ev_str(const struct cf_event *e, char *buf, size_t len)
{
	if (!e)
		snprintf(buf, len, "nothing");
	else
		snprintf(buf, len, "%s x%u, count %d", host_ref_op_name(e->op),
			 e->times, e->count);
}

static void cmp_events(struct cf_run *c)
{
	struct cf_side *a = &c->side[0], *b = &c->side[1];
	size_t i = 0, j = 0;
	char m[64], k[64], what[64];

	if (a->step_events != b->step_events) {
		snprintf(m, sizeof(m), "%u", a->step_events);
		snprintf(k, sizeof(k), "%u", b->step_events);
		diverge(c, "struct page events in the step", m, k);
	}
	while (i < a->nev || j < b->nev) {
		const struct cf_event *x = i < a->nev ? &a->ev[i] : NULL;
		const struct cf_event *y = j < b->nev ? &b->ev[j] : NULL;
		int d = !x ? 1 : !y ? -1 : ev_cmp(x, y);

		if (d < 0)
			y = NULL;
		else if (d > 0)
			x = NULL;
		i += !!x;
		j += !!y;
		if (x && y && x->times == y->times && x->count == y->count)
			continue;
		ev_str(x, m, sizeof(m));
		ev_str(y, k, sizeof(k));
		snprintf(what, sizeof(what), "pfn 0x%lx %s",
			 x ? x->pfn : y->pfn,
			 host_ref_op_name(x ? x->op : y->op));
		diverge(c, what, m, k);
		page_history(c, x ? x->pfn : y->pfn);
	}
}

static void leaf_str(const struct cf_leaf *l, char *buf, size_t len)
{
	if (!l)
		snprintf(buf, len, "no leaf");
	else
		snprintf(buf, len, "pfn 0x%llx level %u %s%s%s%s",
			 (unsigned long long)l->pfn, l->level,
			 l->writable ? "writable" : "read-only",
			 l->refcounted ? " refcounted" : "",
			 l->accessed ? " accessed" : "",
			 l->dirty ? " dirty" : "");
}

static void cmp_leaves(struct cf_run *c)
{
	struct cf_side *a = &c->side[0], *b = &c->side[1];
	size_t i = 0, j = 0;
	char m[96], k[96], what[48];

	while (i < a->nleaf || j < b->nleaf) {
		const struct cf_leaf *x = i < a->nleaf ? &a->leaf[i] : NULL;
		const struct cf_leaf *y = j < b->nleaf ? &b->leaf[j] : NULL;
		int d = !x ? 1 : !y ? -1 : leaf_cmp(x, y);

		if (d < 0)
			y = NULL;
		else if (d > 0)
			x = NULL;
		i += !!x;
		j += !!y;
		if (x && y && x->level == y->level && x->pfn == y->pfn &&
		    x->writable == y->writable &&
		    x->refcounted == y->refcounted &&
		    x->accessed == y->accessed && x->dirty == y->dirty)
			continue;
		leaf_str(x, m, sizeof(m));
		leaf_str(y, k, sizeof(k));
		snprintf(what, sizeof(what), "leaf as %u gfn 0x%llx",
			 (x ? x : y)->as_id,
			 (unsigned long long)(x ? x : y)->gfn);
		diverge(c, what, m, k);
	}
}

static void cmp_result(struct cf_run *c)
{
	int x = kvmpfn_session_result(c->side[0].s);
	int y = kvmpfn_session_result(c->side[1].s);

	if (x != y)
		diverge(c, "result", x ? kvmpfn_strerror(x) : "ok",
			y ? kvmpfn_strerror(y) : "ok");
}

static void viol_str(const struct kvmpfn_violation *v, char *buf,
		     size_t len)
{
	if (!v)
		snprintf(buf, len, "none");
	else if (v->id == KVMPFN_WARN)
		snprintf(buf, len, "kernel warning: %s", v->msg);
	else
		snprintf(buf, len, "I%d gfn 0x%llx pfn 0x%llx: %s", v->id,
			 (unsigned long long)v->gfn,
			 (unsigned long long)v->pfn, v->msg);
}

static void cmp_violations(struct cf_run *c)
{
	const struct kvmpfn_violation *va, *vb;
	unsigned int na = kvmpfn_violations(c->side[0].sim, &va);
	unsigned int nb = kvmpfn_violations(c->side[1].sim, &vb);
	unsigned int i = c->side[0].viol_seen, j = c->side[1].viol_seen;
	char m[224], k[224];

	while (i < na || j < nb) {
		const struct kvmpfn_violation *x = i < na ? &va[i] : NULL;
		const struct kvmpfn_violation *y = j < nb ? &vb[j] : NULL;

		i++;
		j++;
		if (x && y && x->id == y->id && x->gfn == y->gfn &&
		    x->pfn == y->pfn)
			continue;
		viol_str(x, m, sizeof(m));
		viol_str(y, k, sizeof(k));
		diverge(c, "invariant report", m, k);
		if (x && x->pfn)
			page_history(c, x->pfn);
		else if (y && y->pfn)
			page_history(c, y->pfn);
	}
	c->side[0].viol_seen = na;
	c->side[1].viol_seen = nb;
}

static void cmp_kernel_state(struct cf_run *c)
{
	struct kvmpfn_sim *a = c->side[0].sim, *b = c->side[1].sim;
	char m[64], k[64], what[48];
	int i, as;

	for (i = 0; i < KVMPFN_MAX_GPC; i++) {
		const struct gfn_to_pfn_cache *x = &a->gpc[i], *y = &b->gpc[i];

		if (x->active == y->active && x->valid == y->valid &&
		    x->uhva == y->uhva && !x->khva == !y->khva &&
		    (!x->valid || x->pfn == y->pfn))
			continue;
		snprintf(what, sizeof(what), "pfncache %d", i);
		snprintf(m, sizeof(m), "%s%s hva 0x%lx pfn 0x%llx%s",
			 x->active ? "active" : "inactive",
			 x->valid ? " valid" : "", x->uhva,
			 (unsigned long long)x->pfn, x->khva ? " mapped" : "");
		snprintf(k, sizeof(k), "%s%s hva 0x%lx pfn 0x%llx%s",
			 y->active ? "active" : "inactive",
			 y->valid ? " valid" : "", y->uhva,
			 (unsigned long long)y->pfn, y->khva ? " mapped" : "");
		diverge(c, what, m, k);
	}
	for (i = 0; i < KVMPFN_MAX_KMAPS; i++) {
		const struct kvmpfn_kmap *x = &a->kmaps[i], *y = &b->kmaps[i];

		if (x->live == y->live &&
		    (!x->live || (x->pfn == y->pfn && x->users == y->users)))
			continue;
		snprintf(what, sizeof(what), "kernel mapping %d", i);
		snprintf(m, sizeof(m), x->live ? "pfn 0x%lx users %u" : "none",
			 x->pfn, x->users);
		snprintf(k, sizeof(k), y->live ? "pfn 0x%lx users %u" : "none",
			 y->pfn, y->users);
		diverge(c, what, m, k);
	}
	for (i = 0; i < KVMPFN_MAX_MAPS; i++) {
		const struct kvm_host_map *x = &a->maps[i], *y = &b->maps[i];

		if (!x->hva == !y->hva && (!x->hva || x->pfn == y->pfn))
			continue;
		snprintf(what, sizeof(what), "kvm_vcpu_map %d", i);
		snprintf(m, sizeof(m), x->hva ? "pfn 0x%llx" : "unmapped",
			 (unsigned long long)x->pfn);
		snprintf(k, sizeof(k), y->hva ? "pfn 0x%llx" : "unmapped",
			 (unsigned long long)y->pfn);
		diverge(c, what, m, k);
	}
	/* dirty logs: the same slots on both sides, or the leaves differ */
	for (as = 0; as < KVM_ADDRESS_SPACE_NUM; as++) {
		const struct kvm_memslots *sa = &a->kvm.memslots[as];
		const struct kvm_memslots *sb = &b->kvm.memslots[as];

		for (i = 0; i < sa->nr_slots && i < sb->nr_slots; i++) {
			const struct kvm_memory_slot *x = sa->by_gfn[i];
			const struct kvm_memory_slot *y = sb->by_gfn[i];
			size_t words;

			if (!x->dirty_bitmap || !y->dirty_bitmap ||
			    x->npages != y->npages)
				continue;
			words = (x->npages + BITS_PER_LONG - 1) / BITS_PER_LONG;
			if (!memcmp(x->dirty_bitmap, y->dirty_bitmap,
				    words * sizeof(unsigned long)))
				continue;
			snprintf(what, sizeof(what), "dirty log of slot %d",
				 x->id);
			diverge(c, what, "differs", "differs");
		}
		if (sa->nr_slots != sb->nr_slots) {
			snprintf(m, sizeof(m), "%d slots", sa->nr_slots);
			snprintf(k, sizeof(k), "%d slots", sb->nr_slots);
			diverge(c, "memslots", m, k);
		}
	}
}

static int compare_step(struct cf_run *c, struct kvmpfn_conform_stats *st)
{
	int k;

	for (k = 0; k < 2; k++) {
		snap_events(&c->side[k]);
		snap_leaves(&c->side[k]);
		if (c->side[k].oom)
			return -ENOMEM;
	}
	st->steps++;
	st->events += (unsigned int)c->side[0].nev;
	cmp_result(c);
	cmp_events(c);
	cmp_leaves(c);
	cmp_violations(c);
	cmp_kernel_state(c);
	return 0;
}

static int side_open(struct cf_side *d, const char *path,
		     const struct kvmpfn_run_opts *ro, FILE *sink, FILE *err)
{
	d->name = kvmpfn_stage_name(ro->stage);
	d->s = kvmpfn_session_create(path, ro, sink, err);
	if (!d->s)
		return KVMPFN_EXIT_USAGE;
	d->sim = kvmpfn_session_sim(d->s);
	return 0;
}

static void side_close(struct cf_side *d)
{
	if (d->s)
		kvmpfn_session_finish(d->s, NULL);
	free(d->ev);
	free(d->leaf);
}

/*
 * The sessions' chatter, which no one reads: one temporary file a thread,
 * rewound for each run (a fuzz target runs one per input, and a file
 * created per input is the most of its cost).
 */
static FILE *conform_sink(void)
{
	static _Thread_local FILE *sink;

	if (!sink)
		sink = tmpfile();
	else
		rewind(sink);
	return sink;
}

int kvmpfn_conform_buffer(const char *path, const char *buf, size_t len,
			  const struct kvmpfn_conform_opts *opts, FILE *out,
			  FILE *err, struct kvmpfn_conform_stats *stats)
{
	struct kvmpfn_run_opts ro[2] = {
		{ .stage = opts->model, .arch = opts->arch,
		  .checks = opts->checks, .quiet = true,
		  .lenient = opts->lenient, .sim = opts->sim[0] },
		{ .stage = opts->kernel, .arch = opts->arch,
		  .checks = opts->checks, .quiet = true,
		  .lenient = opts->lenient, .sim = opts->sim[1] },
	};
	struct kvmpfn_conform_stats dummy;
	struct cf_run c = { .path = path, .o = opts, .out = out };
	FILE *sink = conform_sink();
	size_t pos = 0;
	int rc = 0, r0, r1;

	if (!stats)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	if (!kvmpfn_stage_available(opts->model) ||
	    !kvmpfn_stage_available(opts->kernel)) {
		fprintf(err, "%s: stage %s is not in this build (a kernel-built stage needs KERNEL_SRC or KVMPFN_KERNEL_TREE at configure time)\n",
			path, kvmpfn_stage_name(kvmpfn_stage_available(opts->model) ?
						opts->kernel : opts->model));
		return KVMPFN_EXIT_USAGE;
	}
	if (!sink) {
		fprintf(err, "%s: cannot create a temporary file\n", path);
		return KVMPFN_EXIT_USAGE;
	}
	/* the model side reports bad input; the kernel side would repeat it */
	if (side_open(&c.side[0], path, &ro[0], sink,
		      opts->lenient ? sink : err) ||
	    side_open(&c.side[1], path, &ro[1], sink, sink)) {
		rc = KVMPFN_EXIT_USAGE;
		goto out;
	}
	while (pos < len && !c.diverged) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		c.line++;
		c.text = buf + pos;
		c.text_len = n;
		r0 = kvmpfn_session_line(c.side[0].s, buf + pos, n);
		r1 = kvmpfn_session_line(c.side[1].s, buf + pos, n);
		if (r0 || r1) {
			if (!opts->lenient)
				rc = KVMPFN_EXIT_USAGE;
			goto out;
		}
		stats->lines++;
		if (compare_step(&c, stats)) {
			fprintf(err, "%s: out of memory\n", path);
			rc = KVMPFN_EXIT_USAGE;
			goto out;
		}
		/* the same state after a rewind: the log is the ring's */
		rewind(sink);
		pos += n + 1;
	}
	if (c.diverged)
		rc = KVMPFN_EXIT_FAIL;
out:
	side_close(&c.side[0]);
	side_close(&c.side[1]);
	return rc;
}

int kvmpfn_conform_file(const char *path,
			const struct kvmpfn_conform_opts *opts, FILE *out,
			FILE *err, struct kvmpfn_conform_stats *stats)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = scn_read_file(path, &buf, &len, err);
	if (rc)
		return rc;
	rc = kvmpfn_conform_buffer(path, buf ? buf : "", len, opts, out, err,
				   stats);
	free(buf);
	return rc;
}
