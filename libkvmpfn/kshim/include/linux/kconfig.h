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

/*
 * IS_ENABLED(CONFIG_FOO): 1 if the option is defined as 1, else 0, usable
 * in C expressions.  A defined option pastes into the name of a macro that
 * expands to "0," and so shifts a 1 into the second argument position.
 */
#define KSHIM_CONFIG_ON_1		0,
#define kshim_second(ignored, val, ...)	val
#define kshim_on(junk)			kshim_second(junk 1, 0, 0)
#define kshim_paste_on(val)		kshim_on(KSHIM_CONFIG_ON_##val)
#define IS_ENABLED(option)		kshim_paste_on(option)

#endif
