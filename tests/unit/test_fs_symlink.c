// SPDX-License-Identifier: GPL-2.0-or-later
/* Minshall+French symlink files: format and parse. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/fs/smbfs.h"
#include "cunit_main.h"
#include "smbfs/crypto.h"

/*
 * The file cifs.ko writes for "../some/target" (14 bytes), built here
 * from the published layout rather than with the code under test.
 */
static void expected_file(uint8_t out[MFSYMLINK_SIZE])
{
	static const char head[] = "XSym\n0014\n"
				   "7ff4f013b3866dc8af11b4b54a74759a\n"
				   "../some/target\n";

	memset(out, ' ', MFSYMLINK_SIZE);
	memcpy(out, head, sizeof(head) - 1);
}

static void test_format_known_file(void)
{
	uint8_t want[MFSYMLINK_SIZE], got[MFSYMLINK_SIZE];

	expected_file(want);
	memset(got, 0xAA, sizeof(got));
	CU_ASSERT_EQUAL(mfsymlink_format("../some/target", got), 0);
	CU_ASSERT_BYTES_EQUAL(got, want, MFSYMLINK_SIZE);
	CU_ASSERT_EQUAL(got[MFSYMLINK_SIZE - 1], ' ');
}

static void test_parse_known_file(void)
{
	uint8_t buf[MFSYMLINK_SIZE];
	char *target = NULL;

	expected_file(buf);
	CU_ASSERT_EQUAL(mfsymlink_parse(buf, sizeof(buf), &target), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(target);
	CU_ASSERT_STRING_EQUAL(target, "../some/target");
	free(target);
}

static void test_round_trip_and_limits(void)
{
	uint8_t buf[MFSYMLINK_SIZE];
	char *long_target = malloc(1026), *target = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(long_target);
	/* 1024 bytes: fills the file exactly, no newline, no padding. */
	memset(long_target, 'a', 1024);
	long_target[1024] = '\0';
	CU_ASSERT_EQUAL(mfsymlink_format(long_target, buf), 0);
	CU_ASSERT_EQUAL(memcmp(buf, "XSym\n1024\n", 10), 0);
	CU_ASSERT_EQUAL(buf[MFSYMLINK_SIZE - 1], 'a');
	CU_ASSERT_EQUAL(mfsymlink_parse(buf, sizeof(buf), &target), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(target);
	CU_ASSERT_STRING_EQUAL(target, long_target);
	free(target);

	/* 1023 bytes: the newline takes the last byte. */
	long_target[1023] = '\0';
	CU_ASSERT_EQUAL(mfsymlink_format(long_target, buf), 0);
	CU_ASSERT_EQUAL(buf[MFSYMLINK_SIZE - 1], '\n');
	CU_ASSERT_EQUAL(mfsymlink_parse(buf, sizeof(buf), &target), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(target);
	CU_ASSERT_EQUAL(strlen(target), 1023);
	free(target);

	/* 1025 bytes does not fit; an empty target is not a symlink. */
	memset(long_target, 'b', 1025);
	long_target[1025] = '\0';
	CU_ASSERT_EQUAL(mfsymlink_format(long_target, buf), -ENAMETOOLONG);
	CU_ASSERT_EQUAL(mfsymlink_format("", buf), -ENOENT);
	free(long_target);

	/* Awkward bytes survive. */
	CU_ASSERT_EQUAL(mfsymlink_format("a b\n\xc3\xa9/..", buf), 0);
	CU_ASSERT_EQUAL(mfsymlink_parse(buf, sizeof(buf), &target), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(target);
	CU_ASSERT_STRING_EQUAL(target, "a b\n\xc3\xa9/..");
	free(target);
}

static void assert_not_symlink(const uint8_t *buf, size_t len)
{
	char *target = (char *)buf; /* must be reset to NULL */

	CU_ASSERT_EQUAL(mfsymlink_parse(buf, len, &target), -EINVAL);
	CU_ASSERT_PTR_NULL(target);
}

static void test_parse_rejects_malformed(void)
{
	uint8_t good[MFSYMLINK_SIZE], buf[MFSYMLINK_SIZE + 1];

	expected_file(good);
	/* Wrong size, either way. */
	memcpy(buf, good, MFSYMLINK_SIZE);
	buf[MFSYMLINK_SIZE] = ' ';
	assert_not_symlink(buf, MFSYMLINK_SIZE + 1);
	assert_not_symlink(buf, MFSYMLINK_SIZE - 1);
	/* Bad magic. */
	memcpy(buf, good, MFSYMLINK_SIZE);
	buf[1] = 's';
	assert_not_symlink(buf, MFSYMLINK_SIZE);
	/* A digest that does not match the target. */
	memcpy(buf, good, MFSYMLINK_SIZE);
	buf[10] = buf[10] == '0' ? '1' : '0';
	assert_not_symlink(buf, MFSYMLINK_SIZE);
	/* The target changed under the digest. */
	memcpy(buf, good, MFSYMLINK_SIZE);
	buf[43] = 'X';
	assert_not_symlink(buf, MFSYMLINK_SIZE);
	/* A length that is not four digits, or is zero, or too long. */
	memcpy(buf, good, MFSYMLINK_SIZE);
	buf[5] = ' ';
	assert_not_symlink(buf, MFSYMLINK_SIZE);
	memcpy(buf, good, MFSYMLINK_SIZE);
	memcpy(buf + 5, "0000", 4);
	assert_not_symlink(buf, MFSYMLINK_SIZE);
	memcpy(buf, good, MFSYMLINK_SIZE);
	memcpy(buf + 5, "9999", 4);
	assert_not_symlink(buf, MFSYMLINK_SIZE);
	/* Missing separators. */
	memcpy(buf, good, MFSYMLINK_SIZE);
	buf[9] = ' ';
	assert_not_symlink(buf, MFSYMLINK_SIZE);
	memcpy(buf, good, MFSYMLINK_SIZE);
	buf[42] = ' ';
	assert_not_symlink(buf, MFSYMLINK_SIZE);
	/* An ordinary 1067-byte data file. */
	memset(buf, 'x', MFSYMLINK_SIZE);
	assert_not_symlink(buf, MFSYMLINK_SIZE);
}

static void test_parse_uppercase_digest_and_nul(void)
{
	uint8_t buf[MFSYMLINK_SIZE], md5[SMB_MD5_LEN];
	char *target = NULL;
	size_t i;

	expected_file(buf);
	for (i = 10; i < 42; i++)
		if (buf[i] >= 'a' && buf[i] <= 'f')
			buf[i] = (uint8_t)(buf[i] - 'a' + 'A');
	CU_ASSERT_EQUAL(mfsymlink_parse(buf, sizeof(buf), &target), 0);
	CU_ASSERT_PTR_NOT_NULL(target);
	free(target);

	/*
	 * A NUL inside the target cannot be a Linux symlink target, even
	 * with a digest that matches.
	 */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "XSym\n0003\n", 10);
	CU_ASSERT_EQUAL_FATAL(smb_md5("a\0b", 3, md5), 0);
	for (i = 0; i < sizeof(md5); i++) {
		buf[10 + 2 * i] = (uint8_t) "0123456789abcdef"[md5[i] >> 4];
		buf[11 + 2 * i] = (uint8_t) "0123456789abcdef"[md5[i] & 15];
	}
	memcpy(buf + 42, "\na\0b\n", 5);
	assert_not_symlink(buf, MFSYMLINK_SIZE);
	/* The same file with a NUL-free target is accepted. */
	CU_ASSERT_EQUAL_FATAL(smb_md5("a-b", 3, md5), 0);
	for (i = 0; i < sizeof(md5); i++) {
		buf[10 + 2 * i] = (uint8_t) "0123456789abcdef"[md5[i] >> 4];
		buf[11 + 2 * i] = (uint8_t) "0123456789abcdef"[md5[i] & 15];
	}
	buf[44] = '-';
	CU_ASSERT_EQUAL(mfsymlink_parse(buf, sizeof(buf), &target), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(target);
	CU_ASSERT_STRING_EQUAL(target, "a-b");
	free(target);
}

static CU_TestInfo mf_tests[] = {
	{ "format matches the published layout", test_format_known_file },
	{ "parse a known file", test_parse_known_file },
	{ "round trip and length limits", test_round_trip_and_limits },
	{ "parse rejects malformed files", test_parse_rejects_malformed },
	{ "uppercase digest, NUL in target",
	  test_parse_uppercase_digest_and_nul },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "mfsymlink", NULL, NULL, NULL, NULL, mf_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
