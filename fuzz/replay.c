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
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	uint8_t *data;
	size_t size;
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
	nr_inputs++;
	return 0;
}

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long reps = 0, r;
	char path[4096];
	double t0, c0, t, c;
	size_t j;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "-r")) {
		reps = strtoul(argv[2], NULL, 10);
		i = 3;
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
