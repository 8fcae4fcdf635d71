// SPDX-License-Identifier: GPL-2.0
/*
 * Services the simulator gives architecture models: their state, the
 * fault's sequence snapshot, host mapping levels, the TLB flush state and
 * the architecture registry.
 */
#include <string.h>

#include "kvm_model.h"

static const char *const arch_names[KVMPFN_NR_ARCHES] = {
	[KVMPFN_ARCH_REF] = "ref",
	[KVMPFN_ARCH_X86] = "x86",
	[KVMPFN_ARCH_ARM64] = "arm64",
	[KVMPFN_ARCH_PPC] = "ppc",
};

const char *kvmpfn_arch_name(enum kvmpfn_arch arch)
{
	return (unsigned int)arch < KVMPFN_NR_ARCHES ? arch_names[arch] : "?";
}

int kvmpfn_arch_parse(const char *name, enum kvmpfn_arch *arch)
{
	int i;

	for (i = 0; i < KVMPFN_NR_ARCHES; i++) {
		if (!strcmp(name, arch_names[i])) {
			*arch = (enum kvmpfn_arch)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool kvmpfn_arch_available(enum kvmpfn_arch arch)
{
	return (unsigned int)arch < KVMPFN_NR_ARCHES &&
	       kvmpfn_stages[KVMPFN_LEGACY]->arch[arch];
}

void *kvmpfn_arch_mmu(struct kvmpfn_sim *sim)
{
	return sim->mmu;
}

void kvmpfn_fault_snapshot(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	f->mmu_seq = sim->kvm.mmu_invalidate_seq;
	f->seq_snapped = true;
	smp_rmb();
}

void kvmpfn_fault_read_host(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	(void)sim;
	if (f && !f->seq_snapped)
		f->host_read_early = true;
}

int kvmpfn_host_level(struct kvmpfn_sim *sim, struct kvmpfn_fault *f,
		      const struct kvm_memory_slot *slot, gfn_t gfn)
{
	int level = 0;

	kvmpfn_fault_read_host(sim, f);
	if (!hpt_lookup(&sim->mm, __gfn_to_hva_memslot(slot, gfn), &level,
			NULL))
		return 0;
	return level;
}

void kvmpfn_tlb_stale(struct kvmpfn_sim *sim)
{
	sim->tlb_stale = true;
}

void kvm_flush_remote_tlbs(struct kvm *kvm)
{
	kvm->sim->tlb_stale = false;
}
