/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMB2 IOCTL request and response (MS-SMB2 2.2.31, 2.2.32). */
#ifndef SMBFS_WIRE_SMB2_IOCTL_H
#define SMBFS_WIRE_SMB2_IOCTL_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

#define SMB2_IOCTL_REQUEST_STRUCTURE_SIZE  57
#define SMB2_IOCTL_RESPONSE_STRUCTURE_SIZE 49

/* File id for FSCTLs that do not act on an open (MS-SMB2 3.2.4.20). */
#define SMB2_IOCTL_NO_FILEID 0xFFFFFFFFFFFFFFFFull

struct smb2_ioctl_request {
	uint32_t ctl_code;	    /* FSCTL_* */
	struct smb2_fileid file_id; /* both halves SMB2_IOCTL_NO_FILEID */
	const uint8_t *input;	    /* may be NULL when input_len is 0 */
	size_t input_len;
	uint32_t max_input_response;
	uint32_t max_output_response;
	uint32_t flags; /* SMB2_0_IOCTL_IS_FSCTL */
};

struct smb2_ioctl_response {
	uint32_t ctl_code;
	struct smb2_fileid file_id;
	uint32_t flags;
	const uint8_t *input; /* into msg; NULL when input_len is 0 */
	uint32_t input_len;
	const uint8_t *output; /* into msg; NULL when output_len is 0 */
	uint32_t output_len;
};

/* Fills file_id with the "no open" value for fileless FSCTLs. */
static inline struct smb2_fileid smb2_ioctl_no_fileid(void)
{
	struct smb2_fileid f = { SMB2_IOCTL_NO_FILEID, SMB2_IOCTL_NO_FILEID };
	return f;
}

int smb2_ioctl_request_encode(struct smb_wbuf *w,
			      const struct smb2_ioctl_request *req);
int smb2_ioctl_response_decode(const uint8_t *msg, size_t len,
			       struct smb2_ioctl_response *rsp);

#endif
