// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE: open, create, read, write, flush, release, fsync, fallocate,
 * copy_file_range and lseek (SEEK_DATA / SEEK_HOLE).
 *
 * Every open(2) becomes one SMB2 CREATE and its handle lives until
 * release.  Writes are queued by the pool and sent behind the writer
 * (reads come from its read-ahead), unless cache=none: flush waits
 * until they are on the server and reports a failed one to close(2);
 * fsync also sends SMB2 FLUSH.  The kernel drops its page cache at every
 * open (keep_cache = 0), so a file reopened after another client
 * changed it is read afresh.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smbfs.h"

/* Pieces of the copy_file_range fallback. */
#define COPY_PIECE (1u << 20)

/* What fi->fh points to; the rest of the filesystem sees only h. */
struct smbfs_file {
	struct smbfs_handle h;	 /* first: fi->fh is also a smbfs_handle */
	pthread_mutex_t io_lock; /* serializes O_APPEND writes */
	struct fs_lock_state *locks;
};

static struct smbfs_file *file_from_fi(const struct fuse_file_info *fi)
{
	return (struct smbfs_file *)fs_handle_from_fi(fi);
}

struct fs_lock_state *fs_handle_lock_state(struct smbfs_handle *h)
{
	return ((struct smbfs_file *)h)->locks;
}

/* --- open(2) flags as SMB2 CREATE parameters --- */

/*
 * MS-SMB2 2.2.13.1.1: the access an open(2) access mode needs.  Every
 * handle can read attributes: fstat() and O_APPEND writes query them
 * through it.  O_TRUNC overwrites, which needs write access.
 */
static uint32_t file_access_for_flags(int flags)
{
	const uint32_t rd = FILE_READ_DATA | FILE_READ_EA;
	const uint32_t wr = FILE_WRITE_DATA | FILE_APPEND_DATA |
			    FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA;
	uint32_t access = FILE_READ_ATTRIBUTES | SYNCHRONIZE;

	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		access |= rd;
		break;
	case O_WRONLY:
		access |= wr;
		break;
	default: /* O_RDWR, and 3 ("ioctl only") which needs both */
		access |= rd | wr;
		break;
	}
	if (flags & O_TRUNC)
		access |= FILE_WRITE_DATA;
	return access;
}

static bool file_flags_modify(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/* What a new file's mode and group are written with (cifsacl). */
#define FILE_CREATOR_ACCESS (READ_CONTROL | WRITE_DAC | WRITE_OWNER)

/* FUSE_CAP_ATOMIC_O_TRUNC is on: O_TRUNC arrives here, one CREATE does it. */
static uint32_t file_open_disposition(int flags)
{
	return (flags & O_TRUNC) ? FILE_OVERWRITE : FILE_OPEN;
}

/*
 * The DOS read-only attribute stands for "no owner write bit", unless
 * the mode goes into the security descriptor (cifsacl).
 */
static uint32_t file_create_attributes(const struct smbfs *fs, mode_t mode)
{
	return (mode & S_IWUSR) || fs->cfg.cifsacl ? 0
						   : FILE_ATTRIBUTE_READONLY;
}

/*
 * The pool asks for the path of an open file when it must reopen it
 * after a reconnect (on its own thread): the inode's path now, which
 * follows renames and hiding, or the path being created.
 */
static char *file_pool_path(void *owner)
{
	struct smbfs_handle *h = owner;
	struct smbfs *fs = h->fs;
	struct smbfs_inode *in;
	const char *creating;

	pthread_mutex_lock(&fs->lock);
	in = h->inode;
	creating = h->creating_path;
	pthread_mutex_unlock(&fs->lock);
	if (in)
		return inode_smb_path(fs, in);
	return creating ? strdup(creating) : NULL;
}

/*
 * CREATE through the pool, which keeps h->file working across
 * reconnects.  Every open asks for a read/handle/write lease under the
 * inode's key (MS-SMB2 3.2.4.3.8).
 */
static int file_smb_open(struct smbfs *fs, struct smbfs_handle *h,
			 const char *path, const uint8_t *lease_key,
			 uint32_t disposition, uint32_t attributes,
			 const struct smb_sd *sd, struct smb_open_result *res)
{
	struct smb_open_args a = {
		.path = path,
		.desired_access = file_access_for_flags(h->flags),
		.file_attributes = attributes,
		.share_access =
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
		.disposition = disposition,
		.create_options = FILE_NON_DIRECTORY_FILE,
		.oplock_level = SMB2_OPLOCK_LEVEL_LEASE,
		.lease_key = lease_key,
		.lease_state = SMB2_LEASE_READ_CACHING |
			       SMB2_LEASE_HANDLE_CACHING |
			       SMB2_LEASE_WRITE_CACHING,
		.sd = disposition == FILE_CREATE ? sd : NULL,
	};
	unsigned int flags =
		fs->cfg.cache == SMBFS_CACHE_MODE_NONE ? POOL_FILE_UNCACHED : 0;
	int rc;

	/*
	 * cifsacl: a new file's mode and group are read and written through
	 * it; its creator is granted what it asks for.
	 */
	if (fs->cfg.cifsacl && disposition == FILE_CREATE)
		a.desired_access |= FILE_CREATOR_ACCESS;
	if (fs->cfg.nolease) {
		a.oplock_level = SMB2_OPLOCK_LEVEL_NONE;
		a.lease_key = NULL;
		a.lease_state = 0;
	}
	rc = pool_file_open(fs->tree, &a, flags, h, file_pool_path, &h->file,
			    res);
	/*
	 * MS-SMB2 3.3.5.9.8: a lease key belongs to one file name, and the
	 * server refuses it (STATUS_INVALID_PARAMETER) for another name of
	 * the file while that lease lasts: then the open goes without one.
	 */
	if (rc == -EINVAL && a.lease_key) {
		a.oplock_level = SMB2_OPLOCK_LEVEL_NONE;
		a.lease_key = NULL;
		a.lease_state = 0;
		rc = pool_file_open(fs->tree, &a, flags, h, file_pool_path,
				    &h->file, res);
	}
	return rc;
}

/* --- handles --- */

static struct smbfs_file *file_new(struct smbfs *fs, int flags)
{
	struct smbfs_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->h.fs = fs;
	f->locks = fs_lock_state_new();
	if (!f->locks || pthread_mutex_init(&f->io_lock, NULL)) {
		fs_lock_state_free(f->locks);
		free(f);
		return NULL;
	}
	f->h.flags = flags;
	f->h.append = flags & O_APPEND;
	return f;
}

static void file_free(struct smbfs_file *f)
{
	if (!f)
		return;
	fs_lock_state_free(f->locks);
	pthread_mutex_destroy(&f->io_lock);
	free(f);
}

/*
 * Stores attributes the server just sent (CREATE or CLOSE response).
 * Those carry no link count, and the id only with QFid: keep ours.
 */
static void file_store_stat(struct smbfs *fs, struct smbfs_inode *in,
			    struct smb_stat *st)
{
	pthread_mutex_lock(&fs->lock);
	st->file_id = in->server_id ? in->server_id : st->file_id;
	st->nlink = in->st.nlink;
	pthread_mutex_unlock(&fs->lock);
	inode_set_stat(fs, in, st);
}

/*
 * file_store_stat for a CREATE that opened an existing file.  Another
 * client that cached writes flushed them before the server let this
 * open through (MS-SMB2 3.3.4.7), so the size may have moved since the
 * kernel's lookup: its attributes are dropped (attributes only, which
 * takes no lock a waiting request may hold).
 */
static void file_store_stat_opened(struct smbfs *fs, struct smbfs_inode *in,
				   struct smb_stat *st)
{
	uint64_t was;

	pthread_mutex_lock(&fs->lock);
	was = in->st.end_of_file;
	pthread_mutex_unlock(&fs->lock);
	file_store_stat(fs, in, st);
	if (was != st->end_of_file && fs->se)
		fuse_lowlevel_notify_inval_inode(fs->se, in->ino, -1, 0);
}

/*
 * The last words of a handle with a read lease: the pages the kernel
 * holds are the file as of these attributes (nobody else could write).
 */
static void file_pages_closing(struct smbfs *fs, struct smbfs_inode *in,
			       const struct smb_stat *st)
{
	pthread_mutex_lock(&fs->lock);
	if (in->lease_state & SMB2_LEASE_READ_CACHING) {
		in->pages_ctime = st->change_time;
		in->pages_size = st->end_of_file;
	} else {
		in->pages_valid = false;
	}
	pthread_mutex_unlock(&fs->lock);
}

/* Nobody may borrow the handle once its CLOSE is under way. */
static void file_release_begin(struct smbfs *fs, struct smbfs_file *f)
{
	fs_locks_handle_release(&f->h);
	inode_handle_closing(fs, &f->h);
}

/* What the CLOSE's answer (rc, st if have_st) tells of the file. */
static void file_release_end(struct smbfs *fs, struct smbfs_file *f, int rc,
			     struct smb_stat *st, bool have_st)
{
	struct smbfs_inode *in = f->h.inode;

	if (!rc && have_st) {
		file_pages_closing(fs, in, st);
		file_store_stat(fs, in, st);
		fs_note_attr(fs, in);
	} else if (!rc) {
		/* Closed locally: nothing says the pages are current. */
		pthread_mutex_lock(&fs->lock);
		in->pages_valid = false;
		pthread_mutex_unlock(&fs->lock);
	} else {
		smb_log(SMB_LOG_WARN, "close of inode %llu failed: %s",
			(unsigned long long)in->ino, strerror(-rc));
	}
	inode_handle_remove(fs, in, &f->h);
	inode_open_put(fs, in);
	file_free(f);
}

/* Closes the SMB handle; the server drops its byte-range locks with it. */
static void file_release(struct smbfs *fs, struct smbfs_file *f)
{
	struct smb_stat st;
	bool have_st;
	int rc;

	file_release_begin(fs, f);
	rc = pool_file_close(f->h.file, &st, &have_st);
	file_release_end(fs, f, rc, &st, have_st);
}

void fs_file_close(struct smbfs *fs, struct smbfs_handle *h)
{
	file_release(fs, (struct smbfs_file *)h);
}

void fs_file_close_many(struct smbfs *fs, struct smbfs_handle **h, int n)
{
	struct pool_file *pf[POOL_CLOSE_MANY_MAX];
	struct smb_stat st[POOL_CLOSE_MANY_MAX];
	bool have_st[POOL_CLOSE_MANY_MAX];
	int i, rc[POOL_CLOSE_MANY_MAX];

	for (i = 0; i < n; i++) {
		file_release_begin(fs, (struct smbfs_file *)h[i]);
		pf[i] = h[i]->file;
	}
	pool_file_close_many(pf, n, st, have_st, rc);
	for (i = 0; i < n; i++)
		file_release_end(fs, (struct smbfs_file *)h[i], rc[i], &st[i],
				 have_st[i]);
}

/*
 * What the open's answer lets this client cache (in->lease_state), and
 * whether the kernel may keep the pages it has (cache=strict): yes while
 * a read lease covers them, or when the file's change time and size are
 * those the pages were read at.
 */
static bool file_opened(struct smbfs *fs, struct smbfs_inode *in,
			const struct smb_open_result *res)
{
	uint32_t caching = res->lease_state ? res->lease_state
					    : fs_oplock_caching(res->oplock_level);
	bool keep;

	pthread_mutex_lock(&fs->lock);
	keep = in->pages_valid &&
	       ((in->lease_state & SMB2_LEASE_READ_CACHING) ||
		(res->st.change_time == in->pages_ctime &&
		 res->st.end_of_file == in->pages_size));
	/* The lease is the inode's (one key): the latest answer says it. */
	in->lease_state = caching;
	in->pages_valid = true;
	in->pages_ctime = res->st.change_time;
	in->pages_size = res->st.end_of_file;
	pthread_mutex_unlock(&fs->lock);
	return keep;
}

static void file_fill_fi(struct smbfs *fs, struct fuse_file_info *fi,
			 struct smbfs_file *f, bool keep)
{
	fi->fh = (uintptr_t)f;
	fs_handle_publish(&f->h);
	/*
	 * cache=strict keeps cached pages only while they are known to be
	 * current (file_opened); loose always keeps them; none bypasses
	 * the page cache.
	 */
	fi->keep_cache = fs->cfg.cache == SMBFS_CACHE_MODE_LOOSE ||
			 (fs->cfg.cache == SMBFS_CACHE_MODE_STRICT && keep);
	fi->direct_io = fs->cfg.cache == SMBFS_CACHE_MODE_NONE;
	/* Flush reports write errors to close(2): never skipped. */
	fi->noflush = false;
}

/*
 * Takes over a deferred handle of in (no round trip) when one fits; the
 * lease it kept still covers the pages.  True when fi is filled.
 */
static bool file_open_deferred(struct smbfs *fs, struct smbfs_inode *in,
			       struct fuse_file_info *fi)
{
	struct smbfs_handle *h = fs_reuse_deferred(fs, in, fi->flags);
	bool keep;

	if (!h)
		return false;
	pthread_mutex_lock(&fs->lock);
	keep = in->pages_valid && (in->lease_state & SMB2_LEASE_READ_CACHING);
	pthread_mutex_unlock(&fs->lock);
	file_fill_fi(fs, fi, (struct smbfs_file *)h, keep);
	return true;
}

void smbfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	struct smb_open_result res;
	struct smbfs_file *f = NULL;
	uint8_t key[16];
	char *path = NULL;
	int rc;

	if (!in)
		return;
	rc = -EROFS;
	if (fs->cfg.read_only && file_flags_modify(fi->flags))
		goto out;
	if (file_open_deferred(fs, in, fi)) {
		fuse_reply_open(req, fi);
		return;
	}
	rc = -ENOMEM;
	f = file_new(fs, fi->flags);
	if (!f)
		goto out;
	path = inode_smb_path(fs, in);
	if (!path) {
		rc = -errno;
		goto out;
	}
	f->h.inode = in;
	inode_lease_key(fs, in, key);
	rc = file_smb_open(fs, &f->h, path, key,
			   file_open_disposition(fi->flags), 0, NULL, &res);
	if (rc == -ENOENT) {
		/*
		 * The kernel's entry is stale: another client removed the
		 * file and its notification is still on the way.  ESTALE
		 * makes the VFS look the name up again (LOOKUP_REVAL), as
		 * for NFS, so open(O_CREAT) creates it instead of failing.
		 */
		cache_forget(fs->cache, path);
		rc = -ESTALE;
	}
	if (rc < 0)
		goto out;
	inode_handle_add(fs, in, &f->h);
	file_store_stat_opened(fs, in, &res.st);
	file_fill_fi(fs, fi, f, file_opened(fs, in, &res));
	if (fuse_reply_open(req, fi) == -ENOENT)
		file_release(fs, f); /* interrupted: no release will come */
	f = NULL;
out:
	if (rc < 0)
		fs_reply_err(req, rc);
	file_free(f);
	free(path);
}

/* --- create --- */

/*
 * The kernel asks to create a name its lookup did not find, so FILE_CREATE
 * it: a collision means the name appeared since (a race) or exists in
 * another case only.  The second must fail with EEXIST and never touch
 * that other file's data; the first is opened unless O_EXCL.
 */
static int file_create_or_open(struct smbfs *fs, struct smbfs_inode *dir,
			       const char *name, const char *path, mode_t mode,
			       struct smbfs_handle *h, const uint8_t *key,
			       const struct smb_sd *sd,
			       struct smb_open_result *res)
{
	struct smb_stat st;
	int attempt, rc;

	for (attempt = 0; attempt < 3; attempt++) {
		rc = file_smb_open(fs, h, path, key, FILE_CREATE,
				   file_create_attributes(fs, mode), sd, res);
		if (rc != -EEXIST)
			return rc;
		rc = fs_lookup_child_entry(fs, dir, name, &st, NULL);
		if (rc == -ENOENT)
			continue; /* gone again: try to create it once more */
		if (rc < 0)
			return rc; /* -EEXIST: only another case exists */
		if (h->flags & O_EXCL)
			return -EEXIST;
		if (st.attributes & FILE_ATTRIBUTE_DIRECTORY)
			return -EISDIR;
		return file_smb_open(fs, h, path, key,
				     file_open_disposition(h->flags), 0, NULL,
				     res);
	}
	return -EEXIST;
}

/*
 * The inode number must be the one a later lookup of the name finds: the
 * QFid answer carries it, else ask FileInternalInformation.
 */
static int file_created_id(struct pool_file *f, struct smb_open_result *res)
{
	struct smb_stat st;
	int rc;

	if (res->st.file_id)
		return 0;
	rc = pool_file_stat(f, &st);
	if (!rc)
		res->st = st;
	return rc;
}

static void file_reply_create(fuse_req_t req, struct smbfs *fs,
			      struct smbfs_inode *dir, const char *name,
			      struct smbfs_file *f, const uint8_t *key,
			      const struct smb_open_result *res,
			      struct fuse_file_info *fi)
{
	struct smbfs_inode *in = inode_remember(fs, dir, name, &res->st);
	struct fuse_entry_param e;

	if (!in) {
		pool_file_close(f->h.file, NULL, NULL);
		file_free(f);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	inode_created(fs, in, &f->h, key);
	inode_handle_add(fs, in, &f->h);
	file_opened(fs, in, res);
	fs_entry_param(fs, in, &e);
	file_fill_fi(fs, fi, f, true);
	if (fuse_reply_create(req, &e, fi) == -ENOENT) {
		/* Interrupted: neither forget nor release will come. */
		file_release(fs, f);
		inode_forget(fs, in, 1);
	}
}

/*
 * cifsacl: the CREATE carries the new file's descriptor when dir has a
 * template (unix_attr.c); a server that refuses it gets the long way.
 */
static int file_create_moded(struct smbfs *fs, struct smbfs_inode *dir,
			     const char *name, const char *path, mode_t mode,
			     struct smbfs_handle *h, const uint8_t *key,
			     struct smb_open_result *res, bool *moded)
{
	struct smb_sd sd, full;
	int made = fs_unix_new_sd(fs, dir, FS_NEW_FILE, mode, &sd, &full);
	int rc;

	*moded = false;
	if (made <= 0)
		return file_create_or_open(fs, dir, name, path, mode, h, key,
					   NULL, res);
	rc = file_create_or_open(fs, dir, name, path, mode, h, key, &sd, res);
	if (fs_unix_new_sd_refused(fs, dir, FS_NEW_FILE, rc)) {
		rc = file_create_or_open(fs, dir, name, path, mode, h, key,
					 NULL, res);
	} else if (rc == 0 && res->create_action == FILE_CREATED) {
		fs_unix_created_with(fs, path, mode, &full, &res->st);
		*moded = true;
	}
	smb_sd_free(&sd);
	smb_sd_free(&full);
	return rc;
}

void smbfs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, struct fuse_file_info *fi)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *dir = fs_inode_or_reply(req, parent);
	struct smb_open_result res;
	struct smbfs_file *f = NULL;
	uint8_t key[16];
	char *path = NULL;
	bool moded = false;
	int rc;

	if (!dir)
		return;
	rc = -EROFS;
	if (fs->cfg.read_only)
		goto out;
	rc = -ENOMEM;
	f = file_new(fs, fi->flags);
	if (!f)
		goto out;
	path = inode_child_smb_path(fs, dir, name, &rc);
	if (!path)
		goto out;
	rc = inode_child_lease_key(fs, dir, name, key);
	if (rc < 0)
		goto out;
	f->h.creating_path = path;
	rc = file_create_moded(fs, dir, name, path, mode, &f->h, key, &res,
			       &moded);
	if (rc < 0)
		goto out;
	rc = file_created_id(f->h.file, &res);
	if (rc < 0) {
		pool_file_close(f->h.file, NULL, NULL);
		goto out;
	}
	cache_note_created(fs->cache, path, &res.st);
	if (fs->cfg.cifsacl && res.create_action == FILE_CREATED) {
		if (!moded)
			fs_unix_apply_created(fs, dir, f->h.file, path, mode,
					      &res.st);
		/* A reopen by path must not ask the owner for more. */
		pool_file_drop_access(f->h.file, FILE_CREATOR_ACCESS);
	}
	file_reply_create(req, fs, dir, name, f, key, &res, fi);
	f = NULL;
out:
	if (rc < 0)
		fs_reply_err(req, rc);
	file_free(f);
	free(path);
}

/* --- read --- */

/* A read's reply, straight from where the pool holds the data. */
struct file_read_reply {
	fuse_req_t req;
	bool replied;
};

static int file_reply_data(void *arg, const struct iovec *iov, int n)
{
	struct file_read_reply *r = arg;

	r->replied = true;
	return fuse_reply_iov(r->req, iov, n);
}

void smbfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct smbfs_file *f = file_from_fi(fi);
	struct file_read_reply r = { .req = req, .replied = false };
	ssize_t n;

	(void)ino;
	if (size == 0 || off < 0) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	/* From the pool's read-ahead, or large READs sent at once. */
	n = pool_file_read_give(f->h.file, size, off, file_reply_data, &r);
	if (n < 0 && !r.replied)
		fs_reply_err(req, n);
}

/* --- write --- */

/* Our cached size follows our own writes, for getattr from the cache. */
static void file_note_size(struct smbfs *fs, struct smbfs_inode *in,
			   uint64_t end)
{
	pthread_mutex_lock(&fs->lock);
	if (in->st.end_of_file < end)
		in->st.end_of_file = end;
	pthread_mutex_unlock(&fs->lock);
}

/* Copies the next len bytes of a FUSE write into the pool's buffer. */
static int file_fill_from_fuse(void *arg, void *dst, size_t len)
{
	struct fuse_bufvec to = FUSE_BUFVEC_INIT(len);

	to.buf[0].mem = dst;
	return fuse_buf_copy(&to, arg, 0) == (ssize_t)len ? 0 : -EIO;
}

/*
 * O_APPEND: the kernel's offset is its cached size, which another client
 * may have outgrown; the pool writes at the file's real end instead
 * (see pool_file_append).  The handle's mutex keeps this handle's
 * appends from overlapping; appends through other clients can still
 * race (SMB has no atomic append-write with Samba).
 */
static ssize_t file_append(struct smbfs_file *f, struct fuse_bufvec *buf,
			   size_t size, uint64_t *pos)
{
	ssize_t n;

	pthread_mutex_lock(&f->io_lock);
	n = pool_file_append(f->h.file, file_fill_from_fuse, buf, size, pos);
	pthread_mutex_unlock(&f->io_lock);
	return n;
}

/*
 * The pool copies the data once, straight from the request (memory or
 * the splice pipe), and queues it: the reply does not wait for the
 * server.  A failed write shows at a later write, flush or fsync.
 */
void smbfs_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *buf,
			off_t off, struct fuse_file_info *fi)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_file *f = file_from_fi(fi);
	size_t size = fuse_buf_size(buf);
	uint64_t pos = (uint64_t)off;
	ssize_t n;

	(void)ino;
	if (fs->cfg.read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (size == 0) {
		fuse_reply_write(req, 0);
		return;
	}
	/* fi->flags is the file's current f_flags (F_SETFL may change it). */
	if (f->h.append || (fi->flags & O_APPEND))
		n = file_append(f, buf, size, &pos);
	else
		n = pool_file_write_from(f->h.file, file_fill_from_fuse, buf,
					 size, pos);
	if (n < 0) {
		fs_reply_err(req, n);
		return;
	}
	file_note_size(fs, f->h.inode, pos + (uint64_t)n);
	fuse_reply_write(req, n);
}

/* --- flush, fsync, release --- */

/*
 * close(2) of any descriptor drops the caller's POSIX locks on the file
 * (the kernel leaves that to us when we implement setlk), after the
 * writes made under them are on the server; a write that failed is
 * close(2)'s error.  Like cifs.ko, no SMB2 FLUSH at close.
 */
void smbfs_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_file *f = file_from_fi(fi);
	int rc = pool_file_wait_writes(f->h.file);

	(void)ino;
	if (!fs->cfg.nobrl)
		fs_locks_release_owner(&f->h, fi->lock_owner);
	fs_reply_err(req, rc);
}

void smbfs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_file *f = file_from_fi(fi);
	int rc;

	(void)ino;
	/*
	 * flush waited for the writes already; ones made since (through
	 * a mapping) go before the handle is kept or closed.  Nobody is
	 * left to be told of a failure: it is logged.
	 */
	rc = pool_file_wait_writes(f->h.file);
	if (rc < 0)
		smb_log(SMB_LOG_WARN, "write to inode %llu failed at release: %s",
			(unsigned long long)f->h.inode->ino, strerror(-rc));
	/*
	 * If the file was unlinked while open, delete-pending is set on
	 * it: the server removes it when its last handle closes here.
	 * A handle the lease lets us keep is closed later (deferred.c).
	 */
	if (rc < 0 || !fs_defer_close(fs, &f->h))
		file_release(fs, f);
	fuse_reply_err(req, 0);
}

void smbfs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		    struct fuse_file_info *fi)
{
	struct smbfs_file *f = file_from_fi(fi);
	int rc;

	(void)ino;
	(void)datasync; /* SMB2 FLUSH has no data-only variant */
	/*
	 * The writes of every handle of the file, then (through a handle
	 * that may write: MS-SMB2 3.3.5.11) SMB2 FLUSH.
	 */
	rc = pool_file_flush(f->h.file);
	fs_reply_err(req, rc);
}

/* --- fallocate --- */

enum falloc_kind {
	FALLOC_ALLOCATE,  /* mode 0: may extend the file */
	FALLOC_KEEP_SIZE, /* reserve only */
	FALLOC_PUNCH,	  /* PUNCH_HOLE | KEEP_SIZE */
	FALLOC_ZERO,	  /* ZERO_RANGE: may extend the file */
	FALLOC_ZERO_KEEP_SIZE, /* ZERO_RANGE | KEEP_SIZE */
	FALLOC_UNSUPPORTED,
};

static enum falloc_kind falloc_classify(int mode)
{
	switch (mode) {
	case 0:
		return FALLOC_ALLOCATE;
	case FALLOC_FL_KEEP_SIZE:
		return FALLOC_KEEP_SIZE;
	case FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE:
		return FALLOC_PUNCH;
	case FALLOC_FL_ZERO_RANGE:
		return FALLOC_ZERO;
	case FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE:
		return FALLOC_ZERO_KEEP_SIZE;
	default:
		return FALLOC_UNSUPPORTED;
	}
}

/*
 * Mode 0 makes the file at least end bytes long.  No space is reserved:
 * FileAllocationInformation below the end of file truncates (MS-FSCC
 * 2.4.4), so setting it races with other writers; a later write may
 * still fail with ENOSPC.
 */
static int file_extend(struct smbfs *fs, struct smbfs_file *f, uint64_t end)
{
	struct smb_setattr sa = { .set_size = true, .size = end };
	struct smb_stat st;
	int rc = pool_file_stat(f->h.file, &st);

	if (rc < 0 || st.end_of_file >= end)
		return rc;
	rc = pool_file_setattr(f->h.file, &sa, NULL);
	if (!rc)
		file_note_size(fs, f->h.inode, end);
	return rc;
}

/*
 * MS-FSCC 2.3.70: FSCTL_SET_ZERO_DATA of [off, end); with sparse the
 * file is marked sparse first (MS-FSCC 2.3.64), so the server gives the
 * space back.
 */
static int file_zero_range(struct smbfs_file *f, const struct smb_stat *st,
			   uint64_t off, uint64_t end, bool sparse)
{
	int rc;

	if (sparse && !(st->attributes & FILE_ATTRIBUTE_SPARSE_FILE)) {
		/* Without sparse support zeroing still reads back as zeros. */
		rc = pool_file_set_sparse(f->h.file, true);
		if (rc < 0)
			smb_log(SMB_LOG_WARN, "FSCTL_SET_SPARSE failed: %s",
				strerror(-rc));
	}
	return pool_file_zero_data(f->h.file, off, end);
}

/*
 * PUNCH_HOLE: a sparse zeroed range.  The range is clipped to the end of
 * file: KEEP_SIZE must not extend it.
 */
static int file_punch_hole(struct smbfs_file *f, uint64_t off, uint64_t len)
{
	struct smb_stat st;
	uint64_t end;
	int rc = pool_file_stat(f->h.file, &st);

	if (rc < 0 || off >= st.end_of_file)
		return rc;
	end = len > st.end_of_file - off ? st.end_of_file : off + len;
	return file_zero_range(f, &st, off, end, true);
}

/*
 * ZERO_RANGE: the same FSCTL_SET_ZERO_DATA within the file (MS-FSCC
 * 2.3.70: reads as zeros, sparse or not), and without KEEP_SIZE the file
 * grows to the end of the range, whose new part reads as zeros too.
 */
static int file_zero(struct smbfs *fs, struct smbfs_file *f, uint64_t off,
		     uint64_t len, bool keep_size)
{
	struct smb_stat st;
	uint64_t end = off + len;
	int rc = pool_file_stat(f->h.file, &st);

	if (rc < 0)
		return rc;
	if (off < st.end_of_file)
		rc = file_zero_range(f, &st, off,
				     end < st.end_of_file ? end
							  : st.end_of_file,
				     false);
	if (!rc && !keep_size && end > st.end_of_file)
		rc = file_extend(fs, f, end);
	return rc;
}


void smbfs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
			off_t length, struct fuse_file_info *fi)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_file *f = file_from_fi(fi);
	int rc;

	(void)ino;
	if (fs->cfg.read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if (offset < 0 || length <= 0 || offset > INT64_MAX - length) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	switch (falloc_classify(mode)) {
	case FALLOC_ALLOCATE:
		rc = file_extend(fs, f, (uint64_t)offset + (uint64_t)length);
		break;
	case FALLOC_KEEP_SIZE:
		rc = 0; /* nothing to reserve without truncation risk */
		break;
	case FALLOC_PUNCH:
		rc = file_punch_hole(f, offset, length);
		break;
	case FALLOC_ZERO:
	case FALLOC_ZERO_KEEP_SIZE:
		rc = file_zero(fs, f, offset, length,
			       falloc_classify(mode) == FALLOC_ZERO_KEEP_SIZE);
		break;
	default:
		rc = -EOPNOTSUPP;
		break;
	}
	fs_reply_err(req, rc);
}

/* --- copy_file_range --- */

static bool copy_fallback_error(ssize_t rc)
{
	return rc == -EOPNOTSUPP || rc == -ENOSYS || rc == -EINVAL;
}

/* Client-side copy through our buffers, COPY_PIECE at a time. */
static ssize_t copy_by_hand(struct smbfs_file *in, uint64_t off_in,
			    struct smbfs_file *out, uint64_t off_out,
			    uint64_t len)
{
	size_t piece = len < COPY_PIECE ? len : COPY_PIECE;
	char *buf = malloc(piece ? piece : 1);
	uint64_t done = 0;
	ssize_t rc = 0;

	if (!buf)
		return -ENOMEM;
	while (done < len) {
		size_t want = len - done < piece ? len - done : piece;

		rc = pool_file_read(in->h.file, buf, want, off_in + done);
		if (rc <= 0)
			break;
		want = (size_t)rc;
		rc = pool_file_write(out->h.file, buf, want, off_out + done);
		if (rc < 0)
			break;
		done += want;
		if (want < piece)
			break; /* end of the source */
	}
	free(buf);
	return done ? (ssize_t)done : rc;
}

/*
 * Server-side copy (FSCTL_SRV_COPYCHUNK_WRITE) where the server has it.
 * The copy may be short at the source's end of file, so len is clipped to
 * the source size first.
 */
static ssize_t file_copy_range(struct smbfs *fs, struct smbfs_file *in,
			       uint64_t off_in, struct smbfs_file *out,
			       uint64_t off_out, uint64_t len)
{
	struct smb_setattr sa = { .set_size = true };
	struct smb_stat st;
	ssize_t n = pool_file_stat(in->h.file, &st);

	if (n < 0)
		return n;
	if (!len || off_in >= st.end_of_file)
		return 0;
	if (len > st.end_of_file - off_in)
		len = st.end_of_file - off_in;
	n = pool_file_copy_chunk(in->h.file, off_in, out->h.file, off_out, len);
	if (copy_fallback_error(n))
		n = copy_by_hand(in, off_in, out, off_out, len);
	if (n <= 0)
		return n;
	/* Servers extend the target as they write; make sure of it. */
	sa.size = off_out + (uint64_t)n;
	if (pool_file_stat(out->h.file, &st) == 0 && st.end_of_file < sa.size &&
	    pool_file_setattr(out->h.file, &sa, NULL) < 0)
		return -EIO;
	file_note_size(fs, out->h.inode, off_out + (uint64_t)n);
	return n;
}

void smbfs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			      struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			      off_t off_out, struct fuse_file_info *fi_out,
			      size_t len, int flags)
{
	struct smbfs *fs = fs_begin(req);
	ssize_t n;

	(void)ino_in;
	(void)ino_out;
	if (fs->cfg.read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if (flags || off_in < 0 || off_out < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	/* The kernel sends this only for two files of this mount. */
	n = file_copy_range(fs, file_from_fi(fi_in), off_in,
			    file_from_fi(fi_out), off_out, len);
	if (n < 0)
		fs_reply_err(req, n);
	else
		fuse_reply_write(req, n);
}

/* --- lseek: SEEK_DATA / SEEK_HOLE --- */

/*
 * Walks allocated ranges (ascending, as MS-FSCC 2.3.34 returns them) from
 * *pos.  Returns 1 with *pos at the answer when the ranges decide it, 0
 * with *pos moved past the last range when they do not (SEEK_HOLE: the
 * hole starts there if the list was complete).
 */
static int seek_scan_ranges(const struct smb_alloc_range *r, size_t n,
			    int whence, uint64_t *pos)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t end = r[i].offset + r[i].length;

		if (end < r[i].offset)
			end = UINT64_MAX;
		if (end <= *pos)
			continue;
		if (whence == SEEK_DATA) {
			if (r[i].offset > *pos)
				*pos = r[i].offset;
			return 1;
		}
		if (r[i].offset > *pos)
			return 1; /* a hole at *pos */
		*pos = end;
	}
	return 0;
}

/*
 * A file that is not sparse is all data.  So is one whose ranges cannot
 * be listed: reporting data where there is a hole is always allowed.
 */
static int file_seek(struct smbfs_file *f, uint64_t off, int whence,
		     uint64_t *res)
{
	struct smb_alloc_range *r = NULL;
	struct smb_stat st;
	size_t n = 0;
	int rc = pool_file_stat(f->h.file, &st);

	if (rc < 0)
		return rc;
	if (off >= st.end_of_file)
		return -ENXIO;
	*res = whence == SEEK_DATA ? off : st.end_of_file;
	if (!(st.attributes & FILE_ATTRIBUTE_SPARSE_FILE))
		return 0;
	rc = pool_file_allocated_ranges(f->h.file, off, st.end_of_file - off,
					&r, &n);
	if (rc < 0)
		return 0; /* the all-data answer above */
	*res = off;
	if (!seek_scan_ranges(r, n, whence, res)) {
		if (whence == SEEK_DATA)
			rc = -ENXIO; /* a hole up to the end of file */
		else if (*res > st.end_of_file)
			*res = st.end_of_file;
	}
	free(r);
	return rc;
}

void smbfs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		    struct fuse_file_info *fi)
{
	uint64_t res = 0;
	int rc;

	(void)ino;
	/* The kernel answers SEEK_SET, SEEK_CUR and SEEK_END itself. */
	if (whence != SEEK_DATA && whence != SEEK_HOLE) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (off < 0) {
		fuse_reply_err(req, ENXIO);
		return;
	}
	rc = file_seek(file_from_fi(fi), off, whence, &res);
	if (rc < 0)
		fs_reply_err(req, rc);
	else
		fuse_reply_lseek(req, (off_t)res);
}
