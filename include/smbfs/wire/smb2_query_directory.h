/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 QUERY_DIRECTORY (MS-SMB2 2.2.33, 2.2.34) and an iterator over the
 * directory entries it returns (MS-FSCC 2.4.10, 2.4.14, 2.4.17, 2.4.18,
 * 2.4.8).
 */
#ifndef SMBFS_WIRE_SMB2_QUERY_DIRECTORY_H
#define SMBFS_WIRE_SMB2_QUERY_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

#define SMB2_QUERY_DIRECTORY_REQUEST_STRUCTURE_SIZE  33
#define SMB2_QUERY_DIRECTORY_RESPONSE_STRUCTURE_SIZE 9

/* MS-SMB2 2.2.33 Flags */
#define SMB2_RESTART_SCANS	 0x01
#define SMB2_RETURN_SINGLE_ENTRY 0x02
#define SMB2_INDEX_SPECIFIED	 0x04
#define SMB2_REOPEN		 0x10

struct smb2_query_directory_request {
	uint8_t info_class; /* FILE_ID_BOTH_DIRECTORY_INFORMATION, ... */
	uint8_t flags;
	uint32_t file_index;
	struct smb2_fileid file_id;
	const char *pattern; /* UTF-8, e.g. "*" */
	size_t pattern_len;
	uint32_t output_buffer_length;
};

struct smb2_query_directory_response {
	const uint8_t *buffer; /* into msg; NULL when buffer_len is 0 */
	uint32_t buffer_len;
};

int smb2_query_directory_request_encode(
	struct smb_wbuf *w, const struct smb2_query_directory_request *req);
int smb2_query_directory_response_decode(
	const uint8_t *msg, size_t len,
	struct smb2_query_directory_response *rsp);

struct smb2_dirent {
	uint64_t creation_time;
	uint64_t last_access_time;
	uint64_t last_write_time;
	uint64_t change_time;
	uint64_t end_of_file;
	uint64_t allocation_size;
	uint32_t file_attributes;
	uint32_t ea_size; /* 0 for classes without EaSize */
	uint64_t file_id; /* 0 for classes without FileId */
	char *name;	  /* malloc'd UTF-8; NULL after -EILSEQ */
};

struct smb2_dir_iter {
	const uint8_t *buf;
	size_t len;
	size_t pos; /* offset of the next entry */
	uint8_t info_class;
	int state; /* 0 running, 1 finished, <0 sticky error */
};

/*
 * Prepares to walk buf[0..len), the output of a QUERY_DIRECTORY with the
 * given class: FILE_DIRECTORY_INFORMATION, FILE_FULL_DIRECTORY_INFORMATION,
 * FILE_BOTH_DIRECTORY_INFORMATION, FILE_ID_BOTH_DIRECTORY_INFORMATION or
 * FILE_ID_FULL_DIRECTORY_INFORMATION.  Returns 0 or -EINVAL.
 */
int smb2_dir_iter_init(struct smb2_dir_iter *it, uint8_t info_class,
		       const uint8_t *buf, size_t len);

/*
 * Returns 1 and fills *out (caller frees out->name with free() or
 * smb2_dirent_free()), 0 at the end, or:
 *  -EILSEQ  the entry's name is not valid UTF-16: *out holds the other
 *           fields, out->name is NULL, and the next call continues with
 *           the following entry;
 *  -ENOMEM  likewise per entry;
 *  -EBADMSG the buffer is malformed; every later call fails the same way.
 */
int smb2_dirent_next(struct smb2_dir_iter *it, struct smb2_dirent *out);
void smb2_dirent_free(struct smb2_dirent *d);

#endif
