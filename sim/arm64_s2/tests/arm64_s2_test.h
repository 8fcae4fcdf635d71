/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only entry points of the arm64 model: the seams that put known bugs
 * back, and the table geometry.  Only tests include this header.
 */
#ifndef KVMPFN_ARM64_S2_TEST_H
#define KVMPFN_ARM64_S2_TEST_H

#include "arm64_mmu.h"

void arm64_s2_test_set_seams(const struct arm64_s2_seams *s);
/*
 * A fresh table for an IPA space of @ia_bits (39: three levels from level
 * 1; 48: four levels from level 0), with or without eager splitting when
 * dirty logging starts.  -EBUSY once tables are in use.
 */
int arm64_s2_test_configure(struct kvmpfn_sim *sim, u32 ia_bits,
			    bool eager_split);

static inline void arm64_s2_test_reset_seams(void)
{
	struct arm64_s2_seams none = { 0 };

	arm64_s2_test_set_seams(&none);
}

#endif
