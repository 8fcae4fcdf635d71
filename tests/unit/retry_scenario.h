/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The models' tests of their install-time retry check share one scenario,
 * tests/scenarios/install-retry-seq-only.scn: with the check switched off
 * (a test-only seam) the fault installs across the invalidation and the
 * file fails on I7 and the EAGAIN it expects; with it the file passes.
 * Include after <cmocka.h> and <kvmpfn/scenario.h>.
 */
#ifndef KVMPFN_RETRY_SCENARIO_H
#define KVMPFN_RETRY_SCENARIO_H

#include <stdio.h>
#include <string.h>

#define RETRY_SCENARIO \
	KVMPFN_SOURCE_DIR "/tests/scenarios/install-retry-seq-only.scn"

/* Run the scenario on @arch at @stage: its exit, its output in buf. */
static inline int retry_scenario_run(enum kvmpfn_arch arch,
				     enum kvmpfn_stage stage, char *buf,
				     size_t len)
{
	struct kvmpfn_run_opts o = {
		.stage = stage, .arch = arch,
		.checks = KVMPFN_CHECKS_FULL, .quiet = true,
	};
	FILE *out = tmpfile();
	size_t n;
	int r;

	assert_non_null(out);
	r = kvmpfn_run_file(RETRY_SCENARIO, &o, out, out, NULL);
	rewind(out);
	n = fread(buf, 1, len - 1, out);
	buf[n] = 0;
	fclose(out);
	return r;
}

/* The run's output says the retry was missed: I7 and the unmet EAGAIN. */
static inline void assert_retry_missed(const char *buf)
{
	assert_non_null(strstr(buf, "violation I7 "));
	assert_non_null(strstr(buf,
		"install-retry-seq-only.scn:33: expectation not met"));
}

#endif
