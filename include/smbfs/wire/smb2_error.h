/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 ERROR response body (MS-SMB2 2.2.2), its error contexts
 * (2.2.2.1) and the error data smbfs interprets: the Symbolic Link
 * Error Response (2.2.2.2.1) and the STATUS_BUFFER_TOO_SMALL size.
 */
#ifndef SMBFS_WIRE_SMB2_ERROR_H
#define SMBFS_WIRE_SMB2_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

/* MS-SMB2 2.2.2.1: ErrorId */
#define SMB2_ERROR_ID_DEFAULT	     0x00000000u
#define SMB2_ERROR_ID_SHARE_REDIRECT 0x72645253u

/* MS-SMB2 2.2.2.2.1 */
#define SMB2_SYMLINK_ERROR_TAG 0x4C4D5953u /* "SYML" */
#define IO_REPARSE_TAG_SYMLINK 0xA000000Cu
#define SYMLINK_FLAG_RELATIVE  0x00000001u

struct smb2_error_response {
	uint8_t error_context_count;
	uint32_t byte_count;
	/* All of ErrorData; points into msg, NULL when ByteCount is 0. */
	const uint8_t *error_data;
	uint32_t error_data_len;
	/*
	 * The data that explains the status: ErrorData itself when there
	 * are no error contexts, else the data of the first context with
	 * ErrorId SMB2_ERROR_ID_DEFAULT (NULL if there is none).
	 */
	const uint8_t *data;
	uint32_t data_len;
};

/*
 * Decodes an ERROR response (any command, any error status).  Every
 * error context is bounds-checked.  Returns 0 or -EBADMSG.
 */
int smb2_error_response_decode(const uint8_t *msg, size_t len,
			       struct smb2_error_response *rsp);

/*
 * Finds the first error context with the given ErrorId.  Returns 0 and
 * sets *data and *data_len (pointing into the message), -ENOENT when there
 * is none, or -EBADMSG.
 */
int smb2_error_context_find(const struct smb2_error_response *rsp,
			    uint32_t error_id, const uint8_t **data,
			    uint32_t *data_len);

/* A decoded Symbolic Link Error Response. */
struct smb2_symlink_error {
	char *substitute_name; /* malloc'd UTF-8 */
	char *print_name;      /* malloc'd UTF-8 (may be "") */
	uint32_t flags;	       /* SYMLINK_FLAG_RELATIVE */
	/*
	 * Bytes (of UTF-16) at the end of the path the client opened that
	 * lie beyond the symbolic link; the caller appends them to the
	 * resolved target.
	 */
	uint16_t unparsed_path_length;
};

/*
 * Decodes the symbolic link data of a STATUS_STOPPED_ON_SYMLINK ERROR
 * response (msg/len is the whole response element).  Returns 0 (the
 * caller frees with smb2_symlink_error_free()), -ENODATA (no error
 * data), -EBADMSG (malformed or not a symbolic link error), -EILSEQ
 * (a name that is not valid UTF-16) or -ENOMEM.
 */
int smb2_symlink_error_decode(const uint8_t *msg, size_t len,
			      struct smb2_symlink_error *sl);
/* The same, from error data already extracted (smb2_error_response.data). */
int smb2_symlink_error_parse(const uint8_t *data, size_t len,
			     struct smb2_symlink_error *sl);
void smb2_symlink_error_free(struct smb2_symlink_error *sl);

/*
 * MS-SMB2 2.2.2.2: with STATUS_BUFFER_TOO_SMALL the error data is the
 * 4-byte buffer size the request needs.  Returns 0, -ENODATA or
 * -EBADMSG.
 */
int smb2_error_buffer_too_small_decode(const uint8_t *msg, size_t len,
				       uint32_t *required);

#endif
