/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How replay --compare drives a target (replay.c; a fuzzer leaves both
 * unset): @fresh runs each input on a simulator of its own instead of the
 * target's cached one; @out, if set, receives every step's trace line,
 * the run's summary and every violation's report instead of the sink,
 * and a violation no longer stops the run (fuzz_common.h).
 */
#ifndef KVMPFN_FUZZ_HOOKS_H
#define KVMPFN_FUZZ_HOOKS_H

#include <stdbool.h>
#include <stdio.h>

struct fuzz_hooks {
	bool fresh;
	FILE *out;
};

extern struct fuzz_hooks fuzz_hooks;

#endif
