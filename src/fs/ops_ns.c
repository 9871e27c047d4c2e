// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE: namespace operations (unlink, rename, link, symlink, readlink).
 *
 * SMB deletes with a delete disposition that takes effect at the last
 * close (MS-FSCC 2.4.11), and a name stays taken until then.  POSIX
 * programs expect an unlinked open file to stay usable and its name to
 * be free at once, so a file open through this mount is first renamed
 * to a hidden name in the same directory and marked for deletion there;
 * the server removes it when the last handle closes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs.h"

/* Unlinked-but-open files live under this prefix; readdir hides it. */
#define HIDDEN_PREFIX ".smbfs-deleted-"

/* What every handle here asks for besides DELETE or data access. */
#define BASE_ACCESS (FILE_READ_ATTRIBUTES | SYNCHRONIZE)

static bool reply_if_read_only(fuse_req_t req, struct smbfs *fs)
{
	if (!fs->cfg.read_only)
		return false;
	fuse_reply_err(req, EROFS);
	return true;
}

static bool inode_is_open(struct smbfs *fs, struct smbfs_inode *in)
{
	bool open;

	pthread_mutex_lock(&fs->lock);
	open = in->open_count > 0 && !in->is_dir;
	pthread_mutex_unlock(&fs->lock);
	return open;
}

/*
 * Opens path for deletion or renaming.  FILE_WRITE_ATTRIBUTES is asked
 * for too, so a read-only attribute can be cleared through the handle;
 * a server that refuses it still gets the open without it.
 */
static int open_for_delete(struct smbfs *fs, const char *path, uint32_t options,
			   struct smb2_fileid *fid, bool *can_write_attr)
{
	struct smb_open_result res;
	int rc = fs_open_path(fs, path,
			      DELETE | FILE_WRITE_ATTRIBUTES | BASE_ACCESS,
			      FILE_OPEN, options, &res);

	*can_write_attr = rc == 0;
	if (rc == -EACCES)
		rc = fs_open_path(fs, path, DELETE | BASE_ACCESS, FILE_OPEN,
				  options, &res);
	if (rc == 0)
		*fid = res.fid;
	return rc;
}

/* Clears FILE_ATTRIBUTE_READONLY; *old receives the previous set. */
static int clear_readonly(struct smbfs *fs, struct smb2_fileid fid,
			  uint32_t *old)
{
	struct smb_stat st;
	uint32_t attrs;
	int rc = smb_file_stat(fs->tree, fid, &st);

	if (rc < 0)
		return rc;
	*old = st.attributes;
	if (!(st.attributes & FILE_ATTRIBUTE_READONLY))
		return -EALREADY;
	/* What chmod u+w would leave. */
	attrs = setattr_dos_attributes(st.attributes,
				       st.attributes & FILE_ATTRIBUTE_DIRECTORY,
				       S_IWUSR);
	return smb_file_set_basic(fs->tree, fid, 0, 0, 0, 0, attrs);
}

static void restore_attributes(struct smbfs *fs, struct smb2_fileid fid,
			       uint32_t attrs)
{
	if (smb_file_set_basic(fs->tree, fid, 0, 0, 0, 0,
			       attrs ? attrs : FILE_ATTRIBUTE_NORMAL) < 0)
		smb_log(SMB_LOG_WARN, "could not restore the read-only attribute");
}

/*
 * Marks the open file for deletion.  Windows semantics refuse to delete
 * a read-only file (STATUS_CANNOT_DELETE, MS-FSA 2.1.5.14.3) while POSIX
 * only asks for a writable directory: like cifs.ko, clear the attribute
 * and try again, and put it back if that fails too.
 */
static int set_delete_posix(struct smbfs *fs, struct smb2_fileid fid,
			    bool can_write_attr)
{
	uint32_t old;
	int rc = smb_file_set_delete(fs->tree, fid, true);

	if (rc != -EACCES || !can_write_attr)
		return rc;
	if (clear_readonly(fs, fid, &old) < 0)
		return rc;
	rc = smb_file_set_delete(fs->tree, fid, true);
	if (rc < 0)
		restore_attributes(fs, fid, old);
	return rc;
}

int fs_delete_path(struct smbfs *fs, const char *path, uint32_t options)
{
	struct smb2_fileid fid;
	bool wa;
	int rc = open_for_delete(fs, path, options, &fid, &wa);
	int rc2;

	if (rc < 0)
		return rc;
	rc = set_delete_posix(fs, fid, wa);
	rc2 = smb_file_close(fs->tree, fid, NULL);
	return rc ? rc : rc2;
}

/* A file open through this mount, renamed away to a hidden name. */
struct hidden_file {
	struct smb2_fileid fid; /* our own handle, with DELETE access */
	bool can_write_attr;
	char name[64]; /* Linux name in the same directory */
	char *path;
};

static int hide_begin(struct smbfs *fs, struct smbfs_inode *dir,
		      struct smbfs_inode *in, const char *path,
		      struct hidden_file *hf)
{
	unsigned long long ino, seq;
	int rc = 0;

	pthread_mutex_lock(&fs->lock);
	ino = in->ino;
	seq = fs->hidden_seq++;
	pthread_mutex_unlock(&fs->lock);
	snprintf(hf->name, sizeof(hf->name), HIDDEN_PREFIX "%llx-%llu", ino,
		 seq);
	hf->path = inode_child_smb_path(fs, dir, hf->name, &rc);
	if (!hf->path)
		return rc;
	rc = open_for_delete(fs, path, FILE_NON_DIRECTORY_FILE, &hf->fid,
			     &hf->can_write_attr);
	if (rc == 0) {
		rc = smb_file_rename(fs->tree, hf->fid, hf->path, false);
		if (rc < 0)
			smb_file_close(fs->tree, hf->fid, NULL);
	}
	if (rc < 0) {
		free(hf->path);
		hf->path = NULL;
	}
	return rc;
}

static void hide_release(struct smbfs *fs, struct hidden_file *hf)
{
	smb_file_close(fs->tree, hf->fid, NULL);
	free(hf->path);
}

/* Puts a hidden file back under its name (the operation failed). */
static void hide_undo(struct smbfs *fs, const char *path,
		      struct hidden_file *hf)
{
	if (smb_file_rename(fs->tree, hf->fid, path, false) < 0)
		smb_log(SMB_LOG_WARN, "could not rename \"\\%s\" back to \"\\%s\"",
			  hf->path, path);
	hide_release(fs, hf);
}

/*
 * The name is gone for good: mark the hidden file for deletion (the
 * server removes it at the last close) and record the move.  On failure
 * hf is still the caller's.
 */
static int hide_commit(struct smbfs *fs, struct smbfs_inode *dir,
		       struct smbfs_inode *in, struct hidden_file *hf)
{
	int rc = set_delete_posix(fs, hf->fid, hf->can_write_attr);

	if (rc < 0)
		return rc;
	if (inode_move(fs, in, dir, hf->name) < 0)
		smb_log(SMB_LOG_WARN, "out of memory recording \"%s\"", hf->name);
	pthread_mutex_lock(&fs->lock);
	in->unlinked = true;
	pthread_mutex_unlock(&fs->lock);
	hide_release(fs, hf);
	return 0;
}

static int unlink_open_file(struct smbfs *fs, struct smbfs_inode *dir,
			    struct smbfs_inode *in, const char *path)
{
	struct hidden_file hf;
	int rc = hide_begin(fs, dir, in, path, &hf);

	if (rc < 0)
		return rc;
	rc = hide_commit(fs, dir, in, &hf);
	if (rc < 0)
		hide_undo(fs, path, &hf);
	return rc;
}

void smbfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct smbfs *fs = smbfs_from_req(req);
	struct smbfs_inode *dir = fs_inode_or_reply(req, parent), *in;
	char *path;
	int rc = 0;

	if (!dir || reply_if_read_only(req, fs))
		return;
	path = inode_child_smb_path(fs, dir, name, &rc);
	if (!path) {
		fs_reply_err(req, rc);
		return;
	}
	/* The kernel holds the victim's inode for the whole call. */
	in = inode_find_child(fs, dir, name);
	if (in && inode_is_open(fs, in)) {
		rc = unlink_open_file(fs, dir, in, path);
	} else {
		rc = fs_delete_path(fs, path, FILE_NON_DIRECTORY_FILE);
		if (rc == 0)
			inode_unlink_name(fs, dir, name);
	}
	free(path);
	fs_reply_err(req, rc);
}

/* --- rename --- */

struct rename_op {
	struct smbfs *fs;
	struct smbfs_inode *dir, *newdir;
	const char *name, *newname;
	char *from, *to;
	struct smb_stat src, dst;
	bool dst_exists; /* a different file holds the exact target name */
	bool noreplace;
};

static bool same_file(const struct rename_op *r)
{
	if (r->src.file_id && r->dst.file_id)
		return r->src.file_id == r->dst.file_id;
	return r->dir == r->newdir && !strcasecmp(r->name, r->newname);
}

/*
 * Does the target name differ only in case from the entry the lookup
 * found (always so for -EEXIST; with nocase a lookup also matches)?
 */
static bool found_case_variant(const struct rename_op *r, int lookup_rc,
			       const char *exact)
{
	char *smb = NULL;
	bool variant;

	if (lookup_rc == -EEXIST)
		return true;
	if (!exact || name_to_smb(r->newname, r->fs->cfg.mapposix, &smb) < 0)
		return false;
	variant = strcmp(exact, smb) != 0;
	free(smb);
	return variant;
}

/*
 * Applies the case rule before anything changes.  Returns 0 to go on,
 * 1 when there is nothing to do (both names are links to one file), or
 * -errno.
 */
static int rename_check(struct rename_op *r)
{
	char *exact = NULL;
	bool variant;
	int rc = fs_lookup_child(r->fs, r->dir, r->name, &r->src, NULL);

	if (rc == -EEXIST)
		return -ENOENT; /* only another case: not this name */
	if (rc < 0)
		return rc;
	rc = fs_lookup_child(r->fs, r->newdir, r->newname, &r->dst, &exact);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0 && rc != -EEXIST) {
		free(exact);
		return rc;
	}
	variant = found_case_variant(r, rc, exact);
	free(exact);
	if (same_file(r)) {
		/* "a" -> "A" renames; two links to one file: POSIX no-op. */
		if (variant)
			return 0;
		return r->noreplace ? -EEXIST : 1;
	}
	/* Never replace a different file's data, unless nocase says so. */
	if ((variant && !r->fs->cfg.nocase) || r->noreplace)
		return -EEXIST;
	r->dst_exists = true;
	return 0;
}

static int rename_once(struct rename_op *r)
{
	struct smb2_fileid fid;
	bool wa;
	int rc = open_for_delete(r->fs, r->from, 0, &fid, &wa);
	int rc2;

	if (rc < 0)
		return rc;
	/* MS-FSCC 2.4.42: ReplaceIfExists; the name is share-relative. */
	rc = smb_file_rename(r->fs->tree, fid, r->to, !r->noreplace);
	rc2 = smb_file_close(r->fs->tree, fid, NULL);
	return rc ? rc : rc2;
}

/* The target is open through this mount: hide it, then rename. */
static int rename_over_open(struct rename_op *r, struct smbfs_inode *victim)
{
	struct hidden_file hf;
	int rc = hide_begin(r->fs, r->newdir, victim, r->to, &hf);

	if (rc < 0)
		return rc;
	rc = rename_once(r);
	if (rc < 0) {
		hide_undo(r->fs, r->to, &hf);
		return rc;
	}
	/* The rename is done; at worst the old file stays hidden. */
	if (hide_commit(r->fs, r->newdir, victim, &hf) < 0) {
		smb_log(SMB_LOG_WARN, "rename left \"%s\" behind", hf.name);
		hide_release(r->fs, &hf);
	}
	return 0;
}

/*
 * Windows semantics refuse to replace a directory or a read-only file
 * (STATUS_ACCESS_DENIED); POSIX replaces an empty directory and any
 * file in a writable directory.
 */
static int rename_over_refused(struct rename_op *r, int refused)
{
	struct smb2_fileid fid;
	uint32_t old = 0;
	bool wa;
	int rc;

	if (r->dst.attributes & FILE_ATTRIBUTE_DIRECTORY) {
		if (!(r->src.attributes & FILE_ATTRIBUTE_DIRECTORY))
			return -EISDIR;
		rc = smb_path_rmdir(r->fs->tree, r->to); /* ENOTEMPTY */
		return rc < 0 ? rc : rename_once(r);
	}
	if (!(r->dst.attributes & FILE_ATTRIBUTE_READONLY))
		return refused;
	rc = open_for_delete(r->fs, r->to, FILE_NON_DIRECTORY_FILE, &fid, &wa);
	if (rc < 0)
		return rc;
	rc = wa ? clear_readonly(r->fs, fid, &old) : refused;
	if (rc == -EALREADY)
		rc = refused;
	if (rc == 0) {
		rc = rename_once(r);
		if (rc < 0)
			restore_attributes(r->fs, fid, old);
	}
	smb_file_close(r->fs->tree, fid, NULL);
	return rc;
}

static int rename_do(struct rename_op *r)
{
	struct smbfs_inode *victim;
	int rc = rename_check(r);

	if (rc)
		return rc;
	victim = r->dst_exists ? inode_find_child(r->fs, r->newdir, r->newname)
			       : NULL;
	if (victim && inode_is_open(r->fs, victim))
		return rename_over_open(r, victim);
	rc = rename_once(r);
	if (r->dst_exists && (rc == -EACCES || rc == -EEXIST))
		rc = rename_over_refused(r, rc);
	return rc;
}

void smbfs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		     fuse_ino_t newparent, const char *newname,
		     unsigned int flags)
{
	struct smbfs *fs = smbfs_from_req(req);
	struct rename_op r = { .fs = fs, .name = name, .newname = newname };
	struct smbfs_inode *in;
	int rc = 0;

	/* RENAME_EXCHANGE has no SMB equivalent; WHITEOUT is overlayfs'. */
	if (flags & ~(unsigned int)RENAME_NOREPLACE) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	r.noreplace = flags & RENAME_NOREPLACE;
	r.dir = fs_inode_or_reply(req, parent);
	if (!r.dir)
		return;
	r.newdir = fs_inode_or_reply(req, newparent);
	if (!r.newdir || reply_if_read_only(req, fs))
		return;
	r.from = inode_child_smb_path(fs, r.dir, name, &rc);
	if (r.from)
		r.to = inode_child_smb_path(fs, r.newdir, newname, &rc);
	if (r.to)
		rc = rename_do(&r);
	if (rc == 0) {
		/* The kernel holds the source inode for the whole call. */
		in = inode_find_child(fs, r.dir, name);
		if (in)
			rc = inode_move(fs, in, r.newdir, newname);
		else
			inode_unlink_name(fs, r.newdir, newname);
	}
	free(r.from);
	free(r.to);
	fs_reply_err(req, rc > 0 ? 0 : rc);
}

/* --- link, symlink, readlink --- */

void smbfs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		   const char *newname)
{
	struct smbfs *fs = smbfs_from_req(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino), *dir;
	struct smb_open_result res;
	struct smb_stat st;
	char *from = NULL, *to = NULL;
	int rc = 0;

	if (!in)
		return;
	dir = fs_inode_or_reply(req, newparent);
	if (!dir || reply_if_read_only(req, fs))
		return;
	from = inode_smb_path(fs, in);
	if (!from)
		rc = -errno;
	else
		to = inode_child_smb_path(fs, dir, newname, &rc);
	if (to)
		rc = fs_open_path(fs, from, BASE_ACCESS, FILE_OPEN,
				  FILE_NON_DIRECTORY_FILE, &res);
	if (to && rc == 0) {
		/*
		 * MS-FSCC 2.4.27: ReplaceIfExists = 0, so an existing name
		 * (in any case) fails with OBJECT_NAME_COLLISION (EEXIST).
		 */
		rc = smb_file_link(fs->tree, res.fid, to, false);
		smb_file_close(fs->tree, res.fid, NULL);
	}
	if (to && rc == 0)
		rc = smb_path_stat(fs->tree, to, &st); /* nlink now 2 */
	free(from);
	free(to);
	if (rc < 0) {
		fs_reply_err(req, rc);
		return;
	}
	fs_reply_entry(req, fs, dir, newname, &st);
}

/*
 * Writes the mfsymlink under a hidden name and renames it into place
 * (ReplaceIfExists = 0), so nobody ever sees a half-written link: an
 * empty regular file that turns into a symlink would change type under
 * a reader.  An existing name, in any case, fails with EEXIST.
 */
static int symlink_create(struct smbfs *fs, struct smbfs_inode *dir,
			  const char *path, const uint8_t *buf,
			  struct smb_stat *st)
{
	struct smb_open_result res;
	unsigned long long seq;
	char tmp_name[64], *tmp;
	ssize_t n;
	int rc = 0;

	pthread_mutex_lock(&fs->lock);
	seq = fs->hidden_seq++;
	pthread_mutex_unlock(&fs->lock);
	snprintf(tmp_name, sizeof(tmp_name), HIDDEN_PREFIX "symlink-%llu", seq);
	tmp = inode_child_smb_path(fs, dir, tmp_name, &rc);
	if (!tmp)
		return rc;
	rc = fs_open_path(fs, tmp, FILE_WRITE_DATA | DELETE | BASE_ACCESS,
			  FILE_CREATE, FILE_NON_DIRECTORY_FILE, &res);
	free(tmp);
	if (rc < 0)
		return rc;
	n = smb_file_write(fs->tree, res.fid, buf, MFSYMLINK_SIZE, 0);
	if (n >= 0 && n != MFSYMLINK_SIZE)
		n = -EIO;
	rc = n < 0 ? (int)n : smb_file_stat(fs->tree, res.fid, st);
	if (rc == 0)
		rc = smb_file_rename(fs->tree, res.fid, path, false);
	/* Leave nothing behind on failure. */
	if (rc < 0)
		smb_file_set_delete(fs->tree, res.fid, true);
	smb_file_close(fs->tree, res.fid, NULL);
	return rc;
}

void smbfs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		      const char *name)
{
	struct smbfs *fs = smbfs_from_req(req);
	struct smbfs_inode *dir;
	struct smb_stat st;
	uint8_t *buf;
	char *path;
	int rc = 0;

	/* Like cifs.ko without unix extensions or mfsymlinks. */
	if (!fs->cfg.mfsymlinks) {
		fuse_reply_err(req, EPERM);
		return;
	}
	dir = fs_inode_or_reply(req, parent);
	if (!dir || reply_if_read_only(req, fs))
		return;
	buf = malloc(MFSYMLINK_SIZE);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	rc = mfsymlink_format(link, buf);
	path = rc < 0 ? NULL : inode_child_smb_path(fs, dir, name, &rc);
	if (path)
		rc = symlink_create(fs, dir, path, buf, &st);
	free(path);
	free(buf);
	if (rc < 0) {
		fs_reply_err(req, rc);
		return;
	}
	fs_reply_new_entry(req, fs, dir, name, &st, strlen(link));
}

void smbfs_op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct smbfs *fs = smbfs_from_req(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	char *path, *target = NULL;
	int rc;

	if (!in)
		return;
	/* Without mfsymlinks nothing here is presented as a symlink. */
	if (!fs->cfg.mfsymlinks) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	path = inode_smb_path(fs, in);
	if (!path) {
		fs_reply_err(req, -errno);
		return;
	}
	rc = mfsymlink_read(fs, path, &target);
	free(path);
	if (rc == -EISDIR)
		rc = -EINVAL;
	if (rc < 0) {
		fs_reply_err(req, rc);
		return;
	}
	fuse_reply_readlink(req, target);
	free(target);
}
