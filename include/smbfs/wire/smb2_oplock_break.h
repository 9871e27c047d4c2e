/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 OPLOCK_BREAK (MS-SMB2 2.2.23 - 2.2.25): oplock and lease break
 * notifications from the server, the client's acknowledgments, and the
 * server's responses to them.  Oplock and lease forms share the command
 * and differ by StructureSize.
 */
#ifndef SMBFS_WIRE_SMB2_OPLOCK_BREAK_H
#define SMBFS_WIRE_SMB2_OPLOCK_BREAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

/* Also defined, identically, next to the CREATE lease contexts. */
#ifndef SMB2_LEASE_KEY_SIZE
#define SMB2_LEASE_KEY_SIZE 16
#endif

/* MS-SMB2 2.2.23.2: lease break notification Flags */
#define SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED 0x00000001u

/* A break notification: an oplock break or a lease break. */
struct smb2_break_notification {
	bool is_lease;
	/* Oplock break (MS-SMB2 2.2.23.1) */
	uint8_t oplock_level; /* the level the client now holds */
	struct smb2_fileid file_id;
	/* Lease break (MS-SMB2 2.2.23.2) */
	uint16_t new_epoch;
	uint32_t flags; /* SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED */
	uint8_t lease_key[SMB2_LEASE_KEY_SIZE];
	uint32_t current_lease_state; /* SMB2_LEASE_* */
	uint32_t new_lease_state;
	uint32_t break_reason;
	uint32_t access_mask_hint;
	uint32_t share_mask_hint;
};

/* MS-SMB2 2.2.24.1 */
struct smb2_oplock_break_ack {
	uint8_t oplock_level; /* SMB2_OPLOCK_LEVEL_NONE or _II */
	struct smb2_fileid file_id;
};

/* MS-SMB2 2.2.24.2 */
struct smb2_lease_break_ack {
	uint8_t lease_key[SMB2_LEASE_KEY_SIZE];
	uint32_t lease_state; /* the state the client keeps */
};

/* MS-SMB2 2.2.25: the server's answer to an acknowledgment. */
struct smb2_break_response {
	bool is_lease;
	uint8_t oplock_level; /* oplock form */
	struct smb2_fileid file_id;
	uint32_t flags; /* lease form */
	uint8_t lease_key[SMB2_LEASE_KEY_SIZE];
	uint32_t lease_state;
};

/*
 * Decodes an unsolicited break notification (StructureSize 24: oplock,
 * 44: lease).  Returns 0 or -EBADMSG.
 */
int smb2_break_notification_decode(const uint8_t *msg, size_t len,
				   struct smb2_break_notification *n);
/* Append an acknowledgment body.  Return 0 or the wbuf error. */
int smb2_oplock_break_ack_encode(struct smb_wbuf *w,
				 const struct smb2_oplock_break_ack *ack);
int smb2_lease_break_ack_encode(struct smb_wbuf *w,
				const struct smb2_lease_break_ack *ack);
/*
 * Decodes the response to an acknowledgment (StructureSize 24: oplock,
 * 36: lease).  Returns 0 or -EBADMSG.
 */
int smb2_break_response_decode(const uint8_t *msg, size_t len,
			       struct smb2_break_response *rsp);

#endif
