// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 SET_INFO request and response (MS-SMB2 2.2.39, 2.2.40). */
#include <errno.h>

#include "smbfs/wire/smb2_set_info.h"

#define SINFO_REQ_FIXED 32

int smb2_set_info_request_encode(struct smb_wbuf *w,
				 const struct smb2_set_info_request *req)
{
	size_t body = w->len;

	if (w->len != SMB2_HEADER_SIZE || !req->buffer ||
	    req->buffer_len == 0 || req->buffer_len > UINT32_MAX)
		return -EINVAL;
	wbuf_u16(w, SMB2_SET_INFO_REQUEST_STRUCTURE_SIZE);
	wbuf_u8(w, req->info_type);
	wbuf_u8(w, req->info_class);
	wbuf_u32(w, (uint32_t)req->buffer_len);		 /* BufferLength */
	wbuf_u16(w, (uint16_t)(body + SINFO_REQ_FIXED)); /* BufferOffset */
	wbuf_u16(w, 0);					 /* Reserved */
	wbuf_u32(w, req->additional_information);
	wbuf_u64(w, req->file_id.persistent);
	wbuf_u64(w, req->file_id.volatile_id);
	wbuf_bytes(w, req->buffer, req->buffer_len);
	return wbuf_error(w);
}

int smb2_set_info_response_decode(const uint8_t *msg, size_t len)
{
	uint16_t size;

	if (bytes_get_u16_at(msg, len, SMB2_HEADER_SIZE, &size) ||
	    size != SMB2_SET_INFO_RESPONSE_STRUCTURE_SIZE)
		return -EBADMSG;
	return 0;
}
