// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FSCTL_VALIDATE_NEGOTIATE_INFO payloads (MS-SMB2 2.2.31.4, 2.2.32.6):
 * SMB 3.0/3.0.2 clients repeat the negotiation over a signed IOCTL so a
 * man in the middle cannot have downgraded it.
 */
#include <errno.h>
#include <string.h>

#include "smbfs/wire/smb2_validate_negotiate.h"

int smb2_validate_negotiate_request_encode(
	struct smb_wbuf *w, const struct smb2_validate_negotiate_request *req)
{
	uint16_t i;

	if (w->err)
		return w->err;
	if (!req->dialect_count || !req->dialects)
		return -EINVAL;
	wbuf_u32(w, req->capabilities);
	wbuf_bytes(w, req->guid, SMB2_GUID_SIZE);
	wbuf_u16(w, req->security_mode);
	wbuf_u16(w, req->dialect_count);
	for (i = 0; i < req->dialect_count; i++)
		wbuf_u16(w, req->dialects[i]);
	return wbuf_error(w);
}

int smb2_validate_negotiate_response_decode(
	const uint8_t *buf, size_t len,
	struct smb2_validate_negotiate_response *rsp)
{
	struct smb_rbuf r;

	memset(rsp, 0, sizeof(*rsp));
	rbuf_init(&r, buf, len);
	rsp->capabilities = rbuf_u32(&r);
	rbuf_bytes(&r, rsp->guid, SMB2_GUID_SIZE);
	rsp->security_mode = rbuf_u16(&r);
	rsp->dialect = rbuf_u16(&r);
	return rbuf_error(&r);
}

int smb2_validate_negotiate_check(
	const struct smb2_validate_negotiate_response *rsp,
	const struct smb2_negotiate_response *negotiated)
{
	if (rsp->capabilities != negotiated->capabilities ||
	    memcmp(rsp->guid, negotiated->server_guid, SMB2_GUID_SIZE) ||
	    rsp->security_mode != negotiated->security_mode ||
	    rsp->dialect != negotiated->dialect)
		return -EACCES;
	return 0;
}
