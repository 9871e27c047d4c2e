// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 OPLOCK_BREAK (MS-SMB2 2.2.23 - 2.2.25).  The oplock and the lease
 * forms of each message share the command code and differ only by
 * StructureSize.
 */
#include <errno.h>
#include <string.h>

#include "smbfs/wire/smb2_oplock_break.h"
#include "smb2_body_check.h"

#define OPLOCK_BREAK_STRUCTURE_SIZE		24 /* notification, ack, response */
#define LEASE_BREAK_NOTIFICATION_STRUCTURE_SIZE 44
#define LEASE_BREAK_ACK_STRUCTURE_SIZE		36 /* ack and response */

static uint16_t body_structure_size(const uint8_t *msg, size_t len)
{
	uint16_t size;

	if (bytes_get_u16_at(msg, len, SMB2_HEADER_SIZE, &size))
		return 0;
	return size;
}

/* Oplock notification and response: OplockLevel, Reserved*, FileId. */
static int decode_oplock_form(const uint8_t *msg, size_t len, uint8_t *level,
			      struct smb2_fileid *file_id)
{
	struct smb_rbuf r;
	int err;

	err = smb2_body_check(msg, len, OPLOCK_BREAK_STRUCTURE_SIZE,
			      OPLOCK_BREAK_STRUCTURE_SIZE);
	if (err)
		return err;
	rbuf_init(&r, msg, len);
	rbuf_seek(&r, SMB2_HEADER_SIZE + 2);
	*level = rbuf_u8(&r);
	rbuf_skip(&r, 1 + 4); /* Reserved, Reserved2 */
	file_id->persistent = rbuf_u64(&r);
	file_id->volatile_id = rbuf_u64(&r);
	return rbuf_error(&r);
}

static int decode_lease_notification(const uint8_t *msg, size_t len,
				     struct smb2_break_notification *n)
{
	struct smb_rbuf r;
	int err;

	err = smb2_body_check(msg, len, LEASE_BREAK_NOTIFICATION_STRUCTURE_SIZE,
			      LEASE_BREAK_NOTIFICATION_STRUCTURE_SIZE);
	if (err)
		return err;
	rbuf_init(&r, msg, len);
	rbuf_seek(&r, SMB2_HEADER_SIZE + 2);
	n->is_lease = true;
	n->new_epoch = rbuf_u16(&r);
	n->flags = rbuf_u32(&r);
	rbuf_bytes(&r, n->lease_key, SMB2_LEASE_KEY_SIZE);
	n->current_lease_state = rbuf_u32(&r);
	n->new_lease_state = rbuf_u32(&r);
	n->break_reason = rbuf_u32(&r);
	n->access_mask_hint = rbuf_u32(&r);
	n->share_mask_hint = rbuf_u32(&r);
	return rbuf_error(&r);
}

int smb2_break_notification_decode(const uint8_t *msg, size_t len,
				   struct smb2_break_notification *n)
{
	memset(n, 0, sizeof(*n));
	switch (body_structure_size(msg, len)) {
	case OPLOCK_BREAK_STRUCTURE_SIZE: /* MS-SMB2 2.2.23.1 */
		return decode_oplock_form(msg, len, &n->oplock_level,
					  &n->file_id);
	case LEASE_BREAK_NOTIFICATION_STRUCTURE_SIZE: /* 2.2.23.2 */
		return decode_lease_notification(msg, len, n);
	default:
		return -EBADMSG;
	}
}

int smb2_oplock_break_ack_encode(struct smb_wbuf *w,
				 const struct smb2_oplock_break_ack *ack)
{
	int err = smb2_body_encode_start(w);

	if (err)
		return err;
	wbuf_u16(w, OPLOCK_BREAK_STRUCTURE_SIZE);
	wbuf_u8(w, ack->oplock_level);
	wbuf_u8(w, 0);	/* Reserved */
	wbuf_u32(w, 0); /* Reserved2 */
	wbuf_u64(w, ack->file_id.persistent);
	wbuf_u64(w, ack->file_id.volatile_id);
	return wbuf_error(w);
}

int smb2_lease_break_ack_encode(struct smb_wbuf *w,
				const struct smb2_lease_break_ack *ack)
{
	int err = smb2_body_encode_start(w);

	if (err)
		return err;
	wbuf_u16(w, LEASE_BREAK_ACK_STRUCTURE_SIZE);
	wbuf_u16(w, 0); /* Reserved */
	wbuf_u32(w, 0); /* Flags: reserved */
	wbuf_bytes(w, ack->lease_key, SMB2_LEASE_KEY_SIZE);
	wbuf_u32(w, ack->lease_state);
	wbuf_u64(w, 0); /* LeaseDuration: reserved */
	return wbuf_error(w);
}

static int decode_lease_response(const uint8_t *msg, size_t len,
				 struct smb2_break_response *rsp)
{
	struct smb_rbuf r;
	int err;

	err = smb2_body_check(msg, len, LEASE_BREAK_ACK_STRUCTURE_SIZE,
			      LEASE_BREAK_ACK_STRUCTURE_SIZE);
	if (err)
		return err;
	rbuf_init(&r, msg, len);
	rbuf_seek(&r, SMB2_HEADER_SIZE + 4); /* StructureSize, Reserved */
	rsp->is_lease = true;
	rsp->flags = rbuf_u32(&r);
	rbuf_bytes(&r, rsp->lease_key, SMB2_LEASE_KEY_SIZE);
	rsp->lease_state = rbuf_u32(&r);
	return rbuf_error(&r);
}

int smb2_break_response_decode(const uint8_t *msg, size_t len,
			       struct smb2_break_response *rsp)
{
	memset(rsp, 0, sizeof(*rsp));
	switch (body_structure_size(msg, len)) {
	case OPLOCK_BREAK_STRUCTURE_SIZE: /* MS-SMB2 2.2.25.1 */
		return decode_oplock_form(msg, len, &rsp->oplock_level,
					  &rsp->file_id);
	case LEASE_BREAK_ACK_STRUCTURE_SIZE: /* 2.2.25.2 */
		return decode_lease_response(msg, len, rsp);
	default:
		return -EBADMSG;
	}
}
