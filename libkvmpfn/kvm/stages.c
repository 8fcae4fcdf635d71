// SPDX-License-Identifier: GPL-2.0
/*
 * The stage table: every stage of the core, and every kernel-built twin
 * this build has (KVMPFN_HAVE_KSTAGE_<n>, KVMPFN_HAVE_KTREE), linked into
 * one binary.
 */
#include <string.h>

#include "kvm_model.h"

extern const struct kvmpfn_stage_ops kvmpfn_s0_stage_ops, kvmpfn_s1_stage_ops,
	kvmpfn_s2_stage_ops, kvmpfn_s3_stage_ops, kvmpfn_s4_stage_ops,
	kvmpfn_s5_stage_ops, kvmpfn_s6_stage_ops, kvmpfn_s7_stage_ops,
	kvmpfn_s8_stage_ops;

#define KSTAGE(n)	kvmpfn_k##n##_stage_ops
#ifdef KVMPFN_HAVE_KSTAGE_0
extern const struct kvmpfn_stage_ops KSTAGE(0);
#endif
#ifdef KVMPFN_HAVE_KSTAGE_1
extern const struct kvmpfn_stage_ops KSTAGE(1);
#endif
#ifdef KVMPFN_HAVE_KSTAGE_2
extern const struct kvmpfn_stage_ops KSTAGE(2);
#endif
#ifdef KVMPFN_HAVE_KSTAGE_3
extern const struct kvmpfn_stage_ops KSTAGE(3);
#endif
#ifdef KVMPFN_HAVE_KSTAGE_4
extern const struct kvmpfn_stage_ops KSTAGE(4);
#endif
#ifdef KVMPFN_HAVE_KSTAGE_5
extern const struct kvmpfn_stage_ops KSTAGE(5);
#endif
#ifdef KVMPFN_HAVE_KSTAGE_6
extern const struct kvmpfn_stage_ops KSTAGE(6);
#endif
#ifdef KVMPFN_HAVE_KSTAGE_7
extern const struct kvmpfn_stage_ops KSTAGE(7);
#endif
#ifdef KVMPFN_HAVE_KSTAGE_8
extern const struct kvmpfn_stage_ops KSTAGE(8);
#endif
#ifdef KVMPFN_HAVE_KTREE
extern const struct kvmpfn_stage_ops kvmpfn_kt_stage_ops;
#endif

const struct kvmpfn_stage_ops *const kvmpfn_stages[KVMPFN_NR_ALL_STAGES] = {
	&kvmpfn_s0_stage_ops, &kvmpfn_s1_stage_ops, &kvmpfn_s2_stage_ops,
	&kvmpfn_s3_stage_ops, &kvmpfn_s4_stage_ops, &kvmpfn_s5_stage_ops,
	&kvmpfn_s6_stage_ops, &kvmpfn_s7_stage_ops, &kvmpfn_s8_stage_ops,
#ifdef KVMPFN_HAVE_KSTAGE_0
	[KVMPFN_KERNEL_LEGACY] = &KSTAGE(0),
#endif
#ifdef KVMPFN_HAVE_KSTAGE_1
	[KVMPFN_KERNEL_V7_1] = &KSTAGE(1),
#endif
#ifdef KVMPFN_HAVE_KSTAGE_2
	[KVMPFN_KERNEL_V7_2] = &KSTAGE(2),
#endif
#ifdef KVMPFN_HAVE_KSTAGE_3
	[KVMPFN_KERNEL_V7_3] = &KSTAGE(3),
#endif
#ifdef KVMPFN_HAVE_KSTAGE_4
	[KVMPFN_KERNEL_V7_4] = &KSTAGE(4),
#endif
#ifdef KVMPFN_HAVE_KSTAGE_5
	[KVMPFN_KERNEL_V7_5] = &KSTAGE(5),
#endif
#ifdef KVMPFN_HAVE_KSTAGE_6
	[KVMPFN_KERNEL_V7_6] = &KSTAGE(6),
#endif
#ifdef KVMPFN_HAVE_KSTAGE_7
	[KVMPFN_KERNEL_V7_7] = &KSTAGE(7),
#endif
#ifdef KVMPFN_HAVE_KSTAGE_8
	[KVMPFN_KERNEL_V7_8] = &KSTAGE(8),
#endif
#ifdef KVMPFN_HAVE_KTREE
	[KVMPFN_KERNEL_TREE] = &kvmpfn_kt_stage_ops,
#endif
};

/* every stage's name, built into this binary or not */
static const char *const names[KVMPFN_NR_ALL_STAGES] = {
	"legacy", "v7.1", "v7.2", "v7.3", "v7.4", "v7.5", "v7.6", "v7.7",
	"v7.8",
	"kernel:legacy", "kernel:v7.1", "kernel:v7.2", "kernel:v7.3",
	"kernel:v7.4", "kernel:v7.5", "kernel:v7.6", "kernel:v7.7",
	"kernel:v7.8", "kernel:tree",
};

static const char *const subjects[KVMPFN_NR_STAGES] = {
	"Linux 6.12, before the series",
	"KVM: Assert that a page's refcount is elevated when marking accessed/dirty",
	"KVM: Introduce __kvm_follow_pfn function",
	"KVM: Make __kvm_follow_pfn not imply FOLL_GET",
	"KVM: x86/mmu: Migrate to __kvm_follow_pfn",
	"KVM: x86/mmu: Don't pass FOLL_GET to __kvm_follow_pfn",
	"KVM: arm64: Migrate to __kvm_follow_pfn",
	"KVM: PPC: Migrate to __kvm_follow_pfn",
	"KVM: remove __gfn_to_pfn_memslot",
};

bool kvmpfn_stage_available(enum kvmpfn_stage stage)
{
	return (unsigned int)stage < KVMPFN_NR_ALL_STAGES &&
	       kvmpfn_stages[stage];
}

bool kvmpfn_stage_is_kernel(enum kvmpfn_stage stage)
{
	return stage >= KVMPFN_KERNEL_LEGACY && stage < KVMPFN_NR_ALL_STAGES;
}

enum kvmpfn_stage kvmpfn_stage_model(enum kvmpfn_stage stage)
{
	if (kvmpfn_stage_available(stage))
		return (enum kvmpfn_stage)kvmpfn_stages[stage]->stage;
	if (stage >= KVMPFN_KERNEL_LEGACY && stage <= KVMPFN_KERNEL_V7_8)
		return (enum kvmpfn_stage)(stage - KVMPFN_KERNEL_LEGACY);
	return (unsigned int)stage < KVMPFN_NR_STAGES ? stage : KVMPFN_LEGACY;
}

const char *kvmpfn_stage_name(enum kvmpfn_stage stage)
{
	return (unsigned int)stage < KVMPFN_NR_ALL_STAGES ? names[stage] : "?";
}

const char *kvmpfn_stage_source(enum kvmpfn_stage stage)
{
	return kvmpfn_stage_available(stage) ? kvmpfn_stages[stage]->source :
	       "not in this build";
}

const char *kvmpfn_stage_subject(enum kvmpfn_stage stage)
{
	stage = kvmpfn_stage_model(stage);
	return (unsigned int)stage < KVMPFN_NR_STAGES ? subjects[stage] : "?";
}

int kvmpfn_stage_parse(const char *name, enum kvmpfn_stage *stage)
{
	int i;

	for (i = 0; i < KVMPFN_NR_ALL_STAGES; i++) {
		if (!strcmp(name, names[i])) {
			*stage = (enum kvmpfn_stage)i;
			return 0;
		}
	}
	return -EINVAL;
}
