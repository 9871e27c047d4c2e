// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE setattr: truncate/extend, chmod, chown and utimens.
 *
 * With cifsacl (the default) chmod and chown write the file's security
 * descriptor (unix_attr.c).  Without it the server keeps no owner and no
 * mode, so (like cifs.ko) chmod only moves the DOS read-only attribute
 * and chown accepts nothing but the owner the mount presents.  Sizes go
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
	/* cifsacl: mode and owners go into the security descriptor. */
	bool acl_mode;
	uid_t new_uid; /* (uid_t)-1: unchanged */
	gid_t new_gid;
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
	return ft >= SMB_TIME_RESUME_UPDATING ? 0 : ft;
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
	p->new_uid = (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
	p->new_gid = (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;
	/* chown without cifsacl: only the owner the mount presents (cifs.ko
	 * without POSIX extensions or idsfromsid). */
	if (!fs->cfg.cifsacl && ((p->new_uid != (uid_t)-1 &&
				  p->new_uid != fs->cfg.uid) ||
				 (p->new_gid != (gid_t)-1 &&
				  p->new_gid != fs->cfg.gid)))
		return -EPERM;
	if (!fs->cfg.cifsacl)
		p->new_uid = (uid_t)-1, p->new_gid = (gid_t)-1;
	p->size = to_set & FUSE_SET_ATTR_SIZE;
	p->mode = to_set & FUSE_SET_ATTR_MODE;
	if (fs->cfg.cifsacl) {
		p->acl_mode = p->mode;
		p->mode = false; /* the DOS attributes stay as they are */
	}
	if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW))
		p->atime = setattr_time(&attr->st_atim,
					to_set & FUSE_SET_ATTR_ATIME_NOW);
	if (to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW))
		p->mtime = setattr_time(&attr->st_mtim,
					to_set & FUSE_SET_ATTR_MTIME_NOW);
	p->basic = p->mode || p->atime || p->mtime;
	if ((p->size || p->basic || p->acl_mode || p->new_uid != (uid_t)-1 ||
	     p->new_gid != (gid_t)-1) &&
	    fs->cfg.read_only)
		return -EROFS;
	if (p->size && in->is_dir)
		return -EISDIR;
	if (p->size && attr->st_size < 0)
		return -EINVAL;
	p->new_size = (uint64_t)attr->st_size;
	p->new_mode = attr->st_mode;
	return 0;
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
 * The plan as one request: the new size, then FileBasicInformation with
 * the new times and, for chmod, the attributes made from current.
 */
static void setattr_request(const struct smbfs_inode *in, uint32_t current,
			    const struct setattr_plan *p,
			    struct smb_setattr *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->set_size = p->size;
	sa->size = p->new_size;
	sa->set_basic = p->basic;
	sa->last_access_time = p->atime;
	sa->last_write_time = p->mtime;
	if (p->mode)
		sa->attributes = setattr_dos_attributes(current, in->is_dir,
							p->new_mode);
}

/*
 * One compound by path.  chmod keeps every other attribute as the
 * server has it now.
 */
static int setattr_by_path(struct smbfs *fs, struct smbfs_inode *in,
			   const struct setattr_plan *p, struct smb_stat *st)
{
	struct smb_setattr sa;
	struct smb_stat cur;
	char *path = inode_smb_path(fs, in);
	int rc = 0;

	if (!path)
		return -errno;
	cur.attributes = setattr_cached_attributes(fs, in);
	if (p->mode)
		rc = pool_path_stat(fs->tree, path, &cur);
	if (!rc) {
		setattr_request(in, cur.attributes, p, &sa);
		rc = cache_path_setattr(fs->cache, path, &sa, st);
	}
	free(path);
	return rc;
}

/*
 * Applies the plan; st receives the attributes afterwards.  An open file
 * (ftruncate) is changed through its own handle, which also works after
 * it was unlinked; when that handle lacks FILE_WRITE_ATTRIBUTES the
 * path is used for the rest.
 *
 * Samba gives a handle that wrote data the close time as its mtime, even
 * over a time set meanwhile through another handle; only a time set
 * through the writing handle itself sticks.  futimens() carries no
 * handle to FUSE, so a time set while another descriptor that wrote is
 * still open is lost at its close.
 */
static int setattr_apply(struct smbfs *fs, struct smbfs_inode *in,
			 struct smbfs_handle *h, const struct setattr_plan *p,
			 struct smb_stat *st)
{
	struct setattr_plan rest = *p;
	struct smb_setattr sa;
	int rc;

	if (!h)
		return setattr_by_path(fs, in, p, st);
	setattr_request(in, setattr_cached_attributes(fs, in), p, &sa);
	rc = pool_file_setattr(h->file, &sa, st);
	if (rc != -EACCES || !p->basic)
		return rc;
	/* The SET_INFOs ran one by one: was it the size that failed? */
	if (p->size) {
		sa.set_basic = false;
		rc = pool_file_setattr(h->file, &sa, NULL);
		if (rc < 0)
			return rc;
		rest.size = false;
	}
	return setattr_by_path(fs, in, &rest, st);
}

/*
 * Without a handle from the kernel (truncate(2), utimensat, futimens)
 * an open writable handle of the same file is borrowed when there is
 * one: MS-FSA 2.1.5.14.2 has the server keep LastWriteTime only when it
 * was set through the handle that wrote, otherwise the CLOSE of that
 * handle stamps the close time over it (cp -p, tar x).  A handle the
 * server no longer knows leaves the change to the path.
 */
static int setattr_apply_any(struct smbfs *fs, struct smbfs_inode *in,
			     struct smbfs_handle *h,
			     const struct setattr_plan *p, struct smb_stat *st)
{
	struct smbfs_handle *lent;
	int rc;

	/* A CLOSE still in flight would stamp its time over ours. */
	if (!h && !in->is_dir && p->basic)
		inode_wait_closes(fs, in);
	if (h || in->is_dir || inode_handle_lend(fs, in, true, &lent) < 0)
		return setattr_apply(fs, in, h, p, st);
	rc = setattr_apply(fs, in, lent, p, st);
	inode_handle_return(fs, lent);
	if (rc == -EBADF || rc == -ENOENT)
		rc = setattr_apply(fs, in, NULL, p, st);
	return rc;
}

/*
 * cifsacl: owners first (a new owner changes whose ACE the mode is
 * written for), then the mode; the attributes are read again after.
 */
static int setattr_unix(struct smbfs *fs, struct smbfs_inode *in,
			const struct setattr_plan *p)
{
	char *path = inode_smb_path(fs, in);
	int rc = 0;

	if (!path)
		return -errno;
	if (p->new_uid != (uid_t)-1 || p->new_gid != (gid_t)-1)
		rc = fs_unix_chown(fs, path, p->new_uid, p->new_gid);
	if (!rc && p->acl_mode)
		rc = fs_unix_chmod(fs, path, p->new_mode);
	free(path);
	if (!rc)
		rc = fs_refresh_attr(fs, in);
	return rc;
}

void smbfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		      int to_set, struct fuse_file_info *fi)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	struct smbfs_handle *h = NULL;
	struct setattr_plan plan;
	struct smb_stat st;
	struct stat stbuf;
	int rc;

	if (!in)
		return;
	/* Only a regular file's handle is a struct smbfs_handle. */
	if (fi && fi->fh && !in->is_dir)
		h = fs_handle_from_fi(fi);
	rc = setattr_check(fs, in, attr, to_set, &plan);
	if (rc < 0)
		goto out;
	/* A kept handle must not outlive the permissions it was opened with. */
	if (plan.mode || plan.acl_mode || plan.new_uid != (uid_t)-1 ||
	    plan.new_gid != (gid_t)-1) {
		fs_close_deferred(fs, in);
		/* What its new entries inherit may change with it. */
		if (in->is_dir) {
			fs_unix_forget_template(fs, in, FS_NEW_FILE);
			fs_unix_forget_template(fs, in, FS_NEW_DIR);
		}
	}
	if (plan.size || plan.basic) {
		rc = setattr_apply_any(fs, in, h, &plan, &st);
		rc = fs_share_errno(fs, rc);
		if (rc < 0)
			goto out;
		fs_store_stat(fs, in, &st);
		fs_note_attr(fs, in);
	}
	if (plan.acl_mode || plan.new_uid != (uid_t)-1 ||
	    plan.new_gid != (gid_t)-1) {
		rc = fs_share_errno(fs, setattr_unix(fs, in, &plan));
		if (rc < 0)
			goto out;
	}
	pthread_mutex_lock(&fs->lock);
	attr_fill(fs, in, &stbuf);
	pthread_mutex_unlock(&fs->lock);
	fuse_reply_attr(req, &stbuf, fs->cfg.attr_timeout);
	return;
out:
	fs_reply_err(req, rc);
}
