/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMB2 WRITE request and response bodies (MS-SMB2 2.2.21, 2.2.22). */
#ifndef SMBFS_WIRE_SMB2_WRITE_H
#define SMBFS_WIRE_SMB2_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

/* MS-SMB2 2.2.21: Flags */
#define SMB2_WRITEFLAG_WRITE_THROUGH	0x00000001u
#define SMB2_WRITEFLAG_WRITE_UNBUFFERED 0x00000002u

struct smb2_write_request {
	uint64_t offset;
	struct smb2_fileid file_id;
	uint32_t channel;	  /* SMB2_CHANNEL_NONE (0): no RDMA */
	uint32_t remaining_bytes; /* a hint of how much will follow */
	uint32_t flags;		  /* SMB2_WRITEFLAG_* */
	const void *data;	  /* copied after the fixed part */
	uint32_t length;
	/*
	 * The caller sends the length bytes of data right after the
	 * encoded body itself (data is not used): the encoding stops
	 * after the fixed part.
	 */
	bool data_follows;
};

struct smb2_write_response {
	uint32_t count; /* bytes written */
	uint32_t remaining;
};

/*
 * Returns 0, -EINVAL (data NULL with length > 0 and not data_follows) or
 * the wbuf error.
 */
int smb2_write_request_encode(struct smb_wbuf *w,
			      const struct smb2_write_request *req);
/* Returns 0 or -EBADMSG. */
int smb2_write_response_decode(const uint8_t *msg, size_t len,
			       struct smb2_write_response *rsp);

#endif
