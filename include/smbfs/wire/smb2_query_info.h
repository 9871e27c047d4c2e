/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 QUERY_INFO (MS-SMB2 2.2.37, 2.2.38).  The output buffer is decoded
 * with the helpers in smbfs/wire/fscc_info.h.
 */
#ifndef SMBFS_WIRE_SMB2_QUERY_INFO_H
#define SMBFS_WIRE_SMB2_QUERY_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

#define SMB2_QUERY_INFO_REQUEST_STRUCTURE_SIZE	41
#define SMB2_QUERY_INFO_RESPONSE_STRUCTURE_SIZE 9

/* MS-SMB2 2.2.37 Flags (for FileFullEaInformation) */
#define SL_RESTART_SCAN	       0x00000001u
#define SL_RETURN_SINGLE_ENTRY 0x00000002u
#define SL_INDEX_SPECIFIED     0x00000004u

struct smb2_query_info_request {
	uint8_t info_type;  /* SMB2_0_INFO_* */
	uint8_t info_class; /* FILE_*_INFORMATION, FILE_FS_*_INFORMATION */
	uint32_t output_buffer_length;
	/* e.g. a FILE_GET_EA_INFORMATION list; may be NULL when empty */
	const uint8_t *input;
	size_t input_len;
	uint32_t additional_information; /* *_SECURITY_INFORMATION */
	uint32_t flags;			 /* SL_* */
	struct smb2_fileid file_id;
};

struct smb2_query_info_response {
	const uint8_t *buffer; /* into msg; NULL when buffer_len is 0 */
	uint32_t buffer_len;
};

int smb2_query_info_request_encode(struct smb_wbuf *w,
				   const struct smb2_query_info_request *req);
int smb2_query_info_response_decode(const uint8_t *msg, size_t len,
				    struct smb2_query_info_response *rsp);

#endif
