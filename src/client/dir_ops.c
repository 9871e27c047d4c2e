// SPDX-License-Identifier: GPL-2.0-or-later
/* Directory listing with QUERY_DIRECTORY, resumed until NO_MORE_FILES. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_query_directory.h"

#define DIR_BUFFER_SIZE (64 * 1024)

struct dir_walk {
	smb_dir_cb cb;
	void *arg;
	unsigned int skipped;
};

void smb_stat_from_dirent(struct smb_stat *st, const struct smb2_dirent *d)
{
	memset(st, 0, sizeof(*st));
	st->creation_time = d->creation_time;
	st->last_access_time = d->last_access_time;
	st->last_write_time = d->last_write_time;
	st->change_time = d->change_time;
	st->allocation_size = d->allocation_size;
	st->end_of_file = d->end_of_file;
	st->attributes = d->file_attributes;
	st->file_id = d->file_id;
}

/* Walks one QUERY_DIRECTORY buffer; returns 0, a cb result or -errno. */
static int dir_walk_buffer(struct dir_walk *dw, const uint8_t *buf,
			   size_t len)
{
	struct smb2_dir_iter it;
	struct smb2_dirent d;
	int rc = smb2_dir_iter_init(&it, FILE_ID_BOTH_DIRECTORY_INFORMATION,
				    buf, len);

	while (rc >= 0) {
		struct smb_dirent_info e;

		rc = smb2_dirent_next(&it, &d);
		if (rc == 0)
			break;
		if (rc == -EILSEQ || rc == -ENOMEM) {
			/* A name Linux cannot represent: skip, keep listing. */
			dw->skipped++;
			rc = 0;
			continue;
		}
		if (rc < 0)
			break;
		e.name = d.name;
		smb_stat_from_dirent(&e.st, &d);
		rc = dw->cb(dw->arg, &e);
		smb2_dirent_free(&d);
		if (rc)
			return rc;
	}
	return rc;
}

static int dir_query(struct smb_tree *t, struct smb2_fileid fid,
		     const char *pattern, bool first, struct smb_req **out)
{
	struct smb2_query_directory_request qr = {
		.info_class = FILE_ID_BOTH_DIRECTORY_INFORMATION,
		.flags = first ? SMB2_RESTART_SCANS : 0,
		.file_id = fid,
		.pattern = pattern,
		.pattern_len = strlen(pattern),
		.output_buffer_length = DIR_BUFFER_SIZE,
	};
	struct smb_req *req = smb_tree_req_new(t, SMB2_QUERY_DIRECTORY);
	int rc;

	if (!req)
		return -ENOMEM;
	req->payload_recv = DIR_BUFFER_SIZE;
	rc = smb2_query_directory_request_encode(&req->msg, &qr);
	if (!rc)
		smb_call(t, req, 0);
	*out = req;
	return rc ? rc : req->err;
}

int smb_dir_list(struct smb_tree *t, struct smb2_fileid fid,
		 const char *pattern, smb_dir_cb cb, void *arg,
		 unsigned int *skipped)
{
	struct dir_walk dw = {.cb = cb, .arg = arg};
	struct smb2_query_directory_response qd;
	bool first = true;
	int rc;

	if (!pattern)
		pattern = "*";
	for (;;) {
		struct smb_req *req = NULL;

		rc = dir_query(t, fid, pattern, first, &req);
		first = false;
		if (!rc && req->status == STATUS_NO_MORE_FILES) {
			smb_req_free(req);
			break;
		}
		if (!rc)
			rc = smb_req_result(req, 0);
		if (!rc)
			rc = smb2_query_directory_response_decode(
				req->rsp, req->rsp_len, &qd);
		if (!rc)
			rc = dir_walk_buffer(&dw, qd.buffer, qd.buffer_len);
		smb_req_free(req);
		if (rc)
			break;
	}
	if (skipped)
		*skipped = dw.skipped;
	return rc;
}

int smb_path_list(struct smb_tree *t, const char *path, smb_dir_cb cb,
		  void *arg, unsigned int *skipped)
{
	struct smb_open_args a = {
		.path = path,
		.desired_access = FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES |
				  SYNCHRONIZE,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE |
				FILE_SHARE_DELETE,
		.disposition = FILE_OPEN,
		.create_options = FILE_DIRECTORY_FILE,
	};
	struct smb_open_result res;
	int rc = smb_file_open(t, &a, &res);
	int rc2;

	if (rc < 0)
		return rc;
	rc = smb_dir_list(t, res.fid, "*", cb, arg, skipped);
	rc2 = smb_file_close(t, res.fid, NULL);
	return rc ? rc : rc2;
}

void smb_dir_listing_free(struct smb_dir_listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
