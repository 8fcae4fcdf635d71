// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario parser and runner on raw text: whatever the bytes, a run
 * ends with a verdict (0, 1 or 2), never a crash or a leak.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmpfn_run_opts ro = { .quiet = true };
	int rc;

	rc = kvmpfn_run_buffer("fuzz.scn", (const char *)data, size, &ro,
			       fuzz_sink(), fuzz_sink(), NULL);
	if (rc < 0 || rc > 2)
		abort();
	return 0;
}
