// SPDX-License-Identifier: GPL-2.0
/*
 * x86 TDP MMU model: page-table allocation, the frame registry, the
 * hardware walk, configuration and the test seams (stage-neutral).
 */
#include <stdlib.h>
#include <string.h>

#include "kvm_model.h"
#include "tdp_pt.h"

static int default_root_level;		/* 0: environment, else 4 */
static int default_slot_zap_all = -1;	/* -1: environment, else on */
static int default_eager_split = -1;	/* -1: environment, else on */
static int default_paging = -1;		/* -1: environment, else TDP */
static bool default_pke;
static bool seams[X86_NR_SEAMS];

/* Test-only: declared in tests/x86_tdp_test.h, nowhere else. */
void x86_tdp_test_set_seam(enum x86_tdp_seam seam, bool on);

void x86_tdp_test_set_seam(enum x86_tdp_seam seam, bool on)
{
	if ((unsigned int)seam < X86_NR_SEAMS)
		seams[seam] = on;
}

bool x86_tdp_seam(enum x86_tdp_seam seam)
{
	return seams[seam];
}

static const char *const seam_names[X86_NR_SEAMS] = {
	[X86_SEAM_NO_AD_PROPAGATION] = "x86-no-ad-propagation",
	[X86_SEAM_WRPROT_CLEARS_HOST_WRITABLE] = "x86-wrprot-clears-host-writable",
	[X86_SEAM_FAST_PF_IGNORES_MMU_WRITABLE] = "x86-fast-pf-ignores-mmu-writable",
	[X86_SEAM_NO_STALE_SEQ_CHECK] = "x86-no-stale-seq-check",
};

static void seam_set(unsigned int i, bool on)
{
	x86_tdp_test_set_seam((enum x86_tdp_seam)i, on);
}

const struct kvmpfn_arch_seams x86_tdp_seam_table = {
	.names = seam_names, .n = X86_NR_SEAMS, .set = seam_set,
};

int x86_tdp_set_default_root_level(int levels)
{
	if (levels != 4 && levels != 5)
		return -EINVAL;
	default_root_level = levels;
	return 0;
}

void x86_tdp_set_default_slot_zap_all(bool on)
{
	default_slot_zap_all = on;
}

void x86_tdp_set_default_eager_split(bool on)
{
	default_eager_split = on;
}

static const char *const paging_names[X86_NR_PAGING] = {
	[X86_PAGING_TDP] = "tdp",
	[X86_PAGING_SHADOW64] = "shadow64",
	[X86_PAGING_PAE] = "pae",
};

const char *x86_paging_name(enum x86_paging paging)
{
	return (unsigned int)paging < X86_NR_PAGING ? paging_names[paging] :
	       "?";
}

int x86_tdp_set_default_paging(enum x86_paging paging, bool pke)
{
	if ((unsigned int)paging >= X86_NR_PAGING ||
	    (pke && paging != X86_PAGING_SHADOW64))
		return -EINVAL;
	default_paging = paging;
	default_pke = pke;
	return 0;
}

/* KVMPFN_X86_PAGING: tdp (or unset), shadow64, shadow64-pke, pae */
static void env_paging(int *paging, bool *pke)
{
	const char *v = getenv("KVMPFN_X86_PAGING");

	*paging = X86_PAGING_TDP;
	*pke = false;
	if (!v)
		return;
	if (!strcmp(v, "shadow64") || !strcmp(v, "shadow64-pke")) {
		*paging = X86_PAGING_SHADOW64;
		*pke = v[8] != 0;
	} else if (!strcmp(v, "pae")) {
		*paging = X86_PAGING_PAE;
	}
}

static int env_int(const char *name, int dflt)
{
	const char *v = getenv(name);

	if (!v || !*v)
		return dflt;
	return atoi(v);
}

static struct x86_mmu *mmu_of(struct kvmpfn_sim *sim)
{
	if (!sim || sim->arch_id != KVMPFN_ARCH_X86)
		return NULL;
	return kvmpfn_arch_mmu(sim);
}

static int grow_frames(struct x86_mmu *mmu)
{
	u32 cap = mmu->cap_frames ? 2 * mmu->cap_frames : 64;
	struct x86_sp **f;
	u32 *free_frames;

	f = realloc(mmu->frames, cap * sizeof(*f));
	if (!f)
		return -ENOMEM;
	mmu->frames = f;
	free_frames = realloc(mmu->free_frames, cap * sizeof(*free_frames));
	if (!free_frames)
		return -ENOMEM;
	mmu->free_frames = free_frames;
	mmu->cap_frames = cap;
	return 0;
}

struct x86_sp *x86_sp_alloc(struct x86_mmu *mmu, int level, gfn_t gfn,
			    int as_id)
{
	struct x86_sp *sp = malloc(sizeof(*sp));
	unsigned int i;
	u32 frame;

	if (!sp)
		return NULL;
	if (mmu->nr_free) {
		frame = mmu->free_frames[--mmu->nr_free];
	} else {
		/* frame 0 stays unused so that no table is named 0 */
		if (!mmu->nr_frames)
			mmu->nr_frames = 1;
		if (mmu->nr_frames >= mmu->cap_frames && grow_frames(mmu)) {
			free(sp);
			return NULL;
		}
		frame = mmu->nr_frames++;
	}
	/* new tables start non-present, suppress-#VE set */
	for (i = 0; i < SPTE_ENT_PER_PAGE; i++)
		sp->spt[i] = SHADOW_NONPRESENT_VALUE;
	sp->gfn = gfn & ~(pages_per_level(level + 1) - 1);
	sp->frame = frame;
	sp->nr_present = 0;
	sp->level = level;
	sp->as_id = as_id;
	mmu->frames[frame] = sp;
	mmu->nr_tables++;
	return sp;
}

void x86_sp_free(struct x86_mmu *mmu, struct x86_sp *sp)
{
	mmu->frames[sp->frame] = NULL;
	mmu->free_frames[mmu->nr_free++] = sp->frame;
	mmu->nr_tables--;
	free(sp);
}

/* Free a subtree without looking at what it maps (VM teardown). */
static void free_tree(struct x86_mmu *mmu, struct x86_sp *sp)
{
	unsigned int i;

	if (sp->level > PG_LEVEL_4K)
		for (i = 0; i < SPTE_ENT_PER_PAGE; i++)
			if (is_shadow_present_pte(sp->spt[i]) &&
			    !is_last_spte(sp->spt[i], sp->level))
				free_tree(mmu, x86_sp_child(mmu, sp->spt[i]));
	x86_sp_free(mmu, sp);
}

static int alloc_roots(struct x86_mmu *mmu)
{
	int as;

	for (as = 0; as < KVM_ADDRESS_SPACE_NUM; as++) {
		mmu->root[as] = x86_sp_alloc(mmu, mmu->root_level, 0, as);
		if (!mmu->root[as])
			return -ENOMEM;
	}
	return 0;
}

static void free_roots(struct x86_mmu *mmu)
{
	int as;

	for (as = 0; as < KVM_ADDRESS_SPACE_NUM; as++) {
		if (mmu->root[as])
			free_tree(mmu, mmu->root[as]);
		mmu->root[as] = NULL;
	}
}

int x86_mmu_init(struct kvmpfn_sim *sim, void *p)
{
	struct x86_mmu *mmu = p;
	int levels = default_root_level ? default_root_level :
		     env_int("KVMPFN_X86_ROOT_LEVEL", 4);
	int zap_all = default_slot_zap_all >= 0 ? default_slot_zap_all :
		      env_int("KVMPFN_X86_SLOT_ZAP_ALL", 1);
	int eager = default_eager_split >= 0 ? default_eager_split :
		    env_int("KVMPFN_X86_EAGER_SPLIT", 1);
	int paging = default_paging;
	bool pke = default_pke;

	(void)sim;
	if (paging < 0)
		env_paging(&paging, &pke);
	mmu->paging = paging;
	mmu->pke = pke;
	mmu->root_level = paging == X86_PAGING_PAE ? 3 : levels == 5 ? 5 : 4;
	mmu->slot_zap_all = zap_all != 0;
	mmu->eager_split = eager != 0;
	mmu->touched_all = true;
	return alloc_roots(mmu);
}

void x86_mmu_destroy(struct kvmpfn_sim *sim, void *p)
{
	struct x86_mmu *mmu = p;

	(void)sim;
	free_roots(mmu);
	free(mmu->frames);
	free(mmu->free_frames);
	mmu->frames = NULL;
	mmu->free_frames = NULL;
}

/* A reset frees the tables alone: the frame table goes with them. */
static __no_fuzz_cov void reset_tree(struct x86_mmu *mmu, struct x86_sp *sp)
{
	unsigned int i;

	if (sp->level > PG_LEVEL_4K)
		for (i = 0; i < SPTE_ENT_PER_PAGE; i++)
			if (is_shadow_present_pte(sp->spt[i]) &&
			    !is_last_spte(sp->spt[i], sp->level))
				reset_tree(mmu, x86_sp_child(mmu, sp->spt[i]));
	free(sp);
}

__no_fuzz_cov int x86_mmu_reset(struct kvmpfn_sim *sim, void *p)
{
	struct x86_mmu *mmu = p;
	int as;

	for (as = 0; as < KVM_ADDRESS_SPACE_NUM; as++)
		if (mmu->root[as])
			reset_tree(mmu, mmu->root[as]);
	free(mmu->frames);
	free(mmu->free_frames);
	memset(mmu, 0, sizeof(*mmu));
	return x86_mmu_init(sim, p);
}

/* Nothing mapped, no table but the roots: the roots may be rebuilt. */
static bool mmu_empty(const struct x86_mmu *mmu)
{
	return mmu->nr_tables == KVM_ADDRESS_SPACE_NUM &&
	       !mmu->root[0]->nr_present && !mmu->root[1]->nr_present;
}

static int rebuild_roots(struct x86_mmu *mmu, int levels)
{
	if (mmu->root_level == levels)
		return 0;
	if (!mmu_empty(mmu))
		return -EBUSY;
	free_roots(mmu);
	mmu->root_level = levels;
	return alloc_roots(mmu);
}

int x86_tdp_set_root_level(struct kvmpfn_sim *sim, int levels)
{
	struct x86_mmu *mmu = mmu_of(sim);

	if (!mmu || (levels != 4 && levels != 5) ||
	    mmu->paging == X86_PAGING_PAE)
		return -EINVAL;
	return rebuild_roots(mmu, levels);
}

int x86_tdp_set_paging(struct kvmpfn_sim *sim, enum x86_paging paging,
		       bool pke)
{
	struct x86_mmu *mmu = mmu_of(sim);
	int levels, r;

	if (!mmu || (unsigned int)paging >= X86_NR_PAGING ||
	    (pke && paging != X86_PAGING_SHADOW64))
		return -EINVAL;
	if (mmu->paging == paging && mmu->pke == pke)
		return 0;
	/* the SPTEs already there are in the old format */
	if (!mmu_empty(mmu))
		return -EBUSY;
	levels = paging == X86_PAGING_PAE ? 3 :
		 mmu->paging == X86_PAGING_PAE ? 4 : mmu->root_level;
	r = rebuild_roots(mmu, levels);
	if (r)
		return r;
	mmu->paging = paging;
	mmu->pke = pke;
	return 0;
}

int x86_tdp_paging(struct kvmpfn_sim *sim, bool *pke)
{
	struct x86_mmu *mmu = mmu_of(sim);

	if (!mmu)
		return -EINVAL;
	if (pke)
		*pke = mmu->pke;
	return mmu->paging;
}

int x86_tdp_root_level(struct kvmpfn_sim *sim)
{
	struct x86_mmu *mmu = mmu_of(sim);

	return mmu ? mmu->root_level : -EINVAL;
}

int x86_tdp_set_slot_zap_all(struct kvmpfn_sim *sim, bool on)
{
	struct x86_mmu *mmu = mmu_of(sim);

	if (!mmu)
		return -EINVAL;
	mmu->slot_zap_all = on;
	return 0;
}

int x86_tdp_set_eager_split(struct kvmpfn_sim *sim, bool on)
{
	struct x86_mmu *mmu = mmu_of(sim);

	if (!mmu)
		return -EINVAL;
	mmu->eager_split = on;
	return 0;
}

long x86_tdp_nr_tables(struct kvmpfn_sim *sim)
{
	struct x86_mmu *mmu = mmu_of(sim);

	return mmu ? (long)mmu->nr_tables : -EINVAL;
}

struct x86_sp *x86_walk(const struct x86_mmu *mmu, int as_id, gfn_t gfn,
			unsigned int *idx)
{
	struct x86_sp *sp = mmu->root[as_id];
	u64 spte;

	if (gfn >= x86_mmu_max_gfn(mmu))
		return NULL;
	for (;;) {
		*idx = spte_index(gfn, sp->level);
		spte = sp->spt[*idx];
		if (!is_shadow_present_pte(spte) ||
		    is_last_spte(spte, sp->level))
			return sp;
		sp = x86_sp_child(mmu, spte);
	}
}

void x86_mmu_touch(struct x86_mmu *mmu, int as_id, gfn_t gfn)
{
	if (mmu->touched_all)
		return;
	if (mmu->nr_touched == X86_TOUCHED_MAX) {
		mmu->touched_all = true;
		return;
	}
	mmu->touched[mmu->nr_touched].gfn = gfn;
	mmu->touched[mmu->nr_touched].as_id = as_id;
	mmu->nr_touched++;
}
