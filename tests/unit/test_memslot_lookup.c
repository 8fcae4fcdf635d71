// SPDX-License-Identifier: GPL-2.0
/*
 * The memslot lookup (gfn_to_memslot()) across the blocks of its two
 * levels.  White-box: it includes the model's internal header.
 */
#include "unit_helpers.h"

#include <linux/kvm_host.h>
#include "kvm/kvm_model.h"

#define HVA 0x10000000UL

/*
 * Slots created in a scattered order, with gaps between them, then every
 * third one deleted: every gfn finds its slot or none.
 */
static void test_lookup_many_slots(void **state)
{
	struct kvmpfn_sim *sim = *state;
	enum { N = 200 };
	int pass, k;
	uint64_t g;

	for (k = 0; k < N; k++)
		assert_int_equal(slot_create(sim, (k * 37) % N,
					     4 * (uint64_t)((k * 37) % N) + 1,
					     2, HVA, 0), 0);
	for (pass = 0; pass < 2; pass++) {
		for (g = 0; g < 4 * N + 4; g++) {
			struct kvm_memory_slot *s = gfn_to_memslot(&sim->kvm, g);
			int id = (int)(g / 4);
			bool in = id < N && (g % 4 == 1 || g % 4 == 2) &&
				  !(pass && id % 3 == 0);

			if (!in) {
				assert_null(s);
				continue;
			}
			assert_non_null(s);
			assert_int_equal(s->id, id);
		}
		for (k = 0; k < N && !pass; k += 3)
			assert_int_equal(slot_op(sim, KVMPFN_SLOT_DELETE, k, 0,
						 0, 0, 0), 0);
	}
	assert_int_equal(nviol(sim), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_many_slots,
						sim_setup, sim_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
