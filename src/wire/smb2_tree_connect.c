// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 TREE_CONNECT (MS-SMB2 2.2.9, 2.2.10). */
#include <errno.h>
#include <string.h>

#include "smbfs/utf16.h"
#include "smbfs/wire/smb2_tree_connect.h"
#include "smb2_body_check.h"

#define TREE_CONNECT_REQUEST_STRUCTURE_SIZE  9
#define TREE_CONNECT_REQUEST_FIXED	     8
#define TREE_CONNECT_RESPONSE_STRUCTURE_SIZE 16
#define TREE_CONNECT_RESPONSE_FIXED	     16

int smb2_tree_connect_request_encode(
	struct smb_wbuf *w, const struct smb2_tree_connect_request *req)
{
	long path_len;
	int err = smb2_body_encode_start(w);

	if (err)
		return err;
	if (!req->path || !req->path_len)
		return -EINVAL;
	path_len = utf8_utf16le_size(req->path, req->path_len);
	if (path_len < 0)
		return (int)path_len;
	if (path_len > UINT16_MAX)
		return -EINVAL;
	wbuf_u16(w, TREE_CONNECT_REQUEST_STRUCTURE_SIZE);
	wbuf_u16(w, req->flags);
	/* MS-SMB2 2.2.9: PathOffset is from the header start. */
	wbuf_u16(w, SMB2_HEADER_SIZE + TREE_CONNECT_REQUEST_FIXED);
	wbuf_u16(w, (uint16_t)path_len);
	path_len = utf8_to_utf16le(w, req->path, req->path_len);
	if (path_len < 0)
		return (int)path_len;
	return wbuf_error(w);
}

int smb2_tree_connect_response_decode(const uint8_t *msg, size_t len,
				      struct smb2_tree_connect_response *rsp)
{
	const uint8_t *body;
	int err;

	memset(rsp, 0, sizeof(*rsp));
	err = smb2_body_check(msg, len, TREE_CONNECT_RESPONSE_STRUCTURE_SIZE,
			      TREE_CONNECT_RESPONSE_FIXED);
	if (err)
		return err;
	body = msg + SMB2_HEADER_SIZE;
	rsp->share_type = body[2];
	rsp->share_flags = le32_get(body + 4);
	rsp->capabilities = le32_get(body + 8);
	rsp->maximal_access = le32_get(body + 12);
	return 0;
}
