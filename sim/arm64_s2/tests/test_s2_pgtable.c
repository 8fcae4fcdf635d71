// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 stage-2 tables on their own (no simulator): the 3- and 4-level
 * walkers, table-page reference counts through map/unmap sequences (I20),
 * break-before-make, block/table replacement, attribute walkers and eager
 * splitting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "s2_pgtable.h"

#define K4	0x1000ULL
#define M2	0x200000ULL
#define G1	0x40000000ULL

static struct s2_pgt pgt;

static int setup39(void **state)
{
	(void)state;
	return s2_pgt_init(&pgt, NULL, 39);
}

static int setup48(void **state)
{
	(void)state;
	return s2_pgt_init(&pgt, NULL, 48);
}

static int setup40(void **state)
{
	(void)state;
	return s2_pgt_init(&pgt, NULL, 40);
}

static int teardown(void **state)
{
	(void)state;
	s2_pgt_destroy(&pgt);
	return 0;
}

static int map(u64 ipa, u64 size, u64 pa, u64 prot)
{
	return s2_map(&pgt, ipa, size, pa, prot,
		      S2_WALK_HANDLE_FAULT | S2_WALK_SHARED, NULL);
}

/* The table at @level on the way to @ipa (the root is start_level). */
static struct s2_table *table_at(u64 ipa, int level)
{
	struct s2_table *t = s2_root_of(&pgt, ipa);

	while (t && t->level < level) {
		kvm_pte_t pte = t->pte[s2_index(ipa, t->level)];

		if (!s2_pte_is_table(pte, t->level))
			return NULL;
		t = s2_table_of(&pgt, pte);
	}
	return t;
}

static kvm_pte_t leaf(u64 ipa, int *level)
{
	kvm_pte_t pte = 0;

	assert_int_equal(s2_get_leaf(&pgt, ipa, &pte, level), 0);
	return pte;
}

/* I20 over everything, and nothing found. */
static void tables_ok(void)
{
	u32 before = pgt.errors;

	s2_check_tables(&pgt, true, NULL, NULL);
	assert_int_equal(pgt.errors, before);
}

static void test_init_geometry(void **state)
{
	struct s2_pgt p;

	(void)state;
	assert_int_equal(pgt.start_level, 1);
	assert_int_equal(pgt.nr_roots, 1);
	assert_int_equal(pgt.nr_live, 1);
	assert_int_equal(table_at(0, 1)->count, 1);
	assert_true(table_at(0, 1)->root);
	assert_int_equal(s2_pgt_init(&p, NULL, 31), -22);
	assert_int_equal(s2_pgt_init(&p, NULL, 49), -22);
	assert_int_equal(s2_pgt_init(&p, NULL, 32), 0);
	assert_int_equal(p.start_level, 2);
	assert_int_equal(p.nr_live, 4);
	s2_pgt_destroy(&p);
	tables_ok();
}

/* 3 levels (IPA 39): a 4K page needs a level-2 and a level-3 table. */
static void test_map_page_3level(void **state)
{
	u64 ipa = 0x12345000ULL;
	kvm_pte_t pte;
	int level;

	(void)state;
	assert_int_equal(map(ipa, K4, 0xabc000, S2_PROT_R | S2_PROT_W), 0);
	pte = leaf(ipa, &level);
	assert_int_equal(level, 3);
	assert_true(s2_pte_is_leaf(pte, 3));
	assert_true(s2_pte_to_phys(pte) == 0xabc000);
	assert_true(s2_pte_writable(pte));
	assert_int_equal(pgt.nr_live, 3);
	assert_int_equal(table_at(ipa, 1)->count, 2);
	assert_int_equal(table_at(ipa, 2)->count, 2);
	assert_int_equal(table_at(ipa, 3)->count, 2);
	assert_true(table_at(ipa, 3)->base == (ipa & ~(M2 - 1)));
	/* the neighbour is not mapped */
	pte = leaf(ipa + K4, &level);
	assert_int_equal(level, 3);
	assert_true(pte == 0);
	/* nor is anything in another 1G */
	pte = leaf(ipa + G1, &level);
	assert_int_equal(level, 1);
	assert_true(pte == 0);
	tables_ok();
}

/* 4 levels (IPA 48): the walk starts at level 0. */
static void test_map_page_4level(void **state)
{
	u64 ipa = 0x812345000ULL * 16;	/* above 512G: level-0 index 1 */
	int level;

	(void)state;
	assert_int_equal(pgt.start_level, 0);
	assert_int_equal(map(ipa, K4, 0x7000, S2_PROT_R), 0);
	assert_true(s2_pte_to_phys(leaf(ipa, &level)) == 0x7000);
	assert_int_equal(level, 3);
	assert_int_equal(pgt.nr_live, 4);
	assert_int_equal(s2_index(ipa, 0), 1);
	assert_int_equal(table_at(ipa, 0)->count, 2);
	assert_int_equal(table_at(ipa, 1)->level, 1);
	/* the IPA limit */
	assert_int_equal(map(1ULL << 48, K4, 0, S2_PROT_R), -34);
	assert_int_equal(s2_get_leaf(&pgt, 1ULL << 48, NULL, NULL), -34);
	assert_int_equal(s2_unmap(&pgt, ipa, K4), 1);
	assert_int_equal(pgt.nr_live, 1);
	tables_ok();
}

/* IPA 40: two concatenated level-1 tables. */
static void test_concatenated_roots(void **state)
{
	u64 hi = (1ULL << 39) + 0x5000;
	int level;

	(void)state;
	assert_int_equal(pgt.nr_roots, 2);
	assert_int_equal(map(hi, K4, 0x9000, S2_PROT_R), 0);
	assert_int_equal(map(0x5000, K4, 0xa000, S2_PROT_R), 0);
	assert_ptr_not_equal(s2_root_of(&pgt, hi), s2_root_of(&pgt, 0x5000));
	assert_int_equal(s2_root_of(&pgt, hi)->count, 2);
	assert_int_equal(s2_root_of(&pgt, 0)->count, 2);
	assert_true(s2_pte_to_phys(leaf(hi, &level)) == 0x9000);
	assert_true(s2_pte_to_phys(leaf(0x5000, &level)) == 0xa000);
	/* one unmap across the boundary of the two */
	assert_int_equal(s2_unmap(&pgt, 0, 1ULL << 40), 2);
	assert_int_equal(pgt.nr_live, 2);
	tables_ok();
}

static void test_map_blocks(void **state)
{
	int level;
	kvm_pte_t pte;

	(void)state;
	/* 2M at level 2: no level-3 table */
	assert_int_equal(map(4 * M2, M2, 0x40000000, S2_PROT_R), 0);
	pte = leaf(4 * M2 + 5 * K4, &level);
	assert_int_equal(level, 2);
	assert_true(s2_pte_is_leaf(pte, 2));
	assert_int_equal(pgt.nr_live, 2);
	/* 1G at level 1: straight into the root */
	assert_int_equal(map(3 * G1, G1, 2 * G1, S2_PROT_R | S2_PROT_W), 0);
	pte = leaf(3 * G1 + 7 * M2, &level);
	assert_int_equal(level, 1);
	assert_true(s2_pte_to_phys(pte) == 2 * G1);
	assert_int_equal(pgt.nr_live, 2);
	assert_int_equal(table_at(0, 1)->count, 3);
	/* a misaligned output address cannot be a block: pages instead */
	assert_int_equal(map(8 * M2, M2, 0x40001000, S2_PROT_R), 0);
	pte = leaf(8 * M2 + K4, &level);
	assert_int_equal(level, 3);
	assert_true(s2_pte_to_phys(pte) == 0x40002000);
	assert_int_equal(table_at(8 * M2, 3)->count, 513);
	tables_ok();
}

/* Counts through a map/unmap sequence; empty tables go, others stay. */
static void test_refcounts_map_unmap(void **state)
{
	u64 base = 0x40000000ULL;
	struct s2_table *l3;
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_int_equal(map(base + i * K4, K4, 0x100000 + i * K4,
				     S2_PROT_R), 0);
	l3 = table_at(base, 3);
	assert_int_equal(l3->count, 4);
	assert_int_equal(table_at(base, 2)->count, 2);
	/* a page in the next 2M: a second level-3 table */
	assert_int_equal(map(base + M2, K4, 0x300000, S2_PROT_R), 0);
	assert_int_equal(table_at(base, 2)->count, 3);
	assert_int_equal(pgt.nr_live, 4);
	tables_ok();

	/* unmapping nothing changes nothing */
	assert_int_equal(s2_unmap(&pgt, base + 10 * K4, K4), 0);
	assert_int_equal(l3->count, 4);
	assert_int_equal(s2_unmap(&pgt, base + K4, K4), 1);
	assert_int_equal(l3->count, 3);
	assert_int_equal(pgt.nr_live, 4);
	tables_ok();
	/* the last two: the level-3 table is freed, its parent keeps one */
	assert_int_equal(s2_unmap(&pgt, base, 3 * K4), 2);
	assert_int_equal(pgt.nr_live, 3);
	assert_int_equal(table_at(base, 2)->count, 2);
	assert_int_equal(l3->state, S2_TABLE_FREE);
	tables_ok();
	/* the other one: everything down to the root goes */
	assert_int_equal(s2_unmap(&pgt, base + M2, M2), 1);
	assert_int_equal(pgt.nr_live, 1);
	assert_int_equal(table_at(0, 1)->count, 1);
	assert_int_equal(pgt.nr_frees, 3);
	tables_ok();

	/* freed table pages are reused */
	assert_int_equal(map(base, K4, 0x100000, S2_PROT_R), 0);
	assert_int_equal(pgt.nr_ids, 5);
	assert_int_equal(pgt.nr_live, 3);
	tables_ok();
}

/* A block over pages that are mapped: the table under it is freed. */
static void test_block_replaces_table(void **state)
{
	int i, level;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(map(G1 + i * K4, K4, 0x40000000 + i * K4,
				     S2_PROT_R), 0);
	assert_int_equal(pgt.nr_live, 3);
	assert_int_equal(map(G1, M2, 0x40000000, S2_PROT_R | S2_PROT_W), 0);
	assert_int_equal(pgt.nr_live, 2);
	assert_true(s2_pte_is_leaf(leaf(G1 + 3 * K4, &level), 2));
	assert_int_equal(table_at(G1, 2)->count, 2);
	tables_ok();
}

/* A page inside a block: the block becomes a table with that page only. */
static void test_table_replaces_block(void **state)
{
	kvm_pte_t pte;
	int level;

	(void)state;
	assert_int_equal(map(G1, M2, 0x40000000, S2_PROT_R), 0);
	assert_int_equal(map(G1 + 5 * K4, K4, 0x40005000,
			     S2_PROT_R | S2_PROT_W), 0);
	pte = leaf(G1 + 5 * K4, &level);
	assert_int_equal(level, 3);
	assert_true(s2_pte_writable(pte));
	/* the rest of the old block faults back in lazily */
	assert_true(leaf(G1, &level) == 0);
	assert_int_equal(table_at(G1, 3)->count, 2);
	assert_int_equal(pgt.nr_live, 3);
	tables_ok();
}

static void test_map_same_is_eagain(void **state)
{
	kvm_pte_t before;
	int level;

	(void)state;
	assert_int_equal(map(0x8000, K4, 0x1000, S2_PROT_R), 0);
	before = leaf(0x8000, &level);
	/* identical, or differing in permissions only: nothing to do */
	assert_int_equal(map(0x8000, K4, 0x1000, S2_PROT_R), -11);
	assert_int_equal(map(0x8000, K4, 0x1000, S2_PROT_R | S2_PROT_W), -11);
	assert_true(leaf(0x8000, &level) == before);
	/* another output page: break-before-make, same count */
	assert_int_equal(map(0x8000, K4, 0x2000, S2_PROT_R), 0);
	assert_true(s2_pte_to_phys(leaf(0x8000, &level)) == 0x2000);
	assert_int_equal(table_at(0x8000, 3)->count, 2);
	/* outside a fault handler the walk goes on past -EAGAIN */
	assert_int_equal(s2_map(&pgt, 0x8000, 2 * K4, 0x2000, S2_PROT_R, 0,
				NULL), 0);
	assert_true(s2_pte_to_phys(leaf(0x9000, &level)) == 0x3000);
	tables_ok();
}

static void test_attr_walkers(void **state)
{
	kvm_pte_t pte;
	int level;

	(void)state;
	assert_int_equal(map(0, 4 * K4, 0x10000, S2_PROT_R | S2_PROT_W), 0);
	assert_int_equal(map(M2, M2, 0x400000, S2_PROT_R | S2_PROT_W), 0);
	/* write-protect: W goes, nothing else */
	assert_int_equal(s2_wrprotect(&pgt, 0, 2 * M2), 5);
	assert_int_equal(s2_wrprotect(&pgt, 0, 2 * M2), 0);
	pte = leaf(M2 + K4, &level);
	assert_false(s2_pte_writable(pte));
	assert_true(s2_pte_young(pte));
	assert_int_equal(table_at(0, 3)->count, 5);

	/* aging: test, clear, test again */
	assert_true(s2_test_clear_young(&pgt, 0, K4, false));
	assert_true(s2_pte_young(leaf(0, &level)));
	assert_true(s2_test_clear_young(&pgt, 0, 2 * M2, true));
	assert_false(s2_pte_young(leaf(0, &level)));
	assert_false(s2_pte_young(leaf(M2, &level)));
	assert_false(s2_test_clear_young(&pgt, 0, 2 * M2, true));

	/* mkyoung returns the leaf as it was */
	pte = s2_mkyoung(&pgt, 2 * K4, NULL);
	assert_true(s2_pte_valid(pte));
	assert_false(s2_pte_young(pte));
	assert_true(s2_pte_young(leaf(2 * K4, &level)));
	assert_false(s2_pte_young(leaf(3 * K4, &level)));
	assert_true(s2_mkyoung(&pgt, 9 * K4, NULL) == 0);

	/* relaxing permissions */
	assert_int_equal(s2_relax_perms(&pgt, M2 + 3 * K4,
					S2_PROT_R | S2_PROT_W, NULL), 0);
	assert_true(s2_pte_writable(leaf(M2, &level)));
	assert_int_equal(level, 2);
	assert_int_equal(s2_relax_perms(&pgt, 9 * K4, S2_PROT_W, NULL), -11);
	assert_int_equal(s2_relax_perms(&pgt, 0, S2_PROT_SW0, NULL), -22);
	assert_int_equal(s2_relax_perms(&pgt, 0, S2_PROT_X, NULL), 0);
	assert_true(s2_pte_executable(leaf(0, &level)));
	tables_ok();
}

static void test_split_2m(void **state)
{
	struct s2_table *l3;
	kvm_pte_t pte;
	int level, i;

	(void)state;
	assert_int_equal(map(G1, M2, 0x80000000ULL, S2_PROT_R), 0);
	s2_test_clear_young(&pgt, G1, M2, true);
	assert_int_equal(s2_split(&pgt, G1, M2), 0);
	l3 = table_at(G1, 3);
	assert_non_null(l3);
	assert_int_equal(l3->count, 513);
	for (i = 0; i < 512; i += 73) {
		pte = leaf(G1 + i * K4, &level);
		assert_int_equal(level, 3);
		assert_true(s2_pte_to_phys(pte) == 0x80000000ULL + i * K4);
		assert_false(s2_pte_writable(pte));
		/* the new leaves start young, as every new leaf does */
		assert_true(s2_pte_young(pte));
	}
	/* nothing left to split */
	assert_int_equal(s2_split(&pgt, G1, M2), 0);
	assert_int_equal(pgt.nr_live, 3);
	tables_ok();
	/* and it all comes down again */
	assert_int_equal(s2_unmap(&pgt, G1, M2), 512);
	assert_int_equal(pgt.nr_live, 1);
	tables_ok();
}

static void test_split_1g(void **state)
{
	struct s2_table *l2;

	(void)state;
	assert_int_equal(map(2 * G1, G1, G1, S2_PROT_R | S2_PROT_W), 0);
	assert_int_equal(s2_split(&pgt, 2 * G1, G1), 0);
	l2 = table_at(2 * G1, 2);
	assert_int_equal(l2->count, 513);
	assert_int_equal(pgt.nr_live, 1 + 1 + 512);
	assert_true(s2_pte_writable(table_at(2 * G1 + 511 * M2, 3)->pte[511]));
	tables_ok();
	assert_int_equal(s2_unmap(&pgt, 2 * G1, G1), 512 * 512);
	assert_int_equal(pgt.nr_live, 1);
	tables_ok();
}

/* Splitting rebuilds leaves from permissions: a device block turns Normal. */
static void test_split_loses_memattr(void **state)
{
	int level;

	(void)state;
	assert_int_equal(map(0, M2, 0, S2_PROT_R | S2_PROT_DEVICE), 0);
	assert_int_equal(s2_pte_memattr(leaf(0, &level)),
			 S2_MT_FWB_DEVICE_nGnRE);
	assert_int_equal(s2_split(&pgt, 0, M2), 0);
	assert_int_equal(s2_pte_memattr(leaf(K4, &level)), S2_MT_FWB_NORMAL);
	tables_ok();
}

/* Invalid-but-owned entries hold a reference; unmap clears them. */
static void test_owner_annotation(void **state)
{
	struct s2_table *l3;

	(void)state;
	assert_int_equal(map(0, K4, 0x1000, S2_PROT_R), 0);
	l3 = table_at(0, 3);
	s2_set_pte(&pgt, l3, 7, s2_make_owner_pte(1), NULL);
	assert_int_equal(l3->count, 3);
	tables_ok();
	assert_int_equal(s2_unmap(&pgt, 0, M2), 1);
	assert_int_equal(pgt.nr_live, 1);
	tables_ok();
}

struct collect {
	int n;
	u64 ipa[8];
	int level[8];
};

static void collect_leaf(struct s2_pgt *p, kvm_pte_t pte, int level, u64 ipa,
			 void *ctx)
{
	struct collect *c = ctx;

	(void)p;
	(void)pte;
	if (c->n < 8) {
		c->ipa[c->n] = ipa;
		c->level[c->n] = level;
	}
	c->n++;
}

static void test_for_each_leaf(void **state)
{
	struct collect c = { 0 };

	(void)state;
	assert_int_equal(map(G1, M2, 0, S2_PROT_R), 0);
	assert_int_equal(map(K4, K4, 0, S2_PROT_R), 0);
	assert_int_equal(map(3 * G1, G1, 0, S2_PROT_R), 0);
	s2_for_each_leaf(&pgt, collect_leaf, &c);
	assert_int_equal(c.n, 3);
	assert_true(c.ipa[0] == K4 && c.level[0] == 3);
	assert_true(c.ipa[1] == G1 && c.level[1] == 2);
	assert_true(c.ipa[2] == 3 * G1 && c.level[2] == 1);
}

/* Each broken table invariant is found (counted in pgt.errors). */
static void test_check_finds_breakage(void **state)
{
	struct s2_table *l3, *l2, *stray;
	u32 e;

	(void)state;
	assert_int_equal(map(0, 2 * K4, 0x1000, S2_PROT_R), 0);
	l3 = table_at(0, 3);
	l2 = table_at(0, 2);
	tables_ok();

	e = pgt.errors;
	l3->count++;			/* a reference nobody owns */
	s2_check_tables(&pgt, true, NULL, NULL);
	assert_true(pgt.errors > e);
	l3->count--;
	tables_ok();

	e = pgt.errors;
	l3->pte[9] = S2_INVALID_LOCKED;	/* a break without its make */
	s2_check_tables(&pgt, true, NULL, NULL);
	assert_true(pgt.errors > e);
	l3->pte[9] = 0;
	tables_ok();

	e = pgt.errors;
	l3->pte[0] = 0;			/* cleared behind the count's back */
	l3->pte[1] = 0;
	s2_check_tables(&pgt, true, NULL, NULL);
	assert_true(pgt.errors > e);
	l3->count = 1;			/* empty, yet still linked */
	e = pgt.errors;
	s2_check_tables(&pgt, true, NULL, NULL);
	assert_true(pgt.errors > e);

	/* a table allocated and never linked: a leak */
	assert_int_equal(map(G1 + 0x1000, K4, 0x1000, S2_PROT_R), 0);
	stray = table_at(G1, 3);
	table_at(G1, 2)->pte[0] = 0;
	table_at(G1, 2)->count--;
	stray->parent = 0;
	e = pgt.errors;
	s2_check_tables(&pgt, true, NULL, NULL);
	assert_true(pgt.errors > e);
	(void)l2;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_geometry, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_map_page_3level, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_map_page_4level, setup48, teardown),
		cmocka_unit_test_setup_teardown(test_concatenated_roots, setup40, teardown),
		cmocka_unit_test_setup_teardown(test_map_blocks, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_refcounts_map_unmap, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_block_replaces_table, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_table_replaces_block, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_map_same_is_eagain, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_attr_walkers, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_split_2m, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_split_1g, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_split_loses_memattr, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_owner_annotation, setup39, teardown),
		cmocka_unit_test_setup_teardown(test_for_each_leaf, setup48, teardown),
		cmocka_unit_test_setup_teardown(test_check_finds_breakage, setup39, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
