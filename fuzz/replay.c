// SPDX-License-Identifier: GPL-2.0
/*
 * Standalone driver: feed files (or every file of directories) to a fuzz
 * target's LLVMFuzzerTestOneInput, so the corpora replay in the gcc build
 * and under ctest without libFuzzer.
 *
 *   replay-T [-r N] FILE|DIR...
 *
 * -r N runs the whole set N times and prints executions per second (the
 * P4 figure of DESIGN section 8 without libFuzzer's mutation and corpus
 * bookkeeping), per wall second and per second of this process's CPU
 * time (the figure to compare on a shared machine).
 *
 *   replay-T --compare FILE|DIR...
 *
 * runs every input on a simulator of its own, then all of them twice
 * more, in a shuffled order and in its reverse, on the target's
 * simulators kept from input to input and reset in between, and compares
 * each run's trace, summary and violation reports byte for byte with the
 * fresh run's (fuzz_hooks.h): a reset that left anything behind shows.
 *
 *   replay-T --dump FILE|DIR...
 *
 * prints each input's name and that output, on reused simulators: two
 * builds' dumps differ only where the model's behaviour does.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_hooks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	uint8_t *data;
	size_t size;
	char *name;
	char *fresh;		/* --compare: the fresh run's output */
	size_t fresh_len;
};

static struct input *inputs;
static size_t nr_inputs, cap_inputs;

static int load_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	struct input *in;
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (nr_inputs == cap_inputs) {
		size_t cap = cap_inputs ? 2 * cap_inputs : 64;

		in = realloc(inputs, cap * sizeof(*in));
		if (!in)
			return -1;
		inputs = in;
		cap_inputs = cap;
	}
	in = &inputs[nr_inputs];
	/* an exact-size copy, so ASan sees reads past the end */
	in->data = malloc(n ? n : 1);
	if (!in->data)
		return -1;
	memcpy(in->data, buf, n);
	in->size = n;
	in->name = strdup(path);
	in->fresh = NULL;
	if (!in->name)
		return -1;
	nr_inputs++;
	return 0;
}

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run input @j with its output in *@buf (malloc'd), *@len bytes. */
static int run_captured(size_t j, char **buf, size_t *len)
{
	fuzz_hooks.out = open_memstream(buf, len);
	if (!fuzz_hooks.out)
		return -1;
	LLVMFuzzerTestOneInput(inputs[j].data, inputs[j].size);
	fclose(fuzz_hooks.out);
	fuzz_hooks.out = NULL;
	return 0;
}

static int check_reused(size_t j)
{
	char *buf;
	size_t len, i;

	if (run_captured(j, &buf, &len))
		return -1;
	if (len == inputs[j].fresh_len && !memcmp(buf, inputs[j].fresh, len)) {
		free(buf);
		return 0;
	}
	for (i = 0; i < len && i < inputs[j].fresh_len &&
	     buf[i] == inputs[j].fresh[i]; i++)
		;
	while (i && buf[i - 1] != '\n')
		i--;
	fprintf(stderr, "replay: %s: a reset simulator differs from a fresh one\n"
		"fresh: %.*s\nreset: %.*s\n", inputs[j].name,
		(int)strcspn(inputs[j].fresh + i, "\n"), inputs[j].fresh + i,
		(int)strcspn(buf + i, "\n"), buf + i);
	free(buf);
	return 1;
}

static int compare(void)
{
	size_t *order, j, k, t;
	unsigned long long x = 0x2545f4914f6cdd1dULL;
	int bad = 0, pass;

	order = malloc((nr_inputs ? nr_inputs : 1) * sizeof(*order));
	if (!order)
		return 2;
	fuzz_hooks.fresh = true;
	for (j = 0; j < nr_inputs; j++)
		if (run_captured(j, &inputs[j].fresh, &inputs[j].fresh_len))
			return 2;
	/* a fixed shuffle (xorshift), so that a failure repeats */
	for (j = 0; j < nr_inputs; j++)
		order[j] = j;
	for (j = nr_inputs; j > 1; j--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		k = x % j;
		t = order[j - 1];
		order[j - 1] = order[k];
		order[k] = t;
	}
	fuzz_hooks.fresh = false;
	for (pass = 0; pass < 2; pass++)
		for (j = 0; j < nr_inputs; j++) {
			k = pass ? order[nr_inputs - 1 - j] : order[j];
			bad |= check_reused(k);
			if (bad < 0)
				return 2;
		}
	for (j = 0; j < nr_inputs; j++)
		free(inputs[j].fresh);
	free(order);
	printf("compared %zu inputs, fresh and reset: %s\n", nr_inputs,
	       bad ? "DIFFERENT" : "the same");
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	bool cmp = false, dump = false;
	unsigned long reps = 0, r;
	char path[4096];
	double t0, c0, t, c;
	size_t j;
	int i = 1, rc;

	if (argc > 2 && !strcmp(argv[1], "-r")) {
		reps = strtoul(argv[2], NULL, 10);
		i = 3;
	} else if (argc > 1 && !strcmp(argv[1], "--compare")) {
		cmp = true;
		i = 2;
	} else if (argc > 1 && !strcmp(argv[1], "--dump")) {
		dump = true;
		i = 2;
	}
	for (; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;

		if (!d) {
			if (load_file(argv[i])) {
				fprintf(stderr, "replay: cannot read %s\n", argv[i]);
				return 2;
			}
			continue;
		}
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (load_file(path)) {
				fprintf(stderr, "replay: cannot read %s\n", path);
				closedir(d);
				return 2;
			}
		}
		closedir(d);
	}
	if (dump) {
		for (j = 0; j < nr_inputs; j++) {
			printf("== %s\n", inputs[j].name);
			fflush(stdout);
			fuzz_hooks.out = stdout;
			LLVMFuzzerTestOneInput(inputs[j].data, inputs[j].size);
			fuzz_hooks.out = NULL;
		}
		return nr_inputs ? 0 : 2;
	}
	if (cmp) {
		rc = nr_inputs ? compare() : 2;
		for (j = 0; j < nr_inputs; j++) {
			free(inputs[j].data);
			free(inputs[j].name);
		}
		free(inputs);
		return rc;
	}
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (r = 0; r < (reps ? reps : 1); r++)
		for (j = 0; j < nr_inputs; j++)
			LLVMFuzzerTestOneInput(inputs[j].data, inputs[j].size);
	t = now(CLOCK_MONOTONIC) - t0;
	c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("replayed %zu inputs\n", nr_inputs);
	if (reps)
		printf("%lu executions in %.3f s (%.3f s CPU): %.0f exec/s, %.0f per CPU second\n",
		       reps * nr_inputs, t, c, t > 0 ? reps * nr_inputs / t : 0.0,
		       c > 0 ? reps * nr_inputs / c : 0.0);
	return nr_inputs ? 0 : 2;
}
