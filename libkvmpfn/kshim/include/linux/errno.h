/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: the kernel's errno numbers.  They are spelled out rather than
 * taken from the C library so that the model returns the same values on
 * every host (macOS numbers EAGAIN differently and has no EHWPOISON).
 */
#ifndef KVMPFN_KSHIM_LINUX_ERRNO_H
#define KVMPFN_KSHIM_LINUX_ERRNO_H

#define EPERM		1
#define ENOENT		2
#define EINTR		4
#define EIO		5
#define E2BIG		7
#define EAGAIN		11
#define ENOMEM		12
#define EACCES		13
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define EINVAL		22
#define ENOSPC		28
#define ERANGE		34
#define ENOSYS		38
#define EHWPOISON	133

#endif
