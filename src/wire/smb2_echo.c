// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 ECHO (MS-SMB2 2.2.28, 2.2.29): the request and the response
 * body are both StructureSize 4 and two reserved bytes.
 */
#include "smbfs/wire/smb2_echo.h"
#include "smb2_body_check.h"

int smb2_echo_request_encode(struct smb_wbuf *w)
{
	return smb2_body_encode_empty(w);
}

int smb2_echo_response_decode(const uint8_t *msg, size_t len)
{
	return smb2_body_decode_empty(msg, len);
}
