// SPDX-License-Identifier: GPL-2.0
/*
 * A guest fault, split in two so a scenario can run other operations while
 * it is in flight: begin (up to the resolved pfn) and finish (lock, retry
 * check, install, release).  What happens in each half is the selected
 * architecture's; this file only keeps the per-vCPU bookkeeping.
 */
#include <string.h>

#include "kvm_model.h"

/*
 * Test-only seam: the reference MMU's install skips its sequence check, so
 * that a test can show which scenario only that check catches (set through
 * kvmpfn_test_ref_seam_no_retry(), declared in the tests alone).
 */
static bool ref_seam_no_retry;

void kvmpfn_test_ref_seam_no_retry(bool on);
void kvmpfn_test_ref_seam_no_retry(bool on)
{
	ref_seam_no_retry = on;
}

bool kvmpfn_ref_seam_no_retry(void)
{
	return ref_seam_no_retry;
}

static const char *const ref_seam_names[] = { "ref-no-retry" };

static void ref_seam_set(unsigned int i, bool on)
{
	if (!i)
		kvmpfn_test_ref_seam_no_retry(on);
}

const struct kvmpfn_arch_seams kvmpfn_ref_seam_table = {
	.names = ref_seam_names, .n = 1, .set = ref_seam_set,
};

static int pfn_error(kvm_pfn_t pfn)
{
	if (pfn == KVM_PFN_NOSLOT)
		return -ENOENT;
	if (pfn == KVM_PFN_ERR_HWPOISON)
		return -EHWPOISON;
	if (pfn == KVM_PFN_ERR_RO_FAULT)
		return -EACCES;
	if (pfn == KVM_PFN_ERR_SIGPENDING)
		return -EINTR;
	return -EFAULT;
}

/*
 * One half of a fault attempt, with the dirty records it made judged (and
 * consumed) at its end.
 */
static int fault_half(struct kvmpfn_sim *sim, struct kvmpfn_fault *f,
		      int (*half)(struct kvmpfn_sim *, struct kvmpfn_fault *))
{
	int r;

	kvm_ctx_enter(sim);
	sim->faulting = f;
	r = half(sim, f);
	sim->faulting = NULL;
	kvm_ctx_leave(sim);
	/* nothing recorded (checks off, a clean attempt): nothing to judge */
	if (sim->nr_fault_dirty || sim->nr_fault_unmapped)
		check_fault_dirty(sim, f);
	return r;
}

int kvm_fault_begin(struct kvmpfn_sim *sim, int vcpu, gfn_t gfn, bool write)
{
	struct kvmpfn_fault *f;
	struct kvm_memory_slot *slot;
	int r;

	if (vcpu < 0 || vcpu >= KVMPFN_MAX_VCPUS)
		return -EINVAL;
	f = &sim->inflight[vcpu];
	if (f->active)
		return -EBUSY;

	slot = gfn_to_memslot(&sim->kvm, gfn);
	if (!slot)
		return -ENOENT;

	memset(f, 0, sizeof(*f));
	f->vcpu = vcpu;
	f->gfn = gfn;
	f->write = write;
	f->slot = slot;
	f->line = sim->line;
	f->info.pfn = KVM_PFN_ERR_FAULT;

	r = fault_half(sim, f, sim->arch->fault_begin);
	if (r)
		return r;
	if (is_error_noslot_pfn(f->info.pfn))
		return pfn_error(f->info.pfn);
	/*
	 * B15 (03b755b2aa48, the e500 shape): writability taken from the
	 * guest side (its TLB entry; here: a memslot that is not read-only)
	 * instead of from the host, so a read fault on a read-only host page
	 * maps it writable.  The architectures that map what f->info says
	 * carry it from here; ppc builds its leaf from the host PTE and
	 * carries it in its own fault path.
	 */
	if (sim->bug == KVMPFN_B15 && !(f->slot->flags & KVM_MEM_READONLY))
		f->info.writable = true;
	/* until finish, the fault holds what it looked up */
	f->active = true;
	return 0;
}

/* KVMPFN_SEAM_KEEP_REF: the fault keeps a reference on what it mapped */
static void seam_keep_ref(struct kvmpfn_sim *sim, struct kvmpfn_fault *f)
{
	struct page *page = host_pfn_to_page(&sim->mm, f->info.pfn);

	if (!page || PageReserved(page) || !page_count(page))
		return;
	kvm_ctx_enter(sim);
	get_page(page);
	kvm_ctx_leave(sim);
}

int kvm_fault_finish(struct kvmpfn_sim *sim, int vcpu)
{
	struct kvmpfn_fault *f;
	struct page *page;
	int r;

	if (vcpu < 0 || vcpu >= KVMPFN_MAX_VCPUS)
		return -EINVAL;
	f = &sim->inflight[vcpu];
	if (!f->active)
		return -EINVAL;
	f->active = false;
	/* final: the page GUP returned, alive until the finish drops it */
	page = f->info.page;

	r = fault_half(sim, f, sim->arch->fault_finish);
	if (!r && page)
		check_fault_ad(sim, f, page);
	if (!r && sim->seam == KVMPFN_SEAM_KEEP_REF)
		seam_keep_ref(sim, f);
	return r;
}
