// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 QUERY_INFO request and response (MS-SMB2 2.2.37, 2.2.38). */
#include <errno.h>
#include <string.h>

#include "smb2_body_check.h"
#include "smbfs/wire/smb2_query_info.h"

#define QINFO_REQ_FIXED 40

int smb2_query_info_request_encode(struct smb_wbuf *w,
				   const struct smb2_query_info_request *req)
{
	size_t body = w->len;

	if (w->len != SMB2_HEADER_SIZE || req->input_len > UINT32_MAX ||
	    (req->input_len && !req->input))
		return -EINVAL;
	wbuf_u16(w, SMB2_QUERY_INFO_REQUEST_STRUCTURE_SIZE);
	wbuf_u8(w, req->info_type);
	wbuf_u8(w, req->info_class);
	wbuf_u32(w, req->output_buffer_length);
	/* InputBufferOffset: 0 when there is no input. */
	wbuf_u16(w, req->input_len ? (uint16_t)(body + QINFO_REQ_FIXED) : 0);
	wbuf_u16(w, 0); /* Reserved */
	wbuf_u32(w, (uint32_t)req->input_len);
	wbuf_u32(w, req->additional_information);
	wbuf_u32(w, req->flags);
	wbuf_u64(w, req->file_id.persistent);
	wbuf_u64(w, req->file_id.volatile_id);
	if (req->input_len)
		wbuf_bytes(w, req->input, req->input_len);
	else
		wbuf_u8(w, 0); /* StructureSize counts one buffer byte */
	return wbuf_error(w);
}

int smb2_query_info_response_decode(const uint8_t *msg, size_t len,
				    struct smb2_query_info_response *rsp)
{
	return smb2_buffer_response_decode(msg, len, SMB2_QUERY_INFO_RESPONSE_STRUCTURE_SIZE,
					   &rsp->buffer, &rsp->buffer_len);
}
