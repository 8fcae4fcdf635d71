/* SPDX-License-Identifier: GPL-2.0 */
/* Shared helpers of the CMocka unit tests: public API only. */
#ifndef KVMPFN_UNIT_HELPERS_H
#define KVMPFN_UNIT_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <kvmpfn/kvmpfn.h>

#define MB2 (2UL << 20)

/* cmocka state setup/teardown: a fresh simulator at stage legacy */
static inline int sim_setup(void **state)
{
	struct kvmpfn_sim *sim = kvmpfn_sim_create(KVMPFN_LEGACY);

	if (!sim)
		return -1;
	*state = sim;
	return 0;
}

static inline int sim_teardown(void **state)
{
	kvmpfn_sim_destroy(*state);
	*state = NULL;
	return 0;
}

static inline int map_anon(struct kvmpfn_sim *sim, uint64_t hva, uint64_t len,
			   unsigned int prot)
{
	struct kvmpfn_mmap_args a = {
		.hva = hva, .len = len, .prot = prot, .kind = KVMPFN_MAP_ANON,
	};

	return kvmpfn_host_mmap(sim, &a);
}

static inline int map_obj(struct kvmpfn_sim *sim, enum kvmpfn_map_kind kind,
			  const char *obj, uint64_t hva, uint64_t len,
			  unsigned int prot)
{
	struct kvmpfn_mmap_args a = {
		.hva = hva, .len = len, .prot = prot, .kind = kind,
		.object = obj, .shared = true,
	};

	return kvmpfn_host_mmap(sim, &a);
}

static inline int slot_op(struct kvmpfn_sim *sim, enum kvmpfn_slot_op op,
			  int id, uint64_t gfn, uint64_t npages, uint64_t hva,
			  unsigned int flags)
{
	struct kvmpfn_memslot_args a = {
		.as_id = 0, .id = id, .gfn = gfn, .npages = npages,
		.hva = hva, .flags = flags,
	};

	return kvmpfn_memslot(sim, op, &a);
}

static inline int slot_create(struct kvmpfn_sim *sim, int id, uint64_t gfn,
			      uint64_t npages, uint64_t hva,
			      unsigned int flags)
{
	return slot_op(sim, KVMPFN_SLOT_CREATE, id, gfn, npages, hva, flags);
}

static inline unsigned int nviol(struct kvmpfn_sim *sim)
{
	const struct kvmpfn_violation *v;

	return kvmpfn_violations(sim, &v);
}

static inline bool has_violation(struct kvmpfn_sim *sim, int id)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(sim, &v), i;

	for (i = 0; i < n; i++)
		if (v[i].id == id)
			return true;
	return false;
}

static inline struct kvmpfn_page_state page_state(struct kvmpfn_sim *sim,
						  uint64_t pfn)
{
	struct kvmpfn_page_state st;

	memset(&st, 0, sizeof(st));
	assert_int_equal(kvmpfn_page_state(sim, pfn, &st), 0);
	return st;
}

static inline uint64_t alloc_pfn(struct kvmpfn_sim *sim, const char *name,
				 unsigned long idx)
{
	uint64_t pfn = 0;

	assert_int_equal(kvmpfn_host_pfn(sim, name, idx, &pfn), 0);
	return pfn;
}

#endif
