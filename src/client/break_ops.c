// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Oplock and lease break acknowledgements (MS-SMB2 3.2.4.25, 3.2.4.26).
 * The notifications themselves arrive through the connection's on_break
 * callback; acknowledge from another thread, never from that callback.
 */
#include <errno.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/wire/smb2_oplock_break.h"

static int break_ack_call(struct smb_tree *t, struct smb_req *req,
			  struct smb2_break_response *rsp)
{
	int rc = smb_call(t, req, 0);

	if (!rc)
		rc = smb2_break_response_decode(req->rsp, req->rsp_len, rsp);
	smb_req_free(req);
	return rc;
}

int smb_break_parse(const uint8_t *msg, size_t len, struct smb_break *out)
{
	struct smb2_break_notification n;
	int rc = smb2_break_notification_decode(msg, len, &n);

	memset(out, 0, sizeof(*out));
	if (rc < 0)
		return rc;
	out->is_lease = n.is_lease;
	out->fid = n.file_id;
	out->oplock_level = n.oplock_level;
	memcpy(out->lease_key, n.lease_key, sizeof(out->lease_key));
	out->current_state = n.current_lease_state;
	out->new_state = n.new_lease_state;
	out->epoch = n.new_epoch;
	out->ack_required = n.flags & SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED;
	return 0;
}

int smb_oplock_break_ack(struct smb_tree *t, struct smb2_fileid fid,
			 uint8_t level)
{
	struct smb2_oplock_break_ack ack = {.oplock_level = level,
					    .file_id = fid};
	struct smb2_break_response rsp;
	struct smb_req *req = smb_tree_req_new(t, SMB2_OPLOCK_BREAK);
	int rc;

	if (!req)
		return -ENOMEM;
	rc = smb2_oplock_break_ack_encode(&req->msg, &ack);
	if (rc < 0) {
		smb_req_free(req);
		return rc;
	}
	rc = break_ack_call(t, req, &rsp);
	if (!rc && rsp.is_lease)
		rc = -EBADMSG;
	return rc;
}

int smb_lease_break_ack(struct smb_tree *t, const uint8_t key[16],
			uint32_t state)
{
	struct smb2_lease_break_ack ack = {.lease_state = state};
	struct smb2_break_response rsp;
	struct smb_req *req = smb_tree_req_new(t, SMB2_OPLOCK_BREAK);
	int rc;

	if (!req)
		return -ENOMEM;
	memcpy(ack.lease_key, key, sizeof(ack.lease_key));
	rc = smb2_lease_break_ack_encode(&req->msg, &ack);
	if (rc < 0) {
		smb_req_free(req);
		return rc;
	}
	rc = break_ack_call(t, req, &rsp);
	if (!rc && (!rsp.is_lease || rsp.lease_state != state))
		rc = -EBADMSG;
	return rc;
}
