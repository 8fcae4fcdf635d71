/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only access to the x86 TDP model: the seams that put one bug each
 * into the model (enum x86_tdp_seam in ../tdp_pt.h).  Only tests include
 * this header; nothing in the library declares the setter.
 */
#ifndef KVMPFN_SIM_X86_TDP_TEST_H
#define KVMPFN_SIM_X86_TDP_TEST_H

#include "../tdp_pt.h"

void x86_tdp_test_set_seam(enum x86_tdp_seam seam, bool on);

#endif
