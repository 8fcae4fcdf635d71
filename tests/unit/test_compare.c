// SPDX-License-Identifier: GPL-2.0
/* Comparing two stages (<kvmpfn/compare.h>): the class table, the rules. */
#include "unit_helpers.h"

#include <stdlib.h>

#include <kvmpfn/compare.h>

static FILE *sink(void)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	return f;
}

static struct kvmpfn_obs *observe(const char *path, const char *text,
				  enum kvmpfn_stage stage,
				  enum kvmpfn_arch arch)
{
	struct kvmpfn_run_opts opts = {
		.stage = stage, .arch = arch, .quiet = true, .lenient = true,
	};
	struct kvmpfn_obs *obs = NULL;
	FILE *out = sink(), *err = sink();

	if (text)
		assert_int_equal(kvmpfn_observe_buffer(path, text, strlen(text),
						       &opts, out, err, &obs),
				 0);
	else
		assert_int_equal(kvmpfn_observe_file(path, &opts, out, err,
						     &obs), 0);
	assert_non_null(obs);
	fclose(out);
	fclose(err);
	return obs;
}

/* over the whole series: legacy against the last stage */
#define FIND(key) kvmpfn_diff_class_find((key), KVMPFN_LEGACY,		\
					 KVMPFN_NR_STAGES - 1)

/* Every entry: a key of four known parts, an explanation, a scenario. */
static void table_well_formed(void **state)
{
	unsigned int n, i, j;
	const struct kvmpfn_diff_class *c = kvmpfn_diff_classes(&n);

	(void)state;
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		char part[4][64];
		enum kvmpfn_aspect a;
		enum kvmpfn_obs_kind k;
		bool op = false;

		assert_int_equal(sscanf(c[i].key, "%63[^/]/%63[^/]/%63[^/]/%63s",
					part[0], part[1], part[2], part[3]), 4);
		/* a '*' stands for an operation, a kind or a direction */
		assert_int_equal(kvmpfn_aspect_parse(part[0], &a), 0);
		op = !strcmp(part[1], "*");
		for (j = 0; j < KVMPFN_NR_OPS; j++)
			op |= !strcmp(part[1], kvmpfn_op_name(j));
		assert_true(op);
		if (strcmp(part[2], "*"))
			assert_int_equal(kvmpfn_obs_kind_parse(part[2], &k),
					 0);
		assert_true(strlen(c[i].why) > 20);
		assert_true(strlen(c[i].scenario) > 4);
		/* a stage of the model, after legacy */
		assert_true(c[i].since > KVMPFN_LEGACY &&
			    c[i].since < KVMPFN_NR_STAGES);
		if (strcmp(part[2], "*") && strcmp(part[3], "*"))
			assert_ptr_equal(kvmpfn_diff_class_find(c[i].key,
					 c[i].since - 1, c[i].since), &c[i]);
		/* only a pair of stages around its change shows it */
		assert_ptr_not_equal(kvmpfn_diff_class_find(c[i].key,
				     c[i].since, KVMPFN_NR_STAGES - 1), &c[i]);
		assert_ptr_not_equal(kvmpfn_diff_class_find(c[i].key,
				     KVMPFN_LEGACY, c[i].since - 1), &c[i]);
		assert_non_null(kvmpfn_diff_class_find(c[i].key, c[i].since,
						       c[i].since - 1));
		for (j = 0; j < i; j++)
			if (!strcmp(c[j].key, c[i].key) &&
			    c[j].since == c[i].since)
				fail_msg("class %s listed twice", c[i].key);
	}
	assert_null(FIND("error/fault/anon/ok->EFAULT"));
	/* a '*' kind matches any kind, and only the kind */
	assert_non_null(FIND("refs/fault_begin/zero/+1-0->+1-1"));
	assert_null(FIND("refs/vcpu_map/zero/+1-0->+1-2"));
	assert_non_null(FIND("refs/fault/zero/+4-0->+4-4"));
	assert_null(FIND("refs/fault/zero"));
	assert_null(FIND("refs/fault/zero/+1-0->+1-1/x"));
	assert_null(FIND("refs/fault_begin/zero/+1-0->+1-2"));
	/* an A/D direction stands for each of its flags, and only those */
	assert_non_null(FIND("ad/other/anon/dirty:no->yes,accessed:no->yes"));
	assert_non_null(FIND("ad/other/anon/accessed:no->yes"));
	assert_non_null(FIND("ad/other/anon/dirty:no->yes"));
	assert_null(FIND("ad/other/anon/accessed:yes->no"));
	assert_null(FIND("ad/other/anon/accessed:no->ye"));
	assert_null(FIND("ad/other/anon/dirty:no->yes,accessed:yes->no"));
	assert_null(FIND("error/other/pfnmap-refcounted/ok"));
	/* N in a direction: one number, the same throughout */
	assert_non_null(FIND("refs/gpc_activate/none/+1-1->+0-0"));
	assert_non_null(FIND("refs/gpc_activate/anon/+12-12->+0-0"));
	assert_null(FIND("refs/gpc_activate/none/+3-2->+0-0"));
	assert_null(FIND("refs/gpc_activate/none/+3-3->+0-1"));
	assert_null(FIND("refs/gpc_activate/none/+-->+0-0"));
	assert_null(FIND("refs/gpc_activate/none/+3-3->+0-0x"));
}

/*
 * The scenario an entry names shows its class: between legacy and the
 * last stage, or between two stages in a row, on some model.
 */
static bool shown(const char *path, const struct kvmpfn_diff_class *c)
{
	enum kvmpfn_stage last = (enum kvmpfn_stage)(KVMPFN_NR_STAGES - 1);
	enum kvmpfn_arch arch;
	int s;

	for (arch = 0; arch < KVMPFN_NR_ARCHES; arch++) {
		if (!kvmpfn_arch_available(arch))
			continue;
		for (s = -1; s < (int)last; s++) {
			struct kvmpfn_obs *a, *b;
			struct kvmpfn_diffs d = { 0 };
			bool hit = false;
			size_t i;

			a = observe(path, NULL, s < 0 ? KVMPFN_LEGACY :
					  (enum kvmpfn_stage)s, arch);
			b = observe(path, NULL, s < 0 ? last :
					  (enum kvmpfn_stage)(s + 1), arch);
			assert_int_equal(kvmpfn_compare_obs(a, b, &d), 0);
			for (i = 0; i < d.n; i++)
				hit |= kvmpfn_diff_class_find(d.v[i].cls, a->stage,
							      b->stage) == c &&
				       c;
			kvmpfn_diffs_free(&d);
			kvmpfn_obs_free(a);
			kvmpfn_obs_free(b);
			if (hit)
				return true;
		}
	}
	return false;
}

static void every_class_shown(void **state)
{
	unsigned int n, i;
	const struct kvmpfn_diff_class *c = kvmpfn_diff_classes(&n);

	(void)state;
	for (i = 0; i < n; i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", KVMPFN_SOURCE_DIR,
			 c[i].scenario);
		if (!shown(path, &c[i]))
			fail_msg("%s does not show %s", c[i].scenario,
				 c[i].key);
	}
}

#define BLOB \
	"alloc vram order=2\n" \
	"mmap hva=0x10000000 size=16K pfnmap=vram shared prot=rw\n" \
	"memslot create id=1 gfn=0x100 npages=4 hva=0x10000000\n"

/* @text at @x and at @y on @arch, compared: the runs in *@a, *@b */
static void compare_run(const char *path, const char *text,
			enum kvmpfn_stage x, enum kvmpfn_stage y,
			enum kvmpfn_arch arch, struct kvmpfn_obs **a,
			struct kvmpfn_obs **b, struct kvmpfn_diffs *d)
{
	*a = observe(path, text, x, arch);
	*b = observe(path, text, y, arch);
	assert_int_equal(kvmpfn_compare_obs(*a, *b, d), 0);
}

static void compare_free(struct kvmpfn_obs *a, struct kvmpfn_obs *b,
			 struct kvmpfn_diffs *d)
{
	kvmpfn_diffs_free(d);
	kvmpfn_obs_free(a);
	kvmpfn_obs_free(b);
}

/* @text at legacy against v7.8 on the ref MMU, the differences in @d */
static void legacy_v78(const char *path, const char *text,
		       struct kvmpfn_diffs *d)
{
	struct kvmpfn_obs *a, *b;

	compare_run(path, text, KVMPFN_LEGACY, KVMPFN_V7_8, KVMPFN_ARCH_REF,
		    &a, &b, d);
	kvmpfn_obs_free(a);
	kvmpfn_obs_free(b);
}

/* The rules of compare.h, on the ref MMU. */
static void rules(void **state)
{
	enum kvmpfn_stage v78 = (enum kvmpfn_stage)(KVMPFN_V7_8);
	struct kvmpfn_obs *a, *b;
	struct kvmpfn_diffs d = { 0 };

	(void)state;
	/* a result that differs is an error difference only */
	a = observe("t.scn", BLOB "fault gfn=0x101 write\n", KVMPFN_LEGACY,
		    KVMPFN_ARCH_REF);
	b = observe("t.scn", BLOB "fault gfn=0x101 write\n", v78,
		    KVMPFN_ARCH_REF);
	assert_int_equal(kvmpfn_compare_obs(a, b, &d), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 4);
	assert_int_equal(d.v[0].aspect, KVMPFN_ASPECT_ERROR);
	assert_string_equal(d.v[0].what[0], "EFAULT");
	assert_string_equal(d.v[0].what[1],
			    "ok: pfn 0x5 (vram+1) writable not-refcounted");
	assert_string_equal(d.v[0].cls,
			    "error/fault/pfnmap-refcount0/EFAULT->ok");
	kvmpfn_diffs_free(&d);
	/* the class reads from the earlier stage in either order */
	assert_int_equal(kvmpfn_compare_obs(b, a, &d), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].what[0],
			    "ok: pfn 0x5 (vram+1) writable not-refcounted");
	assert_string_equal(d.v[0].cls,
			    "error/fault/pfnmap-refcount0/EFAULT->ok");
	compare_free(a, b, &d);

	/*
	 * A fault in flight holds GUP's reference at legacy, not at v7.8:
	 * refs differ at fault_begin and fault_finish, and the count the
	 * held reference makes is not reported on its own, nor again while
	 * it lasts (the touch between) or when it ends.
	 */
#define INFLIGHT \
	"alloc a order=2 compound\n" \
	"mmap hva=0x10000000 size=16K file=a prot=rw shared\n" \
	"memslot create id=1 gfn=0x100 npages=4 hva=0x10000000\n" \
	"fault_begin gfn=0x100 write\n" \
	"touch hva=0x10001000\n" \
	"fault_finish\n"
	legacy_v78("f.scn", INFLIGHT, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.v[0].line, 4);
	assert_string_equal(d.v[0].cls, "refs/fault_begin/file/+1-0->+1-1");
	assert_int_equal(d.v[1].line, 6);
	assert_string_equal(d.v[1].cls, "refs/fault_finish/file/+0-1->+0-0");
	kvmpfn_diffs_free(&d);

	/*
	 * A fault_begin that only v7.8 lets through leaves vCPU 1 busy
	 * there: its next fault maps at legacy and is refused at v7.8, so
	 * the runs part, and the tail page's fault after it is not compared.
	 */
#define PARTING BLOB \
	"mmap hva=0x20000000 size=16K anon prot=rw\n" \
	"memslot create id=2 gfn=0x200 npages=4 hva=0x20000000\n" \
	"fault_begin gfn=0x101 write vcpu=1\n" \
	"fault gfn=0x200 write vcpu=1\n" \
	"fault gfn=0x102 write\n"
	legacy_v78("p.scn", PARTING, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 6);
	assert_int_equal(d.parted, 7);
	assert_int_equal(d.parted_from, 6);
	kvmpfn_diffs_free(&d);

	/*
	 * A map only v7.8 lets through (no struct page behind VM_PFNMAP)
	 * holds id 0 there alone: the next map and unmap of that id follow
	 * from it and are not compared, not even the I19 that final's map
	 * (allowed unsafe mappings by then) finds.
	 */
#define MAP_ID \
	"alloc bar order=1 nostruct\n" \
	"mmap hva=0x10000000 size=8K pfnmap=bar shared prot=rw\n" \
	"memslot create id=1 gfn=0x100 npages=2 hva=0x10000000\n" \
	"vcpu_map id=0 gfn=0x100\n" \
	"vcpu_unmap id=5\n" \
	"kvm_param allow_unsafe_mappings=yes\n" \
	"vcpu_map id=0 gfn=0x101\n" \
	"vcpu_unmap id=0\n" \
	"vcpu_map id=0 gfn=0x100\n" \
	"vcpu_unmap id=0\n"
	compare_run("m.scn", MAP_ID, v78, KVMPFN_FINAL,
		    KVMPFN_ARCH_REF, &a, &b, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.v[0].line, 4);
	assert_string_equal(d.v[0].cls, "error/vcpu_map/nostruct/ok->EINVAL");
	assert_int_equal(d.v[1].line, 4);
	assert_string_equal(d.v[1].cls,
			    "violation/vcpu_map/nostruct/I19->none");
	assert_int_equal(d.parted, 0);
	compare_free(a, b, &d);

	/*
	 * The map only v7.8 made loses its cover when the pfncache on the
	 * same pfn goes: its I19 at the deactivation follows from the map.
	 */
#define MAP_GPC \
	"alloc blk order=9 nostruct\n" \
	"mmap hva=0x40000000 size=2M pfnmap=blk shared huge prot=rw\n" \
	"memslot create id=2 gfn=0x40000 npages=512 hva=0x40000000\n" \
	"gpc_activate id=0 hva=0x40049000\n" \
	"vcpu_map id=0 gfn=0x40049\n" \
	"gpc_deactivate id=0\n"
	compare_run("g.scn", MAP_GPC, v78, KVMPFN_FINAL,
		    KVMPFN_ARCH_REF, &a, &b, &d);
	assert_int_equal(a->steps[5].nviol, 1);
	assert_int_equal(a->steps[5].viol[0].id, 19);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].cls, "error/vcpu_map/nostruct/ok->EINVAL");
	compare_free(a, b, &d);

	/*
	 * A fault of a vCPU whose fault_begin differed runs in one stage
	 * only (EBUSY in the other): the zero-page reference legacy ppc
	 * leaks there (I2, I5) follows from the begin, not from the stages,
	 * both where it maps (the runs part) and where it does not.
	 */
#define WINDOW BLOB \
	"mmap hva=0x20000000 size=16K anon prot=rw\n" \
	"memslot create id=2 gfn=0x200 npages=4 hva=0x20000000\n" \
	"fault_begin gfn=0x101 write vcpu=1\n" \
	"invalidate_begin hva=0x20000000 size=16K\n" \
	"fault gfn=0x200 vcpu=1\n" \
	"invalidate_end\n" \
	"fault gfn=0x200 vcpu=1\n"
	compare_run("w.scn", WINDOW, KVMPFN_LEGACY, KVMPFN_FINAL,
		    KVMPFN_ARCH_PPC, &a, &b, &d);
	assert_true(a->steps[7].nviol > 0 && a->steps[9].nviol > 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].cls,
			    "error/fault_begin/pfnmap-refcount0/EFAULT->ok");
	assert_int_equal(d.parted, 10);
	assert_int_equal(d.parted_from, 6);
	compare_free(a, b, &d);

	/*
	 * The second fault on the tail page is spurious at v7.8, whose leaf
	 * is there, and fails again at legacy: that follows from the first.
	 */
	legacy_v78("s.scn", BLOB "fault gfn=0x101 write\n"
		   "fault gfn=0x101 write\n", &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 4);
	kvmpfn_diffs_free(&d);

	/*
	 * v7.8's map of a refcounted page behind VM_PFNMAP holds a
	 * reference final never takes: memory_failure() on the page after
	 * the driver freed it is EBUSY in v7.8 only, and the runs part.
	 */
#define MAP_POISON \
	"alloc vram order=2\n" \
	"mmap hva=0x50000000 size=16K pfnmap=vram shared prot=rw\n" \
	"memslot create id=1 gfn=0x200 npages=8 hva=0x4fffc000\n" \
	"vcpu_map id=0 gfn=0x204\n" \
	"free vram\n" \
	"poison page=vram+0\n"
	compare_run("q.scn", MAP_POISON, v78, KVMPFN_FINAL,
		    KVMPFN_ARCH_REF, &a, &b, &d);
	assert_int_equal(a->steps[5].ret, -KVMPFN_EBUSY);
	assert_int_equal(b->steps[5].ret, 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.parted, 6);
	assert_int_equal(d.parted_from, 0);
	compare_free(a, b, &d);

	/*
	 * A split fault onto the block whose huge leaf only final has (the
	 * tail page's fault mapped it there): its finish follows from the
	 * leaf its begin found, though an invalidation took the leaf since.
	 */
#define BEGUN_APART \
	"alloc blk order=9\n" \
	"mmap hva=0x40000000 size=2M pfnmap=blk shared huge prot=rw\n" \
	"memslot create id=2 gfn=0x40000 npages=512 hva=0x40000000\n" \
	"memslot create id=1 gfn=0x200 npages=8 hva=0x4fffc000\n" \
	"invalidate_begin hva=0x10005000 size=32K\n" \
	"fault gfn=0x401b6\n" \
	"memslot move id=1 gfn=0x200\n" \
	"fault_begin gfn=0x40000 write vcpu=1\n" \
	"wait\n" \
	"fault_finish vcpu=1\n"
	compare_run("h.scn", BEGUN_APART, KVMPFN_LEGACY, KVMPFN_FINAL,
		    KVMPFN_ARCH_X86, &a, &b, &d);
	assert_int_not_equal(a->steps[9].ret, b->steps[9].ret);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 6);
	compare_free(a, b, &d);

	/*
	 * A violation's class takes the kind of the page it is about: the
	 * zero-page reference legacy ppc leaks at the finish, whose gfn
	 * leads to an anonymous page by then (a write broke CoW).
	 */
#define COW_LEAK \
	"mmap hva=0x10000000 size=16K anon prot=rw\n" \
	"memslot create id=0 gfn=0x100 npages=8 hva=0x10000000\n" \
	"fault_begin gfn=0x100 vcpu=0\n" \
	"touch hva=0x10000000 write\n" \
	"fault_finish vcpu=0\n"
	compare_run("c.scn", COW_LEAK, KVMPFN_LEGACY, KVMPFN_FINAL,
		    KVMPFN_ARCH_PPC, &a, &b, &d);
	assert_int_equal(a->steps[4].kind, KVMPFN_KIND_ANON);
	assert_int_equal(d.n, 2);
	/* and the put at the finish is of the page the begin got */
	assert_string_equal(d.v[0].cls, "refs/fault_finish/zero/+0-0->+0-1");
	assert_int_equal(d.v[1].aspect, KVMPFN_ASPECT_VIOLATION);
	assert_string_equal(d.v[1].cls, "violation/fault_finish/zero/I2->none");
	compare_free(a, b, &d);

	/*
	 * The block's huge leaf comes from the tail page's fault at v7.8
	 * (not refcounted) and from the head page's at legacy (refcounted):
	 * an mprotect that splits the host's huge PTE zaps it, and marks
	 * the head dirty and accessed at legacy only.  That follows from
	 * which fault installed the leaf, not from the stages.
	 */
#define LEAF_ORIGIN \
	"alloc blk order=9\n" \
	"mmap hva=0x40000000 size=2M pfnmap=blk shared huge prot=rw\n" \
	"memslot create id=2 gfn=0x40000 npages=512 hva=0x40000000\n" \
	"fault gfn=0x401b6\n" \
	"fault gfn=0x40000 write\n" \
	"mprotect hva=0x40092000 size=4K prot=rw\n"
	compare_run("o.scn", LEAF_ORIGIN, KVMPFN_LEGACY, v78,
		    KVMPFN_ARCH_X86, &a, &b, &d);
	assert_true(kvmpfn_obs_page_of(&a->steps[5], 0x200) != NULL);
	assert_true(kvmpfn_obs_page_of(&a->steps[5], 0x200)->dirty);
	assert_false(kvmpfn_obs_page_of(&b->steps[5], 0x200)->dirty);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 4);
	compare_free(a, b, &d);

	/*
	 * The same when v7.8's fault on the tail page rewrites the head's
	 * huge leaf in place as not refcounted: the head's next fault finds
	 * that leaf, which follows from the tail's fault.
	 */
#define LEAF_REWRITE \
	"alloc blk order=9\n" \
	"mmap hva=0x40000000 size=2M pfnmap=blk shared huge prot=rw\n" \
	"memslot create id=2 gfn=0x40000 npages=512 hva=0x40000000\n" \
	"fault gfn=0x40000 write\n" \
	"fault gfn=0x401b6\n" \
	"fault gfn=0x40000 write\n"
	compare_run("r.scn", LEAF_REWRITE, KVMPFN_LEGACY, v78,
		    KVMPFN_ARCH_X86, &a, &b, &d);
	assert_true(a->steps[5].refcounted);
	assert_false(b->steps[5].refcounted);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 5);
	compare_free(a, b, &d);

	/*
	 * A pfncache's retry loop waits out a migrating invalidation: it
	 * moves the anonymous page at v7.8, and final's map of it (on the
	 * id only final had free, after v7.8's map of a reserved page
	 * behind VM_PFNMAP, whose host PTE a touch put in place) pins it:
	 * the runs part there.
	 */
#define GPC_MIGRATES \
	"mmap hva=0x10000000 size=16K anon prot=rw\n" \
	"memslot create id=0 gfn=0x100 npages=8 hva=0x10000000\n" \
	"alloc blk order=9 compound reserved\n" \
	"mmap hva=0x40000000 size=2M pfnmap=blk shared huge prot=rw\n" \
	"memslot create id=2 gfn=0x40000 npages=512 hva=0x40000000\n" \
	"invalidate_begin hva=0x10000000 size=28K migrate\n" \
	"touch hva=0x400db000 write\n" \
	"vcpu_map id=0 gfn=0x100\n" \
	"vcpu_unmap id=0\n" \
	"vcpu_map id=0 gfn=0x40049\n" \
	"vcpu_map id=0 gfn=0x100\n" \
	"gpc_activate id=0 hva=0x40049000\n"
	compare_run("m2.scn", GPC_MIGRATES, v78, KVMPFN_FINAL,
		    KVMPFN_ARCH_X86, &a, &b, &d);
	assert_int_equal(d.parted, 12);
	assert_int_equal(d.parted_from, 0);
	compare_free(a, b, &d);

	/* records of different scenarios do not compare */
	a = observe("t.scn", BLOB, KVMPFN_LEGACY, KVMPFN_ARCH_REF);
	b = observe("t.scn", BLOB "fault gfn=0x100\n", KVMPFN_LEGACY,
		    KVMPFN_ARCH_REF);
	assert_int_equal(kvmpfn_compare_obs(a, b, &d), -KVMPFN_EINVAL);
	compare_free(a, b, &d);
}

static void aspect_names(void **state)
{
	enum kvmpfn_aspect a;
	unsigned int i;

	(void)state;
	for (i = 0; i < KVMPFN_NR_ASPECTS; i++) {
		assert_int_equal(kvmpfn_aspect_parse(kvmpfn_aspect_name(i),
						     &a), 0);
		assert_int_equal(a, i);
	}
	assert_string_equal(kvmpfn_aspect_name(KVMPFN_NR_ASPECTS), "?");
	assert_int_equal(kvmpfn_aspect_parse("colour", &a), -KVMPFN_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_well_formed),
		cmocka_unit_test(every_class_shown),
		cmocka_unit_test(rules),
		cmocka_unit_test(aspect_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
