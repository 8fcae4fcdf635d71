/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bug-zoo mutant ids (DESIGN section 6).  kvmpfn_mutant() tells whether
 * the running simulator was created with that historical bug put back.
 */
#ifndef KVMPFN_MUTANTS_H
#define KVMPFN_MUTANTS_H

#include <stdbool.h>

enum kvmpfn_mutant_id {
	KVMPFN_B1 = 1, KVMPFN_B2, KVMPFN_B3, KVMPFN_B4, KVMPFN_B5, KVMPFN_B6,
	KVMPFN_B7, KVMPFN_B8, KVMPFN_B9, KVMPFN_B10, KVMPFN_B11, KVMPFN_B12,
	KVMPFN_B13, KVMPFN_B14, KVMPFN_B15, KVMPFN_B16, KVMPFN_B17,
	KVMPFN_B18,
};

bool kvmpfn_mutant(int id);

#endif
