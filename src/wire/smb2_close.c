// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 CLOSE (MS-SMB2 2.2.15, 2.2.16). */
#include <string.h>

#include "smbfs/wire/smb2_close.h"
#include "smb2_body_check.h"

#define CLOSE_REQUEST_STRUCTURE_SIZE  24
#define CLOSE_RESPONSE_STRUCTURE_SIZE 60

int smb2_close_request_encode(struct smb_wbuf *w,
			      const struct smb2_close_request *req)
{
	int err = smb2_body_encode_start(w);

	if (err)
		return err;
	wbuf_u16(w, CLOSE_REQUEST_STRUCTURE_SIZE);
	wbuf_u16(w, req->flags);
	wbuf_u32(w, 0); /* Reserved */
	wbuf_u64(w, req->file_id.persistent);
	wbuf_u64(w, req->file_id.volatile_id);
	return wbuf_error(w);
}

int smb2_close_response_decode(const uint8_t *msg, size_t len,
			       struct smb2_close_response *rsp)
{
	struct smb_rbuf r;
	int err;

	memset(rsp, 0, sizeof(*rsp));
	err = smb2_body_check(msg, len, CLOSE_RESPONSE_STRUCTURE_SIZE,
			      CLOSE_RESPONSE_STRUCTURE_SIZE);
	if (err)
		return err;
	rbuf_init(&r, msg, len);
	rbuf_seek(&r, SMB2_HEADER_SIZE + 2);
	rsp->flags = rbuf_u16(&r);
	rbuf_skip(&r, 4); /* Reserved */
	rsp->creation_time = rbuf_u64(&r);
	rsp->last_access_time = rbuf_u64(&r);
	rsp->last_write_time = rbuf_u64(&r);
	rsp->change_time = rbuf_u64(&r);
	rsp->allocation_size = rbuf_u64(&r);
	rsp->end_of_file = rbuf_u64(&r);
	rsp->file_attributes = rbuf_u32(&r);
	return rbuf_error(&r);
}
