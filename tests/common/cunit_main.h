/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared CUnit runner: every test program ends with CUnit's summary. */
#ifndef SMBFS_TEST_CUNIT_MAIN_H
#define SMBFS_TEST_CUNIT_MAIN_H

#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Registers the NULL-terminated suites, runs them verbosely and returns
 * the process exit status (0 only when every test passed and none
 * failed to register).
 */
int cunit_run(CU_SuiteInfo *suites);

/* Parses a hex string ("01 ab CD", spaces ignored) into a malloc'd buffer. */
uint8_t *test_hex(const char *hex, size_t *len);

/* Asserts that two byte ranges are equal, printing the first difference. */
#define CU_ASSERT_BYTES_EQUAL(a, b, n) CU_ASSERT(test_bytes_equal((a), (b), (n)))
int test_bytes_equal(const void *a, const void *b, size_t n);

#endif
