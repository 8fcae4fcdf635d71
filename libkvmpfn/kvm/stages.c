// SPDX-License-Identifier: GPL-2.0
/* The stage table: every stage of the core, linked into one binary. */
#include <string.h>

#include "kvm_model.h"

extern const struct kvmpfn_stage_ops kvmpfn_s0_stage_ops, kvmpfn_s1_stage_ops,
	kvmpfn_s2_stage_ops, kvmpfn_s3_stage_ops, kvmpfn_s4_stage_ops,
	kvmpfn_s5_stage_ops, kvmpfn_s6_stage_ops, kvmpfn_s7_stage_ops,
	kvmpfn_s8_stage_ops;

const struct kvmpfn_stage_ops *const kvmpfn_stages[KVMPFN_NR_STAGES] = {
	&kvmpfn_s0_stage_ops, &kvmpfn_s1_stage_ops, &kvmpfn_s2_stage_ops,
	&kvmpfn_s3_stage_ops, &kvmpfn_s4_stage_ops, &kvmpfn_s5_stage_ops,
	&kvmpfn_s6_stage_ops, &kvmpfn_s7_stage_ops, &kvmpfn_s8_stage_ops,
};

static const char *const subjects[KVMPFN_NR_STAGES] = {
	"Linux 6.12.117, before the series",
	"KVM: Assert that a page's refcount is elevated when marking accessed/dirty",
	"KVM: Introduce __kvm_follow_pfn function",
	"KVM: Make __kvm_follow_pfn not imply FOLL_GET",
	"KVM: x86/mmu: Migrate to __kvm_follow_pfn",
	"KVM: x86/mmu: Don't pass FOLL_GET to __kvm_follow_pfn",
	"KVM: arm64: Migrate to __kvm_follow_pfn",
	"KVM: PPC: Migrate to __kvm_follow_pfn",
	"KVM: remove __gfn_to_pfn_memslot",
};

const char *kvmpfn_stage_name(enum kvmpfn_stage stage)
{
	return (unsigned int)stage < KVMPFN_NR_STAGES ?
	       kvmpfn_stages[stage]->name : "?";
}

const char *kvmpfn_stage_subject(enum kvmpfn_stage stage)
{
	return (unsigned int)stage < KVMPFN_NR_STAGES ? subjects[stage] : "?";
}

int kvmpfn_stage_parse(const char *name, enum kvmpfn_stage *stage)
{
	int i;

	for (i = 0; i < KVMPFN_NR_STAGES; i++) {
		if (!strcmp(name, kvmpfn_stages[i]->name)) {
			*stage = (enum kvmpfn_stage)i;
			return 0;
		}
	}
	return -EINVAL;
}
