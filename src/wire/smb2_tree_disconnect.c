// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 TREE_DISCONNECT (MS-SMB2 2.2.11, 2.2.12): the request and the response
 * body are both StructureSize 4 and two reserved bytes.
 */
#include "smbfs/wire/smb2_tree_disconnect.h"
#include "smb2_body_check.h"

int smb2_tree_disconnect_request_encode(struct smb_wbuf *w)
{
	return smb2_body_encode_empty(w);
}

int smb2_tree_disconnect_response_decode(const uint8_t *msg, size_t len)
{
	return smb2_body_decode_empty(msg, len);
}
