// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * OPLOCK_BREAK messages from the server (MS-SMB2 2.2.23, 2.2.25):
 * oplock and lease break notifications, and the responses to the
 * client's acknowledgments.
 *
 * Input: a selector byte, then one whole message: a notification (even
 * selector) or a response to an acknowledgment (odd).
 */
#include "fuzz_common.h"
#include "smbfs/wire/smb2_oplock_break.h"

/* The acknowledgment the client would send, read back as a response. */
static void check_ack_round_trip(bool lease, uint8_t level,
				 const struct smb2_fileid *fid,
				 const uint8_t *key, uint32_t state)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb2_break_response back;
	struct smb2_header h = {.command = SMB2_OPLOCK_BREAK,
				.flags = SMB2_FLAGS_SERVER_TO_REDIR};

	smb2_header_encode(&w, &h);
	if (lease) {
		struct smb2_lease_break_ack ack = {.lease_state = state};

		memcpy(ack.lease_key, key, SMB2_LEASE_KEY_SIZE);
		FUZZ_CHECK(smb2_lease_break_ack_encode(&w, &ack) == 0);
	} else {
		struct smb2_oplock_break_ack ack = {.oplock_level = level,
						    .file_id = *fid};

		FUZZ_CHECK(smb2_oplock_break_ack_encode(&w, &ack) == 0);
	}
	FUZZ_CHECK(smb2_break_response_decode(w.data, w.len, &back) == 0);
	FUZZ_CHECK(back.is_lease == lease);
	if (lease) {
		FUZZ_CHECK(!memcmp(back.lease_key, key, SMB2_LEASE_KEY_SIZE));
		FUZZ_CHECK(back.lease_state == state);
	} else {
		FUZZ_CHECK(back.oplock_level == level);
		FUZZ_CHECK(back.file_id.persistent == fid->persistent &&
			   back.file_id.volatile_id == fid->volatile_id);
	}
	wbuf_free(&w);
}

static uint16_t structure_size(const uint8_t *data, size_t size)
{
	return size >= 66 ? le16_get(data + 64) : 0;
}

static void check_notification(const uint8_t *data, size_t size)
{
	struct smb2_break_notification n;
	int rc = smb2_break_notification_decode(data, size, &n);
	uint16_t ss = structure_size(data, size);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc) {
		FUZZ_CHECK(!((ss == 24 && size >= 88) ||
			     (ss == 44 && size >= 108)));
		return;
	}
	FUZZ_CHECK(n.is_lease == (ss == 44) && (ss == 24 || ss == 44));
	if (n.is_lease) {
		FUZZ_CHECK(size >= 108);
		FUZZ_CHECK(n.new_lease_state == le32_get(data + 64 + 28));
	} else {
		FUZZ_CHECK(size >= 88 && n.oplock_level == data[66]);
	}
	check_ack_round_trip(n.is_lease, n.oplock_level, &n.file_id,
			     n.lease_key, n.new_lease_state);
}

static void check_response(const uint8_t *data, size_t size)
{
	struct smb2_break_response r;
	int rc = smb2_break_response_decode(data, size, &r);
	uint16_t ss = structure_size(data, size);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc) {
		FUZZ_CHECK(!((ss == 24 && size >= 88) ||
			     (ss == 36 && size >= 100)));
		return;
	}
	FUZZ_CHECK(r.is_lease == (ss == 36) && (ss == 24 || ss == 36));
	check_ack_round_trip(r.is_lease, r.oplock_level, &r.file_id,
			     r.lease_key, r.lease_state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel = fuzz_take_u8(&data, &size);

	if (sel & 1)
		check_response(data, size);
	else
		check_notification(data, size);
	return 0;
}
