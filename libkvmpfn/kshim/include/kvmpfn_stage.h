/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The points of the "KVM: allow mapping non-refcounted pages" (v7) series
 * that the core can be built at, and the design Linux 6.13 merged.  A
 * stage unit is compiled once per value of KVMPFN_STAGE; kernel-port
 * resolves the same #if blocks with unifdef.
 * Force-included into stage units only; the kernel never sees this file.
 */
#ifndef KVMPFN_STAGE_H
#define KVMPFN_STAGE_H

#define KVMPFN_STAGE_LEGACY	0	/* Linux 6.12.y */
#define KVMPFN_STAGE_V7_1	1	/* assert refcount on A/D */
#define KVMPFN_STAGE_V7_2	2	/* __kvm_follow_pfn introduced */
#define KVMPFN_STAGE_V7_3	3	/* FOLL_GET no longer implied */
#define KVMPFN_STAGE_V7_4	4	/* x86 migrated */
#define KVMPFN_STAGE_V7_5	5	/* x86 drops FOLL_GET */
#define KVMPFN_STAGE_V7_6	6	/* arm64 migrated */
#define KVMPFN_STAGE_V7_7	7	/* ppc migrated */
#define KVMPFN_STAGE_V7_8	8	/* __gfn_to_pfn_memslot removed */
/*
 * Not a v7 patch: what Linux 6.13 merged instead.  Code that differs
 * between the series and 6.13 tests KVMPFN_STAGE == KVMPFN_STAGE_FINAL;
 * a test ">= KVMPFN_STAGE_V7_n" is true here only where 6.13 agrees.
 */
#define KVMPFN_STAGE_FINAL	9

#ifndef KVMPFN_STAGE
#error "stage units are compiled with -DKVMPFN_STAGE=<n>"
#endif

#define KVMPFN_PASTE2(a, b)	a##b
#define KVMPFN_PASTE(a, b)	KVMPFN_PASTE2(a, b)
#define KVMPFN_STAGE_SYM(sym)	KVMPFN_PASTE(KVMPFN_STAGE_PREFIX, sym)

#include "kvmpfn_stage_symbols.h"
#include <linux/kconfig.h>

/*
 * The bug-zoo seam: mutant blocks in the core are #ifdef KVMPFN_MUTANTS,
 * which only the userspace build defines and unifdef removes.
 */
#define KVMPFN_MUTANTS 1
#include "kvmpfn_mutants.h"

#endif
