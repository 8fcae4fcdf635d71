// SPDX-License-Identifier: GPL-2.0
/*
 * Conformance on random inputs: the decoded operations run in lockstep on
 * the model stage the input names and on its kernel-built twin (the
 * kernel tree's own functions), on the architecture KVMPFN_FUZZ_ARCH pins
 * (else the input's), compared after every line (<kvmpfn/conform.h>).
 * Any divergence is a crash with the report on stderr.  Built only when
 * the build has kernel-built stages.
 */
#include "fuzz_common.h"

#include <kvmpfn/conform.h>

#ifndef KVMPFN_FUZZ_ARCH
#define KVMPFN_FUZZ_ARCH_MASK	0
#else
#define KVMPFN_FUZZ_ARCH_MASK	(1U << KVMPFN_FUZZ_ARCH)
#endif

struct text {
	char buf[1 << 16];
	size_t len;
};

static int add_line(void *ctx, const char *line, size_t len)
{
	struct text *t = ctx;

	if (t->len + len + 1 > sizeof(t->buf))
		return 1;
	memcpy(t->buf + t->len, line, len);
	t->buf[t->len + len] = '\n';
	t->len += len + 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct text t;
	struct kvmpfn_conform_opts o = {
		.checks = KVMPFN_CHECKS_INCREMENTAL, .lenient = true,
	};
	struct kvmpfn_decoded hdr;
	int rc;

	t.len = 0;
	if (kvmpfn_decode(data, size, KVMPFN_FUZZ_ARCH_MASK, &hdr, add_line,
			  &t) && !t.len)
		return 0;
	/* KVMPFN_STAGE=kernel:tree: a developer's tree against its stage */
	if (fuzz_stage() >= 0 && kvmpfn_stage_is_kernel(fuzz_stage()))
		o.kernel = (enum kvmpfn_stage)fuzz_stage();
	else if (hdr.stage <= KVMPFN_V7_8)
		o.kernel = (enum kvmpfn_stage)(hdr.stage + KVMPFN_KERNEL_LEGACY);
	else
		return 0;	/* final has no twin in a 6.12 tree */
	o.model = kvmpfn_stage_model(o.kernel);
	o.arch = hdr.arch;
	if (!kvmpfn_stage_available(o.kernel))
		abort();	/* the target is built with kernel stages only */
	o.sim[0] = fuzz_sim(o.model, o.arch);
	o.sim[1] = fuzz_sim(o.kernel, o.arch);
	rc = kvmpfn_conform_buffer("fuzz", t.buf, t.len, &o,
				   fuzz_hooks.out ? fuzz_hooks.out : stderr,
				   fuzz_out(), NULL);
	fuzz_sim_done(o.sim[0]);
	fuzz_sim_done(o.sim[1]);
	if (fuzz_hooks.out)
		fprintf(fuzz_hooks.out, "verdict %d\n", rc);
	if (rc == KVMPFN_EXIT_FAIL) {
		fprintf(stderr, "kvmpfn: %s: %s and %s diverge "
			"(kvmpfn-sim decode INPUT > repro.scn; kvmpfn-sim conform repro.scn)\n",
			kvmpfn_arch_name(o.arch), kvmpfn_stage_name(o.model),
			kvmpfn_stage_name(o.kernel));
		abort();
	}
	return 0;
}
