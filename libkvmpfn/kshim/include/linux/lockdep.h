/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: lock state for the lockdep assertions.  The model runs one
 * simulated context at a time, so a lock is nothing but who holds it and
 * how.  Every lock type (spinlock_t, rwlock_t, struct mutex) embeds a
 * struct lockdep_map named dep_map, as a lockdep kernel's locks do, so one
 * set of assertions serves all of them and a missing lock is a WARN.
 */
#ifndef KVMPFN_KSHIM_LINUX_LOCKDEP_H
#define KVMPFN_KSHIM_LINUX_LOCKDEP_H

#include <linux/types.h>

struct lockdep_map {
	int readers;		/* shared holders (read_lock) */
	bool writer;		/* an exclusive holder */
};

static inline bool kshim_dep_held(const struct lockdep_map *map)
{
	return map->writer || map->readers;
}

void kshim_lockdep_failed(const char *file, int line, const char *what);

/* An assertion that holds, the common case, costs a test and no call. */
static inline void kshim_lockdep_assert(bool ok, const char *file, int line,
					const char *what)
{
	if (__builtin_expect(!ok, 0))
		kshim_lockdep_failed(file, line, what);
}

/* Any lock of the kinds above, held in any mode. */
#define kshim_lock_held(l)	kshim_dep_held(&(l)->dep_map)
#define lockdep_is_held(l)	kshim_lock_held(l)

#define lockdep_assert_once(c)						\
	kshim_lockdep_assert((c), __FILE__, __LINE__, "assertion failed: " #c)
#define lockdep_assert_held(l)						\
	kshim_lockdep_assert(kshim_lock_held(l), __FILE__, __LINE__,	\
			     "lock not held: " #l)
#define lockdep_assert_held_write(l)					\
	kshim_lockdep_assert((l)->dep_map.writer, __FILE__, __LINE__,	\
			     "lock not held for write: " #l)
#define lockdep_assert_held_read(l)					\
	kshim_lockdep_assert((l)->dep_map.readers > 0, __FILE__,	\
			     __LINE__, "lock not held for read: " #l)
#define lockdep_assert_not_held(l)					\
	kshim_lockdep_assert(!kshim_lock_held(l), __FILE__, __LINE__,	\
			     "lock held: " #l)

#endif
