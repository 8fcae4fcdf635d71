/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: kernel mappings of struct pages.  The model hands out a
 * recognisable address per mapping and tracks which are live, so the
 * checker can see every kernel mapping KVM holds (I19).  Both calls may
 * sleep, as kmap() and a highmem kunmap() do.
 */
#ifndef KVMPFN_KSHIM_LINUX_HIGHMEM_H
#define KVMPFN_KSHIM_LINUX_HIGHMEM_H

#include <linux/mm.h>

void *kmap(struct page *page);
void kunmap(struct page *page);

#endif
