/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 SET_INFO (MS-SMB2 2.2.39, 2.2.40).  The buffer is built with the
 * encoders in smbfs/wire/fscc_info.h.
 */
#ifndef SMBFS_WIRE_SMB2_SET_INFO_H
#define SMBFS_WIRE_SMB2_SET_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

#define SMB2_SET_INFO_REQUEST_STRUCTURE_SIZE  33
#define SMB2_SET_INFO_RESPONSE_STRUCTURE_SIZE 2

struct smb2_set_info_request {
	uint8_t info_type; /* SMB2_0_INFO_* */
	uint8_t info_class;
	uint32_t additional_information; /* for SMB2_0_INFO_SECURITY */
	struct smb2_fileid file_id;
	const uint8_t *buffer;
	size_t buffer_len; /* must be > 0 */
};

int smb2_set_info_request_encode(struct smb_wbuf *w,
				 const struct smb2_set_info_request *req);
/* The response has no fields; this only checks its shape. */
int smb2_set_info_response_decode(const uint8_t *msg, size_t len);

#endif
