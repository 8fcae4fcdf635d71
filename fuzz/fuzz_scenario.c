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

	ro.sim = fuzz_sim(ro.stage, ro.arch);
	if (fuzz_hooks.out) {
		ro.trace = true;
		ro.quiet = false;
	}
	rc = kvmpfn_run_buffer("fuzz.scn", (const char *)data, size, &ro,
			       fuzz_out(), fuzz_out(), NULL);
	fuzz_sim_done(ro.sim);
	if (fuzz_hooks.out)
		fprintf(fuzz_hooks.out, "verdict %d\n", rc);
	if (rc < 0 || rc > 2)
		abort();
	return 0;
}
