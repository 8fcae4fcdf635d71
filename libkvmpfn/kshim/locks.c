// SPDX-License-Identifier: GPL-2.0
/*
 * kshim: lock state.  Only one simulated context runs at a time, so a
 * conflicting acquisition can never be waited out: it is reported as the
 * deadlock it would be.  Spinning locks count towards the running task's
 * atomic depth, which might_sleep() checks; mutexes may be slept under.
 */
#include <linux/bug.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

static void atomic_enter(void)
{
	if (current)
		current->kshim_atomic++;
}

static void atomic_leave(void)
{
	if (current && !WARN_ON(current->kshim_atomic <= 0))
		current->kshim_atomic--;
}

int kshim_atomic_depth(void)
{
	return current ? current->kshim_atomic : 0;
}

/* Exclusive acquisition of any lock kind: a held lock is a deadlock. */
static void take_exclusive(struct lockdep_map *map)
{
	WARN_ON(map->writer || map->readers);
	map->writer = true;
}

/* Exclusive release; false if the lock was not held that way. */
static bool drop_exclusive(struct lockdep_map *map)
{
	if (WARN_ON(!map->writer))
		return false;
	map->writer = false;
	return true;
}

void spin_lock(spinlock_t *lock)
{
	take_exclusive(&lock->dep_map);
	atomic_enter();
}

void spin_unlock(spinlock_t *lock)
{
	if (drop_exclusive(&lock->dep_map))
		atomic_leave();
}

void read_lock(rwlock_t *lock)
{
	WARN_ON(lock->dep_map.writer);
	lock->dep_map.readers++;
	atomic_enter();
}

void read_unlock(rwlock_t *lock)
{
	if (WARN_ON(lock->dep_map.readers <= 0))
		return;
	lock->dep_map.readers--;
	atomic_leave();
}

void write_lock(rwlock_t *lock)
{
	take_exclusive(&lock->dep_map);
	atomic_enter();
}

void write_unlock(rwlock_t *lock)
{
	if (drop_exclusive(&lock->dep_map))
		atomic_leave();
}

void mutex_lock(struct mutex *lock)
{
	might_sleep();
	take_exclusive(&lock->dep_map);
}

void mutex_unlock(struct mutex *lock)
{
	drop_exclusive(&lock->dep_map);
}

void kshim_lockdep_failed(const char *file, int line, const char *what)
{
	kshim_warn(true, file, line, what);
}
