/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMB2 READ request and response bodies (MS-SMB2 2.2.19, 2.2.20). */
#ifndef SMBFS_WIRE_SMB2_READ_H
#define SMBFS_WIRE_SMB2_READ_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

/* MS-SMB2 2.2.19: Flags (3.0.2 and later) */
#define SMB2_READFLAG_READ_UNBUFFERED 0x01
/* Channel */
#define SMB2_CHANNEL_NONE 0x00000000u

struct smb2_read_request {
	uint8_t padding; /* where the server should put the data; 0 = any */
	uint8_t flags;	 /* SMB2_READFLAG_* */
	uint32_t length; /* bytes to read */
	uint64_t offset;
	struct smb2_fileid file_id;
	uint32_t minimum_count;	  /* fewer bytes than this is a failure */
	uint32_t channel;	  /* SMB2_CHANNEL_NONE: no RDMA */
	uint32_t remaining_bytes; /* a hint of how much will follow */
};

struct smb2_read_response {
	const uint8_t *data; /* points into msg; NULL when data_len is 0 */
	uint32_t data_len;
	uint32_t data_remaining;
};

/* Returns 0 or the wbuf error. */
int smb2_read_request_encode(struct smb_wbuf *w,
			     const struct smb2_read_request *req);
/*
 * Returns 0 or -EBADMSG (bad StructureSize, or DataOffset/DataLength
 * outside the message or overlapping the fixed part).
 */
int smb2_read_response_decode(const uint8_t *msg, size_t len,
			      struct smb2_read_response *rsp);

#endif
