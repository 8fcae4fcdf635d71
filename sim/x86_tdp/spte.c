// SPDX-License-Identifier: GPL-2.0
/*
 * x86 TDP MMU model: SPTE encoder, decoder and a printable form
 * (stage-neutral).  The layout is documented in spte.h.
 */
#include <stdio.h>

#include "spte.h"

u64 x86_spte_encode(const struct x86_spte_fields *f)
{
	u64 spte = 0;

	spte |= f->r ? SPTE_EPT_R : 0;
	spte |= f->w ? SPTE_EPT_W : 0;
	spte |= f->x ? SPTE_EPT_X : 0;
	spte |= ((u64)f->memtype << SPTE_EPT_MT_SHIFT) & SPTE_EPT_MT_MASK;
	spte |= f->ipat ? SPTE_EPT_IPAT : 0;
	spte |= f->page_size ? SPTE_PAGE_SIZE : 0;
	spte |= f->accessed ? SPTE_EPT_ACCESSED : 0;
	spte |= f->dirty ? SPTE_EPT_DIRTY : 0;
	spte |= f->mmu_present ? SPTE_MMU_PRESENT : 0;
	spte |= (f->pfn << SPTE_PFN_SHIFT) & SPTE_PFN_MASK;
	spte |= ((u64)f->ad_type << SPTE_TDP_AD_SHIFT) & SPTE_TDP_AD_MASK;
	spte |= f->saved_r ? SPTE_EPT_R << SPTE_ACC_TRACK_SHIFT : 0;
	spte |= f->saved_x ? SPTE_EPT_X << SPTE_ACC_TRACK_SHIFT : 0;
	spte |= f->host_writable ? EPT_SPTE_HOST_WRITABLE : 0;
	spte |= f->mmu_writable ? EPT_SPTE_MMU_WRITABLE : 0;
	spte |= f->refcounted ? SPTE_MMU_PAGE_REFCOUNTED : 0;
	spte |= f->suppress_ve ? SPTE_EPT_SUPPRESS_VE : 0;
	return spte;
}

void x86_spte_decode(u64 spte, struct x86_spte_fields *f)
{
	f->r = spte & SPTE_EPT_R;
	f->w = spte & SPTE_EPT_W;
	f->x = spte & SPTE_EPT_X;
	f->memtype = (spte & SPTE_EPT_MT_MASK) >> SPTE_EPT_MT_SHIFT;
	f->ipat = spte & SPTE_EPT_IPAT;
	f->page_size = spte & SPTE_PAGE_SIZE;
	f->accessed = spte & SPTE_EPT_ACCESSED;
	f->dirty = spte & SPTE_EPT_DIRTY;
	f->mmu_present = spte & SPTE_MMU_PRESENT;
	f->pfn = spte_to_pfn(spte);
	f->ad_type = (spte & SPTE_TDP_AD_MASK) >> SPTE_TDP_AD_SHIFT;
	f->saved_r = spte & (SPTE_EPT_R << SPTE_ACC_TRACK_SHIFT);
	f->saved_x = spte & (SPTE_EPT_X << SPTE_ACC_TRACK_SHIFT);
	f->host_writable = spte & EPT_SPTE_HOST_WRITABLE;
	f->mmu_writable = spte & EPT_SPTE_MMU_WRITABLE;
	f->refcounted = spte & SPTE_MMU_PAGE_REFCOUNTED;
	f->suppress_ve = spte & SPTE_EPT_SUPPRESS_VE;
}

const char *x86_spte_describe(u64 spte, char *buf, size_t len)
{
	struct x86_spte_fields f;

	if (is_frozen_spte(spte)) {
		snprintf(buf, len, "frozen");
		return buf;
	}
	if (!is_shadow_present_pte(spte)) {
		snprintf(buf, len, "non-present 0x%llx",
			 (unsigned long long)spte);
		return buf;
	}
	x86_spte_decode(spte, &f);
	snprintf(buf, len, "pfn 0x%llx %c%c%c mt%u%s%s%s%s hw%d mw%d%s",
		 (unsigned long long)f.pfn, f.r ? 'r' : '-', f.w ? 'w' : '-',
		 f.x ? 'x' : '-', f.memtype, f.ipat ? " ipat" : "",
		 f.page_size ? " ps" : "", f.accessed ? " A" : "",
		 f.dirty ? " D" : "", f.host_writable, f.mmu_writable,
		 f.refcounted ? " refcounted" : "");
	return buf;
}
