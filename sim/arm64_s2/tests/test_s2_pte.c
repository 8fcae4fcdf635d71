// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 stage-2 descriptors: the encoders put every field where the
 * architecture has it, the decoders read back what was encoded, and the
 * attribute conversions follow stage2_set_prot_attr().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "s2_pgtable.h"
#include "s2_pte.h"

static void test_levels(void **state)
{
	(void)state;
	assert_int_equal(s2_granule_shift(3), 12);
	assert_int_equal(s2_granule_shift(2), 21);
	assert_int_equal(s2_granule_shift(1), 30);
	assert_int_equal(s2_granule_shift(0), 39);
	assert_int_equal(s2_granule_shift(-1), 48);
	assert_true(s2_granule_size(2) == 2ULL << 20);
	assert_true(s2_granule_size(1) == 1ULL << 30);
	assert_int_equal(s2_index(0x40201000ULL, 3), 1);
	assert_int_equal(s2_index(0x40201000ULL, 2), 1);
	assert_int_equal(s2_index(0x40201000ULL, 1), 1);
	assert_int_equal(s2_index(0x8000000000ULL, 0), 1);
	assert_false(s2_level_supports_block(0));
	assert_true(s2_level_supports_block(1));
	assert_true(s2_level_supports_block(2));
	assert_int_equal(s2_view_level(3), 1);
	assert_int_equal(s2_view_level(2), 2);
	assert_int_equal(s2_view_level(1), 3);
}

/* VTCR_EL2 geometry: levels and concatenated start tables per IPA size. */
static void test_ipa_geometry(void **state)
{
	static const struct { u32 bits; int start; u32 roots; } g[] = {
		{ 32, 2, 4 }, { 36, 1, 1 }, { 39, 1, 1 }, { 40, 1, 2 },
		{ 42, 1, 8 }, { 43, 1, 16 }, { 44, 0, 1 }, { 48, 0, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		assert_int_equal(s2_start_level(g[i].bits), g[i].start);
		assert_int_equal(s2_nr_roots(g[i].bits), g[i].roots);
	}
}

static void test_page_descriptor_bits(void **state)
{
	kvm_pte_t attr, pte;

	(void)state;
	assert_int_equal(s2_prot_to_attr(S2_PROT_R | S2_PROT_W, true, &attr), 0);
	pte = s2_make_leaf_pte(0x123456000ULL, attr, 3);
	assert_true(pte & (1ULL << 0));			/* valid */
	assert_true(pte & (1ULL << 1));			/* page */
	assert_int_equal((pte >> 2) & 0xf, S2_MT_FWB_NORMAL);	/* MemAttr */
	assert_true(pte & (1ULL << 6));			/* S2AP_R */
	assert_true(pte & (1ULL << 7));			/* S2AP_W */
	assert_int_equal((pte >> 8) & 3, 3);		/* inner shareable */
	assert_true(pte & (1ULL << 10));		/* AF */
	assert_true(pte & (1ULL << 54));		/* XN */
	assert_int_equal((pte >> 55) & 0xf, 0);		/* SW */
	assert_true((pte & 0x0000fffffffff000ULL) == 0x123456000ULL);
	assert_true(pte == (0x123456000ULL | (1ULL << 54) | 0x400 | 0x300 |
			    0x80 | 0x40 | (6 << 2) | 0x3));

	assert_true(s2_pte_valid(pte));
	assert_true(s2_pte_is_leaf(pte, 3));
	assert_false(s2_pte_is_table(pte, 3));
	assert_true(s2_pte_writable(pte));
	assert_true(s2_pte_readable(pte));
	assert_true(s2_pte_young(pte));
	assert_false(s2_pte_executable(pte));
	assert_true(s2_pte_to_pfn(pte) == 0x123456);
	assert_int_equal(s2_pte_memattr(pte), S2_MT_FWB_NORMAL);
	assert_true(s2_pte_is_counted(pte));
}

static void test_block_and_table_descriptors(void **state)
{
	kvm_pte_t attr, block, table;

	(void)state;
	assert_int_equal(s2_prot_to_attr(S2_PROT_R, true, &attr), 0);
	block = s2_make_leaf_pte(0x40000000ULL, attr, 1);
	assert_int_equal(block & 3, 1);			/* valid block */
	assert_true(s2_pte_is_leaf(block, 1));
	assert_true(s2_pte_is_leaf(block, 2));
	assert_false(s2_pte_is_table(block, 1));
	/* bit 1 clear at level 3 is a reserved encoding, not a page */
	assert_false(s2_pte_is_leaf(block, 3));
	/* level 0 has no blocks with a 4K granule */
	assert_false(s2_pte_is_leaf(block, 0));
	assert_false(s2_pte_writable(block));

	table = s2_make_table_pte(0x5000);
	assert_true(table == (0x5000 | 3));
	assert_true(s2_pte_is_table(table, 0));
	assert_true(s2_pte_is_table(table, 2));
	assert_false(s2_pte_is_table(table, 3));	/* a page there */
	assert_false(s2_pte_is_leaf(table, 2));
	assert_true(s2_pte_to_phys(table) == 0x5000);
	/* bits above 47 and below 12 never reach the address field */
	assert_true(s2_phys_to_pte(0xffff000000000fffULL) == 0);
}

static void test_invalid_descriptors(void **state)
{
	kvm_pte_t owner = s2_make_owner_pte(1);

	(void)state;
	assert_true(owner == 1 << 2);
	assert_false(s2_pte_valid(owner));
	assert_int_equal(s2_pte_owner(owner), 1);
	assert_true(s2_pte_is_counted(owner));		/* non-zero */
	assert_false(s2_pte_is_locked(owner));

	assert_true(s2_pte_is_locked(S2_INVALID_LOCKED));
	/* a locked entry holds no reference on its table page */
	assert_false(s2_pte_is_counted(S2_INVALID_LOCKED));
	/* bit 10 is AF in a valid entry, not LOCKED */
	assert_false(s2_pte_is_locked(S2_INVALID_LOCKED | S2_PTE_VALID));
	assert_false(s2_pte_is_counted(0));
}

static void test_prot_to_attr(void **state)
{
	kvm_pte_t a;

	(void)state;
	/* executable normal memory: XN clear */
	assert_int_equal(s2_prot_to_attr(S2_PROT_R | S2_PROT_X, true, &a), 0);
	assert_false(a & S2_ATTR_XN);
	assert_false(a & S2_ATTR_S2AP_W);

	/* device memory: Device-nGnRE, never executable */
	assert_int_equal(s2_prot_to_attr(S2_PROT_R | S2_PROT_W | S2_PROT_DEVICE,
					 true, &a), 0);
	assert_int_equal((a & S2_ATTR_MEMATTR) >> 2, S2_MT_FWB_DEVICE_nGnRE);
	assert_true(a & S2_ATTR_XN);
	assert_int_equal(s2_prot_to_attr(S2_PROT_R | S2_PROT_X | S2_PROT_DEVICE,
					 true, &a), -22);
	assert_int_equal(s2_prot_to_attr(S2_PROT_R | S2_PROT_X |
					 S2_PROT_NORMAL_NC, true, &a), -22);
	assert_int_equal(s2_prot_to_attr(S2_PROT_R | S2_PROT_DEVICE |
					 S2_PROT_NORMAL_NC, true, &a), -22);

	assert_int_equal(s2_prot_to_attr(S2_PROT_R | S2_PROT_NORMAL_NC, false,
					 &a), 0);
	assert_int_equal((a & S2_ATTR_MEMATTR) >> 2, S2_MT_NORMAL_NC);

	/* without FWB, Normal is 0xf */
	assert_int_equal(s2_prot_to_attr(S2_PROT_R, false, &a), 0);
	assert_int_equal((a & S2_ATTR_MEMATTR) >> 2, S2_MT_NORMAL);

	/* every new leaf is young; software bits pass through */
	assert_int_equal(s2_prot_to_attr(S2_PROT_SW0 | S2_PROT_SW3, true, &a), 0);
	assert_true(a & S2_ATTR_AF);
	assert_true((a & S2_ATTR_SW) == (S2_PROT_SW0 | S2_PROT_SW3));
	assert_false(a & S2_ATTR_S2AP_R);
}

static void test_pte_to_prot_roundtrip(void **state)
{
	static const u64 prots[] = {
		S2_PROT_R, S2_PROT_R | S2_PROT_W, S2_PROT_R | S2_PROT_X,
		S2_PROT_R | S2_PROT_W | S2_PROT_X, S2_PROT_R | S2_PROT_SW0,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
		kvm_pte_t a;

		assert_int_equal(s2_prot_to_attr(prots[i], true, &a), 0);
		assert_true(s2_pte_to_prot(s2_make_leaf_pte(0x1000, a, 3)) ==
			    prots[i]);
	}
	/* the memory type is not part of it */
	{
		kvm_pte_t a;

		s2_prot_to_attr(S2_PROT_R | S2_PROT_DEVICE, true, &a);
		assert_true(s2_pte_to_prot(s2_make_leaf_pte(0, a, 3)) ==
			    S2_PROT_R);
	}
	/* an invalid entry grants nothing */
	assert_true(s2_pte_to_prot(S2_INVALID_LOCKED) == 0);
}

static void test_needs_update(void **state)
{
	kvm_pte_t ro, rw, rx;

	(void)state;
	s2_prot_to_attr(S2_PROT_R, true, &ro);
	s2_prot_to_attr(S2_PROT_R | S2_PROT_W, true, &rw);
	s2_prot_to_attr(S2_PROT_R | S2_PROT_X, true, &rx);
	ro = s2_make_leaf_pte(0x1000, ro, 3);
	rw = s2_make_leaf_pte(0x1000, rw, 3);
	rx = s2_make_leaf_pte(0x1000, rx, 3);
	/* permissions alone: left to the permission fault */
	assert_false(s2_pte_needs_update(ro, rw));
	assert_false(s2_pte_needs_update(ro, rx));
	assert_false(s2_pte_needs_update(rw, rw));
	/* another page, or the access flag: a real update */
	assert_true(s2_pte_needs_update(ro, ro + 0x1000));
	assert_true(s2_pte_needs_update(ro & ~S2_ATTR_AF, ro));
	assert_true(s2_pte_needs_update(0, ro));
	assert_true(s2_pte_needs_update(ro, 0));
}

static void test_format(void **state)
{
	char buf[128];
	kvm_pte_t a;

	(void)state;
	s2_prot_to_attr(S2_PROT_R | S2_PROT_W, true, &a);
	s2_pte_format(s2_make_leaf_pte(0x200000, a, 2), 2, buf, sizeof(buf));
	assert_string_equal(buf, "L2 block pa=0x200000 mt=6 rw- young sh=3 sw=0");
	s2_pte_format(s2_make_table_pte(0x3000), 1, buf, sizeof(buf));
	assert_string_equal(buf, "L1 table pa=0x3000");
	s2_pte_format(S2_INVALID_LOCKED, 3, buf, sizeof(buf));
	assert_string_equal(buf, "L3 locked");
	s2_pte_format(0, 3, buf, sizeof(buf));
	assert_string_equal(buf, "L3 none");
	s2_pte_format(s2_make_owner_pte(1), 3, buf, sizeof(buf));
	assert_string_equal(buf, "L3 invalid owner=1");
	s2_pte_format(0x1001, 3, buf, sizeof(buf));
	assert_string_equal(buf, "L3 reserved 0x1001");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_ipa_geometry),
		cmocka_unit_test(test_page_descriptor_bits),
		cmocka_unit_test(test_block_and_table_descriptors),
		cmocka_unit_test(test_invalid_descriptors),
		cmocka_unit_test(test_prot_to_attr),
		cmocka_unit_test(test_pte_to_prot_roundtrip),
		cmocka_unit_test(test_needs_update),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
