// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest sessions against a server with "map to guest = bad user": an
 * unknown user is logged on as guest.  The client accepts that only when
 * asked to (the guest option), and a guest session cannot sign.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cunit_main.h"
#include "harness.h"

static struct smb_client_config guest_config(void)
{
	struct smb_client_config cfg = itest_config();

	cfg.user = "nosuchuser";
	cfg.password = "whatever";
	return cfg;
}

static void test_guest_refused_unless_asked(void)
{
	struct smb_client_config cfg = guest_config();
	struct smb_session *s = NULL;
	char err[256] = "";

	CU_ASSERT_EQUAL(smb_session_open(&cfg, &s, err, sizeof(err)), -EACCES);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "guest"));
	printf("\n    message: %s\n", err);
}

static void test_guest_accepted(void)
{
	struct smb_client_config cfg = guest_config();
	struct smb_session_info info;
	struct smb_session *s = NULL;
	struct smb_tree *t;
	struct smb2_fileid fid;
	char buf[16] = "";

	cfg.guest = true;
	t = itest_connect(&cfg, "guest", &s);
	if (!t)
		return;
	smb_session_get_info(s, &info);
	CU_ASSERT(info.guest);
	CU_ASSERT(!info.signing);
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, "guest.txt", &fid), 0);
	CU_ASSERT_EQUAL(smb_file_write(t, fid, "guest", 5, 0), 5);
	CU_ASSERT_EQUAL(smb_file_read(t, fid, buf, sizeof(buf), 0), 5);
	CU_ASSERT_EQUAL(smb_file_close(t, fid, NULL), 0);
	CU_ASSERT_EQUAL(
		smb_path_delete(t, "guest.txt", FILE_NON_DIRECTORY_FILE), 0);
	itest_disconnect(s, t);
}

/* The guest option with no user name logs on as "guest". */
static void test_guest_default_user(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session_info info;
	struct smb_session *s = NULL;
	char err[256] = "";

	cfg.user = NULL;
	cfg.password = NULL;
	cfg.guest = true;
	CU_ASSERT_EQUAL_FATAL(smb_session_open(&cfg, &s, err, sizeof(err)), 0);
	smb_session_get_info(s, &info);
	CU_ASSERT(info.guest);
	smb_session_close(s);
}

static void test_guest_cannot_sign(void)
{
	struct smb_client_config cfg = guest_config();
	struct smb_session *s = NULL;
	char err[256] = "";

	cfg.guest = true;
	cfg.sign = true;
	CU_ASSERT_EQUAL(smb_session_open(&cfg, &s, err, sizeof(err)), -EACCES);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot sign"));
	printf("\n    message: %s\n", err);
}

static CU_TestInfo tests[] = {
	{"guest session refused without the guest option",
	 test_guest_refused_unless_asked},
	{"guest session accepted with it", test_guest_accepted},
	{"guest option without a user name", test_guest_default_user},
	{"signing required on a guest session fails clearly",
	 test_guest_cannot_sign},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"guest", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	itest_env();
	return cunit_run(suites);
}
