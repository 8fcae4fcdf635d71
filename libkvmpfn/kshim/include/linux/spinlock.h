/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: spinlocks and rwlocks.  Each is only its lockdep state (see
 * <linux/lockdep.h>).  Taking a lock that is held in a conflicting mode is
 * reported: with one simulated context it can never be released, so it is
 * the deadlock it would be on real hardware.  Holding one of these puts
 * the context in atomic context, where might_sleep() warns.
 *
 * Interrupts are not modelled, so the _irq variants are the plain ones.
 */
#ifndef KVMPFN_KSHIM_LINUX_SPINLOCK_H
#define KVMPFN_KSHIM_LINUX_SPINLOCK_H

#include <linux/lockdep.h>
#include <linux/types.h>

typedef struct {
	struct lockdep_map dep_map;
} spinlock_t;

typedef struct {
	struct lockdep_map dep_map;
} rwlock_t;

static inline void spin_lock_init(spinlock_t *lock)
{
	*lock = (spinlock_t){ 0 };
}

static inline void rwlock_init(rwlock_t *lock)
{
	*lock = (rwlock_t){ 0 };
}

void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
void read_lock(rwlock_t *lock);
void read_unlock(rwlock_t *lock);
void write_lock(rwlock_t *lock);
void write_unlock(rwlock_t *lock);

static inline void read_lock_irq(rwlock_t *lock)
{
	read_lock(lock);
}

static inline void read_unlock_irq(rwlock_t *lock)
{
	read_unlock(lock);
}

static inline void write_lock_irq(rwlock_t *lock)
{
	write_lock(lock);
}

static inline void write_unlock_irq(rwlock_t *lock)
{
	write_unlock(lock);
}

/*
 * Spinning locks the running context holds: non-zero means atomic context
 * (the model's preempt count).
 */
int kshim_atomic_depth(void);

#endif
