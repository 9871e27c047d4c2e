// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Encryption, signing defaults and no fallback to less than was asked
 * for, against the real smbd.  What the server offers comes from its
 * smb.conf (SMB_CONF), so one program serves several configurations:
 *   server smb3 encryption algorithms = X -> seal ends up with X (each of
 *                                          the four ciphers has a line),
 *                                          require256 with X when X is
 *                                          256-bit, else fails clearly;
 *   server max protocol = SMB2_10         -> seal fails clearly, the
 *                                          session signs (HMAC-SHA256);
 *   map to guest = bad password           -> a wrong password is refused,
 *                                          not turned into a guest session;
 * and with none of these: seal on 3.1.1 and 3.0, require256, nosign.
 * Samba refuses to negotiate 3.0 / 3.0.2 when AES-128-CCM (their only
 * cipher) is not among the allowed ones.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "harness.h"

static int server_cipher = -1;	/* SMB2_ENCRYPTION_* or -1: all four */
static bool server_max_21;	/* server max protocol = SMB2_10 */
static bool server_guest_badpw; /* map to guest = bad password */

static void read_server_conf(void)
{
	static const struct {
		const char *name;
		uint16_t id;
	} ciphers[] = {
		{ "AES-128-CCM", SMB2_ENCRYPTION_AES128_CCM },
		{ "AES-128-GCM", SMB2_ENCRYPTION_AES128_GCM },
		{ "AES-256-CCM", SMB2_ENCRYPTION_AES256_CCM },
		{ "AES-256-GCM", SMB2_ENCRYPTION_AES256_GCM },
	};
	const char *path = getenv("SMB_CONF");
	FILE *f = path ? fopen(path, "r") : NULL;
	char line[512];
	size_t i;

	if (!f) {
		fprintf(stderr, "SMB_CONF not readable\n");
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "server max protocol = SMB2_10"))
			server_max_21 = true;
		if (strstr(line, "map to guest = bad password"))
			server_guest_badpw = true;
		if (!strstr(line, "server smb3 encryption algorithms"))
			continue;
		for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
			if (strstr(line, ciphers[i].name))
				server_cipher = ciphers[i].id;
	}
	fclose(f);
}

static bool is256(int cipher)
{
	return cipher == SMB2_ENCRYPTION_AES256_GCM ||
	       cipher == SMB2_ENCRYPTION_AES256_CCM;
}

/* Writes and reads back 1 MiB on t: several frames, all of them sealed. */
static void check_io(struct smb_tree *t, const char *name)
{
	enum { LEN = 1 << 20 };
	uint8_t *out = malloc(LEN), *in = malloc(LEN);
	struct smb2_fileid fid;

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	itest_fill(out, LEN, (uint64_t)strlen(name));
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, name, &fid), 0);
	CU_ASSERT_EQUAL(smb_file_write(t, fid, out, LEN, 0), LEN);
	CU_ASSERT_EQUAL(smb_file_read(t, fid, in, LEN, 0), LEN);
	CU_ASSERT(memcmp(in, out, LEN) == 0);
	CU_ASSERT_EQUAL(smb_file_close(t, fid, NULL), 0);
	CU_ASSERT_EQUAL(smb_path_delete(t, name, FILE_NON_DIRECTORY_FILE), 0);
	free(out);
	free(in);
}

/* Opening a session with cfg fails with rc and a message naming want. */
static void check_open_fails(const struct smb_client_config *cfg, int rc,
			     const char *want)
{
	struct smb_session *s = NULL;
	char err[256] = "";

	CU_ASSERT_EQUAL(smb_session_open(cfg, &s, err, sizeof(err)), rc);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	printf("\n    message: %s\n", err);
	smb_session_close(s);
}

/* A sealed session on share: encrypted with cipher, not signed, I/O. */
static void check_sealed(struct smb_client_config *cfg, const char *share,
			 int cipher, const char *name)
{
	struct smb_session_info info;
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(cfg, share, &s);

	if (!t)
		return;
	smb_session_get_info(s, &info);
	CU_ASSERT(info.encrypting);
	CU_ASSERT(!info.signing);
	CU_ASSERT_EQUAL(info.cipher, cipher);
	printf("\n    dialect %s, %s\n", smb2_dialect_name(info.dialect),
	       smb2_cipher_name(info.cipher));
	check_io(t, name);
	itest_disconnect(s, t);
}

/*
 * seal on 3.1.1: the server's cipher (its first choice, AES-128-GCM,
 * when unrestricted); on 2.1 the mount fails before logging on.
 */
static void test_seal(void)
{
	struct smb_client_config cfg = itest_config();

	cfg.seal = true;
	if (server_max_21) {
		check_open_fails(&cfg, -EOPNOTSUPP, "cannot encrypt");
		return;
	}
	check_sealed(&cfg, "plain", server_cipher < 0
					    ? SMB2_ENCRYPTION_AES128_GCM
					    : server_cipher,
		     "sec-seal.bin");
	/* A share that insists on encryption works sealed too. */
	check_sealed(&cfg, "enc", server_cipher < 0
					  ? SMB2_ENCRYPTION_AES128_GCM
					  : server_cipher,
		     "sec-seal-enc.bin");
}

/* require256: the 256-bit cipher the server allows, or a clear failure. */
static void test_require256(void)
{
	struct smb_client_config cfg = itest_config();

	cfg.seal = cfg.require256 = true;
	if (server_max_21) {
		check_open_fails(&cfg, -EOPNOTSUPP, "cannot encrypt");
		return;
	}
	if (server_cipher >= 0 && !is256(server_cipher)) {
		check_open_fails(&cfg, -EOPNOTSUPP, "no 256-bit cipher");
		return;
	}
	check_sealed(&cfg, "plain", server_cipher < 0
					    ? SMB2_ENCRYPTION_AES256_GCM
					    : server_cipher,
		     "sec-seal256.bin");
	/* 3.0.2 has AES-128-CCM only (the server here refuses 3.0.x). */
	cfg.dialect_max = SMB2_DIALECT_302;
	if (server_cipher < 0)
		check_open_fails(&cfg, -EOPNOTSUPP, "not a 256-bit cipher");
}

/*
 * seal on 3.0 and 3.0.2: AES-128-CCM, and VALIDATE_NEGOTIATE runs over
 * the encrypted session.
 */
static void test_seal_30(void)
{
	static const uint16_t dialects[] = { SMB2_DIALECT_300,
					     SMB2_DIALECT_302 };
	struct smb_client_config cfg = itest_config();
	struct smb_session_info info;
	struct smb_session *s = NULL;
	struct smb_tree *t;
	size_t i;

	cfg.seal = true;
	for (i = 0; i < 2; i++) {
		cfg.dialect_min = cfg.dialect_max = dialects[i];
		/*
		 * Nothing in common: 2.1 at most, or (Samba ties 3.0.x to
		 * AES-128-CCM) a server restricted to another cipher.
		 */
		if (server_max_21 || (server_cipher >= 0 &&
				      server_cipher != SMB2_ENCRYPTION_AES128_CCM)) {
			check_open_fails(&cfg, server_max_21 ? -EOPNOTSUPP
							     : -EINVAL,
					 "negotiate failed");
			continue;
		}
		t = itest_connect(&cfg, "plain", &s);
		if (!t)
			continue;
		smb_session_get_info(s, &info);
		CU_ASSERT(info.encrypting);
		CU_ASSERT_EQUAL(info.cipher, SMB2_ENCRYPTION_AES128_CCM);
		CU_ASSERT(info.validated);
		check_io(t, "sec-seal30.bin");
		itest_disconnect(s, t);
	}
}

/*
 * Default: sign (AES-128-GMAC on 3.1.1, HMAC-SHA256 on 2.1); nosign:
 * neither sign nor encrypt, and the share still works.
 */
static void test_signing_default_and_nosign(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session_info info;
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(&cfg, "plain", &s);

	if (!t)
		return;
	smb_session_get_info(s, &info);
	CU_ASSERT(info.signing);
	CU_ASSERT(!info.encrypting);
	CU_ASSERT_EQUAL(info.sign_algo, server_max_21
						? SMB2_SIGNING_HMAC_SHA256
						: SMB2_SIGNING_AES_GMAC);
	check_io(t, "sec-signed.bin");
	itest_disconnect(s, t);

	cfg.nosign = true;
	t = itest_connect(&cfg, "plain", &s);
	if (!t)
		return;
	smb_session_get_info(s, &info);
	CU_ASSERT(!info.signing);
	CU_ASSERT(!info.encrypting);
	check_io(t, "sec-nosign.bin");
	itest_disconnect(s, t);
}

/*
 * Credentials were given: a wrong password never becomes a guest
 * session, whatever the server would grant (map to guest = bad
 * password grants one; otherwise the log-on fails outright).
 */
static void test_wrong_password_no_guest(void)
{
	struct smb_client_config cfg = itest_config();
	char wrong[128];

	snprintf(wrong, sizeof(wrong), "%s-wrong", cfg.password);
	cfg.password = wrong;
	check_open_fails(&cfg, -EACCES,
			 server_guest_badpw ? "logged us on as guest"
					    : "logon failure");
	/* The right password still logs on as the user. */
	cfg = itest_config();
	if (server_guest_badpw) {
		struct smb_session_info info;
		struct smb_session *s = NULL;
		struct smb_tree *t = itest_connect(&cfg, "plain", &s);

		if (!t)
			return;
		smb_session_get_info(s, &info);
		CU_ASSERT(!info.guest && !info.anonymous);
		CU_ASSERT(info.signing);
		itest_disconnect(s, t);
	}
}

static CU_TestInfo tests[] = {
	{ "seal: the server's cipher, or a clear failure", test_seal },
	{ "require256: a 256-bit cipher or a clear failure", test_require256 },
	{ "seal on 3.0 / 3.0.2: AES-128-CCM, validated", test_seal_30 },
	{ "signed by default; nosign", test_signing_default_and_nosign },
	{ "wrong password: refused, never guest", test_wrong_password_no_guest },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "security", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	read_server_conf();
	return cunit_run(suites);
}
