/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMB2 FLUSH request and response (MS-SMB2 2.2.17, 2.2.18). */
#ifndef SMBFS_WIRE_SMB2_FLUSH_H
#define SMBFS_WIRE_SMB2_FLUSH_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

struct smb2_flush_request {
	struct smb2_fileid file_id;
};

/* Returns 0 or the wbuf error. */
int smb2_flush_request_encode(struct smb_wbuf *w,
			      const struct smb2_flush_request *req);
/* The response body is only StructureSize.  Returns 0 or -EBADMSG. */
int smb2_flush_response_decode(const uint8_t *msg, size_t len);

#endif
