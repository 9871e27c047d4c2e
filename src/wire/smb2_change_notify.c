// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 CHANGE_NOTIFY (MS-SMB2 2.2.35, 2.2.36) and FILE_NOTIFY_INFORMATION
 * records (MS-FSCC 2.7.1).
 */
#include <errno.h>
#include <string.h>

#include "smbfs/utf16.h"
#include "smb2_body_check.h"
#include "smbfs/wire/fscc_info.h"
#include "smbfs/wire/smb2_change_notify.h"

/* NextEntryOffset, Action, FileNameLength, then the name. */
#define NOTIFY_ENTRY_FIXED 12

int smb2_change_notify_request_encode(
	struct smb_wbuf *w, const struct smb2_change_notify_request *req)
{
	if (w->len != SMB2_HEADER_SIZE)
		return -EINVAL;
	wbuf_u16(w, SMB2_CHANGE_NOTIFY_REQUEST_STRUCTURE_SIZE);
	wbuf_u16(w, req->flags);
	wbuf_u32(w, req->output_buffer_length);
	wbuf_u64(w, req->file_id.persistent);
	wbuf_u64(w, req->file_id.volatile_id);
	wbuf_u32(w, req->completion_filter);
	wbuf_u32(w, 0); /* Reserved */
	return wbuf_error(w);
}

int smb2_change_notify_response_decode(const uint8_t *msg, size_t len,
				       struct smb2_change_notify_response *rsp)
{
	return smb2_buffer_response_decode(msg, len, SMB2_CHANGE_NOTIFY_RESPONSE_STRUCTURE_SIZE,
					   &rsp->buffer, &rsp->buffer_len);
}

void smb2_notify_iter_init(struct smb2_notify_iter *it, const uint8_t *buf,
			   size_t len)
{
	it->buf = buf;
	it->len = len;
	it->pos = 0;
	it->state = len ? 0 : 1;
}

int smb2_notify_next(struct smb2_notify_iter *it, struct smb2_notify_entry *out)
{
	const uint8_t *e;
	size_t entry_len;
	uint32_t name_len;
	int more, rc;

	memset(out, 0, sizeof(*out));
	if (it->state)
		return it->state < 0 ? it->state : 0;
	more = fscc_chain_entry(it->buf, it->len, it->pos, NOTIFY_ENTRY_FIXED,
				4, &entry_len);
	if (more < 0)
		goto bad;
	e = it->buf + it->pos;
	name_len = le32_get(e + 8);
	if (bytes_range_check(entry_len, NOTIFY_ENTRY_FIXED, name_len))
		goto bad;
	out->action = le32_get(e + 4);
	if (more)
		it->pos += entry_len;
	else
		it->state = 1;
	rc = utf16le_to_utf8(e + NOTIFY_ENTRY_FIXED, name_len, &out->name);
	return rc ? rc : 1;
bad:
	it->state = -EBADMSG;
	return -EBADMSG;
}
