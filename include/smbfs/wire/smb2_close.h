/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMB2 CLOSE request and response bodies (MS-SMB2 2.2.15, 2.2.16). */
#ifndef SMBFS_WIRE_SMB2_CLOSE_H
#define SMBFS_WIRE_SMB2_CLOSE_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

/* Ask the server to return the file's final times, sizes, attributes. */
#define SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB 0x0001

struct smb2_close_request {
	uint16_t flags; /* 0 or SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB */
	struct smb2_fileid file_id;
};

/*
 * The attribute fields are meaningful only when flags has
 * SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB (the server echoes the flag);
 * otherwise the server sends zeros.  Times are FILETIME.
 */
struct smb2_close_response {
	uint16_t flags;
	uint64_t creation_time;
	uint64_t last_access_time;
	uint64_t last_write_time;
	uint64_t change_time;
	uint64_t allocation_size;
	uint64_t end_of_file;
	uint32_t file_attributes;
};

/* Returns 0 or the wbuf error. */
int smb2_close_request_encode(struct smb_wbuf *w,
			      const struct smb2_close_request *req);
/* Returns 0 or -EBADMSG. */
int smb2_close_response_decode(const uint8_t *msg, size_t len,
			       struct smb2_close_response *rsp);

#endif
