// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE setattr: truncate/extend, chmod, chown and utimens.
 *
 * Without POSIX extensions the server keeps no owner and no mode, so
 * (like cifs.ko) chmod only moves the DOS read-only attribute and chown
 * accepts nothing but the owner the mount already presents.  Sizes go
 * through FileEndOfFileInformation, times and attributes through one
 * FileBasicInformation (MS-FSCC 2.4.7, 2.4.13).
 *
 * chmod applies to directories too, as on cifs.ko: the attribute is
 * stored although a directory's mode always shows dir_mode.  Servers
 * refuse to delete anything read-only, so the delete paths clear it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smbfs.h"
#include "smbfs/wire/fscc_info.h"

/*
 * The attributes chmod leaves: READONLY follows the owner write bit,
 * every other bit stays.  MS-FSCC 2.4.7: 0 means "do not change", so
 * a file left without attributes is sent FILE_ATTRIBUTE_NORMAL, which
 * is only valid alone; a directory always keeps FILE_ATTRIBUTE_DIRECTORY.
 */
uint32_t setattr_dos_attributes(uint32_t current, bool is_dir, mode_t mode)
{
	uint32_t attrs = current & ~(uint32_t)(FILE_ATTRIBUTE_READONLY |
					       FILE_ATTRIBUTE_NORMAL);

	if (!(mode & S_IWUSR))
		attrs |= FILE_ATTRIBUTE_READONLY;
	if (is_dir)
		attrs |= FILE_ATTRIBUTE_DIRECTORY;
	else
		attrs &= ~(uint32_t)FILE_ATTRIBUTE_DIRECTORY;
	return attrs ? attrs : FILE_ATTRIBUTE_NORMAL;
}

/* What one setattr call asks of the server, worked out up front. */
struct setattr_plan {
	bool size;
	uint64_t new_size;
	bool basic; /* a FileBasicInformation SET_INFO is needed */
	bool mode;
	mode_t new_mode;
	uint64_t atime, mtime; /* FILETIME, 0 = unchanged */
};

static uint64_t setattr_time(const struct timespec *ts, bool now)
{
	struct timespec cur;
	uint64_t ft;

	if (now) {
		clock_gettime(CLOCK_REALTIME, &cur);
		ts = &cur;
	}
	/*
	 * MS-FSCC 2.4.7: 0 means "unchanged" and -1/-2 stop or resume the
	 * server's own updates; times before 1970 come back as 0 and are
	 * left alone rather than sent as one of those.
	 */
	ft = attr_unix_to_filetime(ts);
	return ft >= FSCC_TIME_RESUME_UPDATING ? FSCC_TIME_NO_CHANGE : ft;
}

/*
 * Checks what the kernel asked for against the mount's semantics.
 * Returns 0 or the errno to answer with.
 */
static int setattr_check(struct smbfs *fs, struct smbfs_inode *in,
			 const struct stat *attr, int to_set,
			 struct setattr_plan *p)
{
	memset(p, 0, sizeof(*p));
	/* chown: only the owner the mount presents (cifs.ko without
	 * POSIX extensions or idsfromsid). */
	if ((to_set & FUSE_SET_ATTR_UID) && attr->st_uid != (uid_t)-1 &&
	    attr->st_uid != fs->cfg.uid)
		return -EPERM;
	if ((to_set & FUSE_SET_ATTR_GID) && attr->st_gid != (gid_t)-1 &&
	    attr->st_gid != fs->cfg.gid)
		return -EPERM;
	p->size = to_set & FUSE_SET_ATTR_SIZE;
	p->mode = to_set & FUSE_SET_ATTR_MODE;
	if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW))
		p->atime = setattr_time(&attr->st_atim,
					to_set & FUSE_SET_ATTR_ATIME_NOW);
	if (to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW))
		p->mtime = setattr_time(&attr->st_mtim,
					to_set & FUSE_SET_ATTR_MTIME_NOW);
	p->basic = p->mode || p->atime || p->mtime;
	if ((p->size || p->basic) && fs->cfg.read_only)
		return -EROFS;
	if (p->size && in->is_dir)
		return -EISDIR;
	if (p->size && attr->st_size < 0)
		return -EINVAL;
	p->new_size = (uint64_t)attr->st_size;
	p->new_mode = attr->st_mode;
	return 0;
}

/* A handle setattr opened itself, and the attributes the open saw. */
struct setattr_fid {
	struct smb2_fileid fid;
	uint32_t attributes; /* as the open saw them */
};

static int setattr_open(struct smbfs *fs, struct smbfs_inode *in,
			uint32_t access, struct setattr_fid *f)
{
	struct smb_open_result res;
	char *path = inode_smb_path(fs, in);
	int rc;

	memset(f, 0, sizeof(*f));
	if (!path)
		return -errno;
	/* No (non-)directory option: the same open serves both kinds. */
	rc = fs_open_path(fs, path, access | FILE_READ_ATTRIBUTES, FILE_OPEN, 0,
			  &res);
	free(path);
	if (rc < 0)
		return rc;
	f->fid = res.fid;
	f->attributes = res.st.attributes;
	return 0;
}

/* FileBasicInformation with the new times and, for chmod, attributes. */
static int setattr_basic(struct smbfs *fs, struct smbfs_inode *in,
			 struct smb2_fileid fid, uint32_t current,
			 const struct setattr_plan *p)
{
	uint32_t attrs = 0;

	if (p->mode)
		attrs = setattr_dos_attributes(current, in->is_dir,
					       p->new_mode);
	return smb_file_set_basic(fs->tree, fid, 0, p->atime, p->mtime, 0,
				  attrs);
}

static uint32_t setattr_cached_attributes(struct smbfs *fs,
					  struct smbfs_inode *in)
{
	uint32_t attrs;

	pthread_mutex_lock(&fs->lock);
	attrs = in->st.attributes;
	pthread_mutex_unlock(&fs->lock);
	return attrs;
}

/*
 * Applies the plan.  An open file (ftruncate) is changed through its own
 * handle, which also works after it was unlinked; when that handle lacks
 * FILE_WRITE_ATTRIBUTES the path is opened for the rest.
 *
 * Samba gives a handle that wrote data the close time as its mtime, even
 * over a time set meanwhile through another handle; only a time set
 * through the writing handle itself sticks.  futimens() carries no
 * handle to FUSE, so a time set while another descriptor that wrote is
 * still open is lost at its close.
 */
static int setattr_apply(struct smbfs *fs, struct smbfs_inode *in,
			 struct smbfs_handle *h, const struct setattr_plan *p)
{
	struct setattr_fid f;
	uint32_t access = FILE_WRITE_ATTRIBUTES;
	int rc, rc2;

	if (h) {
		if (p->size) {
			rc = smb_file_set_size(fs->tree, h->fid, p->new_size);
			if (rc < 0)
				return rc;
		}
		if (!p->basic)
			return 0;
		rc = setattr_basic(fs, in, h->fid,
				   setattr_cached_attributes(fs, in), p);
		if (rc != -EACCES)
			return rc;
	} else if (p->size) {
		access |= FILE_WRITE_DATA;
	}
	rc = setattr_open(fs, in, access, &f);
	if (rc < 0)
		return rc;
	if (p->size && !h)
		rc = smb_file_set_size(fs->tree, f.fid, p->new_size);
	if (!rc && p->basic)
		rc = setattr_basic(fs, in, f.fid, f.attributes, p);
	rc2 = smb_file_close(fs->tree, f.fid, NULL);
	return rc ? rc : rc2;
}

/*
 * Without a handle from the kernel (truncate(2), utimensat, futimens)
 * an open writable handle of the same file is borrowed when there is
 * one: MS-FSA 2.1.5.14.2 has the server keep LastWriteTime only when it
 * was set through the handle that wrote, otherwise the CLOSE of that
 * handle stamps the close time over it (cp -p, tar x).  If the borrowed
 * handle was closed meanwhile, the path is used.
 */
static int setattr_apply_any(struct smbfs *fs, struct smbfs_inode *in,
			     struct smbfs_handle *h,
			     const struct setattr_plan *p)
{
	struct smbfs_handle borrowed = {.inode = in};
	int rc;

	/* A CLOSE still in flight would stamp its time over ours. */
	if (!h && !in->is_dir && p->basic)
		inode_wait_closes(fs, in);
	if (h || in->is_dir ||
	    inode_handle_fid(fs, in, true, &borrowed.fid) < 0)
		return setattr_apply(fs, in, h, p);
	rc = setattr_apply(fs, in, &borrowed, p);
	if (rc == -EBADF || rc == -ENOENT)
		rc = setattr_apply(fs, in, NULL, p);
	return rc;
}

static int setattr_refresh(struct smbfs *fs, struct smbfs_inode *in,
			   struct smbfs_handle *h)
{
	struct smb2_fileid fid;
	int rc;

	if (h)
		fid = h->fid;
	else if (in->is_dir || inode_handle_fid(fs, in, false, &fid) < 0)
		return fs_refresh_attr(fs, in);
	rc = fs_refresh_attr_fid(fs, in, fid);
	if (rc < 0 && !h)
		return fs_refresh_attr(fs, in);
	return rc;
}

void smbfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		      int to_set, struct fuse_file_info *fi)
{
	struct smbfs *fs = smbfs_from_req(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	struct smbfs_handle *h = NULL;
	struct setattr_plan plan;
	struct stat stbuf;
	int rc;

	if (!in)
		return;
	/* Only a regular file's handle is a struct smbfs_handle. */
	if (fi && fi->fh && !in->is_dir)
		h = (struct smbfs_handle *)(uintptr_t)fi->fh;
	rc = setattr_check(fs, in, attr, to_set, &plan);
	if (rc < 0)
		goto out;
	/* chown to the presented owner and ctime alone change nothing. */
	if (!plan.size && !plan.basic)
		goto reply;
	rc = fs_share_errno(fs, setattr_apply_any(fs, in, h, &plan));
	if (rc < 0)
		goto out;
	rc = setattr_refresh(fs, in, h);
	if (rc < 0)
		goto out;
reply:
	pthread_mutex_lock(&fs->lock);
	attr_fill(fs, in, &stbuf);
	pthread_mutex_unlock(&fs->lock);
	fuse_reply_attr(req, &stbuf, fs->cfg.attr_timeout);
	return;
out:
	fs_reply_err(req, rc);
}
