// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 FLUSH (MS-SMB2 2.2.17, 2.2.18). */
#include "smbfs/wire/smb2_flush.h"
#include "smb2_body_check.h"

#define FLUSH_REQUEST_STRUCTURE_SIZE 24

int smb2_flush_request_encode(struct smb_wbuf *w,
			      const struct smb2_flush_request *req)
{
	int err = smb2_body_encode_start(w);

	if (err)
		return err;
	wbuf_u16(w, FLUSH_REQUEST_STRUCTURE_SIZE);
	wbuf_u16(w, 0); /* Reserved1 */
	wbuf_u32(w, 0); /* Reserved2 */
	wbuf_u64(w, req->file_id.persistent);
	wbuf_u64(w, req->file_id.volatile_id);
	return wbuf_error(w);
}

int smb2_flush_response_decode(const uint8_t *msg, size_t len)
{
	return smb2_body_decode_empty(msg, len);
}
