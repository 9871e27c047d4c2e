// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TREE_CONNECT response (MS-SMB2 2.2.10) and the empty-bodied responses
 * that go with a tree or session (TREE_DISCONNECT, LOGOFF, ECHO,
 * FLUSH, LOCK, SET_INFO: MS-SMB2 2.2.12, 2.2.8, 2.2.29, 2.2.18, 2.2.27,
 * 2.2.40).
 *
 * Input: one whole response message (SMB2 header + body).
 */
#include "fuzz_common.h"
#include "smbfs/wire/smb2_echo.h"
#include "smbfs/wire/smb2_flush.h"
#include "smbfs/wire/smb2_lock.h"
#include "smbfs/wire/smb2_logoff.h"
#include "smbfs/wire/smb2_set_info.h"
#include "smbfs/wire/smb2_tree_connect.h"
#include "smbfs/wire/smb2_tree_disconnect.h"

/* StructureSize 4 and its 4 bytes: the only thing an empty body has. */
static void check_empty_bodies(const uint8_t *data, size_t size)
{
	int (*const decoders[])(const uint8_t *, size_t) = {
		smb2_tree_disconnect_response_decode,
		smb2_logoff_response_decode,
		smb2_echo_response_decode,
		smb2_flush_response_decode,
		smb2_lock_response_decode,
	};
	bool valid = size >= 68 && le16_get(data + 64) == 4;
	size_t i;

	for (i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++)
		FUZZ_CHECK(decoders[i](data, size) == (valid ? 0 : -EBADMSG));
	/* SET_INFO: StructureSize 2 (MS-SMB2 2.2.40). */
	FUZZ_CHECK(smb2_set_info_response_decode(data, size) ==
		   (size >= 66 && le16_get(data + 64) == 2 ? 0 : -EBADMSG));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb2_tree_connect_response rsp;
	int rc = smb2_tree_connect_response_decode(data, size, &rsp);
	bool valid = size >= 80 && le16_get(data + 64) == 16;

	FUZZ_CHECK(rc == (valid ? 0 : -EBADMSG));
	if (!rc) {
		FUZZ_CHECK(rsp.share_type == data[66]);
		FUZZ_CHECK(rsp.share_flags == le32_get(data + 68));
		FUZZ_CHECK(rsp.capabilities == le32_get(data + 72));
		FUZZ_CHECK(rsp.maximal_access == le32_get(data + 76));
	}
	check_empty_bodies(data, size);
	return 0;
}
