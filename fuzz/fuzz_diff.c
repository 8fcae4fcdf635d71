// SPDX-License-Identifier: GPL-2.0
/*
 * Differential: the same operations
 *  - on every architecture in the build, which must agree on what the
 *    guest sees (mapped pfn, writability, error) at the decoded stage;
 *  - at "legacy" and at "v7.8" on the reference MMU, which must agree
 *    wherever legacy mapped a refcounted page: the series only adds
 *    mappings of non-refcounted ones.
 */
#include <string.h>

#include "fuzz_common.h"

static bool same(const struct kvmpfn_outcome *x, const struct kvmpfn_outcome *y)
{
	return x->ret == y->ret && x->mapped == y->mapped &&
	       x->pfn == y->pfn && x->writable == y->writable;
}

static void compare(const struct kvmpfn_outcomes *a,
		    const struct kvmpfn_outcomes *b, const char *what,
		    bool refcounted_only)
{
	size_t i;

	if (a->n != b->n) {
		fprintf(stderr, "kvmpfn: %s: different fault lines ran\n", what);
		abort();
	}
	for (i = 0; i < a->n; i++) {
		if (refcounted_only && (a->v[i].ret || !a->v[i].mapped))
			continue;
		if (!same(&a->v[i], &b->v[i])) {
			fprintf(stderr, "kvmpfn: %s disagree at line %u\n",
				what, a->v[i].line);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmpfn_outcomes base = { 0 }, other = { 0 };
	struct kvmpfn_decoded hdr;
	int arch, first = -1;

	/* architectures */
	for (arch = KVMPFN_ARCH_X86; arch < KVMPFN_NR_ARCHES; arch++) {
		if (!kvmpfn_arch_available((enum kvmpfn_arch)arch))
			continue;
		if (first < 0) {
			first = arch;
			fuzz_run(data, size, 1U << arch, -1, &base, &hdr);
			continue;
		}
		fuzz_run(data, size, 1U << arch, -1, &other, NULL);
		compare(&base, &other, "architectures", false);
		free(other.v);
		memset(&other, 0, sizeof(other));
	}
	free(base.v);
	memset(&base, 0, sizeof(base));

	/* stages, on the reference MMU */
	fuzz_run(data, size, 1U << KVMPFN_ARCH_REF, KVMPFN_LEGACY, &base,
		 NULL);
	fuzz_run(data, size, 1U << KVMPFN_ARCH_REF, KVMPFN_V7_8, &other,
		 NULL);
	compare(&base, &other, "legacy and v7.8 on refcounted memory", true);
	free(base.v);
	free(other.v);
	return 0;
}
