/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every external symbol a stage unit defines, renamed with the stage's
 * prefix so that all stages link into one binary.  A symbol missing here
 * is defined once per stage and the link fails, so the list cannot rot.
 */
#ifndef KVMPFN_STAGE_SYMBOLS_H
#define KVMPFN_STAGE_SYMBOLS_H

/* core/kvm_main.c */
#define kvm_is_zone_device_page		KVMPFN_STAGE_SYM(kvm_is_zone_device_page)
#define kvm_pfn_to_refcounted_page	KVMPFN_STAGE_SYM(kvm_pfn_to_refcounted_page)
#define gfn_to_hva_memslot		KVMPFN_STAGE_SYM(gfn_to_hva_memslot)
#define hva_to_pfn			KVMPFN_STAGE_SYM(hva_to_pfn)
#define __kvm_follow_pfn		KVMPFN_STAGE_SYM(__kvm_follow_pfn)
#define __gfn_to_pfn_memslot		KVMPFN_STAGE_SYM(__gfn_to_pfn_memslot)
#define gfn_to_pfn_prot			KVMPFN_STAGE_SYM(gfn_to_pfn_prot)
#define gfn_to_pfn_memslot		KVMPFN_STAGE_SYM(gfn_to_pfn_memslot)
#define gfn_to_pfn_memslot_atomic	KVMPFN_STAGE_SYM(gfn_to_pfn_memslot_atomic)
#define gfn_to_pfn			KVMPFN_STAGE_SYM(gfn_to_pfn)
#define gfn_to_page			KVMPFN_STAGE_SYM(gfn_to_page)
#define kvm_vcpu_map			KVMPFN_STAGE_SYM(kvm_vcpu_map)
#define kvm_vcpu_unmap			KVMPFN_STAGE_SYM(kvm_vcpu_unmap)
#define kvm_release_page_clean		KVMPFN_STAGE_SYM(kvm_release_page_clean)
#define kvm_release_page_dirty		KVMPFN_STAGE_SYM(kvm_release_page_dirty)
#define kvm_release_pfn_clean		KVMPFN_STAGE_SYM(kvm_release_pfn_clean)
#define kvm_release_pfn_dirty		KVMPFN_STAGE_SYM(kvm_release_pfn_dirty)
#define kvm_release_pfn			KVMPFN_STAGE_SYM(kvm_release_pfn)
#define kvm_set_pfn_dirty		KVMPFN_STAGE_SYM(kvm_set_pfn_dirty)
#define kvm_set_pfn_accessed		KVMPFN_STAGE_SYM(kvm_set_pfn_accessed)
/* final (6.13) */
#define __kvm_faultin_pfn		KVMPFN_STAGE_SYM(__kvm_faultin_pfn)
#define __gfn_to_page			KVMPFN_STAGE_SYM(__gfn_to_page)
#define __kvm_vcpu_map			KVMPFN_STAGE_SYM(__kvm_vcpu_map)

/* core/pfncache.c */
#define gfn_to_pfn_cache_invalidate_start KVMPFN_STAGE_SYM(gfn_to_pfn_cache_invalidate_start)
#define kvm_gpc_check			KVMPFN_STAGE_SYM(kvm_gpc_check)
#define kvm_gpc_refresh			KVMPFN_STAGE_SYM(kvm_gpc_refresh)
#define kvm_gpc_init			KVMPFN_STAGE_SYM(kvm_gpc_init)
#define kvm_gpc_activate		KVMPFN_STAGE_SYM(kvm_gpc_activate)
#define kvm_gpc_activate_hva		KVMPFN_STAGE_SYM(kvm_gpc_activate_hva)
#define kvm_gpc_deactivate		KVMPFN_STAGE_SYM(kvm_gpc_deactivate)

#endif
