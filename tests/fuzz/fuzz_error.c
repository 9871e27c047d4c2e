// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ERROR responses (MS-SMB2 2.2.2), their error contexts (2.2.2.1), and
 * the error data smbfs interprets: the Symbolic Link Error Response
 * (2.2.2.2.1) and the STATUS_BUFFER_TOO_SMALL size (2.2.2.2).
 *
 * Input: one whole response message (SMB2 header + body).
 */
#include "fuzz_common.h"
#include "smbfs/wire/smb2_error.h"

static void check_symlink(const uint8_t *msg, size_t len,
			  const struct smb2_error_response *rsp)
{
	struct smb2_symlink_error sl;
	int rc = smb2_symlink_error_decode(msg, len, &sl);

	FUZZ_CHECK(rc == 0 || rc == -ENODATA || rc == -EBADMSG ||
		   rc == -EILSEQ);
	/* It decodes the same response first. */
	FUZZ_CHECK(rsp || rc == -EBADMSG);
	FUZZ_CHECK(rc != -ENODATA || !rsp->data);
	if (rc) {
		FUZZ_CHECK(!sl.substitute_name && !sl.print_name);
		return;
	}
	FUZZ_CHECK(rsp->data && rsp->data_len >= 28);
	FUZZ_CHECK(fuzz_utf8_valid(sl.substitute_name) &&
		   sl.substitute_name[0]);
	FUZZ_CHECK(fuzz_utf8_valid(sl.print_name));
	FUZZ_CHECK(sl.flags == le32_get(rsp->data + 24));
	smb2_symlink_error_free(&sl);
}

static void check_contexts(const struct smb2_error_response *rsp)
{
	const uint8_t *data;
	uint32_t data_len;
	int rc = smb2_error_context_find(rsp, SMB2_ERROR_ID_DEFAULT, &data,
					 &data_len);

	FUZZ_CHECK(rc == 0 || rc == -ENOENT);
	/* The default context is what the response's data points at. */
	if (rsp->error_context_count)
		FUZZ_CHECK(rc ? !rsp->data
			      : data == rsp->data && data_len == rsp->data_len);
	rc = smb2_error_context_find(rsp, SMB2_ERROR_ID_SHARE_REDIRECT, &data,
				     &data_len);
	FUZZ_CHECK(rc == 0 || rc == -ENOENT);
	if (!rc)
		FUZZ_CHECK(fuzz_inside(rsp->error_data, rsp->error_data_len,
				       data, data_len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb2_error_response rsp;
	uint32_t required = 99;
	int rc = smb2_error_response_decode(data, size, &rsp);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (!rc) {
		FUZZ_CHECK(size >= 72 && le16_get(data + 64) == 9);
		FUZZ_CHECK(fuzz_inside(data, size, rsp.error_data,
				       rsp.error_data_len));
		FUZZ_CHECK(!rsp.error_data || rsp.error_data == data + 72);
		FUZZ_CHECK(rsp.error_data_len == rsp.byte_count);
		FUZZ_CHECK(fuzz_inside(rsp.error_data, rsp.error_data_len,
				       rsp.data, rsp.data_len));
		check_contexts(&rsp);
	}
	check_symlink(data, size, rc ? NULL : &rsp);
	rc = smb2_error_buffer_too_small_decode(data, size, &required);
	FUZZ_CHECK(rc == 0 || rc == -ENODATA || rc == -EBADMSG);
	FUZZ_CHECK(rc ? required == 0 : required == le32_get(rsp.data));
	return 0;
}
