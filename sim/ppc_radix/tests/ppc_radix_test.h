/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only: the switches that break the ppc radix model on purpose, so a
 * test can prove that the check watching for the breakage fires.  Nothing
 * outside sim/ppc_radix/tests includes this header.
 */
#ifndef KVMPFN_PPC_RADIX_TEST_H
#define KVMPFN_PPC_RADIX_TEST_H

#include "radix_mmu.h"

void ppc_radix_test_set_seam(enum ppc_radix_seam seam, bool on);

#endif
