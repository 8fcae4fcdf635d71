/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: WARN and BUG.  A kernel assertion firing in the model is a
 * finding, so both are routed to the simulator, which records them with
 * the source location and fails the run.  WARN_ON_ONCE warns every time:
 * "once" is a property of a kernel boot, and every simulated run is one.
 */
#ifndef KVMPFN_KSHIM_LINUX_BUG_H
#define KVMPFN_KSHIM_LINUX_BUG_H

#include <linux/compiler.h>
#include <linux/types.h>

bool kshim_warn(bool cond, const char *file, int line, const char *expr);
void kshim_bug(bool cond, const char *file, int line, const char *expr);

/* The common case, a WARN that does not fire, costs a test and no call. */
static inline bool kshim_warn_on(bool cond, const char *file, int line,
				 const char *expr)
{
	if (unlikely(cond))
		kshim_warn(true, file, line, expr);
	return cond;
}

static inline void kshim_bug_on(bool cond, const char *file, int line,
				const char *expr)
{
	if (unlikely(cond))
		kshim_bug(true, file, line, expr);
}

#define WARN_ON(cond)	\
	kshim_warn_on(!!(cond), __FILE__, __LINE__, #cond)
#define WARN_ON_ONCE(cond)	WARN_ON(cond)
#define BUG_ON(cond)	\
	kshim_bug_on(!!(cond), __FILE__, __LINE__, #cond)
#define VM_BUG_ON(cond)		BUG_ON(cond)

#endif
