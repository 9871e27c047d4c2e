// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 READ (MS-SMB2 2.2.19, 2.2.20). */
#include <errno.h>
#include <string.h>

#include "smbfs/wire/smb2_read.h"
#include "smb2_body_check.h"

#define READ_REQUEST_STRUCTURE_SIZE  49
#define READ_RESPONSE_STRUCTURE_SIZE 17
#define READ_RESPONSE_FIXED	     16

int smb2_read_request_encode(struct smb_wbuf *w,
			     const struct smb2_read_request *req)
{
	int err = smb2_body_encode_start(w);

	if (err)
		return err;
	wbuf_u16(w, READ_REQUEST_STRUCTURE_SIZE);
	wbuf_u8(w, req->padding);
	wbuf_u8(w, req->flags);
	wbuf_u32(w, req->length);
	wbuf_u64(w, req->offset);
	wbuf_u64(w, req->file_id.persistent);
	wbuf_u64(w, req->file_id.volatile_id);
	wbuf_u32(w, req->minimum_count);
	wbuf_u32(w, req->channel);
	wbuf_u32(w, req->remaining_bytes);
	wbuf_u16(w, 0); /* ReadChannelInfoOffset: no RDMA descriptors */
	wbuf_u16(w, 0); /* ReadChannelInfoLength */
	/* MS-SMB2 2.2.19: Buffer holds at least one byte, set to 0. */
	wbuf_u8(w, 0);
	return wbuf_error(w);
}

int smb2_read_response_decode(const uint8_t *msg, size_t len,
			      struct smb2_read_response *rsp)
{
	const uint8_t *body;
	uint8_t data_off;
	uint32_t data_len;
	int err;

	memset(rsp, 0, sizeof(*rsp));
	err = smb2_body_check(msg, len, READ_RESPONSE_STRUCTURE_SIZE,
			      READ_RESPONSE_FIXED);
	if (err)
		return err;
	body = msg + SMB2_HEADER_SIZE;
	data_off = body[2]; /* one byte, from the header start */
	data_len = le32_get(body + 4);
	rsp->data_remaining = le32_get(body + 8);
	if (!data_len)
		return 0;
	if (data_off < SMB2_HEADER_SIZE + READ_RESPONSE_FIXED ||
	    bytes_range_check(len, data_off, data_len))
		return -EBADMSG;
	rsp->data = msg + data_off;
	rsp->data_len = data_len;
	return 0;
}
