/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the arm64 CMocka tests. */
#ifndef KVMPFN_ARM64_TEST_HELPERS_H
#define KVMPFN_ARM64_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <kvmpfn/kvmpfn.h>

#include "arm64_s2_test.h"

#define T_K4	0x1000ULL
#define T_M2	0x200000ULL

#define for_each_stage(st) \
	for ((st) = KVMPFN_LEGACY; (st) < KVMPFN_NR_STAGES; \
	     (st) = (enum kvmpfn_stage)((st) + 1))

static inline struct kvmpfn_sim *arm64_sim(enum kvmpfn_stage st)
{
	struct kvmpfn_sim *sim = kvmpfn_sim_create_arch(st, KVMPFN_ARCH_ARM64);

	assert_non_null(sim);
	kvmpfn_sim_set_location(sim, kvmpfn_stage_name(st), 0);
	return sim;
}

static inline int t_map(struct kvmpfn_sim *sim, enum kvmpfn_map_kind kind,
			const char *obj, uint64_t hva, uint64_t len,
			unsigned int prot, bool thp, bool huge)
{
	struct kvmpfn_mmap_args a = {
		.hva = hva, .len = len, .prot = prot, .kind = kind,
		.object = obj, .shared = kind != KVMPFN_MAP_ANON, .thp = thp,
		.huge = huge,
	};

	return kvmpfn_host_mmap(sim, &a);
}

static inline int t_anon(struct kvmpfn_sim *sim, uint64_t hva, uint64_t len,
			 bool thp)
{
	return t_map(sim, KVMPFN_MAP_ANON, NULL, hva, len,
		     KVMPFN_PROT_READ | KVMPFN_PROT_WRITE, thp, false);
}

static inline int t_slot(struct kvmpfn_sim *sim, enum kvmpfn_slot_op op,
			 int id, uint64_t gfn, uint64_t npages, uint64_t hva,
			 unsigned int flags)
{
	struct kvmpfn_memslot_args a = {
		.as_id = 0, .id = id, .gfn = gfn, .npages = npages,
		.hva = hva, .flags = flags,
	};

	return kvmpfn_memslot(sim, op, &a);
}

static inline int t_slot_create(struct kvmpfn_sim *sim, int id, uint64_t gfn,
				uint64_t npages, uint64_t hva,
				unsigned int flags)
{
	return t_slot(sim, KVMPFN_SLOT_CREATE, id, gfn, npages, hva, flags);
}

static inline int t_flags(struct kvmpfn_sim *sim, int id, unsigned int flags)
{
	return t_slot(sim, KVMPFN_SLOT_FLAGS, id, 0, 0, 0, flags);
}

/* Violation ids since @seen as a bit mask; updates @seen. */
static inline unsigned long t_found(struct kvmpfn_sim *sim, unsigned int *seen)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(sim, &v), i;
	unsigned long mask = 0;

	for (i = *seen; i < n; i++)
		mask |= 1UL << v[i].id;
	*seen = n;
	return mask;
}

static inline void t_no_violations(struct kvmpfn_sim *sim)
{
	const struct kvmpfn_violation *v;
	unsigned int n = kvmpfn_violations(sim, &v);

	if (n)
		kvmpfn_report(sim, &v[0], stderr);
	assert_int_equal(n, 0);
}

static inline struct kvmpfn_leaf t_leaf(struct kvmpfn_sim *sim, uint64_t gfn)
{
	struct kvmpfn_leaf l;

	memset(&l, 0, sizeof(l));
	assert_int_equal(kvmpfn_leaf(sim, 0, gfn, &l), 0);
	return l;
}

static inline bool t_mapped(struct kvmpfn_sim *sim, uint64_t gfn)
{
	struct kvmpfn_leaf l;

	return !kvmpfn_leaf(sim, 0, gfn, &l);
}

static inline struct kvmpfn_page_state t_page(struct kvmpfn_sim *sim,
					      uint64_t pfn)
{
	struct kvmpfn_page_state st;

	memset(&st, 0, sizeof(st));
	assert_int_equal(kvmpfn_page_state(sim, pfn, &st), 0);
	return st;
}

static inline uint64_t t_pfn(struct kvmpfn_sim *sim, const char *name,
			     unsigned long idx)
{
	uint64_t pfn = 0;

	assert_int_equal(kvmpfn_host_pfn(sim, name, idx, &pfn), 0);
	return pfn;
}

static inline uint64_t t_host_pfn(struct kvmpfn_sim *sim, uint64_t hva)
{
	uint64_t pfn = 0;

	assert_int_equal(kvmpfn_host_translate(sim, hva, &pfn, NULL), 0);
	return pfn;
}

/* Whether the last operation balanced KVM's gets and puts. */
static inline void t_refs_balanced(struct kvmpfn_sim *sim)
{
	unsigned int gets, puts;

	kvmpfn_step_refs(sim, &gets, &puts);
	assert_int_equal(gets, puts);
}

#endif
