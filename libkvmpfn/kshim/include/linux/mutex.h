/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: mutexes.  A mutex really locks and unlocks: its lockdep state
 * says who holds it, so lockdep_assert_held() works on it.  Taking it may
 * sleep, so it warns in atomic context; taking it while it is held warns
 * too, because with one simulated context the holder could never run to
 * release it.  guard(mutex)(&m) holds it to the end of the scope.
 */
#ifndef KVMPFN_KSHIM_LINUX_MUTEX_H
#define KVMPFN_KSHIM_LINUX_MUTEX_H

#include <linux/cleanup.h>
#include <linux/lockdep.h>
#include <linux/types.h>

struct mutex {
	struct lockdep_map dep_map;
};

static inline void mutex_init(struct mutex *lock)
{
	*lock = (struct mutex){ 0 };
}

void mutex_lock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);

static inline bool mutex_is_locked(struct mutex *lock)
{
	return lock->dep_map.writer;
}

DEFINE_GUARD(mutex, struct mutex *, mutex_lock(_T), mutex_unlock(_T))

#endif
