// SPDX-License-Identifier: GPL-2.0
/*
 * The EPT SPTE format of the x86 TDP model: every field lands on its bit,
 * encode and decode are inverse, and the predicates and constructors say
 * what spte.h documents.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spte.h"

static void test_each_field_on_its_bit(void **state)
{
	static const struct {
		struct x86_spte_fields f;
		u64 bits;
	} cases[] = {
		{ { .r = true }, BIT_ULL(0) },
		{ { .w = true }, BIT_ULL(1) },
		{ { .x = true }, BIT_ULL(2) },
		{ { .memtype = 6 }, 6ULL << 3 },
		{ { .memtype = 7 }, 7ULL << 3 },
		{ { .ipat = true }, BIT_ULL(6) },
		{ { .page_size = true }, BIT_ULL(7) },
		{ { .accessed = true }, BIT_ULL(8) },
		{ { .dirty = true }, BIT_ULL(9) },
		{ { .mmu_present = true }, BIT_ULL(11) },
		{ { .pfn = 1 }, BIT_ULL(12) },
		{ { .pfn = (1ULL << 40) - 1 }, 0x000ffffffffff000ULL },
		{ { .ad_type = 1 }, BIT_ULL(52) },
		{ { .ad_type = 2 }, BIT_ULL(53) },
		{ { .saved_r = true }, BIT_ULL(54) },
		{ { .saved_x = true }, BIT_ULL(56) },
		{ { .host_writable = true }, BIT_ULL(57) },
		{ { .mmu_writable = true }, BIT_ULL(58) },
		{ { .refcounted = true }, BIT_ULL(59) },
		{ { .suppress_ve = true }, BIT_ULL(63) },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(x86_spte_encode(&cases[i].f), cases[i].bits);
	/* the named masks agree */
	assert_int_equal(SPTE_MMU_PRESENT, BIT_ULL(11));
	assert_int_equal(EPT_SPTE_HOST_WRITABLE, BIT_ULL(57));
	assert_int_equal(EPT_SPTE_MMU_WRITABLE, BIT_ULL(58));
	assert_int_equal(SPTE_MMU_PAGE_REFCOUNTED, BIT_ULL(59));
	assert_int_equal(SHADOW_NONPRESENT_VALUE, BIT_ULL(63));
	assert_int_equal(FROZEN_SPTE, BIT_ULL(63) | 0x5a0);
	assert_int_equal(SPTE_TDP_AD_ENABLED, 0);
}

static void test_roundtrip(void **state)
{
	struct x86_spte_fields f, g;
	u64 seed = 0x9e3779b97f4a7c15ULL, spte;
	/* every bit the format defines; bits 10, 55, 60-62 are unused */
	const u64 defined = ~(BIT_ULL(10) | BIT_ULL(55) | BIT_ULL(60) |
			      BIT_ULL(61) | BIT_ULL(62) |
			      (3ULL << SPTE_TDP_AD_SHIFT));
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		spte = seed & defined;
		spte |= ((u64)(i % 3) << SPTE_TDP_AD_SHIFT);
		x86_spte_decode(spte, &f);
		assert_int_equal(x86_spte_encode(&f), spte);
		x86_spte_decode(x86_spte_encode(&f), &g);
		assert_memory_equal(&f, &g, sizeof(f));
	}
}

static u64 leaf(bool hw, bool mw, bool w)
{
	struct x86_spte_fields f = {
		.r = true, .x = true, .w = w, .memtype = 6, .ipat = true,
		.accessed = true, .mmu_present = true, .host_writable = hw,
		.mmu_writable = mw, .suppress_ve = true, .pfn = 0x1234,
	};

	return x86_spte_encode(&f);
}

/* The spte.h table of legal (Host-W, MMU-W, W) states, and the rest. */
static void test_writable_states(void **state)
{
	int hw, mw, w;

	(void)state;
	for (hw = 0; hw < 2; hw++)
		for (mw = 0; mw < 2; mw++)
			for (w = 0; w < 2; w++) {
				bool legal = (hw && mw && w) ||
					     (hw && mw && !w) ||
					     (hw && !mw && !w) ||
					     (!hw && !mw && !w);
				u64 spte = leaf(hw, mw, w);
				const char *e = spte_writable_state_error(spte);

				assert_int_equal(!e, legal);
			}
}

static void test_predicates(void **state)
{
	u64 s = leaf(true, true, true) | SPTE_EPT_DIRTY;

	(void)state;
	assert_true(is_shadow_present_pte(s));
	assert_false(is_shadow_present_pte(SHADOW_NONPRESENT_VALUE));
	assert_false(is_shadow_present_pte(FROZEN_SPTE));
	assert_true(is_frozen_spte(FROZEN_SPTE));
	assert_true(is_writable_pte(s));
	assert_true(is_mmu_writable_spte(s));
	assert_true(is_host_writable_spte(s));
	assert_true(is_accessed_spte(s));
	assert_true(is_dirty_spte(s));
	assert_true(is_executable_pte(s));
	assert_false(is_refcounted_page_spte(s));
	assert_true(is_refcounted_page_spte(s | SPTE_MMU_PAGE_REFCOUNTED));
	assert_int_equal(spte_to_pfn(s), 0x1234);
	/* a 4K PTE is always last; above, only with the page-size bit */
	assert_true(is_last_spte(s, PG_LEVEL_4K));
	assert_false(is_last_spte(s, PG_LEVEL_2M));
	assert_true(is_last_spte(s | SPTE_PAGE_SIZE, PG_LEVEL_1G));
	assert_true(is_large_pte(s | SPTE_PAGE_SIZE));
}

static void test_index_and_levels(void **state)
{
	gfn_t gfn = (3ULL << 36) | (5ULL << 27) | (7ULL << 18) | (9ULL << 9) |
		    11;

	(void)state;
	assert_int_equal(spte_index(gfn, 1), 11);
	assert_int_equal(spte_index(gfn, 2), 9);
	assert_int_equal(spte_index(gfn, 3), 7);
	assert_int_equal(spte_index(gfn, 4), 5);
	assert_int_equal(spte_index(gfn, 5), 3);
	assert_int_equal(pages_per_level(1), 1);
	assert_int_equal(pages_per_level(2), 512);
	assert_int_equal(pages_per_level(3), 512 * 512);
}

static void test_nonleaf_and_split(void **state)
{
	u64 nl = make_nonleaf_spte(42), huge, piece;
	struct x86_spte_fields f;
	unsigned int i;

	(void)state;
	x86_spte_decode(nl, &f);
	assert_true(f.mmu_present && f.r && f.w && f.x && f.accessed &&
		    f.suppress_ve);
	assert_false(f.page_size || f.dirty || f.host_writable ||
		     f.mmu_writable);
	assert_int_equal(f.pfn, 42);
	assert_false(is_last_spte(nl, PG_LEVEL_2M));

	/* a 1G leaf splits into 2M leaves, a 2M leaf into 4K PTEs */
	huge = leaf(true, true, false) | SPTE_PAGE_SIZE | SPTE_EPT_DIRTY |
	       SPTE_MMU_PAGE_REFCOUNTED;
	huge = (huge & ~SPTE_PFN_MASK) | (0x40000ULL << SPTE_PFN_SHIFT);
	for (i = 0; i < SPTE_ENT_PER_PAGE; i += 73) {
		piece = make_huge_page_split_spte(huge, PG_LEVEL_2M, i);
		assert_int_equal(spte_to_pfn(piece), 0x40000 + i * 512);
		assert_int_equal(piece & ~SPTE_PFN_MASK, huge & ~SPTE_PFN_MASK);
		piece = make_huge_page_split_spte(huge, PG_LEVEL_4K, i);
		assert_int_equal(spte_to_pfn(piece), 0x40000 + i);
		assert_false(is_large_pte(piece));
		assert_int_equal(piece & ~(SPTE_PFN_MASK | SPTE_PAGE_SIZE),
				 huge & ~(SPTE_PFN_MASK | SPTE_PAGE_SIZE));
	}
}

static void test_describe(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(x86_spte_describe(FROZEN_SPTE, buf, sizeof(buf)),
			    "frozen");
	x86_spte_describe(leaf(true, true, true) | SPTE_EPT_DIRTY, buf,
			  sizeof(buf));
	assert_string_equal(buf, "pfn 0x1234 rwx mt6 ipat A D hw1 mw1");
}

/* The reserved bits of each paging mode, as spte.h tabulates them. */
static void test_reserved_bits(void **state)
{
	u64 pa = SPTE_RSVD_BITS(51, 46);

	(void)state;
	assert_int_equal(SPTE_RSVD_BITS(51, 46), 0x000fc00000000000ULL);
	assert_int_equal(SPTE_RSVD_BITS(62, 52), 0x7ff0000000000000ULL);
	assert_int_equal(SPTE_RSVD_BITS(0, 0), 1);

	/* EPT: address bits, and memtype/IPAT/PS where they do not belong */
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_TDP, false, 4, false),
			 pa | 0xf8);
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_TDP, false, 5, false),
			 pa | 0xf8);
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_TDP, false, 3, false),
			 pa | 0x78);
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_TDP, false, 2, false),
			 pa | 0x78);
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_TDP, false, 3, true),
			 pa | SPTE_RSVD_BITS(29, 12));
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_TDP, false, 2, true),
			 pa | SPTE_RSVD_BITS(20, 12));
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_TDP, false, 1, true),
			 pa);
	/* bits 62:52 are free for software in EPT: bit 59 among them */
	assert_false(x86_spte_rsvd_bits(X86_PAGING_TDP, false, 1, true) &
		     SPTE_RSVD_BITS(62, 52));

	/* 4-level shadow: G/PS in a PML4E, PAT-less huge addresses */
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_SHADOW64, false, 4,
					    false), pa | 0x180);
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_SHADOW64, false, 3,
					    false), pa);
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_SHADOW64, false, 3,
					    true), pa | SPTE_RSVD_BITS(29, 13));
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_SHADOW64, false, 2,
					    true), pa | SPTE_RSVD_BITS(20, 13));
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_SHADOW64, false, 1,
					    true), pa);
	/* with CR4.PKE a leaf's 62:59 is its key; tables have no key */
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_SHADOW64, true, 1,
					    true), pa | SPTE_PKEY_MASK);
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_SHADOW64, true, 2,
					    false), pa);
	/* NX is legal: KVM forces EFER.NX with shadow paging */
	assert_false(x86_spte_rsvd_bits(X86_PAGING_SHADOW64, true, 1, true) &
		     PT64_NX_MASK);

	/* PAE: 62:46 everywhere; a PDPTE also 63, 8:5, 2:1 */
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_PAE, false, 1, true),
			 SPTE_RSVD_BITS(62, 46));
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_PAE, false, 2, false),
			 SPTE_RSVD_BITS(62, 46));
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_PAE, false, 2, true),
			 SPTE_RSVD_BITS(62, 46) | SPTE_RSVD_BITS(20, 13));
	assert_int_equal(x86_spte_rsvd_bits(X86_PAGING_PAE, false, 3, false),
			 SPTE_RSVD_BITS(63, 46) | 0x1e0 | 0x6);
	assert_true(x86_spte_rsvd_bits(X86_PAGING_PAE, false, 1, true) &
		    SPTE_MMU_PAGE_REFCOUNTED);
	assert_int_equal(x86_spte_rsvd_bits(X86_NR_PAGING, false, 1, true),
			 ~0ULL);
}

/* What each mode's SPTEs look like, and that they use no reserved bit. */
static void test_mode_formats(void **state)
{
	static const enum x86_paging modes[] = {
		X86_PAGING_TDP, X86_PAGING_SHADOW64, X86_PAGING_PAE,
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		u64 nonleaf, root;

		x86_spte_set_paging(modes[i]);
		nonleaf = make_nonleaf_spte(7);
		root = modes[i] == X86_PAGING_PAE ? make_pae_root_spte(7) :
		       nonleaf;
		assert_true(is_shadow_present_pte(nonleaf));
		assert_int_equal(spte_to_pfn(nonleaf), 7);
		assert_int_equal(spte_to_pfn(root), 7);
		assert_false(nonleaf & x86_spte_rsvd_bits(modes[i], true, 2,
							  false));
		assert_false(root & x86_spte_rsvd_bits(modes[i], true,
						       modes[i] ==
						       X86_PAGING_PAE ? 3 : 4,
						       false));
	}
	/* shadow paging: the legacy bits, Host/MMU-writable at 9 and 10 */
	x86_spte_set_paging(X86_PAGING_SHADOW64);
	assert_false(tdp_enabled);
	assert_true(is_accessed_spte(PT_ACCESSED_MASK));
	assert_false(is_accessed_spte(SPTE_EPT_ACCESSED));
	assert_true(is_dirty_spte(PT_DIRTY_MASK));
	assert_true(is_host_writable_spte(BIT_ULL(9)));
	assert_true(is_mmu_writable_spte(BIT_ULL(10)));
	assert_false(is_host_writable_spte(EPT_SPTE_HOST_WRITABLE));
	assert_true(is_executable_pte(PT_PRESENT_MASK));
	assert_false(is_executable_pte(PT_PRESENT_MASK | PT64_NX_MASK));
	assert_int_equal(make_pae_root_spte(1),
			 SPTE_MMU_PRESENT | PT_PRESENT_MASK | BIT_ULL(12));
	/* the A bit of a PAE directory entry is fine, of a PDPTE not */
	assert_false(make_nonleaf_spte(1) &
		     x86_spte_rsvd_bits(X86_PAGING_PAE, false, 2, false));
	assert_true(make_nonleaf_spte(1) &
		    x86_spte_rsvd_bits(X86_PAGING_PAE, false, 3, false));
	x86_spte_set_paging(X86_PAGING_TDP);
	assert_true(tdp_enabled);
	assert_true(is_accessed_spte(SPTE_EPT_ACCESSED));
	assert_false(is_accessed_spte(PT_ACCESSED_MASK));
}

/* The refcounted bit exists only for TDP, and its absence means "all". */
static void test_refcount_bit(void **state)
{
	(void)state;
	assert_int_equal(IS_ENABLED(CONFIG_X86_64), 1);
	assert_int_equal(IS_ENABLED(CONFIG_KVMPFN_NO_SUCH_OPTION), 0);

	x86_spte_set_paging(X86_PAGING_TDP);
	assert_true(spte_has_refcount_bit());
	assert_true(is_refcounted_page_spte(SPTE_MMU_PAGE_REFCOUNTED));
	assert_false(is_refcounted_page_spte(SPTE_MMU_PRESENT));

	x86_spte_set_paging(X86_PAGING_SHADOW64);
	assert_false(spte_has_refcount_bit());
	assert_true(is_refcounted_page_spte(SPTE_MMU_PRESENT));
	assert_true(is_refcounted_page_spte(0));

	x86_spte_set_paging(X86_PAGING_PAE);
	assert_false(spte_has_refcount_bit());
	assert_true(is_refcounted_page_spte(SPTE_MMU_PRESENT));
	x86_spte_set_paging(X86_PAGING_TDP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_field_on_its_bit),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_writable_states),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_index_and_levels),
		cmocka_unit_test(test_nonleaf_and_split),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_reserved_bits),
		cmocka_unit_test(test_mode_formats),
		cmocka_unit_test(test_refcount_bit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
