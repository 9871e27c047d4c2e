// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lookups and attribute refreshes.
 *
 * A lookup asks the cache, which knows the name or asks the server for
 * its directory entry (one compound, smb_path_lookup): it carries every
 * attribute and the file id, and also the name's stored spelling, so
 * that a lookup of "Foo" that finds only "foo" is not a hit (unless
 * nocase) and case-sensitive Linux programs never mistake one file for
 * another.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs.h"

static int fs_stat_child(struct smbfs *fs, const char *dir, const char *name,
			 struct smb_stat *st)
{
	char *path = malloc(strlen(dir) + strlen(name) + 2);
	int rc;

	if (!path)
		return -ENOMEM;
	sprintf(path, "%s%s%s", dir, *dir ? "\\" : "", name);
	rc = cache_stat(fs->cache, path, st);
	free(path);
	return rc;
}

static int lookup_child(struct smbfs *fs, struct smbfs_inode *parent,
			const char *name, struct smb_stat *st, char **exact,
			bool need_unix)
{
	char *dir = inode_smb_path(fs, parent);
	char *smb_name = NULL;
	int rc;

	if (exact)
		*exact = NULL;
	if (!dir)
		return -errno;
	rc = name_to_smb(name, fs->cfg.mapposix, &smb_name);
	if (!rc)
		rc = cache_lookup(fs->cache, dir, smb_name, st, exact);
	/* cifsacl: a directory entry carries no descriptor. */
	if (!rc && need_unix && fs->cfg.cifsacl && !st->has_unix)
		rc = fs_stat_child(fs, dir, smb_name, st);
	free(dir);
	free(smb_name);
	return rc;
}

int fs_lookup_child(struct smbfs *fs, struct smbfs_inode *parent,
		    const char *name, struct smb_stat *st, char **exact)
{
	return lookup_child(fs, parent, name, st, exact, true);
}

/*
 * The same without the Unix view, for callers that need the entry's
 * identity, type and attributes only (unlink, rename, a create that
 * collided): what a listing told the cache is enough, no descriptor is
 * fetched for it.
 */
int fs_lookup_child_entry(struct smbfs *fs, struct smbfs_inode *parent,
			  const char *name, struct smb_stat *st, char **exact)
{
	return lookup_child(fs, parent, name, st, exact, false);
}

/* mfsymlinks: a regular file of the right size may be a symlink. */
static void fs_check_symlink(struct smbfs *fs, const char *path,
			     struct smbfs_inode *in)
{
	char *target = NULL;
	size_t len = 0;
	bool candidate;

	pthread_mutex_lock(&fs->lock);
	candidate = fs->cfg.mfsymlinks && !in->is_dir &&
		    in->st.end_of_file == MFSYMLINK_SIZE;
	pthread_mutex_unlock(&fs->lock);
	if (candidate && mfsymlink_read(fs, path, &target) == 0)
		len = strlen(target);
	free(target);
	/* Under fs->lock: getattr on other threads reads it. */
	pthread_mutex_lock(&fs->lock);
	in->symlink_target_len = len;
	pthread_mutex_unlock(&fs->lock);
}

int fs_refresh_attr(struct smbfs *fs, struct smbfs_inode *in)
{
	struct smb_stat st;
	char *path;
	int rc;

	path = inode_smb_path(fs, in);
	if (!path)
		return -errno;
	rc = cache_stat(fs->cache, path, &st);
	if (!rc) {
		fs_store_stat(fs, in, &st);
		fs_check_symlink(fs, path, in);
	}
	free(path);
	return rc;
}

int fs_refresh_attr_file(struct smbfs *fs, struct smbfs_inode *in,
			 struct pool_file *f)
{
	struct smb_stat st;
	int rc = pool_file_stat(f, &st);

	if (rc < 0)
		return rc;
	fs_store_stat(fs, in, &st);
	fs_note_attr(fs, in);
	return 0;
}

void fs_note_attr(struct smbfs *fs, struct smbfs_inode *in)
{
	struct smb_stat st;
	char *path = inode_smb_path(fs, in);

	if (!path)
		return;
	pthread_mutex_lock(&fs->lock);
	st = in->st;
	pthread_mutex_unlock(&fs->lock);
	cache_note_stat(fs->cache, path, &st);
	free(path);
}

void fs_store_stat(struct smbfs *fs, struct smbfs_inode *in,
		   const struct smb_stat *st)
{
	struct smb_stat copy = *st;

	if (!copy.file_id)
		copy.file_id = in->server_id;
	inode_set_stat(fs, in, &copy);
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
	/* cifsacl: a listing's entry lacks the mode: getattr will ask. */
	if (fs->cfg.cifsacl && !in->st.has_unix)
		e->attr_timeout = 0;
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
	if (fs->cfg.mfsymlinks &&
	    !(st->attributes & FILE_ATTRIBUTE_DIRECTORY) &&
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
