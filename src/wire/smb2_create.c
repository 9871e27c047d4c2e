// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 CREATE request and response (MS-SMB2 2.2.13, 2.2.14). */
#include <errno.h>
#include <string.h>

#include "smbfs/utf16.h"
#include "smbfs/wire/smb2_create.h"

/* Fixed body sizes (StructureSize counts one byte of the buffer). */
#define CREATE_REQ_FIXED 56
#define CREATE_RSP_FIXED 88
/* Offsets of fields patched after the variable part is written. */
#define CREATE_REQ_CTX_OFFSET_AT 48
#define CREATE_REQ_CTX_LENGTH_AT 52

/* Size of the UTF-16 name, or -EINVAL, -EILSEQ, -ENAMETOOLONG. */
static long create_name_size(const struct smb2_create_request *req)
{
	long n;

	if (req->name_len == 0)
		return 0;
	if (!req->name)
		return -EINVAL;
	n = utf8_utf16le_size(req->name, req->name_len);
	if (n > UINT16_MAX)
		return -ENAMETOOLONG;
	return n;
}

int smb2_create_request_encode(struct smb_wbuf *w,
			       const struct smb2_create_request *req)
{
	size_t body = w->len, ctx_off = 0, ctx_len = 0;
	long n = create_name_size(req);
	int rc;

	if (w->len != SMB2_HEADER_SIZE || (req->num_contexts && !req->contexts))
		return -EINVAL;
	if (n < 0)
		return (int)n;
	wbuf_u16(w, SMB2_CREATE_REQUEST_STRUCTURE_SIZE);
	wbuf_u8(w, req->security_flags);
	wbuf_u8(w, req->oplock_level);
	wbuf_u32(w, req->impersonation_level);
	wbuf_u64(w, 0); /* SmbCreateFlags */
	wbuf_u64(w, 0); /* Reserved */
	wbuf_u32(w, req->desired_access);
	wbuf_u32(w, req->file_attributes);
	wbuf_u32(w, req->share_access);
	wbuf_u32(w, req->create_disposition);
	wbuf_u32(w, req->create_options);
	/* NameOffset points at the buffer even for an empty name. */
	wbuf_u16(w, (uint16_t)(body + CREATE_REQ_FIXED));
	wbuf_u16(w, (uint16_t)n); /* NameLength */
	wbuf_u32(w, 0);		  /* CreateContextsOffset, patched below */
	wbuf_u32(w, 0);		  /* CreateContextsLength, patched below */
	if (n && utf8_to_utf16le(w, req->name, req->name_len) < 0)
		return wbuf_error(w) ? wbuf_error(w) : -EILSEQ;
	if (req->num_contexts) {
		rc = smb2_create_contexts_encode(w, req->contexts,
						 req->num_contexts, &ctx_off,
						 &ctx_len);
		if (rc)
			return rc;
		if (ctx_len > UINT32_MAX)
			return -EOVERFLOW;
		wbuf_put_u32_at(w, body + CREATE_REQ_CTX_OFFSET_AT,
				(uint32_t)ctx_off);
		wbuf_put_u32_at(w, body + CREATE_REQ_CTX_LENGTH_AT,
				(uint32_t)ctx_len);
	}
	/* MS-SMB2 2.2.13: the Buffer is at least one byte long. */
	if (w->len == body + CREATE_REQ_FIXED)
		wbuf_u8(w, 0);
	return wbuf_error(w);
}

int smb2_create_response_decode(const uint8_t *msg, size_t len,
				struct smb2_create_response *rsp)
{
	struct smb_rbuf r;
	uint32_t ctx_off, ctx_len;

	memset(rsp, 0, sizeof(*rsp));
	if (len < SMB2_HEADER_SIZE + CREATE_RSP_FIXED)
		return -EBADMSG;
	rbuf_init(&r, msg, len);
	rbuf_seek(&r, SMB2_HEADER_SIZE);
	if (rbuf_u16(&r) != SMB2_CREATE_RESPONSE_STRUCTURE_SIZE)
		return -EBADMSG;
	rsp->oplock_level = rbuf_u8(&r);
	rsp->flags = rbuf_u8(&r);
	rsp->create_action = rbuf_u32(&r);
	rsp->creation_time = rbuf_u64(&r);
	rsp->last_access_time = rbuf_u64(&r);
	rsp->last_write_time = rbuf_u64(&r);
	rsp->change_time = rbuf_u64(&r);
	rsp->allocation_size = rbuf_u64(&r);
	rsp->end_of_file = rbuf_u64(&r);
	rsp->file_attributes = rbuf_u32(&r);
	rbuf_skip(&r, 4); /* Reserved2 */
	rsp->file_id.persistent = rbuf_u64(&r);
	rsp->file_id.volatile_id = rbuf_u64(&r);
	ctx_off = rbuf_u32(&r);
	ctx_len = rbuf_u32(&r);
	if (rbuf_error(&r))
		return -EBADMSG;
	if (ctx_len == 0)
		return 0;
	if (ctx_off < SMB2_HEADER_SIZE + CREATE_RSP_FIXED ||
	    bytes_range_check(len, ctx_off, ctx_len))
		return -EBADMSG;
	return smb2_create_contexts_decode(msg + ctx_off, ctx_len,
					   &rsp->contexts);
}
