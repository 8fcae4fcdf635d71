// SPDX-License-Identifier: GPL-2.0
/*
 * The whole model: stage, architecture and every operation come from the
 * input.  KVMPFN_FUZZ_ARCH, when defined, pins the architecture (the
 * per-architecture targets are this file built with it).
 */
#include "fuzz_common.h"

#ifndef KVMPFN_FUZZ_ARCH
#define KVMPFN_FUZZ_ARCH_MASK	0
#else
#define KVMPFN_FUZZ_ARCH_MASK	(1U << KVMPFN_FUZZ_ARCH)
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_run(data, size, KVMPFN_FUZZ_ARCH_MASK, -1, NULL, NULL);
	return 0;
}
