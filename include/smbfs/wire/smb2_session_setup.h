/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMB2 SESSION_SETUP request and response bodies (MS-SMB2 2.2.5, 2.2.6). */
#ifndef SMBFS_WIRE_SMB2_SESSION_SETUP_H
#define SMBFS_WIRE_SMB2_SESSION_SETUP_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

struct smb2_session_setup_request {
	uint8_t flags;	       /* SMB2_SESSION_FLAG_BINDING or 0 */
	uint8_t security_mode; /* SMB2_NEGOTIATE_SIGNING_* */
	uint32_t capabilities; /* only SMB2_GLOBAL_CAP_DFS is meaningful */
	uint64_t previous_session_id;	/* 0, or the session to reconnect */
	const uint8_t *security_buffer; /* GSS/SPNEGO token */
	size_t security_buffer_len;	/* at most 65535 */
};

struct smb2_session_setup_response {
	uint16_t session_flags; /* SMB2_SESSION_FLAG_IS_GUEST, ... */
	/* Token from the server; points into msg, NULL when empty. */
	const uint8_t *security_buffer;
	uint16_t security_buffer_len;
};

/* Returns 0, -EINVAL (token longer than 65535 bytes) or the wbuf error. */
int smb2_session_setup_request_encode(
	struct smb_wbuf *w, const struct smb2_session_setup_request *req);
/*
 * Decodes the body of a response with STATUS_SUCCESS or
 * STATUS_MORE_PROCESSING_REQUIRED.  Returns 0 or -EBADMSG.
 */
int smb2_session_setup_response_decode(const uint8_t *msg, size_t len,
				       struct smb2_session_setup_response *rsp);

#endif
