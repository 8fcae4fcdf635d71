/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 TDP MMU model: configuration a user of the library may choose
 * (stage-neutral; these functions live in libkvmpfn).
 *
 *   root level   4-level EPT (48-bit guest physical addresses, the default)
 *                or 5-level EPT (57-bit), as KVM picks from the host's
 *                MAXPHYADDR.  Environment: KVMPFN_X86_ROOT_LEVEL=4|5.
 *   slot zap-all KVM_X86_QUIRK_SLOT_ZAP_ALL, on by default for a default VM
 *                in 6.12: deleting or moving a memslot zaps every SPTE of
 *                every root, not only the slot's.  Off: only the slot's
 *                gfns are zapped.  Environment: KVMPFN_X86_SLOT_ZAP_ALL=0|1.
 *   paging       TDP (EPT on a 64-bit host, the default), shadow64 (shadow
 *                paging of a 64-bit guest: 4-level SPTEs in the x86
 *                page-table format; with pke, CR4.PKE is set while the
 *                guest runs) or PAE (shadow paging of a 32-bit guest:
 *                3-level PAE SPTEs, gfns below 4G, 2M leaves at most).
 *                Shadow paging keeps FOLL_GET at every stage.  Environment:
 *                KVMPFN_X86_PAGING=tdp|shadow64|shadow64-pke|pae.
 *   eager split  kvm.eager_page_split, on by default: enabling dirty logging
 *                splits huge leaves down to 4K at once.  Off: huge leaves
 *                are only write-protected and a write fault splits them.
 *                Environment: KVMPFN_X86_EAGER_SPLIT=0|1.
 *
 * The defaults apply to x86 simulators created afterwards; the per-sim
 * setters only work while the simulator maps nothing.
 */
#ifndef KVMPFN_SIM_X86_TDP_H
#define KVMPFN_SIM_X86_TDP_H

#include <stdbool.h>

struct kvmpfn_sim;

enum x86_paging {
	X86_PAGING_TDP,
	X86_PAGING_SHADOW64,
	X86_PAGING_PAE,
	X86_NR_PAGING
};

/* "tdp", "shadow64", "pae" */
const char *x86_paging_name(enum x86_paging paging);

/* 0, or -EINVAL for a level other than 4 or 5 */
int x86_tdp_set_default_root_level(int levels);
void x86_tdp_set_default_slot_zap_all(bool on);
void x86_tdp_set_default_eager_split(bool on);
/* 0, or -EINVAL for an unknown mode or pke without shadow64 */
int x86_tdp_set_default_paging(enum x86_paging paging, bool pke);

/* -EINVAL: not an x86 simulator or bad level; -EBUSY: something mapped */
int x86_tdp_set_root_level(struct kvmpfn_sim *sim, int levels);
int x86_tdp_root_level(struct kvmpfn_sim *sim);
int x86_tdp_set_slot_zap_all(struct kvmpfn_sim *sim, bool on);
int x86_tdp_set_eager_split(struct kvmpfn_sim *sim, bool on);
/*
 * Also -EINVAL for pke without shadow64.  PAE sets the root level to 3;
 * leaving PAE restores the default root level.
 */
int x86_tdp_set_paging(struct kvmpfn_sim *sim, enum x86_paging paging,
		       bool pke);
/* the mode, or -EINVAL if not x86; *pke if @pke */
int x86_tdp_paging(struct kvmpfn_sim *sim, bool *pke);

/* Page tables (roots included) allocated; -EINVAL if not x86 */
long x86_tdp_nr_tables(struct kvmpfn_sim *sim);

#endif
