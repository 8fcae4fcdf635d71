// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario runner: interprets one line at a time against a simulator,
 * checks expectations, and reports.  Every bad input is a FILE:LINE:COL
 * diagnostic and exit code 2; nothing in a file can crash the runner.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kvmpfn/scenario.h>

#include "differs.h"
#include "lexer.h"
#include "scnutil.h"

struct run {
	const char *path;
	struct kvmpfn_sim *sim;
	const struct kvmpfn_run_opts *opts;
	FILE *out, *err;
	struct scn_line *ln;
	int last_ret;			/* result of the last operation */
	int last_ret_line;
	bool last_ret_checked;
	unsigned int refs_step;		/* the step count_refs() saw last */
	unsigned int viol_seen;		/* violations already judged */
	unsigned int viol_step_first;	/* first violation of the last op */
	bool *viol_expected;
	unsigned int viol_alloc;
	struct kvmpfn_run_stats st;
	int failed;
	uint64_t *log;			/* the last dirty log taken */
	int64_t log_id;
};

static int diag(struct run *r, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int diag(struct run *r, int col, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->err, "%s:%d:%d: ", r->path, r->ln->lineno, col);
	va_start(ap, fmt);
	vfprintf(r->err, fmt, ap);
	va_end(ap);
	fputc('\n', r->err);
	return -1;
}

static struct scn_tok *arg(struct run *r, const char *key)
{
	int i;

	for (i = 1; i < r->ln->ntok; i++) {
		struct scn_tok *t = &r->ln->tok[i];

		if (!strcmp(t->key, key)) {
			t->used = 1;
			return t;
		}
	}
	return NULL;
}

static bool flag(struct run *r, const char *word)
{
	int i;

	for (i = 1; i < r->ln->ntok; i++) {
		struct scn_tok *t = &r->ln->tok[i];

		if (!t->key[0] && !strcmp(t->val, word)) {
			t->used = 1;
			return true;
		}
	}
	return false;
}

/* Numbers: decimal or 0x hex, with an optional K, M or G suffix. */
static int parse_num(const char *s, uint64_t *v)
{
	uint64_t n = 0, mul = 1, base = 10;
	size_t len = strlen(s);

	if (!len)
		return -1;
	switch (s[len - 1]) {
	case 'K': mul = 1ULL << 10; len--; break;
	case 'M': mul = 1ULL << 20; len--; break;
	case 'G': mul = 1ULL << 30; len--; break;
	}
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (!len)
		return -1;
	for (; len; s++, len--) {
		uint64_t d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (n > (UINT64_MAX - d) / base)
			return -1;
		n = n * base + d;
	}
	if (mul > 1 && n > UINT64_MAX / mul)
		return -1;
	*v = n * mul;
	return 0;
}

static int num(struct run *r, const char *key, bool required, uint64_t def,
	       uint64_t *v)
{
	struct scn_tok *t = arg(r, key);

	if (!t) {
		if (required)
			return diag(r, r->ln->tok[0].col,
				    "'%s' needs %s=<number>", r->ln->tok[0].val,
				    key);
		*v = def;
		return 0;
	}
	if (parse_num(t->val, v))
		return diag(r, t->col, "'%s' is not a number", t->val);
	return 0;
}

static int yesno(struct run *r, const char *key, int *v)
{
	struct scn_tok *t = arg(r, key);

	*v = -1;
	if (!t)
		return 0;
	if (!strcmp(t->val, "yes"))
		*v = 1;
	else if (!strcmp(t->val, "no"))
		*v = 0;
	else
		return diag(r, t->col, "%s= takes yes or no", key);
	return 0;
}

/* A page: NAME, NAME+N (page N of an allocation) or a pfn number. */
static int page_ref(struct run *r, struct scn_tok *t, uint64_t *pfn)
{
	char name[SCN_MAX_TEXT];
	const char *plus = strchr(t->val, '+');
	uint64_t idx = 0;
	int e;

	if (t->val[0] >= '0' && t->val[0] <= '9')
		return parse_num(t->val, pfn) ?
		       diag(r, t->col, "'%s' is not a page", t->val) : 0;
	snprintf(name, sizeof(name), "%.*s",
		 (int)(plus ? plus - t->val : (long)strlen(t->val)), t->val);
	if (plus && parse_num(plus + 1, &idx))
		return diag(r, t->col, "bad page index in '%s'", t->val);
	e = kvmpfn_host_pfn(r->sim, name, idx, pfn);
	if (e == -2)
		return diag(r, t->col, "no allocation named '%s'", name);
	if (e)
		return diag(r, t->col, "'%s' is past the end of '%s'", t->val,
			    name);
	return 0;
}

static unsigned int parse_prot(struct run *r, unsigned int def, int *bad)
{
	struct scn_tok *t = arg(r, "prot");
	unsigned int p = 0;
	const char *c;

	*bad = 0;
	if (!t)
		return def;
	for (c = t->val; *c; c++) {
		if (*c == 'r')
			p |= KVMPFN_PROT_READ;
		else if (*c == 'w')
			p |= KVMPFN_PROT_WRITE;
		else if (*c == 'x')
			p |= KVMPFN_PROT_EXEC;
		else if (*c != '-') {
			*bad = diag(r, t->col, "prot= takes letters r, w, x");
			return 0;
		}
	}
	return p;
}

/* "EFAULT" -> 14: the names kvmpfn_strerror() gives. */
static int errno_of(const char *name)
{
	int i;

	for (i = 1; i <= KVMPFN_EHWPOISON; i++)
		if (!strcmp(kvmpfn_strerror(-i), name))
			return i;
	return 0;
}

/*
 * stage=S or stage=S1..S2, and arch=A or arch=A1,A2, restrict an
 * expectation to those stages and architectures.
 */
static int filter(struct run *r, bool *applies)
{
	struct scn_tok *t = arg(r, "stage"), *at = arg(r, "arch");
	enum kvmpfn_stage lo, hi, cur = kvmpfn_stage_model(r->opts->stage);
	char a[SCN_MAX_TEXT];
	const char *name, *next;
	const char *dots;
	bool any = false;

	*applies = true;
	if (t) {
		dots = strstr(t->val, "..");
		snprintf(a, sizeof(a), "%.*s",
			 (int)(dots ? dots - t->val : (long)strlen(t->val)),
			 t->val);
		if (kvmpfn_stage_parse(a, &lo) ||
		    kvmpfn_stage_parse(dots ? dots + 2 : a, &hi) ||
		    kvmpfn_stage_is_kernel(lo) || kvmpfn_stage_is_kernel(hi))
			return diag(r, t->col, "unknown stage in '%s'", t->val);
		*applies = cur >= lo && cur <= hi;
	}
	if (!at)
		return 0;
	for (name = at->val;; name = next + 1) {
		enum kvmpfn_arch arch;

		next = name + strcspn(name, ",");
		snprintf(a, sizeof(a), "%.*s", (int)(next - name), name);
		if (kvmpfn_arch_parse(a, &arch))
			return diag(r, at->col, "unknown architecture '%s'", a);
		any |= arch == r->opts->arch;
		if (!*next)
			break;
	}
	*applies = *applies && any;
	return 0;
}

static void unmet(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void unmet(struct run *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(r->out, "%s:%d: expectation not met: ", r->path,
		r->ln->lineno);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
	r->failed = 1;
}

static int expect(struct run *r)
{
	struct scn_line *ln = r->ln;
	const char *what;
	bool applies;
	uint64_t v;

	if (ln->ntok < 2)
		return diag(r, ln->tok[0].col, "expect what?");
	ln->tok[1].used = 1;
	what = ln->tok[1].val;
	if (filter(r, &applies))
		return -1;

	if (!strcmp(what, "error") || !strcmp(what, "ok")) {
		int want = 0;

		if (what[0] == 'e') {
			if (ln->ntok < 3 || ln->tok[2].key[0] ||
			    !(want = errno_of(ln->tok[2].val)))
				return diag(r, ln->tok[ln->ntok > 2 ? 2 : 1].col,
					    "expect error takes an errno name (EFAULT, EAGAIN, ...)");
			ln->tok[2].used = 1;
		}
		if (!applies)
			return 0;
		r->st.expectations++;
		r->last_ret_checked = true;
		if (-r->last_ret != want && !(want == 0 && r->last_ret > 0))
			unmet(r, "expected %s, the operation on line %d returned %s",
			      want ? ln->tok[2].val : "success",
			      r->last_ret_line, kvmpfn_strerror(r->last_ret));
		return 0;
	}
	if (!strcmp(what, "violation")) {
		const struct kvmpfn_violation *vv;
		unsigned int n, i;
		char idtxt[16];
		int id = 0;
		bool found = false;

		if (ln->ntok < 3 || ln->tok[2].key[0] ||
		    sscanf(ln->tok[2].val, "I%d", &id) != 1 || id < 1 ||
		    strcmp(ln->tok[2].val, (snprintf(idtxt, sizeof(idtxt),
						     "I%d", id), idtxt)) ||
		    id > KVMPFN_NR_INVARIANTS)
			return diag(r, ln->tok[ln->ntok > 2 ? 2 : 1].col,
				    "expect violation takes an invariant id I1..I%d",
				    KVMPFN_NR_INVARIANTS);
		ln->tok[2].used = 1;
		if (!applies)
			return 0;
		r->st.expectations++;
		n = kvmpfn_violations(r->sim, &vv);
		for (i = r->viol_step_first; i < n; i++) {
			if (vv[i].id == id) {
				r->viol_expected[i] = true;
				found = true;
			}
		}
		if (!found)
			unmet(r, "expected a violation of I%d by the operation on line %d",
			      id, r->last_ret_line);
		return 0;
	}
	if (!strcmp(what, "mapped") || !strcmp(what, "unmapped")) {
		struct kvmpfn_leaf leaf;
		struct scn_tok *pt;
		int wr, rc, e;
		uint64_t pfn = 0, lv;

		if (num(r, "gfn", true, 0, &v) || yesno(r, "writable", &wr) ||
		    yesno(r, "refcounted", &rc) || num(r, "level", false, 0, &lv))
			return -1;
		pt = arg(r, "pfn");
		if (pt && page_ref(r, pt, &pfn))
			return -1;
		if (!applies)
			return 0;
		r->st.expectations++;
		e = kvmpfn_leaf(r->sim, 0, v, &leaf);
		if (what[0] == 'u') {
			if (!e)
				unmet(r, "gfn 0x%llx is mapped (pfn 0x%llx)",
				      (unsigned long long)v,
				      (unsigned long long)leaf.pfn);
			return 0;
		}
		if (e) {
			unmet(r, "gfn 0x%llx is not mapped",
			      (unsigned long long)v);
			return 0;
		}
		if (pt && leaf.pfn != pfn)
			unmet(r, "gfn 0x%llx maps pfn 0x%llx, not 0x%llx",
			      (unsigned long long)v,
			      (unsigned long long)leaf.pfn,
			      (unsigned long long)pfn);
		if (wr >= 0 && leaf.writable != wr)
			unmet(r, "gfn 0x%llx is %swritable",
			      (unsigned long long)v, leaf.writable ? "" : "not ");
		if (lv && (uint64_t)leaf.level != lv)
			unmet(r, "gfn 0x%llx is mapped at level %d, not %llu",
			      (unsigned long long)v, leaf.level,
			      (unsigned long long)lv);
		if (rc >= 0 && leaf.refcounted != rc)
			unmet(r, "gfn 0x%llx is %srefcounted",
			      (unsigned long long)v,
			      leaf.refcounted ? "" : "not ");
		return 0;
	}
	if (!strcmp(what, "refcount") || !strcmp(what, "kvm_refs")) {
		struct kvmpfn_page_state st;
		struct scn_tok *pt = arg(r, "page");
		uint64_t pfn;

		if (!pt)
			return diag(r, ln->tok[1].col, "expect %s needs page=", what);
		if (page_ref(r, pt, &pfn) || num(r, "count", true, 0, &v))
			return -1;
		if (!applies)
			return 0;
		r->st.expectations++;
		if (kvmpfn_page_state(r->sim, pfn, &st)) {
			unmet(r, "no page at pfn 0x%llx", (unsigned long long)pfn);
			return 0;
		}
		if ((what[0] == 'r' ? st.refcount : st.kvm_refs) != (int)v)
			unmet(r, "%s of %s is %d, not %llu", what, pt->val,
			      what[0] == 'r' ? st.refcount : st.kvm_refs,
			      (unsigned long long)v);
		return 0;
	}
	if (!strcmp(what, "page")) {
		/* the page's folio flags: PG_dirty, PG_referenced */
		struct kvmpfn_page_state st;
		struct scn_tok *pt = arg(r, "page");
		uint64_t pfn;
		int dirty, accessed;

		if (!pt)
			return diag(r, ln->tok[1].col, "expect page needs page=");
		if (page_ref(r, pt, &pfn) || yesno(r, "dirty", &dirty) ||
		    yesno(r, "accessed", &accessed))
			return -1;
		if (dirty < 0 && accessed < 0)
			return diag(r, ln->tok[1].col,
				    "expect page needs dirty= or accessed=");
		if (!applies)
			return 0;
		r->st.expectations++;
		if (kvmpfn_page_state(r->sim, pfn, &st) || !st.has_page) {
			unmet(r, "no struct page at pfn 0x%llx",
			      (unsigned long long)pfn);
			return 0;
		}
		if (dirty >= 0 && st.dirty != dirty)
			unmet(r, "%s is %sdirty", pt->val, st.dirty ? "" : "not ");
		if (accessed >= 0 && st.accessed != accessed)
			unmet(r, "%s is %saccessed", pt->val,
			      st.accessed ? "" : "not ");
		return 0;
	}
	if (!strcmp(what, "dirty") || !strcmp(what, "clean")) {
		struct kvmpfn_memslot_args si;
		uint64_t id, gfn, bit;

		if (num(r, "id", true, 0, &id) || num(r, "gfn", true, 0, &gfn))
			return -1;
		if (!applies)
			return 0;
		r->st.expectations++;
		if (r->log_id != (int64_t)id || kvmpfn_memslot_info(r->sim, 0,
				(int)id, &si) || gfn < si.gfn ||
		    gfn >= si.gfn + si.npages) {
			unmet(r, "no dirty log of slot %llu covering gfn 0x%llx was taken",
			      (unsigned long long)id, (unsigned long long)gfn);
			return 0;
		}
		bit = gfn - si.gfn;
		if (((r->log[bit / 64] >> (bit % 64)) & 1) != (what[0] == 'd'))
			unmet(r, "gfn 0x%llx is %s in the dirty log",
			      (unsigned long long)gfn,
			      what[0] == 'd' ? "clean" : "dirty");
		return 0;
	}
	if (!strcmp(what, "gpc")) {
		int valid;

		if (num(r, "id", true, 0, &v) || yesno(r, "valid", &valid))
			return -1;
		if (valid < 0)
			return diag(r, ln->tok[1].col, "expect gpc needs valid=yes|no");
		if (!applies)
			return 0;
		r->st.expectations++;
		if (kvmpfn_gpc_check(r->sim, (int)v) != valid)
			unmet(r, "pfncache %llu is %svalid", (unsigned long long)v,
			      valid ? "not " : "");
		return 0;
	}
	return diag(r, ln->tok[1].col, "unknown expectation '%s'", what);
}

static int op_mmap(struct run *r, int *ret)
{
	static const struct { const char *key; enum kvmpfn_map_kind kind; }
	kinds[] = {
		{ "file", KVMPFN_MAP_FILE }, { "pfnmap", KVMPFN_MAP_PFNMAP },
		{ "io", KVMPFN_MAP_IO }, { "mixedmap", KVMPFN_MAP_MIXEDMAP },
	};
	struct kvmpfn_mmap_args a = { .kind = KVMPFN_MAP_ANON };
	size_t i;
	int bad;

	if (num(r, "hva", true, 0, &a.hva) || num(r, "size", true, 0, &a.len) ||
	    num(r, "pgoff", false, 0, &a.pgoff))
		return -1;
	a.prot = parse_prot(r, KVMPFN_PROT_READ | KVMPFN_PROT_WRITE, &bad);
	if (bad)
		return -1;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct scn_tok *t = arg(r, kinds[i].key);

		if (t) {
			if (a.object)
				return diag(r, t->col, "one backing per mmap");
			a.kind = kinds[i].kind;
			a.object = t->val;
		}
	}
	if (flag(r, "anon") && a.object)
		return diag(r, r->ln->tok[0].col, "anon mapping with an object");
	a.shared = flag(r, "shared");
	a.thp = flag(r, "thp");
	a.huge = flag(r, "huge");
	*ret = kvmpfn_host_mmap(r->sim, &a);
	return 0;
}

static int op_memslot(struct run *r, int *ret)
{
	static const char *const ops[] = { "create", "delete", "move", "flags" };
	struct kvmpfn_memslot_args a = { 0 };
	struct scn_line *ln = r->ln;
	uint64_t id, as;
	unsigned int op;

	if (ln->ntok < 2 || ln->tok[1].key[0])
		return diag(r, ln->tok[0].col,
			    "memslot create|delete|move|flags id=N ...");
	for (op = 0; op < 4; op++)
		if (!strcmp(ln->tok[1].val, ops[op]))
			break;
	if (op == 4)
		return diag(r, ln->tok[1].col, "unknown memslot operation '%s'",
			    ln->tok[1].val);
	ln->tok[1].used = 1;
	if (num(r, "id", true, 0, &id) || num(r, "as", false, 0, &as) ||
	    num(r, "gfn", op == KVMPFN_SLOT_CREATE || op == KVMPFN_SLOT_MOVE,
		0, &a.gfn) ||
	    num(r, "npages", op == KVMPFN_SLOT_CREATE, 0, &a.npages) ||
	    num(r, "hva", op == KVMPFN_SLOT_CREATE, 0, &a.hva))
		return -1;
	if (id > 0x7fffffff || as > 0x7fffffff)
		return diag(r, ln->tok[0].col, "id or as out of range");
	a.id = (int)id;
	a.as_id = (int)as;
	if (flag(r, "readonly"))
		a.flags |= KVMPFN_MEM_READONLY;
	if (flag(r, "log_dirty"))
		a.flags |= KVMPFN_MEM_LOG_DIRTY_PAGES;
	*ret = kvmpfn_memslot(r->sim, (enum kvmpfn_slot_op)op, &a);
	if (*ret > 0)
		*ret = 0;	/* deferred behind an invalidation */
	return 0;
}

/* Execute one operation line; *ret is its result.  -1: bad input. */
/* Note what the guest saw, for the cross-architecture comparison. */
static int record(struct run *r, uint64_t gfn, int ret, bool begin,
		  bool arch_specific, bool write)
{
	struct kvmpfn_outcomes *o = r->opts->record;
	struct kvmpfn_outcome *e;
	struct kvmpfn_leaf leaf;

	if (!o)
		return 0;
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 32;

		e = realloc(o->v, cap * sizeof(*e));
		if (!e)
			return diag(r, 1, "out of memory");
		o->v = e;
		o->cap = cap;
	}
	e = &o->v[o->n++];
	memset(e, 0, sizeof(*e));
	e->line = (unsigned int)r->ln->lineno;
	e->ret = ret;
	e->begin = begin;
	e->arch_specific = arch_specific;
	e->write = write;
	if (begin) {
		unsigned int gets, puts;

		kvmpfn_step_refs(r->sim, &gets, &puts);
		e->pinned = gets > puts;
	}
	if (!begin && !ret && !kvmpfn_leaf(r->sim, 0, gfn, &leaf)) {
		e->mapped = true;
		e->writable = leaf.writable;
		e->pfn = leaf.pfn;
	}
	return 0;
}

/*
 * x86 paging=tdp|shadow64|pae [pke]: the x86 model's paging mode, before
 * anything is mapped (EBUSY after).  Other models ignore the line: it says
 * how the VM runs when it runs on x86.
 */
static int op_x86(struct run *r, int *ret)
{
	struct scn_tok *t = arg(r, "paging");
	enum kvmpfn_x86_paging paging;
	bool pke = flag(r, "pke");

	if (!t)
		return diag(r, r->ln->tok[0].col,
			    "x86 paging=tdp|shadow64|pae [pke]");
	if (kvmpfn_x86_paging_parse(t->val, &paging))
		return diag(r, t->col, "unknown x86 paging mode '%s' (tdp, shadow64, pae)",
			    t->val);
	if (pke && paging != KVMPFN_X86_SHADOW64)
		return diag(r, t->col, "pke needs paging=shadow64");
	*ret = kvmpfn_sim_arch(r->sim) == KVMPFN_ARCH_X86 ?
	       kvmpfn_sim_set_x86_paging(r->sim, paging, pke) : 0;
	return 0;
}

/*
 * kvm_param allow_unsafe_mappings=yes|no: a kvm module parameter, before
 * the operations it is for.  A stage whose KVM lacks the parameter ignores
 * the line, as modprobe does.
 */
static int op_kvm_param(struct run *r, int *ret)
{
	int v;

	if (r->ln->ntok != 2 || !r->ln->tok[1].key[0])
		return diag(r, r->ln->tok[0].col,
			    "kvm_param allow_unsafe_mappings=yes|no");
	if (strcmp(r->ln->tok[1].key, "allow_unsafe_mappings"))
		return diag(r, r->ln->tok[1].col,
			    "unknown kvm parameter '%s' (allow_unsafe_mappings)",
			    r->ln->tok[1].key);
	if (yesno(r, "allow_unsafe_mappings", &v))
		return -1;
	*ret = kvmpfn_sim_set_param(r->sim, "allow_unsafe_mappings", v);
	if (*ret == -KVMPFN_ENOENT)
		*ret = 0;
	return 0;
}

static int operation(struct run *r, int *ret)
{
	const char *op = r->ln->tok[0].val;
	uint64_t a = 0, b = 0, c = 0;

	if (!strcmp(op, "alloc")) {
		unsigned int f = 0;

		if (r->ln->ntok < 2 || r->ln->tok[1].key[0])
			return diag(r, r->ln->tok[0].col, "alloc NAME order=N ...");
		r->ln->tok[1].used = 1;
		if (num(r, "order", false, 0, &a))
			return -1;
		if (a > 18)
			return diag(r, r->ln->tok[0].col, "order must be 0..18");
		f |= flag(r, "compound") ? KVMPFN_A_COMPOUND : 0;
		f |= flag(r, "reserved") ? KVMPFN_A_RESERVED : 0;
		f |= flag(r, "zone_device") ? KVMPFN_A_ZONE_DEVICE : 0;
		f |= flag(r, "nostruct") ? KVMPFN_A_NOSTRUCT : 0;
		*ret = kvmpfn_host_alloc(r->sim, r->ln->tok[1].val,
					 (unsigned int)a, f);
	} else if (!strcmp(op, "free")) {
		if (r->ln->ntok < 2 || r->ln->tok[1].key[0])
			return diag(r, r->ln->tok[0].col, "free NAME");
		r->ln->tok[1].used = 1;
		*ret = kvmpfn_host_free(r->sim, r->ln->tok[1].val);
		if (*ret > 0)
			*ret = 0;
	} else if (!strcmp(op, "poison")) {
		struct scn_tok *t = arg(r, "page");

		if (!t)
			return diag(r, r->ln->tok[0].col, "poison page=PAGE");
		if (page_ref(r, t, &a))
			return -1;
		*ret = kvmpfn_host_poison(r->sim, a);
	} else if (!strcmp(op, "mmap")) {
		if (op_mmap(r, ret))
			return -1;
	} else if (!strcmp(op, "munmap") || !strcmp(op, "mprotect") ||
		   !strcmp(op, "invalidate_begin") || !strcmp(op, "age")) {
		int bad = 0;
		unsigned int prot = 0;

		if (num(r, "hva", true, 0, &a) || num(r, "size", true, 0, &b))
			return -1;
		if (op[1] == 'p') {
			prot = parse_prot(r, 0, &bad);
			if (bad)
				return -1;
		}
		*ret = op[0] == 'i' ?
			kvmpfn_invalidate_begin_migrate(r->sim, a, b,
							flag(r, "migrate")) :
		       op[0] == 'a' ? kvmpfn_age(r->sim, a, b) :
		       op[1] == 'p' ? kvmpfn_host_mprotect(r->sim, a, b, prot) :
				      kvmpfn_host_munmap(r->sim, a, b);
		if (op[0] == 'a' && *ret > 0)
			*ret = 0;
	} else if (!strcmp(op, "invalidate_end")) {
		*ret = kvmpfn_invalidate_end(r->sim);
	} else if (!strcmp(op, "wait")) {
		kvmpfn_wait(r->sim);
		*ret = 0;
	} else if (!strcmp(op, "touch") || !strcmp(op, "migrate") ||
		   !strcmp(op, "thp_split") || !strcmp(op, "thp_collapse")) {
		if (num(r, "hva", true, 0, &a))
			return -1;
		*ret = op[0] == 't' && op[1] == 'o' ?
			kvmpfn_host_touch(r->sim, a, flag(r, "write")) :
		       op[0] == 'm' ? kvmpfn_host_migrate(r->sim, a) :
		       op[4] == 's' ? kvmpfn_host_thp_split(r->sim, a) :
				      kvmpfn_host_thp_collapse(r->sim, a);
	} else if (!strcmp(op, "memslot")) {
		if (op_memslot(r, ret))
			return -1;
	} else if (!strcmp(op, "fault") || !strcmp(op, "fault_begin")) {
		bool write, specific;

		if (num(r, "gfn", true, 0, &a) || num(r, "vcpu", false, 0, &b))
			return -1;
		write = flag(r, "write");
		if (!write)
			flag(r, "read");
		specific = flag(r, "arch_specific");
		*ret = op[5] ? kvmpfn_fault_begin(r->sim, (int)b, a, write) :
			       kvmpfn_fault(r->sim, (int)b, a, write);
		if (!op[5]) {
			if (*ret)
				r->st.faults_failed++;
			else
				r->st.faults_mapped++;
		}
		if (record(r, a, *ret, op[5], specific, write))
			return -1;
	} else if (!strcmp(op, "fault_finish")) {
		if (num(r, "vcpu", false, 0, &b))
			return -1;
		*ret = kvmpfn_fault_finish(r->sim, (int)b);
		if (*ret)
			r->st.faults_failed++;
		else
			r->st.faults_mapped++;
	} else if (!strncmp(op, "gpc_", 4)) {
		bool activate = !strcmp(op, "gpc_activate");
		/* a cache is keyed by a gpa, or by an hva alone */
		struct scn_tok *by_hva = activate ? arg(r, "hva") : NULL;

		if (by_hva && arg(r, "gpa"))
			return diag(r, by_hva->col,
				    "gpc_activate takes gpa= or hva=, not both");
		if (num(r, "id", true, 0, &a) ||
		    num(r, by_hva ? "hva" : "gpa", activate, 0, &c))
			return -1;
		if (activate && by_hva)
			*ret = kvmpfn_gpc_activate_hva(r->sim, (int)a, c);
		else if (activate)
			*ret = kvmpfn_gpc_activate(r->sim, (int)a, c);
		else if (!strcmp(op, "gpc_refresh"))
			*ret = kvmpfn_gpc_refresh(r->sim, (int)a);
		else if (!strcmp(op, "gpc_deactivate"))
			*ret = kvmpfn_gpc_deactivate(r->sim, (int)a);
		else
			return diag(r, r->ln->tok[0].col,
				    "unknown operation '%s'", op);
	} else if (!strcmp(op, "dirty_log")) {
		struct kvmpfn_memslot_args si;
		bool clear;

		if (r->ln->ntok < 2 || r->ln->tok[1].key[0] ||
		    (strcmp(r->ln->tok[1].val, "get") &&
		     strcmp(r->ln->tok[1].val, "clear")))
			return diag(r, r->ln->tok[0].col,
				    "dirty_log get|clear id=N");
		r->ln->tok[1].used = 1;
		clear = r->ln->tok[1].val[0] == 'c';
		if (num(r, "id", true, 0, &a))
			return -1;
		if (a > 0x7fffffff)
			return diag(r, r->ln->tok[0].col, "id out of range");
		*ret = kvmpfn_memslot_info(r->sim, 0, (int)a, &si);
		if (!*ret) {
			free(r->log);
			r->log = calloc((si.npages + 63) / 64, sizeof(*r->log));
			if (!r->log)
				return diag(r, 1, "out of memory");
			r->log_id = (int64_t)a;
			*ret = kvmpfn_dirty_log(r->sim, 0, (int)a, r->log,
						si.npages, clear);
		}
	} else if (!strcmp(op, "vcpu_map")) {
		if (num(r, "id", true, 0, &a) || num(r, "gfn", true, 0, &b))
			return -1;
		*ret = kvmpfn_vcpu_map(r->sim, (int)a, b);
	} else if (!strcmp(op, "gfn_to_page")) {
		if (num(r, "gfn", true, 0, &b))
			return -1;
		*ret = kvmpfn_gfn_to_page(r->sim, b);
	} else if (!strcmp(op, "x86")) {
		if (op_x86(r, ret))
			return -1;
	} else if (!strcmp(op, "kvm_param")) {
		if (op_kvm_param(r, ret))
			return -1;
	} else if (!strcmp(op, "vcpu_unmap")) {
		if (num(r, "id", true, 0, &a))
			return -1;
		*ret = kvmpfn_vcpu_unmap(r->sim, (int)a, flag(r, "dirty"));
	} else {
		return diag(r, r->ln->tok[0].col, "unknown operation '%s'", op);
	}
	return 0;
}

/*
 * One trace line: the operation's result and, for a fault that mapped,
 * the leaf; always the references KVM took and put on struct pages.
 */
static void trace_step(struct run *r, int ret)
{
	struct scn_tok *gfn = arg(r, "gfn");
	struct kvmpfn_leaf leaf;
	unsigned int gets, puts;
	char name[48];
	uint64_t g;

	fprintf(r->out, "%s:%d: %s", r->path, r->ln->lineno,
		r->ln->tok[0].val);
	if (gfn)
		fprintf(r->out, " gfn=%s", gfn->val);
	fprintf(r->out, " -> %s", ret ? kvmpfn_strerror(ret) : "ok");
	if (!ret && gfn && !strncmp(r->ln->tok[0].val, "fault", 5) &&
	    !parse_num(gfn->val, &g) && !kvmpfn_leaf(r->sim, 0, g, &leaf))
		fprintf(r->out, ": pfn 0x%llx (%s) %s %s",
			(unsigned long long)leaf.pfn,
			kvmpfn_pfn_name(r->sim, leaf.pfn, name, sizeof(name)) ?
			"?" : name,
			leaf.writable ? "writable" : "read-only",
			leaf.refcounted ? "refcounted" : "not-refcounted");
	kvmpfn_step_refs(r->sim, &gets, &puts);
	fprintf(r->out, " [kvm get %u put %u]\n", gets, puts);
}

/* Violations of the last operation that no expectation claimed. */
static void judge_violations(struct run *r)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(r->sim, &v), i;

	for (i = r->viol_seen; i < n; i++) {
		if (r->viol_expected[i])
			continue;
		kvmpfn_report(r->sim, &v[i], r->out);
		r->failed = 1;
	}
	r->viol_seen = n;
}

static void judge_unchecked_error(struct run *r)
{
	if (r->last_ret < 0 && !r->last_ret_checked && !r->opts->lenient) {
		fprintf(r->out, "%s:%d: operation failed with %s and no 'expect error' follows\n",
			r->path, r->last_ret_line, kvmpfn_strerror(r->last_ret));
		r->failed = 1;
	}
}

/* the step's references on struct pages, into the run's totals */
static void count_refs(struct run *r)
{
	unsigned int g, p, step = kvmpfn_sim_steps(r->sim);

	/* a line that ran no operation left the last one's counts */
	if (step == r->refs_step)
		return;
	r->refs_step = step;
	kvmpfn_step_refs(r->sim, &g, &p);
	r->st.kvm_gets += g;
	r->st.kvm_puts += p;
}

/*
 * differs stage=A,B what=ASPECT,... [arch=LIST]: what "kvmpfn-sim compare"
 * is told about the operation before it; a run only validates it.
 */
static int differs(struct run *r)
{
	struct scn_differs d;
	char msg[96];
	int col;

	if (!r->last_ret_line)
		return diag(r, r->ln->tok[0].col,
			    "differs follows the operation it is about");
	if (scn_differs_parse(r->ln, &d, &col, msg, sizeof(msg)))
		return diag(r, col, "%s", msg);
	return 0;
}

static int run_line(struct run *r)
{
	struct scn_line *ln = r->ln;
	const struct kvmpfn_violation *v;
	int i, ret = 0;

	if (!strcmp(ln->tok[0].val, "expect")) {
		if (expect(r))
			return -1;
	} else if (!strcmp(ln->tok[0].val, "differs")) {
		if (differs(r))
			return -1;
	} else {
		judge_unchecked_error(r);
		judge_violations(r);
		kvmpfn_sim_set_location(r->sim, r->path, ln->lineno);
		if (operation(r, &ret))
			return -1;
		r->st.steps++;
		count_refs(r);
		r->last_ret = ret;
		r->last_ret_line = ln->lineno;
		r->last_ret_checked = false;
		r->viol_step_first = r->viol_seen;
		if (r->opts->trace)
			trace_step(r, ret);
		/*
		 * room to mark the new violations as expected, grown in
		 * doubling steps (not a realloc a line), the room past the
		 * violations unclaimed
		 */
		unsigned int need = kvmpfn_violations(r->sim, &v) + 1;
		bool *e = r->viol_expected;

		if (need > r->viol_alloc) {
			unsigned int cap = 2 * r->viol_alloc + 16;

			if (cap < need)
				cap = need;
			e = realloc(e, cap * sizeof(*e));
			if (!e)
				return diag(r, 1, "out of memory");
			memset(e + r->viol_alloc, 0,
			       (cap - r->viol_alloc) * sizeof(*e));
			r->viol_expected = e;
			r->viol_alloc = cap;
		}
		for (i = (int)r->viol_seen;
		     i < (int)kvmpfn_violations(r->sim, &v); i++)
			e[i] = false;
	}
	for (i = 0; i < ln->ntok; i++)
		if (!ln->tok[i].used && i)
			return diag(r, ln->tok[i].col, "unexpected '%s%s%s'",
				    ln->tok[i].key, ln->tok[i].key[0] ? "=" : "",
				    ln->tok[i].val);
	return 0;
}

struct kvmpfn_session {
	struct run r;
	struct scn_line ln;
	int lineno;
	int rc;
};

struct kvmpfn_session *kvmpfn_session_create(const char *path,
					     const struct kvmpfn_run_opts *opts,
					     FILE *out, FILE *err)
{
	struct kvmpfn_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->r.path = path;
	s->r.opts = opts;
	s->r.out = out;
	s->r.err = err;
	s->r.log_id = -1;
	s->r.ln = &s->ln;
	s->r.sim = opts->sim;
	if (s->r.sim && (kvmpfn_sim_stage(s->r.sim) != opts->stage ||
			 kvmpfn_sim_arch(s->r.sim) != opts->arch)) {
		fprintf(err, "%s: the simulator given is not %s at %s\n", path,
			kvmpfn_arch_name(opts->arch),
			kvmpfn_stage_name(opts->stage));
		free(s);
		return NULL;
	}
	if (!s->r.sim)
		s->r.sim = kvmpfn_sim_create_arch(opts->stage, opts->arch);
	if (!s->r.sim) {
		fprintf(err, "%s: cannot create a simulator for %s at %s%s\n",
			path, kvmpfn_arch_name(opts->arch),
			kvmpfn_stage_name(opts->stage),
			kvmpfn_stage_available(opts->stage) ? "" :
			" (not in this build: configure with KERNEL_SRC set)");
		free(s);
		return NULL;
	}
	kvmpfn_sim_set_checks(s->r.sim, opts->checks);
	if (kvmpfn_sim_set_bug(s->r.sim, opts->bug)) {
		fprintf(err, "%s: B%d is not modelled for %s at %s%s\n", path,
			opts->bug, kvmpfn_arch_name(opts->arch),
			kvmpfn_stage_name(opts->stage),
			kvmpfn_stage_is_kernel(opts->stage) ?
			" (a kernel-built stage has no mutant seams in the tree's code)" :
			"");
		if (!opts->sim)
			kvmpfn_sim_destroy(s->r.sim);
		free(s);
		return NULL;
	}
	if (opts->seam && kvmpfn_sim_set_seam(s->r.sim, opts->seam)) {
		fprintf(err, "%s: seam %s is not in the %s model\n", path,
			opts->seam, kvmpfn_arch_name(opts->arch));
		kvmpfn_sim_destroy(s->r.sim);
		free(s);
		return NULL;
	}
	return s;
}

int kvmpfn_session_line(struct kvmpfn_session *s, const char *text,
			size_t len)
{
	char msg[96];
	int col;

	if (s->rc)
		return s->rc;
	s->lineno++;
	if (scn_lex(text, len, s->lineno, &s->ln, &col, msg, sizeof(msg))) {
		fprintf(s->r.err, "%s:%d:%d: %s\n", s->r.path, s->lineno, col,
			msg);
		return s->rc = KVMPFN_EXIT_USAGE;
	}
	if (!s->ln.ntok)
		return 0;
	if (s->ln.tok[0].key[0]) {
		fprintf(s->r.err, "%s:%d:%d: a line starts with an operation, not '%s='\n",
			s->r.path, s->lineno, s->ln.tok[0].col,
			s->ln.tok[0].key);
		return s->rc = KVMPFN_EXIT_USAGE;
	}
	if (run_line(&s->r))
		return s->rc = KVMPFN_EXIT_USAGE;
	return 0;
}

bool kvmpfn_session_expected(const struct kvmpfn_session *s, unsigned int i)
{
	return s->r.viol_expected && i < s->r.viol_alloc &&
	       s->r.viol_expected[i];
}

struct kvmpfn_sim *kvmpfn_session_sim(struct kvmpfn_session *s)
{
	return s->r.sim;
}

int kvmpfn_session_result(const struct kvmpfn_session *s)
{
	return s->r.last_ret;
}

int kvmpfn_session_finish(struct kvmpfn_session *s,
			  struct kvmpfn_run_stats *stats)
{
	const struct kvmpfn_run_opts *opts = s->r.opts;
	struct run *r = &s->r;
	int rc = s->rc;

	if (rc == KVMPFN_EXIT_OK) {
		judge_unchecked_error(r);
		judge_violations(r);
		if (r->failed)
			rc = KVMPFN_EXIT_FAIL;
	}
	r->st.violations = r->viol_seen;
	if (stats)
		*stats = r->st;
	if (!opts->quiet && rc != KVMPFN_EXIT_USAGE)
		fprintf(r->out, "%s: %s stage %s: %s: %u steps, %u expectations, faults %u mapped / %u failed\n",
			r->path, kvmpfn_arch_name(opts->arch),
			kvmpfn_stage_name(opts->stage),
			rc ? "FAIL" : "ok", r->st.steps, r->st.expectations,
			r->st.faults_mapped, r->st.faults_failed);
	free(r->viol_expected);
	free(r->log);
	if (!opts->sim)
		kvmpfn_sim_destroy(r->sim);
	free(s);
	return rc;
}

void scn_each_line(const char *buf, size_t len,
		   int (*line)(void *ctx, const char *text, size_t n),
		   void *ctx)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		if (line(ctx, buf + pos, n))
			break;
		pos += n + 1;
	}
}

static int session_line(void *s, const char *text, size_t n)
{
	return kvmpfn_session_line(s, text, n);
}

int kvmpfn_run_buffer(const char *path, const char *buf, size_t len,
		      const struct kvmpfn_run_opts *opts, FILE *out,
		      FILE *err, struct kvmpfn_run_stats *stats)
{
	struct kvmpfn_session *s = kvmpfn_session_create(path, opts, out, err);

	if (!s)
		return KVMPFN_EXIT_USAGE;
	scn_each_line(buf, len, session_line, s);
	return kvmpfn_session_finish(s, stats);
}

int scn_read_file(const char *path, char **bufp, size_t *lenp, FILE *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(err, "%s: cannot open file\n", path);
		return KVMPFN_EXIT_USAGE;
	}
	do {
		if (len + 4096 > cap) {
			char *nb;

			cap = cap ? 2 * cap : 8192;
			if (cap > (64u << 20) || !(nb = realloc(buf, cap))) {
				fprintf(err, "%s: file too large\n", path);
				free(buf);
				fclose(f);
				return KVMPFN_EXIT_USAGE;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	*bufp = buf;
	*lenp = len;
	return 0;
}

int kvmpfn_run_file(const char *path, const struct kvmpfn_run_opts *opts,
		    FILE *out, FILE *err, struct kvmpfn_run_stats *stats)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = scn_read_file(path, &buf, &len, err);
	if (rc)
		return rc;
	rc = kvmpfn_run_buffer(path, buf ? buf : "", len, opts, out, err,
			       stats);
	free(buf);
	return rc;
}
