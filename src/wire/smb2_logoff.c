// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 LOGOFF (MS-SMB2 2.2.7, 2.2.8): the request and the response
 * body are both StructureSize 4 and two reserved bytes.
 */
#include "smbfs/wire/smb2_logoff.h"
#include "smb2_body_check.h"

int smb2_logoff_request_encode(struct smb_wbuf *w)
{
	return smb2_body_encode_empty(w);
}

int smb2_logoff_response_decode(const uint8_t *msg, size_t len)
{
	return smb2_body_decode_empty(msg, len);
}
