/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: scope-based cleanup, the guard() half of the kernel's
 * <linux/cleanup.h>.  It rests on the cleanup variable attribute, which gcc
 * and clang both have: the guard variable's destructor runs when it goes
 * out of scope, whichever way the scope is left.
 *
 * DEFINE_GUARD(name, type, lock, unlock) makes guard(name)(arg) take the
 * lock on arg (named _T inside @lock and @unlock) and drop it at the end
 * of the enclosing scope.
 */
#ifndef KVMPFN_KSHIM_LINUX_CLEANUP_H
#define KVMPFN_KSHIM_LINUX_CLEANUP_H

#include <linux/compiler.h>

/* clang counts a variable only its cleanup reads as unused */
#define __cleanup(fn)	__maybe_unused __attribute__((__cleanup__(fn)))

#define DEFINE_GUARD(_name, _type, _lock, _unlock)			\
typedef _type class_##_name##_t;					\
static inline void class_##_name##_destructor(_type *_p)		\
{									\
	_type _T = *_p;							\
									\
	if (_T) {							\
		_unlock;						\
	}								\
}									\
static inline _type class_##_name##_constructor(_type _T)		\
{									\
	_lock;								\
	return _T;							\
}

#define guard(_name)							\
	class_##_name##_t __UNIQUE_ID(guard)				\
	__cleanup(class_##_name##_destructor) =				\
	class_##_name##_constructor

#endif
