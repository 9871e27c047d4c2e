// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attributes through an open handle, and POSIX paths in SMB form.  The
 * path operations built on CREATE + op + CLOSE are in path_ops.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/wire/fscc_info.h"

char *smb_path_from_posix(const char *path)
{
	char *p, *s;

	while (*path == '/')
		path++;
	s = strdup(path);
	if (!s)
		return NULL;
	for (p = s; *p; p++)
		if (*p == '/')
			*p = '\\';
	/* A trailing separator names the same object. */
	while (p > s && p[-1] == '\\')
		*--p = '\0';
	return s;
}

/* FileAllInformation has the times, sizes, link count and inode. */
int stat_decode_all(const uint8_t *buf, uint32_t len, struct smb_stat *st)
{
	struct fscc_all_info all;
	int rc = fscc_all_info_decode(buf, len, &all);

	if (rc < 0)
		return rc;
	memset(st, 0, sizeof(*st));
	st->creation_time = all.basic.creation_time;
	st->last_access_time = all.basic.last_access_time;
	st->last_write_time = all.basic.last_write_time;
	st->change_time = all.basic.change_time;
	st->attributes = all.basic.file_attributes;
	st->allocation_size = all.standard.allocation_size;
	st->end_of_file = all.standard.end_of_file;
	st->nlink = all.standard.number_of_links;
	st->file_id = all.index_number;
	fscc_all_info_free(&all);
	return 0;
}

int smb_file_stat(struct smb_tree *t, struct smb2_fileid fid,
		  struct smb_stat *st)
{
	uint8_t *buf = NULL;
	uint32_t len = 0;
	int rc;

	rc = smb_query_info(t, fid, SMB2_0_INFO_FILE, FILE_ALL_INFORMATION, 0,
			    NULL, 0, 4096, &buf, &len);
	if (rc == 0)
		rc = stat_decode_all(buf, len, st);
	free(buf);
	return rc;
}

/* Runs a SET_INFO whose buffer an encoder fills. */
static int set_file_info(struct smb_tree *t, struct smb2_fileid fid,
			 uint8_t info_class, struct smb_wbuf *w)
{
	int rc = wbuf_error(w);

	if (!rc)
		rc = smb_set_info(t, fid, SMB2_0_INFO_FILE, info_class, 0,
				  w->data, w->len);
	wbuf_free(w);
	return rc;
}

int smb_file_set_size(struct smb_tree *t, struct smb2_fileid fid,
		      uint64_t size)
{
	struct smb_wbuf w = SMB_WBUF_INIT;

	fscc_end_of_file_info_encode(&w, size);
	return set_file_info(t, fid, FILE_END_OF_FILE_INFORMATION, &w);
}

int smb_file_set_basic(struct smb_tree *t, struct smb2_fileid fid,
		       uint64_t creation, uint64_t access, uint64_t write,
		       uint64_t change, uint32_t attributes)
{
	struct fscc_basic_info bi = {
		.creation_time = creation,
		.last_access_time = access,
		.last_write_time = write,
		.change_time = change,
		.file_attributes = attributes,
	};
	struct smb_wbuf w = SMB_WBUF_INIT;

	fscc_basic_info_encode(&w, &bi);
	return set_file_info(t, fid, FILE_BASIC_INFORMATION, &w);
}

int smb_file_rename(struct smb_tree *t, struct smb2_fileid fid,
		    const char *new_path, bool replace)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	int rc = fscc_rename_info_encode(&w, replace, new_path,
					 strlen(new_path));

	if (rc < 0) {
		wbuf_free(&w);
		return rc;
	}
	return set_file_info(t, fid, FILE_RENAME_INFORMATION, &w);
}

int smb_file_link(struct smb_tree *t, struct smb2_fileid fid,
		  const char *new_path, bool replace)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	int rc = fscc_link_info_encode(&w, replace, new_path, strlen(new_path));

	if (rc < 0) {
		wbuf_free(&w);
		return rc;
	}
	return set_file_info(t, fid, FILE_LINK_INFORMATION, &w);
}

int smb_file_set_delete(struct smb_tree *t, struct smb2_fileid fid,
			bool delete_pending)
{
	struct smb_wbuf w = SMB_WBUF_INIT;

	fscc_disposition_info_encode(&w, delete_pending);
	return set_file_info(t, fid, FILE_DISPOSITION_INFORMATION, &w);
}

int smb_path_open(struct smb_tree *t, const char *path, uint32_t access,
		  uint32_t disposition, uint32_t options,
		  struct smb_open_result *res)
{
	struct smb_open_args a = {
		.path = path,
		.desired_access = access,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE |
				FILE_SHARE_DELETE,
		.disposition = disposition,
		.create_options = options,
	};

	return smb_file_open(t, &a, res);
}

int smb_path_rmdir(struct smb_tree *t, const char *path)
{
	return smb_path_delete(t, path, FILE_DIRECTORY_FILE);
}

int smb_path_unlink(struct smb_tree *t, const char *path)
{
	return smb_path_delete(t, path, FILE_NON_DIRECTORY_FILE);
}
