// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 IOCTL request and response (MS-SMB2 2.2.31, 2.2.32). */
#include <errno.h>
#include <string.h>

#include "smbfs/wire/smb2_ioctl.h"

#define IOCTL_REQ_FIXED 56
#define IOCTL_RSP_FIXED 48

int smb2_ioctl_request_encode(struct smb_wbuf *w,
			      const struct smb2_ioctl_request *req)
{
	size_t body = w->len;

	if (w->len != SMB2_HEADER_SIZE || req->input_len > UINT32_MAX ||
	    (req->input_len && !req->input))
		return -EINVAL;
	wbuf_u16(w, SMB2_IOCTL_REQUEST_STRUCTURE_SIZE);
	wbuf_u16(w, 0); /* Reserved */
	wbuf_u32(w, req->ctl_code);
	wbuf_u64(w, req->file_id.persistent);
	wbuf_u64(w, req->file_id.volatile_id);
	/* InputOffset: the client SHOULD send 0 when there is no input. */
	wbuf_u32(w, req->input_len ? (uint32_t)(body + IOCTL_REQ_FIXED) : 0);
	wbuf_u32(w, (uint32_t)req->input_len); /* InputCount */
	wbuf_u32(w, req->max_input_response);
	wbuf_u32(w, 0); /* OutputOffset: no output data is sent */
	wbuf_u32(w, 0); /* OutputCount */
	wbuf_u32(w, req->max_output_response);
	wbuf_u32(w, req->flags);
	wbuf_u32(w, 0); /* Reserved2 */
	if (req->input_len)
		wbuf_bytes(w, req->input, req->input_len);
	else
		wbuf_u8(w, 0); /* StructureSize counts one buffer byte */
	return wbuf_error(w);
}

/* Checks one offset/count pair of the response and returns a pointer. */
static int ioctl_buffer(const uint8_t *msg, size_t len, uint32_t off,
			uint32_t count, const uint8_t **out)
{
	*out = NULL;
	if (count == 0)
		return 0;
	if (off < SMB2_HEADER_SIZE + IOCTL_RSP_FIXED ||
	    bytes_range_check(len, off, count))
		return -EBADMSG;
	*out = msg + off;
	return 0;
}

int smb2_ioctl_response_decode(const uint8_t *msg, size_t len,
			       struct smb2_ioctl_response *rsp)
{
	struct smb_rbuf r;
	uint32_t in_off, out_off;

	memset(rsp, 0, sizeof(*rsp));
	if (len < SMB2_HEADER_SIZE + IOCTL_RSP_FIXED)
		return -EBADMSG;
	rbuf_init(&r, msg, len);
	rbuf_seek(&r, SMB2_HEADER_SIZE);
	if (rbuf_u16(&r) != SMB2_IOCTL_RESPONSE_STRUCTURE_SIZE)
		return -EBADMSG;
	rbuf_skip(&r, 2); /* Reserved */
	rsp->ctl_code = rbuf_u32(&r);
	rsp->file_id.persistent = rbuf_u64(&r);
	rsp->file_id.volatile_id = rbuf_u64(&r);
	in_off = rbuf_u32(&r);
	rsp->input_len = rbuf_u32(&r);
	out_off = rbuf_u32(&r);
	rsp->output_len = rbuf_u32(&r);
	rsp->flags = rbuf_u32(&r);
	if (rbuf_error(&r) ||
	    ioctl_buffer(msg, len, in_off, rsp->input_len, &rsp->input) ||
	    ioctl_buffer(msg, len, out_off, rsp->output_len, &rsp->output)) {
		memset(rsp, 0, sizeof(*rsp));
		return -EBADMSG;
	}
	return 0;
}
