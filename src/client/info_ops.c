// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Attribute and namespace calls: QUERY_INFO / SET_INFO wrappers, and
 * path operations built from CREATE + SET_INFO + CLOSE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/fscc_info.h"
#include "smbfs/wire/smb2_close.h"
#include "smbfs/wire/smb2_create.h"
#include "smbfs/wire/smb2_query_info.h"

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

static void stat_from_all(struct smb_stat *st,
			  const struct fscc_all_info *all);

int smb_file_stat(struct smb_tree *t, struct smb2_fileid fid,
		  struct smb_stat *st)
{
	struct fscc_all_info all;
	uint8_t *buf = NULL;
	uint32_t len = 0;
	int rc;

	/* FileAllInformation has the times, sizes, link count and inode. */
	rc = smb_query_info(t, fid, SMB2_0_INFO_FILE, FILE_ALL_INFORMATION, 0,
			    NULL, 0, 4096, &buf, &len);
	if (rc < 0)
		return rc;
	rc = fscc_all_info_decode(buf, len, &all);
	free(buf);
	if (rc < 0)
		return rc;
	stat_from_all(st, &all);
	fscc_all_info_free(&all);
	return 0;
}

static int encode_open_for_stat(struct smb_req *req, const char *path)
{
	struct smb2_create_ctx qfid = {.type = SMB2_CREATE_CTX_QFID};
	struct smb2_create_request cr = {
		.impersonation_level = SMB2_IMPERSONATION_IMPERSONATION,
		.desired_access = FILE_READ_ATTRIBUTES,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE |
				FILE_SHARE_DELETE,
		.create_disposition = FILE_OPEN,
		.name = path,
		.name_len = strlen(path),
		.contexts = &qfid,
		.num_contexts = 1,
	};

	return smb2_create_request_encode(&req->msg, &cr);
}

static void stat_from_all(struct smb_stat *st, const struct fscc_all_info *all)
{
	memset(st, 0, sizeof(*st));
	st->creation_time = all->basic.creation_time;
	st->last_access_time = all->basic.last_access_time;
	st->last_write_time = all->basic.last_write_time;
	st->change_time = all->basic.change_time;
	st->attributes = all->basic.file_attributes;
	st->allocation_size = all->standard.allocation_size;
	st->end_of_file = all->standard.end_of_file;
	st->nlink = all->standard.number_of_links;
	st->file_id = all->index_number;
}

static int path_stat_result(struct smb_req **reqs, struct smb_stat *st)
{
	struct smb2_query_info_response qi;
	struct fscc_all_info all;
	int rc = smb_req_result(reqs[0], 0);

	if (!rc)
		rc = smb_req_result(reqs[1], 0);
	if (!rc)
		rc = smb2_query_info_response_decode(reqs[1]->rsp,
						     reqs[1]->rsp_len, &qi);
	if (!rc)
		rc = fscc_all_info_decode(qi.buffer, qi.buffer_len, &all);
	if (rc < 0)
		return rc;
	stat_from_all(st, &all);
	fscc_all_info_free(&all);
	return 0;
}

/*
 * MS-SMB2 3.2.4.1.4: CREATE + QUERY_INFO + CLOSE as one related
 * compound costs one round trip instead of three.  FileAllInformation
 * brings times, sizes, the link count and the file id together.
 */
int smb_path_stat(struct smb_tree *t, const char *path, struct smb_stat *st)
{
	struct smb2_query_info_request qr = {
		.info_type = SMB2_0_INFO_FILE,
		.info_class = FILE_ALL_INFORMATION,
		.output_buffer_length = 4096,
		.file_id = smb2_fileid_related(),
	};
	struct smb2_close_request cl = {.file_id = smb2_fileid_related()};
	struct smb_req *reqs[3];
	int i, rc = 0;

	reqs[0] = smb_tree_req_new(t, SMB2_CREATE);
	reqs[1] = smb_tree_req_new(t, SMB2_QUERY_INFO);
	reqs[2] = smb_tree_req_new(t, SMB2_CLOSE);
	if (!reqs[0] || !reqs[1] || !reqs[2])
		rc = -ENOMEM;
	if (!rc)
		rc = encode_open_for_stat(reqs[0], path);
	if (!rc) {
		reqs[1]->payload_recv = qr.output_buffer_length;
		rc = smb2_query_info_request_encode(&reqs[1]->msg, &qr);
	}
	if (!rc)
		rc = smb2_close_request_encode(&reqs[2]->msg, &cl);
	if (!rc)
		rc = smb_call_compound(t, reqs, 3, true);
	if (!rc)
		rc = path_stat_result(reqs, st);
	for (i = 0; i < 3; i++)
		smb_req_free(reqs[i]);
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

/* smb_path_open for callers that only need the handle. */
static int path_open(struct smb_tree *t, const char *path, uint32_t access,
		     uint32_t disposition, uint32_t options,
		     struct smb2_fileid *fid)
{
	struct smb_open_result res;
	int rc = smb_path_open(t, path, access, disposition, options, &res);

	if (!rc)
		*fid = res.fid;
	return rc;
}

int smb_path_mkdir(struct smb_tree *t, const char *path, struct smb_stat *st)
{
	struct smb2_fileid fid;
	int rc = path_open(t, path, FILE_READ_ATTRIBUTES, FILE_CREATE,
			   FILE_DIRECTORY_FILE, &fid);
	int rc2;

	if (rc)
		return rc;
	if (st)
		rc = smb_file_stat(t, fid, st);
	rc2 = smb_file_close(t, fid, NULL);
	return rc ? rc : rc2;
}

/* Delete-on-close semantics: mark, then close (MS-FSCC 2.4.11). */
static int path_delete(struct smb_tree *t, const char *path, uint32_t options)
{
	struct smb2_fileid fid;
	int rc = path_open(t, path, DELETE | FILE_READ_ATTRIBUTES, FILE_OPEN,
			   options, &fid);
	int rc2;

	if (rc < 0)
		return rc;
	rc = smb_file_set_delete(t, fid, true);
	rc2 = smb_file_close(t, fid, NULL);
	return rc ? rc : rc2;
}

int smb_path_rmdir(struct smb_tree *t, const char *path)
{
	return path_delete(t, path, FILE_DIRECTORY_FILE);
}

int smb_path_unlink(struct smb_tree *t, const char *path)
{
	return path_delete(t, path, FILE_NON_DIRECTORY_FILE);
}

int smb_path_rename(struct smb_tree *t, const char *from, const char *to,
		    bool replace)
{
	struct smb2_fileid fid;
	int rc = path_open(t, from, DELETE | FILE_READ_ATTRIBUTES, FILE_OPEN,
			   0, &fid);
	int rc2;

	if (rc < 0)
		return rc;
	rc = smb_file_rename(t, fid, to, replace);
	rc2 = smb_file_close(t, fid, NULL);
	return rc ? rc : rc2;
}

int smb_tree_statfs(struct smb_tree *t, struct smb_fs_size *fs)
{
	struct fscc_fs_full_size_info fi;
	struct smb2_fileid fid;
	uint8_t *buf = NULL;
	uint32_t len = 0;
	int rc = path_open(t, "", FILE_READ_ATTRIBUTES, FILE_OPEN,
			   FILE_DIRECTORY_FILE, &fid);

	if (rc < 0)
		return rc;
	rc = smb_query_info(t, fid, SMB2_0_INFO_FILESYSTEM,
			    FILE_FS_FULL_SIZE_INFORMATION, 0, NULL, 0, 256,
			    &buf, &len);
	smb_file_close(t, fid, NULL);
	if (!rc)
		rc = fscc_fs_full_size_info_decode(buf, len, &fi);
	free(buf);
	if (rc < 0)
		return rc;
	fs->total_units = fi.total_units;
	fs->caller_avail_units = fi.caller_available_units;
	fs->actual_avail_units = fi.actual_available_units;
	fs->sectors_per_unit = fi.sectors_per_unit;
	fs->bytes_per_sector = fi.bytes_per_sector;
	return 0;
}
