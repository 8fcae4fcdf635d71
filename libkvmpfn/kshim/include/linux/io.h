/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: memremap(), the kernel mapping of memory without struct page
 * (kvm_vcpu_map, the pfncache).  Tracked like kmap() (<linux/highmem.h>);
 * both calls may sleep.
 */
#ifndef KVMPFN_KSHIM_LINUX_IO_H
#define KVMPFN_KSHIM_LINUX_IO_H

#include <linux/types.h>

#define MEMREMAP_WB	1

void *memremap(phys_addr_t offset, size_t size, unsigned long flags);
void memunmap(void *addr);

#endif
