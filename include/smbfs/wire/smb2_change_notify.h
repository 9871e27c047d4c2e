/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 CHANGE_NOTIFY (MS-SMB2 2.2.35, 2.2.36) and an iterator over the
 * FILE_NOTIFY_INFORMATION records it returns (MS-FSCC 2.7.1).
 */
#ifndef SMBFS_WIRE_SMB2_CHANGE_NOTIFY_H
#define SMBFS_WIRE_SMB2_CHANGE_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

#define SMB2_CHANGE_NOTIFY_REQUEST_STRUCTURE_SIZE  32
#define SMB2_CHANGE_NOTIFY_RESPONSE_STRUCTURE_SIZE 9

struct smb2_change_notify_request {
	uint16_t flags; /* SMB2_WATCH_TREE */
	uint32_t output_buffer_length;
	struct smb2_fileid file_id;
	uint32_t completion_filter;
};

struct smb2_change_notify_response {
	const uint8_t *buffer; /* into msg; NULL when buffer_len is 0 */
	uint32_t buffer_len;
};

int smb2_change_notify_request_encode(
	struct smb_wbuf *w, const struct smb2_change_notify_request *req);
int smb2_change_notify_response_decode(const uint8_t *msg, size_t len,
				       struct smb2_change_notify_response *rsp);

struct smb2_notify_entry {
	uint32_t action; /* FILE_ACTION_* */
	char *name;	 /* malloc'd UTF-8, relative to the watched directory */
};

struct smb2_notify_iter {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	int state; /* 0 running, 1 finished, <0 sticky error */
};

void smb2_notify_iter_init(struct smb2_notify_iter *it, const uint8_t *buf,
			   size_t len);
/*
 * Same contract as smb2_dirent_next(): 1, 0 at the end, per-entry
 * -EILSEQ/-ENOMEM (name NULL, iteration continues), sticky -EBADMSG.
 * Records must be 4-byte aligned (MS-FSCC 2.7.1).
 */
int smb2_notify_next(struct smb2_notify_iter *it,
		     struct smb2_notify_entry *out);

#endif
