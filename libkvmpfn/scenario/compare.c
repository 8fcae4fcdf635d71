// SPDX-License-Identifier: GPL-2.0
/*
 * Comparing two stages (<kvmpfn/compare.h>): two observed runs of one
 * scenario, step against step, the differences classified and matched
 * against the scenario's "differs" lines.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <kvmpfn/compare.h>

#include "differs.h"
#include "lexer.h"
#include "scnutil.h"

/*
 * The classes of difference known to exist between stages, one entry a
 * line: "ASPECT/OP/KIND/DIRECTION" (direction from the earlier stage to
 * the later one; a part may be '*': any operation, kind of page or counts;
 * in a direction, N stands for one number throughout; an A/D direction
 * also explains one that names a part of its flags), what
 * in the series causes it, a scenario that shows it.
 */
static const struct kvmpfn_diff_class known[] = {
	/* v7.5 "KVM: x86/mmu: Don't pass FOLL_GET": x86 and the ref MMU */
	{ KVMPFN_V7_5, "error/fault/pfnmap-refcount0/EFAULT->ok", "v7.5: x86 stops passing FOLL_GET, so a refcount-0 VM_PFNMAP tail page maps (not refcounted) instead of kvm_try_get_pfn() refusing it", "examples/virtio-gpu-blob.scn" },
	{ KVMPFN_V7_5, "error/fault_begin/pfnmap-refcount0/EFAULT->ok", "v7.5: the same for a fault split around other steps: the tail page's lookup succeeds", "tests/scenarios/fault-begin-stage-divergence.scn" },
	{ KVMPFN_V7_5, "error/fault/pfnmap-refcount0/EFAULT->EAGAIN", "v7.5: the tail page's lookup succeeds and the open invalidation of it makes the fault retry (EAGAIN) where legacy refused the page; x86 checks first and retries at every stage", "tests/scenarios/stage-divergence-retry.scn" },
	{ KVMPFN_V7_5, "refs/fault_begin/*/+1-0->+1-1", "v7.5: without FOLL_GET, GUP's reference on any refcounted page (anon, file, zero, ZONE_DEVICE) is dropped inside the lookup instead of being held until the fault finishes", "examples/memslot-delete-inflight.scn" },
	{ KVMPFN_V7_5, "refs/fault_finish/*/+0-1->+0-0", "v7.5: the other half: a finishing fault has no reference left to release (kvm_release_pfn_clean() at legacy), also when its memslot went away meanwhile", "tests/scenarios/invalidate-races-fault.scn" },
	{ KVMPFN_V7_5, "ad/fault_finish/*/accessed:yes->no", "v7.5: a fault that backs off releases its reference with kvm_release_pfn_clean(), which marks the page accessed, at legacy; holding none, v7.5 marks nothing", "examples/memslot-delete-inflight.scn" },
	{ KVMPFN_V7_5, "ad/fault/*/accessed:yes->no", "v7.5: the same for a fault that backs off after its tries (an open invalidation): legacy's release marks the page accessed, v7.5 holds and marks nothing", "tests/compare/retried-fault-marks-accessed.scn" },
	/* v7.7 "KVM: PPC: Migrate to __kvm_follow_pfn": ppc */
	{ KVMPFN_V7_7, "map/fault/zero/not-refcounted->refcounted", "v7.7: ppc takes refcounted from __kvm_follow_pfn(): the zero page counts as refcounted (legacy's !PageReserved filter said not)", "examples/zero-page.scn" },
	{ KVMPFN_V7_7, "refs/fault/zero/*", "v7.7: ppc puts the GUP reference on the zero page that legacy's !PageReserved filter leaked, one per try of a retried fault", "examples/zero-page.scn" },
	{ KVMPFN_V7_7, "violation/fault/zero/*", "v7.7: the leak ends: legacy ppc's leaked zero-page references break I2, and I5 once a leaf maps the page (ppc's documented finding)", "examples/zero-page.scn" },
	{ KVMPFN_V7_7, "map/fault/zone-device/not-refcounted->refcounted", "v7.7: ppc takes refcounted from __kvm_follow_pfn(): a ZONE_DEVICE page counts as refcounted (legacy's !PageReserved filter said not)", "examples/zone-device.scn" },
	{ KVMPFN_V7_7, "refs/fault/zone-device/*", "v7.7: ppc puts the GUP reference on a ZONE_DEVICE page that legacy leaked, one per try of a retried fault", "examples/zone-device.scn" },
	{ KVMPFN_V7_7, "ad/fault/zone-device/dirty:no->yes", "v7.7: ppc marks a written ZONE_DEVICE page dirty at fault, now that it counts as refcounted", "examples/zone-device.scn" },
	{ KVMPFN_V7_7, "violation/fault/zone-device/*", "v7.7: legacy ppc leaks a fault's reference on a ZONE_DEVICE page (I2, I5 once mapped) and never marks a written one dirty (I16)", "examples/zone-device.scn" },
	{ KVMPFN_V7_7, "map/fault_finish/zero/not-refcounted->refcounted", "v7.7: the same for a split fault: its leaf on the zero page counts as refcounted", "tests/compare/ppc-retried-fault-leak.scn" },
	{ KVMPFN_V7_7, "refs/fault_finish/zero/*", "v7.7: a ppc split fault puts GUP's reference on the zero page at its finish, mapped or backing off, which legacy's !PageReserved filter leaked", "tests/compare/ppc-retried-fault-leak.scn" },
	{ KVMPFN_V7_7, "violation/fault_finish/zero/*", "v7.7: the leak of the zero-page reference by a ppc split fault ends (I2, and I5 once mapped)", "tests/compare/ppc-retried-fault-leak.scn" },
	{ KVMPFN_V7_7, "map/fault_finish/zone-device/not-refcounted->refcounted", "v7.7: the same for a split fault: its leaf on a ZONE_DEVICE page counts as refcounted", "tests/compare/ppc-retried-fault-leak.scn" },
	{ KVMPFN_V7_7, "refs/fault_finish/zone-device/*", "v7.7: a ppc split fault puts GUP's reference on a ZONE_DEVICE page at its finish, mapped or backing off, which legacy leaked", "tests/compare/ppc-retried-fault-leak.scn" },
	{ KVMPFN_V7_7, "ad/fault_finish/zone-device/dirty:no->yes", "v7.7: a ppc split write fault marks its ZONE_DEVICE page dirty, now that it counts as refcounted", "tests/compare/ppc-retried-fault-leak.scn" },
	{ KVMPFN_V7_7, "violation/fault_finish/zone-device/*", "v7.7: the leak of a ZONE_DEVICE page's reference by a ppc split fault ends (I2, I5 once mapped, I16 for a write)", "tests/compare/ppc-retried-fault-leak.scn" },
	/* final: Linux 6.13's design (v7.8 -> final) */
	{ KVMPFN_FINAL, "error/fault/pfnmap-refcount0/EFAULT->ok", "final: 6.13 takes no reference on a remapped pfn, so arm64 and ppc, which kept FOLL_GET in v7, map a refcount-0 VM_PFNMAP tail page too", "examples/virtio-gpu-blob.scn" },
	{ KVMPFN_FINAL, "error/fault_begin/pfnmap-refcount0/EFAULT->ok", "final: the same for a fault split around other steps on arm64 and ppc: the tail page's lookup succeeds", "tests/scenarios/fault-begin-stage-divergence.scn" },
	{ KVMPFN_FINAL, "error/fault/pfnmap-refcount0/EFAULT->EAGAIN", "final: on arm64 and ppc the tail page's lookup succeeds and the open invalidation of it makes the fault retry where v7 refused the page", "tests/scenarios/stage-divergence-retry.scn" },
	{ KVMPFN_FINAL, "map/fault/pfnmap-refcounted/refcounted->not-refcounted", "final: a refcounted page behind VM_PFNMAP is mapped with no reference (kvm_resolve_pfn() hands back no page), so its leaf is not a refcounted one", "examples/virtio-gpu-blob.scn" },
	{ KVMPFN_FINAL, "map/*/pfnmap-refcount0/refcounted->not-refcounted", "final: a fault on a refcount-0 tail (or a split fault's finish) finds the huge leaf an earlier fault made over its driver block: v7's leaf counts as refcounted from the block's first page, final's does not (found by fuzz-compare)", "tests/compare/final-huge-remapped-leaf.scn" },
	{ KVMPFN_FINAL, "refs/fault_begin/pfnmap-refcounted/*", "final: a split fault holds nothing on a refcounted page behind VM_PFNMAP while it is in flight; v7 held a reference until the finish, or took and dropped one in the lookup", "tests/compare/final-split-fault-remapped.scn" },
	{ KVMPFN_FINAL, "map/fault_finish/pfnmap-refcounted/refcounted->not-refcounted", "final: a split fault's leaf on a refcounted page behind VM_PFNMAP is not a refcounted one (no reference was taken)", "tests/compare/final-split-fault-remapped.scn" },
	{ KVMPFN_FINAL, "refs/fault_finish/pfnmap-refcounted/*", "final: the same split fault puts nothing at its finish on a refcounted page behind VM_PFNMAP, where arm64 and ppc dropped the reference their lookup held", "tests/compare/final-split-fault-remapped.scn" },
	{ KVMPFN_FINAL, "refs/fault/pfnmap-refcounted/*", "final: no get/put pair on a refcounted page behind VM_PFNMAP: v7 took a reference and dropped it on every try of the fault (at once from v7.5 on x86, after the install elsewhere)", "examples/virtio-gpu-blob.scn" },
	{ KVMPFN_FINAL, "ad/*/pfnmap-refcounted/*", "final: KVM never marks the struct page of a remapped pfn (no reference at the fault, nothing at zap or write-protect), where v7 marked it accessed and dirty; behind VM_MIXEDMAP GUP returns the page, which is marked at the fault like any other", "examples/virtio-gpu-blob.scn" },
	{ KVMPFN_FINAL, "ad/fault/*/dirty:no->yes", "final: kvm_release_faultin_page() marks a page dirty at the fault that maps it writable; x86 and the ref MMU marked it when the leaf went (handle_changed_spte())", "tests/scenarios/ad-timing.scn" },
	{ KVMPFN_FINAL, "ad/fault_finish/*/dirty:no->yes", "final: the same for a split fault: the page is dirty once its fault finishes", "tests/scenarios/dirty-after-release.scn" },
	{ KVMPFN_FINAL, "refs/fault_begin/*/+1-1->+1-0", "final: GUP's reference is held until the fault finishes (kvm_release_faultin_page()), where x86 and the ref MMU dropped it inside the lookup from v7.5 on", "examples/memslot-delete-inflight.scn" },
	{ KVMPFN_FINAL, "refs/fault_finish/*/+0-0->+0-1", "final: the other half: the finishing fault drops GUP's reference, mapped or not, also when the memslot went away meanwhile (kind none)", "examples/memslot-delete-inflight.scn" },
	{ KVMPFN_FINAL, "ad/fault_finish/*/accessed:yes->no", "final: a fault that backs off releases its page unused (kvm_release_page_unused()): arm64 and ppc released it clean in v7, which marked it accessed", "examples/memslot-delete-inflight.scn" },
	{ KVMPFN_FINAL, "ad/fault/*/accessed:yes->no", "final: the same for a fault that retries after its lookup (an open invalidation): no accessed mark", "sim/x86_tdp/tests/scenarios/invalidate-retry.scn" },
	{ KVMPFN_FINAL, "ad/fault_begin/*/accessed:yes->no", "final: the same for a fault_begin that retries right after its lookup (x86 with shadow paging kept FOLL_GET in v7 and released the page clean) (found by fuzz-compare)", "tests/compare/final-retried-begin-unused.scn" },
	{ KVMPFN_FINAL, "error/other/pfnmap-refcounted/ok->EFAULT", "final: gfn_to_page() returns only a page GUP gave it a reference on; a refcounted page behind VM_PFNMAP is refused (ppc: kvm_vcpu_map() refuses it)", "tests/scenarios/gfn-to-page.scn" },
	{ KVMPFN_FINAL, "ad/other/*/dirty:no->yes,accessed:no->yes", "final: ppc patches dcbz through kvm_vcpu_map() (6.13's ee0fa693546d), whose unmap dirties and marks the page; v7 put it back untouched", "tests/scenarios/gfn-to-page.scn" },
	{ KVMPFN_FINAL, "error/gpc_activate/*/EFAULT->ok", "final: a pfncache on a refcount-0 VM_PFNMAP tail page activates: 6.13 takes no reference on a remapped pfn, where v7 kept FOLL_GET until the cache published it (found by fuzz-compare)", "tests/compare/final-gpc-tail-page.scn" },
	{ KVMPFN_FINAL, "error/gpc_refresh/*/EFAULT->ok", "final: the same at a refresh, when the cache's gpa has come to lead to such a tail page (its memslot moved back) (found by fuzz-compare)", "tests/compare/final-gpc-refresh-tail-page.scn" },
	{ KVMPFN_FINAL, "refs/gpc_refresh/*/+N-N->+0-0", "final: the same at a refresh of that cache after an invalidation (found by fuzz-compare)", "tests/compare/final-gpc-refresh-remapped.scn" },
	{ KVMPFN_FINAL, "refs/gpc_activate/*/+N-N->+0-0", "final: a pfncache on a remapped pfn holds no reference while it resolves it; v7 got and put one on a refcounted page, one per try when an invalidation made it retry (found by fuzz-compare)", "tests/scenarios/hwpoison-kinds.scn" },
	{ KVMPFN_FINAL, "error/vcpu_map/*/*", "final: kvm_vcpu_map() pins (FOLL_PIN), and remapped memory cannot be pinned: it is refused unless kvm is loaded with allow_unsafe_mappings (the later steps on the id only one stage holds follow from it and are not compared)", "tests/scenarios/vcpu-map-pfnmap-unprotected.scn" },
	{ KVMPFN_FINAL, "violation/vcpu_map/*/I19->none", "final: the refused map leaves no kernel mapping the mmu_notifier does not cover: v7's I19 finding is gone", "tests/scenarios/vcpu-map-pfnmap-unprotected.scn" },
	{ KVMPFN_FINAL, "ad/vcpu_unmap/*/*", "final: kvm_vcpu_map() maps writable and kvm_vcpu_unmap() dirties every writable map (page and dirty log) and marks its pinned page accessed; in v7 the caller said whether it wrote, and a remapped page got nothing", "tests/scenarios/pfncache-shares-kmap-with-vcpu-map.scn" },
	{ KVMPFN_FINAL, "violation/fault/*/I4->none", "final: arm64's access-flag fault no longer marks the page accessed after dropping mmu_lock with no reference held (6.13's 2362506f7cff): v7's I4 finding is gone", "sim/arm64_s2/tests/arm64-access-flag.scn" },
};

static const char *const aspect_names[KVMPFN_NR_ASPECTS] = {
	[KVMPFN_ASPECT_ERROR] = "error",
	[KVMPFN_ASPECT_MAP] = "map",
	[KVMPFN_ASPECT_REFS] = "refs",
	[KVMPFN_ASPECT_AD] = "ad",
	[KVMPFN_ASPECT_COUNT] = "count",
	[KVMPFN_ASPECT_VIOLATION] = "violation",
};

const char *kvmpfn_aspect_name(enum kvmpfn_aspect aspect)
{
	return (unsigned int)aspect < KVMPFN_NR_ASPECTS ?
	       aspect_names[aspect] : "?";
}

int kvmpfn_aspect_parse(const char *name, enum kvmpfn_aspect *aspect)
{
	int i = scn_name_index(aspect_names, KVMPFN_NR_ASPECTS, name);

	if (i < 0)
		return -KVMPFN_EINVAL;
	*aspect = (enum kvmpfn_aspect)i;
	return 0;
}

const struct kvmpfn_diff_class *kvmpfn_diff_classes(unsigned int *n)
{
	*n = sizeof(known) / sizeof(known[0]);
	return known;
}

/* whether every ','-separated item of @k (@kl long) is one of @e's */
static bool items_within(const char *e, size_t el, const char *k, size_t kl)
{
	while (kl) {
		size_t il = strcspn(k, ","), j = 0, jl;

		if (il > kl)
			il = kl;
		for (;; j += jl + 1) {
			if (j >= el)
				return false;
			jl = strcspn(e + j, ",/");
			if (jl == il && !strncmp(e + j, k, il))
				break;
		}
		k += il;
		kl -= il;
		if (kl) {
			k++;
			kl--;
		}
	}
	return true;
}

/*
 * @k against an entry's part @e holding 'N': each N stands for a number,
 * the same one throughout ("+N-N->+0-0": as many puts as gets, any count)
 */
static bool counts_match(const char *e, size_t el, const char *k, size_t kl)
{
	unsigned long n = 0, v;
	bool bound = false;
	size_t i = 0, j = 0;

	while (i < el && j < kl) {
		if (e[i] != 'N') {
			if (e[i++] != k[j++])
				return false;
			continue;
		}
		if (k[j] < '0' || k[j] > '9')
			return false;
		for (v = 0; j < kl && k[j] >= '0' && k[j] <= '9' &&
			    v < 100000; j++)
			v = v * 10 + (unsigned long)(k[j] - '0');
		if (bound && v != n)
			return false;
		n = v;
		bound = true;
		i++;
	}
	return i == el && j == kl;
}

/*
 * @key against an entry's: part by part equal, or '*' for any.  An A/D
 * direction is explained by an entry whose direction names every flag it
 * does: a flag that already agreed (marked earlier for another reason)
 * leaves part of the declared difference.
 */
static bool class_match(const char *entry, const char *key)
{
	const char *e = entry, *k = key;
	bool ad = !strncmp(key, "ad/", 3);

	for (;;) {
		size_t el = strcspn(e, "/"), kl = strcspn(k, "/");
		bool last = !e[el] && !k[kl];

		if (!(el == 1 && *e == '*') &&
		    (el != kl || strncmp(e, k, el)) &&
		    !(ad && last && items_within(e, el, k, kl)) &&
		    !(last && memchr(e, 'N', el) && counts_match(e, el, k, kl)))
			return false;
		e += el;
		k += kl;
		if (!*e || !*k)
			return !*e && !*k;
		e++;
		k++;
	}
}

const struct kvmpfn_diff_class *kvmpfn_diff_class_find(const char *key,
						       enum kvmpfn_stage a,
						       enum kvmpfn_stage b)
{
	enum kvmpfn_stage lo = kvmpfn_stage_model(a), hi = kvmpfn_stage_model(b);
	size_t i;

	if (hi < lo) {
		enum kvmpfn_stage t = lo;

		lo = hi;
		hi = t;
	}
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].since > lo && known[i].since <= hi &&
		    class_match(known[i].key, key))
			return &known[i];
	return NULL;
}

void kvmpfn_diffs_free(struct kvmpfn_diffs *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* ---- the differs line --------------------------------------------------- */

/* Split @val at commas and call @one on each word; -1 on its first no. */
static int each_word(const char *val, int (*one)(const char *w, void *ctx),
		     void *ctx)
{
	char w[SCN_MAX_TEXT];
	const char *p, *next;

	for (p = val;; p = next + 1) {
		next = p + strcspn(p, ",");
		snprintf(w, sizeof(w), "%.*s", (int)(next - p), p);
		if (one(w, ctx))
			return -1;
		if (!*next)
			return 0;
	}
}

struct differs_parse {
	struct scn_differs *d;
	int nstages;
	char *msg;
	size_t len;
};

static int one_stage(const char *w, void *ctx)
{
	struct differs_parse *p = ctx;
	enum kvmpfn_stage st;

	if (kvmpfn_stage_parse(w, &st) || kvmpfn_stage_is_kernel(st)) {
		snprintf(p->msg, p->len, "unknown stage '%s'", w);
		return -1;
	}
	if (p->nstages == 2) {
		snprintf(p->msg, p->len, "differs compares two stages, stage=A,B");
		return -1;
	}
	p->d->stage[p->nstages++] = st;
	return 0;
}

static int one_aspect(const char *w, void *ctx)
{
	struct differs_parse *p = ctx;
	enum kvmpfn_aspect a;

	if (kvmpfn_aspect_parse(w, &a)) {
		snprintf(p->msg, p->len,
			 "unknown aspect '%s' (error, map, refs, ad, count, violation)",
			 w);
		return -1;
	}
	p->d->aspects |= 1U << a;
	return 0;
}

static int one_arch(const char *w, void *ctx)
{
	struct differs_parse *p = ctx;
	enum kvmpfn_arch a;

	if (kvmpfn_arch_parse(w, &a)) {
		snprintf(p->msg, p->len, "unknown architecture '%s'", w);
		return -1;
	}
	p->d->arches |= 1U << a;
	return 0;
}

static struct scn_tok *differs_arg(struct scn_line *ln, const char *key)
{
	int i;

	for (i = 1; i < ln->ntok; i++) {
		if (!strcmp(ln->tok[i].key, key)) {
			ln->tok[i].used = 1;
			return &ln->tok[i];
		}
	}
	return NULL;
}

int scn_differs_parse(struct scn_line *ln, struct scn_differs *d, int *col,
		      char *msg, size_t len)
{
	struct differs_parse p = { .d = d, .msg = msg, .len = len };
	struct scn_tok *st = differs_arg(ln, "stage");
	struct scn_tok *what = differs_arg(ln, "what");
	struct scn_tok *arch = differs_arg(ln, "arch");

	memset(d, 0, sizeof(*d));
	*col = ln->tok[0].col;
	if (!st || !what) {
		snprintf(msg, len,
			 "differs stage=A,B what=ASPECT[,ASPECT...] [arch=LIST]");
		return -1;
	}
	*col = st->col;
	if (each_word(st->val, one_stage, &p))
		return -1;
	if (p.nstages != 2 || d->stage[0] == d->stage[1]) {
		snprintf(msg, len, "differs compares two stages, stage=A,B");
		return -1;
	}
	*col = what->col;
	if (each_word(what->val, one_aspect, &p))
		return -1;
	if (arch) {
		*col = arch->col;
		if (each_word(arch->val, one_arch, &p))
			return -1;
	}
	return 0;
}

/* ---- comparing two records ---------------------------------------------- */

struct side_view {
	const struct kvmpfn_obs_step *st;
	const struct kvmpfn_obs_step *prev;	/* the step before, or NULL */
};

static const char *page_name(const struct kvmpfn_obs_step *st, uint64_t pfn,
			     char *buf, size_t len)
{
	const struct kvmpfn_obs_page *p = kvmpfn_obs_page_of(st, pfn);

	if (p)
		return p->name;
	snprintf(buf, len, "pfn 0x%llx", (unsigned long long)pfn);
	return buf;
}

static void leaf_text(const struct kvmpfn_obs_step *st, char *buf, size_t len)
{
	char nb[KVMPFN_OBS_NAME];

	if (!st->mapped) {
		snprintf(buf, len, "not mapped");
		return;
	}
	snprintf(buf, len, "pfn 0x%llx (%s) %s %s",
		 (unsigned long long)st->pfn,
		 page_name(st, st->pfn, nb, sizeof(nb)),
		 st->writable ? "writable" : "read-only",
		 st->refcounted ? "refcounted" : "not-refcounted");
}

static const char *ret_name(int ret)
{
	return ret ? kvmpfn_strerror(ret) : "ok";
}

static struct kvmpfn_diff *diff_add(struct kvmpfn_diffs *out,
				    const struct kvmpfn_obs_step *st,
				    enum kvmpfn_aspect aspect,
				    enum kvmpfn_obs_kind kind)
{
	struct kvmpfn_diff *d;

	if (out->n == out->cap) {
		size_t cap = out->cap ? 2 * out->cap : 16;

		d = realloc(out->v, cap * sizeof(*d));
		if (!d)
			return NULL;
		out->v = d;
		out->cap = cap;
	}
	d = &out->v[out->n++];
	memset(d, 0, sizeof(*d));
	d->line = st->line;
	d->aspect = aspect;
	d->op = st->op;
	d->kind = kind;
	return d;
}

/* "ASPECT/OP/KIND/" then the direction */
static void class_key(struct kvmpfn_diff *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void class_key(struct kvmpfn_diff *d, const char *fmt, ...)
{
	int n = snprintf(d->cls, sizeof(d->cls), "%s/%s/%s/",
			 kvmpfn_aspect_name(d->aspect), kvmpfn_op_name(d->op),
			 kvmpfn_obs_kind_name(d->kind));
	va_list ap;

	if (n < 0 || (size_t)n >= sizeof(d->cls))
		return;
	va_start(ap, fmt);
	vsnprintf(d->cls + n, sizeof(d->cls) - n, fmt, ap);
	va_end(ap);
}

struct pair {
	const struct kvmpfn_obs_step *s[2];	/* A's step, B's step */
	const struct kvmpfn_obs_step *p[2];	/* the steps before (or NULL) */
	const struct kvmpfn_obs *o[2];		/* the runs; s[k] is step i */
	unsigned int i;
	bool kmap_apart;			/* a vcpu_map in one run only */
	int e, l;				/* earlier, later stage */
	enum kvmpfn_obs_kind kind;		/* the step's page */
};

static int cmp_error(struct pair *p, struct kvmpfn_diffs *out)
{
	struct kvmpfn_diff *d;
	int k;

	if (p->s[0]->ret == p->s[1]->ret)
		return 0;
	d = diff_add(out, p->s[0], KVMPFN_ASPECT_ERROR, p->kind);
	if (!d)
		return -KVMPFN_ENOMEM;
	for (k = 0; k < 2; k++) {
		if (p->s[k]->ret || !p->s[k]->mapped) {
			snprintf(d->what[k], sizeof(d->what[k]), "%s",
				 ret_name(p->s[k]->ret));
			continue;
		}
		memcpy(d->what[k], "ok: ", 4);
		leaf_text(p->s[k], d->what[k] + 4, sizeof(d->what[k]) - 4);
	}
	class_key(d, "%s->%s", ret_name(p->s[p->e]->ret),
		  ret_name(p->s[p->l]->ret));
	return 0;
}

static int cmp_map(struct pair *p, struct kvmpfn_diffs *out)
{
	const struct kvmpfn_obs_step *e = p->s[p->e], *l = p->s[p->l];
	struct kvmpfn_diff *d;
	char dir[KVMPFN_DIFF_CLASS] = "";
	size_t n = 0;
	int k;

	if (!e->is_fault || e->op == KVMPFN_OP_FAULT_BEGIN)
		return 0;
	if (e->mapped != l->mapped)
		n += snprintf(dir + n, sizeof(dir) - n, "%s->%s",
			      e->mapped ? "mapped" : "unmapped",
			      l->mapped ? "mapped" : "unmapped");
	if (e->mapped && l->mapped) {
		if (e->pfn != l->pfn)
			n += snprintf(dir + n, sizeof(dir) - n, "%sother-pfn",
				      n ? "," : "");
		if (e->writable != l->writable)
			n += snprintf(dir + n, sizeof(dir) - n, "%s%s->%s",
				      n ? "," : "",
				      e->writable ? "writable" : "read-only",
				      l->writable ? "writable" : "read-only");
		if (e->refcounted != l->refcounted && n < sizeof(dir))
			snprintf(dir + n, sizeof(dir) - n, "%s%s->%s",
				 n ? "," : "",
				 e->refcounted ? "refcounted" : "not-refcounted",
				 l->refcounted ? "refcounted" : "not-refcounted");
	}
	if (!dir[0])
		return 0;
	d = diff_add(out, p->s[0], KVMPFN_ASPECT_MAP, p->kind);
	if (!d)
		return -KVMPFN_ENOMEM;
	for (k = 0; k < 2; k++)
		leaf_text(p->s[k], d->what[k], sizeof(d->what[k]));
	class_key(d, "%s", dir);
	return 0;
}

static int cmp_refs(struct pair *p, struct kvmpfn_diffs *out)
{
	enum kvmpfn_obs_kind kind;
	const struct kvmpfn_obs_step *e = p->s[p->e], *l = p->s[p->l];
	struct kvmpfn_diff *d;
	int k;

	if (e->gets == l->gets && e->puts == l->puts)
		return 0;
	/*
	 * a finish puts the page its begin got, whatever the gfn leads to
	 * by now (a write broke CoW of the zero page in between)
	 */
	kind = p->s[p->l]->begin_kind ? p->s[p->l]->begin_kind :
					 p->s[p->e]->begin_kind;
	d = diff_add(out, p->s[0], KVMPFN_ASPECT_REFS,
		     p->s[0]->op == KVMPFN_OP_FAULT_FINISH && kind ? kind :
								     p->kind);
	if (!d)
		return -KVMPFN_ENOMEM;
	for (k = 0; k < 2; k++)
		snprintf(d->what[k], sizeof(d->what[k]), "get %u put %u",
			 p->s[k]->gets, p->s[k]->puts);
	class_key(d, "+%u-%u->+%u-%u", e->gets, e->puts, l->gets, l->puts);
	return 0;
}

/* whether run @o reported @v's finding at a step before step @i */
static bool viol_before(const struct kvmpfn_obs *o, unsigned int i,
			const struct kvmpfn_obs_viol *v)
{
	unsigned int j, k;

	for (j = 0; j < i; j++) {
		for (k = 0; k < o->steps[j].nviol; k++) {
			const struct kvmpfn_obs_viol *w = &o->steps[j].viol[k];

			if (w->id == v->id && w->gfn == v->gfn &&
			    w->pfn == v->pfn)
				return true;
		}
	}
	return false;
}

/*
 * The step's findings, "I19,WARN" or "none"; with @p, those either run
 * reported at an earlier step are left out, and I19 while a vcpu_map
 * exists in one run only.
 */
static void viol_text(const struct kvmpfn_obs_step *st, const struct pair *p,
		      char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < st->nviol && used + 8 < len; i++) {
		if (p && ((p->kmap_apart && st->viol[i].id == 19) ||
			  viol_before(p->o[0], p->i, &st->viol[i]) ||
			  viol_before(p->o[1], p->i, &st->viol[i])))
			continue;
		if (st->viol[i].id == KVMPFN_WARN)
			used += snprintf(buf + used, len - used, "%sWARN",
					 used ? "," : "");
		else
			used += snprintf(buf + used, len - used, "%sI%d",
					 used ? "," : "", st->viol[i].id);
	}
	if (!used)
		snprintf(buf, len, "none");
}

/*
 * The kind of the page a step's findings are about, where one names a
 * page the step observed (legacy ppc's leaked zero-page reference, found
 * at a fault_finish whose gfn leads to an anonymous page by now, after a
 * write broke CoW); else the step's.
 */
static enum kvmpfn_obs_kind viol_kind(const struct pair *p)
{
	unsigned int k, i;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < p->s[k]->nviol; i++) {
			const struct kvmpfn_obs_page *pg =
				kvmpfn_obs_page_of(p->s[k],
						   p->s[k]->viol[i].pfn);

			if (pg && pg->kind != KVMPFN_KIND_NONE)
				return pg->kind;
		}
	}
	return p->kind;
}

static int cmp_viol(struct pair *p, struct kvmpfn_diffs *out)
{
	char t[2][KVMPFN_DIFF_TEXT];
	struct kvmpfn_diff *d;
	int k;

	for (k = 0; k < 2; k++)
		viol_text(p->s[k], NULL, t[k], sizeof(t[k]));
	if (!strcmp(t[0], t[1]))
		return 0;
	/*
	 * The checker reports a state that stays broken once: a finding
	 * either run made before is history, not this step's difference
	 * (a vcpu_map of a pfn that one stage mapped, unpinned, earlier).
	 * A kernel mapping one run has and the other not (a vcpu_map one
	 * stage refused) raises I19 in that run whenever what covered it
	 * goes (a pfncache on the pfn deactivated): it follows from the map.
	 */
	for (k = 0; k < 2; k++)
		viol_text(p->s[k], p, t[k], sizeof(t[k]));
	if (!strcmp(t[0], t[1]))
		return 0;
	d = diff_add(out, p->s[0], KVMPFN_ASPECT_VIOLATION, viol_kind(p));
	if (!d)
		return -KVMPFN_ENOMEM;
	for (k = 0; k < 2; k++)
		snprintf(d->what[k], sizeof(d->what[k]), "%s", t[k]);
	class_key(d, "%s->%s", t[p->e], t[p->l]);
	return 0;
}

/* Bits of the A/B difference of a page's flags: which flags differ, how. */
static unsigned int ad_gap(const struct kvmpfn_obs_page *a,
			   const struct kvmpfn_obs_page *b)
{
	if (!a || !b)
		return 0;
	return (a->dirty != b->dirty ? 1U | (unsigned int)b->dirty << 1 : 0) |
	       (a->accessed != b->accessed ?
		4U | (unsigned int)b->accessed << 3 : 0);
}

static int count_gap(const struct kvmpfn_obs_page *a,
		     const struct kvmpfn_obs_page *b)
{
	return a && b ? b->refcount - a->refcount : 0;
}

static const struct kvmpfn_obs_page *prev_page(const struct pair *p, int k,
					       uint64_t pfn)
{
	return p->p[k] ? kvmpfn_obs_page_of(p->p[k], pfn) : NULL;
}

/*
 * A/D are folio flags: a page seen for the first time whose folio already
 * showed that gap (or a wider one) at the step before did not open a new
 * difference.
 */
static bool folio_gap_before(const struct pair *p,
			     const struct kvmpfn_obs_page *pg[2],
			     unsigned int gap)
{
	const struct kvmpfn_obs_step *s = p->p[0];
	unsigned int i;

	if (!s || !p->p[1] || prev_page(p, 0, pg[0]->pfn) ||
	    prev_page(p, 1, pg[0]->pfn))
		return false;
	for (i = 0; i < s->npages; i++) {
		const struct kvmpfn_obs_page *a = &s->pages[i];

		if (a->folio == pg[0]->folio && a->folio == pg[1]->folio &&
		    !(gap & ~ad_gap(a, kvmpfn_obs_page_of(p->p[1], a->pfn))))
			return true;
	}
	return false;
}

/*
 * A page one stage mapped before the step and the other not, or mapped by
 * leaves that different steps installed (a fault on a tail that only one
 * stage let through put a huge leaf over the block first, counted as
 * refcounted or not by the page that faulted): what the step does to it
 * (a zap marking it dirty in one stage) follows from the difference that
 * mapped it, reported where it happened.
 */
static bool mapped_apart(const struct pair *p, uint64_t pfn)
{
	const struct kvmpfn_obs_page *a = prev_page(p, 0, pfn);
	const struct kvmpfn_obs_page *b = prev_page(p, 1, pfn);

	return a && b && a->mapped_since != b->mapped_since;
}

/*
 * length of the allocation part of a page's name ("vram" of "vram+1",
 * "anon" of "anon:0x203": anonymous pages in a row join too, a THP's 512)
 */
static size_t alloc_len(const char *name)
{
	return strcspn(name, "+:");
}

/*
 * A page's difference: @val is what each side's page is ("dirty,
 * accessed", "count 3").  It joins the step's last difference if that is
 * the page before it, of the same allocation, differing the same way.
 */
static int page_diff(struct pair *p, const struct kvmpfn_obs_page *pg[2],
		     enum kvmpfn_aspect aspect, char val[2][48],
		     const char *dir, struct kvmpfn_diffs *out)
{
	struct kvmpfn_diff nd = {
		.line = p->s[0]->line, .aspect = aspect, .op = p->s[0]->op,
		.kind = pg[p->l]->kind, .pfn = pg[0]->pfn, .npages = 1,
	};
	struct kvmpfn_diff *d = out->n ? &out->v[out->n - 1] : NULL;
	const struct kvmpfn_obs_page *first = NULL;
	size_t n, v;
	int k;

	class_key(&nd, "%s", dir);
	for (k = 0; k < 2; k++)
		snprintf(nd.what[k], sizeof(nd.what[k]), "%s %s", pg[k]->name,
			 val[k]);
	if (d && d->line == nd.line && d->aspect == aspect &&
	    !strcmp(d->cls, nd.cls) && d->pfn + d->npages == nd.pfn)
		first = kvmpfn_obs_page_of(p->s[0], d->pfn);
	if (first && alloc_len(first->name) == alloc_len(pg[0]->name) &&
	    !strncmp(first->name, pg[0]->name, alloc_len(first->name))) {
		for (k = 0; k < 2; k++) {
			n = strlen(d->what[k]);
			v = strlen(val[k]);
			if (n < v || strcmp(d->what[k] + n - v, val[k]))
				break;
		}
		if (k == 2) {
			d->npages++;
			for (k = 0; k < 2; k++)
				snprintf(d->what[k], sizeof(d->what[k]),
					 "%s..%s %s", first->name,
					 pg[k]->name, val[k]);
			return 0;
		}
	}
	d = diff_add(out, p->s[0], aspect, nd.kind);
	if (!d)
		return -KVMPFN_ENOMEM;
	*d = nd;
	return 0;
}

static int ad_diff(struct pair *p, const struct kvmpfn_obs_page *pg[2],
		   struct kvmpfn_diffs *out)
{
	const struct kvmpfn_obs_page *e = pg[p->e], *l = pg[p->l];
	unsigned int now = ad_gap(pg[0], pg[1]);
	char dir[64] = "", val[2][48];
	int k;

	/*
	 * a freed page has no flags to compare: it went back, cleared; and
	 * a gap that only narrowed (one flag's difference closed, the other
	 * lasting) opened nothing new
	 */
	if (!now || pg[0]->freed || pg[1]->freed ||
	    !(now & ~ad_gap(prev_page(p, 0, pg[0]->pfn),
			    prev_page(p, 1, pg[0]->pfn))) ||
	    folio_gap_before(p, pg, now) || mapped_apart(p, pg[0]->pfn))
		return 0;
	for (k = 0; k < 2; k++)
		snprintf(val[k], sizeof(val[k]), "%s, %s",
			 pg[k]->dirty ? "dirty" : "clean",
			 pg[k]->accessed ? "accessed" : "not accessed");
	if (e->dirty != l->dirty)
		snprintf(dir, sizeof(dir), "dirty:%s->%s",
			 e->dirty ? "yes" : "no", l->dirty ? "yes" : "no");
	if (e->accessed != l->accessed)
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir),
			 "%saccessed:%s->%s", dir[0] ? "," : "",
			 e->accessed ? "yes" : "no",
			 l->accessed ? "yes" : "no");
	return page_diff(p, pg, KVMPFN_ASPECT_AD, val, dir, out);
}

static int count_diff(struct pair *p, const struct kvmpfn_obs_page *pg[2],
		      struct kvmpfn_diffs *out)
{
	const struct kvmpfn_obs_page *was[2] = {
		prev_page(p, 0, pg[0]->pfn), prev_page(p, 1, pg[0]->pfn)
	};
	int now = count_gap(pg[0], pg[1]);
	char val[2][48];
	int k;

	/*
	 * A page first observed now (an anonymous page a gfn led to) may
	 * share a folio whose count differed before: its gap is where it
	 * starts from.
	 */
	if (!now || !was[0] || !was[1] || now == count_gap(was[0], was[1]) ||
	    was[0]->mapped != was[1]->mapped)
		return 0;
	for (k = 0; k < 2; k++)
		snprintf(val[k], sizeof(val[k]), "count %d", pg[k]->refcount);
	return page_diff(p, pg, KVMPFN_ASPECT_COUNT, val,
			 pg[p->l]->refcount > pg[p->e]->refcount ?
			 "higher" : "lower", out);
}

/*
 * ad and count of the pages both runs observe, in pfn order; where KVM's
 * references at the step differ, the counts follow from them
 */
static int cmp_pages(struct pair *p, struct kvmpfn_diffs *out)
{
	bool refs_differ = p->s[0]->gets != p->s[1]->gets ||
			   p->s[0]->puts != p->s[1]->puts;
	const struct kvmpfn_obs_step *a = p->s[0], *b = p->s[1];
	unsigned int i = 0, j = 0;

	while (i < a->npages && j < b->npages) {
		const struct kvmpfn_obs_page *pg[2] = {
			&a->pages[i], &b->pages[j]
		};

		if (pg[0]->pfn < pg[1]->pfn) {
			i++;
			continue;
		}
		if (pg[0]->pfn > pg[1]->pfn) {
			j++;
			continue;
		}
		if (ad_diff(p, pg, out) ||
		    (!refs_differ && count_diff(p, pg, out)))
			return -KVMPFN_ENOMEM;
		i++;
		j++;
	}
	return 0;
}

/*
 * A fault onto a page a leaf mapped in one stage and not the other before
 * it (an earlier fault that only one stage let through installed a leaf,
 * maybe a huge one over it): its result, leaf and references follow from
 * that difference (spurious where the leaf is, a lookup that may retry
 * or fail where it is not).
 */
static bool leaf_apart(const struct pair *p)
{
	const struct kvmpfn_obs_step *a = p->s[0], *b = p->s[1];

	if (!a->is_fault)
		return false;
	if (a->mapped || b->mapped)
		return mapped_apart(p, a->mapped ? a->pfn : b->pfn);
	/* neither mapped: the page the gfn leads to */
	return (a->has_page_pfn && mapped_apart(p, a->page_pfn)) ||
	       (b->has_page_pfn && mapped_apart(p, b->page_pfn));
}

/* vCPUs whose fault in flight one stage has and the other has not */
#define FOLLOW_VCPUS	64

/* the step allocated pages (faulted memory in) in one run only */
static bool pages_apart(const struct pair *p)
{
	return p->p[0] && p->p[1] &&
	       p->s[0]->npages - p->p[0]->npages !=
	       p->s[1]->npages - p->p[1]->npages;
}

/* the step installed host PTEs in one run only */
static bool installs_apart(const struct pair *p)
{
	return p->p[0] && p->p[1] &&
	       p->s[0]->host_installs - p->p[0]->host_installs !=
	       p->s[1]->host_installs - p->p[1]->host_installs;
}

enum apart {
	APART_NONE,
	APART_NOW,	/* the runs part at this step */
	APART_HOST,	/* host memory around the step differs */
};

/*
 * A kernel access (vcpu_map, a pfncache, gfn_to_page) that changed the
 * host in one stage only, whatever it returned.  One that allocated memory
 * (a write GUP that faulted anonymous pages in) parts the runs: later
 * allocations get other pfns.  So does a pfncache that resolved a pfn in
 * one stage only: its retry loop yields (cond_resched()) and so lets open
 * invalidations finish.  One that only installed host PTEs (v7.8's
 * vcpu_map of a remapped page populates its PTE before refusing the page,
 * final refuses first) leaves the host different around its address:
 * APART_HOST.  A refusal that touched nothing is none.
 */
static enum apart kernel_apart(const struct pair *p)
{
	const struct kvmpfn_obs_step *a = p->s[0], *b = p->s[1];
	enum kvmpfn_op op = a->op;

	if (op != KVMPFN_OP_VCPU_MAP && op != KVMPFN_OP_GPC_ACTIVATE &&
	    op != KVMPFN_OP_GPC_REFRESH && op != KVMPFN_OP_OTHER)
		return APART_NONE;
	if (!p->p[0] || !p->p[1])
		return APART_NONE;
	if (pages_apart(p) ||
	    (!a->ret != !b->ret &&
	     (op == KVMPFN_OP_GPC_ACTIVATE || op == KVMPFN_OP_GPC_REFRESH)))
		return APART_NOW;
	return installs_apart(p) ? APART_HOST : APART_NONE;
}

/*
 * Host memory one stage installed and the other did not, by the block of
 * the largest leaf the host installs (2M) around the access: a later step
 * there that differs in a way no class explains follows from it (a split
 * of the huge PTE only one stage has widens an invalidation, and the fault
 * retries there only); the runs part there.
 */
#define HOST_REGIONS		8
#define HOST_REGION_SIZE	(2ULL << 20)

struct host_apart {
	unsigned int n;
	uint64_t base[HOST_REGIONS];
	unsigned int line[HOST_REGIONS];	/* the access's */
};

/* false if it cannot be noted (no address, no room): part now */
static bool host_note(struct host_apart *h, const struct kvmpfn_obs_step *st)
{
	if (st->hva_end <= st->hva || h->n == HOST_REGIONS)
		return false;
	h->base[h->n] = st->hva & ~(HOST_REGION_SIZE - 1);
	h->line[h->n++] = st->line;
	return true;
}

/* the line of the access whose region @st meets, 0 if none */
static unsigned int host_meets(const struct host_apart *h,
			       const struct kvmpfn_obs_step *st)
{
	unsigned int i;

	for (i = 0; i < h->n && st->hva_end > st->hva; i++)
		if (st->hva < h->base[i] + HOST_REGION_SIZE &&
		    st->hva_end > h->base[i])
			return h->line[i];
	return 0;
}

/* whether a difference from the @n0-th on is of no class stages @x, @y show */
static bool unknown_since(const struct kvmpfn_diffs *out, size_t n0,
			  enum kvmpfn_stage x, enum kvmpfn_stage y)
{
	size_t i;

	for (i = n0; i < out->n; i++)
		if (!kvmpfn_diff_class_find(out->v[i].cls, x, y))
			return true;
	return false;
}

/*
 * The runs part at @p's step for a kernel access (parted_kernel), or the
 * host memory it left different is noted; true if they part.
 */
static bool kernel_parts(const struct pair *p, struct host_apart *h,
			 struct kvmpfn_diffs *out)
{
	enum apart k = kernel_apart(p);

	if (k == APART_NONE || (k == APART_HOST && host_note(h, p->s[0])))
		return false;
	out->parted = p->s[0]->line;
	out->parted_kernel = true;
	return true;
}

/* the vcpu_map ids each stage holds, and those whose mappings differ */
struct map_ids {
	uint32_t held[2];
	uint32_t apart;
};

/*
 * A vcpu_map that succeeded in one stage only holds its id there alone: a
 * later vcpu_map or vcpu_unmap of that id fails (EINVAL) in that stage and
 * does its work in the other, so it follows from the first and is not
 * compared, until the id is free in both stages.  Whether @p's step
 * follows; the ids' state is brought up to date with each stage's result.
 */
static bool map_follows(const struct pair *p, struct map_ids *m)
{
	int id = p->s[0]->map, k;
	uint32_t bit;
	bool follows;

	if (id < 0 || id > 31)
		return false;
	bit = 1U << id;
	follows = m->apart & bit;
	for (k = 0; k < 2; k++) {
		if (p->s[k]->ret)
			continue;
		if (p->s[k]->op == KVMPFN_OP_VCPU_MAP)
			m->held[k] |= bit;
		else
			m->held[k] &= ~bit;
	}
	if ((m->held[0] ^ m->held[1]) & bit ||
	    (follows && (m->held[0] & bit)))
		m->apart |= bit;
	else
		m->apart &= ~bit;
	return follows;
}

/*
 * A host step whose work a page's count decides: migrate, collapse, unmap
 * and free, and the end of an invalidation that migrates (invalidate_end,
 * wait, a pfncache whose retry loop waits it out).
 */
static bool by_count(enum kvmpfn_op op)
{
	return op <= KVMPFN_OP_THP_COLLAPSE || op == KVMPFN_OP_INVALIDATE_END ||
	       op == KVMPFN_OP_WAIT || op == KVMPFN_OP_GPC_ACTIVATE ||
	       op == KVMPFN_OP_GPC_REFRESH;
}

/* whether a step did its work in one run and not in the other */
static bool step_apart(const struct kvmpfn_obs_step *x,
		       const struct kvmpfn_obs_step *y)
{
	return !x->ret != !y->ret || x->mapped != y->mapped ||
	       (x->mapped && (x->pfn != y->pfn || x->writable != y->writable));
}

int kvmpfn_compare_obs(const struct kvmpfn_obs *a, const struct kvmpfn_obs *b,
		       struct kvmpfn_diffs *out)
{
	bool swap = kvmpfn_stage_model(b->stage) < kvmpfn_stage_model(a->stage);
	unsigned int follows[FOLLOW_VCPUS] = { 0 };	/* the begin's line */
	bool pinned[FOLLOW_VCPUS] = { false };	/* in one stage only */
	bool begun_apart[FOLLOW_VCPUS] = { false };	/* onto a leaf apart */
	unsigned int i, npinned = 0;
	struct map_ids maps = { { 0, 0 }, 0 };
	struct host_apart host = { 0 };

	out->parted = out->parted_from = out->parted_host = 0;
	out->parted_kernel = false;
	if (a->nsteps != b->nsteps)
		return -KVMPFN_EINVAL;
	for (i = 0; i < a->nsteps; i++) {
		struct pair p = {
			.s = { &a->steps[i], &b->steps[i] },
			.p = { i ? &a->steps[i - 1] : NULL,
			       i ? &b->steps[i - 1] : NULL },
			.o = { a, b }, .i = i,
			.e = swap, .l = !swap,
		};
		unsigned int *f = NULL, meets, n0 = out->n;
		bool apart;
		int e = 0;

		if (p.s[0]->line != p.s[1]->line || p.s[0]->op != p.s[1]->op)
			return -KVMPFN_EINVAL;
		meets = host_meets(&host, p.s[0]);
		p.kmap_apart = maps.apart;
		p.kind = p.s[p.l]->kind ? p.s[p.l]->kind : p.s[p.e]->kind;
		if (p.s[0]->is_fault && p.s[0]->vcpu < FOLLOW_VCPUS)
			f = &follows[p.s[0]->vcpu];
		/*
		 * After a fault_begin whose result differs, the faults of
		 * that vCPU up to its fault_finish follow from it (EBUSY on
		 * one side, EINVAL for nothing to finish on the other).  One
		 * that changed the host or the VM in one stage only (a fault
		 * that mapped) parts the runs: nothing after it can be put
		 * down to the stages any more.
		 */
		/*
		 * While a fault in flight pins its page in one stage only
		 * (v7.5 takes no reference), what the host does by a page's
		 * count (by_count()) follows from the pin: such a step is not
		 * compared, and if it did its work in one stage only
		 * (migrated the page) the runs part.
		 * So while a vcpu_map exists in one run only (v7.8 maps a
		 * remapped refcounted page with a reference, final refuses):
		 * a memory_failure() its reference makes EBUSY, say.
		 */
		if ((npinned || maps.apart) && by_count(p.s[0]->op)) {
			/* a migration in one stage only installed its copy */
			if (step_apart(p.s[0], p.s[1]) || pages_apart(&p) ||
			    installs_apart(&p)) {
				out->parted = p.s[0]->line;
				out->parted_from = 0;
				return cmp_viol(&p, out);
			}
		} else if (f && *f) {
			if (p.s[0]->op != KVMPFN_OP_FAULT_FINISH &&
			    step_apart(p.s[0], p.s[1])) {
				out->parted = p.s[0]->line;
				out->parted_from = *f;
				return 0;
			}
			if (p.s[0]->op == KVMPFN_OP_FAULT_FINISH)
				*f = 0;
			/*
			 * nor its violations: it ran in one stage only (a
			 * fault EBUSY in the other), or finished a fault
			 * only one stage had
			 */
			continue;
		} else if (map_follows(&p, &maps)) {
			/* not even its violations: it ran in one stage only */
			if (kernel_parts(&p, &host, out))
				return 0;
			continue;
		} else {
			if (f && p.s[0]->op == KVMPFN_OP_FAULT_BEGIN &&
			    p.s[0]->gets - p.s[0]->puts !=
			    p.s[1]->gets - p.s[1]->puts && !pinned[f - follows]) {
				pinned[f - follows] = true;
				npinned++;
			}
			if (f && p.s[0]->op == KVMPFN_OP_FAULT_FINISH &&
			    pinned[f - follows]) {
				pinned[f - follows] = false;
				npinned--;
			}
			/*
			 * a fault onto a page one stage's leaf maps already
			 * is spurious there, and its result follows from
			 * that leaf; so does the finish of a fault whose
			 * begin found it so
			 */
			apart = leaf_apart(&p);
			if (f && p.s[0]->op == KVMPFN_OP_FAULT_BEGIN)
				begun_apart[f - follows] = apart;
			if (f && p.s[0]->op == KVMPFN_OP_FAULT_FINISH) {
				apart |= begun_apart[f - follows];
				begun_apart[f - follows] = false;
			}
			if (!apart)
				e = cmp_error(&p, out);
			if (f && p.s[0]->op == KVMPFN_OP_FAULT_BEGIN &&
			    p.s[0]->ret != p.s[1]->ret)
				*f = p.s[0]->line;
			if (!e && kernel_parts(&p, &host, out))
				return cmp_viol(&p, out);
			/* the rest of a step whose result differs follows */
			if (!e && p.s[0]->ret == p.s[1]->ret)
				e = (!apart &&
				     (cmp_map(&p, out) || cmp_refs(&p, out))) ||
				    cmp_pages(&p, out) ? -KVMPFN_ENOMEM : 0;
		}
		if (!e)
			e = cmp_viol(&p, out);
		if (e)
			return e;
		if (meets && unknown_since(out, n0, a->stage, b->stage)) {
			out->n = n0;
			out->parted = p.s[0]->line;
			out->parted_host = meets;
			return 0;
		}
	}
	return 0;
}

/* ---- a file ------------------------------------------------------------- */

struct decl {
	unsigned int line;		/* of the differs line */
	unsigned int step_line;		/* of the operation it is about */
	unsigned int aspects;
};

/* The differs lines that apply to this pair and model, in line order. */
static int read_decls(const char *buf, size_t len,
		      const struct kvmpfn_compare_opts *o, struct decl **out,
		      unsigned int *n)
{
	enum kvmpfn_stage sa = kvmpfn_stage_model(o->a);
	enum kvmpfn_stage sb = kvmpfn_stage_model(o->b);
	unsigned int lineno = 0, op_line = 0, cap = 0;
	struct scn_line ln;
	size_t pos = 0;

	*out = NULL;
	*n = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		struct scn_differs d;
		char msg[96];
		int col;

		lineno++;
		if (scn_lex(buf + pos, l, (int)lineno, &ln, &col, msg,
			    sizeof(msg)) || !ln.ntok || ln.tok[0].key[0]) {
			pos += l + 1;
			continue;
		}
		pos += l + 1;
		if (strcmp(ln.tok[0].val, "differs")) {
			if (strcmp(ln.tok[0].val, "expect"))
				op_line = lineno;
			continue;
		}
		if (scn_differs_parse(&ln, &d, &col, msg, sizeof(msg)))
			continue;	/* the run reported it */
		if (!((d.stage[0] == sa && d.stage[1] == sb) ||
		      (d.stage[0] == sb && d.stage[1] == sa)) ||
		    (d.arches && !(d.arches & (1U << o->arch))))
			continue;
		if (*n == cap) {
			struct decl *v;

			cap = cap ? 2 * cap : 8;
			v = realloc(*out, cap * sizeof(*v));
			if (!v) {
				free(*out);
				*out = NULL;
				return -KVMPFN_ENOMEM;
			}
			*out = v;
		}
		(*out)[(*n)++] = (struct decl){
			.line = lineno, .step_line = op_line,
			.aspects = d.aspects,
		};
	}
	return 0;
}

static unsigned int declared_at(const struct decl *v, unsigned int n,
				unsigned int step_line)
{
	unsigned int i, m = 0;

	for (i = 0; i < n; i++)
		if (v[i].step_line == step_line)
			m |= v[i].aspects;
	return m;
}

static void print_diffs(const char *path, const struct kvmpfn_compare_opts *o,
			struct kvmpfn_diffs *dv, const struct decl *decl,
			unsigned int ndecl, FILE *out,
			struct kvmpfn_compare_stats *st)
{
	const char *arch = kvmpfn_arch_name(o->arch);
	unsigned int i, a;
	bool known;
	size_t k;

	for (k = 0; k < dv->n; k++) {
		struct kvmpfn_diff *d = &dv->v[k];

		d->declared = declared_at(decl, ndecl, d->line) &
			      (1U << d->aspect);
		st->diffs++;
		if (d->declared)
			st->declared++;
		else
			st->undeclared++;
		known = kvmpfn_diff_class_find(d->cls, o->a, o->b) != NULL;
		st->unknown += !known;
		if (o->quiet && d->declared)
			continue;
		fprintf(out, "%s:%u: %s: %s: A: %s | B: %s%s", path, d->line,
			arch, kvmpfn_aspect_name(d->aspect), d->what[0],
			d->what[1], d->declared ? " (declared)" : "");
		if (o->show_class)
			fprintf(out, " [%s%s]", d->cls, known ? "" : " ?");
		fputc('\n', out);
	}
	if (dv->parted && dv->parted_from)
		fprintf(out, "%s:%u: %s: the runs part here: this fault follows from the fault_begin on line %u and went differently; later steps are not compared\n",
			path, dv->parted, arch, dv->parted_from);
	else if (dv->parted && dv->parted_host)
		fprintf(out, "%s:%u: %s: the runs part here: this step meets host memory that the kernel access on line %u installed in one stage only, and differs in a way no class explains; later steps are not compared\n",
			path, dv->parted, arch, dv->parted_host);
	else if (dv->parted && dv->parted_kernel)
		fprintf(out, "%s:%u: %s: the runs part here: this kernel access changed the host in one stage only (faulted memory in, or waited out invalidations); later steps are not compared\n",
			path, dv->parted, arch);
	else if (dv->parted)
		fprintf(out, "%s:%u: %s: the runs part here: the host did this in one stage only, a fault in flight or a vcpu_map holding the page in the other; later steps are not compared\n",
			path, dv->parted, arch);
	for (i = 0; i < ndecl; i++) {
		/* past the parting nothing was compared, nothing seen */
		if (dv->parted && decl[i].step_line >= dv->parted)
			continue;
		for (a = 0; a < KVMPFN_NR_ASPECTS; a++) {
			bool seen = false;

			if (!(decl[i].aspects & (1U << a)))
				continue;
			for (k = 0; k < dv->n && !seen; k++)
				seen = dv->v[k].line == decl[i].step_line &&
				       dv->v[k].aspect == a;
			if (seen)
				continue;
			st->unseen++;
			fprintf(out, "%s:%u: %s: %s: declared but not seen (the step on line %u does not differ in it)\n",
				path, decl[i].line, arch,
				kvmpfn_aspect_name((enum kvmpfn_aspect)a),
				decl[i].step_line);
		}
	}
}

int kvmpfn_compare_buffer(const char *path, const char *buf, size_t len,
			  const struct kvmpfn_compare_opts *opts, FILE *out,
			  FILE *err, struct kvmpfn_compare_stats *stats)
{
	struct kvmpfn_compare_stats st = { 0 };
	struct kvmpfn_obs *obs[2] = { NULL, NULL };
	struct kvmpfn_diffs dv = { 0 };
	struct decl *decl = NULL;
	unsigned int ndecl = 0;
	FILE *sink = tmpfile();
	int k, rc = KVMPFN_EXIT_USAGE, e = 0;

	if (!sink) {
		fprintf(err, "%s: cannot open a scratch file\n", path);
		return KVMPFN_EXIT_USAGE;
	}
	for (k = 0; k < 2 && !e; k++) {
		struct kvmpfn_run_opts ro = {
			.stage = k ? opts->b : opts->a, .arch = opts->arch,
			.checks = opts->checks, .quiet = true, .lenient = true,
		};

		/* the runs' own reports are not the comparison's */
		e = kvmpfn_observe_buffer(path, buf, len, &ro, sink, err,
					  &obs[k]);
		if (!e && obs[k]->rc == KVMPFN_EXIT_USAGE)
			e = 1;
	}
	if (!e)
		e = read_decls(buf, len, opts, &decl, &ndecl);
	if (!e)
		e = kvmpfn_compare_obs(obs[0], obs[1], &dv);
	if (e < 0)
		fprintf(err, "%s: %s\n", path, kvmpfn_strerror(e));
	if (!e) {
		st.steps = obs[0]->nsteps;
		st.rc[0] = obs[0]->rc;
		st.rc[1] = obs[1]->rc;
		print_diffs(path, opts, &dv, decl, ndecl, out, &st);
		rc = st.undeclared || st.unseen ? KVMPFN_EXIT_FAIL :
						  KVMPFN_EXIT_OK;
		if (!opts->quiet)
			fprintf(out, "%s: %s %s vs %s: %s: %u steps, %u differences, %u declared, %u undeclared, %u declared but not seen, %u of a class not in the table\n",
				path, kvmpfn_arch_name(opts->arch),
				kvmpfn_stage_name(opts->a),
				kvmpfn_stage_name(opts->b),
				rc ? "FAIL" : "ok", st.steps, st.diffs,
				st.declared, st.undeclared, st.unseen,
				st.unknown);
	}
	if (stats)
		*stats = st;
	kvmpfn_diffs_free(&dv);
	free(decl);
	kvmpfn_obs_free(obs[0]);
	kvmpfn_obs_free(obs[1]);
	fclose(sink);
	return rc;
}

struct compare_file {
	const struct kvmpfn_compare_opts *opts;
	FILE *out, *err;
	struct kvmpfn_compare_stats *stats;
};

static int compare_text(const char *path, const char *buf, size_t len,
			void *ctx)
{
	struct compare_file *f = ctx;

	return kvmpfn_compare_buffer(path, buf, len, f->opts, f->out, f->err,
				     f->stats);
}

int kvmpfn_compare_file(const char *path,
			const struct kvmpfn_compare_opts *opts, FILE *out,
			FILE *err, struct kvmpfn_compare_stats *stats)
{
	struct compare_file f = { opts, out, err, stats };

	if (stats)
		memset(stats, 0, sizeof(*stats));
	return scn_on_file(path, err, compare_text, &f);
}
