/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: user-pointer range checks.  The simulated user address space
 * ends at PAGE_OFFSET, where KVM's error hvas begin (<linux/mm.h>).
 */
#ifndef KVMPFN_KSHIM_LINUX_UACCESS_H
#define KVMPFN_KSHIM_LINUX_UACCESS_H

#include <linux/compiler.h>
#include <linux/mm.h>

#define TASK_SIZE_MAX	PAGE_OFFSET

/* The whole range [addr, addr + size) lies in user space. */
static inline bool __access_ok(const void __user *ptr, unsigned long size)
{
	unsigned long addr = (unsigned long)ptr;

	return size <= TASK_SIZE_MAX && addr <= TASK_SIZE_MAX - size;
}

#define access_ok(addr, size)	likely(__access_ok(addr, size))

#endif
