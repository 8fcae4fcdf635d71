// SPDX-License-Identifier: GPL-2.0
/*
 * Differential: the same operations
 *  - on the reference MMU and on every architecture model in the build:
 *    wherever both map a gfn they map the same pfn;
 *  - at "legacy" and at "v7.8" on the reference MMU: the series only adds
 *    mappings, so the first fault whose outcome differs must be one that
 *    legacy refused and v7.8 accepted (mapped, or retried for an
 *    invalidation), and up to it both map the same pfns with the same
 *    writability.
 * Runs are compared up to their first difference in kind (one side mapped,
 * the other not, or a fault or fault_begin with different results): after
 * it the two may legitimately go different ways.
 */
#include <errno.h>
#include <string.h>

#include "fuzz_common.h"

static void diverged(const char *what, unsigned int line)
{
	fprintf(stderr, "kvmpfn: %s disagree at line %u\n", what, line);
	abort();
}

static void compare(const struct kvmpfn_outcomes *a,
		    const struct kvmpfn_outcomes *b, const char *what,
		    bool stages)
{
	size_t i, n = a->n < b->n ? a->n : b->n;

	for (i = 0; i < n; i++) {
		const struct kvmpfn_outcome *x = &a->v[i], *y = &b->v[i];

		if (x->line != y->line)
			diverged(what, x->line);
		/* architectures may differ there; stages may not */
		if (!stages && x->arch_specific)
			continue;
		/*
		 * A pending fault that pins its page on one side only (from
		 * v7.5 the fault no longer takes a reference; models differ in
		 * whether they look the pfn up for a spurious fault): what the
		 * host then does depending on the page's count (migrate it,
		 * collapse it) may legitimately differ from here on.
		 */
		if (x->begin && x->pinned != y->pinned)
			return;
		/*
		 * A retried fault may have changed the host or not (x86
		 * retries before it looks the pfn up, the others after GUP
		 * faulted the page in): the runs may differ from here on.
		 */
		if (!stages && (x->ret == -EAGAIN || y->ret == -EAGAIN))
			return;
		/*
		 * A write fault one model resolved without a writable leaf
		 * (arm64 first takes an access-flag fault on an aged leaf):
		 * the guest faults again there, and the host work the others
		 * did for the write (breaking COW) has not happened yet.
		 */
		if (!stages && x->write && x->mapped && y->mapped &&
		    x->writable != y->writable)
			return;
		if (x->mapped != y->mapped || (!x->mapped && x->ret != y->ret)) {
			/*
			 * the series may only add a mapping: where legacy
			 * refused, v7.8 maps, lets a fault_begin through, or
			 * would map but retries for an invalidation
			 */
			if (stages && !(x->ret && (y->mapped || !y->ret ||
						   y->ret == -EAGAIN)))
				diverged(what, x->line);
			return;
		}
		if (x->mapped && (x->pfn != y->pfn ||
				  (stages && x->writable != y->writable)))
			diverged(what, x->line);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmpfn_outcomes base = { 0 }, other = { 0 };
	int arch;

	fuzz_run(data, size, 1U << KVMPFN_ARCH_REF, -1, &base, NULL);
	for (arch = KVMPFN_ARCH_X86; arch < KVMPFN_NR_ARCHES; arch++) {
		if (!kvmpfn_arch_available((enum kvmpfn_arch)arch))
			continue;
		fuzz_run(data, size, 1U << arch, -1, &other, NULL);
		compare(&base, &other, "architectures", false);
		free(other.v);
		memset(&other, 0, sizeof(other));
	}
	free(base.v);
	memset(&base, 0, sizeof(base));

	fuzz_run(data, size, 1U << KVMPFN_ARCH_REF, KVMPFN_LEGACY, &base,
		 NULL);
	fuzz_run(data, size, 1U << KVMPFN_ARCH_REF, KVMPFN_V7_8, &other,
		 NULL);
	compare(&base, &other, "legacy and v7.8", true);
	free(base.v);
	free(other.v);
	return 0;
}
