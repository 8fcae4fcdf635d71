/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: the kernel configuration the model stands for.  The kernel build
 * force-includes its configuration; stage units get this file the same way
 * (kvmpfn_stage.h), so that #ifdef CONFIG_ blocks in the core and in the
 * tree's own functions resolve as on a 64-bit host with device memory.
 */
#ifndef KVMPFN_KSHIM_LINUX_KCONFIG_H
#define KVMPFN_KSHIM_LINUX_KCONFIG_H

/* memremap() exists: pfns without struct page can be mapped (kvm_vcpu_map) */
#define CONFIG_HAS_IOMEM	1
#define CONFIG_64BIT		1

#endif
