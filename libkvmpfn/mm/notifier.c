// SPDX-License-Identifier: GPL-2.0
/*
 * mmu_notifier dispatch.  The model's address space has one subscriber,
 * the struct kvm, registered like kvm_init_mmu_notifier() does.
 */
#include "host_mm.h"

void mmu_notifier_register_model(struct mm_struct *mm,
				 const struct mmu_notifier_ops *ops,
				 void *priv)
{
	mm->mn_ops = ops;
	mm->mn_priv = priv;
}

void mmu_notifier_invalidate_range_start(struct mm_struct *mm,
					 unsigned long start,
					 unsigned long end)
{
	if (mm->mn_ops && mm->mn_ops->invalidate_range_start)
		mm->mn_ops->invalidate_range_start(mm->mn_priv, start, end);
}

void mmu_notifier_invalidate_range_end(struct mm_struct *mm,
				       unsigned long start, unsigned long end)
{
	if (mm->mn_ops && mm->mn_ops->invalidate_range_end)
		mm->mn_ops->invalidate_range_end(mm->mn_priv, start, end);
}

bool mmu_notifier_clear_young(struct mm_struct *mm, unsigned long start,
			      unsigned long end)
{
	if (mm->mn_ops && mm->mn_ops->clear_young)
		return mm->mn_ops->clear_young(mm->mn_priv, start, end);
	return false;
}
