/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: rounding to a power-of-two alignment.
 */
#ifndef KVMPFN_KSHIM_LINUX_ALIGN_H
#define KVMPFN_KSHIM_LINUX_ALIGN_H

#define ALIGN(x, a)							\
	(((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)

#endif
