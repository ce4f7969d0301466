// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A plain main() for the fuzz targets, so the committed corpora replay in CI
 * with gcc and ASan+UBSan instead of needing clang's libFuzzer.  Each
 * argument is a file or a directory of files; every file is fed once to
 * LLVMFuzzerTestOneInput.  A crash or sanitizer report is the failure; on
 * success it prints how many inputs it ran.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz-common.h"
#include "util.h"

static int run_file(const char *path)
{
	_cleanup_free_ uint8_t *buf = NULL;
	FILE *f = fopen(path, "rb");
	struct stat st;

	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "%s: %m\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	/* malloc(0) may return NULL: always ask for one byte more. */
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "%s: read failed\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* An exact-size copy, so ASan flags a read of even one byte past it. */
	_cleanup_free_ uint8_t *exact = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!exact)
		return -1;
	memcpy(exact, buf, (size_t)st.st_size);
	LLVMFuzzerTestOneInput(exact, (size_t)st.st_size);
	return 0;
}

static int run_path(const char *path, unsigned long *n)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %m\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*n)++;
		return run_file(path);
	}
	struct dirent **ents;
	int k = scandir(path, &ents, NULL, alphasort), r = 0;
	if (k < 0) {
		fprintf(stderr, "%s: %m\n", path);
		return -1;
	}
	for (int i = 0; i < k; i++) {
		if (ents[i]->d_name[0] != '.') {
			_cleanup_free_ char *p = NULL;
			if (asprintf(&p, "%s/%s", path, ents[i]->d_name) < 0)
				r = -1;
			else if (run_path(p, n) < 0)
				r = -1;
		}
		free(ents[i]);
	}
	free(ents);
	return r;
}

int main(int argc, char **argv)
{
	unsigned long n = 0;
	int r = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i], &n) < 0)
			r = 1;
	printf("%lu inputs\n", n);
	return r;
}
