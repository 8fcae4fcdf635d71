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

const struct kvmpfn_stage_ops KVMPFN_STAGE_SYM(stage_ops) = {
	.name = KVMPFN_STAGE_NAME,
	.stage = KVMPFN_STAGE,
	.source = KVMPFN_STAGE_SOURCE,
#ifdef KVMPFN_STAGE_KFILES
	.kernel_files = KVMPFN_STAGE_KFILES,
#endif
	.pfn_to_refcounted_page = kvm_pfn_to_refcounted_page,
	.release_pfn_clean = kvm_release_pfn_clean,
	.vcpu_map = kvm_vcpu_map,
	.gfn_to_page = gfn_to_page,
	.release_page_clean = kvm_release_page_clean,
	.vcpu_unmap = kvm_vcpu_unmap,
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
