// SPDX-License-Identifier: GPL-2.0
/*
 * Standalone driver: feed files (or every file of directories) to a fuzz
 * target's LLVMFuzzerTestOneInput, so the corpora replay in the gcc build
 * and under ctest without libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long files = 0;
	char path[4096];
	int i;

	for (i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;

		if (!d) {
			if (run_file(argv[i])) {
				fprintf(stderr, "replay: cannot read %s\n", argv[i]);
				return 2;
			}
			files++;
			continue;
		}
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (!run_file(path))
				files++;
		}
		closedir(d);
	}
	printf("replayed %lu inputs\n", files);
	return files ? 0 : 2;
}
