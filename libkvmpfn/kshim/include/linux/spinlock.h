/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: locks.  The model runs one simulated context at a time, so a lock
 * is only its state: who holds it and how.  Taking a lock that is already
 * held in a conflicting mode is a model bug (a deadlock on real hardware)
 * and is reported; lockdep_assert_held() reports a missing lock.
 */
#ifndef KVMPFN_KSHIM_LINUX_SPINLOCK_H
#define KVMPFN_KSHIM_LINUX_SPINLOCK_H

#include <linux/types.h>

typedef struct {
	int readers;
	bool writer;
	const char *name;
} rwlock_t;

void read_lock(rwlock_t *lock);
void read_unlock(rwlock_t *lock);
void write_lock(rwlock_t *lock);
void write_unlock(rwlock_t *lock);
bool kshim_lock_held(const rwlock_t *lock);
void kshim_lockdep_assert_held(const rwlock_t *lock, const char *file,
			       int line);

#define lockdep_assert_held(l)	kshim_lockdep_assert_held(l, __FILE__, __LINE__)
#define lockdep_is_held(l)	kshim_lock_held(l)

#endif
