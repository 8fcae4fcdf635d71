// SPDX-License-Identifier: GPL-2.0
/*
 * The public API: a simulator handle and the operations on it.  Every
 * operation is one step: it runs, then the checker evaluates the state
 * invariants, so a finding is tied to the step that caused it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_model.h"

_Thread_local struct kvmpfn_sim *kvmpfn_cur;

const char *kvmpfn_version(void)
{
	return "0.1.0";
}

const char *kvmpfn_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case 0: return "success";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOSYS: return "ENOSYS";
	case ERANGE: return "ERANGE";
	case EHWPOISON: return "EHWPOISON";
	default: return "unknown error";
	}
}

bool kvmpfn_mutant(int id)
{
	return kvmpfn_cur && kvmpfn_cur->bug == id;
}

static const struct kvmpfn_bug bugs[] = {
	{ 1, "f8be156be163", "remapped path takes an unconditional get on a refcount-0 page (CVE-2021-22543)", 1, "all" },
	{ 2, "bd2fae8da794", "remapped path ignores host PTE write permission (CVE-2021-22543)", 10, "all" },
	{ 3, "7df003c85218", "zero page treated as not refcounted: GUP reference leaks", 2, "all" },
	{ 4, "a78986aae9b2", "ZONE_DEVICE treated as reserved: GUP reference leaks", 2, "all" },
	{ 5, "a1040b0d42ac", "accessed/dirty set on the zero page / reserved pages", 3, "all" },
	{ 6, "3dddf65b4f4c", "pfncache reuse path forgets to put the extra reference", 2, "all" },
	{ 7, "58cd407ca4c6", "pfncache publishes without the invalidation retry loop", 17, "all" },
	{ 8, "17b7dbaf183e", "ppc extra get_page() after gfn_to_page() in the dcbz patching (still in 6.12.117)", 2, "ppc" },
	{ 9, "13ec9308a857", "arm64 sequence snapshot taken after the VMA lookup", 14, "arm64" },
	{ 10, "44187235cbcc", "host mapping level read from a stale/non-present host entry", 13, "x86,arm64,ppc" },
	{ 11, "6794ad5443a2", "stage-2 block mapping without co-alignment / past the memslot", 13, "arm64" },
	{ 12, "52ac8b358b0c", "memslot update between invalidate start and end unbalances counters", 8, "all" },
	{ 13, "a955cad84cda", "fault installs into a root made obsolete by memslot delete", 15, "ref,x86" },
	{ 14, "c04bf723ccd6", "hugepage adjust moves the reference from the faulting page to the head", 2, "arm64" },
	{ 15, "03b755b2aa48", "read-only host page mapped writable: writability from the guest side (e500 shape)", 10, "all" },
	{ 16, "509552e65ae8", "page marked dirty although the stage-2 map failed", 12, "arm64" },
	{ 17, "series v7 review", "accessed marked after mmu_lock dropped with no reference held", 4, "ref,x86" },
	{ 18, "v9 review / v10 fix", "refcount bit set on shadow-paging SPTEs (reserved under PAE, a protection key with PKE)", 21, "x86" },
};

const struct kvmpfn_bug *kvmpfn_bugs(unsigned int *n)
{
	*n = sizeof(bugs) / sizeof(bugs[0]);
	return bugs;
}

int kvmpfn_bug_parse(const char *name, int *id)
{
	unsigned int i;

	if (name[0] != 'B' || !name[1])
		return -EINVAL;
	for (i = 0; i < sizeof(bugs) / sizeof(bugs[0]); i++) {
		char buf[8];

		snprintf(buf, sizeof(buf), "B%d", bugs[i].id);
		if (!strcmp(buf, name)) {
			*id = bugs[i].id;
			return 0;
		}
	}
	return -EINVAL;
}

bool kvmpfn_bug_modelled(int id, enum kvmpfn_arch arch)
{
	const char *where, *name = kvmpfn_arch_name(arch);
	size_t len = strlen(name);

	if (id < 1 || id > (int)(sizeof(bugs) / sizeof(bugs[0])))
		return false;
	where = bugs[id - 1].arches;
	if (!strcmp(where, "all"))
		return true;
	/* a comma-separated list of architecture names */
	while (*where) {
		size_t n = strcspn(where, ",");

		if (n == len && !strncmp(where, name, len))
			return true;
		where += n + (where[n] == ',');
	}
	return false;
}

int kvmpfn_sim_set_bug(struct kvmpfn_sim *sim, int id)
{
	if (id < 0 || id > (int)(sizeof(bugs) / sizeof(bugs[0])))
		return -EINVAL;
	/* a mutant the selected model does not carry would be a no-op */
	if (id && !kvmpfn_bug_modelled(id, sim->arch_id))
		return -ENOSYS;
	/* B1-B5 live in core/kvm_main.c, B6-B7 in core/pfncache.c */
	if ((id >= 1 && id <= 5 &&
	     (sim->ops->kernel_files & KVMPFN_KFILE_KVM_MAIN)) ||
	    ((id == 6 || id == 7) &&
	     (sim->ops->kernel_files & KVMPFN_KFILE_PFNCACHE)))
		return -ENOSYS;
	sim->bug = id;
	return 0;
}

static const char *const seam_names[KVMPFN_NR_SEAMS] = {
	[KVMPFN_SEAM_SKIP_ZAP] = "skip-zap",
	[KVMPFN_SEAM_KEEP_REF] = "keep-ref",
	[KVMPFN_SEAM_SLOT_KEEPS_LEAVES] = "slot-keeps-leaves",
	[KVMPFN_SEAM_NO_DIRTY_LOG] = "no-dirty-log",
	[KVMPFN_SEAM_LOSE_DIRTY] = "lose-dirty",
};

/* index of @name in the model's seams, or -1 */
static int arch_seam(const struct kvmpfn_arch_ops *ops, const char *name)
{
	unsigned int i;

	for (i = 0; ops && ops->seams && i < ops->seams->n; i++)
		if (!strcmp(name, ops->seams->names[i]))
			return (int)i;
	return -1;
}

static int shared_seam(const char *name)
{
	int i;

	for (i = KVMPFN_SEAM_NONE + 1; i < KVMPFN_NR_SEAMS; i++)
		if (!strcmp(name, seam_names[i]))
			return i;
	return -1;
}

bool kvmpfn_seam_known(const char *name)
{
	int a;

	if (shared_seam(name) > 0)
		return true;
	for (a = 0; a < KVMPFN_NR_ARCHES; a++)
		if (kvmpfn_arch_available((enum kvmpfn_arch)a) &&
		    arch_seam(kvmpfn_stages[KVMPFN_LEGACY]->arch[a], name) >= 0)
			return true;
	return false;
}

int kvmpfn_sim_set_seam(struct kvmpfn_sim *sim, const char *name)
{
	int i = shared_seam(name);

	if (sim->seam || sim->arch_seam)
		return -EBUSY;
	if (i > 0) {
		sim->seam = (enum kvmpfn_seam)i;
		return 0;
	}
	i = arch_seam(sim->arch, name);
	if (i < 0)
		return kvmpfn_seam_known(name) ? -ENOSYS : -EINVAL;
	sim->arch->seams->set((unsigned int)i, true);
	sim->arch_seam = i + 1;
	return 0;
}

void kvm_ctx_enter(struct kvmpfn_sim *sim)
{
	/* the core's module parameter is one per stage, not per simulator */
	if (sim->ops->allow_unsafe_mappings)
		*sim->ops->allow_unsafe_mappings->value =
			sim->allow_unsafe_mappings;
	kvmpfn_cur = sim;
	kshim_current = &sim->mm.task;
	sim->kvm_depth++;
}

void kvm_ctx_leave(struct kvmpfn_sim *sim)
{
	sim->kvm_depth--;
}

struct kvmpfn_sim *kvmpfn_sim_create(enum kvmpfn_stage stage)
{
	return kvmpfn_sim_create_arch(stage, KVMPFN_ARCH_REF);
}

/* a model's seam is a global switch: it goes with the simulator's run */
static void seam_off(struct kvmpfn_sim *sim)
{
	if (sim->arch_seam)
		sim->arch->seams->set((unsigned int)sim->arch_seam - 1, false);
}

/*
 * Everything of a fresh simulator but the arch state: @sim is zeroed but
 * for the blocks a reset keeps, and kvmpfn_cur is @sim.
 */
static int sim_setup(struct kvmpfn_sim *sim, enum kvmpfn_stage stage)
{
	int i;

	kshim_current = &sim->mm.task;
	if (host_mm_init(&sim->mm))
		return -ENOMEM;
	sim->stage = stage;
	sim->ops = kvmpfn_stages[stage];
	sim->kvm.mm = &sim->mm;
	sim->kvm.sim = sim;
	rwlock_init(&sim->kvm.mmu_lock);
	spin_lock_init(&sim->kvm.gpc_lock);
	INIT_LIST_HEAD(&sim->kvm.gpc_list);
	for (i = 0; i < KVMPFN_MAX_GPC; i++)
		sim->ops->gpc_init(&sim->gpc[i], &sim->kvm);
	kvm_init_mmu_notifier(sim);
	return 0;
}

struct kvmpfn_sim *kvmpfn_sim_create_arch(enum kvmpfn_stage stage,
					  enum kvmpfn_arch arch)
{
	const struct kvmpfn_arch_ops *ops;
	struct kvmpfn_sim *sim;

	if (!kvmpfn_stage_available(stage) ||
	    (unsigned int)arch >= KVMPFN_NR_ARCHES)
		return NULL;
	ops = kvmpfn_stages[stage]->arch[arch];
	if (!ops)
		return NULL;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return NULL;
	sim->arch_id = arch;
	sim->arch = ops;
	sim->mmu = calloc(1, ops->mmu_size);
	if (!sim->mmu) {
		free(sim);
		return NULL;
	}
	kvmpfn_cur = sim;
	if (sim_setup(sim, stage)) {
		host_mm_destroy(&sim->mm);
		free(sim->mmu);
		free(sim);
		return NULL;
	}
	if (ops->init && ops->init(sim, sim->mmu)) {
		kvmpfn_sim_destroy(sim);
		return NULL;
	}
	return sim;
}

void kvmpfn_sim_destroy(struct kvmpfn_sim *sim)
{
	if (!sim)
		return;
	kvmpfn_cur = sim;
	kshim_current = &sim->mm.task;
	if (sim->arch->destroy)
		sim->arch->destroy(sim, sim->mmu);
	seam_off(sim);
	free(sim->mmu);
	pagestate_free(sim);
	kvm_memslots_destroy(sim, NULL);
	host_mm_destroy(&sim->mm);
	free(sim->viol);
	free(sim->held);
	if (kvmpfn_cur == sim) {
		kvmpfn_cur = NULL;
		kshim_current = NULL;
	}
	free(sim);
}

/*
 * A reset is a teardown and a setup in place, which keeps what costs to
 * allocate and is cheap to clear: the simulator and its arch state, the
 * memslot id tables (cleared entry by entry), the violation and held-pfn
 * arrays (emptied); the memmap chunks, host page tables and reference log
 * go to the pools a fresh simulator takes them from.  The teardown has no
 * fuzzing coverage (__no_fuzz_cov); the setup is the same for every input.
 */
__no_fuzz_cov int kvmpfn_sim_reset(struct kvmpfn_sim *sim)
{
	struct kvm_memory_slot **by_id[KVM_ADDRESS_SPACE_NUM];
	const struct kvmpfn_arch_ops *ops = sim->arch;
	struct kvmpfn_violation *viol = sim->viol;
	enum kvmpfn_stage stage = sim->stage;
	enum kvmpfn_arch arch = sim->arch_id;
	unsigned long *held = sim->held;
	u32 cap_viol = sim->cap_viol;
	u32 cap_held = sim->cap_held;
	void *mmu = sim->mmu;
	int as, r;

	kvmpfn_cur = sim;
	kshim_current = &sim->mm.task;
	/* the arch tables first, as at destroy: they may look at the rest */
	r = 0;
	if (ops->reset)
		r = ops->reset(sim, mmu);
	else if (ops->destroy)
		ops->destroy(sim, mmu);
	pagestate_free(sim);
	kvm_memslots_destroy(sim, by_id);
	host_mm_destroy(&sim->mm);
	seam_off(sim);

	memset(sim, 0, sizeof(*sim));
	sim->arch_id = arch;
	sim->arch = ops;
	sim->mmu = mmu;
	sim->viol = viol;
	sim->cap_viol = cap_viol;
	sim->held = held;
	sim->cap_held = cap_held;
	for (as = 0; as < KVM_ADDRESS_SPACE_NUM; as++)
		sim->kvm.memslots[as].by_id = by_id[as];
	kvmpfn_cur = sim;
	if (sim_setup(sim, stage) || r)
		return -ENOMEM;
	if (!ops->reset) {
		memset(mmu, 0, ops->mmu_size);
		if (ops->init && ops->init(sim, mmu))
			return -ENOMEM;
	}
	return 0;
}

int kvmpfn_sim_set_param(struct kvmpfn_sim *sim, const char *name,
			 bool value)
{
	if (strcmp(name, "allow_unsafe_mappings"))
		return -EINVAL;
	if (!sim->ops->allow_unsafe_mappings)
		return -ENOENT;
	sim->allow_unsafe_mappings = value;
	return 0;
}

enum kvmpfn_stage kvmpfn_sim_stage(const struct kvmpfn_sim *sim)
{
	return sim->stage;
}

enum kvmpfn_arch kvmpfn_sim_arch(const struct kvmpfn_sim *sim)
{
	return sim->arch_id;
}

int kvmpfn_sim_set_x86_paging(struct kvmpfn_sim *sim,
			      enum kvmpfn_x86_paging paging, bool pke)
{
	if (!sim->arch->set_paging)
		return -ENOSYS;
	if ((unsigned int)paging >= KVMPFN_X86_NR_PAGING)
		return -EINVAL;
	return sim->arch->set_paging(sim, paging, pke);
}

int kvmpfn_x86_paging_parse(const char *name, enum kvmpfn_x86_paging *p)
{
	static const char *const names[KVMPFN_X86_NR_PAGING] = {
		[KVMPFN_X86_TDP] = "tdp",
		[KVMPFN_X86_SHADOW64] = "shadow64",
		[KVMPFN_X86_PAE] = "pae",
	};
	unsigned int i;

	for (i = 0; i < KVMPFN_X86_NR_PAGING; i++)
		if (!strcmp(name, names[i])) {
			*p = (enum kvmpfn_x86_paging)i;
			return 0;
		}
	return -EINVAL;
}

void kvmpfn_sim_set_location(struct kvmpfn_sim *sim, const char *file,
			     unsigned int line)
{
	sim->file = file;
	sim->line = line;
}

void kvmpfn_sim_set_checks(struct kvmpfn_sim *sim, enum kvmpfn_checks mode)
{
	if ((unsigned int)mode <= KVMPFN_CHECKS_OFF)
		sim->checks = mode;
	sim->touched_all = true;	/* start from a full pass */
}

void kvmpfn_sim_set_trace(struct kvmpfn_sim *sim, kvmpfn_trace_fn fn,
			  void *priv)
{
	sim->trace = fn;
	sim->trace_priv = priv;
}

/*
 * Open a step: the shim acts on @sim, history is stamped with the step.
 * The page-state recorder labels the step with the API function's name.
 */
#define step(sim)	step_named(sim, __func__)

static struct kvmpfn_sim *step_named(struct kvmpfn_sim *sim, const char *fn)
{
	sim->step_fn = fn;
	kvmpfn_cur = sim;
	kshim_current = &sim->mm.task;
	sim->step++;
	sim->step_gets = 0;
	sim->step_puts = 0;
	sim->mm.step = sim->step;
	sim->mm.line = sim->line;
	return sim;
}

static int done(struct kvmpfn_sim *sim, int r)
{
	check_step(sim);
	if (sim->pagestate)
		pagestate_step(sim);
	return r;
}

int kvmpfn_host_alloc(struct kvmpfn_sim *sim, const char *name,
		      unsigned int order, unsigned int flags)
{
	struct kvmpfn_alloc *a;

	if (!name || !name[0] || strlen(name) >= sizeof(a->name) ||
	    (flags & ~(KVMPFN_A_COMPOUND | KVMPFN_A_RESERVED |
		       KVMPFN_A_ZONE_DEVICE | KVMPFN_A_NOSTRUCT)))
		return -EINVAL;
	step(sim);
	return done(sim, host_alloc(&sim->mm, name, order, flags, &a));
}

int kvmpfn_host_free(struct kvmpfn_sim *sim, const char *name)
{
	struct kvmpfn_alloc *a = host_alloc_find(&sim->mm, name);
	unsigned long n, i;
	int r;

	if (!a || (a->flags & KVMPFN_ALLOC_ZERO))
		return -ENOENT;
	step(sim);
	/* a driver zaps user mappings of its object before freeing it */
	for (i = 0; i < sim->mm.nr_vmas; i++) {
		struct vm_area_struct *vma = sim->mm.vmas[i];

		if (vma->vm_backing->alloc != a)
			continue;
		mmu_notifier_invalidate_range_start(&sim->mm, vma->vm_start,
						    vma->vm_end);
		host_zap_range(&sim->mm, vma->vm_start, vma->vm_end);
		mmu_notifier_invalidate_range_end(&sim->mm, vma->vm_start,
						  vma->vm_end);
	}
	r = host_free(&sim->mm, a);
	/* a count-0 page KVM took a reference on: freed under KVM */
	n = (a->flags & KVMPFN_ALLOC_NOSTRUCT) ? 0 : 1UL << a->order;
	for (i = 0; i < n; i++) {
		struct page *p = host_pfn_to_page(&sim->mm, a->pfn + i);

		if (kshim_page_flag(p, PG_revived) && p->_refcount)
			check_violation(sim, 1, 0, 0, a->pfn + i,
					"driver freed page %lu of %s, which KVM still holds",
					i, a->name);
	}
	return done(sim, r);
}

int kvmpfn_host_pfn(struct kvmpfn_sim *sim, const char *name,
		    unsigned long index, uint64_t *pfn)
{
	struct kvmpfn_alloc *a = host_alloc_find(&sim->mm, name);

	if (!a)
		return -ENOENT;
	if (index >= (1UL << a->order))
		return -ERANGE;
	*pfn = a->pfn + index;
	return 0;
}

int kvmpfn_host_poison(struct kvmpfn_sim *sim, uint64_t pfn)
{
	if (!host_pfn_to_page(&sim->mm, pfn))
		return -EINVAL;
	step(sim);
	return done(sim, host_memory_failure(&sim->mm, pfn));
}

static unsigned long prot_to_vm(unsigned int prot)
{
	return ((prot & KVMPFN_PROT_READ) ? VM_READ : 0) |
	       ((prot & KVMPFN_PROT_WRITE) ? VM_WRITE : 0) |
	       ((prot & KVMPFN_PROT_EXEC) ? VM_EXEC : 0);
}

int kvmpfn_host_mmap(struct kvmpfn_sim *sim,
		     const struct kvmpfn_mmap_args *args)
{
	static const enum kvmpfn_backing kinds[] = {
		[KVMPFN_MAP_ANON] = KVMPFN_BACK_ANON,
		[KVMPFN_MAP_FILE] = KVMPFN_BACK_FILE,
		[KVMPFN_MAP_PFNMAP] = KVMPFN_BACK_PFNMAP,
		[KVMPFN_MAP_IO] = KVMPFN_BACK_IO,
		[KVMPFN_MAP_MIXEDMAP] = KVMPFN_BACK_MIXEDMAP,
	};
	struct kvmpfn_mapping m = { 0 };

	if ((unsigned int)args->kind > KVMPFN_MAP_MIXEDMAP ||
	    (args->prot & ~(KVMPFN_PROT_READ | KVMPFN_PROT_WRITE |
			    KVMPFN_PROT_EXEC)))
		return -EINVAL;
	m.kind = kinds[args->kind];
	m.thp = args->thp;
	m.huge_pfnmap = args->huge;
	if (args->kind != KVMPFN_MAP_ANON) {
		if (!args->object)
			return -EINVAL;
		m.alloc = host_alloc_find(&sim->mm, args->object);
		if (!m.alloc)
			return -ENOENT;
	} else if (args->object) {
		return -EINVAL;
	}
	step(sim);
	return done(sim, host_mmap(&sim->mm, args->hva, args->len,
				   prot_to_vm(args->prot) |
				   (args->shared ? VM_SHARED : 0),
				   m, args->pgoff));
}

int kvmpfn_host_munmap(struct kvmpfn_sim *sim, uint64_t hva, uint64_t len)
{
	step(sim);
	return done(sim, host_munmap(&sim->mm, hva, len));
}

int kvmpfn_host_mprotect(struct kvmpfn_sim *sim, uint64_t hva, uint64_t len,
			 unsigned int prot)
{
	if (prot & ~(KVMPFN_PROT_READ | KVMPFN_PROT_WRITE | KVMPFN_PROT_EXEC))
		return -EINVAL;
	step(sim);
	return done(sim, host_mprotect(&sim->mm, hva, len, prot_to_vm(prot)));
}

int kvmpfn_host_touch(struct kvmpfn_sim *sim, uint64_t hva, bool write)
{
	struct vm_area_struct *vma = host_vma_find(&sim->mm, hva);

	if (!vma)
		return -EFAULT;
	step(sim);
	return done(sim, host_handle_fault(&sim->mm, vma, hva, write));
}

int kvmpfn_host_migrate(struct kvmpfn_sim *sim, uint64_t hva)
{
	step(sim);
	return done(sim, host_migrate(&sim->mm, hva));
}

int kvmpfn_host_thp_split(struct kvmpfn_sim *sim, uint64_t hva)
{
	step(sim);
	return done(sim, host_thp_split(&sim->mm, hva));
}

int kvmpfn_host_thp_collapse(struct kvmpfn_sim *sim, uint64_t hva)
{
	step(sim);
	return done(sim, host_thp_collapse(&sim->mm, hva));
}

int kvmpfn_host_translate(struct kvmpfn_sim *sim, uint64_t hva,
			  uint64_t *pfn, bool *writable)
{
	unsigned long p;
	u64 pte = hpt_lookup(&sim->mm, hva, NULL, &p);

	if (!pte)
		return -ENOENT;
	*pfn = p;
	if (writable)
		*writable = pte & HPTE_WRITE;
	return 0;
}

int kvmpfn_page_state(struct kvmpfn_sim *sim, uint64_t pfn,
		      struct kvmpfn_page_state *st)
{
	struct page *p = host_pfn_to_page(&sim->mm, pfn);
	struct kvmpfn_alloc buf;

	memset(st, 0, sizeof(*st));
	if (!p)
		return host_alloc_of_pfn(&sim->mm, pfn, &buf) ? 0 : -ENOENT;
	st->has_page = true;
	st->refcount = host_folio_head(p)->_refcount;
	st->kvm_refs = host_folio_head(p)->kvm_refs;
	st->reserved = PageReserved(p);
	st->zone_device = kshim_page_flag(p, PG_zone_device);
	/* folio flags: a tail reads its head's, as PageDirty() does */
	st->dirty = host_folio_flag(p, PG_dirty);
	st->accessed = host_folio_flag(p, PG_referenced);
	st->freed = kshim_page_flag(p, PG_free);
	return 0;
}

int kvmpfn_memslot(struct kvmpfn_sim *sim, enum kvmpfn_slot_op op,
		   const struct kvmpfn_memslot_args *args)
{
	int r;

	if ((unsigned int)op > KVMPFN_SLOT_FLAGS || !args)
		return -EINVAL;
	step(sim);
	kvm_ctx_enter(sim);
	r = kvm_memslots_apply(sim, op, args);
	kvm_ctx_leave(sim);
	return done(sim, r);
}

/*
 * A guest access: a retried fault returns to the guest, which executes the
 * access again, so a few attempts are one access.  The first attempt can
 * itself race with a host change it caused (GUP breaking COW).
 */
int kvmpfn_fault(struct kvmpfn_sim *sim, int vcpu, uint64_t gfn, bool write)
{
	int r, tries = 0;

	step(sim);
	do {
		r = kvm_fault_begin(sim, vcpu, gfn, write);
		if (!r)
			r = kvm_fault_finish(sim, vcpu);
	} while (r == -EAGAIN && ++tries < KVMPFN_FAULT_TRIES);
	return done(sim, r);
}

int kvmpfn_fault_begin(struct kvmpfn_sim *sim, int vcpu, uint64_t gfn,
		       bool write)
{
	step(sim);
	return done(sim, kvm_fault_begin(sim, vcpu, gfn, write));
}

int kvmpfn_fault_finish(struct kvmpfn_sim *sim, int vcpu)
{
	step(sim);
	return done(sim, kvm_fault_finish(sim, vcpu));
}

int kvmpfn_invalidate_begin(struct kvmpfn_sim *sim, uint64_t hva,
			    uint64_t len)
{
	return kvmpfn_invalidate_begin_migrate(sim, hva, len, false);
}

/*
 * The host cannot change part of a huge mapping in place: it splits or
 * zaps the whole leaf first, under a notifier for the whole of it
 * (__split_huge_pmd(), zap_huge_pmd()), and KVM's invalidation range is
 * the union of the open ones.  An invalidation that starts or ends inside
 * a huge host leaf therefore covers that leaf; otherwise a fault on the
 * leaf's other pages could map it huge over the range being changed
 * (x86 and the kernel check only the faulting gfn).
 */
static void widen_to_huge_leaves(struct kvmpfn_sim *sim, uint64_t *hva,
				 uint64_t *len)
{
	uint64_t start = *hva, end = *hva + *len, size;
	int level;

	if (hpt_lookup(&sim->mm, start, &level, NULL) && level > 1) {
		size = 1ULL << (PAGE_SHIFT + 9 * (level - 1));
		start &= ~(size - 1);
	}
	if (hpt_lookup(&sim->mm, end - 1, &level, NULL) && level > 1) {
		size = 1ULL << (PAGE_SHIFT + 9 * (level - 1));
		end = (end + size - 1) & ~(size - 1);
	}
	*hva = start;
	*len = end - start;
}

int kvmpfn_invalidate_begin_migrate(struct kvmpfn_sim *sim, uint64_t hva,
				    uint64_t len, bool migrate)
{
	/* the mm only ever notifies whole pages */
	if (!len || ((hva | len) & ~PAGE_MASK) || hva + len < hva ||
	    hva + len > PAGE_OFFSET || sim->nr_open_inval >= KVMPFN_MAX_INVAL)
		return -EINVAL;
	step(sim);
	widen_to_huge_leaves(sim, &hva, &len);
	sim->open_inval_migrate[sim->nr_open_inval] = migrate;
	sim->open_inval[sim->nr_open_inval][0] = hva;
	sim->open_inval[sim->nr_open_inval][1] = hva + len;
	sim->nr_open_inval++;
	mmu_notifier_invalidate_range_start(&sim->mm, hva, hva + len);
	return done(sim, 0);
}

static void invalidate_end_innermost(struct kvmpfn_sim *sim)
{
	sim->nr_open_inval--;
	if (sim->open_inval_migrate[sim->nr_open_inval])
		host_migrate_range_locked(&sim->mm,
					  sim->open_inval[sim->nr_open_inval][0],
					  sim->open_inval[sim->nr_open_inval][1]);
	mmu_notifier_invalidate_range_end(&sim->mm,
					  sim->open_inval[sim->nr_open_inval][0],
					  sim->open_inval[sim->nr_open_inval][1]);
}

int kvmpfn_invalidate_end(struct kvmpfn_sim *sim)
{
	if (!sim->nr_open_inval)
		return -EINVAL;
	step(sim);
	invalidate_end_innermost(sim);
	return done(sim, 0);
}

void kvmpfn_wait(struct kvmpfn_sim *sim)
{
	step(sim);
	kvm_model_resched(sim);
	done(sim, 0);
}

void kvm_model_resched(struct kvmpfn_sim *sim)
{
	while (sim->nr_open_inval)
		invalidate_end_innermost(sim);
}

int kvmpfn_age(struct kvmpfn_sim *sim, uint64_t hva, uint64_t len)
{
	step(sim);
	return done(sim, mmu_notifier_clear_young(&sim->mm, hva, hva + len));
}

/* Every pfncache operation finds its cache here: the checker's "used". */
static struct gfn_to_pfn_cache *gpc_get(struct kvmpfn_sim *sim, int idx)
{
	if (idx < 0 || idx >= KVMPFN_MAX_GPC)
		return NULL;
	sim->gpc_used |= 1U << idx;
	return &sim->gpc[idx];
}

int kvmpfn_gpc_activate(struct kvmpfn_sim *sim, int idx, uint64_t gpa)
{
	struct gfn_to_pfn_cache *gpc = gpc_get(sim, idx);
	int r;

	/* KVM never asks for INVALID_GPA; the cache warns if it is asked */
	if (!gpc || kvm_is_error_gpa(gpa))
		return -EINVAL;
	step(sim);
	kvm_ctx_enter(sim);
	r = sim->ops->gpc_activate(gpc, gpa, 8);
	kvm_ctx_leave(sim);
	return done(sim, r);
}

int kvmpfn_gpc_activate_hva(struct kvmpfn_sim *sim, int idx, uint64_t hva)
{
	struct gfn_to_pfn_cache *gpc = gpc_get(sim, idx);
	int r;

	if (!gpc)
		return -EINVAL;
	step(sim);
	kvm_ctx_enter(sim);
	r = sim->ops->gpc_activate_hva(gpc, (unsigned long)hva, 8);
	kvm_ctx_leave(sim);
	return done(sim, r);
}

int kvmpfn_gpc_refresh(struct kvmpfn_sim *sim, int idx)
{
	struct gfn_to_pfn_cache *gpc = gpc_get(sim, idx);
	int r;

	/*
	 * A cache never activated has neither a gpa nor an hva to refresh
	 * from; KVM never refreshes one (the kernel warns), so neither does
	 * the model: the caller gets the -EINVAL an inactive cache gives.
	 */
	if (!gpc || (kvm_is_error_gpa(gpc->gpa) && kvm_is_error_hva(gpc->uhva)))
		return -EINVAL;
	step(sim);
	kvm_ctx_enter(sim);
	r = sim->ops->gpc_refresh(gpc, 8);
	kvm_ctx_leave(sim);
	return done(sim, r);
}

int kvmpfn_gpc_check(struct kvmpfn_sim *sim, int idx)
{
	struct gfn_to_pfn_cache *gpc = gpc_get(sim, idx);

	if (!gpc)
		return -EINVAL;
	kvm_ctx_enter(sim);
	read_lock(&gpc->lock);
	idx = sim->ops->gpc_check(gpc, 8);
	read_unlock(&gpc->lock);
	kvm_ctx_leave(sim);
	return idx;
}

int kvmpfn_gpc_deactivate(struct kvmpfn_sim *sim, int idx)
{
	struct gfn_to_pfn_cache *gpc = gpc_get(sim, idx);

	if (!gpc)
		return -EINVAL;
	step(sim);
	kvm_ctx_enter(sim);
	sim->ops->gpc_deactivate(gpc);
	kvm_ctx_leave(sim);
	return done(sim, 0);
}

int kvmpfn_vcpu_map(struct kvmpfn_sim *sim, int idx, uint64_t gfn)
{
	struct kvm_vcpu vcpu = { .kvm = &sim->kvm };
	int r;

	if (idx < 0 || idx >= KVMPFN_MAX_MAPS || sim->maps[idx].hva)
		return -EINVAL;
	step(sim);
	sim->maps_used |= 1U << idx;
	kvm_ctx_enter(sim);
	r = sim->ops->vcpu_map(&vcpu, gfn, &sim->maps[idx]);
	sim->map_holds_ref[idx] = !r &&
				  sim->ops->map_holds_ref(&sim->maps[idx]);
	kvm_ctx_leave(sim);
	return done(sim, r);
}

int kvmpfn_gfn_to_page(struct kvmpfn_sim *sim, uint64_t gfn)
{
	struct page *page;
	int r = 0;

	step(sim);
	kvm_ctx_enter(sim);
	if (sim->arch->page_access) {
		r = sim->arch->page_access(sim, gfn);
	} else {
		page = sim->ops->gfn_to_page(&sim->kvm, gfn);
		if (is_error_page(page))
			r = -EFAULT;
		else
			sim->ops->release_page_clean(page);
	}
	kvm_ctx_leave(sim);
	return done(sim, r);
}

int kvmpfn_vcpu_unmap(struct kvmpfn_sim *sim, int idx, bool dirty)
{
	struct kvm_vcpu vcpu = { .kvm = &sim->kvm };

	if (idx < 0 || idx >= KVMPFN_MAX_MAPS || !sim->maps[idx].hva)
		return -EINVAL;
	step(sim);
	kvm_ctx_enter(sim);
	sim->ops->vcpu_unmap(&vcpu, &sim->maps[idx], dirty);
	sim->map_holds_ref[idx] = false;
	kvm_ctx_leave(sim);
	return done(sim, 0);
}

int kvmpfn_pfn_name(struct kvmpfn_sim *sim, uint64_t pfn, char *buf,
		    size_t len)
{
	struct kvmpfn_alloc desc, *a = host_alloc_of_pfn(&sim->mm, pfn, &desc);

	if (!a)
		return -ENOENT;
	snprintf(buf, len, "%s+%llu", a->name[0] ? a->name : "anon",
		 (unsigned long long)(pfn - a->pfn));
	return 0;
}

unsigned int kvmpfn_sim_steps(const struct kvmpfn_sim *sim)
{
	return sim->step;
}

void kvmpfn_step_refs(const struct kvmpfn_sim *sim, unsigned int *gets,
		      unsigned int *puts)
{
	*gets = sim->step_gets;
	*puts = sim->step_puts;
}

int kvmpfn_leaf(struct kvmpfn_sim *sim, int as_id, uint64_t gfn,
		struct kvmpfn_leaf *leaf)
{
	struct kvmpfn_leaf_view v;
	int r;

	if (as_id < 0 || as_id >= KVM_ADDRESS_SPACE_NUM)
		return -EINVAL;
	kvm_ctx_enter(sim);
	r = sim->arch->lookup(sim, as_id, gfn, &v);
	kvm_ctx_leave(sim);
	if (r)
		return r;
	leaf->gfn = v.gfn;
	leaf->pfn = v.pfn + (gfn - v.gfn);
	leaf->level = v.level;
	leaf->writable = v.writable;
	leaf->refcounted = v.refcounted;
	leaf->accessed = v.accessed;
	leaf->dirty = v.dirty;
	return 0;
}

int kvmpfn_memslot_info(struct kvmpfn_sim *sim, int as_id, int id,
			struct kvmpfn_memslot_args *out)
{
	struct kvm_memory_slot *slot;

	if (as_id < 0 || as_id >= KVM_ADDRESS_SPACE_NUM || id < 0 ||
	    id >= KVM_MEM_SLOTS_NUM)
		return -EINVAL;
	slot = kvm_memslot_by_id(&sim->kvm, as_id, id);
	if (!slot)
		return -ENOENT;
	out->as_id = as_id;
	out->id = id;
	out->gfn = slot->base_gfn;
	out->npages = slot->npages;
	out->hva = slot->userspace_addr;
	out->flags = slot->flags & (KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY);
	return 0;
}

int kvmpfn_dirty_log(struct kvmpfn_sim *sim, int as_id, int id,
		     uint64_t *bitmap, uint64_t bits, bool clear)
{
	struct kvm_memory_slot *slot;
	u64 i;

	if (as_id < 0 || as_id >= KVM_ADDRESS_SPACE_NUM || id < 0 ||
	    id >= KVM_MEM_SLOTS_NUM)
		return -EINVAL;
	slot = kvm_memslot_by_id(&sim->kvm, as_id, id);
	if (!slot)
		return -ENOENT;
	if (!slot->dirty_bitmap)
		return -EINVAL;		/* logging is off, as the kernel says */
	step(sim);
	for (i = 0; i < (bits + 63) / 64; i++)
		bitmap[i] = 0;
	for (i = 0; i < bits && i < slot->npages; i++)
		if ((slot->dirty_bitmap[i / BITS_PER_LONG] >>
		     (i % BITS_PER_LONG)) & 1)
			bitmap[i / 64] |= 1ULL << (i % 64);
	if (clear) {
		memset(slot->dirty_bitmap, 0,
		       (slot->npages + BITS_PER_LONG - 1) / BITS_PER_LONG *
		       sizeof(unsigned long));
		kvm_ctx_enter(sim);
		sim->arch->clear_dirty(sim, slot);
		kvm_ctx_leave(sim);
	}
	return done(sim, 0);
}
