// SPDX-License-Identifier: GPL-2.0
/*
 * The reference MMU's guest fault, in x86 TDP order: snapshot the
 * invalidation sequence, resolve the pfn through the stage's core, take
 * mmu_lock, back off if an invalidation or a memslot change raced with the
 * lookup, install the leaf, and release what the stage says to release.
 * begin and finish are separate so a scenario can run other operations
 * while a fault is in flight.
 */
#include "kvm_model.h"

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

int kvm_fault_begin(struct kvmpfn_sim *sim, int vcpu, gfn_t gfn, bool write)
{
	struct kvmpfn_fault *f;
	struct kvm_memory_slot *slot;

	if (vcpu < 0 || vcpu >= KVMPFN_MAX_VCPUS)
		return -EINVAL;
	f = &sim->inflight[vcpu];
	if (f->active)
		return -EBUSY;

	slot = gfn_to_memslot(&sim->kvm, gfn);
	if (!slot)
		return -ENOENT;
	if (slot->flags & KVM_MEMSLOT_INVALID)
		return -EAGAIN;

	f->gfn = gfn;
	f->write = write;
	f->slot = slot;
	f->line = sim->line;
	f->root_gen = sim->root_gen;
	f->mmu_seq = sim->kvm.mmu_invalidate_seq;
	smp_rmb();

	kvm_ctx_enter(sim);
	sim->ops->fault_lookup(&sim->kvm, slot, gfn, write, &f->info);
	kvm_ctx_leave(sim);
	if (is_error_noslot_pfn(f->info.pfn))
		return pfn_error(f->info.pfn);
	/* until finish, the fault holds what it looked up */
	f->active = true;
	return 0;
}

int kvm_fault_finish(struct kvmpfn_sim *sim, int vcpu)
{
	struct kvm *kvm = &sim->kvm;
	struct kvmpfn_fault *f;
	struct gmap_leaf leaf = { 0 };
	int r = 0;

	if (vcpu < 0 || vcpu >= KVMPFN_MAX_VCPUS)
		return -EINVAL;
	f = &sim->inflight[vcpu];
	if (!f->active)
		return -EINVAL;
	f->active = false;

	kvm_ctx_enter(sim);
	write_lock(&kvm->mmu_lock);
	/* a memslot delete/move made the root this fault walks obsolete */
	if (f->root_gen != sim->root_gen ||
	    mmu_invalidate_retry_gfn(kvm, f->mmu_seq, f->gfn)) {
		r = -EAGAIN;
		goto out_unlock;
	}

	leaf.gfn = f->gfn;
	leaf.pfn = f->info.pfn;
	leaf.slot_id = f->slot->id;
	leaf.as_id = f->slot->as_id;
	leaf.writable = f->info.writable;
	leaf.refcounted = f->info.refcounted;
	leaf.accessed = true;
	leaf.dirty = f->write && f->info.writable;
	r = gmap_install(&sim->gmap, &leaf);
	if (!r)
		sim->ops->fault_installed(kvm, &f->info, f->write);

out_unlock:
	write_unlock(&kvm->mmu_lock);
	sim->ops->fault_release(kvm, &f->info);
	kvm_ctx_leave(sim);
	return r;
}
