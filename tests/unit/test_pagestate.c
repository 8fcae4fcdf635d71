// SPDX-License-Identifier: GPL-2.0
/*
 * Page states (<kvmpfn/pagestate.h>): the classifier reaches every state,
 * the recorder counts transitions per operation, an observed transition
 * the table does not declare is reported, recording stops when detached,
 * and the declared table is well formed.
 */
#define _POSIX_C_SOURCE 200809L
#include "unit_helpers.h"

#include <stdlib.h>

#include <kvmpfn/pagestate.h>
#include <kvmpfn/scenario.h>

struct t {
	struct kvmpfn_run_opts opts;
	struct kvmpfn_session *s;
	struct kvmpfn_sim *sim;
	struct kvmpfn_pstates *acc;
	FILE *sink;
};

static void t_open(struct t *t, enum kvmpfn_stage stage, int bug)
{
	memset(t, 0, sizeof(*t));
	t->opts.stage = stage;
	t->opts.bug = bug;
	t->opts.lenient = true;
	t->opts.quiet = true;
	t->sink = tmpfile();
	assert_non_null(t->sink);
	t->s = kvmpfn_session_create("t.scn", &t->opts, t->sink, t->sink);
	assert_non_null(t->s);
	t->sim = kvmpfn_session_sim(t->s);
	t->acc = kvmpfn_pstates_create();
	assert_non_null(t->acc);
	assert_int_equal(kvmpfn_pstates_record(t->sim, t->acc), 0);
}

static void t_close(struct t *t)
{
	kvmpfn_session_finish(t->s, NULL);
	kvmpfn_pstates_destroy(t->acc);
	fclose(t->sink);
}

static void line(struct t *t, const char *text)
{
	assert_int_equal(kvmpfn_session_line(t->s, text, strlen(text)), 0);
}

static enum kvmpfn_pstate state_of(struct t *t, const char *name,
				   unsigned long idx)
{
	enum kvmpfn_pstate st;
	uint64_t pfn;

	assert_int_equal(kvmpfn_host_pfn(t->sim, name, idx, &pfn), 0);
	assert_int_equal(kvmpfn_pstate_of(t->sim, pfn, &st), 0);
	return st;
}

static enum kvmpfn_pstate state_at(struct t *t, uint64_t gfn)
{
	struct kvmpfn_leaf leaf;
	enum kvmpfn_pstate st;

	assert_int_equal(kvmpfn_leaf(t->sim, 0, gfn, &leaf), 0);
	assert_int_equal(kvmpfn_pstate_of(t->sim, leaf.pfn, &st), 0);
	return st;
}

static enum kvmpfn_pstate state_hva(struct t *t, uint64_t hva)
{
	enum kvmpfn_pstate st;
	uint64_t pfn;

	assert_int_equal(kvmpfn_host_translate(t->sim, hva, &pfn, NULL), 0);
	assert_int_equal(kvmpfn_pstate_of(t->sim, pfn, &st), 0);
	return st;
}

#define HITS(t, f, to, op) \
	kvmpfn_pstates_hits((t)->acc, KVMPFN_PS_##f, KVMPFN_PS_##to, \
			    KVMPFN_OP_##op)

static void every_state_reached(void **state)
{
	bool seen[KVMPFN_NR_PSTATES] = { false };
	enum kvmpfn_pstate st;
	struct t t;
	int i;

	(void)state;
	t_open(&t, KVMPFN_LEGACY, 0);
	assert_int_equal(kvmpfn_pstate_of(t.sim, 1ULL << 40, &st), -KVMPFN_ENOENT);
	seen[KVMPFN_PS_UNALLOCATED] = true;

	line(&t, "alloc pg order=0");
	seen[st = state_of(&t, "pg", 0)] = true;
	assert_int_equal(st, KVMPFN_PS_PAGE);
	line(&t, "alloc blk order=2");
	assert_int_equal(state_of(&t, "blk", 0), KVMPFN_PS_PAGE);
	seen[st = state_of(&t, "blk", 1)] = true;
	assert_int_equal(st, KVMPFN_PS_TAIL0);
	line(&t, "alloc res order=0 reserved");
	seen[st = state_of(&t, "res", 0)] = true;
	assert_int_equal(st, KVMPFN_PS_RESERVED);
	line(&t, "alloc dev order=0 zone_device");
	seen[st = state_of(&t, "dev", 0)] = true;
	assert_int_equal(st, KVMPFN_PS_ZONE_DEVICE);
	line(&t, "alloc bar order=1 nostruct");
	seen[st = state_of(&t, "bar", 1)] = true;
	assert_int_equal(st, KVMPFN_PS_NOSTRUCT);
	seen[st = state_of(&t, "zero", 0)] = true;
	assert_int_equal(st, KVMPFN_PS_ZERO);
	line(&t, "alloc gone order=0");
	line(&t, "free gone");
	seen[st = state_of(&t, "gone", 0)] = true;
	assert_int_equal(st, KVMPFN_PS_FREE);
	line(&t, "poison page=pg+0");
	seen[st = state_of(&t, "pg", 0)] = true;
	assert_int_equal(st, KVMPFN_PS_POISONED);

	/* anonymous memory: mapped, then zapped with A/D passed on */
	line(&t, "mmap hva=0x10000000 size=16K anon prot=rw");
	line(&t, "memslot create id=1 gfn=0x100 npages=4 hva=0x10000000");
	line(&t, "fault gfn=0x100 write");
	seen[st = state_at(&t, 0x100)] = true;
	assert_int_equal(st, KVMPFN_PS_MAPPED_RC);
	line(&t, "touch hva=0x10001000 write");
	line(&t, "fault gfn=0x101");
	assert_int_equal(state_at(&t, 0x101), KVMPFN_PS_MAPPED_RC);
	line(&t, "invalidate_begin hva=0x10000000 size=8K");
	line(&t, "invalidate_end");
	seen[st = state_hva(&t, 0x10000000)] = true;
	assert_int_equal(st, KVMPFN_PS_DIRTY);
	seen[st = state_hva(&t, 0x10001000)] = true;
	assert_int_equal(st, KVMPFN_PS_ACCESSED);

	/* a fault in flight holds GUP's reference */
	line(&t, "fault_begin gfn=0x102 write");
	seen[st = state_hva(&t, 0x10002000)] = true;
	assert_int_equal(st, KVMPFN_PS_KVM_REF);
	line(&t, "fault_finish");
	assert_int_equal(state_at(&t, 0x102), KVMPFN_PS_MAPPED_RC);

	line(&t, "touch hva=0x10003000 write");
	line(&t, "gpc_activate id=0 gpa=0x103000");
	seen[st = state_hva(&t, 0x10003000)] = true;
	assert_int_equal(st, KVMPFN_PS_GPC);

	/* a pfn without struct page: mapped without a reference, kmapped */
	line(&t, "mmap hva=0x20000000 size=8K pfnmap=bar shared prot=rw");
	line(&t, "memslot create id=2 gfn=0x200 npages=2 hva=0x20000000");
	line(&t, "fault gfn=0x200");
	seen[st = state_at(&t, 0x200)] = true;
	assert_int_equal(st, KVMPFN_PS_MAPPED_NORC);
	line(&t, "vcpu_map id=0 gfn=0x201");
	seen[st = state_of(&t, "bar", 1)] = true;
	assert_int_equal(st, KVMPFN_PS_KMAP);

	for (i = 0; i < KVMPFN_NR_PSTATES; i++)
		if (!seen[i])
			fail_msg("state %s not reached", kvmpfn_pstate_name(i));

	/* the recorder saw the same, as transitions */
	assert_int_equal(HITS(&t, UNALLOCATED, PAGE, ALLOC), 1 + 1 + 1);
	assert_int_equal(HITS(&t, UNALLOCATED, TAIL0, ALLOC), 3);
	assert_int_equal(HITS(&t, UNALLOCATED, NOSTRUCT, ALLOC), 2);
	assert_int_equal(HITS(&t, PAGE, FREE, FREE), 1);
	assert_int_equal(HITS(&t, PAGE, POISONED, POISON), 1);
	assert_int_equal(HITS(&t, UNALLOCATED, MAPPED_RC, FAULT), 1);
	assert_int_equal(HITS(&t, MAPPED_RC, DIRTY, INVALIDATE_BEGIN), 1);
	assert_int_equal(HITS(&t, MAPPED_RC, ACCESSED, INVALIDATE_BEGIN), 1);
	assert_int_equal(HITS(&t, UNALLOCATED, KVM_REF, FAULT_BEGIN), 1);
	assert_int_equal(HITS(&t, KVM_REF, MAPPED_RC, FAULT_FINISH), 1);
	assert_int_equal(HITS(&t, PAGE, GPC, GPC_ACTIVATE), 1);
	assert_int_equal(HITS(&t, NOSTRUCT, MAPPED_NORC, FAULT), 1);
	assert_int_equal(HITS(&t, NOSTRUCT, KMAP, VCPU_MAP), 1);
	assert_int_equal(kvmpfn_pstates_undeclared(t.acc), 0);
	t_close(&t);
}

/* The blob at v7.5: tails map without a reference; freed with the block. */
static void blob_edges(void **state)
{
	uint64_t runs, steps;
	struct t t;

	(void)state;
	t_open(&t, KVMPFN_V7_5, 0);
	line(&t, "alloc vram order=2");
	line(&t, "mmap hva=0x10000000 size=16K pfnmap=vram shared prot=rw");
	line(&t, "memslot create id=1 gfn=0x100 npages=4 hva=0x10000000");
	line(&t, "fault gfn=0x101 write");
	line(&t, "fault gfn=0x102 write");
	assert_int_equal(HITS(&t, TAIL0, MAPPED_NORC, FAULT), 2);
	assert_int_equal(kvmpfn_pstates_hits(t.acc, KVMPFN_PS_TAIL0,
					     KVMPFN_PS_MAPPED_NORC,
					     KVMPFN_NR_OPS), 2);
	line(&t, "free vram");
	assert_int_equal(HITS(&t, MAPPED_NORC, FREE, FREE), 2);
	assert_int_equal(HITS(&t, TAIL0, FREE, FREE), 1);
	kvmpfn_pstates_totals(t.acc, &runs, &steps);
	assert_int_equal(runs, 1);
	assert_int_equal(steps, 6);
	t_close(&t);
}

/* B1 (CVE-2021-22543) maps a refcount-0 tail as refcounted: undeclared. */
static void undeclared_reported(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	struct t t;

	(void)state;
	t_open(&t, KVMPFN_LEGACY, 1);
	line(&t, "alloc vram order=2");
	line(&t, "mmap hva=0x10000000 size=16K pfnmap=vram shared prot=rw");
	line(&t, "memslot create id=1 gfn=0x100 npages=4 hva=0x10000000");
	line(&t, "fault gfn=0x101 write");
	assert_false(kvmpfn_pstate_declared(KVMPFN_PS_TAIL0,
					    KVMPFN_PS_MAPPED_RC));
	assert_int_equal(HITS(&t, TAIL0, MAPPED_RC, FAULT), 1);
	assert_int_equal(kvmpfn_pstates_undeclared(t.acc), 1);

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	kvmpfn_pstates_summary(t.acc, f);
	fclose(f);
	assert_non_null(strstr(buf, "undeclared: tail0 -> mapped-rc 1: fault 1"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	kvmpfn_pstates_dot(t.acc, "B1", f);
	fclose(f);
	assert_non_null(strstr(buf, "\"tail0\" -> \"mapped-rc\" [label=\"UNDECLARED\\nfault 1\", color=orange"));
	assert_non_null(strstr(buf, "\"tail0\" -> \"mapped-norc\" [label=\"never\", color=red"));
	assert_non_null(strstr(buf, "digraph pagestates {"));
	free(buf);
	t_close(&t);
}

/* Detached (or never attached), a simulator records nothing. */
static void off_when_detached(void **state)
{
	uint64_t runs, steps;
	struct t t;

	(void)state;
	t_open(&t, KVMPFN_LEGACY, 0);
	line(&t, "alloc a order=0");
	assert_int_equal(kvmpfn_pstates_record(t.sim, NULL), 0);
	line(&t, "alloc b order=0");
	assert_int_equal(HITS(&t, UNALLOCATED, PAGE, ALLOC), 1);
	kvmpfn_pstates_totals(t.acc, &runs, &steps);
	assert_int_equal(steps, 1);
	/* attached again: what exists is the start, not a transition */
	assert_int_equal(kvmpfn_pstates_record(t.sim, t.acc), 0);
	line(&t, "free b");
	assert_int_equal(HITS(&t, UNALLOCATED, PAGE, ALLOC), 1);
	assert_int_equal(HITS(&t, PAGE, FREE, FREE), 1);
	t_close(&t);
}

static void table_well_formed(void **state)
{
	const struct kvmpfn_pstate_edge *e;
	unsigned int n, i, j;

	(void)state;
	e = kvmpfn_pstate_edges(&n);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		assert_true((unsigned int)e[i].from < KVMPFN_NR_PSTATES);
		assert_true((unsigned int)e[i].to < KVMPFN_NR_PSTATES);
		assert_true(e[i].from != e[i].to);
		assert_true(e[i].to != KVMPFN_PS_UNALLOCATED);
		assert_non_null(e[i].why);
		assert_true(strlen(e[i].why) > 4);
		assert_true(kvmpfn_pstate_declared(e[i].from, e[i].to));
		for (j = 0; j < i; j++)
			if (e[j].from == e[i].from && e[j].to == e[i].to)
				fail_msg("edge %s -> %s declared twice",
					 kvmpfn_pstate_name(e[i].from),
					 kvmpfn_pstate_name(e[i].to));
	}
	for (i = 0; i < KVMPFN_NR_PSTATES; i++) {
		assert_string_not_equal(kvmpfn_pstate_name(i), "?");
		assert_string_not_equal(kvmpfn_pstate_text(i), "?");
	}
	for (i = 0; i < KVMPFN_NR_OPS; i++)
		assert_string_not_equal(kvmpfn_op_name(i), "?");
	assert_string_equal(kvmpfn_pstate_name(KVMPFN_NR_PSTATES), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_state_reached),
		cmocka_unit_test(blob_edges),
		cmocka_unit_test(undeclared_reported),
		cmocka_unit_test(off_when_detached),
		cmocka_unit_test(table_well_formed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
