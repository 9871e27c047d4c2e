// SPDX-License-Identifier: GPL-2.0-or-later
/* setattr's chmod mapping and the user.* <-> SMB EA name translation. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cunit_main.h"
#include "smbfs/smb2.h"

/* From src/fs/ops_attr.c and src/fs/ops_xattr.c. */
uint32_t setattr_dos_attributes(uint32_t current, bool is_dir, mode_t mode);
int xattr_ea_name(const char *name, const char **ea);
size_t xattr_list_build(const char *names, size_t len, char *out, size_t size);

static void test_chmod_sets_and_clears_readonly(void)
{
	CU_ASSERT_EQUAL(
		setattr_dos_attributes(FILE_ATTRIBUTE_ARCHIVE, false, 0444),
		FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_READONLY);
	CU_ASSERT_EQUAL(setattr_dos_attributes(FILE_ATTRIBUTE_ARCHIVE |
						       FILE_ATTRIBUTE_READONLY,
					       false, 0644),
			FILE_ATTRIBUTE_ARCHIVE);
	/* Only the owner write bit counts. */
	CU_ASSERT_EQUAL(
		setattr_dos_attributes(FILE_ATTRIBUTE_ARCHIVE, false, 0577),
		FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_READONLY);
	/* Other bits (hidden, system) survive. */
	CU_ASSERT_EQUAL(setattr_dos_attributes(FILE_ATTRIBUTE_HIDDEN |
						       FILE_ATTRIBUTE_SYSTEM,
					       false, 0400),
			FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM |
				FILE_ATTRIBUTE_READONLY);
}

static void test_chmod_never_sends_zero(void)
{
	/* 0 would mean "unchanged": clearing the last bit sends NORMAL. */
	CU_ASSERT_EQUAL(
		setattr_dos_attributes(FILE_ATTRIBUTE_READONLY, false, 0644),
		FILE_ATTRIBUTE_NORMAL);
	CU_ASSERT_EQUAL(setattr_dos_attributes(0, false, 0600),
			FILE_ATTRIBUTE_NORMAL);
	/* NORMAL is only valid alone. */
	CU_ASSERT_EQUAL(
		setattr_dos_attributes(FILE_ATTRIBUTE_NORMAL, false, 0400),
		FILE_ATTRIBUTE_READONLY);
	/* A directory keeps its DIRECTORY bit and never gets NORMAL. */
	CU_ASSERT_EQUAL(setattr_dos_attributes(FILE_ATTRIBUTE_DIRECTORY |
						       FILE_ATTRIBUTE_READONLY,
					       true, 0755),
			FILE_ATTRIBUTE_DIRECTORY);
	CU_ASSERT_EQUAL(setattr_dos_attributes(0, true, 0555),
			FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_READONLY);
}

static void test_xattr_names(void)
{
	char longname[5 + 257];
	const char *ea = NULL;

	CU_ASSERT_EQUAL(xattr_ea_name("user.foo", &ea), 0);
	CU_ASSERT_STRING_EQUAL(ea, "foo");
	CU_ASSERT_EQUAL(xattr_ea_name("user.a.b", &ea), 0);
	CU_ASSERT_STRING_EQUAL(ea, "a.b");
	CU_ASSERT_EQUAL(xattr_ea_name("user.", &ea), -EINVAL);
	CU_ASSERT_EQUAL(xattr_ea_name("security.capability", &ea), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(xattr_ea_name("system.posix_acl_access", &ea),
			-EOPNOTSUPP);
	CU_ASSERT_EQUAL(xattr_ea_name("trusted.x", &ea), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(xattr_ea_name("User.foo", &ea), -EOPNOTSUPP);
	memcpy(longname, "user.", 5);
	memset(longname + 5, 'a', 255);
	longname[5 + 255] = '\0';
	CU_ASSERT_EQUAL(xattr_ea_name(longname, &ea), 0);
	longname[5 + 255] = 'a';
	longname[5 + 256] = '\0';
	CU_ASSERT_EQUAL(xattr_ea_name(longname, &ea), -ERANGE);
}

static void test_list_build(void)
{
	/* EA names as the client lists them: "a\0Bc\0". */
	static const char names[] = "a\0Bc";
	static const char expect[] = "user.a\0user.Bc";
	char out[64];

	CU_ASSERT_EQUAL(xattr_list_build(names, sizeof(names), NULL, 0),
			sizeof(expect));
	memset(out, 'X', sizeof(out));
	CU_ASSERT_EQUAL(
		xattr_list_build(names, sizeof(names), out, sizeof(out)),
		sizeof(expect));
	CU_ASSERT_BYTES_EQUAL(out, expect, sizeof(expect));
	CU_ASSERT_EQUAL(out[sizeof(expect)], 'X');
	/* Too small: the needed length, nothing written past size. */
	memset(out, 'X', sizeof(out));
	CU_ASSERT_EQUAL(xattr_list_build(names, sizeof(names), out, 4),
			sizeof(expect));
	CU_ASSERT_EQUAL(out[4], 'X');
	CU_ASSERT_EQUAL(xattr_list_build(NULL, 0, NULL, 0), 0);
	/* A last name without its NUL still ends the list properly. */
	memset(out, 'X', sizeof(out));
	CU_ASSERT_EQUAL(
		xattr_list_build(names, sizeof(names) - 1, out, sizeof(out)),
		sizeof(expect));
	CU_ASSERT_BYTES_EQUAL(out, expect, sizeof(expect));
}

static CU_TestInfo attr_tests[] = {
	{ "chmod sets and clears READONLY",
	  test_chmod_sets_and_clears_readonly },
	{ "chmod never sends attributes 0", test_chmod_never_sends_zero },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo xattr_tests[] = {
	{ "user.* names map to EA names", test_xattr_names },
	{ "listxattr list from EA names", test_list_build },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "setattr", NULL, NULL, NULL, NULL, attr_tests },
	{ "xattr", NULL, NULL, NULL, NULL, xattr_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
