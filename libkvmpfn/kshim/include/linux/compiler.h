/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kshim: compiler helpers.  The model is single-threaded per simulator
 * handle, so the memory-ordering primitives only have to keep the
 * compiler honest; the orderings the kernel needs are modelled explicitly
 * by the checker (I7, I14), not by these macros.
 */
#ifndef KVMPFN_KSHIM_LINUX_COMPILER_H
#define KVMPFN_KSHIM_LINUX_COMPILER_H

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define READ_ONCE(x)		(x)
#define WRITE_ONCE(x, val)	((x) = (val))

#define barrier()	__asm__ __volatile__("" ::: "memory")
#define smp_rmb()	barrier()
#define smp_wmb()	barrier()
#define smp_mb()	barrier()

#define __weak		__attribute__((__weak__))
#define __maybe_unused	__attribute__((__unused__))
#define __read_mostly
#define fallthrough	__attribute__((__fallthrough__))

/* Address-space annotations are for sparse; the compiler ignores them. */
#define __user

/* A fresh identifier per use: guard() variables need one each. */
#define ___PASTE(a, b)	a##b
#define __PASTE(a, b)	___PASTE(a, b)
#define __UNIQUE_ID(prefix)	__PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

/*
 * Left out of the fuzzers' coverage: the teardown a simulator reset runs
 * between inputs (kvmpfn_sim_reset()).  Its loop counts follow what the
 * last input built, and libFuzzer would keep inputs for them as if they
 * were new behaviour of the model.  Never inlined: inlined, the code
 * would take its caller's instrumentation.  clang 14 on; gcc's coverage
 * is not what fuzzes.
 */
#if defined(__clang__) && __clang_major__ >= 14
#define __no_fuzz_cov	__attribute__((no_sanitize("coverage"), noinline))
#else
#define __no_fuzz_cov
#endif

/* Speculation barriers do not exist in the model: the index is returned. */
#define array_index_nospec(index, size)	(index)

#endif
