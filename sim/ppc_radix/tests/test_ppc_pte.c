// SPDX-License-Identifier: GPL-2.0
/*
 * The radix entry format (encoders, decoders, the host PTE translation)
 * and the partition-scoped tree: tables allocated on the way down and
 * freed when emptied or replaced by a large leaf, walked as the MMU walks
 * it.  White-box: it drives radix_mmu.c directly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <linux/kvm_host.h>

#include "radix_mmu.h"

#define G1	(1ULL << 30)
#define M2	(1ULL << 21)
#define K4	(1ULL << 12)

/* ---- format ---------------------------------------------------------------- */

static void test_leaf_encoding(void **state)
{
	u64 pte = ppc_mk_pte(0x12345, PPC_PAGE_READ | PPC_PAGE_WRITE);

	(void)state;
	/* present | leaf | RPN 0x12345 | R | W, in CPU order */
	assert_true(pte == 0xc000000012345006ULL);
	assert_true(ppc_pte_present(pte));
	assert_true(ppc_pte_is_leaf(pte));
	assert_true(ppc_pte_write(pte));
	assert_false(ppc_pte_dirty(pte));
	assert_false(ppc_pte_young(pte));
	assert_int_equal(ppc_pte_pfn(pte), 0x12345);

	pte |= PPC_PAGE_DIRTY | PPC_PAGE_ACCESSED;
	assert_true(ppc_pte_dirty(pte));
	assert_true(ppc_pte_young(pte));
	assert_int_equal(ppc_pte_pfn(pte), 0x12345);

	/* all twelve low flag bits set leave the page number alone */
	pte = ppc_mk_pte(0x1ffffffffffUL, 0xfff);
	assert_int_equal(ppc_pte_pfn(pte), 0x1ffffffffffUL);
	assert_true((pte & 0xfff) == 0xfff);
	/* the RPN is 41 bits (52..12): bit 53 and up are never address */
	assert_int_equal(ppc_pte_pfn(ppc_mk_pte(1UL << 41, 0)), 0);
	assert_true(ppc_pfn_rpn(1UL << 41) == 0);

	/* SW and attribute bits as the host kernel assigns them */
	assert_true(PPC_PAGE_SPECIAL == 0x400 && PPC_PAGE_DEVMAP == 0x800 &&
		    PPC_PAGE_SOFT_DIRTY == 0x200);
	assert_true(PPC_PAGE_INVALID == 1ULL << 61);
	assert_true(PPC_PAGE_EXEC == 1 && PPC_PAGE_WRITE == 2 &&
		    PPC_PAGE_READ == 4 && PPC_PAGE_PRIVILEGED == 8);
	assert_true(PPC_PAGE_DIRTY == 0x80 && PPC_PAGE_ACCESSED == 0x100);

	/* not present, or present but not a leaf, is no leaf */
	assert_false(ppc_pte_is_leaf(pte & ~PPC_PAGE_PRESENT));
	assert_false(ppc_pte_is_leaf(pte & ~PPC_PAGE_PTE));
	assert_false(ppc_pte_present(0));
}

static void test_directory_encoding(void **state)
{
	void *table = aligned_alloc(4096, 4096);
	u64 pde;

	(void)state;
	assert_non_null(table);
	pde = ppc_mk_pde(table, PPC_R_PTE_INDEX_SIZE);
	assert_true(ppc_pde_is_table(pde));
	assert_false(ppc_pte_is_leaf(pde));
	assert_ptr_equal(ppc_pde_table(pde), table);
	assert_int_equal(ppc_pde_nls(pde), 9);
	assert_true((pde & PPC_RPDE_BAD_BITS) == 0);
	assert_true(pde & PPC_RPDE_VALID);
	free(table);
}

static void test_from_host(void **state)
{
	u64 h = ((u64)0x42 << HPTE_PFN_SHIFT) | HPTE_PRESENT, p;

	(void)state;
	assert_true(ppc_pte_from_host(h & ~HPTE_PRESENT) == 0);

	p = ppc_pte_from_host(h);
	assert_true(ppc_pte_is_leaf(p));
	assert_int_equal(ppc_pte_pfn(p), 0x42);
	assert_true(p & PPC_PAGE_READ);
	assert_false(p & (PPC_PAGE_WRITE | PPC_PAGE_DIRTY | PPC_PAGE_ACCESSED |
			  PPC_PAGE_EXEC | PPC_PAGE_PRIVILEGED | PPC_PAGE_SPECIAL));

	p = ppc_pte_from_host(h | HPTE_WRITE | HPTE_DIRTY | HPTE_YOUNG);
	assert_true((p & 0xfff) == (PPC_PAGE_READ | PPC_PAGE_WRITE |
				    PPC_PAGE_DIRTY | PPC_PAGE_ACCESSED));

	/* a remap_pfn_range PTE */
	assert_true(ppc_pte_from_host(h | HPTE_SPECIAL) & PPC_PAGE_SPECIAL);

	/* a huge host leaf: the first page, like a PMD leaf */
	p = ppc_pte_from_host(((u64)0x200 << HPTE_PFN_SHIFT) | HPTE_PRESENT |
			      HPTE_HUGE);
	assert_int_equal(ppc_pte_pfn(p), 0x200);
}

static void test_indexing(void **state)
{
	u64 gpa = (5ULL << 39) | (7ULL << 30) | (9ULL << 21) | (11ULL << 12) |
		  0x123;

	(void)state;
	assert_int_equal(ppc_index(gpa, PPC_LEVEL_PGD), 5);
	assert_int_equal(ppc_index(gpa, PPC_LEVEL_PUD), 7);
	assert_int_equal(ppc_index(gpa, PPC_LEVEL_PMD), 9);
	assert_int_equal(ppc_index(gpa, PPC_LEVEL_PTE), 11);
	/* 13 bits of PGD index: the whole 52-bit space */
	assert_int_equal(ppc_index(8191ULL << 39, PPC_LEVEL_PGD), 8191);
	assert_int_equal(ppc_index(1ULL << 52, PPC_LEVEL_PGD), 0);
	assert_int_equal(ppc_level_pages(PPC_LEVEL_PTE), 1);
	assert_int_equal(ppc_level_pages(PPC_LEVEL_PMD), 512);
	assert_int_equal(ppc_level_pages(PPC_LEVEL_PUD), 262144);
	assert_int_equal(ppc_level_shift(PPC_LEVEL_PUD), 30);
}

/* ---- the tree --------------------------------------------------------------- */

static struct kvmpfn_sim *sim;
static struct ppc_mmu *mmu;
static struct kvm_memory_slot *slot;

static int tree_setup(void **state)
{
	struct kvmpfn_memslot_args a = {
		.id = 1, .gfn = 0, .npages = 4ULL << 18, .hva = 1ULL << 40,
	};

	(void)state;
	sim = kvmpfn_sim_create_arch(KVMPFN_LEGACY, KVMPFN_ARCH_PPC);
	if (!sim || kvmpfn_memslot(sim, KVMPFN_SLOT_CREATE, &a))
		return -1;
	kvm_ctx_enter(sim);
	mmu = ppc_mmu(sim);
	slot = kvm_memslot_by_id(&sim->kvm, 0, 1);
	return slot ? 0 : -1;
}

static int tree_teardown(void **state)
{
	(void)state;
	kvm_ctx_leave(sim);
	kvmpfn_sim_destroy(sim);
	return 0;
}

/* A fault that raced with nothing. */
static struct kvmpfn_fault fault_now(void)
{
	struct kvmpfn_fault f = {
		.slot = slot,
		.root_gen = sim->root_gen,
		.mmu_seq = sim->kvm.mmu_invalidate_seq,
		.seq_snapped = true,
	};

	return f;
}

static int install(u64 gpa, int level, unsigned long pfn, u64 flags)
{
	struct kvmpfn_fault f = fault_now();

	f.gfn = gpa >> PPC_PAGE_SHIFT;
	return ppc_radix_create_pte(sim, ppc_mk_pte(pfn, flags), gpa, level,
				    &f, 0, 0);
}

static unsigned long xlate(u64 gpa)
{
	unsigned long pfn = 0;
	u64 pte;

	if (ppc_radix_translate(mmu, gpa, &pfn, &pte))
		return 0;
	return pfn;
}

static unsigned int count_id(int id)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(sim, &v), i, c = 0;

	for (i = 0; i < n; i++)
		c += v[i].id == id;
	return c;
}

static void unmap_all(void)
{
	write_lock(&sim->kvm.mmu_lock);
	assert_false(ppc_unmap_gfn_range(sim, 0, 0, PPC_GFN_LIMIT));
	write_unlock(&sim->kvm.mmu_lock);
	assert_false(sim->tlb_stale);
}

static void test_walk_4k(void **state)
{
	u64 gpa = (3ULL << 39) | (2 * G1) | (5 * M2) | (7 * K4);
	struct ppc_radix_table *pud, *pmd, *pt;
	u64 pgde;

	(void)state;
	assert_int_equal(install(gpa, PPC_LEVEL_PTE, 0x777, PPC_PAGE_READ), 0);
	assert_int_equal(mmu->nr_tables, 3);
	assert_int_equal(mmu->nr_leaves[PPC_LEVEL_PTE], 1);
	assert_int_equal(xlate(gpa), 0x777);
	assert_int_equal(xlate(gpa + K4), 0);

	/* follow the directory entries by hand, as the MMU does */
	pgde = mmu->pgd->e[3];
	assert_true(ppc_pde_is_table(pgde));
	assert_int_equal(ppc_pde_nls(pgde), PPC_R_PUD_INDEX_SIZE);
	pud = ppc_pde_table(pgde);
	assert_int_equal(pud->level, PPC_LEVEL_PUD);
	assert_int_equal(pud->nr, 1);
	assert_true(ppc_pde_is_table(pud->e[2]));
	pmd = ppc_pde_table(pud->e[2]);
	assert_int_equal(pmd->level, PPC_LEVEL_PMD);
	assert_true(ppc_pde_is_table(pmd->e[5]));
	pt = ppc_pde_table(pmd->e[5]);
	assert_int_equal(pt->level, PPC_LEVEL_PTE);
	assert_true(ppc_pte_is_leaf(pt->e[7]));
	assert_int_equal(ppc_pte_pfn(pt->e[7]), 0x777);
	assert_true(((uintptr_t)pud & 4095) == 0 &&
		    ((uintptr_t)pmd & 4095) == 0 && ((uintptr_t)pt & 4095) == 0);

	unmap_all();
	assert_int_equal(mmu->nr_tables, 0);
	assert_int_equal(mmu->pgd_nr, 0);
	assert_int_equal(mmu->nr_leaves[PPC_LEVEL_PTE], 0);
	assert_int_equal(xlate(gpa), 0);
}

static void test_walk_large(void **state)
{
	u64 g2 = 4 * G1 + 6 * M2, g1 = 7 * G1;
	struct ppc_pos pos;

	(void)state;
	assert_int_equal(install(g2, PPC_LEVEL_PMD, 0x400, PPC_PAGE_READ), 0);
	assert_int_equal(mmu->nr_tables, 2);	/* PUD and PMD */
	assert_int_equal(xlate(g2 + 5 * K4), 0x405);
	assert_true(ppc_radix_find(mmu, g2 + M2 - 1, &pos));
	assert_int_equal(pos.level, PPC_LEVEL_PMD);
	assert_true(pos.gpa == g2);

	assert_int_equal(install(g1, PPC_LEVEL_PUD, 0x40000, PPC_PAGE_READ), 0);
	assert_int_equal(mmu->nr_tables, 2);	/* same PUD table */
	assert_int_equal(xlate(g1 + 3 * M2 + 2 * K4), 0x40000 + 3 * 512 + 2);
	assert_int_equal(mmu->nr_leaves[PPC_LEVEL_PUD], 1);
	unmap_all();
	assert_int_equal(mmu->nr_tables, 0);
}

/* A 2M leaf where a table of 4K leaves is: they go, the table is freed. */
static void test_large_replaces_table(void **state)
{
	u64 g = 9 * G1 + 4 * M2;

	(void)state;
	assert_int_equal(install(g, PPC_LEVEL_PTE, 0x800, PPC_PAGE_READ), 0);
	assert_int_equal(install(g + K4, PPC_LEVEL_PTE, 0x801, PPC_PAGE_READ), 0);
	assert_int_equal(mmu->nr_tables, 3);
	assert_int_equal(install(g, PPC_LEVEL_PMD, 0xa00, PPC_PAGE_READ), 0);
	assert_int_equal(mmu->nr_tables, 2);
	assert_int_equal(mmu->nr_leaves[PPC_LEVEL_PTE], 0);
	assert_int_equal(mmu->nr_leaves[PPC_LEVEL_PMD], 1);
	assert_int_equal(xlate(g + K4), 0xa01);
	assert_false(sim->tlb_stale);

	/* and a 4K leaf inside a 2M one takes the 2M leaf down */
	assert_int_equal(install(g + 3 * K4, PPC_LEVEL_PTE, 0xb03,
				 PPC_PAGE_READ), 0);
	assert_int_equal(mmu->nr_leaves[PPC_LEVEL_PMD], 0);
	assert_int_equal(xlate(g), 0);
	assert_int_equal(xlate(g + 3 * K4), 0xb03);

	/* a 1G leaf over a PUD slot holding a PMD table of 4K leaves */
	assert_int_equal(install(9 * G1, PPC_LEVEL_PUD, 0x80000,
				 PPC_PAGE_READ), 0);
	assert_int_equal(mmu->nr_leaves[PPC_LEVEL_PTE], 0);
	assert_int_equal(mmu->nr_tables, 1);
	assert_int_equal(xlate(g + 3 * K4), 0x80000 + 4 * 512 + 3);
	assert_int_equal(count_id(KVMPFN_WARN), 0);
	unmap_all();
}

/* A 1G leaf over a PMD table holding a 2M leaf: the kernel WARNs. */
static void test_pud_over_pmd_leaf_warns(void **state)
{
	u64 g = 12 * G1;

	(void)state;
	assert_int_equal(install(g + M2, PPC_LEVEL_PMD, 0x1200, PPC_PAGE_READ), 0);
	assert_int_equal(count_id(KVMPFN_WARN), 0);
	assert_int_equal(install(g, PPC_LEVEL_PUD, 0xc0000, PPC_PAGE_READ), 0);
	assert_int_equal(count_id(KVMPFN_WARN), 1);
	assert_int_equal(xlate(g + M2), 0xc0000 + 512);
	unmap_all();
}

/* Same level, same page: a racing fault adds W/C/R; anything else WARNs. */
static void test_add_bits(void **state)
{
	u64 g = 13 * G1;
	struct ppc_pos pos;
	unsigned int warns = count_id(KVMPFN_WARN), i9 = count_id(9);

	(void)state;
	assert_int_equal(install(g, PPC_LEVEL_PTE, 0x55, PPC_PAGE_READ), 0);
	assert_int_equal(install(g, PPC_LEVEL_PTE, 0x55, PPC_PAGE_READ |
				 PPC_PAGE_WRITE | PPC_PAGE_DIRTY), 0);
	assert_true(ppc_radix_find(mmu, g, &pos));
	assert_true(ppc_pte_write(*pos.e) && ppc_pte_dirty(*pos.e));
	assert_int_equal(count_id(KVMPFN_WARN), warns);

	/* another pfn without a zap in between: the kernel's WARN, and I9 */
	assert_int_equal(install(g, PPC_LEVEL_PTE, 0x66, PPC_PAGE_READ), 0);
	assert_int_equal(count_id(KVMPFN_WARN), warns + 1);
	assert_int_equal(count_id(9), i9 + 1);
	unmap_all();
}

/* The retry check under mmu_lock: a stale snapshot installs nothing. */
static void test_create_retries(void **state)
{
	struct kvmpfn_fault f = fault_now();
	u64 g = 14 * G1;

	(void)state;
	f.mmu_seq--;
	assert_int_equal(ppc_radix_create_pte(sim, ppc_mk_pte(1, PPC_PAGE_READ),
					      g, PPC_LEVEL_PTE, &f, 0, 0),
			 -EAGAIN);
	f = fault_now();
	f.root_gen--;
	assert_int_equal(ppc_radix_create_pte(sim, ppc_mk_pte(1, PPC_PAGE_READ),
					      g, PPC_LEVEL_PTE, &f, 0, 0),
			 -EAGAIN);
	assert_int_equal(xlate(g), 0);
	assert_int_equal(mmu->nr_tables, 0);
	assert_false(kshim_lock_held(&sim->kvm.mmu_lock));
}

/* The hardware walk refuses malformed directory entries. */
static void test_malformed(void **state)
{
	u64 g = 15 * G1, saved, pte;
	unsigned long pfn;
	struct ppc_radix_table *pud;

	(void)state;
	assert_int_equal(install(g, PPC_LEVEL_PTE, 0x99, PPC_PAGE_READ), 0);
	assert_int_equal(ppc_radix_translate(mmu, g, &pfn, &pte), 0);
	assert_int_equal(ppc_radix_translate(mmu, 1ULL << 52, &pfn, &pte),
			 -ENOENT);

	/* wrong NLS in the PGD entry */
	saved = mmu->pgd->e[0];
	mmu->pgd->e[0] = (saved & ~PPC_RPDE_NLS_MASK) | 13;
	assert_int_equal(ppc_radix_translate(mmu, g, &pfn, &pte), -EINVAL);
	/* a leaf at the PGD */
	mmu->pgd->e[0] = ppc_mk_pte(0, PPC_PAGE_READ);
	assert_int_equal(ppc_radix_translate(mmu, g, &pfn, &pte), -EINVAL);
	mmu->pgd->e[0] = saved;

	/* a reserved bit in a PUD entry */
	pud = ppc_pde_table(saved);
	saved = pud->e[15];
	pud->e[15] |= PPC_RPAGE_RSV1;
	assert_int_equal(ppc_radix_translate(mmu, g, &pfn, &pte), -EINVAL);
	pud->e[15] = saved;
	assert_int_equal(ppc_radix_translate(mmu, g, &pfn, &pte), 0);
	assert_int_equal(pfn, 0x99);
	unmap_all();
}

int main(void)
{
	const struct CMUnitTest format[] = {
		cmocka_unit_test(test_leaf_encoding),
		cmocka_unit_test(test_directory_encoding),
		cmocka_unit_test(test_from_host),
		cmocka_unit_test(test_indexing),
	};
	const struct CMUnitTest tree[] = {
		cmocka_unit_test(test_walk_4k),
		cmocka_unit_test(test_walk_large),
		cmocka_unit_test(test_large_replaces_table),
		cmocka_unit_test(test_pud_over_pmd_leaf_warns),
		cmocka_unit_test(test_add_bits),
		cmocka_unit_test(test_create_retries),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests_name("ppc radix format", format, NULL,
					   NULL) |
	       cmocka_run_group_tests_name("ppc radix tree", tree, tree_setup,
					   tree_teardown);
}
