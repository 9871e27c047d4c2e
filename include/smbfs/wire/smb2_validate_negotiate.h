/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FSCTL_VALIDATE_NEGOTIATE_INFO payloads (MS-SMB2 2.2.31.4, 2.2.32.6).
 * These are the IOCTL input and output buffers only; the IOCTL request
 * and response around them are encoded elsewhere.
 */
#ifndef SMBFS_WIRE_SMB2_VALIDATE_NEGOTIATE_H
#define SMBFS_WIRE_SMB2_VALIDATE_NEGOTIATE_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"
#include "smbfs/wire/smb2_negotiate.h"

/* Size of the VALIDATE_NEGOTIATE_INFO response payload. */
#define SMB2_VALIDATE_NEGOTIATE_RESPONSE_SIZE 24

/* The values the client sent in its NEGOTIATE request. */
struct smb2_validate_negotiate_request {
	uint32_t capabilities;
	uint8_t guid[SMB2_GUID_SIZE]; /* the ClientGuid */
	uint16_t security_mode;
	const uint16_t *dialects;
	uint16_t dialect_count;
};

/* The values the server claims to have answered with. */
struct smb2_validate_negotiate_response {
	uint32_t capabilities;
	uint8_t guid[SMB2_GUID_SIZE]; /* the ServerGuid */
	uint16_t security_mode;
	uint16_t dialect;
};

/*
 * Appends the input payload to w (at w->len, no header precondition).
 * Returns 0, -EINVAL (no dialect) or the wbuf's error.
 */
int smb2_validate_negotiate_request_encode(
	struct smb_wbuf *w, const struct smb2_validate_negotiate_request *req);

/*
 * Decodes the output payload (buf/len is the IOCTL output buffer, not
 * the whole message).  Returns 0 or -EBADMSG when it is too short.
 */
int smb2_validate_negotiate_response_decode(
	const uint8_t *buf, size_t len,
	struct smb2_validate_negotiate_response *rsp);

/*
 * MS-SMB2 3.2.5.14.12: the answer must repeat exactly what the
 * NEGOTIATE response said.  Returns 0 when every field matches,
 * otherwise -EACCES (a downgrade attempt: the caller drops the
 * connection).
 */
int smb2_validate_negotiate_check(
	const struct smb2_validate_negotiate_response *rsp,
	const struct smb2_negotiate_response *negotiated);

#endif
