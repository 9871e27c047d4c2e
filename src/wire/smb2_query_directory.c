// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 QUERY_DIRECTORY (MS-SMB2 2.2.33, 2.2.34) and the directory
 * information classes it returns (MS-FSCC 2.4).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs/utf16.h"
#include "smb2_body_check.h"
#include "smbfs/wire/fscc_info.h"
#include "smbfs/wire/smb2_query_directory.h"

#define QDIR_REQ_FIXED 32

int smb2_query_directory_request_encode(
	struct smb_wbuf *w, const struct smb2_query_directory_request *req)
{
	size_t body = w->len;
	long n = 0;

	if (w->len != SMB2_HEADER_SIZE || (req->pattern_len && !req->pattern))
		return -EINVAL;
	if (req->pattern_len)
		n = utf8_utf16le_size(req->pattern, req->pattern_len);
	if (n < 0)
		return (int)n;
	if (n > UINT16_MAX)
		return -ENAMETOOLONG;
	wbuf_u16(w, SMB2_QUERY_DIRECTORY_REQUEST_STRUCTURE_SIZE);
	wbuf_u8(w, req->info_class);
	wbuf_u8(w, req->flags);
	wbuf_u32(w, req->file_index);
	wbuf_u64(w, req->file_id.persistent);
	wbuf_u64(w, req->file_id.volatile_id);
	wbuf_u16(w, (uint16_t)(body + QDIR_REQ_FIXED)); /* FileNameOffset */
	wbuf_u16(w, (uint16_t)n);			/* FileNameLength */
	wbuf_u32(w, req->output_buffer_length);
	if (n == 0)
		wbuf_u8(w, 0); /* StructureSize counts one buffer byte */
	else if (utf8_to_utf16le(w, req->pattern, req->pattern_len) < 0)
		return wbuf_error(w) ? wbuf_error(w) : -EILSEQ;
	return wbuf_error(w);
}

int smb2_query_directory_response_decode(
	const uint8_t *msg, size_t len,
	struct smb2_query_directory_response *rsp)
{
	return smb2_buffer_response_decode(msg, len, SMB2_QUERY_DIRECTORY_RESPONSE_STRUCTURE_SIZE,
					   &rsp->buffer, &rsp->buffer_len);
}

/*
 * Where the class-specific fields sit.  All classes share NextEntryOffset,
 * FileIndex, the four times, EndOfFile, AllocationSize, FileAttributes
 * and FileNameLength at offsets 0..63 (MS-FSCC 2.4.10).
 */
struct dir_layout {
	uint8_t info_class;
	uint8_t name_off;
	uint8_t ea_off;	     /* 0: no EaSize */
	uint8_t file_id_off; /* 0: no FileId */
};

static const struct dir_layout dir_layouts[] = {
	{ FILE_DIRECTORY_INFORMATION, 64, 0, 0 },	     /* 2.4.10 */
	{ FILE_FULL_DIRECTORY_INFORMATION, 68, 64, 0 },	     /* 2.4.14 */
	{ FILE_BOTH_DIRECTORY_INFORMATION, 94, 64, 0 },	     /* 2.4.8 */
	{ FILE_ID_BOTH_DIRECTORY_INFORMATION, 104, 64, 96 }, /* 2.4.17 */
	{ FILE_ID_FULL_DIRECTORY_INFORMATION, 80, 64, 72 },  /* 2.4.18 */
};

static const struct dir_layout *dir_layout_find(uint8_t info_class)
{
	size_t i;

	for (i = 0; i < sizeof(dir_layouts) / sizeof(dir_layouts[0]); i++) {
		if (dir_layouts[i].info_class == info_class)
			return &dir_layouts[i];
	}
	return NULL;
}

int smb2_dir_iter_init(struct smb2_dir_iter *it, uint8_t info_class,
		       const uint8_t *buf, size_t len)
{
	memset(it, 0, sizeof(*it));
	if (!dir_layout_find(info_class) || (len && !buf))
		return -EINVAL;
	it->buf = buf;
	it->len = len;
	it->info_class = info_class;
	it->state = len ? 0 : 1;
	return 0;
}

static void dirent_fields(const uint8_t *e, const struct dir_layout *l,
			  struct smb2_dirent *out)
{
	out->creation_time = le64_get(e + 8);
	out->last_access_time = le64_get(e + 16);
	out->last_write_time = le64_get(e + 24);
	out->change_time = le64_get(e + 32);
	out->end_of_file = le64_get(e + 40);
	out->allocation_size = le64_get(e + 48);
	out->file_attributes = le32_get(e + 56);
	out->ea_size = l->ea_off ? le32_get(e + l->ea_off) : 0;
	out->file_id = l->file_id_off ? le64_get(e + l->file_id_off) : 0;
}

int smb2_dirent_next(struct smb2_dir_iter *it, struct smb2_dirent *out)
{
	const struct dir_layout *l = dir_layout_find(it->info_class);
	const uint8_t *e;
	size_t entry_len;
	uint32_t name_len;
	int more, rc;

	memset(out, 0, sizeof(*out));
	if (it->state)
		return it->state < 0 ? it->state : 0;
	if (!l)
		goto bad;
	/* MS-FSCC 2.4: directory entries are 8-byte aligned. */
	more = fscc_chain_entry(it->buf, it->len, it->pos, l->name_off, 8,
				&entry_len);
	if (more < 0)
		goto bad;
	e = it->buf + it->pos;
	name_len = le32_get(e + 60);
	if (bytes_range_check(entry_len, l->name_off, name_len))
		goto bad;
	dirent_fields(e, l, out);
	/* Advance first, so a bad name does not stop the listing. */
	if (more)
		it->pos += entry_len;
	else
		it->state = 1;
	rc = utf16le_to_utf8(e + l->name_off, name_len, &out->name);
	return rc ? rc : 1;
bad:
	it->state = -EBADMSG;
	return -EBADMSG;
}

void smb2_dirent_free(struct smb2_dirent *d)
{
	free(d->name);
	d->name = NULL;
}
