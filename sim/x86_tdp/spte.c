// SPDX-License-Identifier: GPL-2.0
/*
 * x86 MMU model: the SPTE format in use, reserved bits per paging mode,
 * the EPT encoder and decoder and a printable form (stage-neutral).  The
 * layouts are documented in spte.h.
 */
#include <stdio.h>

#include "spte.h"

/* EPT until an x86 simulator says otherwise (kvm_mmu_set_ept_masks()). */
u64 shadow_present_mask = SPTE_EPT_PRESENT_MASK;
u64 shadow_user_mask = SPTE_EPT_R;
u64 shadow_accessed_mask = SPTE_EPT_ACCESSED;
u64 shadow_dirty_mask = SPTE_EPT_DIRTY;
u64 shadow_x_mask = SPTE_EPT_X;
u64 shadow_nx_mask;
u64 shadow_host_writable_mask = EPT_SPTE_HOST_WRITABLE;
u64 shadow_mmu_writable_mask = EPT_SPTE_MMU_WRITABLE;
bool tdp_enabled = true;

/* The format the masks above hold: EPT, as they start. */
static enum x86_paging masks_paging = X86_PAGING_TDP;

/*
 * Every x86 operation calls this for its VM; the masks change only when a
 * VM of another paging mode runs, so the common case is one compare.
 */
void x86_spte_set_paging(enum x86_paging paging)
{
	static u64 *const mask[] = {
		&shadow_present_mask, &shadow_user_mask, &shadow_accessed_mask,
		&shadow_dirty_mask, &shadow_x_mask, &shadow_nx_mask,
		&shadow_host_writable_mask, &shadow_mmu_writable_mask,
	};
	/* [0]: EPT; [1]: the x86 page-table format of shadow paging */
	static const u64 value[2][8] = {
		{ SPTE_EPT_PRESENT_MASK, SPTE_EPT_R, SPTE_EPT_ACCESSED,
		  SPTE_EPT_DIRTY, SPTE_EPT_X, 0, EPT_SPTE_HOST_WRITABLE,
		  EPT_SPTE_MMU_WRITABLE },
		{ PT_PRESENT_MASK, PT_USER_MASK, PT_ACCESSED_MASK,
		  PT_DIRTY_MASK, 0, PT64_NX_MASK, DEFAULT_SPTE_HOST_WRITABLE,
		  DEFAULT_SPTE_MMU_WRITABLE },
	};
	unsigned int i;

	if (paging == masks_paging)
		return;
	masks_paging = paging;
	tdp_enabled = paging == X86_PAGING_TDP;
	for (i = 0; i < sizeof(mask) / sizeof(mask[0]); i++)
		*mask[i] = value[!tdp_enabled][i];
}

u64 x86_spte_rsvd_bits(enum x86_paging paging, bool pke, int level,
		       bool leaf)
{
	u64 rsvd = SPTE_RSVD_BITS(51, X86_HOST_MAXPHYADDR);

	switch (paging) {
	case X86_PAGING_TDP:
		if (!leaf)
			return rsvd | (level >= 4 ? SPTE_RSVD_BITS(7, 3) :
				       level >= PG_LEVEL_2M ?
				       SPTE_RSVD_BITS(6, 3) : 0);
		if (level == PG_LEVEL_1G)
			rsvd |= SPTE_RSVD_BITS(29, 12);
		else if (level == PG_LEVEL_2M)
			rsvd |= SPTE_RSVD_BITS(20, 12);
		return rsvd;
	case X86_PAGING_SHADOW64:
		if (!leaf)
			return rsvd | (level >= 4 ? SPTE_RSVD_BITS(8, 7) : 0);
		if (level == PG_LEVEL_1G)
			rsvd |= SPTE_RSVD_BITS(29, 13);
		else if (level == PG_LEVEL_2M)
			rsvd |= SPTE_RSVD_BITS(20, 13);
		return rsvd | (pke ? SPTE_PKEY_MASK : 0);
	case X86_PAGING_PAE:
		rsvd = SPTE_RSVD_BITS(62, X86_HOST_MAXPHYADDR);
		if (level == 3)
			/* a PDPTE: never a leaf, so bit 7 is reserved too */
			return rsvd | PT64_NX_MASK | SPTE_RSVD_BITS(8, 5) |
			       SPTE_RSVD_BITS(2, 1);
		if (leaf && level == PG_LEVEL_2M)
			rsvd |= SPTE_RSVD_BITS(20, 13);
		return rsvd;
	default:
		return ~0ULL;
	}
}

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
	if (!tdp_enabled) {
		snprintf(buf, len, "pfn 0x%llx %c%c%c%s%s%s hw%d mw%d%s",
			 (unsigned long long)spte_to_pfn(spte),
			 is_readable_spte(spte) ? 'r' : '-',
			 is_writable_pte(spte) ? 'w' : '-',
			 is_executable_pte(spte) ? 'x' : '-',
			 is_large_pte(spte) ? " ps" : "",
			 is_accessed_spte(spte) ? " A" : "",
			 is_dirty_spte(spte) ? " D" : "",
			 is_host_writable_spte(spte),
			 is_mmu_writable_spte(spte),
			 spte & SPTE_MMU_PAGE_REFCOUNTED ? " bit59" : "");
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
