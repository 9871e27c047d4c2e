// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CHANGE_NOTIFY response (MS-SMB2 2.2.36) and its FILE_NOTIFY_INFORMATION
 * records (MS-FSCC 2.7.1).
 *
 * Input: a selector byte, then data: a whole response message (even
 * selector) or the output buffer alone (odd).
 */
#include "fuzz_common.h"
#include "smbfs/wire/smb2_change_notify.h"

#define NOTIFY_FIXED 12

static void walk(const uint8_t *data, size_t size)
{
	uint8_t *buf = fuzz_copy(data, size);
	struct smb2_notify_iter it;
	struct smb2_notify_entry e;
	size_t records = 0, last_pos = 0;
	int rc;

	smb2_notify_iter_init(&it, buf, size);
	while ((rc = smb2_notify_next(&it, &e)) != 0) {
		FUZZ_CHECK(rc == 1 || rc == -EILSEQ || rc == -EBADMSG);
		if (rc == -EBADMSG)
			break;
		records++;
		FUZZ_CHECK(records * NOTIFY_FIXED <= size);
		FUZZ_CHECK(it.pos <= size && it.pos % 4 == 0);
		FUZZ_CHECK(it.state == 1 || it.pos > last_pos);
		last_pos = it.pos;
		if (rc == 1)
			FUZZ_CHECK(fuzz_utf8_valid(e.name));
		else
			FUZZ_CHECK(e.name == NULL);
		free(e.name);
	}
	FUZZ_CHECK(smb2_notify_next(&it, &e) == rc && e.name == NULL);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel = fuzz_take_u8(&data, &size);
	struct smb2_change_notify_response rsp;
	int rc;

	if (sel & 1) {
		walk(data, size);
		return 0;
	}
	rc = smb2_change_notify_response_decode(data, size, &rsp);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return 0;
	FUZZ_CHECK(fuzz_inside(data, size, rsp.buffer, rsp.buffer_len));
	FUZZ_CHECK(!rsp.buffer || rsp.buffer >= data + 72);
	walk(rsp.buffer, rsp.buffer_len);
	return 0;
}
