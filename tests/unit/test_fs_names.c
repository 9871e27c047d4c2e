// SPDX-License-Identifier: GPL-2.0-or-later
/* Name mapping between Linux and SMB (the SFM / mapposix convention). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/fs/smbfs.h"
#include "cunit_main.h"

static void roundtrip(const char *name, const char *expect_smb)
{
	char *smb = NULL, *back = NULL;

	CU_ASSERT_EQUAL_FATAL(name_to_smb(name, true, &smb), 0);
	if (expect_smb)
		CU_ASSERT_STRING_EQUAL(smb, expect_smb);
	CU_ASSERT_EQUAL(name_from_smb(smb, true, &back), 0);
	CU_ASSERT_STRING_EQUAL(back, name);
	free(smb);
	free(back);
}

static void test_reserved_characters(void)
{
	/* U+F020.. in UTF-8: EF 80 A0.. */
	roundtrip("a\"b", "a\xef\x80\xa0" "b");
	roundtrip("a*b", "a\xef\x80\xa1" "b");
	roundtrip("a:b", "a\xef\x80\xa2" "b");
	roundtrip("a<b>c", "a\xef\x80\xa3" "b\xef\x80\xa4" "c");
	roundtrip("a?b", "a\xef\x80\xa5" "b");
	roundtrip("a\\b", "a\xef\x80\xa6" "b");
	roundtrip("a|b", "a\xef\x80\xa7" "b");
}

static void test_trailing_space_and_dot(void)
{
	roundtrip("name ", "name\xef\x80\xa8");
	roundtrip("name.", "name\xef\x80\xa9");
	roundtrip("...", "..\xef\x80\xa9");
	roundtrip(" lead", " lead");
	roundtrip("mid dle.txt", "mid dle.txt");
}

static void test_control_characters(void)
{
	roundtrip("new\nline", "new\xef\x80\x8a" "line");
	roundtrip("tab\there", "tab\xef\x80\x89" "here");
	roundtrip("\x01\x1f", "\xef\x80\x81\xef\x80\x9f");
}

static void test_unicode_untouched(void)
{
	roundtrip("caf\xc3\xa9 \xf0\x9f\x98\x80.txt",
		  "caf\xc3\xa9 \xf0\x9f\x98\x80.txt");
}

static void test_refused_names(void)
{
	char *out = (char *)1;

	CU_ASSERT_EQUAL(name_to_smb("a/b", true, &out), -EINVAL);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(name_to_smb(".", true, &out), -EINVAL);
	CU_ASSERT_EQUAL(name_to_smb("..", true, &out), -EINVAL);
	CU_ASSERT_EQUAL(name_to_smb("", true, &out), -EINVAL);
	CU_ASSERT_EQUAL(name_to_smb("bad\xff", true, &out), -EILSEQ);
	/* Without mapposix the characters SMB cannot hold are refused. */
	CU_ASSERT_EQUAL(name_to_smb("a:b", false, &out), -EINVAL);
	CU_ASSERT_EQUAL(name_to_smb("end.", false, &out), -EINVAL);
	/* Server names Linux cannot hold are refused, so callers skip them. */
	CU_ASSERT_EQUAL(name_from_smb("a/b", true, &out), -EINVAL);
	CU_ASSERT_EQUAL(name_from_smb("..", true, &out), -EINVAL);
	CU_ASSERT_EQUAL(name_from_smb("\xef\x80\xa6", false, &out), 0);
	free(out);
}

static void test_name_length(void)
{
	char name[300], *out = NULL;

	memset(name, 'x', 255);
	name[255] = '\0';
	CU_ASSERT_EQUAL(name_to_smb(name, true, &out), 0);
	free(out);
	name[255] = 'x';
	name[256] = '\0';
	CU_ASSERT_EQUAL(name_to_smb(name, true, &out), -ENAMETOOLONG);
	/* 100 three-byte characters: 300 bytes but only 100 UTF-16 units. */
	memset(name, 0, sizeof(name));
	for (int i = 0; i < 85; i++)
		memcpy(name + 3 * i, "\xe2\x82\xac", 3);
	CU_ASSERT_EQUAL(name_to_smb(name, true, &out), 0);
	free(out);
}

static CU_TestInfo tests[] = {
	{"reserved characters map to U+F020..", test_reserved_characters},
	{"trailing space and dot", test_trailing_space_and_dot},
	{"control characters map to U+F001..", test_control_characters},
	{"other Unicode passes unchanged", test_unicode_untouched},
	{"names that cannot be held are refused", test_refused_names},
	{"name length limits", test_name_length},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"name mapping", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
