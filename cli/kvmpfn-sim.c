// SPDX-License-Identifier: GPL-2.0
/*
 * kvmpfn-sim: run scenarios against the model, list the invariants.
 *
 *   kvmpfn-sim run [--stage=S|all] [--trace] [--quiet] FILE...
 *   kvmpfn-sim invariants
 *   kvmpfn-sim stages
 *
 * Exit codes: 0 every expectation met and no invariant violated; 1 a
 * violation or an unmet expectation; 2 bad input or usage.
 */
#include <stdio.h>
#include <string.h>

#include <kvmpfn/kvmpfn.h>
#include <kvmpfn/scenario.h>

static int usage(FILE *f)
{
	fprintf(f,
		"usage: kvmpfn-sim run [--stage=S|all] [--trace] [--quiet] FILE...\n"
		"       kvmpfn-sim invariants\n"
		"       kvmpfn-sim stages\n"
		"stages: legacy v7.1 ... v7.8 (default legacy); --stage=all runs each\n");
	return f == stdout ? 0 : KVMPFN_EXIT_USAGE;
}

static int cmd_run(int argc, char **argv)
{
	struct kvmpfn_run_opts opts = { .stage = KVMPFN_LEGACY };
	int first = KVMPFN_LEGACY, last = KVMPFN_LEGACY, i, s, rc = 0, nfiles = 0;

	for (i = 2; i < argc; i++) {
		if (!strncmp(argv[i], "--stage=", 8)) {
			enum kvmpfn_stage st;

			if (!strcmp(argv[i] + 8, "all")) {
				first = KVMPFN_LEGACY;
				last = KVMPFN_NR_STAGES - 1;
			} else if (kvmpfn_stage_parse(argv[i] + 8, &st)) {
				fprintf(stderr, "kvmpfn-sim: unknown stage '%s'\n",
					argv[i] + 8);
				return KVMPFN_EXIT_USAGE;
			} else {
				first = last = st;
			}
		} else if (!strcmp(argv[i], "--trace")) {
			opts.trace = true;
		} else if (!strcmp(argv[i], "--quiet")) {
			opts.quiet = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "kvmpfn-sim: unknown option '%s'\n",
				argv[i]);
			return usage(stderr);
		} else {
			nfiles++;
		}
	}
	if (!nfiles) {
		fprintf(stderr, "kvmpfn-sim: run needs at least one FILE\n");
		return usage(stderr);
	}
	for (i = 2; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		for (s = first; s <= last; s++) {
			int r;

			opts.stage = (enum kvmpfn_stage)s;
			r = kvmpfn_run_file(argv[i], &opts, stdout, stderr,
					    NULL);
			if (r > rc)
				rc = r;
			if (r == KVMPFN_EXIT_USAGE)
				break;
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc, argv);
	if (!strcmp(argv[1], "invariants")) {
		const struct kvmpfn_invariant *inv = kvmpfn_invariants();

		for (i = 0; i < KVMPFN_NR_INVARIANTS; i++)
			printf("I%-3d %s%s\n", inv[i].id, inv[i].text,
			       inv[i].implemented ? "" :
			       "  [architecture invariant: no checker in this build]");
		return 0;
	}
	if (!strcmp(argv[1], "stages")) {
		for (i = 0; i < KVMPFN_NR_STAGES; i++)
			printf("%-7s %s\n", kvmpfn_stage_name(i),
			       kvmpfn_stage_subject(i));
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout);
	fprintf(stderr, "kvmpfn-sim: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
