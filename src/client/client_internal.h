/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State shared by the files of src/client/. */
#ifndef SMBFS_CLIENT_INTERNAL_H
#define SMBFS_CLIENT_INTERNAL_H

#include "smbfs/client.h"
#include "smbfs/crypto.h"

struct smb_session {
	struct smb_conn *conn;
	char *host;
	struct smb_session_info info;
	uint8_t client_guid[16];
	uint16_t client_security_mode;
	uint32_t client_capabilities;
	uint16_t dialects[5]; /* as offered, for VALIDATE_NEGOTIATE */
	uint16_t dialect_count;
	uint8_t preauth_hash[SMB_SHA512_LEN];
	int establish_timeout_ms; /* per request of the log-on */
};

struct smb_tree {
	struct smb_session *session;
	struct smb_tree_info info;
	bool encrypt;
};

/* snprintf into err when err is not NULL; always returns rc. */
int client_error(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fills the header fields of a request for a session (tree_id 0). */
void session_req_prepare(struct smb_session *s, struct smb_req *req);

/* MS-SMB2 3.2.5.5: FSCTL_VALIDATE_NEGOTIATE_INFO on 3.0 / 3.0.2. */
int session_validate_negotiate(struct smb_session *s, struct smb_tree *t,
			       char *err, size_t errlen);

#endif
