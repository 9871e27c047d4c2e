// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directory listing with QUERY_DIRECTORY, resumed until NO_MORE_FILES,
 * and whole listings of a path.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/log.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_query_directory.h"

/*
 * What one QUERY_DIRECTORY asks for at most: some 8,000 entries of
 * FileIdBothDirectoryInformation, so that a large directory is read in
 * few round trips.  Less where the server's MaxTransactSize or one
 * credit (no LARGE_MTU) allows less (dir_buffer_size).
 */
#define DIR_BUFFER_MAX (1024 * 1024)
#define DIR_BUFFER_MIN (64 * 1024)
/*
 * More entries than any directory smbfs is meant to list: a server still
 * sending entries past this is taken for one whose listing never ends,
 * before the listing eats the memory of the machine.
 */
#define DIR_MAX_ENTRIES (1u << 20)
/* What listing a directory asks for. */
#define DIR_LIST_ACCESS \
	(FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | SYNCHRONIZE)

struct dir_walk {
	smb_dir_cb cb;
	void *arg;
	unsigned int skipped;
	unsigned int entries; /* seen so far, skipped ones included */
};

void stat_from_dirent(struct smb_stat *st, const struct smb2_dirent *d)
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
		if (++dw->entries > DIR_MAX_ENTRIES) {
			if (rc > 0)
				smb2_dirent_free(&d);
			smb_log(SMB_LOG_WARN,
				"a directory listing from the server goes on past %u entries: given up",
				DIR_MAX_ENTRIES);
			return -EIO;
		}
		if (rc == -EILSEQ || rc == -ENOMEM) {
			/* A name Linux cannot represent: skip, keep listing. */
			dw->skipped++;
			rc = 0;
			continue;
		}
		if (rc < 0)
			break;
		e.name = d.name;
		stat_from_dirent(&e.st, &d);
		rc = dw->cb(dw->arg, &e);
		smb2_dirent_free(&d);
		if (rc)
			return rc;
	}
	return rc;
}

/* The buffer of each of n QUERY_DIRECTORY requests sent at once. */
static uint32_t dir_buffer_size(struct smb_tree *t, int n)
{
	const struct smb_session_info *i = &t->session->info;
	uint32_t room = compound_out_room(t, n);

	/* MS-SMB2 3.1.5.2: without LARGE_MTU one credit, 64 KiB. */
	if (i->dialect == SMB2_DIALECT_202 ||
	    !(i->capabilities & SMB2_GLOBAL_CAP_LARGE_MTU))
		room = room < DIR_BUFFER_MIN ? room : DIR_BUFFER_MIN;
	return room < DIR_BUFFER_MAX ? room : DIR_BUFFER_MAX;
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
		.output_buffer_length = dir_buffer_size(t, 1),
	};
	struct smb_req *req = smb_tree_req_new(t, SMB2_QUERY_DIRECTORY);
	int rc;

	if (!req)
		return -ENOMEM;
	req->payload_recv = qr.output_buffer_length;
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
			rc = rsp_checked(
				req, smb2_query_directory_response_decode(
					     req->rsp, req->rsp_len, &qd));
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

/* The listing of path the long way: open, QUERY_DIRECTORY until done, close. */
static int path_list(struct smb_tree *t, const char *path, smb_dir_cb cb,
		     void *arg, unsigned int *skipped)
{
	struct smb_open_args a;
	struct smb_open_result res;
	int rc, rc2;

	path_open_args(&a, path, DIR_LIST_ACCESS, FILE_OPEN,
		       FILE_DIRECTORY_FILE);
	rc = smb_file_open(t, &a, &res);
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

/* Adds an entry to a listing (a smb_dir_cb); "." and ".." stay out. */
static int listing_add(void *arg, const struct smb_dirent_info *e)
{
	struct smb_dir_listing *l = arg;
	struct smb_dir_entry *v;
	char *name;

	if (!strcmp(e->name, ".") || !strcmp(e->name, ".."))
		return 0;
	/* Room for 16 entries first, doubled whenever it is full. */
	if (l->n == 0 || (l->n >= 16 && (l->n & (l->n - 1)) == 0)) {
		v = realloc(l->v, (l->n ? 2 * l->n : 16) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
	}
	name = strdup(e->name);
	if (!name)
		return -ENOMEM;
	l->v[l->n].name = name;
	l->v[l->n].st = e->st;
	l->n++;
	return 0;
}

/*
 * One round trip for most directories: CREATE + two QUERY_DIRECTORY +
 * CLOSE.  When the second one still finds entries the directory is
 * larger than two buffers: 1 is returned and the caller lists it the
 * long way.
 */
static int list_compound(struct smb_tree *t, const char *path,
			 struct smb_dir_listing *l)
{
	struct dir_walk dw = {.cb = listing_add, .arg = l};
	struct compound_op qd[2] = {
		{.kind = COMPOUND_QUERY_DIRECTORY,
		 .info_class = FILE_ID_BOTH_DIRECTORY_INFORMATION,
		 .flags = SMB2_RESTART_SCANS,
		 .pattern = "*",
		 .max_out = dir_buffer_size(t, 2)},
		{.kind = COMPOUND_QUERY_DIRECTORY,
		 .info_class = FILE_ID_BOTH_DIRECTORY_INFORMATION,
		 .pattern = "*",
		 .max_out = dir_buffer_size(t, 2)},
	};
	struct smb_open_args a;
	struct compound c = {.open = &a, .ops = qd, .n_ops = 2};
	int i, rc;

	path_open_args(&a, path, DIR_LIST_ACCESS, FILE_OPEN,
		       FILE_DIRECTORY_FILE);
	rc = compound_run(t, &c);
	for (i = 0; i < 2 && !c.create_rc; i++) {
		if (qd[i].status == STATUS_NO_MORE_FILES) {
			rc = 0;
			break;
		}
		rc = qd[i].rc;
		if (!rc)
			rc = dir_walk_buffer(&dw, qd[i].out, qd[i].out_len);
		if (rc)
			break;
	}
	if (rc == 0 && i == 2)
		rc = 1;
	l->skipped = dw.skipped;
	compound_free(&c);
	return rc;
}

int smb_path_list_all(struct smb_tree *t, const char *path,
		      struct smb_dir_listing *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = list_compound(t, path, out);
	if (rc == 1) {
		smb_dir_listing_free(out);
		rc = path_list(t, path, listing_add, out, &out->skipped);
	}
	if (rc < 0)
		smb_dir_listing_free(out);
	return rc;
}
