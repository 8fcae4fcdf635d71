// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's mmu_notifier subscriber: invalidation begin/end with the sequence
 * count, the in-progress count and the gfn range the fault path retries
 * on, the pfncache invalidation that runs before mmu_lock is taken, and
 * aging.  As in the kernel, begin and end touch the counters only when
 * the hva range hits a memslot, which is why memslot updates must wait
 * for open invalidations (see memslots.c).
 */
#include "kvm_model.h"

/*
 * Call @fn on every gfn range of a memslot that [start, end) hits; true if
 * any was hit (or, with @fn, if any call returned true).
 */
static bool for_each_hit(struct kvmpfn_sim *sim, unsigned long start,
			 unsigned long end,
			 bool (*fn)(struct kvmpfn_sim *, int, gfn_t, gfn_t))
{
	bool ret = false;
	int as, i;

	for (as = 0; as < KVM_ADDRESS_SPACE_NUM; as++) {
		struct kvm_memslots *s = &sim->kvm.memslots[as];

		for (i = 0; i < s->nr_slots; i++) {
			struct kvm_memory_slot *slot = s->by_gfn[i];
			unsigned long s0 = slot->userspace_addr;
			unsigned long s1 = s0 + (slot->npages << PAGE_SHIFT);
			unsigned long a = start > s0 ? start : s0;
			unsigned long b = end < s1 ? end : s1;

			if (a >= b)
				continue;
			if (!fn)
				return true;
			ret |= fn(sim, as,
				  slot->base_gfn + ((a - s0) >> PAGE_SHIFT),
				  slot->base_gfn +
				  ((b - s0 + PAGE_SIZE - 1) >> PAGE_SHIFT));
		}
	}
	return ret;
}

static bool unmap_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
			    gfn_t end)
{
	struct kvm *kvm = &sim->kvm;

	if (start < kvm->mmu_invalidate_range_start)
		kvm->mmu_invalidate_range_start = start;
	if (end > kvm->mmu_invalidate_range_end)
		kvm->mmu_invalidate_range_end = end;
	/* a leaf the arch failed to zap must still be checked */
	check_touch(sim, as_id, start, end);
	if (sim->seam == KVMPFN_SEAM_SKIP_ZAP)
		return false;
	return sim->arch->unmap_gfn_range(sim, as_id, start, end);
}

static bool age_gfn_range(struct kvmpfn_sim *sim, int as_id, gfn_t start,
			  gfn_t end)
{
	return sim->arch->age_gfn_range(sim, as_id, start, end);
}

static void invalidate_range_start(void *priv, unsigned long start,
				   unsigned long end)
{
	struct kvmpfn_sim *sim = priv;
	struct kvm *kvm = &sim->kvm;

	kvm_ctx_enter(sim);
	kvm->mn_active_invalidate_count++;
	sim->ops->gpc_invalidate_start(kvm, start, end);

	if (for_each_hit(sim, start, end, NULL)) {
		write_lock(&kvm->mmu_lock);
		if (++kvm->mmu_invalidate_in_progress == 1) {
			kvm->mmu_invalidate_range_start = INVALID_GPA;
			kvm->mmu_invalidate_range_end = 0;
		}
		if (for_each_hit(sim, start, end, unmap_gfn_range))
			kvm_flush_remote_tlbs(kvm);	/* before the lock drops */
		write_unlock(&kvm->mmu_lock);
	}
	kvm_ctx_leave(sim);
}

static void invalidate_range_end(void *priv, unsigned long start,
				 unsigned long end)
{
	struct kvmpfn_sim *sim = priv;
	struct kvm *kvm = &sim->kvm;
	u32 i, n;

	if (for_each_hit(sim, start, end, NULL)) {
		write_lock(&kvm->mmu_lock);
		kvm->mmu_invalidate_seq++;
		smp_wmb();
		kvm->mmu_invalidate_in_progress--;
		if (kvm->mmu_invalidate_in_progress < 0)
			check_violation(sim, 8, 0, start, 0,
					"mmu_invalidate_in_progress went negative (%ld)",
					kvm->mmu_invalidate_in_progress);
		write_unlock(&kvm->mmu_lock);
	}
	if (--kvm->mn_active_invalidate_count)
		return;

	/* the memslot updates that waited for us go ahead now */
	n = sim->nr_pending;
	sim->nr_pending = 0;
	for (i = 0; i < n; i++)
		kvm_memslots_apply(sim, sim->pending[i].op,
				   &sim->pending[i].args);
}

static bool clear_young(void *priv, unsigned long start, unsigned long end)
{
	struct kvmpfn_sim *sim = priv;
	bool young;

	write_lock(&sim->kvm.mmu_lock);
	young = for_each_hit(sim, start, end, age_gfn_range);
	write_unlock(&sim->kvm.mmu_lock);
	return young;
}

static const struct mmu_notifier_ops kvm_mmu_notifier_ops = {
	.invalidate_range_start = invalidate_range_start,
	.invalidate_range_end = invalidate_range_end,
	.clear_young = clear_young,
};

void kvm_init_mmu_notifier(struct kvmpfn_sim *sim)
{
	mmu_notifier_register_model(&sim->mm, &kvm_mmu_notifier_ops, sim);
}
