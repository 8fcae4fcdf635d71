/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: the slice of the KVM userspace API (include/uapi/linux/kvm.h)
 * that the model uses: the memslot flags of KVM_SET_USER_MEMORY_REGION.
 */
#ifndef KVMPFN_KSHIM_LINUX_KVM_H
#define KVMPFN_KSHIM_LINUX_KVM_H

#define KVM_MEM_LOG_DIRTY_PAGES	(1UL << 0)
#define KVM_MEM_READONLY	(1UL << 1)

#endif
