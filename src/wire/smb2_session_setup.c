// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 SESSION_SETUP (MS-SMB2 2.2.5, 2.2.6). */
#include <errno.h>
#include <string.h>

#include "smbfs/wire/smb2_session_setup.h"
#include "smb2_body_check.h"

#define SESSION_SETUP_REQUEST_STRUCTURE_SIZE  25
#define SESSION_SETUP_REQUEST_FIXED	      24
#define SESSION_SETUP_RESPONSE_STRUCTURE_SIZE 9
#define SESSION_SETUP_RESPONSE_FIXED	      8

int smb2_session_setup_request_encode(
	struct smb_wbuf *w, const struct smb2_session_setup_request *req)
{
	int err = smb2_body_encode_start(w);

	if (err)
		return err;
	if (req->security_buffer_len > UINT16_MAX ||
	    (req->security_buffer_len && !req->security_buffer))
		return -EINVAL;
	wbuf_u16(w, SESSION_SETUP_REQUEST_STRUCTURE_SIZE);
	wbuf_u8(w, req->flags);
	wbuf_u8(w, req->security_mode);
	wbuf_u32(w, req->capabilities);
	wbuf_u32(w, 0); /* Channel: reserved */
	/* The token follows the fixed part directly. */
	wbuf_u16(w, SMB2_HEADER_SIZE + SESSION_SETUP_REQUEST_FIXED);
	wbuf_u16(w, (uint16_t)req->security_buffer_len);
	wbuf_u64(w, req->previous_session_id);
	/*
	 * An odd StructureSize promises at least one byte of Buffer; a
	 * server may reject the request without it.
	 */
	if (req->security_buffer_len)
		wbuf_bytes(w, req->security_buffer, req->security_buffer_len);
	else
		wbuf_u8(w, 0);
	return wbuf_error(w);
}

int smb2_session_setup_response_decode(const uint8_t *msg, size_t len,
				       struct smb2_session_setup_response *rsp)
{
	uint16_t off, sec_len;
	const uint8_t *body;
	int err;

	memset(rsp, 0, sizeof(*rsp));
	err = smb2_body_check(msg, len, SESSION_SETUP_RESPONSE_STRUCTURE_SIZE,
			      SESSION_SETUP_RESPONSE_FIXED);
	if (err)
		return err;
	body = msg + SMB2_HEADER_SIZE;
	rsp->session_flags = le16_get(body + 2);
	off = le16_get(body + 4);
	sec_len = le16_get(body + 6);
	if (!sec_len)
		return 0;
	if (off < SMB2_HEADER_SIZE + SESSION_SETUP_RESPONSE_FIXED ||
	    bytes_range_check(len, off, sec_len))
		return -EBADMSG;
	rsp->security_buffer = msg + off;
	rsp->security_buffer_len = sec_len;
	return 0;
}
