// SPDX-License-Identifier: GPL-2.0
/* The step observer (<kvmpfn/observe.h>). */
#include "unit_helpers.h"

#include <stdlib.h>

#include <kvmpfn/observe.h>

/* examples/virtio-gpu-blob.scn, cut down: line numbers below count */
static const char blob[] =
	"# the blob\n"						/* 1 */
	"alloc vram order=2\n"					/* 2 */
	"mmap hva=0x10000000 size=16K pfnmap=vram shared prot=rw\n"
	"memslot create id=1 gfn=0x100000 npages=4 hva=0x10000000\n"
	"\n"							/* 5 */
	"fault gfn=0x100000 write\n"				/* 6 */
	"expect mapped gfn=0x100000 pfn=vram+0\n"
	"fault gfn=0x100001 write\n"				/* 8 */
	"expect error EFAULT stage=legacy..v7.4\n"
	"free vram\n";						/* 10 */

static FILE *sink(void)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	return f;
}

static struct kvmpfn_obs *observe(const char *text, enum kvmpfn_stage stage,
				  enum kvmpfn_arch arch, int bug)
{
	struct kvmpfn_run_opts opts = {
		.stage = stage, .arch = arch, .bug = bug, .quiet = true,
	};
	struct kvmpfn_obs *obs = NULL;
	FILE *out = sink(), *err = sink();

	assert_int_equal(kvmpfn_observe_buffer("t.scn", text, strlen(text),
					       &opts, out, err, &obs), 0);
	assert_non_null(obs);
	fclose(out);
	fclose(err);
	return obs;
}

static const struct kvmpfn_obs_page *page_named(const struct kvmpfn_obs_step *s,
						const char *name)
{
	unsigned int i;

	for (i = 0; i < s->npages; i++)
		if (!strcmp(s->pages[i].name, name))
			return &s->pages[i];
	fail_msg("no page %s after line %u", name, s->line);
	return NULL;
}

static void blob_at(enum kvmpfn_stage stage, bool tail_maps)
{
	struct kvmpfn_obs *o = observe(blob, stage, KVMPFN_ARCH_X86, 0);
	const struct kvmpfn_obs_step *s;
	const struct kvmpfn_obs_page *p0, *p1;

	assert_int_equal(o->rc, KVMPFN_EXIT_OK);
	/* comments, blank and expect lines are no steps */
	assert_int_equal(o->nsteps, 6);
	assert_int_equal(o->steps[0].line, 2);
	assert_int_equal(o->steps[0].op, KVMPFN_OP_ALLOC);
	assert_int_equal(o->steps[2].op, KVMPFN_OP_MEMSLOT);

	s = &o->steps[3];
	assert_int_equal(s->line, 6);
	assert_int_equal(s->op, KVMPFN_OP_FAULT);
	assert_true(s->is_fault && s->has_gfn && s->gfn == 0x100000);
	assert_int_equal(s->ret, 0);
	assert_true(s->mapped && s->writable && s->refcounted);
	assert_int_equal(s->kind, KVMPFN_KIND_PFNMAP_RC);
	/* page 0 holds the allocation's reference: taken and dropped */
	assert_int_equal(s->gets, 1);
	assert_int_equal(s->puts, 1);
	/* vram's four pages and the zero page */
	assert_int_equal(s->npages, 5);
	p0 = page_named(s, "vram+0");
	assert_int_equal(s->pfn, p0->pfn);
	assert_true(p0->mapped && p0->has_page && !p0->freed);
	assert_int_equal(p0->refcount, 1);
	assert_int_equal(p0->kvm_refs, 0);
	assert_false(page_named(s, "vram+1")->mapped);
	assert_ptr_equal(kvmpfn_obs_page_of(s, p0->pfn), p0);

	s = &o->steps[4];
	assert_int_equal(s->line, 8);
	assert_string_equal(s->text, "fault gfn=0x100001 write");
	assert_int_equal(s->kind, KVMPFN_KIND_PFNMAP_RC0);
	assert_int_equal(s->gets + s->puts, 0);
	p1 = page_named(s, "vram+1");
	assert_int_equal(p1->refcount, 0);
	assert_int_equal(p1->kind, KVMPFN_KIND_PFNMAP_RC0);
	if (tail_maps) {
		assert_int_equal(s->ret, 0);
		assert_true(s->mapped && !s->refcounted);
		assert_int_equal(s->pfn, p1->pfn);
		assert_true(p1->mapped);
	} else {
		assert_int_equal(s->ret, -KVMPFN_EFAULT);
		assert_false(s->mapped);
		assert_false(p1->mapped);
	}

	/* the free zaps every leaf; the pages stay observed */
	s = &o->steps[5];
	assert_int_equal(s->op, KVMPFN_OP_FREE);
	assert_int_equal(s->npages, 5);
	assert_false(page_named(s, "vram+0")->mapped);
	assert_false(page_named(s, "vram+1")->mapped);
	assert_int_equal(s->nviol, 0);
	kvmpfn_obs_free(o);
}

static void blob_x86(void **state)
{
	enum kvmpfn_stage v75;

	(void)state;
	if (!kvmpfn_arch_available(KVMPFN_ARCH_X86))
		skip();
	assert_int_equal(kvmpfn_stage_parse("v7.5", &v75), 0);
	blob_at(KVMPFN_LEGACY, false);
	blob_at(v75, true);
}

/* B1 takes a get on a refcount-0 tail: I1 raised at the fault's step */
static void violation_at_its_step(void **state)
{
	struct kvmpfn_obs *o;
	unsigned int i, seen = 0;

	(void)state;
	o = observe(blob, KVMPFN_LEGACY, KVMPFN_ARCH_REF, 1);
	assert_int_equal(o->rc, KVMPFN_EXIT_FAIL);
	for (i = 0; i < o->nsteps; i++) {
		if (o->steps[i].line != 8) {
			continue;
		}
		assert_true(o->steps[i].nviol > 0);
		assert_int_equal(o->steps[i].viol[0].id, 1);
		assert_false(o->steps[i].viol[0].expected);
		seen++;
	}
	assert_int_equal(seen, 1);
	assert_int_equal(o->steps[3].nviol, 0);
	kvmpfn_obs_free(o);

	/* claimed by an expectation */
	o = observe("alloc vram order=2\n"
		    "mmap hva=0x10000000 size=16K pfnmap=vram shared prot=rw\n"
		    "memslot create id=1 gfn=0x100 npages=4 hva=0x10000000\n"
		    "fault gfn=0x101 write\n"
		    "expect violation I1\n"
		    "expect error EFAULT\n",
		    KVMPFN_LEGACY, KVMPFN_ARCH_REF, 1);
	assert_int_equal(o->nsteps, 4);
	assert_true(o->steps[3].nviol > 0);
	assert_true(o->steps[3].viol[0].expected);
	kvmpfn_obs_free(o);
}

/* An anonymous page joins once a leaf maps it, and stays after the zap. */
static void anon_stays_observed(void **state)
{
	const struct kvmpfn_obs_page *p;
	const struct kvmpfn_obs_step *s;
	struct kvmpfn_obs *o;

	(void)state;
	o = observe("mmap hva=0x10000000 size=16K anon prot=rw\n"
		    "memslot create id=1 gfn=0x100 npages=4 hva=0x10000000\n"
		    "fault gfn=0x100 write\n"
		    "munmap hva=0x10000000 size=16K\n",
		    KVMPFN_LEGACY, KVMPFN_ARCH_REF, 0);
	assert_int_equal(o->rc, KVMPFN_EXIT_OK);
	assert_int_equal(o->nsteps, 4);
	/* the zero page only, until a leaf maps an anonymous page */
	assert_int_equal(o->steps[1].npages, 1);
	assert_int_equal(o->steps[1].pages[0].kind, KVMPFN_KIND_ZERO);
	s = &o->steps[2];
	assert_int_equal(s->kind, KVMPFN_KIND_ANON);
	assert_int_equal(s->npages, 2);
	p = kvmpfn_obs_page_of(s, s->pfn);
	assert_non_null(p);
	assert_true(p->mapped);
	assert_int_equal(p->kind, KVMPFN_KIND_ANON);
	assert_int_equal(strncmp(p->name, "anon:0x", 7), 0);
	s = &o->steps[3];
	assert_int_equal(s->npages, 2);
	p = kvmpfn_obs_page_of(s, o->steps[2].pfn);
	assert_non_null(p);
	assert_false(p->mapped);
	/* the munmap freed it: its state says so */
	assert_true(p->freed);
	assert_int_equal(p->refcount, 0);
	kvmpfn_obs_free(o);
}

/* fault_finish's gfn is the one of the begin that started its fault */
static void finish_of_its_begin(void **state)
{
	struct kvmpfn_obs *o;

	(void)state;
	o = observe("mmap hva=0x10000000 size=16K anon prot=rw\n"
		    "memslot create id=1 gfn=0x100 npages=4 hva=0x10000000\n"
		    "fault_begin gfn=0x101 write vcpu=1\n"
		    "fault_begin gfn=0x103 write vcpu=1\n"
		    "expect error EBUSY\n"
		    "fault_finish vcpu=1\n",
		    KVMPFN_LEGACY, KVMPFN_ARCH_REF, 0);
	assert_int_equal(o->rc, KVMPFN_EXIT_OK);
	assert_int_equal(o->nsteps, 5);
	assert_int_equal(o->steps[3].ret, -KVMPFN_EBUSY);
	assert_int_equal(o->steps[4].op, KVMPFN_OP_FAULT_FINISH);
	assert_int_equal(o->steps[4].vcpu, 1);
	assert_int_equal(o->steps[4].gfn, 0x101);
	assert_true(o->steps[4].mapped);
	kvmpfn_obs_free(o);

	/* a finish after its memslot went: the kind of the begin's page */
	o = observe("mmap hva=0x10000000 size=16K anon prot=rw\n"
		    "memslot create id=1 gfn=0x100 npages=4 hva=0x10000000\n"
		    "fault_begin gfn=0x101 write\n"
		    "memslot delete id=1\n"
		    "fault_finish\n",
		    KVMPFN_LEGACY, KVMPFN_ARCH_REF, 0);
	assert_int_equal(o->nsteps, 5);
	assert_int_equal(o->steps[2].kind, KVMPFN_KIND_ANON);
	assert_int_equal(o->steps[4].op, KVMPFN_OP_FAULT_FINISH);
	assert_true(o->steps[4].ret < 0);
	assert_int_equal(o->steps[4].kind, KVMPFN_KIND_ANON);
	kvmpfn_obs_free(o);
}

static void bad_input(void **state)
{
	static const char junk[] = "fault \0gfn=\xff\n\x01\x02 = = =\n";
	struct kvmpfn_run_opts opts = { .stage = KVMPFN_NR_STAGES + 50 };
	struct kvmpfn_obs *o;
	FILE *out = sink(), *err = sink();

	(void)state;
	o = observe("alloc a order=1\nbogus line\nfault gfn=1\n",
		    KVMPFN_LEGACY, KVMPFN_ARCH_REF, 0);
	assert_int_equal(o->rc, KVMPFN_EXIT_USAGE);
	assert_int_equal(o->bad_line, 2);
	assert_int_equal(o->nsteps, 1);
	kvmpfn_obs_free(o);

	assert_int_equal(kvmpfn_observe_buffer("j.scn", junk, sizeof(junk),
					       &(struct kvmpfn_run_opts){ 0 },
					       out, err, &o), 0);
	assert_int_equal(o->rc, KVMPFN_EXIT_USAGE);
	kvmpfn_obs_free(o);

	/* a stage that does not exist cannot start: a verdict */
	assert_int_equal(kvmpfn_observe_buffer("s.scn", "", 0, &opts, out, err,
					       &o), 0);
	assert_int_equal(o->rc, KVMPFN_EXIT_USAGE);
	assert_int_equal(o->nsteps, 0);
	kvmpfn_obs_free(o);

	assert_int_equal(kvmpfn_observe_buffer(NULL, "", 0, &opts, out, err,
					       &o), -KVMPFN_EINVAL);
	assert_int_equal(kvmpfn_observe_file("/nonexistent/x.scn", &opts, out,
					     err, &o), 0);
	assert_int_equal(o->rc, KVMPFN_EXIT_USAGE);
	kvmpfn_obs_free(o);
	kvmpfn_obs_free(NULL);
	fclose(out);
	fclose(err);
}

static void kind_names(void **state)
{
	enum kvmpfn_obs_kind k;
	unsigned int i;

	(void)state;
	for (i = 0; i < KVMPFN_NR_KINDS; i++) {
		assert_int_equal(kvmpfn_obs_kind_parse(kvmpfn_obs_kind_name(i),
						       &k), 0);
		assert_int_equal(k, i);
	}
	assert_string_equal(kvmpfn_obs_kind_name(KVMPFN_NR_KINDS), "?");
	assert_int_equal(kvmpfn_obs_kind_parse("anonymous", &k),
			 -KVMPFN_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blob_x86),
		cmocka_unit_test(violation_at_its_step),
		cmocka_unit_test(anon_stays_observed),
		cmocka_unit_test(finish_of_its_begin),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
