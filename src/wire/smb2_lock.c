// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 LOCK (MS-SMB2 2.2.26, 2.2.27). */
#include <errno.h>
#include <stdbool.h>

#include "smbfs/wire/smb2_lock.h"
#include "smb2_body_check.h"

/* StructureSize counts the first lock element. */
#define LOCK_REQUEST_STRUCTURE_SIZE 48

static bool lock_flags_valid(uint32_t flags)
{
	/* MS-SMB2 2.2.26.1 lists the only valid combinations. */
	switch (flags) {
	case SMB2_LOCKFLAG_SHARED_LOCK:
	case SMB2_LOCKFLAG_EXCLUSIVE_LOCK:
	case SMB2_LOCKFLAG_SHARED_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY:
	case SMB2_LOCKFLAG_EXCLUSIVE_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY:
	case SMB2_LOCKFLAG_UNLOCK:
		return true;
	default:
		return false;
	}
}

static int check_request(const struct smb2_lock_request *req)
{
	bool unlock;
	uint16_t i;

	if (!req->lock_count || !req->locks)
		return -EINVAL;
	if (req->lock_sequence_number > SMB2_LOCK_SEQUENCE_NUMBER_MAX ||
	    req->lock_sequence_index > SMB2_LOCK_SEQUENCE_INDEX_MAX)
		return -EINVAL;
	/* A server processes either a list of locks or of unlocks. */
	unlock = req->locks[0].flags == SMB2_LOCKFLAG_UNLOCK;
	for (i = 0; i < req->lock_count; i++) {
		if (!lock_flags_valid(req->locks[i].flags))
			return -EINVAL;
		if ((req->locks[i].flags == SMB2_LOCKFLAG_UNLOCK) != unlock)
			return -EINVAL;
	}
	return 0;
}

int smb2_lock_request_encode(struct smb_wbuf *w,
			     const struct smb2_lock_request *req)
{
	uint16_t i;
	int err = smb2_body_encode_start(w);

	if (!err)
		err = check_request(req);
	if (err)
		return err;
	wbuf_u16(w, LOCK_REQUEST_STRUCTURE_SIZE);
	wbuf_u16(w, req->lock_count);
	/* LockSequenceNumber in the low 4 bits, LockSequenceIndex above. */
	wbuf_u32(w, (uint32_t)req->lock_sequence_number |
			    req->lock_sequence_index << 4);
	wbuf_u64(w, req->file_id.persistent);
	wbuf_u64(w, req->file_id.volatile_id);
	for (i = 0; i < req->lock_count; i++) {
		wbuf_u64(w, req->locks[i].offset);
		wbuf_u64(w, req->locks[i].length);
		wbuf_u32(w, req->locks[i].flags);
		wbuf_u32(w, 0); /* Reserved */
	}
	return wbuf_error(w);
}

int smb2_lock_response_decode(const uint8_t *msg, size_t len)
{
	return smb2_body_decode_empty(msg, len);
}
