// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File operations: open(2) flag mapping, fallocate modes and
 * SEEK_DATA/SEEK_HOLE over allocated ranges.  Byte-range locks have
 * their own test (test_fs_locks.c).
 *
 * The source file is included so its static helpers can be tested.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "../../src/fs/smbfs.h"

#include "../../src/fs/ops_file.c"

/* --- open flags --- */

static void test_access_for_flags(void)
{
	uint32_t rd = file_access_for_flags(O_RDONLY);
	uint32_t wr = file_access_for_flags(O_WRONLY);
	uint32_t rw = file_access_for_flags(O_RDWR);

	CU_ASSERT_EQUAL(rd, FILE_READ_DATA | FILE_READ_ATTRIBUTES |
				    FILE_READ_EA | SYNCHRONIZE);
	CU_ASSERT_EQUAL(wr, FILE_WRITE_DATA | FILE_APPEND_DATA |
				    FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA |
				    FILE_READ_ATTRIBUTES | SYNCHRONIZE);
	CU_ASSERT_EQUAL(rw, rd | wr);
	CU_ASSERT(file_access_for_flags(O_RDONLY | O_TRUNC) & FILE_WRITE_DATA);
	CU_ASSERT_FALSE(file_access_for_flags(O_RDONLY | O_APPEND) &
			FILE_WRITE_DATA);
}

static void test_disposition_and_attributes(void)
{
	CU_ASSERT_EQUAL(file_open_disposition(O_RDWR), FILE_OPEN);
	CU_ASSERT_EQUAL(file_open_disposition(O_WRONLY | O_TRUNC),
			FILE_OVERWRITE);
	CU_ASSERT_FALSE(file_flags_modify(O_RDONLY));
	CU_ASSERT(file_flags_modify(O_RDONLY | O_TRUNC));
	CU_ASSERT(file_flags_modify(O_WRONLY));
	CU_ASSERT_EQUAL(file_create_attributes(0644), 0);
	CU_ASSERT_EQUAL(file_create_attributes(0200), 0);
	CU_ASSERT_EQUAL(file_create_attributes(0444), FILE_ATTRIBUTE_READONLY);
	CU_ASSERT_EQUAL(file_create_attributes(0077), FILE_ATTRIBUTE_READONLY);
}

static void test_falloc_modes(void)
{
	CU_ASSERT_EQUAL(falloc_classify(0), FALLOC_ALLOCATE);
	CU_ASSERT_EQUAL(falloc_classify(FALLOC_FL_KEEP_SIZE), FALLOC_KEEP_SIZE);
	CU_ASSERT_EQUAL(
		falloc_classify(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE),
		FALLOC_PUNCH);
	CU_ASSERT_EQUAL(falloc_classify(FALLOC_FL_PUNCH_HOLE),
			FALLOC_UNSUPPORTED);
	CU_ASSERT_EQUAL(falloc_classify(FALLOC_FL_ZERO_RANGE),
			FALLOC_UNSUPPORTED);
	CU_ASSERT_EQUAL(falloc_classify(FALLOC_FL_COLLAPSE_RANGE),
			FALLOC_UNSUPPORTED);
}

/* --- read batches --- */

/* --- SEEK_DATA / SEEK_HOLE --- */

static void test_seek_ranges(void)
{
	const struct smb_alloc_range r[2] = { { 0, 4096 }, { 8192, 4096 } };
	const struct smb_alloc_range adj[2] = { { 0, 4096 }, { 4096, 4096 } };
	uint64_t pos;

	pos = 0;
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_DATA, &pos), 1);
	CU_ASSERT_EQUAL(pos, 0);
	pos = 5000;
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_DATA, &pos), 1);
	CU_ASSERT_EQUAL(pos, 8192);
	pos = 12288; /* past every range: no data */
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_DATA, &pos), 0);
	pos = 100;
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_HOLE, &pos), 1);
	CU_ASSERT_EQUAL(pos, 4096);
	pos = 5000; /* already in a hole */
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_HOLE, &pos), 1);
	CU_ASSERT_EQUAL(pos, 5000);
	pos = 8192; /* the last range: the hole starts at its end */
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_HOLE, &pos), 0);
	CU_ASSERT_EQUAL(pos, 12288);
	pos = 0; /* adjacent ranges are one stretch of data */
	CU_ASSERT_EQUAL(seek_scan_ranges(adj, 2, SEEK_HOLE, &pos), 0);
	CU_ASSERT_EQUAL(pos, 8192);
	pos = 7;
	CU_ASSERT_EQUAL(seek_scan_ranges(NULL, 0, SEEK_DATA, &pos), 0);
}

static CU_TestInfo flag_tests[] = {
	{ "access for open flags", test_access_for_flags },
	{ "disposition and create attributes",
	  test_disposition_and_attributes },
	{ "fallocate modes", test_falloc_modes },
	{ "SEEK_DATA/SEEK_HOLE over ranges", test_seek_ranges },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "fs_file", NULL, NULL, NULL, NULL, flag_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
