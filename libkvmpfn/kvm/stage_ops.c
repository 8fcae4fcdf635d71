// SPDX-License-Identifier: GPL-2.0
/*
 * Stage unit: compiled once per stage together with the core and the
 * architecture models, it binds that stage's core and architectures into
 * one struct kvmpfn_stage_ops.
 */
#include <linux/kvm_host.h>

#include "kvm_mm.h"
#include "kvm_model.h"

extern const struct kvmpfn_arch_ops KVMPFN_STAGE_SYM(arch_ref);
#ifdef KVMPFN_HAVE_X86
extern const struct kvmpfn_arch_ops KVMPFN_STAGE_SYM(arch_x86);
#endif
#ifdef KVMPFN_HAVE_ARM64
extern const struct kvmpfn_arch_ops KVMPFN_STAGE_SYM(arch_arm64);
#endif
#ifdef KVMPFN_HAVE_PPC
extern const struct kvmpfn_arch_ops KVMPFN_STAGE_SYM(arch_ppc);
#endif

#if KVMPFN_STAGE == KVMPFN_STAGE_FINAL
extern const struct kvmpfn_module_param
	KVMPFN_STAGE_SYM(param_allow_unsafe_mappings);

/* kvm_vcpu_map() is a static inline wrapper from 6.13 on */
static int stage_vcpu_map(struct kvm_vcpu *vcpu, gfn_t gfn,
			  struct kvm_host_map *map)
{
	return kvm_vcpu_map(vcpu, gfn, map);
}

static bool stage_map_holds_ref(const struct kvm_host_map *map)
{
	return map->pinned_page;
}

/* a map says itself whether it dirties: @dirty is the old API's */
static void stage_vcpu_unmap(struct kvm_vcpu *vcpu, struct kvm_host_map *map,
			     bool dirty)
{
	kvm_vcpu_unmap(vcpu, map);
}

/* NULL: no refcounted page (a remapped pfn, or none at all) */
static struct page *stage_gfn_to_page(struct kvm *kvm, gfn_t gfn)
{
	struct page *page = gfn_to_page(kvm, gfn);

	return page ? page : KVM_ERR_PTR_BAD_PAGE;
}
#else
static bool stage_map_holds_ref(const struct kvm_host_map *map)
{
	return kvm_pfn_to_refcounted_page(map->pfn);
}

#define stage_vcpu_map		kvm_vcpu_map
#define stage_vcpu_unmap	kvm_vcpu_unmap
#define stage_gfn_to_page	gfn_to_page
#endif

const struct kvmpfn_stage_ops KVMPFN_STAGE_SYM(stage_ops) = {
	.name = KVMPFN_STAGE_NAME,
	.stage = KVMPFN_STAGE,
	.source = KVMPFN_STAGE_SOURCE,
#ifdef KVMPFN_STAGE_KFILES
	.kernel_files = KVMPFN_STAGE_KFILES,
#endif
#if KVMPFN_STAGE != KVMPFN_STAGE_FINAL
	.pfn_to_refcounted_page = kvm_pfn_to_refcounted_page,
#else
	.allow_unsafe_mappings = &KVMPFN_STAGE_SYM(param_allow_unsafe_mappings),
#endif
	.vcpu_map = stage_vcpu_map,
	.map_holds_ref = stage_map_holds_ref,
	.gfn_to_page = stage_gfn_to_page,
	.release_page_clean = kvm_release_page_clean,
	.vcpu_unmap = stage_vcpu_unmap,
	.gpc_init = kvm_gpc_init,
	.gpc_activate = kvm_gpc_activate,
	.gpc_activate_hva = kvm_gpc_activate_hva,
	.gpc_refresh = kvm_gpc_refresh,
	.gpc_check = kvm_gpc_check,
	.gpc_deactivate = kvm_gpc_deactivate,
	.gpc_invalidate_start = gfn_to_pfn_cache_invalidate_start,
	.arch = {
		[KVMPFN_ARCH_REF] = &KVMPFN_STAGE_SYM(arch_ref),
#ifdef KVMPFN_HAVE_X86
		[KVMPFN_ARCH_X86] = &KVMPFN_STAGE_SYM(arch_x86),
#endif
#ifdef KVMPFN_HAVE_ARM64
		[KVMPFN_ARCH_ARM64] = &KVMPFN_STAGE_SYM(arch_arm64),
#endif
#ifdef KVMPFN_HAVE_PPC
		[KVMPFN_ARCH_PPC] = &KVMPFN_STAGE_SYM(arch_ppc),
#endif
	},
};
