// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzz decoder (decode.h): header bits, the 2M block configuration,
 * the op arguments that name its pages, notifier rounds, and
 * kvmpfn_encode_config() as decode's inverse for the header.
 */
#include "unit_helpers.h"

#include <kvmpfn/decode.h>

struct lines {
	char text[64][128];
	unsigned int n;
};

static int collect(void *ctx, const char *line, size_t len)
{
	struct lines *l = ctx;

	if (l->n < 64)
		snprintf(l->text[l->n++], sizeof(l->text[0]), "%.*s",
			 (int)len, line);
	return 0;
}

static struct lines *decode(const uint8_t *in, size_t size,
			    struct kvmpfn_decoded *hdr)
{
	static struct lines l;

	memset(&l, 0, sizeof(l));
	assert_int_equal(kvmpfn_decode(in, size, 1U << KVMPFN_ARCH_REF, hdr,
				       collect, &l), 0);
	return &l;
}

static bool has(const struct lines *l, const char *text)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->text[i], text))
			return true;
	return false;
}

/* the last line decoded */
static const char *last(const struct lines *l)
{
	return l->n ? l->text[l->n - 1] : "";
}

static void test_small_config(void **state)
{
	/* stage 3, no block: a fault whose argument has bit 6 set */
	const uint8_t in[] = { 3, 0, 0, 0x45 };
	struct kvmpfn_decoded hdr;
	struct lines *l = decode(in, sizeof(in), &hdr);

	(void)state;
	assert_int_equal(hdr.stage, KVMPFN_V7_3);
	assert_int_equal(l->n, kvmpfn_small_config_lines + 1);
	/* without the block, bit 6 picks slot 2 over the THP: page 5 */
	assert_string_equal(last(l), "fault gfn=0x405 vcpu=0");
	assert_false(has(l, "alloc blk order=9"));
}

static void test_block_config(void **state)
{
	static const char *const allocs[] = {
		"alloc blk order=9",
		"alloc blk order=9 compound reserved",
		"alloc blk order=9 compound",
		"alloc blk order=9 nostruct",
	};
	unsigned int kind;

	(void)state;
	for (kind = 0; kind < 4; kind++) {
		const uint8_t in[] = {
			0, (uint8_t)(KVMPFN_DECODE_BLOCK | kind << 3),
			0, 0x55,	/* fault, write, block page 5 */
			3, 0x40,	/* touch the block's head */
		};
		struct kvmpfn_decoded hdr;
		struct lines *l = decode(in, sizeof(in), &hdr);

		assert_true(has(l, allocs[kind]));
		assert_true(has(l, "memslot create id=2 gfn=0x40000 npages=512 hva=0x40000000"));
		assert_string_equal(l->text[l->n - 2],
				    "fault gfn=0x4016d write vcpu=0");
		assert_string_equal(last(l), "touch hva=0x40000000");
	}
}

static void test_x86_paging(void **state)
{
	static const char *const lines[] = {
		NULL,
		"x86 paging=shadow64",
		"x86 paging=pae",
		"x86 paging=shadow64 pke",
	};
	unsigned int mode;

	(void)state;
	for (mode = 0; mode < 4; mode++) {
		const uint8_t in[] = {
			5, (uint8_t)(mode << 5 | KVMPFN_DECODE_BLOCK), 24,
		};
		struct kvmpfn_decoded hdr;
		struct lines *l = decode(in, sizeof(in), &hdr);

		/* first, before anything is mapped; TDP needs no line */
		if (lines[mode])
			assert_string_equal(l->text[0], lines[mode]);
		else
			assert_string_equal(l->text[0], kvmpfn_small_config[0]);
		assert_int_equal(l->n, kvmpfn_small_config_lines + 3 + 1 +
				 (lines[mode] != NULL));
		assert_true(has(l, "alloc blk order=9"));
		assert_string_equal(last(l), "wait");
	}
}

static void test_whole_scenario_has_no_config(void **state)
{
	/* the block and paging bits are ignored for a whole scenario */
	const uint8_t in[] = { KVMPFN_DECODE_WHOLE, KVMPFN_DECODE_BLOCK | 0x40,
			       24 };
	struct kvmpfn_decoded hdr;
	struct lines *l = decode(in, sizeof(in), &hdr);

	(void)state;
	assert_int_equal(l->n, 1);
	assert_string_equal(last(l), "wait");
}

static void test_notifier_round(void **state)
{
	/* invalidate_begin on slot 1 page 2, 8K; with and without bit 4 */
	const uint8_t round[] = { 0, 0, 9, 0x0a, 0x11 };
	const uint8_t open[] = { 0, 0, 9, 0x0a, 0x01 };
	const uint8_t migrating[] = { 0, 0, 9, 0x0a, 0x19 };
	struct kvmpfn_decoded hdr;
	struct lines *l = decode(round, sizeof(round), &hdr);

	(void)state;
	assert_string_equal(l->text[l->n - 2],
			    "invalidate_begin hva=0x4fffe000 size=8K");
	assert_string_equal(last(l), "invalidate_end");
	l = decode(open, sizeof(open), &hdr);
	assert_string_equal(last(l), "invalidate_begin hva=0x4fffe000 size=8K");
	/* a migrating invalidation stays open whatever bit 4 says */
	l = decode(migrating, sizeof(migrating), &hdr);
	assert_string_equal(last(l),
			    "invalidate_begin hva=0x4fffe000 size=8K migrate");
}

static void test_encode_config(void **state)
{
	const char text[] = "# nothing but a comment\nwait\n";
	struct kvmpfn_decoded hdr;
	uint8_t out[64];
	struct lines *l;
	size_t n;

	(void)state;
	n = kvmpfn_encode_config(text, sizeof(text) - 1, KVMPFN_V7_5,
				 KVMPFN_ARCH_REF, KVMPFN_DECODE_BLOCK_RESERVED,
				 out, sizeof(out));
	assert_int_equal(n, 2 + 2 + 4);
	l = decode(out, n, &hdr);
	assert_int_equal(hdr.stage, KVMPFN_V7_5);
	assert_int_equal(hdr.arch, KVMPFN_ARCH_REF);
	assert_true(has(l, "alloc blk order=9 compound reserved"));
	assert_string_equal(last(l), "wait");
	/* the plain encoder: a whole scenario */
	n = kvmpfn_encode(text, sizeof(text) - 1, KVMPFN_V7_5, KVMPFN_ARCH_REF,
			  out, sizeof(out));
	assert_int_equal(out[0], KVMPFN_DECODE_WHOLE | KVMPFN_V7_5);
	l = decode(out, n, &hdr);
	assert_int_equal(l->n, 1);
	/* no such configuration */
	assert_int_equal(kvmpfn_encode_config(text, sizeof(text) - 1,
					      KVMPFN_V7_5, KVMPFN_ARCH_REF,
					      KVMPFN_DECODE_BLOCK_NOSTRUCT + 1,
					      out, sizeof(out)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_config),
		cmocka_unit_test(test_block_config),
		cmocka_unit_test(test_x86_paging),
		cmocka_unit_test(test_whole_scenario_has_no_config),
		cmocka_unit_test(test_notifier_round),
		cmocka_unit_test(test_encode_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
