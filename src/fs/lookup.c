// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lookups and attribute refreshes.
 *
 * A lookup is one related compound (MS-SMB2 3.2.4.1.4): CREATE on the
 * parent directory, QUERY_DIRECTORY with the name itself as the pattern,
 * CLOSE.  The directory entry carries every attribute and the file id,
 * and, because Samba and Windows match names without regard to case, it
 * also tells the name's stored spelling: a lookup of "Foo" that finds
 * "foo" is not a hit, so case-sensitive Linux programs never mistake one
 * file for another.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_close.h"
#include "smbfs/wire/smb2_create.h"
#include "smbfs/wire/smb2_query_directory.h"

#define LOOKUP_BUFFER 4096

static int lookup_encode(struct smb_req **reqs, const char *dir,
			 const char *pattern)
{
	struct smb2_create_request cr = {
		.impersonation_level = SMB2_IMPERSONATION_IMPERSONATION,
		.desired_access = FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES |
				  SYNCHRONIZE,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE |
				FILE_SHARE_DELETE,
		.create_disposition = FILE_OPEN,
		.create_options = FILE_DIRECTORY_FILE,
		.name = dir,
		.name_len = strlen(dir),
	};
	struct smb2_query_directory_request qr = {
		.info_class = FILE_ID_BOTH_DIRECTORY_INFORMATION,
		.flags = SMB2_RESTART_SCANS,
		.file_id = smb2_fileid_related(),
		.pattern = pattern,
		.pattern_len = strlen(pattern),
		.output_buffer_length = LOOKUP_BUFFER,
	};
	struct smb2_close_request cl = {.file_id = smb2_fileid_related()};
	int rc;

	reqs[1]->payload_recv = LOOKUP_BUFFER;
	rc = smb2_create_request_encode(&reqs[0]->msg, &cr);
	if (!rc)
		rc = smb2_query_directory_request_encode(&reqs[1]->msg, &qr);
	if (!rc)
		rc = smb2_close_request_encode(&reqs[2]->msg, &cl);
	return rc;
}

/*
 * Scans the QUERY_DIRECTORY output for the entry matching smb_name:
 * exact spelling first; a case-insensitive match counts only with nocase.
 */
static int lookup_scan(struct smbfs *fs, const uint8_t *buf, size_t len,
		       const char *smb_name, struct smb_stat *st, char **exact)
{
	struct smb2_dir_iter it;
	struct smb2_dirent d;
	int rc, found = -ENOENT;

	rc = smb2_dir_iter_init(&it, FILE_ID_BOTH_DIRECTORY_INFORMATION, buf,
				len);
	while (rc >= 0 && (rc = smb2_dirent_next(&it, &d)) != 0) {
		if (rc < 0) {
			if (rc == -EBADMSG)
				return rc;
			rc = 0;
			continue;
		}
		if (!strcmp(d.name, smb_name) ||
		    (found == -ENOENT && !strcasecmp(d.name, smb_name))) {
			bool same = !strcmp(d.name, smb_name);

			found = same || fs->cfg.nocase ? 0 : -EEXIST;
			smb_stat_from_dirent(st, &d);
			if (exact) {
				free(*exact);
				*exact = strdup(d.name);
			}
		}
		smb2_dirent_free(&d);
		if (found == 0)
			break;
	}
	return rc < 0 ? rc : found;
}

static int lookup_result(struct smbfs *fs, struct smb_req **reqs,
			 const char *smb_name, struct smb_stat *st,
			 char **exact)
{
	struct smb2_query_directory_response qd;
	int rc = smb_req_result(reqs[0], 0);

	if (rc < 0)
		return rc; /* e.g. the parent vanished: ENOENT */
	if (!reqs[1]->err && (reqs[1]->status == STATUS_NO_MORE_FILES ||
			      reqs[1]->status == STATUS_NO_SUCH_FILE))
		return -ENOENT;
	rc = smb_req_result(reqs[1], 0);
	if (!rc)
		rc = smb2_query_directory_response_decode(reqs[1]->rsp,
							  reqs[1]->rsp_len, &qd);
	if (!rc)
		rc = lookup_scan(fs, qd.buffer, qd.buffer_len, smb_name, st,
				 exact);
	return rc;
}

int fs_lookup_child(struct smbfs *fs, struct smbfs_inode *parent,
		    const char *name, struct smb_stat *st, char **exact)
{
	struct smb_req *reqs[3] = {NULL, NULL, NULL};
	char *dir = inode_smb_path(fs, parent);
	char *smb_name = NULL;
	int i, rc;

	if (exact)
		*exact = NULL;
	if (!dir)
		return -errno;
	rc = name_to_smb(name, fs->cfg.mapposix, &smb_name);
	for (i = 0; !rc && i < 3; i++) {
		static const uint16_t cmd[3] = {SMB2_CREATE,
						SMB2_QUERY_DIRECTORY,
						SMB2_CLOSE};

		reqs[i] = smb_tree_req_new(fs->tree, cmd[i]);
		if (!reqs[i])
			rc = -ENOMEM;
	}
	if (!rc)
		rc = lookup_encode(reqs, dir, smb_name);
	if (!rc)
		rc = smb_call_compound(fs->tree, reqs, 3, true);
	if (!rc)
		rc = lookup_result(fs, reqs, smb_name, st, exact);
	for (i = 0; i < 3; i++)
		smb_req_free(reqs[i]);
	free(dir);
	free(smb_name);
	return rc;
}

/* mfsymlinks: a regular file of the right size may be a symlink. */
static void fs_check_symlink(struct smbfs *fs, const char *path,
			     struct smbfs_inode *in)
{
	char *target = NULL;

	in->symlink_target_len = 0;
	if (!fs->cfg.mfsymlinks || in->is_dir ||
	    in->st.end_of_file != MFSYMLINK_SIZE)
		return;
	if (mfsymlink_read(fs, path, &target) == 0) {
		in->symlink_target_len = strlen(target);
		free(target);
	}
}

int fs_refresh_attr(struct smbfs *fs, struct smbfs_inode *in)
{
	struct smb_stat st;
	char *path;
	int rc;

	path = inode_smb_path(fs, in);
	if (!path)
		return -errno;
	rc = smb_path_stat(fs->tree, path, &st);
	if (!rc) {
		if (!st.file_id)
			st.file_id = in->server_id;
		inode_set_stat(fs, in, &st);
		fs_check_symlink(fs, path, in);
	}
	free(path);
	return rc;
}

int fs_refresh_attr_fid(struct smbfs *fs, struct smbfs_inode *in,
			struct smb2_fileid fid)
{
	struct smb_stat st;
	int rc = smb_file_stat(fs->tree, fid, &st);

	if (rc < 0)
		return rc;
	if (!st.file_id)
		st.file_id = in->server_id;
	inode_set_stat(fs, in, &st);
	return 0;
}

void fs_entry_param(struct smbfs *fs, struct smbfs_inode *in,
		    struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = in->ino;
	e->generation = 1;
	e->attr_timeout = fs->cfg.attr_timeout;
	e->entry_timeout = fs->cfg.attr_timeout;
	pthread_mutex_lock(&fs->lock);
	attr_fill(fs, in, &e->attr);
	pthread_mutex_unlock(&fs->lock);
}

void fs_reply_entry(fuse_req_t req, struct smbfs *fs,
		    struct smbfs_inode *parent, const char *name,
		    const struct smb_stat *st)
{
	struct fuse_entry_param e;
	struct smbfs_inode *in = inode_remember(fs, parent, name, st);
	char *path;

	if (!in) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (fs->cfg.mfsymlinks && !in->is_dir &&
	    st->end_of_file == MFSYMLINK_SIZE) {
		path = inode_smb_path(fs, in);
		if (path)
			fs_check_symlink(fs, path, in);
		free(path);
	}
	fs_entry_param(fs, in, &e);
	if (fuse_reply_entry(req, &e) == -ENOENT)
		inode_forget(fs, in, 1); /* the request was interrupted */
}

/*
 * Answers a mkdir/symlink/create with the new entry.  Like
 * fs_reply_entry, but the symlink state is known and must be set: a
 * server that reuses a deleted file's id hands back an inode that may
 * still say "symlink", and the kernel refuses (EIO) an entry of the
 * wrong type.
 */
void fs_reply_new_entry(fuse_req_t req, struct smbfs *fs,
			struct smbfs_inode *dir, const char *name,
			const struct smb_stat *st, size_t symlink_len)
{
	struct fuse_entry_param e;
	struct smbfs_inode *in = inode_remember(fs, dir, name, st);

	if (!in) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	in->symlink_target_len = symlink_len;
	pthread_mutex_unlock(&fs->lock);
	fs_entry_param(fs, in, &e);
	if (fuse_reply_entry(req, &e) == -ENOENT)
		inode_forget(fs, in, 1); /* the request was interrupted */
}
