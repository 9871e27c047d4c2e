// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"

int cunit_run(CU_SuiteInfo *suites)
{
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "suite registration failed: %s\n",
			CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_tests_failed() +
		 CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

uint8_t *test_hex(const char *hex, size_t *len)
{
	size_t n = 0, cap = strlen(hex) / 2 + 1;
	uint8_t *buf = malloc(cap);
	int hi = -1;

	if (!buf)
		abort();
	for (; *hex; hex++) {
		int v;

		if (isspace((unsigned char)*hex))
			continue;
		if (!isxdigit((unsigned char)*hex))
			abort();
		v = isdigit((unsigned char)*hex) ? *hex - '0'
						 : (tolower(*hex) - 'a' + 10);
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		abort();
	*len = n;
	return buf;
}

int test_bytes_equal(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (x[i] != y[i]) {
			fprintf(stderr, "\n    bytes differ at %zu: %02x != %02x\n",
				i, x[i], y[i]);
			return 0;
		}
	}
	return 1;
}
