// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 ERROR response (MS-SMB2 2.2.2), error contexts (2.2.2.1) and the
 * error data smbfs interprets (2.2.2.2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs/utf16.h"
#include "smbfs/wire/smb2_error.h"
#include "smb2_body_check.h"

#define ERROR_RESPONSE_STRUCTURE_SIZE 9
#define ERROR_RESPONSE_FIXED	      8
#define ERROR_DATA_OFFSET	      (SMB2_HEADER_SIZE + ERROR_RESPONSE_FIXED)
/* ErrorDataLength, ErrorId */
#define ERROR_CONTEXT_HEADER 8
/* SymLinkLength up to and including Flags */
#define SYMLINK_ERROR_FIXED 28

/*
 * Walks the error contexts (MS-SMB2 2.2.2.1) inside ErrorData.  Each
 * starts 8-byte aligned relative to the ERROR response, which is itself
 * 8-byte aligned in msg, so aligning offsets within ErrorData is the
 * same thing.  With want_id < 0 only checks the bounds; otherwise
 * returns the first context with that ErrorId.
 */
static int walk_contexts(const uint8_t *edata, uint32_t elen, uint8_t count,
			 int64_t want_id, const uint8_t **data,
			 uint32_t *data_len)
{
	uint64_t pos = 0;
	uint32_t clen, id;
	uint8_t i;

	for (i = 0; i < count; i++) {
		pos = (pos + 7) & ~(uint64_t)7;
		if (bytes_range_check(elen, pos, ERROR_CONTEXT_HEADER))
			return -EBADMSG;
		clen = le32_get(edata + pos);
		id = le32_get(edata + pos + 4);
		pos += ERROR_CONTEXT_HEADER;
		if (bytes_range_check(elen, pos, clen))
			return -EBADMSG;
		if (want_id >= 0 && id == (uint32_t)want_id) {
			*data = clen ? edata + pos : NULL;
			*data_len = clen;
			return 0;
		}
		pos += clen;
	}
	return want_id >= 0 ? -ENOENT : 0;
}

int smb2_error_context_find(const struct smb2_error_response *rsp,
			    uint32_t error_id, const uint8_t **data,
			    uint32_t *data_len)
{
	if (!rsp->error_context_count)
		return -ENOENT;
	return walk_contexts(rsp->error_data, rsp->error_data_len,
			     rsp->error_context_count, error_id, data,
			     data_len);
}

int smb2_error_response_decode(const uint8_t *msg, size_t len,
			       struct smb2_error_response *rsp)
{
	const uint8_t *unused;
	uint32_t unused_len;
	int err;

	memset(rsp, 0, sizeof(*rsp));
	/*
	 * MS-SMB2 2.2.2 asks for one byte of ErrorData when ByteCount is
	 * 0, but not every server sends it: only the 8 fixed bytes are
	 * required here.
	 */
	err = smb2_body_check(msg, len, ERROR_RESPONSE_STRUCTURE_SIZE,
			      ERROR_RESPONSE_FIXED);
	if (err)
		return err;
	rsp->error_context_count = msg[SMB2_HEADER_SIZE + 2];
	rsp->byte_count = le32_get(msg + SMB2_HEADER_SIZE + 4);
	if (bytes_range_check(len, ERROR_DATA_OFFSET, rsp->byte_count))
		return -EBADMSG;
	if (!rsp->byte_count) {
		/* No data cannot hold a context. */
		return rsp->error_context_count ? -EBADMSG : 0;
	}
	rsp->error_data = msg + ERROR_DATA_OFFSET;
	rsp->error_data_len = rsp->byte_count;
	if (!rsp->error_context_count) {
		rsp->data = rsp->error_data;
		rsp->data_len = rsp->error_data_len;
		return 0;
	}
	err = walk_contexts(rsp->error_data, rsp->error_data_len,
			    rsp->error_context_count, -1, &unused, &unused_len);
	if (err)
		return err;
	err = smb2_error_context_find(rsp, SMB2_ERROR_ID_DEFAULT, &rsp->data,
				      &rsp->data_len);
	return err == -ENOENT ? 0 : err;
}

/* A name inside PathBuffer, converted to UTF-8. */
static int symlink_name(const uint8_t *path_buf, size_t path_len, uint16_t off,
			uint16_t len, char **out)
{
	if ((off | len) & 1 || bytes_range_check(path_len, off, len))
		return -EBADMSG;
	return utf16le_to_utf8(path_buf + off, len, out);
}

void smb2_symlink_error_free(struct smb2_symlink_error *sl)
{
	free(sl->substitute_name);
	free(sl->print_name);
	memset(sl, 0, sizeof(*sl));
}

int smb2_symlink_error_parse(const uint8_t *data, size_t len,
			     struct smb2_symlink_error *sl)
{
	uint32_t symlink_len;
	uint16_t sub_off, sub_len, print_off, print_len;
	const uint8_t *path_buf;
	size_t path_len;
	int err;

	memset(sl, 0, sizeof(*sl));
	if (len < SYMLINK_ERROR_FIXED)
		return -EBADMSG;
	/* SymLinkLength counts everything after itself. */
	symlink_len = le32_get(data);
	if (symlink_len < SYMLINK_ERROR_FIXED - 4 ||
	    bytes_range_check(len, 4, symlink_len))
		return -EBADMSG;
	if (le32_get(data + 4) != SMB2_SYMLINK_ERROR_TAG ||
	    le32_get(data + 8) != IO_REPARSE_TAG_SYMLINK)
		return -EBADMSG;
	/* data + 12: ReparseDataLength, informational only */
	sl->unparsed_path_length = le16_get(data + 14);
	sub_off = le16_get(data + 16);
	sub_len = le16_get(data + 18);
	print_off = le16_get(data + 20);
	print_len = le16_get(data + 22);
	sl->flags = le32_get(data + 24);
	/* Name offsets are relative to PathBuffer. */
	path_buf = data + SYMLINK_ERROR_FIXED;
	path_len = 4 + (size_t)symlink_len - SYMLINK_ERROR_FIXED;
	if (!sub_len)
		return -EBADMSG;
	err = symlink_name(path_buf, path_len, sub_off, sub_len,
			   &sl->substitute_name);
	if (!err)
		err = symlink_name(path_buf, path_len, print_off, print_len,
				   &sl->print_name);
	if (err)
		smb2_symlink_error_free(sl);
	return err;
}

int smb2_symlink_error_decode(const uint8_t *msg, size_t len,
			      struct smb2_symlink_error *sl)
{
	struct smb2_error_response rsp;
	int err;

	memset(sl, 0, sizeof(*sl));
	err = smb2_error_response_decode(msg, len, &rsp);
	if (err)
		return err;
	if (!rsp.data)
		return -ENODATA;
	return smb2_symlink_error_parse(rsp.data, rsp.data_len, sl);
}

int smb2_error_buffer_too_small_decode(const uint8_t *msg, size_t len,
				       uint32_t *required)
{
	struct smb2_error_response rsp;
	int err;

	*required = 0;
	err = smb2_error_response_decode(msg, len, &rsp);
	if (err)
		return err;
	if (!rsp.data)
		return -ENODATA;
	if (rsp.data_len < 4)
		return -EBADMSG;
	*required = le32_get(rsp.data);
	return 0;
}
