// SPDX-License-Identifier: GPL-2.0-or-later
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *env_need(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr,
			"%s is not set: run integration tests through scripts/run-tests.sh (make check)\n",
			name);
		exit(2);
	}
	return v;
}

const struct itest_env *itest_env(void)
{
	static struct itest_env e;

	if (!e.host) {
		e.host = env_need("SMB_HOST");
		e.host6 = getenv("SMB_HOST6") ? getenv("SMB_HOST6") : "::1";
		e.port = (uint16_t)atoi(env_need("SMB_PORT"));
		e.user = env_need("SMB_USER");
		e.pass = env_need("SMB_PASS");
		e.plain_path = env_need("SMB_SHARE_PATH_PLAIN");
		e.big_path = env_need("SMB_SHARE_PATH_BIG");
		e.big_count = (unsigned int)atoi(env_need("SMB_BIG_COUNT"));
	}
	return &e;
}

struct smb_client_config itest_config(void)
{
	const struct itest_env *e = itest_env();
	struct smb_client_config cfg = {
		.host = e->host,
		.port = e->port,
		.user = e->user,
		.password = e->pass,
		.connect_timeout_ms = 5000,
		.request_timeout_ms = 30000,
	};

	return cfg;
}

struct smb_tree *itest_connect(const struct smb_client_config *cfg,
			       const char *share, struct smb_session **s)
{
	struct smb_tree *t = NULL;
	char err[256] = "";
	int rc = smb_session_open(cfg, s, err, sizeof(err));

	if (rc < 0) {
		fprintf(stderr, "\n    session: %s\n", err);
		CU_FAIL("session open failed");
		return NULL;
	}
	rc = smb_tree_connect(*s, share, &t, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "\n    tree: %s\n", err);
		CU_FAIL("tree connect failed");
		smb_session_close(*s);
		*s = NULL;
		return NULL;
	}
	return t;
}

void itest_disconnect(struct smb_session *s, struct smb_tree *t)
{
	if (t)
		CU_ASSERT_EQUAL(smb_tree_disconnect(t), 0);
	smb_session_close(s);
}

void itest_fill(uint8_t *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
}

double itest_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int itest_create_file(struct smb_tree *t, const char *path,
		      struct smb2_fileid *fid)
{
	struct smb_open_args a = {
		.path = path,
		.desired_access = GENERIC_READ | GENERIC_WRITE | DELETE,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE |
				FILE_SHARE_DELETE,
		.disposition = FILE_OVERWRITE_IF,
		.create_options = FILE_NON_DIRECTORY_FILE,
	};
	struct smb_open_result res;
	int rc = smb_file_open(t, &a, &res);

	if (!rc)
		*fid = res.fid;
	return rc;
}
