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
 *
 * Each step is one path call of the pool (one compound on the wire):
 * no handle lives from one step to the next, so a step that meets a
 * reconnect is simply sent again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs.h"
#include "unix_meta.h"

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

/* Sets path's DOS attributes (none left: FILE_ATTRIBUTE_NORMAL). */
static int set_attributes(struct smbfs *fs, const char *path, uint32_t attrs)
{
	struct smb_setattr sa = {
		.set_basic = true,
		.attributes = attrs ? attrs : FILE_ATTRIBUTE_NORMAL,
	};

	return cache_path_setattr(fs->cache, path, &sa, NULL);
}

/*
 * Clears FILE_ATTRIBUTE_READONLY as chmod u+w would; *old receives the
 * attributes to put back.  -EALREADY when it was not set.
 */
static int clear_readonly(struct smbfs *fs, const char *path, uint32_t *old)
{
	struct smb_stat st;
	int rc = pool_path_stat(fs->tree, path, &st);

	if (rc < 0)
		return rc;
	*old = st.attributes;
	if (!(st.attributes & FILE_ATTRIBUTE_READONLY))
		return -EALREADY;
	return set_attributes(
		fs, path,
		setattr_dos_attributes(st.attributes,
				       st.attributes & FILE_ATTRIBUTE_DIRECTORY,
				       S_IWUSR));
}

static void restore_attributes(struct smbfs *fs, const char *path,
			       uint32_t attrs)
{
	if (set_attributes(fs, path, attrs) < 0)
		smb_log(SMB_LOG_WARN,
			"could not restore the read-only attribute of \"\\%s\"",
			path);
}

/*
 * Windows semantics refuse to delete a read-only file (STATUS_CANNOT_
 * DELETE, MS-FSA 2.1.5.14.3) while POSIX only asks for a writable
 * directory: like cifs.ko, clear the attribute and try again, and put
 * it back if that fails too.
 */
int fs_delete_path(struct smbfs *fs, const char *path, uint32_t options)
{
	uint32_t old;
	int rc = cache_path_delete(fs->cache, path, options);

	if (rc != -EACCES || clear_readonly(fs, path, &old) < 0)
		return rc;
	rc = cache_path_delete(fs->cache, path, options);
	if (rc < 0)
		restore_attributes(fs, path, old);
	return rc;
}

/* A file open through this mount, renamed away to a hidden name. */
struct hidden_file {
	struct smbfs_inode *dir, *in;
	const char *name; /* its Linux name before */
	const char *path; /* and its share path */
	char hidden[64];  /* Linux name in the same directory */
	char *hidden_path;
};

/* Records where the inode is now, for paths built from it. */
static void hide_record(struct smbfs *fs, struct hidden_file *hf,
			const char *name)
{
	if (inode_move(fs, hf->in, hf->dir, name) < 0)
		smb_log(SMB_LOG_WARN, "out of memory recording \"%s\"", name);
}

/*
 * Renames path (the Linux name in dir of the open inode in) to a new
 * hidden name, without replacing anything.
 */
static int hide_begin(struct smbfs *fs, struct smbfs_inode *dir,
		      struct smbfs_inode *in, const char *name,
		      const char *path, struct hidden_file *hf)
{
	unsigned long long ino, seq;
	int rc = 0;

	pthread_mutex_lock(&fs->lock);
	ino = in->ino;
	seq = fs->hidden_seq++;
	pthread_mutex_unlock(&fs->lock);
	hf->dir = dir;
	hf->in = in;
	hf->name = name;
	hf->path = path;
	snprintf(hf->hidden, sizeof(hf->hidden), HIDDEN_PREFIX "%llx-%llu", ino,
		 seq);
	hf->hidden_path = inode_child_smb_path(fs, dir, hf->hidden, &rc);
	if (!hf->hidden_path)
		return rc;
	rc = cache_path_rename(fs->cache, path, hf->hidden_path, false);
	if (rc < 0) {
		free(hf->hidden_path);
		return rc;
	}
	hide_record(fs, hf, hf->hidden);
	return 0;
}

/* Puts a hidden file back under its name (the operation failed). */
static void hide_undo(struct smbfs *fs, struct hidden_file *hf)
{
	if (cache_path_rename(fs->cache, hf->hidden_path, hf->path, false) < 0)
		smb_log(SMB_LOG_WARN,
			"could not rename \"\\%s\" back to \"\\%s\"",
			hf->hidden_path, hf->path);
	else
		hide_record(fs, hf, hf->name);
	free(hf->hidden_path);
}

/*
 * The name is gone for good: delete the hidden file.  Our handles keep
 * it, delete-pending, until the last of them closes.  On failure hf is
 * still the caller's.
 */
static int hide_commit(struct smbfs *fs, struct hidden_file *hf)
{
	int rc = fs_delete_path(fs, hf->hidden_path, FILE_NON_DIRECTORY_FILE);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&fs->lock);
	hf->in->unlinked = true;
	pthread_mutex_unlock(&fs->lock);
	free(hf->hidden_path);
	return 0;
}

static int unlink_open_file(struct smbfs *fs, struct smbfs_inode *dir,
			    struct smbfs_inode *in, const char *name,
			    const char *path)
{
	struct hidden_file hf;
	int rc = hide_begin(fs, dir, in, name, path, &hf);

	if (rc < 0)
		return rc;
	rc = hide_commit(fs, &hf);
	if (rc < 0)
		hide_undo(fs, &hf);
	return rc;
}

void smbfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *dir = fs_inode_or_reply(req, parent), *in, *other;
	struct smb_stat victim;
	char *path;
	int rc = 0;

	if (!dir || reply_if_read_only(req, fs))
		return;
	path = inode_child_smb_path(fs, dir, name, &rc);
	if (!path) {
		fs_reply_err(req, rc);
		return;
	}
	/*
	 * The kernel holds the victim's inode for the whole call; under a
	 * hard link's other name the table knows it by its file id only.
	 */
	in = inode_find_child(fs, dir, name);
	if (fs_lookup_child_entry(fs, dir, name, &victim, NULL) < 0)
		victim.file_id = 0;
	/*
	 * Handles only we keep would keep the name, delete-pending, until
	 * they close: let them go, also when the table knows the file by
	 * another of its names (git links a new object, then unlinks the
	 * temporary name it wrote through).
	 */
	if (in)
		fs_close_deferred(fs, in);
	other = inode_find_server_id(fs, victim.file_id);
	if (other && other != in)
		fs_close_deferred(fs, other);
	if (in && inode_is_open(fs, in)) {
		rc = unlink_open_file(fs, dir, in, name, path);
	} else {
		rc = fs_delete_path(fs, path, FILE_NON_DIRECTORY_FILE);
		if (rc == 0)
			inode_unlink_name(fs, dir, name);
	}
	/* Other names of the file (hard links) stay, one link fewer. */
	if (rc == 0)
		inode_link_dropped(fs, in, victim.file_id);
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
	int rc = fs_lookup_child_entry(r->fs, r->dir, r->name, &r->src, NULL);

	if (rc == -EEXIST)
		return -ENOENT; /* only another case: not this name */
	if (rc < 0)
		return rc;
	rc = fs_lookup_child_entry(r->fs, r->newdir, r->newname, &r->dst,
				   &exact);
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

/* MS-FSCC 2.4.42: ReplaceIfExists; the name is share-relative. */
static int rename_once(struct rename_op *r)
{
	return cache_path_rename(r->fs->cache, r->from, r->to, !r->noreplace);
}

/* The target is open through this mount: hide it, then rename. */
static int rename_over_open(struct rename_op *r, struct smbfs_inode *victim)
{
	struct hidden_file hf;
	int rc = hide_begin(r->fs, r->newdir, victim, r->newname, r->to, &hf);

	if (rc < 0)
		return rc;
	rc = rename_once(r);
	if (rc < 0) {
		hide_undo(r->fs, &hf);
		return rc;
	}
	/* The rename is done; at worst the old file stays hidden. */
	if (hide_commit(r->fs, &hf) < 0) {
		smb_log(SMB_LOG_WARN, "rename left \"%s\" behind", hf.hidden);
		free(hf.hidden_path);
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
	uint32_t old = 0;
	int rc;

	if (r->dst.attributes & FILE_ATTRIBUTE_DIRECTORY) {
		if (!(r->src.attributes & FILE_ATTRIBUTE_DIRECTORY))
			return -EISDIR;
		/* ENOTEMPTY unless it is empty */
		rc = cache_path_delete(r->fs->cache, r->to, FILE_DIRECTORY_FILE);
		return rc < 0 ? rc : rename_once(r);
	}
	if (!(r->dst.attributes & FILE_ATTRIBUTE_READONLY))
		return refused;
	rc = clear_readonly(r->fs, r->to, &old);
	if (rc == -EALREADY)
		return refused;
	if (rc < 0)
		return rc;
	rc = rename_once(r);
	if (rc < 0)
		restore_attributes(r->fs, r->to, old);
	return rc;
}

static int rename_do(struct rename_op *r)
{
	struct smbfs_inode *victim;
	int rc = rename_check(r);

	if (rc)
		return rc;
	/* Samba refuses to rename a directory with files open below it. */
	if (r->src.attributes & FILE_ATTRIBUTE_DIRECTORY)
		fs_close_all_deferred(r->fs);
	victim = r->dst_exists ? inode_find_child(r->fs, r->newdir, r->newname)
			       : NULL;
	if (victim)
		fs_close_deferred(r->fs, victim);
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
	struct smbfs *fs = fs_begin(req);
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
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino), *dir;
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
	/*
	 * MS-FSCC 2.4.27: ReplaceIfExists = 0, so an existing name (in any
	 * case) fails with OBJECT_NAME_COLLISION (EEXIST).  st counts the
	 * new link.
	 */
	if (to)
		rc = cache_path_link(fs->cache, from, to, false, &st);
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
static int write_new_file(struct smbfs *fs, struct smbfs_inode *dir,
			  const char *path, const uint8_t *buf, size_t len,
			  uint32_t attributes, struct smb_stat *st)
{
	unsigned long long seq;
	char tmp_name[64], *tmp;
	int rc = 0;

	pthread_mutex_lock(&fs->lock);
	seq = fs->hidden_seq++;
	pthread_mutex_unlock(&fs->lock);
	snprintf(tmp_name, sizeof(tmp_name), HIDDEN_PREFIX "new-%llu", seq);
	tmp = inode_child_smb_path(fs, dir, tmp_name, &rc);
	if (!tmp)
		return rc;
	rc = cache_path_write_new(fs->cache, tmp, path, buf, len, attributes,
				 st);
	free(tmp);
	return rc;
}

/*
 * mknod(2): a regular file is an empty one; with sfu a FIFO, socket or
 * device is a SYSTEM file holding its type (and numbers) as cifs.ko
 * writes it, complete before it has its name like a symlink.  Without
 * sfu SMB has nowhere to keep them: EPERM, as cifs.ko.
 */
void smbfs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		    mode_t mode, dev_t rdev)
{
	struct smbfs *fs = fs_begin(req);
	struct smb_wbuf w = SMB_WBUF_INIT;
	mode_t type = mode & S_IFMT;
	struct smbfs_inode *dir;
	struct smb_stat st;
	uint32_t attributes = 0;
	char *path = NULL;
	int rc = 0;

	if (type != S_IFREG && !fs->cfg.sfu) {
		fuse_reply_err(req, EPERM);
		return;
	}
	dir = fs_inode_or_reply(req, parent);
	if (!dir || reply_if_read_only(req, fs))
		return;
	if (type != S_IFREG) {
		rc = unix_meta_sfu_encode(&w, type, rdev, NULL);
		attributes = FILE_ATTRIBUTE_SYSTEM;
	}
	if (!rc)
		path = inode_child_smb_path(fs, dir, name, &rc);
	if (path)
		rc = write_new_file(fs, dir, path, w.data, w.len, attributes,
				    &st);
	if (!rc && fs->cfg.cifsacl)
		fs_unix_apply_created(fs, NULL, NULL, path, mode, &st);
	free(path);
	wbuf_free(&w);
	if (rc < 0) {
		fs_reply_err(req, rc);
		return;
	}
	fs_reply_new_entry(req, fs, dir, name, &st, 0);
}

void smbfs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		      const char *name)
{
	struct smbfs *fs = fs_begin(req);
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
		rc = write_new_file(fs, dir, path, buf, MFSYMLINK_SIZE, 0,
				    &st);
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
	struct smbfs *fs = fs_begin(req);
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
