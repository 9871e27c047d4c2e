/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMB2 LOCK request and response bodies (MS-SMB2 2.2.26, 2.2.27). */
#ifndef SMBFS_WIRE_SMB2_LOCK_H
#define SMBFS_WIRE_SMB2_LOCK_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

/* MS-SMB2 2.2.26.1: lock element Flags */

/* LockSequenceNumber is 4 bits wide, LockSequenceIndex 28 bits. */
#define SMB2_LOCK_SEQUENCE_NUMBER_MAX 0xF
#define SMB2_LOCK_SEQUENCE_INDEX_MAX  0x0FFFFFFFu

struct smb2_lock_element {
	uint64_t offset;
	uint64_t length;
	uint32_t flags; /* SMB2_LOCKFLAG_* */
};

struct smb2_lock_request {
	/* Lock sequence for resilient/persistent handles; 0 otherwise. */
	uint8_t lock_sequence_number;
	uint32_t lock_sequence_index;
	struct smb2_fileid file_id;
	const struct smb2_lock_element *locks;
	uint16_t lock_count; /* at least 1 */
};

/*
 * Returns 0, -EINVAL or the wbuf error.  -EINVAL: no element, a
 * sequence number or index too large, an element whose flags are not
 * one of the combinations MS-SMB2 2.2.26.1 allows (SHARED or EXCLUSIVE,
 * each optionally with FAIL_IMMEDIATELY, or UNLOCK alone), or locks and
 * unlocks mixed in one request.
 */
int smb2_lock_request_encode(struct smb_wbuf *w,
			     const struct smb2_lock_request *req);
/* The response body is only StructureSize.  Returns 0 or -EBADMSG. */
int smb2_lock_response_decode(const uint8_t *msg, size_t len);

#endif
