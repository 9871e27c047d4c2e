// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replays a fuzz harness's corpus as a unit test, without libFuzzer.
 * build/tests/test_fuzz_NAME feeds every file of tests/fuzz/corpus/NAME
 * (or of the directory given as its argument) to the harness's
 * LLVMFuzzerTestOneInput(), one CUnit test per file: the test fails when
 * one of the harness's invariants fails or when no invariant was checked
 * at all.  Memory errors abort the program under ASan/UBSan.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cunit_main.h"
#include "fuzz_common.h"

#define CORPUS_ROOT "tests/fuzz/corpus/"
#define PROGRAM_PREFIX "test_fuzz_"

unsigned long fuzz_checks_run;
static unsigned long checks_failed;

void fuzz_check_failed(const char *file, int line, const char *expr)
{
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, expr);
	checks_failed++;
}

static char corpus_dir[512];
static char **files;
static size_t nfiles, next_file;

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) || st.st_size < 0) {
		fclose(f);
		return NULL;
	}
	*len = (size_t)st.st_size;
	/* Exactly sized, as libFuzzer hands it over: overreads are seen. */
	buf = malloc(*len ? *len : 1);
	if (buf && *len && fread(buf, 1, *len, f) != *len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* CUnit tests take no argument: each call replays the next file. */
static void replay_next(void)
{
	char path[1024];
	uint8_t *data;
	size_t len = 0;

	CU_ASSERT_FATAL(next_file < nfiles);
	snprintf(path, sizeof(path), "%s/%s", corpus_dir, files[next_file++]);
	data = read_file(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	fuzz_checks_run = 0;
	checks_failed = 0;
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	CU_ASSERT(fuzz_checks_run > 0);
	CU_ASSERT_EQUAL(checks_failed, 0);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_corpus(void)
{
	struct dirent *de;
	DIR *d = opendir(corpus_dir);

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char **grown;

		if (de->d_name[0] == '.')
			continue;
		grown = realloc(files, (nfiles + 1) * sizeof(*files));
		if (!grown)
			abort();
		files = grown;
		files[nfiles] = strdup(de->d_name);
		if (!files[nfiles++])
			abort();
	}
	closedir(d);
	if (nfiles)
		qsort(files, nfiles, sizeof(*files), by_name);
	return 0;
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1
						 : argv[0];
	CU_TestInfo *tests;
	CU_SuiteInfo suites[2];
	size_t i;
	int rc;

	if (argc > 1)
		snprintf(corpus_dir, sizeof(corpus_dir), "%s", argv[1]);
	else if (!strncmp(prog, PROGRAM_PREFIX, strlen(PROGRAM_PREFIX)))
		snprintf(corpus_dir, sizeof(corpus_dir), CORPUS_ROOT "%s",
			 prog + strlen(PROGRAM_PREFIX));
	if (!corpus_dir[0] || list_corpus() || !nfiles) {
		/* A replay with nothing to replay checks nothing: a failure. */
		fprintf(stderr, "%s: no corpus in '%s' (run from the repo root)\n",
			prog, corpus_dir);
		return 1;
	}
	tests = calloc(nfiles + 1, sizeof(*tests));
	if (!tests)
		abort();
	for (i = 0; i < nfiles; i++) {
		tests[i].pName = files[i];
		tests[i].pTestFunc = replay_next;
	}
	memset(suites, 0, sizeof(suites));
	suites[0].pName = prog;
	suites[0].pTests = tests;
	rc = cunit_run(suites);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(tests);
	return rc;
}
