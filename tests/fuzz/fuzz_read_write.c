// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * READ, WRITE and CLOSE responses (MS-SMB2 2.2.20, 2.2.22, 2.2.16).
 *
 * Input: one whole response message (SMB2 header + body); the same
 * bytes go to every decoder, each of which keys on StructureSize.
 */
#include "fuzz_common.h"
#include "smbfs/wire/smb2_close.h"
#include "smbfs/wire/smb2_read.h"
#include "smbfs/wire/smb2_write.h"

static void check_read(const uint8_t *data, size_t size)
{
	struct smb2_read_response rsp;
	int rc = smb2_read_response_decode(data, size, &rsp);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return;
	FUZZ_CHECK(size >= 80 && le16_get(data + 64) == 17);
	FUZZ_CHECK(fuzz_inside(data, size, rsp.data, rsp.data_len));
	/* The data never overlaps the header or the fixed body. */
	FUZZ_CHECK(!rsp.data || rsp.data >= data + 80);
	FUZZ_CHECK(rsp.data_len == le32_get(data + 68));
	FUZZ_CHECK(rsp.data_remaining == le32_get(data + 72));
}

static void check_write(const uint8_t *data, size_t size)
{
	struct smb2_write_response rsp;
	int rc = smb2_write_response_decode(data, size, &rsp);

	FUZZ_CHECK(rc == (size >= 80 && le16_get(data + 64) == 17 ? 0
								  : -EBADMSG));
	if (!rc) {
		FUZZ_CHECK(rsp.count == le32_get(data + 68));
		FUZZ_CHECK(rsp.remaining == le32_get(data + 72));
	}
}

static void check_close(const uint8_t *data, size_t size)
{
	struct smb2_close_response rsp;
	int rc = smb2_close_response_decode(data, size, &rsp);

	FUZZ_CHECK(rc == (size >= 124 && le16_get(data + 64) == 60
				  ? 0
				  : -EBADMSG));
	if (!rc) {
		FUZZ_CHECK(rsp.flags == le16_get(data + 66));
		FUZZ_CHECK(rsp.end_of_file == le64_get(data + 112));
		FUZZ_CHECK(rsp.file_attributes == le32_get(data + 120));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_read(data, size);
	check_write(data, size);
	check_close(data, size);
	return 0;
}
