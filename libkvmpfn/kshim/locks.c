// SPDX-License-Identifier: GPL-2.0
/*
 * kshim: lock state.  Only one simulated context runs at a time, so a
 * conflicting acquisition can never be waited out: it is reported as the
 * deadlock it would be.
 */
#include <linux/bug.h>
#include <linux/spinlock.h>

void read_lock(rwlock_t *lock)
{
	WARN_ON(lock->writer);
	lock->readers++;
}

void read_unlock(rwlock_t *lock)
{
	if (!WARN_ON(lock->readers <= 0))
		lock->readers--;
}

void write_lock(rwlock_t *lock)
{
	WARN_ON(lock->writer || lock->readers);
	lock->writer = true;
}

void write_unlock(rwlock_t *lock)
{
	WARN_ON(!lock->writer);
	lock->writer = false;
}

bool kshim_lock_held(const rwlock_t *lock)
{
	return lock->writer || lock->readers;
}

void kshim_lockdep_assert_held(const rwlock_t *lock, const char *file,
			       int line)
{
	kshim_warn(!kshim_lock_held(lock), file, line, "lock not held");
}
