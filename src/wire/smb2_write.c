// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 WRITE (MS-SMB2 2.2.21, 2.2.22). */
#include <errno.h>
#include <string.h>

#include "smbfs/wire/smb2_write.h"
#include "smb2_body_check.h"

#define WRITE_REQUEST_STRUCTURE_SIZE  49
#define WRITE_REQUEST_FIXED	      48
#define WRITE_RESPONSE_STRUCTURE_SIZE 17
#define WRITE_RESPONSE_FIXED	      16

int smb2_write_request_encode(struct smb_wbuf *w,
			      const struct smb2_write_request *req)
{
	int err = smb2_body_encode_start(w);
	bool copy = req->length && !req->data_follows;

	if (err)
		return err;
	if (copy && !req->data)
		return -EINVAL;
	/* Reserve once: a large write should not regrow the buffer. */
	if (wbuf_reserve(w, WRITE_REQUEST_FIXED + (copy ? req->length : 0) + 1))
		return wbuf_error(w);
	wbuf_u16(w, WRITE_REQUEST_STRUCTURE_SIZE);
	/* The data follows the fixed part; DataOffset is from the header. */
	wbuf_u16(w, SMB2_HEADER_SIZE + WRITE_REQUEST_FIXED);
	wbuf_u32(w, req->length);
	wbuf_u64(w, req->offset);
	wbuf_u64(w, req->file_id.persistent);
	wbuf_u64(w, req->file_id.volatile_id);
	wbuf_u32(w, req->channel);
	wbuf_u32(w, req->remaining_bytes);
	wbuf_u16(w, 0); /* WriteChannelInfoOffset: no RDMA descriptors */
	wbuf_u16(w, 0); /* WriteChannelInfoLength */
	wbuf_u32(w, req->flags);
	/* An odd StructureSize promises at least one byte of Buffer. */
	if (copy)
		wbuf_bytes(w, req->data, req->length);
	else if (!req->length)
		wbuf_u8(w, 0);
	return wbuf_error(w);
}

int smb2_write_response_decode(const uint8_t *msg, size_t len,
			       struct smb2_write_response *rsp)
{
	const uint8_t *body;
	int err;

	memset(rsp, 0, sizeof(*rsp));
	err = smb2_body_check(msg, len, WRITE_RESPONSE_STRUCTURE_SIZE,
			      WRITE_RESPONSE_FIXED);
	if (err)
		return err;
	body = msg + SMB2_HEADER_SIZE;
	rsp->count = le32_get(body + 4);
	rsp->remaining = le32_get(body + 8);
	return 0;
}
