/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMB2 CREATE request and response (MS-SMB2 2.2.13, 2.2.14). */
#ifndef SMBFS_WIRE_SMB2_CREATE_H
#define SMBFS_WIRE_SMB2_CREATE_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"
#include "smbfs/wire/smb2_create_contexts.h"

#define SMB2_CREATE_REQUEST_STRUCTURE_SIZE  57
#define SMB2_CREATE_RESPONSE_STRUCTURE_SIZE 89

/* MS-SMB2 2.2.13 ImpersonationLevel */
#define SMB2_IMPERSONATION_ANONYMOUS	  0x00000000u
#define SMB2_IMPERSONATION_IDENTIFICATION 0x00000001u
#define SMB2_IMPERSONATION_DELEGATE	  0x00000003u

/* MS-SMB2 2.2.14 Flags */
#define SMB2_CREATE_FLAG_REPARSEPOINT 0x01

struct smb2_create_request {
	uint8_t security_flags; /* reserved, 0 */
	uint8_t oplock_level;	/* SMB2_OPLOCK_LEVEL_* */
	uint32_t impersonation_level;
	uint32_t desired_access;
	uint32_t file_attributes;
	uint32_t share_access;
	uint32_t create_disposition;
	uint32_t create_options;
	/*
	 * UTF-8 path relative to the share, with backslash separators and
	 * no leading backslash; name_len 0 (or name NULL) opens the root.
	 */
	const char *name;
	size_t name_len;
	const struct smb2_create_ctx *contexts;
	size_t num_contexts;
};

struct smb2_create_response {
	uint8_t oplock_level;
	uint8_t flags;
	uint32_t create_action;
	uint64_t creation_time;
	uint64_t last_access_time;
	uint64_t last_write_time;
	uint64_t change_time;
	uint64_t allocation_size;
	uint64_t end_of_file;
	uint32_t file_attributes;
	struct smb2_fileid file_id;
	struct smb2_create_ctx_response contexts;
};

int smb2_create_request_encode(struct smb_wbuf *w,
			       const struct smb2_create_request *req);
int smb2_create_response_decode(const uint8_t *msg, size_t len,
				struct smb2_create_response *rsp);

#endif
