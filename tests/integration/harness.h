/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for integration tests: the private smbd that
 * scripts/run-tests.sh starts describes itself in the environment
 * (SMB_HOST, SMB_PORT, SMB_USER, SMB_PASS, SMB_SHARE_PATH_*).
 */
#ifndef SMBFS_ITEST_HARNESS_H
#define SMBFS_ITEST_HARNESS_H

#include <stdint.h>
#include <time.h>

#include "smbfs/client.h"

struct itest_env {
	const char *host;
	const char *host6;
	uint16_t port;
	const char *user;
	const char *pass;
	const char *plain_path; /* the [plain] share's directory on disk */
	const char *big_path;
	unsigned int big_count; /* files in the [big] share */
};

/* Reads the environment; exits with a message when a variable is missing. */
const struct itest_env *itest_env(void);
/* A configuration for the test user on the test server. */
struct smb_client_config itest_config(void);
/* Session + tree, asserting success (NULL tree on failure). */
struct smb_tree *itest_connect(const struct smb_client_config *cfg,
			       const char *share, struct smb_session **s);
void itest_disconnect(struct smb_session *s, struct smb_tree *t);
/* Deterministic bytes for offset-checked content. */
void itest_fill(uint8_t *buf, size_t len, uint64_t seed);
double itest_now(void);
/* Creates (or truncates) a file for read/write; returns its fid. */
int itest_create_file(struct smb_tree *t, const char *path,
		      struct smb2_fileid *fid);

#endif
