// SPDX-License-Identifier: GPL-2.0
/*
 * Radix PTE helpers that need the host mm model: what the host's Linux
 * PTE for an hva looks like in radix format (see radix_pte.h for the bits).
 */
#include "kvm_model.h"
#include "radix_pte.h"

u64 ppc_pte_from_host(u64 hpte)
{
	u64 flags = PPC_PAGE_READ;

	if (!(hpte & HPTE_PRESENT))
		return 0;
	if (hpte & HPTE_WRITE)
		flags |= PPC_PAGE_WRITE;
	if (hpte & HPTE_DIRTY)
		flags |= PPC_PAGE_DIRTY;
	if (hpte & HPTE_YOUNG)
		flags |= PPC_PAGE_ACCESSED;
	if (hpte & HPTE_SPECIAL)
		flags |= PPC_PAGE_SPECIAL;
	/* a huge host leaf names its first page, as a PMD/PUD leaf does */
	return ppc_mk_pte(hpte_pfn(hpte), flags);
}
