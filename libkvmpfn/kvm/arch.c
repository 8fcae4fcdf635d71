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

/*
 * B10 (44187235cbcc x86, e86fc1a3a3e9 arm64): the host page-table walk was
 * not atomic against page-table changes (entries read twice, non-present
 * ones counted as large mappings), so the level it gave could belong to
 * an entry that was no longer there.  The mutant answers with what an
 * earlier walk found in the same 2M block, as long as it found a mapping:
 * a level that was true once and is stale now.
 */
static int stale_host_level(struct kvmpfn_sim *sim, unsigned long hva,
			    int level)
{
	unsigned long block = hva >> (PAGE_SHIFT + 9);

	if (sim->b10_level && sim->b10_block == block)
		return sim->b10_level;
	if (level) {
		sim->b10_block = block;
		sim->b10_level = level;
	}
	return level;
}

int kvmpfn_host_level(struct kvmpfn_sim *sim, struct kvmpfn_fault *f,
		      const struct kvm_memory_slot *slot, gfn_t gfn)
{
	unsigned long hva = __gfn_to_hva_memslot(slot, gfn);
	int level = 0;

	kvmpfn_fault_read_host(sim, f);
	if (!hpt_lookup(&sim->mm, hva, &level, NULL))
		level = 0;
	if (sim->bug == KVMPFN_B10)
		level = stale_host_level(sim, hva, level);
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
