// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signing: every dialect signs by default; with nosign only as the server
 * dictates it.  The test reads the server's smb.conf (SMB_CONF) to learn
 * what it was started with:
 *   server signing = mandatory        -> every dialect must sign, even
 *                                        with nosign;
 *   server smb3 signing algorithms = X -> 3.1.1 must end up with X, and
 *                                        offering only another algorithm
 *                                        fails with a clear message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "harness.h"

static bool server_mandatory;
static int server_algo = -1; /* SMB2_SIGNING_* or -1 for "all" */

static void read_server_conf(void)
{
	const char *path = getenv("SMB_CONF");
	char line[512];
	FILE *f = path ? fopen(path, "r") : NULL;

	if (!f) {
		fprintf(stderr, "SMB_CONF not readable\n");
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "server signing = mandatory"))
			server_mandatory = true;
		if (!strstr(line, "server smb3 signing algorithms"))
			continue;
		if (strstr(line, "HMAC-SHA256"))
			server_algo = SMB2_SIGNING_HMAC_SHA256;
		else if (strstr(line, "AES-128-CMAC"))
			server_algo = SMB2_SIGNING_AES_CMAC;
		else if (strstr(line, "AES-128-GMAC"))
			server_algo = SMB2_SIGNING_AES_GMAC;
	}
	fclose(f);
}

/*
 * Samba ties dialects to signing algorithms: 2.x sign with HMAC-SHA256,
 * 3.0 / 3.0.2 with AES-CMAC, 3.1.1 with any.  A server restricted to one
 * algorithm refuses the dialects that cannot use it.
 */
static bool server_allows(uint16_t d)
{
	if (server_algo < 0 || d == SMB2_DIALECT_311)
		return true;
	if (d < SMB2_DIALECT_300)
		return server_algo == SMB2_SIGNING_HMAC_SHA256;
	return server_algo == SMB2_SIGNING_AES_CMAC;
}

static void check_refused(struct smb_client_config *cfg)
{
	struct smb_session *s = NULL;
	char err[256] = "";

	CU_ASSERT(smb_session_open(cfg, &s, err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "negotiate failed"));
}

/*
 * Log in with dialect d, by default or with nosign; do some I/O.  With
 * no restriction on the server, 3.1.1 signs with AES-128-GMAC, the
 * client's first choice and Samba's.
 */
static void check_dialect_signing(uint16_t d, bool nosign)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session_info info;
	struct smb_session *s = NULL;
	struct smb_tree *t;
	struct smb2_fileid fid;
	uint8_t out[100000], in[100000];
	char name[32];

	cfg.dialect_min = cfg.dialect_max = d;
	cfg.nosign = nosign;
	if (!server_allows(d)) {
		check_refused(&cfg);
		return;
	}
	t = itest_connect(&cfg, "plain", &s);
	if (!t)
		return;
	smb_session_get_info(s, &info);
	CU_ASSERT_EQUAL(info.dialect, d);
	CU_ASSERT_EQUAL(info.signing, !nosign || server_mandatory);
	CU_ASSERT(!info.encrypting);
	CU_ASSERT_EQUAL(!!(info.server_security_mode &
			   SMB2_NEGOTIATE_SIGNING_REQUIRED),
			server_mandatory);
	if (d == SMB2_DIALECT_311)
		CU_ASSERT_EQUAL(info.sign_algo, server_algo >= 0
							? server_algo
							: SMB2_SIGNING_AES_GMAC);
	if (d == SMB2_DIALECT_300 || d == SMB2_DIALECT_302)
		CU_ASSERT_EQUAL(info.validated, info.signing);
	snprintf(name, sizeof(name), "sig-%04x-%d.bin", d, nosign);
	itest_fill(out, sizeof(out), d);
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, name, &fid), 0);
	CU_ASSERT_EQUAL(smb_file_write(t, fid, out, sizeof(out), 0),
			(ssize_t)sizeof(out));
	CU_ASSERT_EQUAL(smb_file_read(t, fid, in, sizeof(in), 0),
			(ssize_t)sizeof(in));
	CU_ASSERT(memcmp(in, out, sizeof(in)) == 0);
	CU_ASSERT_EQUAL(smb_file_close(t, fid, NULL), 0);
	CU_ASSERT_EQUAL(smb_path_delete(t, name, FILE_NON_DIRECTORY_FILE), 0);
	itest_disconnect(s, t);
}

static void check_dialect(uint16_t d)
{
	check_dialect_signing(d, false);
	check_dialect_signing(d, true);
}

static void test_202(void) { check_dialect(SMB2_DIALECT_202); }
static void test_210(void) { check_dialect(SMB2_DIALECT_210); }
static void test_300(void) { check_dialect(SMB2_DIALECT_300); }
static void test_302(void) { check_dialect(SMB2_DIALECT_302); }
static void test_311(void) { check_dialect(SMB2_DIALECT_311); }

/*
 * Offering only an algorithm the server does not allow: HMAC-only and
 * GMAC-only servers refuse the NEGOTIATE; otherwise MS-SMB2 3.3.5.4 has
 * the server leave out the signing context and both sides use AES-CMAC.
 */
static void test_no_common_algorithm(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session_info info;
	struct smb_session *s = NULL;
	char err[256] = "";

	cfg.dialect_min = cfg.dialect_max = SMB2_DIALECT_311;
	cfg.sign = true;
	cfg.n_sign_algos = 1;
	cfg.sign_algos[0] = server_algo == SMB2_SIGNING_AES_GMAC
				    ? SMB2_SIGNING_HMAC_SHA256
				    : SMB2_SIGNING_AES_GMAC;
	if (server_algo == SMB2_SIGNING_HMAC_SHA256 ||
	    server_algo == SMB2_SIGNING_AES_GMAC) {
		check_refused(&cfg);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(smb_session_open(&cfg, &s, err, sizeof(err)), 0);
	smb_session_get_info(s, &info);
	CU_ASSERT_EQUAL(info.sign_algo, server_algo < 0
						? SMB2_SIGNING_AES_GMAC
						: SMB2_SIGNING_AES_CMAC);
	CU_ASSERT(info.signing);
	smb_session_close(s);
}

static CU_TestInfo tests[] = {
	{"2.0.2 follows the server's signing policy", test_202},
	{"2.1 follows the server's signing policy", test_210},
	{"3.0 follows the server's signing policy", test_300},
	{"3.0.2 follows the server's signing policy", test_302},
	{"3.1.1 follows the server's policy and algorithm", test_311},
	{"one offered algorithm: refused or AES-CMAC fallback",
	 test_no_common_algorithm},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"server signing policy", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	itest_env();
	read_server_conf();
	return cunit_run(suites);
}
